//! `bar-live replay`: plays a recording back to a listener as if it were the widget.

use std::io::Write;
use std::net::TcpStream;
use std::path::Path;
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

pub fn run(file: &Path, to: &str, speed: Speed) -> anyhow::Result<ReplayReport> {
    let mut reader =
        RecordingReader::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let mut report = ReplayReport::default();
    let mut link: Option<(u64, TcpStream)> = None;
    let start = Instant::now();
    let mut first_t: Option<u64> = None;
    while let Some(rec) = reader.next_record()? {
        // Each recorded connection becomes a new connection, as the widget would reconnect.
        if link.as_ref().is_none_or(|(c, _)| *c != rec.conn) {
            if let Some((_, old)) = link.take() {
                let _ = old.shutdown(std::net::Shutdown::Both);
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
            if due > now {
                std::thread::sleep(due - now);
            }
        }
        if let Some((_, s)) = link.as_mut() {
            s.write_all(&encode_frame(&rec.payload)?)
                .context("the listener closed the connection")?;
        }
        report.frames += 1;
    }
    if let Some((_, s)) = link {
        let _ = s.shutdown(std::net::Shutdown::Write);
        // Give the peer a moment to read the tail before the socket is dropped.
        std::thread::sleep(Duration::from_millis(50));
    }
    report.truncated = reader.truncated();
    Ok(report)
}
