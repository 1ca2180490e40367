//! A plot linked to the others' time axis: the shared range and its navigation (pan, zoom, follow), the
//! milestone markers, the "now" line, and drawing prepared lines. Used by the dashboard and by the
//! insight cards it is given; knows neither.

use egui::{Color32, Id, Ui};
use egui_plot::{Line, LineStyle, Plot, PlotPoints, VLine};

use super::grid::{format_tick, time_grid, value_grid};
use super::{PreparedLine, ViewOptions};
use crate::app::insight::markers::{self, Marker};
use bar_live_core::insight::benchmark::Benchmark;
use bar_live_core::recording::summary::format_game_time;
use bar_live_core::store::{SeriesOf, Store};

/// A dashboard's state across frames: the x axis shared by the linked plots, and where line preparation
/// starts next frame.
#[derive(Debug, Clone)]
pub struct DashboardState {
    /// Follow the newest data (or the review cursor); zoom/pan turns it off.
    pub follow: bool,
    /// The x range shown when not following.
    pub manual: Option<(f64, f64)>,
    /// The line that ran out of time last frame: it goes first, so no line is left behind.
    pub prep_from_line: usize,
    /// Show the composition and trades cards below the others.
    pub show_insight: bool,
    /// Whose army composition is shown (`None`: the local player's, else the first series).
    pub composition_of: Option<SeriesOf>,
}

impl Default for DashboardState {
    fn default() -> Self {
        DashboardState {
            follow: true,
            manual: None,
            prep_from_line: 0,
            show_insight: true,
            composition_of: None,
        }
    }
}

/// What the dashboard draws besides the store's lines: game insight.
#[derive(Default, Clone, Copy)]
pub struct PlotExtras<'a> {
    /// Milestone markers, drawn on every plot's time axis.
    pub markers: &'a [Marker],
    /// Benchmark median and p25–p75 band on the income, army value and units plots.
    pub bench: Option<&'a Benchmark>,
    /// A past game's store and the series to draw from it, faded.
    pub ghost: Option<(&'a Store, SeriesOf)>,
}

/// What the user did to a plot's time axis this frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Gesture {
    None,
    Moved((f64, f64)),
    ResumeFollow,
    /// A milestone marker was clicked: show this game time.
    Jump(f64),
}

/// Shortest time span a zoom can reach, in game seconds.
pub const MIN_SPAN_S: f64 = 10.0;

/// Pans by `drag_px` (positive = content moves right, i.e. earlier times come into view) and zooms by
/// `zoom` (> 1 zooms in) around `anchor_t`. The plots share this range, so they stay linked.
pub fn navigate(
    range: (f64, f64),
    width_px: f32,
    drag_px: f32,
    zoom: f64,
    anchor_t: f64,
) -> (f64, f64) {
    let (mut t0, mut t1) = range;
    let span = (t1 - t0).max(MIN_SPAN_S);
    let per_px = span / f64::from(width_px.max(1.0));
    let shift = -f64::from(drag_px) * per_px;
    t0 += shift;
    t1 += shift;
    if zoom.is_finite() && zoom > 0.0 && (zoom - 1.0).abs() > 1e-9 {
        let a = anchor_t.clamp(t0, t1);
        let new_span = ((t1 - t0) / zoom).max(MIN_SPAN_S);
        let left_share = (a - t0) / (t1 - t0).max(1e-9);
        t0 = a - new_span * left_share;
        t1 = t0 + new_span;
    }
    (t0, t1)
}

/// Where and how a card's plot is drawn this frame.
pub struct PlotFrame<'a> {
    /// The shared time axis range.
    pub range: (f64, f64),
    /// The newest time shown (a "now" line is drawn there when inside the range).
    pub end_t: f64,
    pub height: f32,
    /// Plot width in columns (points per decimated line).
    pub columns: usize,
    pub markers: &'a [Marker],
}

/// A plot linked to the others' time axis, with round grid steps and no navigation of its own: drag pans,
/// wheel or pinch zooms and double-click follows live through [`plot_gesture`], so every plot applies the
/// same range and "follow live" is never fought by the plot's own bounds.
pub fn linked_plot(id: &str, height: f32, suffix: &'static str) -> Plot<'static> {
    Plot::new(id)
        .height(height)
        .link_axis(Id::unique("game_time"), [true, false])
        .link_cursor(Id::unique("game_time"), [true, false])
        .x_grid_spacer(time_grid)
        .y_grid_spacer(value_grid)
        .x_axis_formatter(|mark, _| format_game_time(mark.value))
        .y_axis_formatter(move |mark, _| format!("{}{suffix}", format_tick(mark.value as f32)))
        .label_formatter(|_| None)
        .allow_double_click_reset(false)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .include_y(0.0)
}

/// Inside a linked plot: the shared range, the markers and the "now" line. Returns the pointer's time.
pub fn linked_plot_body(plot_ui: &mut egui_plot::PlotUi<'_>, frame: &PlotFrame<'_>) -> Option<f64> {
    let (t0, t1) = frame.range;
    plot_ui.set_plot_bounds_x(t0..=t1);
    plot_ui.set_auto_bounds([false, true]);
    markers::draw_in_plot(plot_ui, frame.markers, (t0, t1));
    if frame.end_t < t1 && frame.end_t > 0.0 {
        plot_ui.vline(
            VLine::new("now", frame.end_t)
                .color(Color32::GRAY)
                .width(1.0),
        );
    }
    plot_ui.pointer_coordinate().map(|p| p.x)
}

/// What the user did to a linked plot: a marker clicked, the range moved, follow resumed, or nothing.
/// Shows the hovered markers' tooltip, else `readout` at the pointer's time.
pub fn plot_gesture(
    ui: &Ui,
    response: &egui_plot::PlotResponse<Option<f64>>,
    frame: &PlotFrame<'_>,
    readout: impl FnOnce(&mut Ui, f64),
) -> Gesture {
    let (t0, t1) = frame.range;
    let hover_t = response.inner;
    let r = &response.response;
    let on_markers = markers::hovered(frame.markers, &response.transform, r.hover_pos());
    if !on_markers.is_empty() {
        let clicked = r.clicked();
        r.clone()
            .on_hover_ui_at_pointer(|ui| markers::tooltip_ui(ui, &on_markers));
        if clicked {
            return Gesture::Jump(on_markers[0].t);
        }
    } else if let Some(t) = hover_t.filter(|_| r.hovered()) {
        r.clone().on_hover_ui_at_pointer(|ui| readout(ui, t));
    }
    if r.double_clicked() {
        return Gesture::ResumeFollow;
    }
    let width = response.transform.frame().width();
    let drag_px = if r.dragged() { r.drag_delta().x } else { 0.0 };
    let zoom = if r.hovered() {
        ui.input(|i| (f64::from(i.smooth_scroll_delta.y) * 0.003).exp() * f64::from(i.zoom_delta()))
    } else {
        1.0
    };
    if drag_px == 0.0 && (zoom - 1.0).abs() < 1e-9 {
        return Gesture::None;
    }
    let anchor = hover_t.unwrap_or((t0 + t1) / 2.0);
    Gesture::Moved(navigate((t0, t1), width, drag_px, zoom, anchor))
}

/// Draws prepared lines (dimming all but the highlighted series).
pub fn draw_lines(plot_ui: &mut egui_plot::PlotUi<'_>, view: &ViewOptions, lines: &[PreparedLine]) {
    for line in lines {
        let highlighted = view.highlighted == Some(line.of);
        let dimmed = view.highlighted.is_some() && !highlighted;
        let color = if dimmed {
            line.color.gamma_multiply(0.25)
        } else {
            line.color
        };
        let mut l = Line::new(line.name.clone(), PlotPoints::new(line.points.clone()))
            .color(color)
            .width(if highlighted { 2.5 } else { 1.5 })
            .allow_hover(false);
        if line.dashed {
            l = l.style(LineStyle::dashed_dense());
        }
        plot_ui.line(l);
    }
}
