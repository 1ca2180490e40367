//! `bar-live record`: the headless recorder (the same listener and recording code as the app).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use crossbeam_channel::{RecvTimeoutError, bounded};

use crate::net::{NetEvent, NoWake, Server, ServerConfig};
use crate::recording::Recorder;
use crate::time::unix_ms;

#[derive(Debug, Clone)]
pub struct RecordOptions {
    pub listen: String,
    pub out: PathBuf,
    pub connections: Option<u64>,
    pub duration: Option<Duration>,
    pub max_frame_bytes: u32,
}

#[derive(Debug, Default)]
pub struct RecordReport {
    pub frames: u64,
    pub connections: u64,
    pub protocol_errors: u64,
}

pub fn run(opts: &RecordOptions) -> anyhow::Result<RecordReport> {
    let (tx, rx) = bounded(1024);
    let server = Server::start(
        ServerConfig::new(opts.listen.clone(), opts.max_frame_bytes),
        tx,
        Arc::new(NoWake),
    )
    .with_context(|| format!("cannot listen on {}", opts.listen))?;
    // `--out` into a folder not made yet: make it, as the app does for its recordings folder.
    if let Some(parent) = opts.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create the folder {}", parent.display()))?;
    }
    let mut recorder = Recorder::create(&opts.out, unix_ms(), &format!("record {}", opts.listen))
        .with_context(|| format!("cannot create {}", opts.out.display()))?;
    let started = std::time::Instant::now();
    let mut report = RecordReport::default();
    let mut closed = 0u64;
    loop {
        if opts.connections.is_some_and(|n| closed >= n)
            || opts.duration.is_some_and(|d| started.elapsed() >= d)
        {
            break;
        }
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(NetEvent::Message {
                conn,
                received_unix_ms,
                payload,
                ..
            }) => {
                recorder
                    .append(conn, received_unix_ms, &payload)
                    .with_context(|| format!("writing the recording {}", opts.out.display()))?;
                report.frames += 1;
            }
            Ok(NetEvent::Connected { conn, peer }) => {
                report.connections += 1;
                eprintln!("record: connection {conn} from {peer}");
            }
            Ok(NetEvent::Disconnected { conn, reason }) => {
                closed += 1;
                eprintln!("record: connection {conn} closed: {reason}");
            }
            Ok(NetEvent::ProtocolError { conn, error }) => {
                report.protocol_errors += 1;
                eprintln!("record: connection {conn}: {error}");
            }
            Ok(NetEvent::Listening { addr }) => eprintln!("record: listening on {addr}"),
            Ok(NetEvent::ListenFailed { .. } | NetEvent::Frame { .. }) => {}
            Err(RecvTimeoutError::Timeout) => recorder
                .tick()
                .with_context(|| format!("flushing the recording {}", opts.out.display()))?,
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    server.shutdown();
    // Drain what arrived before the shutdown.
    while let Ok(ev) = rx.try_recv() {
        if let NetEvent::Message {
            conn,
            received_unix_ms,
            payload,
            ..
        } = ev
        {
            recorder.append(conn, received_unix_ms, &payload)?;
            report.frames += 1;
        }
    }
    let path = recorder.finish()?;
    eprintln!(
        "record: {} frames written to {}",
        report.frames,
        path.display()
    );
    Ok(report)
}
