//! The web overlay server: browser-source pages for OBS, fed over WebSockets from the live session,
//! with an optional stream delay (docs/OVERLAY.md).
//!
//! One thread accepts connections and reads request heads from all of them without blocking (a client
//! that sends half a request holds no thread and is dropped after [`HEAD_TIMEOUT`]); complete requests go
//! to short-lived worker threads (pages, the API) or to one thread per WebSocket page, both bounded.
//! Writes time out, so a page that stops reading costs only its own thread. Nothing here runs on the UI
//! thread, and the session lock is held only while one snapshot is built.
//!
//! Why our own loop over `httparse` + `tungstenite` rather than a framework: the server needs exactly
//! one GET per connection and one push stream, must bound connections and threads itself, and must not
//! bring an async runtime into an app built on blocking threads. Both libraries are well kept; the
//! loop is ~200 lines and is tested against hostile clients.

pub mod assets;
pub mod build_order;
pub mod http;
pub mod snapshot;
mod ws;

use std::collections::VecDeque;
use std::io::{ErrorKind, Read};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::live::Session;
use http::{Request, error_response, response, send_and_close};
use snapshot::{Query, Snapshot};

/// Where the web server listens by default.
pub const DEFAULT_WEB_LISTEN: &str = "127.0.0.1:9877";
/// Connections whose request head is still being read; the oldest is dropped for a new one.
pub const MAX_PENDING: usize = 128;
/// Pages connected over WebSocket at once (the index page alone opens 11).
pub const MAX_WS_CLIENTS: usize = 48;
/// Plain requests being answered at once.
pub const MAX_HTTP_WORKERS: usize = 16;
/// Time a client has to send its request head.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest a write to a client may block.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(2);
/// The user's `overlay.css` is served up to this size.
pub const MAX_USER_CSS_BYTES: u64 = 256 * 1024;

#[derive(Debug, Clone)]
pub struct WebConfig {
    pub listen: String,
    /// Stream delay for pages that do not ask for one, in seconds.
    pub default_delay_s: f64,
    /// The streamer's `overlay.css`, served after the built-in style (it may not exist).
    pub user_css: Option<PathBuf>,
}

/// What the threads share.
pub(crate) struct Shared {
    session: Arc<Mutex<Session>>,
    stop: AtomicBool,
    default_delay_ms: AtomicU64,
    user_css: Option<PathBuf>,
    ws_clients: AtomicUsize,
    http_workers: AtomicUsize,
    /// Connections refused because a limit was reached.
    refused: AtomicU64,
}

impl Shared {
    fn default_delay_s(&self) -> f64 {
        self.default_delay_ms.load(Ordering::Relaxed) as f64 / 1000.0
    }

    fn snapshot(&self, query: &Query, with_history: bool) -> Snapshot {
        let session = self.session.lock().unwrap_or_else(|p| p.into_inner());
        snapshot::build(&session, query, crate::time::unix_ms(), with_history)
    }
}

/// Handle to the running server; dropping it stops it (pages see the socket close and reconnect).
pub struct WebServer {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    local_addr: SocketAddr,
}

impl WebServer {
    /// Binds `config.listen` (the caller checks it against `--allow-remote`) and starts serving.
    pub fn start(config: WebConfig, session: Arc<Mutex<Session>>) -> std::io::Result<WebServer> {
        let listener = TcpListener::bind(&config.listen)?;
        listener.set_nonblocking(true)?;
        let local_addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            session,
            stop: AtomicBool::new(false),
            default_delay_ms: AtomicU64::new(delay_ms(config.default_delay_s)),
            user_css: config.user_css,
            ws_clients: AtomicUsize::new(0),
            http_workers: AtomicUsize::new(0),
            refused: AtomicU64::new(0),
        });
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("bar-live-web".into())
            .spawn(move || accept_loop(listener, thread_shared))?;
        log::info!("overlay pages on http://{local_addr}/");
        Ok(WebServer {
            shared,
            thread: Some(thread),
            local_addr,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Changes the delay of pages that do not ask for their own (seconds, clamped to 0–600).
    pub fn set_default_delay_s(&self, delay_s: f64) {
        self.shared
            .default_delay_ms
            .store(delay_ms(delay_s), Ordering::Relaxed);
    }

    /// Pages connected over WebSocket now.
    pub fn ws_clients(&self) -> usize {
        self.shared.ws_clients.load(Ordering::SeqCst)
    }

    /// Connections refused so far because a limit was reached.
    pub fn refused(&self) -> u64 {
        self.shared.refused.load(Ordering::SeqCst)
    }

    pub fn shutdown(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for WebServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn delay_ms(delay_s: f64) -> u64 {
    let d = if delay_s.is_finite() { delay_s } else { 0.0 };
    (d.clamp(0.0, snapshot::MAX_DELAY_S) * 1000.0) as u64
}

/// A connection whose request head is still arriving.
struct Pending {
    stream: TcpStream,
    buf: Vec<u8>,
    since: Instant,
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut pending: VecDeque<Pending> = VecDeque::new();
    while !shared.stop.load(Ordering::SeqCst) {
        loop {
            match listener.accept() {
                Ok((stream, _)) => {
                    if stream.set_nonblocking(true).is_err() {
                        continue;
                    }
                    if pending.len() >= MAX_PENDING {
                        // The oldest half-sent request makes room: it had the longest chance.
                        pending.pop_front();
                        shared.refused.fetch_add(1, Ordering::SeqCst);
                    }
                    pending.push_back(Pending {
                        stream,
                        buf: Vec::with_capacity(1024),
                        since: Instant::now(),
                    });
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) => {
                    log::warn!("web: accept failed: {e}");
                    break;
                }
            }
        }
        let mut i = 0;
        while i < pending.len() {
            match poll_head(&mut pending[i]) {
                HeadProgress::Waiting => i += 1,
                HeadProgress::Done(outcome) => {
                    if let Some(p) = pending.remove(i) {
                        finish(p.stream, outcome, &shared);
                    }
                }
            }
        }
        std::thread::sleep(if pending.is_empty() {
            Duration::from_millis(20)
        } else {
            Duration::from_millis(5)
        });
    }
    // Pages see their sockets close and reconnect on their own; WebSocket threads end at their next
    // tick (they watch `stop`).
}

enum HeadProgress {
    Waiting,
    Done(Result<Request, (u16, String)>),
}

/// Reads what has arrived of a request head, without blocking.
fn poll_head(p: &mut Pending) -> HeadProgress {
    let mut chunk = [0u8; 2048];
    loop {
        match p.stream.read(&mut chunk) {
            Ok(0) => return HeadProgress::Done(Err((0, "closed".into()))),
            Ok(n) => {
                p.buf.extend_from_slice(&chunk[..n]);
                match http::parse_head(&p.buf) {
                    Ok(Some(req)) => return HeadProgress::Done(Ok(req)),
                    Ok(None) => continue,
                    Err(e) => return HeadProgress::Done(Err((e.status(), e.to_string()))),
                }
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => return HeadProgress::Done(Err((0, "read error".into()))),
        }
    }
    if p.since.elapsed() >= HEAD_TIMEOUT {
        HeadProgress::Done(Err((408, "the request head did not arrive in time".into())))
    } else {
        HeadProgress::Waiting
    }
}

/// Hands a complete request to its thread, or answers an error.
fn finish(stream: TcpStream, outcome: Result<Request, (u16, String)>, shared: &Arc<Shared>) {
    let request = match outcome {
        Ok(r) => r,
        Err((0, _)) => return, // the client went away
        Err((status, message)) => return best_effort(stream, &error_response(status, &message)),
    };
    if stream.set_nonblocking(false).is_err()
        || stream.set_write_timeout(Some(WRITE_TIMEOUT)).is_err()
    {
        return;
    }
    let (counter, limit, name) = if request.websocket && request.path == "/ws" {
        (&shared.ws_clients, MAX_WS_CLIENTS, "bar-live-web-page")
    } else {
        (
            &shared.http_workers,
            MAX_HTTP_WORKERS,
            "bar-live-web-request",
        )
    };
    if counter.fetch_add(1, Ordering::SeqCst) >= limit {
        counter.fetch_sub(1, Ordering::SeqCst);
        shared.refused.fetch_add(1, Ordering::SeqCst);
        return best_effort(
            stream,
            &error_response(503, "too many connections; retry soon"),
        );
    }
    let worker = Arc::clone(shared);
    let spawned = std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let counter = if request.websocket && request.path == "/ws" {
                ws::serve(stream, request, &worker);
                &worker.ws_clients
            } else {
                send_and_close(stream, &route(&request, &worker));
                &worker.http_workers
            };
            counter.fetch_sub(1, Ordering::SeqCst);
        });
    if let Err(e) = spawned {
        log::error!("web: cannot start a thread: {e}");
        counter.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Writes an error without waiting (the client may not be reading) and closes.
fn best_effort(stream: TcpStream, bytes: &[u8]) {
    let _ = stream.set_nonblocking(true);
    send_and_close(stream, bytes);
}

/// The response to a plain GET.
fn route(request: &Request, shared: &Shared) -> Vec<u8> {
    if request.method != "GET" {
        return error_response(405, "only GET is served");
    }
    match request.path.as_str() {
        "/ws" => error_response(426, "/ws is a WebSocket endpoint"),
        "/api/snapshot" => {
            let query = Query::parse(&request.query, shared.default_delay_s());
            match serde_json::to_vec(&shared.snapshot(&query, true)) {
                Ok(json) => response(200, "application/json", &json),
                Err(e) => error_response(500, &e.to_string()),
            }
        }
        "/user.css" => response(200, assets::CSS, &user_css(shared.user_css.as_deref())),
        path => match assets::get(path) {
            Some((ctype, bytes)) => response(200, ctype, bytes),
            None => error_response(404, "no such page"),
        },
    }
}

/// The streamer's style sheet, or an empty one (missing, unreadable or too big: said in a comment).
fn user_css(path: Option<&std::path::Path>) -> Vec<u8> {
    let Some(path) = path else {
        return Vec::new();
    };
    match std::fs::metadata(path) {
        Err(_) => Vec::new(),
        Ok(m) if m.len() > MAX_USER_CSS_BYTES => format!(
            "/* {} is over {} KiB and was not loaded */\n",
            path.display(),
            MAX_USER_CSS_BYTES / 1024
        )
        .into_bytes(),
        Ok(_) => std::fs::read(path).unwrap_or_default(),
    }
}
