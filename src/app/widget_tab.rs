//! The Widget install tab: find the BAR data folder, install or update the widget with the app's port,
//! check what keeps it from connecting (the doctor: the widget file, `springsettings.cfg`), fix that
//! file, and tell the player how to enable the widget.

use std::path::{Path, PathBuf};

use egui::{Color32, RichText, Ui};

use super::Request;
use super::settings::Settings;
use super::status_bar::status_dot_ui;
use bar_live_core::install::{self, doctor, springsettings};
use bar_live_core::live::Session;

pub struct WidgetTab {
    /// The folder typed or pasted by the user (empty: the detected one).
    bar_dir_text: String,
    /// The folder found in the usual places, and where we looked (found once, not every frame).
    detected: Option<PathBuf>,
    looked_in: String,
    /// The doctor's last report; made again when the folder or the address changes, or on demand.
    report: Option<doctor::Report>,
}

impl WidgetTab {
    pub fn new(settings: &Settings) -> WidgetTab {
        let home = directories::UserDirs::new()
            .map(|u| u.home_dir().to_owned())
            .unwrap_or_default();
        WidgetTab {
            bar_dir_text: settings
                .bar_data_dir
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            detected: install::detect_data_dir(&home),
            looked_in: install::candidate_data_dirs(&home)
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            report: None,
        }
    }

    fn chosen(&self) -> Option<PathBuf> {
        if self.bar_dir_text.trim().is_empty() {
            self.detected.clone()
        } else {
            Some(self.bar_dir_text.trim().into())
        }
    }

    /// The report for `dir` and `host:port`, made again only when one of them changed.
    fn report_for(&mut self, dir: &Path, host: &str, port: u16) -> &doctor::Report {
        let stale = self
            .report
            .as_ref()
            .is_none_or(|r| r.data_dir != dir || r.host != host || r.port != port);
        if stale {
            self.report = Some(doctor::diagnose(dir, host, port));
        }
        self.report
            .get_or_insert_with(|| doctor::diagnose(dir, host, port))
    }
}

/// The port the widget should connect to: the listener's, else the configured one.
fn app_port(session: &Session, settings: &Settings) -> u16 {
    session
        .link
        .listen_addr
        .as_deref()
        .unwrap_or(settings.listen.as_str())
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or(install::STOCK_PORT)
}

fn color(severity: doctor::Severity) -> Color32 {
    match severity {
        doctor::Severity::Ok => Color32::from_rgb(80, 190, 100),
        doctor::Severity::Note => Color32::GRAY,
        doctor::Severity::Warning => Color32::from_rgb(230, 160, 40),
        doctor::Severity::Problem => Color32::from_rgb(225, 75, 70),
    }
}

pub fn widget_tab_ui(
    ui: &mut Ui,
    tab: &mut WidgetTab,
    session: &Session,
    settings: &Settings,
    requests: &mut Vec<Request>,
) {
    egui::ScrollArea::vertical().show(ui, |ui| {
        ui.heading("Install the widget into BAR");
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            ui.label("BAR data folder:");
            let hint = tab
                .detected
                .as_ref()
                .map_or("not found — paste the path".into(), |p| p.display().to_string());
            ui.add(
                egui::TextEdit::singleline(&mut tab.bar_dir_text)
                    .desired_width(420.0)
                    .hint_text(hint),
            );
        });
        ui.label(
            RichText::new(format!("Looked in: {}", tab.looked_in))
                .small()
                .weak(),
        );
        ui.add_space(8.0);
        let port = app_port(session, settings);
        match tab.chosen() {
            None => {
                ui.label("BAR's data folder was not found. Paste its path above (it holds springsettings.cfg and LuaUI).");
            }
            Some(dir) => folder_ui(ui, tab, &dir, &settings.widget.host, port, requests),
        }
        ui.add_space(12.0);
        connection_ui(ui, session);
        ui.add_space(12.0);
        egui::Frame::group(ui.style()).inner_margin(12.0).show(ui, |ui| {
            ui.strong("Then enable it in the game");
            ui.label("User widgets start disabled. In BAR press F11 (widget list) or open Settings > Custom and enable \"Live Data Export\".");
            ui.label("Type /livedata status in the chat to see its connection; /livedata help lists all commands.");
            ui.label("Some lobbies forbid user widgets; spectating and replays always allow them.");
            ui.label(
                RichText::new(format!(
                    "From a terminal: bar-live widget install --data-dir DIR --port {port}, and \
                     bar-live widget doctor --data-dir DIR --port {port} [--fix]"
                ))
                .small()
                .weak(),
            );
        });
    });
}

fn folder_ui(
    ui: &mut Ui,
    tab: &mut WidgetTab,
    dir: &Path,
    host: &str,
    port: u16,
    requests: &mut Vec<Request>,
) {
    let bundled = install::widget_version(install::WIDGET_SOURCE).unwrap_or_else(|| "?".into());
    let installed = install::widget_path(dir).is_file();
    let label = if installed {
        "Update the widget"
    } else {
        "Install the widget"
    };
    ui.horizontal(|ui| {
        if ui
            .add_enabled(
                install::looks_like_data_dir(dir),
                egui::Button::new(format!("⬇ {label} v{bundled} (port {port})")),
            )
            .on_disabled_hover_text("This folder does not look like BAR's data folder")
            .clicked()
        {
            match install::install(dir, port) {
                Ok(p) => {
                    requests.push(Request::Status(format!(
                        "widget written to {}",
                        p.display()
                    )));
                    requests.push(Request::RememberBarDataDir(dir.to_owned()));
                }
                Err(e) => requests.push(Request::Notice(e.to_string())),
            }
            tab.report = None;
        }
    });
    ui.add_space(8.0);
    let mut check_again = false;
    let mut fix = false;
    egui::Frame::group(ui.style())
        .inner_margin(12.0)
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.strong(format!("Can the widget connect to {host}:{port}?"));
                check_again = ui.small_button("↻ Check again").clicked();
            });
            let report = tab.report_for(dir, host, port);
            egui::Grid::new("doctor")
                .num_columns(3)
                .spacing([10.0, 4.0])
                .show(ui, |ui| {
                    for f in &report.findings {
                        ui.colored_label(color(f.severity), f.severity.symbol());
                        ui.label(RichText::new(f.topic.label()).strong());
                        ui.label(&f.text);
                        ui.end_row();
                    }
                });
            if report.fixable {
                ui.add_space(6.0);
                fix = ui
                    .button(format!("🔧 Fix {} (keeps a backup)", springsettings::FILE))
                    .on_hover_text(format!(
                        "Sets LuaSocketEnabled = 1 and adds {host}:{port} to TCPAllowConnect"
                    ))
                    .clicked();
                ui.label(RichText::new(doctor::RESTART_NOTE).small().weak());
            }
        });
    if fix {
        match springsettings::fix(dir, host, port) {
            Ok(fixed) => {
                let backup = fixed.backup.map_or(String::new(), |b| {
                    format!("; the old file is {}", b.display())
                });
                requests.push(Request::Status(format!(
                    "springsettings.cfg: {}{backup}. Start the game again to use it",
                    fixed.changed.join(", ")
                )));
            }
            Err(e) => requests.push(Request::Notice(e.to_string())),
        }
    }
    if fix || check_again {
        tab.report = None;
    }
}

/// Why no widget is connected, as the app sees it.
fn connection_ui(ui: &mut Ui, session: &Session) {
    if session.connected() {
        ui.horizontal(|ui| {
            status_dot_ui(ui, color(doctor::Severity::Ok));
            ui.colored_label(color(doctor::Severity::Ok), "A widget is connected.");
        });
        return;
    }
    let listen = session.link.listen_addr.as_deref().unwrap_or("?");
    ui.horizontal(|ui| {
        status_dot_ui(ui, Color32::GRAY);
        ui.label(format!(
            "No widget connected; the app listens on {listen}. In the game, /livedata status \
             says what the widget is doing."
        ));
    });
    if let Some(reason) = &session.link.last_disconnect {
        ui.label(
            RichText::new(format!("Last connection ended: {reason}"))
                .small()
                .weak(),
        );
    }
}
