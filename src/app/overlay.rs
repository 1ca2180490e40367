//! The compact always-on-top overlay: key numbers for the chosen team with tiny sparklines, or every ally
//! team side by side.
//!
//! Locked = click-through (the mouse goes to the game below); it can always be unlocked from the main
//! window or in game with `/livedata overlay unlock`.

use egui::{Color32, Pos2, Sense, Stroke, Ui, Vec2, ViewportBuilder, ViewportCommand, ViewportId};

use super::insight;
use super::plots::{ViewOptions, format_value, series_color, with_series_values};
use super::settings::{OverlaySettings, OverlayTarget};
use bar_live_core::insight::benchmark::Benchmark;
use bar_live_core::store::{Kind, Metric, SeriesOf, Store};

/// Game insight in the overlay: the benchmark row (when on) and an alert's flash.
#[derive(Debug, Default, Clone, Copy)]
pub struct OverlayExtra<'a> {
    pub bench: Option<&'a Benchmark>,
    pub flash: Option<&'a str>,
    /// The tournament switch's delay, seconds: a "DELAYED 2:00" badge.
    pub delayed_s: Option<f64>,
}

pub fn viewport_id() -> ViewportId {
    ViewportId::from_hash_of("bar-live-overlay")
}

pub fn builder(s: &OverlaySettings) -> ViewportBuilder {
    let mut b = ViewportBuilder::default()
        .with_title("bar-live overlay")
        .with_always_on_top()
        .with_decorations(false)
        .with_transparent(true)
        .with_resizable(true)
        .with_inner_size(Vec2::from(s.size))
        .with_min_inner_size([180.0, 80.0])
        .with_mouse_passthrough(s.locked)
        .with_taskbar(false);
    if let Some(p) = s.position {
        b = b.with_position(Pos2::from(p));
    }
    b
}

/// Which entities the overlay shows (empty until there is game data).
pub fn resolve_targets(store: &Store, target: OverlayTarget) -> Vec<SeriesOf> {
    match target {
        OverlayTarget::Team(t) => vec![SeriesOf::Team(t)],
        OverlayTarget::AllyTeam(a) => vec![SeriesOf::Ally(a)],
        OverlayTarget::AllyTeams => store.series_list(true),
        OverlayTarget::MyTeam => store
            .default_team()
            .map(SeriesOf::Team)
            .into_iter()
            .collect(),
    }
}

/// Shows the overlay viewport for this frame; remembers its position and size. Returns false once the
/// user closed it.
pub fn show(
    ctx: &egui::Context,
    store: &Store,
    view: &ViewOptions,
    settings: &mut OverlaySettings,
    end_t: f64,
    extra: &OverlayExtra<'_>,
) -> bool {
    let builder = builder(settings);
    let mut close = false;
    ctx.show_viewport_immediate(viewport_id(), builder, |ui, _class| {
        close = overlay_ui(ui, store, view, settings, end_t, extra);
        let (outer, inner) = ui
            .ctx()
            .input(|i| (i.viewport().outer_rect, i.viewport().inner_rect));
        if let Some(r) = outer {
            settings.position = Some([r.min.x, r.min.y]);
        }
        if let Some(r) = inner {
            settings.size = [r.width(), r.height()];
        }
        if ui.ctx().input(|i| i.viewport().close_requested()) {
            close = true;
        }
    });
    !close
}

/// Applies `/livedata overlay lock|unlock|toggle`. Returns a message for the status line.
pub fn apply_command(s: &mut OverlaySettings, open: &mut bool, args: &[String]) -> String {
    match args.first().map(String::as_str) {
        Some("lock") => s.locked = true,
        Some("unlock") => s.locked = false,
        Some("toggle") => s.locked = !s.locked,
        Some("show") => *open = true,
        Some("hide") => *open = false,
        other => {
            return format!("unknown overlay command {other:?} (lock, unlock, toggle, show, hide)");
        }
    }
    if s.locked {
        *open = true;
    }
    format!(
        "overlay {}",
        if s.locked {
            "locked (click-through)"
        } else {
            "unlocked"
        }
    )
}

/// The overlay's contents. Returns true if the user asked to close it.
pub fn overlay_ui(
    ui: &mut Ui,
    store: &Store,
    view: &ViewOptions,
    s: &mut OverlaySettings,
    end_t: f64,
    extra: &OverlayExtra<'_>,
) -> bool {
    let bg = if s.chroma_key {
        Color32::from_rgb(s.chroma_rgb[0], s.chroma_rgb[1], s.chroma_rgb[2])
    } else {
        ui.visuals().panel_fill.gamma_multiply(s.opacity)
    };
    let mut close = false;
    egui::CentralPanel::default()
        .frame(
            egui::Frame::new()
                .fill(bg)
                .inner_margin(8.0)
                .corner_radius(6.0),
        )
        .show(ui, |ui| {
            // Dragging the background moves the undecorated window.
            let bg_resp = ui.interact(
                ui.max_rect(),
                ui.scope_id().with("drag"),
                Sense::click_and_drag(),
            );
            if bg_resp.drag_started() && !s.locked {
                ui.ctx().send_viewport_cmd(ViewportCommand::StartDrag);
            }
            let targets = resolve_targets(store, s.target);
            ui.horizontal(|ui| {
                match targets.as_slice() {
                    [] => {
                        ui.label("Waiting for game data…");
                    }
                    [one] => {
                        ui.colored_label(
                            series_color(store, *one, view.dark),
                            egui::RichText::new(store.series_name(*one)).strong(),
                        );
                    }
                    _ => {
                        ui.strong("Ally teams");
                    }
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if !s.locked
                        && ui
                            .small_button("x")
                            .on_hover_text("Close the overlay")
                            .clicked()
                    {
                        close = true;
                    }
                    if !s.locked
                        && ui
                            .small_button("lock")
                            .on_hover_text("Lock: click-through")
                            .clicked()
                    {
                        s.locked = true;
                    }
                });
            });
            if let Some(d) = extra.delayed_s {
                ui.label(
                    egui::RichText::new(bar_live_core::live::delayed::badge(d))
                        .strong()
                        .color(crate::app::DELAYED_COLOR),
                );
            }
            if let Some(text) = extra.flash {
                insight::compare::flash_ui(ui, text);
            }
            match targets.as_slice() {
                [] => {}
                [one] => {
                    for &m in &s.metrics {
                        metric_row_ui(ui, store, view, *one, m, s.sparklines, end_t);
                    }
                    if let Some(b) = extra.bench {
                        insight::compare::bench_row_ui(ui, store, *one, b, end_t);
                    }
                }
                several => side_by_side_ui(ui, store, view, several, &s.metrics, end_t),
            }
        });
    close
}

/// The newest value of `m` for `e` at or before `end_t`, and the recent values for a sparkline.
fn latest(
    store: &Store,
    view: &ViewOptions,
    e: SeriesOf,
    m: Metric,
    end_t: f64,
) -> (Option<f32>, Vec<f32>) {
    with_series_values(store, e, m, view, |t, v| {
        let n = t.partition_point(|&x| x <= end_t);
        let last = v[..n].iter().rev().find(|x| !x.is_nan()).copied();
        (last, v[n.saturating_sub(SPARKLINE_SAMPLES)..n].to_vec())
    })
}

fn value_text(view: &ViewOptions, m: Metric, value: Option<f32>) -> String {
    let suffix = if m.kind() == Kind::Rate {
        view.rate_suffix
    } else {
        ""
    };
    value.map_or("–".into(), |x| format!("{}{suffix}", format_value(x)))
}

/// One column per series (ally teams, in their colours), one row per metric.
fn side_by_side_ui(
    ui: &mut Ui,
    store: &Store,
    view: &ViewOptions,
    targets: &[SeriesOf],
    metrics: &[Metric],
    end_t: f64,
) {
    egui::Grid::new("overlay_side_by_side")
        .num_columns(1 + targets.len())
        .spacing([12.0, 2.0])
        .show(ui, |ui| {
            ui.label("");
            for &e in targets {
                ui.colored_label(
                    series_color(store, e, view.dark),
                    egui::RichText::new(store.series_name(e)).strong(),
                );
            }
            ui.end_row();
            for &m in metrics {
                ui.label(short_label(m));
                for &e in targets {
                    let (value, _) = latest(store, view, e, m, end_t);
                    ui.label(
                        egui::RichText::new(value_text(view, m, value))
                            .monospace()
                            .strong()
                            .color(series_color(store, e, view.dark)),
                    );
                }
                ui.end_row();
            }
        });
}

fn metric_row_ui(
    ui: &mut Ui,
    store: &Store,
    view: &ViewOptions,
    e: SeriesOf,
    m: Metric,
    spark: bool,
    end_t: f64,
) {
    let (last, recent) = latest(store, view, e, m, end_t);
    ui.horizontal(|ui| {
        ui.label(short_label(m));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            ui.label(
                egui::RichText::new(value_text(view, m, last))
                    .monospace()
                    .strong(),
            );
            if spark {
                sparkline_ui(ui, &recent, series_color(store, e, view.dark));
            }
        });
    });
}

/// Samples in a sparkline: the last 2 minutes at the default 2 updates per game second.
const SPARKLINE_SAMPLES: usize = 240;

/// The last few minutes as a tiny line.
fn sparkline_ui(ui: &mut Ui, v: &[f32], color: Color32) {
    let (rect, _) = ui.allocate_exact_size(Vec2::new(90.0, 16.0), Sense::hover());
    let finite: Vec<f32> = v.iter().copied().filter(|x| !x.is_nan()).collect();
    if finite.len() < 2 {
        return;
    }
    let (lo, hi) = finite
        .iter()
        .fold((f32::MAX, f32::MIN), |(a, b), &x| (a.min(x), b.max(x)));
    let span = (hi - lo).max(1e-6);
    let step = rect.width() / (finite.len() - 1) as f32;
    let points: Vec<Pos2> = finite
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            Pos2::new(
                rect.left() + i as f32 * step,
                rect.bottom() - (x - lo) / span * rect.height(),
            )
        })
        .collect();
    ui.painter()
        .add(egui::Shape::line(points, Stroke::new(1.5, color)));
}

fn short_label(m: Metric) -> &'static str {
    match m {
        Metric::MetalIncome => "Metal income",
        Metric::EnergyIncome => "Energy income",
        Metric::MetalCurrent => "Metal stored",
        Metric::EnergyCurrent => "Energy stored",
        Metric::ArmyValue => "Army value",
        Metric::Units => "Units",
        other => other.label(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_resolve_to_entities() {
        let mut game = bar_live_core::sim::SimGame::new(bar_live_core::sim::SimOptions {
            teams: 4,
            minutes: 2.0,
            ..bar_live_core::sim::SimOptions::default()
        });
        let mut store = Store::new();
        assert!(resolve_targets(&store, OverlayTarget::AllyTeams).is_empty());
        assert!(resolve_targets(&store, OverlayTarget::MyTeam).is_empty());
        for m in game.handshake().into_iter().chain(game.step()) {
            store.ingest(&m);
        }
        let allies = store.ally_ids();
        assert!(allies.len() >= 2, "{allies:?}");
        assert_eq!(
            resolve_targets(&store, OverlayTarget::AllyTeams),
            allies
                .iter()
                .map(|&a| SeriesOf::Ally(a))
                .collect::<Vec<_>>()
        );
        assert_eq!(
            resolve_targets(&store, OverlayTarget::AllyTeam(1)),
            vec![SeriesOf::Ally(1)]
        );
        // A spectator's "my team" is the first team with data.
        let first = *store.series.keys().next().unwrap();
        assert_eq!(
            resolve_targets(&store, OverlayTarget::MyTeam),
            vec![SeriesOf::Team(first)]
        );
    }

    #[test]
    fn lock_commands() {
        let mut s = OverlaySettings::default();
        let mut open = false;
        apply_command(&mut s, &mut open, &["lock".into()]);
        assert!(s.locked && open, "locking opens the overlay");
        apply_command(&mut s, &mut open, &["toggle".into()]);
        assert!(!s.locked);
        apply_command(&mut s, &mut open, &["toggle".into()]);
        assert!(s.locked);
        apply_command(&mut s, &mut open, &["unlock".into()]);
        assert!(!s.locked);
        let msg = apply_command(&mut s, &mut open, &["dance".into()]);
        assert!(msg.contains("unknown"));
        assert!(!s.locked);
    }
}
