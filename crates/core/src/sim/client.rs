//! Drives a [`SimGame`] over TCP exactly like the widget: connect, hello, unit defs, paced updates,
//! answers to `ping` and `config`, and `bye` at the end.

use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use crossbeam_channel::{Receiver, bounded};

use super::game::{FRAMES_PER_SECOND, SimGame};
use crate::protocol::{self, AppMessage, Bye, Pong, WidgetMessage, frame::encode_frame};

/// App→widget messages waiting for the simulator.
const REQUEST_CAPACITY: usize = 64;
/// How long to keep trying to reach the app before giving up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Wall-clock pacing: game seconds per real second, or as fast as the socket takes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Speed {
    Factor(f64),
    Max,
}

impl std::str::FromStr for Speed {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s == "max" {
            return Ok(Speed::Max);
        }
        match s.trim_end_matches('x').parse::<f64>() {
            Ok(f) if f > 0.0 && f.is_finite() => Ok(Speed::Factor(f)),
            _ => Err(format!("speed '{s}' is not a positive number or 'max'")),
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct SimReport {
    pub messages: u64,
    pub bytes: u64,
    pub pings_answered: u64,
    pub configs_applied: u64,
    pub game_frame: u32,
}

struct Link {
    stream: TcpStream,
    seq: u64,
    requests: Receiver<AppMessage>,
}

impl Link {
    fn open(addr: &str) -> anyhow::Result<Link> {
        let deadline = Instant::now() + CONNECT_TIMEOUT;
        let stream = loop {
            match TcpStream::connect(addr) {
                Ok(s) => break s,
                Err(e) if Instant::now() < deadline => {
                    log::debug!("connect to {addr}: {e}; retrying");
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(e) => return Err(e).with_context(|| format!("cannot connect to {addr}")),
            }
        };
        stream.set_nodelay(true)?;
        // App→widget requests (config, ping) are a handful per game; if the simulator falls behind, the
        // reader blocks and TCP pushes back on the app, as with the real widget's bounded buffer.
        let (tx, rx) = bounded(REQUEST_CAPACITY);
        let read_half = stream.try_clone()?;
        std::thread::Builder::new()
            .name("bar-live-sim-read".into())
            .spawn(move || {
                let mut reader = BufReader::new(read_half);
                let mut buf = Vec::new();
                while let Ok(true) =
                    protocol::read_frame(&mut reader, protocol::DEFAULT_MAX_FRAME_BYTES, &mut buf)
                {
                    match protocol::decode_app(&buf) {
                        Ok(m) => {
                            if tx.send(m).is_err() {
                                break;
                            }
                        }
                        Err(e) => log::warn!("simulator: bad message from the app: {e}"),
                    }
                }
            })?;
        Ok(Link {
            stream,
            seq: 0,
            requests: rx,
        })
    }

    fn send(&mut self, msg: &WidgetMessage, report: &mut SimReport) -> std::io::Result<()> {
        self.seq += 1;
        let payload = protocol::encode_widget(msg, self.seq);
        let frame = encode_frame(&payload).map_err(|e| std::io::Error::other(e.to_string()))?;
        self.stream.write_all(&frame)?;
        report.messages += 1;
        report.bytes += frame.len() as u64;
        Ok(())
    }
}

/// Plays the whole game to `addr`. Returns when the game is over, `stop` is set, or the link fails.
pub fn run(
    addr: &str,
    mut game: SimGame,
    speed: Speed,
    stop: Arc<AtomicBool>,
) -> anyhow::Result<SimReport> {
    let mut report = SimReport::default();
    let mut link = Link::open(addr)?;
    for m in game.handshake() {
        link.send(&m, &mut report)
            .context("sending the handshake")?;
    }
    let start = Instant::now();
    let mut finished_clean = false;
    while !stop.load(Ordering::SeqCst) {
        answer_requests(&mut link, &mut game, &mut report)?;
        if game.finished() {
            finished_clean = true;
            break;
        }
        for m in game.step() {
            link.send(&m, &mut report)
                .context("the app closed the connection")?;
        }
        if let Speed::Factor(f) = speed {
            let due =
                Duration::from_secs_f64(f64::from(game.frame()) / f64::from(FRAMES_PER_SECOND) / f);
            let now = start.elapsed();
            if due > now {
                std::thread::sleep(due - now);
            }
        }
    }
    let reason = if finished_clean {
        "game over"
    } else {
        "stopped"
    };
    link.send(
        &WidgetMessage::Bye(Bye {
            reason: reason.into(),
        }),
        &mut report,
    )?;
    // Let a pending ping be answered before closing, then close our side cleanly.
    std::thread::sleep(Duration::from_millis(50));
    answer_requests(&mut link, &mut game, &mut report)?;
    let _ = link.stream.shutdown(std::net::Shutdown::Write);
    report.game_frame = game.frame();
    if report.messages == 0 {
        bail!("nothing was sent");
    }
    Ok(report)
}

fn answer_requests(
    link: &mut Link,
    game: &mut SimGame,
    report: &mut SimReport,
) -> anyhow::Result<()> {
    while let Ok(req) = link.requests.try_recv() {
        let reply = match req {
            AppMessage::Ping { id } => {
                report.pings_answered += 1;
                WidgetMessage::Pong(Pong { id })
            }
            AppMessage::Config(c) => {
                report.configs_applied += 1;
                WidgetMessage::ConfigAck(game.apply_config(&c))
            }
        };
        link.send(&reply, report).context("answering the app")?;
    }
    Ok(())
}
