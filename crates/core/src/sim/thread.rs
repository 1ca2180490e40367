//! The simulator on its own thread, streaming to a listener like a widget (the app's "live simulator",
//! `serve --simulate`).

use super::{SimGame, Speed};
use crate::worker::Worker;

/// A running simulator; dropping it stops the game and joins the thread.
pub struct SimThread(Worker);

impl SimThread {
    /// Plays `game` to `addr` at `speed`.
    pub fn start(addr: String, game: SimGame, speed: Speed) -> std::io::Result<SimThread> {
        Worker::spawn("bar-live-simulator", move |flag| {
            if let Err(e) = super::run(&addr, game, speed, flag) {
                log::warn!("simulator stopped: {e:#}");
            }
        })
        .map(SimThread)
    }

    /// Whether the game is still being played.
    pub fn running(&self) -> bool {
        self.0.running()
    }

    pub fn stop(&mut self) {
        self.0.stop();
    }
}
