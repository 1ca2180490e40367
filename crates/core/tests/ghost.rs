//! The ghost of a past game is aligned on game time: its points are the past game's own samples at
//! their game times, whether its recording started at the beginning or mid-game (a reconnect), and
//! whatever game it is drawn over.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use bar_live_core::insight::ghost::{ghost_line, ghost_series, ghost_team};
use bar_live_core::protocol::{Update, WidgetMessage, decode_widget, encode_widget};
use bar_live_core::recording::Recorder;
use bar_live_core::review::Review;
use bar_live_core::sim::{SimGame, SimOptions};
use bar_live_core::store::{Metric, SeriesOf, ValueMode};

fn game(seed: u64) -> Vec<WidgetMessage> {
    let mut g = SimGame::new(SimOptions {
        teams: 4,
        minutes: 20.0,
        seed,
        ..SimOptions::default()
    });
    let mut all = g.handshake();
    while !g.finished() {
        all.extend(g.step());
    }
    all
}

/// Writes `messages` as a recording that started at `created` (wall clock), keeping only updates at or
/// after `from_s` game seconds (a recording that began mid-game).
fn record(path: &std::path::Path, messages: &[WidgetMessage], created: u64, from_s: f64) {
    let mut rec = Recorder::create_with_version(path, created, "test", 2).unwrap();
    let mut seq = 0;
    for m in messages {
        if let WidgetMessage::Update(u) = m
            && u.game_seconds < from_s
        {
            continue;
        }
        seq += 1;
        rec.append(1, created + seq * 7, &encode_widget(m, seq))
            .unwrap();
    }
    rec.finish().unwrap();
}

/// Every (game seconds, metal income) sample of `team` in the past game, as the wire carried them.
fn samples(messages: &[WidgetMessage], team: u32) -> BTreeSet<(u64, u32)> {
    messages
        .iter()
        .filter_map(|m| match m {
            WidgetMessage::Update(u) => Some(u),
            _ => None,
        })
        .filter_map(|u: &Update| {
            // Through the codec, as the recording stores it.
            let back = decode_widget(&encode_widget(&WidgetMessage::Update(u.clone()), 1)).unwrap();
            let WidgetMessage::Update(b) = back.body else {
                return None;
            };
            let income = b.teams.iter().find(|x| x.team_id == team)?.metal.income;
            Some((b.game_seconds.to_bits(), (income as f32).to_bits()))
        })
        .collect()
}

#[test]
fn ghost_points_are_the_past_games_samples_at_their_game_times() {
    let dir = tempfile::tempdir().unwrap();
    let past = game(21);
    let full = dir.path().join("full.barlive");
    let late = dir.path().join("late.barlive");
    record(&full, &past, 1_700_000_000_000, 0.0);
    record(&late, &past, 1_800_000_000_000, 300.0);
    let want = samples(&past, 0);
    for (path, first_s) in [(&full, 0.0), (&late, 300.0)] {
        let review = Review::open(path).unwrap();
        let team = ghost_team(&review.store, Some("Alice")).unwrap();
        assert_eq!(team, 0, "the player's team, by name");
        let of = ghost_series(&review.store, team, false);
        assert_eq!(of, SeriesOf::Team(0));
        let points = ghost_line(
            &review.store,
            of,
            Metric::MetalIncome,
            ValueMode::PerSecond,
            1.0,
            (0.0, 1200.0),
            300,
        );
        assert!(points.len() > 100);
        assert!(
            points[0][0] >= first_s,
            "nothing before the recording's first game second"
        );
        for p in &points {
            let key = (p[0].to_bits(), (p[1] as f32).to_bits());
            assert!(
                want.contains(&key),
                "({}, {}) is not a sample of the past game",
                p[0],
                p[1]
            );
        }
        // The same view over a narrower range starts where asked, on game time.
        let mid = ghost_line(
            &review.store,
            of,
            Metric::MetalIncome,
            ValueMode::PerSecond,
            1.0,
            (600.0, 660.0),
            60,
        );
        assert!(
            mid.iter().all(|p| (590.0..=670.0).contains(&p[0])),
            "{mid:?}"
        );
    }
}

#[test]
fn the_ghost_team_falls_back_to_the_recorders_team_then_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.barlive");
    let mut past = game(3);
    for m in &mut past {
        if let WidgetMessage::Hello(h) = m {
            h.game.spectating = false;
            h.game.my_team_id = 2;
        }
    }
    record(&path, &past, 1, 0.0);
    let review = Review::open(&path).unwrap();
    assert_eq!(ghost_team(&review.store, Some("Nobody")), Some(2));
    assert_eq!(ghost_team(&review.store, Some("Bob")), Some(1));
    assert_eq!(ghost_series(&review.store, 2, true), SeriesOf::Ally(1));
}
