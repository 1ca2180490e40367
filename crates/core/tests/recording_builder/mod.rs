//! Test-only: small finished `.barlive` recordings of simulated games, named and placed as a test needs.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use bar_live_core::protocol::{WidgetMessage, encode_widget};
use bar_live_core::recording::Recorder;
use bar_live_core::sim::{SimGame, SimOptions};

/// A small finished recording: `teams` players (names from the simulator, or `names`), on `map`.
pub fn make(
    dir: &Path,
    name: &str,
    created_unix_ms: u64,
    map: &str,
    names: &[&str],
    version: u32,
) -> PathBuf {
    let mut game = SimGame::new(SimOptions {
        teams: names.len() as u32,
        minutes: 0.5,
        map_name: map.into(),
        ..SimOptions::default()
    });
    let path = dir.join(name);
    let mut rec = Recorder::create_with_version(&path, created_unix_ms, "test", version).unwrap();
    let mut msgs = game.handshake();
    if let WidgetMessage::Hello(h) = &mut msgs[0] {
        for (t, n) in h.teams.iter_mut().zip(names) {
            t.name = (*n).into();
        }
    }
    while !game.finished() {
        msgs.extend(game.step());
    }
    for (i, m) in msgs.iter().enumerate() {
        rec.append(
            1,
            created_unix_ms + 500 * i as u64,
            &encode_widget(m, i as u64 + 1),
        )
        .unwrap();
    }
    rec.finish().unwrap()
}
