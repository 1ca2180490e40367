//! The built `bar-live` binary end to end: the commands as a user runs them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::process::{Child, Command};
use std::time::Duration;

fn free_addr() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().to_string()
}

/// Starts a listening command (`args` gets the address) on a free port, and on another one when the
/// first was taken meanwhile (tests run in parallel: a port found free can be bound by another test
/// before the command binds it, and then the command exits at once with "address already in use").
fn spawn_listening(setup: impl Fn(&str) -> Command) -> (Child, String) {
    for _ in 0..5 {
        let addr = free_addr();
        let mut child = setup(&addr).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(300));
        match child.try_wait().unwrap() {
            None => return (child, addr),
            Some(status) => eprintln!("listener on {addr} exited at once ({status}); another port"),
        }
    }
    panic!("no listener could be started");
}

/// The built binary end to end: `bar-live check --json` against `bar-live simulate`.
#[test]
fn binary_simulate_to_check_json() {
    let bin = env!("CARGO_BIN_EXE_bar-live");
    let (checker, addr) = spawn_listening(|addr| {
        let mut c = Command::new(bin);
        c.args(["check", "--listen", addr, "--connections", "1"])
            .args(["--duration", "60", "--json"])
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::piped());
        c
    });
    let sim = std::process::Command::new(bin)
        .args([
            "simulate",
            "--to",
            &addr,
            "--teams",
            "3",
            "--minutes",
            "1",
            "--speed",
            "max",
        ])
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        sim.status.success(),
        "{}",
        String::from_utf8_lossy(&sim.stderr)
    );
    let out = checker.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "check failed:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("CLEAN"), "{stdout}");
    let json: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(json["connections"], 1);
    assert_eq!(json["invalid"], 0);
    assert_eq!(json["errors_total"], 0);
    assert_eq!(json["by_type"]["update"], 120);
    assert_eq!(json["pongs"], 1);
}

/// `simulate --map` names the game's map: a recording of it shows the name in `info` and `recordings`;
/// an empty name is refused before anything is sent.
#[test]
fn simulate_map_name_reaches_the_recording() {
    let bin = env!("CARGO_BIN_EXE_bar-live");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("comet.barlive");
    let (recorder, addr) = spawn_listening(|addr| {
        let mut c = Command::new(bin);
        c.args(["record", "--listen", addr, "--connections", "1", "--out"])
            .arg(&out)
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null());
        c
    });
    let simulate = |map: &str| {
        std::process::Command::new(bin)
            .args(["simulate", "--to", &addr, "--teams", "2", "--minutes", "1"])
            .args(["--speed", "max", "--map", map])
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    let refused = simulate("  ");
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("--map must be a name"), "{err}");
    // The recorder is still waiting for its one connection: the refused run sent nothing.
    let sim = simulate("Red Comet Remake 1.8");
    assert!(
        sim.status.success(),
        "{}",
        String::from_utf8_lossy(&sim.stderr)
    );
    assert!(recorder.wait_with_output().unwrap().status.success());
    let info = std::process::Command::new(bin)
        .args(["info", "--json"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        info.status.success(),
        "{}",
        String::from_utf8_lossy(&info.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
    assert_eq!(json["map"], "Red Comet Remake 1.8", "{json}");
    let list = std::process::Command::new(bin)
        .args(["recordings", "--json", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(list[0]["map"], "Red Comet Remake 1.8", "{list}");
}
