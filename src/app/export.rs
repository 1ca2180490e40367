//! Export of the visible series to CSV, and of the plot area to PNG (`<data dir>/exports/`).

use std::fmt::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex};

use egui::Ui;

use super::Paths;

use super::plots::{ViewOptions, dashboard_for, with_series_values};
use bar_live_core::store::{SeriesOf, Store};

/// The export buttons' state: where the dashboard was drawn (for PNG) and the last export's outcome
/// (written by the screenshot callback, which runs later).
#[derive(Debug, Default)]
pub struct Exports {
    pub dashboard_rect: Option<egui::Rect>,
    result: Arc<Mutex<Option<String>>>,
    /// The CJK fallback fonts (for names on the post-game card), once found.
    pub fallbacks: Vec<super::fonts::FallbackFont>,
}

impl Exports {
    /// The outcome of an export finished since the last call.
    pub fn take_result(&self) -> Option<String> {
        self.result.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    fn set_result(&self, message: String) {
        *self.result.lock().unwrap_or_else(|p| p.into_inner()) = Some(message);
    }
}

pub fn export_buttons_ui(
    ui: &mut Ui,
    exports: &mut Exports,
    store: &Store,
    view: &ViewOptions,
    end_t: f64,
    paths: &Paths,
) {
    let dir = paths.data_dir.join("exports");
    let stamp = bar_live_core::time::utc_stamp(bar_live_core::time::unix_ms());
    if ui
        .button("Export CSV")
        .on_hover_text("The visible series, one column per team and metric")
        .clicked()
    {
        let path = dir.join(format!("{stamp}.csv"));
        let result = std::fs::create_dir_all(&dir)
            .and_then(|_| std::fs::write(&path, csv(store, view, end_t)));
        exports.set_result(match result {
            Ok(()) => format!("CSV saved to {}", path.display()),
            Err(e) => format!("CSV export failed: {e}"),
        });
    }
    if ui
        .button("Export PNG")
        .on_hover_text("The plot area as an image")
        .clicked()
        && let Some(rect) = exports.dashboard_rect
    {
        let path = dir.join(format!("{stamp}.png"));
        let ppp = ui.ctx().pixels_per_point();
        let result = Arc::clone(&exports.result);
        let _ = std::fs::create_dir_all(&dir);
        let ctx = ui.ctx().clone();
        ui.ctx().request_screenshot(move |image| {
            let msg = match save_png(&image, rect, ppp, &path) {
                Ok(()) => format!("PNG saved to {}", path.display()),
                Err(e) => format!("PNG export failed: {e:#}"),
            };
            *result.lock().unwrap_or_else(|p| p.into_inner()) = Some(msg);
            ctx.request_repaint();
        });
    }
}

/// "Save card": the post-game card of the game in `store` (bar_live_core::card), rendered and written
/// to `<data dir>/exports/` on a thread of its own; the outcome shows like an export's.
pub fn save_card_button_ui(ui: &mut Ui, exports: &Exports, store: &Store, paths: &Paths) {
    if !ui
        .button("Save card")
        .on_hover_text("A 1200×630 picture of this game to share (Discord, social sites)")
        .clicked()
    {
        return;
    }
    let card = bar_live_core::card::CardData::from_store(
        store,
        bar_live_core::card::winners_of(store).as_deref(),
        0,
    );
    let stamp = bar_live_core::time::utc_stamp(bar_live_core::time::unix_ms());
    let path = paths
        .data_dir
        .join("exports")
        .join(format!("{stamp}-card.png"));
    let fonts = exports.fallbacks.clone();
    let result = Arc::clone(&exports.result);
    let ctx = ui.ctx().clone();
    let spawned = std::thread::Builder::new()
        .name("bar-live-card".into())
        .spawn(move || {
            let faces: Vec<(&[u8], u32)> = fonts
                .iter()
                .map(|f| ((*f.data.font).as_ref(), f.data.index))
                .collect();
            let fonts = bar_live_core::card::text::Fonts::new(&faces);
            let written = bar_live_core::card::render(&card, &fonts)
                .and_then(|png| bar_live_core::cli::card::write_atomically(&path, &png));
            let msg = match written {
                Ok(()) => format!("Card saved to {}", path.display()),
                Err(e) => format!("Card not saved: {e:#}"),
            };
            *result.lock().unwrap_or_else(|p| p.into_inner()) = Some(msg);
            ctx.request_repaint();
        });
    if let Err(e) = spawned {
        exports.set_result(format!("Card not saved: cannot start a thread: {e}"));
    }
}

/// One row per sample time, one column per (series, metric) of the dashboard, up to `end_t`; the last
/// column lists the milestones since the previous row (`kind team; kind team`, docs/INSIGHT.md).
pub fn csv(store: &Store, view: &ViewOptions, end_t: f64) -> String {
    let visible: Vec<SeriesOf> = store
        .series_list(view.per_ally)
        .into_iter()
        .filter(|e| !view.hidden.contains(e))
        .collect();
    let mut columns = Vec::new();
    let mut header = String::from("game_seconds");
    for card in dashboard_for(store) {
        for &m in card.metrics {
            for &e in &visible {
                let name = store.series_name(e).replace([',', '"', '\n'], " ");
                let _ = write!(header, ",{name} {}", m.key());
                columns.push(with_series_values(store, e, m, view, |t, v| {
                    (t.to_vec(), v.to_vec())
                }));
            }
        }
    }
    let mut times: Vec<f64> = columns
        .iter()
        .flat_map(|(t, _)| t.iter().copied())
        .filter(|&t| t <= end_t)
        .collect();
    times.sort_by(f64::total_cmp);
    times.dedup();
    header.push_str(",milestones");
    let milestones = store.milestones();
    let mut next_milestone = 0;
    let mut out = header;
    out.push('\n');
    let mut idx = vec![0usize; columns.len()];
    let last_t = times.last().copied();
    for t in times {
        let _ = write!(out, "{t}");
        for ((ts, vs), i) in columns.iter().zip(idx.iter_mut()) {
            out.push(',');
            if ts.get(*i) == Some(&t) {
                if !vs[*i].is_nan() {
                    let _ = write!(out, "{}", vs[*i]);
                }
                *i += 1;
            }
        }
        out.push(',');
        let mut first = true;
        while let Some(m) = milestones.get(next_milestone) {
            // Milestones after the last row (a game_over event) go in the last row.
            if m.game_seconds > t && Some(t) != last_t || m.game_seconds > end_t {
                break;
            }
            next_milestone += 1;
            if !first {
                out.push_str("; ");
            }
            first = false;
            out.push_str(m.kind.key());
            if let Some(team) = m.team_id {
                let name = store.series_name(SeriesOf::Team(team));
                let _ = write!(out, " {}", name.replace([',', '"', '\n', ';'], " "));
            }
        }
        out.push('\n');
    }
    out
}

/// Saves an egui screenshot, cropped to `rect` (in points), as PNG.
pub fn save_png(
    image: &egui::ColorImage,
    rect: egui::Rect,
    pixels_per_point: f32,
    path: &Path,
) -> anyhow::Result<()> {
    let crop = image.region(&rect, Some(pixels_per_point));
    let [w, h] = crop.size;
    let bytes: Vec<u8> = crop.pixels.iter().flat_map(|c| c.to_array()).collect();
    let img = image::RgbaImage::from_raw(w as u32, h as u32, bytes)
        .ok_or_else(|| anyhow::anyhow!("screenshot has an unexpected size"))?;
    img.save(path)
        .map_err(|e| anyhow::anyhow!("cannot save {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bar_live_core::sim::{SimGame, SimOptions};
    use bar_live_core::store::ValueMode;

    #[test]
    fn csv_has_header_rows_and_respects_hidden_and_end() {
        let mut g = SimGame::new(SimOptions {
            teams: 2,
            minutes: 2.0,
            ..Default::default()
        });
        let mut store = Store::new();
        for m in g.handshake() {
            store.ingest(&m);
        }
        while !g.finished() {
            for m in g.step() {
                store.ingest(&m);
            }
        }
        let mut view = ViewOptions {
            per_ally: false,
            mode: ValueMode::PerSecond,
            rate_factor: 1.0,
            rate_suffix: "/s",
            hidden: Default::default(),
            highlighted: None,
            dark: true,
        };
        let text = csv(&store, &view, 30.0);
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[0].starts_with("game_seconds,Alice metal_income,Bob metal_income"),
            "{}",
            lines[0]
        );
        assert_eq!(lines.len(), 1 + 60, "two samples per second up to 30 s");
        let cols = lines[0].split(',').count();
        assert!(lines[1..].iter().all(|l| l.split(',').count() == cols));
        let last = lines.last().unwrap();
        assert!(last.ends_with(","), "no milestone at 30 s: {last}");
        let full = csv(&store, &view, f64::INFINITY);
        let full_lines: Vec<&str> = full.lines().collect();
        assert!(lines[0].ends_with(",milestones"));
        assert!(
            full_lines.last().unwrap().ends_with(",game_over"),
            "{}",
            full_lines.last().unwrap()
        );
        let factories = full.matches("first_factory ").count();
        assert_eq!(
            factories, 2,
            "both teams place a first factory within a minute"
        );
        view.hidden.insert(SeriesOf::Team(1));
        assert!(
            !csv(&store, &view, 30.0)
                .lines()
                .next()
                .unwrap()
                .contains("Bob")
        );
    }
}
