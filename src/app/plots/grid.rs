//! Axis ticks: game time in round steps, values in 1-2-5 steps.

use super::format_value;

/// Grid steps that read well as game time: 10 s … 1 h, with 5 sub-steps per labelled step.
pub(super) const TIME_STEPS_S: [f64; 10] = [
    10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0,
];

pub fn time_grid(input: egui_plot::GridInput) -> Vec<egui_plot::GridMark> {
    let (lo, hi) = input.bounds;
    // Labels need ~70 px; base_step_size is the plot-units size of ~1 px step scaled by egui_plot.
    let min_step = input.base_step_size * 12.0;
    let step = TIME_STEPS_S
        .iter()
        .copied()
        .find(|&s| s >= min_step)
        .unwrap_or(7200.0);
    let mut marks = Vec::new();
    let minor = step / 5.0;
    let mut v = (lo / minor).floor() * minor;
    while v <= hi {
        if v >= 0.0 {
            let major = (v / step).round() * step;
            let step_size = if (v - major).abs() < 1e-6 {
                step
            } else {
                minor
            };
            marks.push(egui_plot::GridMark {
                value: v,
                step_size,
            });
        }
        v += minor;
    }
    marks
}

/// Value grid with 1-2-5 steps. egui_plot's default uses powers of ten only, so a plot up to 900 units
/// got a lone "0" label (the next labels, 100 apart, were too close to draw).
pub fn value_grid(input: egui_plot::GridInput) -> Vec<egui_plot::GridMark> {
    let (lo, hi) = input.bounds;
    // Labels need 20-30 px; base_step_size is the value span of egui_plot's minimum grid spacing (8 px).
    let min_step = input.base_step_size * 4.0;
    if min_step.is_nan() || min_step <= 0.0 || min_step.is_infinite() || hi.is_nan() || hi <= lo {
        return Vec::new();
    }
    let magnitude = 10f64.powf(min_step.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|&s| s >= min_step)
        .unwrap_or(10.0 * magnitude);
    let minor = step
        / if (step / magnitude - 2.0).abs() < 1e-9 {
            4.0
        } else {
            5.0
        };
    let (first, last) = ((lo / minor).ceil() as i64, (hi / minor).floor() as i64);
    if last - first > 10_000 {
        return Vec::new();
    }
    (first..=last)
        .map(|k| {
            let value = k as f64 * minor;
            let q = value / step;
            let major = (q - q.round()).abs() < 1e-6;
            egui_plot::GridMark {
                value,
                step_size: if major { step } else { minor },
            }
        })
        .collect()
}

/// [`format_value`] for axis ticks, which fall on round numbers: "10k", not "10.0k".
pub fn format_tick(v: f32) -> String {
    format_value(v).replace(".0k", "k").replace(".00M", "M")
}
