//! The session's part in moving the widget and in its settings: the move's own listener events, the
//! order of actions when the widget arrives, the settings in force from the hello, and the player
//! switching the widget on again after the app switched it off.

use std::time::{Duration, Instant};

use super::*;
use crate::live::moving::{MOVE_TIMEOUT, MoveStatus};
use crate::protocol::{self, ConfigAck, HelloConfig, Level, WidgetMessage};
use crate::sim::{SimGame, SimOptions};

fn session() -> Session {
    Session::new(RecordPolicy {
        enabled: false,
        dir: "/nonexistent-recordings".into(),
        keep_last: 0,
    })
}

fn hello_with(config: HelloConfig) -> WidgetMessage {
    let mut hs = SimGame::new(SimOptions::default()).handshake();
    let mut hello = hs.remove(0);
    if let WidgetMessage::Hello(h) = &mut hello {
        h.config = config;
    }
    hello
}

fn full_config(port: u16) -> HelloConfig {
    HelloConfig {
        interval_frames: 30,
        level: Level::Detailed,
        max_units: Some(500),
        host: Some("127.0.0.1".into()),
        port: Some(port),
        queue_max_messages: Some(20),
        queue_max_bytes: Some(65_536),
        send_budget_bytes: Some(4_096),
        indicator: Some(false),
        enabled: Some(true),
    }
}

fn message(conn: ConnId, m: &WidgetMessage) -> NetEvent {
    let payload = protocol::encode_widget(m, 1);
    NetEvent::Message {
        conn,
        received_unix_ms: 0,
        message: Box::new(protocol::decode_widget(&payload).unwrap()),
        payload: Arc::from(payload.as_slice()),
    }
}

fn feed(s: &mut Session, events: Vec<NetEvent>) -> Vec<Action> {
    let mut out = Vec::new();
    for ev in events {
        s.handle(ev, &mut out);
    }
    out
}

fn connected(conn: ConnId) -> NetEvent {
    NetEvent::Connected {
        conn,
        peer: "127.0.0.1:40000".parse().unwrap(),
    }
}

/// A session serving a widget on 9876 that was asked to move to 9877.
fn moving() -> (Session, Instant) {
    let mut s = session();
    feed(
        &mut s,
        vec![
            NetEvent::Listening {
                addr: "127.0.0.1:9876".parse().unwrap(),
            },
            connected(1),
            message(1, &hello_with(full_config(9876))),
        ],
    );
    let now = Instant::now();
    s.widget.moving.start(
        "127.0.0.1:9877".into(),
        "127.0.0.1:9877".parse().unwrap(),
        "127.0.0.1".into(),
        "127.0.0.1:9876".into(),
        now,
    );
    (s, now)
}

#[test]
fn the_hello_fills_every_setting_in_force() {
    let mut s = session();
    feed(
        &mut s,
        vec![connected(1), message(1, &hello_with(full_config(9876)))],
    );
    let applied = s.widget.applied.clone().unwrap();
    assert_eq!(applied.interval_frames, Some(30));
    assert_eq!(applied.level, Some(Level::Detailed));
    assert_eq!(applied.max_units, Some(500));
    assert_eq!(applied.host.as_deref(), Some("127.0.0.1"));
    assert_eq!(applied.port, Some(9876));
    assert_eq!(applied.queue_max_messages, Some(20));
    assert_eq!(applied.queue_max_bytes, Some(65_536));
    assert_eq!(applied.send_budget_bytes, Some(4_096));
    assert_eq!(applied.indicator, Some(false));
    assert_eq!(applied.enabled, Some(true));
}

#[test]
fn the_move_listener_events_leave_the_served_listener_alone() {
    let (mut s, _) = moving();
    feed(
        &mut s,
        vec![NetEvent::Listening {
            addr: "127.0.0.1:9877".parse().unwrap(),
        }],
    );
    assert!(
        s.connected(),
        "still serving the widget on the old listener"
    );
    assert_eq!(s.link.listen_addr.as_deref(), Some("127.0.0.1:9876"));
    s.widget
        .moving
        .bind_failed("127.0.0.1:9999".into(), "in use", Some("127.0.0.1:9876"));
    feed(
        &mut s,
        vec![NetEvent::ListenFailed {
            addr: "127.0.0.1:9999".into(),
            error: "in use".into(),
        }],
    );
    assert!(s.connected(), "a failed bind for a move changes nothing");
}

#[test]
fn the_widget_arriving_is_adopted_before_the_settings_are_pushed() {
    let (mut s, _) = moving();
    let actions = feed(
        &mut s,
        vec![
            NetEvent::Disconnected {
                conn: 1,
                reason: "moving".into(),
            },
            connected(2),
            message(2, &hello_with(full_config(9877))),
        ],
    );
    assert_eq!(
        actions,
        [Action::AdoptMoveListener, Action::PushConfig],
        "served on the new listener before anything is sent"
    );
    assert!(matches!(
        s.widget.moving.status,
        MoveStatus::Moved { port: 9877, .. }
    ));
    assert!(s.connected());
}

#[test]
fn a_widget_going_back_or_refusing_drops_the_move_listener() {
    let (mut s, _) = moving();
    let actions = feed(
        &mut s,
        vec![connected(2), message(2, &hello_with(full_config(9876)))],
    );
    assert_eq!(actions, [Action::DropMoveListener, Action::PushConfig]);
    let (mut s, _) = moving();
    let ack = WidgetMessage::ConfigAck(ConfigAck {
        config: WidgetConfig::default(),
        errors: vec!["port must be an integer 1-65535".into()],
    });
    assert_eq!(
        feed(&mut s, vec![message(1, &ack)]),
        [Action::DropMoveListener]
    );
    assert!(matches!(s.widget.moving.status, MoveStatus::Failed { .. }));
}

#[test]
fn a_move_times_out_on_tick() {
    let (mut s, t0) = moving();
    let mut out = Vec::new();
    s.tick(t0 + Duration::from_secs(1), &mut out);
    assert!(out.is_empty());
    s.tick(t0 + MOVE_TIMEOUT, &mut out);
    assert_eq!(out, [Action::DropMoveListener]);
}

#[test]
fn a_hello_after_the_app_switched_the_widget_off_means_the_player_switched_it_on() {
    let mut s = session();
    s.widget.wanted = Some(WidgetConfig {
        level: Some(Level::Minimal),
        enabled: Some(false),
        ..WidgetConfig::default()
    });
    assert!(!s.take_switched_on_in_game());
    let actions = feed(
        &mut s,
        vec![connected(1), message(1, &hello_with(full_config(9876)))],
    );
    assert_eq!(actions, [Action::PushConfig]);
    let wanted = s.widget.wanted.clone().unwrap();
    assert_eq!(
        wanted.enabled,
        Some(true),
        "the push must not switch it off again"
    );
    assert_eq!(wanted.level, Some(Level::Minimal));
    assert!(s.take_switched_on_in_game());
    assert!(!s.take_switched_on_in_game(), "once");
    feed(&mut s, vec![message(1, &hello_with(full_config(9876)))]);
    assert!(
        !s.take_switched_on_in_game(),
        "only after the app switched it off"
    );
}
