//! The listener: accepts widget connections and runs one blocking reader thread per connection.
//!
//! Two modes ([`Mode`]):
//! - [`Mode::Replace`] (the app, `record`, `serve`): a new connection replaces the current one (a
//!   reloaded widget must not be locked out by its own half-open socket, nor by a slow-drip peer); frames
//!   are decoded on the reader thread, and a message that breaks the protocol ends its connection.
//! - [`Mode::Inspect`] (`check`): connections are served side by side, up to a limit; frames are handed
//!   over raw ([`NetEvent::Frame`]) for the consumer to validate, and only a framing error (after which
//!   the stream cannot be resynchronised) ends a connection.
//!
//! Events go out over a bounded channel; when the consumer falls behind the reader blocks, which pushes
//! back into TCP and the widget's own bounded queue.

use std::io::{self, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::Sender;

use super::event::{ConnId, NetEvent};
use super::waker::Waker;
use crate::protocol::{self, AppMessage, DEFAULT_MAX_FRAME_BYTES, ProtocolError};
use crate::time::unix_ms;

/// How often the accept loop checks for shutdown.
const ACCEPT_POLL_MS: u64 = 20;

/// How often a reader waiting on a quiet connection checks whether it was replaced or the listener is
/// stopping. Windows only: there (and under Wine) a `shutdown` from another thread does not wake a
/// `recv` blocked on the same socket, so the reader of a replaced connection would wait for its peer
/// forever (and [`Server::shutdown`] would wait for that reader). Elsewhere the shutdown wakes the
/// reader at once, and reads block with no timeout.
const READ_POLL: Option<Duration> = if cfg!(windows) {
    Some(Duration::from_millis(200))
} else {
    None
};

/// Longest a write to the widget may block (a widget that stopped reading must not stall the sender).
pub const SEND_TIMEOUT: Duration = Duration::from_secs(2);

/// How the listener treats connections (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Replace,
    Inspect { max_connections: usize },
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub listen: String,
    pub max_frame_bytes: u32,
    /// Where connection numbers come from: servers that share it never reuse a number (a listener
    /// restarted on another port while the old one winds down).
    pub conn_ids: Arc<AtomicU64>,
    pub mode: Mode,
}

impl ServerConfig {
    /// A replacing listener on `listen` with its own connection numbers (from 1).
    pub fn new(listen: impl Into<String>, max_frame_bytes: u32) -> ServerConfig {
        ServerConfig {
            listen: listen.into(),
            max_frame_bytes,
            conn_ids: Arc::new(AtomicU64::new(1)),
            mode: Mode::Replace,
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig::new(protocol::DEFAULT_LISTEN, DEFAULT_MAX_FRAME_BYTES)
    }
}

/// A connection being served, with a write handle for app→widget messages.
struct Open {
    conn: ConnId,
    stream: TcpStream,
}

struct Shared {
    stop: AtomicBool,
    mode: Mode,
    /// Oldest first; in [`Mode::Replace`] at most one.
    open: Mutex<Vec<Open>>,
    next_conn: Arc<AtomicU64>,
}

impl Shared {
    fn open(&self) -> MutexGuard<'_, Vec<Open>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Handle to the running listener. Dropping it stops the threads and joins them.
pub struct Server {
    shared: Arc<Shared>,
    accept_thread: Mutex<Option<JoinHandle<()>>>,
    local_addr: Option<SocketAddr>,
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("no widget is connected")]
    NotConnected,
    #[error("could not write to the widget: {0}")]
    Io(#[from] io::Error),
}

impl Server {
    /// Binds and starts the accept thread. A bind failure is returned and also reported as
    /// [`NetEvent::ListenFailed`] so a UI that only watches events sees it.
    pub fn start(
        config: ServerConfig,
        events: Sender<NetEvent>,
        waker: Arc<dyn Waker>,
    ) -> io::Result<Server> {
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            mode: config.mode,
            open: Mutex::new(Vec::new()),
            next_conn: Arc::clone(&config.conn_ids),
        });
        let listener = match TcpListener::bind(&config.listen) {
            Ok(l) => l,
            Err(e) => {
                let _ = events.try_send(NetEvent::ListenFailed {
                    addr: config.listen.clone(),
                    error: e.to_string(),
                });
                waker.wake();
                return Err(e);
            }
        };
        listener.set_nonblocking(true)?;
        let local_addr = listener.local_addr().ok();
        if let Some(addr) = local_addr {
            log::info!("listening on {addr}");
            // Never blocks: the caller may be the channel's only consumer (it also has `local_addr`).
            let _ = events.try_send(NetEvent::Listening { addr });
            waker.wake();
        }
        let thread_shared = Arc::clone(&shared);
        let accept_thread = std::thread::Builder::new()
            .name("bar-live-accept".into())
            .spawn(move || accept_loop(listener, config, thread_shared, events, waker))?;
        Ok(Server {
            shared,
            accept_thread: Mutex::new(Some(accept_thread)),
            local_addr,
        })
    }

    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.local_addr
    }

    /// Sends one app→widget message to the newest connection, as one whole frame. Blocks for at most
    /// [`SEND_TIMEOUT`]; a widget that stopped reading gets its connection closed (a frame cut short
    /// cannot be resumed). Never call this from a UI thread.
    pub fn send(&self, message: &AppMessage) -> Result<ConnId, SendError> {
        self.send_where(message, |_| true)
    }

    /// [`Server::send`] to connection `conn`.
    pub fn send_to(&self, conn: ConnId, message: &AppMessage) -> Result<ConnId, SendError> {
        self.send_where(message, |c| c == conn)
    }

    fn send_where(
        &self,
        message: &AppMessage,
        which: impl Fn(ConnId) -> bool,
    ) -> Result<ConnId, SendError> {
        let frame = protocol::frame::encode_frame(&protocol::encode_app(message))
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
        let mut open = self.shared.open();
        let target = open
            .iter_mut()
            .rev()
            .find(|o| which(o.conn))
            .ok_or(SendError::NotConnected)?;
        if let Err(e) = target.stream.write_all(&frame) {
            let _ = target.stream.shutdown(std::net::Shutdown::Both);
            return Err(e.into());
        }
        Ok(target.conn)
    }

    /// The id of the newest connection being served, if any.
    pub fn current_conn(&self) -> Option<ConnId> {
        self.shared.open().last().map(|o| o.conn)
    }

    /// Stops accepting, closes every connection and joins the accept thread (and through it the
    /// readers, which may wait for the consumer to take their last events: keep consuming meanwhile).
    pub fn shutdown(&self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        for o in self.shared.open().drain(..) {
            let _ = o.stream.shutdown(std::net::Shutdown::Both);
        }
        let thread = self
            .accept_thread
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(t) = thread {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn accept_loop(
    listener: TcpListener,
    config: ServerConfig,
    shared: Arc<Shared>,
    events: Sender<NetEvent>,
    waker: Arc<dyn Waker>,
) {
    let mut readers: Vec<JoinHandle<()>> = Vec::new();
    while !shared.stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, peer)) => {
                readers.retain(|h| !h.is_finished());
                if !accept_one(
                    stream,
                    peer,
                    &config,
                    &shared,
                    &events,
                    &waker,
                    &mut readers,
                ) {
                    break;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(ACCEPT_POLL_MS));
            }
            Err(e) => {
                log::warn!("accept failed: {e}");
                std::thread::sleep(Duration::from_millis(ACCEPT_POLL_MS));
            }
        }
    }
    for h in readers {
        let _ = h.join();
    }
}

/// Sets up one accepted connection and starts its reader; false when the event consumer is gone.
fn accept_one(
    stream: TcpStream,
    peer: SocketAddr,
    config: &ServerConfig,
    shared: &Arc<Shared>,
    events: &Sender<NetEvent>,
    waker: &Arc<dyn Waker>,
    readers: &mut Vec<JoinHandle<()>>,
) -> bool {
    if let Mode::Inspect { max_connections } = shared.mode
        && shared.open().len() >= max_connections
    {
        log::warn!("connection from {peer} refused: {max_connections} already open");
        return true; // dropping the stream closes it
    }
    let conn = shared.next_conn.fetch_add(1, Ordering::SeqCst);
    let writer = stream
        .set_nonblocking(false)
        .and_then(|_| stream.set_read_timeout(READ_POLL))
        .and_then(|_| stream.set_nodelay(true))
        .and_then(|_| stream.set_write_timeout(Some(SEND_TIMEOUT)))
        .and_then(|_| stream.try_clone());
    let writer = match writer {
        Ok(w) => w,
        Err(e) => {
            log::warn!("connection {conn} from {peer}: socket setup failed: {e}");
            return true;
        }
    };
    let replaced: Vec<Open> = {
        let mut open = shared.open();
        let replaced = match shared.mode {
            Mode::Replace => std::mem::take(&mut *open),
            Mode::Inspect { .. } => Vec::new(),
        };
        open.push(Open {
            conn,
            stream: writer,
        });
        replaced
    };
    // Announce the new connection before closing the one it replaces, so consumers always see
    // `Connected` of the new before `Disconnected` of the old.
    log::info!("connection {conn} from {peer}");
    let consumer_gone = events.send(NetEvent::Connected { conn, peer }).is_err();
    for old in replaced {
        log::info!("connection {} replaced by {conn}", old.conn);
        let _ = old.stream.shutdown(std::net::Shutdown::Both);
    }
    if consumer_gone {
        return false;
    }
    waker.wake();
    let ctx = ReaderCtx {
        conn,
        max_frame_bytes: config.max_frame_bytes,
        shared: Arc::clone(shared),
        events: events.clone(),
        waker: Arc::clone(waker),
    };
    match std::thread::Builder::new()
        .name(format!("bar-live-conn-{conn}"))
        .spawn(move || reader_loop(stream, ctx))
    {
        Ok(h) => readers.push(h),
        Err(e) => log::error!("cannot start reader thread for connection {conn}: {e}"),
    }
    true
}

struct ReaderCtx {
    conn: ConnId,
    max_frame_bytes: u32,
    shared: Arc<Shared>,
    events: Sender<NetEvent>,
    waker: Arc<dyn Waker>,
}

fn reader_loop(stream: TcpStream, ctx: ReaderCtx) {
    let reason = read_messages(&stream, &ctx);
    // Forget the write handle (it is gone already if a newer connection replaced it).
    ctx.shared.open().retain(|o| o.conn != ctx.conn);
    let _ = stream.shutdown(std::net::Shutdown::Both);
    log::info!("connection {} closed: {reason}", ctx.conn);
    let _ = ctx.events.send(NetEvent::Disconnected {
        conn: ctx.conn,
        reason,
    });
    ctx.waker.wake();
}

/// True when a newer connection took over (its shutdown of ours explains a cut frame).
fn replaced(ctx: &ReaderCtx) -> bool {
    ctx.shared.stop.load(Ordering::SeqCst) || !ctx.shared.open().iter().any(|o| o.conn == ctx.conn)
}

/// Reads until the connection ends; returns the human reason it ended.
fn read_messages(stream: &TcpStream, ctx: &ReaderCtx) -> String {
    let until_replaced = UntilAbandoned {
        inner: stream,
        abandoned: || replaced(ctx),
    };
    let mut reader = BufReader::with_capacity(64 * 1024, until_replaced);
    let mut buf = Vec::new();
    loop {
        let error = match protocol::read_frame(&mut reader, ctx.max_frame_bytes, &mut buf) {
            Ok(false) => {
                return if ctx.shared.stop.load(Ordering::SeqCst) {
                    "app shutting down".into()
                } else {
                    "closed by the widget (or replaced by a newer connection)".into()
                };
            }
            Ok(true) => match deliver(&buf, ctx) {
                Delivered::Ok => continue,
                Delivered::ConsumerGone => return "event consumer gone".into(),
                Delivered::Invalid(e) => e,
            },
            // Our own shutdown cuts the socket, which can end a frame early: not the peer's fault.
            Err(e) if ctx.shared.stop.load(Ordering::SeqCst) => {
                return format!("app shutting down ({e})");
            }
            Err(protocol::FrameError::Io(e))
                if e.kind() == io::ErrorKind::ConnectionAborted && replaced(ctx) =>
            {
                return "replaced by a newer connection".into();
            }
            Err(protocol::FrameError::Io(e)) => return format!("read error: {e}"),
            Err(e) if replaced(ctx) => return format!("replaced by a newer connection ({e})"),
            Err(e) => ProtocolError::Frame(e),
        };
        let reason = format!("protocol error: {error}");
        log::warn!("connection {}: {reason}", ctx.conn);
        let _ = ctx.events.send(NetEvent::ProtocolError {
            conn: ctx.conn,
            error: Arc::new(error),
        });
        ctx.waker.wake();
        return reason;
    }
}

/// A blocking read that gives up once `abandoned()` says so. A read that times out (the socket's read
/// timeout, [`READ_POLL`]) is retried unless the connection was abandoned meanwhile, then it fails with
/// [`io::ErrorKind::ConnectionAborted`]. A timed-out read consumes nothing, so a frame that arrives in
/// pieces across timeouts is read whole. Without a read timeout this is a plain read.
struct UntilAbandoned<R, F> {
    inner: R,
    abandoned: F,
}

impl<R: Read, F: Fn() -> bool> Read for UntilAbandoned<R, F> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.inner.read(buf) {
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    if (self.abandoned)() {
                        return Err(io::Error::new(
                            io::ErrorKind::ConnectionAborted,
                            "connection abandoned",
                        ));
                    }
                }
                r => return r,
            }
        }
    }
}

enum Delivered {
    Ok,
    ConsumerGone,
    /// The message broke the protocol ([`Mode::Replace`] only): the connection ends.
    Invalid(ProtocolError),
}

/// Hands one frame to the consumer: decoded ([`Mode::Replace`]) or raw ([`Mode::Inspect`]).
fn deliver(payload: &[u8], ctx: &ReaderCtx) -> Delivered {
    let event = match ctx.shared.mode {
        Mode::Inspect { .. } => NetEvent::Frame {
            conn: ctx.conn,
            received_unix_ms: unix_ms(),
            payload: Arc::from(payload),
        },
        Mode::Replace => match protocol::decode_widget(payload) {
            Ok(message) => NetEvent::Message {
                conn: ctx.conn,
                received_unix_ms: unix_ms(),
                payload: Arc::from(payload),
                message: Box::new(message),
            },
            Err(e) => return Delivered::Invalid(e),
        },
    };
    if ctx.events.send(event).is_err() {
        return Delivered::ConsumerGone;
    }
    ctx.waker.wake();
    Delivered::Ok
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// A connected pair: (the side we read, the side that writes).
    fn pair() -> (TcpStream, TcpStream) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let w = TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let (r, _) = l.accept().unwrap();
        (r, w)
    }

    /// The read timeout (as on Windows) neither cuts a frame that arrives in pieces nor ends a quiet
    /// connection; once abandoned, the blocked read gives up at the next timeout.
    #[test]
    fn a_timed_out_read_retries_until_abandoned() {
        let (r, mut w) = pair();
        r.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
        let abandoned = AtomicBool::new(false);
        let mut reader = UntilAbandoned {
            inner: &r,
            abandoned: || abandoned.load(Ordering::SeqCst),
        };
        let writer = std::thread::spawn(move || {
            w.write_all(&[1, 2]).unwrap();
            std::thread::sleep(Duration::from_millis(120));
            w.write_all(&[3, 4, 5]).unwrap();
            w
        });
        let mut got = [0u8; 5];
        reader.read_exact(&mut got).unwrap();
        assert_eq!(got, [1, 2, 3, 4, 5]);
        let _w = writer.join().unwrap();

        abandoned.store(true, Ordering::SeqCst);
        let started = std::time::Instant::now();
        let e = reader.read(&mut got).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::ConnectionAborted);
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
