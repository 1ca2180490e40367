//! Reading BAR replays (issue 18's targets). Run: `cargo bench -p bar-live-core --bench replay`
//! (results in docs/PERFORMANCE.md, "BAR replays").
//!
//! The replays are written from the documented layout by the tests' replay builder
//! (`crates/core/tests/replay_builder`), from simulated games, with filler command packets so the files
//! are as big as real ones:
//! - `gunzip_only_1_5_mb`: decompressing that file and nothing else, the floor for reading it;
//! - `info_1_5_mb`: `bar-live info --json` of a 1.4 MB replay (8 teams, 32 minutes): target < 50 ms;
//! - `export_1h_16_teams`: `bar-live export` (CSV) of a one-hour 16-team replay (2.2 MB): < 200 ms;
//! - `warm_listing_2000`: a new index of a folder of 2,000 replays whose cache is written (a warm
//!   listing: the cache read, every file's size and time compared): < 1 s.

#![allow(clippy::unwrap_used)]

#[path = "../tests/replay_builder/mod.rs"]
mod replay_builder;

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use bar_live_core::cli::export::{Format, Table, export};
use bar_live_core::index::Folder;
use bar_live_core::sim::SimOptions;
use criterion::{Criterion, criterion_group, criterion_main};

fn write_replay(
    dir: &Path,
    name: &str,
    teams: u32,
    minutes: f64,
    filler: usize,
) -> std::path::PathBuf {
    let b = replay_builder::sim::from_sim(
        SimOptions {
            teams,
            minutes,
            seed: 7,
            ..SimOptions::default()
        },
        15,
        filler,
    );
    let p = dir.join(name);
    std::fs::write(&p, b.gz()).unwrap();
    p
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let eight = write_replay(dir.path(), "8-teams.sdfz", 8, 32.0, 2_000_000);
    let sixteen = write_replay(dir.path(), "16-teams.sdfz", 16, 60.0, 3_000_000);
    eprintln!(
        "replays: {} bytes (8 teams), {} bytes (16 teams)",
        std::fs::metadata(&eight).unwrap().len(),
        std::fs::metadata(&sixteen).unwrap().len()
    );
    // The floor: decompressing the file and nothing else (flate2, as the reader does).
    c.bench_function("gunzip_only_1_5_mb", |b| {
        b.iter(|| {
            let file = std::io::BufReader::new(std::fs::File::open(&eight).unwrap());
            let mut gz = flate2::bufread::GzDecoder::new(file);
            black_box(std::io::copy(&mut gz, &mut std::io::sink()).unwrap())
        })
    });
    c.bench_function("info_1_5_mb", |b| {
        b.iter(|| black_box(bar_live_core::cli::info::render(&eight, true).unwrap()))
    });
    c.bench_function("export_1h_16_teams", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(1 << 20);
            black_box(export(&sixteen, &mut out, Format::Csv, Table::Stats).unwrap());
            black_box(out.len())
        })
    });
    // 2,000 small replays (a 4-team, 20-minute game each, told apart by size and time).
    let demos = tempfile::tempdir().unwrap();
    let small = replay_builder::sim::from_sim(
        SimOptions {
            teams: 4,
            minutes: 20.0,
            ..SimOptions::default()
        },
        15,
        2_000,
    )
    .gz();
    for i in 0..2000 {
        let mut bytes = small.clone();
        bytes.extend(std::iter::repeat_n(0u8, i % 7));
        std::fs::write(demos.path().join(format!("2026{i:05}_game.sdfz")), &bytes).unwrap();
    }
    let data = tempfile::tempdir().unwrap();
    let folder = Folder::foreign(demos.path(), data.path());
    let mut cold = folder.index();
    cold.refresh(demos.path());
    assert_eq!(cold.entries.len(), 2000);
    c.bench_function("warm_listing_2000", |b| {
        b.iter(|| {
            let mut index = folder.index();
            index.refresh(demos.path());
            assert_eq!(index.stats.summarised, 0);
            black_box(index.entries.len())
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    targets = bench
}
criterion_main!(benches);
