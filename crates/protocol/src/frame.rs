//! Length-prefixed framing: a 4-byte big-endian length `N`, then `N` bytes of payload.
//!
//! Works over any `Read`/`Write`, so live sockets, recordings and tests share one codec.

use std::io::{self, Read, Write};

/// Bytes in the length prefix.
pub const LEN_PREFIX_BYTES: usize = 4;
/// Default cap on one frame's payload; receivers never allocate more than their cap.
pub const DEFAULT_MAX_FRAME_BYTES: u32 = 8 * 1024 * 1024;
/// Most a reader reserves for a frame before its bytes arrive (larger frames grow as they are read).
const PREALLOC_BYTES: usize = 256 * 1024;

/// Everything that can go wrong while reading or writing one frame.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("frame length {len} exceeds the cap of {max_bytes} bytes")]
    Oversize { len: u64, max_bytes: u32 },
    #[error("frame length is 0 (empty frames are not allowed)")]
    ZeroLength,
    #[error("stream ended inside a frame ({got} of {expected} bytes)")]
    Truncated { expected: usize, got: usize },
    #[error("i/o error: {0}")]
    Io(#[from] io::Error),
}

impl FrameError {
    /// Short stable name for reports (`check --json`).
    pub fn kind(&self) -> &'static str {
        match self {
            FrameError::Oversize { .. } => "oversize",
            FrameError::ZeroLength => "zero_length",
            FrameError::Truncated { .. } => "truncated",
            FrameError::Io(_) => "io",
        }
    }
}

/// Reads until `buf` is full or EOF; returns how many bytes were read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Reads one frame's payload into `buf` (cleared first).
///
/// Returns `Ok(false)` on a clean EOF between frames, `Ok(true)` when `buf` holds a payload.
/// The length is checked against `max_bytes` before any allocation.
pub fn read_frame(
    r: &mut impl Read,
    max_bytes: u32,
    buf: &mut Vec<u8>,
) -> Result<bool, FrameError> {
    let mut prefix = [0u8; LEN_PREFIX_BYTES];
    let got = read_full(r, &mut prefix)?;
    if got == 0 {
        return Ok(false);
    }
    if got < LEN_PREFIX_BYTES {
        return Err(FrameError::Truncated {
            expected: LEN_PREFIX_BYTES,
            got,
        });
    }
    let len = u32::from_be_bytes(prefix);
    if len == 0 {
        return Err(FrameError::ZeroLength);
    }
    if len > max_bytes {
        return Err(FrameError::Oversize {
            len: u64::from(len),
            max_bytes,
        });
    }
    let len = len as usize;
    buf.clear();
    // Grow with the bytes that actually arrive (doubling from one chunk, never past `len`): a peer that
    // sends a large allowed prefix and then nothing must not make us allocate and zero the whole length.
    let mut filled = 0;
    let mut want = len.min(PREALLOC_BYTES);
    loop {
        buf.reserve_exact(want - buf.len());
        buf.resize(want, 0);
        let got = filled + read_full(r, &mut buf[filled..])?;
        if got < want {
            buf.truncate(got);
            return Err(FrameError::Truncated { expected: len, got });
        }
        if want == len {
            return Ok(true);
        }
        filled = want;
        want = len.min(want.saturating_mul(2));
    }
}

/// Encodes one frame (prefix + payload) into a fresh buffer, so it can go out in one `write_all`.
pub fn encode_frame(payload: &[u8]) -> Result<Vec<u8>, FrameError> {
    if payload.is_empty() {
        return Err(FrameError::ZeroLength);
    }
    let len = u32::try_from(payload.len()).map_err(|_| FrameError::Oversize {
        len: payload.len() as u64,
        max_bytes: u32::MAX,
    })?;
    let mut out = Vec::with_capacity(LEN_PREFIX_BYTES + payload.len());
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
    Ok(out)
}

/// Writes one whole frame. A single `write_all` keeps frames from interleaving on a shared writer.
pub fn write_frame(w: &mut impl Write, payload: &[u8]) -> Result<(), FrameError> {
    w.write_all(&encode_frame(payload)?)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn read_one(bytes: &[u8], max: u32) -> Result<Option<Vec<u8>>, FrameError> {
        let mut buf = Vec::new();
        let ok = read_frame(&mut Cursor::new(bytes), max, &mut buf)?;
        Ok(ok.then_some(buf))
    }

    #[test]
    fn round_trip() {
        let mut out = Vec::new();
        write_frame(&mut out, b"{\"a\":1}").unwrap();
        write_frame(&mut out, b"{}").unwrap();
        assert_eq!(&out[..4], &[0, 0, 0, 7]);
        let mut cur = Cursor::new(out);
        let mut buf = Vec::new();
        assert!(read_frame(&mut cur, 100, &mut buf).unwrap());
        assert_eq!(buf, b"{\"a\":1}");
        assert!(read_frame(&mut cur, 100, &mut buf).unwrap());
        assert_eq!(buf, b"{}");
        assert!(
            !read_frame(&mut cur, 100, &mut buf).unwrap(),
            "EOF between frames is clean"
        );
    }

    #[test]
    fn zero_length_is_an_error() {
        assert!(matches!(
            read_one(&[0, 0, 0, 0], 10),
            Err(FrameError::ZeroLength)
        ));
        assert!(matches!(encode_frame(b""), Err(FrameError::ZeroLength)));
    }

    #[test]
    fn max_size_boundary() {
        let mut exact = vec![0, 0, 0, 5];
        exact.extend_from_slice(b"abcde");
        assert_eq!(read_one(&exact, 5).unwrap().unwrap(), b"abcde");
        assert!(matches!(
            read_one(&exact, 4),
            Err(FrameError::Oversize {
                len: 5,
                max_bytes: 4
            })
        ));
    }

    #[test]
    fn huge_prefix_does_not_allocate() {
        // 0xFFFFFFFF would be 4 GiB; the cap must reject it before any allocation.
        let mut buf = Vec::new();
        let err = read_frame(
            &mut Cursor::new([0xFF, 0xFF, 0xFF, 0xFF]),
            DEFAULT_MAX_FRAME_BYTES,
            &mut buf,
        );
        assert!(matches!(
            err,
            Err(FrameError::Oversize {
                len: 0xFFFF_FFFF,
                ..
            })
        ));
        assert!(buf.capacity() < 1024, "allocated {} bytes", buf.capacity());
    }

    #[test]
    fn truncated_prefix_and_payload() {
        assert!(matches!(
            read_one(&[0, 0], 10),
            Err(FrameError::Truncated {
                expected: 4,
                got: 2
            })
        ));
        assert!(matches!(
            read_one(&[0, 0, 0, 5, b'a'], 10),
            Err(FrameError::Truncated {
                expected: 5,
                got: 1
            })
        ));
    }

    #[test]
    fn error_kinds_are_stable() {
        assert_eq!(FrameError::ZeroLength.kind(), "zero_length");
        assert_eq!(
            FrameError::Truncated {
                expected: 1,
                got: 0
            }
            .kind(),
            "truncated"
        );
        assert_eq!(
            FrameError::Oversize {
                len: 1,
                max_bytes: 0
            }
            .kind(),
            "oversize"
        );
    }
}
