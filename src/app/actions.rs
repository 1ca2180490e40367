//! Carrying out what components and the command line ask for: opening recordings, starting the
//! simulator or the demo replay, applying and saving settings, the overlay commands from the game.

use bar_live_core::live::feed::DemoReplay;
use bar_live_core::live::{LinkCommand, RecordPolicy, Session};
use bar_live_core::protocol::WidgetConfig;
use bar_live_core::review::Review;
use bar_live_core::sim::{SimGame, SimOptions, SimThread, Speed};

use super::settings::{self, Paths, Settings, Theme};
use super::{BarLiveApp, Request, Tab, overlay, settings_sync};

impl BarLiveApp {
    /// Shows a file in Review once the opener has read it.
    pub(super) fn poll_opener(&mut self) {
        match self.opener.poll() {
            None => {}
            Some(Ok(r)) => {
                if r.truncated {
                    self.messages.notices.push(format!(
                        "{} was cut short; loaded up to its last complete frame",
                        r.title
                    ));
                }
                self.messages.status = None;
                self.review.show(r);
                self.tab = Tab::Review;
            }
            Some(Err(e)) => {
                self.messages.status = None;
                self.messages.notices.push(e);
            }
        }
    }

    pub(super) fn handle_requests(&mut self, ctx: &egui::Context, requests: Vec<Request>) {
        for r in requests {
            match r {
                Request::OpenRecording(path) => {
                    self.messages.status = Some(format!("Opening {}…", path.display()));
                    self.opener.open(path);
                }
                Request::OpenDemo => match Review::demo() {
                    Ok(r) => {
                        self.review.show(r);
                        self.tab = Tab::Review;
                    }
                    Err(e) => self
                        .messages
                        .notices
                        .push(format!("the demo recording could not be read: {e:#}")),
                },
                Request::StartSimulator => self.start_simulator(),
                Request::StartDemoReplay => self.start_demo_replay(),
                Request::StopFeeds => {
                    self.sim = None;
                    self.demo = None;
                }
                Request::ShowTab(t) => self.tab = t,
                Request::Notice(n) => self.messages.notices.push(n),
                Request::Status(s) => self.messages.status = Some(s),
                Request::ApplySettings(new) => self.apply_settings(ctx, *new),
                Request::SaveSettings => self.save_settings(),
                Request::FindGameFolders => self.find_folders(),
                Request::RememberBarDataDir(dir) => {
                    self.settings.bar_data_dir = Some(dir);
                    self.find_folders();
                    self.save_settings();
                }
                Request::SetWidgetEnabled(on) => {
                    self.settings.widget.enabled = on;
                    self.save_settings();
                    self.command(LinkCommand::SetWidgetConfig(widget_config(&self.settings)));
                }
                Request::Link(c) => self.command(c),
            }
        }
    }

    /// Starts, moves or stops the overlay-page server to match the settings.
    pub(super) fn apply_web(&mut self) {
        let session = self.link.session();
        self.web.apply(
            &self.settings.web,
            &self.launch,
            &self.paths.user_css(),
            &session,
        );
        if let Some(e) = &self.web.error {
            self.messages.notices.push(e.clone());
        }
    }

    pub(super) fn command(&mut self, c: LinkCommand) {
        if let Err(e) = self.link.command(c) {
            self.messages.notices.push(e.to_string());
        }
    }

    pub(super) fn start_simulator(&mut self) {
        if self.sim.as_ref().is_some_and(SimThread::running) {
            return;
        }
        let Some(addr) = self.link.local_addr() else {
            self.messages
                .notices
                .push("the simulator needs the listener, which is not running".into());
            return;
        };
        let game = SimGame::new(SimOptions {
            teams: 6,
            minutes: 40.0,
            ..Default::default()
        });
        match SimThread::start(addr.to_string(), game, Speed::Factor(20.0)) {
            Ok(s) => self.sim = Some(s),
            Err(e) => self
                .messages
                .notices
                .push(format!("the simulator could not start: {e}")),
        }
    }

    pub(super) fn start_demo_replay(&mut self) {
        if self.demo.as_ref().is_some_and(DemoReplay::running) {
            return;
        }
        let Some(addr) = self.link.local_addr() else {
            self.messages
                .notices
                .push("the demo replay needs the listener, which is not running".into());
            return;
        };
        match DemoReplay::start(addr.to_string()) {
            Ok(d) => self.demo = Some(d),
            Err(e) => self
                .messages
                .notices
                .push(format!("the demo replay could not start: {e}")),
        }
    }

    /// Applies validated settings from the editor: theme, listener, recording, widget config.
    pub(super) fn apply_settings(&mut self, ctx: &egui::Context, mut new: Settings) {
        // Runtime state edited elsewhere (overlay lock/position, legend toggles) is kept.
        new.overlay.locked = self.settings.overlay.locked;
        new.overlay.position = self.settings.overlay.position;
        new.overlay.size = self.settings.overlay.size;
        new.per_ally_team = self.settings.per_ally_team;
        new.cumulative = self.settings.cumulative;
        new.widget.enabled = self.settings.widget.enabled;
        new.insight = self.settings.insight.clone();
        if new.listen != self.settings.listen {
            self.launch.listen_override = None;
        }
        // A new address moves the widget; the settings keep the old one until it lands.
        for c in settings_sync::link_commands(&self.settings, &mut new) {
            self.command(c);
        }
        let old = std::mem::replace(&mut self.settings, new);
        apply_theme(ctx, self.settings.theme);
        let policy = record_policy(&self.settings, &self.paths);
        if policy != record_policy(&old, &self.paths) {
            self.command(LinkCommand::SetRecordPolicy(policy));
        }
        if self.settings.tournament != old.tournament {
            self.link
                .lock()
                .set_delay_everything(self.settings.tournament.delay());
        }
        if self.settings.web != old.web {
            if self.settings.web.listen != old.web.listen {
                self.launch.web_listen_override = None;
            }
            self.apply_web();
        }
        self.find_folders();
        self.save_settings();
        self.messages.status = Some("settings saved".into());
    }

    pub(super) fn save_settings(&mut self) {
        if let Err(e) = settings::save(&self.paths.settings_file, &self.settings) {
            self.messages
                .notices
                .push(format!("settings not saved: {e:#}"));
        }
    }

    pub(super) fn game_commands(&mut self, ctx: &egui::Context, session: &mut Session) {
        for cmd in session.take_commands() {
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
                self.messages.status = Some(format!("from the game: {msg}"));
            } else {
                self.messages.status = Some(format!("unknown command from the game: {}", cmd.name));
            }
        }
    }
}

/// Where auto-recordings go and how many to keep.
pub fn record_policy(settings: &Settings, paths: &Paths) -> RecordPolicy {
    RecordPolicy {
        enabled: settings.auto_record,
        dir: settings
            .recordings_dir
            .clone()
            .unwrap_or_else(|| paths.recordings_dir()),
        keep_last: settings.keep_last,
    }
}

/// The settings the app pushes to the widget on every hello and when they change: all but the
/// address, which only a coordinated move changes ([`super::widget_settings`]).
pub fn widget_config(settings: &Settings) -> WidgetConfig {
    settings.widget.config()
}

pub(super) fn apply_theme(ctx: &egui::Context, theme: Theme) {
    ctx.set_theme(match theme {
        Theme::Dark => egui::Theme::Dark,
        Theme::Light => egui::Theme::Light,
    });
}
