//! `bar-live card FILE [--out card.png]`: the post-game card of a recording or a BAR replay
//! ([`crate::card`]), written as a PNG.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::card::{self, text::Fonts};

/// Where the card goes without `--out`: `<name>-card.png` in the current folder (a replay's own
/// folder may be BAR's, which is not ours to write to).
pub fn default_out(input: &Path) -> PathBuf {
    let stem = input
        .file_stem()
        .map_or_else(|| "game".into(), |s| s.to_string_lossy().into_owned());
    PathBuf::from(format!("{stem}-card.png"))
}

/// Renders the card of `input` and writes it to `out` (beside it first, renamed into place when
/// complete). `fallbacks`: font faces for characters the embedded font lacks (CJK names).
pub fn run(input: &Path, out: &Path, fallbacks: &[(&[u8], u32)]) -> anyhow::Result<()> {
    let data = card::card_of_file(input)?;
    let png = card::render(&data, &Fonts::new(fallbacks))?;
    write_atomically(out, &png)
}

/// Writes `bytes` to a temporary file beside `path`, then renames it into place.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the folder {}", dir.display()))?;
    }
    let tmp = path.with_file_name(format!(
        ".{}.tmp-{}",
        path.file_name()
            .map_or_else(|| "card".into(), |n| n.to_string_lossy()),
        std::process::id()
    ));
    let written = std::fs::write(&tmp, bytes)
        .with_context(|| format!("cannot write {}", tmp.display()))
        .and_then(|()| {
            std::fs::rename(&tmp, path)
                .with_context(|| format!("cannot move {} to {}", tmp.display(), path.display()))
        });
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}
