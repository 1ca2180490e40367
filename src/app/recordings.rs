//! The Recordings tab: every game in the recordings folder with its summary; open or delete.

use std::path::Path;

use egui::{Color32, RichText, Ui};

use super::Request;
use bar_live_core::recording::browser::Browser;
use bar_live_core::recording::summary::format_game_time;

#[derive(Default)]
pub struct RecordingsTab {
    browser: Browser,
    /// The folder listing is out of date (first show, tab re-opened, refresh clicked).
    stale: bool,
    loaded: bool,
}

impl RecordingsTab {
    /// Re-read the folder next time the tab is drawn.
    pub fn mark_stale(&mut self) {
        self.stale = true;
    }
}

pub fn recordings_ui(
    ui: &mut Ui,
    tab: &mut RecordingsTab,
    dir: &Path,
    requests: &mut Vec<Request>,
) {
    if tab.stale || !tab.loaded {
        tab.browser.refresh(dir);
        tab.stale = false;
        tab.loaded = true;
    }
    ui.horizontal(|ui| {
        ui.strong("Recordings");
        ui.label(RichText::new(dir.display().to_string()).weak());
        if ui.button("⟳ Refresh").clicked() {
            tab.stale = true;
        }
    });
    if let Some(e) = &tab.browser.error {
        ui.colored_label(Color32::from_rgb(220, 60, 60), e);
    }
    if tab.browser.entries.is_empty() {
        ui.add_space(20.0);
        ui.label("No recordings yet. Every connected game is recorded here automatically (Settings → Recordings).");
        return;
    }
    let mut delete = None;
    egui::ScrollArea::vertical().show(ui, |ui| {
        egui::Grid::new("recordings")
            .striped(true)
            .num_columns(7)
            .spacing([16.0, 6.0])
            .show(ui, |ui| {
                for h in ["Date (UTC)", "Map", "Teams", "Game length", "Size", "", ""] {
                    ui.strong(h);
                }
                ui.end_row();
                for e in &tab.browser.entries {
                    let name = e
                        .path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    ui.label(date_of(&name));
                    match &e.summary {
                        Ok(s) => {
                            ui.label(s.map.as_deref().unwrap_or("?"));
                            let teams: Vec<&str> =
                                s.teams.iter().map(|t| t.name.as_str()).collect();
                            ui.label(if teams.len() > 4 {
                                format!("{} teams", teams.len())
                            } else {
                                teams.join(", ")
                            });
                            let mut len = format_game_time(s.game_seconds);
                            if s.truncated {
                                len.push_str(" (cut short)");
                            }
                            ui.label(len);
                        }
                        Err(err) => {
                            ui.colored_label(Color32::from_rgb(220, 60, 60), "unreadable")
                                .on_hover_text(err);
                            ui.label("");
                            ui.label("");
                        }
                    }
                    ui.label(format!("{:.1} MB", e.size as f64 / 1e6));
                    if ui.button("Open").clicked() {
                        requests.push(Request::OpenRecording(e.path.clone()));
                    }
                    if ui.button("🗑 Delete").clicked() {
                        delete = Some(e.path.clone());
                    }
                    ui.end_row();
                }
            });
    });
    if let Some(p) = delete
        && let Err(e) = tab.browser.delete(&p)
    {
        requests.push(Request::Notice(format!(
            "cannot delete {}: {e}",
            p.display()
        )));
    }
}

/// `2026-11-26_19-04-05_Map.barlive` → `2026-11-26 19:04:05`.
fn date_of(file_name: &str) -> String {
    let stamp = file_name.get(..19).unwrap_or(file_name);
    match (stamp.get(..10), stamp.get(11..)) {
        (Some(day), Some(time)) => format!("{day} {}", time.replace('-', ":")),
        _ => stamp.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_from_file_names() {
        assert_eq!(
            super::date_of("2026-11-26_19-04-05_Map.barlive"),
            "2026-11-26 19:04:05"
        );
        assert_eq!(super::date_of("x.barlive"), "x.barlive");
    }
}
