//! The post-game card: a 1200×630 PNG (the size Discord and social sites preview) that sums a game up
//! for sharing: map, date, length and winner; each team's name in its colour with key totals; two small
//! graphs (army value, metal income) with the milestones marked. `bar-live card FILE` and Review's
//! "Save card" make it (docs/INSIGHT.md, "Post-game card").
//!
//! [`CardData`] is what the card shows, taken from a store ([`CardData::from_store`]); [`render`] draws
//! it headless with tiny-skia and an embedded font (no GPU, no system fonts; fallback fonts for CJK
//! names only when the caller passes them).

mod draw;
pub mod text;

use std::path::Path;

use anyhow::Context;

use crate::game::MilestoneKind;
use crate::protocol;
use crate::recording::Summary;
use crate::recording::summary::format_game_time;
use crate::store::{Metric, SeriesOf, Store};

pub use draw::{HEIGHT, WIDTH, render};

/// Most points per line on a graph.
const MAX_GRAPH_POINTS: usize = 240;

/// One team's row.
#[derive(Debug, Clone, PartialEq)]
pub struct CardTeam {
    pub name: String,
    pub rgb: [u8; 3],
    pub ally_team_id: u32,
    pub won: bool,
    pub metal_produced: Option<f64>,
    pub damage_dealt: Option<f64>,
    pub units_killed: Option<f64>,
}

/// One line on a graph.
#[derive(Debug, Clone, PartialEq)]
pub struct CardLine {
    pub rgb: [u8; 3],
    /// (game seconds, value).
    pub points: Vec<(f64, f64)>,
}

/// A milestone mark on the graphs.
#[derive(Debug, Clone, PartialEq)]
pub struct CardMark {
    pub game_seconds: f64,
    pub rgb: [u8; 3],
    /// A few characters ("T2").
    pub label: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CardGraph {
    pub title: String,
    pub lines: Vec<CardLine>,
}

/// What a card shows.
#[derive(Debug, Clone, PartialEq)]
pub struct CardData {
    pub map: String,
    /// "2026-12-07" (UTC), empty when unknown.
    pub date: String,
    pub game_seconds: f64,
    /// "Alice & Bob", when known.
    pub winner: Option<String>,
    pub teams: Vec<CardTeam>,
    pub graphs: Vec<CardGraph>,
    pub marks: Vec<CardMark>,
}

/// The milestones marked on a card's graphs.
const MARKED: [MilestoneKind; 4] = [
    MilestoneKind::FirstT2Factory,
    MilestoneKind::FirstT3,
    MilestoneKind::FirstNuke,
    MilestoneKind::CommanderLost,
];

impl CardData {
    /// The card of the game in `store`: `winners` are ally team ids, `created_unix_ms` the game's date.
    pub fn from_store(store: &Store, winners: Option<&[u32]>, created_unix_ms: u64) -> CardData {
        let teams: Vec<&protocol::TeamInfo> = store.teams.values().filter(|t| !t.is_gaia).collect();
        let last = |team: u32, m: Metric| {
            store.series.get(&team).and_then(|s| {
                s.values(m)
                    .iter()
                    .rev()
                    .find(|v| v.is_finite())
                    .map(|&v| f64::from(v))
            })
        };
        let mut rows: Vec<CardTeam> = teams
            .iter()
            .map(|t| CardTeam {
                name: t.name.clone(),
                rgb: store.series_rgb(SeriesOf::Team(t.team_id)),
                ally_team_id: t.ally_team_id,
                won: winners.is_some_and(|w| w.contains(&t.ally_team_id)),
                metal_produced: last(t.team_id, Metric::MetalProduced),
                damage_dealt: last(t.team_id, Metric::DamageDealt),
                units_killed: last(t.team_id, Metric::UnitsKilled),
            })
            .collect();
        // Winners first, then by ally team, as a scoreboard.
        rows.sort_by_key(|r| (!r.won, r.ally_team_id));
        let graph = |title: &str, m: Metric| CardGraph {
            title: title.to_owned(),
            lines: teams
                .iter()
                .filter_map(|t| {
                    let s = store.series.get(&t.team_id)?;
                    let points: Vec<(f64, f64)> =
                        s.t.iter()
                            .zip(s.values(m))
                            .filter(|(_, v)| v.is_finite())
                            .map(|(&t, &v)| (t, f64::from(v)))
                            .collect();
                    (!points.is_empty()).then(|| CardLine {
                        rgb: store.series_rgb(SeriesOf::Team(t.team_id)),
                        points: thin(points, MAX_GRAPH_POINTS),
                    })
                })
                .collect(),
        };
        let marks = store
            .milestones()
            .iter()
            .filter(|m| MARKED.contains(&m.kind))
            .filter_map(|m| {
                let team = m.team_id?;
                Some(CardMark {
                    game_seconds: m.game_seconds,
                    rgb: store.series_rgb(SeriesOf::Team(team)),
                    label: m.kind.short().to_owned(),
                })
            })
            .collect();
        let winner = winners.map(|w| {
            w.iter()
                .map(|&a| {
                    let names: Vec<&str> = teams
                        .iter()
                        .filter(|t| t.ally_team_id == a)
                        .map(|t| t.name.as_str())
                        .collect();
                    match names.as_slice() {
                        [] => format!("ally team {a}"),
                        [one] => (*one).to_owned(),
                        [a, b] => format!("{a} & {b}"),
                        [a, rest @ ..] => format!("{a} +{}", rest.len()),
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        });
        CardData {
            map: store
                .hello
                .as_ref()
                .map_or_else(|| "Unknown map".to_owned(), |h| h.game.map_name.clone()),
            date: if created_unix_ms > 0 {
                crate::time::utc_stamp(created_unix_ms)[..10].to_owned()
            } else {
                String::new()
            },
            game_seconds: store.last_game_seconds,
            winner,
            teams: rows,
            graphs: vec![
                graph("Army value (metal)", Metric::ArmyValue),
                graph("Metal income (per second)", Metric::MetalIncome),
            ],
            marks,
        }
    }

    /// The line under the map's name: "2026-12-07 · 24:59 · won by Alice & Bob".
    pub fn subtitle(&self) -> String {
        let mut parts = Vec::new();
        if !self.date.is_empty() {
            parts.push(self.date.clone());
        }
        parts.push(format_game_time(self.game_seconds));
        if let Some(w) = &self.winner {
            parts.push(format!("won by {w}"));
        }
        parts.join("  ·  ")
    }
}

/// The winning ally teams of the game in `store`, from its `game_over` event.
pub fn winners_of(store: &Store) -> Option<Vec<u32>> {
    store
        .events
        .iter()
        .rev()
        .find(|e| e.name == "game_over")
        .and_then(|e| e.winners.clone())
}

/// At most `n` points, evenly chosen, keeping the last.
fn thin(points: Vec<(f64, f64)>, n: usize) -> Vec<(f64, f64)> {
    if points.len() <= n {
        return points;
    }
    let step = points.len() as f64 / n as f64;
    let mut out: Vec<(f64, f64)> = (0..n).map(|i| points[(i as f64 * step) as usize]).collect();
    if let (Some(last), Some(end)) = (out.last_mut(), points.last()) {
        *last = *end;
    }
    out
}

/// The card of a recording or a BAR replay.
pub fn card_of_file(path: &Path) -> anyhow::Result<CardData> {
    let game = crate::review::load_game(path)?;
    if game.store.updates == 0 {
        anyhow::bail!("{} has no game data (no updates)", path.display());
    }
    let summary = match game.replay {
        Some(r) => r.summary,
        None => {
            Summary::of_file(path).with_context(|| format!("cannot read {}", path.display()))?
        }
    };
    Ok(CardData::from_store(
        &game.store,
        summary.winners.as_deref(),
        summary.created_unix_ms,
    ))
}
