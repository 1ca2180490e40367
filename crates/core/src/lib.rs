//! bar-live's headless core: everything but the window. Tested without a display; `egui`, `eframe` and
//! `winit` are never dependencies here (docs/ARCHITECTURE.md).
//!
//! - [`net`]: the listener and its reader threads, sending typed events.
//! - [`live`]: the live session (store + link state + recording), fed by the reader threads.
//! - [`store`]: the time series behind the plots and the overlays.
//! - [`recording`]: `.barlive` files (the wire frames verbatim) and the recordings folder.
//! - [`replay`]: BAR's own replays (`.sdfz`): header, start script, team statistics.
//! - [`insight`]: milestones, army composition and trades, benchmarks and splits, alerts.
//! - [`review`]: a whole recording loaded into a store, with a playback cursor.
//! - [`sim`]: a deterministic simulated game that speaks the protocol like the widget.
//! - [`install`]: finding the BAR data folder and installing the widget into it.
//! - [`cli`]: the headless commands (`check`, `record`, `replay`, `info`).
//! - [`paths`]: where settings and data live.
//! - [`web`]: the overlay pages for OBS and their API (HTTP + WebSocket).
//! - [`time`]: wall-clock helpers.
//! - [`worker`]: a named background thread that stops when dropped (the simulator, the demo feed).

#![forbid(unsafe_code)]

pub use bar_live_protocol as protocol;

pub mod card;
pub mod cli;
pub mod game;
pub mod index;
pub mod insight;
pub mod install;
pub mod live;
pub mod net;
pub mod paths;
pub mod recording;
pub mod replay;
pub mod review;
pub mod sim;
pub mod store;
pub mod time;
pub mod web;
pub mod worker;
