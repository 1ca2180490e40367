//! Typed protocol v1 messages (see `docs/PROTOCOL.md`): the data only. Encoding and decoding are in
//! [`crate::codec`]; `update`s are read by the hand-written decoder in `update_decoder.rs`, every other
//! type through these types' serde derives. Unknown fields are ignored; unknown types decode to
//! [`WidgetMessage::Unknown`].

use std::ops::RangeInclusive;

use serde::{Deserialize, Deserializer, Serialize};

/// Deserializes a number that may be `null` (the widget encodes NaN/inf as null) into NaN.
fn nullable_f64<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

fn nan() -> f64 {
    f64::NAN
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

/// The settings in force when the widget said hello. The fields after `level` came later: older
/// widgets leave them out (`None`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct HelloConfig {
    pub interval_frames: u32,
    pub level: Level,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_units: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_max_messages: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_max_bytes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_budget_bytes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indicator: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

impl HelloConfig {
    /// The same settings as a [`WidgetConfig`] (what a `config_ack` would say is in force).
    pub fn to_config(&self) -> WidgetConfig {
        WidgetConfig {
            interval_frames: Some(self.interval_frames),
            level: Some(self.level),
            max_units: self.max_units,
            host: self.host.clone(),
            port: self.port,
            queue_max_messages: self.queue_max_messages,
            queue_max_bytes: self.queue_max_bytes,
            send_budget_bytes: self.send_budget_bytes,
            indicator: self.indicator,
            enabled: self.enabled,
        }
    }
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
    /// BAR's tech level (1–3; `customParams.techlevel`); `None` from widgets that do not send it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tech_level: Option<u8>,
    /// BAR's `customParams.unitgroup` ("antinuke", "util", "energy", "nuke", "builder", ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

impl UnitDef {
    /// The tech level, 1 when unknown.
    pub fn tech_level_or_default(&self) -> u8 {
        self.tech_level.unwrap_or(1)
    }
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

impl Resource {
    /// Every value unknown (NaN, sent as `null`): a team whose resources the viewer may not read.
    pub const UNKNOWN: Resource = Resource {
        current: f64::NAN,
        storage: f64::NAN,
        pull: f64::NAN,
        income: f64::NAN,
        expense: f64::NAN,
        share: f64::NAN,
        sent: f64::NAN,
        received: f64::NAN,
        excess: f64::NAN,
    };
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
            /// Wire names of the fields, in declaration order (the update decoder's key table).
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

/// The widget's settings: what the app asks for (`config`, every field optional: only those present
/// change) and what is in force (`config_ack.config`). Older widgets send only the first three.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct WidgetConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_frames: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_units: Option<u32>,
    /// The app's address (an IPv4 literal) the widget connects to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// The widget's send queue caps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_max_messages: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_max_bytes: Option<u32>,
    /// Bytes the widget may write to the socket per frame.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_budget_bytes: Option<u32>,
    /// Whether the widget shows its on-screen indicator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indicator: Option<bool>,
    /// Whether the widget exports at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

impl WidgetConfig {
    /// Valid `interval_frames` (game frames between updates).
    pub const INTERVAL_FRAMES: RangeInclusive<u32> = 1..=300;
    /// Valid `max_units` (unit rows in a `detailed` update).
    pub const MAX_UNITS: RangeInclusive<u32> = 0..=100_000;
    /// Valid `port`.
    pub const PORT: RangeInclusive<u16> = 1..=65_535;
    /// Valid `queue_max_messages`.
    pub const QUEUE_MAX_MESSAGES: RangeInclusive<u32> = 1..=200;
    /// Valid `queue_max_bytes` (16 KiB to 16 MiB).
    pub const QUEUE_MAX_BYTES: RangeInclusive<u32> = 16_384..=16_777_216;
    /// Valid `send_budget_bytes` (1 KiB to 1 MiB).
    pub const SEND_BUDGET_BYTES: RangeInclusive<u32> = 1_024..=1_048_576;

    /// One line per field that is present and out of range (`"interval_frames 0 outside 1..300"`), in
    /// field order; empty when every present field is valid. `host` must be an IPv4 literal.
    pub fn errors(&self) -> Vec<String> {
        fn range<T: PartialOrd + std::fmt::Display>(
            out: &mut Vec<String>,
            name: &str,
            value: Option<T>,
            valid: &RangeInclusive<T>,
        ) {
            if let Some(v) = value
                && !valid.contains(&v)
            {
                out.push(format!(
                    "{name} {v} outside {}..{}",
                    valid.start(),
                    valid.end()
                ));
            }
        }
        let mut out = Vec::new();
        range(
            &mut out,
            "interval_frames",
            self.interval_frames,
            &Self::INTERVAL_FRAMES,
        );
        range(&mut out, "max_units", self.max_units, &Self::MAX_UNITS);
        if let Some(host) = &self.host
            && !Self::is_ipv4_literal(host)
        {
            out.push(format!("host '{host}' is not an IPv4 address"));
        }
        range(&mut out, "port", self.port, &Self::PORT);
        range(
            &mut out,
            "queue_max_messages",
            self.queue_max_messages,
            &Self::QUEUE_MAX_MESSAGES,
        );
        range(
            &mut out,
            "queue_max_bytes",
            self.queue_max_bytes,
            &Self::QUEUE_MAX_BYTES,
        );
        range(
            &mut out,
            "send_budget_bytes",
            self.send_budget_bytes,
            &Self::SEND_BUDGET_BYTES,
        );
        out
    }

    /// `a.b.c.d`, each part 1–3 decimal digits worth 0–255 (the schema's and the widget's rule; leading
    /// zeros allowed).
    pub fn is_ipv4_literal(host: &str) -> bool {
        let parts: Vec<&str> = host.split('.').collect();
        parts.len() == 4
            && parts.iter().all(|p| {
                (1..=3).contains(&p.len())
                    && p.bytes().all(|c| c.is_ascii_digit())
                    && p.parse::<u16>().is_ok_and(|v| v <= 255)
            })
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colors() {
        assert_eq!(parse_hex_color("#ff8000"), Some([255, 128, 0]));
        assert_eq!(parse_hex_color("ff8000"), None);
        assert_eq!(parse_hex_color("#ff80"), None);
        assert_eq!(parse_hex_color("#ééé"), None);
    }

    #[test]
    fn config_errors_name_each_bad_field() {
        assert!(WidgetConfig::default().errors().is_empty());
        let edges = WidgetConfig {
            interval_frames: Some(300),
            max_units: Some(0),
            host: Some("127.0.0.1".into()),
            port: Some(1),
            queue_max_messages: Some(200),
            queue_max_bytes: Some(16_384),
            send_budget_bytes: Some(1_048_576),
            ..WidgetConfig::default()
        };
        assert_eq!(edges.errors(), Vec::<String>::new());
        let bad = WidgetConfig {
            interval_frames: Some(0),
            level: Some(Level::Detailed),
            max_units: Some(100_001),
            host: Some("localhost".into()),
            port: Some(0),
            queue_max_messages: Some(201),
            queue_max_bytes: Some(16_383),
            send_budget_bytes: Some(1_023),
            indicator: Some(true),
            enabled: Some(false),
        };
        let errors = bad.errors();
        let names: Vec<&str> = errors
            .iter()
            .map(|e| e.split(' ').next().unwrap_or_default())
            .collect();
        assert_eq!(
            names,
            [
                "interval_frames",
                "max_units",
                "host",
                "port",
                "queue_max_messages",
                "queue_max_bytes",
                "send_budget_bytes"
            ]
        );
        assert_eq!(errors[0], "interval_frames 0 outside 1..300");
        assert!(errors[2].contains("'localhost'"), "{}", errors[2]);
        for (host, ok) in [
            ("0.0.0.0", true),
            ("255.255.255.255", true),
            ("127.000.0.01", true),
            ("256.0.0.1", false),
            ("1.2.3", false),
            ("1.2.3.4.5", false),
            ("1..3.4", false),
            ("1.2.3.0004", false),
            ("+1.2.3.4", false),
            ("a.b.c.d", false),
            ("", false),
        ] {
            assert_eq!(WidgetConfig::is_ipv4_literal(host), ok, "{host}");
        }
    }

    #[test]
    fn new_fields_are_optional_on_decode_and_omitted_on_encode() {
        let old: UnitDef = serde_json::from_str(
            r#"{"id":1,"name":"a","label":"A","metal_cost":1,"energy_cost":2,"category":"army"}"#,
        )
        .unwrap();
        assert_eq!((old.tech_level, old.group.as_deref()), (None, None));
        assert_eq!(old.tech_level_or_default(), 1);
        assert!(!serde_json::to_string(&old).unwrap().contains("tech_level"));
        let t2 = UnitDef {
            tech_level: Some(2),
            group: Some("nuke".into()),
            ..old
        };
        assert_eq!(t2.tech_level_or_default(), 2);
        let hello: HelloConfig =
            serde_json::from_str(r#"{"interval_frames":15,"level":"standard"}"#).unwrap();
        assert_eq!(
            hello,
            HelloConfig {
                interval_frames: 15,
                ..HelloConfig::default()
            }
        );
        assert_eq!(
            serde_json::to_string(&hello).unwrap(),
            r#"{"interval_frames":15,"level":"standard"}"#
        );
        assert_eq!(
            serde_json::to_string(&WidgetConfig::default()).unwrap(),
            "{}"
        );
    }

    #[test]
    fn a_hello_config_is_a_full_widget_config() {
        let hello = HelloConfig {
            interval_frames: 30,
            level: Level::Detailed,
            max_units: Some(5),
            host: Some("127.0.0.1".into()),
            port: Some(9877),
            queue_max_messages: Some(7),
            queue_max_bytes: Some(20_000),
            send_budget_bytes: Some(2_048),
            indicator: Some(false),
            enabled: Some(true),
        };
        let c = hello.to_config();
        assert_eq!(
            serde_json::to_value(&c).unwrap(),
            serde_json::to_value(&hello).unwrap(),
            "the same ten fields"
        );
        assert!(c.errors().is_empty());
    }
}
