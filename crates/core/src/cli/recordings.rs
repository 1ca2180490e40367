//! `bar-live recordings [--dir D] [--json] [--check]`: the recordings folder's index (cached in
//! `D/.index.json`); `--check` reads every block of the files not checked yet, so damage in the middle
//! of a finished file shows.

use std::path::Path;

use anyhow::bail;
use serde::Serialize;

use crate::recording::summary::format_game_time;
use crate::recording::{IndexEntry, RecordingIndex};
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
        }
    }
}

/// The index of `dir` (refreshed, cache saved) and its text: a JSON list, or a table for people.
/// With `check`, every file not checked yet is checked first (its blocks read; the result is cached).
pub fn render(dir: &Path, json: bool, check: bool) -> anyhow::Result<(RecordingIndex, String)> {
    let mut index = RecordingIndex::open(dir);
    if let Some(e) = &index.error {
        bail!("{e}");
    }
    if !dir.is_dir() {
        bail!("{} is not a folder", dir.display());
    }
    if check {
        index.check_some(dir, std::time::Duration::MAX);
    }
    let text = if json {
        serde_json::to_string(&index.entries.iter().map(Row::of).collect::<Vec<_>>())?
    } else {
        human(&index)
    };
    Ok((index, text))
}

/// Prints [`render`]'s text to stdout.
pub fn run(dir: &Path, json: bool, check: bool) -> anyhow::Result<RecordingIndex> {
    let (index, text) = render(dir, json, check)?;
    super::info::print_line(&text)?;
    Ok(index)
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
            row.damaged
                .map_or(String::new(), |d| format!("  [damaged: {d}]")),
        ));
    }
    out.push_str(&format!(
        "{} recording(s); * = cut short\n",
        index.entries.len()
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
