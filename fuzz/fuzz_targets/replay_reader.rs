//! BAR replays (`.sdfz`) from arbitrary bytes: reading never panics, and no count from the file sizes an
//! allocation (the largest stays within the team statistics cap, whatever the header claims).
#![no_main]

use bar_live_core::replay::Replay;
use bar_live_core::replay::stats::MAX_TEAM_STATS_BYTES;
use bar_live_fuzz::{Tracking, reset, usage};
use libfuzzer_sys::fuzz_target;

#[global_allocator]
static ALLOC: Tracking = Tracking;

fuzz_target!(|data: &[u8]| {
    reset();
    if let Ok(r) = Replay::from_bytes(data) {
        let _ = r.has_team_stats();
        let _ = r.end_frame();
    }
    let u = usage();
    assert!(
        u.largest as u64 <= MAX_TEAM_STATS_BYTES,
        "allocated {} bytes at once",
        u.largest
    );
});
