//! Benchmarks and splits over generated recordings against a brute-force oracle: the oracle lists the
//! folder itself, decodes every frame of every file (no store, no index, no summary), picks the games the
//! way docs/INSIGHT.md says, and computes the per-minute quartiles and the personal bests from scratch.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bar_live_core::game::MilestoneKind;
use bar_live_core::index::Folder;
use bar_live_core::insight::benchmark::{Benchmark, Query};
use bar_live_core::insight::splits::{SPLITS, SplitKind, Splits};
use bar_live_core::insight::worker::{
    Done, Indexes, InsightWorker, Job, ProfileCache, run_benchmark,
};
use bar_live_core::protocol::{Category, UnitDef, WidgetMessage, decode_widget, encode_widget};
use bar_live_core::recording::{Recorder, RecordingReader};
use bar_live_core::sim::{SimGame, SimOptions};

const T0: u64 = 1_760_000_000_000;

/// Writes a simulated game; `finish: false` leaves it cut short (as if still recording or crashed).
fn write_game(dir: &Path, name: &str, created: u64, opts: SimOptions, finish: bool) -> PathBuf {
    let path = dir.join(name);
    let mut rec = Recorder::create_with_version(&path, created, "test", 2).unwrap();
    let msgs = SimGame::new(opts).play_out();
    let mut seq = 0;
    let mut t = 0;
    for m in msgs {
        seq += 1;
        t += 10;
        rec.append(1, created + t, &encode_widget(&m, seq)).unwrap();
    }
    if finish {
        rec.finish().unwrap();
    } else {
        rec.flush().unwrap();
        std::mem::forget(rec);
    }
    path
}

fn folder() -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    // 12 games: maps A/B, 2, 4 or 6 teams, minutes 9–30; Alice is team 0 in every one.
    for i in 0..12u64 {
        let map = if i % 3 == 2 { "Map B" } else { "Map A" };
        let opts = SimOptions {
            teams: [2, 4, 6][(i % 3) as usize],
            minutes: 9.0 + (i * 7 % 22) as f64,
            seed: 100 + i,
            interval_frames: 30,
            map_name: map.into(),
            ..SimOptions::default()
        };
        let name = format!("2025-01-{:02}_game.barlive", i + 1);
        paths.push(write_game(
            dir.path(),
            &name,
            T0 + i * 86_400_000,
            opts,
            true,
        ));
    }
    // The newest file is cut short: it never counts.
    let opts = SimOptions {
        teams: 2,
        minutes: 6.0,
        seed: 999,
        map_name: "Map A".into(),
        ..SimOptions::default()
    };
    write_game(
        dir.path(),
        "2025-02-01_cut.barlive",
        T0 + 40 * 86_400_000,
        opts,
        false,
    );
    (dir, paths)
}

/// One game as the oracle reads it: created time, map, teams (id, name, is_ai) and every update.
struct Game {
    path: PathBuf,
    created: u64,
    map: String,
    teams: Vec<(u32, String, bool)>,
    defs: BTreeMap<u32, UnitDef>,
    updates: Vec<bar_live_core::protocol::Update>,
    finished: bool,
}

fn read_game(path: &Path) -> Game {
    let mut reader = RecordingReader::open(path).unwrap();
    let created = reader.header().created_unix_ms;
    let mut g = Game {
        path: path.to_owned(),
        created,
        map: String::new(),
        teams: Vec::new(),
        defs: BTreeMap::new(),
        updates: Vec::new(),
        finished: false,
    };
    while let Some(r) = reader.next_record().unwrap() {
        match decode_widget(&r.payload).unwrap().body {
            WidgetMessage::Hello(h) => {
                g.map = h.game.map_name;
                g.teams = h
                    .teams
                    .iter()
                    .map(|t| (t.team_id, t.name.clone(), t.is_ai))
                    .collect();
            }
            WidgetMessage::UnitDefs(d) => d.defs.into_iter().for_each(|d| {
                g.defs.insert(d.id, d);
            }),
            WidgetMessage::Update(u) => g.updates.push(u),
            _ => {}
        }
    }
    g.finished = !reader.truncated();
    g
}

/// Alice's per-minute [income, army, units] and splits, by linear scans.
fn alice(g: &Game) -> (Vec<[f64; 3]>, Splits) {
    let id = g.teams.iter().find(|t| t.1 == "Alice" && !t.2).unwrap().0;
    let samples: Vec<(f64, &bar_live_core::protocol::TeamSample)> = g
        .updates
        .iter()
        .filter_map(|u| {
            u.teams
                .iter()
                .find(|s| s.team_id == id)
                .map(|s| (u.game_seconds, s))
        })
        .collect();
    let army = |s: &bar_live_core::protocol::TeamSample| -> f64 {
        s.units
            .by_def
            .as_ref()
            .unwrap()
            .0
            .iter()
            .filter(|(d, _)| g.defs[d].category == Category::Army)
            .map(|(d, n)| g.defs[d].metal_cost * f64::from(*n))
            .sum()
    };
    let last_t = samples.last().unwrap().0;
    let mut minutes = Vec::new();
    let mut m = 1.0;
    while 60.0 * m <= last_t {
        let (_, s) = samples.iter().rev().find(|(t, _)| *t <= 60.0 * m).unwrap();
        minutes.push([s.metal.income, army(s), f64::from(s.units.total)]);
        m += 1.0;
    }
    let first = |f: &dyn Fn(&UnitDef) -> bool| {
        samples
            .iter()
            .find(|(_, s)| {
                s.units
                    .by_def
                    .as_ref()
                    .unwrap()
                    .0
                    .iter()
                    .any(|(d, n)| *n > 0 && f(&g.defs[d]))
            })
            .map(|(t, _)| *t)
    };
    let mut splits: Splits = [None; SPLITS.len()];
    for (slot, kind) in splits.iter_mut().zip(SPLITS) {
        *slot = match kind {
            SplitKind::MetalIncome(x) => samples
                .iter()
                .find(|(_, s)| s.metal.income as f32 >= x as f32)
                .map(|(t, _)| *t),
            SplitKind::Milestone(MilestoneKind::FirstFactory) => {
                first(&|d| d.category == Category::Factory)
            }
            SplitKind::Milestone(MilestoneKind::FirstT2Factory) => {
                first(&|d| d.category == Category::Factory && d.tech_level_or_default() >= 2)
            }
            SplitKind::Milestone(MilestoneKind::FirstFusion) => first(&|d| d.name.contains("fus")),
            SplitKind::Milestone(MilestoneKind::FirstT3) => {
                first(&|d| d.tech_level_or_default() >= 3)
            }
            other => panic!("oracle lacks {other:?}"),
        };
    }
    (minutes, splits)
}

fn quantile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let pos = p * (values.len() - 1) as f64;
    let below = values[pos.floor() as usize];
    let above = values[pos.ceil() as usize];
    below + (above - below) * (pos - pos.floor())
}

fn oracle(
    dir: &Path,
    map: Option<&str>,
    players: Option<usize>,
    last_n: usize,
) -> (Vec<PathBuf>, Vec<[[f64; 3]; 3]>, Splits) {
    let mut games: Vec<Game> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "barlive"))
        .map(|p| read_game(&p))
        .filter(|g| g.finished && g.teams.iter().any(|t| t.1 == "Alice" && !t.2))
        .filter(|g| map.is_none_or(|m| g.map == m))
        .filter(|g| players.is_none_or(|n| g.teams.len() == n))
        .collect();
    games.sort_by_key(|g| std::cmp::Reverse(g.created));
    games.truncate(last_n);
    let per_game: Vec<_> = games.iter().map(alice).collect();
    let longest = per_game.iter().map(|p| p.0.len()).max().unwrap();
    let bands = (0..longest)
        .map(|i| {
            std::array::from_fn(|k| {
                let mut v: Vec<f64> = per_game
                    .iter()
                    .filter_map(|p| p.0.get(i))
                    .map(|x| x[k])
                    .collect();
                [
                    quantile(&mut v, 0.25),
                    quantile(&mut v, 0.5),
                    quantile(&mut v, 0.75),
                ]
            })
        })
        .collect();
    let mut pb: Splits = [None; SPLITS.len()];
    for (_, s) in &per_game {
        for (b, t) in pb.iter_mut().zip(s) {
            if let Some(t) = t {
                *b = Some(b.map_or(*t, |b| b.min(*t)));
            }
        }
    }
    (games.iter().map(|g| g.path.clone()).collect(), bands, pb)
}

fn close(a: f32, b: f64) -> bool {
    (f64::from(a) - b).abs() <= 1e-4 * b.abs().max(1.0)
}

fn check(got: &Benchmark, want: &(Vec<PathBuf>, Vec<[[f64; 3]; 3]>, Splits)) {
    assert_eq!(got.games, want.0, "the same games, newest first");
    assert_eq!(got.minutes.len(), want.1.len());
    for (m, w) in got.minutes.iter().zip(&want.1) {
        for (k, (q, w)) in m.values.iter().zip(w).enumerate() {
            let q = q.unwrap();
            assert!(
                close(q.p25, w[0]) && close(q.median, w[1]) && close(q.p75, w[2]),
                "minute {} metric {k}: {q:?} vs {w:?}",
                m.minute,
            );
        }
    }
    assert_eq!(got.personal_best, want.2, "personal best splits");
}

#[test]
fn benchmark_and_splits_match_the_oracle() {
    let (dir, _) = folder();
    let mut index = Indexes::new();
    let mut cache = ProfileCache::new();
    let no_stop = std::sync::atomic::AtomicBool::new(false);
    for (map, players, last_n) in [
        (Some("Map A"), None, 5),
        (None, None, 0),
        (None, Some(4), 3),
        (Some("Map B"), Some(6), 10),
    ] {
        let query = Query {
            player: "Alice".into(),
            map: map.map(Into::into),
            players,
            last_n,
            exclude: None,
        };
        let got =
            run_benchmark(&mut index, &mut cache, &own(dir.path()), &query, &no_stop).unwrap();
        let want = oracle(
            dir.path(),
            map,
            players,
            if last_n == 0 { usize::MAX } else { last_n },
        );
        assert!(!want.0.is_empty());
        check(&got, &want);
        // Recordings have all three metrics: every game compared counts in each band at minute 1.
        assert_eq!(got.minutes[0].games, [want.0.len(); 3]);
    }
    // A map nobody played: no games, no band.
    let none = run_benchmark(
        &mut index,
        &mut cache,
        &own(dir.path()),
        &Query {
            player: "Alice".into(),
            map: Some("Nowhere".into()),
            ..Query::default()
        },
        &no_stop,
    )
    .unwrap();
    assert!(none.games.is_empty() && none.minutes.is_empty());
}

#[test]
fn the_worker_thread_gives_the_same_benchmark() {
    let (dir, paths) = folder();
    let worker = InsightWorker::start().unwrap();
    let query = Query {
        player: "Alice".into(),
        last_n: 4,
        exclude: Some(paths[11].clone()),
        ..Query::default()
    };
    assert!(worker.submit(Job::Benchmark {
        folders: own(dir.path()),
        query: query.clone()
    }));
    let deadline = Instant::now() + Duration::from_secs(60);
    let got = loop {
        if let Some(Done::Benchmark { query: q, result }) = worker.poll() {
            assert_eq!(q, query);
            break (*result).unwrap();
        }
        assert!(Instant::now() < deadline, "no answer");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(!got.games.contains(&paths[11]), "the excluded game");
    let mut want = oracle(dir.path(), None, None, 5);
    want.0.retain(|p| p != &paths[11]);
    assert_eq!(got.games, want.0);
}

/// The folder as the app passes it: bar-live's own recordings folder.
fn own(dir: &Path) -> Vec<Folder> {
    vec![Folder::own(dir)]
}
