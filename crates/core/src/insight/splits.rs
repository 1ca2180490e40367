//! Splits, like a speedrun timer's: how long a team took to reach each economy and tech step, and the
//! personal best (the fastest time) over past games.

use crate::game::milestones::{MilestoneKind, first_of};
use crate::store::{Metric, Store};

/// One step a split times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SplitKind {
    /// Metal income (per second) first at or above a threshold.
    MetalIncome(u32),
    /// A milestone (`first_factory`, `first_t2_factory`, …) first reached.
    Milestone(MilestoneKind),
}

/// The splits, in the order a game reaches them.
pub const SPLITS: [SplitKind; 7] = [
    SplitKind::Milestone(MilestoneKind::FirstFactory),
    SplitKind::MetalIncome(20),
    SplitKind::MetalIncome(50),
    SplitKind::Milestone(MilestoneKind::FirstT2Factory),
    SplitKind::MetalIncome(100),
    SplitKind::Milestone(MilestoneKind::FirstFusion),
    SplitKind::Milestone(MilestoneKind::FirstT3),
];

/// Game seconds at which each of [`SPLITS`] was reached (`None`: not reached).
pub type Splits = [Option<f64>; SPLITS.len()];

impl SplitKind {
    pub fn label(self) -> String {
        match self {
            SplitKind::MetalIncome(x) => format!("{x} metal/s"),
            SplitKind::Milestone(k) => k.label().to_owned(),
        }
    }
}

/// When `team` reached each split in `store`'s game (up to its last sample).
pub fn splits_of(store: &Store, team: u32) -> Splits {
    let mut out: Splits = [None; SPLITS.len()];
    let Some(series) = store.series.get(&team) else {
        return out;
    };
    let income = series.values(Metric::MetalIncome);
    for (slot, kind) in out.iter_mut().zip(SPLITS) {
        *slot = match kind {
            SplitKind::MetalIncome(x) => {
                let x = x as f32;
                income.iter().position(|&v| v >= x).map(|i| series.t[i])
            }
            SplitKind::Milestone(k) => first_of(store.milestones(), team, k),
        };
    }
    out
}

/// The fastest time per split over `games` (`None` where no game reached it).
pub fn personal_best<'a>(games: impl IntoIterator<Item = &'a Splits>) -> Splits {
    let mut best: Splits = [None; SPLITS.len()];
    for g in games {
        for (b, &t) in best.iter_mut().zip(g) {
            if let Some(t) = t {
                *b = Some(b.map_or(t, |b: f64| b.min(t)));
            }
        }
    }
    best
}

/// How a current split compares with the personal best.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Delta {
    /// Reached, `seconds` faster (negative) or slower (positive) than the best.
    Done { seconds: f64 },
    /// Not reached yet and already later than the best: behind by at least `seconds`.
    Behind { seconds: f64 },
    /// Not reached yet, still within the best (or no best to compare with).
    Running,
    /// Reached, and no past game reached it: a first.
    New,
}

/// Compares split time `current` (reached or not by `now_t`) with `best`.
pub fn delta(current: Option<f64>, best: Option<f64>, now_t: f64) -> Delta {
    match (current, best) {
        (Some(c), Some(b)) => Delta::Done { seconds: c - b },
        (Some(_), None) => Delta::New,
        (None, Some(b)) if now_t > b => Delta::Behind { seconds: now_t - b },
        (None, _) => Delta::Running,
    }
}
