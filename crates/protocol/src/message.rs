//! Typed protocol v1 messages (see `docs/PROTOCOL.md`).
//!
//! Decoding is two-step: a cheap envelope pass (`type`, `schema_version`, `seq`; everything else skipped),
//! then a typed pass for the known types. Unknown fields are ignored; unknown types decode to
//! [`WidgetMessage::Unknown`].

use serde::{Deserialize, Deserializer, Serialize};

use super::SCHEMA_VERSION;
use super::error::ProtocolError;

/// Deserializes a number that may be `null` (the widget encodes NaN/inf as null) into NaN.
fn nullable_f64<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

fn nan() -> f64 {
    f64::NAN
}

#[derive(Debug, Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "type", borrow)]
    kind: std::borrow::Cow<'a, str>,
    schema_version: u32,
    #[serde(default)]
    seq: Option<u64>,
}

/// One decoded widget→app message with its envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub seq: Option<u64>,
    pub schema_version: u32,
    pub body: WidgetMessage,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WidgetMessage {
    Hello(Hello),
    UnitDefs(UnitDefs),
    Update(Update),
    Event(Event),
    Stats(WidgetStats),
    Test(Test),
    Custom(Custom),
    Pong(Pong),
    ConfigAck(ConfigAck),
    Command(Command),
    Bye(Bye),
    /// A type this version does not know; counted and skipped.
    #[serde(skip)]
    Unknown(String),
}

impl WidgetMessage {
    /// The wire name of the message type.
    pub fn type_name(&self) -> &str {
        match self {
            WidgetMessage::Hello(_) => "hello",
            WidgetMessage::UnitDefs(_) => "unit_defs",
            WidgetMessage::Update(_) => "update",
            WidgetMessage::Event(_) => "event",
            WidgetMessage::Stats(_) => "stats",
            WidgetMessage::Test(_) => "test",
            WidgetMessage::Custom(_) => "custom",
            WidgetMessage::Pong(_) => "pong",
            WidgetMessage::ConfigAck(_) => "config_ack",
            WidgetMessage::Command(_) => "command",
            WidgetMessage::Bye(_) => "bye",
            WidgetMessage::Unknown(t) => t,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WidgetInfo {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GameInfo {
    pub game_name: String,
    pub game_version: String,
    pub engine_version: String,
    pub map_name: String,
    pub is_replay: bool,
    pub spectating: bool,
    pub full_view: bool,
    pub my_player_id: i64,
    pub my_team_id: i64,
    pub game_frame: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamInfo {
    pub team_id: u32,
    pub ally_team_id: u32,
    pub name: String,
    pub color: String,
    pub is_ai: bool,
    pub side: String,
    pub is_gaia: bool,
}

impl TeamInfo {
    /// The team colour as RGB; grey when the string is not `#rrggbb`.
    pub fn rgb(&self) -> [u8; 3] {
        parse_hex_color(&self.color).unwrap_or([160, 160, 160])
    }
}

/// Parses `#rrggbb`.
pub fn parse_hex_color(s: &str) -> Option<[u8; 3]> {
    let hex = s.strip_prefix('#')?;
    if hex.len() != 6 || !hex.is_ascii() {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Minimal,
    #[default]
    Standard,
    Detailed,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Minimal, Level::Standard, Level::Detailed];
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Minimal => "minimal",
            Level::Standard => "standard",
            Level::Detailed => "detailed",
        }
    }
}

impl std::str::FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Level::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| format!("unknown level '{s}' (expected minimal, standard or detailed)"))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HelloConfig {
    pub interval_frames: u32,
    pub level: Level,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hello {
    pub widget: WidgetInfo,
    pub game: GameInfo,
    pub teams: Vec<TeamInfo>,
    pub config: HelloConfig,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Commander,
    Builder,
    Factory,
    Economy,
    Army,
    Defense,
    Other,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitDef {
    pub id: u32,
    pub name: String,
    pub label: String,
    pub metal_cost: f64,
    pub energy_cost: f64,
    pub category: Category,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitDefs {
    pub defs: Vec<UnitDef>,
}

/// The nine values of `Spring.GetTeamResources` for one resource.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Resource {
    #[serde(deserialize_with = "nullable_f64")]
    pub current: f64,
    #[serde(deserialize_with = "nullable_f64")]
    pub storage: f64,
    #[serde(deserialize_with = "nullable_f64")]
    pub pull: f64,
    #[serde(deserialize_with = "nullable_f64")]
    pub income: f64,
    #[serde(deserialize_with = "nullable_f64")]
    pub expense: f64,
    #[serde(deserialize_with = "nullable_f64")]
    pub share: f64,
    #[serde(deserialize_with = "nullable_f64")]
    pub sent: f64,
    #[serde(deserialize_with = "nullable_f64")]
    pub received: f64,
    #[serde(deserialize_with = "nullable_f64")]
    pub excess: f64,
}

/// Unit counts by def id, kept as a sorted-by-arrival list (the wire form is a JSON object with
/// decimal-string keys).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DefCounts(pub Vec<(u32, u32)>);

impl Serialize for DefCounts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (def, count) in &self.0 {
            m.serialize_entry(&def.to_string(), count)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for DefCounts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = DefCounts;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of def id (decimal string) to count")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<DefCounts, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(16));
                while let Some(DefKey(def)) = map.next_key()? {
                    out.push((def, map.next_value::<u32>()?));
                }
                Ok(DefCounts(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// A `by_def` key parsed straight from the (borrowed or escaped) key text, without allocating.
struct DefKey(u32);

impl<'de> Deserialize<'de> for DefKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = DefKey;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a def id as a decimal string")
            }
            fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<DefKey, E> {
                key.parse::<u32>()
                    .map(DefKey)
                    .map_err(|_| E::custom(format!("by_def key '{key}' is not a def id")))
            }
        }
        d.deserialize_str(V)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitCounts {
    pub total: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_def: Option<DefCounts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown: Option<u32>,
}

macro_rules! team_stats {
    ($($field:ident),* $(,)?) => {
        /// The latest `Spring.GetTeamStatsHistory` entry, snake_case. Missing or null values are NaN.
        #[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
        pub struct TeamStats {
            $(
                #[serde(default = "nan", deserialize_with = "nullable_f64")]
                pub $field: f64,
            )*
        }
        impl Default for TeamStats {
            fn default() -> Self {
                TeamStats { $($field: f64::NAN,)* }
            }
        }
        impl TeamStats {
            /// Wire names of the fields, in declaration order (the fast decoder's key table).
            pub const FIELDS: [&'static str; TEAM_STATS_FIELD_COUNT] = [$(stringify!($field)),*];
            /// Builds the struct from values in [`TeamStats::FIELDS`] order.
            pub fn from_array(values: [f64; TEAM_STATS_FIELD_COUNT]) -> Self {
                let [$($field),*] = values;
                TeamStats { $($field),* }
            }
        }
    };
}

/// Number of fields in a team statistics entry.
pub const TEAM_STATS_FIELD_COUNT: usize = 21;

team_stats!(
    time,
    frame,
    metal_used,
    metal_produced,
    metal_excess,
    metal_received,
    metal_sent,
    energy_used,
    energy_produced,
    energy_excess,
    energy_received,
    energy_sent,
    damage_dealt,
    damage_received,
    units_produced,
    units_died,
    units_received,
    units_sent,
    units_captured,
    units_out_captured,
    units_killed,
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamSample {
    pub team_id: u32,
    pub metal: Resource,
    pub energy: Resource,
    pub units: UnitCounts,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stats: Option<TeamStats>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitSample {
    pub id: u32,
    pub def: u32,
    pub team: u32,
    pub x: f64,
    pub z: f64,
    #[serde(deserialize_with = "nullable_f64")]
    pub health: f64,
    #[serde(deserialize_with = "nullable_f64")]
    pub build: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Update {
    pub game_frame: u32,
    pub game_seconds: f64,
    pub paused: bool,
    #[serde(deserialize_with = "nullable_f64")]
    pub speed: f64,
    pub teams: Vec<TeamSample>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<Vec<UnitSample>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units_omitted: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub game_frame: u32,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub player_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub winners: Option<Vec<u32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spectating: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_view: Option<bool>,
}

impl Event {
    pub fn new(game_frame: u32, name: &str) -> Self {
        Event {
            game_frame,
            name: name.to_owned(),
            team_id: None,
            player_id: None,
            winners: None,
            spectating: None,
            full_view: None,
        }
    }
}

/// The widget's own health metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct WidgetStats {
    #[serde(default)]
    pub game_frame: Option<u32>,
    #[serde(deserialize_with = "nullable_f64")]
    pub collect_ms: f64,
    #[serde(deserialize_with = "nullable_f64")]
    pub encode_ms: f64,
    #[serde(deserialize_with = "nullable_f64")]
    pub send_ms: f64,
    pub queue_depth: u32,
    #[serde(default)]
    pub queue_bytes: u64,
    pub drops: u64,
    #[serde(default)]
    pub refused: u64,
    #[serde(default)]
    pub partial_sends: u64,
    pub reconnects: u64,
    #[serde(default = "nan", deserialize_with = "nullable_f64")]
    pub messages_per_sec: f64,
    #[serde(deserialize_with = "nullable_f64")]
    pub bytes_per_sec: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Test {
    pub text: String,
    #[serde(default)]
    pub game_frame: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Custom {
    pub name: String,
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pong {
    pub id: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct WidgetConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_frames: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_units: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigAck {
    pub config: WidgetConfig,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Command {
    pub name: String,
    pub args: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bye {
    pub reason: String,
}

/// App→widget messages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AppMessage {
    Config(WidgetConfig),
    Ping { id: i64 },
}

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

fn check_version(schema_version: u32) -> Result<(), ProtocolError> {
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

/// Decodes one widget→app payload (no validation against the JSON Schema; see [`super::schema`]).
pub fn decode_widget(payload: &[u8]) -> Result<Message, ProtocolError> {
    let text = std::str::from_utf8(payload).map_err(ProtocolError::Utf8)?;
    if let Some(kind) = leading_type(text) {
        // Fast path (the widget and this crate write `type` first): one typed pass that also collects
        // the envelope. Any failure falls through to the two-pass decode, which classifies errors in
        // the documented order (envelope and version before body).
        let fast = match kind {
            "hello" => single_pass(text, WidgetMessage::Hello),
            "unit_defs" => single_pass(text, WidgetMessage::UnitDefs),
            // Updates are the bulk of a stream: a hand-written decoder first (it declines anything it
            // does not handle exactly like serde), then the serde single pass.
            "update" => super::update_decoder::decode_update(text)
                .or_else(|| single_pass(text, WidgetMessage::Update)),
            "event" => single_pass(text, WidgetMessage::Event),
            "stats" => single_pass(text, WidgetMessage::Stats),
            _ => None,
        };
        if let Some(m) = fast {
            return Ok(m);
        }
    }
    decode_widget_two_pass(text)
}

/// The serde decode of an update (single pass, then two passes), to compare the fast decoder against.
#[cfg(test)]
pub(crate) fn decode_update_serde(text: &str) -> Option<Message> {
    single_pass(text, WidgetMessage::Update).or_else(|| decode_widget_two_pass(text).ok())
}

/// The type name when the text starts exactly with `{"type":"<name without escapes>"`.
fn leading_type(text: &str) -> Option<&str> {
    let rest = text.strip_prefix(r#"{"type":""#)?;
    let name = &rest[..rest.find('"')?];
    (!name.contains('\\')).then_some(name)
}

/// Decodes body and envelope in one pass; `None` when anything is off (the caller then re-decodes).
fn single_pass<'a, T: Deserialize<'a>>(
    text: &'a str,
    wrap: fn(T) -> WidgetMessage,
) -> Option<Message> {
    let Enveloped { env, body } = serde_json::from_str::<Enveloped<T>>(text).ok()?;
    let schema_version = env.schema_version?;
    match env.seq {
        Some(seq) if seq >= 1 && (1..=SCHEMA_VERSION).contains(&schema_version) => Some(Message {
            seq: Some(seq),
            schema_version,
            body: wrap(body),
        }),
        _ => None,
    }
}

/// Envelope fields collected while a body is deserialized.
#[derive(Default)]
struct EnvelopeFields {
    schema_version: Option<u32>,
    seq: Option<u64>,
}

/// A body `T` plus the envelope, from one pass: the envelope keys are taken out of the map before `T`'s
/// own (derived) deserializer sees it.
struct Enveloped<T> {
    env: EnvelopeFields,
    body: T,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Enveloped<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for V<T> {
            type Value = Enveloped<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a message object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Enveloped<T>, A::Error> {
                let mut env = EnvelopeFields::default();
                let body = T::deserialize(serde::de::value::MapAccessDeserializer::new(
                    EnvelopeFilter {
                        inner: map,
                        env: &mut env,
                    },
                ))?;
                Ok(Enveloped { env, body })
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

struct EnvelopeFilter<'e, A> {
    inner: A,
    env: &'e mut EnvelopeFields,
}

impl<'de, A: serde::de::MapAccess<'de>> serde::de::MapAccess<'de> for EnvelopeFilter<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        loop {
            let Some(key) = self.inner.next_key::<std::borrow::Cow<'de, str>>()? else {
                return Ok(None);
            };
            match key.as_ref() {
                "type" => {
                    self.inner.next_value::<serde::de::IgnoredAny>()?;
                }
                "schema_version" => self.env.schema_version = Some(self.inner.next_value()?),
                "seq" => self.env.seq = self.inner.next_value()?,
                other => {
                    return seed
                        .deserialize(serde::de::value::StrDeserializer::new(other))
                        .map(Some);
                }
            }
        }
    }

    fn next_value_seed<V: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, A::Error> {
        self.inner.next_value_seed(seed)
    }
}

fn decode_widget_two_pass(text: &str) -> Result<Message, ProtocolError> {
    let env: Envelope = serde_json::from_str(text).map_err(|e| classify(e, text))?;
    check_version(env.schema_version)?;
    let seq = match env.seq {
        Some(s) if s >= 1 => Some(s),
        Some(_) => return Err(ProtocolError::Schema("seq must be at least 1".into())),
        None => return Err(ProtocolError::Schema("missing field `seq`".into())),
    };
    fn typed<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T, ProtocolError> {
        serde_json::from_str(text).map_err(|e| classify(e, text))
    }
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
        seq,
        schema_version: env.schema_version,
        body,
    })
}

/// Decodes one app→widget payload. Unknown types are an error here: the simulator answers only what it knows.
pub fn decode_app(payload: &[u8]) -> Result<AppMessage, ProtocolError> {
    let text = std::str::from_utf8(payload).map_err(ProtocolError::Utf8)?;
    let env: Envelope = serde_json::from_str(text).map_err(|e| classify(e, text))?;
    check_version(env.schema_version)?;
    serde_json::from_str(text).map_err(|e| classify(e, text))
}

/// Syntax errors are "invalid JSON"; well-formed JSON of the wrong shape is a schema violation.
///
/// A typed parse can stop at a shape error before it reaches a syntax error later in the text (e.g. a
/// missing field is noticed at the object's `}`, before trailing garbage), so a shape error is only
/// reported once the whole text is known to be JSON. This costs a second scan on the error path only.
fn classify(e: serde_json::Error, text: &str) -> ProtocolError {
    use serde_json::error::Category as C;
    match e.classify() {
        C::Syntax | C::Eof | C::Io => ProtocolError::Json(e),
        C::Data => match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Err(syntax) if syntax.classify() != C::Data => ProtocolError::Json(syntax),
            _ => ProtocolError::Schema(e.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn colors() {
        assert_eq!(parse_hex_color("#ff8000"), Some([255, 128, 0]));
        assert_eq!(parse_hex_color("ff8000"), None);
        assert_eq!(parse_hex_color("#ff80"), None);
        assert_eq!(parse_hex_color("#ééé"), None);
    }
}
