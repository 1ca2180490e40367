//! Game insight in the app: milestone markers and list, composition and trades, the ghost of a past
//! game, benchmarks and splits, alerts. The computations are headless (`bar_live_core::insight`); these
//! are their views.

pub mod composition_card;
pub mod markers;
pub mod milestones_panel;
pub mod sidebar;

pub use markers::Marker;
pub use sidebar::{InsightSidebar, sidebar_ui};

use crate::app::plots::DashboardState;

/// Shows game time `t`: in review the cursor moves there (`cursor`); live, the linked plots pan so `t`
/// is in the middle, keeping their span.
pub fn jump_to(axis: &mut DashboardState, cursor: Option<&mut f64>, end_t: f64, t: f64) {
    if let Some(c) = cursor {
        *c = t.clamp(0.0, end_t.max(0.0));
        if axis.follow {
            // Following the cursor: the plots now end at `t`.
            return;
        }
    }
    let (t0, t1) = axis.manual.unwrap_or((0.0, end_t.max(60.0)));
    let span = (t1 - t0).max(60.0);
    axis.follow = false;
    axis.manual = Some((t - span / 2.0, t + span / 2.0));
}
