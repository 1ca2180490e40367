//! Game insight, headless: what the stream says beyond its raw lines (docs/INSIGHT.md).
//!
//! - [`milestones`]: first factory, first T2 factory, … per team, detected as messages arrive.
//! - [`composition`]: army value by category and tech level, and value killed vs value lost.
//! - [`defs`]: what a unit def means for both (roles, band, cost).
//! - [`profile`], [`benchmark`], [`splits`]: past games per minute, the p25–median–p75 band of the last N,
//!   time to reach each step against the personal best; [`worker`] computes them off the UI thread.
//!
//! Everything here reads only teams the viewer may read ([`Visibility`]).

pub mod benchmark;
pub mod composition;
pub mod defs;
pub mod milestones;
pub mod profile;
pub mod splits;
pub mod worker;

use std::collections::{BTreeMap, BTreeSet};

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
}

impl Visibility {
    pub fn on_hello(&mut self, hello: &Hello) {
        self.readable = hello.teams.iter().map(|t| t.team_id).collect();
        for t in &hello.teams {
            self.ally.insert(t.team_id, t.ally_team_id);
        }
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

/// Unit defs and visibility as the stream describes them, with the milestones they imply: what the
/// recording summary keeps (no per-sample work beyond milestones).
#[derive(Debug, Clone, Default)]
pub struct MilestoneFeed {
    defs: DefTable,
    vis: Visibility,
    detector: MilestoneDetector,
}

impl MilestoneFeed {
    pub fn ingest(&mut self, message: &WidgetMessage) {
        self.learn(message);
        self.detector.ingest(message, &self.defs, &self.vis);
    }

    fn learn(&mut self, message: &WidgetMessage) {
        match message {
            WidgetMessage::Hello(h) => self.vis.on_hello(h),
            WidgetMessage::UnitDefs(d) => d.defs.iter().for_each(|def| self.defs.insert(def)),
            _ => {}
        }
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
        self.trades.on_update(u, defs, vis, &mut self.rows);
    }

    /// The rows of the last update, in its team order.
    pub fn rows(&self) -> &[SampleInsight] {
        &self.rows
    }

    pub fn milestones(&self) -> &[Milestone] {
        self.feed.milestones()
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
            },
            ..Insight::default()
        }
    }
}
