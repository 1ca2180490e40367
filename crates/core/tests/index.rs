//! The recordings index (`index`): files added, deleted, changed and damaged; a corrupt or
//! foreign cache file; filters and sorting; the `recordings` command. The 500-file timings are in
//! `five_hundred_recordings_warm_and_cold` (ignored; numbers in docs/PERFORMANCE.md).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod recording_builder;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use bar_live_core::index::{CACHE_FILE, sort, view};
use bar_live_core::index::{Filter, RecordingIndex, SortKey};
use bar_live_core::protocol::*;
use bar_live_core::recording::Recorder;
use bar_live_core::sim::{SimGame, SimOptions};
use recording_builder::make;

/// `2025-01-01_a.barlive`: Alice and Bob on Isthmus, v2.
fn alice_and_bob(d: &Path) -> PathBuf {
    make(
        d,
        "2025-01-01_a.barlive",
        JAN1,
        "Isthmus",
        &["Alice", "Bob"],
        2,
    )
}

fn names(index: &RecordingIndex) -> Vec<String> {
    index.entries.iter().map(|e| e.file_name()).collect()
}

const DAY: u64 = 86_400_000;
const JAN1: u64 = 1_735_689_600_000; // 2025-01-01

#[test]
fn lists_and_caches_and_notices_added_deleted_and_changed_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    alice_and_bob(d);
    make(
        d,
        "2025-01-02_b.barlive",
        JAN1 + DAY,
        "Glacier",
        &["Carol", "Dave"],
        1,
    );
    std::fs::write(d.join("notes.txt"), "not a recording").unwrap();

    let mut index = RecordingIndex::open(d);
    assert!(index.error.is_none());
    assert_eq!(
        names(&index),
        ["2025-01-02_b.barlive", "2025-01-01_a.barlive"]
    );
    assert_eq!(index.stats.summarised, 2);
    assert!(index.stats.cache_saved);
    assert!(d.join(CACHE_FILE).exists());
    let a = &index.entries[1];
    let s = a.summary.as_ref().unwrap();
    assert_eq!(s.map.as_deref(), Some("Isthmus"));
    assert_eq!(s.players().collect::<Vec<_>>(), ["Alice", "Bob"]);
    assert_eq!(s.format_version, 2);
    assert_eq!(index.entries[0].format_version(), Some(1));
    assert_eq!(a.size, std::fs::metadata(&a.path).unwrap().len());

    // A new process (empty index) takes everything from the cache file.
    let again = RecordingIndex::open(d);
    assert_eq!(again.stats.summarised, 0);
    assert_eq!(again.stats.reused, 2);
    assert!(!again.stats.cache_saved, "nothing changed, nothing written");
    assert_eq!(again.entries, index.entries);

    // Added.
    make(
        d,
        "2025-01-03_c.barlive",
        JAN1 + 2 * DAY,
        "Isthmus",
        &["Erin", "Alice"],
        2,
    );
    index.refresh(d);
    assert_eq!(index.entries.len(), 3);
    assert_eq!(index.stats.summarised, 1);
    // Deleted (outside the app) and deleted through the index.
    std::fs::remove_file(d.join("2025-01-02_b.barlive")).unwrap();
    index.refresh(d);
    assert_eq!(
        names(&index),
        ["2025-01-03_c.barlive", "2025-01-01_a.barlive"]
    );
    assert_eq!(index.stats.summarised, 0);
    assert!(index.stats.cache_saved, "the vanished file left the cache");
    let c = index.entries[0].path.clone();
    index.delete(&c).unwrap();
    assert!(!c.exists());
    assert_eq!(RecordingIndex::open(d).entries.len(), 1);

    // Changed: same name, other content (size), then same size but a new modification time.
    make(
        d,
        "2025-01-01_a.barlive",
        JAN1,
        "Changed Map",
        &["Alice", "Bob", "Zed"],
        2,
    );
    index.refresh(d);
    assert_eq!(index.stats.summarised, 1);
    assert_eq!(index.entries[0].map(), Some("Changed Map"));
    let p = index.entries[0].path.clone();
    let f = std::fs::OpenOptions::new().write(true).open(&p).unwrap();
    f.set_modified(SystemTime::now() + Duration::from_secs(60))
        .unwrap();
    drop(f);
    index.refresh(d);
    assert_eq!(index.stats.summarised, 1, "a new mtime is a change");
    let fresh = RecordingIndex::open(d);
    assert_eq!(fresh.stats.summarised, 0, "and the cache has the new mtime");
}

#[test]
fn damaged_files_are_listed_with_the_reason_and_nothing_else_breaks() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = make(
        d,
        "2025-01-01_good.barlive",
        JAN1,
        "Isthmus",
        &["Alice", "Bob"],
        2,
    );
    std::fs::write(d.join("garbage.barlive"), b"this is not a recording at all").unwrap();
    std::fs::write(d.join("empty.barlive"), b"").unwrap();
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(d.join("cut.barlive"), &bytes[..bytes.len() * 2 / 3]).unwrap();
    let mut damaged = bytes.clone();
    let mid = damaged.len() / 2;
    damaged[mid] ^= 0xFF;
    std::fs::write(d.join("flipped.barlive"), &damaged).unwrap();
    std::fs::create_dir(d.join("folder.barlive")).unwrap();

    let index = RecordingIndex::open(d);
    assert!(index.error.is_none());
    let by = |n: &str| index.entries.iter().find(|e| e.file_name() == n).unwrap();
    assert_eq!(index.entries.len(), 5, "{:?}", names(&index));
    assert!(
        by("garbage.barlive")
            .summary
            .as_ref()
            .unwrap_err()
            .contains("magic")
    );
    assert!(by("empty.barlive").damaged().is_some());
    let cut = by("cut.barlive").summary.as_ref().unwrap();
    assert!(cut.truncated, "a cut file is readable, marked cut short");
    assert!(cut.frames > 0);
    assert!(by("2025-01-01_good.barlive").damaged().is_none());
    // The fast path trusts the trailer of a file damaged in the middle: listed as fine until checked.
    assert!(by("flipped.barlive").damaged().is_none());
    assert!(!by("flipped.barlive").checked && !by("2025-01-01_good.barlive").checked);
    assert!(
        by("cut.barlive").checked,
        "a file without a trailer was scanned"
    );
    assert!(
        by("garbage.barlive").checked,
        "nothing more to check in an unreadable file"
    );
    assert_eq!(index.unchecked(), 2);
    // The background check finds the damage, and keeps the good file's summary as it was.
    let mut index = index;
    let good_before = index
        .entries
        .iter()
        .find(|e| e.file_name() == "2025-01-01_good.barlive")
        .unwrap()
        .summary
        .clone()
        .unwrap();
    let mut checked = 0;
    while index.unchecked() > 0 {
        let n = index.check_some(d, Duration::ZERO);
        assert_eq!(n, 1, "a zero budget still checks one file");
        checked += n;
    }
    assert_eq!(checked, 2);
    let by = |n: &str| index.entries.iter().find(|e| e.file_name() == n).unwrap();
    let flipped = by("flipped.barlive").damaged();
    assert!(flipped.is_some(), "{:?}", by("flipped.barlive").summary);
    let good = by("2025-01-01_good.barlive");
    assert!(good.checked && good.damaged().is_none());
    let good_after = good.summary.as_ref().unwrap();
    assert_eq!(good_after.teams, good_before.teams);
    assert_eq!(good_after.frames, good_before.frames);
    assert_eq!(
        index.check_some(d, Duration::ZERO),
        0,
        "nothing left to check"
    );
    // What the check found is cached: a new session lists the damage without checking again.
    let reopened = RecordingIndex::open(d);
    assert_eq!(reopened.unchecked(), 0);
    assert!(
        reopened
            .entries
            .iter()
            .find(|e| e.file_name() == "flipped.barlive")
            .unwrap()
            .damaged()
            .is_some()
    );
    // A file changed after the listing is left to the next refresh.
    let mut index = RecordingIndex::open(d);
    let late = make(d, "2025-01-02_late.barlive", JAN1, "Isthmus", &["Alice"], 2);
    index.refresh(d);
    assert_eq!(index.unchecked(), 1);
    let mut bytes = std::fs::read(&late).unwrap();
    bytes.push(0);
    std::fs::write(&late, &bytes).unwrap();
    assert_eq!(index.check_some(d, Duration::from_secs(5)), 0);
    assert_eq!(index.unchecked(), 1);
    std::fs::remove_file(&late).unwrap();

    // Cached errors stay errors.
    let again = RecordingIndex::open(d);
    assert_eq!(again.stats.summarised, 0);
    assert!(
        again
            .entries
            .iter()
            .find(|e| e.file_name() == "garbage.barlive")
            .unwrap()
            .summary
            .is_err()
    );
}

#[test]
fn a_corrupt_or_foreign_cache_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    alice_and_bob(d);
    let want = RecordingIndex::open(d).entries;
    for junk in [
        &b"{\"version\":1,\"entries\":[{\"file\":"[..], // half-written
        b"\x00\x01garbage",
        b"{\"version\":99,\"entries\":[]}", // a later layout
        b"[]",
    ] {
        std::fs::write(d.join(CACHE_FILE), junk).unwrap();
        let index = RecordingIndex::open(d);
        assert!(index.stats.cache_rebuilt);
        assert!(index.stats.cache_saved);
        assert_eq!(index.entries, want);
        assert_eq!(
            RecordingIndex::open(d).stats.summarised,
            0,
            "rewritten and valid"
        );
    }
    // A cache entry that lies (says a file is unchanged but claims another size) is not trusted.
    let text = std::fs::read_to_string(d.join(CACHE_FILE)).unwrap();
    let size = want[0].size.to_string();
    std::fs::write(d.join(CACHE_FILE), text.replace(&size, "1")).unwrap();
    assert_eq!(RecordingIndex::open(d).stats.summarised, 1);
    // No temporary files are left.
    let tmp = std::fs::read_dir(d)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .count();
    assert_eq!(tmp, 0);
    // A missing folder is an empty index, not an error.
    let none = RecordingIndex::open(&d.join("missing"));
    assert!(none.entries.is_empty() && none.error.is_none());
}

#[test]
fn filters_and_sorting() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    make(
        d,
        "2025-01-01_a.barlive",
        JAN1,
        "Supreme Isthmus",
        &["Alice", "Bob"],
        2,
    );
    make(
        d,
        "2025-01-05_b.barlive",
        JAN1 + 4 * DAY,
        "Glacier Pass",
        &["Carol", "Dave", "Erin", "Frank"],
        2,
    );
    make(
        d,
        "2025-01-09_c.barlive",
        JAN1 + 8 * DAY,
        "Isthmus Remake",
        &["alice2", "Zed", "Yan"],
        1,
    );
    std::fs::write(d.join("2025-01-10_x.barlive"), b"nope").unwrap();
    let index = RecordingIndex::open(d);
    let files = |idx: Vec<usize>| -> Vec<String> {
        idx.into_iter()
            .map(|i| index.entries[i].file_name()[11..12].to_owned())
            .collect()
    };
    let all = Filter::default();
    // Newest first by date; the damaged file (no summary) dates from its mtime (now).
    assert_eq!(
        files(index.view(&all, SortKey::Date, false)),
        ["x", "c", "b", "a"]
    );
    assert_eq!(
        files(index.view(&all, SortKey::Date, true)),
        ["a", "b", "c", "x"]
    );
    let map = Filter {
        map: "isthMUS".into(),
        ..Filter::default()
    };
    assert_eq!(files(index.view(&map, SortKey::Map, true)), ["c", "a"]);
    let player = Filter {
        player: "ALICE".into(),
        ..Filter::default()
    };
    assert_eq!(files(index.view(&player, SortKey::Date, true)), ["a", "c"]);
    let range = Filter {
        from_unix_ms: Some(JAN1 + DAY),
        to_unix_ms: Some(JAN1 + 8 * DAY),
        ..Filter::default()
    };
    assert_eq!(files(index.view(&range, SortKey::Date, true)), ["b"]);
    let both = Filter {
        map: "isthmus".into(),
        player: "zed".into(),
        ..Filter::default()
    };
    assert_eq!(files(index.view(&both, SortKey::Date, true)), ["c"]);
    assert!(
        index
            .view(
                &Filter {
                    map: "nowhere".into(),
                    ..Filter::default()
                },
                SortKey::Date,
                true
            )
            .is_empty()
    );

    assert_eq!(
        files(index.view(&all, SortKey::Teams, false))[..3],
        ["b", "c", "a"]
    );
    assert_eq!(
        files(index.view(&all, SortKey::FormatVersion, true))[1..],
        ["c", "b", "a"]
    );
    assert_eq!(files(index.view(&all, SortKey::Damaged, true))[0], "x");
    assert_eq!(
        files(index.view(&all, SortKey::Players, true))[1..],
        ["a", "c", "b"]
    );
    // Every key sorts in both directions without panicking, and descending reverses ascending for
    // distinct values.
    for key in SortKey::ALL {
        let up = index.view(&all, key, true);
        let down = index.view(&all, key, false);
        assert_eq!(up.len(), 4);
        assert_eq!(down.len(), 4);
    }
    let mut entries = index.entries.clone();
    sort(&mut entries, SortKey::Size, true);
    assert!(entries.windows(2).all(|w| w[0].size <= w[1].size));
    assert_eq!(view(&entries, &all, SortKey::Size, false)[0], 3);
}

#[test]
fn the_recordings_command_prints_a_json_list_with_paths() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    alice_and_bob(d);
    std::fs::write(d.join("bad.barlive"), b"nope").unwrap();
    let (_, json) = bar_live_core::cli::recordings::render(d, true, false).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 2);
    for row in list {
        assert!(Path::new(row["path"].as_str().unwrap()).exists());
    }
    let a = list
        .iter()
        .find(|r| r["file"] == "2025-01-01_a.barlive")
        .unwrap();
    assert_eq!(a["map"], "Isthmus");
    assert_eq!(a["teams"][1]["name"], "Bob");
    assert_eq!(a["format_version"], 2);
    assert_eq!(a["created_unix_ms"], JAN1);
    assert_eq!(a["winners"], serde_json::json!([0]));
    assert_eq!(a["spectating"], true);
    assert!(a["damaged"].is_null());
    let bad = list.iter().find(|r| r["file"] == "bad.barlive").unwrap();
    assert!(bad["damaged"].as_str().unwrap().contains("magic"));
    let (_, text) = bar_live_core::cli::recordings::render(d, false, false).unwrap();
    assert!(
        text.contains("Isthmus") && text.contains("damaged") && text.contains("2 recording(s)")
    );
    assert!(
        bar_live_core::cli::recordings::render(&d.join("2025-01-01_a.barlive"), true, false)
            .is_err()
    );
    // --check: a finished file damaged in the middle is listed as such.
    let a = d.join("2025-01-01_a.barlive");
    let mut bytes = std::fs::read(&a).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xFF;
    std::fs::write(&a, &bytes).unwrap();
    let row = |check: bool| {
        let (_, json) = bar_live_core::cli::recordings::render(d, true, check).unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .find(|r| r["file"] == "2025-01-01_a.barlive")
            .unwrap()
            .clone()
    };
    let unchecked = row(false);
    assert!(unchecked["damaged"].is_null() && unchecked["checked"] == false);
    let checked = row(true);
    assert!(checked["damaged"].is_string(), "{checked}");
    assert_eq!(checked["checked"], true);
}

/// Timings for docs/PERFORMANCE.md: `refresh` of 500 recordings, cold (no cache) and warm (cache file,
/// new process) and in memory. Copies of one simulated game (`COUNT`, `TEAMS`, `MINUTES` from the
/// environment). Run: `cargo test --release --test index -- --ignored --nocapture five_hundred`
#[test]
#[ignore = "timing run for docs/PERFORMANCE.md"]
fn five_hundred_recordings_warm_and_cold() {
    let count: usize = std::env::var("COUNT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(500);
    let teams: usize = std::env::var("TEAMS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(16);
    let minutes: f64 = std::env::var("MINUTES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20.0);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut game = SimGame::new(SimOptions {
        teams: teams as u32,
        minutes,
        ..SimOptions::default()
    });
    let src = d.join("src.barlive");
    let mut rec = Recorder::create(&src, JAN1, "test").unwrap();
    let mut i = 0u64;
    for m in game.handshake() {
        i += 1;
        rec.append(1, JAN1, &encode_widget(&m, i)).unwrap();
    }
    while !game.finished() {
        for m in game.step() {
            i += 1;
            rec.append(
                1,
                JAN1 + game.frame() as u64 * 1000 / 30,
                &encode_widget(&m, i),
            )
            .unwrap();
        }
    }
    rec.finish().unwrap();
    let size = std::fs::metadata(&src).unwrap().len();
    // 1 in CRASHED_EVERY (10) is a crashed recording (no trailer: a full scan when cold); 0: none.
    let crashed_every: usize = std::env::var("CRASHED_EVERY")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let bytes = std::fs::read(&src).unwrap();
    for k in 0..count {
        let p = d.join(format!("2025-01-01_{k:04}.barlive"));
        if crashed_every > 0 && k % crashed_every == crashed_every - 1 {
            std::fs::write(&p, &bytes[..bytes.len() - 2000]).unwrap();
        } else {
            std::fs::copy(&src, &p).unwrap();
        }
    }
    std::fs::remove_file(&src).unwrap();
    let t = Instant::now();
    let mut index = RecordingIndex::open(d);
    let cold = t.elapsed();
    assert_eq!(index.entries.len(), count);
    let t = Instant::now();
    let warm = RecordingIndex::open(d);
    let warm_t = t.elapsed();
    assert_eq!(warm.stats.summarised, 0);
    let t = Instant::now();
    index.refresh(d);
    let mem = t.elapsed();
    let t = Instant::now();
    let v = index.view(
        &Filter {
            map: "isthmus".into(),
            ..Filter::default()
        },
        SortKey::GameLength,
        false,
    );
    let filter_t = t.elapsed();
    assert_eq!(v.len(), count);
    // The background check of every block, all files at once (the app spreads it over 300 ms jobs).
    let unchecked = index.unchecked();
    let t = Instant::now();
    let checked = index.check_some(d, Duration::MAX);
    let check_t = t.elapsed();
    assert_eq!(checked, unchecked);
    assert_eq!(index.unchecked(), 0);
    println!(
        "{count} recordings of {teams} teams x {minutes} min ({:.2} MB each, 1 in {crashed_every} without trailer): \
         cold {cold:.2?}, warm (cache file) {warm_t:.2?}, refresh in memory {mem:.2?}, filter+sort {filter_t:.2?}, \
         checking the blocks of {unchecked} files {check_t:.2?}, cache file {:.0} KB",
        size as f64 / 1e6,
        std::fs::metadata(d.join(CACHE_FILE)).unwrap().len() as f64 / 1e3
    );
}
