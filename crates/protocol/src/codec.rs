//! Encoding and decoding of whole messages (no framing; see [`crate::frame`]).
//!
//! Decoding a widget→app payload: UTF-8, then
//! - `update` (the bulk of every stream) → the hand-written decoder (`update_decoder.rs`), which reads the
//!   text once into [`Update`] and classifies its own errors;
//! - every other type → the envelope scan (`envelope.rs`: the whole text's syntax, `type`,
//!   `schema_version`, `seq`), the version and `seq` rules, then the body through serde.
//!
//! Error classes are the same on both paths (`docs/PROTOCOL.md`, `tests/oracle/mod.rs`): invalid UTF-8 →
//! `Utf8`; invalid JSON anywhere → `Json`; then the envelope (a version above this build's →
//! `UnsupportedVersion`; version 0, a missing or zero `seq` → `Schema`); then the body's shape → `Schema`.

use serde::{Deserialize, Serialize};

use super::SCHEMA_VERSION;
use super::envelope::{self, check, check_version};
use super::error::ProtocolError;
use super::message::{AppMessage, Message, WidgetMessage};
use super::update_decoder::decode_update;

#[derive(Serialize)]
struct Outgoing<'a, T: Serialize> {
    #[serde(flatten)]
    body: &'a T,
    schema_version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    seq: Option<u64>,
}

/// Encodes a widget→app message as a JSON payload (no frame prefix).
/// An unknown type (only ever decoded, never built by this crate) encodes as its bare envelope.
pub fn encode_widget(body: &WidgetMessage, seq: u64) -> Vec<u8> {
    if let WidgetMessage::Unknown(kind) = body {
        let envelope =
            serde_json::json!({"type": kind, "schema_version": SCHEMA_VERSION, "seq": seq});
        return serde_json::to_vec(&envelope).unwrap_or_default();
    }
    encode(body, Some(seq))
}

/// Encodes an app→widget message as a JSON payload (no frame prefix).
pub fn encode_app(body: &AppMessage) -> Vec<u8> {
    encode(body, None)
}

fn encode<T: Serialize>(body: &T, seq: Option<u64>) -> Vec<u8> {
    let out = Outgoing {
        body,
        schema_version: SCHEMA_VERSION,
        seq,
    };
    // Serializing plain data structs with string keys into a Vec cannot fail.
    serde_json::to_vec(&out).unwrap_or_default()
}

/// Decodes one widget→app payload (no validation against the JSON Schema; see [`crate::schema`]).
pub fn decode_widget(payload: &[u8]) -> Result<Message, ProtocolError> {
    let text = std::str::from_utf8(payload).map_err(ProtocolError::Utf8)?;
    // The widget and this crate write `type` first: no envelope scan for the bulk of a stream.
    if text.starts_with(r#"{"type":"update""#) {
        return decode_update(text);
    }
    let env = envelope::scan(text)?;
    let seq = check(env.schema_version, env.seq)?;
    let body = match env.kind.as_ref() {
        "update" => return decode_update(text),
        "hello" => WidgetMessage::Hello(typed(text)?),
        "unit_defs" => WidgetMessage::UnitDefs(typed(text)?),
        "event" => WidgetMessage::Event(typed(text)?),
        "stats" => WidgetMessage::Stats(typed(text)?),
        "test" => WidgetMessage::Test(typed(text)?),
        "custom" => WidgetMessage::Custom(typed(text)?),
        "pong" => WidgetMessage::Pong(typed(text)?),
        "config_ack" => WidgetMessage::ConfigAck(typed(text)?),
        "command" => WidgetMessage::Command(typed(text)?),
        "bye" => WidgetMessage::Bye(typed(text)?),
        other => WidgetMessage::Unknown(other.to_owned()),
    };
    Ok(Message {
        seq: Some(seq),
        schema_version: env.schema_version,
        body,
    })
}

/// Decodes one app→widget payload. Unknown types are an error here: the simulator answers only what it knows.
pub fn decode_app(payload: &[u8]) -> Result<AppMessage, ProtocolError> {
    let text = std::str::from_utf8(payload).map_err(ProtocolError::Utf8)?;
    let env = envelope::scan(text)?;
    check_version(env.schema_version)?;
    typed(text)
}

/// The body through serde, once the envelope scan has checked the text's syntax: what serde still
/// calls a syntax error is a value it cannot read (a number beyond f64, an unpaired surrogate, nesting
/// deeper than 128 in a `custom` payload) → `Json`; anything else is the wrong shape → `Schema`.
fn typed<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T, ProtocolError> {
    serde_json::from_str(text).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => ProtocolError::Schema(e.to_string()),
        _ => ProtocolError::Json(e.into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{Bye, DefCounts};

    #[test]
    fn unknown_type_is_skipped_not_an_error() {
        let m = decode_widget(br#"{"type":"future_thing","schema_version":1,"seq":3,"x":[1,2]}"#)
            .unwrap();
        assert_eq!(m.body, WidgetMessage::Unknown("future_thing".into()));
        assert_eq!(m.seq, Some(3));
    }

    #[test]
    fn higher_version_is_named_error() {
        let e = decode_widget(br#"{"type":"bye","schema_version":2,"seq":1,"reason":"x"}"#)
            .unwrap_err();
        assert!(
            matches!(
                e,
                ProtocolError::UnsupportedVersion {
                    got: 2,
                    supported: 1
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn error_classes() {
        assert!(matches!(
            decode_widget(b"\xff\xfe"),
            Err(ProtocolError::Utf8(_))
        ));
        assert!(matches!(
            decode_widget(b"{\"type\":"),
            Err(ProtocolError::Json(_))
        ));
        assert!(matches!(
            decode_widget(b"[1,2]"),
            Err(ProtocolError::Schema(_))
        ));
        assert!(matches!(
            decode_widget(br#"{"type":"bye","schema_version":1,"seq":1}"#),
            Err(ProtocolError::Schema(_))
        ));
        assert!(matches!(
            decode_widget(br#"{"type":"bye","schema_version":1,"reason":"no seq"}"#),
            Err(ProtocolError::Schema(_))
        ));
    }

    #[test]
    fn nulls_become_nan_and_unknown_fields_are_ignored() {
        let m = decode_widget(
            br#"{"type":"update","schema_version":1,"seq":2,"game_frame":30,"game_seconds":1,"paused":false,
            "speed":null,"extra":{"a":1},"teams":[{"team_id":0,"units":{"total":3,"by_def":{"7":2,"9":1}},
            "metal":{"current":null,"storage":1,"pull":0,"income":1,"expense":0,"share":1,"sent":0,"received":0,"excess":0},
            "energy":{"current":1,"storage":1,"pull":0,"income":1,"expense":0,"share":1,"sent":0,"received":0,"excess":0}}]}"#,
        )
        .unwrap();
        let WidgetMessage::Update(u) = m.body else {
            panic!("not an update")
        };
        assert!(u.speed.is_nan());
        assert!(u.teams[0].metal.current.is_nan());
        assert_eq!(
            u.teams[0].units.by_def,
            Some(DefCounts(vec![(7, 2), (9, 1)]))
        );
    }

    #[test]
    fn by_def_keys_must_be_ids() {
        let e = decode_widget(
            br#"{"type":"update","schema_version":1,"seq":2,"game_frame":30,"game_seconds":1,"paused":false,
            "speed":1,"teams":[{"team_id":0,"units":{"total":3,"by_def":{"x":2}},
            "metal":{"current":1,"storage":1,"pull":0,"income":1,"expense":0,"share":1,"sent":0,"received":0,"excess":0},
            "energy":{"current":1,"storage":1,"pull":0,"income":1,"expense":0,"share":1,"sent":0,"received":0,"excess":0}}]}"#,
        )
        .unwrap_err();
        assert_eq!(e.kind(), "schema");
        assert!(e.to_string().contains("'x'"), "{e}");
    }

    #[test]
    fn encode_decode_round_trip() {
        let body = WidgetMessage::Bye(Bye {
            reason: "shutdown".into(),
        });
        let bytes = encode_widget(&body, 5);
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with(r#"{"type":"bye""#), "{text}");
        let m = decode_widget(&bytes).unwrap();
        assert_eq!(m.body, body);
        assert_eq!(m.seq, Some(5));
        let ping = encode_app(&AppMessage::Ping { id: 9 });
        assert_eq!(decode_app(&ping).unwrap(), AppMessage::Ping { id: 9 });
        assert!(!String::from_utf8(ping).unwrap().contains("seq"));
    }

    #[test]
    fn unknown_types_encode_as_their_envelope() {
        let bytes = encode_widget(&WidgetMessage::Unknown("future".into()), 4);
        let m = decode_widget(&bytes).unwrap();
        assert_eq!(m.body, WidgetMessage::Unknown("future".into()));
        assert_eq!(m.seq, Some(4));
    }
}
