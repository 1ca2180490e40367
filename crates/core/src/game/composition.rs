//! Army composition and trades, per team sample.
//!
//! - **Composition**: the metal cost of a team's units by [`Band`] (army or defense × tech level).
//!   The three army bands add up to the store's army value.
//! - **Value lost**: every drop of a def's count between two samples, times its metal cost, summed over
//!   all categories (a running total). A count that drops because units were given away or reclaimed
//!   counts too: the stream cannot tell these apart.
//! - **Value killed**: the stream does not say who killed what, so it is attributed. Each team's value
//!   lost in an update is split among the readable teams of other ally teams in that update, in
//!   proportion to the damage each dealt over the last [`DAMAGE_WINDOW_S`] (equally when none did).
//!   A team with no readable enemy (a player sees only their own ally team) gets an estimate instead:
//!   its units killed (the engine's statistic) times the mean metal value of the units it lost so far
//!   (or of its army while it has lost none) — "like-for-like trades".
//!
//! Unreadable teams ([`Visibility::reads`] false) get NaN rows and take no part.

use std::collections::{BTreeMap, VecDeque};

use super::Visibility;
use super::defs::{Band, DefTable};
use crate::protocol::{TeamSample, Update};

/// How far back a team's damage dealt counts when value killed is attributed.
pub const DAMAGE_WINDOW_S: f64 = 60.0;

/// What a team sample adds to the store's insight columns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleInsight {
    /// Metal cost of the team's units by [`Band`] index.
    pub bands: [f32; Band::COUNT],
    /// Running totals, in metal.
    pub value_lost: f32,
    pub value_killed: f32,
}

impl SampleInsight {
    pub const UNREAD: SampleInsight = SampleInsight {
        bands: [f32::NAN; Band::COUNT],
        value_lost: f32::NAN,
        value_killed: f32::NAN,
    };
}

#[derive(Debug, Clone, Default)]
struct TradeTeam {
    /// `by_def` of the previous readable sample (`has_prev` false before the first).
    prev: Vec<(u32, u32)>,
    has_prev: bool,
    lost: f64,
    lost_units: f64,
    killed: f64,
    /// (game seconds, damage dealt so far), spanning at least the last window.
    damage: VecDeque<(f64, f64)>,
    /// The engine's units killed at the last sample that had it.
    units_killed: Option<f64>,
}

impl TradeTeam {
    /// Damage dealt over the window ending at the newest entry.
    fn recent_damage(&self) -> f64 {
        match (self.damage.front(), self.damage.back()) {
            (Some(a), Some(b)) => (b.1 - a.1).max(0.0),
            _ => 0.0,
        }
    }

    fn note_damage(&mut self, t: f64, s: &TeamSample) {
        let Some(dealt) = s.stats.map(|st| st.damage_dealt).filter(|d| d.is_finite()) else {
            return;
        };
        if self.damage.back().is_some_and(|b| t < b.0) {
            self.damage.clear();
        }
        self.damage.push_back((t, dealt));
        // Keep one entry at or before the window's start as its baseline.
        while self.damage.len() > 1 && self.damage[1].0 <= t - DAMAGE_WINDOW_S {
            self.damage.pop_front();
        }
    }
}

/// Value lost and killed per team, updated sample by sample.
#[derive(Debug, Clone, Default)]
pub struct Trades {
    teams: BTreeMap<u32, TradeTeam>,
    /// Scratch: counts of the current sample by def id.
    scratch: Vec<u32>,
}

/// One readable sample's part in an update.
struct Read {
    index: usize,
    team: u32,
    ally: Option<u32>,
    lost_now: f64,
    army_value: f64,
    army_units: f64,
}

impl Trades {
    /// Computes one row per sample of `u` into `rows` (cleared first).
    pub fn on_update(
        &mut self,
        u: &Update,
        defs: &DefTable,
        vis: &Visibility,
        rows: &mut Vec<SampleInsight>,
    ) {
        rows.clear();
        rows.resize(u.teams.len(), SampleInsight::UNREAD);
        let mut read = Vec::new();
        for (index, s) in u.teams.iter().enumerate() {
            if !vis.reads(s) {
                continue;
            }
            let Some(by_def) = &s.units.by_def else {
                continue;
            };
            let mut bands = [0f64; Band::COUNT];
            let (mut army_units, mut now_max) = (0.0, 0usize);
            for &(def, count) in &by_def.0 {
                if let Some(info) = defs.get(def)
                    && let Some(band) = info.band
                {
                    bands[band.index()] += info.metal_cost * f64::from(count);
                    if band <= Band::ArmyT3 {
                        army_units += f64::from(count);
                    }
                }
                now_max = now_max.max(def as usize + 1);
            }
            let team = self.teams.entry(s.team_id).or_default();
            let (lost_now, lost_units) = if team.has_prev {
                losses(&team.prev, &by_def.0, defs, &mut self.scratch, now_max)
            } else {
                (0.0, 0.0)
            };
            team.prev.clear();
            team.prev.extend_from_slice(&by_def.0);
            team.has_prev = true;
            team.lost += lost_now;
            team.lost_units += lost_units;
            team.note_damage(u.game_seconds, s);
            let army_value = bands[..=Band::ArmyT3.index()].iter().sum();
            rows[index].bands = bands.map(|b| b as f32);
            read.push(Read {
                index,
                team: s.team_id,
                ally: vis.ally_of(s.team_id),
                lost_now,
                army_value,
                army_units,
            });
        }
        self.attribute(&read, u);
        for r in &read {
            let team = &self.teams[&r.team];
            rows[r.index].value_lost = team.lost as f32;
            rows[r.index].value_killed = team.killed as f32;
        }
    }

    /// Splits this update's losses among enemies, or estimates kills for teams without a readable enemy.
    fn attribute(&mut self, read: &[Read], u: &Update) {
        let enemies = |a: &Read, b: &Read| a.ally.is_some() && b.ally.is_some() && a.ally != b.ally;
        for victim in read.iter().filter(|r| r.lost_now > 0.0) {
            let killers: Vec<(u32, f64)> = read
                .iter()
                .filter(|k| enemies(victim, k))
                .map(|k| (k.team, self.teams[&k.team].recent_damage()))
                .collect();
            let total: f64 = killers.iter().map(|k| k.1).sum();
            for &(k, weight) in &killers {
                let share = if total > 0.0 {
                    weight / total
                } else {
                    1.0 / killers.len() as f64
                };
                if let Some(t) = self.teams.get_mut(&k) {
                    t.killed += victim.lost_now * share;
                }
            }
        }
        for r in read {
            let sees_enemy = read.iter().any(|k| enemies(r, k));
            let Some(team) = self.teams.get_mut(&r.team) else {
                continue;
            };
            let killed_now = u.teams[r.index]
                .stats
                .map(|st| st.units_killed)
                .filter(|k| k.is_finite());
            if let Some(k) = killed_now {
                let before = team.units_killed.replace(k);
                if !sees_enemy && let Some(before) = before {
                    let per_unit = if team.lost_units > 0.0 {
                        team.lost / team.lost_units
                    } else if r.army_units > 0.0 {
                        r.army_value / r.army_units
                    } else {
                        0.0
                    };
                    team.killed += (k - before).max(0.0) * per_unit;
                }
            }
        }
    }
}

/// Def ids up to this use a flat scratch table; a sample with larger ones uses a map.
const DENSE_DEFS: usize = 1 << 16;

/// Metal value and number of units that were in `prev` and are not in `now`.
fn losses(
    prev: &[(u32, u32)],
    now: &[(u32, u32)],
    defs: &DefTable,
    scratch: &mut Vec<u32>,
    now_max: usize,
) -> (f64, f64) {
    if now_max > DENSE_DEFS {
        let now: std::collections::HashMap<u32, u32> = now.iter().copied().collect();
        return prev
            .iter()
            .fold((0.0, 0.0), |(value, units), &(def, before)| {
                let n = f64::from(before.saturating_sub(now.get(&def).copied().unwrap_or(0)));
                (
                    value + n * defs.get(def).map_or(0.0, |d| d.metal_cost),
                    units + n,
                )
            });
    }
    if scratch.len() < now_max {
        scratch.resize(now_max, 0);
    }
    for &(def, count) in now {
        scratch[def as usize] = count;
    }
    let (mut value, mut units) = (0.0, 0.0);
    for &(def, before) in prev {
        let after = scratch.get(def as usize).copied().unwrap_or(0);
        if before > after {
            let n = f64::from(before - after);
            units += n;
            value += n * defs.get(def).map_or(0.0, |d| d.metal_cost);
        }
    }
    for &(def, _) in now {
        scratch[def as usize] = 0;
    }
    (value, units)
}
