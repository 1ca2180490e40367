//! Build orders (crate::game::build_order) against a brute-force oracle over simulated games: per team
//! and def, the count series is walked whole, and the j-th unit of a def is placed at the first sample
//! where that def's rises add up to j. Also: the first factory in a build order is the `first_factory`
//! milestone, a team seen through radar gets none, and the summary keeps the first units in time order.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

use bar_live_core::game::MilestoneKind;
use bar_live_core::game::build_order::SUMMARY_ITEMS_PER_TEAM;
use bar_live_core::game::defs::Roles;
use bar_live_core::protocol::{UnitDef, WidgetMessage, encode_widget};
use bar_live_core::recording::FileHeader;
use bar_live_core::recording::summary::SummaryBuilder;
use bar_live_core::sim::{SimGame, SimOptions};
use bar_live_core::store::Store;

fn messages(opts: SimOptions) -> Vec<WidgetMessage> {
    SimGame::new(opts).play_out()
}

/// One readable sample: game seconds, def → count.
type Sample = (f64, BTreeMap<u32, u32>);

/// Per team, the (game seconds, def) of every unit finished, by the oracle's rule, sorted.
fn oracle(messages: &[WidgetMessage]) -> BTreeMap<u32, Vec<(u64, u32)>> {
    let mut readable = BTreeSet::new();
    let mut samples: BTreeMap<u32, Vec<Sample>> = BTreeMap::new();
    for m in messages {
        match m {
            WidgetMessage::Hello(h) => readable = h.teams.iter().map(|t| t.team_id).collect(),
            WidgetMessage::Update(u) => {
                for s in &u.teams {
                    let full = readable.contains(&s.team_id)
                        && s.units.unknown.is_none()
                        && (s.metal.current.is_finite() || s.metal.income.is_finite());
                    let Some(by_def) = s.units.by_def.as_ref().filter(|_| full) else {
                        continue;
                    };
                    let mut counts = BTreeMap::new();
                    for &(d, c) in &by_def.0 {
                        *counts.entry(d).or_insert(0) += c;
                    }
                    samples
                        .entry(s.team_id)
                        .or_default()
                        .push((u.game_seconds, counts));
                }
            }
            _ => {}
        }
    }
    let mut out = BTreeMap::new();
    for (team, series) in samples {
        let defs: BTreeSet<u32> = series.iter().flat_map(|(_, c)| c.keys().copied()).collect();
        let mut items = Vec::new();
        for def in defs {
            let counts: Vec<u32> = series
                .iter()
                .map(|(_, c)| c.get(&def).copied().unwrap_or(0))
                .collect();
            let mut rises_so_far = 0u32;
            let total: u32 = counts.windows(2).map(|w| w[1].saturating_sub(w[0])).sum();
            for j in 1..=total {
                // The first sample where this def's rises add up to j.
                let mut sum = 0;
                let at = (1..counts.len())
                    .find(|&i| {
                        sum += counts[i].saturating_sub(counts[i - 1]);
                        sum >= j
                    })
                    .unwrap();
                rises_so_far += 1;
                items.push(((series[at].0 * 1000.0).round() as u64, def));
            }
            assert_eq!(rises_so_far, total);
        }
        items.sort_unstable();
        out.insert(team, items);
    }
    out
}

fn store_of(messages: &[WidgetMessage]) -> Store {
    Store::from_messages(messages)
}

#[test]
fn build_orders_match_the_brute_force_oracle_over_generated_games() {
    let mut checked_items = 0;
    for (seed, teams, radar_team, player) in [
        (1, 2, None, None),
        (7, 4, None, None),
        (11, 3, Some(2), None),
        (23, 4, None, Some(1)),
        (42, 6, Some(5), Some(0)),
    ] {
        let msgs = messages(SimOptions {
            teams,
            minutes: 12.0,
            seed,
            radar_team,
            player,
            ..SimOptions::default()
        });
        let store = store_of(&msgs);
        let built = store.insight().build_orders();
        let want = oracle(&msgs);
        let got: BTreeMap<u32, Vec<(u64, u32)>> = built
            .team_ids()
            .map(|team| {
                let mut items: Vec<(u64, u32)> = built
                    .team(team)
                    .iter()
                    .map(|i| ((i.game_seconds * 1000.0).round() as u64, i.def))
                    .collect();
                // The detector's order is time order already.
                assert!(items.windows(2).all(|w| w[0].0 <= w[1].0), "seed {seed}");
                items.sort_unstable();
                (team, items)
            })
            .collect();
        assert_eq!(got, want, "seed {seed}");
        if let Some(radar) = radar_team {
            assert!(built.team(radar).is_empty(), "a radar-only team has none");
        }
        checked_items += got.values().map(Vec::len).sum::<usize>();

        // The first factory in each build order is that team's `first_factory` milestone.
        let factories: BTreeSet<u32> = store
            .unit_defs
            .values()
            .filter(|d: &&UnitDef| bar_live_core::game::defs::roles(d).has(Roles::FACTORY))
            .map(|d| d.id)
            .collect();
        let milestones = store.milestones();
        for team in built.team_ids() {
            let first = built
                .team(team)
                .iter()
                .find(|i| factories.contains(&i.def))
                .map(|i| i.game_seconds);
            let milestone = bar_live_core::game::milestones::first_of(
                milestones,
                team,
                MilestoneKind::FirstFactory,
            );
            assert_eq!(first, milestone, "seed {seed} team {team}");
        }
    }
    assert!(
        checked_items > 500,
        "the games built things: {checked_items}"
    );
}

#[test]
fn the_summary_keeps_the_first_units_of_each_team_in_time_order_with_names() {
    let msgs = messages(SimOptions {
        teams: 3,
        minutes: 15.0,
        seed: 5,
        ..SimOptions::default()
    });
    let header = FileHeader {
        created_unix_ms: 0,
        app_version: "test".into(),
        source: "test".into(),
    };
    let mut b = SummaryBuilder::new(&header);
    for (seq, m) in (1..).zip(&msgs) {
        b.add(seq, 1, &encode_widget(m, seq));
    }
    let summary = b.snapshot();
    let items = summary.build_order.unwrap();
    let store = store_of(&msgs);
    let built = store.insight().build_orders();
    let mut per_team: BTreeMap<u32, usize> = BTreeMap::new();
    for i in &items {
        *per_team.entry(i.team_id).or_default() += 1;
    }
    for team in built.team_ids() {
        let n = built.team(team).len().min(SUMMARY_ITEMS_PER_TEAM);
        assert_eq!(per_team.get(&team).copied().unwrap_or(0), n, "team {team}");
        let firsts: Vec<&str> = items
            .iter()
            .filter(|i| i.team_id == team)
            .map(|i| i.def.as_str())
            .collect();
        let want: Vec<&str> = built
            .team(team)
            .iter()
            .take(n)
            .map(|i| built.def_name(i.def))
            .collect();
        assert_eq!(
            firsts, want,
            "team {team}: the same units in the same order"
        );
    }
    assert!(
        items
            .windows(2)
            .all(|w| w[0].game_seconds <= w[1].game_seconds)
    );
    assert!(
        items
            .iter()
            .all(|i| !i.unit.is_empty() && !i.def.is_empty())
    );
    assert!(
        items.iter().all(|i| !i.unit.starts_with("def #")),
        "every def is described"
    );
}
