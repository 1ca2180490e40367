//! The Live tab: the dashboard of the game being streamed, or a start screen while none is.

use egui::{RichText, Ui};

use super::export::{Exports, export_buttons_ui};
use super::insight::{jump_to, markers};
use super::plots::ViewOptions;
use super::plots::dashboard::dashboard_ui;
use super::plots::linked::{DashboardState, PlotExtras};
use super::{Paths, Request};
use bar_live_core::live::{Session, delayed};
use bar_live_core::recording::summary::format_game_time;

#[derive(Debug, Default)]
pub struct LiveTab {
    pub axis: DashboardState,
}

#[allow(clippy::too_many_arguments)]
pub fn live_ui(
    ui: &mut Ui,
    tab: &mut LiveTab,
    session: &Session,
    listen: &str,
    view: &ViewOptions,
    compare: &PlotExtras<'_>,
    exports: &mut Exports,
    paths: &Paths,
    requests: &mut Vec<Request>,
) {
    // The delayed game while the tournament switch is on.
    let store = session.shown_store();
    if store.updates == 0 {
        match session.delay_everything_s() {
            Some(d) if session.store.updates > 0 => delayed_wait_ui(ui, d),
            _ => {
                let addr = session.link.listen_addr.as_deref().unwrap_or(listen);
                start_screen_ui(ui, addr, requests);
            }
        }
        return;
    }
    let end_t = store.last_game_seconds;
    ui.horizontal(|ui| {
        if let Some(d) = session.delay_everything_s() {
            ui.label(
                RichText::new(delayed::badge(d))
                    .strong()
                    .color(super::DELAYED_COLOR),
            );
        }
        ui.strong(format!("Live — {}", format_game_time(end_t)));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            export_buttons_ui(ui, exports, store, view, end_t, paths)
        });
    });
    exports.dashboard_rect = Some(ui.available_rect_before_wrap());
    let markers = markers::markers(store, view, end_t);
    let extras = PlotExtras {
        markers: &markers,
        ..*compare
    };
    if let Some(t) = dashboard_ui(ui, store, view, &mut tab.axis, end_t, &extras) {
        jump_to(&mut tab.axis, None, end_t, t);
    }
}

/// A game is streaming, but nothing is old enough to show yet.
fn delayed_wait_ui(ui: &mut Ui, delay_s: f64) {
    ui.vertical_centered(|ui| {
        ui.add_space(40.0);
        ui.heading(
            RichText::new(delayed::badge(delay_s))
                .size(26.0)
                .color(super::DELAYED_COLOR),
        );
        ui.add_space(8.0);
        ui.label(format!(
            "A game is streaming. Everything is shown {:.0} s late (the tournament switch, \
             Settings > Tournament); it appears here once it is that old. Recording is not delayed.",
            delay_s
        ));
    });
}

fn start_screen_ui(ui: &mut Ui, addr: &str, requests: &mut Vec<Request>) {
    ui.vertical_centered(|ui| {
        ui.add_space(40.0);
        ui.heading(RichText::new("No game connected yet").size(26.0));
        ui.add_space(8.0);
        ui.label(format!(
            "bar-live is listening on {addr} for the Live Data Export widget."
        ));
        ui.add_space(16.0);
        egui::Frame::group(ui.style())
            .inner_margin(16.0)
            .show(ui, |ui| {
                ui.set_max_width(560.0);
                ui.strong("To see your game here:");
                ui.label("1. Install the widget (Widget install tab) into your BAR data folder.");
                ui.label(
                    "2. In BAR, press F11 (or Settings > Custom) and enable \"Live Data Export\".",
                );
                ui.label("3. Start or spectate a game: the plots appear as soon as data arrives.");
            });
        ui.add_space(20.0);
        ui.label("Or look around first:");
        ui.horizontal(|ui| {
            ui.add_space((ui.available_width() - 430.0).max(0.0) / 2.0);
            if ui
                .add(egui::Button::new(
                    RichText::new("▶ Open the demo recording").size(16.0),
                ))
                .clicked()
            {
                requests.push(Request::OpenDemo);
            }
            if ui
                .add(egui::Button::new(
                    RichText::new("⚡ Start the live simulator").size(16.0),
                ))
                .on_hover_text("A simulated 6-team game streamed to this app at 20× speed")
                .clicked()
            {
                requests.push(Request::StartSimulator);
            }
        });
    });
}
