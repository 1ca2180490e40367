//! Build orders through the built binary: `info --json`'s `build_order` and `export --table build-order`
//! on the bundled demo recording agree, and a BAR replay (which has no unit counts) says so.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;
use common::{run, stdout};

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("resources/demo.barlive")
}

/// (team, game seconds, unit) of each item.
type Item = (u64, f64, String);

#[test]
fn info_lists_the_first_30_of_each_team_and_export_lists_them_all() {
    let d = demo();
    let info: Value =
        serde_json::from_str(&stdout(&run(&["info", "--json", d.to_str().unwrap()]))).unwrap();
    let items: Vec<Item> = info["build_order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["team_id"].as_u64().unwrap(),
                i["game_seconds"].as_f64().unwrap(),
                i["unit"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut per_team: BTreeMap<u64, Vec<&Item>> = BTreeMap::new();
    for i in &items {
        per_team.entry(i.0).or_default().push(i);
    }
    assert_eq!(per_team.len(), 4, "every team of the demo built something");
    assert!(per_team.values().all(|v| v.len() == 30));
    assert!(items.windows(2).all(|w| w[0].1 <= w[1].1), "time order");

    let csv = stdout(&run(&[
        "export",
        d.to_str().unwrap(),
        "--table",
        "build-order",
    ]));
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("game_seconds,team_id,ally_team_id,name,unit,def")
    );
    let rows: Vec<Vec<String>> = lines
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    assert!(
        rows.len() > items.len(),
        "export has every unit, not only 30"
    );
    for (team, want) in &per_team {
        let got: Vec<(f64, &str)> = rows
            .iter()
            .filter(|r| r[1] == team.to_string())
            .take(30)
            .map(|r| (r[0].parse().unwrap(), r[4].as_str()))
            .collect();
        let want: Vec<(f64, &str)> = want.iter().map(|i| (i.1, i.2.as_str())).collect();
        assert_eq!(got, want, "team {team}");
    }
    let json: Value = serde_json::from_str(&stdout(&run(&[
        "export",
        d.to_str().unwrap(),
        "--table",
        "build-order",
        "--format",
        "json",
    ])))
    .unwrap();
    assert_eq!(json.as_array().unwrap().len(), rows.len());
    assert!(json[0]["def"].as_str().is_some_and(|d| !d.is_empty()));
}

#[test]
fn a_replay_has_an_empty_build_order_and_export_says_why() {
    let g = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/core/tests/data/replay/spring106-game-over.sdfz");
    let info: Value =
        serde_json::from_str(&stdout(&run(&["info", "--json", g.to_str().unwrap()]))).unwrap();
    assert_eq!(info["build_order"], serde_json::json!([]));
    let o = run(&["export", g.to_str().unwrap(), "--table", "build-order"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no build order"));
    let o = run(&["export", demo().to_str().unwrap(), "--table", "nope"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("expected stats or build-order"));
}
