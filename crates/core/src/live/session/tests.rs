use super::*;
use crate::protocol::{self, WidgetMessage};
use crate::sim::{SimGame, SimOptions};

fn events_for(conn: ConnId, messages: &[WidgetMessage], t0: u64) -> Vec<NetEvent> {
    messages
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let payload = protocol::encode_widget(m, i as u64 + 1);
            let message = protocol::decode_widget(&payload).unwrap();
            NetEvent::Message {
                conn,
                received_unix_ms: t0 + i as u64 * 10,
                payload: Arc::from(payload.as_slice()),
                message: Box::new(message),
            }
        })
        .collect()
}

fn game(map: &str, minutes: f64) -> (Vec<WidgetMessage>, Vec<WidgetMessage>) {
    let mut g = SimGame::new(SimOptions {
        minutes,
        map_name: map.into(),
        ..Default::default()
    });
    let hs = g.handshake();
    let mut rest = Vec::new();
    while !g.finished() {
        rest.extend(g.step());
    }
    (hs, rest)
}

fn session(enabled: bool) -> Session {
    Session::new(RecordPolicy {
        enabled,
        dir: "/nonexistent-recordings".into(),
        keep_last: 10,
    })
}

/// Feeds events and returns every action they called for.
fn feed(s: &mut Session, events: Vec<NetEvent>) -> Vec<Action> {
    let mut out = Vec::new();
    for ev in events {
        s.handle(ev, &mut out);
    }
    out
}

fn starts(actions: &[Action]) -> Vec<&str> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::StartRecording { map } => Some(map.as_str()),
            _ => None,
        })
        .collect()
}

fn records(actions: &[Action]) -> usize {
    actions
        .iter()
        .filter(|a| matches!(a, Action::Record { .. }))
        .count()
}

#[test]
fn records_a_game_and_tracks_the_link() {
    let mut s = session(true);
    let mut out = Vec::new();
    s.handle(
        NetEvent::Connected {
            conn: 1,
            peer: "127.0.0.1:5000".parse().unwrap(),
        },
        &mut out,
    );
    assert!(s.connected());
    let (hs, rest) = game("Map A", 2.0);
    let all: Vec<WidgetMessage> = hs.into_iter().chain(rest).collect();
    let actions = feed(&mut s, events_for(1, &all, 1_000));
    assert_eq!(actions.first(), Some(&Action::PushConfig));
    assert_eq!(starts(&actions), ["Map A"]);
    assert_eq!(
        records(&actions),
        all.len(),
        "every frame, the hello included"
    );
    assert_eq!(s.recording.frames, all.len() as u64);
    assert_eq!(s.widget.applied.as_ref().unwrap().interval_frames, Some(15));
    let actions = feed(
        &mut s,
        vec![NetEvent::Disconnected {
            conn: 1,
            reason: "bye".into(),
        }],
    );
    assert_eq!(actions, [Action::FlushRecording]);
    assert!(!s.connected());
    assert_eq!(s.link.last_disconnect.as_deref(), Some("bye"));
    assert_eq!(s.store.series.len(), 4);
    assert_eq!(s.link.messages, all.len() as u64);
}

#[test]
fn reconnect_continues_the_file_and_a_new_game_starts_another() {
    let mut s = session(true);
    let (hs, rest) = game("Map A", 1.0);
    let mut actions = feed(&mut s, events_for(1, &hs, 0));
    actions.extend(feed(&mut s, events_for(1, &rest[..10], 100)));
    // Reconnect mid-game: same map, later frame → same file.
    let mut hello2 = hs.clone();
    if let WidgetMessage::Hello(h) = &mut hello2[0] {
        h.game.game_frame = 1000;
    }
    actions.extend(feed(&mut s, events_for(2, &hello2, 500)));
    assert_eq!(starts(&actions), ["Map A"], "still the same file");
    let (hs_b, _) = game("Map B", 1.0);
    let b = feed(&mut s, events_for(3, &hs_b, 900));
    assert_eq!(starts(&b), ["Map B"], "a new game starts another file");
    assert_eq!(s.recording.frames, hs_b.len() as u64);
}

#[test]
fn recording_switched_off_finishes_the_file_and_records_nothing() {
    let mut s = session(true);
    let (hs, rest) = game("Map A", 1.0);
    feed(&mut s, events_for(1, &hs, 0));
    let mut out = Vec::new();
    s.set_record_policy(
        RecordPolicy {
            enabled: false,
            dir: "/x".into(),
            keep_last: 0,
        },
        &mut out,
    );
    assert_eq!(out, [Action::FinishRecording]);
    let actions = feed(&mut s, events_for(1, &rest[..5], 100));
    assert_eq!(records(&actions), 0);
    let mut off = session(false);
    assert!(starts(&feed(&mut off, events_for(1, &hs, 0))).is_empty());
}

#[test]
fn a_stale_disconnect_does_not_hide_the_new_connection() {
    let mut s = session(true);
    feed(
        &mut s,
        vec![
            NetEvent::Connected {
                conn: 1,
                peer: "127.0.0.1:1".parse().unwrap(),
            },
            NetEvent::Connected {
                conn: 2,
                peer: "127.0.0.1:2".parse().unwrap(),
            },
            NetEvent::Disconnected {
                conn: 1,
                reason: "replaced".into(),
            },
        ],
    );
    assert!(s.connected());
}

#[test]
fn recording_failure_is_reported_and_live_view_continues() {
    let mut s = session(true);
    let (hs, rest) = game("Map A", 1.0);
    feed(&mut s, events_for(1, &hs, 0));
    s.on_recorder(RecorderEvent::Failed(
        "cannot start recording x: disk full".into(),
    ));
    assert!(!s.recording.active());
    let actions = feed(&mut s, events_for(1, &rest, 100));
    assert_eq!(records(&actions), 0, "no frames for a failed recorder");
    assert!(s.recording.error.as_deref().unwrap().contains("disk full"));
    assert!(s.store.updates > 0, "live data still flows");
    // The next game tries again.
    let (hs_b, _) = game("Map B", 1.0);
    assert_eq!(starts(&feed(&mut s, events_for(2, &hs_b, 900))), ["Map B"]);
    s.on_recorder(RecorderEvent::Started("/r/b.barlive".into()));
    assert_eq!(s.recording.error, None);
    assert_eq!(
        s.recording.current.as_deref(),
        Some(Path::new("/r/b.barlive"))
    );
}

#[test]
fn protocol_errors_are_kept_bounded() {
    let mut s = session(true);
    let events = (0..30)
        .map(|_| NetEvent::ProtocolError {
            conn: 1,
            error: Arc::new(protocol::ProtocolError::Schema("bad".into())),
        })
        .collect();
    feed(&mut s, events);
    assert_eq!(s.link.errors_total, 30);
    assert_eq!(s.link.errors.len(), MAX_KEPT_ERRORS);
}

#[test]
fn the_timeline_follows_updates_and_restarts_with_a_new_game() {
    let mut s = session(false);
    let (hs, rest) = game("Map A", 1.0);
    feed(&mut s, events_for(1, &hs, 0));
    feed(&mut s, events_for(1, &rest, 10_000));
    assert_eq!(s.timeline.len() as u64, s.store.updates);
    let last_t = s.timeline.last_received_unix_ms().unwrap();
    assert_eq!(
        s.timeline.game_seconds_at(last_t),
        Some(s.store.last_game_seconds)
    );
    let (hs_b, rest_b) = game("Map B", 1.0);
    feed(&mut s, events_for(2, &hs_b, 100_000));
    feed(&mut s, events_for(2, &rest_b[..3], 200_000));
    assert_eq!(s.timeline.len() as u64, s.store.updates);
    assert!(
        s.timeline.game_seconds_at(100_000).is_none(),
        "old game gone"
    );
}

#[test]
fn player_commands_wait_for_the_ui_and_stay_bounded() {
    let mut s = session(false);
    let cmd = WidgetMessage::Command(protocol::Command {
        name: "overlay".into(),
        args: vec!["lock".into()],
    });
    let msgs: Vec<WidgetMessage> = (0..100).map(|_| cmd.clone()).collect();
    feed(&mut s, events_for(1, &msgs, 0));
    let taken = s.take_commands();
    assert_eq!(taken.len(), MAX_PENDING_COMMANDS);
    assert_eq!(taken[0].args, ["lock"]);
    assert!(s.take_commands().is_empty());
}
