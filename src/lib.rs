//! The bar-live desktop app (egui): live dashboard, overlay, settings, recordings and review.
//! Everything headless lives in `bar_live_core`; `main.rs` only parses arguments and starts this.

pub mod app;
