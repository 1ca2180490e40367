//! Feeds for the live link when no game is running: the bundled demo recording replayed as if it
//! were the widget (the overlay pages and the dashboard show it live). The simulator is
//! [`crate::sim::SimThread`].

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::cli::replay;
use crate::recording::RecordingReader;
use crate::review::DEMO;
use crate::sim::Speed;

/// The demo recording replayed at 1× into a listener, over and over; dropping it stops the replay.
pub struct DemoReplay {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl DemoReplay {
    pub fn start(to: String) -> std::io::Result<DemoReplay> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("bar-live-demo".into())
            .spawn(move || {
                while !flag.load(Ordering::SeqCst) {
                    let played = RecordingReader::new(DEMO)
                        .map_err(anyhow::Error::from)
                        .and_then(|r| replay::play(r, &to, Speed::Factor(1.0), &flag));
                    if let Err(e) = played {
                        log::warn!("demo replay stopped: {e:#}");
                        std::thread::sleep(Duration::from_secs(1));
                    }
                }
            })?;
        Ok(DemoReplay {
            stop,
            thread: Some(thread),
        })
    }

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

impl Drop for DemoReplay {
    fn drop(&mut self) {
        self.stop();
    }
}
