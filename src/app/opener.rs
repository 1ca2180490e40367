//! Opening a recording or BAR replay for Review on the `bar-live-open` thread: a big file takes a
//! while to read, and the UI thread never waits for it. One file at a time; opening another while
//! one loads forgets the first (its thread ends on its own, its result unread).

use std::path::{Path, PathBuf};

use crossbeam_channel::{Receiver, TryRecvError, bounded};

use bar_live_core::review::Review;

#[derive(Default)]
pub struct Opener {
    loading: Option<(PathBuf, Receiver<Result<Review, String>>)>,
}

impl Opener {
    /// Starts reading `path`; an error starting the thread comes back from the next [`Opener::poll`].
    pub fn open(&mut self, path: PathBuf) {
        let (tx, rx) = bounded(1);
        let job_path = path.clone();
        let spawned = std::thread::Builder::new()
            .name("bar-live-open".into())
            .spawn(move || {
                let result = Review::open(&job_path).map_err(|e| format!("{e:#}"));
                // Nobody waits any more when another file was opened meanwhile.
                let _ = tx.send(result);
            });
        if let Err(e) = spawned {
            let (tx, rx) = bounded(1);
            let _ = tx.send(Err(format!("cannot start a thread to open the file: {e}")));
            self.loading = Some((path, rx));
            return;
        }
        self.loading = Some((path, rx));
    }

    /// The file being read, if any.
    pub fn busy(&self) -> Option<&Path> {
        self.loading.as_ref().map(|(p, _)| p.as_path())
    }

    /// The finished file, once read (or why it could not be).
    pub fn poll(&mut self) -> Option<Result<Review, String>> {
        let (_, rx) = self.loading.as_ref()?;
        let result = match rx.try_recv() {
            Ok(r) => r,
            Err(TryRecvError::Empty) => return None,
            Err(TryRecvError::Disconnected) => {
                Err("the file could not be read (the reading thread stopped)".into())
            }
        };
        self.loading = None;
        Some(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn wait(o: &mut Opener) -> Result<Review, String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(r) = o.poll() {
                return r;
            }
            assert!(Instant::now() < deadline, "never opened");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn opens_a_replay_off_the_calling_thread_and_reports_a_bad_file() {
        let replay = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("crates/core/tests/data/replay/spring106-game-over.sdfz");
        let mut o = Opener::default();
        o.open(replay.clone());
        assert_eq!(o.busy(), Some(replay.as_path()));
        let r = wait(&mut o).unwrap();
        assert!(r.replay.is_some());
        assert!(o.busy().is_none());
        o.open(PathBuf::from("/nonexistent/game.barlive"));
        let e = wait(&mut o).err().unwrap();
        assert!(e.contains("game.barlive"), "{e}");
    }
}
