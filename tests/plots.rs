//! The dashboard's cached line preparation against the fresh computation (the oracles under
//! `tests/oracle/`), and its frame budget: frames out of time catch up, every line gets its turn.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::time::{Duration, Instant};

use bar_live_app::app::plots::{
    DASHBOARD, PrepBudget, PreparedLine, ViewOptions, prepare_dashboard, prepare_lines,
    prepare_lines_within, unfilled_lines,
};
use bar_live_core::store::{Kind, Metric, STATS_PERIOD_S, SeriesOf, Store, TeamSeries, ValueMode};

#[path = "oracle/prepare_lines.rs"]
mod prepare_oracle;
#[path = "../crates/core/tests/oracle/store.rs"]
mod store_oracle;
use prepare_oracle::prepare_lines_reference;

fn same_lines(a: &[PreparedLine], b: &[PreparedLine]) -> bool {
    let bits = |p: &[[f64; 2]]| {
        p.iter()
            .map(|q| (q[0].to_bits(), q[1].to_bits()))
            .collect::<Vec<_>>()
    };
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            (x.of, &x.name, x.color, x.dashed) == (y.of, &y.name, y.color, y.dashed)
                && bits(&x.points) == bits(&y.points)
        })
}

/// Per team, per second, nothing hidden.
fn team_view() -> ViewOptions {
    ViewOptions {
        per_ally: false,
        mode: ValueMode::PerSecond,
        rate_factor: 1.0,
        rate_suffix: "",
        hidden: HashSet::new(),
        highlighted: None,
        dark: true,
    }
}

/// A simulated game of `teams` and the store after its handshake.
fn sim_store(teams: u32, minutes: f64, seed: u64) -> (bar_live_core::sim::SimGame, Store) {
    let game = bar_live_core::sim::SimGame::new(bar_live_core::sim::SimOptions {
        teams,
        minutes,
        seed,
        ..bar_live_core::sim::SimOptions::default()
    });
    let mut store = Store::new();
    for m in game.handshake() {
        store.ingest(&m);
    }
    (game, store)
}

/// The cached preparation gives the lines of the fresh one, frame after frame while data arrives.
#[test]
fn prepared_lines_match_the_fresh_computation() {
    let (mut game, mut store) = sim_store(5, 5.0, 11);
    let mut views = Vec::new();
    for per_ally in [false, true] {
        for mode in [ValueMode::PerSecond, ValueMode::Cumulative] {
            for rate_factor in [1.0, 60.0] {
                views.push(ViewOptions {
                    per_ally,
                    mode,
                    rate_factor,
                    rate_suffix: "",
                    hidden: HashSet::from([SeriesOf::Team(1), SeriesOf::Ally(1)]),
                    highlighted: None,
                    dark: true,
                });
            }
        }
    }
    let mut steps = 0;
    while !game.finished() {
        for m in game.step() {
            store.ingest(&m);
        }
        steps += 1;
        if steps % 45 != 1 {
            continue;
        }
        let end = store.last_game_seconds;
        for view in &views {
            for card in DASHBOARD {
                for (t0, t1, columns) in [(0.0, end.max(60.0), 300), (end / 2.0, end, 20)] {
                    // Twice: the second call is served from the cache.
                    for _ in 0..2 {
                        let fast = prepare_lines(&store, card.metrics, view, t0, t1, columns);
                        let fresh =
                            prepare_lines_reference(&store, card.metrics, view, t0, t1, columns);
                        assert!(same_lines(&fast, &fresh), "{} at {end}", card.title);
                    }
                }
            }
        }
    }
}

/// Out of time, a frame draws what is cached and asks for another; every frame computes at least one
/// line, so the dashboard catches up (one line per frame at worst), ending with the fresh lines.
#[test]
fn frames_out_of_time_catch_up() {
    let (mut game, mut store) = sim_store(4, 4.0, 9);
    for _ in 0..200 {
        for m in game.step() {
            store.ingest(&m);
        }
    }
    let view = team_view();
    let lines_per_frame: usize = DASHBOARD.iter().map(|c| c.metrics.len() * 4).sum();
    // Every frame's deadline has passed before it starts.
    let frame = |store: &Store, end: f64| {
        let mut budget = PrepBudget::until(Instant::now());
        let lines: Vec<Vec<PreparedLine>> = DASHBOARD
            .iter()
            .map(|c| prepare_lines_within(store, c.metrics, &view, (0.0, end), 60, &mut budget))
            .collect();
        (lines, budget.complete())
    };
    let fresh = |store: &Store, end: f64| -> Vec<Vec<PreparedLine>> {
        DASHBOARD
            .iter()
            .map(|c| prepare_lines_reference(store, c.metrics, &view, 0.0, end, 60))
            .collect()
    };
    let same = |a: &[Vec<PreparedLine>], b: &[Vec<PreparedLine>]| {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_lines(x, y))
    };
    for round in 0..3 {
        let end = store.last_game_seconds;
        let mut frames = 0;
        loop {
            frames += 1;
            let (lines, complete) = frame(&store, end);
            if complete {
                assert!(same(&lines, &fresh(&store, end)), "round {round}");
                break;
            }
            assert!(frames <= lines_per_frame, "round {round}: no progress");
        }
        // Cold: one line per frame; after one update: the lines catch up again.
        assert!(frames > 1, "round {round}: {frames} frames");
        for m in game.step() {
            store.ingest(&m);
        }
    }
    // With time to spare, a frame is complete at once.
    let end = store.last_game_seconds;
    let mut budget = PrepBudget::until(Instant::now() + Duration::from_secs(60));
    for c in DASHBOARD {
        prepare_lines_within(&store, c.metrics, &view, (0.0, end), 60, &mut budget);
    }
    assert!(budget.complete());
}

/// Under sustained load (new data every frame, no time to spare) every line still gets its turn: the
/// line that ran out of time goes first next frame, so no card keeps drawing old data.
#[test]
fn every_line_gets_its_turn_under_load() {
    let (mut game, mut store) = sim_store(3, 10.0, 5);
    let view = team_view();
    for _ in 0..100 {
        for m in game.step() {
            store.ingest(&m);
        }
    }
    let mut from_line = 0;
    let warm_end = store.last_game_seconds;
    let frame = |store: &Store, budget: &mut PrepBudget, from_line: &mut usize| {
        let range = (0.0, store.last_game_seconds);
        prepare_dashboard(store, &view, range, 80, budget, from_line)
    };
    let mut budget = PrepBudget::unlimited();
    frame(&store, &mut budget, &mut from_line);
    assert!(budget.complete());
    let newest = |l: &PreparedLine| l.points.last().map_or(f64::NEG_INFINITY, |p| p[0]);
    // At worst one line per frame is brought up to date: one round through all of them.
    let total: usize = DASHBOARD
        .iter()
        .map(|c| unfilled_lines(&store, c.metrics, &view).len())
        .sum();
    let mut updated = vec![false; total];
    for _ in 0..total {
        for m in game.step() {
            store.ingest(&m);
        }
        let mut budget = PrepBudget::until(Instant::now());
        let lines = frame(&store, &mut budget, &mut from_line);
        assert!(!budget.complete());
        for (seen, l) in updated.iter_mut().zip(lines.iter().flatten()) {
            *seen |= newest(l) > warm_end;
        }
    }
    assert_eq!(updated, vec![true; total]);
}
