//! `.barlive` files from arbitrary bytes: opening and iterating never panics and never allocates more
//! than the record cap, and iteration ends (truncated/corrupt are reported, not errors).
#![no_main]

use bar_live_protocol::DEFAULT_MAX_FRAME_BYTES;
use bar_live_core::recording::RecordingReader;
use bar_live_fuzz::{Tracking, reset, usage};
use libfuzzer_sys::fuzz_target;

#[global_allocator]
static ALLOC: Tracking = Tracking;

fuzz_target!(|data: &[u8]| {
    reset();
    if let Ok(mut r) = RecordingReader::new(data) {
        let mut n = 0usize;
        while let Ok(Some(rec)) = r.next_record() {
            n += 1;
            assert!(n <= data.len(), "more records than bytes");
            let _ = bar_live_protocol::decode_widget(&rec.payload);
        }
    }
    let u = usage();
    assert!(
        u.largest <= DEFAULT_MAX_FRAME_BYTES as usize,
        "allocated {} bytes at once",
        u.largest
    );
});
