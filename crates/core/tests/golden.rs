//! Golden files for the `.barlive` recording format (see docs/PROTOCOL.md, "Recording files").
//!
//! `tests/data/v1/` holds recordings written by format version 1 and what `bar-live info --json` says
//! about them. The tests fail if this build stops reading them the same way, or if the writer stops
//! producing the same bytes. To change the format deliberately: bump `FORMAT_VERSION`, add a
//! `tests/data/v2/` with a new generator, and keep `v1/` (old files must keep loading).
//!
//! Regenerate `v1/` (only when the *content* should change, never to paper over a format change):
//!
//! ```text
//! cargo test --test golden -- --ignored regenerate_golden_files
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use bar_live_core::protocol::frame::LEN_PREFIX_BYTES;
use bar_live_core::protocol::*;
use bar_live_core::recording::{FORMAT_VERSION, MAGIC, Recorder, RecordingReader, Summary};
use bar_live_core::sim::{SimGame, SimOptions};

/// Relative to the package root (tests run there), so `info`'s `path` field is machine-independent.
const DIR: &str = "tests/data/v1";
const DEMO: &str = "tests/data/v1/demo.barlive";
const DEMO_INFO: &str = "tests/data/v1/demo.info.json";
const CUT: &str = "tests/data/v1/demo-truncated.barlive";
const CUT_INFO: &str = "tests/data/v1/demo-truncated.info.json";

const CREATED_UNIX_MS: u64 = 1_735_689_600_000; // 2025-01-01T00:00:00Z
const SOURCE: &str = "golden generator (tests/golden.rs)";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The records of the demo file: (receive time in unix ms, connection, payload).
fn demo_records() -> Vec<(u64, u64, Vec<u8>)> {
    let mut out = Vec::new();
    let mut t = CREATED_UNIX_MS + 250;
    let mut push = |conn: u64, payload: Vec<u8>, dt: u64| {
        t += dt;
        out.push((t, conn, payload));
    };
    let mut game = SimGame::new(SimOptions {
        teams: 2,
        minutes: 1.0,
        seed: 2025,
        interval_frames: 150,
        map_name: "Golden Plains v1".into(),
        ..SimOptions::default()
    });
    // Connection 1: handshake, a ping answered, a config acknowledged, half the game, a message type from
    // the future, a frame that is not JSON, then the connection drops without a bye.
    let mut seq = 0;
    let mut widget = |m: &WidgetMessage| {
        seq += 1;
        encode_widget(m, seq)
    };
    for m in game.handshake() {
        push(1, widget(&m), 3);
    }
    push(1, widget(&WidgetMessage::Pong(Pong { id: 1001 })), 2);
    let ack = game.apply_config(&WidgetConfig {
        interval_frames: Some(150),
        level: None,
        max_units: None,
    });
    push(1, widget(&WidgetMessage::ConfigAck(ack)), 2);
    for _ in 0..6 {
        for m in game.step() {
            push(1, widget(&m), 500);
        }
    }
    seq += 1;
    push(
        1,
        format!(r#"{{"type":"future_kind","schema_version":1,"seq":{seq},"x":[1,2,3]}}"#)
            .into_bytes(),
        10,
    );
    push(1, b"this frame is not JSON".to_vec(), 10);
    // Connection 2: the widget reconnects (new seq), the game runs to its end, bye.
    let mut seq = 0;
    let mut widget = |m: &WidgetMessage| {
        seq += 1;
        encode_widget(m, seq)
    };
    for m in game.handshake() {
        push(2, widget(&m), 1_000);
    }
    while !game.finished() {
        for m in game.step() {
            push(2, widget(&m), 500);
        }
    }
    push(
        2,
        widget(&WidgetMessage::Bye(Bye {
            reason: "game over".into(),
        })),
        5,
    );
    out
}

fn write_recording(path: &Path, records: &[(u64, u64, Vec<u8>)]) {
    let mut rec = Recorder::create(path, CREATED_UNIX_MS, SOURCE).unwrap();
    for (t, conn, payload) in records {
        rec.append(*conn, *t, payload).unwrap();
    }
    rec.finish().unwrap();
}

/// Where the truncated copy is cut: inside the payload of the 5th record from the end.
fn cut_point(bytes: &[u8], records: &[(u64, u64, Vec<u8>)]) -> usize {
    let tail: usize = records
        .iter()
        .rev()
        .take(5)
        .map(|r| 12 + LEN_PREFIX_BYTES + r.2.len())
        .sum();
    bytes.len() - tail + 12 + LEN_PREFIX_BYTES + 7
}

/// What `bar-live info --json` prints for `rel` (relative to the package root, where tests run).
fn info_json(rel: &str) -> String {
    let (_, text) = bar_live_core::cli::info::render(Path::new(rel), true).unwrap();
    format!("{text}\n")
}

#[test]
#[ignore = "regenerates the golden files; run deliberately"]
fn regenerate_golden_files() {
    std::fs::create_dir_all(root().join(DIR)).unwrap();
    let records = demo_records();
    write_recording(&root().join(DEMO), &records);
    let bytes = std::fs::read(root().join(DEMO)).unwrap();
    std::fs::write(root().join(CUT), &bytes[..cut_point(&bytes, &records)]).unwrap();
    for (file, info) in [(DEMO, DEMO_INFO), (CUT, CUT_INFO)] {
        let s = Summary::of_file(Path::new(file)).unwrap();
        std::fs::write(
            root().join(info),
            format!("{}\n", serde_json::to_string(&s).unwrap()),
        )
        .unwrap();
    }
}

#[test]
fn info_json_matches_the_golden_output() {
    for (file, info) in [(DEMO, DEMO_INFO), (CUT, CUT_INFO)] {
        let want = std::fs::read_to_string(root().join(info)).unwrap();
        let got = info_json(file);
        assert_eq!(
            got, want,
            "`bar-live info {file} --json` changed; if intended, see tests/golden.rs"
        );
    }
}

#[test]
fn golden_demo_has_what_the_generator_put_in() {
    let s = Summary::of_file(&root().join(DEMO)).unwrap();
    assert_eq!(s.format_version, 1);
    assert_eq!(s.created_unix_ms, CREATED_UNIX_MS);
    assert_eq!(s.source, SOURCE);
    assert_eq!(s.connections, 2);
    assert_eq!(s.invalid, 1, "the non-JSON frame");
    assert_eq!(s.by_type.get("future_kind"), Some(&1));
    assert_eq!(s.by_type["hello"], 2);
    assert_eq!(s.by_type["bye"], 1);
    assert_eq!(s.map.as_deref(), Some("Golden Plains v1"));
    assert_eq!(s.first_game_frame, Some(150));
    assert_eq!(s.last_game_frame, Some(1800));
    assert!(!s.truncated);
    assert!(s.corrupt.is_none());
    assert!(
        s.file_bytes < 64 * 1024,
        "golden file should stay small: {}",
        s.file_bytes
    );

    let cut = Summary::of_file(&root().join(CUT)).unwrap();
    assert!(cut.truncated);
    assert_eq!(cut.frames, s.frames - 5);
}

/// The byte layout itself, independent of the reader: magic, version, header frame, records.
#[test]
fn golden_demo_byte_layout() {
    let bytes = std::fs::read(root().join(DEMO)).unwrap();
    assert_eq!(&bytes[..8], &MAGIC);
    assert_eq!(&bytes[..8], b"\x89BLV\r\n\x1a\n");
    assert_eq!(u32::from_be_bytes(bytes[8..12].try_into().unwrap()), 1);
    let hlen = u32::from_be_bytes(bytes[12..16].try_into().unwrap()) as usize;
    let header: serde_json::Value = serde_json::from_slice(&bytes[16..16 + hlen]).unwrap();
    assert_eq!(header["created_unix_ms"], CREATED_UNIX_MS);
    assert_eq!(header["source"], SOURCE);
    assert!(header["app_version"].is_string());
    // Walk the records by hand.
    let mut pos = 16 + hlen;
    let mut n = 0;
    let mut last_t = 0;
    while pos < bytes.len() {
        let t = u64::from_be_bytes(bytes[pos..pos + 8].try_into().unwrap());
        let conn = u32::from_be_bytes(bytes[pos + 8..pos + 12].try_into().unwrap());
        let len = u32::from_be_bytes(bytes[pos + 12..pos + 16].try_into().unwrap()) as usize;
        assert!(t >= last_t && (1..=2).contains(&conn) && len > 0);
        last_t = t;
        pos += 16 + len;
        n += 1;
    }
    assert_eq!(
        pos,
        bytes.len(),
        "records end exactly at the end of the file"
    );
    let reader = RecordingReader::open(&root().join(DEMO)).unwrap();
    assert_eq!(reader.count(), n);
}

/// The writer still produces the golden bytes: the same records written by this build give the same
/// file, except the header's `app_version` (which follows the crate version).
#[test]
fn writer_reproduces_the_golden_bytes() {
    assert_eq!(
        FORMAT_VERSION, 1,
        "a new format version needs tests/data/v2"
    );
    let golden = std::fs::read(root().join(DEMO)).unwrap();
    let mut reader = RecordingReader::open(&root().join(DEMO)).unwrap();
    let created = reader.header().created_unix_ms;
    let records: Vec<(u64, u64, Vec<u8>)> = reader
        .by_ref()
        .map(|r| {
            let r = r.unwrap();
            (created + r.t_ms, r.conn, r.payload)
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let ours = dir.path().join("ours.barlive");
    write_recording(&ours, &records);
    let ours = std::fs::read(ours).unwrap();

    let split = |b: &[u8]| -> (Vec<u8>, serde_json::Value, Vec<u8>) {
        let hlen = u32::from_be_bytes(b[12..16].try_into().unwrap()) as usize;
        let mut header: serde_json::Value = serde_json::from_slice(&b[16..16 + hlen]).unwrap();
        header["app_version"] = "*".into();
        (b[..12].to_vec(), header, b[16 + hlen..].to_vec())
    };
    let (g_pre, g_head, g_recs) = split(&golden);
    let (o_pre, o_head, o_recs) = split(&ours);
    assert_eq!(o_pre, g_pre, "magic or version bytes changed");
    assert_eq!(o_head, g_head, "header fields changed");
    assert!(o_recs == g_recs, "record encoding changed");

    // And the generator is deterministic (so regenerating without a content change is a no-op).
    let regenerated = demo_records();
    let stored: Vec<Vec<u8>> = records.into_iter().map(|r| r.2).collect();
    let fresh: Vec<Vec<u8>> = regenerated.into_iter().map(|r| r.2).collect();
    if stored != fresh {
        eprintln!(
            "note: the simulator's output changed since the golden files were generated \
             (fine: the format is what is pinned here)"
        );
    }
}
