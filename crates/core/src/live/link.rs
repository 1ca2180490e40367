//! The live link: listener + session + recorder, each on its own threads, handing ready state to
//! whoever shows it (the egui app, the web overlay server, `serve`).
//!
//! ```text
//! reader threads ──NetEvent (bounded)──▶ link thread ──lock──▶ Session (store, status, timeline)
//!                                          │   ▲                    ▲ read under the lock by the UI
//!                 widget ◀── config/ping ──┤   └─ LinkCommand ──────┘ and the web server
//!                                          └──RecorderCommand (bounded)──▶ recorder thread ─▶ .barlive
//! ```
//! The link thread holds the session lock only while it applies one event, so a reader of the state
//! waits microseconds at most. Writes to the widget block for at most [`crate::net::SEND_TIMEOUT`], on
//! the link thread, never on a UI thread.

use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, TrySendError, bounded, select};

use super::recorder::{RecorderCommand, RecorderThread};
use super::session::{Action, LinkState, RecordPolicy, RecorderEvent, Session};
use crate::net::{Mode, NetEvent, NoWake, Server, ServerConfig, Waker};
use crate::protocol::{AppMessage, WidgetConfig};

/// Events from the reader threads waiting for the link thread. A game sends ~2 messages per second;
/// only a fast replay fills it, and then the readers block, which pushes back into TCP.
const NET_EVENT_CAPACITY: usize = 256;
/// Commands from the UI waiting for the link thread.
const COMMAND_CAPACITY: usize = 64;
/// Recorder reports waiting for the link thread (a few per game).
const RECORDER_EVENT_CAPACITY: usize = 64;
/// How often an idle link thread looks at the clock (a move's timeout).
const TICK: Duration = Duration::from_millis(200);

#[derive(Debug, Clone)]
pub struct LinkConfig {
    pub listen: String,
    pub max_frame_bytes: u32,
    pub record: RecordPolicy,
    /// Pushed to the widget on every hello.
    pub widget_config: Option<WidgetConfig>,
}

/// What the UI asks of the link.
#[derive(Debug, Clone)]
pub enum LinkCommand {
    /// Sets the settings pushed on every hello, and pushes them now if a widget is connected.
    SetWidgetConfig(WidgetConfig),
    /// Sends one message to the connected widget.
    Send(AppMessage),
    SetRecordPolicy(RecordPolicy),
    /// Listens on another address (the old listener's connection ends).
    Listen(String),
    /// Moves the app and the widget to another address together ([`super::moving`]): listens on
    /// `listen` as well (if that fails, nothing changes), asks the connected widget to connect to
    /// `host` and the new port, and closes the old listener once it has; without a widget connected,
    /// the new listener simply replaces the old one. The outcome shows in `session.widget.moving`.
    MoveWidget {
        listen: String,
        host: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("the link is busy; try again")]
    Busy,
    #[error("the link has stopped")]
    Stopped,
}

/// Handle to the running link. Dropping it stops the threads (the recording is closed and synced).
pub struct LiveLink {
    session: Arc<Mutex<Session>>,
    commands: Option<Sender<LinkCommand>>,
    thread: Option<JoinHandle<()>>,
    local_addr: Arc<Mutex<Option<SocketAddr>>>,
}

impl LiveLink {
    /// Starts the link. A listener that cannot start shows as [`LinkState::ListenFailed`] in the session.
    pub fn start(config: LinkConfig, waker: Arc<dyn Waker>) -> std::io::Result<LiveLink> {
        let mut session = Session::new(config.record.clone());
        session.widget.wanted = config.widget_config.clone();
        let session = Arc::new(Mutex::new(session));
        let (command_tx, command_rx) = bounded(COMMAND_CAPACITY);
        let local_addr = Arc::new(Mutex::new(None));
        let (recorder_tx, recorder_rx) = bounded(RECORDER_EVENT_CAPACITY);
        let recorder = RecorderThread::spawn(recorder_tx)?;
        let (net_tx, net_rx) = bounded(NET_EVENT_CAPACITY);
        let mut worker = Worker {
            session: Arc::clone(&session),
            local_addr: Arc::clone(&local_addr),
            waker,
            net_tx,
            conn_ids: Arc::new(AtomicU64::new(1)),
            max_frame_bytes: config.max_frame_bytes,
            server: None,
            move_server: None,
            recorder,
            actions: Vec::new(),
        };
        worker.listen(&config.listen);
        let thread = std::thread::Builder::new()
            .name("bar-live-link".into())
            .spawn(move || worker.run(net_rx, command_rx, recorder_rx))?;
        Ok(LiveLink {
            session,
            commands: Some(command_tx),
            thread: Some(thread),
            local_addr,
        })
    }

    /// The session, locked. The link thread holds this lock only while it applies one event; keep it
    /// for one frame at most.
    pub fn lock(&self) -> MutexGuard<'_, Session> {
        lock(&self.session)
    }

    /// A shared handle on the session (for a second reader such as the web server).
    pub fn session(&self) -> Arc<Mutex<Session>> {
        Arc::clone(&self.session)
    }

    /// The address the listener is bound to (useful with port 0), once it is up.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        *lock(&self.local_addr)
    }

    /// Queues a command for the link thread without waiting.
    pub fn command(&self, command: LinkCommand) -> Result<(), LinkError> {
        let tx = self.commands.as_ref().ok_or(LinkError::Stopped)?;
        tx.try_send(command).map_err(|e| match e {
            TrySendError::Full(_) => LinkError::Busy,
            TrySendError::Disconnected(_) => LinkError::Stopped,
        })
    }

    /// Stops listening, applies what the readers still had, closes the recording and joins the threads.
    pub fn shutdown(&mut self) {
        self.commands = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for LiveLink {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The link thread's state.
struct Worker {
    session: Arc<Mutex<Session>>,
    local_addr: Arc<Mutex<Option<SocketAddr>>>,
    waker: Arc<dyn Waker>,
    net_tx: Sender<NetEvent>,
    conn_ids: Arc<AtomicU64>,
    max_frame_bytes: u32,
    server: Option<Server>,
    /// The second listener while the widget moves to it.
    move_server: Option<Server>,
    recorder: RecorderThread,
    actions: Vec<Action>,
}

impl Worker {
    fn run(
        &mut self,
        net: Receiver<NetEvent>,
        commands: Receiver<LinkCommand>,
        recorder: Receiver<RecorderEvent>,
    ) {
        loop {
            select! {
                recv(net) -> ev => {
                    if let Ok(ev) = ev {
                        self.on_net(ev);
                    }
                }
                recv(commands) -> c => match c {
                    Ok(c) => self.on_command(c),
                    Err(_) => break,
                },
                recv(recorder) -> ev => {
                    if let Ok(ev) = ev {
                        lock(&self.session).on_recorder(ev);
                        self.waker.wake();
                    }
                }
                default(TICK) => {}
            }
            self.tick();
        }
        // Stop listening while still applying what the readers send, so none of them blocks on a
        // full channel and the recording gets every frame that arrived.
        let stopping: Vec<JoinHandle<()>> = [self.server.take(), self.move_server.take()]
            .into_iter()
            .flatten()
            .filter_map(stop_in_background)
            .collect();
        while stopping.iter().any(|t| !t.is_finished()) || !net.is_empty() {
            if let Ok(ev) = net.recv_timeout(Duration::from_millis(20)) {
                self.on_net(ev);
            }
        }
        self.recorder.shutdown();
        while let Ok(ev) = recorder.try_recv() {
            lock(&self.session).on_recorder(ev);
        }
        self.waker.wake();
    }

    fn on_net(&mut self, ev: NetEvent) {
        {
            let mut session = lock(&self.session);
            session.handle(ev, &mut self.actions);
        }
        self.carry_out_actions();
        self.waker.wake();
    }

    /// Releases the delayed view's due messages ([`super::delayed`]); gives a move up once its time is
    /// over.
    fn tick(&mut self) {
        let (released, moving) = {
            let mut s = lock(&self.session);
            (
                s.release_delayed(crate::time::unix_ms()),
                s.widget.moving.is_moving(),
            )
        };
        if released {
            self.waker.wake();
        }
        if !moving {
            return;
        }
        lock(&self.session).tick(Instant::now(), &mut self.actions);
        if !self.actions.is_empty() {
            self.carry_out_actions();
            self.waker.wake();
        }
    }

    fn on_command(&mut self, command: LinkCommand) {
        match command {
            LinkCommand::SetWidgetConfig(config) => {
                let connected = {
                    let mut session = lock(&self.session);
                    session.widget.wanted = Some(config);
                    session.connected()
                };
                if connected {
                    self.push_config();
                }
            }
            LinkCommand::Send(message) => self.send(&message),
            LinkCommand::SetRecordPolicy(policy) => {
                lock(&self.session).set_record_policy(policy, &mut self.actions);
                self.carry_out_actions();
            }
            LinkCommand::Listen(addr) => {
                if let Some(old) = self.server.take() {
                    let _ = stop_in_background(old);
                }
                if let Some(new) = self.move_server.take() {
                    let _ = stop_in_background(new);
                }
                lock(&self.session).widget.moving.reset();
                self.listen(&addr);
            }
            LinkCommand::MoveWidget { listen, host } => self.move_widget(listen, host),
        }
        self.waker.wake();
    }

    fn carry_out_actions(&mut self) {
        for action in std::mem::take(&mut self.actions) {
            match action {
                Action::PushConfig => self.push_config(),
                Action::StartRecording { map } => {
                    let policy = lock(&self.session).recording.policy.clone();
                    self.recorder.send(RecorderCommand::Start {
                        dir: policy.dir,
                        map,
                        created_unix_ms: crate::time::unix_ms(),
                        keep_last: policy.keep_last,
                    });
                }
                Action::Record {
                    conn,
                    received_unix_ms,
                    payload,
                } => self.recorder.send(RecorderCommand::Frame {
                    conn,
                    received_unix_ms,
                    payload,
                }),
                Action::FlushRecording => self.recorder.send(RecorderCommand::Flush),
                Action::FinishRecording => self.recorder.send(RecorderCommand::Finish),
                Action::AdoptMoveListener => {
                    if let Some(new) = self.move_server.take() {
                        self.serve_on(new);
                    }
                }
                Action::DropMoveListener => {
                    if let Some(new) = self.move_server.take() {
                        let _ = stop_in_background(new);
                    }
                }
            }
        }
    }

    fn push_config(&mut self) {
        let wanted = lock(&self.session).widget.wanted.clone();
        if let Some(config) = wanted {
            self.send(&AppMessage::Config(config));
        }
    }

    fn send(&mut self, message: &AppMessage) {
        if let Some(server) = &self.server
            && let Err(e) = server.send(message)
        {
            log::info!("message to the widget not sent: {e}");
        }
    }

    /// Starts a listener on `addr`, numbering its connections after every other listener's.
    fn bind(&self, addr: &str) -> std::io::Result<Server> {
        let config = ServerConfig {
            listen: addr.to_owned(),
            max_frame_bytes: self.max_frame_bytes,
            conn_ids: Arc::clone(&self.conn_ids),
            mode: Mode::Replace,
        };
        // Events come through the channel (the failure too); the link thread wakes the UI itself once
        // it has applied them.
        Server::start(config, self.net_tx.clone(), Arc::new(NoWake))
    }

    /// Serves the widget on `server` from now on; the previous listener winds down.
    fn serve_on(&mut self, server: Server) {
        let bound = server.local_addr();
        *lock(&self.local_addr) = bound;
        if let Some(bound) = bound {
            let mut session = lock(&self.session);
            session.link.listen_addr = Some(bound.to_string());
            if !session.connected() {
                session.link.state = LinkState::Listening {
                    addr: bound.to_string(),
                };
            }
        }
        if let Some(old) = self.server.replace(server) {
            let _ = stop_in_background(old);
        }
    }

    /// [`LinkCommand::MoveWidget`]: bind first, so a failure changes nothing.
    fn move_widget(&mut self, listen: String, host: String) {
        if let Some(previous) = self.move_server.take() {
            let _ = stop_in_background(previous);
        }
        let (from, connected) = {
            let s = lock(&self.session);
            (s.link.listen_addr.clone(), s.connected())
        };
        let server = match self.bind(&listen) {
            Ok(server) => server,
            Err(e) => {
                log::warn!("cannot listen on {listen} for the move: {e}");
                let mut s = lock(&self.session);
                s.widget
                    .moving
                    .bind_failed(listen, &e.to_string(), from.as_deref());
                return;
            }
        };
        let Some(bound) = server.local_addr() else {
            lock(&self.session).widget.moving.bind_failed(
                listen,
                "no local address",
                from.as_deref(),
            );
            return;
        };
        if !connected {
            self.serve_on(server);
            lock(&self.session)
                .widget
                .moving
                .relistened(listen, host, bound.port());
            return;
        }
        let ask = AppMessage::Config(WidgetConfig {
            host: Some(host.clone()),
            port: Some(bound.port()),
            ..WidgetConfig::default()
        });
        let sent = match &self.server {
            Some(old) => old.send(&ask).map(|_| ()).map_err(|e| e.to_string()),
            None => Err("no listener".to_owned()),
        };
        let mut s = lock(&self.session);
        match sent {
            Ok(()) => {
                let from = from.unwrap_or_default();
                s.widget
                    .moving
                    .start(listen, bound, host, from, Instant::now());
                self.move_server = Some(server);
            }
            Err(e) => {
                s.widget.moving.not_asked(listen, &e);
                drop(s);
                let _ = stop_in_background(server);
            }
        }
    }

    fn listen(&mut self, addr: &str) {
        match self.bind(addr) {
            Ok(server) => self.serve_on(server),
            Err(e) => {
                log::error!("cannot listen on {addr}: {e}");
                *lock(&self.local_addr) = None;
                let mut session = lock(&self.session);
                session.link.state = LinkState::ListenFailed {
                    addr: addr.to_owned(),
                    error: e.to_string(),
                };
            }
        }
    }
}

/// Shuts a listener down on its own thread: it joins its readers, which may be waiting for the link
/// thread to take their last events.
fn stop_in_background(server: Server) -> Option<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("bar-live-listener-stop".into())
        .spawn(move || server.shutdown())
        .map_err(|e| log::error!("cannot start a thread to stop the listener: {e}"))
        .ok()
}
