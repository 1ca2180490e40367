//! Tests of the simulated game.

use super::*;

fn run(opts: SimOptions) -> Vec<WidgetMessage> {
    let mut g = SimGame::new(opts);
    let mut all = g.handshake();
    while !g.finished() {
        all.extend(g.step());
    }
    all
}

#[test]
fn deterministic_for_a_seed() {
    let opts = SimOptions {
        minutes: 3.0,
        ..Default::default()
    };
    assert_eq!(run(opts.clone()), run(opts.clone()));
    assert_ne!(run(opts.clone()), run(SimOptions { seed: 2, ..opts }));
}

#[test]
fn plausible_game() {
    let all = run(SimOptions {
        teams: 4,
        minutes: 20.0,
        ..Default::default()
    });
    let updates: Vec<&Update> = all
        .iter()
        .filter_map(|m| {
            if let WidgetMessage::Update(u) = m {
                Some(u)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(updates.len(), 20 * 60 * 2, "one update per 15 frames");
    let first = &updates[10].teams[0];
    let last = &updates.last().unwrap().teams[0];
    assert!(
        last.metal.income > 5.0 * first.metal.income,
        "economy grows"
    );
    assert!(last.units.total > first.units.total, "army grows");
    let stats = last.stats.unwrap();
    assert!(
        stats.units_died > 0.0 && stats.damage_received > 0.0,
        "armies are lost: {stats:?}"
    );
    assert_eq!(updates.last().unwrap().teams.len(), 3, "one team died");
    let names: Vec<&str> = all
        .iter()
        .filter_map(|m| {
            if let WidgetMessage::Event(e) = m {
                Some(e.name.as_str())
            } else {
                None
            }
        })
        .collect();
    assert_eq!(names.first(), Some(&"game_start"));
    assert!(names.contains(&"team_died"));
    assert_eq!(names.last(), Some(&"game_over"));
    for u in &updates {
        for t in &u.teams {
            assert!(t.metal.current >= 0.0 && t.metal.current <= t.metal.storage);
        }
    }
}

#[test]
fn detailed_caps_units() {
    let mut g = SimGame::new(SimOptions {
        level: Level::Detailed,
        max_units: 10,
        minutes: 10.0,
        ..Default::default()
    });
    let mut last = None;
    while !g.finished() {
        for m in g.step() {
            if let WidgetMessage::Update(u) = m {
                last = Some(u);
            }
        }
    }
    let u = last.unwrap();
    assert_eq!(u.units.as_ref().unwrap().len(), 10);
    let total: u32 = u.teams.iter().map(|t| t.units.total).sum();
    assert_eq!(u.units_omitted, Some(total - 10));
}

#[test]
fn config_is_validated() {
    let mut g = SimGame::new(SimOptions::default());
    let ack = g.apply_config(&WidgetConfig {
        interval_frames: Some(0),
        level: Some(Level::Minimal),
        ..WidgetConfig::default()
    });
    assert_eq!(ack.errors.len(), 1);
    assert_eq!(ack.config.interval_frames, Some(15));
    assert_eq!(ack.config.level, Some(Level::Minimal));
}
