//! The live path: a byte stream from a peer, cut into frames by `read_frame` (with a small cap so the
//! fuzzer can reach it), every payload through `decode_widget`. No panic; `read_frame` never allocates
//! more than the cap, whatever the length prefix says.
#![no_main]

use std::io::Cursor;

use bar_live_protocol::{decode_widget, read_frame};
use bar_live_fuzz::{Tracking, reset, usage};
use libfuzzer_sys::fuzz_target;

#[global_allocator]
static ALLOC: Tracking = Tracking;

/// The cap used here; the app's default is 8 MiB, the logic is the same.
const CAP: u32 = 64 * 1024;

fuzz_target!(|data: &[u8]| {
    let mut input = Cursor::new(data);
    let mut buf = Vec::new();
    loop {
        reset();
        let r = read_frame(&mut input, CAP, &mut buf);
        let u = usage();
        assert!(
            u.largest <= CAP as usize,
            "read_frame allocated {} bytes with a cap of {CAP}",
            u.largest
        );
        match r {
            Ok(true) => {
                assert!(!buf.is_empty() && buf.len() <= CAP as usize);
                let _ = decode_widget(&buf);
            }
            Ok(false) | Err(_) => break,
        }
    }
});
