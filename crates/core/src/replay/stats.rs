//! What follows the demo stream: the winning ally teams, player statistics and team statistics.
//!
//! ```text
//! u8 winningAllyTeams[winningAllyTeamsSize]
//! numPlayers × 20 bytes: i32 numCommands, unitCommands, mousePixels, mouseClicks, keyPresses
//! numTeams × u32 record counts, then each team's records, one team after another:
//!   80 bytes: i32 frame; f32 metalUsed, energyUsed, metalProduced, energyProduced, metalExcess,
//!   energyExcess, metalReceived, energyReceived, metalSent, energySent, damageDealt, damageReceived;
//!   i32 unitsProduced, unitsDied, unitsReceived, unitsSent, unitsCaptured, unitsOutCaptured, unitsKilled
//! ```
//! Counts are read as u32 (the engine's own `DemoReader::LoadStats` reads them as bytes: not copied).

use std::io::Read;

use super::error::{NoStats, ReplayError};
use super::header::{DemoHeader, read_vec};
use crate::protocol::TeamStats;

/// Bytes of one team statistics record in demo version 5.
pub const TEAM_STAT_RECORD_BYTES: u32 = 80;
/// Bytes of one player's statistics.
pub const PLAYER_STAT_BYTES: u32 = 20;
/// The engine's team limit (`MAX_TEAMS`); more is damage.
pub const MAX_TEAMS: u32 = 255;
/// The engine's player limit; more is damage.
pub const MAX_PLAYERS: u32 = 256;
/// Records per team accepted: one per 15 s is ~5,760 a day.
pub const MAX_RECORDS_PER_TEAM: u32 = 1_000_000;
/// Largest team statistics section read (all teams' records): a 16-team game of 10 hours needs ~3 MB.
/// Bounds what a crafted file (a gzip bomb) can make the reader hold: this much raw, and its records
/// parsed (about twice as much).
pub const MAX_TEAM_STATS_BYTES: u64 = 64 * 1024 * 1024;

/// The 19 running totals of a record, in the file's order, under the protocol's names
/// (`update.teams[].stats`, docs/PROTOCOL.md).
pub const STAT_COUNTERS: [&str; 19] = [
    "metal_used",
    "energy_used",
    "metal_produced",
    "energy_produced",
    "metal_excess",
    "energy_excess",
    "metal_received",
    "energy_received",
    "metal_sent",
    "energy_sent",
    "damage_dealt",
    "damage_received",
    "units_produced",
    "units_died",
    "units_received",
    "units_sent",
    "units_captured",
    "units_out_captured",
    "units_killed",
];

/// One team statistics record: the engine's running totals since the start.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct StatRecord {
    /// The frame the file gives (the last record carries the next period boundary; see
    /// [`super::Replay::record_frame`]).
    pub frame: i32,
    /// In [`STAT_COUNTERS`] order (12 floats, then 7 integers, all as f64).
    pub counters: [f64; 19],
}

impl StatRecord {
    pub fn parse(b: &[u8]) -> StatRecord {
        let word = |i: usize| {
            let mut w = [0u8; 4];
            w.copy_from_slice(&b[4 * i..4 * i + 4]);
            w
        };
        let mut counters = [0.0; 19];
        for (i, c) in counters.iter_mut().enumerate() {
            *c = if i < 12 {
                f64::from(f32::from_le_bytes(word(1 + i)))
            } else {
                f64::from(i32::from_le_bytes(word(1 + i)))
            };
        }
        StatRecord {
            frame: i32::from_le_bytes(word(0)),
            counters,
        }
    }

    /// A counter by its protocol name.
    pub fn get(&self, name: &str) -> Option<f64> {
        STAT_COUNTERS
            .iter()
            .position(|n| *n == name)
            .map(|i| self.counters[i])
    }

    /// The record as the widget's `stats` entry at `frame` (time = frame / 30).
    pub fn to_team_stats(&self, frame: u32) -> TeamStats {
        let mut values = [f64::NAN; crate::protocol::TEAM_STATS_FIELD_COUNT];
        for (slot, name) in values.iter_mut().zip(TeamStats::FIELDS) {
            *slot = match name {
                "time" => f64::from(frame) / 30.0,
                "frame" => f64::from(frame),
                other => self.get(other).unwrap_or(f64::NAN),
            };
        }
        TeamStats::from_array(values)
    }

    /// Units alive by the counters: produced + received + captured − died − sent − out-captured
    /// (never below 0). The engine counts units created by the game (the commander) as produced.
    pub fn units_alive(&self) -> u32 {
        let c = |name: &str| self.get(name).unwrap_or(0.0);
        let alive = c("units_produced") + c("units_received") + c("units_captured")
            - c("units_died")
            - c("units_sent")
            - c("units_out_captured");
        if alive.is_finite() && alive > 0.0 {
            alive.min(f64::from(u32::MAX)) as u32
        } else {
            0
        }
    }
}

/// One player's statistics (numbered as the players in the start script).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PlayerStats {
    pub num_commands: i32,
    pub unit_commands: i32,
    pub mouse_pixels: i32,
    pub mouse_clicks: i32,
    pub key_presses: i32,
}

/// Everything after the demo stream.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tail {
    /// Ally team ids (one byte each); empty when the file has none.
    pub winners: Vec<u8>,
    pub player_stats: Vec<PlayerStats>,
    /// Per team in the script's team order (Gaia excluded); `numTeams` entries when read.
    pub team_records: Vec<Vec<StatRecord>>,
    /// Why there are no (or incomplete) team statistics.
    pub no_stats: Option<NoStats>,
    /// The file ended inside the tail.
    pub cut_short: bool,
}

/// Reads the tail. Never fails on the tail's content: faults end up in [`Tail::no_stats`]. `cut`
/// tells whether a short read was the gzip stream ending early (cut short) rather than a clean end.
pub fn read_tail<R: Read>(
    input: &mut R,
    header: &DemoHeader,
    cut: &dyn Fn() -> bool,
) -> Result<Tail, ReplayError> {
    let mut tail = Tail::default();
    let left_early = header.num_teams == 0;
    let short = |tail: &mut Tail, what: &str| {
        tail.cut_short = cut();
        tail.no_stats = Some(if left_early {
            NoStats::LeftEarly
        } else if tail.cut_short {
            NoStats::CutShort
        } else {
            NoStats::Damaged(format!("the file ends inside the {what}"))
        });
    };
    // Winners: a game left early may declare one winner byte and write none.
    let mut buf = Vec::new();
    let want = u64::from(header.winning_ally_teams_bytes.min(MAX_TEAMS + 1));
    let got = read_vec(input, want, &mut buf)?;
    tail.winners = buf.clone();
    if got < want || header.winning_ally_teams_bytes > MAX_TEAMS + 1 {
        if header.winning_ally_teams_bytes > MAX_TEAMS + 1 {
            tail.no_stats = Some(NoStats::Damaged(format!(
                "winningAllyTeamsSize {} is above {}",
                header.winning_ally_teams_bytes,
                MAX_TEAMS + 1
            )));
        } else {
            short(&mut tail, "winning ally teams");
        }
        return Ok(tail);
    }
    // Player statistics.
    let (players, elem) = (header.num_players, header.player_stat_elem_bytes);
    if players > MAX_PLAYERS || (players > 0 && elem < PLAYER_STAT_BYTES) || elem > 4096 {
        tail.no_stats = Some(NoStats::Damaged(format!(
            "{players} players of {elem} bytes each"
        )));
        return Ok(tail);
    }
    buf.clear();
    let want = u64::from(players) * u64::from(elem);
    if read_vec(input, want, &mut buf)? < want {
        short(&mut tail, "player statistics");
        return Ok(tail);
    }
    tail.player_stats = buf
        .chunks_exact(elem.max(1) as usize)
        .map(|c| {
            let i =
                |k: usize| i32::from_le_bytes([c[4 * k], c[4 * k + 1], c[4 * k + 2], c[4 * k + 3]]);
            PlayerStats {
                num_commands: i(0),
                unit_commands: i(1),
                mouse_pixels: i(2),
                mouse_clicks: i(3),
                key_presses: i(4),
            }
        })
        .collect();
    // Team statistics.
    if left_early {
        tail.no_stats = Some(NoStats::LeftEarly);
        return Ok(tail);
    }
    let (teams, elem) = (header.num_teams, header.team_stat_elem_bytes);
    if teams > MAX_TEAMS || !(TEAM_STAT_RECORD_BYTES..=4096).contains(&elem) {
        tail.no_stats = Some(NoStats::Damaged(format!(
            "{teams} teams with records of {elem} bytes"
        )));
        return Ok(tail);
    }
    buf.clear();
    let want = 4 * u64::from(teams);
    if read_vec(input, want, &mut buf)? < want {
        short(&mut tail, "team statistics counts");
        return Ok(tail);
    }
    let counts: Vec<u32> = buf
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    if let Some(c) = counts.iter().find(|&&c| c > MAX_RECORDS_PER_TEAM) {
        tail.no_stats = Some(NoStats::Damaged(format!(
            "a team has {c} records (at most {MAX_RECORDS_PER_TEAM})"
        )));
        return Ok(tail);
    }
    let total: u64 = counts.iter().map(|&c| u64::from(c)).sum();
    if total == 0 {
        tail.team_records = vec![Vec::new(); counts.len()];
        tail.no_stats = Some(NoStats::ServerRecording);
        return Ok(tail);
    }
    let want = total * u64::from(elem);
    if want > MAX_TEAM_STATS_BYTES {
        tail.no_stats = Some(NoStats::Damaged(format!(
            "the team statistics would take {want} bytes (at most {MAX_TEAM_STATS_BYTES} are read)"
        )));
        return Ok(tail);
    }
    buf.clear();
    let got = read_vec(input, want, &mut buf)?;
    let mut records = buf.chunks_exact(elem as usize).map(StatRecord::parse);
    for &count in &counts {
        tail.team_records
            .push(records.by_ref().take(count as usize).collect());
    }
    if got < want {
        // Teams whose records are all there are kept; the rest are partial.
        tail.cut_short = cut();
        tail.no_stats = Some(if tail.cut_short {
            NoStats::CutShort
        } else {
            NoStats::Damaged(format!(
                "the record counts need {want} bytes, the file holds {got}"
            ))
        });
    }
    Ok(tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_reads_floats_then_integers() {
        let mut b = Vec::new();
        b.extend_from_slice(&450i32.to_le_bytes());
        for i in 0..12 {
            b.extend_from_slice(&(i as f32 + 0.5).to_le_bytes());
        }
        for i in 0..7i32 {
            b.extend_from_slice(&(100 + i).to_le_bytes());
        }
        let r = StatRecord::parse(&b);
        assert_eq!(r.frame, 450);
        assert_eq!(r.get("metal_used"), Some(0.5));
        assert_eq!(r.get("energy_used"), Some(1.5));
        assert_eq!(r.get("damage_received"), Some(11.5));
        assert_eq!(r.get("units_produced"), Some(100.0));
        assert_eq!(r.get("units_killed"), Some(106.0));
        let s = r.to_team_stats(450);
        assert_eq!((s.time, s.frame, s.metal_produced), (15.0, 450.0, 2.5));
        assert_eq!(s.units_out_captured, 105.0);
        // 100 + 102 + 104 - 101 - 103 - 105
        assert_eq!(r.units_alive(), 0);
    }

    #[test]
    fn every_counter_name_is_a_protocol_field() {
        for name in STAT_COUNTERS {
            assert!(TeamStats::FIELDS.contains(&name), "{name}");
        }
    }
}
