//! The widget's settings as the app wants them: kept in `settings.json` (under `widget`), pushed to the
//! widget on every hello and when saved, and compared with what the widget says is in force.
//!
//! The widget's address is the exception: the port is the one the app listens on (`Settings::listen`)
//! and the host is [`WidgetSettings::host`]. Neither is in the pushed settings ([`WidgetSettings::config`]):
//! they change only through a coordinated move (`LinkCommand::MoveWidget`, see `settings_sync`), so a widget is never sent
//! to an address nobody listens on (e.g. while `--listen` overrides the saved address).

use serde::{Deserialize, Serialize};

use bar_live_core::protocol::{Level, WidgetConfig};

/// The ten settings a player can change with `/livedata`, as the app wants them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WidgetSettings {
    /// Game frames between updates (30 = one game second).
    pub interval_frames: u32,
    pub level: Level,
    /// Units listed at level `detailed`.
    pub max_units: u32,
    /// The app's address as the widget dials it (an IPv4 literal); the port is the listen port.
    pub host: String,
    pub queue_max_messages: u32,
    pub queue_max_bytes: u32,
    /// Bytes the widget writes per drawn frame.
    pub send_budget_bytes: u32,
    /// The in-game status dot.
    pub indicator: bool,
    /// Streaming on. The app can switch it off, never on: a switched-off widget does not connect.
    pub enabled: bool,
}

impl Default for WidgetSettings {
    fn default() -> Self {
        WidgetSettings {
            interval_frames: 15,
            level: Level::Standard,
            max_units: 1000,
            host: "127.0.0.1".into(),
            queue_max_messages: 50,
            queue_max_bytes: 512 * 1024,
            send_budget_bytes: 32 * 1024,
            indicator: true,
            enabled: true,
        }
    }
}

impl WidgetSettings {
    /// The `config` pushed on every hello and when saved: every setting but the address.
    pub fn config(&self) -> WidgetConfig {
        WidgetConfig {
            interval_frames: Some(self.interval_frames),
            level: Some(self.level),
            max_units: Some(self.max_units),
            host: None,
            port: None,
            queue_max_messages: Some(self.queue_max_messages),
            queue_max_bytes: Some(self.queue_max_bytes),
            send_budget_bytes: Some(self.send_budget_bytes),
            indicator: Some(self.indicator),
            enabled: Some(self.enabled),
        }
    }

    /// All ten, the address included (for checks and for comparing with what is in force).
    pub fn full_config(&self, port: Option<u16>) -> WidgetConfig {
        WidgetConfig {
            host: Some(self.host.clone()),
            port,
            ..self.config()
        }
    }

    /// Problems with the values, by the protocol's own ranges ([`WidgetConfig::errors`]), and with
    /// the host against the address the app listens on.
    pub fn validate(&self, listen: &str) -> Vec<String> {
        let listen = listen.parse::<std::net::SocketAddr>().ok();
        let mut problems: Vec<String> = self
            .full_config(listen.map(|a| a.port()))
            .errors()
            .into_iter()
            .map(|e| format!("widget: {e}"))
            .collect();
        if let Some(addr) = listen
            && !addr.ip().is_unspecified()
            && WidgetConfig::is_ipv4_literal(&self.host)
            && addr.ip().to_string() != self.host
        {
            problems.push(format!(
                "widget: host {} cannot reach the app listening on {addr}: use {}",
                self.host,
                addr.ip()
            ));
        }
        problems
    }
}

/// The port of a listen address such as `127.0.0.1:9876`.
pub fn listen_port(listen: &str) -> Option<u16> {
    listen
        .parse::<std::net::SocketAddr>()
        .ok()
        .map(|a| a.port())
}

/// Settings files from before the widget section kept two widget settings at the top level
/// (`widget_interval_frames`, `widget_level`): they move into `widget` before the file is read.
pub fn migrate(value: &mut serde_json::Value) {
    let Some(top) = value.as_object_mut() else {
        return;
    };
    let old: Vec<(&str, serde_json::Value)> = [
        ("widget_interval_frames", "interval_frames"),
        ("widget_level", "level"),
    ]
    .into_iter()
    .filter_map(|(from, to)| top.remove(from).map(|v| (to, v)))
    .collect();
    if old.is_empty() {
        return;
    }
    let widget = top
        .entry("widget")
        .or_insert_with(|| serde_json::Value::Object(Default::default()));
    if let Some(widget) = widget.as_object_mut() {
        for (key, v) in old {
            widget.entry(key).or_insert(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pushed_config_has_every_setting_but_the_address() {
        let w = WidgetSettings {
            interval_frames: 30,
            level: Level::Detailed,
            max_units: 5,
            host: "127.0.0.2".into(),
            queue_max_messages: 7,
            queue_max_bytes: 20_000,
            send_budget_bytes: 2_048,
            indicator: false,
            enabled: false,
        };
        let c = w.config();
        assert_eq!(
            (c.interval_frames, c.level, c.max_units),
            (Some(30), Some(Level::Detailed), Some(5))
        );
        assert_eq!(
            (c.queue_max_messages, c.queue_max_bytes, c.send_budget_bytes),
            (Some(7), Some(20_000), Some(2_048))
        );
        assert_eq!((c.indicator, c.enabled), (Some(false), Some(false)));
        assert_eq!((c.host, c.port), (None, None));
        let full = w.full_config(Some(9877));
        assert_eq!(
            (full.host.as_deref(), full.port),
            (Some("127.0.0.2"), Some(9877))
        );
        assert!(WidgetSettings::default().config().errors().is_empty());
    }

    #[test]
    fn validation_uses_the_protocol_ranges_and_the_listen_address() {
        let ok = WidgetSettings::default();
        assert!(ok.validate("127.0.0.1:9876").is_empty());
        assert!(ok.validate("0.0.0.0:9876").is_empty(), "any interface");
        let bad = WidgetSettings {
            interval_frames: 0,
            queue_max_bytes: 100,
            host: "localhost".into(),
            ..WidgetSettings::default()
        };
        let problems = bad.validate("127.0.0.1:9876");
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].starts_with("widget: interval_frames 0 outside 1..300"));
        let elsewhere = WidgetSettings {
            host: "127.0.0.2".into(),
            ..WidgetSettings::default()
        };
        assert!(elsewhere.validate("127.0.0.1:9876")[0].contains("use 127.0.0.1"));
        assert!(elsewhere.validate("127.0.0.2:9876").is_empty());
    }

    #[test]
    fn old_top_level_widget_settings_move_into_the_section() {
        let mut v: serde_json::Value = serde_json::from_str(
            r#"{"listen":"127.0.0.1:1","widget_interval_frames":30,"widget_level":"detailed"}"#,
        )
        .unwrap();
        migrate(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"listen":"127.0.0.1:1",
                "widget":{"interval_frames":30,"level":"detailed"}})
        );
        let mut newer = serde_json::json!({"widget_level":"minimal","widget":{"level":"detailed"}});
        migrate(&mut newer);
        assert_eq!(newer, serde_json::json!({"widget":{"level":"detailed"}}));
        let mut not_an_object = serde_json::json!([1]);
        migrate(&mut not_an_object);
    }
}
