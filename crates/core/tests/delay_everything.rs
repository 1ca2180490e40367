//! The tournament switch ("delay everything I show by S seconds") at the session and snapshot level: the
//! store every view draws, its milestones and build orders, and the overlay pages all show the game as
//! it was S seconds ago; the recording gets every frame at once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::Arc;

use bar_live_core::live::session::Action;
use bar_live_core::live::{RecordPolicy, Session};
use bar_live_core::net::NetEvent;
use bar_live_core::protocol::{self, WidgetMessage};
use bar_live_core::sim::{SimGame, SimOptions};
use bar_live_core::web::snapshot::{self, Query};

/// Wall-clock ms of the first message.
const T0: u64 = 1_800_000_000_000;
/// Wall-clock ms between messages: the game runs at 1× (an update every 15 frames = 500 ms).
const UPDATE_MS: u64 = 500;
const DELAY_S: f64 = 120.0;

fn game() -> Vec<WidgetMessage> {
    SimGame::new(SimOptions {
        teams: 3,
        minutes: 8.0,
        seed: 9,
        ..SimOptions::default()
    })
    .play_out()
}

/// Feeds the game to a session as the link would, each update `UPDATE_MS` after the previous one
/// (other messages at the time of the update before them). Returns the actions and the last receive
/// time.
fn feed(session: &mut Session, msgs: &[WidgetMessage]) -> (Vec<Action>, u64) {
    let mut out = Vec::new();
    let peer: SocketAddr = "127.0.0.1:5000".parse().unwrap();
    session.handle(NetEvent::Connected { conn: 1, peer }, &mut out);
    let mut t = T0;
    for (seq, m) in (1..).zip(msgs) {
        if matches!(m, WidgetMessage::Update(_)) {
            t += UPDATE_MS;
        }
        let payload = protocol::encode_widget(m, seq);
        session.handle(
            NetEvent::Message {
                conn: 1,
                received_unix_ms: t,
                message: Box::new(protocol::decode_widget(&payload).unwrap()),
                payload: Arc::from(payload.as_slice()),
            },
            &mut out,
        );
        // The link thread releases what is due as time passes.
        session.release_delayed(t);
    }
    (out, t)
}

fn session(dir: &std::path::Path) -> Session {
    Session::new(RecordPolicy {
        enabled: true,
        dir: dir.to_owned(),
        keep_last: 0,
    })
}

#[test]
fn every_view_shows_the_game_as_it_was_and_the_recording_is_not_delayed() {
    let dir = tempfile::tempdir().unwrap();
    let msgs = game();
    let mut s = session(dir.path());
    s.set_delay_everything(Some(DELAY_S));
    assert_eq!(s.delay_everything_s(), Some(DELAY_S));
    let (actions, now) = feed(&mut s, &msgs);

    // The recording: every frame, as it arrived.
    let recorded = actions
        .iter()
        .filter(|a| matches!(a, Action::Record { .. }))
        .count();
    assert_eq!(recorded, msgs.len(), "every frame is recorded at once");

    // The shown store is the game as it was DELAY_S ago: 240 updates (of 500 ms) behind.
    let live = &s.store;
    let shown = s.shown_store();
    let behind = (DELAY_S * 1000.0) as u64 / UPDATE_MS;
    assert_eq!(shown.updates, live.updates - behind);
    let want_t = s.timeline.game_seconds_at(now - 120_000).unwrap();
    assert_eq!(shown.last_game_seconds, want_t);
    assert!(live.last_game_seconds - shown.last_game_seconds >= DELAY_S - 0.5);
    // Its series, milestones and build orders stop there too.
    for series in shown.series.values() {
        assert!(series.t.iter().all(|&t| t <= want_t));
    }
    assert!(shown.milestones().iter().all(|m| m.game_seconds <= want_t));
    assert!(
        live.milestones().iter().any(|m| m.game_seconds > want_t),
        "the live game has milestones the delayed view must not show yet"
    );
    let built = shown.insight().build_orders();
    assert!(built.team_ids().count() > 0);
    for team in built.team_ids() {
        assert!(built.team(team).iter().all(|i| i.game_seconds <= want_t));
        let live_items = live.insight().build_orders().team(team).len();
        assert!(built.team(team).len() <= live_items);
    }

    // The overlay pages: at least the delay, whatever they ask, and they say so.
    for asked in ["delay=0", "", "delay=30"] {
        let snap = snapshot::build(
            &s,
            &Query::parse(&format!("{asked}&build=1"), 0.0),
            now,
            true,
        );
        assert_eq!(snap.delay_s, DELAY_S, "{asked}");
        assert_eq!(snap.delayed_everything_s, Some(DELAY_S));
        assert!((snap.game_seconds - want_t).abs() < 1e-9, "{asked}");
        let history = snap.history.unwrap();
        assert!(history.t.iter().all(|&t| t <= want_t));
        for view in snap.build_order.unwrap().values() {
            let latest = view.recent.last().or(view.opening.last());
            assert!(latest.is_none_or(|b| b.game_seconds <= want_t));
        }
    }
    // A page may ask for more.
    let more = snapshot::build(&s, &Query::parse("delay=300", 0.0), now, false);
    assert_eq!(more.delay_s, 300.0);
    assert!(more.game_seconds < want_t);

    // Switched off: the live game again, and pages as they ask.
    s.set_delay_everything(None);
    assert_eq!(s.shown_store().updates, s.store.updates);
    let snap = snapshot::build(&s, &Query::parse("delay=0", 0.0), now, false);
    assert_eq!((snap.delay_s, snap.delayed_everything_s), (0.0, None));
    assert_eq!(snap.game_seconds, s.store.last_game_seconds);
}

#[test]
fn switched_on_mid_game_it_shows_nothing_sooner_than_the_delay() {
    let dir = tempfile::tempdir().unwrap();
    let msgs = game();
    let half = msgs.len() / 2;
    let mut s = session(dir.path());
    let (_, mid) = feed(&mut s, &msgs[..half]);
    s.set_delay_everything(Some(DELAY_S));
    assert_eq!(
        s.shown_store().updates,
        0,
        "starts empty: nothing from before is shown early"
    );
    s.release_delayed(mid + 119_000);
    assert_eq!(s.shown_store().updates, 0);
    // The same delay again keeps the view; another delay starts it over.
    s.set_delay_everything(Some(DELAY_S));
    assert!(s.delayed.is_some());
    s.set_delay_everything(Some(60.0));
    assert_eq!(s.delay_everything_s(), Some(60.0));
}
