//! The index's cache file: one summary per file with the size and modification time it was read at.
//! Written atomically (a temporary file beside it, then a rename); a cache that cannot be read, or of
//! another layout version, is ignored and rebuilt.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use super::{IndexEntry, ReplayFacts, unix_ns};
use crate::recording::Summary;

/// Version of the cache file's layout; another version is ignored (rebuilt).
const CACHE_VERSION: u32 = 1;
/// Largest cache file read (2,000 replays take about 3 MB).
const MAX_CACHE_BYTES: u64 = 256 * 1024 * 1024;

/// The cache file's layout.
#[derive(Serialize, Deserialize)]
pub(super) struct CacheFile {
    version: u32,
    pub(super) entries: Vec<CachedEntry>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct CachedEntry {
    pub(super) file: String,
    pub(super) size: u64,
    pub(super) modified_unix_ns: Option<u64>,
    pub(super) summary: Option<Summary>,
    pub(super) error: Option<String>,
    /// See [`IndexEntry::checked`] (absent in caches written before it existed: not checked).
    #[serde(default)]
    pub(super) checked: bool,
    /// What only a BAR replay has (absent for recordings and in older caches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) replay: Option<ReplayFacts>,
}

impl CachedEntry {
    fn of(e: &IndexEntry) -> CachedEntry {
        let (summary, error) = match &e.summary {
            Ok(s) => (Some(s.clone()), None),
            Err(err) => (None, Some(err.clone())),
        };
        CachedEntry {
            file: e.file_name(),
            size: e.size,
            modified_unix_ns: e.modified.map(unix_ns),
            summary,
            error,
            checked: e.checked,
            replay: e.replay.clone(),
        }
    }
}

pub(super) fn load_cache(path: &Path) -> Option<CacheFile> {
    match std::fs::metadata(path) {
        Ok(m) if m.len() > MAX_CACHE_BYTES => {
            log::warn!(
                "{} is {} bytes, more than a cache can be; rebuilding it",
                path.display(),
                m.len()
            );
            return None;
        }
        _ => {}
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            log::warn!("cannot read {}: {e}; rebuilding it", path.display());
            return None;
        }
    };
    match serde_json::from_slice::<CacheFile>(&bytes) {
        Ok(c) if c.version == CACHE_VERSION => Some(c),
        Ok(c) => {
            log::info!(
                "{} has layout version {}; rebuilding it",
                path.display(),
                c.version
            );
            None
        }
        Err(e) => {
            log::warn!("{} is damaged ({e}); rebuilding it", path.display());
            None
        }
    }
}

/// Writes the cache atomically: a temporary file in the same folder, then a rename over the old one.
pub(super) fn save_cache(path: &Path, entries: &[IndexEntry]) -> std::io::Result<()> {
    let cache = CacheFile {
        version: CACHE_VERSION,
        entries: entries.iter().map(CachedEntry::of).collect(),
    };
    let json = serde_json::to_vec(&cache).map_err(std::io::Error::other)?;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    // A name of its own per save: two threads of this process (the Recordings tab and the insight
    // thread) may save the same folder's cache at once; the last rename wins, whole.
    static SAVES: AtomicU64 = AtomicU64::new(0);
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(
        ".tmp-{}-{}",
        std::process::id(),
        SAVES.fetch_add(1, Ordering::Relaxed)
    ));
    let tmp = std::path::PathBuf::from(tmp);
    let result = std::fs::write(&tmp, json).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
