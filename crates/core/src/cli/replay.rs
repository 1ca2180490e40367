//! `bar-live replay`: plays a recording back to a listener as if it were the widget.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::protocol::frame::encode_frame;
use crate::protocol::{WidgetMessage, decode_widget};
use crate::recording::RecordingReader;
use crate::sim::Speed;

#[derive(Debug, Default)]
pub struct ReplayReport {
    pub frames: u64,
    pub connections: u64,
    pub truncated: bool,
}

/// Runs [`run`] and prints what was replayed to stderr.
pub fn main(file: &Path, to: &str, speed: Speed) -> anyhow::Result<ReplayReport> {
    let r = run(file, to, speed)?;
    eprintln!(
        "replay: {} frames over {} connection(s)",
        r.frames, r.connections
    );
    if r.truncated {
        eprintln!("replay: the recording was cut short; replayed up to its last complete frame");
    }
    Ok(r)
}

pub fn run(file: &Path, to: &str, speed: Speed) -> anyhow::Result<ReplayReport> {
    let reader =
        RecordingReader::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    play(reader, to, speed, &AtomicBool::new(false))
}

/// Plays `reader`'s frames to `to`, each recorded connection as a new connection, until the end or
/// until `stop` is set.
///
/// [`Speed::Factor`] paces by game time, as the widget sends in a game running at that speed: a
/// message is sent when its game frame is due (30 frames a game second). Messages without a game frame
/// (`unit_defs`, `bye`, …) follow the one before them at once, and so do pauses. Pacing by the
/// recorded wall-clock times instead would play a recording made at the simulator's full speed (25
/// game minutes in 80 ms) in a blink.
pub fn play<R: Read>(
    mut reader: RecordingReader<R>,
    to: &str,
    speed: Speed,
    stop: &AtomicBool,
) -> anyhow::Result<ReplayReport> {
    let mut report = ReplayReport::default();
    let mut link: Option<(u64, TcpStream)> = None;
    let mut pace = match speed {
        Speed::Factor(f) => Some(GamePace::new(f)),
        Speed::Max => None,
    };
    while let Some(rec) = reader.next_record()? {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        // Each recorded connection becomes a new connection, as the widget would reconnect.
        if link.as_ref().is_none_or(|(c, _)| *c != rec.conn) {
            if let Some((_, old)) = link.take() {
                close_and_wait(old);
            }
            let s = TcpStream::connect(to).with_context(|| format!("cannot connect to {to}"))?;
            s.set_nodelay(true)?;
            report.connections += 1;
            link = Some((rec.conn, s));
            // A new connection may be a new game whose frames start again.
            if let Some(p) = pace.as_mut() {
                p.restart();
            }
        }
        if let Some(p) = pace.as_mut()
            && let Some(frame) = game_frame(&rec.payload)
        {
            p.wait_for(frame, stop);
            if stop.load(Ordering::SeqCst) {
                break;
            }
        }
        if let Some((_, s)) = link.as_mut() {
            s.write_all(&encode_frame(&rec.payload)?)
                .context("the listener closed the connection")?;
        }
        report.frames += 1;
    }
    if let Some((_, s)) = link {
        close_and_wait(s);
    }
    report.truncated = reader.truncated();
    Ok(report)
}

/// The game frame of a recorded message, for the messages the widget sends as the game runs
/// (`update`, `event`, `stats`); `None` for the others and for anything that does not decode.
fn game_frame(payload: &[u8]) -> Option<u32> {
    match decode_widget(payload).ok()?.body {
        WidgetMessage::Update(u) => Some(u.game_frame),
        WidgetMessage::Event(e) => Some(e.game_frame),
        WidgetMessage::Stats(s) => s.game_frame,
        _ => None,
    }
}

/// Game frames per game second.
const FRAMES_PER_SECOND: f64 = 30.0;

/// Longest single sleep while waiting, so `stop` is honoured within a fraction of a second.
const SLEEP_STEP: Duration = Duration::from_millis(200);

/// When each game frame is due at a speed factor, from the first frame of the current connection.
struct GamePace {
    factor: f64,
    origin: Option<(u32, Instant)>,
}

impl GamePace {
    fn new(factor: f64) -> GamePace {
        GamePace {
            factor,
            origin: None,
        }
    }

    fn restart(&mut self) {
        self.origin = None;
    }

    /// When `frame` is due (a frame before the origin is due at once).
    fn due(&mut self, frame: u32) -> Instant {
        let (first, at) = *self.origin.get_or_insert((frame, Instant::now()));
        let game_s = f64::from(frame.saturating_sub(first)) / FRAMES_PER_SECOND;
        at + Duration::from_secs_f64(game_s / self.factor)
    }

    /// Sleeps until `frame` is due or `stop` is set.
    fn wait_for(&mut self, frame: u32, stop: &AtomicBool) {
        let due = self.due(frame);
        while !stop.load(Ordering::SeqCst) {
            let Some(left) = due.checked_duration_since(Instant::now()) else {
                return;
            };
            if left.is_zero() {
                return;
            }
            std::thread::sleep(left.min(SLEEP_STEP));
        }
    }
}

/// Longest wait for the listener to finish reading a connection we closed.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

/// Ends one connection the way a widget does, and waits until the listener has read all of it.
///
/// The listener serves one connection at a time and drops the current one when a new one arrives, so
/// opening the next connection (or exiting) right after the last write can cut off frames still in
/// flight. Closing our write side sends EOF after the data; the listener closes its side once it has
/// read everything, which we see as EOF (anything it sends meanwhile, e.g. a ping, is discarded).
fn close_and_wait(mut s: TcpStream) {
    if s.shutdown(std::net::Shutdown::Write).is_err() {
        return;
    }
    let deadline = Instant::now() + CLOSE_WAIT;
    let mut sink = [0u8; 4096];
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        if left.is_zero() || s.set_read_timeout(Some(left)).is_err() {
            break;
        }
        match s.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::protocol::encode_widget;
    use crate::sim::{SimGame, SimOptions};

    #[test]
    fn a_frame_is_due_its_game_time_after_the_first_divided_by_the_speed() {
        let mut pace = GamePace::new(2.0);
        let t0 = pace.due(300);
        assert_eq!(pace.due(300), t0);
        assert_eq!(pace.due(360), t0 + Duration::from_secs(1)); // 2 game s at 2×
        assert_eq!(pace.due(10), t0, "a frame before the first is due at once");
        pace.restart();
        assert!(
            pace.due(0) >= t0,
            "a new connection starts from its own first frame"
        );
    }

    #[test]
    fn the_game_frame_comes_from_updates_events_and_stats_only() {
        let mut game = SimGame::new(SimOptions::default());
        let mut messages = game.handshake();
        while messages.len() < 200 && !game.finished() {
            messages.extend(game.step());
        }
        let mut kinds = std::collections::BTreeMap::new();
        for (seq, m) in (1..).zip(&messages) {
            let payload = encode_widget(m, seq);
            let want = match m {
                WidgetMessage::Update(u) => Some(u.game_frame),
                WidgetMessage::Event(e) => Some(e.game_frame),
                WidgetMessage::Stats(s) => s.game_frame,
                _ => None,
            };
            assert_eq!(game_frame(&payload), want, "{}", m.type_name());
            *kinds.entry(m.type_name().to_owned()).or_insert(0) += 1;
        }
        assert!(kinds.contains_key("update") && kinds.contains_key("hello"));
        assert_eq!(game_frame(b"{not json"), None);
    }
}
