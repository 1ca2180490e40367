//! Everything a replay file can get wrong, each variant naming the fault.

/// Why a replay could not be read. Faults after the start script (the demo stream, the statistics) do
/// not fail a read: [`super::Replay`] keeps what was read and says what stopped it
/// ([`super::StatsState`]); these errors are for the gzip wrapper, the header and the script.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("replay i/o error: {0}")]
    Io(#[from] std::io::Error),
    #[error("not a gzip file (a BAR replay is gzip-compressed)")]
    NotGzip,
    #[error("the gzip data is damaged: {0}")]
    Gzip(String),
    #[error("not a Spring/Recoil demo file (magic {found:?}, expected \"spring demofile\")")]
    BadMagic { found: String },
    #[error("demo file version {0} is not supported (this build reads version 5)")]
    UnsupportedVersion(i32),
    #[error("the file ends inside the {what} ({got} of {want} bytes)")]
    CutShort {
        what: &'static str,
        got: u64,
        want: u64,
    },
    #[error("header field {field} is {value}, expected {expected}")]
    BadHeaderField {
        field: &'static str,
        value: i64,
        expected: &'static str,
    },
    #[error("the start script is not text the reader understands: {0}")]
    BadScript(String),
    #[error("the start script has no [game] section")]
    ScriptWithoutGame,
    #[error("decompressed data exceeds {max_bytes} bytes (not a replay, or a gzip bomb)")]
    TooLarge { max_bytes: u64 },
}

/// Why a replay holds no team statistics (or only part of them).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoStats {
    /// A server (autohost) recording: the teams are listed with zero records each.
    ServerRecording,
    /// The recording player left before the game ended: the engine wrote no statistics.
    LeftEarly,
    /// The file ends before or inside the statistics.
    CutShort,
    /// The statistics section is inconsistent (what is wrong is in the text).
    Damaged(String),
}

impl NoStats {
    /// One sentence for people (`info`'s `team_stats_note`, `convert`'s refusal).
    pub fn note(&self) -> String {
        match self {
            NoStats::ServerRecording => "a server (autohost) recording: the engine writes no team \
                                         statistics into those"
                .into(),
            NoStats::LeftEarly => "the game was left before its end: the engine writes team \
                                   statistics only when the game ends on the recording machine"
                .into(),
            NoStats::CutShort => "the file is cut short: it ends before the team statistics".into(),
            NoStats::Damaged(why) => format!("the team statistics are damaged: {why}"),
        }
    }
}
