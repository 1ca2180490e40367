//! The Widget install tab: find the BAR data folder, install or update the widget with the app's port,
//! and tell the player how to enable it.

use std::path::PathBuf;

use egui::{Color32, RichText, Ui};

use super::Request;
use super::settings::Settings;
use bar_live_core::install;
use bar_live_core::live::Session;

pub struct WidgetTab {
    /// The folder typed or pasted by the user (empty: the detected one).
    bar_dir_text: String,
}

impl WidgetTab {
    pub fn new(settings: &Settings) -> WidgetTab {
        WidgetTab {
            bar_dir_text: settings
                .bar_data_dir
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
        }
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
        .unwrap_or(9876)
}

pub fn widget_tab_ui(
    ui: &mut Ui,
    tab: &mut WidgetTab,
    session: &Session,
    settings: &Settings,
    requests: &mut Vec<Request>,
) {
    ui.heading("Install the widget into BAR");
    ui.add_space(6.0);
    let home = directories::UserDirs::new()
        .map(|u| u.home_dir().to_owned())
        .unwrap_or_default();
    let detected = install::detect_data_dir(&home);
    ui.horizontal(|ui| {
        ui.label("BAR data folder:");
        ui.add(
            egui::TextEdit::singleline(&mut tab.bar_dir_text)
                .desired_width(420.0)
                .hint_text(
                    detected
                        .as_ref()
                        .map_or("not found — paste the path".into(), |p| {
                            p.display().to_string()
                        }),
                ),
        );
    });
    let chosen: Option<PathBuf> = if tab.bar_dir_text.trim().is_empty() {
        detected.clone()
    } else {
        Some(tab.bar_dir_text.trim().into())
    };
    let looked_in = install::candidate_data_dirs(&home)
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    ui.label(
        RichText::new(format!("Looked in: {looked_in}"))
            .small()
            .weak(),
    );
    let bundled = install::widget_version(install::WIDGET_SOURCE).unwrap_or_else(|| "?".into());
    ui.add_space(8.0);
    match &chosen {
        None => {
            ui.label("BAR's data folder was not found. Paste its path above (it holds springsettings.cfg and LuaUI).");
        }
        Some(dir) => {
            if !install::looks_like_data_dir(dir) {
                ui.colored_label(
                    Color32::from_rgb(230, 160, 40),
                    "This folder does not look like BAR's data folder (no springsettings.cfg or LuaUI).",
                );
            }
            let installed = install::installed_version(dir);
            ui.label(format!(
                "Installed: {}   ·   bundled with this app: v{bundled}",
                installed
                    .as_deref()
                    .map_or("not installed".to_owned(), |v| format!("v{v}"))
            ));
            let port = app_port(session, settings);
            let label = if installed.is_some() {
                "Update the widget"
            } else {
                "Install the widget"
            };
            if ui.button(format!("{label} (port {port})")).clicked() {
                match install::install(dir, port) {
                    Ok(p) => {
                        requests.push(Request::Status(format!(
                            "widget written to {}",
                            p.display()
                        )));
                        requests.push(Request::RememberBarDataDir(dir.clone()));
                    }
                    Err(e) => requests.push(Request::Notice(format!("{e:#}"))),
                }
            }
        }
    }
    ui.add_space(12.0);
    egui::Frame::group(ui.style()).inner_margin(12.0).show(ui, |ui| {
        ui.strong("Then enable it in the game");
        ui.label("User widgets start disabled. In BAR press F11 (widget list) or open Settings > Custom and enable \"Live Data Export\".");
        ui.label("Type /livedata status in the chat to see its connection; /livedata help lists all commands.");
        ui.label("If it says LuaSocket is disabled, set LuaSocketEnabled = 1 in springsettings.cfg; if the connection is denied, allow 127.0.0.1 in TCPAllowConnect.");
        ui.label("Some lobbies forbid user widgets; spectating and replays always allow them.");
    });
}
