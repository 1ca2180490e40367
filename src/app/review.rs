//! The Review tab: a recording on a timeline, scrubbed or played back at 1–60×.

use egui::Ui;

use super::export::{Exports, export_buttons_ui, save_card_button_ui};
use super::insight::{jump_to, markers};
use super::legend;
use super::plots::ViewOptions;
use super::plots::dashboard::dashboard_ui;
use super::plots::linked::{DashboardState, PlotExtras};
use super::{Paths, Request};
use bar_live_core::recording::summary::format_game_time;
use bar_live_core::review::{PLAY_SPEEDS, Review};
use bar_live_core::store::Store;

#[derive(Default)]
pub struct ReviewTab {
    pub review: Option<Review>,
    pub axis: DashboardState,
    /// A second recording shown side by side, on the same time axis and cursor.
    pub second: Option<Box<Review>>,
}

impl ReviewTab {
    /// Shows another recording from its start of view (following the cursor).
    pub fn show(&mut self, review: Review) {
        self.review = Some(review);
        self.axis = DashboardState::default();
    }

    pub fn store(&self) -> Option<&Store> {
        self.review.as_ref().map(|r| &r.store)
    }

    /// Advances playback by `dt` real seconds; true while playing.
    pub fn advance(&mut self, dt: f64) -> bool {
        match self.review.as_mut() {
            Some(r) if r.playing => {
                r.advance(dt);
                true
            }
            _ => false,
        }
    }
}

/// `compare`: the benchmark and ghost to draw on the plots (markers are added here).
#[allow(clippy::too_many_arguments)]
pub fn review_ui(
    ui: &mut Ui,
    tab: &mut ReviewTab,
    view: &ViewOptions,
    compare: &PlotExtras<'_>,
    exports: &mut Exports,
    paths: &Paths,
    requests: &mut Vec<Request>,
) {
    let Some(r) = tab.review.as_mut() else {
        ui.vertical_centered(|ui| {
            ui.add_space(40.0);
            ui.heading("Nothing to review yet");
            ui.label(
                "Open a game from the Recordings tab, drop a .barlive file on this window, or:",
            );
            if ui.button("▶ Open the demo recording").clicked() {
                requests.push(Request::OpenDemo);
            }
        });
        return;
    };
    ui.horizontal(|ui| {
        ui.strong(&r.title);
        ui.separator();
        if r.playing {
            if ui.button("⏸ Pause").clicked() {
                r.playing = false;
            }
        } else if ui.button("▶ Play").clicked() {
            r.play();
        }
        egui::ComboBox::from_id_salt("speed")
            .selected_text(format!("{}×", r.speed))
            .width(60.0)
            .show_ui(ui, |ui| {
                for s in PLAY_SPEEDS {
                    ui.selectable_value(&mut r.speed, s, format!("{s}×"));
                }
            });
        ui.label(format!(
            "{} / {}",
            format_game_time(r.cursor_t),
            format_game_time(r.end_t)
        ));
    });
    let end = r.end_t.max(1.0);
    ui.spacing_mut().slider_width = ui.available_width() - 40.0;
    let slider = ui.add(egui::Slider::new(&mut r.cursor_t, 0.0..=end).show_value(false));
    if slider.dragged() {
        r.playing = false;
    }
    let all_markers = markers::markers(&r.store, view, f64::INFINITY);
    if let Some(t) = markers::timeline_ui(ui, &slider, &all_markers, end) {
        r.playing = false;
        jump_to(&mut tab.axis, Some(&mut r.cursor_t), r.end_t, t);
    }
    let cursor = r.cursor_t;
    let mut close_second = false;
    ui.horizontal(|ui| {
        if let Some(second) = &tab.second {
            ui.label(format!("Side by side with {}", second.title));
            close_second = ui.small_button("Close").clicked();
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            save_card_button_ui(ui, exports, &r.store, paths);
            export_buttons_ui(ui, exports, &r.store, view, cursor, paths)
        });
    });
    if close_second {
        tab.second = None;
    }
    exports.dashboard_rect = Some(ui.available_rect_before_wrap());
    let shown: Vec<_> = all_markers.into_iter().filter(|m| m.t <= cursor).collect();
    let extras = PlotExtras {
        markers: &shown,
        ..*compare
    };
    let jump = match tab.second.as_deref() {
        None => dashboard_ui(ui, &r.store, view, &mut tab.axis, cursor, &extras),
        Some(second) => {
            let other_t = cursor.min(second.end_t);
            let other_markers: Vec<_> = markers::markers(&second.store, view, other_t);
            let other = PlotExtras {
                markers: &other_markers,
                ..PlotExtras::default()
            };
            let axis = &mut tab.axis;
            let mut jump = None;
            ui.columns(2, |cols| {
                cols[0].push_id("left", |ui| {
                    ui.strong(&r.title);
                    legend::key_row_ui(ui, &r.store, view);
                    jump = dashboard_ui(ui, &r.store, view, axis, cursor, &extras);
                });
                cols[1].push_id("right", |ui| {
                    ui.strong(&second.title);
                    legend::key_row_ui(ui, &second.store, view);
                    jump = jump.or(dashboard_ui(ui, &second.store, view, axis, other_t, &other));
                });
            });
            jump
        }
    };
    if let Some(t) = jump {
        r.playing = false;
        jump_to(&mut tab.axis, Some(&mut r.cursor_t), r.end_t, t);
    }
}
