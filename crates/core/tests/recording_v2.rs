//! Recording format version 2: crash safety (cuts anywhere, a damaged byte anywhere, a recorder that
//! dies without finishing), bounded allocation on lying headers, the summary trailer, and conversion
//! between versions. The golden files are in `tests/golden.rs`; the recordings index in `tests/index.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bar_live_core::cli::convert;
use bar_live_core::protocol::*;
use bar_live_core::recording::{Record, Recorder, RecordingReader, Summary};
use bar_live_core::sim::{SimGame, SimOptions};
use proptest::prelude::*;

const CREATED: u64 = 1_750_000_000_000;

/// A short game as received: (unix ms, conn, payload), two messages a second like the widget, with a
/// reconnect half way.
fn game_records(teams: u32, minutes: f64) -> Vec<(u64, u64, Vec<u8>)> {
    let mut game = SimGame::new(SimOptions {
        teams,
        minutes,
        seed: 3,
        ..SimOptions::default()
    });
    let mut out = Vec::new();
    let (mut seq, mut conn, mut t) = (0, 1, CREATED + 40);
    for m in game.handshake() {
        seq += 1;
        out.push((t, conn, encode_widget(&m, seq)));
    }
    let mut steps = 0;
    while !game.finished() {
        steps += 1;
        t += 500;
        if steps == 100 {
            (conn, seq) = (2, 0);
            for m in game.handshake() {
                seq += 1;
                out.push((t, conn, encode_widget(&m, seq)));
            }
        }
        for m in game.step() {
            seq += 1;
            out.push((t, conn, encode_widget(&m, seq)));
            t += 3;
        }
    }
    out
}

fn write(path: &Path, records: &[(u64, u64, Vec<u8>)], version: u32) -> PathBuf {
    let mut rec = Recorder::create_with_version(path, CREATED, "test", version).unwrap();
    for (t, c, p) in records {
        rec.append(*c, *t, p).unwrap();
    }
    rec.finish().unwrap()
}

fn read_all(bytes: &[u8]) -> (Vec<Record>, bool, Option<String>) {
    let mut r = RecordingReader::new(bytes).unwrap();
    let recs = r.by_ref().collect::<Result<Vec<_>, _>>().unwrap();
    (recs, r.truncated(), r.corrupt().map(str::to_owned))
}

fn as_records(src: &[(u64, u64, Vec<u8>)]) -> Vec<Record> {
    src.iter()
        .map(|(t, c, p)| Record {
            t_ms: t - CREATED,
            conn: *c,
            payload: p.clone(),
        })
        .collect()
}

/// One 4-team, 4-minute game in v2, shared by the proptests: (bytes, records, where blocks start).
fn sample() -> &'static (Vec<u8>, Vec<Record>, usize) {
    static SAMPLE: std::sync::OnceLock<(Vec<u8>, Vec<Record>, usize)> = std::sync::OnceLock::new();
    SAMPLE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let src = game_records(4, 4.0);
        let bytes = std::fs::read(write(&dir.path().join("s.barlive"), &src, 2)).unwrap();
        let start = RecordingReader::new(&bytes[..]).unwrap().position() as usize;
        (bytes, as_records(&src), start)
    })
}

#[test]
fn v2_round_trips_every_record_with_times_and_connections() {
    let (bytes, want, _) = sample();
    let (got, truncated, corrupt) = read_all(bytes);
    assert!(got == *want);
    assert!(!truncated);
    assert!(corrupt.is_none());
    assert!(want.iter().any(|r| r.conn == 2));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A file cut anywhere: no error, reported truncated, exactly a prefix of the records (whole blocks).
    #[test]
    fn a_cut_anywhere_loads_a_prefix_and_says_truncated(frac in 0.0f64..1.0) {
        let (bytes, want, start) = sample();
        let cut = start + ((bytes.len() - start) as f64 * frac) as usize;
        let (got, truncated, corrupt) = read_all(&bytes[..cut]);
        prop_assert!(truncated, "cut at {cut} of {}", bytes.len());
        prop_assert!(corrupt.is_none());
        prop_assert!(got.len() <= want.len());
        prop_assert!(got[..] == want[..got.len()], "not a prefix");
        prop_assert_eq!(frames_info_finds(&bytes[..cut]), got.len() as u64);
    }

    /// A cut inside the magic, version or JSON header is an error at open, never a panic.
    #[test]
    fn a_cut_in_the_file_header_is_an_error(frac in 0.0f64..1.0) {
        let (bytes, _, start) = sample();
        let cut = (*start as f64 * frac) as usize;
        prop_assert!(RecordingReader::new(&bytes[..cut]).is_err());
    }

    /// One byte damaged anywhere after the header: no error, no panic; what loads is the records in
    /// order with at most a run of whole blocks (up to the next key block) missing.
    #[test]
    fn a_damaged_byte_anywhere_skips_at_most_a_stretch(frac in 0.0f64..1.0, bit in 0u8..8) {
        let (bytes, want, start) = sample();
        let mut bad = bytes.clone();
        let at = start + ((bytes.len() - start) as f64 * frac) as usize;
        let at = at.min(bytes.len() - 1);
        bad[at] ^= 1 << bit;
        let (got, _, _) = read_all(&bad);
        // `got` is `want` with one contiguous run removed.
        let head = got.iter().zip(want).take_while(|(g, w)| g == w).count();
        let tail = got[head..].len();
        prop_assert!(got[head..] == want[want.len() - tail..], "records out of order or changed");
        let lost = want.len() - got.len();
        prop_assert!(lost <= 150, "{lost} records lost for one byte (at {at})");
    }
}

/// How many records `info` (a summary of the file) finds in these bytes; the file must read as cut short.
fn frames_info_finds(bytes: &[u8]) -> u64 {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.barlive");
    std::fs::write(&p, bytes).unwrap();
    let s = Summary::of_file(&p).unwrap();
    assert!(s.truncated);
    s.frames
}

#[test]
fn a_damaged_block_is_skipped_and_reported_and_the_rest_loads() {
    let (bytes, want, start) = sample();
    // Damage the data of a block in the middle.
    let mut pos = *start;
    let mut blocks = Vec::new();
    while pos + 44 <= bytes.len() && &bytes[pos..pos + 4] == b"\x89BLK" {
        let stored = u32::from_be_bytes(bytes[pos + 8..pos + 12].try_into().unwrap()) as usize;
        blocks.push((pos, stored, bytes[pos + 5] & 1 == 1));
        pos += 44 + stored;
    }
    let (at, stored, chained) = blocks[blocks.len() / 2];
    assert!(chained, "pick a chained block");
    let mut bad = bytes.clone();
    bad[at + 44 + stored / 2] ^= 0xFF;
    let (got, truncated, corrupt) = read_all(&bad);
    let corrupt = corrupt.expect("reported damaged");
    assert!(corrupt.contains("checksum"), "{corrupt}");
    assert!(!truncated, "the trailer was reached");
    assert!(got.len() < want.len() && got.len() > want.len() / 2);
    // The damaged header case: the block marker itself is hit; the reader finds the next block.
    let mut bad = bytes.clone();
    bad[at] ^= 0xFF;
    let (got2, _, corrupt2) = read_all(&bad);
    assert!(corrupt2.unwrap().contains("header"));
    assert_eq!(got2.len(), got.len(), "same blocks lost either way");
    // `info` scans a damaged file instead of trusting its trailer; the index's fast path trusts it.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.barlive");
    std::fs::write(&p, &bad).unwrap();
    let s = Summary::of_file(&p).unwrap();
    assert_eq!(s.read_from, "scan");
    assert_eq!(s.frames, got.len() as u64);
    assert!(s.corrupt.is_some());
    assert_eq!(Summary::of_file_fast(&p).unwrap().read_from, "trailer");
}

#[test]
fn lying_block_headers_do_not_allocate_what_they_claim() {
    let (bytes, _, start) = sample();
    // A valid-looking header (good checksum) claiming 16 MiB (the cap) of data, then the end of the file.
    let mut f = bytes[..*start].to_vec();
    let mut h = [0u8; 44];
    h[..4].copy_from_slice(b"\x89BLK");
    h[4] = 1;
    h[8..12].copy_from_slice(&(16u32 << 20).to_be_bytes());
    h[12..16].copy_from_slice(&(16u32 << 20).to_be_bytes());
    let crc = crc32fast::hash(&h[..40]);
    h[40..].copy_from_slice(&crc.to_be_bytes());
    f.extend_from_slice(&h);
    f.extend_from_slice(&[7u8; 100]);
    let t = Instant::now();
    let (got, truncated, _) = read_all(&f);
    assert!(got.is_empty() && truncated);
    // Over the cap (4 GiB): the header is refused, the reader looks for the next block.
    h[8..12].copy_from_slice(&u32::MAX.to_be_bytes());
    let crc = crc32fast::hash(&h[..40]);
    h[40..].copy_from_slice(&crc.to_be_bytes());
    let mut f = bytes[..*start].to_vec();
    f.extend_from_slice(&h);
    f.extend_from_slice(&bytes[*start..]);
    let (got, _, corrupt) = read_all(&f);
    assert_eq!(
        got.len(),
        sample().1.len(),
        "everything after the bad header loads"
    );
    assert!(corrupt.unwrap().contains("Fields"));
    assert!(t.elapsed() < Duration::from_secs(5));
}

/// A recorder that dies without `finish` (kill -9: nothing of the process runs, simulated by leaking
/// it) leaves every block closed by `flush`/`tick`/the 1-second rule readable.
#[test]
fn a_recorder_that_dies_loses_only_the_open_block() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dead.barlive");
    let src = game_records(2, 2.0);
    let mut rec = Recorder::create(&path, CREATED, "test").unwrap();
    let half = src.len() / 2;
    for (t, c, p) in &src[..half] {
        rec.append(*c, *t, p).unwrap();
    }
    rec.flush().unwrap();
    // Records of the next half-second are still in the open block.
    for (t, c, p) in &src[half..half + 2] {
        rec.append(*c, *t, p).unwrap();
    }
    std::mem::forget(rec);
    let (got, truncated, corrupt) = read_all(&std::fs::read(&path).unwrap());
    assert!(truncated && corrupt.is_none());
    assert!(got == as_records(&src[..half]));

    // tick() closes the block once a second has passed, also when no frame arrives.
    let path = dir.path().join("ticked.barlive");
    let mut rec = Recorder::create(&path, CREATED, "test").unwrap();
    rec.append(1, CREATED + 5, &src[0].2).unwrap();
    rec.tick().unwrap();
    assert_eq!(read_all(&std::fs::read(&path).unwrap()).0.len(), 0);
    std::thread::sleep(Duration::from_millis(1100));
    rec.tick().unwrap();
    assert_eq!(read_all(&std::fs::read(&path).unwrap()).0.len(), 1);
    // Dropped without finish: the open block is written, the file reads as cut short.
    rec.append(1, CREATED + 10, &src[1].2).unwrap();
    drop(rec);
    let (got, truncated, _) = read_all(&std::fs::read(&path).unwrap());
    assert_eq!(got.len(), 2);
    assert!(truncated);
}

#[test]
fn the_trailer_gives_the_scan_summary_without_reading_records() {
    let dir = tempfile::tempdir().unwrap();
    let src = game_records(16, 3.0);
    let p = write(&dir.path().join("t.barlive"), &src, 2);
    let fast = Summary::of_file_fast(&p).unwrap();
    let checked = Summary::of_file(&p).unwrap();
    let mut scan = Summary::scan(&p).unwrap();
    assert_eq!(fast.read_from, "trailer");
    assert_eq!(checked.read_from, "trailer");
    assert_eq!(scan.read_from, "scan");
    scan.read_from = "trailer".into();
    assert_eq!(fast, scan);
    assert_eq!(checked, scan);
    assert_eq!(fast.frames, src.len() as u64);
    assert_eq!(fast.players().count(), 16);
}

#[test]
fn recorder_refuses_frames_it_could_not_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut rec = Recorder::create(&dir.path().join("x.barlive"), CREATED, "test").unwrap();
    assert!(rec.append(1, CREATED, b"").is_err());
    let huge = vec![b' '; DEFAULT_MAX_FRAME_BYTES as usize + 1];
    assert!(rec.append(1, CREATED, &huge).is_err());
    // A frame at the cap is fine.
    let mut big = vec![b' '; DEFAULT_MAX_FRAME_BYTES as usize];
    big[0] = b'{';
    rec.append(1, CREATED + 1, &big).unwrap();
    let p = rec.finish().unwrap();
    let (got, _, _) = read_all(&std::fs::read(p).unwrap());
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].payload.len(), DEFAULT_MAX_FRAME_BYTES as usize);
}

#[test]
fn convert_v1_to_v2_and_back_gives_the_original_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/v1/demo.barlive");
    let v2 = dir.path().join("demo-v2.barlive");
    let back = dir.path().join("demo-v1.barlive");
    let r = convert::run(&golden, &v2, None).unwrap();
    assert_eq!((r.from_version, r.to_version, r.records), (1, 2, 38));
    assert!(r.output_bytes * 3 < r.input_bytes);
    let r = convert::run(&v2, &back, None).unwrap();
    assert_eq!((r.from_version, r.to_version), (2, 1));
    assert!(std::fs::read(&back).unwrap() == std::fs::read(&golden).unwrap());

    // v2 -> v1 -> v2: identical records and header (the golden v2 file).
    let golden2 = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/v2/demo.barlive");
    let v1 = dir.path().join("g-v1.barlive");
    let again = dir.path().join("g-v2.barlive");
    convert::run(&golden2, &v1, Some(1)).unwrap();
    convert::run(&v1, &again, Some(2)).unwrap();
    let (a, b) = (
        std::fs::read(&golden2).unwrap(),
        std::fs::read(&again).unwrap(),
    );
    let ra = RecordingReader::new(&a[..]).unwrap();
    let rb = RecordingReader::new(&b[..]).unwrap();
    assert_eq!(ra.header_json(), rb.header_json());
    assert!(read_all(&a).0 == read_all(&b).0);
    assert_eq!(
        Summary::of_file(&again).unwrap().frames,
        Summary::of_file(&golden2).unwrap().frames
    );
}

#[test]
fn convert_keeps_truncation_and_refuses_to_overwrite_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let cut = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/v1/demo-truncated.barlive");
    let out = dir.path().join("cut-v2.barlive");
    let r = convert::run(&cut, &out, None).unwrap();
    assert!(r.truncated);
    let s = Summary::of_file(&out).unwrap();
    assert!(s.truncated, "still reads as cut short");
    assert_eq!(s.frames, 33);

    let copy = dir.path().join("in.barlive");
    std::fs::copy(&cut, &copy).unwrap();
    let before = std::fs::read(&copy).unwrap();
    let same = dir.path().join(".").join("in.barlive");
    assert!(convert::run(&copy, &same, None).is_err());
    assert_eq!(std::fs::read(&copy).unwrap(), before);
    assert!(convert::run(&copy, &out, Some(7)).is_err());
    // No temporary file is left behind.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(left.is_empty());
}

/// The local player's team and the winner, from `hello` and the events.
#[test]
fn summary_knows_the_local_team_and_the_winner() {
    let dir = tempfile::tempdir().unwrap();
    let game = SimGame::new(SimOptions {
        teams: 4,
        minutes: 1.0,
        ..SimOptions::default()
    });
    let mut msgs = game.handshake();
    if let WidgetMessage::Hello(h) = &mut msgs[0] {
        h.game.spectating = false;
        h.game.my_team_id = 1;
        for (i, t) in h.teams.iter_mut().enumerate() {
            t.ally_team_id = i as u32 % 2; // 0 and 2 vs 1 and 3
        }
    }
    let died = |team: u32| {
        let mut e = Event::new(100, "team_died");
        e.team_id = Some(team);
        WidgetMessage::Event(e)
    };
    msgs.push(died(0));
    msgs.push(died(2));
    let p = dir.path().join("w.barlive");
    let mut rec = Recorder::create(&p, CREATED, "test").unwrap();
    for (i, m) in msgs.iter().enumerate() {
        rec.append(1, CREATED + i as u64, &encode_widget(m, i as u64 + 1))
            .unwrap();
    }
    rec.finish().unwrap();
    let s = Summary::of_file(&p).unwrap();
    assert_eq!(s.my_team_id, Some(1));
    assert_eq!(s.spectating, Some(false));
    assert_eq!(s.winners, Some(vec![1]), "the last ally team standing");
    assert_eq!(s.my_ally_team(), Some(1));
    assert_eq!(s.local_player_won(), Some(true));
    assert!(!s.game_over);
    // game_over's winners take precedence.
    let mut over = Event::new(200, "game_over");
    over.winners = Some(vec![0]);
    let mut rec = Recorder::create(&p, CREATED, "test").unwrap();
    for (i, m) in msgs.iter().chain([&WidgetMessage::Event(over)]).enumerate() {
        rec.append(1, CREATED + i as u64, &encode_widget(m, i as u64 + 1))
            .unwrap();
    }
    rec.finish().unwrap();
    let s = Summary::of_file(&p).unwrap();
    assert_eq!(s.winners, Some(vec![0]));
    assert_eq!(s.local_player_won(), Some(false));
    assert!(s.game_over);
}

/// The numbers of docs/PERFORMANCE.md, "Recordings", from one run: a 2-hour 16-team game at default
/// settings (standard level, 15-frame interval) written as v1 and v2, then size, `info`, a full scan,
/// reading, decoding and `Review::open` of each. Set `KEEP=DIR` to keep the two files (for timing
/// `bar-live info` on them). Run:
/// `cargo test --release -p bar-live-core --test recording_v2 -- --ignored --nocapture two_hour`
#[test]
#[ignore = "a measurement (about a minute); numbers in docs/PERFORMANCE.md"]
fn two_hour_game_v1_vs_v2() {
    let median = |mut f: Box<dyn FnMut() -> Duration>| {
        let mut v: Vec<Duration> = (0..3).map(|_| f()).collect();
        v.sort();
        v[1]
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = std::env::var("KEEP").map_or_else(|_| tmp.path().to_owned(), PathBuf::from);
    std::fs::create_dir_all(&dir).unwrap();
    let mut game = SimGame::new(SimOptions {
        teams: 16,
        minutes: 120.0,
        ..SimOptions::default()
    });
    let mut msgs = Vec::new();
    let mut seq = 0;
    for m in game.handshake() {
        seq += 1;
        msgs.push((CREATED + 20, encode_widget(&m, seq)));
    }
    while !game.finished() {
        // Received as the game runs (30 frames a second), a millisecond apart within a step.
        let t = CREATED + 1000 + u64::from(game.frame()) * 1000 / 30;
        for (i, m) in game.step().into_iter().enumerate() {
            seq += 1;
            msgs.push((t + i as u64, encode_widget(&m, seq)));
        }
    }
    let game_secs = (msgs.last().unwrap().0 - CREATED) as f64 / 1000.0;
    println!(
        "{} messages, {:.1} MB of payload, {game_secs:.0} s of game",
        msgs.len(),
        msgs.iter().map(|m| m.1.len()).sum::<usize>() as f64 / 1e6
    );
    for version in [1, 2] {
        let path = dir.join(format!("two-hours-v{version}.barlive"));
        let t = Instant::now();
        let mut rec = Recorder::create_with_version(&path, CREATED, "numbers", version).unwrap();
        for (t, p) in &msgs {
            rec.append(1, *t, p).unwrap();
        }
        rec.finish().unwrap();
        let write = t.elapsed();
        let size = std::fs::metadata(&path).unwrap().len();
        let p = path.clone();
        let info = median(Box::new(move || {
            let t = Instant::now();
            bar_live_core::cli::info::render(&p, false).unwrap();
            t.elapsed()
        }));
        let p = path.clone();
        let scan = median(Box::new(move || {
            let t = Instant::now();
            Summary::scan(&p).unwrap();
            t.elapsed()
        }));
        let p = path.clone();
        let read = median(Box::new(move || {
            let t = Instant::now();
            let n = RecordingReader::open(&p).unwrap().count();
            assert!(n > 15_000);
            t.elapsed()
        }));
        let p = path.clone();
        let decode = median(Box::new(move || {
            let t = Instant::now();
            for r in RecordingReader::open(&p).unwrap() {
                decode_widget(&r.unwrap().payload).unwrap();
            }
            t.elapsed()
        }));
        let p = path.clone();
        let open = median(Box::new(move || {
            let t = Instant::now();
            let r = bar_live_core::review::Review::open(&p).unwrap();
            assert_eq!(r.invalid, 0);
            t.elapsed()
        }));
        println!(
            "v{version}: {:.2} MB; write (append+flush+finish, all records) {:.2?} = {:.3} ms per game second; \
             info {info:.2?}; full scan {scan:.2?}; read records {read:.2?}; read+decode {decode:.2?}; \
             Review::open {open:.2?}",
            size as f64 / 1e6,
            write,
            write.as_secs_f64() * 1000.0 / game_secs,
        );
    }
}
