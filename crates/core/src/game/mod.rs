//! The game as the stream describes it, derived as messages arrive (the store runs this at ingest;
//! nothing here reads the store, so the dependency goes one way: `store` → `game`, and `insight`, which
//! analyses stores and past games, → both).
//!
//! - [`milestones`]: first factory, first T2 factory, … per team, detected as messages arrive.
//! - [`composition`]: army value by category and tech level, and value killed vs value lost.
//! - [`build_order`]: the units each team finished, in order, from rises in its per-def counts.
//! - [`defs`]: what a unit def means for both (roles, band, cost).
//!
//! Everything here reads only teams the viewer may read ([`Visibility`]).

pub mod build_order;
pub mod composition;
pub mod defs;
pub mod milestones;

use std::collections::{BTreeMap, BTreeSet};

pub use build_order::{BuildEntry, BuildItem, BuildOrders};
pub use composition::SampleInsight;
pub use defs::{Band, DefTable};
pub use milestones::{Milestone, MilestoneDetector, MilestoneKind};

use crate::protocol::{Hello, TeamSample, Update, WidgetMessage};

/// Which teams the viewer may read: those the last `hello` lists (the widget lists exactly the readable
/// teams). A sample counts only when its team is listed, it carries resources and it has no radar blips
/// of unknown type (`units.unknown`, which only a team seen through radar has).
#[derive(Debug, Clone, Default)]
pub struct Visibility {
    readable: BTreeSet<u32>,
    ally: BTreeMap<u32, u32>,
    /// The local player's team while playing (not spectating).
    my_team: Option<u32>,
}

impl Visibility {
    pub fn on_hello(&mut self, hello: &Hello) {
        self.readable = hello.teams.iter().map(|t| t.team_id).collect();
        for t in &hello.teams {
            self.ally.insert(t.team_id, t.ally_team_id);
        }
        self.my_team = if hello.game.spectating {
            None
        } else {
            u32::try_from(hello.game.my_team_id).ok()
        };
    }

    /// The local player's own team, when playing.
    pub fn my_team(&self) -> Option<u32> {
        self.my_team
    }

    /// The team is one the viewer may read.
    pub fn may_read(&self, team: u32) -> bool {
        self.readable.contains(&team)
    }

    /// The sample is a full read of a readable team.
    pub fn reads(&self, s: &TeamSample) -> bool {
        self.may_read(s.team_id)
            && s.units.unknown.is_none()
            && (s.metal.current.is_finite() || s.metal.income.is_finite())
    }

    pub fn ally_of(&self, team: u32) -> Option<u32> {
        self.ally.get(&team).copied()
    }
}

/// Unit defs and visibility as the stream describes them, with the milestones and build orders they
/// imply: what the recording summary keeps (no per-sample work beyond these).
#[derive(Debug, Clone, Default)]
pub struct MilestoneFeed {
    defs: DefTable,
    vis: Visibility,
    detector: MilestoneDetector,
    build: BuildOrders,
}

impl MilestoneFeed {
    pub fn ingest(&mut self, message: &WidgetMessage) {
        self.learn(message);
        self.detector.ingest(message, &self.defs, &self.vis);
        if let WidgetMessage::Update(u) = message {
            self.build.on_update(u, &self.vis);
        }
    }

    fn learn(&mut self, message: &WidgetMessage) {
        match message {
            WidgetMessage::Hello(h) => self.vis.on_hello(h),
            WidgetMessage::UnitDefs(d) => {
                d.defs.iter().for_each(|def| self.defs.insert(def));
                self.build.on_unit_defs(&d.defs);
            }
            _ => {}
        }
    }

    /// Build orders so far.
    pub fn build_orders(&self) -> &BuildOrders {
        &self.build
    }

    pub fn milestones(&self) -> &[Milestone] {
        self.detector.milestones()
    }

    pub fn visibility(&self) -> &Visibility {
        &self.vis
    }
}

/// Everything the store keeps beyond its raw columns: milestones, and per sample the composition and
/// trades ([`SampleInsight`]).
#[derive(Debug, Clone, Default)]
pub struct Insight {
    feed: MilestoneFeed,
    trades: composition::Trades,
    rows: Vec<SampleInsight>,
    /// (game seconds, lowest health 0..1) of the local player's commanders, from updates at level
    /// detailed (the unit list): what the commander alert reads.
    commander_health: Vec<(f64, f32)>,
}

impl Insight {
    /// Applies one message; after an update, [`Insight::rows`] holds one row per team sample.
    pub fn ingest(&mut self, message: &WidgetMessage) {
        match message {
            WidgetMessage::Update(u) => self.ingest_update(u),
            other => self.feed.ingest(other),
        }
    }

    /// [`Insight::ingest`] for an update.
    pub fn ingest_update(&mut self, u: &Update) {
        let (defs, vis) = (&self.feed.defs, &self.feed.vis);
        self.feed.detector.on_update(u, defs, vis);
        self.feed.build.on_update(u, vis);
        self.trades.on_update(u, defs, vis, &mut self.rows);
        if let (Some(me), Some(units)) = (vis.my_team(), &u.units) {
            let lowest = units
                .iter()
                .filter(|x| x.team == me && x.health.is_finite())
                .filter(|x| {
                    defs.get(x.def)
                        .is_some_and(|d| d.roles.has(defs::Roles::COMMANDER))
                })
                .map(|x| x.health as f32)
                .reduce(f32::min);
            if let Some(h) = lowest {
                self.commander_health.push((u.game_seconds, h));
            }
        }
    }

    /// The local player's lowest commander health over time (level detailed only).
    pub fn commander_health(&self) -> &[(f64, f32)] {
        &self.commander_health
    }

    /// The rows of the last update, in its team order.
    pub fn rows(&self) -> &[SampleInsight] {
        &self.rows
    }

    pub fn milestones(&self) -> &[Milestone] {
        self.feed.milestones()
    }

    /// Build orders of the readable teams (see [`build_order`]).
    pub fn build_orders(&self) -> &BuildOrders {
        self.feed.build_orders()
    }

    pub fn visibility(&self) -> &Visibility {
        &self.feed.vis
    }

    /// The same game started over (time went backwards): defs and visibility stay, the rest restarts.
    pub fn restarted(&self) -> Insight {
        Insight {
            feed: MilestoneFeed {
                defs: self.feed.defs.clone(),
                vis: self.feed.vis.clone(),
                detector: MilestoneDetector::default(),
                build: self.feed.build.restarted(),
            },
            ..Insight::default()
        }
    }
}
