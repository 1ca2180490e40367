//! Milestone detection over simulated games whose events are known: the simulator's tech plans say when
//! each team places its first factory, T2 factory, fusion, … and when it loses its commander; the
//! detector must find exactly those, at the first update after each, and nothing for a team seen only
//! through radar. A brute-force oracle over the same messages checks the detector's bookkeeping too.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

use bar_live_core::game::{Milestone, MilestoneKind};
use bar_live_core::protocol::{Category, UnitDef, WidgetMessage};
use bar_live_core::sim::tech::TechPlan;
use bar_live_core::sim::{SimGame, SimOptions};
use bar_live_core::store::Store;

fn play(opts: SimOptions) -> (Vec<WidgetMessage>, Vec<(u32, TechPlan)>) {
    let game = SimGame::new(opts);
    let plans = game.tech_plans();
    (game.play_out(), plans)
}

fn store_of(messages: &[WidgetMessage]) -> Store {
    let mut store = Store::new();
    for m in messages {
        store.ingest(m);
    }
    store
}

/// Update times, ascending, and when each team died (event frame / 30).
fn timeline(messages: &[WidgetMessage]) -> (Vec<f64>, BTreeMap<u32, f64>, Option<f64>) {
    let (mut times, mut died, mut over) = (Vec::new(), BTreeMap::new(), None);
    for m in messages {
        match m {
            WidgetMessage::Update(u) => times.push(u.game_seconds),
            WidgetMessage::Event(e) if e.name == "team_died" => {
                died.insert(e.team_id.unwrap(), f64::from(e.game_frame) / 30.0);
            }
            WidgetMessage::Event(e) if e.name == "game_over" => {
                over = Some(f64::from(e.game_frame) / 30.0)
            }
            _ => {}
        }
    }
    (times, died, over)
}

/// What the plans say must be detected: each step at the first update at or after its time, while the
/// team is alive; then its death and the game's end.
fn expected(
    plans: &[(u32, TechPlan)],
    messages: &[WidgetMessage],
    radar: Option<u32>,
) -> BTreeSet<(Option<u32>, MilestoneKind, u64)> {
    let (times, died, over) = timeline(messages);
    let mut out = BTreeSet::new();
    let ms = |t: f64| (t * 1000.0).round() as u64;
    for (team, plan) in plans {
        if Some(*team) == radar {
            continue;
        }
        let end = died.get(team).copied().unwrap_or(f64::INFINITY);
        let steps = [
            (MilestoneKind::FirstFactory, Some(plan.factory_s)),
            (MilestoneKind::FirstT2Factory, Some(plan.t2_factory_s)),
            (MilestoneKind::FirstFusion, Some(plan.fusion_s)),
            (MilestoneKind::FirstAntinuke, plan.antinuke_s),
            (MilestoneKind::FirstT3, plan.t3_s),
            (MilestoneKind::FirstNuke, plan.nuke_s),
            (MilestoneKind::CommanderLost, plan.commander_lost_s),
        ];
        for (kind, at) in steps {
            let Some(at) = at else { continue };
            if let Some(&t) = times.iter().find(|&&t| t >= at)
                && t < end
            {
                out.insert((Some(*team), kind, ms(t)));
            }
        }
        if let Some(&t) = died.get(team) {
            out.insert((Some(*team), MilestoneKind::TeamDied, ms(t)));
        }
    }
    if let Some(t) = over {
        out.insert((None, MilestoneKind::GameOver, ms(t)));
    }
    out
}

fn as_set(ms: &[Milestone]) -> BTreeSet<(Option<u32>, MilestoneKind, u64)> {
    ms.iter()
        .map(|m| (m.team_id, m.kind, (m.game_seconds * 1000.0).round() as u64))
        .collect()
}

/// The oracle: for each readable team (listed in the hello, no radar blips), scan every update for the
/// first sample holding a def of each role, and every pair of samples for the commander count dropping
/// to zero. Written for clarity, not speed.
fn oracle(messages: &[WidgetMessage]) -> BTreeSet<(Option<u32>, MilestoneKind, u64)> {
    let mut defs: BTreeMap<u32, UnitDef> = BTreeMap::new();
    let mut readable = BTreeSet::new();
    let mut out = BTreeSet::new();
    let ms = |t: f64| (t * 1000.0).round() as u64;
    let mut firsts: BTreeSet<(u32, MilestoneKind)> = BTreeSet::new();
    let mut commanders: BTreeMap<u32, u32> = BTreeMap::new();
    let mut over = false;
    for m in messages {
        match m {
            WidgetMessage::Hello(h) => readable = h.teams.iter().map(|t| t.team_id).collect(),
            WidgetMessage::UnitDefs(d) => {
                for def in &d.defs {
                    defs.insert(def.id, def.clone());
                }
            }
            WidgetMessage::Update(u) => {
                for s in &u.teams {
                    if !readable.contains(&s.team_id) || s.units.unknown.is_some() {
                        continue;
                    }
                    let by_def = s.units.by_def.as_ref().unwrap();
                    let has = |f: &dyn Fn(&UnitDef) -> bool| {
                        by_def
                            .0
                            .iter()
                            .any(|(d, n)| *n > 0 && defs.get(d).is_some_and(f))
                    };
                    let kinds: [(MilestoneKind, bool); 6] = [
                        (
                            MilestoneKind::FirstFactory,
                            has(&|d| d.category == Category::Factory),
                        ),
                        (
                            MilestoneKind::FirstT2Factory,
                            has(&|d| {
                                d.category == Category::Factory && d.tech_level_or_default() >= 2
                            }),
                        ),
                        (
                            MilestoneKind::FirstT3,
                            has(&|d| d.tech_level_or_default() >= 3),
                        ),
                        (MilestoneKind::FirstFusion, has(&|d| d.name.contains("fus"))),
                        (
                            MilestoneKind::FirstNuke,
                            has(&|d| d.group.as_deref() == Some("nuke")),
                        ),
                        (
                            MilestoneKind::FirstAntinuke,
                            has(&|d| d.group.as_deref() == Some("antinuke")),
                        ),
                    ];
                    for (kind, present) in kinds {
                        if present && firsts.insert((s.team_id, kind)) {
                            out.insert((Some(s.team_id), kind, ms(u.game_seconds)));
                        }
                    }
                    let coms: u32 = by_def
                        .0
                        .iter()
                        .filter(|(d, _)| defs[d].category == Category::Commander)
                        .map(|(_, n)| n)
                        .sum();
                    if commanders.get(&s.team_id).is_some_and(|&c| c > 0) && coms == 0 {
                        out.insert((
                            Some(s.team_id),
                            MilestoneKind::CommanderLost,
                            ms(u.game_seconds),
                        ));
                    }
                    commanders.insert(s.team_id, coms);
                }
            }
            WidgetMessage::Event(e) if e.name == "team_died" => {
                if let Some(t) = e.team_id.filter(|t| readable.contains(t)) {
                    out.insert((
                        Some(t),
                        MilestoneKind::TeamDied,
                        ms(f64::from(e.game_frame) / 30.0),
                    ));
                }
            }
            WidgetMessage::Event(e) if e.name == "game_over" && !over => {
                over = true;
                out.insert((
                    None,
                    MilestoneKind::GameOver,
                    ms(f64::from(e.game_frame) / 30.0),
                ));
            }
            _ => {}
        }
    }
    out
}

#[test]
fn simulated_games_show_the_planned_milestones() {
    for seed in 1..=6 {
        let opts = SimOptions {
            teams: 4 + (seed as u32 % 3),
            minutes: 36.0,
            seed,
            interval_frames: 30,
            ..SimOptions::default()
        };
        let (messages, plans) = play(opts);
        let store = store_of(&messages);
        let got = as_set(store.milestones());
        assert_eq!(got.len(), store.milestones().len(), "no duplicates");
        assert_eq!(got, expected(&plans, &messages, None), "seed {seed}");
        assert_eq!(got, oracle(&messages), "seed {seed}: oracle");
    }
}

#[test]
fn a_team_seen_only_through_radar_gets_no_milestones() {
    let opts = SimOptions {
        teams: 4,
        minutes: 30.0,
        seed: 11,
        radar_team: Some(3),
        ..SimOptions::default()
    };
    let (messages, plans) = play(opts);
    // The radar team's factories (T2 included) are in its by_def: detection must still skip it.
    let radar_has_t2_lab = messages.iter().any(|m| match m {
        WidgetMessage::Update(u) => u.teams.iter().any(|s| {
            s.team_id == 3
                && s.units
                    .by_def
                    .as_ref()
                    .unwrap()
                    .0
                    .iter()
                    .any(|d| d.0 == 22 || d.0 == 23)
        }),
        _ => false,
    });
    assert!(
        radar_has_t2_lab,
        "the test needs the radar team to show a T2 lab"
    );
    let store = store_of(&messages);
    assert!(store.milestones().iter().all(|m| m.team_id != Some(3)));
    let got = as_set(store.milestones());
    assert_eq!(got, expected(&plans, &messages, Some(3)));
    assert!(
        got.iter()
            .any(|m| m.0 == Some(0) && m.1 == MilestoneKind::FirstT2Factory)
    );
}

#[test]
fn timings_are_plausible() {
    let (messages, _) = play(SimOptions {
        teams: 6,
        minutes: 40.0,
        seed: 3,
        ..SimOptions::default()
    });
    let store = store_of(&messages);
    for m in store.milestones() {
        let min = m.game_seconds / 60.0;
        match m.kind {
            MilestoneKind::FirstFactory => assert!(min <= 2.0, "{m:?}"),
            MilestoneKind::FirstT2Factory => assert!((8.0..=14.1).contains(&min), "{m:?}"),
            MilestoneKind::FirstFusion => assert!((12.0..=20.1).contains(&min), "{m:?}"),
            MilestoneKind::FirstT3 | MilestoneKind::FirstNuke => assert!(min >= 20.0, "{m:?}"),
            _ => {}
        }
    }
    let kinds: BTreeSet<MilestoneKind> = store.milestones().iter().map(|m| m.kind).collect();
    for k in [
        MilestoneKind::FirstFactory,
        MilestoneKind::FirstT2Factory,
        MilestoneKind::FirstFusion,
        MilestoneKind::FirstT3,
        MilestoneKind::TeamDied,
        MilestoneKind::GameOver,
    ] {
        assert!(
            kinds.contains(&k),
            "a 40-minute 6-team game shows {k:?}: {kinds:?}"
        );
    }
}

#[test]
fn the_summary_carries_the_same_milestones_as_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let (messages, _) = play(SimOptions {
        teams: 4,
        minutes: 20.0,
        seed: 9,
        ..SimOptions::default()
    });
    for version in [1, 2] {
        let path = dir.path().join(format!("g{version}.barlive"));
        let mut rec =
            bar_live_core::recording::Recorder::create_with_version(&path, 1, "test", version)
                .unwrap();
        for (i, m) in messages.iter().enumerate() {
            let payload = bar_live_core::protocol::encode_widget(m, i as u64 + 1);
            rec.append(1, 1 + i as u64, &payload).unwrap();
        }
        rec.finish().unwrap();
        let s = bar_live_core::recording::Summary::of_file(&path).unwrap();
        let store = store_of(&messages);
        assert_eq!(
            s.milestones.as_deref(),
            Some(store.milestones()),
            "v{version}"
        );
        let json: serde_json::Value =
            serde_json::from_str(&bar_live_core::cli::info::render(&path, true).unwrap().1)
                .unwrap();
        let first = &json["milestones"][0];
        assert!(
            first["team_id"].is_u64()
                && first["kind"].is_string()
                && first["game_seconds"].is_f64()
        );
    }
}

/// A v2 file finished by a build from before milestones existed has a trailer without them: readers scan
/// the records instead, so `info` still lists its milestones. (The file is the v2 golden demo as it was
/// first written.)
#[test]
fn an_older_trailer_without_milestones_is_scanned() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/insight/v2-trailer-without-milestones.barlive");
    let s = bar_live_core::recording::Summary::of_file(&path).unwrap();
    assert_eq!(s.read_from, "scan");
    let kinds: Vec<MilestoneKind> = s.milestones.unwrap().iter().map(|m| m.kind).collect();
    assert_eq!(kinds, [MilestoneKind::TeamDied, MilestoneKind::GameOver]);
    let fast = bar_live_core::recording::Summary::of_file_fast(&path).unwrap();
    assert_eq!(fast.read_from, "scan");
}
