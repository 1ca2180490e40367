//! Filtering and sorting the index's entries: what the Recordings tab's filters and column headers call.

use serde::{Deserialize, Serialize};

use super::IndexEntry;
use crate::recording::Summary;

/// What the Recordings tab's filters ask for. Empty strings and `None` match everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Case-insensitive substring of the map name.
    pub map: String,
    /// Case-insensitive substring of any player's (team's) name.
    pub player: String,
    /// Recorded at or after this time (unix ms).
    pub from_unix_ms: Option<u64>,
    /// Recorded before this time (unix ms).
    pub to_unix_ms: Option<u64>,
}

impl Filter {
    pub fn matches(&self, e: &IndexEntry) -> bool {
        let has = |hay: &str, needle: &str| hay.to_lowercase().contains(&needle.to_lowercase());
        let map = self.map.trim();
        if !map.is_empty() && !e.map().is_some_and(|m| has(m, map)) {
            return false;
        }
        let player = self.player.trim();
        if !player.is_empty()
            && !e
                .summary()
                .is_some_and(|s| s.players().any(|p| has(p, player)))
        {
            return false;
        }
        let date = e.date_unix_ms();
        if let Some(from) = self.from_unix_ms
            && date.is_none_or(|d| d < from)
        {
            return false;
        }
        if let Some(to) = self.to_unix_ms
            && date.is_none_or(|d| d >= to)
        {
            return false;
        }
        true
    }
}

/// A column of the recordings list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SortKey {
    Date,
    Map,
    /// Number of player teams.
    Teams,
    /// Players' names, joined.
    Players,
    GameLength,
    Size,
    FormatVersion,
    Winner,
    File,
    /// Damaged files first when ascending.
    Damaged,
}

impl SortKey {
    pub const ALL: [SortKey; 10] = [
        SortKey::Date,
        SortKey::Map,
        SortKey::Teams,
        SortKey::Players,
        SortKey::GameLength,
        SortKey::Size,
        SortKey::FormatVersion,
        SortKey::Winner,
        SortKey::File,
        SortKey::Damaged,
    ];
}

fn compare(a: &IndexEntry, b: &IndexEntry, key: SortKey) -> std::cmp::Ordering {
    let lower = |s: Option<&str>| s.map(str::to_lowercase);
    let players = |e: &IndexEntry| {
        e.summary()
            .map(|s| s.players().collect::<Vec<_>>().join(", ").to_lowercase())
    };
    let teams = |e: &IndexEntry| e.summary().map(|s| s.players().count());
    let winner = |e: &IndexEntry| {
        e.summary()
            .and_then(Summary::winner_names)
            .map(|w| w.to_lowercase())
    };
    match key {
        SortKey::Date => a.date_unix_ms().cmp(&b.date_unix_ms()),
        SortKey::Map => lower(a.map()).cmp(&lower(b.map())),
        SortKey::Teams => teams(a).cmp(&teams(b)),
        SortKey::Players => players(a).cmp(&players(b)),
        SortKey::GameLength => a.game_seconds().total_cmp(&b.game_seconds()),
        SortKey::Size => a.size.cmp(&b.size),
        SortKey::FormatVersion => a.format_version().cmp(&b.format_version()),
        SortKey::Winner => winner(a).cmp(&winner(b)),
        SortKey::File => a.path.cmp(&b.path),
        SortKey::Damaged => b.damaged().is_some().cmp(&a.damaged().is_some()),
    }
}

/// Sorts `entries` by `key` (ties: newest file first, whatever the direction).
pub fn sort(entries: &mut [IndexEntry], key: SortKey, ascending: bool) {
    entries.sort_by(|a, b| order(a, b, key, ascending));
}

fn order(a: &IndexEntry, b: &IndexEntry, key: SortKey, ascending: bool) -> std::cmp::Ordering {
    let o = compare(a, b, key);
    let o = if ascending { o } else { o.reverse() };
    o.then_with(|| b.path.cmp(&a.path))
}

/// Indices into `entries` of those that pass `filter`, ordered by `key`.
pub fn view(entries: &[IndexEntry], filter: &Filter, key: SortKey, ascending: bool) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..entries.len())
        .filter(|&i| filter.matches(&entries[i]))
        .collect();
    idx.sort_by(|&a, &b| order(&entries[a], &entries[b], key, ascending));
    idx
}
