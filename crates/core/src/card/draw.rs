//! Drawing a [`CardData`] into a 1200×630 pixmap.

use tiny_skia::{Color, FillRule, Paint, PathBuilder, Pixmap, Rect, Stroke, Transform};

use super::text::{Fonts, Weight};
use super::{CardData, CardGraph, CardMark, CardTeam};
use crate::recording::summary::format_game_time;

pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 630;

const BACKGROUND: [u8; 3] = [18, 21, 27];
const PANEL: [u8; 3] = [28, 32, 40];
const TEXT: [u8; 3] = [235, 238, 242];
const WEAK: [u8; 3] = [150, 158, 170];
const GRID: [u8; 3] = [52, 58, 70];
const GOLD: [u8; 3] = [240, 190, 60];

const MARGIN: f32 = 36.0;
/// The teams' panel: left side; the graphs: right side.
const TEAMS_W: f32 = 560.0;
const TOP: f32 = 128.0;

fn paint(rgb: [u8; 3]) -> Paint<'static> {
    let mut p = Paint::default();
    p.set_color_rgba8(rgb[0], rgb[1], rgb[2], 255);
    p.anti_alias = true;
    p
}

fn fill_rect(pm: &mut Pixmap, x: f32, y: f32, w: f32, h: f32, rgb: [u8; 3]) {
    if let Some(r) = Rect::from_xywh(x, y, w, h) {
        pm.fill_rect(r, &paint(rgb), Transform::identity(), None);
    }
}

fn line(pm: &mut Pixmap, pts: &[(f32, f32)], rgb: [u8; 3], width: f32) {
    let mut pb = PathBuilder::new();
    let Some(&(x0, y0)) = pts.first() else {
        return;
    };
    pb.move_to(x0, y0);
    for &(x, y) in &pts[1..] {
        pb.line_to(x, y);
    }
    if let Some(path) = pb.finish() {
        let stroke = Stroke {
            width,
            ..Stroke::default()
        };
        pm.stroke_path(&path, &paint(rgb), &stroke, Transform::identity(), None);
    }
}

fn dot(pm: &mut Pixmap, x: f32, y: f32, r: f32, rgb: [u8; 3]) {
    if let Some(path) = PathBuilder::from_circle(x, y, r) {
        pm.fill_path(
            &path,
            &paint(rgb),
            FillRule::Winding,
            Transform::identity(),
            None,
        );
    }
}

/// 1234 → "1.2k", 2_500_000 → "2.5M".
fn short_number(v: Option<f64>) -> String {
    match v {
        None => "–".into(),
        Some(v) if v.abs() >= 1e6 => format!("{:.1}M", v / 1e6),
        Some(v) if v.abs() >= 1e4 => format!("{:.0}k", v / 1e3),
        Some(v) if v.abs() >= 1e3 => format!("{:.1}k", v / 1e3),
        Some(v) => format!("{v:.0}"),
    }
}

/// Draws `card` with `fonts`; the PNG bytes.
pub fn render(card: &CardData, fonts: &Fonts<'_>) -> anyhow::Result<Vec<u8>> {
    let mut pm = Pixmap::new(WIDTH, HEIGHT).ok_or_else(|| anyhow::anyhow!("no pixmap"))?;
    pm.fill(Color::from_rgba8(
        BACKGROUND[0],
        BACKGROUND[1],
        BACKGROUND[2],
        255,
    ));
    header(&mut pm, card, fonts);
    teams(&mut pm, &card.teams, fonts);
    let gx = MARGIN + TEAMS_W + 28.0;
    let gw = WIDTH as f32 - MARGIN - gx;
    let gh = (HEIGHT as f32 - TOP - MARGIN - 20.0) / 2.0;
    for (i, g) in card.graphs.iter().take(2).enumerate() {
        let gy = TOP + i as f32 * (gh + 20.0);
        graph(
            &mut pm,
            g,
            &card.marks,
            card.game_seconds,
            (gx, gy, gw, gh),
            fonts,
        );
    }
    fonts.draw(
        &mut pm,
        "bar-live",
        WIDTH as f32 - MARGIN - fonts.width("bar-live", 16.0, Weight::Bold),
        HEIGHT as f32 - 12.0,
        16.0,
        Weight::Bold,
        WEAK,
    );
    pm.encode_png().map_err(|e| anyhow::anyhow!("PNG: {e}"))
}

fn header(pm: &mut Pixmap, card: &CardData, fonts: &Fonts<'_>) {
    let max = WIDTH as f32 - 2.0 * MARGIN;
    let map = fonts.fit(&card.map, 40.0, Weight::Bold, max);
    fonts.draw(pm, &map, MARGIN, 70.0, 40.0, Weight::Bold, TEXT);
    let sub = fonts.fit(&card.subtitle(), 22.0, Weight::Regular, max);
    fonts.draw(pm, &sub, MARGIN, 106.0, 22.0, Weight::Regular, WEAK);
}

fn teams(pm: &mut Pixmap, teams: &[CardTeam], fonts: &Fonts<'_>) {
    let (x, y, w) = (MARGIN, TOP, TEAMS_W);
    let h = HEIGHT as f32 - TOP - MARGIN;
    fill_rect(pm, x, y, w, h, PANEL);
    let cols = [
        ("Metal produced", x + 300.0),
        ("Damage dealt", x + 400.0),
        ("Units killed", x + 490.0),
    ];
    for (label, cx) in cols {
        let words: Vec<&str> = label.split(' ').collect();
        for (k, word) in words.iter().enumerate() {
            fonts.draw(
                pm,
                word,
                cx,
                y + 24.0 + 15.0 * k as f32,
                13.0,
                Weight::Regular,
                WEAK,
            );
        }
    }
    if teams.iter().any(|t| t.won) {
        dot(pm, x + 18.0, y + h - 16.0, 5.0, GOLD);
        fonts.draw(
            pm,
            "won",
            x + 28.0,
            y + h - 11.0,
            13.0,
            Weight::Regular,
            WEAK,
        );
    }
    let n = teams.len().max(1) as f32;
    let row_h = ((h - 80.0) / n).min(46.0);
    let px = (row_h * 0.5).clamp(11.0, 21.0);
    for (i, t) in teams.iter().enumerate() {
        let ry = y + 52.0 + i as f32 * row_h;
        let base = ry + row_h * 0.5 + px * 0.36;
        if i % 2 == 1 {
            fill_rect(pm, x, ry, w, row_h, [32, 37, 46]);
        }
        fill_rect(pm, x + 12.0, ry + row_h * 0.2, 6.0, row_h * 0.6, t.rgb);
        let mut name_x = x + 28.0;
        if t.won {
            dot(pm, name_x + 6.0, base - px * 0.35, px * 0.3, GOLD);
            name_x += 18.0;
        }
        let name = fonts.fit(&t.name, px, Weight::Bold, cols[0].1 - name_x - 10.0);
        fonts.draw(pm, &name, name_x, base, px, Weight::Bold, lighten(t.rgb));
        for (v, (_, cx)) in [t.metal_produced, t.damage_dealt, t.units_killed]
            .into_iter()
            .zip(cols)
        {
            fonts.draw(
                pm,
                &short_number(v),
                cx,
                base,
                px * 0.9,
                Weight::Regular,
                TEXT,
            );
        }
    }
}

/// A colour readable on the dark panel: very dark team colours are lifted.
fn lighten(rgb: [u8; 3]) -> [u8; 3] {
    let luma = 0.3 * f32::from(rgb[0]) + 0.59 * f32::from(rgb[1]) + 0.11 * f32::from(rgb[2]);
    if luma >= 90.0 {
        return rgb;
    }
    rgb.map(|c| (f32::from(c) + (255.0 - f32::from(c)) * 0.45) as u8)
}

fn graph(
    pm: &mut Pixmap,
    g: &CardGraph,
    marks: &[CardMark],
    end_t: f64,
    (x, y, w, h): (f32, f32, f32, f32),
    fonts: &Fonts<'_>,
) {
    fill_rect(pm, x, y, w, h, PANEL);
    fonts.draw(pm, &g.title, x + 12.0, y + 24.0, 16.0, Weight::Bold, TEXT);
    let (px0, py0, pw, ph) = (x + 12.0, y + 36.0, w - 24.0, h - 58.0);
    let t_max = end_t.max(
        g.lines
            .iter()
            .flat_map(|l| l.points.last())
            .map(|p| p.0)
            .fold(1.0, f64::max),
    );
    let v_max = g
        .lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.1))
        .fold(0.0, f64::max)
        .max(1e-9);
    for k in 0..=2 {
        let gy = py0 + ph * k as f32 / 2.0;
        line(pm, &[(px0, gy), (px0 + pw, gy)], GRID, 1.0);
    }
    fonts.draw(
        pm,
        &short_number(Some(v_max)),
        px0 + 2.0,
        py0 - 3.0,
        12.0,
        Weight::Regular,
        WEAK,
    );
    let to_xy = |(t, v): (f64, f64)| {
        (
            px0 + (t / t_max) as f32 * pw,
            py0 + ph - (v / v_max) as f32 * ph,
        )
    };
    for m in marks {
        let mx = px0 + (m.game_seconds / t_max) as f32 * pw;
        line(
            pm,
            &[(mx, py0), (mx, py0 + ph)],
            [m.rgb[0] / 2, m.rgb[1] / 2, m.rgb[2] / 2],
            1.0,
        );
    }
    for l in &g.lines {
        let pts: Vec<(f32, f32)> = l.points.iter().copied().map(to_xy).collect();
        line(pm, &pts, l.rgb, 2.0);
    }
    // Milestone labels along the top of the plot, each in its team's colour, on the first of three
    // rows where it does not overlap the one before (else left out; its line stays).
    let mut row_end = [f32::NEG_INFINITY; 3];
    for m in marks {
        let mx = px0 + (m.game_seconds / t_max) as f32 * pw + 2.0;
        let w = fonts.width(&m.label, 11.0, Weight::Bold);
        if let Some(row) = row_end.iter().position(|&end| mx > end + 3.0) {
            let y = py0 + 12.0 + 13.0 * row as f32;
            fonts.draw(pm, &m.label, mx, y, 11.0, Weight::Bold, lighten(m.rgb));
            row_end[row] = mx + w;
        }
    }
    let axis_y = py0 + ph + 16.0;
    fonts.draw(pm, "0:00", px0, axis_y, 12.0, Weight::Regular, WEAK);
    let end = format_game_time(t_max);
    let ew = fonts.width(&end, 12.0, Weight::Regular);
    fonts.draw(pm, &end, px0 + pw - ew, axis_y, 12.0, Weight::Regular, WEAK);
}
