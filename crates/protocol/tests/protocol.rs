//! Protocol v1 codec, end to end through the public API: framing (every error kind, boundaries, hostile
//! prefixes, property-based round trips), typed messages (arbitrary messages survive encode → decode),
//! and the JSON Schemas (every shipped example validates and decodes; broken messages are rejected).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod oracle;

use std::io::{self, Cursor, Read};
use std::path::{Path, PathBuf};

use bar_live_protocol::frame::{LEN_PREFIX_BYTES, encode_frame};
use bar_live_protocol::schema::{Direction, SchemaValidator};
use bar_live_protocol::*;
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Reads every frame of `bytes`; the error (if any) ends the list.
fn read_all(r: &mut impl Read, max: u32) -> (Vec<Vec<u8>>, Option<FrameError>) {
    let mut frames = Vec::new();
    let mut buf = Vec::new();
    loop {
        match read_frame(r, max, &mut buf) {
            Ok(true) => frames.push(buf.clone()),
            Ok(false) => return (frames, None),
            Err(e) => return (frames, Some(e)),
        }
    }
}

/// A reader that hands out at most `chunk` bytes per call and fails with `Interrupted` every other call,
/// like a slow socket hit by signals.
struct Dribble<'a> {
    data: &'a [u8],
    chunk: usize,
    interrupt: bool,
}

impl Read for Dribble<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.interrupt = !self.interrupt;
        if self.interrupt {
            return Err(io::Error::from(io::ErrorKind::Interrupted));
        }
        let n = self.chunk.min(out.len()).min(self.data.len());
        out[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn frame_bytes(payloads: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in payloads {
        write_frame(&mut out, p).unwrap();
    }
    out
}

fn examples(dir: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut out: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    out.sort();
    out
}

/// NaN-aware equality for messages: `Debug` prints floats in their shortest round-trip form and NaN as
/// `NaN`, so equal text means equal values (with NaN equal to NaN, as the protocol's `null` wants).
use oracle::same;

// ---------------------------------------------------------------------------------------------
// Framing: every error kind and the boundaries
// ---------------------------------------------------------------------------------------------

#[test]
fn frame_error_kinds() {
    let kind = |bytes: &[u8], max: u32| {
        read_all(&mut Cursor::new(bytes), max)
            .1
            .map(|e| e.kind().to_owned())
    };
    assert_eq!(kind(&[0, 0, 0, 0], 10), Some("zero_length".into()));
    assert_eq!(kind(&[0, 0, 0, 11], 10), Some("oversize".into()));
    assert_eq!(
        kind(&[0, 0, 0], 10),
        Some("truncated".into()),
        "EOF in the prefix"
    );
    assert_eq!(
        kind(&[0, 0, 0, 3, b'{', b'}'], 10),
        Some("truncated".into()),
        "EOF in the payload"
    );
    assert_eq!(kind(&[], 10), None, "empty stream is a clean close");
    // The i/o kind passes through.
    struct Broken;
    impl Read for Broken {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::from(io::ErrorKind::ConnectionReset))
        }
    }
    let e = read_frame(&mut Broken, 10, &mut Vec::new()).unwrap_err();
    assert_eq!(e.kind(), "io");
    // Writers refuse empty payloads rather than emit an illegal frame.
    assert_eq!(
        write_frame(&mut Vec::new(), b"").unwrap_err().kind(),
        "zero_length"
    );
}

#[test]
fn truncated_error_reports_what_arrived() {
    let (frames, err) = read_all(&mut Cursor::new(&[0, 0, 0, 9, b'a', b'b'][..]), 100);
    assert!(frames.is_empty());
    match err {
        Some(FrameError::Truncated { expected, got }) => assert_eq!((expected, got), (9, 2)),
        other => panic!("expected truncated, got {other:?}"),
    }
}

#[test]
fn max_size_boundary_at_the_default_cap() {
    let cap = DEFAULT_MAX_FRAME_BYTES;
    let payload: Vec<u8> = (0..cap).map(|i| (i % 251) as u8).collect();
    let bytes = encode_frame(&payload).unwrap();
    let mut buf = Vec::new();
    assert!(read_frame(&mut Cursor::new(&bytes), cap, &mut buf).unwrap());
    assert!(buf == payload, "a frame of exactly the cap is read whole");
    assert!(buf.capacity() <= cap as usize);

    let mut over = (cap + 1).to_be_bytes().to_vec();
    over.extend_from_slice(b"{}");
    let mut buf = Vec::new();
    let err = read_frame(&mut Cursor::new(&over), cap, &mut buf).unwrap_err();
    assert!(
        matches!(err, FrameError::Oversize { len, max_bytes } if len == u64::from(cap) + 1 && max_bytes == cap),
        "{err}"
    );
    assert_eq!(buf.capacity(), 0, "rejected before any allocation");
}

#[test]
fn all_ones_prefix_never_allocates() {
    // With the default cap the prefix is rejected outright.
    let mut buf = Vec::new();
    let err = read_frame(
        &mut Cursor::new([0xFF; 4]),
        DEFAULT_MAX_FRAME_BYTES,
        &mut buf,
    )
    .unwrap_err();
    assert_eq!(err.kind(), "oversize");
    assert_eq!(buf.capacity(), 0);
    // Even with the largest cap a user can configure (`--max-frame-bytes 4294967295`), a 4 GiB prefix
    // followed by a few bytes must not make the receiver allocate (or zero) 4 GiB up front.
    let mut stream = vec![0xFF; 4];
    stream.extend_from_slice(b"{\"a\":1}");
    let mut buf = Vec::new();
    let err = read_frame(&mut Cursor::new(&stream), u32::MAX, &mut buf).unwrap_err();
    assert!(
        matches!(
            err,
            FrameError::Truncated {
                expected: 0xFFFF_FFFF,
                got: 7
            }
        ),
        "{err}"
    );
    assert!(
        buf.capacity() <= 1 << 20,
        "allocated {} bytes for 7 received",
        buf.capacity()
    );
}

#[test]
fn frame_prefix_is_big_endian() {
    let bytes = encode_frame(&[b'x'; 0x0102]).unwrap();
    assert_eq!(&bytes[..LEN_PREFIX_BYTES], &[0, 0, 1, 2]);
}

// ---------------------------------------------------------------------------------------------
// Framing: properties
// ---------------------------------------------------------------------------------------------

fn payloads() -> impl Strategy<Value = Vec<Vec<u8>>> {
    prop::collection::vec(prop::collection::vec(any::<u8>(), 1..300), 0..12)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any sequence of non-empty payloads comes back unchanged, then a clean EOF.
    #[test]
    fn frames_round_trip(ps in payloads()) {
        let bytes = frame_bytes(&ps);
        let (got, err) = read_all(&mut Cursor::new(&bytes), 300);
        prop_assert!(err.is_none(), "{:?}", err);
        prop_assert_eq!(got, ps);
    }

    /// The same through a reader that returns 1..7 bytes per call and `Interrupted` in between.
    #[test]
    fn frames_round_trip_through_a_dribbling_reader(ps in payloads(), chunk in 1usize..8) {
        let bytes = frame_bytes(&ps);
        let mut r = Dribble { data: &bytes, chunk, interrupt: false };
        let (got, err) = read_all(&mut r, 300);
        prop_assert!(err.is_none(), "{:?}", err);
        prop_assert_eq!(got, ps);
    }

    /// A stream cut anywhere yields exactly the frames that were complete, then a clean close (cut on a
    /// boundary) or `truncated` (cut inside a frame).
    #[test]
    fn every_cut_point(ps in payloads(), cut_frac in 0.0f64..1.0) {
        let bytes = frame_bytes(&ps);
        let cut = (bytes.len() as f64 * cut_frac) as usize;
        let mut ends = vec![0usize];
        for p in &ps {
            ends.push(ends.last().unwrap() + LEN_PREFIX_BYTES + p.len());
        }
        let complete = ends.iter().filter(|&&e| e <= cut).count() - 1;
        let (got, err) = read_all(&mut Cursor::new(&bytes[..cut]), 300);
        prop_assert_eq!(&got[..], &ps[..complete]);
        if ends.contains(&cut) {
            prop_assert!(err.is_none(), "{:?}", err);
        } else {
            prop_assert_eq!(err.map(|e| e.kind()), Some("truncated"));
        }
    }

    /// Arbitrary bytes never panic and never make the reader hold more than its cap.
    #[test]
    fn garbage_never_panics_nor_overallocates(bytes in prop::collection::vec(any::<u8>(), 0..2048), cap in 1u32..512) {
        let mut r = Cursor::new(&bytes);
        let mut buf = Vec::new();
        let mut frames = 0;
        loop {
            let res = read_frame(&mut r, cap, &mut buf);
            prop_assert!(buf.capacity() <= cap as usize, "capacity {} > cap {}", buf.capacity(), cap);
            match res {
                Ok(true) => {
                    prop_assert!(!buf.is_empty() && buf.len() <= cap as usize);
                    frames += 1;
                }
                Ok(false) | Err(_) => break,
            }
        }
        prop_assert!(frames <= bytes.len() / (LEN_PREFIX_BYTES + 1));
    }

    /// Arbitrary payloads never panic the decoders (they return a classified error or a message).
    #[test]
    fn garbage_payloads_never_panic_the_decoders(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = oracle::agree(&bytes);
        let _ = decode_app(&bytes);
    }

    /// Arbitrary JSON-ish text: decoders classify, never panic.
    #[test]
    fn json_like_payloads_never_panic(text in r#"\{("[a-z_]{1,12}":([0-9]{1,3}|"[a-z]{0,5}"|null|true|\[\]|\{\}),?){0,6}\}"#) {
        if let Err(e) = oracle::agree(text.as_bytes()) {
            prop_assert!(["json", "schema", "unsupported_version"].contains(&e.kind()), "{}", e);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Messages: error classes through the public API
// ---------------------------------------------------------------------------------------------

#[test]
fn message_error_kinds() {
    let kind = |p: &[u8]| decode_widget(p).unwrap_err().kind();
    assert_eq!(kind(b"{\"type\":\"bye\xff\"}"), "utf8");
    assert_eq!(kind(b"{\"type\":\"bye\","), "json", "EOF inside the JSON");
    assert_eq!(kind(b"{\"type\":\"bye\"}}"), "json", "trailing garbage");
    assert_eq!(kind(b"not json"), "json");
    assert_eq!(kind(b"[]"), "schema", "not an object");
    assert_eq!(
        kind(br#"{"type":"bye","schema_version":1,"seq":1}"#),
        "schema",
        "missing field"
    );
    assert_eq!(
        kind(br#"{"type":"pong","schema_version":1,"seq":1,"id":"x"}"#),
        "schema",
        "wrong type"
    );
    assert_eq!(
        kind(br#"{"type":"bye","schema_version":1,"seq":0,"reason":""}"#),
        "schema",
        "seq starts at 1"
    );
    assert_eq!(
        kind(br#"{"type":"bye","schema_version":0,"seq":1,"reason":""}"#),
        "schema"
    );
    assert_eq!(
        kind(br#"{"type":"bye","schema_version":2,"seq":1,"reason":""}"#),
        "unsupported_version"
    );
    // A well-formed update of a newer version is refused by name, not decoded.
    let mut v2: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../resources/protocol/examples/update.json"),
        )
        .unwrap(),
    )
    .unwrap();
    v2["schema_version"] = 2.into();
    assert_eq!(
        kind(&serde_json::to_vec(&v2).unwrap()),
        "unsupported_version"
    );
    // Version is checked before the body: a v2 message of a shape we do not know is still "unsupported".
    assert_eq!(
        kind(br#"{"type":"update","schema_version":7,"seq":1,"teams":"new shape"}"#),
        "unsupported_version"
    );
    let app = |p: &[u8]| decode_app(p).unwrap_err().kind();
    assert_eq!(app(b"\xc3\x28"), "utf8");
    assert_eq!(app(b"{"), "json");
    assert_eq!(app(br#"{"type":"ping","schema_version":1}"#), "schema");
    assert_eq!(
        app(br#"{"type":"ping","schema_version":3,"id":1}"#),
        "unsupported_version"
    );
}

#[test]
fn protocol_error_wraps_frame_kinds() {
    let e = ProtocolError::from(FrameError::Oversize {
        len: 9,
        max_bytes: 8,
    });
    assert_eq!(e.kind(), "oversize");
    assert!(e.to_string().contains("exceeds the cap"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Messages: arbitrary messages survive encode → decode
// ---------------------------------------------------------------------------------------------

/// A nullable number: finite values of several magnitudes, or NaN (encoded as `null`).
fn num() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => -1e9f64..1e9,
        2 => (0u32..100_000).prop_map(f64::from),
        1 => Just(f64::NAN),
    ]
}

fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![-1e7f64..1e7, (0u32..10_000).prop_map(f64::from)]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 _.-]{0,16}",
        any::<String>().prop_map(|s| s.chars().take(24).collect()),
    ]
}

fn level() -> impl Strategy<Value = Level> {
    prop::sample::select(Level::ALL.to_vec())
}

fn resource() -> impl Strategy<Value = Resource> {
    prop::array::uniform9(num()).prop_map(|v| Resource {
        current: v[0],
        storage: v[1],
        pull: v[2],
        income: v[3],
        expense: v[4],
        share: v[5],
        sent: v[6],
        received: v[7],
        excess: v[8],
    })
}

const STAT_KEYS: [&str; 21] = [
    "time",
    "frame",
    "metal_used",
    "metal_produced",
    "metal_excess",
    "metal_received",
    "metal_sent",
    "energy_used",
    "energy_produced",
    "energy_excess",
    "energy_received",
    "energy_sent",
    "damage_dealt",
    "damage_received",
    "units_produced",
    "units_died",
    "units_received",
    "units_sent",
    "units_captured",
    "units_out_captured",
    "units_killed",
];

fn team_stats() -> impl Strategy<Value = TeamStats> {
    prop::collection::vec(num(), STAT_KEYS.len()).prop_map(|v| {
        let map: serde_json::Map<String, serde_json::Value> = STAT_KEYS
            .iter()
            .zip(v)
            .map(|(k, x)| ((*k).to_owned(), serde_json::json!(x)))
            .collect();
        let stats: TeamStats = serde_json::from_value(serde_json::Value::Object(map)).unwrap();
        stats
    })
}

fn team_sample() -> impl Strategy<Value = TeamSample> {
    (
        any::<u32>(),
        resource(),
        resource(),
        any::<u32>(),
        prop::option::of(prop::collection::vec((any::<u32>(), any::<u32>()), 0..6)),
        prop::option::of(any::<u32>()),
        prop::option::of(team_stats()),
    )
        .prop_map(
            |(team_id, metal, energy, total, by_def, unknown, stats)| TeamSample {
                team_id,
                metal,
                energy,
                units: UnitCounts {
                    total,
                    by_def: by_def.map(DefCounts),
                    unknown,
                },
                stats,
            },
        )
}

fn unit_sample() -> impl Strategy<Value = UnitSample> {
    (
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        finite(),
        finite(),
        num(),
        num(),
    )
        .prop_map(|(id, def, team, x, z, health, build)| UnitSample {
            id,
            def,
            team,
            x,
            z,
            health,
            build,
        })
}

fn update() -> impl Strategy<Value = Update> {
    (
        any::<u32>(),
        finite(),
        any::<bool>(),
        num(),
        prop::collection::vec(team_sample(), 0..4),
        prop::option::of(prop::collection::vec(unit_sample(), 0..4)),
        prop::option::of(any::<u32>()),
    )
        .prop_map(
            |(game_frame, game_seconds, paused, speed, teams, units, units_omitted)| Update {
                game_frame,
                game_seconds,
                paused,
                speed,
                teams,
                units,
                units_omitted,
            },
        )
}

fn hello() -> impl Strategy<Value = Hello> {
    let team = (
        any::<u32>(),
        any::<u32>(),
        text(),
        text(),
        any::<bool>(),
        text(),
        any::<bool>(),
    )
        .prop_map(
            |(team_id, ally_team_id, name, color, is_ai, side, is_gaia)| TeamInfo {
                team_id,
                ally_team_id,
                name,
                color,
                is_ai,
                side,
                is_gaia,
            },
        );
    let game = (
        (text(), text(), text(), text()),
        (any::<bool>(), any::<bool>(), any::<bool>()),
        (any::<i64>(), any::<i64>(), any::<u32>()),
    )
        .prop_map(
            |((gn, gv, ev, map), (rep, spec, full), (p, t, f))| GameInfo {
                game_name: gn,
                game_version: gv,
                engine_version: ev,
                map_name: map,
                is_replay: rep,
                spectating: spec,
                full_view: full,
                my_player_id: p,
                my_team_id: t,
                game_frame: f,
            },
        );
    let config =
        (any::<u32>(), level(), widget_config()).prop_map(|(interval, level, c)| HelloConfig {
            interval_frames: interval,
            level,
            max_units: c.max_units,
            host: c.host,
            port: c.port,
            queue_max_messages: c.queue_max_messages,
            queue_max_bytes: c.queue_max_bytes,
            send_budget_bytes: c.send_budget_bytes,
            indicator: c.indicator,
            enabled: c.enabled,
        });
    (
        text(),
        text(),
        game,
        prop::collection::vec(team, 0..5),
        config,
    )
        .prop_map(|(wn, wv, game, teams, config)| Hello {
            widget: WidgetInfo {
                name: wn,
                version: wv,
            },
            game,
            teams,
            config,
        })
}

fn unit_defs() -> impl Strategy<Value = UnitDefs> {
    let cat = prop::sample::select(vec![
        Category::Commander,
        Category::Builder,
        Category::Factory,
        Category::Economy,
        Category::Army,
        Category::Defense,
        Category::Other,
    ]);
    let def = (
        any::<u32>(),
        text(),
        text(),
        finite(),
        finite(),
        cat,
        prop::option::of(any::<u8>()),
        prop::option::of(text()),
    )
        .prop_map(
            |(id, name, label, metal_cost, energy_cost, category, tech_level, group)| UnitDef {
                id,
                name,
                label,
                metal_cost,
                energy_cost,
                category,
                tech_level,
                group,
            },
        );
    prop::collection::vec(def, 0..6).prop_map(|defs| UnitDefs { defs })
}

fn event() -> impl Strategy<Value = Event> {
    (
        any::<u32>(),
        text(),
        prop::option::of(any::<u32>()),
        prop::option::of(any::<i64>()),
        prop::option::of(prop::collection::vec(any::<u32>(), 0..4)),
        prop::option::of(any::<bool>()),
        prop::option::of(any::<bool>()),
    )
        .prop_map(
            |(game_frame, name, team_id, player_id, winners, spectating, full_view)| Event {
                game_frame,
                name,
                team_id,
                player_id,
                winners,
                spectating,
                full_view,
            },
        )
}

fn widget_stats() -> impl Strategy<Value = WidgetStats> {
    (
        (prop::option::of(any::<u32>()), num(), num(), num()),
        (any::<u32>(), any::<u64>(), any::<u64>(), any::<u64>()),
        (any::<u64>(), any::<u64>(), num(), num()),
    )
        .prop_map(
            |((gf, c, e, s), (qd, qb, d, r), (ps, rc, mps, bps))| WidgetStats {
                game_frame: gf,
                collect_ms: c,
                encode_ms: e,
                send_ms: s,
                queue_depth: qd,
                queue_bytes: qb,
                drops: d,
                refused: r,
                partial_sends: ps,
                reconnects: rc,
                messages_per_sec: mps,
                bytes_per_sec: bps,
            },
        )
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        finite().prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(text(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn widget_config() -> impl Strategy<Value = WidgetConfig> {
    let host = prop_oneof!["[0-9]{1,3}[.][0-9]{1,3}[.][0-9]{1,3}[.][0-9]{1,3}", text()];
    (
        (
            prop::option::of(any::<u32>()),
            prop::option::of(level()),
            prop::option::of(any::<u32>()),
            prop::option::of(host),
            prop::option::of(any::<u16>()),
        ),
        (
            prop::option::of(any::<u32>()),
            prop::option::of(any::<u32>()),
            prop::option::of(any::<u32>()),
            prop::option::of(any::<bool>()),
            prop::option::of(any::<bool>()),
        ),
    )
        .prop_map(
            |(
                (interval_frames, level, max_units, host, port),
                (queue_max_messages, queue_max_bytes, send_budget_bytes, indicator, enabled),
            )| WidgetConfig {
                interval_frames,
                level,
                max_units,
                host,
                port,
                queue_max_messages,
                queue_max_bytes,
                send_budget_bytes,
                indicator,
                enabled,
            },
        )
}

fn widget_message() -> impl Strategy<Value = WidgetMessage> {
    prop_oneof![
        1 => hello().prop_map(WidgetMessage::Hello),
        1 => unit_defs().prop_map(WidgetMessage::UnitDefs),
        3 => update().prop_map(WidgetMessage::Update),
        1 => event().prop_map(WidgetMessage::Event),
        1 => widget_stats().prop_map(WidgetMessage::Stats),
        1 => (text(), prop::option::of(any::<u32>()))
            .prop_map(|(text, game_frame)| WidgetMessage::Test(Test { text, game_frame })),
        1 => (text(), json_value()).prop_map(|(name, data)| WidgetMessage::Custom(Custom { name, data })),
        1 => any::<i64>().prop_map(|id| WidgetMessage::Pong(Pong { id })),
        1 => (widget_config(), prop::collection::vec(text(), 0..3))
            .prop_map(|(config, errors)| WidgetMessage::ConfigAck(ConfigAck { config, errors })),
        1 => (text(), prop::collection::vec(text(), 0..3))
            .prop_map(|(name, args)| WidgetMessage::Command(Command { name, args })),
        1 => text().prop_map(|reason| WidgetMessage::Bye(Bye { reason })),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// encode_widget → frame → read_frame → decode_widget gives back the same message and envelope.
    #[test]
    fn widget_messages_round_trip(msg in widget_message(), seq in 1u64..u64::MAX) {
        let payload = encode_widget(&msg, seq);
        let framed = encode_frame(&payload).unwrap();
        let mut buf = Vec::new();
        prop_assert!(read_frame(&mut Cursor::new(&framed), DEFAULT_MAX_FRAME_BYTES, &mut buf).unwrap());
        let decoded = decode_widget(&buf).map_err(|e| TestCaseError::fail(format!("{e}: {}", String::from_utf8_lossy(&payload))))?;
        oracle::agree(&buf).unwrap();
        prop_assert_eq!(decoded.seq, Some(seq));
        prop_assert_eq!(decoded.schema_version, SCHEMA_VERSION);
        prop_assert!(same(&decoded.body, &msg), "\n{:?}\n!=\n{:?}", decoded.body, msg);
        // And encoding is stable: the decoded message encodes to the same bytes.
        prop_assert_eq!(encode_widget(&decoded.body, seq), payload);
    }

    /// Key order does not matter: with `type` moved to the end (the update decoder is then found by the
    /// envelope scan) the message decodes to the same value.
    #[test]
    fn type_last_decodes_the_same(msg in widget_message(), seq in 1u64..1_000_000) {
        let payload = String::from_utf8(encode_widget(&msg, seq)).unwrap();
        let type_field = format!(r#""type":"{}","#, msg.type_name());
        let expected_start = format!("{{{type_field}");
        prop_assert!(payload.starts_with(&expected_start));
        let moved = format!(
            "{{{},{}}}",
            &payload[1 + type_field.len()..payload.len() - 1],
            type_field.trim_end_matches(',')
        );
        let a = decode_widget(payload.as_bytes()).unwrap();
        let b = oracle::agree(moved.as_bytes()).unwrap();
        prop_assert!(same(&a, &b), "\n{:?}\n!=\n{:?}", a, b);
    }

    /// Any key order, whitespace between all tokens, and keys written with `\u` escapes: the same
    /// message, and the oracle agrees.
    #[test]
    fn reshaped_messages_decode_the_same(msg in widget_message(), seq in 1u64..1_000_000, shape in any::<u64>()) {
        let payload = encode_widget(&msg, seq);
        let value: serde_json::Value = serde_json::from_slice(&payload).unwrap();
        let mut out = String::new();
        let mut rng = shape | 1;
        reshape(&value, true, &mut rng, &mut out);
        // The baseline goes through the same `Value` (`by_def` sorted by key, duplicates merged).
        let a = decode_widget(value.to_string().as_bytes()).unwrap();
        let b = oracle::agree(out.as_bytes()).map_err(|e| TestCaseError::fail(format!("{e}: {out}")))?;
        prop_assert!(same(&a, &b), "{}\n{:?}\n!=\n{:?}", out, a, b);
    }

    /// The envelope always passes the schema's envelope rules, whatever the body.
    #[test]
    fn encoded_envelope_is_well_formed(msg in widget_message(), seq in 1u64..1_000_000) {
        let v: serde_json::Value = serde_json::from_slice(&encode_widget(&msg, seq)).unwrap();
        prop_assert_eq!(v["type"].as_str(), Some(msg.type_name()));
        prop_assert_eq!(v["schema_version"].as_u64(), Some(u64::from(SCHEMA_VERSION)));
        prop_assert_eq!(v["seq"].as_u64(), Some(seq));
    }

    #[test]
    fn app_messages_round_trip(msg in prop_oneof![
        widget_config().prop_map(AppMessage::Config),
        any::<i64>().prop_map(|id| AppMessage::Ping { id }),
    ]) {
        let payload = encode_app(&msg);
        let v: serde_json::Value = serde_json::from_slice(&payload).unwrap();
        prop_assert!(v.get("seq").is_none(), "app→widget messages carry no seq");
        prop_assert_eq!(decode_app(&payload).unwrap(), msg.clone());
        prop_assert_eq!(oracle::decode_app(&payload).unwrap(), msg);
    }
}

/// Writes `v` as JSON with object keys in a random order (if `shuffle`: not in `by_def`, whose order is
/// kept), random whitespace between tokens, and some key characters as `\u` escapes (`rng`: xorshift
/// state).
fn reshape(v: &serde_json::Value, shuffle: bool, rng: &mut u64, out: &mut String) {
    use serde_json::Value;
    let ws = |r: u64, out: &mut String| {
        out.push_str(["", "", "", " ", "\n", "\t", "\r\n "][(r % 7) as usize])
    };
    ws(xorshift(rng), out);
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            for i in (1..entries.len()).rev().filter(|_| shuffle) {
                entries.swap(i, (xorshift(rng) % (i as u64 + 1)) as usize);
            }
            out.push('{');
            for (i, (k, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                ws(xorshift(rng), out);
                let mut key = String::from("\"");
                let quoted = serde_json::to_string(k).unwrap();
                for c in quoted[1..quoted.len() - 1].chars() {
                    if c.is_ascii_alphanumeric() && xorshift(rng).is_multiple_of(4) {
                        key.push_str(&format!("\\u{:04x}", c as u32));
                    } else {
                        key.push(c);
                    }
                }
                key.push('"');
                out.push_str(&key);
                ws(xorshift(rng), out);
                out.push(':');
                reshape(item, k.as_str() != "by_def", rng, out);
            }
            ws(xorshift(rng), out);
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                reshape(item, true, rng, out);
            }
            ws(xorshift(rng), out);
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
    ws(xorshift(rng), out);
}

// ---------------------------------------------------------------------------------------------
// Schema: the shipped examples, the simulator's output, and broken messages
// ---------------------------------------------------------------------------------------------

#[test]
fn every_widget_example_validates_and_decodes() {
    let v = SchemaValidator::new(Direction::WidgetToApp);
    let all = examples("../../resources/protocol/examples");
    assert!(all.len() >= 13, "examples missing: {}", all.len());
    let mut types = std::collections::BTreeSet::new();
    for (path, bytes) in &all {
        let value: serde_json::Value = serde_json::from_slice(bytes)
            .unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()));
        v.validate(&value)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let m = decode_widget(bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            !matches!(m.body, WidgetMessage::Unknown(_)),
            "{}: decoded as an unknown type",
            path.display()
        );
        assert_eq!(m.body.type_name(), value["type"].as_str().unwrap());
        types.insert(m.body.type_name().to_owned());
    }
    for t in [
        "hello",
        "unit_defs",
        "update",
        "event",
        "stats",
        "test",
        "custom",
        "pong",
        "config_ack",
        "command",
        "bye",
    ] {
        assert!(types.contains(t), "no example of '{t}'");
    }
}

#[test]
fn every_app_example_validates_and_decodes() {
    let v = SchemaValidator::new(Direction::AppToWidget);
    let all = examples("../../resources/protocol/examples-app");
    assert!(all.len() >= 2);
    for (path, bytes) in &all {
        let value: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        v.validate(&value)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        decode_app(bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

/// Mutations of valid examples that the schema must reject (each names the path it breaks).
#[test]
fn broken_messages_are_rejected_by_the_schema() {
    let v = SchemaValidator::new(Direction::WidgetToApp);
    let load = |name: &str| -> serde_json::Value {
        let p = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../resources/protocol/examples")
            .join(name);
        serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
    };
    type Mutation = (&'static str, &'static str, fn(&mut serde_json::Value));
    let cases: &[Mutation] = &[
        ("hello.json", "seq", |m| {
            m.as_object_mut().unwrap().remove("seq");
        }),
        ("hello.json", "seq", |m| m["seq"] = 0.into()),
        ("hello.json", "schema_version", |m| {
            m["schema_version"] = "1".into()
        }),
        ("hello.json", "/teams/0/color", |m| {
            m["teams"][0]["color"] = "blue".into()
        }),
        ("hello.json", "/config/level", |m| {
            m["config"]["level"] = "verbose".into()
        }),
        ("hello.json", "game", |m| {
            m.as_object_mut().unwrap().remove("game");
        }),
        ("update.json", "/teams/0/metal/current", |m| {
            m["teams"][0]["metal"]["current"] = "lots".into()
        }),
        ("update.json", "/teams/0/units/by_def", |m| {
            m["teams"][0]["units"]["by_def"] = serde_json::json!({"armcom": 1})
        }),
        ("update.json", "/teams/0/units/total", |m| {
            m["teams"][0]["units"]["total"] = (-1).into()
        }),
        ("update.json", "speed", |m| {
            m.as_object_mut().unwrap().remove("speed");
        }),
        ("update_detailed.json", "/units/0/health", |m| {
            m["units"][0]["health"] = 1.5.into()
        }),
        ("unit_defs.json", "/defs/0/category", |m| {
            m["defs"][0]["category"] = "tank".into()
        }),
        ("event_team_died.json", "/name", |m| m["name"] = "".into()),
        ("pong.json", "/id", |m| m["id"] = "7".into()),
        ("config_ack.json", "/config/interval_frames", |m| {
            m["config"]["interval_frames"] = 0.into()
        }),
        ("command.json", "/args/0", |m| {
            m["args"] = serde_json::json!([1])
        }),
        ("bye.json", "reason", |m| {
            m.as_object_mut().unwrap().remove("reason");
        }),
        ("stats.json", "/drops", |m| m["drops"] = (-3).into()),
    ];
    for (file, path, mutate) in cases {
        let mut m = load(file);
        v.validate(&m)
            .unwrap_or_else(|e| panic!("{file} must start valid: {e}"));
        mutate(&mut m);
        let err = v
            .validate(&m)
            .err()
            .unwrap_or_else(|| panic!("{file}: breaking {path} was accepted"));
        assert_eq!(err.kind(), "schema");
        assert!(
            err.to_string().contains(path.trim_start_matches('/')),
            "{file}: error does not name {path}: {err}"
        );
    }
    let a = SchemaValidator::new(Direction::AppToWidget);
    for bad in [
        serde_json::json!({"type":"ping","schema_version":1}),
        serde_json::json!({"type":"ping","schema_version":1,"id":1.5}),
        serde_json::json!({"type":"config","schema_version":1,"interval_frames":301}),
        serde_json::json!({"type":"config","schema_version":1,"level":"max"}),
        serde_json::json!({"type":"config","schema_version":1,"max_units":-1}),
        serde_json::json!({"schema_version":1,"id":1}),
    ] {
        assert!(a.validate(&bad).is_err(), "accepted {bad}");
    }
}

fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}
