//! The insight sidebar beside the dashboard: milestones (and, below them, the other insight views).

use egui::Ui;

use super::milestones_panel::milestones_ui;
use crate::app::plots::ViewOptions;
use bar_live_core::store::Store;

/// The sidebar's state across frames.
#[derive(Debug)]
pub struct InsightSidebar {
    pub open: bool,
}

impl Default for InsightSidebar {
    fn default() -> Self {
        InsightSidebar { open: true }
    }
}

/// Draws the sidebar's sections. `now_t` is the live time or the review cursor. Returns a game time to
/// jump to (a clicked milestone).
pub fn sidebar_ui(
    ui: &mut Ui,
    _state: &mut InsightSidebar,
    store: &Store,
    view: &ViewOptions,
    now_t: f64,
) -> Option<f64> {
    let mut jump = None;
    egui::ScrollArea::vertical().show(ui, |ui| {
        egui::CollapsingHeader::new("Milestones")
            .default_open(true)
            .show(ui, |ui| {
                jump = milestones_ui(ui, store, view, now_t);
            });
    });
    jump
}
