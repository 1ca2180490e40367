//! What the simulated widget puts on the wire: the update built from the game's state (rounded as the
//! widget's numbers are, a radar-only team reduced to what a viewer sees of it).

use super::{FRAMES_PER_SECOND, SimGame, SimTeam, defs};
use crate::protocol::*;
use crate::sim::rng::Rng;

impl SimGame {
    pub(super) fn update(&self) -> Update {
        let level = self.opts.level;
        let teams: Vec<TeamSample> = self
            .teams
            .iter()
            .filter(|t| t.alive && self.viewer_reads(t))
            .map(|t| self.sample(t, level))
            .collect();
        let (units, units_omitted) = if level == Level::Detailed {
            let (list, omitted) = self.unit_list();
            (Some(list), Some(omitted))
        } else {
            (None, None)
        };
        Update {
            game_frame: self.frame,
            game_seconds: f64::from(self.frame) / f64::from(FRAMES_PER_SECOND),
            paused: false,
            speed: 1.0,
            teams,
            units,
            units_omitted,
        }
    }

    /// One team's part of an update: everything for a readable team; for the radar-only team
    /// ([`SimOptions::radar_team`]) no resources or statistics, the units in sight by def and the rest as
    /// unknown blips.
    fn sample(&self, t: &SimTeam, level: Level) -> TeamSample {
        let radar = Some(t.info.team_id) == self.opts.radar_team;
        let seen = |def: u32| !radar || in_sight(def);
        let by_def: Vec<(u32, u32)> = t
            .counts
            .iter()
            .filter(|c| *c.1 > 0 && seen(*c.0))
            .map(|(&d, &n)| (d, n))
            .collect();
        let total: u32 = t.counts.values().sum();
        let visible: u32 = by_def.iter().map(|c| c.1).sum();
        let blank = Resource::UNKNOWN;
        TeamSample {
            team_id: t.info.team_id,
            metal: if radar {
                blank
            } else {
                round_resource(t.last_metal)
            },
            energy: if radar {
                blank
            } else {
                round_resource(t.last_energy)
            },
            units: UnitCounts {
                total: if radar { visible } else { total },
                by_def: (level != Level::Minimal).then_some(DefCounts(by_def)),
                unknown: radar.then_some(total - visible),
            },
            stats: if level == Level::Minimal || radar {
                None
            } else {
                t.last_stats.map(round_stats)
            },
        }
    }

    /// Per-unit positions derived from counts (stable ids, positions drifting towards the front).
    fn unit_list(&self) -> (Vec<UnitSample>, u32) {
        let mut list = Vec::new();
        let mut total = 0u32;
        let t = f64::from(self.frame) / f64::from(FRAMES_PER_SECOND);
        for team in self
            .teams
            .iter()
            .filter(|t| t.alive && self.viewer_reads(t))
        {
            let base_x = if team.info.ally_team_id == 0 {
                1500.0
            } else {
                8500.0
            };
            let radar = Some(team.info.team_id) == self.opts.radar_team;
            for (&def, &n) in &team.counts {
                if radar && !in_sight(def) {
                    continue;
                }
                for k in 0..n {
                    total += 1;
                    if list.len() as u32 >= self.opts.max_units {
                        continue;
                    }
                    let id = team.info.team_id * 100_000 + def * 1000 + k;
                    let h = Rng::new(u64::from(id)).unit();
                    let mobile = defs::ARMY.contains(&def) || defs::BUILDERS.contains(&def);
                    let drift = if mobile {
                        (t / 60.0 + h * 6.0).sin() * 2500.0
                    } else {
                        0.0
                    };
                    list.push(UnitSample {
                        id,
                        def,
                        team: team.info.team_id,
                        x: (base_x + drift + h * 900.0).round(),
                        z: (1000.0 + h * 8000.0).round(),
                        health: ((0.55 + 0.45 * (t / 30.0 + h * 9.0).cos().abs()) * 100.0).round()
                            / 100.0,
                        build: 1.0,
                    });
                }
            }
        }
        let omitted = total - list.len() as u32;
        (list, omitted)
    }
}

/// What a viewer sees of a team seen only through radar: its army at the front and its factories.
fn in_sight(def: u32) -> bool {
    defs::ARMY.contains(&def)
        || defs::FACTORIES.contains(&def)
        || defs::T2_FACTORIES.contains(&def)
        || def == defs::T3_FACTORY
}

/// Rounds to 7 significant digits, as the widget does (the engine's numbers are 32-bit floats).
pub fn sig7(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let digits = 6 - x.abs().log10().floor() as i32;
    let p = 10f64.powi(digits);
    (x * p).round() / p
}

pub(super) fn round_resource(r: Resource) -> Resource {
    Resource {
        current: sig7(r.current),
        storage: sig7(r.storage),
        pull: sig7(r.pull),
        income: sig7(r.income),
        expense: sig7(r.expense),
        share: sig7(r.share),
        sent: sig7(r.sent),
        received: sig7(r.received),
        excess: sig7(r.excess),
    }
}

pub(super) fn round_stats(mut s: TeamStats) -> TeamStats {
    for f in [
        &mut s.metal_used,
        &mut s.metal_produced,
        &mut s.metal_excess,
        &mut s.energy_used,
        &mut s.energy_produced,
        &mut s.energy_excess,
        &mut s.damage_dealt,
        &mut s.damage_received,
    ] {
        *f = sig7(*f);
    }
    s
}
