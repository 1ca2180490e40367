//! A past game reduced to what benchmarks and splits compare: per team, its values at each whole minute
//! (metal income, army value, units) and its splits.

use std::path::{Path, PathBuf};

use super::build_coach::{BuildKey, keyed_opening};
use super::splits::{Splits, splits_of};
use crate::store::{Metric, Store};

/// The metrics a benchmark compares, in this order.
pub const PROFILE_METRICS: [Metric; 3] = [Metric::MetalIncome, Metric::ArmyValue, Metric::Units];

#[derive(Debug, Clone, PartialEq)]
pub struct TeamProfile {
    pub team_id: u32,
    pub name: String,
    pub is_ai: bool,
    /// `minutes[m - 1]`: the values of [`PROFILE_METRICS`] at minute `m` (the last sample at or before
    /// `60·m` s), for every minute the team still sent samples at or after.
    pub minutes: Vec<[f32; PROFILE_METRICS.len()]>,
    pub splits: Splits,
    /// The first units of its build order, keyed for coaching ([`super::build_coach`]).
    pub opening: Vec<(BuildKey, f64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GameProfile {
    pub path: PathBuf,
    pub teams: Vec<TeamProfile>,
}

impl GameProfile {
    /// The team a player name played, if any (AI teams never match).
    pub fn team_named(&self, name: &str) -> Option<&TeamProfile> {
        self.teams.iter().find(|t| !t.is_ai && t.name == name)
    }
}

/// The profile of the game in `store`.
pub fn profile_of_store(store: &Store, path: &Path) -> GameProfile {
    let teams = store
        .teams
        .values()
        .filter(|t| !t.is_gaia)
        .map(|info| {
            let minutes = store
                .series
                .get(&info.team_id)
                .map(|s| {
                    let last = s.t.last().copied().unwrap_or(f64::NEG_INFINITY);
                    (1..)
                        .map(|m| 60.0 * f64::from(m))
                        .take_while(|&t| t <= last)
                        .map(|t| {
                            // Before the first sample (a recording that started late): no value.
                            let i = s.t.partition_point(|&x| x <= t);
                            PROFILE_METRICS.map(|metric| {
                                i.checked_sub(1).map_or(f32::NAN, |i| s.values(metric)[i])
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            TeamProfile {
                team_id: info.team_id,
                name: info.name.clone(),
                is_ai: info.is_ai,
                minutes,
                splits: splits_of(store, info.team_id),
                opening: keyed_opening(store.insight().build_orders(), info.team_id),
            }
        })
        .collect();
    GameProfile {
        path: path.to_owned(),
        teams,
    }
}

/// Reads a recording or BAR replay and profiles its game.
pub fn read_profile(path: &Path) -> anyhow::Result<GameProfile> {
    Ok(profile_of_store(
        &crate::review::load_game(path)?.store,
        path,
    ))
}
