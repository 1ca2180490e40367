//! BAR's own replays (`.sdfz`, also `.barreplay`): the header, the start script (map, game, players,
//! AIs, teams and ally teams), a scan of the demo stream (game over, team colours), the winners, player
//! statistics and every team's statistics. docs/REPLAYS.md has the layout, the quirks and the limits.
//!
//! The whole file is one gzip stream, read front to back once; nothing is kept of the demo stream but
//! what the scan finds. Every length from the file is checked against a cap and read only as far as
//! the bytes go ([`header::read_vec`]): a count never sizes an allocation. A file that ends early keeps
//! everything up to where it ends ([`Replay::truncated`]); faults after the start script never fail the
//! read, they end up in [`Replay::no_stats`].

pub mod error;
pub mod header;
pub mod messages;
pub mod script;
pub mod stats;
pub mod stream;
pub mod summary;

use std::cell::Cell;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

pub use error::{NoStats, ReplayError};
pub use header::DemoHeader;
pub use script::StartScript;
pub use stats::{PlayerStats, STAT_COUNTERS, StatRecord};
pub use stream::{GameOver, StreamInfo};
pub use summary::ReplaySummary;

use header::read_vec;

/// The gzip magic: how a replay is told from a `.barlive` recording (whatever its name).
pub const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// Extensions BAR and its lobby give replays (without the dot).
pub const EXTENSIONS: [&str; 2] = ["sdfz", "barreplay"];
/// Largest start script accepted (BAR's are tens of KB).
pub const MAX_SCRIPT_BYTES: u32 = 16 * 1024 * 1024;
/// The buffer between the decompressor and the reader.
const DECOMPRESSED_BUFFER_BYTES: usize = 64 * 1024;
/// Game frames per second.
pub const FRAMES_PER_SECOND: u32 = 30;

/// A team of the game (from the start script; spectators are not teams, Gaia is not listed).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReplayTeam {
    pub team_id: u32,
    pub ally_team_id: u32,
    /// As the widget names teams: the AI's name on an AI team, else the leader's (or the first
    /// player's), else "Team N".
    pub name: String,
    pub is_ai: bool,
    /// The players (not spectators) on the team.
    pub players: Vec<String>,
    /// The colour BAR showed (its `AutoColors` message), else the script's `rgbcolor`.
    pub color: Option<[u8; 3]>,
    pub side: String,
}

/// A replay as read.
#[derive(Debug, Clone)]
pub struct Replay {
    pub header: DemoHeader,
    pub script: StartScript,
    pub teams: Vec<ReplayTeam>,
    pub stream: StreamInfo,
    /// Winning ally teams: the file's winner bytes, else the game over packet's; `None` when the game
    /// did not end in the recording (or the file is cut before it says).
    pub winners: Option<Vec<u32>>,
    pub player_stats: Vec<PlayerStats>,
    /// Per team, in [`Replay::teams`] order; empty without statistics.
    pub team_records: Vec<Vec<StatRecord>>,
    /// Why the replay has no (complete) team statistics; `None` when it has them.
    pub no_stats: Option<NoStats>,
    /// The file ends before its end (the gzip stream is cut).
    pub truncated: bool,
    /// Bytes of the file (compressed).
    pub file_bytes: u64,
}

/// Whether `path` holds a replay: gzip magic (a `.barlive` file starts otherwise), or a replay
/// extension when the file cannot be read.
pub fn is_replay(path: &Path) -> bool {
    let mut magic = [0u8; 2];
    match File::open(path).and_then(|mut f| f.read_exact(&mut magic)) {
        Ok(()) => magic == GZIP_MAGIC,
        Err(_) => has_replay_extension(path),
    }
}

/// Whether the file name ends in `.sdfz` or `.barreplay` (any case).
pub fn has_replay_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// The decompressing reader: remembers whether the gzip stream ended early (cut short) rather than
/// cleanly.
struct Gunzip<R: BufRead> {
    inner: flate2::bufread::GzDecoder<R>,
    cut: Rc<Cell<bool>>,
}

impl<R: BufRead> Read for Gunzip<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let r = self.inner.read(buf);
        if let Err(e) = &r
            && e.kind() == std::io::ErrorKind::UnexpectedEof
        {
            self.cut.set(true);
        }
        r
    }
}

impl Replay {
    /// Reads the replay at `path`.
    pub fn open(path: &Path) -> Result<Replay, ReplayError> {
        let file = File::open(path)?;
        let file_bytes = file.metadata()?.len();
        let mut r = Replay::read(BufReader::with_capacity(256 * 1024, file))?;
        r.file_bytes = file_bytes;
        Ok(r)
    }

    /// Reads a replay from its bytes (the fuzz target, tests).
    pub fn from_bytes(bytes: &[u8]) -> Result<Replay, ReplayError> {
        let mut r = Replay::read(bytes)?;
        r.file_bytes = bytes.len() as u64;
        Ok(r)
    }

    /// Reads a replay from its compressed bytes. Errors only when the header or the start script
    /// cannot be read; see the module docs.
    pub fn read<R: BufRead>(mut compressed: R) -> Result<Replay, ReplayError> {
        if !compressed.fill_buf()?.starts_with(&GZIP_MAGIC) {
            return Err(ReplayError::NotGzip);
        }
        let cut = Rc::new(Cell::new(false));
        // The demo stream is read packet by packet (a few bytes each): buffered, the decompressor
        // works in large steps (docs/PERFORMANCE.md, "BAR replays").
        let mut input = BufReader::with_capacity(
            DECOMPRESSED_BUFFER_BYTES,
            Gunzip {
                inner: flate2::bufread::GzDecoder::new(compressed),
                cut: cut.clone(),
            },
        );
        let header = DemoHeader::read(&mut input)?;
        if header.script_bytes > MAX_SCRIPT_BYTES {
            return Err(ReplayError::BadHeaderField {
                field: "scriptSize",
                value: header.script_bytes.into(),
                expected: "at most 16 MiB",
            });
        }
        let mut script_text = Vec::new();
        let got = read_vec(&mut input, header.script_bytes.into(), &mut script_text)?;
        let script_cut = got < u64::from(header.script_bytes);
        if script_cut && got == 0 {
            return Err(header::cut("start script", 0, header.script_bytes as usize));
        }
        let script = StartScript::parse(&script_text)?;
        let teams = teams_of(&script);
        let mut replay = Replay {
            header,
            script,
            teams,
            stream: StreamInfo::default(),
            winners: None,
            player_stats: Vec::new(),
            team_records: Vec::new(),
            no_stats: Some(NoStats::CutShort),
            truncated: true,
            file_bytes: 0,
        };
        if script_cut {
            // A clean gzip end before `scriptSize` bytes: the size lies, the file is not cut.
            if !cut.get() {
                replay.truncated = false;
                replay.no_stats = Some(NoStats::Damaged(format!(
                    "scriptSize says {} bytes, the file holds {got} after the header",
                    replay.header.script_bytes
                )));
            }
            return Ok(replay);
        }
        // After the script nothing fails the read: a fault becomes `no_stats`.
        match replay.read_rest(&mut input, &cut) {
            Ok(()) => {}
            Err(e) => {
                replay.truncated = cut.get();
                replay.no_stats = Some(if replay.truncated {
                    NoStats::CutShort
                } else {
                    NoStats::Damaged(e.to_string())
                });
            }
        }
        replay.apply_colors();
        Ok(replay)
    }

    fn read_rest<R: Read>(
        &mut self,
        input: &mut R,
        cut: &Rc<Cell<bool>>,
    ) -> Result<(), ReplayError> {
        self.stream = stream::scan(input, self.header.demo_stream_bytes.into())?;
        let stream_winners = self.stream.game_over.as_ref().map(|g| {
            g.winners
                .iter()
                .map(|&w| u32::from(w))
                .collect::<Vec<u32>>()
        });
        self.winners = stream_winners.clone();
        if self.stream.cut_short {
            self.truncated = cut.get();
            self.no_stats = Some(if self.truncated {
                NoStats::CutShort
            } else {
                NoStats::Damaged(format!(
                    "the demo stream ends after {} of {} bytes",
                    self.stream.bytes, self.header.demo_stream_bytes
                ))
            });
            return Ok(());
        }
        let tail = stats::read_tail(input, &self.header, &|| cut.get())?;
        self.truncated = tail.cut_short;
        // A game left early may declare a winner byte it never wrote: the bytes count only when the
        // game ended in the recording.
        let ended = self.header.num_teams > 0 || self.stream.game_over.is_some();
        if ended && !tail.winners.is_empty() {
            self.winners = Some(tail.winners.iter().map(|&w| u32::from(w)).collect());
        }
        self.player_stats = tail.player_stats;
        self.team_records = tail.team_records;
        self.no_stats = tail.no_stats;
        Ok(())
    }

    /// BAR's colours (the `AutoColors` message) over the script's.
    fn apply_colors(&mut self) {
        for (team, rgb) in &self.stream.auto_colors {
            if let Some(t) = self.teams.iter_mut().find(|t| t.team_id == *team) {
                t.color = Some(*rgb);
            }
        }
    }

    /// Whether every team's statistics were read (a replay of a game that reached its end on the
    /// recording player's machine).
    pub fn has_team_stats(&self) -> bool {
        self.no_stats.is_none() && self.team_records.iter().any(|r| !r.is_empty())
    }

    /// The game's last frame: the game over packet's frame, else `gameTime`, else the last
    /// statistics record's, else the stream's last frame.
    pub fn end_frame(&self) -> u32 {
        if let Some(g) = &self.stream.game_over {
            return g.frame;
        }
        if self.header.game_time_s > 0 {
            return self.header.game_time_s.saturating_mul(FRAMES_PER_SECOND);
        }
        self.team_records
            .iter()
            .filter_map(|r| r.last())
            .map(|r| u32::try_from(r.frame).unwrap_or(0))
            .max()
            .unwrap_or(self.stream.last_frame)
    }

    /// The game's length in seconds ([`Replay::end_frame`] / 30).
    pub fn game_seconds(&self) -> f64 {
        f64::from(self.end_frame()) / f64::from(FRAMES_PER_SECOND)
    }

    /// The frame of record `i` of team index `team`. The engine gives the last record (the totals at
    /// the end) the *next* period boundary (a game over at frame 1560 with a 15 s period writes 1800):
    /// it is placed at the game's end when that lies after the record before it.
    pub fn record_frame(&self, team: usize, i: usize) -> u32 {
        let Some(records) = self.team_records.get(team) else {
            return 0;
        };
        let raw = records.get(i).map_or(0, |r| r.frame.max(0) as u32);
        if i + 1 == records.len() {
            let end = self.end_frame();
            let before = if i == 0 {
                -1
            } else {
                i64::from(records[i - 1].frame)
            };
            if end < raw && i64::from(end) > before {
                return end;
            }
        }
        raw
    }

    /// The team that team statistics index `i` belongs to (the script's teams in order).
    pub fn stats_team(&self, i: usize) -> Option<&ReplayTeam> {
        self.teams.get(i)
    }

    /// The local player's team, when `myplayername` names a player (not a spectator).
    pub fn my_team(&self) -> Option<&ReplayTeam> {
        let me = self.script.my_player_name.as_deref()?;
        let p = self
            .script
            .players
            .iter()
            .find(|p| p.name == me && !p.spectator)?;
        self.teams.iter().find(|t| Some(t.team_id) == p.team_id)
    }
}

/// The game's teams as the widget would name them.
fn teams_of(script: &StartScript) -> Vec<ReplayTeam> {
    script
        .teams
        .iter()
        .map(|t| {
            let players: Vec<&script::ScriptPlayer> = script
                .players
                .iter()
                .filter(|p| !p.spectator && p.team_id == Some(t.team_id))
                .collect();
            let ai = script.ais.iter().find(|a| a.team_id == Some(t.team_id));
            let leader = players
                .iter()
                .find(|p| Some(p.player_id) == t.leader_player_id)
                .or(players.first());
            let name = ai
                .map(|a| a.name.clone())
                .filter(|n| !n.is_empty())
                .or_else(|| leader.map(|p| p.name.clone()).filter(|n| !n.is_empty()))
                .unwrap_or_else(|| format!("Team {}", t.team_id));
            let to_byte = |c: f32| (c * 255.0 + 0.5) as u8;
            ReplayTeam {
                team_id: t.team_id,
                ally_team_id: t.ally_team_id,
                name,
                is_ai: ai.is_some(),
                players: players.iter().map(|p| p.name.clone()).collect(),
                color: t
                    .rgb_color
                    .map(|[r, g, b]| [to_byte(r), to_byte(g), to_byte(b)]),
                side: t.side.clone(),
            }
        })
        .collect()
}
