//! bar-live: live game data from Beyond All Reason.
//!
//! - [`protocol`]: wire format v1 (framing, messages, schema) — no sockets, no UI.
//! - [`net`]: the listener and its reader threads, sending typed events.
//! - [`store`]: the time series behind the plots.
//! - [`recording`]: `.barlive` files (the wire frames verbatim).
//! - [`sim`]: a deterministic simulated game that speaks the protocol like the widget.
//! - [`cli`]: the headless commands (`check`, `record`, `replay`, `info`).
//! - [`app`]: the egui desktop app.

pub mod app;
pub mod cli;
pub mod net;
pub mod protocol;
pub mod recording;
pub mod sim;
pub mod store;
