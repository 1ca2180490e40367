//! Recorder CPU at the live rate: 16-team `standard` updates from the simulator (about 14 KB, from 20
//! game-minutes in), two per second of receive time as the widget sends them at its default interval. Run: `cargo bench --bench recording` (results in docs/PERFORMANCE.md, "Recordings").
//!
//! - `second_v1`: one second of the live stream in format 1: two appends and a flush.
//! - `second_v2`: the same in format 2: two appends (each also feeds the summary builder, which decodes
//!   the frame) and the block closed (zstd with the previous block as dictionary, header, write).
//! - `summary_add`: the summary builder's share of one append (decoding the frame).
//!
//! Files go to /dev/null so the figure is CPU, not the disk. CPU at the live rate = `second_v2` / 1 s.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use bar_live_core::protocol::*;
use bar_live_core::recording::{FileHeader, Recorder, SummaryBuilder};
use bar_live_core::sim::{SimGame, SimOptions};
use criterion::{Criterion, criterion_group, criterion_main};

/// 400 consecutive 16-team updates from 20 minutes into a game, as the wire carries them (each second
/// of the bench appends the next two, so a block is never the same as the one before).
fn updates() -> Vec<Vec<u8>> {
    let mut game = SimGame::new(SimOptions {
        teams: 16,
        minutes: 60.0,
        ..SimOptions::default()
    });
    let mut out = Vec::new();
    let mut seq = 0;
    while out.len() < 400 {
        for m in game.step() {
            seq += 1;
            if game.frame() >= 20 * 60 * 30 && matches!(m, WidgetMessage::Update(_)) {
                out.push(encode_widget(&m, seq));
            }
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let frames = updates();
    let sink = Path::new("/dev/null");
    let mut g = c.benchmark_group("recorder");
    g.measurement_time(Duration::from_secs(5));
    for version in [1u32, 2] {
        let mut rec = Recorder::create_with_version(sink, 0, "bench", version).expect("/dev/null");
        let (mut t, mut next) = (0u64, 0usize);
        g.bench_function(format!("second_v{version}"), |b| {
            b.iter(|| {
                for _ in 0..2 {
                    t += 500;
                    next = (next + 1) % frames.len();
                    rec.append(1, t, black_box(&frames[next])).expect("append");
                }
                rec.flush().expect("flush");
            })
        });
    }
    let header = FileHeader {
        created_unix_ms: 0,
        app_version: "bench".into(),
        source: "bench".into(),
    };
    let mut summary = SummaryBuilder::new(&header);
    let mut next = 0;
    g.bench_function("summary_add", |b| {
        b.iter(|| {
            next = (next + 1) % frames.len();
            summary.add(1, 1, black_box(&frames[next]))
        })
    });
    g.finish();
    eprintln!("update frame: {} bytes", frames[0].len());
}

criterion_group!(benches, bench);
criterion_main!(benches);
