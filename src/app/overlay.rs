//! The compact always-on-top overlay: key numbers for the chosen team with tiny sparklines.
//!
//! Locked = click-through (the mouse goes to the game below); it can always be unlocked from the main
//! window or in game with `/livedata overlay unlock`.

use egui::{Color32, Pos2, Sense, Stroke, Ui, Vec2, ViewportBuilder, ViewportCommand, ViewportId};

use super::plots::{Entity, ViewOptions, entity_color, entity_name, entity_values, format_value};
use super::settings::{OverlaySettings, OverlayTarget};
use crate::store::{Kind, Metric, Store};

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

/// Which entity the overlay follows.
pub fn resolve_target(store: &Store, target: OverlayTarget) -> Option<Entity> {
    match target {
        OverlayTarget::Team(t) => Some(Entity::Team(t)),
        OverlayTarget::AllyTeam(a) => Some(Entity::Ally(a)),
        OverlayTarget::MyTeam => {
            let my = store
                .hello
                .as_ref()
                .filter(|h| !h.game.spectating)
                .map(|h| h.game.my_team_id);
            my.and_then(|t| u32::try_from(t).ok())
                .filter(|t| store.series.contains_key(t))
                .or_else(|| store.series.keys().next().copied())
                .map(Entity::Team)
        }
    }
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
            let Some(target) = resolve_target(store, s.target) else {
                ui.label("Waiting for game data…");
                return;
            };
            ui.horizontal(|ui| {
                ui.colored_label(
                    entity_color(store, target, view.dark),
                    egui::RichText::new(entity_name(store, target)).strong(),
                );
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
            for &m in &s.metrics {
                metric_row_ui(ui, store, view, target, m, s.sparklines, end_t);
            }
        });
    close
}

fn metric_row_ui(
    ui: &mut Ui,
    store: &Store,
    view: &ViewOptions,
    e: Entity,
    m: Metric,
    spark: bool,
    end_t: f64,
) {
    let (t, v) = entity_values(store, e, m, view);
    let n = t.partition_point(|&x| x <= end_t);
    let last = v[..n].iter().rev().find(|x| !x.is_nan()).copied();
    let suffix = if m.kind() == Kind::Rate {
        view.rate_suffix
    } else {
        ""
    };
    ui.horizontal(|ui| {
        ui.label(short_label(m));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            ui.label(
                egui::RichText::new(
                    last.map_or("–".into(), |x| format!("{}{suffix}", format_value(x))),
                )
                .monospace()
                .strong(),
            );
            if spark {
                sparkline_ui(
                    ui,
                    &v[n.saturating_sub(240)..n],
                    entity_color(store, e, view.dark),
                );
            }
        });
    });
}

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
