//! The egui desktop app: live dashboard, overlay, settings, recordings and review.
//!
//! The live link ([`bar_live_core::live::LiveLink`]) runs the listener, the session and the recorder on
//! their own threads; each frame the UI locks the ready session once, draws the tabs from it, and sends
//! what the user asked for back as [`LinkCommand`]s. Tabs are components: each has its state struct and a
//! `*_ui` function, and asks the app for anything beyond its own state through [`Request`]s.

mod actions;
pub mod export;
pub mod fonts;
pub mod insight;
pub mod legend;
pub mod live;
mod opener;
pub mod overlay;
pub mod plots;
pub mod recordings;
mod requests;
pub mod review;
pub mod settings;
pub mod settings_sync;
pub mod settings_tab;
pub mod status_bar;
pub mod stream;
pub mod waker;
pub mod widget_section;
pub mod widget_settings;
pub mod widget_tab;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bar_live_core::index::{Folder, game_folders};
use bar_live_core::insight::worker::LoadPurpose;
use bar_live_core::live::feed::DemoReplay;
use bar_live_core::live::{LinkConfig, LiveLink, Session, delayed};
use bar_live_core::sim::SimThread;
use bar_live_core::store::{Store, ValueMode};
use settings::{Paths, Settings};

use actions::apply_theme;
pub use actions::{record_policy, widget_config};
pub use requests::{Launch, LaunchOptions, Request, Tab};

/// Runs the app until its window closes.
pub fn run(opts: LaunchOptions) -> anyhow::Result<()> {
    let paths = Paths::resolve(opts.config_path.clone(), opts.data_dir.clone());
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("bar-live")
            .with_app_id("bar-live")
            .with_inner_size([1280.0, 820.0])
            .with_min_inner_size([640.0, 420.0])
            .with_drag_and_drop(true)
            .with_icon(std::sync::Arc::new(window_icon())),
        renderer: eframe::Renderer::Glow,
        persist_window: false,
        ..Default::default()
    };
    eframe::run_native(
        "bar-live",
        native,
        Box::new(move |cc| Ok(Box::new(BarLiveApp::new(&cc.egui_ctx, opts, paths)?))),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))
}

/// The app's icon (`resources/icon.png`, the same image build.rs puts into the Windows exe).
/// The colour of the "DELAYED m:ss" badge (the tournament switch).
pub const DELAYED_COLOR: egui::Color32 = egui::Color32::from_rgb(240, 90, 60);

pub const ICON_PNG: &[u8] = include_bytes!("../../resources/icon.png");

/// The window icon; an unreadable image gives the platform's default icon rather than no window.
pub fn window_icon() -> egui::IconData {
    eframe::icon_data::from_png_bytes(ICON_PNG).unwrap_or_else(|e| {
        log::warn!("the window icon could not be read: {e}");
        egui::IconData::default()
    })
}

pub struct BarLiveApp {
    paths: Paths,
    settings: Settings,
    launch: Launch,
    link: LiveLink,
    web: stream::WebLink,
    sim: Option<SimThread>,
    demo: Option<DemoReplay>,
    tab: Tab,
    live: live::LiveTab,
    review: review::ReviewTab,
    recordings: recordings::RecordingsTab,
    stream: stream::StreamTab,
    editor: settings_tab::SettingsEditor,
    widget: widget_tab::WidgetTab,
    legend: legend::Legend,
    insight: insight::InsightSidebar,
    overlay_open: bool,
    exports: export::Exports,
    fonts: fonts::FontDiscovery,
    messages: status_bar::Messages,
    /// Where past games are: the recordings folder and BAR's replay folders ([`Self::find_folders`]).
    folders: Vec<Folder>,
    /// A game file being opened for Review (its own thread).
    opener: opener::Opener,
    quit_at: Option<Instant>,
    last_frame: Instant,
}

impl BarLiveApp {
    pub fn new(
        ctx: &egui::Context,
        opts: LaunchOptions,
        paths: Paths,
    ) -> std::io::Result<BarLiveApp> {
        let loaded = settings::load(&paths.settings_file);
        let settings = loaded.settings;
        let mut messages = status_bar::Messages::default();
        messages.notices.extend(loaded.warning);
        apply_theme(ctx, settings.theme);
        let launch = Launch {
            allow_remote: opts.allow_remote,
            max_frame_bytes: opts.max_frame_bytes.max(1),
            listen_override: opts.listen.clone(),
            web_listen_override: opts.web_listen.clone(),
        };
        let listen = launch
            .listen_override
            .clone()
            .unwrap_or_else(|| settings.listen.clone());
        let waker = Arc::new(waker::ThrottledWaker::new(ctx.clone()));
        let link = LiveLink::start(
            LinkConfig {
                listen,
                max_frame_bytes: launch.max_frame_bytes,
                record: record_policy(&settings, &paths),
                widget_config: Some(widget_config(&settings)),
            },
            waker,
        )?;
        // The tournament switch survives a restart: on from the first message.
        link.lock()
            .set_delay_everything(settings.tournament.delay());
        let mut app = BarLiveApp {
            editor: settings_tab::SettingsEditor::new(&settings),
            widget: widget_tab::WidgetTab::new(&settings),
            overlay_open: opts.overlay || settings.overlay.open_at_start,
            tab: opts
                .tab
                .as_deref()
                .and_then(Tab::parse)
                .unwrap_or(Tab::Live),
            quit_at: opts.quit_after.map(|d| Instant::now() + d),
            paths,
            settings,
            launch,
            link,
            web: Default::default(),
            sim: None,
            demo: None,
            live: Default::default(),
            review: Default::default(),
            recordings: Default::default(),
            stream: Default::default(),
            legend: Default::default(),
            insight: Default::default(),
            exports: Default::default(),
            fonts: fonts::FontDiscovery::start(ctx),
            messages,
            folders: Vec::new(),
            opener: Default::default(),
            last_frame: Instant::now(),
        };
        app.find_folders();
        app.apply_web();
        let mut requests = Vec::new();
        if let Some(path) = opts.open {
            requests.push(Request::OpenRecording(path));
        }
        if opts.simulate {
            requests.push(Request::StartSimulator);
        }
        if let Some(path) = &opts.ghost {
            app.insight.load(path, LoadPurpose::Ghost);
        }
        if let Some(path) = &opts.side_by_side {
            app.insight.load(path, LoadPurpose::SideBySide);
        }
        app.handle_requests(ctx, requests);
        Ok(app)
    }

    /// Looks again for the folders of past games: the recordings folder, and the `demos/` folders of
    /// the chosen BAR data folder and of every one found where BAR puts them.
    fn find_folders(&mut self) {
        let recordings = record_policy(&self.settings, &self.paths).dir;
        self.folders = game_folders(
            Some(&recordings),
            &self.paths.data_dir,
            self.settings.bar_data_dir.as_deref(),
        );
    }

    fn session(&self) -> Arc<Mutex<Session>> {
        self.link.session()
    }

    fn view_options(&self, dark: bool) -> plots::ViewOptions {
        plots::ViewOptions {
            per_ally: self.settings.per_ally_team,
            mode: if self.settings.cumulative {
                ValueMode::Cumulative
            } else {
                ValueMode::PerSecond
            },
            rate_factor: self.settings.rate_unit.factor(),
            rate_suffix: self.settings.rate_unit.suffix(),
            hidden: self.legend.hidden.clone(),
            highlighted: self.legend.highlighted,
            dark,
        }
    }

    /// Player commands from the game (`/livedata overlay lock`).
    fn main_ui(&mut self, ui: &mut egui::Ui, session: &Session, requests: &mut Vec<Request>) {
        let ctx = ui.ctx().clone();
        egui::Panel::top("tabs").show(ui, |ui| self.tab_bar_ui(ui, &ctx));
        egui::Panel::bottom("status").show(ui, |ui| {
            status_bar::status_bar_ui(ui, session, self.settings.auto_record, &self.messages)
        });
        if !self.messages.notices.is_empty() {
            egui::Panel::top("notices")
                .show(ui, |ui| status_bar::notices_ui(ui, &mut self.messages));
        }
        let in_review = self.tab == Tab::Review;
        let (store, axis): (Option<&Store>, &mut plots::linked::DashboardState) = if in_review {
            let r = &mut self.review;
            (r.review.as_ref().map(|r| &r.store), &mut r.axis)
        } else {
            (Some(session.shown_store()), &mut self.live.axis)
        };
        if matches!(self.tab, Tab::Live | Tab::Review)
            && let Some(store) = store.filter(|s| s.updates > 0)
        {
            let toggles = legend::Toggles {
                per_ally: &mut self.settings.per_ally_team,
                cumulative: &mut self.settings.cumulative,
            };
            let legend = &mut self.legend;
            egui::Panel::left("legend")
                .default_size(210.0)
                .show(ui, |ui| {
                    legend::legend_ui(ui, legend, store, toggles, axis, in_review)
                });
        }
        let view = self.view_options(ui.visuals().dark_mode);
        let jump = self.insight_panel_ui(ui, session, &view, requests);
        let compare = {
            let (store, current) = match (self.tab, self.review.review.as_ref()) {
                (Tab::Review, Some(r)) => (&r.store, r.path.as_deref()),
                _ => (session.shown_store(), None),
            };
            let prefs = &self.settings.insight;
            insight::compare_extras(&self.insight, prefs, store, current, view.per_ally)
        };
        egui::CentralPanel::default().show(ui, |ui| match self.tab {
            Tab::Live => live::live_ui(
                ui,
                &mut self.live,
                session,
                &self.settings.listen,
                &view,
                &compare,
                &mut self.exports,
                &self.paths,
                requests,
            ),
            Tab::Review => review::review_ui(
                ui,
                &mut self.review,
                &view,
                &compare,
                &mut self.exports,
                &self.paths,
                requests,
            ),
            Tab::Recordings => {
                recordings::recordings_ui(ui, &mut self.recordings, &self.folders, requests)
            }
            Tab::Stream => stream::stream_ui(
                ui,
                &mut self.stream,
                &self.web,
                &self.settings,
                session.shown_store(),
                stream::Feeds {
                    simulator: self.sim.as_ref().is_some_and(SimThread::running),
                    demo: self.demo.as_ref().is_some_and(DemoReplay::running),
                },
                requests,
            ),
            Tab::Settings => settings_tab::settings_ui(
                ui,
                &mut self.editor,
                &self.settings,
                session,
                &self.paths,
                self.launch.allow_remote,
                requests,
            ),
            Tab::Widget => {
                widget_tab::widget_tab_ui(ui, &mut self.widget, session, &self.settings, requests)
            }
        });
        if let Some(t) = jump {
            self.jump_to(session, t);
        }
    }

    /// The insight sidebar of the Live and Review tabs; returns a game time to jump to.
    fn insight_panel_ui(
        &mut self,
        ui: &mut egui::Ui,
        session: &Session,
        view: &plots::ViewOptions,
        requests: &mut Vec<Request>,
    ) -> Option<f64> {
        let (store, now_t, current) = match self.tab {
            Tab::Review => {
                let r = self.review.review.as_ref()?;
                (&r.store, r.cursor_t, r.path.as_deref())
            }
            Tab::Live => {
                let store = session.shown_store();
                (store, store.last_game_seconds, None)
            }
            _ => return None,
        };
        if store.updates == 0 || !self.insight.open {
            return None;
        }
        let cx = insight::SidebarContext {
            store,
            view,
            now_t,
            folders: &self.folders,
            current,
            in_review: self.tab == Tab::Review,
        };
        let (state, prefs) = (&mut self.insight, &mut self.settings.insight);
        let out = egui::Panel::right("insight")
            .default_size(260.0)
            .show(ui, |ui| insight::sidebar_ui(ui, state, &cx, prefs))
            .inner;
        if out.save {
            requests.push(Request::SaveSettings);
        }
        out.jump
    }

    /// Shows game time `t` in the current tab (a clicked milestone).
    fn jump_to(&mut self, session: &Session, t: f64) {
        match (self.tab, self.review.review.as_mut()) {
            (Tab::Review, Some(r)) => {
                r.playing = false;
                insight::jump_to(&mut self.review.axis, Some(&mut r.cursor_t), r.end_t, t);
            }
            _ => {
                let end_t = session.shown_store().last_game_seconds;
                insight::jump_to(&mut self.live.axis, None, end_t, t);
            }
        }
    }

    fn tab_bar_ui(&mut self, ui: &mut egui::Ui, ctx: &egui::Context) {
        ui.horizontal(|ui| {
            ui.heading(egui::RichText::new("bar-live").strong());
            ui.separator();
            for tab in Tab::ALL {
                if ui.selectable_label(self.tab == tab, tab.label()).clicked() {
                    self.tab = tab;
                    if tab == Tab::Recordings {
                        self.recordings.mark_stale();
                    }
                }
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if self.settings.tournament.enabled {
                    ui.label(
                        egui::RichText::new(delayed::badge(self.settings.tournament.delay_s))
                            .color(DELAYED_COLOR)
                            .strong()
                            .size(16.0),
                    )
                    .on_hover_text(
                        "Tournament switch: every view shows the game as it was this long ago \
                         (Settings > Tournament); recording is not delayed",
                    );
                } else if self.web.addr().is_some() && self.settings.web.delay_s > 0.0 {
                    // Only here: the stream pages never show it.
                    ui.label(
                        egui::RichText::new(format!(
                            "⏱ stream delayed {:.0} s",
                            self.settings.web.delay_s
                        ))
                        .color(egui::Color32::from_rgb(230, 160, 40))
                        .strong(),
                    )
                    .on_hover_text("The overlay pages show the game as it was this long ago");
                }
                let label = if self.overlay_open {
                    "Close overlay"
                } else {
                    "Open overlay"
                };
                if ui.button(label).clicked() {
                    self.overlay_open = !self.overlay_open;
                }
                if self.overlay_open {
                    let lock = if self.settings.overlay.locked {
                        "🔓 Unlock overlay"
                    } else {
                        "🔒 Lock overlay"
                    };
                    if ui
                        .button(lock)
                        .on_hover_text("Locked = click-through")
                        .clicked()
                    {
                        self.settings.overlay.locked = !self.settings.overlay.locked;
                        ctx.send_viewport_cmd_to(
                            overlay::viewport_id(),
                            egui::ViewportCommand::MousePassthrough(self.settings.overlay.locked),
                        );
                    }
                }
            });
        });
    }

    fn show_overlay(&mut self, ctx: &egui::Context, session: &Session) {
        let view = self.view_options(ctx.global_style().visuals.dark_mode);
        let delay_s = self.settings.web.delay_s;
        let (store, end_t) = match (self.tab, self.review.review.as_ref()) {
            (Tab::Review, Some(r)) => (&r.store, r.cursor_t),
            // The tournament switch: the delayed game, whatever the stream delay says.
            _ if session.delayed.is_some() => (session.shown_store(), f64::INFINITY),
            _ if self.settings.web.overlay_follows_delay && delay_s > 0.0 => {
                // The game as the stream shows it.
                let at = bar_live_core::time::unix_ms().saturating_sub((delay_s * 1000.0) as u64);
                (
                    &session.store,
                    session
                        .timeline
                        .game_seconds_at(at)
                        .unwrap_or(f64::NEG_INFINITY),
                )
            }
            _ => (&session.store, f64::INFINITY),
        };
        let prefs = &self.settings.insight;
        let current = match (self.tab, self.review.review.as_ref()) {
            (Tab::Review, Some(r)) => r.path.as_deref(),
            _ => None,
        };
        let extra = overlay::OverlayExtra {
            bench: self
                .insight
                .benchmark_for(store, prefs, current)
                .filter(|_| prefs.overlay_row),
            flash: self.insight.alerts.flash(),
            delayed_s: session
                .delay_everything_s()
                .filter(|_| self.tab != Tab::Review),
        };
        if !overlay::show(ctx, store, &view, &mut self.settings.overlay, end_t, &extra) {
            self.overlay_open = false;
            self.settings.overlay.locked = false;
        }
    }
}

fn lock(session: &Mutex<Session>) -> MutexGuard<'_, Session> {
    session.lock().unwrap_or_else(|p| p.into_inner())
}

impl eframe::App for BarLiveApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        let dt = self.last_frame.elapsed().as_secs_f64().min(0.5);
        self.last_frame = Instant::now();
        self.fonts.poll(ctx);
        if self.exports.fallbacks.len() != self.fonts.fonts().len() {
            self.exports.fallbacks = self.fonts.fonts().to_vec();
        }
        if self.insight.poll() {
            ctx.request_repaint_after(Duration::from_millis(100));
        }
        if let Some(second) = self.insight.side_by_side.take() {
            self.review.second = Some(second);
            self.tab = Tab::Review;
        }
        {
            let shared = self.session();
            let session = lock(&shared);
            let prefs = &self.settings.insight.alerts;
            // Alerts follow what the views show (the delayed game while the tournament switch is on).
            if let Some(msg) = self.insight.alerts.update(session.shown_store(), prefs) {
                self.messages.status = Some(msg);
            }
            if self.insight.alerts.flash().is_some() {
                ctx.request_repaint_after(Duration::from_millis(250));
            }
        }
        if self.review.advance(dt) {
            ctx.request_repaint_after(Duration::from_millis(33));
        }
        let shared = self.session();
        let (connected, followed) = {
            let mut session = lock(&shared);
            self.game_commands(ctx, &mut session);
            let followed = settings_sync::follow_link(&mut self.settings, &mut session);
            (session.connected(), followed)
        };
        if let Some(said) = followed {
            self.save_settings();
            self.messages.status = Some(said);
        }
        if connected {
            // Keeps "last message N s ago" honest at 1 Hz without continuous repaints.
            ctx.request_repaint_after(Duration::from_secs(1));
        }
        if let Some(at) = self.quit_at {
            if Instant::now() >= at {
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            } else {
                ctx.request_repaint_after(at - Instant::now());
            }
        }
        let dropped: Vec<Request> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_owned())
                .filter(|p| !p.as_os_str().is_empty())
                .map(Request::OpenRecording)
                .collect()
        });
        self.handle_requests(ctx, dropped);
        if let Some(done) = self.exports.take_result() {
            self.messages.status = Some(done);
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.poll_opener();
        if self.opener.busy().is_some() {
            ui.ctx().request_repaint_after(Duration::from_millis(50));
        }
        let shared = self.session();
        let session = lock(&shared);
        let mut requests = Vec::new();
        self.main_ui(ui, &session, &mut requests);
        if self.overlay_open {
            self.show_overlay(ui.ctx(), &session);
        }
        drop(session);
        self.handle_requests(ui.ctx(), requests);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.web.stop();
        self.sim = None;
        self.demo = None;
        self.link.shutdown();
        self.save_settings();
    }
}
