//! Protocol v1: framing, typed messages and JSON Schema validation. No UI, no sockets.
//!
//! Modules: [`message`] (the types), [`codec`] (encode/decode: the hand-written `update` decoder for the
//! bulk of a stream, serde for every other type), [`frame`], [`schema`], [`error`].

#![forbid(unsafe_code)]

pub mod codec;
mod envelope;
pub mod error;
pub mod frame;
mod json;
pub mod message;
pub mod schema;
mod update_decoder;

pub use codec::{decode_app, decode_widget, encode_app, encode_widget};
pub use error::{JsonError, ProtocolError};
pub use frame::{DEFAULT_MAX_FRAME_BYTES, FrameError, read_frame, write_frame};
pub use message::*;

/// The protocol version this build speaks.
pub const SCHEMA_VERSION: u32 = 1;
/// Where the app listens by default.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9876";
