//! Quick fault tests (a few seconds in all): a slow-drip peer cannot keep the widget out, 100 rapid
//! connect/disconnects leave the listener serving, and `kill -9` of the recorder leaves a file that
//! loads up to the last second. The heavy runs (soak, disk full on tmpfs, GUI) are `scripts/soak.sh`
//! and `scripts/faults.sh`; see docs/RELIABILITY.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use bar_live_core::net::{NetEvent, NoWake, Server, ServerConfig};
use bar_live_core::protocol::frame::encode_frame;
use bar_live_core::protocol::*;
use bar_live_core::recording::RecordingReader;
use bar_live_core::sim::{self, SimGame, SimOptions, Speed};
use crossbeam_channel::{Receiver, bounded};

const WAIT: Duration = Duration::from_secs(10);

fn start_server() -> (Server, Receiver<NetEvent>, String) {
    let (tx, rx) = bounded(4096);
    let server = Server::start(
        ServerConfig::new("127.0.0.1:0", DEFAULT_MAX_FRAME_BYTES),
        tx,
        Arc::new(NoWake),
    )
    .unwrap();
    let addr = server.local_addr().unwrap().to_string();
    (server, rx, addr)
}

fn game(seed: u64) -> SimGame {
    SimGame::new(SimOptions {
        teams: 4,
        minutes: 2.0,
        seed,
        ..SimOptions::default()
    })
}

/// Every message the simulated game sends (handshake, updates, bye), as the client numbers them.
fn expected_count(mut game: SimGame) -> u64 {
    let mut n = game.handshake().len() as u64;
    while !game.finished() {
        n += game.step().len() as u64;
    }
    n + 1
}

/// Counts the messages of the connection(s) picked by `conn_of_interest` until it disconnects.
fn serve_until_closed(rx: &Receiver<NetEvent>, conn_of_interest: impl Fn(u64) -> bool) -> u64 {
    let mut messages = 0;
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        match rx.recv_timeout(WAIT).expect("an event within 10 s") {
            NetEvent::Message { conn, .. } if conn_of_interest(conn) => messages += 1,
            NetEvent::Disconnected { conn, .. } if conn_of_interest(conn) => return messages,
            _ => {}
        }
    }
    panic!("the connection did not close within 60 s");
}

#[test]
fn a_slow_drip_peer_does_not_keep_the_widget_out() {
    let (_server, rx, addr) = start_server();
    // The drip: a valid frame prefix, then one byte at a time (10/s here; 1/s changes nothing but
    // the test's length), for as long as the socket lets it.
    let stop = Arc::new(AtomicBool::new(false));
    let stop2 = Arc::clone(&stop);
    let drip_addr = addr.clone();
    let drip = std::thread::spawn(move || {
        let mut s = TcpStream::connect(&drip_addr).unwrap();
        let frame = encode_frame(br#"{"type":"hello","schema_version":1,"seq":1}"#).unwrap();
        let mut sent = 0;
        for b in frame.iter().cycle() {
            if stop2.load(Ordering::SeqCst) || s.write_all(&[*b]).is_err() {
                break;
            }
            sent += 1;
            std::thread::sleep(Duration::from_millis(100));
        }
        sent
    });
    // The drip is being served (connection 1) before the widget arrives.
    match rx.recv_timeout(WAIT).unwrap() {
        NetEvent::Listening { .. } => {}
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        rx.recv_timeout(WAIT).unwrap(),
        NetEvent::Connected { conn: 1, .. }
    ));
    std::thread::sleep(Duration::from_millis(500));
    let g = game(7);
    let want = expected_count(game(7));
    let sim_addr = addr.clone();
    let widget = std::thread::spawn(move || {
        sim::run(&sim_addr, g, Speed::Max, Arc::new(AtomicBool::new(false))).unwrap()
    });
    let got = serve_until_closed(&rx, |c| c == 2);
    let report = widget.join().unwrap();
    stop.store(true, Ordering::SeqCst);
    let dripped = drip.join().unwrap();
    assert_eq!(got, want, "every widget message reached the app");
    assert_eq!(report.messages, want);
    assert!(
        dripped >= 3,
        "the drip was really connected ({dripped} bytes)"
    );
}

#[test]
fn a_hundred_rapid_connects_leave_the_listener_serving() {
    let (_server, rx, addr) = start_server();
    let hello_prefix = encode_frame(br#"{"type":"hello","schema_version":1,"seq":1}"#).unwrap();
    for i in 0..100 {
        let mut s = TcpStream::connect(&addr).unwrap();
        match i % 4 {
            0 => {}                                            // connect and close
            1 => drop(s.write_all(&hello_prefix[..7])),        // cut inside a frame
            2 => drop(s.write_all(&[0xFF, 0xFF, 0xFF, 0xFF])), // oversize prefix
            _ => {
                let _ = s.shutdown(Shutdown::Both); // half-open then gone
            }
        }
        drop(s);
    }
    let g = game(8);
    let want = expected_count(game(8));
    let report = sim::run(&addr, g, Speed::Max, Arc::new(AtomicBool::new(false))).unwrap();
    assert_eq!(report.messages, want);
    // Drain: the simulator's connection is number 101 and every message of it arrives.
    let got = serve_until_closed(&rx, |c| c == 101);
    assert_eq!(got, want, "the 101st connection was served in full");
}

fn free_addr() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().to_string()
}

#[test]
fn kill_9_while_recording_loads_up_to_the_last_second() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("killed.barlive");
    let addr = free_addr();
    let mut child = Command::new(env!("CARGO_BIN_EXE_bar-live"))
        .args(["record", "--listen", &addr, "--out"])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // A widget that sends one message every 20 ms and remembers when each went out.
    let deadline = Instant::now() + WAIT;
    let mut s = loop {
        match TcpStream::connect(&addr) {
            Ok(s) => break s,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => panic!("{e}"),
        }
    };
    let mut g = game(9);
    let mut msgs = g.handshake();
    while msgs.len() < 400 && !g.finished() {
        msgs.extend(g.step());
    }
    let mut sent_at = Vec::new();
    let started = Instant::now();
    for (i, m) in msgs.iter().enumerate() {
        if started.elapsed() > Duration::from_millis(3000) {
            break;
        }
        s.write_all(&encode_frame(&encode_widget(m, i as u64 + 1)).unwrap())
            .unwrap();
        sent_at.push(Instant::now());
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    let killed_at = Instant::now();
    child.wait().unwrap();
    let mut sink = [0u8; 64];
    s.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let _ = s.read(&mut sink);

    let mut r = RecordingReader::open(&out).expect("the file opens after kill -9");
    assert_eq!(r.version(), 2, "`record` writes format 2");
    let recs: Vec<_> = r.by_ref().map(Result::unwrap).collect();
    assert!(
        r.truncated(),
        "no trailer after kill -9: reported cut short"
    );
    assert!(r.corrupt().is_none(), "{:?}", r.corrupt());
    // Everything sent more than a second (plus scheduling slack) before the kill is in the file: v2
    // closes a block (one zstd frame) a second after its first record and hands it to the OS at once.
    let settled = sent_at
        .iter()
        .filter(|t| killed_at.duration_since(**t) > Duration::from_millis(1500))
        .count();
    assert!(
        recs.len() >= settled,
        "{} records, {settled} were sent over 1.5 s before the kill",
        recs.len()
    );
    assert!(recs.len() <= sent_at.len());
    let summary = bar_live_core::recording::Summary::of_file(&out).unwrap();
    assert_eq!(
        summary.frames,
        recs.len() as u64,
        "`info` finds the same records"
    );
    assert!(summary.truncated);
    for (i, rec) in recs.iter().enumerate() {
        let m = decode_widget(&rec.payload).expect("every loaded record decodes");
        assert_eq!(
            m.seq,
            Some(i as u64 + 1),
            "records are the sent messages in order"
        );
    }
}

#[test]
fn info_into_a_closed_pipe_does_not_panic() {
    let golden = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/crates/core/tests/data/v1/demo.barlive"
    );
    for _ in 0..3 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_bar-live"))
            .args(["info", golden])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // the reader is gone before the first line (`| head -0`)
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{err}");
        assert!(out.status.success(), "{err}");
    }
}
