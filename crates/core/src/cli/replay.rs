//! `bar-live replay`: plays a recording back to a listener as if it were the widget.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::protocol::frame::encode_frame;
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
pub fn play<R: Read>(
    mut reader: RecordingReader<R>,
    to: &str,
    speed: Speed,
    stop: &AtomicBool,
) -> anyhow::Result<ReplayReport> {
    let mut report = ReplayReport::default();
    let mut link: Option<(u64, TcpStream)> = None;
    let start = Instant::now();
    let mut first_t: Option<u64> = None;
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
        }
        if let Speed::Factor(f) = speed {
            let t0 = *first_t.get_or_insert(rec.t_ms);
            let due = Duration::from_secs_f64((rec.t_ms - t0) as f64 / 1000.0 / f);
            let now = start.elapsed();
            // Sleep in short steps so `stop` is honoured within a fraction of a second.
            if due > now {
                std::thread::sleep((due - now).min(Duration::from_millis(200)));
                while start.elapsed() < due && !stop.load(Ordering::SeqCst) {
                    std::thread::sleep((due - start.elapsed()).min(Duration::from_millis(200)));
                }
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
