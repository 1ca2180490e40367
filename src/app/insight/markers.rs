//! Milestone markers: faint vertical lines on the dashboard's time axis (hover for details, click to
//! jump there) and small ticks under the review timeline.

use egui::{Color32, Pos2, Rect, Response, Stroke, Ui};
use egui_plot::{LineStyle, PlotTransform, PlotUi, VLine};

use crate::app::plots::{ViewOptions, series_color};
use bar_live_core::game::{Milestone, MilestoneKind};
use bar_live_core::recording::summary::format_game_time;
use bar_live_core::store::{SeriesOf, Store};

/// One milestone, ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub t: f64,
    pub kind: MilestoneKind,
    pub team: Option<u32>,
    pub color: Color32,
    /// "First T2 factory — Alice".
    pub text: String,
}

/// Pixels either side of a marker that count as hovering it.
const HIT_PX: f32 = 4.0;

/// The store's milestones up to `end_t`, except those of hidden series.
pub fn markers(store: &Store, view: &ViewOptions, end_t: f64) -> Vec<Marker> {
    store
        .milestones()
        .iter()
        .filter(|m| m.game_seconds <= end_t && !hidden(store, view, m))
        .map(|m| marker(store, view, m))
        .collect()
}

fn hidden(store: &Store, view: &ViewOptions, m: &Milestone) -> bool {
    let Some(team) = m.team_id else {
        return false;
    };
    let of = if view.per_ally {
        match store.ally_of(team) {
            Some(a) => SeriesOf::Ally(a),
            None => return false,
        }
    } else {
        SeriesOf::Team(team)
    };
    view.hidden.contains(&of)
}

pub fn marker(store: &Store, view: &ViewOptions, m: &Milestone) -> Marker {
    let (color, text) = match m.team_id {
        Some(team) => (
            series_color(store, SeriesOf::Team(team), view.dark),
            format!(
                "{} — {}",
                m.kind.label(),
                store.series_name(SeriesOf::Team(team))
            ),
        ),
        None => (Color32::GRAY, m.kind.label().to_owned()),
    };
    Marker {
        t: m.game_seconds,
        kind: m.kind,
        team: m.team_id,
        color,
        text,
    }
}

/// Draws the markers inside `[t0, t1]` as faint dotted lines.
pub fn draw_in_plot(plot_ui: &mut PlotUi<'_>, markers: &[Marker], (t0, t1): (f64, f64)) {
    for m in markers.iter().filter(|m| m.t >= t0 && m.t <= t1) {
        plot_ui.vline(
            VLine::new("", m.t)
                .color(m.color.gamma_multiply(0.4))
                .width(1.0)
                .style(LineStyle::dotted_loose())
                .allow_hover(false),
        );
    }
}

/// The markers within a few pixels of the pointer (several can share a time).
pub fn hovered<'m>(
    markers: &'m [Marker],
    transform: &PlotTransform,
    pointer: Option<Pos2>,
) -> Vec<&'m Marker> {
    let Some(p) = pointer else {
        return Vec::new();
    };
    let frame = transform.frame();
    if !frame.contains(p) {
        return Vec::new();
    }
    markers
        .iter()
        .filter(|m| {
            let x = transform.position_from_point_x(m.t);
            (x - p.x).abs() <= HIT_PX && x >= frame.left() && x <= frame.right()
        })
        .collect()
}

/// The tooltip for hovered markers.
pub fn tooltip_ui(ui: &mut Ui, hovered: &[&Marker]) {
    for m in hovered {
        ui.horizontal(|ui| {
            crate::app::status_bar::status_dot_ui(ui, m.color);
            ui.label(format!("{}  {}", format_game_time(m.t), m.text));
        });
    }
    ui.weak("Click to jump there");
}

/// Ticks under a timeline slider (`rect`: the slider's rect, `end_t`: its right end). Returns the time
/// of a clicked tick.
pub fn timeline_ui(ui: &mut Ui, slider: &Response, markers: &[Marker], end_t: f64) -> Option<f64> {
    let rect = slider.rect;
    let strip = Rect::from_min_max(
        Pos2::new(rect.left(), rect.bottom() + 1.0),
        Pos2::new(rect.right(), rect.bottom() + 9.0),
    );
    let response = ui.allocate_rect(strip, egui::Sense::click());
    if end_t <= 0.0 {
        return None;
    }
    let x_of = |t: f64| strip.left() + (t / end_t).clamp(0.0, 1.0) as f32 * strip.width();
    let painter = ui.painter_at(strip.expand(1.0));
    for m in markers {
        let x = x_of(m.t);
        painter.line_segment(
            [Pos2::new(x, strip.top()), Pos2::new(x, strip.bottom())],
            Stroke::new(2.0, m.color),
        );
    }
    let near: Vec<&Marker> = response
        .hover_pos()
        .map(|p| {
            markers
                .iter()
                .filter(|m| (x_of(m.t) - p.x).abs() <= HIT_PX)
                .collect()
        })
        .unwrap_or_default();
    if near.is_empty() {
        return None;
    }
    let clicked = response.clicked();
    response.on_hover_ui(|ui| tooltip_ui(ui, &near));
    clicked.then(|| near[0].t)
}
