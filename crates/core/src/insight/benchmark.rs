//! Benchmarks for the local player's team: at each minute, the median and the p25–p75 band of their
//! last N matching games (same player name; optionally the same map and game size) for metal income,
//! army value and units, plus their personal best splits.
//!
//! Games are chosen from the recordings index by their summaries ([`select`]), then profiled
//! ([`super::profile`]); [`benchmark`] is pure. The app computes it on a background thread
//! ([`super::worker`]).

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::build_coach::{BuildKey, median_times};
use super::profile::{GameProfile, PROFILE_METRICS};
pub use super::quantile::quantile;
use super::splits::{Splits, personal_best};
use crate::index::{IndexEntry, twins};

/// Which past games to compare with.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Query {
    /// The player's name as the game lists it (their team's name).
    pub player: String,
    /// Only games on this map.
    pub map: Option<String>,
    /// Only games with this many players' teams (Gaia not counted).
    pub players: Option<usize>,
    /// The last this many matching games (0: all).
    pub last_n: usize,
    /// A recording to leave out (the game being compared).
    pub exclude: Option<PathBuf>,
}

/// The entries a query selects, newest first: readable finished recordings and BAR replays with
/// statistics (not cut short) where the player had a (non-AI) team, on the map and of the size asked
/// for, each game once (a recording and BAR's replay of the same game count as the recording;
/// [`twins`]), the game on screen left out with its twin, at most `last_n` of them.
pub fn select<'a>(entries: &'a [IndexEntry], q: &Query) -> Vec<&'a IndexEntry> {
    let excluded = q
        .exclude
        .as_ref()
        .and_then(|p| entries.iter().find(|e| &e.path == p));
    let mut out: Vec<&IndexEntry> = entries
        .iter()
        .filter(|e| {
            let Some(s) = e.summary() else {
                return false;
            };
            let players = s.teams.iter().filter(|t| !t.is_gaia).count();
            !s.truncated
                && e.can_open()
                && Some(&e.path) != q.exclude.as_ref()
                && !excluded.is_some_and(|x| twins::same_game(x, e))
                && s.teams
                    .iter()
                    .any(|t| !t.is_ai && !t.is_gaia && t.name == q.player)
                && q.map.as_ref().is_none_or(|m| s.map.as_ref() == Some(m))
                && q.players.is_none_or(|n| n == players)
        })
        .collect();
    out.sort_by_key(|e| std::cmp::Reverse(e.date_unix_ms()));
    let mut out = twins::without_replay_twins(&out);
    if q.last_n > 0 {
        out.truncate(q.last_n);
    }
    out
}

/// Quartiles of a set of values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quartiles {
    pub p25: f32,
    pub median: f32,
    pub p75: f32,
}

/// One minute of the benchmark: per [`PROFILE_METRICS`], how many games had a value at that minute and
/// the quartiles of those values (`None` when no game had one). The counts differ between metrics: a BAR
/// replay has a unit count but neither metal income nor army value.
#[derive(Debug, Clone, PartialEq)]
pub struct MinuteBand {
    pub minute: u32,
    pub games: [usize; PROFILE_METRICS.len()],
    pub values: [Option<Quartiles>; PROFILE_METRICS.len()],
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Benchmark {
    /// The games compared, newest first.
    pub games: Vec<PathBuf>,
    /// Minute 1, 2, … while at least one game lasted that long.
    pub minutes: Vec<MinuteBand>,
    /// The fastest split times over the games.
    pub personal_best: Splits,
    /// The median game time of each unit of the player's openings ([`super::build_coach`]).
    pub build_medians: BTreeMap<BuildKey, f64>,
}

impl Benchmark {
    /// The band of metric `k` (index in [`PROFILE_METRICS`]) as (game seconds, quartiles) points.
    pub fn band(&self, k: usize) -> Vec<(f64, Quartiles)> {
        self.minutes
            .iter()
            .filter_map(|m| m.values[k].map(|q| (60.0 * f64::from(m.minute), q)))
            .collect()
    }

    /// How many of the games are BAR replays (they fill the unit band only: no metal income or army
    /// value in their statistics).
    pub fn replays(&self) -> usize {
        self.games
            .iter()
            .filter(|p| crate::replay::has_replay_extension(p))
            .count()
    }

    /// The median of metric `k` at game time `t` (the minute at or before it).
    pub fn median_at(&self, k: usize, t: f64) -> Option<f32> {
        let minute = (t / 60.0).floor() as usize;
        let m = self.minutes.get(minute.checked_sub(1)?)?;
        m.values[k].map(|q| q.median)
    }
}

/// The finite values among `values`, sorted.
fn finite_sorted(values: impl Iterator<Item = f32>) -> Vec<f32> {
    let mut values: Vec<f32> = values.filter(|v| v.is_finite()).collect();
    values.sort_by(f32::total_cmp);
    values
}

fn quartiles(values: &[f32]) -> Option<Quartiles> {
    Some(Quartiles {
        p25: quantile(values, 0.25)?,
        median: quantile(values, 0.5)?,
        p75: quantile(values, 0.75)?,
    })
}

/// The benchmark of `player` over `games` (each game's team with that name; games without it are
/// skipped).
pub fn benchmark(games: &[&GameProfile], player: &str) -> Benchmark {
    let teams: Vec<_> = games.iter().filter_map(|g| g.team_named(player)).collect();
    let longest = teams.iter().map(|t| t.minutes.len()).max().unwrap_or(0);
    let minutes = (0..longest)
        .map(|i| {
            let reached: Vec<_> = teams.iter().filter_map(|t| t.minutes.get(i)).collect();
            let per_metric: [Vec<f32>; PROFILE_METRICS.len()] =
                std::array::from_fn(|k| finite_sorted(reached.iter().map(|v| v[k])));
            MinuteBand {
                minute: i as u32 + 1,
                games: per_metric.each_ref().map(Vec::len),
                values: per_metric.each_ref().map(|v| quartiles(v)),
            }
        })
        .collect();
    Benchmark {
        games: games
            .iter()
            .filter(|g| g.team_named(player).is_some())
            .map(|g| g.path.clone())
            .collect(),
        minutes,
        personal_best: personal_best(teams.iter().map(|t| &t.splits)),
        build_medians: median_times(teams.iter().map(|t| t.opening.as_slice())),
    }
}
