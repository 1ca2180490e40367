//! The hand-written decoder for `update` messages, the bulk of every stream (see `docs/PERFORMANCE.md`):
//! the one production path for this type (serde reads every other type).
//!
//! It reads the JSON bytes directly into [`Update`] — keys matched as byte strings against a per-struct
//! hint of the key expected next, numbers parsed in place — instead of going through serde's derived
//! deserializers. It is total: every valid update decodes (escapes in keys and strings, any key order,
//! unknown fields at any depth, whitespace), and anything else is an error of the right class.
//!
//! Errors: the typed pass stops at its first fault. Only then does [`diagnose`] run, in the order the
//! serde decoder had (kept as the test oracle in `tests/oracle/mod.rs`): the envelope scan (`envelope.rs`:
//! the whole text's syntax, then the envelope fields) → `Json`/`Schema`; the version and `seq` rules →
//! `UnsupportedVersion`/`Schema`; and last the typed pass's own fault: a value it could not read (a
//! number beyond f64, an unpaired surrogate in a key) → `Json`, a wrong shape (missing, duplicate or
//! mistyped field, a struct written as an array) → `Schema`, naming the field by its path.
//!
//! Numbers are correctly rounded, like `serde_json` with `float_roundtrip` (enabled in this build): see
//! [`Scanner::number`].

use super::SCHEMA_VERSION;
use super::envelope::{self, check};
use super::error::ProtocolError;
use super::json::{Fault, Scan, Scanner, Shape, Stop, U32, U64, fault_error, same_short};
use super::message::{
    DefCounts, Message, Resource, TEAM_STATS_FIELD_COUNT, TeamSample, TeamStats, UnitCounts,
    UnitSample, Update, WidgetMessage,
};

/// Decodes a complete `update` payload (one whose `type` is `"update"`).
pub(crate) fn decode_update(text: &str) -> Result<Message, ProtocolError> {
    let mut p = Parser {
        s: Scanner::new(text),
        hints: initial_hints(),
    };
    match p.update().and_then(|m| p.s.end().map(|()| m)) {
        Ok(m) => Ok(m),
        Err(Stop) => Err(diagnose(text, p.s.fault)),
    }
}

/// The error for a text the typed pass stopped on (see the module docs for the order).
#[cold]
#[inline(never)]
fn diagnose(text: &str, fault: Option<(usize, Fault)>) -> ProtocolError {
    let env = match envelope::scan(text) {
        Ok(env) => env,
        Err(e) => return e,
    };
    if let Err(e) = check(env.schema_version, env.seq) {
        return e;
    }
    if env.kind != "update" {
        return ProtocolError::Schema(format!("`{}` is not an update", env.kind));
    }
    let (at, fault) = fault.unwrap_or((0, Fault::Shape(Shape::Other("undecodable update"))));
    fault_error(text, at, fault, "update: ")
}

struct Parser<'a> {
    s: Scanner<'a>,
    /// Per struct and per previous field (slot 0: none yet), the field expected next, learned as the
    /// message is read: a key is then checked with one comparison instead of being scanned and looked up.
    hints: [u8; HINT_SLOTS],
}

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

impl<'a> Parser<'a> {
    /// Iterates a struct's members: `f(self, field index)` must consume the value; unknown keys are
    /// skipped. `hints` is the struct's first slot in `self.hints`; the fields whose bits are set in
    /// `required` must be present. Duplicates are errors (as for serde's derived deserializers).
    #[inline]
    fn members<const N: usize>(
        &mut self,
        fields: &Fields<N>,
        hints: usize,
        required: u32,
        mut f: impl FnMut(&mut Self, usize) -> Scan<()>,
    ) -> Scan<()> {
        self.s.ws();
        let start = self.s.i;
        if self.s.peek() != b'{' {
            return Err(self.s.wrong("an object"));
        }
        self.s.i += 1;
        self.s.ws();
        let mut seen = 0u32;
        if self.s.peek() == b'}' {
            self.s.i += 1;
        } else {
            let mut slot = hints;
            loop {
                self.s.ws();
                let guess = usize::from(self.hints[slot]);
                let field = if guess < N && self.s.quoted_is(fields.names[guess]) {
                    Some(guess)
                } else {
                    fields.find(&self.s.key()?)
                };
                self.s.expect(b':', "expected `:`")?;
                self.s.ws();
                match field {
                    Some(k) => {
                        let bit = 1u32 << k;
                        if seen & bit != 0 {
                            let dup = Fault::Shape(Shape::Duplicate(fields.names[k]));
                            return Err(self.s.fail(start, dup));
                        }
                        seen |= bit;
                        self.hints[slot] = k as u8;
                        slot = hints + 1 + k;
                        f(self, k)?;
                    }
                    None => self.s.skip()?,
                }
                if self.s.comma_or_close(b'}')? {
                    break;
                }
            }
        }
        if seen & required != required {
            let missing = fields.names[(required & !seen).trailing_zeros() as usize];
            return Err(self.s.fail(start, Fault::Shape(Shape::Missing(missing))));
        }
        Ok(())
    }

    /// Iterates an array's elements: `f(self)` must consume the element.
    #[inline]
    fn array(&mut self, mut f: impl FnMut(&mut Self) -> Scan<()>) -> Scan<()> {
        self.s.ws();
        if self.s.peek() != b'[' {
            return Err(self.s.wrong("an array"));
        }
        self.s.i += 1;
        self.s.ws();
        if self.s.peek() == b']' {
            self.s.i += 1;
            return Ok(());
        }
        loop {
            self.s.ws();
            f(self)?;
            if self.s.comma_or_close(b']')? {
                return Ok(());
            }
        }
    }

    fn update(&mut self) -> Scan<Message> {
        let (mut schema_version, mut seq) = (0u32, 0u64);
        let (mut game_frame, mut game_seconds, mut paused, mut speed) = (0u32, 0.0, false, 0.0);
        let mut teams = Vec::new();
        let (mut units, mut units_omitted) = (None, None);
        // type, schema_version, game_frame, game_seconds, paused, speed, teams (`seq` is checked below).
        self.members(&UPDATE_FIELDS, UPDATE_HINTS, 0b1111_1011, |p, f| {
            match f {
                0 => {
                    if !p.s.quoted_is("update") {
                        let at = p.s.i;
                        let kind = if p.s.peek() == b'"' {
                            p.s.string()?
                        } else {
                            return Err(p.s.wrong("a string"));
                        };
                        if kind != "update" {
                            return Err(p.s.fail(at, Fault::Shape(Shape::Other("not an update"))));
                        }
                    }
                }
                1 => schema_version = p.s.u32(U32)?,
                2 => seq = if p.s.null() { 0 } else { p.s.u64(U64)? },
                3 => game_frame = p.s.u32(U32)?,
                4 => game_seconds = p.s.f64("a number")?,
                5 => paused = p.s.bool()?,
                6 => speed = p.s.nullable_f64()?,
                7 => {
                    teams.reserve(16);
                    p.array(|p| {
                        teams.push(p.team_sample()?);
                        Ok(())
                    })?;
                }
                8 => {
                    if !p.s.null() {
                        let mut list = Vec::new();
                        p.array(|p| {
                            list.push(p.unit_sample()?);
                            Ok(())
                        })?;
                        units = Some(list);
                    }
                }
                _ => {
                    if !p.s.null() {
                        units_omitted = Some(p.s.u32("an unsigned 32-bit integer or null")?);
                    }
                }
            }
            Ok(())
        })?;
        if seq == 0 || !(1..=SCHEMA_VERSION).contains(&schema_version) {
            // The envelope scan in `diagnose` says what is wrong.
            return Err(self.s.fail(0, Fault::Shape(Shape::Other("envelope"))));
        }
        Ok(Message {
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

    fn team_sample(&mut self) -> Scan<TeamSample> {
        let mut team_id = 0;
        let (mut metal, mut energy) = (Resource::default(), Resource::default());
        let mut units = UnitCounts {
            total: 0,
            by_def: None,
            unknown: None,
        };
        let mut stats = None;
        self.members(&TEAM_FIELDS, TEAM_HINTS, 0b1111, |p, f| {
            match f {
                0 => team_id = p.s.u32(U32)?,
                1 => metal = p.resource()?,
                2 => energy = p.resource()?,
                3 => units = p.unit_counts()?,
                _ => {
                    if !p.s.null() {
                        stats = Some(p.team_stats()?);
                    }
                }
            }
            Ok(())
        })?;
        Ok(TeamSample {
            team_id,
            metal,
            energy,
            units,
            stats,
        })
    }

    fn resource(&mut self) -> Scan<Resource> {
        let mut v = [0.0f64; 9];
        self.members(&RESOURCE_FIELDS, RESOURCE_HINTS, 0x1ff, |p, f| {
            v[f] = p.s.nullable_f64()?;
            Ok(())
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
        Ok(Resource {
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

    fn unit_counts(&mut self) -> Scan<UnitCounts> {
        let mut u = UnitCounts {
            total: 0,
            by_def: None,
            unknown: None,
        };
        self.members(&UNIT_COUNT_FIELDS, UNIT_COUNT_HINTS, 0b1, |p, f| {
            match f {
                0 => u.total = p.s.u32(U32)?,
                1 => {
                    if !p.s.null() {
                        u.by_def = Some(p.def_counts()?);
                    }
                }
                _ => {
                    if !p.s.null() {
                        u.unknown = Some(p.s.u32("an unsigned 32-bit integer or null")?);
                    }
                }
            }
            Ok(())
        })?;
        Ok(u)
    }

    /// `by_def`: an object of def id (decimal string, as `str::parse::<u32>` reads it) to count.
    fn def_counts(&mut self) -> Scan<DefCounts> {
        if self.s.peek() != b'{' {
            return Err(self.s.wrong("an object of def ids to counts"));
        }
        self.s.i += 1;
        self.s.ws();
        let mut out = Vec::with_capacity(16);
        if self.s.peek() == b'}' {
            self.s.i += 1;
            return Ok(DefCounts(out));
        }
        loop {
            self.s.ws();
            let at = self.s.i;
            let def = def_key(&self.s.key()?);
            let Some(def) = def else {
                return Err(self.s.fail(at, Fault::Shape(Shape::DefKey)));
            };
            self.s.expect(b':', "expected `:`")?;
            self.s.ws();
            out.push((def, self.s.u32(U32)?));
            if self.s.comma_or_close(b'}')? {
                return Ok(DefCounts(out));
            }
        }
    }

    fn team_stats(&mut self) -> Scan<TeamStats> {
        let mut v = [f64::NAN; TEAM_STATS_FIELD_COUNT];
        self.members(&STATS_FIELDS, STATS_HINTS, 0, |p, f| {
            v[f] = p.s.nullable_f64()?;
            Ok(())
        })?;
        Ok(TeamStats::from_array(v))
    }

    fn unit_sample(&mut self) -> Scan<UnitSample> {
        let mut u = UnitSample {
            id: 0,
            def: 0,
            team: 0,
            x: 0.0,
            z: 0.0,
            health: 0.0,
            build: 0.0,
        };
        self.members(&UNIT_FIELDS, UNIT_HINTS, 0x7f, |p, f| {
            match f {
                0 => u.id = p.s.u32(U32)?,
                1 => u.def = p.s.u32(U32)?,
                2 => u.team = p.s.u32(U32)?,
                3 => u.x = p.s.f64("a number")?,
                4 => u.z = p.s.f64("a number")?,
                5 => u.health = p.s.nullable_f64()?,
                _ => u.build = p.s.nullable_f64()?,
            }
            Ok(())
        })?;
        Ok(u)
    }
}

/// A `by_def` key as serde's path read it (`str::parse::<u32>`), with a fast path for plain digits.
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
    fn field_names_match_the_types() {
        // The serde derives name the same fields (every key this decoder knows round-trips through them).
        assert_eq!(STATS_FIELDS.names, TeamStats::FIELDS);
        let value = serde_json::to_value(Resource::default()).unwrap();
        let keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut names = RESOURCE_FIELDS.names.to_vec();
        names.sort_unstable();
        assert_eq!(keys, names);
    }
}
