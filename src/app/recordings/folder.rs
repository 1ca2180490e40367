//! One folder of games in the Recordings tab (bar-live's recordings, or one of BAR's `demos/`): its
//! index, read and checked on the `bar-live-index` thread while the list on screen stays usable.

use std::path::PathBuf;
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, TryRecvError, bounded};

use bar_live_core::index::{Filter, Folder, RecordingIndex, SortKey};

/// What the `bar-live-index` thread does with a copy of the index.
pub(super) enum Job {
    /// Re-list the folder after deleting these files, reading new files for [`REFRESH_BUDGET`].
    Refresh { delete: Vec<PathBuf> },
    /// Check the blocks of a few files not checked yet ([`RecordingIndex::check_some`]).
    Check,
}

/// Time a check job may take before the list on screen is updated with what it found.
const CHECK_BUDGET: Duration = Duration::from_millis(300);
/// Time a refresh job reads new files before the list on screen shows them (a cold folder of
/// replays takes many jobs; each shows the newest games read so far and how many are left).
const REFRESH_BUDGET: Duration = Duration::from_millis(400);

/// A job under way on the `bar-live-index` thread; it sends back the index, a problem to report and how
/// many files it checked.
struct Loading {
    result: Receiver<(RecordingIndex, Option<String>, usize)>,
    check: bool,
    _thread: JoinHandle<()>,
}

pub struct FolderList {
    pub folder: Folder,
    pub index: Option<RecordingIndex>,
    loading: Option<Loading>,
    /// Files may still need their blocks checked (cleared when a check job finds none it can check).
    checking: bool,
    /// Files the user deleted, for the next refresh job to remove (their rows are gone already).
    pending_delete: Vec<PathBuf>,
    /// The folder listing is out of date (first show, tab re-opened, refresh clicked, a delete, files
    /// left to read).
    pub stale: bool,
    /// Counts changes of `index` (a job's answer, a delete), for the view cache.
    generation: u64,
    /// The rows on screen: for (filter, sort, ascending, generation), the entries' indices in order.
    view: Option<(Filter, SortKey, bool, u64, Vec<usize>)>,
}

impl FolderList {
    pub fn new(folder: Folder) -> FolderList {
        FolderList {
            folder,
            index: None,
            loading: None,
            checking: false,
            pending_delete: Vec::new(),
            stale: true,
            generation: 0,
            view: None,
        }
    }

    /// Makes [`FolderList::rows`] the rows `filter` lets through, ordered by `sort`: filtered and
    /// sorted again only when one of them or the index changed (thousands of replays are not sorted
    /// every frame).
    pub fn update_view(&mut self, filter: &Filter, sort: SortKey, ascending: bool) {
        let fresh = self.view.as_ref().is_some_and(|(f, s, a, g, _)| {
            f == filter && *s == sort && *a == ascending && *g == self.generation
        });
        if !fresh {
            let rows = self
                .index
                .as_ref()
                .map(|i| i.view(filter, sort, ascending))
                .unwrap_or_default();
            self.view = Some((filter.clone(), sort, ascending, self.generation, rows));
        }
    }

    /// The rows of the last [`FolderList::update_view`]: indices into the index's entries.
    pub fn rows(&self) -> &[usize] {
        self.view.as_ref().map_or(&[], |(_, _, _, _, rows)| rows)
    }

    /// A job is under way.
    pub fn busy(&self) -> bool {
        self.loading.is_some()
    }

    /// Files listed but not read yet.
    pub fn pending(&self) -> usize {
        self.index.as_ref().map_or(0, RecordingIndex::pending)
    }

    /// Files whose blocks are being checked in the background.
    pub fn checking(&self) -> usize {
        match &self.index {
            Some(i) if self.checking => i.unchecked(),
            _ => 0,
        }
    }

    /// Starts whatever is due (called every frame the tab is shown).
    pub fn tick(&mut self) {
        if self.stale {
            self.load(Job::Refresh { delete: Vec::new() });
        } else if self.checking {
            self.load(Job::Check);
        }
    }

    /// Starts `job` on a copy of the index (the list on screen stays meanwhile) unless a job is under
    /// way (then the caller tries again next frame: a refresh stays due, deletions stay pending).
    pub(super) fn load(&mut self, job: Job) {
        if self.loading.is_some() {
            return;
        }
        let job = match job {
            Job::Refresh { mut delete } => {
                delete.append(&mut self.pending_delete);
                Job::Refresh { delete }
            }
            Job::Check => Job::Check,
        };
        let (tx, rx) = bounded(1);
        let folder = self.folder.clone();
        let index = self.index.clone();
        let refresh = matches!(job, Job::Refresh { .. });
        let spawned = std::thread::Builder::new()
            .name("bar-live-index".into())
            .spawn(move || {
                let mut index = index.unwrap_or_else(|| folder.index());
                let (problem, checked) = match job {
                    Job::Refresh { delete } => {
                        let problems: Vec<String> = delete
                            .iter()
                            .filter_map(|p| {
                                let e = index.delete(p).err()?;
                                Some(format!("cannot delete {}: {e}", p.display()))
                            })
                            .collect();
                        index.refresh_within(&folder.dir, Some(REFRESH_BUDGET));
                        ((!problems.is_empty()).then(|| problems.join("; ")), 0)
                    }
                    Job::Check => (None, index.check_some(&folder.dir, CHECK_BUDGET)),
                };
                let _ = tx.send((index, problem, checked));
            });
        match spawned {
            Ok(thread) => {
                self.loading = Some(Loading {
                    result: rx,
                    check: !refresh,
                    _thread: thread,
                });
                if refresh {
                    self.stale = false;
                    self.checking = true;
                }
            }
            Err(e) => log::error!(
                "cannot start a thread to read {}: {e}",
                self.folder.dir.display()
            ),
        }
    }

    /// Deletes a file: its row goes at once, the file with the next refresh job (right away, or when
    /// the job under way ends).
    pub fn delete(&mut self, path: PathBuf) {
        if let Some(index) = &mut self.index {
            index.entries.retain(|e| e.path != path);
        }
        self.generation += 1;
        if !self.pending_delete.contains(&path) {
            self.pending_delete.push(path);
        }
        self.stale = true;
    }

    /// The list is going (its folder left the list of game folders): the files the user deleted and
    /// no job has removed yet are removed on a `bar-live-delete` thread, so they do not come back. The
    /// folder's cache drops them at its next refresh.
    pub fn retire(self) -> Option<JoinHandle<()>> {
        if self.pending_delete.is_empty() {
            return None;
        }
        let files = self.pending_delete;
        std::thread::Builder::new()
            .name("bar-live-delete".into())
            .spawn(move || {
                for p in files {
                    if let Err(e) = std::fs::remove_file(&p) {
                        log::warn!("cannot delete {}: {e}", p.display());
                    }
                }
            })
            .map_err(|e| log::error!("cannot start a thread to delete files: {e}"))
            .ok()
    }

    /// Takes a finished job; returns a problem to report.
    pub fn poll(&mut self) -> Option<String> {
        let loading = self.loading.as_ref()?;
        let (index, problem, checked) = match loading.result.try_recv() {
            Ok(done) => done,
            Err(TryRecvError::Empty) => return None,
            Err(TryRecvError::Disconnected) => {
                // The job's thread ended without an answer (it panicked): the list stays as it was,
                // and the folder is not read again until asked (Refresh).
                self.loading = None;
                self.checking = false;
                self.stale = false;
                return Some(format!(
                    "reading {} stopped on an error; the list may be incomplete",
                    self.folder.dir.display()
                ));
            }
        };
        // A check job that could check nothing (files changed meanwhile) waits for the next refresh.
        let stuck = loading.check && checked == 0;
        self.checking &= index.unchecked() > 0 && !stuck;
        // Files left to read: the next refresh job goes on with them.
        self.stale |= !loading.check && index.pending() > 0;
        let mut index = index;
        // Rows deleted while the job ran stay gone (their files go with the next refresh).
        index
            .entries
            .retain(|e| !self.pending_delete.contains(&e.path));
        self.index = Some(index);
        self.generation += 1;
        self.loading = None;
        problem
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bar_live_core::protocol::encode_widget;
    use bar_live_core::recording::Recorder;
    use bar_live_core::sim::{SimGame, SimOptions};
    use std::path::Path;

    fn record(dir: &Path, name: &str) -> PathBuf {
        let mut game = SimGame::new(SimOptions {
            teams: 2,
            minutes: 0.5,
            ..SimOptions::default()
        });
        let path = dir.join(name);
        let mut rec = Recorder::create_with_version(&path, 1_000, "test", 2).unwrap();
        let mut msgs = game.handshake();
        while !game.finished() {
            msgs.extend(game.step());
        }
        for (i, m) in msgs.iter().enumerate() {
            rec.append(1, 1_000 + i as u64, &encode_widget(m, i as u64 + 1))
                .unwrap();
        }
        rec.finish().unwrap()
    }

    /// Runs the list's jobs as the UI does, frame by frame, until none is due.
    fn settle(tab: &mut FolderList) {
        for _ in 0..2000 {
            tab.poll();
            tab.tick();
            if tab.loading.is_none() && !tab.stale && !tab.checking {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        panic!("the recordings list never settled");
    }

    #[test]
    fn the_tab_checks_new_files_and_a_delete_during_a_job_is_not_lost() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let a = record(d, "2025-01-01_a.barlive");
        let b = record(d, "2025-01-02_b.barlive");
        let mut tab = FolderList::new(Folder::own(d));
        settle(&mut tab);
        let index = tab.index.as_ref().unwrap();
        assert_eq!(index.entries.len(), 2);
        assert_eq!(
            index.unchecked(),
            0,
            "both files were checked in the background"
        );
        // A delete while a job runs: the row goes at once, the file once the job is done.
        tab.stale = true;
        tab.load(Job::Refresh { delete: Vec::new() });
        assert!(tab.loading.is_some());
        tab.delete(a.clone());
        assert_eq!(tab.index.as_ref().unwrap().entries.len(), 1);
        tab.load(Job::Refresh { delete: Vec::new() });
        settle(&mut tab);
        assert!(!a.exists(), "the deleted file is gone");
        assert!(b.exists());
        let index = tab.index.as_ref().unwrap();
        assert_eq!(index.entries.len(), 1);
        assert_eq!(index.entries[0].path, b);
        assert!(tab.pending_delete.is_empty());
    }

    #[test]
    fn files_deleted_in_a_list_that_goes_are_still_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let a = record(dir.path(), "2025-01-01_a.barlive");
        let mut tab = FolderList::new(Folder::own(dir.path()));
        settle(&mut tab);
        tab.stale = true;
        tab.load(Job::Refresh { delete: Vec::new() });
        tab.delete(a.clone());
        assert!(
            a.exists(),
            "a job was under way: the file waits for the next one"
        );
        tab.retire()
            .expect("a thread for the pending delete")
            .join()
            .unwrap();
        assert!(!a.exists());
        // Nothing pending: no thread.
        assert!(FolderList::new(Folder::own(dir.path())).retire().is_none());
    }

    #[test]
    fn bar_replays_are_listed_with_their_statistics_and_the_cache_stays_out_of_bars_folder() {
        let demos = tempfile::tempdir().unwrap();
        let data = tempfile::tempdir().unwrap();
        let golden = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("crates/core/tests/data/replay/spring106-game-over.sdfz");
        std::fs::copy(
            &golden,
            demos.path().join("20260101_120000_bltest_106.sdfz"),
        )
        .unwrap();
        std::fs::write(
            demos.path().join("20260102_120000_broken_106.sdfz"),
            b"not gzip",
        )
        .unwrap();
        let folder = Folder::foreign(demos.path(), data.path());
        let mut tab = FolderList::new(folder.clone());
        settle(&mut tab);
        let index = tab.index.as_ref().unwrap();
        assert_eq!(index.entries.len(), 2);
        let good = index
            .entries
            .iter()
            .find(|e| e.file_name().contains("bltest"))
            .unwrap();
        assert!(good.is_replay() && good.can_open());
        assert_eq!(good.statistics_note(), Some("statistics"));
        assert_eq!(good.map(), Some("bltest_generated"));
        let broken = index
            .entries
            .iter()
            .find(|e| e.file_name().contains("broken"))
            .unwrap();
        assert!(!broken.can_open() && broken.damaged().is_some());
        // The cache is in bar-live's data folder, not in BAR's demos/.
        assert!(!demos.path().join(".index.json").exists());
        assert!(folder.cache_file.as_ref().unwrap().is_file());
        // A second list reads the cache: nothing summarised again.
        let mut again = FolderList::new(folder);
        settle(&mut again);
        let index = again.index.as_ref().unwrap();
        assert_eq!(index.entries.len(), 2);
        assert_eq!(index.stats.summarised, 0, "{:?}", index.stats);
    }

    #[test]
    fn a_job_that_dies_without_an_answer_ends_the_wait_and_says_so() {
        let mut list = FolderList::new(Folder::own(Path::new("/nowhere")));
        let (tx, rx) = bounded(1);
        drop(tx);
        list.loading = Some(Loading {
            result: rx,
            check: false,
            _thread: std::thread::spawn(|| {}),
        });
        list.stale = false;
        let problem = list.poll().expect("a problem to report");
        assert!(problem.contains("/nowhere"), "{problem}");
        assert!(!list.busy() && !list.stale);
        assert_eq!(list.poll(), None);
    }
}
