//! The recordings browser: what is in the recordings folder, with each file's summary.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::recording::{EXTENSION, Summary};

pub struct Entry {
    pub path: PathBuf,
    pub modified: Option<SystemTime>,
    pub size: u64,
    pub summary: Result<Summary, String>,
}

#[derive(Default)]
pub struct Browser {
    pub entries: Vec<Entry>,
    pub error: Option<String>,
}

impl Browser {
    /// Re-reads the folder; summaries of unchanged files are reused.
    pub fn refresh(&mut self, dir: &Path) {
        self.error = None;
        let listing = match std::fs::read_dir(dir) {
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
        let mut old = std::mem::take(&mut self.entries);
        for item in listing.filter_map(Result::ok) {
            let path = item.path();
            if path.extension().is_none_or(|e| e != EXTENSION) {
                continue;
            }
            let meta = item.metadata().ok();
            let size = meta.as_ref().map_or(0, |m| m.len());
            let modified = meta.and_then(|m| m.modified().ok());
            let reused = old
                .iter()
                .position(|e| e.path == path && e.size == size && e.modified == modified)
                .map(|i| old.swap_remove(i));
            self.entries.push(reused.unwrap_or_else(|| Entry {
                summary: Summary::of_file(&path).map_err(|e| e.to_string()),
                path,
                modified,
                size,
            }));
        }
        // Newest first (names start with a UTC timestamp).
        self.entries.sort_by(|a, b| b.path.cmp(&a.path));
    }

    pub fn delete(&mut self, path: &Path) -> std::io::Result<()> {
        std::fs::remove_file(path)?;
        self.entries.retain(|e| e.path != path);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::Recorder;

    #[test]
    fn lists_summaries_newest_first_and_deletes() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["2026-01-01_a.barlive", "2026-01-02_b.barlive"] {
            let mut r = Recorder::create(&dir.path().join(name), 0, "test").unwrap();
            r.append(
                1,
                10,
                br#"{"type":"bye","schema_version":1,"seq":1,"reason":"x"}"#,
            )
            .unwrap();
            r.finish().unwrap();
        }
        std::fs::write(dir.path().join("broken.barlive"), "nope").unwrap();
        std::fs::write(dir.path().join("other.txt"), "x").unwrap();
        let mut b = Browser::default();
        b.refresh(dir.path());
        let names: Vec<String> = b
            .entries
            .iter()
            .map(|e| e.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            vec![
                "broken.barlive",
                "2026-01-02_b.barlive",
                "2026-01-01_a.barlive"
            ]
        );
        assert!(
            b.entries[0].summary.is_err(),
            "a bad file is listed with its error"
        );
        assert_eq!(b.entries[1].summary.as_ref().unwrap().frames, 1);
        let victim = b.entries[2].path.clone();
        b.delete(&victim).unwrap();
        assert!(!victim.exists());
        assert_eq!(b.entries.len(), 2);
    }
}
