//! Typed events from the reader thread to its consumer.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::protocol::{Message, ProtocolError};

/// Connections are numbered from 1 in the order they were accepted.
pub type ConnId = u64;

#[derive(Debug)]
pub enum NetEvent {
    /// The listener is up.
    Listening { addr: SocketAddr },
    /// The listener could not start (address in use, permission); the server thread has ended.
    ListenFailed { addr: String, error: String },
    /// A widget connected.
    Connected { conn: ConnId, peer: SocketAddr },
    /// One decoded message. `payload` is the frame's bytes exactly as received (for recordings).
    Message {
        conn: ConnId,
        received_unix_ms: u64,
        payload: Arc<[u8]>,
        message: Box<Message>,
    },
    /// One frame as received, not decoded (listeners in inspect mode, for `check`).
    Frame {
        conn: ConnId,
        received_unix_ms: u64,
        payload: Arc<[u8]>,
    },
    /// A frame or message that broke the protocol; the connection is dropped after it.
    ProtocolError {
        conn: ConnId,
        error: Arc<ProtocolError>,
    },
    /// The connection ended; `reason` is for people.
    Disconnected { conn: ConnId, reason: String },
}
