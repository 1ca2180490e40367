//! Appends frames to a recording as they arrive, flushing at least every second.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{FORMAT_VERSION, FileHeader, MAGIC, RecordingError};
use crate::protocol::frame::encode_frame;

/// Longest time a received frame may sit in the write buffer.
const FLUSH_INTERVAL: Duration = Duration::from_secs(1);

pub struct Recorder {
    out: BufWriter<File>,
    path: PathBuf,
    header: FileHeader,
    last_flush: Instant,
    frames: u64,
    bytes: u64,
}

impl Recorder {
    /// Creates (or truncates) `path` and writes the file header.
    pub fn create(
        path: &Path,
        created_unix_ms: u64,
        source: &str,
    ) -> Result<Recorder, RecordingError> {
        let header = FileHeader {
            created_unix_ms,
            app_version: env!("CARGO_PKG_VERSION").to_owned(),
            source: source.to_owned(),
        };
        let mut out = BufWriter::with_capacity(64 * 1024, File::create(path)?);
        out.write_all(&MAGIC)?;
        out.write_all(&FORMAT_VERSION.to_be_bytes())?;
        let json =
            serde_json::to_vec(&header).map_err(|e| RecordingError::BadHeader(e.to_string()))?;
        out.write_all(&encode_frame(&json).map_err(|e| RecordingError::BadHeader(e.to_string()))?)?;
        out.flush()?;
        Ok(Recorder {
            out,
            path: path.to_owned(),
            header,
            last_flush: Instant::now(),
            frames: 0,
            bytes: 0,
        })
    }

    /// Appends one received frame. `received_unix_ms` is converted to ms since the file was created.
    pub fn append(
        &mut self,
        conn: u64,
        received_unix_ms: u64,
        payload: &[u8],
    ) -> Result<(), RecordingError> {
        let t_ms = received_unix_ms.saturating_sub(self.header.created_unix_ms);
        let conn = u32::try_from(conn).unwrap_or(u32::MAX);
        let len = u32::try_from(payload.len()).map_err(|_| {
            RecordingError::Io(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "frame over 4 GiB",
            ))
        })?;
        self.out.write_all(&t_ms.to_be_bytes())?;
        self.out.write_all(&conn.to_be_bytes())?;
        self.out.write_all(&len.to_be_bytes())?;
        self.out.write_all(payload)?;
        self.frames += 1;
        self.bytes += payload.len() as u64;
        if self.last_flush.elapsed() >= FLUSH_INTERVAL {
            self.flush()?;
        }
        Ok(())
    }

    /// Flushes buffered records to the OS.
    pub fn flush(&mut self) -> Result<(), RecordingError> {
        self.out.flush()?;
        self.last_flush = Instant::now();
        Ok(())
    }

    /// Flushes if the flush interval has passed (call from an idle loop).
    pub fn tick(&mut self) -> Result<(), RecordingError> {
        if self.last_flush.elapsed() >= FLUSH_INTERVAL {
            self.flush()
        } else {
            Ok(())
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn frames(&self) -> u64 {
        self.frames
    }

    pub fn payload_bytes(&self) -> u64 {
        self.bytes
    }

    /// Flushes and syncs to disk.
    pub fn finish(mut self) -> Result<PathBuf, RecordingError> {
        self.out.flush()?;
        self.out.get_ref().sync_all()?;
        Ok(self.path)
    }
}
