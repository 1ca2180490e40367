//! The built-in simulator: a deterministic game that speaks protocol v1 like the widget.

pub mod client;
pub mod defs;
pub mod game;
pub mod rng;
pub mod tech;
mod thread;

pub use client::{SimReport, Speed, run};
pub use game::{SimGame, SimOptions};
pub use thread::SimThread;
