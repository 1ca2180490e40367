//! Splits, speedrun-timer style: for the benchmarked player's team, when this game reached each step,
//! their personal best over past games, and ahead (green) or behind (red).

use egui::{Color32, RichText, Ui};

use bar_live_core::insight::splits::{Delta, SPLITS, Splits, delta, splits_of};
use bar_live_core::recording::summary::format_game_time;
use bar_live_core::store::Store;

/// A signed duration: "-0:42", "+1:05".
pub fn signed_time(seconds: f64) -> String {
    let sign = if seconds < 0.0 { '-' } else { '+' };
    format!("{sign}{}", format_game_time(seconds.abs()))
}

pub fn splits_ui(ui: &mut Ui, store: &Store, team: u32, best: Option<&Splits>, now_t: f64) {
    let mine = splits_of(store, team);
    let mine: Splits = mine.map(|t| t.filter(|&t| t <= now_t));
    let ahead = Color32::from_rgb(80, 200, 110);
    let behind = Color32::from_rgb(235, 95, 85);
    egui::Grid::new("splits")
        .num_columns(4)
        .spacing([10.0, 2.0])
        .striped(true)
        .show(ui, |ui| {
            ui.weak("split");
            ui.weak("now");
            ui.weak("best");
            ui.weak("");
            ui.end_row();
            for (i, kind) in SPLITS.iter().enumerate() {
                let pb = best.and_then(|b| b[i]);
                ui.label(kind.label());
                ui.monospace(mine[i].map_or("–".into(), format_game_time));
                ui.monospace(pb.map_or("–".into(), format_game_time));
                match delta(mine[i], pb, now_t) {
                    Delta::Done { seconds } => {
                        let c = if seconds <= 0.0 { ahead } else { behind };
                        ui.label(RichText::new(signed_time(seconds)).monospace().color(c));
                    }
                    Delta::Behind { seconds } => {
                        ui.label(
                            RichText::new(signed_time(seconds))
                                .monospace()
                                .color(behind)
                                .italics(),
                        );
                    }
                    Delta::New => {
                        ui.label(RichText::new("new").color(ahead));
                    }
                    Delta::Running => {
                        ui.label("");
                    }
                }
                ui.end_row();
            }
        });
}
