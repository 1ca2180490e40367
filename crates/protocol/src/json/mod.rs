//! A strict JSON scanner, the ground both hand-written readers stand on: the `update` decoder
//! (`update_decoder.rs`) and the envelope reader (`envelope.rs`).
//!
//! Its rules are serde_json's (the crate's previous decoder, kept as the test oracle in
//! `tests/oracle/mod.rs`), so error classes do not depend on which decoder read a message:
//!
//! - **Syntax** ([`Fault::Syntax`]): what `serde::de::IgnoredAny` rejects: bad tokens, bad escapes, raw
//!   control characters in strings, a missing `,`/`:`/bracket, trailing characters, an early end.
//!   Skipped values ([`Scanner::skip`]) are checked for syntax only, at any depth (serde_json has no
//!   depth limit for ignored values either).
//! - **Unreadable** ([`Fault::Unreadable`]): syntactically fine, but a value the reader needs cannot be
//!   represented: a number beyond f64's range, a string with an unpaired UTF-16 surrogate escape.
//!   serde_json reports both as syntax errors where it reads the value (and accepts them where it skips
//!   it), so they are "invalid JSON" too.
//! - **Shape** ([`Fault::Shape`]): well-formed JSON of the wrong shape: a wrong type, a negative or
//!   fractional number for an integer, `null` for a required value, a missing or duplicate field.
//!
//! Methods return `Err(Stop)` and keep the first fault (with its byte offset) in [`Scanner::fault`],
//! so the hot path carries no error payload.

use std::borrow::Cow;

mod number;
mod report;

pub(crate) use report::fault_error;

/// Why a scan stopped (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Fault {
    Syntax(&'static str),
    Unreadable(&'static str),
    Shape(Shape),
}

/// What is wrong with a well-formed value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Shape {
    /// At the value: what the field takes ("an object", "a number or null", ...).
    Expected(&'static str),
    /// At the object that lacks the field.
    Missing(&'static str),
    /// At the object that has the field twice.
    Duplicate(&'static str),
    /// At the key: a `by_def` key that is not a def id.
    DefKey,
    /// At the value: anything else, said in full.
    Other(&'static str),
}

/// A scan stopped; the reason is in [`Scanner::fault`].
#[derive(Debug)]
pub(crate) struct Stop;

pub(crate) type Scan<T> = Result<T, Stop>;

/// Integer field expectations, for messages.
pub(crate) const U32: &str = "an unsigned 32-bit integer";
pub(crate) const U64: &str = "an unsigned 64-bit integer";

pub(crate) struct Scanner<'a> {
    pub(crate) text: &'a str,
    pub(crate) b: &'a [u8],
    /// The next byte to read.
    pub(crate) i: usize,
    /// The first fault and its byte offset, once a method has returned `Err(Stop)`.
    pub(crate) fault: Option<(usize, Fault)>,
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Scanner {
            text,
            b: text.as_bytes(),
            i: 0,
            fault: None,
        }
    }

    /// Records `fault` at byte `at` (unless an earlier fault is recorded) and stops.
    #[cold]
    #[inline(never)]
    pub(crate) fn fail(&mut self, at: usize, fault: Fault) -> Stop {
        if self.fault.is_none() {
            self.fault = Some((at, fault));
        }
        Stop
    }

    /// A syntax error at the current byte.
    #[cold]
    fn syntax(&mut self, what: &'static str) -> Stop {
        self.fail(self.i, Fault::Syntax(what))
    }

    /// Takes the recorded fault (to go on scanning after it).
    pub(crate) fn take_fault(&mut self) -> (usize, Fault) {
        self.fault
            .take()
            .unwrap_or((self.i, Fault::Syntax("scan stopped without a reason")))
    }

    #[inline]
    pub(crate) fn peek(&self) -> u8 {
        self.b.get(self.i).copied().unwrap_or(0)
    }

    #[inline]
    pub(crate) fn ws(&mut self) {
        // Compact JSON has none: one comparison in the common case.
        if self.peek() > b' ' {
            return;
        }
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    /// Skips whitespace and consumes `c` (`what` names it for the error).
    #[inline]
    pub(crate) fn expect(&mut self, c: u8, what: &'static str) -> Scan<()> {
        self.ws();
        if self.peek() == c {
            self.i += 1;
            Ok(())
        } else {
            Err(self.syntax(what))
        }
    }

    /// After an element: consumes `,` (`Ok(false)`: more follow) or `close` (`Ok(true)`: done).
    #[inline]
    pub(crate) fn comma_or_close(&mut self, close: u8) -> Scan<bool> {
        self.ws();
        match self.peek() {
            b',' => {
                self.i += 1;
                Ok(false)
            }
            c if c == close => {
                self.i += 1;
                Ok(true)
            }
            _ if close == b'}' => Err(self.syntax("expected `,` or `}`")),
            _ => Err(self.syntax("expected `,` or `]`")),
        }
    }

    /// Only whitespace is left.
    pub(crate) fn end(&mut self) -> Scan<()> {
        self.ws();
        if self.i < self.b.len() {
            return Err(self.syntax("trailing characters"));
        }
        Ok(())
    }

    /// Consumes the key `"name"` if it is next, exactly (the opening quote included).
    #[inline(always)]
    pub(crate) fn quoted_is(&mut self, name: &str) -> bool {
        let n = name.len();
        match self.b.get(self.i..self.i + n + 2) {
            Some([b'"', mid @ .., b'"']) if same_short(mid, name.as_bytes()) => {
                self.i += n + 2;
                true
            }
            _ => false,
        }
    }

    /// Skips a string (the opening quote is next), checking its syntax; `Ok(true)` if it has escapes.
    #[inline]
    pub(crate) fn skip_string(&mut self) -> Scan<bool> {
        let mut i = self.i + 1;
        let mut escaped = false;
        loop {
            let Some(n) = self.b[i.min(self.b.len())..]
                .iter()
                .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
            else {
                self.i = self.b.len();
                return Err(self.syntax("EOF while parsing a string"));
            };
            i += n;
            match self.b[i] {
                b'"' => {
                    self.i = i + 1;
                    return Ok(escaped);
                }
                b'\\' => {
                    escaped = true;
                    i += self.escape_len(i)?;
                }
                _ => {
                    self.i = i;
                    return Err(self.syntax("control character (\\u0000-\\u001F) in a string"));
                }
            }
        }
    }

    /// The length of the escape sequence at `i` (a backslash), checking it.
    #[cold]
    fn escape_len(&mut self, i: usize) -> Scan<usize> {
        match self.b.get(i + 1) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(2),
            Some(b'u') => match self.b.get(i + 2..i + 6) {
                Some(hex) if hex.iter().all(u8::is_ascii_hexdigit) => Ok(6),
                Some(_) => {
                    self.i = i;
                    Err(self.syntax("invalid \\u escape"))
                }
                None => {
                    self.i = self.b.len();
                    Err(self.syntax("EOF while parsing a string"))
                }
            },
            Some(_) => {
                self.i = i;
                Err(self.syntax("invalid escape"))
            }
            None => {
                self.i = self.b.len();
                Err(self.syntax("EOF while parsing a string"))
            }
        }
    }

    /// A string's value (the opening quote is next): borrowed unless it has escapes. An unpaired
    /// surrogate escape is [`Fault::Unreadable`], reported after the whole string was checked and read.
    #[inline]
    pub(crate) fn string(&mut self) -> Scan<Cow<'a, str>> {
        let start = self.i;
        let escaped = self.skip_string()?;
        let Some(raw) = self.text.get(start + 1..self.i - 1) else {
            return Err(self.fail(start, Fault::Syntax("invalid string")));
        };
        if !escaped {
            return Ok(Cow::Borrowed(raw));
        }
        match unescape(raw) {
            Some(s) => Ok(Cow::Owned(s)),
            None => Err(self.fail(
                start,
                Fault::Unreadable("unpaired surrogate in a \\u escape"),
            )),
        }
    }

    /// An object key (after whitespace).
    #[inline]
    pub(crate) fn key(&mut self) -> Scan<Cow<'a, str>> {
        self.ws();
        if self.peek() != b'"' {
            return Err(self.syntax("key must be a string"));
        }
        self.string()
    }

    /// Consumes `null` if it is next (nothing consumed otherwise).
    #[inline]
    pub(crate) fn null(&mut self) -> bool {
        if self.peek() == b'n' && self.b[self.i..].starts_with(b"null") {
            self.i += 4;
            true
        } else {
            false
        }
    }

    /// `true`, `false` or `null` (the first byte is next), checked.
    fn literal(&mut self) -> Scan<()> {
        let lit: &[u8] = match self.peek() {
            b't' => b"true",
            b'f' => b"false",
            _ => b"null",
        };
        for (k, &c) in lit.iter().enumerate() {
            if self.b.get(self.i + k) != Some(&c) {
                self.i += k;
                return Err(self.syntax("expected `true`, `false` or `null`"));
            }
        }
        self.i += lit.len();
        Ok(())
    }

    #[inline]
    pub(crate) fn bool(&mut self) -> Scan<bool> {
        if self.b[self.i..].starts_with(b"true") {
            self.i += 4;
            Ok(true)
        } else if self.b[self.i..].starts_with(b"false") {
            self.i += 5;
            Ok(false)
        } else {
            Err(self.wrong("a boolean"))
        }
    }

    /// Skips any JSON value, checking its syntax only (see the module docs), at any depth: the open
    /// containers are kept on a heap stack, not the call stack.
    pub(crate) fn skip(&mut self) -> Scan<()> {
        let mut open: Vec<u8> = Vec::new();
        loop {
            self.ws();
            match self.peek() {
                b'"' => {
                    self.skip_string()?;
                }
                b'-' | b'0'..=b'9' => self.skip_number()?,
                b't' | b'f' | b'n' => self.literal()?,
                c @ (b'[' | b'{') => {
                    self.i += 1;
                    self.ws();
                    let close = if c == b'[' { b']' } else { b'}' };
                    if self.peek() == close {
                        self.i += 1;
                    } else {
                        open.push(close);
                        if close == b'}' {
                            self.member_key()?;
                        }
                        continue;
                    }
                }
                _ => return Err(self.syntax("expected a value")),
            }
            // After a value: close what ends here, then go on after a comma.
            loop {
                let Some(&close) = open.last() else {
                    return Ok(());
                };
                if !self.comma_or_close(close)? {
                    if close == b'}' {
                        self.member_key()?;
                    }
                    break;
                }
                open.pop();
            }
        }
    }

    /// An object member's key and colon, skipped.
    fn member_key(&mut self) -> Scan<()> {
        self.ws();
        if self.peek() != b'"' {
            return Err(self.syntax("key must be a string"));
        }
        self.skip_string()?;
        self.expect(b':', "expected `:`")
    }

    /// Classifies the value at the current byte for a field that takes `expected`, as serde_json does
    /// for a value of the wrong type: a scalar is read whole first (so a bad literal or escape is a
    /// syntax error, an out-of-range number or unpaired surrogate is unreadable), then it is a shape
    /// error; an array or object is a shape error at once.
    #[cold]
    #[inline(never)]
    pub(crate) fn wrong(&mut self, expected: &'static str) -> Stop {
        let at = self.i;
        let read = match self.peek() {
            b'"' => self.string().map(drop),
            b'-' | b'0'..=b'9' => self.number().map(drop),
            b't' | b'f' | b'n' => self.literal(),
            b'[' | b'{' => Ok(()),
            _ => return self.syntax("expected a value"),
        };
        match read {
            Ok(()) => self.fail(at, Fault::Shape(Shape::Expected(expected))),
            Err(stop) => stop,
        }
    }
}

/// `a == b` for short byte strings (field names) with word compares instead of a `memcmp` call.
#[inline(always)]
pub(crate) fn same_short(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n >= 8 {
        // First and last 8 bytes (overlapping when n < 16), then any middle.
        a.first_chunk::<8>() == b.first_chunk::<8>()
            && a.last_chunk::<8>() == b.last_chunk::<8>()
            && (n <= 16 || a[8..n - 8] == b[8..n - 8])
    } else if n >= 4 {
        a.first_chunk::<4>() == b.first_chunk::<4>() && a.last_chunk::<4>() == b.last_chunk::<4>()
    } else {
        a.iter().zip(b).all(|(x, y)| x == y)
    }
}

/// The value of a string's escaped content (whose syntax was checked), or `None` for an unpaired
/// surrogate (serde_json's rules for strings it reads: a high surrogate must be followed by `\u` and a
/// low one, a low one must follow a high one).
fn unescape(raw: &str) -> Option<String> {
    let b = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut run = 0;
    let mut i = 0;
    let hex = |i: usize| {
        raw.get(i..i + 4)
            .and_then(|h| u16::from_str_radix(h, 16).ok())
    };
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        out.push_str(raw.get(run..i)?);
        let c = match *b.get(i + 1)? {
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let n = hex(i + 2)?;
                i += 6;
                let c = match n {
                    0xD800..=0xDBFF => {
                        if b.get(i) != Some(&b'\\') || b.get(i + 1) != Some(&b'u') {
                            return None;
                        }
                        let low = hex(i + 2)?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return None;
                        }
                        i += 6;
                        let cp =
                            0x1_0000 + ((u32::from(n) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                        char::from_u32(cp)?
                    }
                    0xDC00..=0xDFFF => return None,
                    _ => char::from_u32(u32::from(n))?,
                };
                out.push(c);
                run = i;
                continue;
            }
            other => char::from(other),
        };
        out.push(c);
        i += 2;
        run = i;
    }
    out.push_str(raw.get(run..)?);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::report::path_at;
    use super::*;

    #[test]
    fn short_compare() {
        let words = [
            "",
            "a",
            "ab",
            "abc",
            "abcd",
            "abcde",
            "abcdefg",
            "abcdefgh",
            "abcdefghi",
        ];
        let more = [
            "abcdefghijklmnop",
            "abcdefghijklmnopq",
            "units_out_captured",
            "units_out_capturez",
        ];
        for a in words.iter().chain(&more) {
            for b in words.iter().chain(&more) {
                assert_eq!(same_short(a.as_bytes(), b.as_bytes()), a == b, "{a} {b}");
            }
            let mut c = a.as_bytes().to_vec();
            for i in 0..c.len() {
                c[i] ^= 1;
                assert!(!same_short(a.as_bytes(), &c));
                c[i] ^= 1;
            }
        }
    }

    #[test]
    fn numbers() {
        for (text, want) in [
            ("1e0000000000000000000005", 1e5_f64),
            ("-1e-0000000000000000000001", -0.1),
            ("12345678901234567890123e-3", 12345678901234567890.123),
            ("0.5", 0.5),
            ("-0", -0.0),
        ] {
            let mut s = Scanner::new(text);
            assert_eq!(
                s.number().ok().map(f64::to_bits),
                Some(want.to_bits()),
                "{text}"
            );
            assert_eq!(s.i, text.len());
        }
        for (text, fault) in [
            ("1e309", Fault::Unreadable("number out of range")),
            ("01", Fault::Syntax("invalid number")),
            ("1.e5", Fault::Syntax("invalid number")),
            ("1e+", Fault::Syntax("invalid number")),
            ("-", Fault::Syntax("invalid number")),
        ] {
            let mut s = Scanner::new(text);
            assert!(s.number().is_err(), "{text}");
            assert_eq!(s.fault.map(|f| f.1), Some(fault), "{text}");
        }
    }

    #[test]
    fn strings() {
        let read = |text: &str| {
            let mut s = Scanner::new(text);
            let r = s.string().map(|c| c.into_owned()).ok();
            (r, s.fault.map(|f| f.1), s.i)
        };
        assert_eq!(read(r#""plain" "#), (Some("plain".into()), None, 7));
        assert_eq!(
            read(r#""a\"\\\/\b\f\n\r\tz\u00e9\ud83d\ude00""#)
                .0
                .as_deref(),
            Some("a\"\\/\u{8}\u{c}\n\r\tzé😀")
        );
        let unpaired = Some(Fault::Unreadable("unpaired surrogate in a \\u escape"));
        for text in [
            r#""\ud800""#,
            r#""\udc00x""#,
            r#""\ud800\n""#,
            r#""\ud800\u0041""#,
        ] {
            let (value, fault, end) = read(text);
            assert_eq!((value, fault, end), (None, unpaired, text.len()), "{text}");
        }
        for text in [
            r#""\x""#,
            r#""\u12g4""#,
            "\"a\u{1}\"",
            r#""abc"#,
            r#""\u12"#,
        ] {
            assert!(matches!(read(text).1, Some(Fault::Syntax(_))), "{text}");
        }
    }

    #[test]
    fn skip_any_depth() {
        let deep = format!("{}1{}", "[{\"a\":".repeat(100_000), "}]".repeat(100_000));
        let mut s = Scanner::new(&deep);
        assert!(s.skip().is_ok());
        assert_eq!(s.i, deep.len());
        for bad in [
            "[1,]",
            "{\"a\" 1}",
            "{1:2}",
            "[1 2]",
            "{\"a\":}",
            "[",
            "tru",
            "nul",
        ] {
            let mut s = Scanner::new(bad);
            assert!(s.skip().is_err(), "{bad}");
            assert!(matches!(s.fault, Some((_, Fault::Syntax(_)))), "{bad}");
        }
    }

    #[test]
    fn paths() {
        let text = r#"{"a":[1,{"b":[{"c":true}]}],"d":{"e":[[],[[0]]]}}"#;
        for (needle, path) in [
            ("true", "a[1].b[0].c"),
            ("{\"c\"", "a[1].b[0]"),
            ("[[0]]", "d.e[1]"),
            ("0]]", "d.e[1][0][0]"),
            ("\"e\"", "d"),
        ] {
            assert_eq!(path_at(text, text.find(needle).unwrap()), path, "{needle}");
        }
        assert_eq!(path_at(text, 0), "");
    }
}
