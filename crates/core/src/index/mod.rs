//! A folder of games, indexed: one summary per `.barlive` recording and per BAR replay (`.sdfz`,
//! `.barreplay`), cached so the Recordings tab opens at once with thousands of files. bar-live's own
//! folder keeps its cache in `<dir>/.index.json`; BAR's `demos/` folders are not ours to write in, so
//! their caches live in bar-live's data folder ([`cache_file_for`]).
//!
//! [`RecordingIndex::refresh`] lists the folder, reuses the cached summary of every file whose size and
//! modification time are unchanged, summarises the others (in a few threads), drops vanished files and
//! saves the cache (temporary file + rename). A file that cannot be read is listed with the reason; a
//! cache that cannot be read is rebuilt. [`RecordingIndex::refresh_within`] does the same within a time
//! budget: the files it did not reach stay [`RecordingIndex::pending`] for the next call (newest
//! first), so a cold listing of a big replay folder shows progress and a usable list meanwhile.
//!
//! A finished recording's summary comes from its trailer without reading the blocks (three small
//! reads), so damage in the middle of such a file is not seen by `refresh`.
//! [`RecordingIndex::check_some`] then checks every block's checksum of the files not yet checked, a
//! few at a time within a time budget (the app runs it in the background after each refresh); the
//! result is cached like the summary. A replay is read whole to be summarised (its statistics sit at
//! the end of its gzip stream), so it is checked at once. [`Filter`] and [`sort`] are what the UI's
//! filters and column headers call.

mod cache;
pub mod twins;
mod view;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::recording::{EXTENSION, Summary};
use crate::replay::{self, ReplaySummary};
use cache::{load_cache, save_cache};
pub use view::{Filter, SortKey, sort, view};

/// The cache file inside bar-live's recordings folder.
pub const CACHE_FILE: &str = ".index.json";
/// Most threads summarising files at once (a cold cache).
const MAX_THREADS: usize = 4;
/// How often the cache is saved while files are still pending.
const PENDING_SAVE_INTERVAL: Duration = Duration::from_secs(5);
/// Most files listed in one folder; the rest (the oldest by name) are left out with a warning.
pub const MAX_FILES: usize = 100_000;

/// One recording or replay in the folder.
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
    /// What only a BAR replay has; `None` for a recording (or a replay that could not be read).
    pub replay: Option<ReplayFacts>,
}

/// What the index keeps of a BAR replay beyond the shared [`Summary`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplayFacts {
    pub engine_version: String,
    /// Every team's statistics are in the file (it can be opened in Review).
    pub has_team_stats: bool,
    /// Why not, when `has_team_stats` is false.
    pub team_stats_note: Option<String>,
    /// `myplayername`: whose game this was.
    pub my_player_name: Option<String>,
}

impl ReplayFacts {
    fn of(s: &ReplaySummary) -> ReplayFacts {
        ReplayFacts {
            engine_version: s.engine_version.clone(),
            has_team_stats: s.has_team_stats,
            team_stats_note: s.team_stats_note.clone(),
            my_player_name: s.my_player_name.clone(),
        }
    }
}

/// A folder's index.
#[derive(Debug, Default, Clone)]
pub struct RecordingIndex {
    /// Newest first (file names start with a date).
    pub entries: Vec<IndexEntry>,
    /// Why the folder could not be listed (the entries are then those of the last listing).
    pub error: Option<String>,
    /// What the last refresh did.
    pub stats: RefreshStats,
    /// Where the cache is kept; `None`: `<dir>/.index.json`.
    cache_file: Option<PathBuf>,
    /// When this index last wrote its cache.
    last_saved: Option<Instant>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RefreshStats {
    /// Entries taken from memory or the cache file unchanged.
    pub reused: usize,
    /// Files (re)summarised.
    pub summarised: usize,
    /// Files listed but not read yet (the budget ran out); the next refresh reads them.
    pub pending: usize,
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

    /// A BAR replay (by its name: `.sdfz` or `.barreplay`).
    pub fn is_replay(&self) -> bool {
        replay::has_replay_extension(&self.path)
    }

    /// Whether Review can show the game: a readable recording, or a replay with team statistics.
    pub fn can_open(&self) -> bool {
        match (&self.summary, &self.replay) {
            (Err(_), _) => false,
            (Ok(_), Some(r)) => r.has_team_stats,
            (Ok(_), None) => !self.is_replay(),
        }
    }

    /// For a replay: "statistics", or why it has none.
    pub fn statistics_note(&self) -> Option<&str> {
        let r = self.replay.as_ref()?;
        Some(if r.has_team_stats {
            "statistics"
        } else {
            r.team_stats_note.as_deref().unwrap_or("no team statistics")
        })
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

/// What is known of a file by name: size, modification time (unix ns), summary, whether it was
/// checked, and a replay's facts.
struct Known {
    size: u64,
    modified_unix_ns: Option<u64>,
    summary: Result<Summary, String>,
    checked: bool,
    replay: Option<ReplayFacts>,
}

/// A recording or replay found in the folder.
struct Listed {
    path: PathBuf,
    size: u64,
    modified: Option<SystemTime>,
}

/// Where the index of a folder other than bar-live's recordings folder keeps its cache: in
/// `<data_dir>/index/`, named by a hash of the folder's path (BAR's `demos/` is BAR's folder).
pub fn cache_file_for(dir: &Path, data_dir: &Path) -> PathBuf {
    // FNV-1a: stable across runs and Rust versions (unlike the standard library's hasher).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in dir.as_os_str().to_string_lossy().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    data_dir.join("index").join(format!("{h:016x}.json"))
}

/// A folder of games to index, and where its index's cache is kept (`None`: in the folder).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Folder {
    pub dir: PathBuf,
    pub cache_file: Option<PathBuf>,
}

impl Folder {
    /// bar-live's own recordings folder (its cache inside).
    pub fn own(dir: &Path) -> Folder {
        Folder {
            dir: dir.to_owned(),
            cache_file: None,
        }
    }

    /// Someone else's folder (BAR's `demos/`): its cache in `data_dir` ([`cache_file_for`]).
    pub fn foreign(dir: &Path, data_dir: &Path) -> Folder {
        Folder {
            dir: dir.to_owned(),
            cache_file: Some(cache_file_for(dir, data_dir)),
        }
    }

    /// BAR's folder rather than ours.
    pub fn is_foreign(&self) -> bool {
        self.cache_file.is_some()
    }

    /// An empty index of this folder, with its cache where it belongs.
    pub fn index(&self) -> RecordingIndex {
        match &self.cache_file {
            Some(c) => RecordingIndex::with_cache_file(c.clone()),
            None => RecordingIndex::default(),
        }
    }
}

/// Every folder of games: bar-live's recordings folder (when given) and BAR's `demos/` folders (of
/// `bar_data_dir` when set, and of every BAR data folder where BAR's installer and launcher put them).
pub fn game_folders(
    recordings_dir: Option<&Path>,
    data_dir: &Path,
    bar_data_dir: Option<&Path>,
) -> Vec<Folder> {
    let home = directories::UserDirs::new()
        .map(|u| u.home_dir().to_owned())
        .unwrap_or_default();
    let base = crate::install::SearchBase::from_env(&home);
    let demos = crate::install::demos_dirs(&base, crate::install::Platform::THIS, bar_data_dir);
    let own = recordings_dir.map(Folder::own);
    let bar = demos
        .iter()
        .filter(|d| !recordings_dir.is_some_and(|r| crate::paths::same_path(r, d)))
        .map(|d| Folder::foreign(d, data_dir));
    own.into_iter().chain(bar).collect()
}

impl RecordingIndex {
    /// Reads the index of `dir`: the cache, refreshed.
    pub fn open(dir: &Path) -> RecordingIndex {
        let mut index = RecordingIndex::default();
        index.refresh(dir);
        index
    }

    /// An index that keeps its cache in `cache_file` rather than in the folder it lists.
    pub fn with_cache_file(cache_file: PathBuf) -> RecordingIndex {
        RecordingIndex {
            cache_file: Some(cache_file),
            ..RecordingIndex::default()
        }
    }

    /// Where the cache of `dir` is kept.
    pub fn cache_path(&self, dir: &Path) -> PathBuf {
        self.cache_file
            .clone()
            .unwrap_or_else(|| dir.join(CACHE_FILE))
    }

    /// Files listed by the last refresh but not read yet.
    pub fn pending(&self) -> usize {
        self.stats.pending
    }

    /// Re-lists `dir`; unchanged files (same size and modification time, here or in the cache file)
    /// keep their summary, the others are summarised again. Saves the cache when anything changed.
    pub fn refresh(&mut self, dir: &Path) {
        self.refresh_within(dir, None);
    }

    /// [`RecordingIndex::refresh`], reading new files only until `budget` is spent (at least one when
    /// any is due); those not reached (the oldest, give or take the files the threads had taken when
    /// the budget ran out) are [`RecordingIndex::pending`] and left out of the entries until a later
    /// call reads them.
    pub fn refresh_within(&mut self, dir: &Path, budget: Option<Duration>) {
        let deadline = budget.map(|b| Instant::now() + b);
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
        let cache_path = self.cache_path(dir);
        // What is known: the entries in memory, else the cache file (first refresh of a session).
        let mut known: HashMap<String, Known> = HashMap::new();
        let mut cache_consulted = false;
        if self.entries.is_empty() {
            cache_consulted = true;
            match load_cache(&cache_path) {
                Some(c) => {
                    for e in c.entries {
                        let summary = match (e.summary, e.error) {
                            (Some(s), _) => Ok(s),
                            (None, Some(err)) => Err(err),
                            (None, None) => continue,
                        };
                        let k = Known {
                            size: e.size,
                            modified_unix_ns: e.modified_unix_ns,
                            summary,
                            checked: e.checked,
                            replay: e.replay,
                        };
                        known.insert(e.file, k);
                    }
                }
                None => self.stats.cache_rebuilt = true,
            }
        } else {
            for e in self.entries.drain(..) {
                let k = Known {
                    size: e.size,
                    modified_unix_ns: e.modified.map(unix_ns),
                    summary: e.summary,
                    checked: e.checked,
                    replay: e.replay,
                };
                known.insert(file_name(&e.path), k);
            }
        }
        let vanished_or_changed = known.len() != listed.len();
        let mut entries = Vec::with_capacity(listed.len());
        let mut todo = Vec::new();
        for l in listed {
            match known.remove(&file_name(&l.path)) {
                Some(k) if k.size == l.size && k.modified_unix_ns == l.modified.map(unix_ns) => {
                    let mut summary = k.summary;
                    if let Ok(s) = &mut summary {
                        // The folder may have moved since the cache was written.
                        s.path = l.path.display().to_string();
                    }
                    entries.push(IndexEntry {
                        path: l.path,
                        modified: l.modified,
                        size: l.size,
                        summary,
                        checked: k.checked,
                        replay: k.replay,
                    });
                }
                _ => todo.push(l),
            }
        }
        // The newest games first, so a cold listing shows them first.
        todo.sort_by(|a, b| b.modified.cmp(&a.modified).then(b.path.cmp(&a.path)));
        self.stats.reused = entries.len();
        let read = summarise_all(&todo, deadline);
        self.stats.summarised = read.len();
        self.stats.pending = todo.len() - read.len();
        entries.extend(read);
        entries.sort_by(|a, b| b.path.cmp(&a.path));
        self.entries = entries;
        let changed = self.stats.summarised > 0
            || vanished_or_changed
            || (cache_consulted && self.stats.cache_rebuilt);
        // While files are pending (a cold folder read in steps), the cache is saved every few seconds
        // rather than after every step: each save writes every entry.
        let due = self.stats.pending == 0
            || self
                .last_saved
                .is_none_or(|at| at.elapsed() >= PENDING_SAVE_INTERVAL);
        if changed && due {
            match save_cache(&cache_path, &self.entries) {
                Ok(()) => {
                    self.stats.cache_saved = true;
                    self.last_saved = Some(Instant::now());
                }
                Err(e) => log::warn!(
                    "cannot save the index of {} in {}: {e}",
                    dir.display(),
                    cache_path.display()
                ),
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
            && let Err(err) = save_cache(&self.cache_path(dir), &self.entries)
        {
            log::warn!(
                "cannot save the index of {} in {}: {err}",
                dir.display(),
                self.cache_path(dir).display()
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

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The recordings and replays in `dir` (at most [`MAX_FILES`], the newest by name).
fn list(dir: &Path) -> std::io::Result<Vec<Listed>> {
    let mut out = Vec::new();
    for item in std::fs::read_dir(dir)?.filter_map(Result::ok) {
        let path = item.path();
        if path.extension().is_none_or(|e| e != EXTENSION) && !replay::has_replay_extension(&path) {
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
    if out.len() > MAX_FILES {
        log::warn!(
            "{} holds {} games; listing the newest {MAX_FILES}",
            dir.display(),
            out.len()
        );
        out.sort_by(|a, b| b.path.cmp(&a.path));
        out.truncate(MAX_FILES);
    }
    Ok(out)
}

/// Summarises one file: a recording from its trailer (or a scan), a replay read whole.
fn summarise(l: &Listed) -> IndexEntry {
    let (summary, replay, checked) = if replay::has_replay_extension(&l.path) {
        match ReplaySummary::of_file(&l.path) {
            Ok(r) => (Ok(r.summary.clone()), Some(ReplayFacts::of(&r)), true),
            Err(e) => (Err(e.to_string()), None, true),
        }
    } else {
        let summary = Summary::of_file_fast(&l.path).map_err(|e| e.to_string());
        // A scan read every block; an unreadable file has nothing more to check.
        let checked = !summary.as_ref().is_ok_and(|s| s.read_from == "trailer");
        (summary, None, checked)
    };
    IndexEntry {
        path: l.path.clone(),
        modified: l.modified,
        size: l.size,
        summary,
        checked,
        replay,
    }
}

/// Summarises files in up to [`MAX_THREADS`] threads, in order, taking no new file once `deadline`
/// has passed (but at least one).
fn summarise_all(todo: &[Listed], deadline: Option<Instant>) -> Vec<IndexEntry> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, MAX_THREADS)
        .min(todo.len());
    let next = AtomicUsize::new(0);
    let take = || {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let late = deadline.is_some_and(|d| Instant::now() >= d);
        todo.get(i).filter(|_| i == 0 || !late)
    };
    if threads <= 1 {
        let mut out = Vec::new();
        while let Some(l) = take() {
            out.push(summarise(l));
        }
        return out;
    }
    let done = Mutex::new(Vec::with_capacity(todo.len()));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                while let Some(l) = take() {
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
