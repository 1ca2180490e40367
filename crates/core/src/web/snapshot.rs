//! What the overlay pages are sent: the game as it was `delay` seconds ago (wall clock), from the live
//! session's history. The shape is documented in docs/OVERLAY.md ("API").

use std::collections::BTreeMap;

use serde::Serialize;

use super::build_order::{self, BuildQuery, TeamBuildView, build_views};
use crate::live::Session;
use crate::store::{Metric, SeriesOf, Store, TeamSeries};

/// The API's version; bumped on an incompatible change of the shapes below.
pub const API_VERSION: u32 = 1;
/// Longest stream delay, in seconds.
pub const MAX_DELAY_S: f64 = 600.0;
/// Longest history a page may ask for, in minutes.
pub const MAX_HISTORY_MINUTES: f64 = 60.0;
/// History sent when a page does not say, in minutes.
pub const DEFAULT_HISTORY_MINUTES: f64 = 10.0;
/// Most history points per series in a snapshot (older ones are thinned evenly).
pub const MAX_HISTORY_POINTS: usize = 600;
/// History metrics sent when a page does not say.
pub const DEFAULT_HISTORY_METRICS: [Metric; 4] = [
    Metric::MetalIncome,
    Metric::EnergyIncome,
    Metric::ArmyValue,
    Metric::Units,
];

/// What a page asked for (`?delay=S&minutes=M&metrics=a,b&build=1&opening=N&recent=N`). Bad values
/// fall back to defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub delay_s: f64,
    pub minutes: f64,
    pub metrics: Vec<Metric>,
    /// Build orders, when the page asks (`build=1`).
    pub build: Option<BuildQuery>,
}

impl Query {
    /// Parses a URL query string; `default_delay_s` applies when the page gives no `delay`.
    pub fn parse(query: &str, default_delay_s: f64) -> Query {
        let mut q = Query {
            delay_s: default_delay_s.clamp(0.0, MAX_DELAY_S),
            minutes: DEFAULT_HISTORY_MINUTES,
            metrics: DEFAULT_HISTORY_METRICS.to_vec(),
            build: None,
        };
        let count = |v: &str| {
            v.parse::<usize>()
                .ok()
                .map(|n| n.min(build_order::MAX_BUILD_ITEMS))
        };
        for (key, value) in query
            .split('&')
            .filter_map(|kv| kv.split_once('=').or(Some((kv, ""))))
        {
            match key {
                "delay" => {
                    if let Some(d) = value.parse::<f64>().ok().filter(|d| d.is_finite()) {
                        q.delay_s = d.clamp(0.0, MAX_DELAY_S);
                    }
                }
                "minutes" => {
                    if let Some(m) = value.parse::<f64>().ok().filter(|m| m.is_finite()) {
                        q.minutes = m.clamp(1.0, MAX_HISTORY_MINUTES);
                    }
                }
                "metrics" => {
                    let wanted: Vec<Metric> = percent_decode(value)
                        .split([',', '+', ' '])
                        .filter_map(Metric::from_key)
                        .collect();
                    if !wanted.is_empty() {
                        q.metrics = wanted;
                        q.metrics.dedup();
                    }
                }
                "build" if value != "0" => {
                    q.build.get_or_insert_with(BuildQuery::default);
                }
                "opening" => {
                    if let Some(n) = count(value) {
                        q.build.get_or_insert_with(BuildQuery::default).opening = n;
                    }
                }
                "recent" => {
                    if let Some(n) = count(value) {
                        q.build.get_or_insert_with(BuildQuery::default).recent = n;
                    }
                }
                _ => {}
            }
        }
        q
    }
}

/// `%2C` → `,` etc. (metric keys are ASCII; anything undecodable stays as it is).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every metric's value, by key; `None` (JSON `null`) when unknown.
pub type Values = BTreeMap<&'static str, Option<f64>>;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TeamView {
    pub team_id: u32,
    pub ally_team_id: u32,
    pub name: String,
    pub color: String,
    pub is_ai: bool,
    pub dead: bool,
    pub values: Values,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AllyView {
    pub ally_team_id: u32,
    pub name: String,
    pub color: String,
    pub team_ids: Vec<u32>,
    pub values: Values,
}

/// Recent values of the asked-for metrics on one time grid.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct History {
    pub metrics: Vec<&'static str>,
    pub minutes: f64,
    pub t: Vec<f64>,
    pub teams: BTreeMap<String, BTreeMap<&'static str, Vec<Option<f64>>>>,
    pub allies: BTreeMap<String, BTreeMap<&'static str, Vec<Option<f64>>>>,
}

/// One message to a page: `snapshot` (with history) on connect and whenever the game or the team set
/// changes, `update` (without) as the game advances.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Snapshot {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub api_version: u32,
    /// `live`: a game is shown; `waiting`: nothing to show yet (no game, or not `delay` seconds in).
    pub state: &'static str,
    pub delay_s: f64,
    /// The app's tournament switch ("delay everything") is on, with this delay: pages show a
    /// "DELAYED m:ss" badge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delayed_everything_s: Option<f64>,
    pub map: Option<String>,
    pub game_seconds: f64,
    pub paused: bool,
    pub game_over: bool,
    pub my_team_id: Option<u32>,
    pub spectating: bool,
    pub teams: Vec<TeamView>,
    pub allies: Vec<AllyView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<History>,
    /// Per team id, its build order at the shown time; only when the page asked (`build=1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_order: Option<BTreeMap<String, TeamBuildView>>,
}

impl Snapshot {
    /// What identifies the game and the team set: a change means the page must start over.
    pub fn identity(&self) -> (Option<&str>, Vec<(u32, &str, &str)>) {
        (
            self.map.as_deref(),
            self.teams
                .iter()
                .map(|t| (t.team_id, t.name.as_str(), t.color.as_str()))
                .collect(),
        )
    }
}

/// The game shown `query.delay_s` seconds before `now_unix_ms`. With `with_history`, a `snapshot`
/// carrying the last `query.minutes` of `query.metrics`; else an `update`.
pub fn build(session: &Session, query: &Query, now_unix_ms: u64, with_history: bool) -> Snapshot {
    let store = &session.store;
    // "Delay everything" holds every page to at least its delay, whatever the page asks.
    let tournament_s = session.delay_everything_s();
    let delay_s = query.delay_s.max(tournament_s.unwrap_or(0.0));
    let delay_ms = (delay_s * 1000.0) as u64;
    let shown_t = session
        .timeline
        .game_seconds_at(now_unix_ms.saturating_sub(delay_ms));
    let live = store.updates > 0 && shown_t.is_some();
    let g = shown_t.unwrap_or(0.0);
    let hello = store.hello.as_ref().filter(|_| live);
    let teams: Vec<TeamView> = if live {
        team_views(store, g)
    } else {
        Vec::new()
    };
    let allies = if live {
        ally_views(store, &teams)
    } else {
        Vec::new()
    };
    let history = (with_history && live).then(|| history(store, &teams, &allies, g, query));
    let build_order = query.build.filter(|_| live).map(|b| {
        build_views(
            store.insight().build_orders(),
            teams.iter().map(|t| t.team_id),
            g,
            b,
        )
    });
    Snapshot {
        kind: if with_history { "snapshot" } else { "update" },
        api_version: API_VERSION,
        state: if live { "live" } else { "waiting" },
        delay_s,
        delayed_everything_s: tournament_s,
        map: hello.map(|h| h.game.map_name.clone()),
        game_seconds: g,
        // The pause flag is only known for now; a delayed view is never shown as paused.
        paused: live && delay_s == 0.0 && store.paused,
        game_over: live && event_before(store, "game_over", g),
        my_team_id: hello.and_then(|h| u32::try_from(h.game.my_team_id).ok()),
        spectating: hello.is_some_and(|h| h.game.spectating),
        teams,
        allies,
        history,
        build_order,
    }
}

/// Whether an event named `name` happened at or before game time `g`.
fn event_before(store: &Store, name: &str, g: f64) -> bool {
    store
        .events
        .iter()
        .any(|e| e.name == name && f64::from(e.game_frame) / 30.0 <= g + 1e-9)
}

/// The index of the last sample at or before `g`.
fn index_at(s: &TeamSeries, g: f64) -> Option<usize> {
    s.t.partition_point(|&t| t <= g).checked_sub(1)
}

fn finite(x: f32) -> Option<f64> {
    (!x.is_nan() && x.is_finite()).then_some(f64::from(x))
}

fn team_values(s: Option<&TeamSeries>, g: f64) -> Values {
    let at = s.and_then(|s| index_at(s, g).map(|i| (s, i)));
    Metric::ALL
        .iter()
        .map(|&m| (m.key(), at.and_then(|(s, i)| finite(s.values(m)[i]))))
        .collect()
}

fn hex(rgb: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2])
}

fn team_views(store: &Store, g: f64) -> Vec<TeamView> {
    store
        .team_ids()
        .into_iter()
        .filter_map(|id| store.teams.get(&id).filter(|t| !t.is_gaia))
        .map(|t| {
            let series = store.series.get(&t.team_id);
            let died = store.events.iter().any(|e| {
                e.name == "team_died"
                    && e.team_id == Some(t.team_id)
                    && f64::from(e.game_frame) / 30.0 <= g + 1e-9
            });
            TeamView {
                team_id: t.team_id,
                ally_team_id: t.ally_team_id,
                name: t.name.clone(),
                color: hex(store.series_rgb(SeriesOf::Team(t.team_id))),
                is_ai: t.is_ai,
                dead: died,
                values: team_values(series, g),
            }
        })
        .collect()
}

/// Sums members' values; a metric no member knows stays `null`.
fn sum_values<'a>(members: impl Iterator<Item = &'a Values>) -> Values {
    let mut out: Values = Metric::ALL.iter().map(|m| (m.key(), None)).collect();
    for values in members {
        for (k, v) in values {
            if let (Some(v), Some(slot)) = (v, out.get_mut(k)) {
                *slot = Some(slot.unwrap_or(0.0) + v);
            }
        }
    }
    out
}

fn ally_views(store: &Store, teams: &[TeamView]) -> Vec<AllyView> {
    store
        .ally_ids()
        .into_iter()
        .map(|a| {
            let members: Vec<&TeamView> = teams.iter().filter(|t| t.ally_team_id == a).collect();
            AllyView {
                ally_team_id: a,
                name: store.series_name(SeriesOf::Ally(a)),
                color: hex(store.series_rgb(SeriesOf::Ally(a))),
                team_ids: members.iter().map(|t| t.team_id).collect(),
                values: sum_values(members.iter().map(|t| &t.values)),
            }
        })
        .collect()
}

/// The update times in `(g - minutes, g]`, thinned evenly to at most [`MAX_HISTORY_POINTS`].
fn history_grid(store: &Store, g: f64, minutes: f64) -> Vec<f64> {
    let from = g - minutes * 60.0;
    let mut t: Vec<f64> = store
        .series
        .values()
        .flat_map(|s| {
            let lo = s.t.partition_point(|&x| x <= from);
            let hi = s.t.partition_point(|&x| x <= g);
            s.t[lo..hi].iter().copied()
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t.dedup();
    if t.len() > MAX_HISTORY_POINTS {
        let step = t.len() as f64 / MAX_HISTORY_POINTS as f64;
        let last = *t.last().unwrap_or(&g);
        let mut thinned: Vec<f64> = (0..MAX_HISTORY_POINTS)
            .map(|i| t[(i as f64 * step) as usize])
            .collect();
        if thinned.last() != Some(&last) {
            thinned.push(last);
        }
        t = thinned;
    }
    t
}

/// A team's value of `m` at each grid time: its last sample at or before it (none before its first).
fn column_on_grid(s: &TeamSeries, m: Metric, grid: &[f64]) -> Vec<Option<f64>> {
    let values = s.values(m);
    grid.iter()
        .map(|&t| index_at(s, t).and_then(|i| finite(values[i])))
        .collect()
}

fn history(
    store: &Store,
    teams: &[TeamView],
    allies: &[AllyView],
    g: f64,
    query: &Query,
) -> History {
    let grid = history_grid(store, g, query.minutes);
    let mut team_cols = BTreeMap::new();
    for t in teams {
        let Some(s) = store.series.get(&t.team_id) else {
            continue;
        };
        let cols: BTreeMap<&'static str, Vec<Option<f64>>> = query
            .metrics
            .iter()
            .map(|&m| (m.key(), column_on_grid(s, m, &grid)))
            .collect();
        team_cols.insert(t.team_id.to_string(), cols);
    }
    let mut ally_cols = BTreeMap::new();
    for a in allies {
        let mut cols = BTreeMap::new();
        for &m in &query.metrics {
            let mut sum: Vec<Option<f64>> = vec![None; grid.len()];
            for id in &a.team_ids {
                if let Some(col) = team_cols.get(&id.to_string()).and_then(|c| c.get(m.key())) {
                    for (acc, v) in sum.iter_mut().zip(col) {
                        if let Some(v) = v {
                            *acc = Some(acc.unwrap_or(0.0) + v);
                        }
                    }
                }
            }
            cols.insert(m.key(), sum);
        }
        ally_cols.insert(a.ally_team_id.to_string(), cols);
    }
    History {
        metrics: query.metrics.iter().map(|m| m.key()).collect(),
        minutes: query.minutes,
        t: grid,
        teams: team_cols,
        allies: ally_cols,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_fall_back_to_defaults() {
        let q = Query::parse("", 30.0);
        assert_eq!(q.delay_s, 30.0);
        assert_eq!(q.minutes, DEFAULT_HISTORY_MINUTES);
        assert_eq!(q.metrics, DEFAULT_HISTORY_METRICS);
        let q = Query::parse("delay=5&minutes=2&metrics=army_value%2Cunits", 30.0);
        assert_eq!((q.delay_s, q.minutes), (5.0, 2.0));
        assert_eq!(q.metrics, [Metric::ArmyValue, Metric::Units]);
        let q = Query::parse("delay=9999&minutes=-4&metrics=nope,,&x", 0.0);
        assert_eq!((q.delay_s, q.minutes), (MAX_DELAY_S, 1.0));
        assert_eq!(q.metrics, DEFAULT_HISTORY_METRICS);
        assert_eq!(Query::parse("delay=NaN&delay=abc", 7.0).delay_s, 7.0);
        assert_eq!(q.build, None, "no build orders unless asked");
        let b = Query::parse("build=1", 0.0).build.unwrap();
        assert_eq!(b, BuildQuery::default());
        let b = Query::parse("opening=5&recent=999", 0.0).build.unwrap();
        assert_eq!((b.opening, b.recent), (5, build_order::MAX_BUILD_ITEMS));
        assert_eq!(Query::parse("build=0", 0.0).build, None);
    }
}
