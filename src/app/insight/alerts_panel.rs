//! Alerts in the app: opt-in (off by default), for the local player's own team only. A new alert flashes
//! in the overlay for a few seconds (and on the status line), with an optional beep.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use egui::Ui;

use super::prefs::AlertSettings;
use super::sound::Beeper;
use bar_live_core::insight::alerts::{AlertEngine, AlertKind};
use bar_live_core::store::Store;

/// How long a flash shows.
pub const FLASH: Duration = Duration::from_secs(3);

#[derive(Debug, Default)]
pub struct AlertsState {
    engine: AlertEngine,
    flashes: VecDeque<(AlertKind, Instant)>,
    beeper: Beeper,
}

fn wanted(prefs: &AlertSettings, kind: AlertKind) -> bool {
    match kind {
        AlertKind::EnergyStall => prefs.energy_stall,
        AlertKind::MetalOverflow => prefs.metal_overflow,
        AlertKind::CommanderUnderAttack => prefs.commander,
    }
}

impl AlertsState {
    /// Reads the live store's new samples. Returns a status line for alerts that just turned on.
    pub fn update(&mut self, store: &Store, prefs: &AlertSettings) -> Option<String> {
        if !prefs.enabled {
            self.engine = AlertEngine::default();
            self.flashes.clear();
            return None;
        }
        let now = Instant::now();
        self.flashes
            .retain(|(_, at)| now.duration_since(*at) < FLASH);
        let mut started = Vec::new();
        for ev in self.engine.update(store) {
            if ev.on && wanted(prefs, ev.kind) {
                self.flashes.push_back((ev.kind, now));
                started.push(ev.kind.message());
            }
        }
        if started.is_empty() {
            return None;
        }
        if prefs.sound {
            self.beeper.beep();
        }
        Some(format!("alert: {}", started.join(", ")))
    }

    /// The message to flash now, if any.
    pub fn flash(&self) -> Option<&'static str> {
        let (kind, at) = self.flashes.back()?;
        (at.elapsed() < FLASH).then(|| kind.message())
    }

    /// The alerts on now (enabled ones).
    pub fn active(&self, prefs: &AlertSettings) -> Vec<AlertKind> {
        let on = self.engine.active();
        AlertKind::ALL
            .into_iter()
            .filter(|k| on[k.index()] && wanted(prefs, *k))
            .collect()
    }
}

/// The sidebar's alert settings and what is on. Returns true when a setting changed.
pub fn alerts_ui(
    ui: &mut Ui,
    state: &AlertsState,
    prefs: &mut AlertSettings,
    store: &Store,
) -> bool {
    let before = prefs.clone();
    ui.checkbox(&mut prefs.enabled, "Alerts for my team")
        .on_hover_text("Off by default. Only your own team while you play, never another's.");
    ui.add_enabled_ui(prefs.enabled, |ui| {
        ui.checkbox(&mut prefs.energy_stall, "Energy stall");
        ui.checkbox(&mut prefs.metal_overflow, "Metal overflowing");
        ui.checkbox(&mut prefs.commander, "Commander under attack")
            .on_hover_text("Needs the widget's level \"detailed\" (unit health).");
        ui.checkbox(&mut prefs.sound, "Beep");
    });
    if prefs.enabled {
        if store.my_playing_team().is_none() {
            ui.weak("Spectating: alerts are for your own team while you play.");
        } else {
            let on = state.active(prefs);
            if on.is_empty() {
                ui.weak("All quiet.");
            }
            for k in on {
                ui.colored_label(ui.visuals().warn_fg_color, format!("⚠ {}", k.message()));
            }
        }
    }
    *prefs != before
}
