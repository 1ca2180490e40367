//! Loopback tests over real TCP sockets: the `net::Server` listener (replacement, protocol errors, sends,
//! shutdown), `check` against the simulator and against hostile peers, and `record` → `info` → `replay`
//! → `record` round trips including multi-connection and truncated recordings.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use bar_live_core::cli::{check, record, replay};
use bar_live_core::net::{NetEvent, NoWake, SendError, Server, ServerConfig};
use bar_live_core::protocol::frame::encode_frame;
use bar_live_core::protocol::*;
use bar_live_core::recording::{Record, Recorder, RecordingReader, Summary};
use bar_live_core::sim::{self, SimGame, SimOptions, Speed};
use crossbeam_channel::{Receiver, bounded};

const WAIT: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A port that was free a moment ago (for commands that bind their own listener).
fn free_addr() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().to_string()
}

/// Connects, retrying while the listener starts.
fn connect(addr: &str) -> TcpStream {
    let deadline = Instant::now() + WAIT;
    loop {
        match TcpStream::connect(addr) {
            Ok(s) => return s,
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("cannot connect to {addr}: {e}"),
        }
    }
}

/// Sends raw bytes, closes our write side, then waits for the peer to close (so connections are served
/// strictly one after the other).
fn send_and_wait_close(addr: &str, bytes: &[u8]) {
    let mut s = connect(addr);
    // The peer may close early (a framing error), cutting our write short; that is fine.
    let _ = s.write_all(bytes);
    let _ = s.shutdown(Shutdown::Write);
    s.set_read_timeout(Some(WAIT)).unwrap();
    let mut sink = [0u8; 4096];
    loop {
        match s.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
}

fn small_game(teams: u32, seed: u64) -> SimGame {
    SimGame::new(SimOptions {
        teams,
        minutes: 1.5,
        seed,
        ..SimOptions::default()
    })
}

fn simulate(addr: &str, game: SimGame) -> sim::SimReport {
    sim::run(addr, game, Speed::Max, Arc::new(AtomicBool::new(false))).unwrap()
}

/// Every message the simulated game sends (without pongs or config acks), encoded as the client does.
fn expected_payloads(game: SimGame) -> Vec<Vec<u8>> {
    let mut msgs = game.play_out();
    msgs.push(WidgetMessage::Bye(Bye {
        reason: "game over".into(),
    }));
    msgs.iter()
        .enumerate()
        .map(|(i, m)| encode_widget(m, i as u64 + 1))
        .collect()
}

fn start_server(max_frame_bytes: u32) -> (Server, Receiver<NetEvent>, String) {
    let (tx, rx) = bounded(4096);
    let server = Server::start(
        ServerConfig::new("127.0.0.1:0", max_frame_bytes),
        tx,
        Arc::new(NoWake),
    )
    .unwrap();
    let addr = server.local_addr().unwrap().to_string();
    match rx.recv_timeout(WAIT).unwrap() {
        NetEvent::Listening { addr: a } => assert_eq!(a.to_string(), addr),
        other => panic!("expected Listening, got {other:?}"),
    }
    (server, rx, addr)
}

fn next_event(rx: &Receiver<NetEvent>) -> NetEvent {
    rx.recv_timeout(WAIT).expect("no event within 10 s")
}

fn frame_of(msg: &WidgetMessage, seq: u64) -> Vec<u8> {
    encode_frame(&encode_widget(msg, seq)).unwrap()
}

fn bye(seq: u64) -> Vec<u8> {
    frame_of(
        &WidgetMessage::Bye(Bye {
            reason: "test".into(),
        }),
        seq,
    )
}

fn records(path: &Path) -> (Vec<Record>, bool) {
    let mut r = RecordingReader::open(path).unwrap();
    let all: Vec<Record> = r.by_ref().map(Result::unwrap).collect();
    (all, r.truncated())
}

// ---------------------------------------------------------------------------------------------
// net::Server
// ---------------------------------------------------------------------------------------------

#[test]
fn server_delivers_messages_with_their_raw_payload() {
    let (_server, rx, addr) = start_server(DEFAULT_MAX_FRAME_BYTES);
    let mut c = connect(&addr);
    let payload = encode_widget(&WidgetMessage::Pong(Pong { id: 5 }), 1);
    c.write_all(&encode_frame(&payload).unwrap()).unwrap();
    assert!(matches!(
        next_event(&rx),
        NetEvent::Connected { conn: 1, .. }
    ));
    match next_event(&rx) {
        NetEvent::Message {
            conn,
            payload: p,
            message,
            received_unix_ms,
        } => {
            assert_eq!(conn, 1);
            assert_eq!(&p[..], &payload[..], "payload kept verbatim for recordings");
            assert_eq!(message.seq, Some(1));
            assert_eq!(message.body, WidgetMessage::Pong(Pong { id: 5 }));
            assert!(received_unix_ms > 1_600_000_000_000);
        }
        other => panic!("expected a message, got {other:?}"),
    }
    c.shutdown(Shutdown::Write).unwrap();
    assert!(matches!(
        next_event(&rx),
        NetEvent::Disconnected { conn: 1, .. }
    ));
}

#[test]
fn a_new_connection_replaces_the_current_one() {
    let (server, rx, addr) = start_server(DEFAULT_MAX_FRAME_BYTES);
    let mut a = connect(&addr);
    a.write_all(&bye(1)).unwrap();
    assert!(matches!(
        next_event(&rx),
        NetEvent::Connected { conn: 1, .. }
    ));
    assert!(matches!(next_event(&rx), NetEvent::Message { conn: 1, .. }));
    assert_eq!(server.current_conn(), Some(1));

    let mut b = connect(&addr);
    assert!(matches!(
        next_event(&rx),
        NetEvent::Connected { conn: 2, .. }
    ));
    // The old connection is closed by the server: its reader ends and the old peer sees EOF.
    match next_event(&rx) {
        NetEvent::Disconnected { conn: 1, .. } => {}
        other => panic!("expected connection 1 to be dropped, got {other:?}"),
    }
    a.set_read_timeout(Some(WAIT)).unwrap();
    let mut byte = [0u8; 1];
    assert!(
        matches!(a.read(&mut byte), Ok(0) | Err(_)),
        "old peer still open"
    );
    assert_eq!(server.current_conn(), Some(2));
    // The new connection is served.
    b.write_all(&bye(1)).unwrap();
    assert!(matches!(next_event(&rx), NetEvent::Message { conn: 2, .. }));
    // Sends go to the new connection.
    assert_eq!(server.send(&AppMessage::Ping { id: 1 }).unwrap(), 2);
}

/// One hostile connection per protocol error kind: each is reported with its kind, dropped, and the
/// listener serves the next connection.
#[test]
fn protocol_errors_drop_the_connection_and_the_listener_keeps_serving() {
    let cap = 1024u32;
    let (server, rx, addr) = start_server(cap);
    let mut truncated = 100u32.to_be_bytes().to_vec();
    truncated.extend_from_slice(b"{\"type\":");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("oversize", (cap + 1).to_be_bytes().to_vec()),
        ("oversize", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec()),
        ("zero_length", vec![0, 0, 0, 0]),
        ("truncated", truncated),
        ("utf8", encode_frame(b"{\"type\":\"\xff\"}").unwrap()),
        ("json", encode_frame(b"{\"type\":\"bye\",").unwrap()),
        (
            "schema",
            encode_frame(br#"{"type":"pong","schema_version":1,"seq":1,"id":"x"}"#).unwrap(),
        ),
        (
            "unsupported_version",
            encode_frame(br#"{"type":"bye","schema_version":9,"seq":1,"reason":""}"#).unwrap(),
        ),
    ];
    for (i, (kind, bytes)) in cases.iter().enumerate() {
        let conn = i as u64 + 1;
        // A good frame first, so we also see that errors do not depend on the connection's start.
        let mut stream = bye(1);
        stream.extend_from_slice(bytes);
        send_and_wait_close(&addr, &stream);
        assert!(matches!(next_event(&rx), NetEvent::Connected { conn: c, .. } if c == conn));
        assert!(matches!(next_event(&rx), NetEvent::Message { conn: c, .. } if c == conn));
        match next_event(&rx) {
            NetEvent::ProtocolError { conn: c, error } => {
                assert_eq!(c, conn);
                assert_eq!(error.kind(), *kind, "case {i}: {error}");
            }
            other => panic!("case {i} ({kind}): expected a protocol error, got {other:?}"),
        }
        match next_event(&rx) {
            NetEvent::Disconnected { conn: c, reason } => {
                assert_eq!(c, conn);
                assert!(reason.contains("protocol error"), "{reason}");
            }
            other => panic!("case {i}: expected disconnect, got {other:?}"),
        }
    }
    // Still serving.
    let mut good = connect(&addr);
    good.write_all(&bye(1)).unwrap();
    assert!(matches!(next_event(&rx), NetEvent::Connected { .. }));
    assert!(matches!(next_event(&rx), NetEvent::Message { .. }));
    assert!(server.current_conn().is_some());
}

#[test]
fn send_reaches_the_peer_as_one_frame() {
    let (server, rx, addr) = start_server(DEFAULT_MAX_FRAME_BYTES);
    assert!(matches!(
        server.send(&AppMessage::Ping { id: 1 }),
        Err(SendError::NotConnected)
    ));
    let mut peer = connect(&addr);
    assert!(matches!(next_event(&rx), NetEvent::Connected { .. }));
    let config = AppMessage::Config(WidgetConfig {
        interval_frames: Some(30),
        level: Some(Level::Detailed),
        ..WidgetConfig::default()
    });
    server.send(&AppMessage::Ping { id: 42 }).unwrap();
    server.send(&config).unwrap();
    peer.set_read_timeout(Some(WAIT)).unwrap();
    let mut buf = Vec::new();
    assert!(read_frame(&mut peer, DEFAULT_MAX_FRAME_BYTES, &mut buf).unwrap());
    assert_eq!(decode_app(&buf).unwrap(), AppMessage::Ping { id: 42 });
    assert!(read_frame(&mut peer, DEFAULT_MAX_FRAME_BYTES, &mut buf).unwrap());
    assert_eq!(decode_app(&buf).unwrap(), config);
}

#[test]
fn shutdown_is_prompt_and_joins_with_a_silent_peer_connected() {
    let (server, rx, addr) = start_server(DEFAULT_MAX_FRAME_BYTES);
    // A peer that sent half a frame and then nothing: its reader is blocked in read().
    let mut peer = connect(&addr);
    peer.write_all(&[0, 0, 1, 0, b'{']).unwrap();
    assert!(matches!(next_event(&rx), NetEvent::Connected { .. }));
    let t = Instant::now();
    server.shutdown();
    let took = t.elapsed();
    assert!(took < Duration::from_secs(1), "shutdown took {took:?}");
    // The reader ended (joined) and said why; no protocol error is blamed on the peer.
    let mut saw_disconnect = false;
    while let Ok(ev) = rx.try_recv() {
        match ev {
            NetEvent::Disconnected { reason, .. } => {
                saw_disconnect = true;
                assert!(reason.contains("shutting down"), "{reason}");
            }
            NetEvent::ProtocolError { error, .. } => panic!("shutdown blamed the peer: {error}"),
            _ => {}
        }
    }
    assert!(
        saw_disconnect,
        "reader thread not joined before shutdown returned"
    );
    // The listener is gone.
    assert!(
        TcpStream::connect(&addr).is_err(),
        "still accepting after shutdown"
    );
    // Shutting down twice (and dropping) is harmless.
    server.shutdown();
}

#[test]
fn listen_failure_is_an_error_and_an_event() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (tx, rx) = bounded(4);
    let r = Server::start(
        ServerConfig::new(addr.clone(), DEFAULT_MAX_FRAME_BYTES),
        tx,
        Arc::new(NoWake),
    );
    assert!(r.is_err());
    assert!(matches!(rx.try_recv(), Ok(NetEvent::ListenFailed { addr: a, .. }) if a == addr));
}

// ---------------------------------------------------------------------------------------------
// check
// ---------------------------------------------------------------------------------------------

fn check_opts(listen: &str, connections: u64) -> check::CheckOptions {
    check::CheckOptions {
        listen: listen.into(),
        connections: Some(connections),
        duration: Some(Duration::from_secs(60)),
        max_frame_bytes: 64 * 1024,
    }
}

#[test]
fn simulate_to_check_is_clean() {
    let addr = free_addr();
    let opts = check_opts(&addr, 1);
    let checker = std::thread::spawn(move || check::run(&opts).unwrap());
    let game = small_game(4, 7);
    let expected = expected_payloads(small_game(4, 7));
    let sim = simulate(&addr, game);
    let report = checker.join().unwrap();
    assert!(report.clean(), "{}", report.human());
    assert_eq!(report.connections, 1);
    assert_eq!(report.hellos, 1);
    assert_eq!(report.seq_gaps, 0);
    assert_eq!(report.pings_sent, 1);
    assert_eq!(report.pongs, 1, "{}", report.human());
    assert_eq!(sim.pings_answered, 1);
    assert_eq!(report.frames, sim.messages);
    assert_eq!(report.valid, sim.messages);
    assert_eq!(report.bytes, sim.bytes);
    // 1.5 game minutes at 2 updates per second.
    assert_eq!(report.by_type["update"], 180);
    assert_eq!(report.frames, expected.len() as u64 + 1, "+1 pong");
    assert!(report.unknown_types.is_empty());
}

#[test]
fn check_reports_each_hostile_connection_and_serves_the_next() {
    let addr = free_addr();
    let opts = check_opts(&addr, 9);
    let checker = std::thread::spawn(move || check::run(&opts).unwrap());
    let mut truncated = 500u32.to_be_bytes().to_vec();
    truncated.extend_from_slice(br#"{"type":"hello","#);
    let hostile: Vec<(&str, Vec<u8>)> = vec![
        ("oversize", (64 * 1024 + 1u32).to_be_bytes().to_vec()),
        ("zero_length", vec![0, 0, 0, 0]),
        ("truncated", truncated),
        (
            "oversize",
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage".to_vec(),
        ),
        ("utf8", encode_frame(b"{\"text\":\"\xc3\x28\"}").unwrap()),
        (
            "json",
            encode_frame(b"{\"type\":\"hello\" \"seq\":1}").unwrap(),
        ),
        (
            "schema",
            encode_frame(br#"{"type":"update","schema_version":1,"seq":1,"game_frame":-1}"#)
                .unwrap(),
        ),
        (
            "unsupported_version",
            encode_frame(br#"{"type":"bye","schema_version":2,"seq":1,"reason":"x"}"#).unwrap(),
        ),
    ];
    for (_, bytes) in &hostile {
        send_and_wait_close(&addr, bytes);
    }
    let sim = simulate(&addr, small_game(2, 3));
    let report = checker.join().unwrap();
    assert_eq!(report.connections, 9);
    let got: Vec<(u64, &str)> = report
        .errors
        .iter()
        .map(|e| (e.connection, e.kind.as_str()))
        .collect();
    let want: Vec<(u64, &str)> = hostile
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (i as u64 + 1, *k))
        .collect();
    assert_eq!(got, want, "{}", report.human());
    assert_eq!(report.errors_total, 8);
    assert_eq!(report.invalid, 8);
    assert!(!report.clean());
    // The good connection after them was served in full.
    assert_eq!(report.valid, sim.messages);
    assert_eq!(report.hellos, 1);
    assert_eq!(report.pongs, 1);
    // The human report names every problem.
    let human = report.human();
    assert!(human.contains("PROBLEMS FOUND"));
    assert!(human.contains("[unsupported_version]"), "{human}");
}

#[test]
fn check_reports_stream_rule_violations() {
    let addr = free_addr();
    let checker = {
        let opts = check_opts(&addr, 1);
        std::thread::spawn(move || check::run(&opts).unwrap())
    };
    let mut game = small_game(2, 1);
    let mut hs = game.handshake();
    let defs = hs.pop().unwrap();
    let step = game.step();
    let mut stream = Vec::new();
    // Update before hello and before the defs, then a seq gap of 5, then a seq going backwards.
    let mut seq = 0;
    for m in step.iter().chain(hs.iter()) {
        seq += 1;
        stream.extend(frame_of(m, seq));
    }
    stream.extend(frame_of(&defs, seq + 6));
    stream.extend(frame_of(&defs, 2));
    send_and_wait_close(&addr, &stream);
    let report = checker.join().unwrap();
    let kinds: Vec<&str> = report.errors.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds.first(), Some(&"order"), "{}", report.human());
    assert!(kinds.contains(&"unknown_def"), "{}", report.human());
    assert!(kinds.contains(&"seq"), "{}", report.human());
    assert_eq!(report.seq_gaps, 1);
    assert_eq!(report.seq_missing, 5);
    assert_eq!(report.invalid, 0, "stream rules do not make frames invalid");
}

// ---------------------------------------------------------------------------------------------
// record → info → replay → record
// ---------------------------------------------------------------------------------------------

fn record_opts(listen: &str, out: &Path, connections: u64) -> record::RecordOptions {
    record::RecordOptions {
        listen: listen.into(),
        out: out.to_owned(),
        connections: Some(connections),
        duration: Some(Duration::from_secs(60)),
        max_frame_bytes: DEFAULT_MAX_FRAME_BYTES,
    }
}

#[test]
fn record_info_replay_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.barlive");
    let second = dir.path().join("second.barlive");

    // 1. Record a simulated game.
    let addr = free_addr();
    let opts = record_opts(&addr, &first, 1);
    let recorder = std::thread::spawn(move || record::run(&opts).unwrap());
    let sim = simulate(&addr, small_game(3, 11));
    let rep = recorder.join().unwrap();
    assert_eq!(rep.frames, sim.messages);
    assert_eq!(rep.protocol_errors, 0);

    // 2. The file holds exactly what the simulator sent, in order.
    let (recs, truncated) = records(&first);
    assert!(!truncated);
    let expected = expected_payloads(small_game(3, 11));
    assert_eq!(recs.len(), expected.len());
    for (r, e) in recs.iter().zip(&expected) {
        assert_eq!(r.conn, 1);
        assert!(r.payload == *e, "frame differs from what was sent");
    }
    assert!(recs.windows(2).all(|w| w[0].t_ms <= w[1].t_ms));

    // 3. info.
    let s = Summary::of_file(&first).unwrap();
    assert_eq!(s.frames, expected.len() as u64);
    assert_eq!(s.connections, 1);
    assert_eq!(s.invalid, 0);
    assert_eq!(s.by_type["hello"], 1);
    assert_eq!(s.by_type["update"], 180);
    assert_eq!(s.teams.len(), 3);
    assert_eq!(s.first_game_frame, Some(15));
    assert_eq!(s.last_game_frame, Some(2700));
    assert!((s.game_seconds - 89.5).abs() < 1e-9, "{}", s.game_seconds);
    assert!(!s.truncated);
    assert_eq!(s.map.as_deref(), Some("Supreme Isthmus v2.1 (simulated)"));

    // 4. Replay it into a second recorder: the frames come back byte for byte.
    let (rr, rep2, frames2) = replay_into_record(&first, &second, 1);
    assert_eq!(rr.frames, recs.len() as u64);
    assert_eq!(rr.connections, 1);
    assert!(!rr.truncated);
    assert_eq!(rep2.frames, recs.len() as u64);
    assert!(conn_and_payload(recs) == frames2, "replayed frames differ");
}

type Frames = Vec<(u64, Vec<u8>)>;

fn conn_and_payload(recs: Vec<Record>) -> Frames {
    recs.into_iter().map(|r| (r.conn, r.payload)).collect()
}

/// Replays `src` into a fresh `record` listener writing `out`; returns both reports and what was recorded.
///
/// `replay` does not retry its connect, so a probe connection waits for the listener first; it is the
/// recording's connection 1 and is left out of the returned frames (connection numbers shifted back).
fn replay_into_record(
    src: &Path,
    out: &Path,
    connections: u64,
) -> (replay::ReplayReport, record::RecordReport, Frames) {
    let addr = free_addr();
    let opts = record_opts(&addr, out, connections + 1);
    let recorder = std::thread::spawn(move || record::run(&opts).unwrap());
    drop(connect(&addr));
    let rr = replay::run(src, &addr, Speed::Max).unwrap();
    let rep = recorder.join().unwrap();
    let (recs, truncated) = records(out);
    assert!(!truncated);
    let frames = recs.into_iter().map(|r| (r.conn - 1, r.payload)).collect();
    (rr, rep, frames)
}

/// A recording with several connections replays as several connections, and every frame of each reaches
/// the listener even though a new connection replaces the previous one there.
#[test]
fn multi_connection_recording_replays_every_frame() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("multi.barlive");
    let mut rec = Recorder::create(&src, 1_000, "test").unwrap();
    let mut t = 1_000;
    for conn in 1..=3u64 {
        for (i, p) in expected_payloads(small_game(2, conn)).iter().enumerate() {
            if i < 60 {
                t += 5;
                rec.append(conn, t, p).unwrap();
            }
        }
    }
    rec.finish().unwrap();
    let (want, _) = records(&src);
    assert_eq!(want.len(), 180);

    let out = dir.path().join("out.barlive");
    let (rr, rep, got) = replay_into_record(&src, &out, 3);
    assert_eq!(rr.connections, 3);
    assert_eq!(
        rep.frames, 180,
        "frames lost when a connection was replaced"
    );
    assert!(got == conn_and_payload(want), "replayed frames differ");
}

#[test]
fn truncated_recording_loads_up_to_the_cut() {
    // Format v1, whose record layout this test cuts into (v2's blocks: tests/recording_v2.rs).
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full.barlive");
    let mut rec = Recorder::create_with_version(&full, 5_000, "test", 1).unwrap();
    let payloads = expected_payloads(small_game(2, 5));
    for (i, p) in payloads.iter().enumerate() {
        rec.append(1, 5_000 + i as u64 * 500, p).unwrap();
    }
    rec.finish().unwrap();
    let bytes = std::fs::read(&full).unwrap();
    let header_len = bytes.len() - payloads.iter().map(|p| 12 + 4 + p.len()).sum::<usize>();
    // Record boundaries, to cut inside record k (in its time, connection, length or payload).
    let mut ends = vec![header_len];
    for p in &payloads {
        ends.push(ends.last().unwrap() + 12 + 4 + p.len());
    }
    let k = payloads.len() / 2;
    for offset in [1, 8, 13, 16 + payloads[k].len() / 2] {
        let cut = ends[k] + offset;
        let path = dir.path().join(format!("cut{offset}.barlive"));
        std::fs::write(&path, &bytes[..cut]).unwrap();
        let s = Summary::of_file(&path).unwrap();
        assert!(s.truncated, "cut at +{offset}");
        assert_eq!(s.frames, k as u64, "cut at +{offset}");
        assert_eq!(s.file_bytes, cut as u64);
        assert!(s.corrupt.is_none());
        assert!(bar_live_core::cli::info::human(&s).contains("cut short"));
        let (recs, truncated) = records(&path);
        assert!(truncated);
        assert_eq!(recs.len(), k);
        assert!(recs.iter().zip(&payloads).all(|(r, p)| r.payload == *p));
    }
    // Cut exactly on a record boundary: complete, not truncated.
    let path = dir.path().join("boundary.barlive");
    std::fs::write(&path, &bytes[..ends[k]]).unwrap();
    let s = Summary::of_file(&path).unwrap();
    assert!(!s.truncated);
    assert_eq!(s.frames, k as u64);

    // A truncated file replays up to the cut and says so.
    let cut_path = dir.path().join("cut1.barlive");
    let (rr, rep, got) = replay_into_record(&cut_path, &dir.path().join("replayed.barlive"), 1);
    assert!(rr.truncated);
    assert_eq!(rr.frames, k as u64);
    assert_eq!(rep.frames, k as u64);
    assert_eq!(got.len(), k);
}

#[test]
fn a_damaged_record_length_stops_reading_and_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.barlive");
    // Format v1, whose record layout this test overwrites (v2: tests/recording_v2.rs).
    let mut rec = Recorder::create_with_version(&path, 0, "test", 1).unwrap();
    let payloads = expected_payloads(small_game(2, 2));
    for p in payloads.iter().take(5) {
        rec.append(1, 10, p).unwrap();
    }
    rec.finish().unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    let records: usize = payloads.iter().take(5).map(|p| 12 + 4 + p.len()).sum();
    let first3: usize = payloads.iter().take(3).map(|p| 12 + 4 + p.len()).sum();
    // Overwrite the 4th record's length with 0.
    let pos = bytes.len() - records + first3 + 12;
    bytes[pos..pos + 4].copy_from_slice(&[0, 0, 0, 0]);
    std::fs::write(&path, &bytes).unwrap();
    let s = Summary::of_file(&path).unwrap();
    assert_eq!(s.frames, 3);
    assert!(s.corrupt.is_some());
    assert!(!s.truncated);
}
