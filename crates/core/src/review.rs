//! Review mode: a whole recording or BAR replay loaded into a store, with a time cursor that can be
//! scrubbed or played. [`load_game`] is the one way a game file becomes a store (Review, benchmarks,
//! the ghost and the card use it).

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::protocol;
use crate::recording::RecordingReader;
use crate::replay::{self, Replay, ReplaySummary};
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
    /// The game came from a BAR replay: its summary (statistics only, no per-second updates).
    pub replay: Option<Box<ReplaySummary>>,
}

/// A game file read into a store: a `.barlive` recording's frames, or a BAR replay's statistics as
/// the widget's messages ([`replay::messages`]).
pub struct LoadedGame {
    pub store: Store,
    /// Frames (recording) or messages (replay) read.
    pub frames: u64,
    /// Frames that did not decode (a recording's damaged payloads).
    pub invalid: u64,
    /// The file ends before its end.
    pub truncated: bool,
    /// The replay's summary, for a replay.
    pub replay: Option<Box<ReplaySummary>>,
}

/// Reads the recording or BAR replay at `path` (told apart by its first bytes). A replay without team
/// statistics is an error that says why (a server recording, a game left early, a file cut short).
pub fn load_game(path: &Path) -> anyhow::Result<LoadedGame> {
    if replay::is_replay(path) {
        let r = Replay::open(path)
            .with_context(|| format!("cannot read the replay {}", path.display()))?;
        let messages = replay::messages::widget_messages(&r).map_err(|why| {
            anyhow::anyhow!("{} has no team statistics: {}", path.display(), why.note())
        })?;
        let mut store = Store::new();
        messages.iter().for_each(|m| store.ingest(&m.body));
        return Ok(LoadedGame {
            store,
            frames: messages.len() as u64,
            invalid: 0,
            truncated: r.truncated,
            replay: Some(Box::new(ReplaySummary::of(&r, path))),
        });
    }
    let reader =
        RecordingReader::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    load_recording(reader).with_context(|| format!("reading {}", path.display()))
}

fn load_recording<R: Read>(mut reader: RecordingReader<R>) -> anyhow::Result<LoadedGame> {
    let mut store = Store::new();
    let (mut frames, mut invalid) = (0, 0);
    while let Some(rec) = reader.next_record()? {
        frames += 1;
        match protocol::decode_widget(&rec.payload) {
            Ok(m) => store.ingest(&m.body),
            Err(_) => invalid += 1,
        }
    }
    Ok(LoadedGame {
        store,
        frames,
        invalid,
        truncated: reader.truncated(),
        replay: None,
    })
}

impl Review {
    /// Opens a recording or a BAR replay ([`load_game`]).
    pub fn open(path: &Path) -> anyhow::Result<Review> {
        let title = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let mut r = Review::of(load_game(path)?, title);
        r.path = Some(path.to_owned());
        Ok(r)
    }

    pub fn demo() -> anyhow::Result<Review> {
        let game = load_recording(RecordingReader::new(DEMO)?)?;
        Ok(Review::of(game, "Demo game (simulated)".into()))
    }

    fn of(game: LoadedGame, title: String) -> Review {
        let end_t = game.store.last_game_seconds;
        Review {
            path: None,
            title,
            store: game.store,
            end_t,
            cursor_t: end_t,
            playing: false,
            speed: 10.0,
            frames: game.frames,
            invalid: game.invalid,
            truncated: game.truncated,
            replay: game.replay,
        }
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

    #[test]
    fn a_bar_replay_opens_with_its_statistics() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/replay/spring106-game-over.sdfz");
        let r = Review::open(&path).unwrap();
        let summary = r.replay.as_ref().expect("read as a replay");
        assert!(summary.has_team_stats);
        assert_eq!(r.store.teams.len(), 2);
        assert!((r.end_t - 1561.0 / 30.0).abs() < 0.05, "{}", r.end_t);
        let team = r.store.series.get(&0).expect("team 0 has samples");
        assert_eq!(team.t.len(), 5, "one sample per statistics record");
    }

    #[test]
    fn a_file_that_is_neither_says_so_and_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("junk.sdfz");
        std::fs::write(&path, b"\x1f\x8bnot really gzip").unwrap();
        let e = format!("{:#}", Review::open(&path).err().unwrap());
        assert!(e.contains("junk.sdfz"), "{e}");
    }
}
