//! Milestones: the moments of a game a player compares across games (first factory, first T2 factory,
//! first fusion, commander lost, …), detected per team from the stream as it arrives.
//!
//! [`MilestoneDetector`] is fed every message in order (the store does it on ingest, the recording
//! summary while it reads a file). Only teams the viewer may read count (see [`super::Visibility`]): a
//! team seen only through radar gets no milestones. The rules are in docs/INSIGHT.md.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Visibility;
use super::defs::{DefTable, Roles};
use crate::protocol::{Update, WidgetMessage};

/// Game frames per game second.
const FRAMES_PER_SECOND: f64 = 30.0;

macro_rules! kinds {
    ($($variant:ident => ($key:literal, $label:literal, $short:literal)),* $(,)?) => {
        /// What happened.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum MilestoneKind { $($variant),* }

        impl MilestoneKind {
            pub const ALL: &'static [MilestoneKind] = &[$(MilestoneKind::$variant),*];
            /// The wire/JSON name (`first_t2_factory`).
            pub fn key(self) -> &'static str { match self { $(MilestoneKind::$variant => $key),* } }
            /// For people: "First T2 factory".
            pub fn label(self) -> &'static str { match self { $(MilestoneKind::$variant => $label),* } }
            /// A few characters for a marker on a plot.
            pub fn short(self) -> &'static str { match self { $(MilestoneKind::$variant => $short),* } }
            pub fn from_key(key: &str) -> Option<MilestoneKind> {
                MilestoneKind::ALL.iter().copied().find(|k| k.key() == key)
            }
        }
    };
}

kinds! {
    FirstFactory => ("first_factory", "First factory", "Fac"),
    FirstT2Factory => ("first_t2_factory", "First T2 factory", "T2"),
    FirstT3 => ("first_t3", "First T3", "T3"),
    FirstFusion => ("first_fusion", "First fusion", "Fus"),
    FirstNuke => ("first_nuke", "First nuke silo", "Nuke"),
    FirstAntinuke => ("first_antinuke", "First anti-nuke", "Anti"),
    CommanderLost => ("commander_lost", "Commander lost", "Com"),
    TeamDied => ("team_died", "Team died", "Dead"),
    GameOver => ("game_over", "Game over", "End"),
}

/// The "first …" kinds and the def role that triggers each, in the order they are reported when several
/// happen in one update.
const FIRSTS: [(MilestoneKind, u8); 6] = [
    (MilestoneKind::FirstFactory, Roles::FACTORY),
    (MilestoneKind::FirstT2Factory, Roles::T2_FACTORY),
    (MilestoneKind::FirstT3, Roles::T3),
    (MilestoneKind::FirstFusion, Roles::FUSION),
    (MilestoneKind::FirstNuke, Roles::NUKE),
    (MilestoneKind::FirstAntinuke, Roles::ANTINUKE),
];

impl MilestoneKind {
    /// The def role ([`Roles`] bit) whose first unit is this milestone, for the "first …" kinds.
    pub fn role(self) -> Option<u8> {
        FIRSTS.iter().find(|(k, _)| *k == self).map(|&(_, bit)| bit)
    }
}

/// One milestone. `team_id` is `None` for game-wide ones (`game_over`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Milestone {
    pub team_id: Option<u32>,
    pub kind: MilestoneKind,
    pub game_seconds: f64,
}

#[derive(Debug, Clone, Copy, Default)]
struct TeamState {
    /// Roles seen so far (bits of [`Roles`]).
    reached: u8,
    /// Commanders in the last sample with unit counts.
    commanders: u32,
    died: bool,
}

/// Detects milestones message by message.
#[derive(Debug, Clone, Default)]
pub struct MilestoneDetector {
    teams: BTreeMap<u32, TeamState>,
    found: Vec<Milestone>,
    game_over: bool,
}

impl MilestoneDetector {
    /// Milestones so far, in the order they happened.
    pub fn milestones(&self) -> &[Milestone] {
        &self.found
    }

    /// Applies one message. `defs` and `vis` must already include it (hello, unit_defs).
    pub fn ingest(&mut self, message: &WidgetMessage, defs: &DefTable, vis: &Visibility) {
        match message {
            WidgetMessage::Update(u) => self.on_update(u, defs, vis),
            WidgetMessage::Event(e) => {
                let t = f64::from(e.game_frame) / FRAMES_PER_SECOND;
                match e.name.as_str() {
                    "team_died" => {
                        let Some(team) = e.team_id.filter(|t| vis.may_read(*t)) else {
                            return;
                        };
                        let state = self.teams.entry(team).or_default();
                        if !state.died {
                            state.died = true;
                            self.push(Some(team), MilestoneKind::TeamDied, t);
                        }
                    }
                    "game_over" if !self.game_over => {
                        self.game_over = true;
                        self.push(None, MilestoneKind::GameOver, t);
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    /// [`MilestoneDetector::ingest`] for an update.
    pub fn on_update(&mut self, u: &Update, defs: &DefTable, vis: &Visibility) {
        for sample in &u.teams {
            if !vis.reads(sample) {
                continue;
            }
            let Some(by_def) = &sample.units.by_def else {
                continue;
            };
            let (mut roles, mut commanders) = (0u8, 0u32);
            for &(def, count) in &by_def.0 {
                if count == 0 {
                    continue;
                }
                if let Some(info) = defs.get(def) {
                    roles |= info.roles.0;
                    if info.roles.has(Roles::COMMANDER) {
                        commanders = commanders.saturating_add(count);
                    }
                }
            }
            let team = sample.team_id;
            let state = self.teams.entry(team).or_default();
            let new = roles & !state.reached;
            state.reached |= roles;
            let lost = state.commanders > 0 && commanders == 0;
            state.commanders = commanders;
            for (kind, bit) in FIRSTS {
                if new & bit != 0 {
                    self.push(Some(team), kind, u.game_seconds);
                }
            }
            if lost {
                self.push(Some(team), MilestoneKind::CommanderLost, u.game_seconds);
            }
        }
    }

    fn push(&mut self, team_id: Option<u32>, kind: MilestoneKind, game_seconds: f64) {
        self.found.push(Milestone {
            team_id,
            kind,
            game_seconds,
        });
    }
}

/// The first milestone of `kind` for `team`, in game seconds.
pub fn first_of(milestones: &[Milestone], team: u32, kind: MilestoneKind) -> Option<f64> {
    milestones
        .iter()
        .find(|m| m.team_id == Some(team) && m.kind == kind)
        .map(|m| m.game_seconds)
}
