//! User settings: a human-readable JSON file under the user config directory, written atomically.
//!
//! A corrupt or unreadable file falls back to defaults with a visible warning, and the bad file is kept
//! aside (`settings.json.bad-<unix ms>`) — never a crash, never silently lost.

use bar_live_core::live::delayed::{DEFAULT_DELAY_EVERYTHING_S, MAX_DELAY_EVERYTHING_S};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use bar_live_core::net::check_listen_addr;
use bar_live_core::protocol::DEFAULT_LISTEN;
use bar_live_core::store::Metric;
use bar_live_core::web::DEFAULT_WEB_LISTEN;
use bar_live_core::web::snapshot::MAX_DELAY_S;

pub use super::widget_settings::WidgetSettings;

pub use bar_live_core::paths::Paths;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    #[default]
    Dark,
    Light,
}

/// How rates are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RateUnit {
    #[default]
    PerSecond,
    PerMinute,
}

impl RateUnit {
    pub fn factor(self) -> f32 {
        match self {
            RateUnit::PerSecond => 1.0,
            RateUnit::PerMinute => 60.0,
        }
    }
    pub fn suffix(self) -> &'static str {
        match self {
            RateUnit::PerSecond => "/s",
            RateUnit::PerMinute => "/min",
        }
    }
}

/// Whose numbers the overlay shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum OverlayTarget {
    /// The local player's team (or the first team when spectating).
    #[default]
    MyTeam,
    Team(u32),
    AllyTeam(u32),
    /// Every ally team side by side, one column each (a caster's "A vs B").
    AllyTeams,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OverlaySettings {
    pub open_at_start: bool,
    pub target: OverlayTarget,
    pub metrics: Vec<Metric>,
    /// Window opacity 0.2..=1.0.
    pub opacity: f32,
    /// Solid chroma-key background for OBS capture instead of the theme's.
    pub chroma_key: bool,
    pub chroma_rgb: [u8; 3],
    /// Locked = click-through (mouse passes to the game below).
    pub locked: bool,
    pub position: Option<[f32; 2]>,
    pub size: [f32; 2],
    pub sparklines: bool,
}

impl Default for OverlaySettings {
    fn default() -> Self {
        OverlaySettings {
            open_at_start: false,
            target: OverlayTarget::MyTeam,
            metrics: vec![
                Metric::MetalIncome,
                Metric::EnergyIncome,
                Metric::MetalCurrent,
                Metric::ArmyValue,
                Metric::Units,
            ],
            opacity: 0.9,
            chroma_key: false,
            chroma_rgb: [0, 255, 0],
            locked: false,
            position: None,
            size: [300.0, 190.0],
            sparklines: true,
        }
    }
}

/// The overlay pages for OBS (browser sources) served by the app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebSettings {
    pub enabled: bool,
    pub listen: String,
    /// Stream delay for pages without `?delay=`, seconds (0–600).
    pub delay_s: f64,
    /// The desktop overlay shows the game as delayed as the stream.
    pub overlay_follows_delay: bool,
}

impl Default for WebSettings {
    fn default() -> Self {
        WebSettings {
            enabled: true,
            listen: DEFAULT_WEB_LISTEN.to_owned(),
            delay_s: 0.0,
            overlay_follows_delay: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub listen: String,
    /// The widget's settings, pushed to it on connect and when changed.
    pub widget: WidgetSettings,
    /// Where recordings go; `None` = `<data dir>/recordings`.
    pub recordings_dir: Option<PathBuf>,
    pub auto_record: bool,
    /// Keep at most this many recordings (0 = keep all).
    pub keep_last: u32,
    pub theme: Theme,
    pub rate_unit: RateUnit,
    pub overlay: OverlaySettings,
    /// The BAR data folder picked by the user, if detection is not enough.
    pub bar_data_dir: Option<PathBuf>,
    pub per_ally_team: bool,
    pub cumulative: bool,
    pub web: WebSettings,
    /// Benchmarks and alerts (game insight).
    pub insight: crate::app::insight::InsightSettings,
    /// The tournament switch: delay everything shown.
    pub tournament: TournamentSettings,
}

/// "Delay everything I show by S seconds" (tournaments require a stream delay): the dashboard, the
/// desktop overlay, the overlay pages, milestones, the build order and alerts show the game as it was
/// `delay_s` ago; recording is not delayed (bar_live_core::live::delayed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TournamentSettings {
    pub enabled: bool,
    pub delay_s: f64,
}

impl Default for TournamentSettings {
    fn default() -> Self {
        TournamentSettings {
            enabled: false,
            delay_s: DEFAULT_DELAY_EVERYTHING_S,
        }
    }
}

impl TournamentSettings {
    /// The delay in force, if on.
    pub fn delay(&self) -> Option<f64> {
        self.enabled.then_some(self.delay_s)
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            listen: DEFAULT_LISTEN.to_owned(),
            widget: WidgetSettings::default(),
            recordings_dir: None,
            auto_record: true,
            keep_last: 50,
            theme: Theme::Dark,
            rate_unit: RateUnit::PerSecond,
            overlay: OverlaySettings::default(),
            bar_data_dir: None,
            per_ally_team: false,
            cumulative: false,
            web: WebSettings::default(),
            insight: Default::default(),
            tournament: TournamentSettings::default(),
        }
    }
}

impl Settings {
    /// Checks values a user can type. Returns a message per problem.
    pub fn validate(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if let Err(e) = check_listen_addr(&self.listen, false) {
            problems.push(e.to_string());
        }
        problems.extend(self.widget.validate(&self.listen));
        if !(0.2..=1.0).contains(&self.overlay.opacity) {
            problems.push(format!(
                "overlay opacity {} is outside 0.2–1.0",
                self.overlay.opacity
            ));
        }
        if self.keep_last > 10_000 {
            problems.push("keep last N recordings: at most 10000".into());
        }
        if let Err(e) = check_listen_addr(&self.web.listen, false) {
            problems.push(format!("overlay pages: {e}"));
        }
        if !(0.0..=MAX_DELAY_S).contains(&self.web.delay_s) {
            problems.push(format!(
                "stream delay {} s is outside 0–{MAX_DELAY_S}",
                self.web.delay_s
            ));
        }
        if !(1.0..=MAX_DELAY_EVERYTHING_S).contains(&self.tournament.delay_s) {
            problems.push(format!(
                "tournament delay {} s is outside 1–{MAX_DELAY_EVERYTHING_S}",
                self.tournament.delay_s
            ));
        }
        problems
    }
}

/// The outcome of loading: settings to use, plus a warning for the UI when something was wrong.
#[derive(Debug)]
pub struct Loaded {
    pub settings: Settings,
    pub warning: Option<String>,
}

/// Loads settings. Missing file → defaults, silently. Bad file → defaults, warning, file moved aside.
pub fn load(path: &Path) -> Loaded {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Loaded {
                settings: Settings::default(),
                warning: None,
            };
        }
        Err(e) => {
            return Loaded {
                settings: Settings::default(),
                warning: Some(format!(
                    "could not read {}: {e}; using defaults",
                    path.display()
                )),
            };
        }
    };
    let parsed = serde_json::from_str::<serde_json::Value>(&text).and_then(|mut v| {
        super::widget_settings::migrate(&mut v);
        serde_json::from_value::<Settings>(v)
    });
    let problem = match parsed {
        Ok(s) => {
            let problems = s.validate();
            if problems.is_empty() {
                return Loaded {
                    settings: s,
                    warning: None,
                };
            }
            problems.join("; ")
        }
        Err(e) => e.to_string(),
    };
    let aside = path.with_extension(format!("json.bad-{}", bar_live_core::time::unix_ms()));
    let kept = match std::fs::rename(path, &aside) {
        Ok(()) => format!("the bad file was kept as {}", aside.display()),
        Err(e) => format!("could not move it aside: {e}"),
    };
    Loaded {
        settings: Settings::default(),
        warning: Some(format!(
            "settings file {} is damaged ({problem}); using defaults, {kept}",
            path.display()
        )),
    }
}

/// Writes settings atomically: a temp file in the same folder, then rename over the old one.
pub fn save(path: &Path, settings: &Settings) -> anyhow::Result<()> {
    use anyhow::Context;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let json = serde_json::to_string_pretty(settings)?;
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, json + "\n").with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}

/// The port the app listens on by its saved settings (`config`: the settings file, default the usual
/// one), for commands that install or check the widget without the app running.
/// Reads the file only (a damaged one is left alone, unlike at the app's start).
pub fn saved_port(config: Option<std::path::PathBuf>) -> u16 {
    let paths = Paths::resolve(config, None);
    std::fs::read_to_string(&paths.settings_file)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| super::widget_settings::listen_port(v.get("listen")?.as_str()?))
        .unwrap_or(bar_live_core::install::STOCK_PORT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_gives_defaults_without_warning() {
        let dir = tempfile::tempdir().unwrap();
        let l = load(&dir.path().join("settings.json"));
        assert_eq!(l.settings, Settings::default());
        assert!(l.warning.is_none());
    }

    #[test]
    fn save_then_load_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/settings.json");
        let mut s = Settings::default();
        s.widget.interval_frames = 30;
        s.overlay.target = OverlayTarget::AllyTeam(1);
        s.overlay.locked = true;
        s.tournament = TournamentSettings {
            enabled: true,
            delay_s: 90.0,
        };
        save(&path, &s).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("\"interval_frames\": 30"),
            "human-readable: {text}"
        );
        let l = load(&path);
        assert_eq!(l.settings, s);
        assert!(l.warning.is_none());
        assert!(
            !path.with_extension("json.tmp").exists(),
            "temp file renamed away"
        );
    }

    #[test]
    fn overlay_targets_serialize_readably() {
        for (target, json) in [
            (OverlayTarget::MyTeam, r#"{"kind":"my_team"}"#),
            (OverlayTarget::Team(3), r#"{"kind":"team","id":3}"#),
            (OverlayTarget::AllyTeam(1), r#"{"kind":"ally_team","id":1}"#),
            (OverlayTarget::AllyTeams, r#"{"kind":"ally_teams"}"#),
        ] {
            assert_eq!(serde_json::to_string(&target).unwrap(), json);
            assert_eq!(serde_json::from_str::<OverlayTarget>(json).unwrap(), target);
        }
    }

    #[test]
    fn corrupt_file_gives_defaults_warning_and_is_kept_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(&path, "{ not json").unwrap();
        let l = load(&path);
        assert_eq!(l.settings, Settings::default());
        let w = l.warning.unwrap();
        assert!(w.contains("damaged"), "{w}");
        assert!(!path.exists());
        let kept: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(kept.len(), 1);
        assert!(kept[0].to_string_lossy().starts_with("settings.json.bad-"));
        assert_eq!(
            std::fs::read_to_string(dir.path().join(&kept[0])).unwrap(),
            "{ not json"
        );
    }

    #[test]
    fn invalid_values_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(
            &path,
            r#"{"widget": {"interval_frames": 0}, "listen": "0.0.0.0:1"}"#,
        )
        .unwrap();
        let l = load(&path);
        let w = l.warning.unwrap();
        assert!(w.contains("1..300") && w.contains("loopback"), "{w}");
        assert_eq!(l.settings.widget.interval_frames, 15);
    }

    #[test]
    fn the_tournament_switch_survives_a_restart_and_refuses_a_bad_delay() {
        assert_eq!(
            Settings::default().tournament.delay(),
            None,
            "off by default"
        );
        assert_eq!(TournamentSettings::default().delay_s, 120.0);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(&path, r#"{"tournament": {"enabled": true}}"#).unwrap();
        assert_eq!(load(&path).settings.tournament.delay(), Some(120.0));
        std::fs::write(&path, r#"{"tournament": {"enabled": true, "delay_s": 0}}"#).unwrap();
        let l = load(&path);
        assert!(l.warning.unwrap().contains("tournament delay"));
        assert_eq!(l.settings.tournament, TournamentSettings::default());
    }

    #[test]
    fn files_from_before_the_widget_section_still_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(
            &path,
            r#"{"listen": "127.0.0.1:9877", "widget_interval_frames": 30, "widget_level": "detailed",
                "auto_record": false}"#,
        )
        .unwrap();
        let l = load(&path);
        assert!(l.warning.is_none(), "{:?}", l.warning);
        assert_eq!(l.settings.widget.interval_frames, 30);
        assert_eq!(
            l.settings.widget.level,
            bar_live_core::protocol::Level::Detailed
        );
        assert_eq!(l.settings.widget.max_units, 1000, "the rest: defaults");
        assert!(!l.settings.auto_record);
        save(&path, &l.settings).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("widget_level"),
            "written the new way: {text}"
        );
        assert_eq!(load(&path).settings, l.settings);
    }

    #[test]
    fn partial_file_keeps_defaults_for_missing_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(&path, r#"{"auto_record": false}"#).unwrap();
        let l = load(&path);
        assert!(!l.settings.auto_record);
        assert_eq!(l.settings.listen, DEFAULT_LISTEN);
        assert!(l.warning.is_none());
    }
}
