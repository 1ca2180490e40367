//! The dashboard plots: which lines a view shows, their values, and the cards they are drawn in.
//!
//! - [`prepare`]: decimated lines within a frame's time budget (testable, benchmarked).
//! - [`dashboard`]: the plot grid with the insight cards and hover readout (`*_ui`).
//! - [`linked`]: one plot on the shared time axis, its navigation, markers and lines (the dashboard and
//!   the insight cards draw with it).
//! - `grid`: axis ticks that read well (game time, 1-2-5 values).

pub mod dashboard;
mod grid;
pub mod linked;
pub mod prepare;
#[cfg(test)]
mod tests;

use std::collections::HashSet;

use egui::Color32;

use bar_live_core::store::{Kind, Metric, SeriesOf, Store, ValueMode};

pub use prepare::{
    PrepBudget, prepare_dashboard, prepare_lines, prepare_lines_within, unfilled_lines,
};

/// Display options shared by every plot.
#[derive(Debug, Clone)]
pub struct ViewOptions {
    pub per_ally: bool,
    pub mode: ValueMode,
    /// 1 for per second, 60 for per minute (applies to rates only).
    pub rate_factor: f32,
    pub rate_suffix: &'static str,
    pub hidden: HashSet<SeriesOf>,
    pub highlighted: Option<SeriesOf>,
    pub dark: bool,
}

#[derive(Debug, Clone)]
pub struct PreparedLine {
    pub of: SeriesOf,
    pub name: String,
    pub color: Color32,
    pub dashed: bool,
    pub points: Vec<[f64; 2]>,
}

/// The series' colour, adjusted to stay readable on the theme.
pub fn series_color(store: &Store, of: SeriesOf, dark: bool) -> Color32 {
    readable(store.series_rgb(of), dark)
}

/// Lightens colours that vanish on a dark background and darkens those that vanish on a light one.
pub fn readable(rgb: [u8; 3], dark: bool) -> Color32 {
    let lum =
        (0.2126 * f32::from(rgb[0]) + 0.7152 * f32::from(rgb[1]) + 0.0722 * f32::from(rgb[2]))
            / 255.0;
    let (target, limit_ok) = if dark {
        (255.0, lum >= 0.35)
    } else {
        (0.0, lum <= 0.6)
    };
    if limit_ok {
        return Color32::from_rgb(rgb[0], rgb[1], rgb[2]);
    }
    let t = if dark {
        (0.35 - lum) / (1.0 - lum).max(0.01)
    } else {
        (lum - 0.6) / lum.max(0.01)
    };
    let mix = |c: u8| (f32::from(c) + (target - f32::from(c)) * t.clamp(0.0, 1.0)).round() as u8;
    Color32::from_rgb(mix(rgb[0]), mix(rgb[1]), mix(rgb[2]))
}

/// The factor values are shown with: the rate unit's for rate views, else 1.
pub fn value_scale(metric: Metric, view: &ViewOptions) -> f32 {
    let is_rate_view = match metric.kind() {
        Kind::Rate | Kind::Counter => view.mode == ValueMode::PerSecond,
        Kind::Level => false,
    };
    if is_rate_view { view.rate_factor } else { 1.0 }
}

/// A series' metric in the view, borrowed from the store's derived-series cache.
pub fn with_series_values<R>(
    store: &Store,
    of: SeriesOf,
    metric: Metric,
    view: &ViewOptions,
    f: impl FnOnce(&[f64], &[f32]) -> R,
) -> R {
    store.with_derived(of, metric, view.mode, value_scale(metric, view), f)
}

/// Value of a series at time `t` (the last sample at or before it).
pub fn value_at(t: &[f64], v: &[f32], at: f64) -> Option<f32> {
    let i = t.partition_point(|&x| x <= at);
    (i > 0).then(|| v[i - 1]).filter(|x| !x.is_nan())
}

pub fn format_value(v: f32) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{:.2}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.1}k", v / 1e3)
    } else if a >= 100.0 || v == v.trunc() {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// One plot card on the dashboard.
pub struct PlotCard {
    pub title: &'static str,
    pub metrics: &'static [Metric],
}

/// A card with its title and metrics.
const fn card(title: &'static str, metrics: &'static [Metric]) -> PlotCard {
    PlotCard { title, metrics }
}

const METAL_INCOME: PlotCard = card(
    "Metal income vs expense",
    &[Metric::MetalIncome, Metric::MetalExpense],
);
const UNITS: PlotCard = card("Units", &[Metric::Units]);
const ARMY_VALUE: PlotCard = card("Army value (metal)", &[Metric::ArmyValue]);
const DAMAGE: PlotCard = card(
    "Damage dealt vs received",
    &[Metric::DamageDealt, Metric::DamageReceived],
);
const KILLS: PlotCard = card(
    "Units killed vs lost",
    &[Metric::UnitsKilled, Metric::UnitsDied],
);

pub const DASHBOARD: &[PlotCard] = &[
    METAL_INCOME,
    card(
        "Energy income vs expense",
        &[Metric::EnergyIncome, Metric::EnergyExpense],
    ),
    card(
        "Metal stored vs storage",
        &[Metric::MetalCurrent, Metric::MetalStorage],
    ),
    card(
        "Energy stored vs storage",
        &[Metric::EnergyCurrent, Metric::EnergyStorage],
    ),
    UNITS,
    ARMY_VALUE,
    DAMAGE,
    KILLS,
];

/// The dashboard of a game read from a BAR replay: what its statistics hold (running totals every 15
/// game seconds, drawn per second or cumulative), then the two plots a replay cannot fill, which say
/// so ([`dashboard_for`]).
pub const REPLAY_DASHBOARD: &[PlotCard] = &[
    card("Metal produced (15 s averages)", &[Metric::MetalProduced]),
    card("Energy produced (15 s averages)", &[Metric::EnergyProduced]),
    UNITS,
    card("Units produced", &[Metric::UnitsProduced]),
    DAMAGE,
    KILLS,
    METAL_INCOME,
    ARMY_VALUE,
];

/// The game on screen was read from a BAR replay (statistics only: no per-second updates).
pub fn from_bar_replay(store: &Store) -> bool {
    store
        .hello
        .as_ref()
        .is_some_and(|h| h.widget.name == bar_live_core::replay::messages::WIDGET_NAME)
}

/// The plot cards for the game in `store`: [`REPLAY_DASHBOARD`] for a BAR replay, else [`DASHBOARD`].
pub fn dashboard_for(store: &Store) -> &'static [PlotCard] {
    if from_bar_replay(store) {
        REPLAY_DASHBOARD
    } else {
        DASHBOARD
    }
}
