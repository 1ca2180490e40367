//! The replay reader against files built from the layout (tests/replay_builder) for every quirk the
//! engine has, and against a replay written by a real engine (Spring 106, tests/engine): no input
//! makes it panic, and every fault is named.

mod replay_builder;

use std::path::Path;

use bar_live_core::replay::{NoStats, Replay, ReplayError, ReplaySummary};
use proptest::prelude::*;
use replay_builder::{Builder, Rec, gzip, script, stream};

fn read(b: &Builder) -> Replay {
    Replay::from_bytes(&b.gz()).expect("the replay reads")
}

#[test]
fn a_finished_game_gives_every_teams_statistics() {
    let b = Builder::game(4, 6, 15);
    let r = read(&b);
    assert_eq!(r.header.version, 5);
    assert_eq!(r.header.engine_version, "2025.04.08");
    assert_eq!(r.header.team_stat_period_s, 15);
    assert_eq!(r.script.map_name.as_deref(), Some("Test Map v1"));
    assert_eq!(
        r.script.game_type.as_deref(),
        Some("Beyond All Reason test-1")
    );
    // Spectators are not teams; the AI team is named after its AI.
    let names: Vec<&str> = r.teams.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Player0", "Player1", "Player2", "BARbarian"]);
    assert_eq!(
        r.teams.iter().map(|t| t.is_ai).collect::<Vec<_>>(),
        [false, false, false, true]
    );
    assert_eq!(
        r.teams.iter().map(|t| t.ally_team_id).collect::<Vec<_>>(),
        [0, 1, 0, 1]
    );
    // BAR's AutoColors message wins over rgbcolor.
    assert_eq!(r.teams[2].color, Some([20, 80, 255]));
    assert!(r.has_team_stats(), "{:?}", r.no_stats);
    assert!(!r.truncated);
    assert_eq!(r.winners, Some(vec![0]));
    assert_eq!(r.team_records.len(), 4);
    assert!(r.team_records.iter().all(|t| t.len() == 6));
    assert_eq!(r.team_records[1][2], {
        let rec = Rec::growing(1, 2, 15);
        bar_live_core::replay::StatRecord::parse(&rec.bytes())
    });
    assert_eq!(r.player_stats.len(), 4);
    assert_eq!(r.player_stats[0].key_presses, 5);
    // The game ended at 67 s (frame 2010, the game over packet); the last record says 75 s.
    assert_eq!(b.game_time, 67);
    assert_eq!(r.stream.game_over.as_ref().map(|g| g.frame), Some(2010));
    assert_eq!(r.end_frame(), 2010);
    assert_eq!(r.team_records[0][5].frame, 2250);
    assert_eq!(r.record_frame(0, 5), 2010);
    assert_eq!(r.record_frame(0, 4), 1800);
    assert_eq!(r.game_seconds(), 67.0);
    assert_eq!(r.my_team().map(|t| t.team_id), Some(0));
}

#[test]
fn the_summary_has_the_recordings_shape_and_the_replays_fields() {
    let r = read(&Builder::game(2, 4, 15));
    let s = ReplaySummary::of(&r, Path::new("x.sdfz"));
    let v = serde_json::to_value(&s).unwrap();
    assert_eq!(v["source"], "bar-replay");
    assert_eq!(v["engine_version"], "2025.04.08");
    assert_eq!(v["has_team_stats"], true);
    assert!(v.get("team_stats_note").is_none());
    assert_eq!(v["map"], "Test Map v1");
    assert_eq!(v["game_seconds"], 37.0);
    assert_eq!(v["winners"], serde_json::json!([0]));
    assert_eq!(v["teams"][0]["name"], "Player0");
    assert_eq!(v["teams"][1]["is_ai"], true);
    // The last record's damage dealt (float 11 of team 1, record 3).
    let want = f64::from(4.0f32 * 2.0 * 11.0 * 1.25);
    assert_eq!(v["teams"][1]["damage_dealt"], want);
    assert_eq!(v["my_player_name"], "Player0");
    assert_eq!(v["spectators"], serde_json::json!(["Spec"]));
}

#[test]
fn a_server_recording_lists_teams_without_records() {
    let mut b = Builder::game(4, 6, 15);
    // numTeams = teams - 1, zero records each.
    b.teams = vec![Vec::new(); 3];
    let r = read(&b);
    assert_eq!(r.no_stats, Some(NoStats::ServerRecording));
    assert!(!r.has_team_stats() && !r.truncated);
    assert_eq!(r.teams.len(), 4, "the teams come from the script");
    // The game over packet is in server recordings too.
    assert_eq!(r.winners, Some(vec![0]));
    let s = ReplaySummary::of(&r, Path::new("s.sdfz"));
    assert!(s.team_stats_note.unwrap().contains("server"));
    assert_eq!(s.summary.game_seconds, 67.0);
}

#[test]
fn a_game_left_early_has_no_statistics_and_no_winner() {
    let mut b = Builder::game(2, 0, 15);
    b.teams.clear();
    b.game_time = 0;
    b.stream = stream(300, None, None);
    // The header may declare a winner byte that is not there.
    b.winners.clear();
    b.winners_size = Some(1);
    b.players.clear();
    let r = read(&b);
    assert_eq!(r.no_stats, Some(NoStats::LeftEarly));
    assert_eq!(r.winners, None);
    assert!(!r.truncated);
    let s = ReplaySummary::of(&r, Path::new("l.sdfz"));
    assert!(!s.has_team_stats);
    assert!(s.team_stats_note.unwrap().contains("left before its end"));
    // The stream's frames give the length.
    assert_eq!(s.summary.game_seconds, 10.0);
}

#[test]
fn a_16_second_period_is_read_from_the_header() {
    let b = Builder::game(2, 5, 16);
    let r = read(&b);
    assert_eq!(r.header.team_stat_period_s, 16);
    let frames: Vec<u32> = (0..5).map(|i| r.record_frame(0, i)).collect();
    assert_eq!(frames, [0, 480, 960, 1440, 1680]);
}

#[test]
fn a_larger_header_size_is_skipped() {
    let mut b = Builder::game(2, 4, 15);
    b.header_size = 400;
    b.header_extra = vec![0xAB; 48];
    let r = read(&b);
    assert_eq!(r.header.header_bytes, 400);
    assert!(r.has_team_stats());
    assert_eq!(r.script.map_name.as_deref(), Some("Test Map v1"));
    assert_eq!(r.team_records, read(&Builder::game(2, 4, 15)).team_records);
}

#[test]
fn a_cut_gzip_file_still_gives_header_and_script() {
    let b = Builder::game(3, 8, 15);
    let gz = b.gz();
    let whole = Replay::from_bytes(&gz).unwrap();
    assert!(whole.has_team_stats());
    let mut first_ok = None;
    for len in 0..gz.len() - 8 {
        // The gzip trailer (8 bytes) is never needed: reading stops after the statistics.
        match Replay::from_bytes(&gz[..len]) {
            Ok(r) if !r.truncated => {
                // Cut only in the last deflate block's end-of-block bits, after the statistics: the
                // reader stops once it has them, so nothing is lost.
                assert!(
                    len + 16 > gz.len(),
                    "cut at {len} of {} read as whole",
                    gz.len()
                );
                assert_eq!(r.team_records, whole.team_records, "cut at {len}");
            }
            Ok(r) => {
                first_ok.get_or_insert(len);
                assert!(!r.has_team_stats(), "cut at {len}");
                assert_eq!(r.no_stats, Some(NoStats::CutShort), "cut at {len}");
                // Cut inside the script: what is there (a value may be cut too).
                let map = r.script.map_name.as_deref().unwrap_or_default();
                assert!("Test Map v1".starts_with(map), "cut at {len}: {map}");
                let s = ReplaySummary::of(&r, Path::new("c.sdfz"));
                assert!(s.team_stats_note.unwrap().contains("cut short"));
            }
            Err(e) => {
                assert!(
                    first_ok.is_none(),
                    "cut at {len} failed after shorter cuts read: {e}"
                );
                assert!(
                    matches!(
                        e,
                        ReplayError::CutShort { .. }
                            | ReplayError::NotGzip
                            | ReplayError::ScriptWithoutGame
                    ),
                    "cut at {len}: {e:?}"
                );
            }
        }
    }
    assert!(
        first_ok.is_some_and(|l| l < gz.len() / 2),
        "{first_ok:?} of {}",
        gz.len()
    );
}

#[test]
fn counts_larger_than_the_file_are_named() {
    let mut b = Builder::game(2, 4, 15);
    b.counts = Some(vec![4, 500_000]);
    let r = read(&b);
    assert!(!r.has_team_stats() && !r.truncated);
    match &r.no_stats {
        Some(NoStats::Damaged(why)) => assert!(why.contains("the file holds"), "{why}"),
        other => panic!("{other:?}"),
    }
    // More than the section cap in all (each team under its own cap): refused before reading.
    b.counts = Some(vec![900_000, 900_000]);
    match read(&b).no_stats {
        Some(NoStats::Damaged(why)) => assert!(why.contains("at most"), "{why}"),
        other => panic!("{other:?}"),
    }
    b.counts = Some(vec![4, u32::MAX]);
    match read(&b).no_stats {
        Some(NoStats::Damaged(why)) => assert!(why.contains("records"), "{why}"),
        other => panic!("{other:?}"),
    }
    let mut b = Builder::game(2, 4, 15);
    b.num_teams = Some(100_000);
    assert!(matches!(read(&b).no_stats, Some(NoStats::Damaged(_))));
    let mut b = Builder::game(2, 4, 15);
    b.stream_size = Some(i32::MAX);
    let r = read(&b);
    match &r.no_stats {
        Some(NoStats::Damaged(why)) => assert!(why.contains("demo stream"), "{why}"),
        other => panic!("{other:?}"),
    }
    let mut b = Builder::game(2, 4, 15);
    b.script_size = Some(10_000_000);
    let r = read(&b);
    assert!(matches!(&r.no_stats, Some(NoStats::Damaged(why)) if why.contains("scriptSize")));
    b.script_size = Some(i32::MAX);
    assert!(matches!(
        Replay::from_bytes(&b.gz()),
        Err(ReplayError::BadHeaderField {
            field: "scriptSize",
            ..
        })
    ));
}

#[test]
fn garbage_is_refused_with_a_named_error() {
    assert!(matches!(Replay::from_bytes(b""), Err(ReplayError::NotGzip)));
    assert!(matches!(
        Replay::from_bytes(b"\x89BLV\r\n\x1a\n"),
        Err(ReplayError::NotGzip)
    ));
    assert!(matches!(
        Replay::from_bytes(&gzip(b"hello, this is not a demo file at all")),
        Err(ReplayError::BadMagic { .. })
    ));
    assert!(matches!(
        Replay::from_bytes(&[0x1f, 0x8b, 0, 0, 0, 0]),
        Err(ReplayError::Gzip(_) | ReplayError::CutShort { .. })
    ));
    let mut b = Builder::game(2, 2, 15);
    b.version = 4;
    assert!(matches!(
        Replay::from_bytes(&b.gz()),
        Err(ReplayError::UnsupportedVersion(4))
    ));
    let mut b = Builder::game(2, 2, 15);
    b.header_size = 100;
    assert!(matches!(
        Replay::from_bytes(&b.gz()),
        Err(ReplayError::BadHeaderField {
            field: "headerSize",
            ..
        })
    ));
    let mut b = Builder::game(2, 2, 15);
    b.num_teams = Some(-1);
    let e = Replay::from_bytes(&b.gz()).unwrap_err();
    assert!(e.to_string().contains("numTeams"), "{e}");
    let mut b = Builder::game(2, 2, 15);
    b.script = "not a script".into();
    assert!(matches!(
        Replay::from_bytes(&b.gz()),
        Err(ReplayError::ScriptWithoutGame)
    ));
    // Damaged deflate data.
    let mut gz = Builder::game(2, 2, 15).gz();
    let mid = gz.len() / 3;
    for x in &mut gz[mid..mid + 40] {
        *x ^= 0x5a;
    }
    match Replay::from_bytes(&gz) {
        Ok(r) => assert!(!r.has_team_stats()),
        Err(e) => assert!(matches!(e, ReplayError::Gzip(_)), "{e:?}"),
    }
}

#[test]
fn the_script_keys_are_case_insensitive() {
    let mut b = Builder::game(2, 2, 15);
    b.script = script(2, false)
        .replace("mapname", "MapName")
        .replace("allyteam=", "AllyTeam=")
        .replace("[team1]", "[TEAM1]");
    let r = read(&b);
    assert_eq!(r.script.map_name.as_deref(), Some("Test Map v1"));
    assert_eq!(r.teams[1].ally_team_id, 1);
    assert!(!r.teams[1].is_ai);
}

/// A replay written by Spring 106 (tests/engine: two NullAI teams, LuaRules calls GameOver({0}) at
/// frame 1560 and kills team 1 at frame 1500; the spectator's game quits at 1650).
#[test]
fn a_replay_from_a_real_engine() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/replay/spring106-game-over.sdfz");
    let r = Replay::open(&path).unwrap();
    assert_eq!(
        r.header.engine_version, "",
        "Spring 106 leaves versionString empty"
    );
    assert_eq!(r.header.game_time_s, 52);
    assert_eq!(r.script.map_name.as_deref(), Some("bltest_generated"));
    assert_eq!(r.script.my_player_name.as_deref(), Some("Watcher"));
    let names: Vec<&str> = r.teams.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Bot0", "Bot1"]);
    assert!(r.teams.iter().all(|t| t.is_ai));
    assert_eq!(
        r.teams[0].color,
        Some([26, 102, 230]),
        "rgbcolor 0.1 0.4 0.9"
    );
    assert!(r.has_team_stats(), "{:?}", r.no_stats);
    assert_eq!(r.winners, Some(vec![0]));
    // The gadget ends the game in frame 1560; its game-over message reaches the server (which writes
    // the stream) after the server sent frame 1561, so the packet sits after frame 1561's.
    assert_eq!(r.stream.game_over.as_ref().map(|g| g.frame), Some(1561));
    let frames: Vec<i32> = r.team_records[0].iter().map(|x| x.frame).collect();
    assert_eq!(frames, [0, 450, 900, 1350, 1800]);
    assert_eq!(
        r.record_frame(0, 4),
        1561,
        "the totals at the end, not the next boundary (1800)"
    );
    // blcom makes 1.5 metal/s, 20 energy/s; a blsolar (30 energy/s) from frame 300.
    let last = r.team_records[0].last().unwrap();
    assert_eq!(last.get("metal_produced"), Some(77.25));
    assert_eq!(last.get("energy_produced"), Some(2260.0));
    assert_eq!(last.get("units_produced"), Some(2.0));
    assert_eq!(last.units_alive(), 2);
    let s = ReplaySummary::of(&r, &path);
    assert_eq!(s.summary.game_seconds, 1561.0 / 30.0);
    assert_eq!(s.summary.winner_names().as_deref(), Some("Bot0"));
    assert_eq!(s.spectators, ["Watcher"]);
}

fn mutated() -> impl Strategy<Value = (Vec<u8>, bool)> {
    let base = prop_oneof![
        Just(Builder::game(2, 3, 15)),
        Just({
            let mut b = Builder::game(3, 2, 16);
            b.teams = vec![Vec::new(); 2];
            b
        }),
    ];
    (
        base,
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..12),
        any::<prop::sample::Index>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(b, edits, cut, do_cut, raw_edit)| {
            let mut bytes = if raw_edit { b.raw() } else { b.gz() };
            let n = bytes.len();
            for (at, v) in edits {
                bytes[at.index(n)] = v;
            }
            if do_cut {
                bytes.truncate(cut.index(n + 1));
            }
            (if raw_edit { gzip(&bytes) } else { bytes }, raw_edit)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    /// No input panics; whatever reads keeps its promises.
    #[test]
    fn no_input_panics((bytes, _) in mutated()) {
        if let Ok(r) = Replay::from_bytes(&bytes) {
            let s = ReplaySummary::of(&r, Path::new("p.sdfz"));
            prop_assert_eq!(s.has_team_stats, r.has_team_stats());
            prop_assert_eq!(s.team_stats_note.is_some(), r.no_stats.is_some());
            prop_assert!(r.team_records.len() <= 255);
            for (k, recs) in r.team_records.iter().enumerate() {
                for i in 0..recs.len() {
                    let _ = r.record_frame(k, i);
                }
            }
            let _ = bar_live_core::replay::messages::widget_messages(&r);
        }
    }
}
