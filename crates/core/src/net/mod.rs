//! Networking: the listener and its reader threads, and the events they send.

pub mod addr;
pub mod event;
pub mod server;
pub mod waker;

pub use addr::{AddrError, check_listen_addr};
pub use event::{ConnId, NetEvent};
pub use server::{Mode, SEND_TIMEOUT, SendError, Server, ServerConfig};
pub use waker::{NoWake, Waker};
