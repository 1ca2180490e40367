//! The simulator on its own thread, streaming to a listener like a widget (the app's "live simulator",
//! `serve --simulate`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use super::{SimGame, Speed};

/// A running simulator; dropping it stops the game and joins the thread.
pub struct SimThread {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl SimThread {
    /// Plays `game` to `addr` at `speed`.
    pub fn start(addr: String, game: SimGame, speed: Speed) -> std::io::Result<SimThread> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("bar-live-simulator".into())
            .spawn(move || {
                if let Err(e) = super::run(&addr, game, speed, flag) {
                    log::warn!("simulator stopped: {e:#}");
                }
            })?;
        Ok(SimThread {
            stop,
            thread: Some(thread),
        })
    }

    /// Whether the game is still being played.
    pub fn running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for SimThread {
    fn drop(&mut self) {
        self.stop();
    }
}
