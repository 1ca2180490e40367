//! The headless commands. `main.rs` parses arguments and calls these.

pub mod check;
pub mod convert;
pub mod info;
pub mod record;
pub mod recordings;
pub mod replay;
