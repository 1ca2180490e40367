//! The benchmark section of the insight sidebar: whose games, which ones, and the result's state. The
//! benchmark itself is computed on the insight thread ([`bar_live_core::insight::worker`]).

use std::path::Path;
use std::time::{Duration, Instant};

use egui::Ui;

use super::prefs::InsightSettings;
use bar_live_core::index::Folder;
use bar_live_core::insight::benchmark::{Benchmark, Query};
use bar_live_core::insight::worker::{InsightWorker, Job};
use bar_live_core::store::Store;

/// How often an unchanged query is asked again (new recordings may have arrived).
const REFRESH: Duration = Duration::from_secs(60);

#[derive(Debug, Default)]
pub struct BenchmarkPanel {
    /// The last result and the query it answers.
    pub result: Option<(Query, Benchmark)>,
    pub error: Option<String>,
    /// The last query submitted, and when.
    asked: Option<(Query, Instant)>,
}

/// The player the benchmark is for: the chosen name, else the local player's own team's name (the live
/// `hello`, or a replay's `myplayername`), else "my BAR name" when it played in this game.
pub fn benchmark_player(store: &Store, prefs: &InsightSettings) -> Option<String> {
    if let Some(chosen) = &prefs.benchmark_player {
        return Some(chosen.clone());
    }
    if let Some(team) = store.my_playing_team() {
        return store.teams.get(&team).map(|t| t.name.clone());
    }
    let me = prefs.my_bar_name.trim();
    (!me.is_empty() && player_team(store, me).is_some()).then(|| me.to_owned())
}

/// The player's team in the current game.
pub fn player_team(store: &Store, player: &str) -> Option<u32> {
    store
        .teams
        .values()
        .find(|t| !t.is_ai && !t.is_gaia && t.name == player)
        .map(|t| t.team_id)
}

/// The query for the current game, if it has a player to benchmark.
pub fn query(store: &Store, prefs: &InsightSettings, exclude: Option<&Path>) -> Option<Query> {
    let player = benchmark_player(store, prefs)?;
    let map = store.hello.as_ref().map(|h| h.game.map_name.clone());
    let players = store.teams.values().filter(|t| !t.is_gaia).count();
    Some(Query {
        player,
        map: map.filter(|_| prefs.same_map),
        players: prefs.same_size.then_some(players),
        last_n: prefs.last_n.clamp(1, 200) as usize,
        exclude: exclude.map(Path::to_owned),
    })
}

impl BenchmarkPanel {
    /// Submits the query when it changed, or again after a while; a busy thread is asked next frame.
    pub fn tick(&mut self, worker: &InsightWorker, folders: &[Folder], q: Option<Query>) {
        let Some(q) = q else {
            return;
        };
        let due = match &self.asked {
            Some((asked, at)) => *asked != q || at.elapsed() >= REFRESH,
            None => true,
        };
        if due
            && worker.submit(Job::Benchmark {
                folders: folders.to_vec(),
                query: q.clone(),
            })
        {
            self.asked = Some((q, Instant::now()));
        }
    }

    pub fn on_done(&mut self, query: Query, result: Result<Benchmark, String>) {
        match result {
            Ok(b) => {
                self.result = Some((query, b));
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// The benchmark for `q`'s player, if computed (possibly for slightly older filters).
    pub fn current(&self, q: Option<&Query>) -> Option<&Benchmark> {
        let (asked, b) = self.result.as_ref()?;
        (asked.player == q?.player && !b.games.is_empty()).then_some(b)
    }

    /// Whether a submitted query has no answer yet.
    pub fn waiting(&self) -> bool {
        match (&self.asked, &self.result) {
            (Some((asked, _)), Some((got, _))) => asked != got,
            (Some(_), None) => self.error.is_none(),
            _ => false,
        }
    }
}

/// The section's controls. Returns true when a setting changed (to be saved).
pub fn benchmark_ui(
    ui: &mut Ui,
    panel: &BenchmarkPanel,
    store: &Store,
    prefs: &mut InsightSettings,
    q: Option<&Query>,
) -> bool {
    let before = prefs.clone();
    let players: Vec<String> = store
        .teams
        .values()
        .filter(|t| !t.is_ai && !t.is_gaia)
        .map(|t| t.name.clone())
        .collect();
    ui.horizontal(|ui| {
        ui.label("Player");
        let shown = prefs
            .benchmark_player
            .clone()
            .unwrap_or_else(|| "me (the local player)".into());
        egui::ComboBox::from_id_salt("bench_player")
            .selected_text(shown)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut prefs.benchmark_player, None, "me (the local player)");
                for p in players {
                    let v = Some(p.clone());
                    ui.selectable_value(&mut prefs.benchmark_player, v, p);
                }
            });
    });
    ui.horizontal(|ui| {
        ui.label("My BAR name");
        ui.add(
            egui::TextEdit::singleline(&mut prefs.my_bar_name)
                .desired_width(120.0)
                .hint_text("not set"),
        )
        .on_hover_text(
            "Your name in BAR. Finds you in games that do not say who you are: recordings made \
             while spectating, replays from other players. Your own replays and live games say it.",
        );
    });
    ui.horizontal(|ui| {
        ui.checkbox(&mut prefs.same_map, "same map");
        ui.checkbox(&mut prefs.same_size, "same size");
    });
    ui.horizontal(|ui| {
        ui.label("Last");
        ui.add(egui::DragValue::new(&mut prefs.last_n).range(1..=200));
        ui.label("games");
    });
    ui.checkbox(&mut prefs.show_band, "Median and p25–p75 band on the plots");
    ui.checkbox(&mut prefs.overlay_row, "Row in the overlay");
    match (q, panel.current(q)) {
        (None, _) => {
            ui.weak("Spectating: pick a player to compare with their past games.");
        }
        (Some(_), Some(b)) => {
            ui.weak(games_text(b));
        }
        (Some(q), None) if panel.waiting() => {
            ui.weak(format!("Reading {}'s past games…", q.player));
        }
        (Some(q), None) => {
            ui.weak(format!("No finished past game of {} matches.", q.player));
        }
    }
    if let Some(e) = &panel.error {
        ui.colored_label(ui.visuals().warn_fg_color, e);
    }
    *prefs != before
}

/// "12 past games", and how many are BAR replays, which fill only the unit band.
fn games_text(b: &Benchmark) -> String {
    match b.replays() {
        0 => format!("{} past games", b.games.len()),
        n => format!(
            "{} past games ({n} BAR {}: unit counts only)",
            b.games.len(),
            if n == 1 { "replay" } else { "replays" }
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bar_live_core::sim::{SimGame, SimOptions};

    /// A spectated simulated game (no `player`): the hello names no team of the local player.
    fn spectated() -> Store {
        let game = SimGame::new(SimOptions {
            teams: 2,
            minutes: 0.1,
            ..SimOptions::default()
        });
        let mut store = Store::new();
        for m in game.handshake() {
            store.ingest(&m);
        }
        store
    }

    #[test]
    fn my_bar_name_finds_the_player_the_game_does_not_name() {
        let store = spectated();
        assert_eq!(store.my_playing_team(), None);
        let name = store
            .teams
            .values()
            .find(|t| !t.is_ai && !t.is_gaia)
            .map(|t| t.name.clone())
            .expect("a player's team");
        let mut prefs = InsightSettings::default();
        assert_eq!(benchmark_player(&store, &prefs), None);
        prefs.my_bar_name = format!(" {name} ");
        assert_eq!(benchmark_player(&store, &prefs), Some(name.clone()));
        prefs.my_bar_name = "Somebody else".into();
        assert_eq!(benchmark_player(&store, &prefs), None, "not in this game");
        prefs.benchmark_player = Some("Chosen".into());
        assert_eq!(benchmark_player(&store, &prefs).as_deref(), Some("Chosen"));
    }

    #[test]
    fn the_games_line_says_how_many_are_bar_replays() {
        let mut b = Benchmark {
            games: vec!["a.barlive".into(), "b.barlive".into()],
            ..Benchmark::default()
        };
        assert_eq!(games_text(&b), "2 past games");
        b.games.push("20260101_120000_map_106.sdfz".into());
        assert_eq!(
            games_text(&b),
            "3 past games (1 BAR replay: unit counts only)"
        );
        b.games.push("x.SDFZ".into());
        assert_eq!(
            games_text(&b),
            "4 past games (2 BAR replays: unit counts only)"
        );
    }
}
