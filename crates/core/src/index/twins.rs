//! The same game in two files: bar-live's recording of a game and the replay BAR wrote of it. Lists
//! that count games (benchmarks, the ghost picker) keep the recording, which has more data.

use std::collections::HashMap;

use super::IndexEntry;
use crate::recording::Summary;

/// How far apart a recording's and a replay's start times may be and still be one game (the recording
/// starts when the widget connects, the replay when the game starts).
pub const TWIN_WINDOW_MS: u64 = 10 * 60 * 1000;

/// What a game is known by across files: its map and its players' team names, sorted.
fn key(s: &Summary) -> String {
    let mut names: Vec<&str> = s
        .teams
        .iter()
        .filter(|t| !t.is_gaia)
        .map(|t| t.name.as_str())
        .collect();
    names.sort_unstable();
    format!(
        "{}\u{0}{}",
        s.map.as_deref().unwrap_or(""),
        names.join("\u{0}")
    )
}

/// Whether `a` and `b` are one game: a recording and a replay with the same map and players, started
/// within [`TWIN_WINDOW_MS`] of each other.
pub fn same_game(a: &IndexEntry, b: &IndexEntry) -> bool {
    let (Some(x), Some(y)) = (a.summary(), b.summary()) else {
        return false;
    };
    a.is_replay() != b.is_replay()
        && x.created_unix_ms.abs_diff(y.created_unix_ms) <= TWIN_WINDOW_MS
        && key(x) == key(y)
}

/// `entries` without the replays of games that a recording in `entries` also holds (order kept).
pub fn without_replay_twins<'a>(entries: &[&'a IndexEntry]) -> Vec<&'a IndexEntry> {
    let mut recorded: HashMap<String, Vec<u64>> = HashMap::new();
    for e in entries.iter().filter(|e| !e.is_replay()) {
        if let Some(s) = e.summary() {
            recorded.entry(key(s)).or_default().push(s.created_unix_ms);
        }
    }
    entries
        .iter()
        .copied()
        .filter(|e| {
            let Some(s) = e.summary().filter(|_| e.is_replay()) else {
                return true;
            };
            !recorded.get(&key(s)).is_some_and(|times| {
                times
                    .iter()
                    .any(|&t| t.abs_diff(s.created_unix_ms) <= TWIN_WINDOW_MS)
            })
        })
        .collect()
}
