//! Past games on the dashboard's plots: the benchmark's median (dashed) and p25–p75 band (shaded) on the
//! income, army value and units plots, and the ghost of a chosen past game (faded lines).

use egui::Color32;
use egui_plot::{FilledArea, Line, LineStyle, PlotPoints, PlotUi};

use crate::app::plots::linked::PlotFrame;
use crate::app::plots::{PlotCard, ViewOptions, value_scale};
use bar_live_core::insight::benchmark::Benchmark;
use bar_live_core::insight::ghost::ghost_line;
use bar_live_core::insight::profile::PROFILE_METRICS;
use bar_live_core::store::{Kind, Metric, SeriesOf, Store, ValueMode};

/// The band's colour (neutral, under the teams' colours).
fn band_color(dark: bool) -> Color32 {
    if dark {
        Color32::from_gray(200)
    } else {
        Color32::from_gray(60)
    }
}

/// The ghost's colour: a pale violet no team uses, faded.
fn ghost_color(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgba_unmultiplied(230, 200, 255, 120)
    } else {
        Color32::from_rgba_unmultiplied(90, 40, 140, 110)
    }
}

/// Whether metric `m`'s benchmark can be drawn in this view: levels always, income only per second.
fn band_applies(m: Metric, view: &ViewOptions) -> bool {
    m.kind() == Kind::Level || view.mode == ValueMode::PerSecond
}

/// Draws the benchmark of each of the card's metrics that has one.
pub fn draw_bands(
    plot_ui: &mut PlotUi<'_>,
    bench: &Benchmark,
    card: &PlotCard,
    view: &ViewOptions,
) {
    for (k, &m) in PROFILE_METRICS.iter().enumerate() {
        if !card.metrics.contains(&m) || !band_applies(m, view) {
            continue;
        }
        let scale = f64::from(value_scale(m, view));
        let band = bench.band(k);
        if band.len() < 2 {
            continue;
        }
        let xs: Vec<f64> = band.iter().map(|b| b.0).collect();
        let lo: Vec<f64> = band.iter().map(|b| f64::from(b.1.p25) * scale).collect();
        let hi: Vec<f64> = band.iter().map(|b| f64::from(b.1.p75) * scale).collect();
        let color = band_color(view.dark);
        plot_ui.add(
            FilledArea::new("p25–p75 of your past games", &xs, &lo, &hi)
                .fill_color(color.gamma_multiply(0.22))
                .allow_hover(false),
        );
        let median: Vec<[f64; 2]> = band
            .iter()
            .map(|b| [b.0, f64::from(b.1.median) * scale])
            .collect();
        plot_ui.line(
            Line::new("median of your past games", PlotPoints::new(median))
                .color(color.gamma_multiply(0.85))
                .width(1.5)
                .style(LineStyle::dashed_loose())
                .allow_hover(false),
        );
    }
}

/// Draws the ghost's lines of the card's metrics (the second metric dashed, as the live lines).
pub fn draw_ghost(
    plot_ui: &mut PlotUi<'_>,
    past: &Store,
    of: SeriesOf,
    card: &PlotCard,
    view: &ViewOptions,
    frame: &PlotFrame<'_>,
) {
    let (t0, t1) = frame.range;
    let color = ghost_color(view.dark);
    for (i, &m) in card.metrics.iter().enumerate() {
        let points = ghost_line(
            past,
            of,
            m,
            view.mode,
            value_scale(m, view),
            (t0, t1),
            frame.columns,
        );
        let mut line = Line::new("ghost", PlotPoints::new(points))
            .color(color)
            .width(3.0)
            .allow_hover(false);
        if i > 0 {
            line = line.style(LineStyle::dashed_dense());
        }
        plot_ui.line(line);
    }
}

/// A row of the hover readout besides the live lines: a past game's value of each of a card's metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadoutRow {
    pub label: String,
    /// The ghost's row (drawn in its colour), else the benchmark's median.
    pub ghost: bool,
    /// One per card metric, `None` where there is no value.
    pub values: Vec<Option<f32>>,
}

/// The hover readout's extra rows at game time `t`: the ghost's values (aligned on game time, as drawn)
/// and the benchmark's median for the card's metrics that have one in this view.
pub fn readout_rows(
    ghost: Option<(&Store, SeriesOf)>,
    bench: Option<&Benchmark>,
    metrics: &[Metric],
    view: &ViewOptions,
    t: f64,
) -> Vec<ReadoutRow> {
    let mut rows = Vec::new();
    if let Some((past, of)) = ghost {
        let values = metrics
            .iter()
            .map(|&m| {
                past.with_derived(of, m, view.mode, value_scale(m, view), |ts, vs| {
                    crate::app::plots::value_at(ts, vs, t)
                })
            })
            .collect();
        rows.push(ReadoutRow {
            label: format!("ghost: {}", past.series_name(of)),
            ghost: true,
            values,
        });
    }
    if let Some(bench) = bench.filter(|_| metrics.iter().any(|m| PROFILE_METRICS.contains(m))) {
        let values = metrics
            .iter()
            .map(|&m| {
                PROFILE_METRICS
                    .iter()
                    .position(|&p| p == m)
                    .filter(|_| band_applies(m, view))
                    .and_then(|k| bench.median_at(k, t))
                    .map(|v| v * value_scale(m, view))
            })
            .collect();
        rows.push(ReadoutRow {
            label: "median of your past games".into(),
            ghost: false,
            values,
        });
    }
    rows
}

/// Draws [`readout_rows`] in the hover readout's grid (`–` where there is no value).
pub fn readout_rows_ui(
    ui: &mut egui::Ui,
    ghost: Option<(&Store, SeriesOf)>,
    bench: Option<&Benchmark>,
    card: &PlotCard,
    view: &ViewOptions,
    t: f64,
) {
    for row in readout_rows(ghost, bench, card.metrics, view, t) {
        if row.ghost {
            ui.colored_label(ghost_color(view.dark).gamma_multiply(2.0), row.label);
        } else {
            ui.label(egui::RichText::new(row.label).weak());
        }
        for v in row.values {
            ui.label(v.map_or("–".into(), crate::app::plots::format_value));
        }
        ui.end_row();
    }
}

/// The overlay's benchmark row: the team's income, army value and units against the median of its past
/// games at this minute, in percent.
pub fn bench_row_ui(ui: &mut egui::Ui, store: &Store, of: SeriesOf, bench: &Benchmark, end_t: f64) {
    let better = Color32::from_rgb(80, 200, 110);
    let worse = Color32::from_rgb(235, 95, 85);
    // Live, the overlay shows the newest data (`end_t` infinite): compare at the newest time.
    let end_t = if end_t.is_finite() {
        end_t
    } else {
        store.last_game_seconds
    };
    ui.horizontal(|ui| {
        ui.label("vs past")
            .on_hover_text("Against the median of your past games at this minute");
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            for (k, &m) in PROFILE_METRICS.iter().enumerate().rev() {
                let now = store.with_derived(of, m, ValueMode::PerSecond, 1.0, |t, v| {
                    crate::app::plots::value_at(t, v, end_t)
                });
                let text = match (now, bench.median_at(k, end_t)) {
                    (Some(x), Some(med)) if med > 0.0 => {
                        let pct = (x / med - 1.0) * 100.0;
                        let c = if pct >= 0.0 { better } else { worse };
                        egui::RichText::new(format!("{} {pct:+.0}%", short(m))).color(c)
                    }
                    _ => egui::RichText::new(format!("{} –", short(m))).weak(),
                };
                ui.label(text.monospace());
            }
        });
    });
}

fn short(m: Metric) -> &'static str {
    match m {
        Metric::MetalIncome => "inc",
        Metric::ArmyValue => "army",
        _ => "units",
    }
}

/// An alert's flash: a bold banner.
pub fn flash_ui(ui: &mut egui::Ui, text: &str) {
    egui::Frame::new()
        .fill(Color32::from_rgb(200, 60, 40))
        .corner_radius(4.0)
        .inner_margin(egui::Margin::symmetric(8, 3))
        .show(ui, |ui| {
            ui.label(
                egui::RichText::new(format!("⚠ {text}"))
                    .color(Color32::WHITE)
                    .strong(),
            );
        });
}

#[cfg(test)]
mod tests {
    use super::*;
    use bar_live_core::insight::benchmark::{MinuteBand, Quartiles};
    use bar_live_core::sim::{SimGame, SimOptions};

    fn view(mode: ValueMode) -> ViewOptions {
        ViewOptions {
            per_ally: false,
            mode,
            rate_factor: 60.0,
            rate_suffix: "/min",
            hidden: Default::default(),
            highlighted: None,
            dark: true,
        }
    }

    #[test]
    fn the_readout_shows_the_ghost_and_the_median_at_the_pointer() {
        let mut game = SimGame::new(SimOptions {
            teams: 2,
            minutes: 3.0,
            ..SimOptions::default()
        });
        let mut past = Store::new();
        for m in game.handshake() {
            past.ingest(&m);
        }
        while !game.finished() {
            for m in game.step() {
                past.ingest(&m);
            }
        }
        let of = SeriesOf::Team(*past.series.keys().next().unwrap());
        let metrics = [Metric::MetalIncome, Metric::ArmyValue];
        let per_second = view(ValueMode::PerSecond);
        let t = 125.0;
        // The bench's minute 2 (t in 120..180) has median 7 for income and 900 for army value.
        let q = |median| {
            Some(Quartiles {
                p25: median - 1.0,
                median,
                p75: median + 1.0,
            })
        };
        let mut values = [None; PROFILE_METRICS.len()];
        for (k, m) in PROFILE_METRICS.iter().enumerate() {
            values[k] = match m {
                Metric::MetalIncome => q(7.0),
                Metric::ArmyValue => q(900.0),
                _ => None,
            };
        }
        let bench = Benchmark {
            minutes: (1..=3)
                .map(|minute| MinuteBand {
                    minute,
                    games: [3; PROFILE_METRICS.len()],
                    values: if minute == 2 {
                        values
                    } else {
                        [None; PROFILE_METRICS.len()]
                    },
                })
                .collect(),
            ..Benchmark::default()
        };
        let rows = readout_rows(Some((&past, of)), Some(&bench), &metrics, &per_second, t);
        assert_eq!(rows.len(), 2);
        assert!(rows[0].ghost && rows[0].label.ends_with(&past.series_name(of)));
        for (i, &m) in metrics.iter().enumerate() {
            let expected = past.with_derived(
                of,
                m,
                ValueMode::PerSecond,
                value_scale(m, &per_second),
                |ts, vs| crate::app::plots::value_at(ts, vs, t),
            );
            assert!(expected.is_some());
            assert_eq!(rows[0].values[i], expected, "{m:?}");
        }
        // Income is a rate: the median is scaled like the live line (per minute here).
        assert_eq!(rows[1].values, vec![Some(7.0 * 60.0), Some(900.0)]);
        // Cumulative: income has no band in this view, army value (a level) still has.
        let rows = readout_rows(
            None,
            Some(&bench),
            &metrics,
            &view(ValueMode::Cumulative),
            t,
        );
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].values, vec![None, Some(900.0)]);
        // Before minute 1 and on a card without a profile metric: nothing to show.
        let early = readout_rows(None, Some(&bench), &metrics, &per_second, 30.0);
        assert_eq!(early[0].values, vec![None, None]);
        assert!(
            readout_rows(None, Some(&bench), &[Metric::EnergyIncome], &per_second, t).is_empty()
        );
        assert!(readout_rows(None, None, &metrics, &per_second, t).is_empty());
    }
}
