//! Alerts for the local player's own team: an energy stall, metal overflowing, the commander under
//! attack. Each is a condition with **hysteresis**: it turns on only after its "on" condition has held
//! for a while and off only after a clearly different "off" condition has held for a while, so a value
//! hovering around a threshold never makes it flicker. Thresholds are in [`Thresholds`] and
//! docs/INSIGHT.md.
//!
//! [`AlertEngine::update`] reads the store's new samples of the local player's team (never another
//! team's, and nothing while spectating).

use std::collections::VecDeque;

use crate::store::{Metric, Store, TeamSeries};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlertKind {
    EnergyStall,
    MetalOverflow,
    CommanderUnderAttack,
}

impl AlertKind {
    pub const ALL: [AlertKind; 3] = [
        AlertKind::EnergyStall,
        AlertKind::MetalOverflow,
        AlertKind::CommanderUnderAttack,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    /// What the overlay flashes.
    pub fn message(self) -> &'static str {
        match self {
            AlertKind::EnergyStall => "Energy stall",
            AlertKind::MetalOverflow => "Metal overflowing",
            AlertKind::CommanderUnderAttack => "Commander under attack",
        }
    }
}

/// The thresholds (fractions of storage, per-second rates, game seconds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Energy stall on: stored energy below this share of storage (and at most `stall_low_max`) while
    /// demand (pull) exceeds income.
    pub stall_on_share: f64,
    pub stall_low_max: f64,
    /// Energy stall off: stored energy above this share of storage, or demand below 90 % of income.
    pub stall_off_share: f64,
    /// Metal overflow on: stored metal at or above this share of storage with excess above
    /// `overflow_excess` per second (metal being wasted).
    pub overflow_on_share: f64,
    pub overflow_excess: f64,
    /// Metal overflow off: stored metal below this share, or no excess.
    pub overflow_off_share: f64,
    /// Commander under attack on: a commander lost at least this share of its health within
    /// `attack_window_s`.
    pub attack_drop: f64,
    pub attack_window_s: f64,
    /// How long an "on" condition must hold before the alert turns on, and an "off" condition before it
    /// turns off.
    pub on_after_s: f64,
    pub off_after_s: f64,
    /// The commander alert stays on until its health has not dropped for this long.
    pub attack_quiet_s: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            stall_on_share: 0.03,
            stall_low_max: 150.0,
            stall_off_share: 0.10,
            overflow_on_share: 0.97,
            overflow_excess: 0.5,
            overflow_off_share: 0.90,
            attack_drop: 0.03,
            attack_window_s: 5.0,
            on_after_s: 2.0,
            off_after_s: 4.0,
            attack_quiet_s: 10.0,
        }
    }
}

/// A two-threshold switch with dwell times.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Hysteresis {
    pub active: bool,
    /// Since when the condition for the other state has held.
    pending_since: Option<f64>,
}

impl Hysteresis {
    /// Feeds one sample at game time `t`: `on` / `off` are the conditions to turn on / off; `on_for` /
    /// `off_for` how long they must hold. Returns the new state when it changed.
    pub fn update(
        &mut self,
        t: f64,
        on: bool,
        off: bool,
        on_for: f64,
        off_for: f64,
    ) -> Option<bool> {
        let (wanted, hold) = if self.active {
            (off, off_for)
        } else {
            (on, on_for)
        };
        if !wanted {
            self.pending_since = None;
            return None;
        }
        let since = *self.pending_since.get_or_insert(t);
        if t - since >= hold {
            self.active = !self.active;
            self.pending_since = None;
            return Some(self.active);
        }
        None
    }
}

/// One alert turning on or off.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlertEvent {
    pub kind: AlertKind,
    pub on: bool,
    pub game_seconds: f64,
}

/// One sample of the local team, as the alerts read it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlertSample {
    pub t: f64,
    pub energy_current: f64,
    pub energy_storage: f64,
    pub energy_pull: f64,
    pub energy_income: f64,
    pub metal_current: f64,
    pub metal_storage: f64,
    pub metal_excess: f64,
}

impl AlertSample {
    /// Sample `i` of a team's series.
    pub fn of(series: &TeamSeries, i: usize) -> AlertSample {
        let v = |m: Metric| f64::from(series.values(m)[i]);
        AlertSample {
            t: series.t[i],
            energy_current: v(Metric::EnergyCurrent),
            energy_storage: v(Metric::EnergyStorage),
            energy_pull: v(Metric::EnergyPull),
            energy_income: v(Metric::EnergyIncome),
            metal_current: v(Metric::MetalCurrent),
            metal_storage: v(Metric::MetalStorage),
            metal_excess: v(Metric::MetalExcess),
        }
    }
}

/// The energy stall's on and off conditions for a sample.
pub fn stall_conditions(s: &AlertSample, th: &Thresholds) -> (bool, bool) {
    let low = (th.stall_on_share * s.energy_storage).min(th.stall_low_max);
    let on = s.energy_current <= low && s.energy_pull > s.energy_income;
    let off = s.energy_current >= th.stall_off_share * s.energy_storage
        || s.energy_pull < 0.9 * s.energy_income;
    (on, off)
}

/// The metal overflow's on and off conditions for a sample.
pub fn overflow_conditions(s: &AlertSample, th: &Thresholds) -> (bool, bool) {
    let full = s.metal_storage > 0.0 && s.metal_current >= th.overflow_on_share * s.metal_storage;
    let on = full && s.metal_excess > th.overflow_excess;
    let off = s.metal_current < th.overflow_off_share * s.metal_storage || s.metal_excess <= 0.0;
    (on, off)
}

/// The alert state for the local player's team, advanced sample by sample.
#[derive(Debug, Clone, Default)]
pub struct AlertEngine {
    pub thresholds: Thresholds,
    team: Option<u32>,
    /// Samples of the team's series already read, and the time of the last one.
    read: usize,
    last_t: Option<f64>,
    /// Commander health samples already read.
    health_read: usize,
    health: VecDeque<(f64, f32)>,
    states: [Hysteresis; 3],
}

impl AlertEngine {
    /// Whether each alert ([`AlertKind::index`]) is on.
    pub fn active(&self) -> [bool; 3] {
        self.states.map(|s| s.active)
    }

    /// Reads the samples that arrived since the last call; returns the alerts that turned on or off.
    /// Only the local player's own team counts (`hello.game.spectating == false`, `my_team_id`).
    pub fn update(&mut self, store: &Store) -> Vec<AlertEvent> {
        let mut out = Vec::new();
        let team = store.my_playing_team();
        let Some(series) = team.and_then(|t| store.series.get(&t)) else {
            *self = AlertEngine {
                thresholds: self.thresholds,
                ..AlertEngine::default()
            };
            return out;
        };
        let replaced = self.read > series.len()
            || self
                .last_t
                .is_some_and(|t| self.read > 0 && series.t.get(self.read - 1) != Some(&t));
        if team != self.team || replaced {
            *self = AlertEngine {
                thresholds: self.thresholds,
                team,
                ..AlertEngine::default()
            };
        }
        for i in self.read..series.len() {
            out.extend(self.step(&AlertSample::of(series, i)));
        }
        self.read = series.len();
        self.last_t = series.t.last().copied();
        let health = store.insight().commander_health();
        if self.health_read > health.len() {
            self.health_read = 0;
        }
        for &(t, h) in &health[self.health_read..] {
            out.extend(self.step_health(t, h));
        }
        self.health_read = health.len();
        out
    }

    /// Advances the resource alerts by one sample.
    pub fn step(&mut self, s: &AlertSample) -> Vec<AlertEvent> {
        let th = self.thresholds;
        let mut out = Vec::new();
        for (kind, (on, off)) in [
            (AlertKind::EnergyStall, stall_conditions(s, &th)),
            (AlertKind::MetalOverflow, overflow_conditions(s, &th)),
        ] {
            let state = &mut self.states[kind.index()];
            if let Some(now) = state.update(s.t, on, off, th.on_after_s, th.off_after_s) {
                out.push(AlertEvent {
                    kind,
                    on: now,
                    game_seconds: s.t,
                });
            }
        }
        out
    }

    /// Advances the commander alert by one health sample (the lowest commander health, 0..1).
    pub fn step_health(&mut self, t: f64, health: f32) -> Option<AlertEvent> {
        let th = self.thresholds;
        self.health.push_back((t, health));
        while self
            .health
            .front()
            .is_some_and(|&(t0, _)| t - t0 > th.attack_window_s)
        {
            self.health.pop_front();
        }
        let peak = self.health.iter().map(|h| h.1).fold(f32::MIN, f32::max);
        let dropping = f64::from(peak - health) >= th.attack_drop;
        let state = &mut self.states[AlertKind::CommanderUnderAttack.index()];
        // On at once when health drops; off once it has not dropped for the quiet time.
        state
            .update(t, dropping, !dropping, 0.0, th.attack_quiet_s)
            .map(|on| AlertEvent {
                kind: AlertKind::CommanderUnderAttack,
                on,
                game_seconds: t,
            })
    }
}
