//! Golden files for the `.barlive` recording format (see docs/PROTOCOL.md, "Recording files").
//!
//! `tests/data/vN/` holds recordings written by format version N and what `bar-live info --json` says
//! about them. The tests fail if this build stops reading them the same way, or if the writer stops
//! producing the same file layout. To change the format deliberately: bump `FORMAT_VERSION`, add a
//! `tests/data/vN+1/` with a new generator, and keep the older folders (old files must keep loading).
//!
//! - `v1/demo.barlive`: the demo game, records written as received; `demo-truncated.barlive`: cut inside
//!   the 5th record from the end.
//! - `v2/demo.barlive`: the same records in compressed blocks with the summary trailer;
//!   `demo-truncated.barlive`: cut inside the last records block (that block and the trailer are lost);
//!   `demo-damaged.barlive`: one byte of the 4th block's data flipped (that block and the chained
//!   blocks after it up to the next key block are skipped, the rest loads).
//!
//! `info --json` output is compared key by key: every key of the golden JSON must be there with the same
//! value; keys added since (newer summary fields) are allowed.
//!
//! Regenerate (only when the *content* should change, never to paper over a format change):
//!
//! ```text
//! cargo test --test golden -- --ignored regenerate_golden_files_v1
//! cargo test --test golden -- --ignored regenerate_golden_files_v2
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use bar_live_core::protocol::frame::LEN_PREFIX_BYTES;
use bar_live_core::protocol::*;
use bar_live_core::recording::{FORMAT_VERSION, MAGIC, Recorder, RecordingReader, Summary};
use bar_live_core::sim::{SimGame, SimOptions};

/// Relative to the package root (tests run there), so `info`'s `path` field is machine-independent.
const V1_DEMO: &str = "tests/data/v1/demo.barlive";
const V1_DEMO_INFO: &str = "tests/data/v1/demo.info.json";
const V1_CUT: &str = "tests/data/v1/demo-truncated.barlive";
const V1_CUT_INFO: &str = "tests/data/v1/demo-truncated.info.json";
const V2_DEMO: &str = "tests/data/v2/demo.barlive";
const V2_DEMO_INFO: &str = "tests/data/v2/demo.info.json";
const V2_CUT: &str = "tests/data/v2/demo-truncated.barlive";
const V2_CUT_INFO: &str = "tests/data/v2/demo-truncated.info.json";
const V2_DAMAGED: &str = "tests/data/v2/demo-damaged.barlive";
const V2_DAMAGED_INFO: &str = "tests/data/v2/demo-damaged.info.json";
const GOLDEN: [(&str, &str); 5] = [
    (V1_DEMO, V1_DEMO_INFO),
    (V1_CUT, V1_CUT_INFO),
    (V2_DEMO, V2_DEMO_INFO),
    (V2_CUT, V2_CUT_INFO),
    (V2_DAMAGED, V2_DAMAGED_INFO),
];

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
        ..WidgetConfig::default()
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

fn write_recording(path: &Path, records: &[(u64, u64, Vec<u8>)], version: u32) {
    let mut rec = Recorder::create_with_version(path, CREATED_UNIX_MS, SOURCE, version).unwrap();
    for (t, conn, payload) in records {
        rec.append(*conn, *t, payload).unwrap();
    }
    rec.finish().unwrap();
}

/// The records stored in a golden file, as (receive time in unix ms, connection, payload).
fn stored_records(rel: &str) -> Vec<(u64, u64, Vec<u8>)> {
    let mut reader = RecordingReader::open(&root().join(rel)).unwrap();
    let created = reader.header().created_unix_ms;
    reader
        .by_ref()
        .map(|r| {
            let r = r.unwrap();
            (created + r.t_ms, r.conn, r.payload)
        })
        .collect()
}

/// v1: where the truncated copy is cut: inside the payload of the 5th record from the end.
fn v1_cut_point(bytes: &[u8], records: &[(u64, u64, Vec<u8>)]) -> usize {
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

fn write_info(rel: &str, info: &str) {
    std::fs::write(root().join(info), info_json(rel)).unwrap();
}

#[test]
#[ignore = "regenerates the golden files; run deliberately"]
fn regenerate_golden_files_v1() {
    std::fs::create_dir_all(root().join("tests/data/v1")).unwrap();
    let records = demo_records();
    write_recording(&root().join(V1_DEMO), &records, 1);
    let bytes = std::fs::read(root().join(V1_DEMO)).unwrap();
    std::fs::write(
        root().join(V1_CUT),
        &bytes[..v1_cut_point(&bytes, &records)],
    )
    .unwrap();
    write_info(V1_DEMO, V1_DEMO_INFO);
    write_info(V1_CUT, V1_CUT_INFO);
}

#[test]
#[ignore = "regenerates the golden files; run deliberately"]
fn regenerate_golden_files_v2() {
    std::fs::create_dir_all(root().join("tests/data/v2")).unwrap();
    // The same records as the v1 demo, so both versions describe one game.
    write_recording(&root().join(V2_DEMO), &stored_records(V1_DEMO), 2);
    let bytes = std::fs::read(root().join(V2_DEMO)).unwrap();
    let layout = v2::walk(&bytes);
    let last = layout.blocks.iter().rfind(|b| b.kind == 1).unwrap();
    std::fs::write(
        root().join(V2_CUT),
        &bytes[..last.offset + 44 + last.stored.len() / 2],
    )
    .unwrap();
    let mut damaged = bytes.clone();
    let fourth = &layout.blocks[3];
    damaged[fourth.offset + 44 + fourth.stored.len() / 2] ^= 0x20;
    std::fs::write(root().join(V2_DAMAGED), damaged).unwrap();
    write_info(V2_DEMO, V2_DEMO_INFO);
    write_info(V2_CUT, V2_CUT_INFO);
    write_info(V2_DAMAGED, V2_DAMAGED_INFO);
}

/// Every key of `want` is in `got` with the same value (objects recursively; arrays element by element).
fn assert_json_subset(want: &serde_json::Value, got: &serde_json::Value, at: &str) {
    use serde_json::Value;
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (k, v) in w {
                let g = g
                    .get(k)
                    .unwrap_or_else(|| panic!("{at}.{k} is missing from the output"));
                assert_json_subset(v, g, &format!("{at}.{k}"));
            }
        }
        (Value::Array(w), Value::Array(g)) => {
            assert_eq!(w.len(), g.len(), "{at}: array length changed");
            for (i, (w, g)) in w.iter().zip(g).enumerate() {
                assert_json_subset(w, g, &format!("{at}[{i}]"));
            }
        }
        _ => assert_eq!(want, got, "{at} changed"),
    }
}

#[test]
fn info_json_matches_the_golden_output() {
    for (file, info) in GOLDEN {
        let want: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(root().join(info)).unwrap()).unwrap();
        let got: serde_json::Value = serde_json::from_str(&info_json(file)).unwrap();
        assert_json_subset(&want, &got, file);
    }
}

#[test]
fn golden_demo_has_what_the_generator_put_in() {
    for (demo, cut, version) in [(V1_DEMO, V1_CUT, 1), (V2_DEMO, V2_CUT, 2)] {
        let s = Summary::of_file(&root().join(demo)).unwrap();
        assert_eq!(s.format_version, version);
        assert_eq!(s.created_unix_ms, CREATED_UNIX_MS);
        assert_eq!(s.source, SOURCE);
        assert_eq!(s.connections, 2);
        assert_eq!(s.frames, 38);
        assert_eq!(s.invalid, 1, "the non-JSON frame");
        assert_eq!(s.by_type.get("future_kind"), Some(&1));
        assert_eq!(s.by_type["hello"], 2);
        assert_eq!(s.by_type["bye"], 1);
        assert_eq!(s.map.as_deref(), Some("Golden Plains v1"));
        assert_eq!(s.first_game_frame, Some(150));
        assert_eq!(s.last_game_frame, Some(1800));
        assert_eq!(s.winners.as_deref(), Some(&[0][..]), "game_over winners");
        assert_eq!(s.spectating, Some(true));
        assert!(!s.truncated);
        assert!(s.corrupt.is_none());
        assert!(
            s.file_bytes < 64 * 1024,
            "golden file should stay small: {}",
            s.file_bytes
        );

        let c = Summary::of_file(&root().join(cut)).unwrap();
        assert!(c.truncated);
        assert!(c.corrupt.is_none());
        assert!(c.frames < s.frames && c.frames > 20, "{}", c.frames);
    }
    let v1 = Summary::of_file(&root().join(V1_DEMO)).unwrap();
    let v2 = Summary::of_file(&root().join(V2_DEMO)).unwrap();
    assert_eq!(v2.read_from, "trailer");
    assert!(
        v2.file_bytes * 3 < v1.file_bytes,
        "v2 is compressed: {} vs {} bytes",
        v2.file_bytes,
        v1.file_bytes
    );
    // The same game either way, whether from the v2 trailer or a scan.
    let same = |mut s: Summary| {
        s.path.clear();
        s.file_bytes = 0;
        s.format_version = 0;
        s.read_from.clear();
        s
    };
    assert_eq!(same(v1.clone()), same(v2.clone()));
    assert_eq!(
        same(Summary::scan(&root().join(V2_DEMO)).unwrap()),
        same(v2)
    );
    assert_eq!(
        Summary::of_file(&root().join(V1_CUT)).unwrap().frames,
        v1.frames - 5
    );
}

#[test]
fn golden_damaged_v2_skips_the_damaged_blocks_and_reads_the_rest() {
    let bytes = std::fs::read(root().join(V2_DEMO)).unwrap();
    let layout = v2::walk(&bytes);
    let all = stored_records(V2_DEMO);
    let got = stored_records(V2_DAMAGED);
    // The 4th block and the chained blocks after it up to the next key block are lost; nothing else.
    let lost: Vec<usize> = {
        let next_key = layout
            .blocks
            .iter()
            .enumerate()
            .skip(4)
            .find(|(_, b)| b.kind == 1 && !b.chained)
            .map_or(layout.blocks.len(), |(i, _)| i);
        (3..next_key)
            .filter(|&i| layout.blocks[i].kind == 1)
            .collect()
    };
    let lost_records: usize = lost.iter().map(|&i| layout.blocks[i].records.len()).sum();
    assert!(lost_records > 0);
    assert_eq!(got.len(), all.len() - lost_records);
    let kept: Vec<_> = layout
        .blocks
        .iter()
        .enumerate()
        .filter(|(i, b)| b.kind == 1 && !lost.contains(i))
        .flat_map(|(_, b)| b.records.clone())
        .collect();
    let got_records: Vec<_> = got
        .iter()
        .map(|(t, c, p)| (t - CREATED_UNIX_MS, *c, p.clone()))
        .collect();
    assert!(got_records == kept, "the intact blocks load, in order");
    let s = Summary::of_file(&root().join(V2_DAMAGED)).unwrap();
    assert!(!s.truncated, "the trailer is intact");
    assert_eq!(
        s.read_from, "scan",
        "a damaged file is scanned, not trusted"
    );
    assert!(
        s.corrupt.as_deref().is_some_and(|c| c.contains("checksum")),
        "{:?}",
        s.corrupt
    );
    assert!(bar_live_core::cli::info::human(&s).contains("damaged"));
}

/// The v1 byte layout itself, independent of the reader: magic, version, header frame, records.
#[test]
fn golden_v1_byte_layout() {
    let bytes = std::fs::read(root().join(V1_DEMO)).unwrap();
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
    let reader = RecordingReader::open(&root().join(V1_DEMO)).unwrap();
    assert_eq!(reader.count(), n);
}

/// The v2 byte layout, walked by hand with zstd and crc32 directly (not the crate's reader): the blocks
/// hold the v1 demo's records exactly; the trailer and footer are where they should be.
#[test]
fn golden_v2_byte_layout() {
    let bytes = std::fs::read(root().join(V2_DEMO)).unwrap();
    let layout = v2::walk(&bytes);
    assert_eq!(layout.header["created_unix_ms"], CREATED_UNIX_MS);
    assert_eq!(layout.header["source"], SOURCE);
    let records: Vec<_> = layout
        .blocks
        .iter()
        .filter(|b| b.kind == 1)
        .flat_map(|b| b.records.clone())
        .collect();
    let v1: Vec<_> = stored_records(V1_DEMO)
        .into_iter()
        .map(|(t, c, p)| (t - CREATED_UNIX_MS, c, p))
        .collect();
    assert!(records == v1, "v2 blocks hold the v1 records exactly");
    // Blocks span at most a second of receive time; the first block and every 10th are key blocks.
    for (i, b) in layout
        .blocks
        .iter()
        .enumerate()
        .filter(|(_, b)| b.kind == 1)
    {
        let span = b.records.last().unwrap().0 - b.records[0].0;
        assert!(span < 1000, "block {i} spans {span} ms");
        assert_eq!(b.chained, i % 10 != 0, "block {i}");
    }
    let trailer = layout.blocks.last().unwrap();
    assert_eq!(trailer.kind, 2, "the last block is the summary");
    let summary: serde_json::Value = serde_json::from_slice(&trailer.raw).unwrap();
    assert_eq!(summary["summary"]["frames"], 38);
    assert_eq!(layout.footer_offset, Some(trailer.offset));
}

/// The writer still produces the golden layout: the same records written by this build give the same
/// v1 file (except the header's `app_version`, which follows the crate version) and the same v2 blocks
/// (same boundaries, flags and uncompressed content; the compressed bytes may differ with the zstd
/// version).
#[test]
fn writer_reproduces_the_golden_files() {
    assert_eq!(
        FORMAT_VERSION, 2,
        "a new format version needs tests/data/v3"
    );
    let records = stored_records(V1_DEMO);
    let dir = tempfile::tempdir().unwrap();
    let split = |b: &[u8]| -> (Vec<u8>, serde_json::Value, Vec<u8>) {
        let hlen = u32::from_be_bytes(b[12..16].try_into().unwrap()) as usize;
        let mut header: serde_json::Value = serde_json::from_slice(&b[16..16 + hlen]).unwrap();
        header["app_version"] = "*".into();
        (b[..12].to_vec(), header, b[16 + hlen..].to_vec())
    };

    let ours = dir.path().join("ours-v1.barlive");
    write_recording(&ours, &records, 1);
    let (g_pre, g_head, g_recs) = split(&std::fs::read(root().join(V1_DEMO)).unwrap());
    let (o_pre, o_head, o_recs) = split(&std::fs::read(ours).unwrap());
    assert_eq!(o_pre, g_pre, "v1: magic or version bytes changed");
    assert_eq!(o_head, g_head, "v1: header fields changed");
    assert!(o_recs == g_recs, "v1: record encoding changed");

    let ours = dir.path().join("ours-v2.barlive");
    write_recording(&ours, &records, 2);
    let ours = std::fs::read(ours).unwrap();
    let golden = std::fs::read(root().join(V2_DEMO)).unwrap();
    assert_eq!(split(&ours).0, split(&golden).0, "v2: magic or version");
    assert_eq!(split(&ours).1, split(&golden).1, "v2: header fields");
    let (g, o) = (v2::walk(&golden), v2::walk(&ours));
    assert_eq!(g.blocks.len(), o.blocks.len(), "v2: block count");
    for (i, (g, o)) in g.blocks.iter().zip(&o.blocks).enumerate() {
        assert_eq!(
            (g.kind, g.chained, &g.records),
            (o.kind, o.chained, &o.records),
            "v2: block {i}"
        );
        if g.kind == 2 {
            let (mut gs, mut os): (serde_json::Value, serde_json::Value) = (
                serde_json::from_slice(&g.raw).unwrap(),
                serde_json::from_slice(&o.raw).unwrap(),
            );
            for s in [&mut gs, &mut os] {
                s["summary"]["app_version"] = "*".into();
            }
            assert_eq!(gs, os, "v2: summary trailer");
        }
    }
    if ours != golden {
        eprintln!(
            "note: zstd compresses differently than when the v2 golden file was written (fine)"
        );
    }

    // And the generator is deterministic (so regenerating without a content change is a no-op).
    let stored: Vec<Vec<u8>> = records.into_iter().map(|r| r.2).collect();
    let fresh: Vec<Vec<u8>> = demo_records().into_iter().map(|r| r.2).collect();
    if stored != fresh {
        eprintln!(
            "note: the simulator's output changed since the golden files were generated \
             (fine: the format is what is pinned here)"
        );
    }
}

/// A hand-written walker of the v2 layout (docs/PROTOCOL.md), independent of the crate's reader.
mod v2 {
    pub struct Block {
        pub offset: usize,
        pub kind: u8,
        pub chained: bool,
        pub stored: Vec<u8>,
        pub raw: Vec<u8>,
        pub records: Vec<(u64, u64, Vec<u8>)>,
    }

    pub struct Layout {
        pub header: serde_json::Value,
        pub blocks: Vec<Block>,
        pub footer_offset: Option<usize>,
    }

    fn be32(b: &[u8]) -> u32 {
        u32::from_be_bytes(b[..4].try_into().unwrap())
    }

    fn be64(b: &[u8]) -> u64 {
        u64::from_be_bytes(b[..8].try_into().unwrap())
    }

    /// Walks an intact v2 file, checking every field it can.
    pub fn walk(bytes: &[u8]) -> Layout {
        assert_eq!(&bytes[..8], b"\x89BLV\r\n\x1a\n");
        assert_eq!(be32(&bytes[8..]), 2);
        let hlen = be32(&bytes[12..]) as usize;
        let header = serde_json::from_slice(&bytes[16..16 + hlen]).unwrap();
        let mut pos = 16 + hlen;
        let mut blocks: Vec<Block> = Vec::new();
        let mut previous_raw: Vec<u8> = Vec::new();
        let mut footer_offset = None;
        while pos < bytes.len() {
            if blocks.last().is_some_and(|b| b.kind == 2) {
                assert_eq!(bytes.len() - pos, 16, "a 16-byte footer after the summary");
                assert_eq!(&bytes[pos + 8..], b"\x89BLVEND\n");
                footer_offset = Some(be64(&bytes[pos..]) as usize);
                break;
            }
            let h = &bytes[pos..pos + 44];
            assert_eq!(&h[..4], b"\x89BLK", "block marker at {pos}");
            assert_eq!(be32(&h[40..]), crc32fast::hash(&h[..40]), "header crc");
            let (kind, flags) = (h[4], h[5]);
            assert_eq!(&h[6..8], &[0, 0]);
            let (stored_len, raw_len, n) = (
                be32(&h[8..]) as usize,
                be32(&h[12..]) as usize,
                be32(&h[16..]),
            );
            let (first_t, last_t) = (be64(&h[20..]), be64(&h[28..]));
            let stored = bytes[pos + 44..pos + 44 + stored_len].to_vec();
            assert_eq!(be32(&h[36..]), crc32fast::hash(&stored), "data crc");
            let chained = flags & 1 != 0;
            let dict: &[u8] = if chained { &previous_raw } else { &[] };
            let raw = zstd::bulk::Decompressor::with_dictionary(dict)
                .unwrap()
                .decompress(&stored, raw_len)
                .unwrap();
            assert_eq!(raw.len(), raw_len);
            let mut records = Vec::new();
            if kind == 1 {
                let mut at = 0;
                while at < raw.len() {
                    let len = be32(&raw[at + 12..]) as usize;
                    records.push((
                        be64(&raw[at..]),
                        u64::from(be32(&raw[at + 8..])),
                        raw[at + 16..at + 16 + len].to_vec(),
                    ));
                    at += 16 + len;
                }
                assert_eq!(at, raw.len());
                assert_eq!(records.len() as u32, n);
                assert_eq!(records[0].0, first_t);
                assert_eq!(records.last().unwrap().0, last_t);
                previous_raw = raw.clone();
            }
            blocks.push(Block {
                offset: pos,
                kind,
                chained,
                stored,
                raw,
                records,
            });
            pos += 44 + stored_len;
        }
        Layout {
            header,
            blocks,
            footer_offset,
        }
    }
}
