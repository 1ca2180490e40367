//! The dashboard plots: series preparation (testable, benchmarked) and drawing (`*_ui`).

use std::collections::HashSet;
use std::time::{Duration, Instant};

use egui::{Color32, Id, Ui};
use egui_plot::{Line, LineStyle, Plot, PlotPoints, VLine};

use bar_live_core::recording::summary::format_game_time;
use bar_live_core::store::derived::Cached;
use bar_live_core::store::{Kind, Metric, SeriesOf, Store, ValueMode, decimate_minmax};

/// What a line stands for: one team, or the sum over an ally team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    Team(u32),
    Ally(u32),
}

/// Display options shared by every plot.
#[derive(Debug, Clone)]
pub struct ViewOptions {
    pub per_ally: bool,
    pub mode: ValueMode,
    /// 1 for per second, 60 for per minute (applies to rates only).
    pub rate_factor: f32,
    pub rate_suffix: &'static str,
    pub hidden: HashSet<Entity>,
    pub highlighted: Option<Entity>,
    pub dark: bool,
}

#[derive(Debug, Clone)]
pub struct PreparedLine {
    pub entity: Entity,
    pub name: String,
    pub color: Color32,
    pub dashed: bool,
    pub points: Vec<[f64; 2]>,
}

/// Lines shown in the current view: every team, or every ally team.
pub fn entities(store: &Store, per_ally: bool) -> Vec<Entity> {
    if per_ally {
        store.ally_ids().into_iter().map(Entity::Ally).collect()
    } else {
        store.team_ids().into_iter().map(Entity::Team).collect()
    }
}

pub fn entity_name(store: &Store, e: Entity) -> String {
    match e {
        Entity::Team(t) => store
            .teams
            .get(&t)
            .map_or_else(|| format!("Team {t}"), |i| i.name.clone()),
        Entity::Ally(a) => {
            // Named after its players, as casters say it: "Alice & Bob", "Alice +3".
            let members: Vec<&str> = store
                .teams
                .values()
                .filter(|t| t.ally_team_id == a && !t.is_gaia)
                .map(|t| t.name.as_str())
                .collect();
            match members.as_slice() {
                [] => format!("Ally team {}", a + 1),
                [one] => format!("{}: {one}", a + 1),
                [one, two] => format!("{}: {one} & {two}", a + 1),
                [first, rest @ ..] => format!("{}: {first} +{}", a + 1, rest.len()),
            }
        }
    }
}

/// Team colour, or the first member's colour for an ally team; adjusted to stay readable on the theme.
pub fn entity_color(store: &Store, e: Entity, dark: bool) -> Color32 {
    let rgb = match e {
        Entity::Team(t) => store.teams.get(&t).map(|i| i.rgb()),
        Entity::Ally(a) => store
            .teams
            .values()
            .find(|i| i.ally_team_id == a && !i.is_gaia)
            .map(|i| i.rgb()),
    }
    .unwrap_or([160, 160, 160]);
    readable(rgb, dark)
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

/// Values of one entity's metric in the chosen view, scaled for the rate unit.
pub fn entity_values(
    store: &Store,
    e: Entity,
    metric: Metric,
    view: &ViewOptions,
) -> (Vec<f64>, Vec<f32>) {
    let (t, mut v) = match e {
        Entity::Team(id) => store.team_values(id, metric, view.mode),
        Entity::Ally(id) => store.ally_values(id, metric, view.mode),
    };
    let scale = value_scale(metric, view);
    if scale != 1.0 {
        v.iter_mut().for_each(|x| *x *= scale);
    }
    (t, v)
}

/// The factor values are shown with: the rate unit's for rate views, else 1.
fn value_scale(metric: Metric, view: &ViewOptions) -> f32 {
    let is_rate_view = match metric.kind() {
        Kind::Rate | Kind::Counter => view.mode == ValueMode::PerSecond,
        Kind::Level => false,
    };
    if is_rate_view { view.rate_factor } else { 1.0 }
}

fn series_of(e: Entity) -> SeriesOf {
    match e {
        Entity::Team(id) => SeriesOf::Team(id),
        Entity::Ally(id) => SeriesOf::Ally(id),
    }
}

/// [`entity_values`] borrowed from the store's derived-series cache instead of copied.
pub fn with_entity_values<R>(
    store: &Store,
    e: Entity,
    metric: Metric,
    view: &ViewOptions,
    f: impl FnOnce(&[f64], &[f32]) -> R,
) -> R {
    store.with_derived(
        series_of(e),
        metric,
        view.mode,
        value_scale(metric, view),
        f,
    )
}

/// A frame's time for preparing lines. Lines already up to date are copied from the cache; past the
/// deadline the others are drawn from whatever is cached (an older range or fewer samples, or nothing)
/// and the frame is marked incomplete, so the caller asks for another. Every frame brings at least one
/// line up to date, so the lines always catch up.
#[derive(Debug, Clone)]
pub struct PrepBudget {
    deadline: Option<Instant>,
    progressed: bool,
    complete: bool,
}

impl PrepBudget {
    pub fn unlimited() -> PrepBudget {
        PrepBudget {
            deadline: None,
            progressed: false,
            complete: true,
        }
    }

    pub fn until(deadline: Instant) -> PrepBudget {
        PrepBudget {
            deadline: Some(deadline),
            ..PrepBudget::unlimited()
        }
    }

    /// Whether every line prepared under this budget was up to date.
    pub fn complete(&self) -> bool {
        self.complete
    }

    fn out_of_time(&self) -> bool {
        self.progressed && self.deadline.is_some_and(|d| Instant::now() >= d)
    }
}

/// Time for the dashboard's line preparation per frame: the plot frame budget is 4 ms, and the line that
/// crosses the deadline still finishes (an ally team's first k-way merge takes up to ~0.7 ms here).
pub const PREP_BUDGET: Duration = Duration::from_micros(2500);

/// Decimated lines for a set of metrics over `[t0, t1]`, `columns` pixels wide.
/// The second metric of a pair (expense, storage, received) is drawn dashed.
pub fn prepare_lines(
    store: &Store,
    metrics: &[Metric],
    view: &ViewOptions,
    t0: f64,
    t1: f64,
    columns: usize,
) -> Vec<PreparedLine> {
    prepare_lines_within(
        store,
        metrics,
        view,
        (t0, t1),
        columns,
        &mut PrepBudget::unlimited(),
    )
}

/// [`prepare_lines`] within a frame's [`PrepBudget`].
pub fn prepare_lines_within(
    store: &Store,
    metrics: &[Metric],
    view: &ViewOptions,
    range: (f64, f64),
    columns: usize,
    budget: &mut PrepBudget,
) -> Vec<PreparedLine> {
    unfilled_lines(store, metrics, view)
        .into_iter()
        .map(|(m, mut line)| {
            fill_line(store, &mut line, m, view, range, columns, budget);
            line
        })
        .collect()
}

/// The lines of `metrics` (every shown entity × metric), named and coloured, without points yet.
fn unfilled_lines(
    store: &Store,
    metrics: &[Metric],
    view: &ViewOptions,
) -> Vec<(Metric, PreparedLine)> {
    let mut out = Vec::new();
    for e in entities(store, view.per_ally) {
        if view.hidden.contains(&e) {
            continue;
        }
        let name = entity_name(store, e);
        let color = entity_color(store, e, view.dark);
        for (i, &m) in metrics.iter().enumerate() {
            let label = if metrics.len() > 1 {
                format!("{name} — {}", m.label())
            } else {
                name.clone()
            };
            let line = PreparedLine {
                entity: e,
                name: label,
                color,
                dashed: i > 0,
                points: Vec::new(),
            };
            out.push((m, line));
        }
    }
    out
}

/// Fills a line's points: copied when the cache has them up to date, else computed while the budget lasts,
/// else (out of time) whatever the cache last had.
fn fill_line(
    store: &Store,
    line: &mut PreparedLine,
    metric: Metric,
    view: &ViewOptions,
    (t0, t1): (f64, f64),
    columns: usize,
    budget: &mut PrepBudget,
) {
    let (of, scale, mode) = (series_of(line.entity), value_scale(metric, view), view.mode);
    let points = &mut line.points;
    if store.decimated_cached(of, metric, mode, scale, t0, t1, columns, points) == Cached::Current {
        return;
    }
    if budget.out_of_time() {
        budget.complete = false;
    } else {
        store.decimated(of, metric, mode, scale, t0, t1, columns, points);
        budget.progressed = true;
    }
}

/// Every card's lines of [`DASHBOARD`] within `budget`. Lines are brought up to date starting at line
/// `*from_line` (counting through all cards' lines, wrapping around), which is then moved to the first
/// line that ran out of time: under sustained load every line still gets its turn.
pub fn prepare_dashboard(
    store: &Store,
    view: &ViewOptions,
    range: (f64, f64),
    columns: usize,
    budget: &mut PrepBudget,
    from_line: &mut usize,
) -> Vec<Vec<PreparedLine>> {
    let mut cards: Vec<Vec<(Metric, PreparedLine)>> = DASHBOARD
        .iter()
        .map(|card| unfilled_lines(store, card.metrics, view))
        .collect();
    let mut all: Vec<&mut (Metric, PreparedLine)> = cards.iter_mut().flatten().collect();
    let total = all.len();
    let start = if total == 0 { 0 } else { *from_line % total };
    let mut ran_out_at = None;
    for k in 0..total {
        let g = (start + k) % total;
        let (m, line) = &mut *all[g];
        fill_line(store, line, *m, view, range, columns, budget);
        if !budget.complete() && ran_out_at.is_none() {
            ran_out_at = Some(g);
        }
    }
    *from_line = ran_out_at.unwrap_or(start);
    cards
        .into_iter()
        .map(|lines| lines.into_iter().map(|(_, line)| line).collect())
        .collect()
}

/// [`prepare_lines`] without the store's caches (fresh copies, transforms, ally sums and decimation on
/// every call): the same output, kept to check against and for the benchmark's before/after.
#[doc(hidden)]
pub fn prepare_lines_reference(
    store: &Store,
    metrics: &[Metric],
    view: &ViewOptions,
    t0: f64,
    t1: f64,
    columns: usize,
) -> Vec<PreparedLine> {
    unfilled_lines(store, metrics, view)
        .into_iter()
        .map(|(m, mut line)| {
            let (t, v) = entity_values(store, line.entity, m, view);
            decimate_minmax(&t, &v, t0, t1, columns, &mut line.points);
            line
        })
        .collect()
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

/// [`format_value`] for axis ticks, which fall on round numbers: "10k", not "10.0k".
fn format_tick(v: f32) -> String {
    format_value(v).replace(".0k", "k").replace(".00M", "M")
}

/// One plot card on the dashboard.
pub struct PlotCard {
    pub title: &'static str,
    pub metrics: &'static [Metric],
}

pub const DASHBOARD: &[PlotCard] = &[
    PlotCard {
        title: "Metal income vs expense",
        metrics: &[Metric::MetalIncome, Metric::MetalExpense],
    },
    PlotCard {
        title: "Energy income vs expense",
        metrics: &[Metric::EnergyIncome, Metric::EnergyExpense],
    },
    PlotCard {
        title: "Metal stored vs storage",
        metrics: &[Metric::MetalCurrent, Metric::MetalStorage],
    },
    PlotCard {
        title: "Energy stored vs storage",
        metrics: &[Metric::EnergyCurrent, Metric::EnergyStorage],
    },
    PlotCard {
        title: "Units",
        metrics: &[Metric::Units],
    },
    PlotCard {
        title: "Army value (metal)",
        metrics: &[Metric::ArmyValue],
    },
    PlotCard {
        title: "Damage dealt vs received",
        metrics: &[Metric::DamageDealt, Metric::DamageReceived],
    },
    PlotCard {
        title: "Units killed vs lost",
        metrics: &[Metric::UnitsKilled, Metric::UnitsDied],
    },
];

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
}

impl Default for DashboardState {
    fn default() -> Self {
        DashboardState {
            follow: true,
            manual: None,
            prep_from_line: 0,
        }
    }
}

/// Draws the dashboard grid. `end_t` is the newest time to show (live: last update; review: cursor).
pub fn dashboard_ui(
    ui: &mut Ui,
    store: &Store,
    view: &ViewOptions,
    axis: &mut DashboardState,
    end_t: f64,
) {
    let cols = if ui.available_width() > 900.0 { 2 } else { 1 };
    let rows = DASHBOARD.len().div_ceil(cols);
    let spacing = ui.spacing().item_spacing.y;
    let plot_h =
        ((ui.available_height() - rows as f32 * (spacing + 22.0)) / rows as f32).max(120.0);
    // Grid spacing is 8 px; keep a few px spare so the right column's axis labels are not clipped.
    let col_w = (ui.available_width() - (cols as f32 - 1.0) * 8.0 - 6.0) / cols as f32;
    let (t0, t1) = if axis.follow {
        (0.0, end_t.max(60.0))
    } else {
        axis.manual.unwrap_or((0.0, end_t.max(60.0)))
    };
    let mut new_range: Option<(f64, f64)> = None;
    let mut resume_follow = false;
    let mut budget = PrepBudget::until(Instant::now() + PREP_BUDGET);
    let columns = col_w.max(50.0) as usize;
    let all_lines = prepare_dashboard(
        store,
        view,
        (t0, t1.min(end_t)),
        columns,
        &mut budget,
        &mut axis.prep_from_line,
    );
    egui::ScrollArea::vertical().show(ui, |ui| {
        egui::Grid::new("dashboard")
            .num_columns(cols)
            .spacing([8.0, 4.0])
            .show(ui, |ui| {
                for (i, card) in DASHBOARD.iter().enumerate() {
                    ui.vertical(|ui| {
                        ui.set_width(col_w);
                        ui.strong(card.title);
                        let lines = &all_lines[i];
                        match plot_ui(ui, store, view, card, lines, (t0, t1), end_t, plot_h) {
                            Gesture::None => {}
                            Gesture::Moved(range) => new_range = Some(range),
                            Gesture::ResumeFollow => resume_follow = true,
                        }
                    });
                    if i % cols == cols - 1 {
                        ui.end_row();
                    }
                }
            });
    });
    if !budget.complete() {
        // Lines drawn from older data this frame: the next frame continues.
        ui.ctx().request_repaint();
    }
    if resume_follow {
        axis.follow = true;
        axis.manual = None;
    } else if let Some(range) = new_range {
        axis.follow = false;
        axis.manual = Some(range);
    }
}

/// What the user did to a plot's time axis this frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Gesture {
    None,
    Moved((f64, f64)),
    ResumeFollow,
}

/// Shortest time span a zoom can reach, in game seconds.
const MIN_SPAN_S: f64 = 10.0;

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

/// One linked plot. Navigation is ours (drag pans, wheel or pinch zooms, double-click follows live), so
/// every plot applies the same range and "follow live" is never fought by the plot's own bounds.
#[allow(clippy::too_many_arguments)]
fn plot_ui(
    ui: &mut Ui,
    store: &Store,
    view: &ViewOptions,
    card: &PlotCard,
    lines: &[PreparedLine],
    (t0, t1): (f64, f64),
    end_t: f64,
    height: f32,
) -> Gesture {
    let rate = card.metrics[0].kind() != Kind::Level && view.mode == ValueMode::PerSecond;
    let suffix = if rate { view.rate_suffix } else { "" };
    let response = Plot::new(card.title)
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
        .show(ui, |plot_ui| {
            plot_ui.set_plot_bounds_x(t0..=t1);
            plot_ui.set_auto_bounds([false, true]);
            for line in lines {
                let highlighted = view.highlighted == Some(line.entity);
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
            if end_t < t1 && end_t > 0.0 {
                plot_ui.vline(VLine::new("now", end_t).color(Color32::GRAY).width(1.0));
            }
            plot_ui.pointer_coordinate().map(|p| p.x)
        });
    let hover_t = response.inner;
    let r = &response.response;
    if let Some(t) = hover_t.filter(|_| r.hovered()) {
        r.clone()
            .on_hover_ui_at_pointer(|ui| hover_readout_ui(ui, store, view, card, t));
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

/// Grid steps that read well as game time: 10 s … 1 h, with 5 sub-steps per labelled step.
const TIME_STEPS_S: [f64; 10] = [
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

/// Every visible line's value at game time `t`.
fn hover_readout_ui(ui: &mut Ui, store: &Store, view: &ViewOptions, card: &PlotCard, t: f64) {
    ui.strong(format!("{} at {}", card.title, format_game_time(t)));
    egui::Grid::new("hover")
        .num_columns(1 + card.metrics.len())
        .show(ui, |ui| {
            ui.label("");
            for m in card.metrics {
                ui.label(m.label());
            }
            ui.end_row();
            for e in entities(store, view.per_ally) {
                if view.hidden.contains(&e) {
                    continue;
                }
                ui.colored_label(entity_color(store, e, view.dark), entity_name(store, e));
                for &m in card.metrics {
                    let value = with_entity_values(store, e, m, view, |ts, vs| value_at(ts, vs, t));
                    ui.label(value.map_or("–".into(), format_value));
                }
                ui.end_row();
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_lines(a: &[PreparedLine], b: &[PreparedLine]) -> bool {
        let bits = |p: &[[f64; 2]]| {
            p.iter()
                .map(|q| (q[0].to_bits(), q[1].to_bits()))
                .collect::<Vec<_>>()
        };
        a.len() == b.len()
            && a.iter().zip(b).all(|(x, y)| {
                (x.entity, &x.name, x.color, x.dashed) == (y.entity, &y.name, y.color, y.dashed)
                    && bits(&x.points) == bits(&y.points)
            })
    }

    /// Per team, per second, nothing hidden.
    fn team_view() -> ViewOptions {
        ViewOptions {
            per_ally: false,
            mode: ValueMode::PerSecond,
            rate_factor: 1.0,
            rate_suffix: "",
            hidden: HashSet::new(),
            highlighted: None,
            dark: true,
        }
    }

    /// A simulated game of `teams` and the store after its handshake.
    fn sim_store(teams: u32, minutes: f64, seed: u64) -> (bar_live_core::sim::SimGame, Store) {
        let game = bar_live_core::sim::SimGame::new(bar_live_core::sim::SimOptions {
            teams,
            minutes,
            seed,
            ..bar_live_core::sim::SimOptions::default()
        });
        let mut store = Store::new();
        for m in game.handshake() {
            store.ingest(&m);
        }
        (game, store)
    }

    /// The cached preparation gives the lines of the fresh one, frame after frame while data arrives.
    #[test]
    fn prepared_lines_match_the_fresh_computation() {
        let (mut game, mut store) = sim_store(5, 5.0, 11);
        let mut views = Vec::new();
        for per_ally in [false, true] {
            for mode in [ValueMode::PerSecond, ValueMode::Cumulative] {
                for rate_factor in [1.0, 60.0] {
                    views.push(ViewOptions {
                        per_ally,
                        mode,
                        rate_factor,
                        rate_suffix: "",
                        hidden: HashSet::from([Entity::Team(1), Entity::Ally(1)]),
                        highlighted: None,
                        dark: true,
                    });
                }
            }
        }
        let mut steps = 0;
        while !game.finished() {
            for m in game.step() {
                store.ingest(&m);
            }
            steps += 1;
            if steps % 45 != 1 {
                continue;
            }
            let end = store.last_game_seconds;
            for view in &views {
                for card in DASHBOARD {
                    for (t0, t1, columns) in [(0.0, end.max(60.0), 300), (end / 2.0, end, 20)] {
                        // Twice: the second call is served from the cache.
                        for _ in 0..2 {
                            let fast = prepare_lines(&store, card.metrics, view, t0, t1, columns);
                            let fresh = prepare_lines_reference(
                                &store,
                                card.metrics,
                                view,
                                t0,
                                t1,
                                columns,
                            );
                            assert!(same_lines(&fast, &fresh), "{} at {end}", card.title);
                        }
                    }
                }
            }
        }
    }

    /// Out of time, a frame draws what is cached and asks for another; every frame computes at least one
    /// line, so the dashboard catches up (one line per frame at worst), ending with the fresh lines.
    #[test]
    fn frames_out_of_time_catch_up() {
        let (mut game, mut store) = sim_store(4, 4.0, 9);
        for _ in 0..200 {
            for m in game.step() {
                store.ingest(&m);
            }
        }
        let view = team_view();
        let lines_per_frame: usize = DASHBOARD.iter().map(|c| c.metrics.len() * 4).sum();
        // Every frame's deadline has passed before it starts.
        let frame = |store: &Store, end: f64| {
            let mut budget = PrepBudget::until(Instant::now());
            let lines: Vec<Vec<PreparedLine>> = DASHBOARD
                .iter()
                .map(|c| prepare_lines_within(store, c.metrics, &view, (0.0, end), 60, &mut budget))
                .collect();
            (lines, budget.complete())
        };
        let fresh = |store: &Store, end: f64| -> Vec<Vec<PreparedLine>> {
            DASHBOARD
                .iter()
                .map(|c| prepare_lines_reference(store, c.metrics, &view, 0.0, end, 60))
                .collect()
        };
        let same = |a: &[Vec<PreparedLine>], b: &[Vec<PreparedLine>]| {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_lines(x, y))
        };
        for round in 0..3 {
            let end = store.last_game_seconds;
            let mut frames = 0;
            loop {
                frames += 1;
                let (lines, complete) = frame(&store, end);
                if complete {
                    assert!(same(&lines, &fresh(&store, end)), "round {round}");
                    break;
                }
                assert!(frames <= lines_per_frame, "round {round}: no progress");
            }
            // Cold: one line per frame; after one update: the lines catch up again.
            assert!(frames > 1, "round {round}: {frames} frames");
            for m in game.step() {
                store.ingest(&m);
            }
        }
        // With time to spare, a frame is complete at once.
        let end = store.last_game_seconds;
        let mut budget = PrepBudget::until(Instant::now() + Duration::from_secs(60));
        for c in DASHBOARD {
            prepare_lines_within(&store, c.metrics, &view, (0.0, end), 60, &mut budget);
        }
        assert!(budget.complete());
    }

    /// Under sustained load (new data every frame, no time to spare) every line still gets its turn: the
    /// line that ran out of time goes first next frame, so no card keeps drawing old data.
    #[test]
    fn every_line_gets_its_turn_under_load() {
        let (mut game, mut store) = sim_store(3, 10.0, 5);
        let view = team_view();
        for _ in 0..100 {
            for m in game.step() {
                store.ingest(&m);
            }
        }
        let mut from_line = 0;
        let warm_end = store.last_game_seconds;
        let frame = |store: &Store, budget: &mut PrepBudget, from_line: &mut usize| {
            let range = (0.0, store.last_game_seconds);
            prepare_dashboard(store, &view, range, 80, budget, from_line)
        };
        let mut budget = PrepBudget::unlimited();
        frame(&store, &mut budget, &mut from_line);
        assert!(budget.complete());
        let newest = |l: &PreparedLine| l.points.last().map_or(f64::NEG_INFINITY, |p| p[0]);
        // At worst one line per frame is brought up to date: one round through all of them.
        let total: usize = DASHBOARD
            .iter()
            .map(|c| unfilled_lines(&store, c.metrics, &view).len())
            .sum();
        let mut updated = vec![false; total];
        for _ in 0..total {
            for m in game.step() {
                store.ingest(&m);
            }
            let mut budget = PrepBudget::until(Instant::now());
            let lines = frame(&store, &mut budget, &mut from_line);
            assert!(!budget.complete());
            for (seen, l) in updated.iter_mut().zip(lines.iter().flatten()) {
                *seen |= newest(l) > warm_end;
            }
        }
        assert_eq!(updated, vec![true; total]);
    }

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
    fn ally_teams_are_named_after_their_players() {
        let mut store = Store::new();
        let team = |id: u32, ally: u32, name: &str, gaia: bool| bar_live_core::protocol::TeamInfo {
            team_id: id,
            ally_team_id: ally,
            name: name.into(),
            color: "#ff0000".into(),
            is_ai: false,
            side: "armada".into(),
            is_gaia: gaia,
        };
        for (id, ally, name, gaia) in [
            (0, 0, "Alice", false),
            (1, 0, "Bob", false),
            (2, 1, "Carol", false),
            (3, 2, "Dan", false),
            (4, 2, "Eve", false),
            (5, 2, "Fay", false),
            (6, 3, "Gaia", true),
        ] {
            store.teams.insert(id, team(id, ally, name, gaia));
        }
        let name = |a| entity_name(&store, Entity::Ally(a));
        assert_eq!(name(0), "1: Alice & Bob");
        assert_eq!(name(1), "2: Carol");
        assert_eq!(name(2), "3: Dan +2");
        assert_eq!(name(3), "Ally team 4");
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
}
