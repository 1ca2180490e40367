//! The headless commands. `bar_live_app::command_line` parses arguments and calls these; each prints its
//! own report and says how it ended ([`Outcome`]).

pub mod card;
pub mod check;
pub mod convert;
pub mod export;
pub mod info;
pub mod record;
pub mod recordings;
pub mod replay;
pub mod serve;
pub mod simulate;
pub mod widget;

use std::time::Duration;

/// How a command ended: the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// The command ran but found problems (an unclean stream, protocol errors while recording).
    Failure,
}

impl Outcome {
    pub fn from_ok(ok: bool) -> Outcome {
        if ok {
            Outcome::Success
        } else {
            Outcome::Failure
        }
    }
}

/// A listen address for a command: `listen` or the fallback, checked against `--allow-remote`; a
/// non-loopback address that is allowed is logged as a warning, because the stream is unauthenticated.
pub fn listen_addr(
    listen: Option<&str>,
    fallback: &str,
    allow_remote: bool,
) -> anyhow::Result<String> {
    let addr = listen.unwrap_or(fallback).to_owned();
    let parsed = crate::net::check_listen_addr(&addr, allow_remote)?;
    if !parsed.ip().is_loopback() {
        log::warn!(
            "listening on {addr}: anyone who can reach it can send data; the stream is not encrypted"
        );
    }
    Ok(addr)
}

/// A `--duration`-style number of seconds; negative or non-finite means "no limit".
pub fn secs(s: Option<f64>) -> Option<Duration> {
    s.filter(|s| *s >= 0.0 && s.is_finite())
        .map(Duration::from_secs_f64)
}
