//! The Stream tab and the overlay-page server it controls: browser sources for OBS, a URL builder that
//! copies a page's address with the chosen options, and the stream delay.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use egui::{Color32, RichText, Ui};

use super::settings::{Settings, WebSettings};
use super::status_bar::status_dot_ui;
use super::{Launch, Request};
use bar_live_core::live::Session;
use bar_live_core::net::check_listen_addr;
use bar_live_core::store::{Metric, SeriesOf, Store};
use bar_live_core::web::{WebConfig, WebServer};

/// The overlay-page server as the app runs it (started, stopped and moved by the settings).
#[derive(Default)]
pub struct WebLink {
    server: Option<WebServer>,
    /// Why it is not running, when it should be.
    pub error: Option<String>,
    /// What it was started with (a change restarts it).
    running: Option<(String, Option<std::path::PathBuf>)>,
}

impl WebLink {
    /// Starts, restarts or stops the server to match `settings`; `listen_override` is `--web-listen`.
    pub fn apply(
        &mut self,
        web: &WebSettings,
        launch: &Launch,
        user_css: &std::path::Path,
        session: &Arc<Mutex<Session>>,
    ) {
        if !web.enabled {
            self.server = None;
            self.running = None;
            self.error = None;
            return;
        }
        let listen = launch
            .web_listen_override
            .clone()
            .unwrap_or_else(|| web.listen.clone());
        let wanted = (listen.clone(), Some(user_css.to_owned()));
        if self.server.is_some() && self.running.as_ref() == Some(&wanted) {
            if let Some(s) = &self.server {
                s.set_default_delay_s(web.delay_s);
            }
            return;
        }
        self.server = None; // frees the port before binding again
        self.error = None;
        if let Err(e) = check_listen_addr(&listen, launch.allow_remote) {
            self.error = Some(e.to_string());
            return;
        }
        match WebServer::start(
            WebConfig {
                listen: listen.clone(),
                default_delay_s: web.delay_s,
                user_css: Some(user_css.to_owned()),
            },
            Arc::clone(session),
        ) {
            Ok(s) => {
                if launch.allow_remote && !s.local_addr().ip().is_loopback() {
                    log::warn!(
                        "overlay pages on {listen}: anyone who can reach it can read the game's data"
                    );
                }
                self.server = Some(s);
                self.running = Some(wanted);
            }
            Err(e) => self.error = Some(format!("cannot serve the overlay pages on {listen}: {e}")),
        }
    }

    pub fn addr(&self) -> Option<SocketAddr> {
        self.server.as_ref().map(WebServer::local_addr)
    }

    pub fn pages_connected(&self) -> usize {
        self.server.as_ref().map_or(0, WebServer::ws_clients)
    }

    pub fn stop(&mut self) {
        self.server = None;
        self.running = None;
    }
}

/// The overlay pages, as the URL builder offers them.
const PAGES: [(&str, &str); 5] = [
    ("team.html", "My team: key numbers with sparklines"),
    ("allies.html", "Ally teams side by side"),
    ("graph.html", "Graph strip: metrics over the last minutes"),
    ("ahead.html", "Who's ahead: shares of army value and income"),
    ("build.html", "Build order: first and latest units"),
];

/// build.html's defaults for `opening=` and `recent=` (the server's), and their limit.
const BUILD_OPENING: u32 = 12;
const BUILD_RECENT: u32 = 6;
const BUILD_MAX: u32 = 60;

/// Metrics a page can show, in the builder's order.
const BUILDER_METRICS: [Metric; 8] = [
    Metric::MetalIncome,
    Metric::EnergyIncome,
    Metric::MetalCurrent,
    Metric::EnergyCurrent,
    Metric::ArmyValue,
    Metric::Units,
    Metric::DamageDealt,
    Metric::UnitsKilled,
];

/// The URL builder's choices.
#[derive(Debug, Clone, PartialEq)]
pub struct PageChoice {
    pub page: usize,
    /// `None`: the local player's team ("me").
    pub team: Option<u32>,
    pub metrics: Vec<Metric>,
    pub minutes: u32,
    pub scale: f32,
    pub light: bool,
    /// `None`: the server's delay (Settings).
    pub delay_s: Option<u32>,
    pub per_ally: bool,
    /// build.html: how many of the first / latest units to list.
    pub opening: u32,
    pub recent: u32,
}

impl Default for PageChoice {
    fn default() -> Self {
        PageChoice {
            page: 0,
            team: None,
            metrics: vec![Metric::MetalIncome, Metric::EnergyIncome, Metric::ArmyValue],
            minutes: 5,
            scale: 1.0,
            light: false,
            delay_s: None,
            per_ally: false,
            opening: BUILD_OPENING,
            recent: BUILD_RECENT,
        }
    }
}

/// The page's address with the chosen options (only those that differ from the page's defaults).
pub fn page_url(base: &str, c: &PageChoice) -> String {
    let (page, _) = PAGES[c.page.min(PAGES.len() - 1)];
    let mut q: Vec<String> = Vec::new();
    if matches!(page, "team.html" | "graph.html" | "build.html") {
        q.push(format!(
            "team={}",
            c.team.map_or("me".to_owned(), |t| t.to_string())
        ));
    }
    if matches!(page, "team.html" | "graph.html") {
        q.push(format!("minutes={}", c.minutes.clamp(1, 60)));
    }
    if page == "build.html" {
        if c.opening != BUILD_OPENING {
            q.push(format!("opening={}", c.opening.min(BUILD_MAX)));
        }
        if c.recent != BUILD_RECENT {
            q.push(format!("recent={}", c.recent.min(BUILD_MAX)));
        }
    }
    // build.html lists units, no metrics
    if !c.metrics.is_empty() && page != "build.html" {
        let keys: Vec<&str> = c.metrics.iter().map(|m| m.key()).collect();
        q.push(format!("metrics={}", keys.join(",")));
    }
    if page == "graph.html" && c.per_ally {
        q.push("per=ally".into());
    }
    if (c.scale - 1.0).abs() > 1e-3 {
        q.push(format!("scale={}", (c.scale * 100.0).round() / 100.0));
    }
    if c.light {
        q.push("theme=light".into());
    }
    if let Some(d) = c.delay_s {
        q.push(format!("delay={}", d.min(600)));
    }
    if q.is_empty() {
        format!("{base}/{page}")
    } else {
        format!("{base}/{page}?{}", q.join("&"))
    }
}

/// What feeds the link besides a real game.
pub struct Feeds {
    pub simulator: bool,
    pub demo: bool,
}

#[derive(Default)]
pub struct StreamTab {
    pub choice: PageChoice,
}

pub fn stream_ui(
    ui: &mut Ui,
    tab: &mut StreamTab,
    web: &WebLink,
    settings: &Settings,
    store: &Store,
    feeds: Feeds,
    requests: &mut Vec<Request>,
) {
    egui::ScrollArea::vertical().show(ui, |ui| {
        ui.heading("Overlays for OBS (browser sources)");
        ui.label(
            "Add a page below to OBS as a Browser Source: it has a transparent background, scales to the \
             source's size and reconnects by itself when this app restarts.",
        );
        ui.add_space(8.0);
        let base = match (web.addr(), &web.error) {
            (Some(addr), _) => {
                ui.horizontal(|ui| {
                    status_dot_ui(ui, Color32::from_rgb(60, 200, 90));
                    let index = format!("http://{addr}/");
                    ui.label("Serving on");
                    ui.hyperlink_to(&index, &index);
                    ui.label(format!("· {} page(s) connected", web.pages_connected()));
                });
                Some(format!("http://{addr}"))
            }
            (None, Some(e)) => {
                ui.colored_label(Color32::from_rgb(220, 60, 60), e);
                None
            }
            (None, None) => {
                ui.label("The overlay pages are switched off (Settings > Stream overlays).");
                None
            }
        };
        if settings.tournament.enabled {
            ui.label(format!(
                "Tournament switch on: every page is held at least {:.0} s behind the game and shows a \
                 \"{}\" badge (Settings > Tournament).",
                settings.tournament.delay_s,
                bar_live_core::live::delayed::badge(settings.tournament.delay_s)
            ));
        }
        if settings.web.delay_s > 0.0 {
            ui.label(format!(
                "Stream delay: pages show the game as it was {:.0} s ago (Settings > Stream overlays).",
                settings.web.delay_s
            ));
        }
        feeds_ui(ui, store, &feeds, requests);
        ui.add_space(12.0);
        ui.strong("Build a page's address");
        builder_ui(ui, &mut tab.choice, store);
        if let Some(base) = base {
            let url = page_url(&base, &tab.choice);
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                ui.add(
                    egui::TextEdit::singleline(&mut url.clone())
                        .desired_width(ui.available_width() - 110.0)
                        .font(egui::TextStyle::Monospace),
                );
                if ui.button("📋 Copy").clicked() {
                    ui.ctx().copy_text(url.clone());
                    requests.push(Request::Status("page address copied".into()));
                }
            });
            ui.label(
                RichText::new(
                    "Style the pages with overlay.css in the config folder (served after the built-in \
                     style; selectors in docs/OVERLAY.md).",
                )
                .weak(),
            );
        }
    });
}

/// Something to show before a game: the demo recording replayed live, or the simulator.
fn feeds_ui(ui: &mut Ui, store: &Store, feeds: &Feeds, requests: &mut Vec<Request>) {
    ui.horizontal(|ui| {
        if feeds.demo || feeds.simulator {
            ui.label(if feeds.demo {
                "The demo game is being replayed to the pages (1×)."
            } else {
                "The simulator is feeding the pages."
            });
            if ui.button("⏹ Stop").clicked() {
                requests.push(Request::StopFeeds);
            }
        } else if store.updates == 0 {
            ui.label("No game yet. To set up your scene:");
            if ui
                .button("▶ Replay the demo game to the pages")
                .on_hover_text(
                    "The bundled demo recording, streamed live at 1× as if it were the widget",
                )
                .clicked()
            {
                requests.push(Request::StartDemoReplay);
            }
            if ui.button("⚡ Start the simulator").clicked() {
                requests.push(Request::StartSimulator);
            }
        }
    });
}

fn builder_ui(ui: &mut Ui, c: &mut PageChoice, store: &Store) {
    egui::Grid::new("page_builder")
        .num_columns(2)
        .spacing([16.0, 6.0])
        .show(ui, |ui| {
            ui.label("Page");
            ui.vertical(|ui| {
                for (i, (file, what)) in PAGES.iter().enumerate() {
                    ui.radio_value(&mut c.page, i, format!("{what}  ({file})"));
                }
            });
            ui.end_row();
            let (page, _) = PAGES[c.page];
            if matches!(page, "team.html" | "graph.html" | "build.html") {
                ui.label("Team");
                let name = |t: Option<u32>| {
                    t.map_or("my team (or the one I watch)".to_owned(), |id| {
                        store.series_name(SeriesOf::Team(id))
                    })
                };
                egui::ComboBox::from_id_salt("page_team")
                    .selected_text(name(c.team))
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut c.team, None, name(None));
                        for id in store.team_ids() {
                            ui.selectable_value(&mut c.team, Some(id), name(Some(id)));
                        }
                    });
                ui.end_row();
            }
            if matches!(page, "team.html" | "graph.html") {
                ui.label("Minutes shown");
                ui.add(egui::Slider::new(&mut c.minutes, 1..=60));
                ui.end_row();
            }
            if page == "build.html" {
                ui.label("First units");
                ui.add(egui::Slider::new(&mut c.opening, 0..=BUILD_MAX))
                    .on_hover_text(
                        "how many of the first units the team finished to list (opening=)",
                    );
                ui.end_row();
                ui.label("Latest units");
                ui.add(egui::Slider::new(&mut c.recent, 0..=BUILD_MAX))
                    .on_hover_text(
                        "how many of the latest units to list after the opening (recent=)",
                    );
                ui.end_row();
            }
            if page == "graph.html" {
                ui.label("Lines");
                ui.horizontal(|ui| {
                    ui.selectable_value(&mut c.per_ally, false, "per player");
                    ui.selectable_value(&mut c.per_ally, true, "per ally team");
                });
                ui.end_row();
            }
            if page != "build.html" {
                ui.label("Numbers");
                ui.horizontal_wrapped(|ui| {
                    for m in BUILDER_METRICS {
                        let mut on = c.metrics.contains(&m);
                        if ui.checkbox(&mut on, m.label()).changed() {
                            if on {
                                c.metrics.push(m);
                            } else {
                                c.metrics.retain(|x| *x != m);
                            }
                        }
                    }
                });
                ui.end_row();
            }
            ui.label("Scale");
            ui.add(egui::Slider::new(&mut c.scale, 0.5..=3.0));
            ui.end_row();
            ui.label("Theme");
            ui.horizontal(|ui| {
                ui.selectable_value(&mut c.light, false, "light text (dark outline)");
                ui.selectable_value(&mut c.light, true, "dark text (light outline)");
            });
            ui.end_row();
            ui.label("Delay");
            ui.horizontal(|ui| {
                let mut own = c.delay_s.is_some();
                ui.checkbox(&mut own, "own delay for this page");
                if own {
                    let mut d = c.delay_s.unwrap_or(120);
                    ui.add(egui::Slider::new(&mut d, 0..=600).suffix(" s"));
                    c.delay_s = Some(d);
                } else {
                    c.delay_s = None;
                }
            });
            ui.end_row();
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_carry_only_the_choices() {
        let base = "http://127.0.0.1:9877";
        let c = PageChoice::default();
        assert_eq!(
            page_url(base, &c),
            "http://127.0.0.1:9877/team.html?team=me&minutes=5&metrics=metal_income,energy_income,army_value"
        );
        let c = PageChoice {
            page: 2,
            team: Some(3),
            metrics: vec![Metric::ArmyValue],
            minutes: 99,
            scale: 1.5,
            light: true,
            delay_s: Some(120),
            per_ally: true,
            // build.html's choices stay out of other pages' addresses
            opening: 3,
            recent: 0,
        };
        assert_eq!(
            page_url(base, &c),
            "http://127.0.0.1:9877/graph.html?team=3&minutes=60&metrics=army_value&per=ally&scale=1.5&theme=light&delay=120"
        );
        let c = PageChoice {
            page: 3,
            metrics: vec![],
            ..PageChoice::default()
        };
        assert_eq!(page_url(base, &c), "http://127.0.0.1:9877/ahead.html");
        // build.html: a team, no metrics or minutes; opening=/recent= only when not the defaults
        let c = PageChoice {
            page: 4,
            ..PageChoice::default()
        };
        assert_eq!(
            page_url(base, &c),
            "http://127.0.0.1:9877/build.html?team=me"
        );
        let c = PageChoice {
            page: 4,
            team: Some(2),
            opening: 8,
            recent: 99,
            delay_s: Some(120),
            ..PageChoice::default()
        };
        assert_eq!(
            page_url(base, &c),
            "http://127.0.0.1:9877/build.html?team=2&opening=8&recent=60&delay=120"
        );
    }
}
