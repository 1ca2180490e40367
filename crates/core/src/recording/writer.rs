//! Appends frames to a recording as they arrive.
//!
//! Version 2 (the default) collects about one second of records, then compresses them as one block and
//! hands it to the OS: a `kill -9` loses at most the block being collected (about a second). Once a
//! second (`tick`, `flush`, or an `append` a second after the last one) the file is also synced to disk,
//! so a power loss costs about as much. [`Recorder::finish`] adds the summary block and the footer, and
//! syncs.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::block::{
    self, BLOCK_HEADER_BYTES, BlockEncoder, BlockHeader, FLAG_CHAINED, KIND_RECORDS, KIND_SUMMARY,
    ZSTD_DICT_MAGIC,
};
use super::summary::{SummaryBuilder, encode_trailer};
use super::{FORMAT_VERSION, FileHeader, MAGIC, RecordingError, SUPPORTED_VERSIONS};
use crate::protocol::DEFAULT_MAX_FRAME_BYTES;
use crate::protocol::frame::encode_frame;

/// Longest time a received frame may wait before it is handed to the OS (v1: flushed; v2: its block is
/// closed and written).
const FLUSH_INTERVAL: Duration = Duration::from_secs(1);
/// A v2 block holds records received within this span (receive times, so converted and simulated files
/// are cut the same way as live ones).
const BLOCK_SPAN_MS: u64 = 1000;
/// A v2 block is closed once it holds this many uncompressed bytes (a fast sender, a conversion).
const BLOCK_TARGET_BYTES: usize = 1024 * 1024;
/// Every this many blocks, one is compressed on its own (not chained to the previous one): a damaged
/// block costs at most the blocks up to the next such one.
const KEY_BLOCK_EVERY: u32 = 10;

pub struct Recorder {
    out: BufWriter<File>,
    path: PathBuf,
    header: FileHeader,
    version: u32,
    last_flush: Instant,
    frames: u64,
    bytes: u64,
    /// Bytes handed to `out` so far (the next block's offset).
    offset: u64,
    blocks: Option<Blocks>,
    finished: bool,
    /// A write failed (a full disk): the file may end inside a block, so nothing more is written to it
    /// (a retry could put a second copy of a block after a partial one).
    failed: bool,
}

/// Version 2 state: the block being collected and the previous one (the next block's dictionary).
struct Blocks {
    pending: Vec<u8>,
    records: u32,
    first_t_ms: u64,
    last_t_ms: u64,
    previous: Vec<u8>,
    since_key: u32,
    encoder: BlockEncoder,
    stored: Vec<u8>,
    summary: SummaryBuilder,
    file_first_t_ms: Option<u64>,
    file_last_t_ms: u64,
}

impl Recorder {
    /// Creates (or truncates) `path` and writes the header of a version-2 file.
    pub fn create(
        path: &Path,
        created_unix_ms: u64,
        source: &str,
    ) -> Result<Recorder, RecordingError> {
        Recorder::create_with_version(path, created_unix_ms, source, FORMAT_VERSION)
    }

    /// Like [`Recorder::create`], in format `version` (1 or 2).
    pub fn create_with_version(
        path: &Path,
        created_unix_ms: u64,
        source: &str,
        version: u32,
    ) -> Result<Recorder, RecordingError> {
        let header = FileHeader {
            created_unix_ms,
            app_version: env!("CARGO_PKG_VERSION").to_owned(),
            source: source.to_owned(),
        };
        let json =
            serde_json::to_vec(&header).map_err(|e| RecordingError::BadHeader(e.to_string()))?;
        Recorder::create_with_header(path, header, &json, version)
    }

    /// Creates `path` with a given header: `header_json` is written verbatim (conversion keeps the
    /// original bytes) and must be `header` as JSON.
    pub fn create_with_header(
        path: &Path,
        header: FileHeader,
        header_json: &[u8],
        version: u32,
    ) -> Result<Recorder, RecordingError> {
        if !SUPPORTED_VERSIONS.contains(&version) {
            return Err(RecordingError::UnsupportedVersion {
                got: version,
                supported: FORMAT_VERSION,
            });
        }
        let blocks = if version >= 2 {
            Some(Blocks {
                pending: Vec::with_capacity(64 * 1024),
                records: 0,
                first_t_ms: 0,
                last_t_ms: 0,
                previous: Vec::new(),
                since_key: 0,
                encoder: BlockEncoder::new()?,
                stored: Vec::new(),
                summary: SummaryBuilder::new(&header),
                file_first_t_ms: None,
                file_last_t_ms: 0,
            })
        } else {
            None
        };
        let mut out = BufWriter::with_capacity(64 * 1024, File::create(path)?);
        let frame =
            encode_frame(header_json).map_err(|e| RecordingError::BadHeader(e.to_string()))?;
        out.write_all(&MAGIC)?;
        out.write_all(&version.to_be_bytes())?;
        out.write_all(&frame)?;
        out.flush()?;
        Ok(Recorder {
            out,
            path: path.to_owned(),
            header,
            version,
            last_flush: Instant::now(),
            frames: 0,
            bytes: 0,
            offset: (MAGIC.len() + 4 + frame.len()) as u64,
            blocks,
            finished: false,
            failed: false,
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
        self.append_record(t_ms, conn, payload)
    }

    /// Appends one record with its time already in ms since the file was created (conversion).
    pub fn append_record(
        &mut self,
        t_ms: u64,
        conn: u64,
        payload: &[u8],
    ) -> Result<(), RecordingError> {
        self.check_failed()?;
        let r = self.append_inner(t_ms, conn, payload);
        self.note(r)
    }

    fn append_inner(&mut self, t_ms: u64, conn: u64, payload: &[u8]) -> Result<(), RecordingError> {
        let conn = u32::try_from(conn).unwrap_or(u32::MAX);
        let Some(b) = self.blocks.as_mut() else {
            return self.append_v1(t_ms, conn, payload);
        };
        if payload.is_empty() || payload.len() > DEFAULT_MAX_FRAME_BYTES as usize {
            return Err(RecordingError::FrameSize {
                bytes: payload.len(),
                max: DEFAULT_MAX_FRAME_BYTES,
            });
        }
        if b.records > 0 && t_ms.saturating_sub(b.first_t_ms) >= BLOCK_SPAN_MS {
            // A second of records: the block goes to the OS now (a kill -9 loses only the open block).
            self.end_block()?;
            self.out.flush()?;
        }
        let b = self.blocks.as_mut().ok_or_else(no_blocks)?;
        if b.records == 0 {
            b.first_t_ms = t_ms;
        }
        b.last_t_ms = t_ms;
        b.records += 1;
        b.pending.extend_from_slice(&t_ms.to_be_bytes());
        b.pending.extend_from_slice(&conn.to_be_bytes());
        b.pending
            .extend_from_slice(&(payload.len() as u32).to_be_bytes());
        b.pending.extend_from_slice(payload);
        b.summary.add(t_ms, u64::from(conn), payload);
        b.file_first_t_ms.get_or_insert(t_ms);
        b.file_last_t_ms = t_ms;
        self.frames += 1;
        self.bytes += payload.len() as u64;
        if self.last_flush.elapsed() >= FLUSH_INTERVAL {
            self.flush_inner()?;
        } else if b.pending.len() >= BLOCK_TARGET_BYTES {
            // A fast sender: the block is full; the buffered writer passes it on.
            self.end_block()?;
        }
        Ok(())
    }

    fn append_v1(&mut self, t_ms: u64, conn: u32, payload: &[u8]) -> Result<(), RecordingError> {
        let len = u32::try_from(payload.len()).map_err(|_| RecordingError::FrameSize {
            bytes: payload.len(),
            max: u32::MAX,
        })?;
        self.out.write_all(&t_ms.to_be_bytes())?;
        self.out.write_all(&conn.to_be_bytes())?;
        self.out.write_all(&len.to_be_bytes())?;
        self.out.write_all(payload)?;
        self.frames += 1;
        self.bytes += payload.len() as u64;
        if self.last_flush.elapsed() >= FLUSH_INTERVAL {
            self.flush_inner()?;
        }
        Ok(())
    }

    fn check_failed(&self) -> Result<(), RecordingError> {
        if self.failed {
            return Err(RecordingError::Io(std::io::Error::other(
                "an earlier write to this recording failed",
            )));
        }
        Ok(())
    }

    /// Remembers a failure (see `failed`).
    fn note<T>(&mut self, r: Result<T, RecordingError>) -> Result<T, RecordingError> {
        if r.is_err() && !matches!(r, Err(RecordingError::FrameSize { .. })) {
            self.failed = true;
        }
        r
    }

    /// Compresses and writes the block being collected (v2), if it holds records.
    fn end_block(&mut self) -> Result<(), RecordingError> {
        let Some(b) = self.blocks.as_mut() else {
            return Ok(());
        };
        if b.records == 0 {
            return Ok(());
        }
        // Chain to the previous block unless it is time for a key block (or the previous block starts
        // like a formatted zstd dictionary, which zstd would not read as raw content).
        let chained = b.since_key > 0
            && b.since_key < KEY_BLOCK_EVERY
            && !b.previous.starts_with(&ZSTD_DICT_MAGIC);
        let dict: &[u8] = if chained { &b.previous } else { &[] };
        b.encoder.compress(&b.pending, dict, &mut b.stored)?;
        let header = BlockHeader {
            kind: KIND_RECORDS,
            flags: if chained { FLAG_CHAINED } else { 0 },
            stored_len: b.stored.len() as u32,
            raw_len: b.pending.len() as u32,
            records: b.records,
            first_t_ms: b.first_t_ms,
            last_t_ms: b.last_t_ms,
            data_crc: crc32fast::hash(&b.stored),
        };
        self.out.write_all(&header.encode())?;
        self.out.write_all(&b.stored)?;
        self.offset += (BLOCK_HEADER_BYTES + b.stored.len()) as u64;
        b.since_key = if chained { b.since_key + 1 } else { 1 };
        std::mem::swap(&mut b.previous, &mut b.pending);
        b.pending.clear();
        b.records = 0;
        Ok(())
    }

    /// Hands every record received so far to the OS (v2: closes the current block and syncs it to disk).
    pub fn flush(&mut self) -> Result<(), RecordingError> {
        self.check_failed()?;
        let r = self.flush_inner();
        self.note(r)
    }

    /// v2: closes the block, hands everything to the OS and asks it to put the data on disk (at most
    /// once a second: a power loss then also costs about a second). v1: hands everything to the OS.
    fn flush_inner(&mut self) -> Result<(), RecordingError> {
        self.end_block()?;
        self.out.flush()?;
        if self.blocks.is_some() {
            match self.out.get_ref().sync_data() {
                // Not a disk file (/dev/null, a pipe): nothing to sync.
                Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {}
                r => r?,
            }
        }
        self.last_flush = Instant::now();
        Ok(())
    }

    /// Hands every record received so far to the OS and syncs the file to disk, without ending it: a
    /// file dropped after this reads as cut short (what `convert` writes for a cut-short input). Syncs
    /// through the recorder's own handle: Windows refuses to sync a handle opened only for reading.
    pub fn sync(&mut self) -> Result<(), RecordingError> {
        self.flush()?;
        let r = self.out.get_ref().sync_all().map_err(RecordingError::from);
        self.note(r)
    }

    /// Flushes if the flush interval has passed (call about once a second, also when idle).
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

    /// The format version being written.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// Writes what is pending (v2: the last block, the summary block and the footer), flushes and
    /// syncs to disk.
    pub fn finish(mut self) -> Result<PathBuf, RecordingError> {
        self.check_failed()?;
        let r = self.finish_inner();
        self.note(r)?;
        Ok(std::mem::take(&mut self.path))
    }

    fn finish_inner(&mut self) -> Result<(), RecordingError> {
        self.end_block()?;
        if let Some(b) = self.blocks.as_mut() {
            let json = encode_trailer(&b.summary.snapshot());
            b.encoder.compress(&json, &[], &mut b.stored)?;
            let header = BlockHeader {
                kind: KIND_SUMMARY,
                flags: 0,
                stored_len: b.stored.len() as u32,
                raw_len: json.len() as u32,
                records: u32::try_from(self.frames).unwrap_or(u32::MAX),
                first_t_ms: b.file_first_t_ms.unwrap_or(0),
                last_t_ms: b.file_last_t_ms,
                data_crc: crc32fast::hash(&b.stored),
            };
            self.out.write_all(&header.encode())?;
            self.out.write_all(&b.stored)?;
            self.out.write_all(&block::encode_footer(self.offset))?;
        }
        self.finished = true;
        self.out.flush()?;
        self.out.get_ref().sync_all()?;
        Ok(())
    }
}

fn no_blocks() -> RecordingError {
    RecordingError::Compression("block state missing".into())
}

impl Drop for Recorder {
    /// A recorder dropped without [`Recorder::finish`] (an error path, a panic elsewhere) still hands its
    /// last block to the OS; the file then reads as cut short, which it is.
    fn drop(&mut self) {
        if !self.finished && !self.failed {
            let _ = self.flush();
        }
    }
}
