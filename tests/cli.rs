//! The built `bar-live` binary end to end: the commands as a user runs them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;

fn free_addr() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().to_string()
}

/// The built binary end to end: `bar-live check --json` against `bar-live simulate`.
#[test]
fn binary_simulate_to_check_json() {
    let bin = env!("CARGO_BIN_EXE_bar-live");
    let addr = free_addr();
    let checker = std::process::Command::new(bin)
        .args([
            "check",
            "--listen",
            &addr,
            "--connections",
            "1",
            "--duration",
            "60",
            "--json",
        ])
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
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
