//! One overlay page on a WebSocket: a full snapshot on connect, then updates as the (delayed) game
//! advances, a new snapshot when the game or its teams change, a ping every few seconds.

use std::io::Write;
use std::net::TcpStream;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use tungstenite::handshake::derive_accept_key;
use tungstenite::protocol::{Role, WebSocketConfig};
use tungstenite::{Message, WebSocket};

use super::Shared;
use super::http::{Request, error_response, send_and_close};
use super::snapshot::{Query, Snapshot};

/// How often a page gets the game's progress (≥ 2 Hz, as the pages promise).
const PUSH_INTERVAL: Duration = Duration::from_millis(500);
/// How often an idle connection is pinged (and a dead one noticed).
const PING_INTERVAL: Duration = Duration::from_secs(10);
/// How long a read waits before the loop looks at the clock again.
const READ_TICK: Duration = Duration::from_millis(250);
/// Pages never need to send more than a close or a pong.
const MAX_INCOMING_BYTES: usize = 16 * 1024;

/// Completes the upgrade and serves the page until it leaves, the server stops, or it stops reading.
pub fn serve(mut stream: TcpStream, request: Request, shared: &Shared) {
    let key = match (&request.websocket_key, request.websocket_version.as_deref()) {
        (Some(k), Some("13")) => k.clone(),
        _ => {
            return send_and_close(
                stream,
                &error_response(
                    400,
                    "a WebSocket upgrade needs Sec-WebSocket-Key and version 13",
                ),
            );
        }
    };
    let accept = derive_accept_key(key.as_bytes());
    let head = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {accept}\r\n\r\n"
    );
    if stream.write_all(head.as_bytes()).is_err()
        || stream.set_read_timeout(Some(READ_TICK)).is_err()
    {
        return;
    }
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_INCOMING_BYTES))
        .max_frame_size(Some(MAX_INCOMING_BYTES));
    let mut ws = WebSocket::from_partially_read(stream, request.rest, Role::Server, Some(config));
    let query = Query::parse(&request.query, shared.default_delay_s());
    let mut page = Page::default();
    let mut last_ping = Instant::now();
    let mut next_push = Instant::now();
    while !shared.stop.load(Ordering::SeqCst) {
        if Instant::now() >= next_push {
            next_push = Instant::now() + PUSH_INTERVAL;
            if let Some(text) = page.next_message(shared, &query)
                && ws.send(Message::text(text)).is_err()
            {
                return; // gone, or not reading (the write timed out)
            }
        }
        if last_ping.elapsed() >= PING_INTERVAL {
            last_ping = Instant::now();
            if ws.send(Message::Ping(Vec::new().into())).is_err() {
                return;
            }
        }
        match ws.read() {
            Ok(Message::Close(_)) => break,
            Ok(_) => {}
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return,
        }
    }
    let _ = ws.close(None);
    let _ = ws.flush();
}

/// What this page was last sent.
#[derive(Default)]
struct Page {
    /// Game and team set of the last message (a change means a new snapshot).
    identity: Option<String>,
    game_seconds: f64,
    state: &'static str,
    /// The tournament switch's delay in the last message (its badge).
    delayed_everything_s: Option<f64>,
    sent_any: bool,
}

impl Page {
    /// The next message for this page, if there is news: a snapshot first and whenever the game or its
    /// teams change or time goes back, else an update when the shown game time moved.
    fn next_message(&mut self, shared: &Shared, query: &Query) -> Option<String> {
        let update = shared.snapshot(query, false);
        let identity = identity_key(&update);
        let restart = !self.sent_any
            || self.identity.as_deref() != Some(identity.as_str())
            || update.game_seconds < self.game_seconds;
        // The tournament switch flipped is news too: the page shows or hides its badge.
        let moved = update.game_seconds != self.game_seconds
            || update.state != self.state
            || update.delayed_everything_s != self.delayed_everything_s;
        if !restart && !moved {
            return None;
        }
        self.sent_any = true;
        self.identity = Some(identity);
        self.game_seconds = update.game_seconds;
        self.state = update.state;
        self.delayed_everything_s = update.delayed_everything_s;
        let message = if restart {
            shared.snapshot(query, true)
        } else {
            update
        };
        serde_json::to_string(&message).ok()
    }
}

fn identity_key(s: &Snapshot) -> String {
    format!("{:?}", s.identity())
}
