//! `bar-live serve --delay S` through the binary: the tournament switch headless. Every page is held to
//! at least S seconds, whatever its own `?delay=`, and is told so (`delayed_everything_s`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn get(port: u16, path: &str) -> Option<serde_json::Value> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    let body = text.split_once("\r\n\r\n")?.1;
    serde_json::from_str(body).ok()
}

#[test]
fn serve_delay_holds_every_page_to_the_delay_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (widget, web) = (free_port(), free_port());
    let mut child = Command::new(env!("CARGO_BIN_EXE_bar-live"))
        .args(["serve", "--listen", &format!("127.0.0.1:{widget}")])
        .args(["--web-listen", &format!("127.0.0.1:{web}")])
        .args([
            "--delay",
            "120",
            "--simulate",
            "--no-record",
            "--duration",
            "20",
        ])
        .args(["--config", dir.path().join("s.json").to_str().unwrap()])
        .args(["--data-dir", dir.path().to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    let snap = loop {
        if let Some(v) = get(web, "/api/snapshot?delay=0") {
            break v;
        }
        assert!(Instant::now() < deadline, "serve did not answer");
        std::thread::sleep(Duration::from_millis(100));
    };
    child.kill().unwrap();
    let _ = child.wait();
    assert_eq!(snap["delay_s"], 120.0, "{snap}");
    assert_eq!(snap["delayed_everything_s"], 120.0);
    // The simulator streams, but nothing is two minutes old yet.
    assert_eq!(snap["state"], "waiting");
}
