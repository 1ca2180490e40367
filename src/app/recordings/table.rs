//! The Recordings tab's list: column headers that sort, and one row per recording or replay.

use std::path::PathBuf;

use egui::{Color32, RichText, Ui};

use super::super::Request;
use bar_live_core::index::{IndexEntry, SortKey};
use bar_live_core::recording::summary::format_game_time;
use bar_live_core::time::utc_stamp;

/// Column headers: label and sort key (the last two columns are buttons).
const COLUMNS: [(&str, Option<SortKey>); 9] = [
    ("Date (UTC)", Some(SortKey::Date)),
    ("Map", Some(SortKey::Map)),
    ("Players", Some(SortKey::Players)),
    ("Length", Some(SortKey::GameLength)),
    ("Winner", Some(SortKey::Winner)),
    ("Size", Some(SortKey::Size)),
    ("Format", Some(SortKey::FormatVersion)),
    ("Status", Some(SortKey::Damaged)),
    ("", None),
];

/// The column headers; returns the one clicked.
pub(super) fn header_ui(ui: &mut Ui, sort: SortKey, ascending: bool) -> Option<SortKey> {
    let mut clicked = None;
    ui.horizontal(|ui| {
        for (i, (label, key)) in COLUMNS.iter().enumerate() {
            let Some(k) = key else { continue };
            ui.allocate_ui_with_layout(
                egui::vec2(WIDTHS[i], 18.0),
                egui::Layout::left_to_right(egui::Align::Center),
                |ui| {
                    ui.set_min_width(WIDTHS[i]);
                    let arrow = match (sort == *k, ascending) {
                        (true, true) => " ⏶",
                        (true, false) => " ⏷",
                        _ => "",
                    };
                    if ui
                        .selectable_label(sort == *k, format!("{label}{arrow}"))
                        .on_hover_text("Sort by this column; click again to reverse")
                        .clicked()
                    {
                        clicked = Some(*k);
                    }
                },
            );
        }
    });
    clicked
}

/// Widths of the columns, in points (a list, not a grid, so thousands of rows scroll cheaply).
const WIDTHS: [f32; 9] = [140.0, 190.0, 260.0, 80.0, 150.0, 70.0, 55.0, 110.0, 150.0];

/// One cell of column `i`: left-aligned, cut with "…" when too long.
fn cell(ui: &mut Ui, i: usize, text: impl Into<egui::WidgetText>) -> egui::Response {
    ui.allocate_ui_with_layout(
        egui::vec2(WIDTHS[i], 18.0),
        egui::Layout::left_to_right(egui::Align::Center),
        |ui| {
            ui.set_min_width(WIDTHS[i]);
            ui.add(egui::Label::new(text).truncate())
        },
    )
    .inner
}

/// One row. `deletable`: the folder is bar-live's own (BAR's replays are not ours to delete).
pub(super) fn row_ui(
    ui: &mut Ui,
    e: &IndexEntry,
    deletable: bool,
    requests: &mut Vec<Request>,
    delete: &mut Option<PathBuf>,
) {
    let date = e
        .date_unix_ms()
        .map(|ms| {
            utc_stamp(ms)
                .replacen('_', " ", 1)
                .replace('-', ":")
                .replacen(':', "-", 2)
        })
        .unwrap_or_else(|| e.file_name());
    cell(ui, 0, date).on_hover_text(e.file_name());
    match e.summary() {
        Some(s) => {
            cell(ui, 1, s.map.as_deref().unwrap_or("?"));
            let players: Vec<&str> = s.players().collect();
            cell(ui, 2, players.join(", ")).on_hover_text(players.join("\n"));
            let mut len = format_game_time(s.game_seconds);
            if s.truncated {
                len.push('*');
            }
            cell(ui, 3, len);
            let winner = match (s.winner_names(), s.local_player_won()) {
                (Some(w), Some(true)) => {
                    RichText::new(format!("{w} (you)")).color(Color32::from_rgb(60, 200, 90))
                }
                (Some(w), _) => RichText::new(w),
                (None, _) => RichText::new("–").weak(),
            };
            cell(ui, 4, winner);
        }
        None => {
            for i in 1..5 {
                cell(ui, i, "");
            }
        }
    }
    cell(ui, 5, format!("{:.1} MB", e.size as f64 / 1e6));
    let format = match (e.is_replay(), e.format_version()) {
        (true, _) => "replay".to_owned(),
        (false, Some(v)) => format!("v{v}"),
        (false, None) => "?".to_owned(),
    };
    cell(ui, 6, format);
    let replay_note = e
        .replay
        .as_ref()
        .filter(|r| !r.has_team_stats)
        .map(|r| r.team_stats_note.as_deref().unwrap_or("no team statistics"));
    match (e.damaged(), e.summary().is_some_and(|s| s.truncated)) {
        (None, _) if replay_note.is_some() => {
            cell(ui, 7, RichText::new("no statistics").weak())
                .on_hover_text(replay_note.unwrap_or_default());
        }
        (None, false) if e.statistics_note().is_some() => {
            cell(ui, 7, "statistics").on_hover_text(
                "Every team's statistics every 15 game seconds (no per-second economy or army)",
            );
        }
        (Some(why), _) => {
            cell(
                ui,
                7,
                RichText::new("damaged").color(Color32::from_rgb(220, 60, 60)),
            )
            .on_hover_text(why);
        }
        (None, true) => {
            cell(ui, 7, "cut short").on_hover_text("The game was not closed properly (a crash?): it loads up to its last complete second");
        }
        (None, false) => {
            cell(ui, 7, "");
        }
    }
    let open = ui.add_enabled(e.can_open(), egui::Button::new("Open"));
    let open = match replay_note.or(e.damaged()) {
        Some(why) => open.on_disabled_hover_text(format!("Nothing to show: {why}")),
        None => open.on_hover_text("Show this game in Review"),
    };
    if open.clicked() {
        requests.push(Request::OpenRecording(e.path.clone()));
    }
    if deletable
        && ui
            .button("🗑 Delete")
            .on_hover_text("Delete this recording file")
            .clicked()
    {
        *delete = Some(e.path.clone());
    }
}
