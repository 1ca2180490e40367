//! The Settings tab's "Widget in the game" section: every setting a player can change with `/livedata`,
//! edited in the draft, and beside each the value in force in the widget (from its `config_ack` or
//! hello). Streaming on/off acts at once; a new address moves the widget with the app.

use std::fmt::Display;

use egui::{Color32, RichText, Ui};

use super::Request;
use super::settings::Settings;
use super::status_bar::status_dot_ui;
use super::widget_settings::listen_port;
use bar_live_core::live::{MOVE_TIMEOUT, MoveStatus, Session};
use bar_live_core::protocol::{Level, WidgetConfig};

const OK: Color32 = Color32::from_rgb(80, 190, 100);
const WAITING: Color32 = Color32::from_rgb(230, 170, 50);
const BAD: Color32 = Color32::from_rgb(225, 75, 70);

/// The section's own state: a disconnect waiting for confirmation.
#[derive(Debug, Default)]
pub struct WidgetSection {
    confirm_disconnect: bool,
}

/// How one setting stands in the widget.
enum InForce {
    /// No widget connected.
    NoWidget,
    /// The widget does not report it (older than 1.1.0).
    NotReported,
    Applied(String),
    /// In force: something else than wanted (the widget has not answered yet, or refused).
    Waiting(String),
}

impl InForce {
    fn of<T: PartialEq>(
        applied: Option<&WidgetConfig>,
        value: impl Fn(&WidgetConfig) -> Option<T>,
        wanted: &T,
        show: impl Fn(&T) -> String,
    ) -> InForce {
        match applied.map(value) {
            None => InForce::NoWidget,
            Some(None) => InForce::NotReported,
            Some(Some(v)) if v == *wanted => InForce::Applied(show(&v)),
            Some(Some(v)) => InForce::Waiting(show(&v)),
        }
    }

    fn ui(&self, ui: &mut Ui) {
        match self {
            InForce::NoWidget => {
                ui.label(RichText::new("—").weak())
                    .on_hover_text("No widget connected");
            }
            InForce::NotReported => {
                ui.label(RichText::new("not reported").weak())
                    .on_hover_text(
                        "This widget is older than 1.1.0: update it (Widget install tab)",
                    );
            }
            InForce::Applied(v) => {
                ui.label(RichText::new(format!("✔ {v}")).color(OK));
            }
            InForce::Waiting(v) => {
                ui.label(RichText::new(format!("waiting… (now {v})")).color(WAITING))
                    .on_hover_text(
                        "The widget has not confirmed the saved value yet (or refused it: see below)",
                    );
            }
        }
    }
}

/// `524288` > `512 KiB`: the byte settings in the units players think in.
pub fn format_bytes(n: f64) -> String {
    let n = n.max(0.0) as u64;
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
        format!("{} KiB", n >> 10)
    } else {
        format!("{n} B")
    }
}

/// `512 KiB`, `1 MiB`, `64k`, `20000` > bytes.
pub fn parse_bytes(s: &str) -> Option<f64> {
    let s = s.trim().to_ascii_lowercase();
    let split = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let num: f64 = num.parse().ok()?;
    let factor = match unit.trim() {
        "" | "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1024.0 * 1024.0,
        _ => return None,
    };
    Some((num * factor).round())
}

fn bytes_value(value: &mut u32, range: std::ops::RangeInclusive<u32>) -> egui::DragValue<'_> {
    egui::DragValue::new(value)
        .range(range)
        .speed(1024.0)
        .custom_formatter(|n, _| format_bytes(n))
        .custom_parser(parse_bytes)
}

/// One row: the setting's name (with a hint), its editor, and what is in force.
fn row(ui: &mut Ui, name: &str, hint: &str, edit: impl FnOnce(&mut Ui), state: InForce) {
    ui.label(name).on_hover_text(hint);
    ui.horizontal(edit);
    state.ui(ui);
    ui.end_row();
}

/// Draws the section over the draft. Returns true when "Save" was clicked (the caller validates and
/// saves the whole draft, as its own Save button does).
pub fn widget_section_ui(
    ui: &mut Ui,
    state: &mut WidgetSection,
    draft: &mut Settings,
    current: &Settings,
    session: &Session,
    requests: &mut Vec<Request>,
) -> bool {
    let mut save = false;
    egui::Frame::group(ui.style())
        .inner_margin(12.0)
        .show(ui, |ui| {
            // Long messages (a failed move's reason) wrap instead of widening the section.
            ui.set_max_width(620.0);
            header_ui(ui, session);
            ui.add_space(6.0);
            let applied = session
                .widget
                .applied
                .as_ref()
                .filter(|_| session.connected());
            egui::Grid::new("widget_settings")
                .num_columns(3)
                .spacing([20.0, 6.0])
                .striped(true)
                .show(ui, |ui| {
                    ui.label(RichText::new("Setting").small().weak());
                    ui.label(RichText::new("Wanted").small().weak());
                    ui.label(RichText::new("In the widget").small().weak());
                    ui.end_row();
                    streaming_row_ui(ui, state, current, session, applied, requests);
                    address_row_ui(ui, draft, current, session, applied);
                    value_rows_ui(ui, draft, current, applied);
                });
            move_status_ui(ui, session);
            for e in &session.widget.errors {
                ui.colored_label(BAD, format!("✖ the widget refused: {e}"));
            }
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                save = ui
                    .button("💾 Save and send to the widget")
                    .on_hover_text("Saves every setting on this tab; the widget gets them at once")
                    .clicked();
                ui.label(
                    RichText::new("The widget keeps them for later games too.")
                        .small()
                        .weak(),
                );
            });
        });
    save
}

fn header_ui(ui: &mut Ui, session: &Session) {
    ui.horizontal(|ui| {
        ui.strong(RichText::new("Widget in the game").size(16.0));
        ui.add_space(12.0);
        match session.store.hello.as_ref().filter(|_| session.connected()) {
            Some(h) => {
                status_dot_ui(ui, OK);
                ui.colored_label(
                    OK,
                    format!("{} v{} connected", h.widget.name, h.widget.version),
                );
            }
            None => {
                status_dot_ui(ui, Color32::GRAY);
                ui.label(
                    RichText::new("no widget connected: the settings are sent when it connects")
                        .weak(),
                );
            }
        }
    });
    ui.label(
        RichText::new("The same settings as /livedata in the game. Hover a name for what it does.")
            .small()
            .weak(),
    );
}

fn streaming_row_ui(
    ui: &mut Ui,
    state: &mut WidgetSection,
    current: &Settings,
    session: &Session,
    applied: Option<&WidgetConfig>,
    requests: &mut Vec<Request>,
) {
    ui.label("Streaming").on_hover_text(
        "Connect / disconnect: a disconnected widget stays off, also in later games, until the \
         player switches it on in the game",
    );
    ui.vertical(|ui| {
        if !current.widget.enabled {
            ui.colored_label(WAITING, "switched off by the app");
            ui.label(
                RichText::new(
                    "The app cannot reach a switched-off widget. In the game type /livedata connect \
                     (or Settings > Custom > Live Data Export: stream to the app).",
                )
                .small(),
            );
            if ui
                .button("▶ Connect")
                .on_hover_text("Stop asking the widget to stay off; it connects once switched on in the game")
                .clicked()
            {
                requests.push(Request::SetWidgetEnabled(true));
            }
        } else if state.confirm_disconnect {
            ui.label(
                RichText::new(
                    "After this only the player can switch it on again, in the game (/livedata connect \
                     or Settings > Custom).",
                )
                .small()
                .color(WAITING),
            );
            ui.horizontal(|ui| {
                if ui.button("⏹ Disconnect").clicked() {
                    requests.push(Request::SetWidgetEnabled(false));
                    state.confirm_disconnect = false;
                }
                if ui.button("Cancel").clicked() {
                    state.confirm_disconnect = false;
                }
            });
        } else if ui
            .add_enabled(session.connected(), egui::Button::new("⏹ Disconnect…"))
            .on_disabled_hover_text("No widget connected")
            .clicked()
        {
            state.confirm_disconnect = true;
        }
    });
    let on_off = |b: &bool| if *b { "on" } else { "off" }.to_owned();
    InForce::of(applied, |a| a.enabled, &current.widget.enabled, on_off).ui(ui);
    ui.end_row();
}

fn address_row_ui(
    ui: &mut Ui,
    draft: &mut Settings,
    current: &Settings,
    session: &Session,
    applied: Option<&WidgetConfig>,
) {
    let hint = "Where the widget connects: the app's port (the app listens there) and the host the \
                widget dials. Saving a new one moves the widget with the app; if the new port cannot \
                be used, nothing changes.";
    // What the app listens on now (`--listen` may differ from the saved address).
    let serving_port = session
        .link
        .listen_addr
        .as_deref()
        .and_then(listen_port)
        .or_else(|| listen_port(&current.listen));
    let wanted = format!(
        "{}:{}",
        current.widget.host,
        serving_port.map_or("?".into(), |p| p.to_string())
    );
    let in_force = match applied {
        None => InForce::NoWidget,
        Some(a) => match (&a.host, a.port) {
            (Some(h), Some(p)) => {
                let now = format!("{h}:{p}");
                if now == wanted {
                    InForce::Applied(now)
                } else {
                    InForce::Waiting(now)
                }
            }
            _ => InForce::NotReported,
        },
    };
    row(
        ui,
        "Address (host : port)",
        hint,
        |ui| {
            ui.add(
                egui::TextEdit::singleline(&mut draft.widget.host)
                    .desired_width(100.0)
                    .hint_text("127.0.0.1"),
            );
            ui.label(":");
            match draft.listen.parse::<std::net::SocketAddr>() {
                Ok(mut addr) => {
                    let mut port = addr.port();
                    if ui
                        .add(egui::DragValue::new(&mut port).range(1..=65_535))
                        .changed()
                    {
                        addr.set_port(port);
                        draft.listen = addr.to_string();
                    }
                }
                Err(_) => {
                    ui.label(RichText::new("see Listen address").color(BAD));
                }
            }
            if let Some(p) = serving_port.filter(|p| Some(*p) != listen_port(&current.listen)) {
                ui.label(RichText::new(format!("this run: {p}")).small().weak())
                    .on_hover_text(
                        "--listen on the command line overrides the saved address for this run",
                    );
            }
            edited(
                ui,
                draft.listen != current.listen || draft.widget.host != current.widget.host,
            );
        },
        in_force,
    );
}

fn value_rows_ui(
    ui: &mut Ui,
    draft: &mut Settings,
    current: &Settings,
    applied: Option<&WidgetConfig>,
) {
    let (d, c) = (&mut draft.widget, &current.widget);
    fn num<T: Display>(v: &T) -> String {
        v.to_string()
    }
    let bytes = |v: &u32| format_bytes(f64::from(*v));
    let per_second = 30.0 / f64::from(d.interval_frames.max(1));
    row(
        ui,
        "Update interval",
        "Game frames between updates (30 frames = one game second). Lower = smoother plots, more data.",
        |ui| {
            ui.add(
                egui::DragValue::new(&mut d.interval_frames)
                    .range(WidgetConfig::INTERVAL_FRAMES)
                    .suffix(" frames"),
            );
            ui.label(
                RichText::new(format!("{per_second:.1}/game s"))
                    .small()
                    .weak(),
            );
            edited(ui, d.interval_frames != c.interval_frames);
        },
        InForce::of(applied, |a| a.interval_frames, &c.interval_frames, num),
    );
    row(
        ui,
        "Detail level",
        "minimal: resources and unit totals; standard: + units per type and team statistics; \
         detailed: + every unit's position and health",
        |ui| {
            egui::ComboBox::from_id_salt("widget_level")
                .selected_text(d.level.as_str())
                .show_ui(ui, |ui| {
                    for l in Level::ALL {
                        ui.selectable_value(&mut d.level, l, l.as_str());
                    }
                });
            edited(ui, d.level != c.level);
        },
        InForce::of(applied, |a| a.level, &c.level, |l| l.as_str().to_owned()),
    );
    row(
        ui,
        "Units listed (detailed)",
        "At level detailed: at most this many units per update",
        |ui| {
            ui.add(egui::DragValue::new(&mut d.max_units).range(WidgetConfig::MAX_UNITS));
            edited(ui, d.max_units != c.max_units);
        },
        InForce::of(applied, |a| a.max_units, &c.max_units, num),
    );
    row(
        ui,
        "Send queue (messages)",
        "How many messages may wait in the game when the app is slow; older updates are dropped first",
        |ui| {
            ui.add(
                egui::DragValue::new(&mut d.queue_max_messages)
                    .range(WidgetConfig::QUEUE_MAX_MESSAGES),
            );
            edited(ui, d.queue_max_messages != c.queue_max_messages);
        },
        InForce::of(
            applied,
            |a| a.queue_max_messages,
            &c.queue_max_messages,
            num,
        ),
    );
    row(
        ui,
        "Send queue (bytes)",
        "How many bytes may wait in the game (16 KiB – 16 MiB); type e.g. 512 KiB",
        |ui| {
            ui.add(bytes_value(
                &mut d.queue_max_bytes,
                WidgetConfig::QUEUE_MAX_BYTES,
            ));
            edited(ui, d.queue_max_bytes != c.queue_max_bytes);
        },
        InForce::of(applied, |a| a.queue_max_bytes, &c.queue_max_bytes, bytes),
    );
    row(
        ui,
        "Send budget per frame",
        "Bytes the widget sends per drawn frame (1 KiB – 1 MiB): caps its time in the game's frame",
        |ui| {
            ui.add(bytes_value(
                &mut d.send_budget_bytes,
                WidgetConfig::SEND_BUDGET_BYTES,
            ));
            edited(ui, d.send_budget_bytes != c.send_budget_bytes);
        },
        InForce::of(
            applied,
            |a| a.send_budget_bytes,
            &c.send_budget_bytes,
            bytes,
        ),
    );
    row(
        ui,
        "Status dot in the game",
        "The small connection dot near the top right corner of the game",
        |ui| {
            ui.checkbox(&mut d.indicator, "show");
            edited(ui, d.indicator != c.indicator);
        },
        InForce::of(
            applied,
            |a| a.indicator,
            &c.indicator,
            |b| if *b { "shown" } else { "hidden" }.to_owned(),
        ),
    );
}

/// Marks a value changed in the draft and not saved yet.
fn edited(ui: &mut Ui, changed: bool) {
    if changed {
        // An ASCII mark: the default fonts lack the pencil and bullet glyphs.
        ui.label(RichText::new("*").strong().color(WAITING))
            .on_hover_text("Changed, not saved yet");
    }
}

fn move_status_ui(ui: &mut Ui, session: &Session) {
    match &session.widget.moving.status {
        MoveStatus::Idle => {}
        MoveStatus::Moving {
            host,
            port,
            started,
            ..
        } => {
            ui.horizontal(|ui| {
                ui.spinner();
                let left = MOVE_TIMEOUT.saturating_sub(started.elapsed()).as_secs();
                ui.colored_label(
                    WAITING,
                    format!("moving the widget to {host}:{port}… (gives up in {left} s)"),
                );
            });
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(500));
        }
        MoveStatus::Moved { listen, .. } => {
            ui.colored_label(OK, format!("✔ the widget moved with the app to {listen}"));
        }
        MoveStatus::Relistened { listen, port, .. } => {
            ui.colored_label(WAITING, format!("The app listens on {listen} now."));
            ui.label(
                RichText::new(format!(
                    "No widget was connected to follow: install it again with port {port} (Widget \
                     install tab), or type /livedata port {port} in the game."
                ))
                .small(),
            );
        }
        MoveStatus::Failed { reason, .. } => {
            ui.colored_label(BAD, format!("✖ not moved: {reason}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_read_and_print_in_the_units_players_use() {
        for (n, s) in [
            (524_288.0, "512 KiB"),
            (16_777_216.0, "16 MiB"),
            (20_000.0, "20000 B"),
            (1024.0, "1 KiB"),
        ] {
            assert_eq!(format_bytes(n), s);
            assert_eq!(parse_bytes(s), Some(n));
        }
        assert_eq!(parse_bytes(" 64k "), Some(65_536.0));
        assert_eq!(parse_bytes("1.5 MiB"), Some(1_572_864.0));
        assert_eq!(parse_bytes("20000"), Some(20_000.0));
        assert_eq!(parse_bytes("lots"), None);
        assert_eq!(parse_bytes("5 GB"), None);
    }
}
