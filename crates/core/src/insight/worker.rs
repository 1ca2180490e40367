//! The insight background thread: benchmarks (which read past recordings) and whole recordings loaded
//! for a ghost or a side-by-side review, off the UI thread. Jobs and results go through bounded channels;
//! a job is refused while another waits (the caller tries again next frame).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use crossbeam_channel::{Receiver, Sender, bounded};

use super::benchmark::{Benchmark, Query, benchmark, select};
use super::profile::{GameProfile, read_profile};
use crate::index::Folder;
use crate::index::{IndexEntry, RecordingIndex};
use crate::review::Review;

/// What the thread is asked to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Job {
    /// The benchmark of `query` over the games (recordings and BAR replays) in `folders`.
    Benchmark { folders: Vec<Folder>, query: Query },
    /// Load a recording whole (a ghost, or the second game of a side-by-side review).
    Load { path: PathBuf, purpose: LoadPurpose },
    /// List the games in `folders` (their indexes, refreshed), newest first.
    List { folders: Vec<Folder> },
}

/// Why a recording is loaded (returned with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadPurpose {
    Ghost,
    SideBySide,
}

/// What the thread did.
pub enum Done {
    Benchmark {
        query: Query,
        result: Box<Result<Benchmark, String>>,
    },
    Loaded {
        path: PathBuf,
        purpose: LoadPurpose,
        result: Result<Box<Review>, String>,
    },
    Listed {
        folders: Vec<Folder>,
        result: Result<Vec<IndexEntry>, String>,
    },
}

/// The handle of the insight thread; dropping it stops the thread.
pub struct InsightWorker {
    jobs: Option<Sender<Job>>,
    done: Receiver<Done>,
    thread: Option<JoinHandle<()>>,
    /// Set when the handle is dropped: a benchmark stops between two files.
    stop: Arc<AtomicBool>,
}

impl InsightWorker {
    pub fn start() -> std::io::Result<InsightWorker> {
        let (jobs, job_rx) = bounded::<Job>(1);
        let (done_tx, done) = bounded::<Done>(2);
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("bar-live-insight".into())
            .spawn(move || run(&job_rx, &done_tx, &stopping))?;
        Ok(InsightWorker {
            jobs: Some(jobs),
            done,
            thread: Some(thread),
            stop,
        })
    }

    /// Queues a job; false when the thread is busy with a queued one (try again later) or gone.
    pub fn submit(&self, job: Job) -> bool {
        self.jobs.as_ref().is_some_and(|j| j.try_send(job).is_ok())
    }

    /// A finished job, if any.
    pub fn poll(&self) -> Option<Done> {
        self.done.try_recv().ok()
    }
}

impl Drop for InsightWorker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.jobs = None;
        // The thread ends after its current job: drain what it sends meanwhile so it never blocks.
        while self.thread.as_ref().is_some_and(|t| !t.is_finished()) {
            let _ = self.done.recv_timeout(std::time::Duration::from_millis(20));
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// How long a folder is read before the thread looks whether it should stop.
const REFRESH_STEP: Duration = Duration::from_millis(500);

/// Profiles read so far, by path, with the size and modification time they were read at.
pub type ProfileCache = HashMap<PathBuf, (u64, Option<SystemTime>, GameProfile)>;

/// The indexes of the folders asked about so far, by folder.
pub type Indexes = HashMap<Folder, RecordingIndex>;

fn run(jobs: &Receiver<Job>, done: &Sender<Done>, stop: &AtomicBool) {
    let mut indexes = Indexes::new();
    let mut cache = ProfileCache::new();
    for job in jobs {
        let out = match job {
            Job::Benchmark { folders, query } => {
                let result = Box::new(run_benchmark(
                    &mut indexes,
                    &mut cache,
                    &folders,
                    &query,
                    stop,
                ));
                Done::Benchmark { query, result }
            }
            Job::List { folders } => {
                let result = refreshed(&mut indexes, &folders, stop);
                Done::Listed { folders, result }
            }
            Job::Load { path, purpose } => Done::Loaded {
                result: Review::open(&path)
                    .map(Box::new)
                    .map_err(|e| format!("{e:#}")),
                path,
                purpose,
            },
        };
        if done.send(out).is_err() {
            return;
        }
    }
}

/// The entries of every folder, refreshed, newest first (folders no longer asked about are
/// forgotten). A folder that cannot be listed is left out; that is an error only when no folder gave
/// any entry. A cold folder is read in steps, and `stop` (the app quitting) ends the wait between two.
fn refreshed(
    indexes: &mut Indexes,
    folders: &[Folder],
    stop: &AtomicBool,
) -> Result<Vec<IndexEntry>, String> {
    indexes.retain(|f, _| folders.contains(f));
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for f in folders {
        let idx = indexes.entry(f.clone()).or_insert_with(|| f.index());
        loop {
            idx.refresh_within(&f.dir, Some(REFRESH_STEP));
            if idx.pending() == 0 {
                break;
            }
            if stop.load(Ordering::Relaxed) {
                return Err("stopped".into());
            }
        }
        match &idx.error {
            Some(e) => errors.push(e.clone()),
            None => entries.extend(idx.entries.iter().cloned()),
        }
    }
    if entries.is_empty()
        && let Some(e) = errors.first()
    {
        return Err(e.clone());
    }
    entries.sort_by_key(|e| std::cmp::Reverse(e.date_unix_ms()));
    Ok(entries)
}

/// Refreshes the folders' indexes, profiles the selected games (reusing unchanged ones) and computes the
/// benchmark; gives up between two files once `stop` is set.
pub fn run_benchmark(
    indexes: &mut Indexes,
    cache: &mut ProfileCache,
    folders: &[Folder],
    query: &Query,
    stop: &AtomicBool,
) -> Result<Benchmark, String> {
    let entries = refreshed(indexes, folders, stop)?;
    cache.retain(|p, _| entries.iter().any(|e| &e.path == p));
    let mut profiles = Vec::new();
    for e in select(&entries, query) {
        if stop.load(Ordering::Relaxed) {
            return Err("stopped".into());
        }
        let fresh = cache
            .get(&e.path)
            .is_some_and(|(size, modified, _)| *size == e.size && *modified == e.modified);
        if !fresh {
            match read_profile(&e.path) {
                Ok(p) => {
                    cache.insert(e.path.clone(), (e.size, e.modified, p));
                }
                Err(err) => log::warn!("benchmark: cannot read {}: {err}", e.path.display()),
            }
        }
        if let Some((_, _, p)) = cache.get(&e.path) {
            profiles.push(p.clone());
        }
    }
    let refs: Vec<&GameProfile> = profiles.iter().collect();
    Ok(benchmark(&refs, &query.player))
}
