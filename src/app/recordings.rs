//! The Recordings tab: every game in the recordings folder from its cached index, filtered by map,
//! player and date, sorted by any column; open or delete. The folder is read on a background thread.

use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, bounded};
use egui::{Color32, RichText, Ui};

use super::Request;
use bar_live_core::recording::index::{Filter, IndexEntry, RecordingIndex, SortKey};
use bar_live_core::recording::summary::format_game_time;
use bar_live_core::time::{parse_utc_date, utc_stamp};

/// What the `bar-live-index` thread does with a copy of the index.
enum Job {
    /// Re-list the folder, after deleting these files.
    Refresh { delete: Vec<PathBuf> },
    /// Check the blocks of a few files not checked yet ([`RecordingIndex::check_some`]).
    Check,
}

/// Time a check job may take before the list on screen is updated with what it found.
const CHECK_BUDGET: Duration = Duration::from_millis(300);

/// A job under way on the `bar-live-index` thread; it sends back the index, a problem to report and how
/// many files it checked.
struct Loading {
    result: Receiver<(RecordingIndex, Option<String>, usize)>,
    check: bool,
    _thread: JoinHandle<()>,
}

pub struct RecordingsTab {
    index: Option<RecordingIndex>,
    loading: Option<Loading>,
    /// Files may still need their blocks checked (cleared when a check job finds none it can check).
    checking: bool,
    /// Files the user deleted, for the next refresh job to remove (their rows are gone already).
    pending_delete: Vec<PathBuf>,
    /// The folder listing is out of date (first show, tab re-opened, refresh clicked, a delete).
    stale: bool,
    filter_map: String,
    filter_player: String,
    filter_from: String,
    filter_to: String,
    sort: SortKey,
    ascending: bool,
}

impl Default for RecordingsTab {
    fn default() -> Self {
        RecordingsTab {
            index: None,
            loading: None,
            checking: false,
            pending_delete: Vec::new(),
            stale: true,
            filter_map: String::new(),
            filter_player: String::new(),
            filter_from: String::new(),
            filter_to: String::new(),
            sort: SortKey::Date,
            ascending: false,
        }
    }
}

impl RecordingsTab {
    /// Re-read the folder next time the tab is drawn.
    pub fn mark_stale(&mut self) {
        self.stale = true;
    }

    /// Starts `job` on a copy of the index (the list on screen stays meanwhile) unless a job is under
    /// way (then the caller tries again next frame: a refresh stays due, deletions stay pending).
    fn load(&mut self, dir: &Path, job: Job) {
        if self.loading.is_some() {
            return;
        }
        let job = match job {
            Job::Refresh { mut delete } => {
                delete.append(&mut self.pending_delete);
                Job::Refresh { delete }
            }
            Job::Check => Job::Check,
        };
        let (tx, rx) = bounded(1);
        let dir = dir.to_owned();
        let index = self.index.clone();
        let refresh = matches!(job, Job::Refresh { .. });
        let spawned = std::thread::Builder::new()
            .name("bar-live-index".into())
            .spawn(move || {
                let mut index = index.unwrap_or_default();
                let (problem, checked) = match job {
                    Job::Refresh { delete } => {
                        let problems: Vec<String> = delete
                            .iter()
                            .filter_map(|p| {
                                let e = index.delete(p).err()?;
                                Some(format!("cannot delete {}: {e}", p.display()))
                            })
                            .collect();
                        index.refresh(&dir);
                        ((!problems.is_empty()).then(|| problems.join("; ")), 0)
                    }
                    Job::Check => (None, index.check_some(&dir, CHECK_BUDGET)),
                };
                let _ = tx.send((index, problem, checked));
            });
        match spawned {
            Ok(thread) => {
                self.loading = Some(Loading {
                    result: rx,
                    check: !refresh,
                    _thread: thread,
                });
                if refresh {
                    self.stale = false;
                    self.checking = true;
                }
            }
            Err(e) => log::error!("cannot start a thread to read the recordings: {e}"),
        }
    }

    /// Deletes a recording: its row goes at once, the file with the next refresh job (right away, or
    /// when the job under way ends).
    fn delete(&mut self, path: PathBuf) {
        if let Some(index) = &mut self.index {
            index.entries.retain(|e| e.path != path);
        }
        if !self.pending_delete.contains(&path) {
            self.pending_delete.push(path);
        }
        self.stale = true;
    }

    /// Takes a finished job; returns a problem to report.
    fn poll(&mut self) -> Option<String> {
        let loading = self.loading.as_ref()?;
        let (index, problem, checked) = loading.result.try_recv().ok()?;
        // A check job that could check nothing (files changed meanwhile) waits for the next refresh.
        let stuck = loading.check && checked == 0;
        self.checking &= index.unchecked() > 0 && !stuck;
        let mut index = index;
        // Rows deleted while the job ran stay gone (their files go with the next refresh).
        index
            .entries
            .retain(|e| !self.pending_delete.contains(&e.path));
        self.index = Some(index);
        self.loading = None;
        problem
    }

    fn filter(&self) -> Filter {
        Filter {
            map: self.filter_map.trim().to_owned(),
            player: self.filter_player.trim().to_owned(),
            from_unix_ms: parse_utc_date(&self.filter_from),
            // The whole "to" day is included.
            to_unix_ms: parse_utc_date(&self.filter_to).map(|ms| ms + 86_400_000 - 1),
        }
    }
}

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

pub fn recordings_ui(
    ui: &mut Ui,
    tab: &mut RecordingsTab,
    dir: &Path,
    requests: &mut Vec<Request>,
) {
    if let Some(problem) = tab.poll() {
        requests.push(Request::Notice(problem));
    }
    if tab.stale {
        tab.load(dir, Job::Refresh { delete: Vec::new() });
    } else if tab.checking {
        tab.load(dir, Job::Check);
    }
    if tab.loading.is_some() {
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(50));
    }
    ui.horizontal(|ui| {
        ui.strong("Recordings");
        ui.label(RichText::new(dir.display().to_string()).weak());
        if ui.button("⟳ Refresh").clicked() {
            tab.stale = true;
        }
        if tab.loading.is_some() {
            ui.spinner();
        }
    });
    filters_ui(ui, tab);
    let Some(index) = &tab.index else {
        ui.label("Reading the recordings folder…");
        return;
    };
    if let Some(e) = &index.error {
        ui.colored_label(Color32::from_rgb(220, 60, 60), e);
    }
    if index.entries.is_empty() {
        ui.add_space(20.0);
        ui.label("No recordings yet. Every connected game is recorded here automatically (Settings > Recordings).");
        return;
    }
    let rows = index.view(&tab.filter(), tab.sort, tab.ascending);
    let unchecked = index.unchecked();
    let checking = if tab.checking && unchecked > 0 {
        format!(" · checking {unchecked} for damage…")
    } else {
        String::new()
    };
    ui.label(
        RichText::new(format!(
            "{} of {} recordings{checking}",
            rows.len(),
            index.entries.len()
        ))
        .weak(),
    );
    let mut delete = None;
    let mut clicked_sort = None;
    ui.horizontal(|ui| {
        for (i, (label, key)) in COLUMNS.iter().enumerate() {
            let Some(k) = key else { continue };
            ui.allocate_ui_with_layout(
                egui::vec2(WIDTHS[i], 18.0),
                egui::Layout::left_to_right(egui::Align::Center),
                |ui| {
                    ui.set_min_width(WIDTHS[i]);
                    let arrow = match (tab.sort == *k, tab.ascending) {
                        (true, true) => " ⏶",
                        (true, false) => " ⏷",
                        _ => "",
                    };
                    if ui
                        .selectable_label(tab.sort == *k, format!("{label}{arrow}"))
                        .on_hover_text("Sort by this column; click again to reverse")
                        .clicked()
                    {
                        clicked_sort = Some(*k);
                    }
                },
            );
        }
    });
    if let Some(k) = clicked_sort {
        if tab.sort == k {
            tab.ascending = !tab.ascending;
        } else {
            tab.sort = k;
            tab.ascending = matches!(k, SortKey::Map | SortKey::Players | SortKey::Winner);
        }
    }
    ui.separator();
    let row_h = ui.spacing().interact_size.y + 4.0;
    egui::ScrollArea::vertical().show_rows(ui, row_h, rows.len(), |ui, range| {
        for &i in &rows[range] {
            let e = &index.entries[i];
            ui.horizontal(|ui| {
                row_ui(ui, e, requests, &mut delete);
            });
        }
    });
    if let Some(p) = delete {
        tab.delete(p);
    }
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

fn row_ui(ui: &mut Ui, e: &IndexEntry, requests: &mut Vec<Request>, delete: &mut Option<PathBuf>) {
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
    cell(
        ui,
        6,
        e.format_version().map_or("?".into(), |v| format!("v{v}")),
    );
    match (e.damaged(), e.summary().is_some_and(|s| s.truncated)) {
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
    if ui.button("Open").clicked() {
        requests.push(Request::OpenRecording(e.path.clone()));
    }
    if ui
        .button("🗑 Delete")
        .on_hover_text("Delete this recording file")
        .clicked()
    {
        *delete = Some(e.path.clone());
    }
}

fn filters_ui(ui: &mut Ui, tab: &mut RecordingsTab) {
    ui.horizontal(|ui| {
        ui.label("Map");
        ui.add(
            egui::TextEdit::singleline(&mut tab.filter_map)
                .desired_width(140.0)
                .hint_text("any"),
        );
        ui.label("Player");
        ui.add(
            egui::TextEdit::singleline(&mut tab.filter_player)
                .desired_width(140.0)
                .hint_text("any"),
        );
        ui.label("From");
        date_edit_ui(ui, &mut tab.filter_from);
        ui.label("to");
        date_edit_ui(ui, &mut tab.filter_to);
        if ui.button("Clear").clicked() {
            tab.filter_map.clear();
            tab.filter_player.clear();
            tab.filter_from.clear();
            tab.filter_to.clear();
        }
    });
}

/// A `YYYY-MM-DD` field, red while it holds something that is not a date.
fn date_edit_ui(ui: &mut Ui, text: &mut String) {
    let bad = !text.trim().is_empty() && parse_utc_date(text).is_none();
    let mut edit = egui::TextEdit::singleline(text)
        .desired_width(90.0)
        .hint_text("YYYY-MM-DD");
    if bad {
        edit = edit.text_color(Color32::from_rgb(220, 60, 60));
    }
    ui.add(edit);
}

#[cfg(test)]
mod tests {
    use super::*;
    use bar_live_core::protocol::encode_widget;
    use bar_live_core::recording::Recorder;
    use bar_live_core::sim::{SimGame, SimOptions};

    fn record(dir: &Path, name: &str) -> PathBuf {
        let mut game = SimGame::new(SimOptions {
            teams: 2,
            minutes: 0.5,
            ..SimOptions::default()
        });
        let path = dir.join(name);
        let mut rec = Recorder::create_with_version(&path, 1_000, "test", 2).unwrap();
        let mut msgs = game.handshake();
        while !game.finished() {
            msgs.extend(game.step());
        }
        for (i, m) in msgs.iter().enumerate() {
            rec.append(1, 1_000 + i as u64, &encode_widget(m, i as u64 + 1))
                .unwrap();
        }
        rec.finish().unwrap()
    }

    /// Runs the tab's jobs as the UI does, frame by frame, until none is due.
    fn settle(tab: &mut RecordingsTab, dir: &Path) {
        for _ in 0..2000 {
            tab.poll();
            if tab.stale {
                tab.load(dir, Job::Refresh { delete: Vec::new() });
            } else if tab.checking {
                tab.load(dir, Job::Check);
            }
            if tab.loading.is_none() && !tab.stale && !tab.checking {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        panic!("the recordings tab never settled");
    }

    #[test]
    fn the_tab_checks_new_files_and_a_delete_during_a_job_is_not_lost() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let a = record(d, "2025-01-01_a.barlive");
        let b = record(d, "2025-01-02_b.barlive");
        let mut tab = RecordingsTab::default();
        settle(&mut tab, d);
        let index = tab.index.as_ref().unwrap();
        assert_eq!(index.entries.len(), 2);
        assert_eq!(
            index.unchecked(),
            0,
            "both files were checked in the background"
        );
        // A delete while a job runs: the row goes at once, the file once the job is done.
        tab.stale = true;
        tab.load(d, Job::Refresh { delete: Vec::new() });
        assert!(tab.loading.is_some());
        tab.delete(a.clone());
        assert_eq!(tab.index.as_ref().unwrap().entries.len(), 1);
        tab.load(d, Job::Refresh { delete: Vec::new() });
        settle(&mut tab, d);
        assert!(!a.exists(), "the deleted file is gone");
        assert!(b.exists());
        let index = tab.index.as_ref().unwrap();
        assert_eq!(index.entries.len(), 1);
        assert_eq!(index.entries[0].path, b);
        assert!(tab.pending_delete.is_empty());
    }
}
