//! The overlay server end to end: every route, the snapshot on connect and the updates after it, the
//! stream delay, and hostile clients (many connections, half requests, garbage, path tricks, a page
//! that never reads).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bar_live_core::live::{RecordPolicy, Session};
use bar_live_core::net::NetEvent;
use bar_live_core::protocol::{WidgetMessage, decode_widget, encode_widget};
use bar_live_core::sim::{SimGame, SimOptions};
use bar_live_core::store::{Metric, SeriesOf};
use bar_live_core::web::snapshot::{self, Query};
use bar_live_core::web::{HEAD_TIMEOUT, MAX_WS_CLIENTS, WebConfig, WebServer};
use serde_json::Value;

/// A session fed a simulated game whose updates arrived one game second per wall second, the last
/// one just now.
fn session(teams: u32, minutes: f64) -> Arc<Mutex<Session>> {
    let mut s = Session::new(RecordPolicy {
        enabled: false,
        dir: "/nonexistent".into(),
        keep_last: 0,
    });
    let msgs: Vec<WidgetMessage> = SimGame::new(SimOptions {
        teams,
        minutes,
        ..SimOptions::default()
    })
    .play_out();
    let end_s = minutes * 60.0;
    let now = bar_live_core::time::unix_ms();
    let mut game_s = 0.0;
    let mut out = Vec::new();
    for (i, m) in msgs.iter().enumerate() {
        if let WidgetMessage::Update(u) = m {
            game_s = u.game_seconds;
        }
        let payload = encode_widget(m, i as u64 + 1);
        let received = now - ((end_s - game_s) * 1000.0) as u64;
        s.handle(
            NetEvent::Message {
                conn: 1,
                received_unix_ms: received,
                payload: Arc::from(payload.as_slice()),
                message: Box::new(decode_widget(&payload).unwrap()),
            },
            &mut out,
        );
    }
    Arc::new(Mutex::new(s))
}

fn server(session: Arc<Mutex<Session>>, user_css: Option<std::path::PathBuf>) -> WebServer {
    WebServer::start(
        WebConfig {
            listen: "127.0.0.1:0".into(),
            default_delay_s: 0.0,
            user_css,
        },
        session,
    )
    .unwrap()
}

/// Sends raw bytes and reads the whole response (the server closes after each).
fn raw(addr: SocketAddr, bytes: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(bytes).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let text = raw(
        addr,
        format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes(),
    );
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn every_route_answers() {
    let dir = tempfile::tempdir().unwrap();
    let css = dir.path().join("overlay.css");
    let web = server(session(2, 2.0), Some(css.clone()));
    let a = web.local_addr();
    for page in [
        "/",
        "/index.html",
        "/team.html",
        "/allies.html",
        "/graph.html",
        "/ahead.html",
    ] {
        let (status, body) = get(a, page);
        assert_eq!(status, 200, "{page}");
        assert!(
            body.contains("<html") || body.contains("<!doctype"),
            "{page}"
        );
    }
    let (status, js) = get(a, "/static/overlay.js");
    assert_eq!(status, 200);
    assert!(js.contains("WebSocket"));
    assert_eq!(get(a, "/static/overlay.css").0, 200);
    // The user's style: empty without the file, the file's text with it, refused when too big.
    assert_eq!(get(a, "/user.css"), (200, String::new()));
    std::fs::write(&css, ".bl-value { color: hotpink; }").unwrap();
    assert_eq!(get(a, "/user.css").1, ".bl-value { color: hotpink; }");
    std::fs::write(&css, "x".repeat(300 * 1024)).unwrap();
    assert!(get(a, "/user.css").1.contains("was not loaded"));
    let (status, json) = get(a, "/api/snapshot?delay=0&minutes=1&metrics=army_value");
    assert_eq!(status, 200);
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["type"], "snapshot");
    assert_eq!(v["state"], "live");
    assert_eq!(v["teams"].as_array().unwrap().len(), 2);
    assert!(v["map"].is_string() && v["game_seconds"].as_f64().unwrap() > 100.0);
    for key in ["team_id", "ally_team_id", "name", "color", "values"] {
        assert!(!v["teams"][0][key].is_null(), "{key}");
    }
    assert_eq!(v["history"]["metrics"], serde_json::json!(["army_value"]));
    // Errors are 4xx with a reason.
    assert_eq!(get(a, "/nope").0, 404);
    assert_eq!(get(a, "/ws").0, 426);
    let post = raw(
        a,
        b"POST /api/snapshot HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
    );
    assert!(post.starts_with("HTTP/1.1 405"), "{post}");
}

#[test]
fn paths_cannot_escape_and_garbage_gets_400() {
    let web = server(session(2, 1.0), None);
    let a = web.local_addr();
    for path in [
        "/../Cargo.toml",
        "/static/../../Cargo.toml",
        "/static/%2e%2e/%2e%2e/Cargo.toml",
        "//etc/passwd",
        "/static/",
        "/user.css/../settings.json",
    ] {
        assert_eq!(get(a, path).0, 404, "{path}");
    }
    let r = raw(
        a,
        b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03garbage\r\n\r\n",
    );
    assert!(r.starts_with("HTTP/1.1 400"), "{r}");
    let huge = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(20_000));
    assert!(raw(a, huge.as_bytes()).starts_with("HTTP/1.1 431"));
}

/// A minimal WebSocket page: connects and returns the socket.
fn page(addr: SocketAddr, query: &str) -> tungstenite::WebSocket<TcpStream> {
    let stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let (ws, _) = tungstenite::client(format!("ws://{addr}/ws?{query}"), stream).unwrap();
    ws
}

fn next_json(ws: &mut tungstenite::WebSocket<TcpStream>) -> Value {
    loop {
        match ws.read().unwrap() {
            tungstenite::Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
            _ => continue,
        }
    }
}

#[test]
fn a_page_gets_a_snapshot_then_updates() {
    let shared = session(3, 2.0);
    let web = server(Arc::clone(&shared), None);
    let mut ws = page(web.local_addr(), "minutes=1&metrics=metal_income,units");
    let first = next_json(&mut ws);
    assert_eq!(first["type"], "snapshot");
    let t0 = first["game_seconds"].as_f64().unwrap();
    let hist = &first["history"];
    assert_eq!(
        hist["metrics"],
        serde_json::json!(["metal_income", "units"])
    );
    let n = hist["t"].as_array().unwrap().len();
    assert!(n > 60, "a minute of updates at 2 per second: {n}");
    assert_eq!(hist["teams"]["0"]["units"].as_array().unwrap().len(), n);
    // The game goes on: the page hears about it with an update (no history).
    let mut game = SimGame::new(SimOptions {
        teams: 3,
        minutes: 3.0,
        ..SimOptions::default()
    });
    let later: Vec<WidgetMessage> = std::iter::from_fn(|| (!game.finished()).then(|| game.step()))
        .flatten()
        .filter(|m| matches!(m, WidgetMessage::Update(u) if u.game_seconds > t0))
        .take(1)
        .collect();
    {
        let mut s = shared.lock().unwrap();
        s.apply(&later[0], bar_live_core::time::unix_ms());
    }
    let next = next_json(&mut ws);
    assert_eq!(next["type"], "update");
    assert!(next["history"].is_null());
    assert!(next["game_seconds"].as_f64().unwrap() > t0);
    assert_eq!(web.ws_clients(), 1);
}

#[test]
fn the_delay_shows_the_game_as_it_was() {
    let shared = session(4, 3.0);
    let s = shared.lock().unwrap();
    let now = bar_live_core::time::unix_ms();
    let live = snapshot::build(&s, &Query::parse("delay=0", 0.0), now, false);
    let delayed = snapshot::build(&s, &Query::parse("delay=30", 0.0), now, false);
    assert_eq!(live.game_seconds, s.store.last_game_seconds);
    let want = s.store.last_game_seconds - 30.0;
    assert!(
        (delayed.game_seconds - want).abs() <= 0.5,
        "{} vs {want}",
        delayed.game_seconds
    );
    // Every value is the store's at that game time, and ally values are their members' sums.
    for t in &delayed.teams {
        let series = &s.store.series[&t.team_id];
        let i = series.t.partition_point(|&x| x <= delayed.game_seconds) - 1;
        for m in [Metric::MetalIncome, Metric::ArmyValue, Metric::Units] {
            assert_eq!(
                t.values[m.key()],
                Some(f64::from(series.values(m)[i])),
                "{} {}",
                t.team_id,
                m.key()
            );
        }
    }
    for a in &delayed.allies {
        let sum: f64 = delayed
            .teams
            .iter()
            .filter(|t| t.ally_team_id == a.ally_team_id)
            .filter_map(|t| t.values["units"])
            .sum();
        assert_eq!(a.values["units"], Some(sum));
        assert_eq!(a.name, s.store.series_name(SeriesOf::Ally(a.ally_team_id)));
    }
    // Longer than the game so far: nothing to show yet.
    let early = snapshot::build(&s, &Query::parse("delay=600", 0.0), now, true);
    assert_eq!(early.state, "waiting");
    assert!(early.teams.is_empty() && early.history.is_none());
    drop(s);
    // The server applies the page's delay, and the default for pages without one.
    let mut web = server(Arc::clone(&shared), None);
    let (_, body) = get(web.local_addr(), "/api/snapshot?delay=30");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert!((v["game_seconds"].as_f64().unwrap() - want).abs() <= 1.0);
    assert_eq!(v["delay_s"], 30.0);
    web.set_default_delay_s(60.0);
    let (_, body) = get(web.local_addr(), "/api/snapshot");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["delay_s"], 60.0);
    web.shutdown();
}

#[test]
fn no_game_means_waiting_not_an_error() {
    let empty = Arc::new(Mutex::new(Session::new(RecordPolicy {
        enabled: false,
        dir: "/x".into(),
        keep_last: 0,
    })));
    let web = server(empty, None);
    let (status, body) = get(web.local_addr(), "/api/snapshot");
    assert_eq!(status, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["state"], "waiting");
    assert_eq!(v["teams"], serde_json::json!([]));
    let mut ws = page(web.local_addr(), "");
    assert_eq!(next_json(&mut ws)["state"], "waiting");
}

#[test]
fn hostile_clients_stall_nothing() {
    let web = server(session(16, 2.0), None);
    let a = web.local_addr();
    // 100 connections that send half a request (or nothing) and wait.
    let idle: Vec<TcpStream> = (0..100)
        .map(|i| {
            let mut s = TcpStream::connect(a).unwrap();
            if i % 2 == 0 {
                s.write_all(b"GET /team.html HTTP/1.1\r\nHost: x\r\n")
                    .unwrap();
            }
            s
        })
        .collect();
    // A page that never reads what it is sent.
    let mut deaf = TcpStream::connect(a).unwrap();
    deaf.write_all(
        b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
          Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    )
    .unwrap();
    // Meanwhile a real page and plain requests are served at once.
    let started = Instant::now();
    assert_eq!(get(a, "/team.html").0, 200);
    let mut ws = page(a, "");
    assert_eq!(next_json(&mut ws)["type"], "snapshot");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // The half requests are dropped once their time is up; the server is still fine afterwards.
    std::thread::sleep(HEAD_TIMEOUT + Duration::from_millis(500));
    let mut timed_out = 0;
    for mut s in idle {
        s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf);
        if String::from_utf8_lossy(&buf).starts_with("HTTP/1.1 408") || buf.is_empty() {
            timed_out += 1;
        }
    }
    assert_eq!(timed_out, 100);
    assert_eq!(get(a, "/api/snapshot").0, 200);
    drop(deaf);
}

#[test]
fn page_connections_are_bounded() {
    let web = server(session(2, 1.0), None);
    let a = web.local_addr();
    let pages: Vec<_> = (0..MAX_WS_CLIENTS).map(|_| page(a, "")).collect();
    let deadline = Instant::now() + Duration::from_secs(5);
    while web.ws_clients() < MAX_WS_CLIENTS && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(web.ws_clients(), MAX_WS_CLIENTS);
    let stream = TcpStream::connect(a).unwrap();
    let refused = tungstenite::client(format!("ws://{a}/ws"), stream);
    assert!(refused.is_err(), "one page too many is refused (503)");
    assert!(web.refused() >= 1);
    drop(pages);
    // Plain requests still work while every page slot is taken.
    assert_eq!(get(a, "/").0, 200);
}
