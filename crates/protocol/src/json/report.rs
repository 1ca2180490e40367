//! Errors for humans: a fault turned into a `ProtocolError` naming the field by its path.

use std::fmt::Write;

use super::{Fault, Scanner, Shape};
use crate::error::{JsonError, ProtocolError, line_column};

/// The error for `fault` at byte `at` of `text`; shape messages start with `prefix` (e.g. `"update: "`)
/// and name the field by its path (`teams[3].metal.current`).
#[cold]
pub(crate) fn fault_error(text: &str, at: usize, fault: Fault, prefix: &str) -> ProtocolError {
    let shape = match fault {
        Fault::Syntax(what) | Fault::Unreadable(what) => {
            return ProtocolError::Json(JsonError::at(text, at, what));
        }
        Fault::Shape(shape) => shape,
    };
    let path = path_at(text, at);
    let (line, column) = line_column(text, at);
    let place = if path.is_empty() {
        String::new()
    } else {
        format!(" in {path}")
    };
    ProtocolError::Schema(match shape {
        Shape::Missing(field) => format!("{prefix}missing field `{field}`{place}"),
        Shape::Duplicate(field) => format!("{prefix}duplicate field `{field}`{place}"),
        Shape::Expected(expected) => format!(
            "{prefix}invalid type for `{}` at line {line} column {column}: expected {expected}, found {}",
            if path.is_empty() {
                "the message"
            } else {
                &path
            },
            found(text, at)
        ),
        Shape::DefKey => {
            let mut s = Scanner::new(text);
            s.i = at;
            let key = s.string().unwrap_or_default();
            format!(
                "{prefix}by_def key '{key}'{place} is not a def id (line {line} column {column})"
            )
        }
        Shape::Other(what) => format!("{prefix}{what}{place} (line {line} column {column})"),
    })
}

/// What the value at `at` is, for messages.
fn found(text: &str, at: usize) -> String {
    let rest = text.get(at..).unwrap_or_default();
    match rest.as_bytes().first() {
        Some(b'"') => "a string".into(),
        Some(b'[') => "an array".into(),
        Some(b'{') => "an object".into(),
        Some(b't' | b'f') => "a boolean".into(),
        Some(b'n') => "null".into(),
        _ => {
            let end = rest
                .find(|c: char| !matches!(c, '0'..='9' | '-' | '+' | '.' | 'e' | 'E'))
                .unwrap_or(rest.len());
            format!("the number {}", &rest[..end.min(32)])
        }
    }
}

/// The path of the value (or object key) that starts at byte `at` of a JSON text: `teams[3].metal`,
/// empty for the whole text or when nothing starts there. Descends only into the containers that hold
/// `at`; others are skipped without recursion.
pub(super) fn path_at(text: &str, at: usize) -> String {
    let mut s = Scanner::new(text);
    let mut path = String::new();
    if !descend(&mut s, at, &mut path) {
        path.clear();
    }
    path
}

fn descend(s: &mut Scanner, at: usize, path: &mut String) -> bool {
    s.ws();
    let start = s.i;
    if start == at {
        return true;
    }
    if s.skip().is_err() || s.i <= at || !matches!(s.b[start], b'{' | b'[') {
        return false;
    }
    s.i = start + 1;
    let object = s.b[start] == b'{';
    let mut index = 0;
    loop {
        s.ws();
        let len = path.len();
        if object {
            if s.i == at {
                // The key itself: the object's path.
                return true;
            }
            let Ok(key) = s.key() else { return false };
            if s.expect(b':', "").is_err() {
                return false;
            }
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&key);
        } else {
            let _ = write!(path, "[{index}]");
            index += 1;
        }
        if descend(s, at, path) {
            return true;
        }
        path.truncate(len);
        if !matches!(
            s.comma_or_close(if object { b'}' } else { b']' }),
            Ok(false)
        ) {
            return false;
        }
    }
}
