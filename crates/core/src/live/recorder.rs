//! The recorder thread: writes auto-recordings, flushes them at least every second and syncs them on
//! close, so no disk I/O runs on the link or UI thread.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, bounded};

use super::session::RecorderEvent;
use crate::net::ConnId;
use crate::recording::{EXTENSION, Recorder};

/// Frames waiting for the disk before the link thread blocks (back-pressure into TCP and the widget's
/// own bounded queue). A game sends ~2 frames per second: this is minutes of a slow disk.
const COMMAND_CAPACITY: usize = 1024;
/// How often an idle recorder pushes buffered records to the OS.
const TICK: Duration = Duration::from_secs(1);

pub enum RecorderCommand {
    /// Close the current file (if any) and start `dir/<stamp>_<map>.barlive`.
    Start {
        dir: PathBuf,
        map: String,
        created_unix_ms: u64,
        keep_last: u32,
    },
    Frame {
        conn: ConnId,
        received_unix_ms: u64,
        payload: Arc<[u8]>,
    },
    Flush,
    Finish,
}

/// Handle to the recorder thread; dropping it closes the current file and joins the thread.
pub struct RecorderThread {
    commands: Option<Sender<RecorderCommand>>,
    thread: Option<JoinHandle<()>>,
}

impl RecorderThread {
    /// Starts the thread; what happens to files is reported on `events`.
    pub fn spawn(events: Sender<RecorderEvent>) -> std::io::Result<RecorderThread> {
        let (tx, rx) = bounded(COMMAND_CAPACITY);
        let thread = std::thread::Builder::new()
            .name("bar-live-recorder".into())
            .spawn(move || run(rx, events))?;
        Ok(RecorderThread {
            commands: Some(tx),
            thread: Some(thread),
        })
    }

    /// Queues a command; blocks while the queue is full (the disk is behind).
    pub fn send(&self, command: RecorderCommand) {
        if let Some(tx) = &self.commands {
            let _ = tx.send(command);
        }
    }

    /// Closes the current file (flushed and synced) and ends the thread.
    pub fn shutdown(&mut self) {
        if let Some(tx) = self.commands.take() {
            let _ = tx.send(RecorderCommand::Finish);
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for RecorderThread {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn run(commands: Receiver<RecorderCommand>, events: Sender<RecorderEvent>) {
    let mut current: Option<Recorder> = None;
    let report = |e: RecorderEvent| {
        let _ = events.send(e);
    };
    loop {
        let command = match commands.recv_timeout(TICK) {
            Ok(c) => c,
            Err(RecvTimeoutError::Timeout) => {
                if let Some(r) = current.as_mut()
                    && let Err(e) = r.tick()
                {
                    let path = r.path().display().to_string();
                    current = None;
                    report(RecorderEvent::Failed(format!(
                        "recording to {path} stopped: {e}"
                    )));
                }
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => break,
        };
        match command {
            RecorderCommand::Start {
                dir,
                map,
                created_unix_ms,
                keep_last,
            } => {
                if let Some(r) = current.take() {
                    report(finished(r));
                }
                let path = dir.join(recording_file_name(created_unix_ms, &map));
                let created = std::fs::create_dir_all(&dir)
                    .map_err(anyhow::Error::from)
                    .and_then(|_| {
                        Recorder::create(&path, created_unix_ms, "live").map_err(Into::into)
                    });
                match created {
                    Ok(r) => {
                        log::info!("recording to {}", path.display());
                        current = Some(r);
                        prune_recordings(&dir, keep_last, &path);
                        report(RecorderEvent::Started(path));
                    }
                    Err(e) => report(RecorderEvent::Failed(format!(
                        "cannot start recording {}: {e}",
                        path.display()
                    ))),
                }
            }
            RecorderCommand::Frame {
                conn,
                received_unix_ms,
                payload,
            } => {
                if let Some(r) = current.as_mut()
                    && let Err(e) = r.append(conn, received_unix_ms, &payload)
                {
                    let path = r.path().display().to_string();
                    current = None;
                    report(RecorderEvent::Failed(format!(
                        "recording to {path} stopped: {e}"
                    )));
                }
            }
            RecorderCommand::Flush => {
                if let Some(r) = current.as_mut()
                    && let Err(e) = r.flush()
                {
                    current = None;
                    report(RecorderEvent::Failed(format!(
                        "recording flush failed: {e}"
                    )));
                }
            }
            RecorderCommand::Finish => {
                if let Some(r) = current.take() {
                    report(finished(r));
                }
            }
        }
    }
    if let Some(r) = current.take() {
        report(finished(r));
    }
}

fn finished(r: Recorder) -> RecorderEvent {
    match r.finish() {
        Ok(p) => RecorderEvent::Finished(p),
        Err(e) => RecorderEvent::Failed(format!("closing the recording failed: {e}")),
    }
}

/// `2026-11-26_19-04-05_Supreme_Isthmus.barlive` (UTC).
pub fn recording_file_name(unix_ms: u64, map: &str) -> String {
    let mut safe: String = map
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    safe.truncate(60);
    if safe.is_empty() {
        safe.push_str("game");
    }
    format!("{}_{safe}.{EXTENSION}", crate::time::utc_stamp(unix_ms))
}

/// Deletes the oldest recordings beyond `keep_last` (never `current`). 0 keeps everything.
pub fn prune_recordings(dir: &Path, keep_last: u32, current: &Path) {
    if keep_last == 0 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == EXTENSION))
        .collect();
    // Names start with a UTC timestamp, so name order is age order.
    files.sort();
    let excess = files.len().saturating_sub(keep_last as usize);
    for old in files.into_iter().take(excess) {
        if old == current {
            continue;
        }
        match std::fs::remove_file(&old) {
            Ok(()) => log::info!("removed old recording {}", old.display()),
            Err(e) => log::warn!("could not remove old recording {}: {e}", old.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::Summary;

    #[test]
    fn prune_keeps_the_newest() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "2026-01-01_00-00-00_a",
            "2026-01-02_00-00-00_b",
            "2026-01-03_00-00-00_c",
        ] {
            std::fs::write(dir.path().join(format!("{name}.barlive")), "x").unwrap();
        }
        std::fs::write(dir.path().join("notes.txt"), "keep me").unwrap();
        let current = dir.path().join("2026-01-03_00-00-00_c.barlive");
        prune_recordings(dir.path(), 2, &current);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            vec![
                "2026-01-02_00-00-00_b.barlive",
                "2026-01-03_00-00-00_c.barlive",
                "notes.txt"
            ]
        );
    }

    #[test]
    fn file_names_are_safe() {
        assert_eq!(
            recording_file_name(0, "Supreme Isthmus v2.1"),
            "1970-01-01_00-00-00_Supreme_Isthmus_v2.1.barlive"
        );
        assert_eq!(
            recording_file_name(0, ""),
            "1970-01-01_00-00-00_game.barlive"
        );
        assert!(!recording_file_name(0, "../../etc/x").contains('/'));
    }

    #[test]
    fn writes_files_on_its_thread_and_reports_them() {
        let dir = tempfile::tempdir().unwrap();
        let (tx, rx) = crossbeam_channel::unbounded();
        let mut rec = RecorderThread::spawn(tx).unwrap();
        let start = |map: &str, at: u64| RecorderCommand::Start {
            dir: dir.path().to_owned(),
            map: map.into(),
            created_unix_ms: at,
            keep_last: 0,
        };
        rec.send(start("A", 1_000));
        for i in 0..5u64 {
            rec.send(RecorderCommand::Frame {
                conn: 1,
                received_unix_ms: 1_000 + i,
                payload: Arc::from(&br#"{"type":"x","schema_version":1,"seq":1}"#[..]),
            });
        }
        rec.send(start("B", 2_000));
        rec.shutdown();
        let events: Vec<RecorderEvent> = rx.try_iter().collect();
        let a = dir.path().join("1970-01-01_00-00-01_A.barlive");
        let b = dir.path().join("1970-01-01_00-00-02_B.barlive");
        assert_eq!(
            events,
            [
                RecorderEvent::Started(a.clone()),
                RecorderEvent::Finished(a.clone()),
                RecorderEvent::Started(b.clone()),
                RecorderEvent::Finished(b),
            ]
        );
        assert_eq!(Summary::of_file(&a).unwrap().frames, 5);
    }

    #[test]
    fn a_failure_is_reported_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("not-a-dir");
        std::fs::write(&blocker, "x").unwrap();
        let (tx, rx) = crossbeam_channel::unbounded();
        let mut rec = RecorderThread::spawn(tx).unwrap();
        rec.send(RecorderCommand::Start {
            dir: blocker,
            map: "A".into(),
            created_unix_ms: 0,
            keep_last: 0,
        });
        rec.send(RecorderCommand::Frame {
            conn: 1,
            received_unix_ms: 0,
            payload: Arc::from(&b"{}"[..]),
        });
        rec.shutdown();
        let events: Vec<RecorderEvent> = rx.try_iter().collect();
        assert!(
            matches!(&events[..], [RecorderEvent::Failed(m)] if m.contains("cannot start recording")),
            "{events:?}"
        );
    }
}
