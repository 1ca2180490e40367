//! "Compare with a game": pick a past game from the recordings folder; its lines are drawn faded (a
//! ghost) on the same game-time axis, live and in review. In review the same pick can instead open
//! side by side with the game under review.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui::Ui;

use bar_live_core::index::Folder;
use bar_live_core::index::{IndexEntry, twins};
use bar_live_core::insight::worker::{InsightWorker, Job, LoadPurpose};
use bar_live_core::recording::summary::format_game_time;
use bar_live_core::review::Review;

/// How long a folder listing is trusted before it is asked for again.
const LISTING_TTL: Duration = Duration::from_secs(30);

#[derive(Default)]
pub struct GhostPanel {
    /// The folder's recordings, newest first, and when they were asked for.
    listing: Option<Vec<IndexEntry>>,
    listing_asked: Option<Instant>,
    /// The past game shown as a ghost.
    pub ghost: Option<Box<Review>>,
    /// Being loaded, and for what.
    pub loading: Option<(PathBuf, LoadPurpose)>,
    pub error: Option<String>,
}

impl GhostPanel {
    pub fn on_listed(&mut self, result: Result<Vec<IndexEntry>, String>) {
        match result {
            Ok(list) => self.listing = Some(list),
            Err(e) => self.error = Some(e),
        }
    }

    fn ask_listing(&mut self, worker: &InsightWorker, folders: &[Folder]) {
        let stale = self
            .listing_asked
            .is_none_or(|at| at.elapsed() >= LISTING_TTL);
        if stale
            && worker.submit(Job::List {
                folders: folders.to_vec(),
            })
        {
            self.listing_asked = Some(Instant::now());
        }
    }

    pub fn load(&mut self, worker: &InsightWorker, path: &Path, purpose: LoadPurpose) {
        if worker.submit(Job::Load {
            path: path.to_owned(),
            purpose,
        }) {
            self.loading = Some((path.to_owned(), purpose));
            self.error = None;
        } else {
            self.error = Some("busy, try again in a moment".into());
        }
    }
}

/// One line describing a recording or replay: "2025-01-03 14:05 · Map · 4 players · 25:00".
pub fn describe(e: &IndexEntry) -> String {
    let name = e.file_name();
    let stem = name
        .rsplit_once('.')
        .map_or(name.as_str(), |(stem, _)| stem);
    let mut parts = vec![stem.replace('_', " ")];
    if e.is_replay() {
        parts.push("BAR replay".into());
    }
    if let Some(s) = e.summary() {
        parts.push(format!("{} players", s.players().count()));
        parts.push(format_game_time(s.game_seconds));
    }
    parts.join(" · ")
}

/// The section's controls. `current` is the recording on screen (left out of the list); `review` says
/// whether side by side is offered.
pub fn ghost_ui(
    ui: &mut Ui,
    panel: &mut GhostPanel,
    worker: Option<&InsightWorker>,
    folders: &[Folder],
    current: Option<&Path>,
    review: bool,
) {
    let Some(worker) = worker else {
        ui.weak("The insight thread is not running.");
        return;
    };
    panel.ask_listing(worker, folders);
    let chosen = panel.ghost.as_ref().and_then(|g| g.path.clone());
    let shown = chosen
        .as_ref()
        .and_then(|p| p.file_name())
        .map_or_else(|| "none".to_owned(), |n| n.to_string_lossy().into_owned());
    // Each past game once (a recording and BAR's replay of it count as the recording), not the game
    // on screen nor its twin.
    let listing: &[IndexEntry] = panel.listing.as_deref().unwrap_or_default();
    let on_screen = listing.iter().find(|e| Some(e.path.as_path()) == current);
    let entries: Vec<&IndexEntry> = listing
        .iter()
        .filter(|e| {
            e.can_open()
                && Some(e.path.as_path()) != current
                && !on_screen.is_some_and(|c| twins::same_game(c, e))
        })
        .collect();
    let entries = twins::without_replay_twins(&entries);
    let mut pick = None;
    egui::ComboBox::from_id_salt("ghost_pick")
        .selected_text(shown)
        .width(ui.available_width() - 8.0)
        .show_ui(ui, |ui| {
            if entries.is_empty() {
                let dirs: Vec<String> = folders
                    .iter()
                    .map(|f| f.dir.display().to_string())
                    .collect();
                ui.weak(format!("No games in {}", dirs.join(", ")));
            }
            for e in &entries {
                if ui
                    .selectable_label(chosen.as_ref() == Some(&e.path), describe(e))
                    .clicked()
                {
                    pick = Some(e.path.clone());
                }
            }
        });
    if let Some(path) = pick {
        panel.load(worker, &path, LoadPurpose::Ghost);
    }
    ui.horizontal(|ui| {
        if panel.ghost.is_some() && ui.button("Clear").clicked() {
            panel.ghost = None;
        }
        if review
            && let Some(path) = chosen.clone()
            && ui
                .button("Open side by side")
                .on_hover_text("Review both games next to each other, on one time axis")
                .clicked()
        {
            panel.load(worker, &path, LoadPurpose::SideBySide);
        }
    });
    if let Some((path, _)) = &panel.loading {
        ui.weak(format!(
            "Loading {}…",
            path.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        ));
    } else if panel.ghost.is_some() {
        ui.weak("Its lines are drawn faded behind this game's, on the same game time.");
    }
    if let Some(e) = &panel.error {
        ui.colored_label(ui.visuals().warn_fg_color, e);
    }
}
