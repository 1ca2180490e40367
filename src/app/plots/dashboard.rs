//! The dashboard grid: linked plots with our own pan/zoom, a "now" line and a hover readout.

use std::time::Instant;

use egui::Ui;

use super::linked::{
    DashboardState, Gesture, PlotExtras, PlotFrame, draw_lines, linked_plot, linked_plot_body,
    plot_gesture,
};
use super::prepare::{PREP_BUDGET, PrepBudget, prepare_dashboard};
use super::{
    PlotCard, PreparedLine, ViewOptions, dashboard_for, format_value, from_bar_replay,
    series_color, value_at, with_series_values,
};
use crate::app::insight::compare;
use crate::app::insight::composition_card::{INSIGHT_CARDS, insight_card_ui};
use bar_live_core::recording::summary::format_game_time;
use bar_live_core::store::{Kind, Store, ValueMode};

/// Draws the dashboard grid. `end_t` is the newest time to show (live: last update; review: cursor).
/// Returns the game time of a clicked milestone marker.
pub fn dashboard_ui(
    ui: &mut Ui,
    store: &Store,
    view: &ViewOptions,
    axis: &mut DashboardState,
    end_t: f64,
    extras: &PlotExtras<'_>,
) -> Option<f64> {
    let cols = if ui.available_width() > 760.0 { 2 } else { 1 };
    let replay = from_bar_replay(store);
    let dashboard = dashboard_for(store);
    // Composition and trades need unit counts, which a replay does not have.
    let insight_cards = if axis.show_insight && !replay {
        INSIGHT_CARDS
    } else {
        0
    };
    let cards = dashboard.len() + insight_cards;
    let rows = cards.div_ceil(cols);
    let spacing = ui.spacing().item_spacing.y;
    let plot_h =
        ((ui.available_height() - rows as f32 * (spacing + 22.0)) / rows as f32).max(120.0);
    // Grid spacing is 8 px; keep a few px spare so the right column's axis labels are not clipped.
    let col_w = (ui.available_width() - (cols as f32 - 1.0) * 8.0 - 6.0) / cols as f32;
    let (t0, t1) = if axis.follow {
        (0.0, end_t.max(60.0))
    } else {
        axis.manual.unwrap_or((0.0, end_t.max(60.0)))
    };
    let mut new_range: Option<(f64, f64)> = None;
    let mut resume_follow = false;
    let mut jump = None;
    let mut budget = PrepBudget::until(Instant::now() + PREP_BUDGET);
    let columns = col_w.max(50.0) as usize;
    let all_lines = prepare_dashboard(
        store,
        view,
        (t0, t1.min(end_t)),
        columns,
        &mut budget,
        &mut axis.prep_from_line,
    );
    egui::ScrollArea::vertical().show(ui, |ui| {
        egui::Grid::new("dashboard")
            .num_columns(cols)
            .spacing([8.0, 4.0])
            .show(ui, |ui| {
                for i in 0..cards {
                    let gesture = ui
                        .vertical(|ui| {
                            ui.set_width(col_w);
                            let frame = PlotFrame {
                                range: (t0, t1),
                                end_t,
                                height: plot_h,
                                columns,
                                markers: extras.markers,
                            };
                            match dashboard.get(i).zip(all_lines.get(i)) {
                                Some((card, _)) if replay && !has_data(store, card) => {
                                    ui.strong(card.title);
                                    replay_note_ui(ui, plot_h);
                                    Gesture::None
                                }
                                Some((card, lines)) => {
                                    ui.strong(card.title);
                                    plot_ui(ui, store, view, card, lines, &frame, extras)
                                }
                                None => {
                                    let which = i - dashboard.len();
                                    insight_card_ui(ui, which, store, view, axis, &frame, columns)
                                }
                            }
                        })
                        .inner;
                    match gesture {
                        Gesture::None => {}
                        Gesture::Jump(t) => jump = Some(t),
                        Gesture::Moved(range) => new_range = Some(range),
                        Gesture::ResumeFollow => resume_follow = true,
                    }
                    if i % cols == cols - 1 {
                        ui.end_row();
                    }
                }
            });
    });
    if !budget.complete() {
        // Lines drawn from older data this frame: the next frame continues.
        ui.ctx().request_repaint();
    }
    if resume_follow {
        axis.follow = true;
        axis.manual = None;
    } else if let Some(range) = new_range {
        axis.follow = false;
        axis.manual = Some(range);
    }
    jump
}

/// Whether any team has a value of any of the card's metrics.
fn has_data(store: &Store, card: &PlotCard) -> bool {
    card.metrics
        .iter()
        .any(|m| store.series.values().any(|s| s.has_values(*m)))
}

/// What stands in for a plot a BAR replay cannot fill.
fn replay_note_ui(ui: &mut Ui, height: f32) {
    let size = egui::vec2(ui.available_width(), height);
    ui.allocate_ui_with_layout(
        size,
        egui::Layout::centered_and_justified(egui::Direction::TopDown),
        |ui| {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.set_min_size(size - egui::vec2(16.0, 16.0));
                ui.vertical_centered(|ui| {
                    ui.add_space(height * 0.3);
                    ui.label("Not in a BAR replay");
                    ui.weak(
                        "A replay keeps every team's statistics every 15 game seconds \
                     (units, damage, metal and energy produced), not the per-second \
                     economy or army value that bar-live records live.",
                    );
                });
            });
        },
    );
}

/// One card's plot of the store's lines.
fn plot_ui(
    ui: &mut Ui,
    store: &Store,
    view: &ViewOptions,
    card: &PlotCard,
    lines: &[PreparedLine],
    frame: &PlotFrame<'_>,
    extras: &PlotExtras<'_>,
) -> Gesture {
    let rate = card.metrics[0].kind() != Kind::Level && view.mode == ValueMode::PerSecond;
    let suffix = if rate { view.rate_suffix } else { "" };
    let response = linked_plot(card.title, frame.height, suffix).show(ui, |plot_ui| {
        if let Some(bench) = extras.bench {
            compare::draw_bands(plot_ui, bench, card, view);
        }
        if let Some((past, of)) = extras.ghost {
            compare::draw_ghost(plot_ui, past, of, card, view, frame);
        }
        draw_lines(plot_ui, view, lines);
        linked_plot_body(plot_ui, frame)
    });
    plot_gesture(ui, &response, frame, |ui, t| {
        hover_readout_ui(ui, store, view, card, extras, t)
    })
}

/// Every visible line's value at game time `t`, then the ghost's and the benchmark's when shown.
fn hover_readout_ui(
    ui: &mut Ui,
    store: &Store,
    view: &ViewOptions,
    card: &PlotCard,
    extras: &PlotExtras<'_>,
    t: f64,
) {
    ui.strong(format!("{} at {}", card.title, format_game_time(t)));
    egui::Grid::new("hover")
        .num_columns(1 + card.metrics.len())
        .show(ui, |ui| {
            ui.label("");
            for m in card.metrics {
                ui.label(m.label());
            }
            ui.end_row();
            for e in store.series_list(view.per_ally) {
                if view.hidden.contains(&e) {
                    continue;
                }
                ui.colored_label(series_color(store, e, view.dark), store.series_name(e));
                for &m in card.metrics {
                    let value = with_series_values(store, e, m, view, |ts, vs| value_at(ts, vs, t));
                    ui.label(value.map_or("–".into(), format_value));
                }
                ui.end_row();
            }
            compare::readout_rows_ui(ui, extras.ghost, extras.bench, card, view, t);
        });
}
