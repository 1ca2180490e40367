//! Plot preparation on a full 2-hour, 16-team history. Run: `cargo bench --bench plot` (results in
//! docs/PERFORMANCE.md).
//!
//! - `decimate_one_series`: `decimate_minmax` alone (from scratch), one 14,400-sample series → 600
//!   columns; `…/cached_append`: the same through a `BucketCache` after one more sample (a live update).
//! - `card_team` / `card_ally`: one `prepare_lines` for a 2-metric card (metal income vs expense), full
//!   range, 600 columns, per team (16 teams × 2 lines) and per ally team.
//! - `dashboard_*`: a whole dashboard frame's preparation, all 8 cards of `plots::DASHBOARD`
//!   (the 4 ms budget), per team / per ally, per second / cumulative, three ways:
//!   - `…/cold`: the store's derived-series cache dropped first (first frame after opening a recording
//!     or switching view: every ally sum and transform computed, every line decimated);
//!   - `…/live`: one new update ingested first (the frame after each update while following a game:
//!     derived series extended by one sample, every line decimated again for the new range);
//!   - `…/steady`: nothing new (the other frames: cached lines copied out);
//!   - `…/cold_budgeted` (printed, not a criterion row): the cold frame spread over frames with the
//!     app's `plots::prepare::PREP_BUDGET` per frame, as the dashboard does: frames until complete, slowest frame;
//!   - `…/reference`: no caches (fresh copies, ally sums, transforms and decimation every frame), for
//!     the before/after ratio within one run on a noisy machine.

use std::collections::HashSet;
use std::hint::black_box;
use std::time::{Duration, Instant};

use bar_live_app::app::plots::{self, ViewOptions};
use bar_live_core::protocol::WidgetMessage;
use bar_live_core::sim::{SimGame, SimOptions};
use bar_live_core::store::decimate::BucketCache;
use bar_live_core::store::{Kind, STATS_PERIOD_S, SeriesOf, TeamSeries};
use bar_live_core::store::{Metric, Store, ValueMode, decimate_minmax};
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "../tests/oracle/prepare_lines.rs"]
mod prepare_oracle;
#[path = "../crates/core/tests/oracle/store.rs"]
mod store_oracle;
use prepare_oracle::prepare_lines_reference;

const COLUMNS: usize = 600;

/// The dashboard's four views: bench name, per ally team, value mode.
const DASHBOARD_VIEWS: [(&str, bool, ValueMode); 4] = [
    ("dashboard_team", false, ValueMode::PerSecond),
    ("dashboard_ally", true, ValueMode::PerSecond),
    ("dashboard_team_cumulative", false, ValueMode::Cumulative),
    ("dashboard_ally_cumulative", true, ValueMode::Cumulative),
];

/// The 2-hour history, and its last update (to continue it with).
fn history() -> (Store, WidgetMessage) {
    let mut game = SimGame::new(SimOptions {
        teams: 16,
        minutes: 120.0,
        seed: 7,
        ..SimOptions::default()
    });
    let mut store = Store::new();
    for m in game.handshake() {
        store.ingest(&m);
    }
    let mut last = None;
    while !game.finished() {
        for m in game.step() {
            store.ingest(&m);
            if matches!(m, WidgetMessage::Update(_)) {
                last = Some(m);
            }
        }
    }
    (store, last.expect("updates"))
}

fn view(per_ally: bool, mode: ValueMode) -> ViewOptions {
    ViewOptions {
        per_ally,
        mode,
        rate_factor: 1.0,
        rate_suffix: "/s",
        hidden: HashSet::<SeriesOf>::new(),
        highlighted: None,
        dark: true,
    }
}

/// Frames until a cold dashboard is complete under the app's per-frame budget, and the slowest frame.
fn cold_budgeted(store: &Store, view: &ViewOptions, t1: f64) -> (usize, Duration) {
    store.derived_cache().invalidate();
    let mut slowest = Duration::ZERO;
    let mut from_line = 0;
    for frame in 1.. {
        let start = Instant::now();
        let mut budget = plots::PrepBudget::until(start + plots::prepare::PREP_BUDGET);
        black_box(plots::prepare_dashboard(
            store,
            view,
            (0.0, t1),
            COLUMNS,
            &mut budget,
            &mut from_line,
        ));
        slowest = slowest.max(start.elapsed());
        if budget.complete() {
            return (frame, slowest);
        }
    }
    unreachable!()
}

fn dashboard(store: &Store, view: &ViewOptions, t1: f64, reference: bool) -> usize {
    let prepare = if reference {
        prepare_lines_reference
    } else {
        plots::prepare_lines
    };
    plots::DASHBOARD
        .iter()
        .map(|card| {
            prepare(store, card.metrics, view, 0.0, t1, COLUMNS)
                .iter()
                .map(|l| l.points.len())
                .sum::<usize>()
        })
        .sum()
}

/// `last` moved to the sample after the store's newest one.
fn next_update(last: &WidgetMessage, store: &Store) -> WidgetMessage {
    let mut m = last.clone();
    if let WidgetMessage::Update(u) = &mut m {
        u.game_frame = store.last_frame.unwrap_or(0) + 15;
        u.game_seconds = store.last_game_seconds + 0.5;
    }
    m
}

fn bench(c: &mut Criterion) {
    let (mut store, last) = history();
    let t1 = store.last_game_seconds;
    let longest = store.series.values().map(|s| s.len()).max().unwrap_or(0);
    eprintln!(
        "history: {} teams, {} samples in the longest series, {t1:.0} s",
        store.series.len(),
        longest
    );

    let mut g = c.benchmark_group("plot_2h_16_teams");
    g.sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));

    let first = store.series.values().next().map(|s| s.t.len()).unwrap_or(0);
    let (team, series) = store
        .series
        .iter()
        .find(|(_, s)| s.len() == longest)
        .map(|(id, s)| (*id, s))
        .expect("a team");
    eprintln!("decimating team {team} ({first} samples in the first series)");
    g.bench_function("decimate_one_series", |b| {
        let mut out = Vec::new();
        b.iter(|| {
            decimate_minmax(
                &series.t,
                series.values(Metric::MetalIncome),
                0.0,
                t1,
                COLUMNS,
                &mut out,
            );
            black_box(out.len())
        })
    });

    g.bench_function("decimate_one_series/cached_append", |b| {
        // The series grows by one sample per iteration (its last one again, 0.5 s later).
        let mut t = series.t.clone();
        let mut v = series.values(Metric::MetalIncome).to_vec();
        let mut cache = BucketCache::default();
        let mut out = Vec::new();
        b.iter(|| {
            let (last_t, last_v) = (t[t.len() - 1], v[v.len() - 1]);
            t.push(last_t + 0.5);
            v.push(last_v);
            cache.decimate(&t, &v, 0.0, last_t + 0.5, COLUMNS, &mut out);
            black_box(out.len())
        })
    });

    let card = [Metric::MetalIncome, Metric::MetalExpense];
    for (name, per_ally) in [("card_team", false), ("card_ally", true)] {
        let v = view(per_ally, ValueMode::PerSecond);
        g.bench_function(format!("{name}/reference"), |b| {
            b.iter(|| black_box(prepare_lines_reference(&store, &card, &v, 0.0, t1, COLUMNS).len()))
        });
        g.bench_function(format!("{name}/cold"), |b| {
            b.iter(|| {
                store.derived_cache().invalidate();
                black_box(plots::prepare_lines(&store, &card, &v, 0.0, t1, COLUMNS).len())
            })
        });
    }

    for (name, per_ally, mode) in DASHBOARD_VIEWS {
        let v = view(per_ally, mode);
        let t1 = store.last_game_seconds;
        g.bench_function(format!("{name}/reference"), |b| {
            b.iter(|| black_box(dashboard(&store, &v, t1, true)))
        });
        g.bench_function(format!("{name}/cold"), |b| {
            b.iter(|| {
                store.derived_cache().invalidate();
                black_box(dashboard(&store, &v, t1, false))
            })
        });
        g.bench_function(format!("{name}/steady"), |b| {
            b.iter(|| black_box(dashboard(&store, &v, t1, false)))
        });
        let runs: Vec<(usize, Duration)> = (0..5).map(|_| cold_budgeted(&store, &v, t1)).collect();
        let mut slowest: Vec<f64> = runs.iter().map(|r| r.1.as_secs_f64() * 1e3).collect();
        slowest.sort_by(f64::total_cmp);
        eprintln!(
            "{name}/cold_budgeted: {:?} frames to complete, slowest frame median {:.2} ms (of 5 runs: {:.2?})",
            runs.iter().map(|r| r.0).collect::<Vec<_>>(),
            slowest[2],
            slowest
        );
    }
    // Following a live game: each frame measured right after one more update (the history grows by one
    // sample per iteration: fewer, shorter samples keep that to a few percent).
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    for (name, per_ally, mode) in DASHBOARD_VIEWS {
        let v = view(per_ally, mode);
        g.bench_function(format!("{name}/live"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let m = next_update(&last, &store);
                    store.ingest(&m);
                    let start = Instant::now();
                    black_box(dashboard(&store, &v, store.last_game_seconds, false));
                    total += start.elapsed();
                }
                total
            })
        });
    }
    eprintln!(
        "history after the live runs: {} samples in the longest series",
        store.series.values().map(|s| s.len()).max().unwrap_or(0)
    );
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
