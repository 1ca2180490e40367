//! The time-series store behind the plots: per team, per metric, columnar, against game time.
//!
//! Live streams and recordings feed it the same decoded messages ([`Store::ingest`]).

pub mod decimate;
pub mod derived;
pub mod metric;
mod names;

use std::collections::{BTreeMap, HashMap};

pub use decimate::decimate_minmax;
pub use derived::SeriesOf;
pub use metric::{Kind, Metric};

use crate::game::{Insight, Milestone, SampleInsight};
use crate::protocol::{
    Category, Event, Hello, TeamInfo, TeamSample, UnitDef, Update, WidgetMessage, WidgetStats,
};

/// One team's history: a shared time column and one value column per [`Metric`].
#[derive(Debug, Clone)]
pub struct TeamSeries {
    /// Game seconds, ascending.
    pub t: Vec<f64>,
    pub columns: Vec<Vec<f32>>,
}

impl Default for TeamSeries {
    fn default() -> Self {
        TeamSeries {
            t: Vec::new(),
            columns: vec![Vec::new(); Metric::COUNT],
        }
    }
}

impl TeamSeries {
    /// Whether any sample has a value (not NaN) of `metric`.
    pub fn has_values(&self, metric: Metric) -> bool {
        self.values(metric).iter().any(|v| !v.is_nan())
    }

    pub fn values(&self, metric: Metric) -> &[f32] {
        &self.columns[metric.index()]
    }

    pub fn len(&self) -> usize {
        self.t.len()
    }

    pub fn is_empty(&self) -> bool {
        self.t.is_empty()
    }

    /// The last value of `metric`, if any.
    pub fn last(&self, metric: Metric) -> Option<f32> {
        self.values(metric).last().copied()
    }

    fn clear(&mut self) {
        self.t.clear();
        self.columns.iter_mut().for_each(Vec::clear);
    }
}

/// How to show a metric: as sampled/per second, or as a running total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum ValueMode {
    #[default]
    PerSecond,
    Cumulative,
}

/// Everything known about the game on screen.
#[derive(Debug, Default)]
pub struct Store {
    pub hello: Option<Hello>,
    pub teams: BTreeMap<u32, TeamInfo>,
    pub series: BTreeMap<u32, TeamSeries>,
    /// Filled by [`Store::ingest`]; treat as read-only (the army value cache is keyed on it).
    pub unit_defs: HashMap<u32, UnitDef>,
    pub events: Vec<Event>,
    pub widget_stats: Option<WidgetStats>,
    pub last_frame: Option<u32>,
    pub last_game_seconds: f64,
    pub paused: bool,
    pub updates: u64,
    /// Messages of types this build does not know, by type name.
    pub unknown_types: BTreeMap<String, u64>,
    /// Def ids used by an update before any `unit_defs` described them.
    pub undescribed_defs: u64,
    /// Milestones, composition and trades (see [`crate::game`]).
    insight: Insight,
    /// Plot series derived from `series` (see [`derived`]).
    derived: derived::DerivedCache,
    /// `unit_defs` flattened for the army value, indexed by def id (ids below [`DENSE_DEF_IDS`]):
    /// `None` = not described, `Some(metal cost)` for army units, `Some(0)` for the others.
    army_cost: Vec<Option<f64>>,
    /// `unit_defs.len()` when `army_cost` was built (`usize::MAX`: stale).
    army_cost_defs: usize,
}

/// Def ids below this are looked up in a flat table for the army value; larger ones in `unit_defs`.
const DENSE_DEF_IDS: u32 = 1 << 16;

impl Store {
    pub fn new() -> Self {
        Store::default()
    }

    /// A store that has ingested `messages`, in order.
    pub fn from_messages<'a>(messages: impl IntoIterator<Item = &'a WidgetMessage>) -> Store {
        let mut store = Store::new();
        messages.into_iter().for_each(|m| store.ingest(m));
        store
    }

    /// Forgets everything (a new game started).
    pub fn clear(&mut self) {
        *self = Store::default();
    }

    /// Applies one decoded message.
    pub fn ingest(&mut self, message: &WidgetMessage) {
        match message {
            WidgetMessage::Hello(h) => self.on_hello(h),
            WidgetMessage::UnitDefs(d) => {
                for def in &d.defs {
                    self.unit_defs.insert(def.id, def.clone());
                }
                self.army_cost_defs = usize::MAX;
            }
            WidgetMessage::Update(u) => self.on_update(u),
            WidgetMessage::Event(e) => {
                if e.name == "paused" {
                    self.paused = true;
                } else if e.name == "unpaused" {
                    self.paused = false;
                }
                self.events.push(e.clone());
            }
            WidgetMessage::Stats(s) => self.widget_stats = Some(s.clone()),
            WidgetMessage::Unknown(t) => *self.unknown_types.entry(t.clone()).or_default() += 1,
            _ => {}
        }
        if !matches!(message, WidgetMessage::Update(_)) {
            self.insight.ingest(message);
        }
    }

    /// Milestones so far, in the order they happened (see [`crate::game::milestones`]).
    pub fn milestones(&self) -> &[Milestone] {
        self.insight.milestones()
    }

    /// Milestones, composition and trades as the stream has them so far.
    pub fn insight(&self) -> &Insight {
        &self.insight
    }

    fn on_hello(&mut self, hello: &Hello) {
        // A reconnect mid-game keeps history; a different game (map, or time going backwards) starts over.
        let same_game = self.hello.as_ref().is_some_and(|old| {
            old.game.map_name == hello.game.map_name
                && self.last_frame.is_none_or(|f| hello.game.game_frame >= f)
        });
        if !same_game {
            self.clear();
        }
        for team in &hello.teams {
            self.teams.insert(team.team_id, team.clone());
        }
        self.hello = Some(hello.clone());
    }

    fn on_update(&mut self, update: &Update) {
        if self.last_frame.is_some_and(|f| update.game_frame < f) {
            // Time went backwards without a hello: a new game on the same connection.
            let (hello, teams, defs, insight) = (
                self.hello.take(),
                std::mem::take(&mut self.teams),
                std::mem::take(&mut self.unit_defs),
                self.insight.restarted(),
            );
            self.clear();
            (self.hello, self.teams, self.unit_defs, self.insight) = (hello, teams, defs, insight);
        }
        self.insight.ingest_update(update);
        self.last_frame = Some(update.game_frame);
        self.last_game_seconds = update.game_seconds;
        self.paused = update.paused;
        self.updates += 1;
        for (i, sample) in update.teams.iter().enumerate() {
            let army = self.army_value(sample);
            let extra = self
                .insight
                .rows()
                .get(i)
                .copied()
                .unwrap_or(SampleInsight::UNREAD);
            let series = self.series.entry(sample.team_id).or_default();
            push_sample(series, update.game_seconds, sample, army, &extra);
        }
    }

    /// Metric cost of a team's army units (needs `by_def`, i.e. level standard or detailed).
    fn army_value(&mut self, sample: &TeamSample) -> f32 {
        let Some(by_def) = &sample.units.by_def else {
            return f32::NAN;
        };
        if self.army_cost_defs != self.unit_defs.len() {
            self.rebuild_army_cost();
        }
        let mut sum = 0.0f64;
        for &(def, count) in &by_def.0 {
            let cost = match self.army_cost.get(def as usize) {
                Some(&cost) => cost,
                None if def < DENSE_DEF_IDS => None,
                None => self.unit_defs.get(&def).map(army_cost),
            };
            match cost {
                Some(c) => sum += c * f64::from(count),
                None => self.undescribed_defs += 1,
            }
        }
        sum as f32
    }

    fn rebuild_army_cost(&mut self) {
        self.army_cost.clear();
        for (&id, def) in &self.unit_defs {
            if id < DENSE_DEF_IDS {
                let i = id as usize;
                if self.army_cost.len() <= i {
                    self.army_cost.resize(i + 1, None);
                }
                self.army_cost[i] = Some(army_cost(def));
            }
        }
        self.army_cost_defs = self.unit_defs.len();
    }

    /// Teams in id order, with Gaia last.
    pub fn team_ids(&self) -> Vec<u32> {
        let mut ids: Vec<u32> = self
            .series
            .keys()
            .chain(self.teams.keys())
            .copied()
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.sort_by_key(|id| self.teams.get(id).is_some_and(|t| t.is_gaia));
        ids
    }

    pub fn ally_of(&self, team: u32) -> Option<u32> {
        self.teams.get(&team).map(|t| t.ally_team_id)
    }

    /// Ally team ids present, ascending.
    pub fn ally_ids(&self) -> Vec<u32> {
        let mut ids: Vec<u32> = self
            .teams
            .values()
            .filter(|t| !t.is_gaia)
            .map(|t| t.ally_team_id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

/// What one unit of `def` adds to the army value.
fn army_cost(def: &UnitDef) -> f64 {
    if def.category == Category::Army {
        def.metal_cost
    } else {
        0.0
    }
}

fn push_sample(series: &mut TeamSeries, t: f64, s: &TeamSample, army: f32, x: &SampleInsight) {
    let stats = s.stats.unwrap_or_default();
    let (m, e) = (&s.metal, &s.energy);
    let f = |x: f64| x as f32;
    let row: [f32; Metric::COUNT] = [
        f(m.current),
        f(m.storage),
        f(m.income),
        f(m.expense),
        f(m.pull),
        f(m.sent),
        f(m.received),
        f(m.excess),
        f(e.current),
        f(e.storage),
        f(e.income),
        f(e.expense),
        f(e.pull),
        f(e.sent),
        f(e.received),
        f(e.excess),
        s.units.total as f32,
        army,
        f(stats.damage_dealt),
        f(stats.damage_received),
        f(stats.units_killed),
        f(stats.units_died),
        f(stats.units_produced),
        f(stats.metal_produced),
        f(stats.energy_produced),
        x.bands[0],
        x.bands[1],
        x.bands[2],
        x.bands[3],
        x.bands[4],
        x.bands[5],
        x.value_killed,
        x.value_lost,
    ];
    if series.t.last().is_some_and(|&last| t < last) {
        series.clear();
    }
    series.t.push(t);
    for (col, value) in series.columns.iter_mut().zip(row) {
        col.push(value);
    }
}

/// How often the engine refreshes team statistics (the source of counter metrics).
pub const STATS_PERIOD_S: f64 = 15.0;

/// The from-scratch computations the cached ones must equal (lives under `tests/`, not shipped).
#[cfg(test)]
#[path = "../../tests/oracle/store.rs"]
mod oracle;
#[cfg(test)]
mod tests;
