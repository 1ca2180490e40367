//! What `bar-live info` and the recordings browser show about a file.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::{RecordingError, RecordingReader};
use crate::protocol::{self, WidgetMessage};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TeamSummary {
    pub team_id: u32,
    pub ally_team_id: u32,
    pub name: String,
    pub is_ai: bool,
    /// From the last team statistics seen; null when the stream had none.
    pub damage_dealt: Option<f64>,
    pub damage_received: Option<f64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    pub path: String,
    pub format_version: u32,
    pub created_unix_ms: u64,
    pub source: String,
    pub file_bytes: u64,
    pub frames: u64,
    pub payload_bytes: u64,
    pub connections: u64,
    pub by_type: BTreeMap<String, u64>,
    pub invalid: u64,
    pub map: Option<String>,
    pub game_name: Option<String>,
    pub first_game_frame: Option<u32>,
    pub last_game_frame: Option<u32>,
    /// Game seconds covered by updates.
    pub game_seconds: f64,
    /// Wall-clock span of the recording, first to last record.
    pub duration_ms: u64,
    pub teams: Vec<TeamSummary>,
    pub truncated: bool,
    pub corrupt: Option<String>,
}

impl Summary {
    /// Reads the whole file. Frames that do not decode are counted as invalid, not fatal.
    pub fn of_file(path: &Path) -> Result<Summary, RecordingError> {
        let file_bytes = std::fs::metadata(path)?.len();
        let mut reader = RecordingReader::open(path)?;
        let mut s = Summary {
            path: path.display().to_string(),
            format_version: reader.version(),
            created_unix_ms: reader.header().created_unix_ms,
            source: reader.header().source.clone(),
            file_bytes,
            frames: 0,
            payload_bytes: 0,
            connections: 0,
            by_type: BTreeMap::new(),
            invalid: 0,
            map: None,
            game_name: None,
            first_game_frame: None,
            last_game_frame: None,
            game_seconds: 0.0,
            duration_ms: 0,
            teams: Vec::new(),
            truncated: false,
            corrupt: None,
        };
        let mut teams: BTreeMap<u32, TeamSummary> = BTreeMap::new();
        let mut conns = std::collections::BTreeSet::new();
        let (mut first_t, mut last_t) = (None, 0u64);
        let (mut first_secs, mut last_secs) = (None, 0.0f64);
        while let Some(rec) = reader.next_record()? {
            s.frames += 1;
            s.payload_bytes += rec.payload.len() as u64;
            conns.insert(rec.conn);
            first_t.get_or_insert(rec.t_ms);
            last_t = rec.t_ms;
            let Ok(msg) = protocol::decode_widget(&rec.payload) else {
                s.invalid += 1;
                continue;
            };
            *s.by_type
                .entry(msg.body.type_name().to_owned())
                .or_default() += 1;
            match &msg.body {
                WidgetMessage::Hello(h) => {
                    s.map = Some(h.game.map_name.clone());
                    s.game_name = Some(h.game.game_name.clone());
                    for t in &h.teams {
                        teams.entry(t.team_id).or_insert(TeamSummary {
                            team_id: t.team_id,
                            ally_team_id: t.ally_team_id,
                            name: t.name.clone(),
                            is_ai: t.is_ai,
                            damage_dealt: None,
                            damage_received: None,
                        });
                    }
                }
                WidgetMessage::Update(u) => {
                    s.first_game_frame.get_or_insert(u.game_frame);
                    s.last_game_frame = Some(u.game_frame);
                    first_secs.get_or_insert(u.game_seconds);
                    last_secs = u.game_seconds;
                    for ts in &u.teams {
                        if let (Some(st), Some(team)) = (&ts.stats, teams.get_mut(&ts.team_id)) {
                            let finite = |x: f64| x.is_finite().then_some(x);
                            team.damage_dealt = finite(st.damage_dealt).or(team.damage_dealt);
                            team.damage_received =
                                finite(st.damage_received).or(team.damage_received);
                        }
                    }
                }
                _ => {}
            }
        }
        s.connections = conns.len() as u64;
        s.duration_ms = first_t.map_or(0, |f| last_t - f);
        s.game_seconds = first_secs.map_or(0.0, |f| last_secs - f);
        s.teams = teams.into_values().collect();
        s.truncated = reader.truncated();
        s.corrupt = reader.corrupt().map(str::to_owned);
        Ok(s)
    }
}

/// `m:ss` or `h:mm:ss` for game time.
pub fn format_game_time(seconds: f64) -> String {
    let total = if seconds.is_finite() && seconds > 0.0 {
        seconds as u64
    } else {
        0
    };
    let (h, m, s) = (total / 3600, (total / 60) % 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn game_time_format() {
        assert_eq!(format_game_time(0.0), "0:00");
        assert_eq!(format_game_time(75.9), "1:15");
        assert_eq!(format_game_time(7322.0), "2:02:02");
        assert_eq!(format_game_time(f64::NAN), "0:00");
    }
}
