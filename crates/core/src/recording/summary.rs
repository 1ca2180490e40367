//! What `bar-live info` and the recordings index show about a file.
//!
//! A finished version-2 file carries its summary in a trailer (written by [`super::Recorder::finish`]
//! from the same [`SummaryBuilder`] a full scan uses), so it is read without decompressing the records.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::block::{
    BLOCK_HEADER_BYTES, BlockDecoder, BlockHeader, FOOTER_BYTES, KIND_SUMMARY, decode_footer,
};
use super::{FileHeader, RecordingError, RecordingReader};
use crate::game::build_order::SUMMARY_ITEMS_PER_TEAM;
use crate::game::{BuildEntry, Milestone, MilestoneFeed};
use crate::protocol::{self, WidgetMessage};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TeamSummary {
    pub team_id: u32,
    pub ally_team_id: u32,
    pub name: String,
    pub is_ai: bool,
    /// From the last team statistics seen; null when the stream had none.
    pub damage_dealt: Option<f64>,
    pub damage_received: Option<f64>,
    #[serde(default)]
    pub is_gaia: bool,
    /// A `team_died` event named this team.
    #[serde(default)]
    pub died: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
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
    /// The local player's team (`hello.game.my_team_id` of the last hello).
    #[serde(default)]
    pub my_team_id: Option<i64>,
    /// Whether the local player was spectating (last hello or `player_changed` event).
    #[serde(default)]
    pub spectating: Option<bool>,
    /// Winning ally teams: `game_over.winners`, else the last ally team left standing once
    /// `team_died` events have eliminated all others; null when unknown.
    #[serde(default)]
    pub winners: Option<Vec<u32>>,
    /// A `game_over` event was recorded.
    #[serde(default)]
    pub game_over: bool,
    /// Where this summary came from: "trailer" (a finished v2 file, read without decompressing) or
    /// "scan" (every record read).
    #[serde(default)]
    pub read_from: String,
    /// Milestones of the teams the viewer could read, in game order (docs/INSIGHT.md). `None` only in
    /// trailers written before milestones existed; readers scan such files instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestones: Option<Vec<Milestone>>,
    /// The first [`SUMMARY_ITEMS_PER_TEAM`] units each readable team finished, in time order
    /// ([`crate::game::build_order`]). `None` only in trailers written before build orders existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_order: Option<Vec<BuildEntry>>,
}

/// Accumulates a [`Summary`] record by record (a full scan, and the v2 writer for its trailer).
#[derive(Debug, Clone)]
pub struct SummaryBuilder {
    s: Summary,
    teams: BTreeMap<u32, TeamSummary>,
    conns: BTreeSet<u64>,
    first_t: Option<u64>,
    last_t: u64,
    first_secs: Option<f64>,
    last_secs: f64,
    winners_event: Option<Vec<u32>>,
    team_died_seen: bool,
    milestones: MilestoneFeed,
}

impl SummaryBuilder {
    pub fn new(header: &FileHeader) -> SummaryBuilder {
        SummaryBuilder {
            s: Summary {
                path: String::new(),
                format_version: 0,
                created_unix_ms: header.created_unix_ms,
                source: header.source.clone(),
                file_bytes: 0,
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
                my_team_id: None,
                spectating: None,
                winners: None,
                game_over: false,
                read_from: String::new(),
                milestones: None,
                build_order: None,
            },
            teams: BTreeMap::new(),
            conns: BTreeSet::new(),
            first_t: None,
            last_t: 0,
            first_secs: None,
            last_secs: 0.0,
            winners_event: None,
            team_died_seen: false,
            milestones: MilestoneFeed::default(),
        }
    }

    /// Adds one record. Frames that do not decode are counted as invalid.
    pub fn add(&mut self, t_ms: u64, conn: u64, payload: &[u8]) {
        let s = &mut self.s;
        s.frames += 1;
        s.payload_bytes += payload.len() as u64;
        self.conns.insert(conn);
        self.first_t.get_or_insert(t_ms);
        self.last_t = t_ms;
        let Ok(msg) = protocol::decode_widget(payload) else {
            s.invalid += 1;
            return;
        };
        *s.by_type
            .entry(msg.body.type_name().to_owned())
            .or_default() += 1;
        self.milestones.ingest(&msg.body);
        match &msg.body {
            WidgetMessage::Hello(h) => {
                s.map = Some(h.game.map_name.clone());
                s.game_name = Some(h.game.game_name.clone());
                s.my_team_id = Some(h.game.my_team_id);
                s.spectating = Some(h.game.spectating);
                for t in &h.teams {
                    self.teams.entry(t.team_id).or_insert(TeamSummary {
                        team_id: t.team_id,
                        ally_team_id: t.ally_team_id,
                        name: t.name.clone(),
                        is_ai: t.is_ai,
                        damage_dealt: None,
                        damage_received: None,
                        is_gaia: t.is_gaia,
                        died: false,
                    });
                }
            }
            WidgetMessage::Update(u) => {
                s.first_game_frame.get_or_insert(u.game_frame);
                s.last_game_frame = Some(u.game_frame);
                self.first_secs.get_or_insert(u.game_seconds);
                self.last_secs = u.game_seconds;
                for ts in &u.teams {
                    if let (Some(st), Some(team)) = (&ts.stats, self.teams.get_mut(&ts.team_id)) {
                        let finite = |x: f64| x.is_finite().then_some(x);
                        team.damage_dealt = finite(st.damage_dealt).or(team.damage_dealt);
                        team.damage_received = finite(st.damage_received).or(team.damage_received);
                    }
                }
            }
            WidgetMessage::Event(e) => match e.name.as_str() {
                "game_over" => {
                    s.game_over = true;
                    if let Some(w) = &e.winners {
                        self.winners_event = Some(w.clone());
                    }
                }
                "player_changed" => {
                    if let Some(spectating) = e.spectating {
                        s.spectating = Some(spectating);
                    }
                }
                "team_died" => {
                    if let Some(team) = e.team_id.and_then(|id| self.teams.get_mut(&id)) {
                        team.died = true;
                        self.team_died_seen = true;
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }

    /// The summary of what was added so far (`path`, `file_bytes`, `format_version`, `truncated`,
    /// `corrupt` and `read_from` are left for the caller).
    pub fn snapshot(&self) -> Summary {
        let mut s = self.s.clone();
        s.connections = self.conns.len() as u64;
        s.duration_ms = self.first_t.map_or(0, |f| self.last_t.saturating_sub(f));
        s.game_seconds = self.first_secs.map_or(0.0, |f| self.last_secs - f);
        s.teams = self.teams.values().cloned().collect();
        s.milestones = Some(self.milestones.milestones().to_vec());
        s.build_order = Some(
            self.milestones
                .build_orders()
                .entries(SUMMARY_ITEMS_PER_TEAM),
        );
        s.winners = self.winners_event.clone().or_else(|| {
            // The last ally team standing, once deaths have left exactly one of several.
            let players = s.teams.iter().filter(|t| !t.is_gaia);
            let allies: BTreeSet<u32> = players.clone().map(|t| t.ally_team_id).collect();
            let alive: BTreeSet<u32> = players
                .filter(|t| !t.died)
                .map(|t| t.ally_team_id)
                .collect();
            (self.team_died_seen && allies.len() > 1 && alive.len() == 1)
                .then(|| alive.into_iter().collect())
        });
        s
    }
}

impl Summary {
    /// The summary of a file: from a finished v2 file's trailer after checking every block's checksum
    /// (the records are not decompressed), else by reading every record. Frames that do not decode
    /// are counted as invalid, not fatal.
    pub fn of_file(path: &Path) -> Result<Summary, RecordingError> {
        Summary::read(path, true)
    }

    /// Like [`Summary::of_file`], but trusts a v2 trailer without checking the blocks' checksums (three
    /// small reads, whatever the file's size): the recordings index uses this.
    pub fn of_file_fast(path: &Path) -> Result<Summary, RecordingError> {
        Summary::read(path, false)
    }

    /// Reads every record (ignores a trailer).
    pub fn scan(path: &Path) -> Result<Summary, RecordingError> {
        let file_bytes = std::fs::metadata(path)?.len();
        let mut reader = RecordingReader::open(path)?;
        let mut b = SummaryBuilder::new(reader.header());
        while let Some(rec) = reader.next_record()? {
            b.add(rec.t_ms, rec.conn, &rec.payload);
        }
        let mut s = b.snapshot();
        s.path = path.display().to_string();
        s.format_version = reader.version();
        s.file_bytes = file_bytes;
        s.truncated = reader.truncated();
        s.corrupt = reader.corrupt().map(str::to_owned);
        s.read_from = "scan".into();
        Ok(s)
    }

    fn read(path: &Path, verify: bool) -> Result<Summary, RecordingError> {
        let mut file = BufReader::with_capacity(64 * 1024, File::open(path)?);
        let reader = RecordingReader::new(&mut file)?;
        let (version, data_start) = (reader.version(), reader.position());
        drop(reader);
        // A trailer from before milestones existed lacks them: such a file is scanned instead.
        if version >= 2
            && let Some(mut s) = read_trailer(file.get_mut(), data_start, verify)?
            && s.milestones.is_some()
        {
            s.path = path.display().to_string();
            s.format_version = version;
            s.file_bytes = std::fs::metadata(path)?.len();
            s.truncated = false;
            s.corrupt = None;
            s.read_from = "trailer".into();
            return Ok(s);
        }
        Summary::scan(path)
    }

    /// Names of the players' teams (not Gaia), in team order.
    pub fn players(&self) -> impl Iterator<Item = &str> {
        self.teams
            .iter()
            .filter(|t| !t.is_gaia)
            .map(|t| t.name.as_str())
    }

    /// The local player's ally team, when the player was playing (not spectating).
    pub fn my_ally_team(&self) -> Option<u32> {
        if self.spectating != Some(false) {
            return None;
        }
        let me = u32::try_from(self.my_team_id?).ok()?;
        self.teams
            .iter()
            .find(|t| t.team_id == me)
            .map(|t| t.ally_team_id)
    }

    /// Whether the local player's ally team won: `None` when spectating or unknown.
    pub fn local_player_won(&self) -> Option<bool> {
        Some(self.winners.as_ref()?.contains(&self.my_ally_team()?))
    }

    /// The winners named after their players as the app names ally teams: "Alice & Bob", "Carol +3";
    /// several winning ally teams are separated by ", ". `None` when unknown.
    pub fn winner_names(&self) -> Option<String> {
        let names: Vec<String> = self
            .winners
            .as_ref()?
            .iter()
            .map(|&ally| {
                let players: Vec<&str> = self
                    .teams
                    .iter()
                    .filter(|t| !t.is_gaia && t.ally_team_id == ally)
                    .map(|t| t.name.as_str())
                    .collect();
                match players.as_slice() {
                    [] => format!("ally team {ally}"),
                    [a] => (*a).to_owned(),
                    [a, b] => format!("{a} & {b}"),
                    [a, rest @ ..] => format!("{a} +{}", rest.len()),
                }
            })
            .collect();
        Some(names.join(", "))
    }
}

/// The trailer's content: the summary as JSON, plus the bits of its floating-point fields (serde_json's
/// default float parser may be one unit in the last place off, and the trailer must give exactly what a
/// scan gives).
#[derive(Serialize, Deserialize)]
struct Trailer {
    summary: Summary,
    f64_bits: Vec<u64>,
}

fn f64_fields(s: &mut Summary) -> Vec<&mut f64> {
    let mut v = vec![&mut s.game_seconds];
    for t in &mut s.teams {
        v.extend(t.damage_dealt.as_mut());
        v.extend(t.damage_received.as_mut());
    }
    for m in s.milestones.iter_mut().flatten() {
        v.push(&mut m.game_seconds);
    }
    v
}

pub(crate) fn encode_trailer(s: &Summary) -> Vec<u8> {
    let mut s = s.clone();
    let f64_bits = f64_fields(&mut s)
        .into_iter()
        .map(|x| x.to_bits())
        .collect();
    serde_json::to_vec(&Trailer {
        summary: s,
        f64_bits,
    })
    .unwrap_or_default()
}

fn decode_trailer(json: &[u8]) -> Option<Summary> {
    let Trailer {
        mut summary,
        f64_bits,
    } = serde_json::from_slice(json).ok()?;
    let fields = f64_fields(&mut summary);
    if fields.len() != f64_bits.len() {
        return None;
    }
    for (x, bits) in fields.into_iter().zip(f64_bits) {
        *x = f64::from_bits(bits);
    }
    Some(summary)
}

/// Largest trailer accepted (it holds a summary: a few KB).
const MAX_TRAILER_BYTES: u32 = 4 * 1024 * 1024;

/// The trailer's summary, or `None` when the file has no valid trailer (cut short, crashed, damaged).
/// With `verify`, every block from `data_start` to the trailer must be intact (checksums), else `None`.
fn read_trailer<F: Read + Seek>(
    file: &mut F,
    data_start: u64,
    verify: bool,
) -> Result<Option<Summary>, RecordingError> {
    let len = file.seek(SeekFrom::End(0))?;
    if len < data_start + (BLOCK_HEADER_BYTES + FOOTER_BYTES) as u64 {
        return Ok(None);
    }
    let footer_at = len - FOOTER_BYTES as u64;
    file.seek(SeekFrom::Start(footer_at))?;
    let mut footer = [0u8; FOOTER_BYTES];
    file.read_exact(&mut footer)?;
    let Some(at) = decode_footer(&footer) else {
        return Ok(None);
    };
    if at < data_start || at > footer_at - BLOCK_HEADER_BYTES as u64 {
        return Ok(None);
    }
    file.seek(SeekFrom::Start(at))?;
    let mut head = [0u8; BLOCK_HEADER_BYTES];
    file.read_exact(&mut head)?;
    let Ok(h) = BlockHeader::decode(&head) else {
        return Ok(None);
    };
    if h.kind != KIND_SUMMARY
        || at + (BLOCK_HEADER_BYTES as u64) + u64::from(h.stored_len) != footer_at
        || h.raw_len > MAX_TRAILER_BYTES
    {
        return Ok(None);
    }
    let mut stored = vec![0u8; h.stored_len as usize];
    file.read_exact(&mut stored)?;
    if crc32fast::hash(&stored) != h.data_crc {
        return Ok(None);
    }
    let mut json = Vec::new();
    if BlockDecoder::new()?
        .decompress(&stored, h.raw_len as usize, &[], &mut json)
        .is_err()
    {
        return Ok(None);
    }
    let Some(summary) = decode_trailer(&json) else {
        return Ok(None);
    };
    if verify && !blocks_intact(file, data_start, at)? {
        return Ok(None);
    }
    Ok(Some(summary))
}

/// Walks the blocks in `start..end` checking each header and data checksum (no decompression).
fn blocks_intact<F: Read + Seek>(file: &mut F, start: u64, end: u64) -> std::io::Result<bool> {
    file.seek(SeekFrom::Start(start))?;
    let mut input = BufReader::with_capacity(256 * 1024, file);
    let mut pos = start;
    let mut stored = Vec::new();
    while pos < end {
        let mut head = [0u8; BLOCK_HEADER_BYTES];
        if end - pos < BLOCK_HEADER_BYTES as u64 || input.read_exact(&mut head).is_err() {
            return Ok(false);
        }
        let Ok(h) = BlockHeader::decode(&head) else {
            return Ok(false);
        };
        pos += (BLOCK_HEADER_BYTES as u64) + u64::from(h.stored_len);
        if pos > end {
            return Ok(false);
        }
        stored.resize(h.stored_len as usize, 0);
        input.read_exact(&mut stored)?;
        if crc32fast::hash(&stored) != h.data_crc {
            return Ok(false);
        }
    }
    Ok(true)
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
