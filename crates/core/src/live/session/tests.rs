use std::sync::Arc;

use super::*;
use crate::protocol::{self, WidgetMessage};
use crate::recording::Summary;
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

fn session(dir: &Path, keep_last: u32) -> Session {
    Session::new(RecordPolicy {
        enabled: true,
        dir: dir.to_owned(),
        keep_last,
    })
}

#[test]
fn records_a_game_and_tracks_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session(dir.path(), 10);
    s.handle(NetEvent::Connected {
        conn: 1,
        peer: "127.0.0.1:5000".parse().unwrap(),
    });
    assert!(s.connected());
    let (hs, rest) = game("Map A", 2.0);
    let all: Vec<WidgetMessage> = hs.into_iter().chain(rest).collect();
    for ev in events_for(1, &all, 1_000) {
        s.handle(ev);
    }
    assert!(s.wants_config_push);
    assert_eq!(s.applied_config.as_ref().unwrap().interval_frames, Some(15));
    s.handle(NetEvent::Disconnected {
        conn: 1,
        reason: "bye".into(),
    });
    assert!(!s.connected());
    assert_eq!(s.last_disconnect.as_deref(), Some("bye"));
    s.finish_recording();
    assert_eq!(s.recordings_written.len(), 1);
    let summary = Summary::of_file(&s.recordings_written[0]).unwrap();
    assert_eq!(summary.frames, all.len() as u64);
    assert_eq!(summary.map.as_deref(), Some("Map A"));
    assert!(
        s.recordings_written[0]
            .file_name()
            .unwrap()
            .to_string_lossy()
            .ends_with("_Map_A.barlive")
    );
    assert_eq!(s.store.series.len(), 4);
}

#[test]
fn reconnect_continues_file_new_game_starts_another() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session(dir.path(), 10);
    let (hs, rest) = game("Map A", 1.0);
    for ev in events_for(1, &hs, 0) {
        s.handle(ev);
    }
    for ev in events_for(1, &rest[..10], 100) {
        s.handle(ev);
    }
    // Reconnect mid-game: same map, later frame → same file.
    let mut hello2 = hs.clone();
    if let WidgetMessage::Hello(h) = &mut hello2[0] {
        h.game.game_frame = 1000;
    }
    for ev in events_for(2, &hello2, 500) {
        s.handle(ev);
    }
    assert!(s.recordings_written.is_empty(), "still the same file");
    let (hs_b, _) = game("Map B", 1.0);
    for ev in events_for(3, &hs_b, 900) {
        s.handle(ev);
    }
    assert_eq!(
        s.recordings_written.len(),
        1,
        "new game closed the first file"
    );
    let first = Summary::of_file(&s.recordings_written[0]).unwrap();
    assert_eq!(first.connections, 2);
    assert_eq!(first.frames, (2 + 10 + 2) as u64);
}

#[test]
fn a_stale_disconnect_does_not_hide_the_new_connection() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session(dir.path(), 10);
    s.handle(NetEvent::Connected {
        conn: 1,
        peer: "127.0.0.1:1".parse().unwrap(),
    });
    s.handle(NetEvent::Connected {
        conn: 2,
        peer: "127.0.0.1:2".parse().unwrap(),
    });
    s.handle(NetEvent::Disconnected {
        conn: 1,
        reason: "replaced".into(),
    });
    assert!(s.connected());
}

#[test]
fn recording_failure_is_reported_and_live_view_continues() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, "x").unwrap();
    let mut s = session(&blocker, 10);
    let (hs, rest) = game("Map A", 1.0);
    for ev in events_for(1, &hs, 0)
        .into_iter()
        .chain(events_for(1, &rest, 100))
    {
        s.handle(ev);
    }
    assert!(
        s.recording_error
            .as_deref()
            .unwrap()
            .contains("cannot start recording")
    );
    assert!(s.store.updates > 0, "live data still flows");
}

#[test]
fn protocol_errors_are_kept_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session(dir.path(), 10);
    for _ in 0..30 {
        s.handle(NetEvent::ProtocolError {
            conn: 1,
            error: Arc::new(protocol::ProtocolError::Schema("bad".into())),
        });
    }
    assert_eq!(s.protocol_errors_total, 30);
    assert_eq!(s.protocol_errors.len(), MAX_KEPT_ERRORS);
}

#[test]
fn prune_keeps_the_newest() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "2026-01-01_00-00-00_a",
        "2026-01-02_00-00-00_b",
        "2026-01-03_00-00-00_c",
    ] {
        std::fs::write(dir.path().join(format!("{name}.barlive")), "x").unwrap();
    }
    std::fs::write(dir.path().join("notes.txt"), "keep me").unwrap();
    let current = dir.path().join("2026-01-03_00-00-00_c.barlive");
    prune_recordings(dir.path(), 2, &current);
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    assert_eq!(
        left,
        vec![
            "2026-01-02_00-00-00_b.barlive",
            "2026-01-03_00-00-00_c.barlive",
            "notes.txt"
        ]
    );
}
