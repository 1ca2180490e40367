//! Replays the checked-in fuzz corpus (`fuzz/corpus/<target>/`) through the same checks the cargo-fuzz
//! targets make, so every input the fuzzer ever kept (and every crash it found, once fixed and added) is
//! re-run by a plain `cargo test`. Plus a proptest of random byte streams through the frame reader.
//!
//! The fuzz targets also count allocations with a tracking global allocator; this crate forbids
//! `unsafe`, so here the frame cap is checked through the buffer's capacity instead.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use bar_live_core::protocol::{
    DEFAULT_MAX_FRAME_BYTES, WidgetMessage, decode_app, decode_widget, encode_app, encode_widget,
    read_frame,
};
use bar_live_core::recording::RecordingReader;
use proptest::prelude::*;

/// The cap the `frame_decoder` target uses.
const CAP: u32 = 64 * 1024;

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} is empty", dir.display());
    files
        .into_iter()
        .map(|p| {
            let b = std::fs::read(&p).expect("read corpus file");
            (p, b)
        })
        .collect()
}

/// The `frame_decoder` target's body. Returns how many frames were read.
fn frame_stream(data: &[u8], cap: u32) -> usize {
    let mut input = Cursor::new(data);
    let mut buf = Vec::new();
    let mut frames = 0;
    loop {
        let r = read_frame(&mut input, cap, &mut buf);
        assert!(
            buf.capacity() <= cap as usize,
            "read_frame holds {} bytes with a cap of {cap}",
            buf.capacity()
        );
        match r {
            Ok(true) => {
                frames += 1;
                assert!(!buf.is_empty() && buf.len() <= cap as usize);
                let _ = decode_widget(&buf);
            }
            Ok(false) | Err(_) => return frames,
        }
    }
}

/// The `message_parser` target's body (without the allocation count).
fn message(data: &[u8]) {
    // Unknown types are not re-encoded: `encode_widget` of `Unknown` yields an empty payload.
    if let Ok(m) = decode_widget(data)
        && !matches!(m.body, WidgetMessage::Unknown(_))
    {
        let again = encode_widget(&m.body, m.seq.unwrap_or(1));
        let back = decode_widget(&again).expect("a re-encoded message decodes");
        // Compared as bytes: `null` decodes to NaN, and NaN != NaN.
        let twice = encode_widget(&back.body, back.seq.unwrap_or(1));
        assert_eq!(twice, again, "decode/encode is not a fixed point");
    }
    if let Ok(m) = decode_app(data) {
        let back = decode_app(&encode_app(&m)).expect("a re-encoded app message decodes");
        assert_eq!(back, m, "app round trip changed the message");
    }
}

/// The `recording_reader` target's body. Returns how many records were read.
fn recording(data: &[u8]) -> usize {
    let Ok(mut r) = RecordingReader::new(data) else {
        return 0;
    };
    let mut n = 0;
    while let Ok(Some(rec)) = r.next_record() {
        n += 1;
        assert!(n <= data.len(), "more records than bytes");
        assert!(rec.payload.capacity() <= DEFAULT_MAX_FRAME_BYTES as usize);
        let _ = decode_widget(&rec.payload);
    }
    n
}

#[test]
fn frame_decoder_corpus_replays() {
    let files = corpus("frame_decoder");
    let frames: usize = files.iter().map(|(_, b)| frame_stream(b, CAP)).sum();
    assert!(frames > 0, "the corpus reaches whole frames");
}

#[test]
fn message_parser_corpus_replays() {
    let files = corpus("message_parser");
    for (_, b) in &files {
        message(b);
    }
    let decoded = files
        .iter()
        .filter(|(_, b)| decode_widget(b).is_ok())
        .count();
    assert!(decoded > 0, "the corpus reaches decoded messages");
}

#[test]
fn recording_reader_corpus_replays() {
    let files = corpus("recording_reader");
    let records: usize = files.iter().map(|(_, b)| recording(b)).sum();
    assert!(records > 0, "the corpus reaches whole records");
}

/// The `replay_reader` target's checks: no panic; a file whose counts exceed its bytes still reads (the
/// counts never size an allocation), and the whole golden replay has its statistics.
#[test]
fn replay_reader_corpus_replays() {
    let files = corpus("replay_reader");
    let mut with_stats = 0;
    for (path, b) in &files {
        let name = path.file_name().unwrap().to_string_lossy();
        match bar_live_core::replay::Replay::from_bytes(b) {
            Ok(r) => {
                let _ = r.end_frame();
                with_stats += usize::from(r.has_team_stats());
                if name.starts_with("huge-counts") {
                    assert!(r.team_records.iter().all(|t| t.len() < 1000), "{name}");
                }
            }
            Err(e) => assert!(!e.to_string().is_empty(), "{name}"),
        }
    }
    assert!(with_stats > 0, "the corpus reaches team statistics");
}

/// Bytes that look like frames often enough to get past the prefix.
fn stream() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..64),
            (0u32..200, prop::collection::vec(any::<u8>(), 0..200)).prop_map(|(n, mut body)| {
                let mut v = n.to_be_bytes().to_vec();
                v.append(&mut body);
                v
            }),
            Just(vec![0xFF, 0xFF, 0xFF, 0xFF]),
            Just(b"\x00\x00\x00\x0b{\"type\":1}".to_vec()),
        ],
        0..8,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_streams_never_panic_nor_exceed_the_cap(data in stream(), cap in 1u32..300) {
        frame_stream(&data, cap);
        message(&data);
    }
}
