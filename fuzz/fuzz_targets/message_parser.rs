//! The message parser on arbitrary payloads: `decode_widget` and `decode_app` never panic, a decoded
//! message re-encodes to bytes that decode and re-encode to the same bytes, and decoding holds at most a
//! bounded multiple of the payload in memory (see AMPLIFICATION).
#![no_main]

use bar_live_protocol::{WidgetMessage, decode_app, decode_widget, encode_app, encode_widget};
use bar_live_fuzz::{Tracking, reset, usage};
use libfuzzer_sys::fuzz_target;

#[global_allocator]
static ALLOC: Tracking = Tracking;

/// Most bytes decoding may hold per payload byte (plus a fixed allowance). Typed messages expand
/// (a 3-byte `{}` list element becomes a whole struct), so this is a ratio, not 1.
const AMPLIFICATION: usize = 256;
const FIXED_ALLOWANCE: usize = 64 * 1024;

fuzz_target!(|data: &[u8]| {
    reset();
    let decoded = decode_widget(data);
    let u = usage();
    assert!(
        u.peak_above_start <= AMPLIFICATION * data.len() + FIXED_ALLOWANCE,
        "decode_widget of {} bytes held {} bytes",
        data.len(),
        u.peak_above_start
    );
    // Unknown types are not re-encoded: `encode_widget` of `Unknown` yields an empty payload.
    if let Ok(m) = decoded
        && !matches!(m.body, WidgetMessage::Unknown(_))
    {
        let again = encode_widget(&m.body, m.seq.unwrap_or(1));
        let back = decode_widget(&again).expect("a re-encoded message decodes");
        // Compared as bytes: `null` decodes to NaN, and NaN != NaN.
        let twice = encode_widget(&back.body, back.seq.unwrap_or(1));
        assert_eq!(twice, again, "decode/encode is not a fixed point");
    }
    if let Ok(m) = decode_app(data) {
        let again = encode_app(&m);
        let back = decode_app(&again).expect("a re-encoded app message decodes");
        assert_eq!(back, m, "app round trip changed the message");
    }
});
