//! A hand-written decoder for `update` messages, the bulk of every stream (see `docs/PERFORMANCE.md`).
//!
//! It reads the JSON bytes directly into [`Update`] — keys matched as byte strings, numbers parsed in
//! place — instead of going through serde's derived deserializers. It is deliberately conservative:
//! it returns `None` for anything it does not handle exactly like the serde path (any string with an
//! escape or a control character, a struct written as an array, a duplicate key, a number that does not
//! fit the field, an unsupported version, nesting deeper than a few levels in an ignored value, …), and
//! the caller then decodes the text with serde as before. So every error is still found and classified
//! by serde; this decoder only ever accepts text that serde would accept, with the same result.
//!
//! Numbers are correctly rounded, like `serde_json` with `float_roundtrip` (enabled in this build): the
//! exact fast path (at most 15 significant digits, power of ten at most 22) and `str::parse` otherwise.

use super::SCHEMA_VERSION;
use super::message::{
    DefCounts, Message, Resource, TEAM_STATS_FIELD_COUNT, TeamSample, TeamStats, UnitCounts,
    UnitSample, Update, WidgetMessage,
};

/// Decodes a complete `update` payload, or `None` to let the serde path decide.
pub(crate) fn decode_update(text: &str) -> Option<Message> {
    let mut p = Parser {
        text,
        b: text.as_bytes(),
        i: 0,
        hints: initial_hints(),
    };
    let m = p.update()?;
    p.ws();
    (p.i == p.b.len()).then_some(m)
}

struct Parser<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
    /// Per struct and per previous field (slot 0: none yet), the field expected next, learned as the
    /// message is read: a key is then checked with one comparison instead of being scanned and looked up.
    hints: [u8; HINT_SLOTS],
}

/// Exact powers of ten as f64.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// A struct's field names with a collision-free hash table over them, built at compile time: a key is
/// found with one hash and one comparison instead of a comparison per field.
struct Fields<const N: usize> {
    names: [&'static str; N],
    seed: usize,
    table: [u8; 256],
}

const fn key_hash(k: &[u8], seed: usize) -> usize {
    let n = k.len();
    if n == 0 {
        return 0;
    }
    (n.wrapping_mul(seed)
        ^ (k[0] as usize).wrapping_mul(31)
        ^ (k[n - 1] as usize).wrapping_mul(seed.wrapping_mul(7))
        ^ (k[n / 2] as usize).wrapping_mul(5 + seed))
        & 255
}

impl<const N: usize> Fields<N> {
    /// Tries seeds until the names hash without collisions (fails the build if none does).
    const fn new(names: [&'static str; N]) -> Self {
        let mut seed = 1;
        while seed < 1000 {
            let mut table = [u8::MAX; 256];
            let mut i = 0;
            let mut ok = true;
            while i < N {
                let h = key_hash(names[i].as_bytes(), seed);
                if table[h] != u8::MAX {
                    ok = false;
                    break;
                }
                table[h] = i as u8;
                i += 1;
            }
            if ok {
                return Fields { names, seed, table };
            }
            seed += 1;
        }
        panic!("no collision-free seed");
    }

    /// The field index of `key`, or `None` for a key the struct does not have.
    #[inline]
    fn find(&self, key: &str) -> Option<usize> {
        let i = self.table[key_hash(key.as_bytes(), self.seed)] as usize;
        (i < N && same_short(self.names[i].as_bytes(), key.as_bytes())).then_some(i)
    }
}

static UPDATE_FIELDS: Fields<10> = Fields::new([
    "type",
    "schema_version",
    "seq",
    "game_frame",
    "game_seconds",
    "paused",
    "speed",
    "teams",
    "units",
    "units_omitted",
]);
static TEAM_FIELDS: Fields<5> = Fields::new(["team_id", "metal", "energy", "units", "stats"]);
/// In [`Resource`] field order.
static RESOURCE_FIELDS: Fields<9> = Fields::new([
    "current", "storage", "pull", "income", "expense", "share", "sent", "received", "excess",
]);
static UNIT_COUNT_FIELDS: Fields<3> = Fields::new(["total", "by_def", "unknown"]);
/// In [`TeamStats`] field order.
static STATS_FIELDS: Fields<TEAM_STATS_FIELD_COUNT> = Fields::new(TeamStats::FIELDS);
static UNIT_FIELDS: Fields<7> = Fields::new(["id", "def", "team", "x", "z", "health", "build"]);

// Where each struct's slots start in `Parser::hints` (a struct with N fields has N + 1 slots).
const UPDATE_HINTS: usize = 0;
const TEAM_HINTS: usize = 11;
const RESOURCE_HINTS: usize = 17;
const UNIT_COUNT_HINTS: usize = 27;
const STATS_HINTS: usize = 31;
const UNIT_HINTS: usize = 53;
const HINT_SLOTS: usize = 61;

/// The initial hints: fields in declaration order (the order this crate's encoder and the widget's
/// update encoder write, except for the statistics entry, whose order the hints learn).
const fn initial_hints() -> [u8; HINT_SLOTS] {
    let starts = [
        (UPDATE_HINTS, 10),
        (TEAM_HINTS, 5),
        (RESOURCE_HINTS, 9),
        (UNIT_COUNT_HINTS, 3),
        (STATS_HINTS, 21),
        (UNIT_HINTS, 7),
    ];
    let mut h = [u8::MAX; HINT_SLOTS];
    let mut s = 0;
    while s < starts.len() {
        let (start, n) = starts[s];
        let mut k = 0;
        while k <= n {
            h[start + k] = k as u8;
            k += 1;
        }
        s += 1;
    }
    h
}

/// `a == b` for short byte strings (field names) with word compares instead of a `memcmp` call.
#[inline(always)]
fn same_short(a: &[u8], b: &[u8]) -> bool {
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

/// Marks a field as seen; `None` on a duplicate (serde's derived deserializers reject those).
#[inline]
fn see(seen: &mut u32, field: usize) -> Option<()> {
    let mask = 1u32 << field;
    if *seen & mask != 0 {
        return None;
    }
    *seen |= mask;
    Some(())
}

impl<'a> Parser<'a> {
    #[inline]
    fn peek(&self) -> u8 {
        self.b.get(self.i).copied().unwrap_or(0)
    }

    #[inline]
    fn ws(&mut self) {
        // Compact JSON has none: one comparison in the common case.
        if self.peek() > b' ' {
            return;
        }
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    /// Skips whitespace and consumes `c`.
    #[inline]
    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        if self.peek() == c {
            self.i += 1;
            Some(())
        } else {
            None
        }
    }

    /// A string without escapes or control characters (the opening quote is next, after whitespace).
    #[inline]
    fn plain_str(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.i;
        let len = self.b[start..]
            .iter()
            .position(|&c| c == b'"' || c == b'\\' || c < 0x20)?;
        self.i = start + len;
        if self.b[self.i] != b'"' {
            return None;
        }
        self.i += 1;
        self.text.get(start..start + len)
    }

    /// Iterates an object's members: `f(self, key)` must consume the value.
    #[inline]
    fn object(&mut self, mut f: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        self.ws();
        if self.peek() == b'}' {
            self.i += 1;
            return Some(());
        }
        loop {
            let key = self.plain_str()?;
            self.eat(b':')?;
            self.ws();
            f(self, key)?;
            if self.comma_or_close(b'}')? {
                return Some(());
            }
        }
    }

    /// Consumes the key `"name"` if it is next (the opening quote included).
    #[inline(always)]
    fn quoted_is(&mut self, name: &str) -> bool {
        let n = name.len();
        match self.b.get(self.i..self.i + n + 2) {
            Some([b'"', mid @ .., b'"']) if same_short(mid, name.as_bytes()) => {
                self.i += n + 2;
                true
            }
            _ => false,
        }
    }

    /// Iterates a struct's members: `f(self, field index)` must consume the value; unknown keys are
    /// skipped. `hints` is the struct's first slot in `self.hints`.
    #[inline]
    fn members<const N: usize>(
        &mut self,
        fields: &Fields<N>,
        hints: usize,
        depth: u32,
        mut f: impl FnMut(&mut Self, usize) -> Option<()>,
    ) -> Option<()> {
        self.eat(b'{')?;
        self.ws();
        if self.peek() == b'}' {
            self.i += 1;
            return Some(());
        }
        let mut slot = hints;
        loop {
            self.ws();
            let guess = usize::from(self.hints[slot]);
            let field = if guess < N && self.quoted_is(fields.names[guess]) {
                Some(guess)
            } else {
                fields.find(self.plain_str()?)
            };
            self.eat(b':')?;
            self.ws();
            match field {
                Some(k) => {
                    self.hints[slot] = k as u8;
                    slot = hints + 1 + k;
                    f(self, k)?;
                }
                None => self.skip(depth)?,
            }
            if self.comma_or_close(b'}')? {
                return Some(());
            }
        }
    }

    /// After an element: consumes `,` (`Some(false)`: more follow) or `close` (`Some(true)`: done).
    #[inline]
    fn comma_or_close(&mut self, close: u8) -> Option<bool> {
        self.ws();
        match self.peek() {
            b',' => {
                self.i += 1;
                Some(false)
            }
            c if c == close => {
                self.i += 1;
                Some(true)
            }
            _ => None,
        }
    }

    /// Iterates an array's elements: `f(self)` must consume the element.
    #[inline]
    fn array(&mut self, mut f: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.eat(b'[')?;
        self.ws();
        if self.peek() == b']' {
            self.i += 1;
            return Some(());
        }
        loop {
            self.ws();
            f(self)?;
            if self.comma_or_close(b']')? {
                return Some(());
            }
        }
    }

    /// Consumes `lit` (`null`, `true`, `false`) if it is next.
    #[inline]
    fn literal(&mut self, lit: &[u8]) -> bool {
        if self.b[self.i..].starts_with(lit) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }

    /// `null` → `true` (consumed); anything else → `false` (nothing consumed).
    #[inline]
    fn null(&mut self) -> bool {
        self.peek() == b'n' && self.literal(b"null")
    }

    fn bool(&mut self) -> Option<bool> {
        if self.literal(b"true") {
            Some(true)
        } else if self.literal(b"false") {
            Some(false)
        } else {
            None
        }
    }

    /// A non-negative JSON integer (no fraction, no exponent) that fits a u64.
    #[inline]
    fn u64(&mut self) -> Option<u64> {
        let start = self.i;
        let mut v: u64 = 0;
        while let Some(&c @ b'0'..=b'9') = self.b.get(self.i) {
            v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
            self.i += 1;
        }
        let len = self.i - start;
        // No digits, or a leading zero ("01"), or a fraction/exponent (serde: not an integer).
        if len == 0
            || (len > 1 && self.b[start] == b'0')
            || matches!(self.peek(), b'.' | b'e' | b'E')
        {
            return None;
        }
        Some(v)
    }

    #[inline]
    fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.u64()?).ok()
    }

    /// A JSON number as f64 (finite).
    #[inline(always)]
    fn f64(&mut self) -> Option<f64> {
        let b = self.b;
        let start = self.i;
        let mut i = start;
        let neg = b.get(i) == Some(&b'-');
        if neg {
            i += 1;
        }
        // Integer part. The mantissa may wrap past 19 digits; such numbers take the slow path.
        let int_start = i;
        let mut mant: u64 = 0;
        while let Some(&c) = b.get(i) {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            mant = mant.wrapping_mul(10).wrapping_add(u64::from(d));
            i += 1;
        }
        let int_digits = i - int_start;
        if int_digits == 0 || (int_digits > 1 && b[int_start] == b'0') {
            return None;
        }
        let mut digits = int_digits;
        let mut frac_digits = 0;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let frac_start = i;
            while let Some(&c) = b.get(i) {
                let d = c.wrapping_sub(b'0');
                if d > 9 {
                    break;
                }
                mant = mant.wrapping_mul(10).wrapping_add(u64::from(d));
                i += 1;
            }
            frac_digits = i - frac_start;
            if frac_digits == 0 {
                return None;
            }
            digits += frac_digits;
        }
        let mut exp: i32 = 0;
        if let Some(b'e' | b'E') = b.get(i) {
            i += 1;
            let eneg = match b.get(i) {
                Some(b'-') => {
                    i += 1;
                    true
                }
                Some(b'+') => {
                    i += 1;
                    false
                }
                _ => false,
            };
            let e_start = i;
            while let Some(&c) = b.get(i) {
                let d = c.wrapping_sub(b'0');
                if d > 9 {
                    break;
                }
                exp = exp.saturating_mul(10).saturating_add(i32::from(d));
                i += 1;
            }
            if i == e_start {
                return None;
            }
            if eneg {
                exp = -exp;
            }
        }
        self.i = i;
        // Exact operands and one rounding (Clinger's fast path): correctly rounded.
        let exp = i64::from(exp) - frac_digits as i64;
        let v = if digits <= 19 && mant <= (1u64 << 53) && (-22..=22).contains(&exp) {
            let m = mant as f64;
            let x = if exp < 0 {
                m / POW10[exp.unsigned_abs() as usize]
            } else {
                m * POW10[exp as usize]
            };
            if neg { -x } else { x }
        } else {
            self.text.get(start..i)?.parse::<f64>().ok()?
        };
        v.is_finite().then_some(v)
    }

    /// A number, or `null` as NaN (the widget's encoding of NaN/inf).
    #[inline]
    fn nullable_f64(&mut self) -> Option<f64> {
        if self.null() {
            Some(f64::NAN)
        } else {
            self.f64()
        }
    }

    /// Skips any JSON value (validating it); strings with escapes and deep nesting give up.
    fn skip(&mut self, depth: u32) -> Option<()> {
        if depth > 32 {
            return None;
        }
        match self.peek() {
            b'"' => self.plain_str().map(drop),
            b'{' => self.object(|p, _| p.skip(depth + 1)),
            b'[' => self.array(|p| p.skip(depth + 1)),
            b't' | b'f' => self.bool().map(drop),
            b'n' => self.null().then_some(()),
            _ => self.f64().map(drop),
        }
    }

    fn update(&mut self) -> Option<Message> {
        let mut seen = 0u32;
        let (mut schema_version, mut seq) = (0u32, 0u64);
        let (mut game_frame, mut game_seconds, mut paused, mut speed) = (0u32, 0.0, false, 0.0);
        let mut teams = Vec::new();
        let (mut units, mut units_omitted) = (None, None);
        self.members(&UPDATE_FIELDS, UPDATE_HINTS, 0, |p, f| {
            see(&mut seen, f)?;
            match f {
                0 => (p.plain_str()? == "update").then_some(())?,
                1 => schema_version = p.u32()?,
                2 => seq = p.u64()?,
                3 => game_frame = p.u32()?,
                4 => game_seconds = p.f64()?,
                5 => paused = p.bool()?,
                6 => speed = p.nullable_f64()?,
                7 => {
                    teams.reserve(16);
                    p.array(|p| {
                        teams.push(p.team_sample()?);
                        Some(())
                    })?;
                }
                8 => {
                    if !p.null() {
                        let mut list = Vec::new();
                        p.array(|p| {
                            list.push(p.unit_sample()?);
                            Some(())
                        })?;
                        units = Some(list);
                    }
                }
                _ => {
                    if !p.null() {
                        units_omitted = Some(p.u32()?);
                    }
                }
            }
            Some(())
        })?;
        // type, schema_version, seq, game_frame, game_seconds, paused, speed, teams are required.
        if seen & 0xff != 0xff || seq == 0 || !(1..=SCHEMA_VERSION).contains(&schema_version) {
            return None;
        }
        Some(Message {
            seq: Some(seq),
            schema_version,
            body: WidgetMessage::Update(Update {
                game_frame,
                game_seconds,
                paused,
                speed,
                teams,
                units,
                units_omitted,
            }),
        })
    }

    fn team_sample(&mut self) -> Option<TeamSample> {
        let mut seen = 0u32;
        let mut team_id = 0;
        let (mut metal, mut energy) = (Resource::default(), Resource::default());
        let mut units = UnitCounts {
            total: 0,
            by_def: None,
            unknown: None,
        };
        let mut stats = None;
        self.members(&TEAM_FIELDS, TEAM_HINTS, 1, |p, f| {
            see(&mut seen, f)?;
            match f {
                0 => team_id = p.u32()?,
                1 => metal = p.resource()?,
                2 => energy = p.resource()?,
                3 => units = p.unit_counts()?,
                _ => {
                    if !p.null() {
                        stats = Some(p.team_stats()?);
                    }
                }
            }
            Some(())
        })?;
        (seen & 0xf == 0xf).then_some(TeamSample {
            team_id,
            metal,
            energy,
            units,
            stats,
        })
    }

    fn resource(&mut self) -> Option<Resource> {
        let mut seen = 0u32;
        let mut v = [0.0f64; 9];
        self.members(&RESOURCE_FIELDS, RESOURCE_HINTS, 2, |p, f| {
            see(&mut seen, f)?;
            v[f] = p.nullable_f64()?;
            Some(())
        })?;
        let [
            current,
            storage,
            pull,
            income,
            expense,
            share,
            sent,
            received,
            excess,
        ] = v;
        (seen == 0x1ff).then_some(Resource {
            current,
            storage,
            pull,
            income,
            expense,
            share,
            sent,
            received,
            excess,
        })
    }

    fn unit_counts(&mut self) -> Option<UnitCounts> {
        let mut seen = 0u32;
        let mut u = UnitCounts {
            total: 0,
            by_def: None,
            unknown: None,
        };
        self.members(&UNIT_COUNT_FIELDS, UNIT_COUNT_HINTS, 2, |p, f| {
            see(&mut seen, f)?;
            match f {
                0 => u.total = p.u32()?,
                1 => {
                    if !p.null() {
                        let mut out = Vec::with_capacity(16);
                        p.object(|p, key| {
                            out.push((def_key(key)?, p.u32()?));
                            Some(())
                        })?;
                        u.by_def = Some(DefCounts(out));
                    }
                }
                _ => {
                    if !p.null() {
                        u.unknown = Some(p.u32()?);
                    }
                }
            }
            Some(())
        })?;
        (seen & 1 == 1).then_some(u)
    }

    fn team_stats(&mut self) -> Option<TeamStats> {
        let mut seen = 0u32;
        let mut v = [f64::NAN; TEAM_STATS_FIELD_COUNT];
        self.members(&STATS_FIELDS, STATS_HINTS, 2, |p, f| {
            see(&mut seen, f)?;
            v[f] = p.nullable_f64()?;
            Some(())
        })?;
        Some(TeamStats::from_array(v))
    }

    fn unit_sample(&mut self) -> Option<UnitSample> {
        let mut seen = 0u32;
        let mut u = UnitSample {
            id: 0,
            def: 0,
            team: 0,
            x: 0.0,
            z: 0.0,
            health: 0.0,
            build: 0.0,
        };
        self.members(&UNIT_FIELDS, UNIT_HINTS, 2, |p, f| {
            see(&mut seen, f)?;
            match f {
                0 => u.id = p.u32()?,
                1 => u.def = p.u32()?,
                2 => u.team = p.u32()?,
                3 => u.x = p.f64()?,
                4 => u.z = p.f64()?,
                5 => u.health = p.nullable_f64()?,
                _ => u.build = p.nullable_f64()?,
            }
            Some(())
        })?;
        (seen == 0x7f).then_some(u)
    }
}

/// A `by_def` key as serde's path reads it (`str::parse::<u32>`), with a fast path for plain digits.
#[inline]
fn def_key(key: &str) -> Option<u32> {
    let b = key.as_bytes();
    if !b.is_empty() && b.len() <= 9 && b.iter().all(u8::is_ascii_digit) {
        Some(b.iter().fold(0u32, |v, &c| v * 10 + u32::from(c - b'0')))
    } else {
        key.parse::<u32>().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::decode_widget;

    /// Both paths on the same text: the fast path must either decline or agree with serde.
    fn agree(text: &str) -> Option<Message> {
        let fast = decode_update(text);
        let slow = super::super::message::decode_update_serde(text);
        if let Some(f) = &fast {
            // Debug text: NaN equals NaN, -0 differs from 0, floats print exactly.
            assert_eq!(
                format!("{f:?}"),
                format!("{:?}", slow.as_ref().expect("serde accepts it too")),
                "{text}"
            );
        }
        fast
    }

    const TEAM: &str = r#"{"team_id":3,"metal":{"current":1504.62,"storage":2000,"pull":67.82781,"income":65.17923,"expense":60.56055,"share":0.99,"sent":0,"received":0,"excess":null},"energy":{"current":-3146.98,"storage":4e3,"pull":1160.826,"income":1.252488E3,"expense":1105.548,"share":0.95,"sent":0,"received":0,"excess":0},"units":{"total":351,"by_def":{"1":1,"10":7,"007":2,"+5":1},"unknown":2},"stats":{"time":600,"frame":18000,"metal_used":22043.04,"damage_dealt":null,"extra":[1,{"a":[]}]}}"#;

    fn update_text(teams: &str, tail: &str) -> String {
        format!(
            r#"{{"type":"update","schema_version":1,"seq":7,"game_frame":18015,"game_seconds":600.5,"paused":false,"speed":1,"teams":[{teams}]{tail}}}"#
        )
    }

    #[test]
    fn decodes_what_serde_decodes() {
        let text = update_text(TEAM, "");
        let m = agree(&text).expect("fast path");
        let WidgetMessage::Update(u) = m.body else {
            panic!()
        };
        assert_eq!(u.teams[0].units.by_def.as_ref().map(|d| d.0.len()), Some(4));
        assert!(u.teams[0].metal.excess.is_nan());
        let units = r#","units":[{"id":1,"def":2,"team":3,"x":-10.5,"z":0,"health":null,"build":1}],"units_omitted":0"#;
        assert!(agree(&update_text(&format!("{TEAM},{TEAM}"), units)).is_some());
        assert!(agree(&update_text("", r#","units":null,"units_omitted":null"#)).is_some());
        // Whitespace anywhere JSON allows it.
        let spaced = update_text(TEAM, "")
            .replace(',', " ,\n\t")
            .replace(':', "\r: ");
        assert!(agree(&spaced).is_some());
    }

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
    fn every_field_name_is_found() {
        fn check<const N: usize>(f: &Fields<N>) {
            for (i, name) in f.names.iter().enumerate() {
                assert_eq!(f.find(name), Some(i), "{name}");
                assert_eq!(f.find(&format!("{name}x")), None);
            }
        }
        check(&UPDATE_FIELDS);
        check(&TEAM_FIELDS);
        check(&RESOURCE_FIELDS);
        check(&UNIT_COUNT_FIELDS);
        check(&STATS_FIELDS);
        check(&UNIT_FIELDS);
    }

    #[test]
    fn any_key_order_decodes_the_same() {
        // The widget writes the statistics entry in Lua's table order; the key hints learn it.
        let stats: Vec<String> = STATS_FIELDS
            .names
            .iter()
            .enumerate()
            .rev()
            .map(|(i, k)| format!(r#""{k}":{}.5"#, i * 3))
            .collect();
        let team = |id: u32| {
            format!(
                r#"{{"stats":{{{}}},"units":{{"by_def":{{"3":1}},"total":1}},"energy":{{"excess":1,"received":2,"sent":3,"share":4,"expense":5,"income":6,"pull":7,"storage":8,"current":9}},"metal":{{"current":1,"storage":2,"pull":3,"income":4,"expense":5,"share":6,"sent":7,"received":8,"excess":9}},"team_id":{id}}}"#,
                stats.join(",")
            )
        };
        let teams = format!("{},{},{}", team(0), team(1), team(2));
        let m = agree(&update_text(&teams, "")).expect("fast path");
        let WidgetMessage::Update(u) = m.body else {
            panic!()
        };
        assert_eq!(u.teams.len(), 3);
        assert_eq!(u.teams[2].stats.map(|s| s.units_killed), Some(60.5));
        assert_eq!(u.teams[2].energy.current, 9.0);
    }

    #[test]
    fn declines_what_it_does_not_handle_exactly() {
        for tail in [
            r#","seq":8"#,             // duplicate key
            r#","x":"a\"b""#,          // escape in an ignored string
            r#","units":[{"id":1}]"#,  // missing field
            r#","units_omitted":1.0"#, // float for an integer
            r#","units_omitted":-1"#,  // negative for an unsigned
            r#","x":01"#,              // leading zero
            r#","x":1."#,              // bad number
            r#","x":1e999"#,           // out of range
            r#","x":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"#, // deep
            r#","x":tru"#, // bad literal
            r#","#,        // trailing comma
        ] {
            let text = update_text(TEAM, tail);
            assert!(agree(&text).is_none(), "{text}");
        }
        assert!(agree(&format!("{} x", update_text(TEAM, ""))).is_none());
        let text = update_text(TEAM, "").replace(r#""schema_version":1"#, r#""schema_version":2"#);
        assert!(agree(&text).is_none());
        let text = update_text(TEAM, "").replace(r#""seq":7"#, r#""seq":0"#);
        assert!(agree(&text).is_none());
        assert!(decode_widget(text.as_bytes()).is_err());
    }

    #[test]
    fn numbers_round_like_serde() {
        for x in [
            "0",
            "-0",
            "1",
            "123456789012345678901234",
            "0.1",
            "2.2250738585072014e-308",
            "5e-324",
            "1.7976931348623157e308",
            "9007199254740993",
            "0.30000000000000004",
            "1e22",
            "1e23",
            "123.456e-5",
            "-1E+2",
            "4.35",
            "1e-400",
        ] {
            let text = update_text("", &format!(r#","x":{x},"game_seconds":{x}"#))
                .replace(r#""game_seconds":600.5,"#, "");
            let m = agree(&text).expect(x);
            let WidgetMessage::Update(u) = m.body else {
                panic!()
            };
            let want: f64 = x.parse().unwrap();
            assert_eq!(u.game_seconds.to_bits(), want.to_bits(), "{x}");
        }
    }
}
