//! Reads recordings record by record, both format versions.
//!
//! A file cut short (crash, kill -9, full disk) loads up to its last complete record (v1) or block (v2)
//! and reports [`RecordingReader::truncated`]. Damage: v1 stops at an impossible record length; v2
//! skips a block whose checksum fails (and the chained blocks after it, up to the next key block), finds
//! the next intact block and goes on. Either way [`RecordingReader::corrupt`] says so.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use super::block::{
    BLOCK_HEADER_BYTES, BLOCK_MARKER, BlockDecoder, BlockHeader, FOOTER_BYTES, KIND_RECORDS,
    KIND_SUMMARY, be32, be64, decode_footer,
};
use super::{
    FORMAT_VERSION, FileHeader, MAGIC, MAX_HEADER_BYTES, RECORD_HEADER_BYTES, RecordingError,
};
use crate::protocol::frame::{DEFAULT_MAX_FRAME_BYTES, FrameError, LEN_PREFIX_BYTES, read_frame};

/// One received frame as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Milliseconds since the file's `created_unix_ms`.
    pub t_ms: u64,
    pub conn: u64,
    pub payload: Vec<u8>,
}

pub struct RecordingReader<R: Read> {
    input: R,
    header: FileHeader,
    header_json: Vec<u8>,
    version: u32,
    /// Set when the file ended inside a record or block, or (v2) before its trailer.
    truncated: bool,
    /// Set when damaged data was found (v1: reading stopped there; v2: it was skipped).
    corrupt: Option<String>,
    done: bool,
    /// Bytes of the file consumed so far.
    position: u64,
    v2: Option<Box<Blocks>>,
}

/// Version 2 state.
struct Blocks {
    decoder: BlockDecoder,
    /// The last records block decoded (its records are being returned), and the dictionary of the next
    /// block when that one is chained.
    block: Vec<u8>,
    at: usize,
    block_ok: bool,
    next: Vec<u8>,
    stored: Vec<u8>,
    /// Bytes read ahead while looking for the next block after damage; consumed before `input`.
    carry: Vec<u8>,
    carry_at: usize,
    places: u32,
    skipped_blocks: u64,
    skipped_records: u64,
    /// A skipped stretch had no trustworthy header (its record count is unknown).
    unknown_loss: bool,
    first_damage: String,
}

/// What reading one block gave.
enum Step {
    Records,
    Skip,
    End,
}

impl RecordingReader<BufReader<File>> {
    pub fn open(path: &Path) -> Result<Self, RecordingError> {
        Self::new(BufReader::with_capacity(256 * 1024, File::open(path)?))
    }
}

impl<R: Read> RecordingReader<R> {
    pub fn new(mut input: R) -> Result<Self, RecordingError> {
        let mut magic = [0u8; 8];
        input
            .read_exact(&mut magic)
            .map_err(|_| RecordingError::BadMagic)?;
        if magic != MAGIC {
            return Err(RecordingError::BadMagic);
        }
        let mut version = [0u8; 4];
        input
            .read_exact(&mut version)
            .map_err(|e| RecordingError::BadHeader(e.to_string()))?;
        let version = u32::from_be_bytes(version);
        if version > FORMAT_VERSION || version == 0 {
            return Err(RecordingError::UnsupportedVersion {
                got: version,
                supported: FORMAT_VERSION,
            });
        }
        let mut header_json = Vec::new();
        match read_frame(&mut input, MAX_HEADER_BYTES, &mut header_json) {
            Ok(true) => {}
            Ok(false) => {
                return Err(RecordingError::BadHeader(
                    "file ends before the header".into(),
                ));
            }
            Err(e) => return Err(RecordingError::BadHeader(e.to_string())),
        }
        let header: FileHeader = serde_json::from_slice(&header_json)
            .map_err(|e| RecordingError::BadHeader(e.to_string()))?;
        let v2 = if version >= 2 {
            Some(Box::new(Blocks {
                decoder: BlockDecoder::new()?,
                block: Vec::new(),
                at: 0,
                block_ok: false,
                next: Vec::new(),
                stored: Vec::new(),
                carry: Vec::new(),
                carry_at: 0,
                places: 0,
                skipped_blocks: 0,
                skipped_records: 0,
                unknown_loss: false,
                first_damage: String::new(),
            }))
        } else {
            None
        };
        Ok(RecordingReader {
            input,
            position: (MAGIC.len() + 4 + LEN_PREFIX_BYTES + header_json.len()) as u64,
            header,
            header_json,
            version,
            truncated: false,
            corrupt: None,
            done: false,
            v2,
        })
    }

    pub fn header(&self) -> &FileHeader {
        &self.header
    }

    /// The header's JSON exactly as stored.
    pub fn header_json(&self) -> &[u8] {
        &self.header_json
    }

    pub fn version(&self) -> u32 {
        self.version
    }

    pub fn truncated(&self) -> bool {
        self.truncated
    }

    pub fn corrupt(&self) -> Option<&str> {
        self.corrupt.as_deref()
    }

    /// Bytes of the file consumed so far (after [`Self::new`]: where the records or blocks start).
    pub fn position(&self) -> u64 {
        self.position
    }

    /// The next complete record, or `None` at the end (check [`Self::truncated`] / [`Self::corrupt`]).
    pub fn next_record(&mut self) -> Result<Option<Record>, RecordingError> {
        if self.v2.is_none() {
            return self.next_v1();
        }
        loop {
            if let Some(rec) = self.v2.as_mut().and_then(|b| b.next_in_block()) {
                return Ok(Some(rec));
            }
            if self.done {
                return Ok(None);
            }
            match self.read_block()? {
                Step::Records | Step::Skip => {}
                Step::End => self.done = true,
            }
        }
    }

    fn next_v1(&mut self) -> Result<Option<Record>, RecordingError> {
        if self.done {
            return Ok(None);
        }
        let mut head = [0u8; RECORD_HEADER_BYTES];
        let got = read_full(&mut self.input, &mut head)?;
        if got == 0 {
            self.done = true;
            return Ok(None);
        }
        if got < head.len() {
            self.done = true;
            self.truncated = true;
            return Ok(None);
        }
        let t_ms = be64(&head[0..8]);
        let conn = u64::from(be32(&head[8..12]));
        let mut payload = Vec::new();
        match read_frame(&mut self.input, DEFAULT_MAX_FRAME_BYTES, &mut payload) {
            Ok(true) => {
                self.position += (RECORD_HEADER_BYTES + LEN_PREFIX_BYTES + payload.len()) as u64;
                Ok(Some(Record {
                    t_ms,
                    conn,
                    payload,
                }))
            }
            Ok(false) | Err(FrameError::Truncated { .. }) => {
                self.done = true;
                self.truncated = true;
                Ok(None)
            }
            Err(FrameError::Io(e)) => Err(e.into()),
            Err(e) => {
                self.done = true;
                self.corrupt = Some(e.to_string());
                Ok(None)
            }
        }
    }

    /// Reads `buf.len()` bytes (fewer only at the end of the file), read-ahead bytes first.
    fn read_v2(&mut self, buf: &mut [u8]) -> Result<usize, RecordingError> {
        let b = self.v2.as_mut().ok_or_else(v1_state)?;
        let from_carry = (b.carry.len() - b.carry_at).min(buf.len());
        buf[..from_carry].copy_from_slice(&b.carry[b.carry_at..b.carry_at + from_carry]);
        b.carry_at += from_carry;
        let got = from_carry + read_full(&mut self.input, &mut buf[from_carry..])?;
        self.position += got as u64;
        Ok(got)
    }

    /// Reads `len` bytes into the stored-block buffer; false when the file ends first. Allocates only as
    /// the data arrives, whatever `len` claims.
    fn read_stored(&mut self, len: usize) -> Result<bool, RecordingError> {
        let b = self.v2.as_mut().ok_or_else(v1_state)?;
        b.stored.clear();
        let from_carry = (b.carry.len() - b.carry_at).min(len);
        b.stored
            .extend_from_slice(&b.carry[b.carry_at..b.carry_at + from_carry]);
        b.carry_at += from_carry;
        let rest = (len - from_carry) as u64;
        (&mut self.input).take(rest).read_to_end(&mut b.stored)?;
        self.position += b.stored.len() as u64;
        Ok(b.stored.len() == len)
    }

    /// Notes damaged data at byte `at`; `lost` records (when known) and the block are skipped. A block
    /// skipped only because it is chained to a damaged one is not a new damaged place.
    fn damage(&mut self, at: u64, what: &str, lost: Option<u32>, new_place: bool) {
        let Some(b) = self.v2.as_mut() else {
            return;
        };
        b.block_ok = false;
        b.skipped_blocks += 1;
        b.skipped_records += u64::from(lost.unwrap_or(0));
        b.unknown_loss |= lost.is_none();
        if new_place {
            b.places += 1;
            if b.places == 1 {
                b.first_damage = format!("damaged data at byte {at} ({what})");
            }
        }
        let mut msg = format!(
            "{}; {} block(s) with {}{} record(s) skipped",
            b.first_damage,
            b.skipped_blocks,
            if b.unknown_loss { "at least " } else { "" },
            b.skipped_records
        );
        if b.places > 1 {
            msg.push_str(&format!("; {} damaged places in all", b.places));
        }
        self.corrupt = Some(msg);
    }

    /// Reads the next block: a records block becomes the current block.
    fn read_block(&mut self) -> Result<Step, RecordingError> {
        let at = self.position;
        let mut head = [0u8; BLOCK_HEADER_BYTES];
        let got = self.read_v2(&mut head)?;
        if got < head.len() {
            // The end, before a trailer: a crash, a cut, a full disk (or the file is still being written).
            self.truncated = true;
            return Ok(Step::End);
        }
        let h = match BlockHeader::decode(&head) {
            Ok(h) => h,
            Err(e) => {
                self.damage(at, &format!("bad block header: {e:?}"), None, true);
                return self.resync(&head[1..]);
            }
        };
        if !self.read_stored(h.stored_len as usize)? {
            self.truncated = true;
            return Ok(Step::End);
        }
        let b = self.v2.as_mut().ok_or_else(v1_state)?;
        if crc32fast::hash(&b.stored) != h.data_crc {
            self.damage(at, "block checksum mismatch", Some(h.records), true);
            return Ok(Step::Skip);
        }
        match h.kind {
            KIND_RECORDS => {}
            KIND_SUMMARY => {
                let mut footer = [0u8; FOOTER_BYTES];
                let got = self.read_v2(&mut footer)?;
                if got < FOOTER_BYTES {
                    self.truncated = true;
                } else if decode_footer(&footer) != Some(at) {
                    let at = self.position - FOOTER_BYTES as u64;
                    self.corrupt
                        .get_or_insert_with(|| format!("damaged footer at byte {at}"));
                }
                return Ok(Step::End);
            }
            // A block kind from a later version: skipped.
            _ => return Ok(Step::Skip),
        }
        if h.chained() && !b.block_ok {
            self.damage(
                at,
                "block chained to a damaged block",
                Some(h.records),
                false,
            );
            return Ok(Step::Skip);
        }
        let dict: &[u8] = if h.chained() { &b.block } else { &[] };
        let decoded = b
            .decoder
            .decompress(&b.stored, h.raw_len as usize, dict, &mut b.next)
            .and_then(|()| check_records(&b.next, &h));
        if let Err(e) = decoded {
            self.damage(at, &e, Some(h.records), true);
            return Ok(Step::Skip);
        }
        std::mem::swap(&mut b.block, &mut b.next);
        b.at = 0;
        b.block_ok = true;
        Ok(Step::Records)
    }

    /// After a bad block header: looks for the next intact header, starting with `seen` (bytes read past
    /// the bad header's first byte). Reads ahead in 64 KiB steps; never holds more than one step plus a
    /// header.
    fn resync(&mut self, seen: &[u8]) -> Result<Step, RecordingError> {
        let b = self.v2.as_mut().ok_or_else(v1_state)?;
        let mut carry = seen.to_vec();
        carry.extend_from_slice(&b.carry[b.carry_at..]);
        b.carry = carry;
        b.carry_at = 0;
        self.position -= seen.len() as u64;
        loop {
            let b = self.v2.as_mut().ok_or_else(v1_state)?;
            let window = &b.carry[b.carry_at..];
            if let Some(i) = window
                .windows(BLOCK_MARKER.len())
                .position(|w| w == BLOCK_MARKER)
            {
                // Bytes before the marker are skipped.
                b.carry_at += i;
                self.position += i as u64;
                let have = b.carry.len() - b.carry_at;
                if have < BLOCK_HEADER_BYTES {
                    if !self.read_ahead()? {
                        self.truncated = true;
                        return Ok(Step::End);
                    }
                    continue;
                }
                let mut head = [0u8; BLOCK_HEADER_BYTES];
                head.copy_from_slice(&b.carry[b.carry_at..b.carry_at + BLOCK_HEADER_BYTES]);
                if BlockHeader::decode(&head).is_ok() {
                    // Found: the next `read_block` reads it from the read-ahead bytes.
                    return Ok(Step::Skip);
                }
                b.carry_at += 1;
                self.position += 1;
            } else {
                // Keep a possible partial marker at the end.
                let keep = window.len().min(BLOCK_MARKER.len() - 1);
                let skip = window.len() - keep;
                b.carry_at += skip;
                self.position += skip as u64;
                if !self.read_ahead()? {
                    self.truncated = true;
                    return Ok(Step::End);
                }
            }
        }
    }

    /// Moves the unread read-ahead bytes to the front and reads up to 64 KiB more; false at the end.
    fn read_ahead(&mut self) -> Result<bool, RecordingError> {
        let b = self.v2.as_mut().ok_or_else(v1_state)?;
        b.carry.drain(..b.carry_at);
        b.carry_at = 0;
        let before = b.carry.len();
        (&mut self.input)
            .take(64 * 1024)
            .read_to_end(&mut b.carry)?;
        Ok(b.carry.len() > before)
    }
}

impl Blocks {
    /// The next record of the current block (checked by [`check_records`] when it was decoded).
    fn next_in_block(&mut self) -> Option<Record> {
        let rest = self.block.get(self.at..)?;
        if rest.len() < RECORD_HEADER_BYTES + LEN_PREFIX_BYTES {
            return None;
        }
        let len = be32(&rest[12..16]) as usize;
        let payload = rest.get(16..16 + len)?.to_vec();
        self.at += 16 + len;
        Some(Record {
            t_ms: be64(&rest[0..8]),
            conn: u64::from(be32(&rest[8..12])),
            payload,
        })
    }
}

/// A decoded block holds exactly the records its header announces, each within the frame cap.
fn check_records(raw: &[u8], h: &BlockHeader) -> Result<(), String> {
    let (mut at, mut n) = (0usize, 0u32);
    let (mut first, mut last) = (None, 0);
    while at < raw.len() {
        let Some(head) = raw.get(at..at + 16) else {
            return Err("block ends inside a record header".into());
        };
        let len = be32(&head[12..16]);
        if len == 0 || len > DEFAULT_MAX_FRAME_BYTES {
            return Err(format!("record length {len} in a block"));
        }
        let t = be64(&head[0..8]);
        first.get_or_insert(t);
        last = t;
        at += 16 + len as usize;
        n += 1;
    }
    if at != raw.len() || n != h.records || first != Some(h.first_t_ms) || last != h.last_t_ms {
        return Err("block content does not match its header".into());
    }
    Ok(())
}

fn v1_state() -> RecordingError {
    RecordingError::Compression("no block state in a version-1 file".into())
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn read_full<R: Read>(input: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match input.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

impl<R: Read> Iterator for RecordingReader<R> {
    type Item = Result<Record, RecordingError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_record().transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::super::Recorder;
    use super::*;

    fn sample_file(dir: &Path, version: u32) -> std::path::PathBuf {
        let path = dir.join("a.barlive");
        let mut rec = Recorder::create_with_version(&path, 1_000, "test", version).unwrap();
        rec.append(1, 1_500, b"{\"x\":1}").unwrap();
        rec.append(2, 2_000, b"{\"x\":2}").unwrap();
        rec.finish().unwrap()
    }

    #[test]
    fn round_trip() {
        for version in [1, 2] {
            let dir = tempfile::tempdir().unwrap();
            let path = sample_file(dir.path(), version);
            let mut r = RecordingReader::open(&path).unwrap();
            assert_eq!(r.version(), version);
            assert_eq!(r.header().created_unix_ms, 1_000);
            assert_eq!(r.header().source, "test");
            let all: Vec<Record> = r.by_ref().map(|x| x.unwrap()).collect();
            assert_eq!(all.len(), 2);
            assert_eq!(
                all[0],
                Record {
                    t_ms: 500,
                    conn: 1,
                    payload: b"{\"x\":1}".to_vec()
                }
            );
            assert_eq!(all[1].conn, 2);
            assert!(!r.truncated());
            assert!(r.corrupt().is_none());
        }
    }

    #[test]
    fn every_cut_point_loads_what_is_complete_v1() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = std::fs::read(sample_file(dir.path(), 1)).unwrap();
        let header_len = 8 + 4 + 4 + (bytes.len() - 8 - 4 - 4 - 2 * (12 + 4 + 7));
        let first_end = header_len + 12 + 4 + 7;
        for cut in header_len..bytes.len() {
            let mut r = RecordingReader::new(&bytes[..cut]).unwrap();
            let n = r.by_ref().collect::<Result<Vec<_>, _>>().unwrap().len();
            let expected = if cut >= first_end { 1 } else { 0 };
            assert_eq!(n, expected, "cut at {cut}");
            assert_eq!(
                r.truncated(),
                cut != header_len && cut != first_end,
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn every_cut_point_of_a_v2_file_is_truncated_and_loads_whole_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = std::fs::read(sample_file(dir.path(), 2)).unwrap();
        let start = RecordingReader::new(&bytes[..]).unwrap().position() as usize;
        for cut in start..=bytes.len() {
            let mut r = RecordingReader::new(&bytes[..cut]).unwrap();
            let n = r.by_ref().collect::<Result<Vec<_>, _>>().unwrap().len();
            // Both records are in the first (and only) block: all or nothing.
            assert!(n == 0 || n == 2, "cut at {cut}: {n}");
            assert_eq!(r.truncated(), cut != bytes.len(), "cut at {cut}");
            assert!(r.corrupt().is_none(), "cut at {cut}");
        }
    }

    #[test]
    fn bad_magic_and_version() {
        assert!(matches!(
            RecordingReader::new(&b"hello world, not a file"[..]),
            Err(RecordingError::BadMagic)
        ));
        let mut v3 = MAGIC.to_vec();
        v3.extend_from_slice(&3u32.to_be_bytes());
        assert!(matches!(
            RecordingReader::new(&v3[..]),
            Err(RecordingError::UnsupportedVersion {
                got: 3,
                supported: 2
            })
        ));
    }
}
