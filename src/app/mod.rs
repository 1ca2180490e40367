//! The egui desktop app: live dashboard, overlay, settings, recordings and review.
//!
//! Threads: the listener's reader threads send [`NetEvent`]s over a bounded channel; `logic` drains them
//! under a time budget and never blocks; drawing happens in `ui` (see `views.rs`).

pub mod export;
pub mod overlay;
pub mod plots;
pub mod settings;
mod views;
pub mod waker;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, bounded};

use bar_live_core::live::{RecordPolicy, Session};
use bar_live_core::net::{NetEvent, Server, ServerConfig};
use bar_live_core::protocol::{AppMessage, WidgetConfig};
use bar_live_core::review::Review;
use bar_live_core::store::ValueMode;
use plots::{DashboardState, Entity, ViewOptions};
use settings::{Paths, Settings, Theme};

/// Events waiting in the channel before the reader threads block (back-pressure into TCP). A game sends
/// ~2 messages per second; only a fast replay fills it, and a decoded 16-team update with its raw frame is
/// ~40 KB, so 256 keeps the backlog near 10 MB (4096 let a max-speed replay park ~250 MB in the heap).
const EVENT_CHANNEL_CAPACITY: usize = 256;
/// Longest time one frame may spend applying events, so the UI stays responsive under load.
const DRAIN_BUDGET: Duration = Duration::from_millis(8);

/// What the command line asks the app to do at start.
#[derive(Debug, Default, Clone)]
pub struct LaunchOptions {
    pub config_path: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub listen: Option<String>,
    pub allow_remote: bool,
    pub max_frame_bytes: u32,
    pub open: Option<PathBuf>,
    pub simulate: bool,
    pub overlay: bool,
    pub quit_after: Option<Duration>,
    pub tab: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Live,
    Review,
    Recordings,
    Settings,
    Widget,
}

impl Tab {
    pub const ALL: [Tab; 5] = [
        Tab::Live,
        Tab::Review,
        Tab::Recordings,
        Tab::Settings,
        Tab::Widget,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Tab::Live => "🗠 Live",
            Tab::Review => "⏪ Review",
            Tab::Recordings => "🗄 Recordings",
            Tab::Settings => "⚙ Settings",
            Tab::Widget => "⬇ Widget install",
        }
    }
    fn parse(s: &str) -> Option<Tab> {
        match s {
            "live" => Some(Tab::Live),
            "review" => Some(Tab::Review),
            "recordings" => Some(Tab::Recordings),
            "settings" => Some(Tab::Settings),
            "widget" => Some(Tab::Widget),
            _ => None,
        }
    }
}

/// Runs the app until its window closes.
pub fn run(opts: LaunchOptions) -> anyhow::Result<()> {
    let paths = Paths::resolve(opts.config_path.clone(), opts.data_dir.clone());
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("bar-live")
            .with_app_id("bar-live")
            .with_inner_size([1280.0, 820.0])
            .with_min_inner_size([640.0, 420.0])
            .with_drag_and_drop(true),
        renderer: eframe::Renderer::Glow,
        persist_window: false,
        ..Default::default()
    };
    eframe::run_native(
        "bar-live",
        native,
        Box::new(move |cc| Ok(Box::new(BarLiveApp::new(&cc.egui_ctx, opts, paths)))),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))
}

struct SimHandle {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

pub struct BarLiveApp {
    paths: Paths,
    settings: Settings,
    /// The settings panel edits this copy; "Save" validates and applies it.
    draft: Settings,
    draft_errors: Vec<String>,
    notices: Vec<String>,
    server: Option<Server>,
    events: Receiver<NetEvent>,
    events_tx: crossbeam_channel::Sender<NetEvent>,
    max_frame_bytes: u32,
    allow_remote: bool,
    /// `--listen` from the command line: used for this run, never saved.
    listen_override: Option<String>,
    session: Session,
    review: Option<Review>,
    tab: Tab,
    hidden: std::collections::HashSet<Entity>,
    highlighted: Option<Entity>,
    axis_live: DashboardState,
    axis_review: DashboardState,
    overlay_open: bool,
    browser: bar_live_core::recording::browser::Browser,
    browser_loaded: bool,
    sim: Option<SimHandle>,
    quit_at: Option<Instant>,
    last_tick: Instant,
    last_frame: Instant,
    dashboard_rect: Option<egui::Rect>,
    export_result: Arc<Mutex<Option<String>>>,
    bar_dir_text: String,
    status_line: Option<String>,
}

impl BarLiveApp {
    pub fn new(ctx: &egui::Context, opts: LaunchOptions, paths: Paths) -> BarLiveApp {
        let loaded = settings::load(&paths.settings_file);
        let settings = loaded.settings;
        let mut notices: Vec<String> = loaded.warning.into_iter().collect();
        apply_theme(ctx, settings.theme);
        let (tx, rx) = bounded(EVENT_CHANNEL_CAPACITY);
        let session = Session::new(record_policy(&settings, &paths));
        let mut app = BarLiveApp {
            draft: settings.clone(),
            draft_errors: Vec::new(),
            server: None,
            events: rx,
            events_tx: tx,
            max_frame_bytes: opts.max_frame_bytes.max(1),
            allow_remote: opts.allow_remote,
            listen_override: opts.listen.clone(),
            session,
            review: None,
            tab: opts
                .tab
                .as_deref()
                .and_then(Tab::parse)
                .unwrap_or(Tab::Live),
            hidden: Default::default(),
            highlighted: None,
            axis_live: DashboardState::default(),
            axis_review: DashboardState::default(),
            overlay_open: opts.overlay || settings.overlay.open_at_start,
            browser: Default::default(),
            browser_loaded: false,
            sim: None,
            quit_at: opts.quit_after.map(|d| Instant::now() + d),
            last_tick: Instant::now(),
            last_frame: Instant::now(),
            dashboard_rect: None,
            export_result: Arc::new(Mutex::new(None)),
            bar_dir_text: settings
                .bar_data_dir
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            status_line: None,
            paths,
            settings,
            notices: Vec::new(),
        };
        app.start_server(ctx);
        if let Some(path) = &opts.open {
            app.open_recording(path);
        }
        if opts.simulate {
            app.start_simulator();
        }
        notices.append(&mut app.notices);
        app.notices = notices;
        app
    }

    fn start_server(&mut self, ctx: &egui::Context) {
        if let Some(mut old) = self.server.take() {
            old.shutdown();
        }
        let listen = self
            .listen_override
            .clone()
            .unwrap_or_else(|| self.settings.listen.clone());
        let config = ServerConfig {
            listen,
            max_frame_bytes: self.max_frame_bytes,
        };
        if let Err(e) = bar_live_core::net::check_listen_addr(&config.listen, self.allow_remote) {
            self.notices.push(e.to_string());
            return;
        }
        let waker = Arc::new(waker::ThrottledWaker::new(ctx.clone()));
        match Server::start(config, self.events_tx.clone(), waker) {
            Ok(s) => self.server = Some(s),
            Err(e) => log::error!("cannot listen: {e}"),
        }
    }

    fn start_simulator(&mut self) {
        if self.sim.is_some() {
            return;
        }
        let Some(addr) = self.server.as_ref().and_then(Server::local_addr) else {
            self.notices
                .push("the simulator needs the listener, which is not running".into());
            return;
        };
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = Arc::clone(&stop);
        let game = bar_live_core::sim::SimGame::new(bar_live_core::sim::SimOptions {
            teams: 6,
            minutes: 40.0,
            ..Default::default()
        });
        let thread = std::thread::Builder::new()
            .name("bar-live-simulator".into())
            .spawn(move || {
                if let Err(e) = bar_live_core::sim::run(
                    &addr.to_string(),
                    game,
                    bar_live_core::sim::Speed::Factor(20.0),
                    stop2,
                ) {
                    log::warn!("simulator stopped: {e:#}");
                }
            })
            .ok();
        self.sim = Some(SimHandle { stop, thread });
    }

    fn stop_simulator(&mut self) {
        if let Some(mut s) = self.sim.take() {
            s.stop.store(true, Ordering::SeqCst);
            if let Some(t) = s.thread.take() {
                let _ = t.join();
            }
        }
    }

    fn open_recording(&mut self, path: &std::path::Path) {
        match Review::open(path) {
            Ok(r) => {
                if r.truncated {
                    self.notices.push(format!(
                        "{} was cut short; loaded up to its last complete frame",
                        r.title
                    ));
                }
                self.review = Some(r);
                self.axis_review = DashboardState::default();
                self.tab = Tab::Review;
            }
            Err(e) => self.notices.push(format!("{e:#}")),
        }
    }

    fn open_demo(&mut self) {
        match Review::demo() {
            Ok(r) => {
                self.review = Some(r);
                self.axis_review = DashboardState::default();
                self.tab = Tab::Review;
            }
            Err(e) => self
                .notices
                .push(format!("the demo recording could not be read: {e:#}")),
        }
    }

    /// The config the widget should run with, from settings.
    fn widget_config(&self) -> WidgetConfig {
        WidgetConfig {
            interval_frames: Some(self.settings.widget_interval_frames),
            level: Some(self.settings.widget_level),
            ..WidgetConfig::default()
        }
    }

    fn push_widget_config(&mut self) {
        let msg = AppMessage::Config(self.widget_config());
        if let Some(server) = &self.server
            && let Err(e) = server.send(&msg)
        {
            log::info!("widget config not sent: {e}");
        }
    }

    fn view_options(&self, ctx: &egui::Context) -> ViewOptions {
        ViewOptions {
            per_ally: self.settings.per_ally_team,
            mode: if self.settings.cumulative {
                ValueMode::Cumulative
            } else {
                ValueMode::PerSecond
            },
            rate_factor: self.settings.rate_unit.factor(),
            rate_suffix: self.settings.rate_unit.suffix(),
            hidden: self.hidden.clone(),
            highlighted: self.highlighted,
            dark: ctx.global_style().visuals.dark_mode,
        }
    }

    fn save_settings(&mut self) {
        if let Err(e) = settings::save(&self.paths.settings_file, &self.settings) {
            self.notices.push(format!("settings not saved: {e:#}"));
        }
    }

    /// Applies events from the reader threads within the time budget.
    fn drain_events(&mut self, ctx: &egui::Context) {
        let start = Instant::now();
        while start.elapsed() < DRAIN_BUDGET {
            match self.events.try_recv() {
                Ok(ev) => self.session.handle(ev),
                Err(_) => break,
            }
        }
        if !self.events.is_empty() {
            ctx.request_repaint();
        }
        if self.session.wants_config_push {
            self.session.wants_config_push = false;
            self.push_widget_config();
        }
        for cmd in std::mem::take(&mut self.session.commands) {
            if cmd.name == "overlay" {
                let msg = overlay::apply_command(
                    &mut self.settings.overlay,
                    &mut self.overlay_open,
                    &cmd.args,
                );
                ctx.send_viewport_cmd_to(
                    overlay::viewport_id(),
                    egui::ViewportCommand::MousePassthrough(self.settings.overlay.locked),
                );
                self.status_line = Some(format!("from the game: {msg}"));
            } else {
                self.status_line = Some(format!("unknown command from the game: {}", cmd.name));
            }
        }
        if self.last_tick.elapsed() >= Duration::from_secs(1) {
            self.last_tick = Instant::now();
            self.session.tick();
        }
    }
}

impl eframe::App for BarLiveApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.drain_events(ctx);
        let dt = self.last_frame.elapsed().as_secs_f64().min(0.5);
        self.last_frame = Instant::now();
        if let Some(r) = self.review.as_mut()
            && r.playing
        {
            r.advance(dt);
            ctx.request_repaint_after(Duration::from_millis(33));
        }
        if self.session.connected() {
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
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_owned())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        for path in dropped {
            self.open_recording(&path);
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.main_ui(ui);
        if self.overlay_open {
            self.show_overlay(ui.ctx());
        }
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.stop_simulator();
        if let Some(mut s) = self.server.take() {
            s.shutdown();
        }
        while let Ok(ev) = self.events.try_recv() {
            self.session.handle(ev);
        }
        self.session.finish_recording();
        self.save_settings();
    }
}

fn record_policy(settings: &Settings, paths: &Paths) -> RecordPolicy {
    RecordPolicy {
        enabled: settings.auto_record,
        dir: settings
            .recordings_dir
            .clone()
            .unwrap_or_else(|| paths.data_dir.join("recordings")),
        keep_last: settings.keep_last,
    }
}

fn apply_theme(ctx: &egui::Context, theme: Theme) {
    ctx.set_theme(match theme {
        Theme::Dark => egui::Theme::Dark,
        Theme::Light => egui::Theme::Light,
    });
}
