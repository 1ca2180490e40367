//! BAR replays through the built binary, as a user runs the commands: `info`, `convert` and `export` on
//! the golden replay that Spring 106 wrote (crates/core/tests/data/replay/), and on one cut short.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;
use common::{run, stdout};

const GOLDEN: &str = "crates/core/tests/data/replay/spring106-game-over.sdfz";

fn golden() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN)
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bar-live-replay-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn team_names(summary: &Value) -> Vec<&str> {
    summary["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect()
}

#[test]
fn info_json_of_a_replay() {
    let g = golden();
    let j: Value =
        serde_json::from_str(&stdout(&run(&["info", g.to_str().unwrap(), "--json"]))).unwrap();
    assert_eq!(j["source"], "bar-replay");
    assert_eq!(j["has_team_stats"], true);
    assert_eq!(j["map"], "bltest_generated");
    assert_eq!(team_names(&j), ["Bot0", "Bot1"]);
    assert!(j["teams"][0]["is_ai"].as_bool().unwrap());
    assert_eq!(j["winners"], serde_json::json!([0]));
}

#[test]
fn export_csv_has_a_header_and_a_row_per_team_per_record() {
    let g = golden();
    let csv = stdout(&run(&["export", g.to_str().unwrap()]));
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        &header[..5],
        [
            "game_seconds",
            "team_id",
            "ally_team_id",
            "name",
            "metal_used"
        ]
    );
    assert_eq!(header.last(), Some(&"units_killed"));
    assert_eq!(header.len(), 4 + 19);
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 2 * 5, "2 teams × 5 statistics records");
    assert!(rows.iter().all(|r| r.len() == header.len()));
    // The last record of team 0: at the game's end, with the totals (metal_produced 77.25).
    let last = rows.iter().rfind(|r| r[1] == "0").unwrap();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    assert_eq!(last[col("metal_produced")].parse::<f64>().unwrap(), 77.25);
    assert!((last[0].parse::<f64>().unwrap() - 1561.0 / 30.0).abs() < 0.01);

    let out = tmp("stats.json");
    let o = run(&[
        "export",
        g.to_str().unwrap(),
        "--format",
        "json",
        "--out",
        out.to_str().unwrap(),
    ]);
    stdout(&o);
    let j: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(j.as_array().unwrap().len(), 10);
    assert_eq!(j[0]["name"], "Bot0");
}

#[test]
fn convert_makes_a_recording_that_info_reads() {
    let g = golden();
    let out = tmp("converted.barlive");
    let _ = std::fs::remove_file(&out);
    stdout(&run(&[
        "convert",
        g.to_str().unwrap(),
        out.to_str().unwrap(),
    ]));
    let j: Value =
        serde_json::from_str(&stdout(&run(&["info", out.to_str().unwrap(), "--json"]))).unwrap();
    assert_eq!(j["map"], "bltest_generated");
    assert_eq!(team_names(&j), ["Bot0", "Bot1"]);
    assert_eq!(j["winners"], serde_json::json!([0]), "{j}");
    // The recording's statistics export as the replay's do.
    let from_replay = stdout(&run(&["export", g.to_str().unwrap()]));
    let from_recording = stdout(&run(&["export", out.to_str().unwrap()]));
    let metal = |csv: &str| -> Vec<String> {
        csv.lines()
            .skip(1)
            .filter(|l| l.split(',').nth(1) == Some("0"))
            .map(|l| l.split(',').nth(6).unwrap().to_owned())
            .collect()
    };
    let m = metal(&from_recording);
    assert!(!m.is_empty());
    assert_eq!(
        m.last(),
        metal(&from_replay).last(),
        "metal_produced at the end"
    );
}

#[test]
fn a_replay_cut_short_is_summarised_but_not_converted() {
    let bytes = std::fs::read(golden()).unwrap();
    let cut = tmp("cut.sdfz");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let j: Value =
        serde_json::from_str(&stdout(&run(&["info", cut.to_str().unwrap(), "--json"]))).unwrap();
    assert_eq!(j["has_team_stats"], false);
    assert!(
        j["team_stats_note"].as_str().unwrap().contains("cut short"),
        "{j}"
    );

    let out = tmp("cut.barlive");
    let _ = std::fs::remove_file(&out);
    let o = run(&["convert", cut.to_str().unwrap(), out.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no team statistics"), "{err}");
    assert!(
        !out.exists(),
        "no output file for a replay without statistics"
    );
}

#[test]
fn garbage_gets_a_clear_error() {
    let bad = tmp("garbage.sdfz");
    let mut bytes = vec![0x1f, 0x8b];
    bytes.extend(b"not really gzip at all");
    std::fs::write(&bad, &bytes).unwrap();
    for cmd in ["info", "export"] {
        let o = run(&[cmd, bad.to_str().unwrap()]);
        assert!(!o.status.success(), "{cmd}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("garbage.sdfz"), "{cmd}: {err}");
        assert!(!err.contains("panicked"), "{cmd}: {err}");
    }
}
