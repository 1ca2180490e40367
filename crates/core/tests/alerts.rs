//! Alerts: thresholds with hysteresis never flicker, checked against the definition (every change of
//! state is preceded by its condition holding for the dwell time) over thousands of noisy random
//! signals; sustained problems give exactly one on and one off; only the local player's team counts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use bar_live_core::insight::alerts::{
    AlertEngine, AlertEvent, AlertKind, AlertSample, Thresholds, overflow_conditions,
    stall_conditions,
};
use bar_live_core::protocol::WidgetMessage;
use bar_live_core::sim::rng::Rng;
use bar_live_core::sim::{SimGame, SimOptions};
use bar_live_core::store::Store;

fn sample(t: f64, energy: f64, metal: f64, excess: f64) -> AlertSample {
    AlertSample {
        t,
        energy_current: energy,
        energy_storage: 3000.0,
        energy_pull: 900.0,
        energy_income: 800.0,
        metal_current: metal,
        metal_storage: 2000.0,
        metal_excess: excess,
    }
}

fn run(samples: &[AlertSample]) -> Vec<AlertEvent> {
    let mut e = AlertEngine::default();
    samples.iter().flat_map(|s| e.step(s)).collect()
}

/// The definition, checked from scratch: an alert turns on at `t` only if its on-condition held at every
/// sample of the last `on_after_s` (and off likewise); states alternate.
fn check_against_definition(samples: &[AlertSample], events: &[AlertEvent], th: &Thresholds) {
    for kind in [AlertKind::EnergyStall, AlertKind::MetalOverflow] {
        let mut on = false;
        for ev in events.iter().filter(|e| e.kind == kind) {
            assert_ne!(ev.on, on, "{kind:?}: states alternate");
            on = ev.on;
            let hold = if ev.on { th.on_after_s } else { th.off_after_s };
            let window: Vec<&AlertSample> = samples
                .iter()
                .filter(|s| s.t <= ev.game_seconds && s.t >= ev.game_seconds - hold)
                .collect();
            assert!(!window.is_empty());
            for s in window {
                let (c_on, c_off) = match kind {
                    AlertKind::EnergyStall => stall_conditions(s, th),
                    _ => overflow_conditions(s, th),
                };
                assert!(
                    if ev.on { c_on } else { c_off },
                    "{kind:?} turned {} at {} but its condition failed at {}",
                    ev.on,
                    ev.game_seconds,
                    s.t
                );
            }
        }
    }
}

#[test]
fn noisy_signals_never_flicker() {
    let th = Thresholds::default();
    let mut rng = Rng::new(77);
    let mut changes = 0;
    for case in 0..2000 {
        // Around the thresholds: energy near 3 % / 10 % of 3000, metal near 90–97 % of 2000.
        let energy_mid = rng.range(0.0, 400.0);
        let metal_mid = rng.range(1700.0, 2000.0);
        let noise = rng.range(0.0, 120.0);
        let mut t = 0.0;
        let samples: Vec<AlertSample> = (0..400)
            .map(|_| {
                t += rng.range(0.25, 1.0);
                let e = (energy_mid + rng.range(-noise, noise)).max(0.0);
                let m = (metal_mid + rng.range(-noise, noise)).clamp(0.0, 2000.0);
                let excess = if rng.chance(0.8) {
                    rng.range(0.0, 3.0)
                } else {
                    0.0
                };
                sample(t, e, m, excess)
            })
            .collect();
        let events = run(&samples);
        changes += events.len();
        check_against_definition(&samples, &events, &th);
        // No flicker: two changes of one alert are at least the shorter dwell apart.
        for kind in [AlertKind::EnergyStall, AlertKind::MetalOverflow] {
            let times: Vec<f64> = events
                .iter()
                .filter(|e| e.kind == kind)
                .map(|e| e.game_seconds)
                .collect();
            for w in times.windows(2) {
                assert!(
                    w[1] - w[0] >= th.on_after_s.min(th.off_after_s),
                    "case {case}: {kind:?} {w:?}"
                );
            }
        }
    }
    assert!(
        changes > 1000,
        "the signals do cross the thresholds: {changes} changes"
    );
}

#[test]
fn a_sustained_stall_and_overflow_alert_once_each() {
    let mut samples = Vec::new();
    for i in 0..600 {
        let t = f64::from(i) * 0.5;
        // Energy: fine, stalled from 100 s to 160 s (hovering at 0–60 of 3000), fine again.
        let wobble = if i % 2 == 0 { 0.0 } else { 60.0 };
        let e = if (100.0..160.0).contains(&t) {
            wobble
        } else {
            1500.0
        };
        // Metal: full and wasting from 200 s to 250 s, with a dip to 96 % every 3 s.
        let full = (200.0..250.0).contains(&t);
        let m = if full && i % 6 != 0 {
            2000.0
        } else if full {
            1930.0
        } else {
            800.0
        };
        samples.push(sample(t, e, m, if full { 4.0 } else { 0.0 }));
    }
    let events = run(&samples);
    let of = |k: AlertKind| -> Vec<(bool, f64)> {
        events
            .iter()
            .filter(|e| e.kind == k)
            .map(|e| (e.on, e.game_seconds))
            .collect()
    };
    let stall = of(AlertKind::EnergyStall);
    assert_eq!(stall.len(), 2, "{stall:?}");
    assert!(
        stall[0].0 && (102.0..103.0).contains(&stall[0].1),
        "{stall:?}"
    );
    assert!(
        !stall[1].0 && (164.0..165.0).contains(&stall[1].1),
        "{stall:?}"
    );
    let overflow = of(AlertKind::MetalOverflow);
    assert_eq!(
        overflow.len(),
        2,
        "the dips to 96 % do not end it: {overflow:?}"
    );
}

#[test]
fn commander_alert_on_when_health_drops_off_after_quiet() {
    let th = Thresholds::default();
    let mut e = AlertEngine::default();
    let mut events = Vec::new();
    let mut h = 1.0f32;
    for i in 0..400 {
        let t = f64::from(i) * 0.5;
        if (50.0..60.0).contains(&t) {
            h -= 0.01;
        }
        events.extend(e.step_health(t, h));
    }
    let ev: Vec<(bool, f64)> = events.iter().map(|e| (e.on, e.game_seconds)).collect();
    assert_eq!(ev.len(), 2, "{ev:?}");
    assert!(ev[0].0 && ev[0].1 >= 50.0 && ev[0].1 <= 52.0, "{ev:?}");
    assert!(
        !ev[1].0 && ev[1].1 >= 60.0 + th.attack_quiet_s - 0.5,
        "{ev:?}"
    );
}

/// A player's store: alerts read their own team only; a spectator gets none.
#[test]
fn only_the_local_players_team_counts() {
    let mut game = SimGame::new(SimOptions {
        teams: 2,
        minutes: 12.0,
        seed: 5,
        ..SimOptions::default()
    });
    let mut msgs = game.handshake();
    while !game.finished() {
        msgs.extend(game.step());
    }
    // Team 1 (not the player's) overflows metal all game; team 0 never does.
    let doctored: Vec<WidgetMessage> = msgs
        .iter()
        .cloned()
        .map(|m| match m {
            WidgetMessage::Update(mut u) => {
                for s in &mut u.teams {
                    if s.team_id == 1 {
                        s.metal.current = s.metal.storage;
                        s.metal.excess = 5.0;
                    } else {
                        s.metal.current = 0.2 * s.metal.storage;
                        s.metal.excess = 0.0;
                    }
                }
                WidgetMessage::Update(u)
            }
            other => other,
        })
        .collect();
    for (spectating, my_team, expect) in [(true, 1, 0), (false, 0, 0), (false, 1, 1)] {
        let mut store = Store::new();
        let mut engine = AlertEngine::default();
        let mut events = Vec::new();
        for m in &doctored {
            let m = match m {
                WidgetMessage::Hello(h) => {
                    let mut h = h.clone();
                    h.game.spectating = spectating;
                    h.game.my_team_id = my_team;
                    WidgetMessage::Hello(h)
                }
                other => other.clone(),
            };
            store.ingest(&m);
            events.extend(engine.update(&store));
        }
        let overflows = events
            .iter()
            .filter(|e| e.kind == AlertKind::MetalOverflow && e.on)
            .count();
        assert_eq!(overflows, expect, "spectating {spectating}, team {my_team}");
    }
}

/// The simulator playing a team (`SimOptions::player`): the engine reads that team's real samples, and
/// every change it reports follows the definition.
#[test]
fn a_simulated_player_game_follows_the_definition() {
    let mut total = 0;
    for seed in 1..=4 {
        let mut game = SimGame::new(SimOptions {
            teams: 4,
            minutes: 30.0,
            seed,
            player: Some(1),
            ..SimOptions::default()
        });
        let mut store = Store::new();
        let mut engine = AlertEngine::default();
        let mut events = Vec::new();
        for m in game.handshake() {
            store.ingest(&m);
        }
        while !game.finished() {
            for m in game.step() {
                store.ingest(&m);
            }
            events.extend(engine.update(&store));
        }
        assert_eq!(store.my_playing_team(), Some(1));
        assert!(
            store.series.keys().all(|&t| t < 2),
            "a player sees only their ally team"
        );
        let s = &store.series[&1];
        let samples: Vec<AlertSample> = (0..s.len()).map(|i| AlertSample::of(s, i)).collect();
        check_against_definition(&samples, &events, &Thresholds::default());
        total += events.len();
    }
    assert!(
        total > 0,
        "the simulated economies do stall or overflow now and then"
    );
}
