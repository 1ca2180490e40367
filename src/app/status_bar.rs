//! The status bar (link, game, widget health, recording) and the notices above the tabs.

use egui::{Color32, Ui};

use bar_live_core::live::{LinkState, Session};
use bar_live_core::recording::summary::format_game_time;

const WARN: Color32 = Color32::from_rgb(230, 160, 40);
const ERROR: Color32 = Color32::from_rgb(220, 60, 60);
const OK: Color32 = Color32::from_rgb(60, 200, 90);

/// Things to tell the user: notices stay until dismissed; the status line shows the latest event.
#[derive(Debug, Default)]
pub struct Messages {
    pub notices: Vec<String>,
    pub status: Option<String>,
}

pub fn notices_ui(ui: &mut Ui, messages: &mut Messages) {
    let mut dismiss = None;
    for (i, n) in messages.notices.iter().enumerate() {
        ui.horizontal(|ui| {
            ui.colored_label(WARN, format!("⚠ {n}"));
            if ui.small_button("Dismiss").clicked() {
                dismiss = Some(i);
            }
        });
    }
    if let Some(i) = dismiss {
        messages.notices.remove(i);
    }
}

pub fn status_bar_ui(ui: &mut Ui, s: &Session, auto_record: bool, messages: &Messages) {
    ui.horizontal_wrapped(|ui| {
        link_ui(ui, s);
        game_ui(ui, s);
        widget_health_ui(ui, s);
        if s.link.errors_total > 0 {
            ui.separator();
            let list = s.link.errors.iter().cloned().collect::<Vec<_>>().join("\n");
            ui.colored_label(ERROR, format!("{} protocol errors", s.link.errors_total))
                .on_hover_text(list);
        }
        if let Some(d) = s.link.last_disconnect.as_ref().filter(|_| !s.connected()) {
            ui.separator();
            ui.label(format!("last disconnect: {d}"));
        }
        ui.separator();
        recording_ui(ui, s, auto_record);
        if let Some(msg) = &messages.status {
            ui.separator();
            ui.label(msg);
        }
    });
}

fn link_ui(ui: &mut Ui, s: &Session) {
    let (dot, text) = match &s.link.state {
        LinkState::Starting => (Color32::GRAY, "starting…".to_owned()),
        LinkState::Listening { addr } => (
            Color32::from_rgb(230, 180, 40),
            format!("listening on {addr} — waiting for the widget"),
        ),
        LinkState::ListenFailed { addr, error } => {
            (ERROR, format!("cannot listen on {addr}: {error}"))
        }
        LinkState::Connected { peer, .. } => {
            let w = s.store.hello.as_ref().map_or("widget".to_owned(), |h| {
                format!("{} v{}", h.widget.name, h.widget.version)
            });
            (OK, format!("connected to {w} ({peer})"))
        }
    };
    status_dot_ui(ui, dot);
    ui.label(text);
}

fn game_ui(ui: &mut Ui, s: &Session) {
    if let Some(h) = &s.store.hello {
        ui.separator();
        let role = match (h.game.spectating, h.game.full_view) {
            (true, true) => "spectator (full view)",
            (true, false) => "spectator",
            _ => "player",
        };
        ui.label(format!("{} · {role}", h.game.map_name));
        // The game time shown is the delayed one while the tournament switch is on.
        let shown = s.shown_store();
        ui.label(format!(
            "game {}",
            format_game_time(shown.last_game_seconds)
        ));
        if shown.paused && s.delayed.is_none() {
            ui.colored_label(Color32::from_rgb(230, 180, 40), "paused");
        }
    }
    if let Some(at) = s.link.last_message_at.filter(|_| s.connected()) {
        ui.separator();
        let age = at.elapsed().as_secs_f32();
        let color = if age > 5.0 {
            Color32::from_rgb(230, 120, 40)
        } else {
            ui.visuals().text_color()
        };
        ui.colored_label(color, format!("last message {age:.0} s ago"));
    }
}

fn widget_health_ui(ui: &mut Ui, s: &Session) {
    let Some(w) = &s.store.widget_stats else {
        return;
    };
    ui.separator();
    let color = if w.drops > 0 || w.queue_depth > 10 {
        Color32::from_rgb(230, 120, 40)
    } else {
        ui.visuals().text_color()
    };
    ui.colored_label(
        color,
        format!(
            "widget: {:.1} KB/s, queue {}, drops {}, reconnects {}",
            w.bytes_per_sec / 1024.0,
            w.queue_depth,
            w.drops,
            w.reconnects
        ),
    )
    .on_hover_text(format!(
        "collect {:.2} ms, encode {:.2} ms, send {:.2} ms per update",
        w.collect_ms, w.encode_ms, w.send_ms
    ));
}

fn recording_ui(ui: &mut Ui, s: &Session, auto_record: bool) {
    let rec = &s.recording;
    match (&rec.current, &rec.error) {
        (_, Some(e)) => {
            let short: String = e.chars().take(90).collect();
            ui.colored_label(ERROR, format!("recording stopped: {short}"))
                .on_hover_text(e);
        }
        (Some(path), None) => {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            ui.colored_label(ERROR, "⏺")
                .on_hover_text(format!("recording to {name}"));
            ui.label(format!("rec {} frames", rec.frames));
        }
        (None, None) => {
            ui.label(if auto_record {
                "auto-record on"
            } else {
                "auto-record off"
            });
        }
    }
}

/// A small filled circle (the default fonts have no reliable bullet glyph).
pub fn status_dot_ui(ui: &mut Ui, color: Color32) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
    ui.painter().circle_filled(rect.center(), 4.5, color);
}
