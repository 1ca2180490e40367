use super::*;
use crate::protocol::TeamInfo;
use crate::sim::{SimGame, SimOptions};
use crate::store::decimate_minmax;

use crate::store::oracle;

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn point_bits(p: &[[f64; 2]]) -> Vec<(u64, u64)> {
    p.iter().map(|q| (q[0].to_bits(), q[1].to_bits())).collect()
}

/// The fresh computation the cache must reproduce.
fn fresh(
    store: &Store,
    of: SeriesOf,
    metric: Metric,
    mode: ValueMode,
    scale: f32,
) -> (Vec<f64>, Vec<f32>) {
    oracle::series_values(store, of, metric, mode, scale)
}

/// Every series, metric, view and scale: cached columns and decimation equal the fresh computation.
fn check_all(store: &Store, what: &str) {
    let mut all: Vec<SeriesOf> = store.team_ids().into_iter().map(SeriesOf::Team).collect();
    all.extend(store.ally_ids().into_iter().map(SeriesOf::Ally));
    let t1 = store.last_game_seconds.max(1.0);
    let mut out = Vec::new();
    let mut expected = Vec::new();
    for &of in &all {
        for &metric in Metric::ALL {
            for mode in [ValueMode::PerSecond, ValueMode::Cumulative] {
                for scale in [1.0, 60.0] {
                    let (t, v) = fresh(store, of, metric, mode, scale);
                    store.with_derived(of, metric, mode, scale, |ct, cv| {
                        assert_eq!(
                            ct,
                            &t[..],
                            "{what}: {of:?} {metric:?} {mode:?} ×{scale} time"
                        );
                        assert_eq!(
                            bits(cv),
                            bits(&v),
                            "{what}: {of:?} {metric:?} {mode:?} ×{scale}"
                        );
                    });
                    for (t0, columns) in [(0.0, 40), (t1 / 3.0, 7)] {
                        store.decimated(of, metric, mode, scale, t0, t1, columns, &mut out);
                        decimate_minmax(&t, &v, t0, t1, columns, &mut expected);
                        assert_eq!(
                            point_bits(&out),
                            point_bits(&expected),
                            "{what}: {of:?} {metric:?} decimated"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn cache_follows_a_live_game() {
    // 6 teams in 2 ally teams; teams die late in the game, so members stop reporting.
    let mut game = SimGame::new(SimOptions {
        teams: 6,
        minutes: 6.0,
        seed: 3,
        ..SimOptions::default()
    });
    let mut store = Store::new();
    for m in game.handshake() {
        store.ingest(&m);
    }
    check_all(&store, "empty");
    let mut steps = 0;
    while !game.finished() {
        for m in game.step() {
            store.ingest(&m);
        }
        steps += 1;
        // Uneven chunks: 1 update, then more at a time.
        if steps == 1 || steps % 97 == 0 {
            check_all(&store, &format!("after {steps} steps"));
        }
    }
    check_all(&store, "end");
    assert!(!store.derived_cache().is_empty());
}

fn team(id: u32, ally: u32) -> TeamInfo {
    TeamInfo {
        team_id: id,
        ally_team_id: ally,
        name: format!("T{id}"),
        color: "#ff0000".into(),
        is_ai: false,
        side: "armada".into(),
        is_gaia: false,
    }
}

fn push(store: &mut Store, team: u32, t: f64, x: f32) {
    let s = store.series.entry(team).or_default();
    s.t.push(t);
    for (i, col) in s.columns.iter_mut().enumerate() {
        col.push(if x.is_nan() { x } else { x + i as f32 });
    }
    store.last_game_seconds = store.last_game_seconds.max(t);
}

#[test]
fn cache_handles_unaligned_members_duplicates_and_replaced_history() {
    let mut store = Store::new();
    for (id, ally) in [(0, 0), (1, 0), (2, 0), (3, 1)] {
        store.teams.insert(id, team(id, ally));
    }
    let mut rng = 12345u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut clock = [0.0f64; 4];
    for round in 0..60 {
        // Members sample at their own times (sometimes the same time twice, sometimes NaN).
        for _ in 0..(next() % 6) {
            let id = (next() % 4) as u32;
            let c = &mut clock[id as usize];
            *c += [0.0, 0.5, 1.0, 20.0][(next() % 4) as usize];
            let x = match next() % 9 {
                0 => f32::NAN,
                1 => 5.0,
                _ => (next() % 100) as f32,
            };
            push(&mut store, id, *c, x);
        }
        check_all(&store, &format!("round {round}"));
    }
    // A member's history replaced by a shorter one, then by one of the same length.
    let s = store.series.get_mut(&1).expect("team 1");
    let keep = s.len() / 2;
    s.t.truncate(keep);
    s.columns.iter_mut().for_each(|c| c.truncate(keep));
    check_all(&store, "shorter history");
    let s = store.series.get_mut(&1).expect("team 1");
    if let Some(x) = s.columns[Metric::MetalIncome.index()].last_mut() {
        *x += 1.0;
    }
    check_all(&store, "changed last value");
    // A team joins an ally team; a team moves to the other one.
    store.teams.insert(4, team(4, 1));
    push(&mut store, 4, 3.0, 7.0);
    check_all(&store, "new member");
    store.teams.insert(0, team(0, 1));
    check_all(&store, "moved member");
    // Everything cleared: the cache goes with it.
    store.clear();
    assert!(store.derived_cache().is_empty());
    push(&mut store, 0, 1.0, 1.0);
    check_all(&store, "after clear");
}

#[test]
fn views_without_derivation_borrow_the_store() {
    let mut store = Store::new();
    store.teams.insert(0, team(0, 0));
    for i in 0..10 {
        push(&mut store, 0, f64::from(i), i as f32);
    }
    let col = store.series[&0].values(Metric::MetalCurrent).as_ptr();
    store.with_derived(
        SeriesOf::Team(0),
        Metric::MetalCurrent,
        ValueMode::Cumulative,
        1.0,
        |_, v| {
            assert_eq!(v.as_ptr(), col);
        },
    );
    // A single-member ally team too.
    store.with_derived(
        SeriesOf::Ally(0),
        Metric::MetalCurrent,
        ValueMode::PerSecond,
        1.0,
        |_, v| {
            assert_eq!(v.as_ptr(), col);
        },
    );
}

/// One member of an ally team a sample (or several) ahead of the other, which then catches up at the same
/// times: the ally sum's newest samples must wait for it, not be final.
#[test]
fn ally_sum_waits_for_a_member_that_lags() {
    let mut store = Store::new();
    for id in [0, 1, 2] {
        store.teams.insert(id, team(id, 0));
    }
    for id in [0, 1, 2] {
        push(&mut store, id, 1.0, 1.0 + id as f32);
    }
    check_all(&store, "aligned");
    push(&mut store, 0, 2.0, 3.0);
    check_all(&store, "team 0 ahead by one");
    push(&mut store, 1, 2.0, 4.0);
    check_all(&store, "team 1 caught up");
    push(&mut store, 2, 2.0, 5.0);
    for t in [3.0, 4.0, 5.0] {
        push(&mut store, 2, t, t as f32);
    }
    check_all(&store, "team 2 ahead by three");
    for id in [0, 1] {
        for t in [3.0, 4.0, 5.0] {
            push(&mut store, id, t, t as f32 * 2.0);
            check_all(&store, &format!("team {id} at {t}"));
        }
    }
}

/// A frame out of time draws a line from its last decimation: new samples, and another caller bringing
/// the series up to date first (the overlay reads the same series), must leave it there, as stale.
#[test]
fn last_decimation_outlives_new_samples_as_stale() {
    let mut store = Store::new();
    store.teams.insert(0, team(0, 0));
    for i in 0..100 {
        push(&mut store, 0, f64::from(i), (i % 7) as f32);
    }
    let (of, m, mode) = (
        SeriesOf::Team(0),
        Metric::MetalIncome,
        ValueMode::Cumulative,
    );
    let (mut out, mut cached) = (Vec::new(), Vec::new());
    // The same view before and after the new sample: only the samples tell the decimations apart.
    let request = |store: &Store, out: &mut Vec<[f64; 2]>| {
        store.decimated(of, m, mode, 1.0, 0.0, 200.0, 20, out);
    };
    let cached_now = |store: &Store, out: &mut Vec<[f64; 2]>| {
        store.decimated_cached(of, m, mode, 1.0, 0.0, 200.0, 20, out)
    };
    assert_eq!(cached_now(&store, &mut cached), Cached::Missing);
    assert!(cached.is_empty());
    request(&store, &mut out);
    assert_eq!(cached_now(&store, &mut cached), Cached::Current);
    assert_eq!(point_bits(&cached), point_bits(&out));
    let before = out.clone();
    push(&mut store, 0, 100.0, 3.0);
    store.with_derived(of, m, mode, 1.0, |t, _| assert_eq!(t.len(), 101));
    assert_eq!(cached_now(&store, &mut cached), Cached::Stale);
    assert_eq!(point_bits(&cached), point_bits(&before));
    request(&store, &mut out);
    assert_ne!(point_bits(&out), point_bits(&before));
    assert_eq!(cached_now(&store, &mut cached), Cached::Current);
    assert_eq!(point_bits(&cached), point_bits(&out));
}
