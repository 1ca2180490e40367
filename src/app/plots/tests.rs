//! Axes, navigation, colours and number formatting.

use super::grid::{TIME_STEPS_S, format_tick, time_grid, value_grid};
use super::linked::{MIN_SPAN_S, navigate};
use super::*;

#[test]
fn time_grid_uses_round_steps() {
    let marks = time_grid(egui_plot::GridInput {
        bounds: (0.0, 900.0),
        base_step_size: 2.0,
    });
    let biggest = marks.iter().map(|m| m.step_size).fold(0.0, f64::max);
    let majors: Vec<f64> = marks
        .iter()
        .filter(|m| m.step_size == biggest)
        .map(|m| m.value)
        .collect();
    assert_eq!(majors.first(), Some(&0.0));
    let step = majors[1] - majors[0];
    assert!(TIME_STEPS_S.contains(&step), "{step}");
    assert!(marks.iter().all(|m| m.value >= 0.0 && m.value <= 900.0));
}

#[test]
fn value_grid_labels_in_1_2_5_steps() {
    let majors = |bounds: (f64, f64), base_step_size: f64| -> Vec<f64> {
        let marks = value_grid(egui_plot::GridInput {
            bounds,
            base_step_size,
        });
        let biggest = marks.iter().map(|m| m.step_size).fold(0.0, f64::max);
        assert!(
            marks
                .iter()
                .all(|m| m.value >= bounds.0 && m.value <= bounds.1)
        );
        marks
            .iter()
            .filter(|m| m.step_size == biggest)
            .map(|m| m.value)
            .collect()
    };
    // 0..900 over ~130 px (8 px = 55 units): labels every 500, not a lone 0 (powers of ten: 1000).
    assert_eq!(majors((0.0, 900.0), 55.0), vec![0.0, 500.0]);
    // 0..100 with room for more labels: every 20.
    assert_eq!(
        majors((0.0, 100.0), 4.0),
        vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
    );
    // Small values and negative ranges.
    assert_eq!(majors((-0.3, 0.3), 0.05), vec![-0.2, 0.0, 0.2]);
    // Degenerate input draws nothing rather than looping.
    assert!(majors((0.0, 1.0), 0.0).is_empty());
    assert!(majors((5.0, 5.0), 1.0).is_empty());
}

#[test]
fn navigation_pans_and_zooms_around_the_pointer() {
    // 600 px showing 0..600 s: 1 px = 1 s. Dragging right by 60 px shows earlier times.
    assert_eq!(
        navigate((0.0, 600.0), 600.0, 60.0, 1.0, 0.0),
        (-60.0, 540.0)
    );
    // Zoom in 2x around t = 150: the anchor keeps its place (1/4 from the left).
    let (a, b) = navigate((0.0, 600.0), 600.0, 0.0, 2.0, 150.0);
    assert!(
        (a - 75.0).abs() < 1e-9 && (b - 375.0).abs() < 1e-9,
        "{a} {b}"
    );
    // Zooming far in stops at the minimum span.
    let (a, b) = navigate((0.0, 600.0), 600.0, 0.0, 1e6, 300.0);
    assert!((b - a - MIN_SPAN_S).abs() < 1e-9);
    // No gesture, no change.
    assert_eq!(navigate((5.0, 65.0), 300.0, 0.0, 1.0, 10.0), (5.0, 65.0));
}

#[test]
fn readable_colors() {
    // Dark blue on a dark theme gets lighter; yellow on a light theme gets darker; mid colours stay.
    let c = readable([0, 0, 80], true);
    assert!(c.b() > 80 && c.r() > 0);
    let y = readable([255, 255, 0], false);
    assert!(y.r() < 255 && y.g() < 255);
    assert_eq!(
        readable([200, 60, 60], true),
        Color32::from_rgb(200, 60, 60)
    );
}

#[test]
fn value_lookup_and_format() {
    let t = [1.0, 2.0, 3.0];
    let v = [10.0, f32::NAN, 30.0];
    assert_eq!(value_at(&t, &v, 0.5), None);
    assert_eq!(value_at(&t, &v, 1.5), Some(10.0));
    assert_eq!(value_at(&t, &v, 2.5), None, "NaN sample shows as no value");
    assert_eq!(value_at(&t, &v, 99.0), Some(30.0));
    assert_eq!(format_value(12.34), "12.3");
    assert_eq!(format_value(1234.0), "1234");
    assert_eq!(format_value(25_000.0), "25.0k");
    assert_eq!(format_value(2_500_000.0), "2.50M");
    assert_eq!(format_tick(20_000.0), "20k");
    assert_eq!(format_tick(12_500.0), "12.5k");
    assert_eq!(format_tick(3_000_000.0), "3M");
    assert_eq!(format_tick(-500.0), "-500");
}

#[test]
fn a_bar_replay_gets_the_plots_its_statistics_fill_and_notes_for_the_rest() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/core/tests/data/replay/spring106-game-over.sdfz");
    let review = bar_live_core::review::Review::open(&path).unwrap();
    let store = &review.store;
    assert!(from_bar_replay(store));
    let titles = |cards: &[PlotCard]| cards.iter().map(|c| c.title).collect::<Vec<_>>();
    assert_eq!(titles(dashboard_for(store)), titles(REPLAY_DASHBOARD));
    let has = |m: Metric| store.series.values().any(|s| s.has_values(m));
    let (filled, notes): (Vec<&PlotCard>, Vec<&PlotCard>) = REPLAY_DASHBOARD
        .iter()
        .partition(|c| c.metrics.iter().any(|m| has(*m)));
    assert_eq!(filled.len(), 6, "every statistics plot has data");
    let note_titles: Vec<&str> = notes.iter().map(|c| c.title).collect();
    assert_eq!(
        note_titles,
        ["Metal income vs expense", "Army value (metal)"]
    );
    // A recording keeps the usual dashboard.
    let demo = bar_live_core::review::Review::demo().unwrap();
    assert!(!from_bar_replay(&demo.store));
    assert_eq!(titles(dashboard_for(&demo.store)), titles(DASHBOARD));
}
