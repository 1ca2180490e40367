//! The demo file header (`rts/System/LoadSave/demofile.h`): 352 bytes in version 5, little-endian.
//!
//! ```text
//! char magic[16] "spring demofile\0" | i32 version (5) | i32 headerSize (352)
//! char versionString[256] (engine version) | u8 gameID[16] | u64 unixTime
//! i32 scriptSize, demoStreamSize, gameTime (s), wallclockTime (s),
//!     numPlayers, playerStatSize, playerStatElemSize (20),
//!     numTeams, teamStatSize, teamStatElemSize (80), teamStatPeriod (s), winningAllyTeamsSize
//! ```
//! A larger `headerSize` is honoured: the bytes after the known fields are skipped (a later engine may add
//! fields there).

use std::io::Read;

use super::error::ReplayError;

/// Bytes of the header this reader knows.
pub const HEADER_BYTES: usize = 352;
/// The magic at the start of every demo file.
pub const MAGIC: &[u8; 16] = b"spring demofile\0";
/// The only demo file version this reader knows.
pub const DEMO_VERSION: i32 = 5;
/// Largest `headerSize` accepted (the known header is 352 bytes; room for many added fields).
pub const MAX_HEADER_BYTES: u32 = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DemoHeader {
    pub version: i32,
    pub header_bytes: u32,
    /// The engine's version string (empty in Spring 106).
    pub engine_version: String,
    pub game_id: [u8; 16],
    /// When the game started (Unix seconds).
    pub unix_time_s: u64,
    pub script_bytes: u32,
    pub demo_stream_bytes: u32,
    /// Game seconds played (0 when the game was left early).
    pub game_time_s: u32,
    /// Wall-clock seconds the recording ran.
    pub wallclock_time_s: u32,
    pub num_players: u32,
    pub player_stat_bytes: u32,
    pub player_stat_elem_bytes: u32,
    pub num_teams: u32,
    pub team_stat_bytes: u32,
    pub team_stat_elem_bytes: u32,
    /// Seconds between two team statistics records (15 since Spring 99, 16 before).
    pub team_stat_period_s: u32,
    pub winning_ally_teams_bytes: u32,
}

impl DemoHeader {
    /// Reads the header and skips to `headerSize`.
    pub fn read<R: Read>(input: &mut R) -> Result<DemoHeader, ReplayError> {
        let mut b = [0u8; HEADER_BYTES];
        let got = read_full(input, &mut b)?;
        if got < MAGIC.len() || b[..MAGIC.len()] != MAGIC[..] {
            if got < MAGIC.len() && MAGIC.starts_with(&b[..got]) {
                return Err(cut("header", got, HEADER_BYTES));
            }
            return Err(ReplayError::BadMagic {
                found: String::from_utf8_lossy(&b[..got.min(MAGIC.len())]).into_owned(),
            });
        }
        if got < 24 {
            return Err(cut("header", got, HEADER_BYTES));
        }
        let version = i32_at(&b, 16);
        if version != DEMO_VERSION {
            return Err(ReplayError::UnsupportedVersion(version));
        }
        let header_bytes = i32_at(&b, 20);
        if !(HEADER_BYTES as i64..=i64::from(MAX_HEADER_BYTES)).contains(&i64::from(header_bytes)) {
            return Err(ReplayError::BadHeaderField {
                field: "headerSize",
                value: header_bytes.into(),
                expected: "352 to 65536",
            });
        }
        if got < HEADER_BYTES {
            return Err(cut("header", got, header_bytes as usize));
        }
        let extra = header_bytes as u64 - HEADER_BYTES as u64;
        let skipped = skip(input, extra)?;
        if skipped < extra {
            return Err(cut(
                "header",
                HEADER_BYTES + skipped as usize,
                header_bytes as usize,
            ));
        }
        let text = &b[24..280];
        let end = text.iter().position(|&c| c == 0).unwrap_or(text.len());
        let mut game_id = [0u8; 16];
        game_id.copy_from_slice(&b[280..296]);
        let mut unix = [0u8; 8];
        unix.copy_from_slice(&b[296..304]);
        let field = |i: usize, name: &'static str| -> Result<u32, ReplayError> {
            let v = i32_at(&b, 304 + 4 * i);
            u32::try_from(v).map_err(|_| ReplayError::BadHeaderField {
                field: name,
                value: v.into(),
                expected: "0 or more",
            })
        };
        Ok(DemoHeader {
            version,
            header_bytes: header_bytes as u32,
            engine_version: String::from_utf8_lossy(&text[..end]).into_owned(),
            game_id,
            unix_time_s: u64::from_le_bytes(unix),
            script_bytes: field(0, "scriptSize")?,
            demo_stream_bytes: field(1, "demoStreamSize")?,
            game_time_s: field(2, "gameTime")?,
            wallclock_time_s: field(3, "wallclockTime")?,
            num_players: field(4, "numPlayers")?,
            player_stat_bytes: field(5, "playerStatSize")?,
            player_stat_elem_bytes: field(6, "playerStatElemSize")?,
            num_teams: field(7, "numTeams")?,
            team_stat_bytes: field(8, "teamStatSize")?,
            team_stat_elem_bytes: field(9, "teamStatElemSize")?,
            team_stat_period_s: field(10, "teamStatPeriod")?,
            winning_ally_teams_bytes: field(11, "winningAllyTeamsSize")?,
        })
    }

    /// The game id as 32 hex digits.
    pub fn game_id_hex(&self) -> String {
        self.game_id.iter().map(|b| format!("{b:02x}")).collect()
    }
}

fn i32_at(b: &[u8], at: usize) -> i32 {
    let mut v = [0u8; 4];
    v.copy_from_slice(&b[at..at + 4]);
    i32::from_le_bytes(v)
}

pub(crate) fn cut(what: &'static str, got: usize, want: usize) -> ReplayError {
    ReplayError::CutShort {
        what,
        got: got as u64,
        want: want as u64,
    }
}

/// Reads until `buf` is full or the input ends; returns the bytes read. A damaged gzip stream is an
/// error; a stream that simply stops (cut short) is an early end.
pub(crate) fn read_full<R: Read>(input: &mut R, buf: &mut [u8]) -> Result<usize, ReplayError> {
    let mut got = 0;
    while got < buf.len() {
        match input.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(gzip_error(e)),
        }
    }
    Ok(got)
}

/// An error from the decompressing reader: damaged gzip data, or the cap.
pub(crate) fn gzip_error(e: std::io::Error) -> ReplayError {
    match e.kind() {
        std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData => {
            ReplayError::Gzip(e.to_string())
        }
        _ => ReplayError::Io(e),
    }
}

/// Reads up to `n` bytes into `out` (appended), growing it only as bytes arrive: a count read from the
/// file never sizes an allocation. Returns the bytes read (fewer than `n`: the input ended).
pub(crate) fn read_vec<R: Read>(
    input: &mut R,
    n: u64,
    out: &mut Vec<u8>,
) -> Result<u64, ReplayError> {
    let before = out.len();
    match input.take(n).read_to_end(out) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {}
        Err(e) => return Err(gzip_error(e)),
    }
    Ok((out.len() - before) as u64)
}

/// Skips up to `n` bytes; returns the bytes skipped (fewer than `n`: the input ended).
pub(crate) fn skip<R: Read>(input: &mut R, n: u64) -> Result<u64, ReplayError> {
    // Small: it is zeroed for every skipped packet (most are a few bytes), and the input is buffered.
    let mut buf = [0u8; 512];
    let mut left = n;
    while left > 0 {
        let want = left.min(buf.len() as u64) as usize;
        let got = read_full(input, &mut buf[..want])?;
        left -= got as u64;
        if got < want {
            break;
        }
    }
    Ok(n - left)
}
