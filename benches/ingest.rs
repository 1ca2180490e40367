//! Desktop app ingest throughput: a 16-team `standard` update from the simulator, as bytes on the wire,
//! through the receive path. Run: `cargo bench --bench ingest` (results in docs/PERFORMANCE.md).
//!
//! - `read_frame`: framing only (length prefix + payload copy out of a buffered stream).
//! - `decode_store`: read_frame + `decode_widget` + `Store::ingest` — the app's and `record`'s path.
//! - `validate_decode_store`: the same plus a JSON Schema validation (`check`'s path).
//!
//! Numbers are per update; the target is ≥ 50,000 updates/s on one core for `decode_store`.

use std::hint::black_box;
use std::io::Cursor;
use std::time::Duration;

use bar_live::protocol::schema::{Direction, SchemaValidator};
use bar_live::protocol::*;
use bar_live::sim::{SimGame, SimOptions};
use bar_live::store::Store;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

/// Updates per measured batch (consecutive samples of one game, so the store sees a real series).
const UPDATES: usize = 200;

/// Rounds to 7 significant digits, as the widget encodes non-integers (the simulator keeps full f64s).
fn round7(x: f64) -> f64 {
    if !x.is_finite() || x == x.trunc() {
        return x;
    }
    format!("{x:.6e}").parse().unwrap_or(x)
}

fn round_resource(r: &mut Resource) {
    for v in [
        &mut r.current,
        &mut r.storage,
        &mut r.pull,
        &mut r.income,
        &mut r.expense,
        &mut r.share,
        &mut r.sent,
        &mut r.received,
        &mut r.excess,
    ] {
        *v = round7(*v);
    }
}

fn round_stats(s: &TeamStats) -> TeamStats {
    let mut v = serde_json::to_value(s).unwrap_or_default();
    if let Some(map) = v.as_object_mut() {
        for x in map.values_mut() {
            if let Some(f) = x.as_f64() {
                *x = serde_json::json!(round7(f));
            }
        }
    }
    serde_json::from_value(v).unwrap_or(*s)
}

struct Fixture {
    handshake: Vec<WidgetMessage>,
    /// `UPDATES` framed updates back to back, as they arrive on the socket.
    stream: Vec<u8>,
    payload_bytes: usize,
}

fn fixture() -> Fixture {
    let mut game = SimGame::new(SimOptions {
        teams: 16,
        minutes: 30.0,
        seed: 7,
        ..SimOptions::default()
    });
    let handshake = game.handshake();
    let mut seq = handshake.len() as u64;
    let mut stream = Vec::new();
    let mut payload_bytes = 0;
    let mut n = 0;
    // Skip the opening minutes so every team has stats and a varied army.
    while game.frame() < 10 * 60 * 30 {
        game.step();
    }
    while n < UPDATES {
        for m in game.step() {
            let WidgetMessage::Update(mut u) = m else {
                continue;
            };
            assert_eq!(u.teams.len(), 16);
            for t in &mut u.teams {
                round_resource(&mut t.metal);
                round_resource(&mut t.energy);
                t.stats = t.stats.as_ref().map(round_stats);
            }
            seq += 1;
            let payload = encode_widget(&WidgetMessage::Update(u), seq);
            payload_bytes += payload.len();
            write_frame(&mut stream, &payload).unwrap_or_default();
            n += 1;
        }
    }
    Fixture {
        handshake,
        stream,
        payload_bytes,
    }
}

fn fresh_store(handshake: &[WidgetMessage]) -> Store {
    let mut store = Store::new();
    for m in handshake {
        store.ingest(m);
    }
    store
}

fn bench(c: &mut Criterion) {
    let fx = fixture();
    eprintln!(
        "fixture: {UPDATES} updates, 16 teams, standard, mean payload {} bytes",
        fx.payload_bytes / UPDATES
    );
    let validator = SchemaValidator::new(Direction::WidgetToApp);
    let mut g = c.benchmark_group("ingest_16_teams_standard");
    g.throughput(Throughput::Elements(UPDATES as u64));
    g.sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));

    g.bench_function("read_frame", |b| {
        let mut buf = Vec::new();
        b.iter(|| {
            let mut r = Cursor::new(&fx.stream);
            let mut n = 0;
            while read_frame(&mut r, DEFAULT_MAX_FRAME_BYTES, &mut buf).unwrap_or(false) {
                n += buf.len();
            }
            black_box(n)
        })
    });

    g.bench_function("decode_store", |b| {
        let mut buf = Vec::new();
        b.iter_batched_ref(
            || fresh_store(&fx.handshake),
            |store| {
                let mut r = Cursor::new(&fx.stream);
                while read_frame(&mut r, DEFAULT_MAX_FRAME_BYTES, &mut buf).unwrap_or(false) {
                    if let Ok(m) = decode_widget(&buf) {
                        store.ingest(&m.body);
                    }
                }
                assert_eq!(store.updates, UPDATES as u64);
            },
            BatchSize::SmallInput,
        )
    });

    g.bench_function("validate_decode_store", |b| {
        let mut buf = Vec::new();
        b.iter_batched_ref(
            || fresh_store(&fx.handshake),
            |store| {
                let mut r = Cursor::new(&fx.stream);
                while read_frame(&mut r, DEFAULT_MAX_FRAME_BYTES, &mut buf).unwrap_or(false) {
                    let value: serde_json::Value = serde_json::from_slice(&buf).unwrap_or_default();
                    if validator.validate(&value).is_ok()
                        && let Ok(m) = decode_widget(&buf)
                    {
                        store.ingest(&m.body);
                    }
                }
                assert_eq!(store.updates, UPDATES as u64);
            },
            BatchSize::SmallInput,
        )
    });

    g.bench_function("decode_only", |b| {
        let mut buf = Vec::new();
        b.iter(|| {
            let mut r = Cursor::new(&fx.stream);
            let mut n = 0;
            while read_frame(&mut r, DEFAULT_MAX_FRAME_BYTES, &mut buf).unwrap_or(false) {
                n += usize::from(decode_widget(&buf).is_ok());
            }
            assert_eq!(n, UPDATES);
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
