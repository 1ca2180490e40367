//! The headless commands. `main.rs` parses arguments and calls these.

pub mod check;
pub mod info;
pub mod record;
pub mod replay;
