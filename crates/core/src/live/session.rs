//! The live session: applies reader-thread events to the store, tracks the link's truth for the status
//! bar, and records every connected game. No drawing here, so all of it is testable.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::net::{ConnId, NetEvent};
use crate::protocol::{Command, Hello, WidgetConfig, WidgetMessage};
use crate::recording::{EXTENSION, Recorder};
use crate::store::Store;

/// Protocol errors kept for display.
const MAX_KEPT_ERRORS: usize = 20;

#[derive(Debug, Clone, PartialEq)]
pub enum LinkState {
    Starting,
    Listening { addr: String },
    ListenFailed { addr: String, error: String },
    Connected { conn: ConnId, peer: String },
}

/// Where auto-recordings go and how many to keep.
#[derive(Debug, Clone)]
pub struct RecordPolicy {
    pub enabled: bool,
    pub dir: PathBuf,
    pub keep_last: u32,
}

pub struct Session {
    pub store: Store,
    pub link: LinkState,
    pub listen_addr: Option<String>,
    pub last_disconnect: Option<String>,
    pub last_message_at: Option<Instant>,
    pub messages: u64,
    pub bytes: u64,
    pub protocol_errors: VecDeque<String>,
    pub protocol_errors_total: u64,
    /// The widget settings in force, from its last `config_ack` (or `hello`).
    pub applied_config: Option<WidgetConfig>,
    pub config_errors: Vec<String>,
    /// Set when a hello arrived: the app should push its widget settings.
    pub wants_config_push: bool,
    /// Player commands from the widget (`/livedata overlay lock`), for the UI to act on.
    pub commands: Vec<Command>,
    pub last_test: Option<String>,
    pub record: RecordPolicy,
    pub recorder: Option<Recorder>,
    recorded_map: Option<String>,
    recorded_frame: u32,
    pub recording_error: Option<String>,
    pub recordings_written: Vec<PathBuf>,
}

impl Session {
    pub fn new(record: RecordPolicy) -> Session {
        Session {
            store: Store::new(),
            link: LinkState::Starting,
            listen_addr: None,
            last_disconnect: None,
            last_message_at: None,
            messages: 0,
            bytes: 0,
            protocol_errors: VecDeque::new(),
            protocol_errors_total: 0,
            applied_config: None,
            config_errors: Vec::new(),
            wants_config_push: false,
            commands: Vec::new(),
            last_test: None,
            record,
            recorder: None,
            recorded_map: None,
            recorded_frame: 0,
            recording_error: None,
            recordings_written: Vec::new(),
        }
    }

    pub fn connected(&self) -> bool {
        matches!(self.link, LinkState::Connected { .. })
    }

    /// Applies one event from the reader thread.
    pub fn handle(&mut self, event: NetEvent) {
        match event {
            NetEvent::Listening { addr } => {
                self.listen_addr = Some(addr.to_string());
                self.link = LinkState::Listening {
                    addr: addr.to_string(),
                };
            }
            NetEvent::ListenFailed { addr, error } => {
                self.link = LinkState::ListenFailed { addr, error }
            }
            NetEvent::Connected { conn, peer } => {
                self.link = LinkState::Connected {
                    conn,
                    peer: peer.to_string(),
                };
            }
            NetEvent::Disconnected { conn, reason } => {
                // A replaced connection's goodbye must not hide the new one.
                if matches!(self.link, LinkState::Connected { conn: c, .. } if c == conn) {
                    self.link = LinkState::Listening {
                        addr: self.listen_addr.clone().unwrap_or_default(),
                    };
                    self.last_disconnect = Some(reason);
                }
                self.flush_recording();
            }
            NetEvent::ProtocolError { conn, error } => {
                self.protocol_errors_total += 1;
                if self.protocol_errors.len() == MAX_KEPT_ERRORS {
                    self.protocol_errors.pop_front();
                }
                self.protocol_errors
                    .push_back(format!("connection {conn}: {error}"));
            }
            NetEvent::Message {
                conn,
                received_unix_ms,
                payload,
                message,
            } => {
                self.messages += 1;
                self.bytes += payload.len() as u64;
                self.last_message_at = Some(Instant::now());
                if let WidgetMessage::Hello(h) = &message.body {
                    self.on_hello(h);
                }
                self.record_frame(conn, received_unix_ms, &payload);
                self.apply(&message.body);
            }
        }
    }

    /// Applies a decoded message that needs no recording (also used by review playback).
    pub fn apply(&mut self, body: &WidgetMessage) {
        match body {
            WidgetMessage::ConfigAck(ack) => {
                self.applied_config = Some(ack.config.clone());
                self.config_errors = ack.errors.clone();
            }
            WidgetMessage::Command(c) => self.commands.push(c.clone()),
            WidgetMessage::Test(t) => self.last_test = Some(t.text.clone()),
            WidgetMessage::Update(u) => self.recorded_frame = self.recorded_frame.max(u.game_frame),
            _ => {}
        }
        self.store.ingest(body);
    }

    fn on_hello(&mut self, hello: &Hello) {
        self.applied_config = Some(WidgetConfig {
            interval_frames: Some(hello.config.interval_frames),
            level: Some(hello.config.level),
            ..WidgetConfig::default()
        });
        self.wants_config_push = true;
        let same_game = self.recorded_map.as_deref() == Some(hello.game.map_name.as_str())
            && hello.game.game_frame >= self.recorded_frame;
        if self.recorder.is_some() && same_game {
            return; // a reconnect mid-game continues the same file
        }
        self.finish_recording();
        self.recorded_map = Some(hello.game.map_name.clone());
        self.recorded_frame = hello.game.game_frame;
        if self.record.enabled {
            self.start_recording(&hello.game.map_name);
        }
    }

    fn start_recording(&mut self, map: &str) {
        let now_ms = crate::time::unix_ms();
        let path = self.record.dir.join(recording_file_name(now_ms, map));
        let result = std::fs::create_dir_all(&self.record.dir)
            .map_err(anyhow::Error::from)
            .and_then(|_| Recorder::create(&path, now_ms, "live").map_err(anyhow::Error::from));
        match result {
            Ok(r) => {
                log::info!("recording to {}", path.display());
                self.recorder = Some(r);
                self.recording_error = None;
                prune_recordings(&self.record.dir, self.record.keep_last, &path);
            }
            Err(e) => {
                self.fail_recording(format!("cannot start recording {}: {e}", path.display()))
            }
        }
    }

    fn record_frame(&mut self, conn: ConnId, received_unix_ms: u64, payload: &[u8]) {
        if let Some(r) = self.recorder.as_mut()
            && let Err(e) = r.append(conn, received_unix_ms, payload)
        {
            let path = r.path().display().to_string();
            self.fail_recording(format!("recording to {path} stopped: {e}"));
        }
    }

    /// A recording failure (disk full, permissions) stops recording; the live view goes on.
    fn fail_recording(&mut self, message: String) {
        log::error!("{message}");
        self.recording_error = Some(message);
        self.recorder = None;
    }

    /// Call about once a second so records reach the disk within a second.
    pub fn tick(&mut self) {
        if let Some(r) = self.recorder.as_mut()
            && let Err(e) = r.tick()
        {
            self.fail_recording(format!("recording flush failed: {e}"));
        }
    }

    fn flush_recording(&mut self) {
        if let Some(r) = self.recorder.as_mut()
            && let Err(e) = r.flush()
        {
            self.fail_recording(format!("recording flush failed: {e}"));
        }
    }

    /// Closes the current recording (new game, app exit, recording switched off).
    pub fn finish_recording(&mut self) {
        if let Some(r) = self.recorder.take() {
            match r.finish() {
                Ok(p) => self.recordings_written.push(p),
                Err(e) => self.fail_recording(format!("closing the recording failed: {e}")),
            }
        }
    }
}

/// `2026-11-26_19-04-05_Supreme_Isthmus.barlive` (UTC).
pub fn recording_file_name(unix_ms: u64, map: &str) -> String {
    let mut safe: String = map
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    safe.truncate(60);
    if safe.is_empty() {
        safe.push_str("game");
    }
    format!("{}_{safe}.{EXTENSION}", crate::time::utc_stamp(unix_ms))
}

/// Deletes the oldest recordings beyond `keep_last` (never `current`). 0 keeps everything.
pub fn prune_recordings(dir: &Path, keep_last: u32, current: &Path) {
    if keep_last == 0 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == EXTENSION))
        .collect();
    // Names start with a UTC timestamp, so name order is age order.
    files.sort();
    let excess = files.len().saturating_sub(keep_last as usize);
    for old in files.into_iter().take(excess) {
        if old == current {
            continue;
        }
        match std::fs::remove_file(&old) {
            Ok(()) => log::info!("removed old recording {}", old.display()),
            Err(e) => log::warn!("could not remove old recording {}: {e}", old.display()),
        }
    }
}

#[cfg(test)]
mod tests;
