//! The two insight cards under the dashboard: army composition (a stacked area of army and defense
//! value by tech level, for one team or ally team) and trades (value killed vs value lost, running
//! totals, for every shown series).

use egui::{Color32, Ui};
use egui_plot::{FilledArea, Legend};

use crate::app::plots::linked::{
    DashboardState, Gesture, PlotFrame, draw_lines, linked_plot, linked_plot_body, plot_gesture,
};
use crate::app::plots::{ViewOptions, format_value, prepare_lines, series_color};
use bar_live_core::game::Band;
use bar_live_core::insight::bands::bands_at;
use bar_live_core::recording::summary::format_game_time;
use bar_live_core::store::{Metric, SeriesOf, Store, ValueMode};

/// How many insight cards the dashboard shows (when on).
pub const INSIGHT_CARDS: usize = 2;

/// Draws insight card `which` (0: composition, 1: trades).
pub fn insight_card_ui(
    ui: &mut Ui,
    which: usize,
    store: &Store,
    view: &ViewOptions,
    axis: &mut DashboardState,
    frame: &PlotFrame<'_>,
    columns: usize,
) -> Gesture {
    if which == 0 {
        composition_ui(ui, store, view, axis, frame, columns)
    } else {
        trades_ui(ui, store, view, frame, columns)
    }
}

/// The series whose composition is shown: the chosen one if still listed, else the local player's (or
/// their ally team), else the first.
pub fn composition_target(
    store: &Store,
    view: &ViewOptions,
    chosen: Option<SeriesOf>,
) -> Option<SeriesOf> {
    let list = store.series_list(view.per_ally);
    if let Some(c) = chosen.filter(|c| list.contains(c)) {
        return Some(c);
    }
    let mine = store
        .default_team()
        .map(|t| match (view.per_ally, store.ally_of(t)) {
            (true, Some(a)) => SeriesOf::Ally(a),
            _ => SeriesOf::Team(t),
        });
    mine.filter(|m| list.contains(m))
        .or_else(|| list.first().copied())
}

fn band_color(b: Band) -> Color32 {
    match b {
        Band::ArmyT1 => Color32::from_rgb(230, 160, 90),
        Band::ArmyT2 => Color32::from_rgb(215, 95, 60),
        Band::ArmyT3 => Color32::from_rgb(160, 40, 70),
        Band::DefenseT1 => Color32::from_rgb(120, 170, 220),
        Band::DefenseT2 => Color32::from_rgb(70, 120, 200),
        Band::DefenseT3 => Color32::from_rgb(60, 70, 160),
    }
}

fn composition_ui(
    ui: &mut Ui,
    store: &Store,
    view: &ViewOptions,
    axis: &mut DashboardState,
    frame: &PlotFrame<'_>,
    columns: usize,
) -> Gesture {
    let target = composition_target(store, view, axis.composition_of);
    ui.horizontal(|ui| {
        ui.strong("Army composition (metal)");
        let name = target.map_or_else(|| "–".to_owned(), |t| store.series_name(t));
        egui::ComboBox::from_id_salt("composition_of")
            .selected_text(name)
            .show_ui(ui, |ui| {
                for of in store.series_list(view.per_ally) {
                    let label = store.series_name(of);
                    if ui.selectable_label(target == Some(of), label).clicked() {
                        axis.composition_of = Some(of);
                    }
                }
            });
    });
    let (t0, t1) = frame.range;
    let hi = t1.min(frame.end_t);
    let n = columns.clamp(2, 600);
    let times: Vec<f64> = (0..n)
        .map(|i| t0.max(0.0) + (hi - t0.max(0.0)) * i as f64 / (n - 1) as f64)
        .filter(|&t| t <= hi)
        .collect();
    let rows = target
        .map(|of| bands_at(store, of, &times))
        .unwrap_or_default();
    let response = linked_plot("composition", frame.height, "")
        .legend(Legend::default().position(egui_plot::Corner::LeftTop))
        .show(ui, |plot_ui| {
            let mut lower = vec![0.0f64; rows.len()];
            for b in Band::ALL {
                let upper: Vec<f64> = rows
                    .iter()
                    .zip(&lower)
                    .map(|(r, lo)| lo + f64::from(r[b.index()]))
                    .collect();
                if upper.iter().zip(&lower).any(|(u, l)| u > l) {
                    plot_ui.add(
                        FilledArea::new(b.label(), &times, &lower, &upper)
                            .fill_color(band_color(b).gamma_multiply(0.85))
                            .allow_hover(false),
                    );
                }
                lower = upper;
            }
            linked_plot_body(plot_ui, frame)
        });
    plot_gesture(ui, &response, frame, |ui, t| {
        ui.strong(format!("Army composition at {}", format_game_time(t)));
        let Some(of) = target else { return };
        ui.label(store.series_name(of));
        let row = bands_at(store, of, &[t])[0];
        egui::Grid::new("composition_hover").show(ui, |ui| {
            for b in Band::ALL {
                ui.colored_label(band_color(b), b.label());
                ui.label(format_value(row[b.index()]));
                ui.end_row();
            }
        });
    })
}

fn trades_ui(
    ui: &mut Ui,
    store: &Store,
    view: &ViewOptions,
    frame: &PlotFrame<'_>,
    columns: usize,
) -> Gesture {
    ui.strong("Value killed vs lost (metal, running totals)")
        .on_hover_text(
            "Killed: enemy losses attributed by damage dealt, or estimated from units killed when no \
             enemy is visible (docs/INSIGHT.md)",
        );
    let cumulative = ViewOptions {
        mode: ValueMode::Cumulative,
        ..view.clone()
    };
    let metrics = [Metric::ValueKilled, Metric::ValueLost];
    let (t0, t1) = frame.range;
    let lines = prepare_lines(
        store,
        &metrics,
        &cumulative,
        t0,
        t1.min(frame.end_t),
        columns,
    );
    let response = linked_plot("trades", frame.height, "").show(ui, |plot_ui| {
        draw_lines(plot_ui, view, &lines);
        linked_plot_body(plot_ui, frame)
    });
    plot_gesture(ui, &response, frame, |ui, t| {
        ui.strong(format!("Value killed vs lost at {}", format_game_time(t)));
        egui::Grid::new("trades_hover").show(ui, |ui| {
            ui.label("");
            ui.label("killed");
            ui.label("lost");
            ui.end_row();
            for of in store.series_list(view.per_ally) {
                if view.hidden.contains(&of) {
                    continue;
                }
                ui.colored_label(series_color(store, of, view.dark), store.series_name(of));
                for m in metrics {
                    let v = store.with_derived(of, m, ValueMode::Cumulative, 1.0, |ts, vs| {
                        crate::app::plots::value_at(ts, vs, t)
                    });
                    ui.label(v.map_or("–".into(), format_value));
                }
                ui.end_row();
            }
        });
    })
}
