//! Build orders: per team, the units it finished, in order, with game time.
//!
//! Derived from rises in the per-def unit counts of `standard` updates (`units.by_def`): when a team's
//! count of a def goes from 3 to 5 between two samples, two of that def were finished at the second
//! sample's time. The limits (docs/INSIGHT.md, "Build orders"):
//! - a unit lost and another of the same def finished between two samples cancel out, and are missed;
//! - the units in a team's first sample with counts are its start (the commander), not built;
//! - the time is the sample's (every 15 game frames at the default interval), so items in one sample
//!   share it; they keep the order of the sample's `by_def`;
//! - only teams the viewer may read ([`super::Visibility`]): a team seen through radar gets none, as
//!   for milestones.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::Visibility;
use crate::protocol::{UnitDef, Update};

/// Most items kept per team (a long game with thousands of units keeps its first ones).
pub const MAX_ITEMS_PER_TEAM: usize = 10_000;
/// Items per team in a recording's summary (`info --json`'s `build_order`).
pub const SUMMARY_ITEMS_PER_TEAM: usize = 30;

/// One finished unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BuildItem {
    pub game_seconds: f64,
    pub def: u32,
}

/// One item as files and pages show it: the team, the time, BAR's display name (`unit`) and the def's
/// internal name (`def`, the same in every language; empty when no `unit_defs` described it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuildEntry {
    pub team_id: u32,
    pub game_seconds: f64,
    pub unit: String,
    #[serde(default)]
    pub def: String,
}

#[derive(Debug, Clone, Default)]
struct TeamBuild {
    /// Counts of the last sample with counts (absent defs: 0); `None` before the first.
    last: Option<HashMap<u32, u32>>,
    items: Vec<BuildItem>,
}

/// Build orders of every readable team, updated sample by sample.
#[derive(Debug, Clone, Default)]
pub struct BuildOrders {
    teams: BTreeMap<u32, TeamBuild>,
    /// Def id → (display name, internal name), from `unit_defs`.
    names: HashMap<u32, (String, String)>,
}

impl BuildOrders {
    /// The same game started over: names stay, the items restart.
    pub fn restarted(&self) -> BuildOrders {
        BuildOrders {
            teams: BTreeMap::new(),
            names: self.names.clone(),
        }
    }

    /// Learns the names of described defs.
    pub fn on_unit_defs(&mut self, defs: &[UnitDef]) {
        for d in defs {
            self.names.insert(d.id, (d.label.clone(), d.name.clone()));
        }
    }

    pub fn on_update(&mut self, u: &Update, vis: &Visibility) {
        for sample in &u.teams {
            if !vis.reads(sample) {
                continue;
            }
            let Some(by_def) = &sample.units.by_def else {
                continue;
            };
            let team = self.teams.entry(sample.team_id).or_default();
            let mut now: HashMap<u32, u32> = HashMap::with_capacity(by_def.0.len());
            for &(def, count) in &by_def.0 {
                *now.entry(def).or_default() += count;
            }
            if let Some(last) = &team.last {
                let mut done = HashSet::with_capacity(now.len());
                // In the sample's order, each def once (even if `by_def` lists it twice).
                for &(def, _) in by_def.0.iter().filter(|(d, _)| done.insert(*d)) {
                    let rise = now[&def].saturating_sub(last.get(&def).copied().unwrap_or(0));
                    let room = MAX_ITEMS_PER_TEAM.saturating_sub(team.items.len());
                    let item = BuildItem {
                        game_seconds: u.game_seconds,
                        def,
                    };
                    team.items
                        .extend(std::iter::repeat_n(item, (rise as usize).min(room)));
                }
            }
            team.last = Some(now);
        }
    }

    /// A team's items, in order.
    pub fn team(&self, team_id: u32) -> &[BuildItem] {
        self.teams.get(&team_id).map_or(&[], |t| &t.items)
    }

    /// Teams with a build order (a first sample with counts seen), in team order.
    pub fn team_ids(&self) -> impl Iterator<Item = u32> + '_ {
        self.teams.keys().copied()
    }

    /// BAR's display name of a def (`def #id` when no `unit_defs` described it).
    pub fn unit_name(&self, def: u32) -> String {
        self.names
            .get(&def)
            .map_or_else(|| format!("def #{def}"), |(label, _)| label.clone())
    }

    /// The def's internal name (`armmex`), empty when not described.
    pub fn def_name(&self, def: u32) -> &str {
        self.names.get(&def).map_or("", |(_, name)| name.as_str())
    }

    /// The first `per_team` items of every team, in time order (ties in team order).
    pub fn entries(&self, per_team: usize) -> Vec<BuildEntry> {
        let mut out: Vec<BuildEntry> = self
            .teams
            .iter()
            .flat_map(|(&team_id, t)| t.items.iter().take(per_team).map(move |i| (team_id, i)))
            .map(|(team_id, i)| self.entry(team_id, i))
            .collect();
        out.sort_by(|a, b| a.game_seconds.total_cmp(&b.game_seconds));
        out
    }

    pub fn entry(&self, team_id: u32, item: &BuildItem) -> BuildEntry {
        BuildEntry {
            team_id,
            game_seconds: item.game_seconds,
            unit: self.unit_name(item.def),
            def: self.def_name(item.def).to_owned(),
        }
    }
}
