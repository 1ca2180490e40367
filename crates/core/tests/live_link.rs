//! The live link end to end: a simulated widget streams to it; the session fills, the settings reach
//! the widget, and the recording written on the recorder thread holds every frame.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use bar_live_core::live::{LinkCommand, LinkConfig, LinkState, LiveLink, RecordPolicy};
use bar_live_core::net::NoWake;
use bar_live_core::protocol::{Level, WidgetConfig};
use bar_live_core::recording::Summary;
use bar_live_core::sim::{self, SimGame, SimOptions, Speed};

fn start(dir: &std::path::Path, config: Option<WidgetConfig>) -> LiveLink {
    LiveLink::start(
        LinkConfig {
            listen: "127.0.0.1:0".into(),
            max_frame_bytes: bar_live_core::protocol::DEFAULT_MAX_FRAME_BYTES,
            record: RecordPolicy {
                enabled: true,
                dir: dir.to_owned(),
                keep_last: 0,
            },
            widget_config: config,
        },
        Arc::new(NoWake),
    )
    .unwrap()
}

fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_simulated_game_fills_the_session_and_the_recording() {
    let dir = tempfile::tempdir().unwrap();
    let wanted = WidgetConfig {
        level: Some(Level::Detailed),
        ..WidgetConfig::default()
    };
    let mut link = start(dir.path(), Some(wanted));
    let addr = link.local_addr().unwrap().to_string();
    assert!(matches!(
        link.lock().link.state,
        LinkState::Listening { .. }
    ));
    let game = SimGame::new(SimOptions {
        teams: 3,
        minutes: 2.0,
        ..SimOptions::default()
    });
    let report = sim::run(&addr, game, Speed::Max, Arc::new(AtomicBool::new(false))).unwrap();
    assert!(
        report.configs_applied >= 1,
        "the wanted settings reached the widget"
    );
    wait_for("the whole game", || {
        link.lock().link.messages == report.messages
    });
    {
        let s = link.lock();
        assert_eq!(s.store.series.len(), 3);
        assert_eq!(
            s.widget.applied.as_ref().unwrap().level,
            Some(Level::Detailed)
        );
        assert_eq!(s.timeline.len() as u64, s.store.updates);
    }
    link.shutdown();
    let s = link.lock();
    assert_eq!(s.recording.written.len(), 1, "{:?}", s.recording.error);
    let summary = Summary::of_file(&s.recording.written[0]).unwrap();
    assert_eq!(summary.frames, report.messages);
    assert_eq!(
        summary.map.as_deref(),
        Some(SimOptions::default().map_name.as_str())
    );
}

#[test]
fn commands_reach_the_link_thread_and_relisten_moves_the_listener() {
    let dir = tempfile::tempdir().unwrap();
    let mut link = start(dir.path(), None);
    let first = link.local_addr().unwrap();
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let next = free.local_addr().unwrap();
    drop(free);
    link.command(LinkCommand::Listen(next.to_string())).unwrap();
    wait_for("the new listener", || link.local_addr() == Some(next));
    assert_ne!(first, next);
    assert!(std::net::TcpStream::connect(next).is_ok());
    link.command(LinkCommand::SetRecordPolicy(RecordPolicy {
        enabled: false,
        dir: dir.path().to_owned(),
        keep_last: 0,
    }))
    .unwrap();
    wait_for("the policy", || !link.lock().recording.policy.enabled);
    link.shutdown();
    assert!(
        link.command(LinkCommand::Listen("127.0.0.1:0".into()))
            .is_err()
    );
}

#[test]
fn the_demo_replay_feeds_the_link_like_a_widget() {
    let dir = tempfile::tempdir().unwrap();
    let mut link = start(dir.path(), None);
    let addr = link.local_addr().unwrap().to_string();
    let mut demo = bar_live_core::live::feed::DemoReplay::start(addr).unwrap();
    wait_for("the demo's updates", || link.lock().store.updates >= 3);
    assert!(demo.running());
    let want = bar_live_core::review::Review::demo().unwrap();
    {
        let s = link.lock();
        assert_eq!(
            s.store.hello.as_ref().map(|h| &h.game.map_name),
            want.store.hello.as_ref().map(|h| &h.game.map_name)
        );
        assert!(
            s.connected(),
            "{:?} {:?} {:?}",
            s.link.state,
            s.link.last_disconnect,
            s.link.errors
        );
        // At game speed: three updates in (the demo sends one every 15 frames), not the whole game
        // at the speed it was recorded (25 game minutes in 80 ms) over and over.
        assert!(
            s.store.last_game_seconds < 60.0,
            "{}",
            s.store.last_game_seconds
        );
    }
    demo.stop();
    assert!(!demo.running());
    link.shutdown();
}
