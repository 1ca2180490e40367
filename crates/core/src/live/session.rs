//! The live session: what the reader threads report, applied to the store and to the link's status.
//!
//! Pure state, no I/O: [`Session::handle`] applies one event and says what should happen because of it
//! ([`Action`]: record this frame, push the widget settings, start a new recording). The link thread
//! ([`super::LiveLink`]) carries the actions out on its own threads, so all of this is testable.

use std::collections::VecDeque;
#[cfg(test)]
use std::path::Path;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use super::delayed::DelayedView;
use super::moving::{MoveStep, WidgetMove};
use super::timeline::Timeline;
use crate::net::{ConnId, NetEvent};
use crate::protocol::{Command, Hello, WidgetConfig, WidgetMessage};
use crate::store::Store;

/// Protocol errors kept for display.
pub const MAX_KEPT_ERRORS: usize = 20;
/// Player commands (`/livedata overlay lock`) kept until the UI takes them.
const MAX_PENDING_COMMANDS: usize = 32;

#[derive(Debug, Clone, PartialEq)]
pub enum LinkState {
    Starting,
    Listening { addr: String },
    ListenFailed { addr: String, error: String },
    Connected { conn: ConnId, peer: String },
}

/// Where auto-recordings go and how many to keep.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordPolicy {
    pub enabled: bool,
    pub dir: PathBuf,
    pub keep_last: u32,
}

/// What the session wants done after an event.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A widget said hello: send it the wanted settings.
    PushConfig,
    /// A new game: start a new recording file for it (after closing the current one, if any).
    StartRecording { map: String },
    /// Append one received frame to the current recording.
    Record {
        conn: ConnId,
        received_unix_ms: u64,
        payload: Arc<[u8]>,
    },
    /// The connection ended: get what was received onto the disk.
    FlushRecording,
    /// Close the current recording (recording switched off).
    FinishRecording,
    /// The widget arrived on the address it was moved to: serve it there, close the old listener.
    AdoptMoveListener,
    /// The move failed: close the listener opened for it.
    DropMoveListener,
}

impl From<MoveStep> for Action {
    fn from(step: MoveStep) -> Action {
        match step {
            MoveStep::Adopt => Action::AdoptMoveListener,
            MoveStep::Drop => Action::DropMoveListener,
        }
    }
}

/// The link to the widget as the status bar shows it.
#[derive(Debug, Clone)]
pub struct LinkStatus {
    pub state: LinkState,
    pub listen_addr: Option<String>,
    pub last_disconnect: Option<String>,
    pub last_message_at: Option<Instant>,
    pub messages: u64,
    pub bytes: u64,
    /// The newest protocol errors (at most [`MAX_KEPT_ERRORS`]).
    pub errors: VecDeque<String>,
    pub errors_total: u64,
}

impl Default for LinkStatus {
    fn default() -> Self {
        LinkStatus {
            state: LinkState::Starting,
            listen_addr: None,
            last_disconnect: None,
            last_message_at: None,
            messages: 0,
            bytes: 0,
            errors: VecDeque::new(),
            errors_total: 0,
        }
    }
}

/// The widget's settings: what the app wants, and what the widget says is in force.
#[derive(Debug, Clone, Default)]
pub struct WidgetStatus {
    /// The settings the app pushes on every hello (`None`: leave the widget as it is).
    pub wanted: Option<WidgetConfig>,
    /// In force in the widget, from its last `config_ack` (or `hello`).
    pub applied: Option<WidgetConfig>,
    /// What the widget refused in its last `config_ack`.
    pub errors: Vec<String>,
    pub last_test: Option<String>,
    /// The last move to another address (see [`super::moving`]).
    pub moving: WidgetMove,
    /// A widget the app had switched off said hello: the player switched it on in the game.
    switched_on_in_game: bool,
}

/// The current recording as the UI shows it; the file itself is written on the recorder thread.
#[derive(Debug, Clone)]
pub struct RecordingStatus {
    pub policy: RecordPolicy,
    /// The file being written, once the recorder thread has created it.
    pub current: Option<PathBuf>,
    /// Frames handed to the recorder for the current file.
    pub frames: u64,
    /// Why recording stopped (disk full, permissions); cleared by the next successful start.
    pub error: Option<String>,
    /// Files closed so far, oldest first.
    pub written: Vec<PathBuf>,
    /// Frames go to the recorder (a file is open or being opened).
    active: bool,
    /// The game being recorded: its map and the newest game frame seen.
    map: Option<String>,
    frame: u32,
}

impl RecordingStatus {
    fn new(policy: RecordPolicy) -> Self {
        RecordingStatus {
            policy,
            current: None,
            frames: 0,
            error: None,
            written: Vec::new(),
            active: false,
            map: None,
            frame: 0,
        }
    }

    pub fn active(&self) -> bool {
        self.active
    }
}

/// What the recorder thread reports back (see [`super::recorder`]).
#[derive(Debug, Clone, PartialEq)]
pub enum RecorderEvent {
    Started(PathBuf),
    Finished(PathBuf),
    Failed(String),
}

pub struct Session {
    pub store: Store,
    pub link: LinkStatus,
    pub widget: WidgetStatus,
    pub recording: RecordingStatus,
    /// Receive time of every update of the current game, for the stream delay.
    pub timeline: Timeline,
    /// Player commands from the widget for the UI to act on (oldest first, bounded).
    commands: VecDeque<Command>,
    /// The tournament switch: the game as it was a set time ago, for every view ([`super::delayed`]).
    pub delayed: Option<DelayedView>,
}

impl Session {
    pub fn new(policy: RecordPolicy) -> Session {
        Session {
            store: Store::new(),
            link: LinkStatus::default(),
            widget: WidgetStatus::default(),
            recording: RecordingStatus::new(policy),
            timeline: Timeline::default(),
            commands: VecDeque::new(),
            delayed: None,
        }
    }

    /// Switches "delay everything" on (`Some(seconds)`) or off. Switched on, or to another delay, the
    /// delayed view starts over (empty): it never shows anything sooner than the delay.
    pub fn set_delay_everything(&mut self, delay_s: Option<f64>) {
        match delay_s {
            None => self.delayed = None,
            Some(s) => {
                let wanted = DelayedView::new(s);
                if self.delayed.as_ref().map(DelayedView::delay_s) != Some(wanted.delay_s()) {
                    self.delayed = Some(wanted);
                }
            }
        }
    }

    /// The tournament delay in force, seconds.
    pub fn delay_everything_s(&self) -> Option<f64> {
        self.delayed.as_ref().map(DelayedView::delay_s)
    }

    /// The store the views draw: the delayed one while "delay everything" is on, else the live one.
    pub fn shown_store(&self) -> &Store {
        self.delayed.as_ref().map_or(&self.store, |d| &d.store)
    }

    /// Applies the delayed messages that are due at `now_unix_ms`. True when the shown store changed.
    pub fn release_delayed(&mut self, now_unix_ms: u64) -> bool {
        self.delayed
            .as_mut()
            .is_some_and(|d| d.release(now_unix_ms))
    }

    pub fn connected(&self) -> bool {
        matches!(self.link.state, LinkState::Connected { .. })
    }

    /// True once after a widget the app had switched off (`enabled: false`) connected again: the player
    /// switched it on in the game, and the app no longer asks for it to be off.
    pub fn take_switched_on_in_game(&mut self) -> bool {
        std::mem::take(&mut self.widget.switched_on_in_game)
    }

    /// Time passes: a move gives up after [`super::moving::MOVE_TIMEOUT`].
    pub fn tick(&mut self, now: Instant, out: &mut Vec<Action>) {
        if let Some(step) = self.widget.moving.tick(now) {
            out.push(step.into());
        }
    }

    /// Takes the player commands received since the last call.
    pub fn take_commands(&mut self) -> Vec<Command> {
        self.commands.drain(..).collect()
    }

    /// Applies one event from the reader threads; the actions it calls for are appended to `out`.
    pub fn handle(&mut self, event: NetEvent, out: &mut Vec<Action>) {
        match event {
            // The second listener of a move is not the one the widget is served on (yet).
            NetEvent::Listening { addr }
                if self.widget.moving.owns_listener_event(&addr.to_string()) => {}
            NetEvent::ListenFailed { addr, .. }
                if self.widget.moving.owns_listener_event(&addr) => {}
            NetEvent::Listening { addr } => {
                self.link.listen_addr = Some(addr.to_string());
                self.link.state = LinkState::Listening {
                    addr: addr.to_string(),
                };
            }
            NetEvent::ListenFailed { addr, error } => {
                self.link.state = LinkState::ListenFailed { addr, error }
            }
            // Raw frames come only from listeners in inspect mode (`check`), never from the live link's.
            NetEvent::Frame { .. } => {}
            NetEvent::Connected { conn, peer } => {
                self.link.state = LinkState::Connected {
                    conn,
                    peer: peer.to_string(),
                };
            }
            NetEvent::Disconnected { conn, reason } => {
                // A replaced connection's goodbye must not hide the new one.
                if matches!(self.link.state, LinkState::Connected { conn: c, .. } if c == conn) {
                    self.link.state = LinkState::Listening {
                        addr: self.link.listen_addr.clone().unwrap_or_default(),
                    };
                    self.link.last_disconnect = Some(reason);
                }
                if self.recording.active {
                    out.push(Action::FlushRecording);
                }
            }
            NetEvent::ProtocolError { conn, error } => {
                self.link.errors_total += 1;
                if self.link.errors.len() == MAX_KEPT_ERRORS {
                    self.link.errors.pop_front();
                }
                self.link
                    .errors
                    .push_back(format!("connection {conn}: {error}"));
            }
            NetEvent::Message {
                conn,
                received_unix_ms,
                payload,
                message,
            } => {
                self.link.messages += 1;
                let payload_len = payload.len();
                self.link.bytes += payload_len as u64;
                self.link.last_message_at = Some(Instant::now());
                match &message.body {
                    WidgetMessage::Hello(h) => self.on_hello(h, out),
                    WidgetMessage::ConfigAck(ack) => {
                        out.extend(self.widget.moving.on_ack(ack).map(Action::from))
                    }
                    _ => {}
                }
                if self.recording.active {
                    self.recording.frames += 1;
                    out.push(Action::Record {
                        conn,
                        received_unix_ms,
                        payload,
                    });
                }
                self.apply(&message.body, received_unix_ms);
                if let Some(d) = self.delayed.as_mut() {
                    d.push(received_unix_ms, payload_len, message.body);
                }
            }
        }
    }

    /// Applies a decoded message received at `received_unix_ms`.
    pub fn apply(&mut self, body: &WidgetMessage, received_unix_ms: u64) {
        match body {
            WidgetMessage::ConfigAck(ack) => {
                self.widget.applied = Some(ack.config.clone());
                self.widget.errors = ack.errors.clone();
            }
            WidgetMessage::Command(c) => {
                if self.commands.len() == MAX_PENDING_COMMANDS {
                    self.commands.pop_front();
                }
                self.commands.push_back(c.clone());
            }
            WidgetMessage::Test(t) => self.widget.last_test = Some(t.text.clone()),
            WidgetMessage::Update(u) => {
                self.recording.frame = self.recording.frame.max(u.game_frame)
            }
            _ => {}
        }
        let updates = self.store.updates;
        self.store.ingest(body);
        if self.store.updates == 0 {
            self.timeline.clear();
        } else if self.store.updates != updates {
            if self.store.updates == 1 {
                self.timeline.clear(); // a new game started over in the store
            }
            self.timeline
                .push(received_unix_ms, self.store.last_game_seconds);
        }
    }

    fn on_hello(&mut self, hello: &Hello, out: &mut Vec<Action>) {
        // Serve the widget where it arrived before anything is sent to it.
        out.extend(self.widget.moving.on_hello(&hello.config).map(Action::from));
        self.widget.applied = Some(hello.config.to_config());
        self.widget.errors.clear();
        // A widget that says hello streams: if the app had switched it off, the player switched it on
        // again in the game, and pushing `enabled: false` now would undo that.
        if let Some(wanted) = self.widget.wanted.as_mut()
            && wanted.enabled == Some(false)
        {
            wanted.enabled = Some(true);
            self.widget.switched_on_in_game = true;
        }
        out.push(Action::PushConfig);
        let rec = &mut self.recording;
        let same_game = rec.map.as_deref() == Some(hello.game.map_name.as_str())
            && hello.game.game_frame >= rec.frame;
        if rec.active && same_game {
            return; // a reconnect mid-game continues the same file
        }
        rec.map = Some(hello.game.map_name.clone());
        rec.frame = hello.game.game_frame;
        if rec.policy.enabled {
            rec.active = true;
            rec.frames = 0;
            out.push(Action::StartRecording {
                map: hello.game.map_name.clone(),
            });
        } else if rec.active {
            rec.active = false;
            out.push(Action::FinishRecording);
        }
    }

    /// Changes where and whether games are recorded; switching recording off closes the current file.
    pub fn set_record_policy(&mut self, policy: RecordPolicy, out: &mut Vec<Action>) {
        if !policy.enabled && self.recording.active {
            self.recording.active = false;
            out.push(Action::FinishRecording);
        }
        self.recording.policy = policy;
    }

    /// Applies what the recorder thread reports.
    pub fn on_recorder(&mut self, event: RecorderEvent) {
        let rec = &mut self.recording;
        match event {
            RecorderEvent::Started(path) => {
                rec.current = Some(path);
                rec.error = None;
            }
            RecorderEvent::Finished(path) => {
                if rec.current.as_ref() == Some(&path) {
                    rec.current = None;
                }
                rec.written.push(path);
            }
            RecorderEvent::Failed(message) => {
                log::error!("{message}");
                rec.error = Some(message);
                rec.current = None;
                rec.active = false;
            }
        }
    }
}

#[cfg(test)]
mod move_tests;
#[cfg(test)]
mod tests;
