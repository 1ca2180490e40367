//! A replay's summary in the shape of a recording's ([`crate::recording::Summary`], flattened), plus
//! what only a replay has: `engine_version`, `has_team_stats` and, without statistics, why.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{FRAMES_PER_SECOND, Replay, ReplayError};
use crate::recording::{Summary, TeamSummary};

/// `source` of a replay's summary.
pub const SOURCE: &str = "bar-replay";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReplaySummary {
    #[serde(flatten)]
    pub summary: Summary,
    /// The engine's version string (empty in Spring 106's replays).
    pub engine_version: String,
    /// The demo file's game id, 32 hex digits.
    pub game_id: String,
    /// Every team's statistics are in the file.
    pub has_team_stats: bool,
    /// Why not, when `has_team_stats` is false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_stats_note: Option<String>,
    /// Seconds between statistics records (15; 16 before Spring 99).
    pub team_stat_period_s: u32,
    /// Statistics records of the team with the most.
    pub stat_samples: usize,
    /// `myplayername`: the local player in the player's own replays of local games.
    #[serde(default)]
    pub my_player_name: Option<String>,
    /// Spectators' names (they are not teams).
    #[serde(default)]
    pub spectators: Vec<String>,
}

impl ReplaySummary {
    /// Reads the replay at `path` and summarises it.
    pub fn of_file(path: &Path) -> Result<ReplaySummary, ReplayError> {
        Ok(ReplaySummary::of(&Replay::open(path)?, path))
    }

    pub fn of(r: &Replay, path: &Path) -> ReplaySummary {
        let teams = r
            .teams
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let last = r.team_records.get(i).and_then(|recs| recs.last());
                let value = |name: &str| last.and_then(|rec| rec.get(name));
                TeamSummary {
                    team_id: t.team_id,
                    ally_team_id: t.ally_team_id,
                    name: t.name.clone(),
                    is_ai: t.is_ai,
                    damage_dealt: value("damage_dealt"),
                    damage_received: value("damage_received"),
                    is_gaia: false,
                    died: false,
                }
            })
            .collect();
        let me = r
            .script
            .my_player_name
            .as_deref()
            .and_then(|name| r.script.players.iter().find(|p| p.name == name));
        let end = r.end_frame();
        let summary = Summary {
            path: path.display().to_string(),
            format_version: u32::try_from(r.header.version).unwrap_or(0),
            created_unix_ms: r.header.unix_time_s.saturating_mul(1000),
            source: SOURCE.into(),
            file_bytes: r.file_bytes,
            frames: r.stream.packets,
            payload_bytes: r.stream.bytes,
            connections: 0,
            by_type: Default::default(),
            invalid: 0,
            map: r.script.map_name.clone(),
            game_name: r.script.game_type.clone(),
            first_game_frame: Some(0),
            last_game_frame: Some(end),
            game_seconds: f64::from(end) / f64::from(FRAMES_PER_SECOND),
            duration_ms: u64::from(r.header.wallclock_time_s) * 1000,
            teams,
            truncated: r.truncated,
            corrupt: match &r.no_stats {
                Some(super::NoStats::Damaged(why)) => Some(why.clone()),
                _ => None,
            },
            my_team_id: r.my_team().map(|t| i64::from(t.team_id)),
            spectating: me.map(|p| p.spectator),
            winners: r.winners.clone(),
            game_over: r.stream.game_over.is_some(),
            read_from: "replay".into(),
            milestones: None,
            // A replay holds commands, not unit counts: no build order without re-simulating the game.
            build_order: Some(Vec::new()),
        };
        ReplaySummary {
            summary,
            engine_version: r.header.engine_version.clone(),
            game_id: r.header.game_id_hex(),
            has_team_stats: r.has_team_stats(),
            team_stats_note: r.no_stats.as_ref().map(|n| n.note()),
            team_stat_period_s: r.header.team_stat_period_s,
            stat_samples: r.team_records.iter().map(Vec::len).max().unwrap_or(0),
            my_player_name: r.script.my_player_name.clone(),
            spectators: r
                .script
                .players
                .iter()
                .filter(|p| p.spectator)
                .map(|p| p.name.clone())
                .collect(),
        }
    }
}
