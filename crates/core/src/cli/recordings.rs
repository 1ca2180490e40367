//! `bar-live recordings [--dir D] [--bar] [--json] [--check]`: the index of the recordings folder (or
//! of `D`), recordings and BAR replays alike; `--bar` adds BAR's own `demos/` folders. bar-live's
//! recordings folder keeps its cache in `.index.json`; other folders' caches live in the data folder
//! ([`crate::index::cache_file_for`]). `--check` reads every block of the recordings not
//! checked yet, so damage in the middle of a finished file shows.

use std::path::{Path, PathBuf};

use anyhow::bail;
use serde::Serialize;

pub use crate::index::Folder;
use crate::index::game_folders;
use crate::index::{IndexEntry, RecordingIndex};
use crate::paths::{Paths, same_path};
use crate::recording::summary::format_game_time;
use crate::time::utc_stamp;

/// One recording as `--json` prints it.
#[derive(Debug, Serialize)]
pub struct Row<'a> {
    pub path: String,
    pub file: String,
    pub size_bytes: u64,
    pub modified_unix_ms: Option<u64>,
    pub format_version: Option<u32>,
    pub created_unix_ms: Option<u64>,
    pub map: Option<&'a str>,
    pub game_seconds: f64,
    pub teams: Vec<RowTeam<'a>>,
    pub my_team_id: Option<i64>,
    pub spectating: Option<bool>,
    /// Winning ally teams, when known.
    pub winners: Option<&'a [u32]>,
    pub winner_names: Option<String>,
    pub local_player_won: Option<bool>,
    pub truncated: bool,
    /// Why the file is unreadable or which part of it was damaged; null when it is intact (as far as
    /// checked).
    pub damaged: Option<&'a str>,
    /// Every block was read or checksummed; false when the summary came from the trailer alone.
    pub checked: bool,
    /// `"recording"` or `"bar-replay"`.
    pub source: &'static str,
    /// A replay: whether it holds every team's statistics (null for a recording).
    pub has_team_stats: Option<bool>,
    /// A replay without statistics: why (a server recording, a game left early, a file cut short).
    pub team_stats_note: Option<&'a str>,
    /// A replay: whose game it was (`myplayername`).
    pub my_player_name: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct RowTeam<'a> {
    pub team_id: u32,
    pub ally_team_id: u32,
    pub name: &'a str,
    pub is_ai: bool,
}

impl<'a> Row<'a> {
    pub fn of(e: &'a IndexEntry) -> Row<'a> {
        let s = e.summary();
        Row {
            path: e.path.display().to_string(),
            file: e.file_name(),
            size_bytes: e.size,
            modified_unix_ms: e.modified.and_then(|m| {
                m.duration_since(std::time::UNIX_EPOCH)
                    .ok()
                    .map(|d| d.as_millis() as u64)
            }),
            format_version: e.format_version(),
            created_unix_ms: s.map(|s| s.created_unix_ms),
            map: e.map(),
            game_seconds: e.game_seconds(),
            teams: s.map_or_else(Vec::new, |s| {
                s.teams
                    .iter()
                    .filter(|t| !t.is_gaia)
                    .map(|t| RowTeam {
                        team_id: t.team_id,
                        ally_team_id: t.ally_team_id,
                        name: &t.name,
                        is_ai: t.is_ai,
                    })
                    .collect()
            }),
            my_team_id: s.and_then(|s| s.my_team_id),
            spectating: s.and_then(|s| s.spectating),
            winners: s.and_then(|s| s.winners.as_deref()),
            winner_names: s.and_then(|s| s.winner_names()),
            local_player_won: s.and_then(|s| s.local_player_won()),
            truncated: s.is_some_and(|s| s.truncated),
            damaged: e.damaged(),
            checked: e.checked,
            source: if e.is_replay() {
                crate::replay::summary::SOURCE
            } else {
                "recording"
            },
            has_team_stats: e.replay.as_ref().map(|r| r.has_team_stats),
            team_stats_note: e.replay.as_ref().and_then(|r| r.team_stats_note.as_deref()),
            my_player_name: e.replay.as_ref().and_then(|r| r.my_player_name.as_deref()),
        }
    }
}

/// The folders `bar-live recordings` lists: `dir`, else the recordings folder (when it exists), and
/// with `bar` BAR's `demos/` folders. `None` when there is nothing to list.
pub fn folders(dir: Option<PathBuf>, paths: &Paths, bar: bool) -> Option<Vec<Folder>> {
    let own = paths.recordings_dir();
    let mut out = Vec::new();
    match dir {
        Some(d) if !same_path(&d, &own) => out.push(Folder::foreign(&d, &paths.data_dir)),
        // The recordings folder may not exist yet (nothing recorded).
        _ if own.is_dir() => out.push(Folder::own(&own)),
        Some(_) => out.push(Folder::own(&own)),
        None => {}
    }
    if bar {
        let demos = game_folders(None, &paths.data_dir, None);
        if demos.is_empty() {
            eprintln!("no BAR replay folder found (looked for demos/ in BAR's data folders)");
        }
        // A folder given with --dir is listed once.
        for d in demos {
            if !out.iter().any(|o| same_path(&o.dir, &d.dir)) {
                out.push(d);
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The index of `dir` (refreshed, cache saved in the folder) and its text: see [`render_folders`].
pub fn render(dir: &Path, json: bool, check: bool) -> anyhow::Result<(RecordingIndex, String)> {
    let (mut indexes, text) = render_folders(&[Folder::own(dir)], json, check)?;
    Ok((indexes.pop().unwrap_or_default(), text))
}

/// The folders' indexes (refreshed, caches saved) and their text: one JSON list of every folder's
/// rows, or a table per folder for people. With `check`, every recording not checked yet is checked
/// first (its blocks read; the result is cached).
pub fn render_folders(
    folders: &[Folder],
    json: bool,
    check: bool,
) -> anyhow::Result<(Vec<RecordingIndex>, String)> {
    let mut indexes = Vec::with_capacity(folders.len());
    for f in folders {
        if !f.dir.is_dir() {
            bail!("{} is not a folder", f.dir.display());
        }
        let mut index = f.index();
        index.refresh(&f.dir);
        if let Some(e) = &index.error {
            bail!("{e}");
        }
        if check {
            index.check_some(&f.dir, std::time::Duration::MAX);
        }
        indexes.push(index);
    }
    let text = if json {
        let rows: Vec<Row> = indexes
            .iter()
            .flat_map(|i| i.entries.iter().map(Row::of))
            .collect();
        serde_json::to_string(&rows)?
    } else {
        let tables: Vec<String> = folders
            .iter()
            .zip(&indexes)
            .map(|(f, i)| {
                if folders.len() > 1 {
                    format!("{}\n{}", f.dir.display(), human(i))
                } else {
                    human(i)
                }
            })
            .collect();
        tables.join("\n")
    };
    Ok((indexes, text))
}

/// Prints [`render_folders`]'s text to stdout.
pub fn run(folders: &[Folder], json: bool, check: bool) -> anyhow::Result<Vec<RecordingIndex>> {
    let (indexes, text) = render_folders(folders, json, check)?;
    super::info::print_line(&text)?;
    Ok(indexes)
}

pub fn human(index: &RecordingIndex) -> String {
    let mut out = format!(
        "{:<19}  {:<28}  {:>8}  {:<30}  {:<16}  {:>8}  v  file\n",
        "date (UTC)", "map", "length", "players", "winner", "MB"
    );
    for e in &index.entries {
        let row = Row::of(e);
        let players: Vec<&str> = row.teams.iter().map(|t| t.name).collect();
        let players = if players.len() > 4 {
            format!("{} teams", players.len())
        } else {
            players.join(", ")
        };
        let mut length = format_game_time(row.game_seconds);
        if row.truncated {
            length.push('*');
        }
        out.push_str(&format!(
            "{:<19}  {:<28}  {:>8}  {:<30}  {:<16}  {:>8.1}  {}  {}{}\n",
            row.created_unix_ms.map(utc_stamp).unwrap_or_default(),
            clip(row.map.unwrap_or("?"), 28),
            length,
            clip(&players, 30),
            clip(row.winner_names.as_deref().unwrap_or("-"), 16),
            row.size_bytes as f64 / 1e6,
            row.format_version.map_or("?".into(), |v| v.to_string()),
            row.file,
            match (row.damaged, row.has_team_stats, row.team_stats_note) {
                (Some(d), _, _) => format!("  [damaged: {d}]"),
                (None, Some(false), note) =>
                    format!("  [no statistics: {}]", note.unwrap_or("not in the file")),
                _ => String::new(),
            },
        ));
    }
    let replays = index.entries.iter().filter(|e| e.is_replay()).count();
    out.push_str(&format!(
        "{} recording(s), {replays} BAR replay(s); * = cut short\n",
        index.entries.len() - replays
    ));
    out
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut c: String = s.chars().take(n.saturating_sub(1)).collect();
        c.push('…');
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recordings_folder_keeps_its_cache_and_other_folders_keep_theirs_in_the_data_folder() {
        let data = tempfile::tempdir().unwrap();
        let paths = Paths::resolve(
            Some(data.path().join("settings.json")),
            Some(data.path().into()),
        );
        // Nothing recorded yet: nothing to list.
        assert_eq!(folders(None, &paths, false), None);
        std::fs::create_dir_all(paths.recordings_dir()).unwrap();
        assert_eq!(
            folders(None, &paths, false),
            Some(vec![Folder::own(&paths.recordings_dir())])
        );
        assert_eq!(
            folders(Some(paths.recordings_dir()), &paths, false),
            Some(vec![Folder::own(&paths.recordings_dir())])
        );
        let demos = Path::new("/somewhere/Beyond All Reason/demos");
        let list = folders(Some(demos.into()), &paths, false).unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].dir, demos);
        let cache = list[0].cache_file.as_ref().unwrap();
        assert!(cache.starts_with(data.path().join("index")), "{cache:?}");
        // The same folder always gets the same cache; another folder another one.
        assert_eq!(Folder::foreign(demos, data.path()), list[0]);
        assert_ne!(
            Folder::foreign(Path::new("/elsewhere/demos"), data.path()).cache_file,
            list[0].cache_file
        );
    }
}
