//! `bar-live info`: a recording's summary, for people or as JSON.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use crate::recording::Summary;
use crate::recording::summary::TeamSummary;
use crate::recording::summary::format_game_time;
use crate::replay::{self, ReplaySummary};

/// The summary of `file` and its text: one line of JSON, or the human form. A BAR replay (gzip, see
/// [`crate::replay::is_replay`]) gives its [`ReplaySummary`]'s `summary`, and its text has the replay's
/// fields too.
pub fn render(file: &Path, json: bool) -> anyhow::Result<(Summary, String)> {
    if replay::is_replay(file) {
        let r = ReplaySummary::of_file(file)
            .with_context(|| format!("cannot read the replay {}", file.display()))?;
        let text = if json {
            serde_json::to_string(&r)?
        } else {
            human_replay(&r)
        };
        return Ok((r.summary, text));
    }
    let mut s =
        Summary::of_file(file).with_context(|| format!("cannot read {}", file.display()))?;
    if s.build_order.is_none() {
        // A trailer written before build orders existed: they come from the records.
        s.build_order = Summary::scan(file)
            .with_context(|| format!("cannot read {}", file.display()))?
            .build_order;
    }
    let text = if json {
        serde_json::to_string(&s)?
    } else {
        human(&s)
    };
    Ok((s, text))
}

/// Prints [`render`]'s text to stdout.
pub fn run(file: &Path, json: bool) -> anyhow::Result<Summary> {
    let (s, text) = render(file, json)?;
    print_line(&text)?;
    Ok(s)
}

/// Prints `text` and a newline to stdout. `println!` panics when stdout is a closed pipe
/// (`bar-live info F | head -1`); a reader that stopped listening is not an error.
pub fn print_line(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e),
        _ => Ok(()),
    }
}

pub fn human(s: &Summary) -> String {
    let mut out = format!(
        "{}\n  map {}, game time {} (frames {}–{}), {} frames in {} connection(s), {:.1} KiB\n",
        s.path,
        s.map.as_deref().unwrap_or("?"),
        format_game_time(s.game_seconds),
        s.first_game_frame.unwrap_or(0),
        s.last_game_frame.unwrap_or(0),
        s.frames,
        s.connections,
        s.file_bytes as f64 / 1024.0
    );
    out.push_str(&format!(
        "  format version {}, summary read from the {}\n",
        s.format_version,
        if s.read_from == "trailer" {
            "trailer"
        } else {
            "records"
        }
    ));
    let types: Vec<String> = s.by_type.iter().map(|(k, v)| format!("{k} {v}")).collect();
    out.push_str(&format!("  by type: {}\n", types.join(", ")));
    push_team_lines(&mut out, &s.teams);
    match (s.spectating, s.my_team_id) {
        (Some(true), _) => out.push_str("  recorded as a spectator\n"),
        (Some(false), Some(team)) => out.push_str(&format!("  recorded by team {team}\n")),
        _ => {}
    }
    if let Some(ms) = s.milestones.as_ref().filter(|m| !m.is_empty()) {
        out.push_str("  milestones:\n");
        for m in ms {
            let team = m.team_id.map_or_else(String::new, |id| {
                let name = s
                    .teams
                    .iter()
                    .find(|t| t.team_id == id)
                    .map(|t| t.name.as_str());
                format!(" — {}", name.unwrap_or("?"))
            });
            out.push_str(&format!(
                "    {:>7}  {}{team}\n",
                format_game_time(m.game_seconds),
                m.kind.label()
            ));
        }
    }
    push_build_order(&mut out, s);
    if let Some(w) = s.winner_names() {
        out.push_str(&format!("  winner: {w}\n"));
    }
    if s.invalid > 0 {
        out.push_str(&format!("  {} frames did not decode\n", s.invalid));
    }
    if s.truncated {
        out.push_str(
            "  the file was cut short; everything up to the last complete frame was read\n",
        );
    }
    if let Some(c) = &s.corrupt {
        if s.format_version == 1 {
            out.push_str(&format!("  reading stopped at a damaged record: {c}\n"));
        } else {
            out.push_str(&format!("  the file is damaged: {c}\n"));
        }
    }
    out
}

/// Items per team in the human form's build order.
const HUMAN_BUILD_ITEMS: usize = 8;

/// Each team's opening, one line per team.
fn push_build_order(out: &mut String, s: &Summary) {
    let Some(items) = s.build_order.as_ref().filter(|b| !b.is_empty()) else {
        return;
    };
    out.push_str("  build order (the first units each team finished):\n");
    for t in &s.teams {
        let opening: Vec<String> = items
            .iter()
            .filter(|i| i.team_id == t.team_id)
            .take(HUMAN_BUILD_ITEMS)
            .map(|i| format!("{} {}", format_game_time(i.game_seconds), i.unit))
            .collect();
        if !opening.is_empty() {
            out.push_str(&format!("    {}: {}\n", t.name, opening.join(", ")));
        }
    }
}

/// The human form of a replay's summary.
pub fn human_replay(r: &ReplaySummary) -> String {
    let s = &r.summary;
    let engine = if r.engine_version.is_empty() {
        String::new()
    } else {
        format!(", engine {}", r.engine_version)
    };
    let mut out = format!(
        "{}\n  BAR replay (demo file version {}{engine}), {:.1} KiB\n  map {}, game {}, game time {}, \
         recorded for {}\n",
        s.path,
        s.format_version,
        s.file_bytes as f64 / 1024.0,
        s.map.as_deref().unwrap_or("?"),
        s.game_name.as_deref().unwrap_or("?"),
        format_game_time(s.game_seconds),
        format_game_time(s.duration_ms as f64 / 1000.0),
    );
    push_team_lines(&mut out, &s.teams);
    if !r.spectators.is_empty() {
        out.push_str(&format!("  spectators: {}\n", r.spectators.join(", ")));
    }
    if let Some(me) = &r.my_player_name {
        out.push_str(&format!("  recorded by {me}\n"));
    }
    if let Some(w) = s.winner_names() {
        out.push_str(&format!("  winner: {w}\n"));
    }
    if r.has_team_stats {
        out.push_str(&format!(
            "  team statistics: {} samples, one every {} s\n",
            r.stat_samples, r.team_stat_period_s
        ));
    } else {
        out.push_str(&format!(
            "  no team statistics: {}\n",
            r.team_stats_note.as_deref().unwrap_or("none in the file")
        ));
    }
    if s.truncated {
        out.push_str("  the file was cut short; everything up to where it ends was read\n");
    }
    out
}

/// One line per team: ids, name, AI mark, damage dealt and received.
fn push_team_lines(out: &mut String, teams: &[TeamSummary]) {
    for t in teams {
        out.push_str(&format!(
            "  team {} (ally {}) {}{}: damage dealt {}, received {}\n",
            t.team_id,
            t.ally_team_id,
            t.name,
            if t.is_ai { " [AI]" } else { "" },
            t.damage_dealt.map_or("n/a".into(), |d| format!("{d:.0}")),
            t.damage_received
                .map_or("n/a".into(), |d| format!("{d:.0}")),
        ));
    }
}
