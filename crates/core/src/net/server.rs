//! The listener: accepts widget connections and runs one blocking reader thread per connection.
//!
//! A new connection replaces the current one (a reloaded widget must not be locked out by its own
//! half-open socket, nor by a slow-drip peer). Events go out over a bounded channel; when the consumer
//! falls behind the reader blocks, which pushes back into TCP and the widget's own bounded queue.

use std::io::{self, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::Sender;

use super::event::{ConnId, NetEvent};
use super::waker::Waker;
use crate::protocol::{self, AppMessage, DEFAULT_MAX_FRAME_BYTES, ProtocolError};
use crate::time::unix_ms;

/// How often the accept loop checks for shutdown.
const ACCEPT_POLL_MS: u64 = 20;

/// Longest a write to the widget may block (a widget that stopped reading must not stall the sender).
pub const SEND_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub listen: String,
    pub max_frame_bytes: u32,
    /// Where connection numbers come from: servers that share it never reuse a number (a listener
    /// restarted on another port while the old one winds down).
    pub conn_ids: Arc<AtomicU64>,
}

impl ServerConfig {
    /// A listener on `listen` with the default frame cap and its own connection numbers (from 1).
    pub fn new(listen: impl Into<String>, max_frame_bytes: u32) -> ServerConfig {
        ServerConfig {
            listen: listen.into(),
            max_frame_bytes,
            conn_ids: Arc::new(AtomicU64::new(1)),
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig::new(protocol::DEFAULT_LISTEN, DEFAULT_MAX_FRAME_BYTES)
    }
}

/// The connection currently served, with a write handle for app→widget messages.
struct Current {
    conn: ConnId,
    stream: TcpStream,
}

struct Shared {
    stop: AtomicBool,
    current: Mutex<Option<Current>>,
    next_conn: Arc<AtomicU64>,
}

/// Handle to the running listener. Dropping it stops the threads and joins them.
pub struct Server {
    shared: Arc<Shared>,
    accept_thread: Option<JoinHandle<()>>,
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
            current: Mutex::new(None),
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
            accept_thread: Some(accept_thread),
            local_addr,
        })
    }

    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.local_addr
    }

    /// Sends one app→widget message to the current connection, as one whole frame. Blocks for at most
    /// [`SEND_TIMEOUT`]; a widget that stopped reading gets its connection closed (a frame cut short
    /// cannot be resumed). Never call this from a UI thread.
    pub fn send(&self, message: &AppMessage) -> Result<ConnId, SendError> {
        let frame = protocol::frame::encode_frame(&protocol::encode_app(message))
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
        let mut guard = self
            .shared
            .current
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let current = guard.as_mut().ok_or(SendError::NotConnected)?;
        if let Err(e) = current.stream.write_all(&frame) {
            let _ = current.stream.shutdown(std::net::Shutdown::Both);
            return Err(e.into());
        }
        Ok(current.conn)
    }

    /// The id of the connection being served, if any.
    pub fn current_conn(&self) -> Option<ConnId> {
        self.shared
            .current
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map(|c| c.conn)
    }

    /// Stops accepting, closes the current connection and joins the accept thread.
    pub fn shutdown(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(cur) = self
            .shared
            .current
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            let _ = cur.stream.shutdown(std::net::Shutdown::Both);
        }
        if let Some(t) = self.accept_thread.take() {
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
                let conn = shared.next_conn.fetch_add(1, Ordering::SeqCst);
                if let Err(e) = stream
                    .set_nonblocking(false)
                    .and_then(|_| stream.set_nodelay(true))
                    .and_then(|_| stream.set_write_timeout(Some(SEND_TIMEOUT)))
                {
                    log::warn!("connection {conn} from {peer}: socket setup failed: {e}");
                    continue;
                }
                let writer = match stream.try_clone() {
                    Ok(w) => w,
                    Err(e) => {
                        log::warn!("connection {conn} from {peer}: cannot clone socket: {e}");
                        continue;
                    }
                };
                // Replace the current connection: shutting it down unblocks its reader with EOF.
                let previous = shared
                    .current
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .replace(Current {
                        conn,
                        stream: writer,
                    });
                // Announce the new connection before closing the old one, so consumers always see
                // `Connected` of the new before `Disconnected` of the replaced connection.
                log::info!("connection {conn} from {peer}");
                let consumer_gone = events.send(NetEvent::Connected { conn, peer }).is_err();
                if let Some(prev) = previous {
                    log::info!("connection {} replaced by {conn}", prev.conn);
                    let _ = prev.stream.shutdown(std::net::Shutdown::Both);
                }
                if consumer_gone {
                    break;
                }
                waker.wake();
                let ctx = ReaderCtx {
                    conn,
                    max_frame_bytes: config.max_frame_bytes,
                    shared: Arc::clone(&shared),
                    events: events.clone(),
                    waker: Arc::clone(&waker),
                };
                match std::thread::Builder::new()
                    .name(format!("bar-live-conn-{conn}"))
                    .spawn(move || reader_loop(stream, ctx))
                {
                    Ok(h) => readers.push(h),
                    Err(e) => log::error!("cannot start reader thread for connection {conn}: {e}"),
                }
                readers.retain(|h| !h.is_finished());
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

struct ReaderCtx {
    conn: ConnId,
    max_frame_bytes: u32,
    shared: Arc<Shared>,
    events: Sender<NetEvent>,
    waker: Arc<dyn Waker>,
}

fn reader_loop(stream: TcpStream, ctx: ReaderCtx) {
    let reason = read_messages(&stream, &ctx);
    // Forget the write handle only if it is still ours (a newer connection may have replaced it).
    {
        let mut cur = ctx.shared.current.lock().unwrap_or_else(|p| p.into_inner());
        if cur.as_ref().is_some_and(|c| c.conn == ctx.conn) {
            *cur = None;
        }
    }
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
    let cur = ctx.shared.current.lock().unwrap_or_else(|p| p.into_inner());
    ctx.shared.stop.load(Ordering::SeqCst) || cur.as_ref().is_none_or(|c| c.conn != ctx.conn)
}

/// Reads until the connection ends; returns the human reason it ended.
fn read_messages(stream: &TcpStream, ctx: &ReaderCtx) -> String {
    let mut reader = BufReader::with_capacity(64 * 1024, stream);
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
            Ok(true) => match protocol::decode_widget(&buf) {
                Ok(message) => {
                    let ev = NetEvent::Message {
                        conn: ctx.conn,
                        received_unix_ms: unix_ms(),
                        payload: Arc::from(buf.as_slice()),
                        message: Box::new(message),
                    };
                    if ctx.events.send(ev).is_err() {
                        return "event consumer gone".into();
                    }
                    ctx.waker.wake();
                    continue;
                }
                Err(e) => e,
            },
            // Our own shutdown cuts the socket, which can end a frame early: not the peer's fault.
            Err(e) if ctx.shared.stop.load(Ordering::SeqCst) => {
                return format!("app shutting down ({e})");
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
