//! The insight sidebar beside the dashboard (Live and Review): milestones, splits, the benchmark and
//! "compare with a game"; and the state behind them, including the insight thread.

use std::path::Path;

use egui::Ui;

use super::alerts_panel::{AlertsState, alerts_ui};
use super::benchmark_panel::{BenchmarkPanel, benchmark_player, benchmark_ui, player_team, query};
use super::build_order_panel::{BuildOrderPanel, build_order_ui};
use super::ghost_panel::{GhostPanel, ghost_ui};
use super::milestones_panel::milestones_ui;
use super::prefs::InsightSettings;
use super::splits_panel::splits_ui;
use crate::app::plots::ViewOptions;
use bar_live_core::index::Folder;
use bar_live_core::insight::benchmark::{Benchmark, Query};
use bar_live_core::insight::ghost::{ghost_series, ghost_team};
use bar_live_core::insight::worker::{Done, InsightWorker, LoadPurpose};
use bar_live_core::review::Review;
use bar_live_core::store::{SeriesOf, Store};

/// The sidebar's state across frames.
pub struct InsightSidebar {
    pub open: bool,
    worker: Option<InsightWorker>,
    worker_error: Option<String>,
    pub bench: BenchmarkPanel,
    pub ghost: GhostPanel,
    /// A recording loaded for a side-by-side review, for the Review tab to take.
    pub side_by_side: Option<Box<Review>>,
    pub alerts: AlertsState,
    pub build: BuildOrderPanel,
}

impl Default for InsightSidebar {
    fn default() -> Self {
        InsightSidebar {
            open: true,
            worker: None,
            worker_error: None,
            bench: BenchmarkPanel::default(),
            ghost: GhostPanel::default(),
            side_by_side: None,
            alerts: AlertsState::default(),
            build: BuildOrderPanel::default(),
        }
    }
}

/// What the sidebar is drawn for this frame.
pub struct SidebarContext<'a> {
    pub store: &'a Store,
    pub view: &'a ViewOptions,
    /// The live time, or the review cursor.
    pub now_t: f64,
    /// The folders of past games: recordings and BAR's replays.
    pub folders: &'a [Folder],
    /// The recording on screen (review), left out of benchmarks and pickers.
    pub current: Option<&'a Path>,
    pub in_review: bool,
}

/// What the sidebar asks of the app.
#[derive(Debug, Default)]
pub struct SidebarOutput {
    /// A clicked milestone's game time.
    pub jump: Option<f64>,
    /// Insight settings changed: save them.
    pub save: bool,
}

impl InsightSidebar {
    /// The insight thread, started on first use.
    fn worker(&mut self) -> Option<&InsightWorker> {
        if self.worker.is_none() && self.worker_error.is_none() {
            match InsightWorker::start() {
                Ok(w) => self.worker = Some(w),
                Err(e) => self.worker_error = Some(format!("insight thread: {e}")),
            }
        }
        self.worker.as_ref()
    }

    /// Loads a past game as the ghost.
    /// Loads a past recording on the insight thread, as the ghost or for a side-by-side review.
    pub fn load(&mut self, path: &Path, purpose: LoadPurpose) {
        if self.worker().is_some()
            && let Some(w) = self.worker.as_ref()
        {
            self.ghost.load(w, path, purpose);
        }
    }

    /// Takes what the insight thread finished. True when anything arrived or is still expected (the
    /// caller keeps repainting meanwhile).
    pub fn poll(&mut self) -> bool {
        let Some(worker) = self.worker.as_ref() else {
            return false;
        };
        while let Some(done) = worker.poll() {
            match done {
                Done::Benchmark { query, result } => self.bench.on_done(query, *result),
                Done::Listed { result, .. } => self.ghost.on_listed(result),
                Done::Loaded {
                    path,
                    purpose,
                    result,
                } => {
                    if self.ghost.loading.as_ref().is_some_and(|(p, _)| *p == path) {
                        self.ghost.loading = None;
                    }
                    match (purpose, result) {
                        (LoadPurpose::Ghost, Ok(r)) => self.ghost.ghost = Some(r),
                        (LoadPurpose::SideBySide, Ok(r)) => self.side_by_side = Some(r),
                        (_, Err(e)) => self.ghost.error = Some(e),
                    }
                }
            }
        }
        self.ghost.loading.is_some() || self.bench.waiting()
    }

    /// The benchmark to draw for the current game, if any (and wanted).
    pub fn benchmark_for(
        &self,
        store: &Store,
        prefs: &InsightSettings,
        current: Option<&Path>,
    ) -> Option<&Benchmark> {
        let q = query(store, prefs, current);
        self.bench.current(q.as_ref())
    }

    /// The ghost to draw: the past game's store and the series to show in `view`.
    pub fn ghost_for(
        &self,
        store: &Store,
        prefs: &InsightSettings,
        per_ally: bool,
    ) -> Option<(&Store, SeriesOf)> {
        let past = &self.ghost.ghost.as_ref()?.store;
        let player = benchmark_player(store, prefs);
        let team = ghost_team(past, player.as_deref())?;
        Some((past, ghost_series(past, team, per_ally)))
    }
}

/// Draws the sidebar's sections.
pub fn sidebar_ui(
    ui: &mut Ui,
    state: &mut InsightSidebar,
    cx: &SidebarContext<'_>,
    prefs: &mut InsightSettings,
) -> SidebarOutput {
    let mut out = SidebarOutput::default();
    let q: Option<Query> = query(cx.store, prefs, cx.current);
    let folders = cx.folders;
    // Benchmarks follow the game shown; they are asked again now and then for new recordings.
    state.worker();
    if let Some(worker) = state.worker.as_ref() {
        state.bench.tick(worker, folders, q.clone());
    }
    egui::ScrollArea::vertical().show(ui, |ui| {
        egui::CollapsingHeader::new("Milestones")
            .default_open(true)
            .show(ui, |ui| {
                out.jump = milestones_ui(ui, cx.store, cx.view, cx.now_t);
            });
        let player = q.as_ref().map(|q| q.player.clone());
        let team = player.as_deref().and_then(|p| player_team(cx.store, p));
        egui::CollapsingHeader::new("Splits")
            .default_open(true)
            .show(ui, |ui| match (team, player.as_deref()) {
                (Some(team), Some(p)) => {
                    ui.weak(format!("{p} against their best"));
                    let best = state.bench.current(q.as_ref()).map(|b| &b.personal_best);
                    splits_ui(ui, cx.store, team, best, cx.now_t);
                }
                _ => {
                    ui.weak("Pick a player under Benchmark.");
                }
            });
        egui::CollapsingHeader::new("Build order")
            .default_open(true)
            .show(ui, |ui| {
                let medians = state
                    .bench
                    .current(q.as_ref())
                    .map(|b| &b.build_medians)
                    .filter(|m| !m.is_empty());
                build_order_ui(ui, &mut state.build, cx.store, team, medians, cx.now_t);
            });
        egui::CollapsingHeader::new("Benchmark: your past games")
            .default_open(true)
            .show(ui, |ui| {
                out.save |= benchmark_ui(ui, &state.bench, cx.store, prefs, q.as_ref());
            });
        egui::CollapsingHeader::new("Compare with a game")
            .default_open(true)
            .show(ui, |ui| {
                let worker = state.worker.as_ref();
                ghost_ui(
                    ui,
                    &mut state.ghost,
                    worker,
                    folders,
                    cx.current,
                    cx.in_review,
                );
                if let Some(e) = &state.worker_error {
                    ui.colored_label(ui.visuals().warn_fg_color, e);
                }
            });
        if !cx.in_review {
            egui::CollapsingHeader::new("Alerts")
                .default_open(true)
                .show(ui, |ui| {
                    out.save |= alerts_ui(ui, &state.alerts, &mut prefs.alerts, cx.store);
                });
        }
    });
    out
}
