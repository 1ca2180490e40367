//! Feeds for the live link when no game is running: the bundled demo recording replayed as if it
//! were the widget (the overlay pages and the dashboard show it live). The simulator is
//! [`crate::sim::SimThread`].

use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::cli::replay;
use crate::recording::RecordingReader;
use crate::review::DEMO;
use crate::sim::Speed;
use crate::worker::Worker;

/// The demo recording replayed at 1× into a listener, over and over; dropping it stops the replay.
pub struct DemoReplay(Worker);

impl DemoReplay {
    pub fn start(to: String) -> std::io::Result<DemoReplay> {
        Worker::spawn("bar-live-demo", move |flag| {
            while !flag.load(Ordering::SeqCst) {
                let played = RecordingReader::new(DEMO)
                    .map_err(anyhow::Error::from)
                    .and_then(|r| replay::play(r, &to, Speed::Factor(1.0), &flag));
                if let Err(e) = played {
                    log::warn!("demo replay stopped: {e:#}");
                    std::thread::sleep(Duration::from_secs(1));
                }
            }
        })
        .map(DemoReplay)
    }

    pub fn running(&self) -> bool {
        self.0.running()
    }

    pub fn stop(&mut self) {
        self.0.stop();
    }
}
