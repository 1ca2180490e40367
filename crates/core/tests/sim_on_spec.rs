//! The simulator is the reference client for `check` and the app: everything it sends must be exactly on
//! the protocol's spec (schema and round trip).

use bar_live_core::protocol::schema::{Direction, SchemaValidator};
use bar_live_core::protocol::{Level, WidgetMessage, decode_widget, encode_widget};
use bar_live_core::sim::{SimGame, SimOptions};

/// NaN-aware equality: `Debug` prints floats in their shortest round-trip form and NaN as `NaN`.
fn same<T: std::fmt::Debug>(a: &T, b: &T) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

/// Everything the simulator sends, at every level and with a team seen only through radar, passes the schema and decodes to what was sent:
/// the simulator is the reference client for `check` and the app, so it must be exactly on spec.
#[test]
fn simulator_output_is_on_spec() {
    let v = SchemaValidator::new(Direction::WidgetToApp);
    for level in Level::ALL {
        let mut game = SimGame::new(SimOptions {
            teams: 5,
            minutes: 3.0,
            level,
            max_units: 40,
            // One team seen only through radar: null resources, units.unknown.
            radar_team: Some(4),
            ..SimOptions::default()
        });
        let mut seq = 0;
        let mut msgs = game.handshake();
        let mut step = 0;
        while !game.finished() {
            msgs.extend(game.step());
            step += 1;
            // Keep the test fast: check a sample of steps in full, every message type included.
            if step % 7 != 0 && !game.finished() {
                msgs.retain(|m| !matches!(m, WidgetMessage::Update(_)));
            }
            for m in msgs.drain(..) {
                seq += 1;
                let payload = encode_widget(&m, seq);
                let value: serde_json::Value = serde_json::from_slice(&payload).unwrap();
                v.validate(&value).unwrap_or_else(|e| {
                    panic!("{level:?} {}: {e}", String::from_utf8_lossy(&payload))
                });
                let back = decode_widget(&payload).unwrap();
                assert!(same(&back.body, &m), "{level:?}: {:?}", m.type_name());
            }
        }
    }
}
