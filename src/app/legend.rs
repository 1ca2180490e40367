//! The legend beside the dashboard: which series are shown, players vs ally teams, per second vs
//! cumulative, and the way back to following live (or the review cursor).

use std::collections::HashSet;

use egui::{RichText, Ui};

use super::plots::linked::DashboardState;
use super::plots::{ViewOptions, series_color};
use super::status_bar::status_dot_ui;
use bar_live_core::store::{SeriesOf, Store};

/// Lines the user hid (click) and the one under the pointer (hover highlights it in every plot).
#[derive(Debug, Default)]
pub struct Legend {
    pub hidden: HashSet<SeriesOf>,
    pub highlighted: Option<SeriesOf>,
}

/// The two view toggles the legend edits (they live in the settings, so they are remembered).
pub struct Toggles<'a> {
    pub per_ally: &'a mut bool,
    pub cumulative: &'a mut bool,
}

pub fn legend_ui(
    ui: &mut Ui,
    legend: &mut Legend,
    store: &Store,
    toggles: Toggles<'_>,
    axis: &mut DashboardState,
    in_review: bool,
) {
    let dark = ui.visuals().dark_mode;
    ui.strong("Teams");
    ui.horizontal(|ui| {
        ui.selectable_value(toggles.per_ally, false, "Players");
        ui.selectable_value(toggles.per_ally, true, "Ally teams");
    });
    ui.horizontal(|ui| {
        ui.selectable_value(toggles.cumulative, false, "Per second");
        ui.selectable_value(toggles.cumulative, true, "Cumulative");
    });
    ui.separator();
    let mut hovered = None;
    for of in store.series_list(*toggles.per_ally) {
        let hidden = legend.hidden.contains(&of);
        let color = series_color(store, of, dark);
        let mut name = store.series_name(of);
        if let SeriesOf::Team(t) = of {
            if store.teams.get(&t).is_some_and(|i| i.is_ai) {
                name.push_str("  [AI]");
            }
            if store.team_gone(t) {
                name.push_str("  ☠");
            }
        }
        let text = if hidden {
            RichText::new(name)
                .color(ui.visuals().weak_text_color())
                .strikethrough()
        } else {
            RichText::new(name).color(color)
        };
        let r = ui
            .horizontal(|ui| {
                let dot = if hidden {
                    ui.visuals().weak_text_color()
                } else {
                    color
                };
                status_dot_ui(ui, dot);
                ui.selectable_label(false, text)
            })
            .inner
            .on_hover_text("Click to hide or show; hover to highlight");
        if r.clicked() && !legend.hidden.remove(&of) {
            legend.hidden.insert(of);
        }
        if r.hovered() {
            hovered = Some(of);
        }
    }
    legend.highlighted = hovered;
    ui.separator();
    // In review the plots follow the timeline cursor rather than the newest data.
    let (following, follow) = if in_review {
        ("Following the cursor", "⏩ Follow the cursor")
    } else {
        ("Following live", "⏩ Follow live")
    };
    if axis.follow {
        ui.label(RichText::new(following).weak())
            .on_hover_text("Zoom or drag a plot to look around");
    } else if ui.button(follow).clicked() {
        axis.follow = true;
        axis.manual = None;
    }
    ui.add_space(8.0);
    ui.label(
        RichText::new("Solid: income / stored / dealt\nDashed: expense / storage / received")
            .small()
            .weak(),
    );
}

/// A one-line key of a game's series (name in its colour; hidden ones struck through), for a dashboard the
/// legend does not describe: each game of a side-by-side review.
pub fn key_row_ui(ui: &mut Ui, store: &Store, view: &ViewOptions) {
    ui.horizontal_wrapped(|ui| {
        for of in store.series_list(view.per_ally) {
            let name = store.series_name(of);
            let text = if view.hidden.contains(&of) {
                RichText::new(name)
                    .color(ui.visuals().weak_text_color())
                    .strikethrough()
            } else {
                RichText::new(name).color(series_color(store, of, view.dark))
            };
            ui.label(text.small());
        }
    });
}
