//! The test oracle: the serde decoder this crate shipped before the hand-written `update` decoder became
//! the one production path (envelope pass, version and `seq` rules, typed pass; serde_json's syntax
//! errors are `Json`, its data errors `Schema` unless the text is not JSON at all). Test-only code: the
//! production decoders must agree with it on every input, value for value and error class for error
//! class, except where the protocol is deliberately stricter now:
//!
//! - a message that is not a JSON object is `Schema` (serde's derive reads an envelope from an array);
//! - in an `update`, a struct written as an array is `Schema` (the JSON Schema forbids it). With such
//!   an array *and* an unreadable value (out-of-range number, unpaired surrogate) in the same text the
//!   class depends on which comes first: [`struct_as_array`] lets tests tell those texts apart.

#![allow(dead_code)]

use std::borrow::Cow;

use bar_live_protocol::*;
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::error::Category;

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    schema_version: u32,
    #[serde(default)]
    seq: Option<u64>,
}

/// Syntax errors are "invalid JSON"; well-formed JSON of the wrong shape is a schema violation. A
/// typed parse can stop at a shape error before a syntax error later in the text, so a shape error
/// counts only once the whole text is known to be JSON.
fn classify(e: serde_json::Error, text: &str) -> ProtocolError {
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => ProtocolError::Json(e.into()),
        Category::Data => match serde_json::from_str::<IgnoredAny>(text) {
            Err(syntax) if syntax.classify() != Category::Data => {
                ProtocolError::Json(syntax.into())
            }
            _ => ProtocolError::Schema(e.to_string()),
        },
    }
}

fn typed<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T, ProtocolError> {
    serde_json::from_str(text).map_err(|e| classify(e, text))
}

fn check_version(v: u32) -> Result<(), ProtocolError> {
    match v {
        0 => Err(ProtocolError::Schema("schema_version 0".into())),
        v if v > SCHEMA_VERSION => Err(ProtocolError::UnsupportedVersion {
            got: v,
            supported: SCHEMA_VERSION,
        }),
        _ => Ok(()),
    }
}

/// A non-object message: `Json` if it is not JSON, else `Schema`.
fn not_an_object(text: &str) -> Option<ProtocolError> {
    if text
        .trim_start_matches([' ', '\n', '\r', '\t'])
        .starts_with('{')
    {
        return None;
    }
    Some(match serde_json::from_str::<IgnoredAny>(text) {
        Err(e) => ProtocolError::Json(e.into()),
        Ok(_) => ProtocolError::Schema("not an object".into()),
    })
}

/// True when `text` is JSON whose `update` body has an array where a struct belongs.
pub fn struct_as_array(text: &str) -> bool {
    use serde_json::Value;
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return false;
    };
    let arrays = |list: Option<&Value>, inner: &[&str]| {
        list.and_then(Value::as_array).is_some_and(|items| {
            items.iter().any(|item| {
                item.is_array()
                    || inner
                        .iter()
                        .any(|k| item.get(*k).is_some_and(Value::is_array))
            })
        })
    };
    v.is_array()
        || arrays(v.get("teams"), &["metal", "energy", "units", "stats"])
        || arrays(v.get("units"), &[])
}

/// The serde decode of a widget→app payload, with the stricter rules above.
pub fn decode_widget(payload: &[u8]) -> Result<Message, ProtocolError> {
    let text = std::str::from_utf8(payload).map_err(ProtocolError::Utf8)?;
    if let Some(e) = not_an_object(text) {
        return Err(e);
    }
    let m = decode_widget_serde(payload)?;
    if matches!(m.body, WidgetMessage::Update(_)) && struct_as_array(text) {
        return Err(ProtocolError::Schema("a struct as an array".into()));
    }
    Ok(m)
}

/// The serde decoder as it shipped (the ingest bench's library baseline).
pub fn decode_widget_serde(payload: &[u8]) -> Result<Message, ProtocolError> {
    let text = std::str::from_utf8(payload).map_err(ProtocolError::Utf8)?;
    let env: Envelope = typed(text)?;
    check_version(env.schema_version)?;
    let seq = match env.seq {
        Some(s) if s >= 1 => s,
        _ => return Err(ProtocolError::Schema("seq missing or 0".into())),
    };
    let body = match env.kind.as_ref() {
        "hello" => WidgetMessage::Hello(typed(text)?),
        "unit_defs" => WidgetMessage::UnitDefs(typed(text)?),
        "update" => WidgetMessage::Update(typed(text)?),
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

/// The serde decode of an app→widget payload.
pub fn decode_app(payload: &[u8]) -> Result<AppMessage, ProtocolError> {
    let text = std::str::from_utf8(payload).map_err(ProtocolError::Utf8)?;
    if let Some(e) = not_an_object(text) {
        return Err(e);
    }
    let env: Envelope = typed(text)?;
    check_version(env.schema_version)?;
    typed(text)
}

/// `Debug` text: NaN equals NaN, -0 differs from 0, floats print exactly.
pub fn same<T: std::fmt::Debug>(a: &T, b: &T) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

/// Asserts that the production decoder agrees with the oracle on `payload`: the same message, or errors
/// of the same kind. Returns the production result.
pub fn agree(payload: &[u8]) -> Result<Message, ProtocolError> {
    let got = bar_live_protocol::decode_widget(payload);
    let want = decode_widget(payload);
    let text = String::from_utf8_lossy(payload);
    match (&got, &want) {
        (Ok(g), Ok(w)) => assert!(same(g, w), "{text}\n{g:?}\n!=\n{w:?}"),
        (Err(g), Err(w)) if g.kind() == w.kind() => {}
        (Err(g), _) if struct_as_array(&text) && ["schema", "json"].contains(&g.kind()) => {}
        _ => panic!("{text}\ndecoder: {got:?}\noracle: {want:?}"),
    }
    got
}
