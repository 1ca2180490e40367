//! The recordings folder, indexed: one summary per `.barlive` file, cached in `<dir>/.index.json` so the
//! Recordings tab opens at once with hundreds of files.
//!
//! [`RecordingIndex::refresh`] lists the folder, reuses the cached summary of every file whose size and
//! modification time are unchanged, summarises the others (in a few threads), drops vanished files and
//! saves the cache (temporary file + rename). A file that cannot be read is listed with the reason; a
//! cache that cannot be read is rebuilt.
//!
//! A finished file's summary comes from its trailer without reading the blocks (three small reads), so
//! damage in the middle of such a file is not seen by `refresh`. [`RecordingIndex::check_some`] then
//! checks every block's checksum of the files not yet checked, a few at a time within a time budget (the
//! app runs it in the background after each refresh); the result is cached like the summary. [`Filter`] and [`sort`] are what the UI's filters and column
//! headers call.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::{EXTENSION, Summary};

/// The cache file inside the recordings folder.
pub const CACHE_FILE: &str = ".index.json";
/// Version of the cache file's layout; another version is ignored (rebuilt).
const CACHE_VERSION: u32 = 1;
/// Most threads summarising files at once (a cold cache).
const MAX_THREADS: usize = 4;

/// One recording in the folder.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexEntry {
    pub path: PathBuf,
    pub modified: Option<SystemTime>,
    /// File size in bytes.
    pub size: u64,
    /// The file's summary, or why it cannot be read (listed as damaged).
    pub summary: Result<Summary, String>,
    /// Every block was read or checksummed (a scan, or [`RecordingIndex::check_some`]); false for a
    /// summary taken from the trailer alone.
    pub checked: bool,
}

/// The recordings folder's index.
#[derive(Debug, Default, Clone)]
pub struct RecordingIndex {
    /// Newest first (file names start with a UTC timestamp).
    pub entries: Vec<IndexEntry>,
    /// Why the folder could not be listed (the entries are then those of the last listing).
    pub error: Option<String>,
    /// What the last refresh did.
    pub stats: RefreshStats,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RefreshStats {
    /// Entries taken from memory or the cache file unchanged.
    pub reused: usize,
    /// Files (re)summarised.
    pub summarised: usize,
    /// The cache file was missing, unreadable or of another version.
    pub cache_rebuilt: bool,
    /// The cache file was written.
    pub cache_saved: bool,
}

impl IndexEntry {
    pub fn file_name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    pub fn summary(&self) -> Option<&Summary> {
        self.summary.as_ref().ok()
    }

    /// When the game was recorded: the file's creation time, else its modification time.
    pub fn date_unix_ms(&self) -> Option<u64> {
        self.summary()
            .map(|s| s.created_unix_ms)
            .or_else(|| self.modified.map(unix_ms))
    }

    pub fn map(&self) -> Option<&str> {
        self.summary()?.map.as_deref()
    }

    pub fn game_seconds(&self) -> f64 {
        self.summary().map_or(0.0, |s| s.game_seconds)
    }

    pub fn format_version(&self) -> Option<u32> {
        self.summary().map(|s| s.format_version)
    }

    /// The reason the file is listed as damaged: unreadable, or read with damaged data skipped.
    pub fn damaged(&self) -> Option<&str> {
        match &self.summary {
            Err(e) => Some(e),
            Ok(s) => s.corrupt.as_deref(),
        }
    }
}

fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn unix_ns(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// The cache file's layout.
#[derive(Serialize, Deserialize)]
struct CacheFile {
    version: u32,
    entries: Vec<CachedEntry>,
}

#[derive(Serialize, Deserialize)]
struct CachedEntry {
    file: String,
    size: u64,
    modified_unix_ns: Option<u64>,
    summary: Option<Summary>,
    error: Option<String>,
    /// See [`IndexEntry::checked`] (absent in caches written before it existed: not checked).
    #[serde(default)]
    checked: bool,
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
        }
    }
}

/// What is known of a file by name: size, modification time (unix ns), summary and whether it was
/// checked.
type Known = (u64, Option<u64>, Result<Summary, String>, bool);

/// A `.barlive` file found in the folder.
struct Listed {
    path: PathBuf,
    size: u64,
    modified: Option<SystemTime>,
}

impl RecordingIndex {
    /// Reads the index of `dir`: the cache, refreshed.
    pub fn open(dir: &Path) -> RecordingIndex {
        let mut index = RecordingIndex::default();
        index.refresh(dir);
        index
    }

    /// Re-lists `dir`; unchanged files (same size and modification time, here or in the cache file)
    /// keep their summary, the others are summarised again. Saves the cache when anything changed.
    pub fn refresh(&mut self, dir: &Path) {
        self.error = None;
        self.stats = RefreshStats::default();
        let listed = match list(dir) {
            Ok(l) => l,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.entries.clear();
                return;
            }
            Err(e) => {
                self.error = Some(format!("cannot list {}: {e}", dir.display()));
                return;
            }
        };
        // What is known: the entries in memory, else the cache file (first refresh of a session).
        let mut known: HashMap<String, Known> = HashMap::new();
        let mut cache_consulted = false;
        if self.entries.is_empty() {
            cache_consulted = true;
            match load_cache(&dir.join(CACHE_FILE)) {
                Some(c) => {
                    for e in c.entries {
                        let summary = match (e.summary, e.error) {
                            (Some(s), _) => Ok(s),
                            (None, Some(err)) => Err(err),
                            (None, None) => continue,
                        };
                        known.insert(e.file, (e.size, e.modified_unix_ns, summary, e.checked));
                    }
                }
                None => self.stats.cache_rebuilt = true,
            }
        } else {
            for e in self.entries.drain(..) {
                known.insert(
                    e.file_name(),
                    (e.size, e.modified.map(unix_ns), e.summary, e.checked),
                );
            }
        }
        let vanished_or_changed = known.len() != listed.len();
        let mut entries = Vec::with_capacity(listed.len());
        let mut todo = Vec::new();
        for l in listed {
            let name = l
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            match known.remove(&name) {
                Some((size, modified, summary, checked))
                    if size == l.size && modified == l.modified.map(unix_ns) =>
                {
                    let mut summary = summary;
                    if let Ok(s) = &mut summary {
                        // The folder may have moved since the cache was written.
                        s.path = l.path.display().to_string();
                    }
                    entries.push(IndexEntry {
                        path: l.path,
                        modified: l.modified,
                        size: l.size,
                        summary,
                        checked,
                    });
                }
                _ => todo.push(l),
            }
        }
        self.stats.reused = entries.len();
        self.stats.summarised = todo.len();
        entries.extend(summarise_all(todo));
        entries.sort_by(|a, b| b.path.cmp(&a.path));
        self.entries = entries;
        if self.stats.summarised > 0
            || vanished_or_changed
            || (cache_consulted && self.stats.cache_rebuilt)
        {
            match save_cache(dir, &self.entries) {
                Ok(()) => self.stats.cache_saved = true,
                Err(e) => log::warn!("cannot save the recordings index in {}: {e}", dir.display()),
            }
        }
    }

    /// How many files' blocks are not checked yet (see [`RecordingIndex::check_some`]).
    pub fn unchecked(&self) -> usize {
        self.entries.iter().filter(|e| !e.checked).count()
    }

    /// Checks the blocks of files not checked yet, newest first, until `budget` is spent (at least one
    /// file): each is summarised again with every block's checksum verified, so a file damaged in the
    /// middle is then listed as damaged. A file changed since the listing is left to the next refresh.
    /// Saves the cache when a file was checked; returns how many were.
    pub fn check_some(&mut self, dir: &Path, budget: Duration) -> usize {
        let started = Instant::now();
        let mut done = 0;
        for e in self.entries.iter_mut().filter(|e| !e.checked) {
            if done > 0 && started.elapsed() >= budget {
                break;
            }
            let meta = std::fs::metadata(&e.path).ok();
            let unchanged = meta.as_ref().is_some_and(|m| {
                m.len() == e.size && m.modified().ok().map(unix_ns) == e.modified.map(unix_ns)
            });
            if !unchanged {
                continue;
            }
            e.summary = Summary::of_file(&e.path).map_err(|err| err.to_string());
            e.checked = true;
            done += 1;
        }
        if done > 0
            && let Err(err) = save_cache(dir, &self.entries)
        {
            log::warn!(
                "cannot save the recordings index in {}: {err}",
                dir.display()
            );
        }
        done
    }

    /// Deletes a recording and its entry.
    pub fn delete(&mut self, path: &Path) -> std::io::Result<()> {
        std::fs::remove_file(path)?;
        self.entries.retain(|e| e.path != path);
        Ok(())
    }

    /// Indices of the entries that pass `filter`, ordered by `key` (then newest first).
    pub fn view(&self, filter: &Filter, key: SortKey, ascending: bool) -> Vec<usize> {
        view(&self.entries, filter, key, ascending)
    }
}

fn list(dir: &Path) -> std::io::Result<Vec<Listed>> {
    let mut out = Vec::new();
    for item in std::fs::read_dir(dir)?.filter_map(Result::ok) {
        let path = item.path();
        if path.extension().is_none_or(|e| e != EXTENSION) {
            continue;
        }
        let meta = item.metadata().ok();
        if meta.as_ref().is_some_and(|m| m.is_dir()) {
            continue;
        }
        out.push(Listed {
            size: meta.as_ref().map_or(0, |m| m.len()),
            modified: meta.and_then(|m| m.modified().ok()),
            path,
        });
    }
    Ok(out)
}

/// Summarises files in up to [`MAX_THREADS`] threads.
fn summarise_all(todo: Vec<Listed>) -> Vec<IndexEntry> {
    let summarise = |l: &Listed| {
        let summary = Summary::of_file_fast(&l.path).map_err(|e| e.to_string());
        IndexEntry {
            path: l.path.clone(),
            modified: l.modified,
            size: l.size,
            // A scan read every block; an unreadable file has nothing more to check.
            checked: !summary.as_ref().is_ok_and(|s| s.read_from == "trailer"),
            summary,
        }
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, MAX_THREADS)
        .min(todo.len());
    if threads <= 1 {
        return todo.iter().map(summarise).collect();
    }
    let next = AtomicUsize::new(0);
    let done = Mutex::new(Vec::with_capacity(todo.len()));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(l) = todo.get(i) else { break };
                    let e = summarise(l);
                    if let Ok(mut d) = done.lock() {
                        d.push(e);
                    }
                }
            });
        }
    });
    done.into_inner().unwrap_or_default()
}

fn load_cache(path: &Path) -> Option<CacheFile> {
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
fn save_cache(dir: &Path, entries: &[IndexEntry]) -> std::io::Result<()> {
    let cache = CacheFile {
        version: CACHE_VERSION,
        entries: entries.iter().map(CachedEntry::of).collect(),
    };
    let json = serde_json::to_vec(&cache).map_err(std::io::Error::other)?;
    let tmp = dir.join(format!("{CACHE_FILE}.tmp-{}", std::process::id()));
    let result =
        std::fs::write(&tmp, json).and_then(|()| std::fs::rename(&tmp, dir.join(CACHE_FILE)));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// What the Recordings tab's filters ask for. Empty strings and `None` match everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Case-insensitive substring of the map name.
    pub map: String,
    /// Case-insensitive substring of any player's (team's) name.
    pub player: String,
    /// Recorded at or after this time (unix ms).
    pub from_unix_ms: Option<u64>,
    /// Recorded before this time (unix ms).
    pub to_unix_ms: Option<u64>,
}

impl Filter {
    pub fn matches(&self, e: &IndexEntry) -> bool {
        let has = |hay: &str, needle: &str| hay.to_lowercase().contains(&needle.to_lowercase());
        let map = self.map.trim();
        if !map.is_empty() && !e.map().is_some_and(|m| has(m, map)) {
            return false;
        }
        let player = self.player.trim();
        if !player.is_empty()
            && !e
                .summary()
                .is_some_and(|s| s.players().any(|p| has(p, player)))
        {
            return false;
        }
        let date = e.date_unix_ms();
        if let Some(from) = self.from_unix_ms
            && date.is_none_or(|d| d < from)
        {
            return false;
        }
        if let Some(to) = self.to_unix_ms
            && date.is_none_or(|d| d >= to)
        {
            return false;
        }
        true
    }
}

/// A column of the recordings list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SortKey {
    Date,
    Map,
    /// Number of player teams.
    Teams,
    /// Players' names, joined.
    Players,
    GameLength,
    Size,
    FormatVersion,
    Winner,
    File,
    /// Damaged files first when ascending.
    Damaged,
}

impl SortKey {
    pub const ALL: [SortKey; 10] = [
        SortKey::Date,
        SortKey::Map,
        SortKey::Teams,
        SortKey::Players,
        SortKey::GameLength,
        SortKey::Size,
        SortKey::FormatVersion,
        SortKey::Winner,
        SortKey::File,
        SortKey::Damaged,
    ];
}

fn compare(a: &IndexEntry, b: &IndexEntry, key: SortKey) -> std::cmp::Ordering {
    let lower = |s: Option<&str>| s.map(str::to_lowercase);
    let players = |e: &IndexEntry| {
        e.summary()
            .map(|s| s.players().collect::<Vec<_>>().join(", ").to_lowercase())
    };
    let teams = |e: &IndexEntry| e.summary().map(|s| s.players().count());
    let winner = |e: &IndexEntry| {
        e.summary()
            .and_then(Summary::winner_names)
            .map(|w| w.to_lowercase())
    };
    match key {
        SortKey::Date => a.date_unix_ms().cmp(&b.date_unix_ms()),
        SortKey::Map => lower(a.map()).cmp(&lower(b.map())),
        SortKey::Teams => teams(a).cmp(&teams(b)),
        SortKey::Players => players(a).cmp(&players(b)),
        SortKey::GameLength => a.game_seconds().total_cmp(&b.game_seconds()),
        SortKey::Size => a.size.cmp(&b.size),
        SortKey::FormatVersion => a.format_version().cmp(&b.format_version()),
        SortKey::Winner => winner(a).cmp(&winner(b)),
        SortKey::File => a.path.cmp(&b.path),
        SortKey::Damaged => b.damaged().is_some().cmp(&a.damaged().is_some()),
    }
}

/// Sorts `entries` by `key` (ties: newest file first, whatever the direction).
pub fn sort(entries: &mut [IndexEntry], key: SortKey, ascending: bool) {
    entries.sort_by(|a, b| order(a, b, key, ascending));
}

fn order(a: &IndexEntry, b: &IndexEntry, key: SortKey, ascending: bool) -> std::cmp::Ordering {
    let o = compare(a, b, key);
    let o = if ascending { o } else { o.reverse() };
    o.then_with(|| b.path.cmp(&a.path))
}

/// Indices into `entries` of those that pass `filter`, ordered by `key`.
pub fn view(entries: &[IndexEntry], filter: &Filter, key: SortKey, ascending: bool) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..entries.len())
        .filter(|&i| filter.matches(&entries[i]))
        .collect();
    idx.sort_by(|&a, &b| order(&entries[a], &entries[b], key, ascending));
    idx
}
