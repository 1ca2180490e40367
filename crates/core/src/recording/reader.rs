//! Reads recordings record by record. A file cut short loads up to its last complete record.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use super::{FORMAT_VERSION, FileHeader, MAGIC, RECORD_HEADER_BYTES, RecordingError};
use crate::protocol::frame::{DEFAULT_MAX_FRAME_BYTES, FrameError, read_frame};

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
    version: u32,
    /// Set when the file ended inside a record (crash, kill -9, full disk).
    truncated: bool,
    /// Set when a record's length was impossible (corruption); reading stopped there.
    corrupt: Option<String>,
    done: bool,
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
        let mut buf = Vec::new();
        match read_frame(&mut input, 1024 * 1024, &mut buf) {
            Ok(true) => {}
            Ok(false) => {
                return Err(RecordingError::BadHeader(
                    "file ends before the header".into(),
                ));
            }
            Err(e) => return Err(RecordingError::BadHeader(e.to_string())),
        }
        let header: FileHeader =
            serde_json::from_slice(&buf).map_err(|e| RecordingError::BadHeader(e.to_string()))?;
        Ok(RecordingReader {
            input,
            header,
            version,
            truncated: false,
            corrupt: None,
            done: false,
        })
    }

    pub fn header(&self) -> &FileHeader {
        &self.header
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

    /// The next complete record, or `None` at the end (check [`Self::truncated`] / [`Self::corrupt`]).
    pub fn next_record(&mut self) -> Result<Option<Record>, RecordingError> {
        if self.done {
            return Ok(None);
        }
        let mut head = [0u8; RECORD_HEADER_BYTES];
        let mut got = 0;
        while got < head.len() {
            match self.input.read(&mut head[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        if got == 0 {
            self.done = true;
            return Ok(None);
        }
        if got < head.len() {
            self.done = true;
            self.truncated = true;
            return Ok(None);
        }
        let t_ms = u64::from_be_bytes(head[0..8].try_into().unwrap_or_default());
        let conn = u64::from(u32::from_be_bytes(
            head[8..12].try_into().unwrap_or_default(),
        ));
        let mut payload = Vec::new();
        match read_frame(&mut self.input, DEFAULT_MAX_FRAME_BYTES, &mut payload) {
            Ok(true) => Ok(Some(Record {
                t_ms,
                conn,
                payload,
            })),
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

    fn sample_file(dir: &Path) -> std::path::PathBuf {
        let path = dir.join("a.barlive");
        let mut rec = Recorder::create(&path, 1_000, "test").unwrap();
        rec.append(1, 1_500, b"{\"x\":1}").unwrap();
        rec.append(2, 2_000, b"{\"x\":2}").unwrap();
        rec.finish().unwrap()
    }

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = sample_file(dir.path());
        let mut r = RecordingReader::open(&path).unwrap();
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
    }

    #[test]
    fn every_cut_point_loads_what_is_complete() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = std::fs::read(sample_file(dir.path())).unwrap();
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
    fn bad_magic_and_version() {
        assert!(matches!(
            RecordingReader::new(&b"hello world, not a file"[..]),
            Err(RecordingError::BadMagic)
        ));
        let mut v2 = MAGIC.to_vec();
        v2.extend_from_slice(&2u32.to_be_bytes());
        assert!(matches!(
            RecordingReader::new(&v2[..]),
            Err(RecordingError::UnsupportedVersion {
                got: 2,
                supported: 1
            })
        ));
    }
}
