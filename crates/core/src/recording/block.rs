//! Format version 2: the block header, the footer and the zstd codec of a block (docs/PROTOCOL.md,
//! "Recording files").
//!
//! ```text
//! block header, 44 bytes (integers big-endian):
//!   0  4  marker       89 42 4C 4B ("\x89BLK")
//!   4  1  kind         1 = records, 2 = summary (the trailer); other kinds are skipped by readers
//!   5  1  flags        bit 0: chained (the previous records block's uncompressed bytes are the
//!                      zstd dictionary); other bits 0
//!   6  2  reserved     0
//!   8  4  stored_len   bytes of the zstd frame that follows the header
//!  12  4  raw_len      bytes of that frame once decompressed
//!  16  4  records      records in the block (summary block: records in the file, saturating)
//!  20  8  first_t_ms   receive time of the first record (ms since created_unix_ms)
//!  28  8  last_t_ms    receive time of the last record
//!  36  4  data_crc     CRC-32 (IEEE) of the stored zstd frame
//!  40  4  header_crc   CRC-32 (IEEE) of bytes 0..40 of this header
//! footer, 16 bytes, after the summary block: u64 offset of the summary block's header | "\x89BLVEND\n"
//! ```

use super::{MAX_BLOCK_BYTES, RecordingError};

pub const BLOCK_MARKER: [u8; 4] = [0x89, b'B', b'L', b'K'];
pub const BLOCK_HEADER_BYTES: usize = 44;
pub const FOOTER_MAGIC: [u8; 8] = [0x89, b'B', b'L', b'V', b'E', b'N', b'D', b'\n'];
pub const FOOTER_BYTES: usize = 16;
pub const KIND_RECORDS: u8 = 1;
pub const KIND_SUMMARY: u8 = 2;
pub const FLAG_CHAINED: u8 = 1;
/// zstd's magic for formatted dictionaries (little-endian 0xEC30A437): a block starting with these bytes
/// would be read as a formatted dictionary, so the writer never chains onto such a block.
pub const ZSTD_DICT_MAGIC: [u8; 4] = [0x37, 0xA4, 0x30, 0xEC];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockHeader {
    pub kind: u8,
    pub flags: u8,
    pub stored_len: u32,
    pub raw_len: u32,
    pub records: u32,
    pub first_t_ms: u64,
    pub last_t_ms: u64,
    pub data_crc: u32,
}

/// Why 44 bytes are not a block header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadHeader {
    Marker,
    Checksum,
    /// The checksum matches but a field is impossible (a length over the cap, reserved bits set).
    Fields,
}

impl BlockHeader {
    pub fn chained(&self) -> bool {
        self.flags & FLAG_CHAINED != 0
    }

    pub fn encode(&self) -> [u8; BLOCK_HEADER_BYTES] {
        let mut b = [0u8; BLOCK_HEADER_BYTES];
        b[0..4].copy_from_slice(&BLOCK_MARKER);
        b[4] = self.kind;
        b[5] = self.flags;
        b[8..12].copy_from_slice(&self.stored_len.to_be_bytes());
        b[12..16].copy_from_slice(&self.raw_len.to_be_bytes());
        b[16..20].copy_from_slice(&self.records.to_be_bytes());
        b[20..28].copy_from_slice(&self.first_t_ms.to_be_bytes());
        b[28..36].copy_from_slice(&self.last_t_ms.to_be_bytes());
        b[36..40].copy_from_slice(&self.data_crc.to_be_bytes());
        let crc = crc32fast::hash(&b[..40]);
        b[40..44].copy_from_slice(&crc.to_be_bytes());
        b
    }

    pub fn decode(b: &[u8; BLOCK_HEADER_BYTES]) -> Result<BlockHeader, BadHeader> {
        if b[0..4] != BLOCK_MARKER {
            return Err(BadHeader::Marker);
        }
        if crc32fast::hash(&b[..40]) != be32(&b[40..44]) {
            return Err(BadHeader::Checksum);
        }
        let h = BlockHeader {
            kind: b[4],
            flags: b[5],
            stored_len: be32(&b[8..12]),
            raw_len: be32(&b[12..16]),
            records: be32(&b[16..20]),
            first_t_ms: be64(&b[20..28]),
            last_t_ms: be64(&b[28..36]),
            data_crc: be32(&b[36..40]),
        };
        let cap = MAX_BLOCK_BYTES as u32;
        if b[6..8] != [0, 0]
            || h.flags & !FLAG_CHAINED != 0
            || h.stored_len > cap
            || h.raw_len > cap
        {
            return Err(BadHeader::Fields);
        }
        Ok(h)
    }
}

pub fn be32(b: &[u8]) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[..4]);
    u32::from_be_bytes(a)
}

pub fn be64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    u64::from_be_bytes(a)
}

pub fn encode_footer(summary_offset: u64) -> [u8; FOOTER_BYTES] {
    let mut f = [0u8; FOOTER_BYTES];
    f[..8].copy_from_slice(&summary_offset.to_be_bytes());
    f[8..].copy_from_slice(&FOOTER_MAGIC);
    f
}

/// The summary block's offset, when `f` is a footer.
pub fn decode_footer(f: &[u8; FOOTER_BYTES]) -> Option<u64> {
    (f[8..] == FOOTER_MAGIC).then(|| be64(&f[..8]))
}

fn zstd_error(e: std::io::Error) -> RecordingError {
    RecordingError::Compression(e.to_string())
}

/// zstd level for blocks: level 1 and 3 give about the same size on game data (1 is slightly smaller
/// and faster, see docs/PERFORMANCE.md, "Recordings").
pub const ZSTD_LEVEL: i32 = 1;

/// Compresses blocks, optionally with the previous block as a raw-content dictionary.
pub struct BlockEncoder {
    ctx: zstd::bulk::Compressor<'static>,
}

impl BlockEncoder {
    pub fn new() -> Result<BlockEncoder, RecordingError> {
        Ok(BlockEncoder {
            ctx: zstd::bulk::Compressor::new(ZSTD_LEVEL).map_err(zstd_error)?,
        })
    }

    /// Compresses `raw` into `out` (cleared first), with `dict` as raw-content dictionary (empty: none).
    pub fn compress(
        &mut self,
        raw: &[u8],
        dict: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), RecordingError> {
        self.ctx
            .set_dictionary(ZSTD_LEVEL, dict)
            .map_err(zstd_error)?;
        out.clear();
        out.reserve(zstd::zstd_safe::compress_bound(raw.len()));
        self.ctx.compress_to_buffer(raw, out).map_err(zstd_error)?;
        Ok(())
    }
}

/// Decompresses blocks; never allocates more than the block's `raw_len` (itself capped).
pub struct BlockDecoder {
    ctx: zstd::bulk::Decompressor<'static>,
}

impl BlockDecoder {
    pub fn new() -> Result<BlockDecoder, RecordingError> {
        Ok(BlockDecoder {
            ctx: zstd::bulk::Decompressor::new().map_err(zstd_error)?,
        })
    }

    /// Decompresses `stored` into `out` (cleared first); fails unless it is exactly `raw_len` bytes.
    pub fn decompress(
        &mut self,
        stored: &[u8],
        raw_len: usize,
        dict: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
        self.ctx
            .set_dictionary(dict)
            .map_err(|e| format!("zstd dictionary: {e}"))?;
        out.clear();
        out.reserve_exact(raw_len);
        // zstd writes into the vector's capacity and never grows it: a frame that claims more than
        // the buffer holds fails instead of allocating.
        let got = self
            .ctx
            .decompress_to_buffer(stored, out)
            .map_err(|e| format!("zstd: {e}"))?;
        if got != raw_len {
            return Err(format!(
                "block decompresses to {got} bytes, header says {raw_len}"
            ));
        }
        Ok(())
    }
}
