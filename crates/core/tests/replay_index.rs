//! BAR replays beside recordings (issue 18, part 5): the index lists them with their statistics (or why
//! not), keeps the cache of BAR's folder out of it, reads a cold folder newest first within a budget,
//! the `recordings` command shows them, Review opens them, and benchmarks count them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod recording_builder;
mod replay_builder;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, SystemTime};

use bar_live_core::cli::recordings::{Folder, render_folders};
use bar_live_core::index::{Filter, RecordingIndex, SortKey};
use bar_live_core::insight::benchmark::{Query, select};
use bar_live_core::insight::profile::PROFILE_METRICS;
use bar_live_core::insight::worker::{Indexes, ProfileCache, run_benchmark};
use bar_live_core::review::Review;
use bar_live_core::store::Metric;
use replay_builder::Builder;

/// Writes `bytes` as `name` with the modification time `age_s` seconds ago.
fn put(dir: &Path, name: &str, bytes: &[u8], age_s: u64) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    let f = std::fs::File::options().write(true).open(&p).unwrap();
    f.set_modified(SystemTime::now() - Duration::from_secs(age_s))
        .unwrap();
    p
}

/// A demos/ folder: two games with statistics (one named as bar-lobby names them, `.barreplay`), a
/// server recording, and garbage.
fn demos(dir: &Path) -> [PathBuf; 4] {
    let game = Builder::game(4, 8, 15).gz();
    let mut second = Builder::game(2, 12, 15);
    second.unix_time += 86_400;
    let mut server = Builder::game(4, 6, 15);
    server.teams = vec![Vec::new(); 3];
    [
        put(dir, "20250615_120000_Test_2025.04.08.sdfz", &game, 400),
        put(
            dir,
            "20250616_120000_Test_2025.04.08.barreplay",
            &second.gz(),
            300,
        ),
        put(
            dir,
            "20250617_120000_Server_2025.04.08.sdfz",
            &server.gz(),
            200,
        ),
        put(dir, "20250618_120000_Broken.sdfz", b"\x1f\x8b garbage", 100),
    ]
}

#[test]
fn replays_are_listed_with_their_statistics_or_why_not() {
    let bar = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let [game, second, server, broken] = demos(bar.path());
    let folder = Folder::foreign(bar.path(), data.path());
    let mut index = folder.index();
    index.refresh(bar.path());
    assert_eq!(index.entries.len(), 4);
    let entry = |p: &PathBuf| index.entries.iter().find(|e| &e.path == p).unwrap();
    let g = entry(&game);
    assert!(g.is_replay() && g.can_open());
    assert_eq!(g.statistics_note(), Some("statistics"));
    assert_eq!(g.map(), Some("Test Map v1"));
    let r = g.replay.as_ref().unwrap();
    assert_eq!(r.my_player_name.as_deref(), Some("Player0"));
    assert_eq!(r.engine_version, "2025.04.08");
    assert_eq!(g.summary().unwrap().winners, Some(vec![0]));
    assert!(entry(&second).can_open());
    let s = entry(&server);
    assert!(!s.can_open(), "a server recording has nothing to plot");
    assert!(s.statistics_note().unwrap().contains("server"), "{s:?}");
    assert!(
        s.damaged().is_none(),
        "not damaged, only without statistics"
    );
    let b = entry(&broken);
    assert!(!b.can_open() && b.damaged().is_some());
    // The filters work on replays: players and map come from the start script.
    let filter = Filter {
        player: "player0".into(),
        ..Filter::default()
    };
    assert_eq!(index.view(&filter, SortKey::Date, false).len(), 3);
    // BAR's folder is left alone: the cache is in bar-live's data folder, and a new index reads it.
    assert!(!bar.path().join(".index.json").exists());
    assert!(folder.cache_file.as_ref().unwrap().is_file());
    let mut warm = folder.index();
    warm.refresh(bar.path());
    assert_eq!(warm.stats.summarised, 0, "{:?}", warm.stats);
    assert_eq!(warm.entries, index.entries);
}

#[test]
fn a_cold_folder_is_read_newest_first_within_the_budget() {
    let bar = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let [game, second, server, broken] = demos(bar.path());
    let mut index = RecordingIndex::with_cache_file(data.path().join("cache.json"));
    let mut order = Vec::new();
    for pending in [3, 2, 1, 0] {
        // A zero budget: exactly one new file per refresh.
        index.refresh_within(bar.path(), Some(Duration::ZERO));
        assert_eq!(index.pending(), pending);
        assert_eq!(index.entries.len(), 4 - pending);
        let new = index
            .entries
            .iter()
            .map(|e| e.path.clone())
            .find(|p| !order.contains(p))
            .unwrap();
        order.push(new);
    }
    assert_eq!(order, [broken, server, second, game], "newest first");
    index.refresh_within(bar.path(), Some(Duration::ZERO));
    assert_eq!((index.pending(), index.stats.summarised), (0, 0));
}

#[test]
fn the_recordings_command_lists_replays_beside_recordings() {
    let bar = tempfile::tempdir().unwrap();
    let own = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    demos(bar.path());
    let folders = [
        Folder::own(own.path()),
        Folder::foreign(bar.path(), data.path()),
    ];
    let (indexes, json) = render_folders(&folders, true, false).unwrap();
    assert_eq!(indexes.len(), 2);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r["source"] == "bar-replay"));
    let server = rows
        .iter()
        .find(|r| r["file"].as_str().unwrap().contains("Server"))
        .unwrap();
    assert_eq!(server["has_team_stats"], false);
    assert!(
        server["team_stats_note"]
            .as_str()
            .unwrap()
            .contains("server")
    );
    let game = rows
        .iter()
        .find(|r| r["file"].as_str().unwrap().contains("20250615"))
        .unwrap();
    assert_eq!(game["has_team_stats"], true);
    assert_eq!(game["my_player_name"], "Player0");
    let (_, text) = render_folders(&folders, false, false).unwrap();
    assert!(text.contains("0 recording(s), 4 BAR replay(s)"), "{text}");
    assert!(text.contains("[no statistics: "), "{text}");
    assert!(text.contains(&bar.path().display().to_string()), "{text}");
}

#[test]
fn review_opens_a_replay_and_says_why_it_cannot_open_one_without_statistics() {
    let bar = tempfile::tempdir().unwrap();
    let [game, _, server, _] = demos(bar.path());
    let r = Review::open(&game).unwrap();
    assert_eq!(r.store.teams.values().filter(|t| !t.is_gaia).count(), 4);
    assert!(r.replay.is_some());
    assert!(r.end_t > 60.0, "{}", r.end_t);
    let e = format!("{:#}", Review::open(&server).err().unwrap());
    assert!(
        e.contains("no team statistics") && e.contains("server"),
        "{e}"
    );
}

#[test]
fn benchmarks_count_replays_with_statistics_as_past_games() {
    let bar = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let [game, second, _, _] = demos(bar.path());
    let folders = vec![Folder::foreign(bar.path(), data.path())];
    let query = Query {
        player: "Player0".into(),
        ..Query::default()
    };
    let mut index = folders[0].index();
    index.refresh(bar.path());
    let chosen: Vec<&Path> = select(&index.entries, &query)
        .iter()
        .map(|e| e.path.as_path())
        .collect();
    assert_eq!(
        chosen,
        [second.as_path(), game.as_path()],
        "newest first, the server recording left out"
    );
    let mut indexes = Indexes::new();
    let mut cache = ProfileCache::new();
    let b = run_benchmark(
        &mut indexes,
        &mut cache,
        &folders,
        &query,
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(b.games, [second.clone(), game.clone()]);
    // The replays' statistics give a unit count at every minute.
    assert!(b.minutes.len() >= 2, "{:?}", b.minutes.len());
    // Both count in the unit band only: a replay has neither metal income nor army value.
    let count =
        |m: Metric| b.minutes[0].games[PROFILE_METRICS.iter().position(|&x| x == m).unwrap()];
    assert_eq!(count(Metric::Units), 2);
    assert_eq!(count(Metric::MetalIncome), 0);
    assert_eq!(count(Metric::ArmyValue), 0);
    assert_eq!(b.replays(), 2);
}

#[test]
fn a_replay_of_a_simulated_game_reads_back_its_teams_and_statistics() {
    let b = replay_builder::sim::from_sim(
        bar_live_core::sim::SimOptions {
            teams: 4,
            minutes: 3.0,
            ..Default::default()
        },
        15,
        20_000,
    );
    let dir = tempfile::tempdir().unwrap();
    let p = put(dir.path(), "sim.sdfz", &b.gz(), 0);
    let r = bar_live_core::replay::Replay::open(&p).unwrap();
    assert!(r.has_team_stats(), "{:?}", r.no_stats);
    assert_eq!(r.teams.len(), 4);
    assert_eq!(r.winners, Some(vec![0]));
    assert_eq!(r.team_records[0].len(), b.teams[0].len());
    assert!(r.team_records[0].len() >= 12, "3 minutes every 15 s");
    let last = r.team_records[1].last().unwrap();
    assert!(last.get("metal_produced").unwrap() > 0.0);
    let review = Review::open(&p).unwrap();
    assert!(review.end_t >= 170.0, "{}", review.end_t);
}

/// Writes replays of simulated games for looking at (the README's screenshot of a replay in Review)
/// and timing: `KEEP=DIR cargo test --release --test replay_index -- --ignored write_replays`.
#[test]
#[ignore = "writes files for screenshots and timings"]
fn write_replays() {
    let dir = PathBuf::from(std::env::var("KEEP").expect("KEEP=DIR"));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, map, teams, minutes, filler) in [
        (
            "20260301_203000_Supreme_Isthmus_2025.04.08.sdfz",
            "Supreme Isthmus v2.1",
            8,
            32.0,
            2_000_000,
        ),
        (
            "20260302_211500_Red_Comet_2025.04.08.sdfz",
            "Red Comet Remake 1.8",
            16,
            60.0,
            3_000_000,
        ),
    ] {
        let mut b = replay_builder::sim::from_sim(
            bar_live_core::sim::SimOptions {
                teams,
                minutes,
                seed: 7,
                map_name: map.into(),
                ..Default::default()
            },
            15,
            filler,
        );
        // The date the name says: 2026-03-01 20:30 UTC and the next day.
        b.unix_time = if name.starts_with("20260301") {
            1_772_397_000
        } else {
            1_772_486_100
        };
        let p = dir.join(name);
        std::fs::write(&p, b.gz()).unwrap();
        println!(
            "{} ({} bytes)",
            p.display(),
            std::fs::metadata(&p).unwrap().len()
        );
    }
}

#[test]
fn a_recording_and_bars_replay_of_the_same_game_count_once() {
    let own = tempfile::tempdir().unwrap();
    let bar = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let [game, second, _, _] = demos(bar.path());
    // bar-live recorded the first replay's game too: same map and players, started 40 s earlier.
    let names = ["Player0", "Player1", "Player2", "BARbarian"];
    let started_ms = Builder::game(4, 8, 15).unix_time * 1000;
    let recorded = recording_builder::make(
        own.path(),
        "2025-06-15_game.barlive",
        started_ms - 40_000,
        "Test Map v1",
        &names,
        2,
    );
    // Another game with the same players a day later is not the same game.
    recording_builder::make(
        own.path(),
        "2025-06-16_other.barlive",
        started_ms + 86_400_000 * 3,
        "Test Map v1",
        &names,
        2,
    );
    let mut entries = Vec::new();
    for f in [
        Folder::own(own.path()),
        Folder::foreign(bar.path(), data.path()),
    ] {
        let mut index = f.index();
        index.refresh(&f.dir);
        entries.extend(index.entries);
    }
    let query = Query {
        player: "Player0".into(),
        ..Query::default()
    };
    let chosen = |q: &Query| -> Vec<PathBuf> {
        select(&entries, q).iter().map(|e| e.path.clone()).collect()
    };
    let all = chosen(&query);
    assert!(all.contains(&recorded) && all.contains(&second), "{all:?}");
    assert!(
        !all.contains(&game),
        "the replay of a recorded game: {all:?}"
    );
    assert_eq!(all.len(), 3);
    // Comparing the recorded game leaves out both of its files.
    let without = chosen(&Query {
        exclude: Some(recorded.clone()),
        ..query.clone()
    });
    assert!(
        !without.contains(&recorded) && !without.contains(&game),
        "{without:?}"
    );
    assert_eq!(without.len(), 2);
}
