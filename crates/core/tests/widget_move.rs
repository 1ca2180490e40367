//! The coordinated move end to end on real sockets: a small fake widget (it answers `config` like the
//! real one: ack, bye, connect to the new address; or it goes back to the old one) against the live
//! link. The real widget does the same in `tests/widget_settings.rs` of the app.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use bar_live_core::live::{LinkCommand, LinkConfig, LiveLink, MoveStatus, RecordPolicy, Session};
use bar_live_core::net::NoWake;
use bar_live_core::protocol::{
    self, AppMessage, Bye, ConfigAck, DEFAULT_MAX_FRAME_BYTES, HelloConfig, Level, WidgetConfig,
    WidgetMessage, frame::encode_frame,
};
use bar_live_core::sim::{SimGame, SimOptions};

fn start_link(dir: &std::path::Path) -> LiveLink {
    LiveLink::start(
        LinkConfig {
            listen: "127.0.0.1:0".into(),
            max_frame_bytes: DEFAULT_MAX_FRAME_BYTES,
            record: RecordPolicy {
                enabled: false,
                dir: dir.to_owned(),
                keep_last: 0,
            },
            widget_config: Some(WidgetConfig {
                level: Some(Level::Minimal),
                ..WidgetConfig::default()
            }),
        },
        Arc::new(NoWake),
    )
    .unwrap()
}

fn wait_for(link: &LiveLink, what: &str, mut f: impl FnMut(&Session) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !f(&link.lock()) {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; move: {:?}",
            link.lock().widget.moving.status
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// What the fake widget does when the app moves it.
#[derive(Clone, Copy, PartialEq)]
enum OnMove {
    Follow,
    /// As when the engine refuses the new address: back to the old one (at once, not after 10 s).
    GoBack,
}

fn send(stream: &mut TcpStream, seq: &mut u64, m: &WidgetMessage) {
    *seq += 1;
    let frame = encode_frame(&protocol::encode_widget(m, *seq)).unwrap();
    stream.write_all(&frame).unwrap();
}

/// Connects to `addr` and plays the widget until the app closes the connection; returns the addresses
/// it said hello on.
fn fake_widget(addr: SocketAddr, on_move: OnMove) -> JoinHandle<Vec<SocketAddr>> {
    std::thread::spawn(move || {
        let mut config = WidgetConfig {
            interval_frames: Some(15),
            level: Some(Level::Standard),
            max_units: Some(1000),
            host: Some(addr.ip().to_string()),
            port: Some(addr.port()),
            queue_max_messages: Some(50),
            queue_max_bytes: Some(524_288),
            send_budget_bytes: Some(32_768),
            indicator: Some(true),
            enabled: Some(true),
        };
        let mut hellos = Vec::new();
        'connections: loop {
            let here: SocketAddr = format!(
                "{}:{}",
                config.host.as_deref().unwrap(),
                config.port.unwrap()
            )
            .parse()
            .unwrap();
            let Ok(mut stream) = TcpStream::connect(here) else {
                return hellos;
            };
            hellos.push(here);
            let mut seq = 0;
            let mut hello = SimGame::new(SimOptions::default()).handshake().remove(0);
            if let WidgetMessage::Hello(h) = &mut hello {
                h.config = HelloConfig {
                    interval_frames: config.interval_frames.unwrap(),
                    level: config.level.unwrap(),
                    max_units: config.max_units,
                    host: config.host.clone(),
                    port: config.port,
                    queue_max_messages: config.queue_max_messages,
                    queue_max_bytes: config.queue_max_bytes,
                    send_budget_bytes: config.send_budget_bytes,
                    indicator: config.indicator,
                    enabled: config.enabled,
                };
            }
            send(&mut stream, &mut seq, &hello);
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut buf = Vec::new();
            while let Ok(true) = protocol::read_frame(&mut reader, 1 << 16, &mut buf) {
                let AppMessage::Config(c) = protocol::decode_app(&buf).unwrap() else {
                    continue;
                };
                let before = (config.host.clone(), config.port);
                let merged = |old: Option<u32>, new: Option<u32>| new.or(old);
                config = WidgetConfig {
                    interval_frames: merged(config.interval_frames, c.interval_frames),
                    level: c.level.or(config.level),
                    max_units: merged(config.max_units, c.max_units),
                    host: c.host.or(config.host),
                    port: c.port.or(config.port),
                    ..config
                };
                send(
                    &mut stream,
                    &mut seq,
                    &WidgetMessage::ConfigAck(ConfigAck {
                        config: config.clone(),
                        errors: vec![],
                    }),
                );
                if (config.host.clone(), config.port) != before {
                    send(
                        &mut stream,
                        &mut seq,
                        &WidgetMessage::Bye(Bye {
                            reason: "moving".into(),
                        }),
                    );
                    let _ = stream.shutdown(std::net::Shutdown::Both);
                    if on_move == OnMove::GoBack {
                        (config.host, config.port) = before;
                    }
                    continue 'connections;
                }
            }
            return hellos;
        }
    })
}

/// Waits until nothing accepts on `addr` any more (a listener winds down on its own thread).
fn wait_closed(addr: impl std::net::ToSocketAddrs + Copy, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while TcpStream::connect(addr).is_ok() {
        assert!(Instant::now() < deadline, "{what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn failure(link: &LiveLink) -> String {
    match &link.lock().widget.moving.status {
        MoveStatus::Failed { reason, .. } => reason.clone(),
        other => panic!("not failed: {other:?}"),
    }
}

#[test]
fn a_connected_widget_moves_with_the_app_and_the_old_listener_closes() {
    let dir = tempfile::tempdir().unwrap();
    let mut link = start_link(dir.path());
    let old = link.local_addr().unwrap();
    let widget = fake_widget(old, OnMove::Follow);
    wait_for(&link, "the widget", |s| {
        s.connected() && s.widget.applied.as_ref().and_then(|a| a.level) == Some(Level::Minimal)
    });
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    link.command(LinkCommand::MoveWidget {
        listen: listen.clone(),
        host: "127.0.0.1".into(),
    })
    .unwrap();
    wait_for(&link, "the move", |s| {
        matches!(s.widget.moving.status, MoveStatus::Moved { .. })
    });
    assert_eq!(link.local_addr().unwrap().port(), port);
    wait_for(&link, "the settings pushed on the new connection", |s| {
        s.connected()
            && s.widget.applied.as_ref().and_then(|a| a.port) == Some(port)
            && s.widget.applied.as_ref().and_then(|a| a.level) == Some(Level::Minimal)
    });
    assert_eq!(
        link.lock().link.listen_addr.as_deref(),
        Some(listen.as_str())
    );
    wait_closed(old, "the old listener still accepts");
    link.shutdown();
    let hellos = widget.join().unwrap();
    assert_eq!(hellos, [old, listen.parse().unwrap()]);
}

#[test]
fn a_widget_that_goes_back_fails_the_move_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let mut link = start_link(dir.path());
    let old = link.local_addr().unwrap();
    let widget = fake_widget(old, OnMove::GoBack);
    wait_for(&link, "the widget", Session::connected);
    let port = free_port();
    link.command(LinkCommand::MoveWidget {
        listen: format!("127.0.0.1:{port}"),
        host: "127.0.0.1".into(),
    })
    .unwrap();
    wait_for(&link, "the failure", |s| {
        matches!(s.widget.moving.status, MoveStatus::Failed { .. })
    });
    let reason = failure(&link);
    assert!(
        reason.contains("went back") && reason.contains("TCPAllowConnect"),
        "{reason}"
    );
    assert_eq!(link.local_addr(), Some(old));
    wait_for(
        &link,
        "the widget back on the old listener",
        Session::connected,
    );
    wait_closed(("127.0.0.1", port), "the move's listener still accepts");
    link.shutdown();
    assert_eq!(widget.join().unwrap(), [old, old]);
}

#[test]
fn an_address_that_cannot_be_bound_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut link = start_link(dir.path());
    let old = link.local_addr().unwrap();
    let widget = fake_widget(old, OnMove::Follow);
    wait_for(&link, "the widget", Session::connected);
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let taken_addr = taken.local_addr().unwrap().to_string();
    link.command(LinkCommand::MoveWidget {
        listen: taken_addr.clone(),
        host: "127.0.0.1".into(),
    })
    .unwrap();
    wait_for(&link, "the failure", |s| {
        matches!(s.widget.moving.status, MoveStatus::Failed { .. })
    });
    let reason = failure(&link);
    assert!(
        reason.contains(&format!("cannot listen on {taken_addr}")),
        "{reason}"
    );
    std::thread::sleep(Duration::from_millis(100));
    {
        let s = link.lock();
        assert!(s.connected(), "the widget stays: {:?}", s.link.state);
        assert_eq!(
            s.link.listen_addr.as_deref(),
            Some(old.to_string().as_str())
        );
    }
    assert_eq!(link.local_addr(), Some(old));
    link.shutdown();
    assert_eq!(widget.join().unwrap(), [old]);
}

#[test]
fn without_a_widget_the_new_listener_replaces_the_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut link = start_link(dir.path());
    let port = free_port();
    link.command(LinkCommand::MoveWidget {
        listen: format!("127.0.0.1:{port}"),
        host: "127.0.0.1".into(),
    })
    .unwrap();
    wait_for(&link, "the relisten", |s| {
        matches!(s.widget.moving.status, MoveStatus::Relistened { .. })
    });
    assert_eq!(link.local_addr().unwrap().port(), port);
    let widget = fake_widget(link.local_addr().unwrap(), OnMove::Follow);
    wait_for(&link, "a widget on the new port", Session::connected);
    link.shutdown();
    assert_eq!(widget.join().unwrap().len(), 1);
}
