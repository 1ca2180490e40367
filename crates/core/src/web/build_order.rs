//! The build orders a page is sent when it asks (`?build=1`, as `build.html` does): per team, its
//! opening (the first units it finished) and its latest units, as they were at the page's delayed game
//! time. docs/OVERLAY.md ("API") documents the shape.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::game::{BuildItem, BuildOrders};

/// Longest opening or latest list a page may ask for.
pub const MAX_BUILD_ITEMS: usize = 60;
/// Opening items sent when the page does not say (`opening=N`).
pub const DEFAULT_OPENING: usize = 12;
/// Latest items sent when the page does not say (`recent=N`).
pub const DEFAULT_RECENT: usize = 6;

/// What a page asked for: `build=1`, `opening=N`, `recent=N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildQuery {
    pub opening: usize,
    pub recent: usize,
}

impl Default for BuildQuery {
    fn default() -> Self {
        BuildQuery {
            opening: DEFAULT_OPENING,
            recent: DEFAULT_RECENT,
        }
    }
}

/// One unit finished.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BuildView {
    pub game_seconds: f64,
    pub unit: String,
    pub def: String,
}

/// A team's build order at the shown time.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TeamBuildView {
    /// Units finished up to the shown time.
    pub total: usize,
    /// The first `opening` of them.
    pub opening: Vec<BuildView>,
    /// The last `recent` of them after the opening (none that the opening already lists).
    pub recent: Vec<BuildView>,
}

/// Every team's build order at game time `g`, by team id (as text, like the history's keys).
pub fn build_views(
    orders: &BuildOrders,
    team_ids: impl Iterator<Item = u32>,
    g: f64,
    q: BuildQuery,
) -> BTreeMap<String, TeamBuildView> {
    let view = |i: &BuildItem| BuildView {
        game_seconds: i.game_seconds,
        unit: orders.unit_name(i.def),
        def: orders.def_name(i.def).to_owned(),
    };
    team_ids
        .map(|team| {
            let all = orders.team(team);
            let shown = &all[..all.partition_point(|i| i.game_seconds <= g + 1e-9)];
            let opening = &shown[..shown.len().min(q.opening)];
            let rest = &shown[opening.len()..];
            let recent = &rest[rest.len().saturating_sub(q.recent)..];
            (
                team.to_string(),
                TeamBuildView {
                    total: shown.len(),
                    opening: opening.iter().map(view).collect(),
                    recent: recent.iter().map(view).collect(),
                },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::game::Visibility;
    use crate::protocol::{DefCounts, UnitDef, WidgetMessage};
    use crate::sim::{SimGame, SimOptions};

    #[test]
    fn a_page_sees_the_opening_and_the_latest_units_up_to_its_time() {
        let mut orders = BuildOrders::default();
        orders.on_unit_defs(&[UnitDef {
            id: 7,
            name: "armmex".into(),
            label: "Metal Extractor".into(),
            metal_cost: 50.0,
            energy_cost: 500.0,
            category: crate::protocol::Category::Economy,
            tech_level: None,
            group: None,
        }]);
        // A simulated game's hello and first update, its first team's counts replaced.
        let mut game = SimGame::new(SimOptions::default());
        let mut vis = Visibility::default();
        for m in game.handshake() {
            if let WidgetMessage::Hello(h) = m {
                vis.on_hello(&h);
            }
        }
        let mut first = loop {
            if let Some(WidgetMessage::Update(u)) = game
                .step()
                .into_iter()
                .find(|m| matches!(m, WidgetMessage::Update(_)))
            {
                break u;
            }
        };
        first.teams.truncate(1);
        let team = first.teams[0].team_id;
        // No mex, then one more every second for 30 s.
        for n in 0..=30u32 {
            let mut u = first.clone();
            u.game_frame = n * 30;
            u.game_seconds = f64::from(n);
            u.teams[0].units.by_def = Some(DefCounts(vec![(7, n)]));
            orders.on_update(&u, &vis);
        }
        let q = BuildQuery {
            opening: 3,
            recent: 2,
        };
        let views = build_views(&orders, [team].into_iter(), 10.0, q);
        let v = &views[&team.to_string()];
        assert_eq!(v.total, 10, "units 1..=10 finished by 0:10");
        let times = |l: &[BuildView]| l.iter().map(|b| b.game_seconds).collect::<Vec<_>>();
        assert_eq!(times(&v.opening), [1.0, 2.0, 3.0]);
        assert_eq!(times(&v.recent), [9.0, 10.0]);
        assert_eq!(v.opening[0].unit, "Metal Extractor");
        assert_eq!(v.opening[0].def, "armmex");
        let early = &build_views(&orders, [team].into_iter(), 4.0, q)[&team.to_string()];
        assert_eq!(times(&early.opening), [1.0, 2.0, 3.0]);
        assert_eq!(times(&early.recent), [4.0], "no unit twice");
    }
}
