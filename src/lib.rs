//! The bar-live desktop app (egui): live dashboard, overlay, settings, recordings and review.
//! Everything headless lives in `bar_live_core`; `command_line` parses the arguments (for `main.rs` and
//! the console twin `bin/bar-live-cli.rs`).

pub mod app;
pub mod command_line;
