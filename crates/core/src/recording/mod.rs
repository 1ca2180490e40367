//! `.barlive` recordings: the wire frames verbatim, each with its receive time (see docs/PROTOCOL.md,
//! "Recording files").
//!
//! ```text
//! magic 89 42 4C 56 0D 0A 1A 0A | u32 BE version | header frame (JSON)
//! version 1, records: u64 BE ms since created_unix_ms | u32 BE connection | frame (u32 BE length + payload)
//! version 2, blocks:  44-byte block header | zstd frame holding about one second of version-1 records
//!            then, when the recording was finished: a summary block | 16-byte footer
//! ```
//! [`RecordingReader`] and [`Summary`] read both versions; [`Recorder`] writes version 2 unless told
//! otherwise.

pub mod block;
pub mod reader;
pub mod summary;
pub mod writer;

pub use reader::{Record, RecordingReader};
pub use summary::{Summary, SummaryBuilder, TeamSummary};
pub use writer::Recorder;

/// File magic: non-ASCII first byte and CR LF / ^Z / LF catch text-mode and line-ending mangling.
pub const MAGIC: [u8; 8] = [0x89, b'B', b'L', b'V', b'\r', b'\n', 0x1A, b'\n'];
/// The newest format version this build writes (by default) and reads.
pub const FORMAT_VERSION: u32 = 2;
/// Every version this build reads and can write.
pub const SUPPORTED_VERSIONS: [u32; 2] = [1, 2];
/// File extension, without the dot.
pub const EXTENSION: &str = "barlive";
/// Bytes before each record's frame: time (u64) + connection (u32).
pub const RECORD_HEADER_BYTES: usize = 12;
/// Largest block (stored or decompressed) a reader accepts; the writer's blocks stay far below (it
/// closes a block at 1 MiB, and a frame is at most the protocol cap of 8 MiB).
pub const MAX_BLOCK_BYTES: usize = 16 * 1024 * 1024;
/// Largest JSON header a reader accepts.
pub const MAX_HEADER_BYTES: u32 = 1024 * 1024;

/// The JSON header at the start of a recording.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FileHeader {
    pub created_unix_ms: u64,
    pub app_version: String,
    /// What produced the file, e.g. "live 127.0.0.1:9876" or "record".
    pub source: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RecordingError {
    #[error("not a bar-live recording (bad magic bytes)")]
    BadMagic,
    #[error("recording format version {got} is newer than this build supports ({supported})")]
    UnsupportedVersion { got: u32, supported: u32 },
    #[error("recording header is damaged: {0}")]
    BadHeader(String),
    #[error("recording i/o error: {0}")]
    Io(#[from] std::io::Error),
    #[error("recording compression error: {0}")]
    Compression(String),
    #[error("frame of {bytes} bytes cannot be recorded (1 to {max} bytes)")]
    FrameSize { bytes: usize, max: u32 },
}
