//! Game insight in the app: milestone markers and list, composition and trades, the ghost of a past
//! game, benchmarks and splits, alerts. The computations are headless (`bar_live_core::insight`); these
//! are their views.

pub mod alerts_panel;
pub mod benchmark_panel;
pub mod build_order_panel;
pub mod compare;
pub mod composition_card;
pub mod ghost_panel;
pub mod markers;
pub mod milestones_panel;
pub mod prefs;
pub mod sidebar;
pub mod sound;
pub mod splits_panel;

pub use markers::Marker;
pub use prefs::InsightSettings;
pub use sidebar::{InsightSidebar, SidebarContext, SidebarOutput, sidebar_ui};

use crate::app::plots::linked::DashboardState;
use crate::app::plots::linked::PlotExtras;
use bar_live_core::store::Store;

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

/// The benchmark and ghost the dashboard draws for the game on screen (`store`, recorded at `current`).
pub fn compare_extras<'a>(
    state: &'a InsightSidebar,
    prefs: &InsightSettings,
    store: &Store,
    current: Option<&std::path::Path>,
    per_ally: bool,
) -> PlotExtras<'a> {
    PlotExtras {
        markers: &[],
        bench: state
            .benchmark_for(store, prefs, current)
            .filter(|_| prefs.show_band),
        ghost: state.ghost_for(store, prefs, per_ally),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jump_moves_the_cursor_in_review_and_pans_live() {
        let mut axis = DashboardState::default();
        let mut cursor = 500.0;
        jump_to(&mut axis, Some(&mut cursor), 900.0, 120.0);
        assert_eq!(cursor, 120.0);
        assert!(axis.follow, "following the cursor, the plots end at it");
        jump_to(&mut axis, Some(&mut cursor), 900.0, 5000.0);
        assert_eq!(cursor, 900.0, "clamped to the recording");
        let mut live = DashboardState::default();
        jump_to(&mut live, None, 1200.0, 300.0);
        assert!(!live.follow);
        let (t0, t1) = live.manual.unwrap();
        assert_eq!((t0 + t1) / 2.0, 300.0);
        assert_eq!(t1 - t0, 1200.0, "the span shown is kept");
    }
}
