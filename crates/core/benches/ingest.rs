//! Desktop app ingest throughput: a 16-team `standard` update from the simulator, as bytes on the wire,
//! through the receive path. Run: `cargo bench --bench ingest` (results in docs/PERFORMANCE.md).
//!
//! The input is what the widget's update encoder (`encodeUpdate` in `widget/bar_live_export.lua`) writes:
//! the same key order (`type`, `schema_version`, `seq` first; team, resource and unit-count keys in its
//! fixed order; the statistics entry in the engine table's order, here a fixed order different from
//! the declaration order), no whitespace, and its number writer: integers without `.0`, other numbers
//! with 7 significant digits (`%.7g`), NaN/inf as `null`. The simulator's values are the engine's
//! values; only the text differs from this crate's own encoder (`*_crate_encoder` runs that text).
//!
//! - `read_frame`: framing only (length prefix + payload copy out of a buffered stream).
//! - `decode_store`: read_frame + `decode_widget` + `Store::ingest` — the app's and `record`'s path.
//! - `validate_decode_store`: the same plus a JSON Schema validation (`check`'s path).
//!
//! - `decode_handshake`: `decode_widget` of the simulator's `hello` + `unit_defs` (the serde path).
//! - `decode_only_serde_oracle`: read_frame + the serde decoder this crate shipped before (envelope pass +
//!   typed pass with serde_json's derives), now the test oracle in `crates/protocol/tests/oracle/mod.rs`:
//!   the library baseline for the hand-written decoder.
//!
//! Numbers are per update; the target is ≥ 50,000 updates/s on one core for `decode_store`.
//!
//! Without criterion, for a loaded machine: `INGEST_PASSES=N cargo bench --bench ingest` runs N passes
//! of each path and prints the best pass's wall time per update and, where the kernel keeps scheduler
//! statistics (`/proc/thread-self/schedstat`), its on-CPU time (time spent waiting for a core does not
//! count); it is also a small driver for
//! `valgrind --tool=callgrind --toggle-collect='*decode_store_pass*'` (instruction counts).

use std::hint::black_box;
use std::io::Cursor;
use std::time::{Duration, Instant};

use bar_live_core::protocol::schema::{Direction, SchemaValidator};
use bar_live_core::protocol::*;
use bar_live_core::sim::{SimGame, SimOptions};
use bar_live_core::store::Store;
use criterion::{BatchSize, Criterion, Throughput, criterion_group};

/// The serde decoder, as a baseline (test-only code, compiled into this bench, not into the crates).
#[path = "../../protocol/tests/oracle/mod.rs"]
mod oracle;

/// Updates per measured batch (consecutive samples of one game, so the store sees a real series).
const UPDATES: usize = 200;

/// Rounds to 7 significant digits, as the widget encodes non-integers (the simulator keeps full f64s).
fn round7(x: f64) -> f64 {
    if !x.is_finite() || x == x.trunc() {
        return x;
    }
    format!("{x:.6e}").parse().unwrap_or(x)
}

/// The widget's number writer: integers below 2^31 as integers, anything else as `%.7g`.
fn widget_number(out: &mut String, v: f64) {
    use std::fmt::Write;
    if !v.is_finite() {
        out.push_str("null");
    } else if v == v.trunc() && v.abs() < 2_147_483_647.0 {
        let _ = write!(out, "{}", v as i64);
    } else {
        // %.7g: exponent form below 1e-4 and from 1e7 on; trailing zeros stripped.
        let sci = format!("{v:.6e}");
        let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let strip = |s: &str| s.trim_end_matches('0').trim_end_matches('.').to_owned();
        if !(-4..7).contains(&exp) {
            let sign = if exp < 0 { '-' } else { '+' };
            let _ = write!(out, "{}e{sign}{:02}", strip(mant), exp.abs());
        } else {
            out.push_str(&strip(&format!("{v:.*}", (6 - exp) as usize)));
        }
    }
}

fn widget_resource(out: &mut String, r: &Resource) {
    let values = [
        ("current", r.current),
        ("storage", r.storage),
        ("pull", r.pull),
        ("income", r.income),
        ("expense", r.expense),
        ("share", r.share),
        ("sent", r.sent),
        ("received", r.received),
        ("excess", r.excess),
    ];
    for (i, (k, v)) in values.into_iter().enumerate() {
        out.push_str(if i == 0 { "{\"" } else { ",\"" });
        out.push_str(k);
        out.push_str("\":");
        widget_number(out, v);
    }
    out.push('}');
}

/// An update as the widget's fused encoder writes it (level `standard`: no unit list).
fn widget_update(u: &Update, seq: u64) -> Vec<u8> {
    use std::fmt::Write;
    let mut out = format!(r#"{{"type":"update","schema_version":{SCHEMA_VERSION},"seq":{seq}"#);
    out.push_str(r#","game_frame":"#);
    widget_number(&mut out, f64::from(u.game_frame));
    out.push_str(r#","game_seconds":"#);
    widget_number(&mut out, u.game_seconds);
    out.push_str(if u.paused {
        r#","paused":true"#
    } else {
        r#","paused":false"#
    });
    out.push_str(r#","speed":"#);
    widget_number(&mut out, u.speed);
    out.push_str(r#","teams":["#);
    for (i, t) in u.teams.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, r#"{{"team_id":{},"metal":"#, t.team_id);
        widget_resource(&mut out, &t.metal);
        out.push_str(r#","energy":"#);
        widget_resource(&mut out, &t.energy);
        let _ = write!(out, r#","units":{{"total":{}"#, t.units.total);
        out.push_str(r#","by_def":"#);
        match &t.units.by_def {
            Some(d) if !d.0.is_empty() => {
                for (j, (def, count)) in d.0.iter().enumerate() {
                    let _ = write!(out, r#"{}"{def}":{count}"#, if j == 0 { '{' } else { ',' });
                }
                out.push('}');
            }
            _ => out.push_str("{}"),
        }
        if let Some(unknown) = t.units.unknown {
            let _ = write!(out, r#","unknown":{unknown}"#);
        }
        if let Some(s) = &t.stats {
            // The engine's statistics table in a fixed order unlike the declaration order (here:
            // alphabetical by engine key name, camelCase).
            let entry = [
                ("damage_dealt", s.damage_dealt),
                ("damage_received", s.damage_received),
                ("energy_excess", s.energy_excess),
                ("energy_produced", s.energy_produced),
                ("energy_received", s.energy_received),
                ("energy_sent", s.energy_sent),
                ("energy_used", s.energy_used),
                ("frame", s.frame),
                ("metal_excess", s.metal_excess),
                ("metal_produced", s.metal_produced),
                ("metal_received", s.metal_received),
                ("metal_sent", s.metal_sent),
                ("metal_used", s.metal_used),
                ("time", s.time),
                ("units_captured", s.units_captured),
                ("units_died", s.units_died),
                ("units_killed", s.units_killed),
                ("units_out_captured", s.units_out_captured),
                ("units_produced", s.units_produced),
                ("units_received", s.units_received),
                ("units_sent", s.units_sent),
            ];
            out.push_str(r#"},"stats":"#);
            for (j, (k, v)) in entry.into_iter().enumerate() {
                out.push_str(if j == 0 { "{\"" } else { ",\"" });
                out.push_str(k);
                out.push_str("\":");
                widget_number(&mut out, v);
            }
            out.push_str("}}");
        } else {
            out.push_str("}}");
        }
    }
    out.push_str("]}");
    out.into_bytes()
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
    /// `UPDATES` framed updates back to back, as they arrive on the socket (the widget's encoding).
    stream: Vec<u8>,
    payload_bytes: usize,
    /// The same updates as this crate's encoder writes them (`encode_widget`).
    crate_stream: Vec<u8>,
    crate_payload_bytes: usize,
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
    let mut crate_stream = Vec::new();
    let mut crate_payload_bytes = 0;
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
            let payload = widget_update(&u, seq);
            let crate_payload = encode_widget(&WidgetMessage::Update(u), seq);
            // Same message either way.
            let (a, b) = (decode_widget(&payload), decode_widget(&crate_payload));
            assert_eq!(format!("{a:?}"), format!("{b:?}"));
            payload_bytes += payload.len();
            write_frame(&mut stream, &payload).unwrap_or_default();
            crate_payload_bytes += crate_payload.len();
            write_frame(&mut crate_stream, &crate_payload).unwrap_or_default();
            n += 1;
        }
    }
    Fixture {
        handshake,
        stream,
        payload_bytes,
        crate_stream,
        crate_payload_bytes,
    }
}

fn fresh_store(handshake: &[WidgetMessage]) -> Store {
    let mut store = Store::new();
    for m in handshake {
        store.ingest(m);
    }
    store
}

/// The app's path over one framed stream: read_frame + decode_widget + Store::ingest.
#[inline(never)]
fn decode_store_pass(stream: &[u8], store: &mut Store, buf: &mut Vec<u8>) {
    let mut r = Cursor::new(stream);
    while read_frame(&mut r, DEFAULT_MAX_FRAME_BYTES, buf).unwrap_or(false) {
        if let Ok(m) = decode_widget(buf) {
            store.ingest(&m.body);
        }
    }
    assert_eq!(store.updates, UPDATES as u64);
}

/// read_frame + decode_widget over one framed stream; the number of messages decoded.
#[inline(never)]
fn decode_only_pass(stream: &[u8], buf: &mut Vec<u8>) -> usize {
    let mut r = Cursor::new(stream);
    let mut n = 0;
    while read_frame(&mut r, DEFAULT_MAX_FRAME_BYTES, buf).unwrap_or(false) {
        n += usize::from(decode_widget(buf).is_ok());
    }
    n
}

/// The same with the serde oracle instead of `decode_widget`.
#[inline(never)]
fn decode_only_serde_pass(stream: &[u8], buf: &mut Vec<u8>) -> usize {
    let mut r = Cursor::new(stream);
    let mut n = 0;
    while read_frame(&mut r, DEFAULT_MAX_FRAME_BYTES, buf).unwrap_or(false) {
        n += usize::from(oracle::decode_widget_serde(buf).is_ok());
    }
    n
}

/// decode_widget of each encoded handshake message.
#[inline(never)]
fn decode_handshake_pass(payloads: &[Vec<u8>]) -> usize {
    payloads
        .iter()
        .map(|p| usize::from(decode_widget(p).is_ok()))
        .sum()
}

fn print_fixture(fx: &Fixture) {
    eprintln!(
        "fixture: {UPDATES} updates, 16 teams, standard, mean payload {} bytes (crate encoder: {})",
        fx.payload_bytes / UPDATES,
        fx.crate_payload_bytes / UPDATES
    );
}

/// This thread's time on a CPU, in ns (0 where the kernel does not say).
fn on_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// `INGEST_PASSES=N`: N passes of each path; prints the best pass (on-CPU and wall) per update.
fn drive(passes: usize) {
    let fx = fixture();
    print_fixture(&fx);
    let handshake: Vec<Vec<u8>> = fx
        .handshake
        .iter()
        .enumerate()
        .map(|(i, m)| encode_widget(m, i as u64 + 1))
        .collect();
    let mut buf = Vec::new();
    let report = |name: &str, per: usize, pass: &mut dyn FnMut()| {
        let (mut cpu, mut wall) = (u64::MAX, u128::MAX);
        for _ in 0..passes {
            let (c0, w0) = (on_cpu_ns(), Instant::now());
            pass();
            cpu = cpu.min(on_cpu_ns() - c0);
            wall = wall.min(w0.elapsed().as_nanos());
        }
        let per = per as f64 * 1000.0;
        // Kernels without scheduler statistics report 0 on-CPU time.
        let cpu = if cpu == 0 {
            "n/a".to_owned()
        } else {
            format!("{:.2} µs", cpu as f64 / per)
        };
        eprintln!(
            "{name}: best of {passes} passes: {cpu} on-CPU, {:.2} µs wall per message",
            wall as f64 / per
        );
    };
    report("decode_store", UPDATES, &mut || {
        let mut store = fresh_store(&fx.handshake);
        decode_store_pass(&fx.stream, &mut store, &mut buf);
    });
    report("decode_only", UPDATES, &mut || {
        assert_eq!(decode_only_pass(&fx.stream, &mut buf), UPDATES);
    });
    report("decode_only_serde_oracle", UPDATES, &mut || {
        assert_eq!(decode_only_serde_pass(&fx.stream, &mut buf), UPDATES);
    });
    report("decode_handshake", handshake.len(), &mut || {
        assert_eq!(decode_handshake_pass(&handshake), handshake.len());
    });
}

fn bench(c: &mut Criterion) {
    let fx = fixture();
    print_fixture(&fx);
    let handshake: Vec<Vec<u8>> = fx
        .handshake
        .iter()
        .enumerate()
        .map(|(i, m)| encode_widget(m, i as u64 + 1))
        .collect();
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
            |store| decode_store_pass(&fx.stream, store, &mut buf),
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
        b.iter(|| assert_eq!(decode_only_pass(&fx.stream, &mut buf), UPDATES))
    });

    g.bench_function("decode_only_serde_oracle", |b| {
        let mut buf = Vec::new();
        b.iter(|| assert_eq!(decode_only_serde_pass(&fx.stream, &mut buf), UPDATES))
    });

    g.bench_function("decode_store_crate_encoder", |b| {
        let mut buf = Vec::new();
        b.iter_batched_ref(
            || fresh_store(&fx.handshake),
            |store| decode_store_pass(&fx.crate_stream, store, &mut buf),
            BatchSize::SmallInput,
        )
    });
    g.finish();

    // Per message (hello + unit_defs), not per update.
    let mut g = c.benchmark_group("ingest_handshake");
    g.throughput(Throughput::Elements(handshake.len() as u64));
    g.sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2));
    g.bench_function("decode_handshake", |b| {
        b.iter(|| assert_eq!(decode_handshake_pass(&handshake), handshake.len()))
    });
    g.finish();
}

criterion_group!(benches, bench);

fn main() {
    if let Some(passes) = std::env::var("INGEST_PASSES")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        drive(passes);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
