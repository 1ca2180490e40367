//! Protocol errors: one enum for everything a received payload can get wrong.

use super::frame::FrameError;

#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    #[error(transparent)]
    Frame(#[from] FrameError),
    #[error("payload is not valid UTF-8: {0}")]
    Utf8(std::str::Utf8Error),
    #[error("payload is not valid JSON: {0}")]
    Json(JsonError),
    #[error("schema violation: {0}")]
    Schema(String),
    #[error("unsupported schema_version {got} (this build supports up to {supported})")]
    UnsupportedVersion { got: u32, supported: u32 },
}

impl ProtocolError {
    /// Short stable name for reports (`check --json`).
    pub fn kind(&self) -> &'static str {
        match self {
            ProtocolError::Frame(f) => f.kind(),
            ProtocolError::Utf8(_) => "utf8",
            ProtocolError::Json(_) => "json",
            ProtocolError::Schema(_) => "schema",
            ProtocolError::UnsupportedVersion { .. } => "unsupported_version",
        }
    }
}

/// Why a payload is not (usable) JSON, and where: `line` and `column` count from 1 (the column in bytes);
/// both are 0 when no position is known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}{}", position_suffix(*.line, *.column))]
pub struct JsonError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

fn position_suffix(line: usize, column: usize) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(" at line {line} column {column}")
    }
}

impl JsonError {
    /// The error at byte `offset` of `text`.
    pub fn at(text: &str, offset: usize, message: impl Into<String>) -> Self {
        let (line, column) = line_column(text, offset);
        JsonError {
            message: message.into(),
            line,
            column,
        }
    }
}

/// 1-based line and byte column of `offset` in `text` (an offset past the end counts as the end).
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line_start = before
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |p| p + 1);
    let line = 1 + before.iter().filter(|&&c| c == b'\n').count();
    (line, before.len() - line_start + 1)
}

/// serde_json's errors (the serde path for the other message types, and `check`'s parse) carry their
/// position; the message is kept without it.
impl From<serde_json::Error> for JsonError {
    fn from(e: serde_json::Error) -> Self {
        let (line, column) = (e.line(), e.column());
        let full = e.to_string();
        let suffix = format!(" at line {line} column {column}");
        let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
        JsonError {
            message,
            line,
            column,
        }
    }
}
