//! The envelope of every message (`type`, `schema_version`, `seq`), read from the text by one scan that
//! also checks that the whole text is JSON.
//!
//! The rules and their order are those of the serde envelope pass this crate used to run first (kept
//! in `tests/oracle/mod.rs`), so the error class of a message does not depend on its type:
//!
//! 1. a syntax error anywhere in the text → `Json`, whatever comes before it;
//! 2. otherwise the first envelope fault in document order: an unreadable top-level key or envelope
//!    value (an unpaired surrogate escape, a number beyond f64) → `Json`; a wrong type (`type` not a
//!    string, `schema_version` not a u32, `seq` neither null nor a u64) or a duplicate envelope field →
//!    `Schema`;
//! 3. a missing `type` or `schema_version` → `Schema`; a text that is not an object → `Schema`.
//!
//! Then [`check`]: `schema_version` above [`SCHEMA_VERSION`] → `UnsupportedVersion`, 0 → `Schema`; a
//! missing or zero `seq` → `Schema`.

use std::borrow::Cow;

use super::SCHEMA_VERSION;
use super::error::ProtocolError;
use super::json::{Fault, Scanner, Shape, U32, U64, fault_error};

/// A message's envelope as read by [`scan`].
#[derive(Debug)]
pub(crate) struct Envelope<'a> {
    pub(crate) kind: Cow<'a, str>,
    pub(crate) schema_version: u32,
    /// `None` when absent or `null`.
    pub(crate) seq: Option<u64>,
}

/// Reads the envelope and checks the whole text's syntax (see the module docs for the order).
pub(crate) fn scan(text: &str) -> Result<Envelope<'_>, ProtocolError> {
    let mut s = Scanner::new(text);
    // The first fault that is not a syntax error; scanning goes on to find syntax errors after it.
    let mut first: Option<(usize, Fault)> = None;
    let mut kind = None;
    let mut schema_version = None;
    let mut seq = None;
    s.ws();
    if s.peek() != b'{' {
        s.skip().and_then(|()| s.end()).map_err(|_| stop(&mut s))?;
        return Err(ProtocolError::Schema(
            "a message must be a JSON object".into(),
        ));
    }
    s.i += 1;
    s.ws();
    let mut done = s.peek() == b'}';
    if done {
        s.i += 1;
    }
    while !done {
        let key_at = s.i;
        let key = match s.key() {
            Ok(k) => Some(k),
            Err(_) => {
                keep_unless_syntax(&mut s, &mut first)?;
                None
            }
        };
        s.expect(b':', "expected `:`").map_err(|_| stop(&mut s))?;
        s.ws();
        let start = s.i;
        let duplicate = |name| Fault::Shape(Shape::Duplicate(name));
        let read = match key.as_deref() {
            Some("type") if kind.is_some() => Err(s.fail(key_at, duplicate("type"))),
            Some("type") => {
                if s.peek() == b'"' {
                    s.string().map(|k| kind = Some(k))
                } else {
                    Err(s.wrong("a string"))
                }
            }
            Some("schema_version") if schema_version.is_some() => {
                Err(s.fail(key_at, duplicate("schema_version")))
            }
            Some("schema_version") => s.u32(U32).map(|v| schema_version = Some(v)),
            Some("seq") if seq.is_some() => Err(s.fail(key_at, duplicate("seq"))),
            Some("seq") if s.null() => {
                seq = Some(None);
                Ok(())
            }
            Some("seq") => s.u64(U64).map(|v| seq = Some(Some(v))),
            _ => s.skip(),
        };
        if read.is_err() {
            // Resume after the value, checking its syntax only.
            keep_unless_syntax(&mut s, &mut first)?;
            s.i = start;
            s.skip().map_err(|_| stop(&mut s))?;
        }
        done = s.comma_or_close(b'}').map_err(|_| stop(&mut s))?;
    }
    s.end().map_err(|_| stop(&mut s))?;
    if let Some((at, fault)) = first {
        return Err(fault_error(text, at, fault, ""));
    }
    let missing = |field: &str| ProtocolError::Schema(format!("missing field `{field}`"));
    Ok(Envelope {
        kind: kind.ok_or_else(|| missing("type"))?,
        schema_version: schema_version.ok_or_else(|| missing("schema_version"))?,
        seq: seq.flatten(),
    })
}

/// The error for the scanner's fault.
fn stop(s: &mut Scanner) -> ProtocolError {
    let (at, fault) = s.take_fault();
    fault_error(s.text, at, fault, "")
}

/// A syntax fault ends the scan (its error is returned); any other is kept if it is the first.
fn keep_unless_syntax(
    s: &mut Scanner,
    first: &mut Option<(usize, Fault)>,
) -> Result<(), ProtocolError> {
    let (at, fault) = s.take_fault();
    if let Fault::Syntax(_) = fault {
        return Err(fault_error(s.text, at, fault, ""));
    }
    first.get_or_insert((at, fault));
    Ok(())
}

/// The version rule: above this build's version is a named error, 0 a schema violation.
pub(crate) fn check_version(schema_version: u32) -> Result<(), ProtocolError> {
    if schema_version > SCHEMA_VERSION {
        return Err(ProtocolError::UnsupportedVersion {
            got: schema_version,
            supported: SCHEMA_VERSION,
        });
    }
    if schema_version == 0 {
        return Err(ProtocolError::Schema(
            "schema_version must be at least 1".into(),
        ));
    }
    Ok(())
}

/// The widget→app envelope rules: the version, then a `seq` of at least 1 (returned).
pub(crate) fn check(schema_version: u32, seq: Option<u64>) -> Result<u64, ProtocolError> {
    check_version(schema_version)?;
    match seq {
        Some(s) if s >= 1 => Ok(s),
        Some(_) => Err(ProtocolError::Schema("seq must be at least 1".into())),
        None => Err(ProtocolError::Schema("missing field `seq`".into())),
    }
}
