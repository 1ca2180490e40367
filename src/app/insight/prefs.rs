//! The insight settings kept in `settings.json` (`"insight": {…}`): benchmark choices and the alerts,
//! which are off until the player switches them on.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InsightSettings {
    /// Whose past games the benchmark and splits use: a player name, or `None` for the local player's
    /// own team (a spectator picks one).
    pub benchmark_player: Option<String>,
    /// The player's own name in BAR: finds them in games where the game does not say who they are
    /// (a recording made while spectating, another player's replay). Empty: not set.
    pub my_bar_name: String,
    /// Only past games on the same map.
    pub same_map: bool,
    /// Only past games with as many players.
    pub same_size: bool,
    /// The last this many matching games (1–200).
    pub last_n: u32,
    /// Draw the benchmark's median and p25–p75 band on the income, army and units plots.
    pub show_band: bool,
    /// An extra overlay row: the team against the benchmark's median.
    pub overlay_row: bool,
    pub alerts: AlertSettings,
}

impl Default for InsightSettings {
    fn default() -> Self {
        InsightSettings {
            benchmark_player: None,
            my_bar_name: String::new(),
            same_map: false,
            same_size: false,
            last_n: 10,
            show_band: true,
            overlay_row: false,
            alerts: AlertSettings::default(),
        }
    }
}

/// Alerts for the local player's own team (docs/INSIGHT.md, "Alerts"). Off by default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AlertSettings {
    pub enabled: bool,
    pub energy_stall: bool,
    pub metal_overflow: bool,
    pub commander: bool,
    /// A short beep with each flash.
    pub sound: bool,
}

impl Default for AlertSettings {
    fn default() -> Self {
        AlertSettings {
            enabled: false,
            energy_stall: true,
            metal_overflow: true,
            commander: true,
            sound: false,
        }
    }
}
