//! Helpers the command-line tests share: run the built `bar-live` binary as a user would.

#![allow(dead_code, clippy::unwrap_used)]

use std::process::{Command, Output};

/// Runs `bar-live ARGS` (logging at warn) and waits for it.
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bar-live"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

/// The standard output of a run that must have succeeded (else its exit status and standard error).
pub fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "{:?}: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}
