//! The milestones list in the insight sidebar: when, who, what; a click jumps there.

use egui::{RichText, Ui};

use super::markers::{self, Marker};
use crate::app::plots::ViewOptions;
use bar_live_core::recording::summary::format_game_time;
use bar_live_core::store::Store;

/// Lists every milestone (those after `now_t`, ahead of a review cursor, greyed). Returns the time of a
/// clicked row.
pub fn milestones_ui(ui: &mut Ui, store: &Store, view: &ViewOptions, now_t: f64) -> Option<f64> {
    let all: Vec<Marker> = markers::markers(store, view, f64::INFINITY);
    if all.is_empty() {
        ui.weak(
            "None yet. Milestones (first factory, first T2 factory, first fusion, …) appear as the \
             game reaches them; they need unit counts (widget level standard or detailed).",
        );
        return None;
    }
    let mut jump = None;
    egui::Grid::new("milestones")
        .num_columns(2)
        .spacing([8.0, 2.0])
        .striped(true)
        .show(ui, |ui| {
            for m in &all {
                let ahead = m.t > now_t;
                let time = RichText::new(format_game_time(m.t)).monospace();
                let time = if ahead { time.weak() } else { time };
                if ui
                    .add(egui::Label::new(time).sense(egui::Sense::click()))
                    .on_hover_text("Jump there")
                    .clicked()
                {
                    jump = Some(m.t);
                }
                let text = RichText::new(&m.text);
                let text = if ahead {
                    text.weak()
                } else {
                    text.color(m.color)
                };
                if ui
                    .add(egui::Label::new(text).sense(egui::Sense::click()))
                    .clicked()
                {
                    jump = Some(m.t);
                }
                ui.end_row();
            }
        });
    jump
}
