//! Review mode: a whole recording loaded into a store, with a time cursor that can be scrubbed or played.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::protocol;
use crate::recording::RecordingReader;
use crate::store::Store;

/// The demo recording bundled with the app (made with `bar-live simulate`, see scripts/make-demo.sh).
pub const DEMO: &[u8] = include_bytes!("../../../resources/demo.barlive");

pub const PLAY_SPEEDS: [f64; 5] = [1.0, 5.0, 10.0, 30.0, 60.0];

pub struct Review {
    pub path: Option<PathBuf>,
    pub title: String,
    pub store: Store,
    /// Game seconds of the last update.
    pub end_t: f64,
    pub cursor_t: f64,
    pub playing: bool,
    pub speed: f64,
    pub frames: u64,
    pub invalid: u64,
    pub truncated: bool,
}

impl Review {
    pub fn open(path: &Path) -> anyhow::Result<Review> {
        let reader = RecordingReader::open(path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        let title = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let mut r = Review::load(reader, title)?;
        r.path = Some(path.to_owned());
        Ok(r)
    }

    pub fn demo() -> anyhow::Result<Review> {
        Review::load(RecordingReader::new(DEMO)?, "Demo game (simulated)".into())
    }

    fn load<R: Read>(mut reader: RecordingReader<R>, title: String) -> anyhow::Result<Review> {
        let mut store = Store::new();
        let (mut frames, mut invalid) = (0, 0);
        while let Some(rec) = reader.next_record()? {
            frames += 1;
            match protocol::decode_widget(&rec.payload) {
                Ok(m) => store.ingest(&m.body),
                Err(_) => invalid += 1,
            }
        }
        let end_t = store.last_game_seconds;
        Ok(Review {
            path: None,
            title,
            store,
            end_t,
            cursor_t: end_t,
            playing: false,
            speed: 10.0,
            frames,
            invalid,
            truncated: reader.truncated(),
        })
    }

    /// Starts playback from the beginning if the cursor is at the end.
    pub fn play(&mut self) {
        if self.cursor_t >= self.end_t {
            self.cursor_t = 0.0;
        }
        self.playing = true;
    }

    /// Advances playback by `dt` real seconds.
    pub fn advance(&mut self, dt: f64) {
        if !self.playing {
            return;
        }
        self.cursor_t = (self.cursor_t + dt * self.speed).min(self.end_t);
        if self.cursor_t >= self.end_t {
            self.playing = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_loads_with_real_data() {
        let r = Review::demo().unwrap();
        assert!(r.frames > 100, "{} frames", r.frames);
        assert_eq!(r.invalid, 0);
        assert!(!r.truncated);
        assert!(r.end_t > 60.0);
        assert!(r.store.series.len() >= 2);
    }

    #[test]
    fn playback_moves_and_stops_at_the_end() {
        let mut r = Review::demo().unwrap();
        r.play();
        assert_eq!(r.cursor_t, 0.0);
        r.speed = 60.0;
        r.advance(1.0);
        assert_eq!(r.cursor_t, 60.0);
        r.advance(1e9);
        assert_eq!(r.cursor_t, r.end_t);
        assert!(!r.playing);
    }
}
