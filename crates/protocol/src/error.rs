//! Protocol errors: one enum for everything a received payload can get wrong.

use super::frame::FrameError;

#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    #[error(transparent)]
    Frame(#[from] FrameError),
    #[error("payload is not valid UTF-8: {0}")]
    Utf8(std::str::Utf8Error),
    #[error("payload is not valid JSON: {0}")]
    Json(serde_json::Error),
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
