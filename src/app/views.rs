//! Drawing: the tabs, status bar, legend and overlay viewport of [`BarLiveApp`].

use egui::{Color32, RichText, Ui};

use super::plots::{self, Entity, ViewOptions};
use super::settings::{OverlayTarget, RateUnit, Theme};
use super::{BarLiveApp, Tab, export, overlay, record_policy};
use bar_live_core::install;
use bar_live_core::live::LinkState;
use bar_live_core::protocol::Level;
use bar_live_core::recording::summary::format_game_time;
use bar_live_core::store::{Metric, Store};

impl BarLiveApp {
    pub(super) fn main_ui(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        egui::Panel::top("tabs").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.heading(RichText::new("bar-live").strong());
                ui.separator();
                for tab in Tab::ALL {
                    if ui.selectable_label(self.tab == tab, tab.label()).clicked() {
                        self.tab = tab;
                        if tab == Tab::Recordings {
                            self.refresh_browser();
                        }
                    }
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
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
                                egui::ViewportCommand::MousePassthrough(
                                    self.settings.overlay.locked,
                                ),
                            );
                        }
                    }
                });
            });
        });
        egui::Panel::bottom("status").show(ui, |ui| self.status_bar_ui(ui));
        if !self.notices.is_empty() {
            egui::Panel::top("notices").show(ui, |ui| self.notices_ui(ui));
        }
        if matches!(self.tab, Tab::Live | Tab::Review)
            && self.active_store().is_some_and(|s| s.updates > 0)
        {
            egui::Panel::left("legend")
                .default_size(210.0)
                .show(ui, |ui| self.legend_ui(ui));
        }
        egui::CentralPanel::default().show(ui, |ui| match self.tab {
            Tab::Live => self.live_ui(ui),
            Tab::Review => self.review_ui(ui),
            Tab::Recordings => self.recordings_ui(ui),
            Tab::Settings => self.settings_ui(ui),
            Tab::Widget => self.widget_install_ui(ui),
        });
    }

    fn active_store(&self) -> Option<&Store> {
        match self.tab {
            Tab::Review => self.review.as_ref().map(|r| &r.store),
            _ => Some(&self.session.store),
        }
    }

    fn notices_ui(&mut self, ui: &mut Ui) {
        let mut dismiss = None;
        for (i, n) in self.notices.iter().enumerate() {
            ui.horizontal(|ui| {
                ui.colored_label(Color32::from_rgb(230, 160, 40), format!("⚠ {n}"));
                if ui.small_button("Dismiss").clicked() {
                    dismiss = Some(i);
                }
            });
        }
        if let Some(i) = dismiss {
            self.notices.remove(i);
        }
    }

    fn status_bar_ui(&mut self, ui: &mut Ui) {
        let s = &self.session;
        ui.horizontal_wrapped(|ui| {
            let (dot, text) = match &s.link {
                LinkState::Starting => (Color32::GRAY, "starting…".to_owned()),
                LinkState::Listening { addr } => (
                    Color32::from_rgb(230, 180, 40),
                    format!("listening on {addr} — waiting for the widget"),
                ),
                LinkState::ListenFailed { addr, error } => (
                    Color32::from_rgb(220, 60, 60),
                    format!("cannot listen on {addr}: {error}"),
                ),
                LinkState::Connected { peer, .. } => {
                    let w = s.store.hello.as_ref().map_or("widget".to_owned(), |h| {
                        format!("{} v{}", h.widget.name, h.widget.version)
                    });
                    (
                        Color32::from_rgb(60, 200, 90),
                        format!("connected to {w} ({peer})"),
                    )
                }
            };
            status_dot_ui(ui, dot);
            ui.label(text);
            if let Some(h) = &s.store.hello {
                ui.separator();
                ui.label(format!(
                    "{} · {}",
                    h.game.map_name,
                    if h.game.spectating {
                        if h.game.full_view {
                            "spectator (full view)"
                        } else {
                            "spectator"
                        }
                    } else {
                        "player"
                    }
                ));
                ui.label(format!(
                    "game {}",
                    format_game_time(s.store.last_game_seconds)
                ));
                if s.store.paused {
                    ui.colored_label(Color32::from_rgb(230, 180, 40), "paused");
                }
            }
            if let Some(at) = s.last_message_at.filter(|_| s.connected()) {
                ui.separator();
                let age = at.elapsed().as_secs_f32();
                let color = if age > 5.0 {
                    Color32::from_rgb(230, 120, 40)
                } else {
                    ui.visuals().text_color()
                };
                ui.colored_label(color, format!("last message {age:.0} s ago"));
            }
            if let Some(w) = &s.store.widget_stats {
                ui.separator();
                let warn = w.drops > 0 || w.queue_depth > 10;
                let color = if warn {
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
            if s.protocol_errors_total > 0 {
                ui.separator();
                let list = s
                    .protocol_errors
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("\n");
                ui.colored_label(
                    Color32::from_rgb(220, 60, 60),
                    format!("{} protocol errors", s.protocol_errors_total),
                )
                .on_hover_text(list);
            }
            if let Some(d) = s.last_disconnect.as_ref().filter(|_| !s.connected()) {
                ui.separator();
                ui.label(format!("last disconnect: {d}"));
            }
            ui.separator();
            match (&s.recorder, &s.recording_error) {
                (_, Some(e)) => {
                    let short: String = e.chars().take(90).collect();
                    ui.colored_label(
                        Color32::from_rgb(220, 60, 60),
                        format!("recording stopped: {short}"),
                    )
                    .on_hover_text(e);
                }
                (Some(r), None) => {
                    let name = r
                        .path()
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    ui.colored_label(Color32::from_rgb(220, 60, 60), "⏺")
                        .on_hover_text(format!("recording to {name}"));
                    ui.label(format!("rec {} frames", r.frames()));
                }
                (None, None) => {
                    ui.label(if self.settings.auto_record {
                        "auto-record on"
                    } else {
                        "auto-record off"
                    });
                }
            }
            if let Some(msg) = &self.status_line {
                ui.separator();
                ui.label(msg);
            }
            if let Some(msg) = self
                .export_result
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .as_ref()
            {
                ui.separator();
                ui.label(msg);
            }
        });
    }

    fn legend_ui(&mut self, ui: &mut Ui) {
        let dark = ui.visuals().dark_mode;
        let Some(store) = (match self.tab {
            Tab::Review => self.review.as_ref().map(|r| &r.store),
            _ => Some(&self.session.store),
        }) else {
            return;
        };
        ui.strong("Teams");
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.settings.per_ally_team, false, "Players");
            ui.selectable_value(&mut self.settings.per_ally_team, true, "Ally teams");
        });
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.settings.cumulative, false, "Per second");
            ui.selectable_value(&mut self.settings.cumulative, true, "Cumulative");
        });
        ui.separator();
        let mut hovered = None;
        for e in plots::entities(store, self.settings.per_ally_team) {
            let hidden = self.hidden.contains(&e);
            let color = plots::entity_color(store, e, dark);
            let mut name = plots::entity_name(store, e);
            if let Entity::Team(t) = e
                && let Some(info) = store.teams.get(&t)
            {
                if info.is_ai {
                    name.push_str("  [AI]");
                }
                if store.series.get(&t).is_some_and(|s| {
                    s.t.last()
                        .is_some_and(|&last| last + 5.0 < store.last_game_seconds)
                }) {
                    name.push_str("  ☠");
                }
            }
            let text = if hidden {
                RichText::new(name)
                    .color(ui.visuals().weak_text_color())
                    .strikethrough()
            } else {
                RichText::new(name).color(color)
            };
            let r = ui
                .horizontal(|ui| {
                    status_dot_ui(
                        ui,
                        if hidden {
                            ui.visuals().weak_text_color()
                        } else {
                            color
                        },
                    );
                    ui.selectable_label(false, text)
                })
                .inner
                .on_hover_text("Click to hide or show; hover to highlight");
            if r.clicked() {
                if hidden {
                    self.hidden.remove(&e);
                } else {
                    self.hidden.insert(e);
                }
            }
            if r.hovered() {
                hovered = Some(e);
            }
        }
        self.highlighted = hovered;
        ui.separator();
        let axis = if self.tab == Tab::Review {
            &mut self.axis_review
        } else {
            &mut self.axis_live
        };
        // In review the plots follow the timeline cursor rather than the newest data.
        let (following, follow) = if self.tab == Tab::Review {
            ("Following the cursor", "⏩ Follow the cursor")
        } else {
            ("Following live", "⏩ Follow live")
        };
        if axis.follow {
            ui.label(RichText::new(following).weak())
                .on_hover_text("Zoom or drag a plot to look around");
        } else if ui.button(follow).clicked() {
            axis.follow = true;
            axis.manual = None;
        }
        ui.add_space(8.0);
        ui.label(
            RichText::new("Solid: income / stored / dealt\nDashed: expense / storage / received")
                .small()
                .weak(),
        );
    }

    fn export_buttons_ui(&mut self, ui: &mut Ui, end_t: f64) {
        let view = self.view_options(ui.ctx());
        let store = match self.tab {
            Tab::Review => self.review.as_ref().map(|r| &r.store),
            _ => Some(&self.session.store),
        };
        let Some(store) = store else { return };
        let dir = self.paths.data_dir.join("exports");
        let stamp = bar_live_core::time::utc_stamp(bar_live_core::time::unix_ms());
        if ui
            .button("Export CSV")
            .on_hover_text("The visible series, one column per team and metric")
            .clicked()
        {
            let path = dir.join(format!("{stamp}.csv"));
            let result = std::fs::create_dir_all(&dir)
                .and_then(|_| std::fs::write(&path, export::csv(store, &view, end_t)));
            *self.export_result.lock().unwrap_or_else(|p| p.into_inner()) = Some(match result {
                Ok(()) => format!("CSV saved to {}", path.display()),
                Err(e) => format!("CSV export failed: {e}"),
            });
        }
        if ui
            .button("Export PNG")
            .on_hover_text("The plot area as an image")
            .clicked()
            && let Some(rect) = self.dashboard_rect
        {
            let path = dir.join(format!("{stamp}.png"));
            let ppp = ui.ctx().pixels_per_point();
            let result = std::sync::Arc::clone(&self.export_result);
            let _ = std::fs::create_dir_all(&dir);
            let ctx = ui.ctx().clone();
            ui.ctx().request_screenshot(move |image| {
                let msg = match export::save_png(&image, rect, ppp, &path) {
                    Ok(()) => format!("PNG saved to {}", path.display()),
                    Err(e) => format!("PNG export failed: {e:#}"),
                };
                *result.lock().unwrap_or_else(|p| p.into_inner()) = Some(msg);
                ctx.request_repaint();
            });
        }
    }

    fn live_ui(&mut self, ui: &mut Ui) {
        if self.session.store.updates == 0 {
            self.start_screen_ui(ui);
            return;
        }
        let end_t = self.session.store.last_game_seconds;
        ui.horizontal(|ui| {
            ui.strong(format!("Live — {}", format_game_time(end_t)));
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                self.export_buttons_ui(ui, end_t)
            });
        });
        let view = self.view_options(ui.ctx());
        self.dashboard_rect = Some(ui.available_rect_before_wrap());
        plots::dashboard_ui(ui, &self.session.store, &view, &mut self.axis_live, end_t);
    }

    fn start_screen_ui(&mut self, ui: &mut Ui) {
        ui.vertical_centered(|ui| {
            ui.add_space(40.0);
            ui.heading(RichText::new("No game connected yet").size(26.0));
            ui.add_space(8.0);
            let addr = self.session.listen_addr.clone().unwrap_or_else(|| self.settings.listen.clone());
            ui.label(format!("bar-live is listening on {addr} for the Live Data Export widget."));
            ui.add_space(16.0);
            egui::Frame::group(ui.style()).inner_margin(16.0).show(ui, |ui| {
                ui.set_max_width(560.0);
                ui.strong("To see your game here:");
                ui.label("1. Install the widget (Widget install tab) into your BAR data folder.");
                ui.label("2. In BAR, press F11 (or Settings > Custom) and enable \"Live Data Export\".");
                ui.label("3. Start or spectate a game: the plots appear as soon as data arrives.");
            });
            ui.add_space(20.0);
            ui.label("Or look around first:");
            ui.horizontal(|ui| {
                ui.add_space((ui.available_width() - 430.0).max(0.0) / 2.0);
                if ui.add(egui::Button::new(RichText::new("▶ Open the demo recording").size(16.0))).clicked() {
                    self.open_demo();
                }
                if ui
                    .add(egui::Button::new(RichText::new("⚡ Start the live simulator").size(16.0)))
                    .on_hover_text("A simulated 6-team game streamed to this app at 20× speed")
                    .clicked()
                {
                    self.start_simulator();
                }
            });
        });
    }

    fn review_ui(&mut self, ui: &mut Ui) {
        let Some(r) = self.review.as_mut() else {
            ui.vertical_centered(|ui| {
                ui.add_space(40.0);
                ui.heading("Nothing to review yet");
                ui.label(
                    "Open a game from the Recordings tab, drop a .barlive file on this window, or:",
                );
                if ui.button("▶ Open the demo recording").clicked() {
                    self.open_demo();
                }
            });
            return;
        };
        ui.horizontal(|ui| {
            ui.strong(&r.title);
            ui.separator();
            if r.playing {
                if ui.button("⏸ Pause").clicked() {
                    r.playing = false;
                }
            } else if ui.button("▶ Play").clicked() {
                r.play();
            }
            egui::ComboBox::from_id_salt("speed")
                .selected_text(format!("{}×", r.speed))
                .width(60.0)
                .show_ui(ui, |ui| {
                    for s in bar_live_core::review::PLAY_SPEEDS {
                        ui.selectable_value(&mut r.speed, s, format!("{s}×"));
                    }
                });
            ui.label(format!(
                "{} / {}",
                format_game_time(r.cursor_t),
                format_game_time(r.end_t)
            ));
        });
        let end = r.end_t.max(1.0);
        ui.spacing_mut().slider_width = ui.available_width() - 40.0;
        if ui
            .add(egui::Slider::new(&mut r.cursor_t, 0.0..=end).show_value(false))
            .dragged()
        {
            r.playing = false;
        }
        let cursor = r.cursor_t;
        ui.horizontal(|ui| {
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                self.export_buttons_ui(ui, cursor)
            });
        });
        let view = self.view_options(ui.ctx());
        self.dashboard_rect = Some(ui.available_rect_before_wrap());
        if let Some(r) = &self.review {
            plots::dashboard_ui(ui, &r.store, &view, &mut self.axis_review, cursor);
        }
    }

    fn refresh_browser(&mut self) {
        let dir = record_policy(&self.settings, &self.paths).dir;
        self.browser.refresh(&dir);
        self.browser_loaded = true;
    }

    fn recordings_ui(&mut self, ui: &mut Ui) {
        if !self.browser_loaded {
            self.refresh_browser();
        }
        let dir = record_policy(&self.settings, &self.paths).dir;
        ui.horizontal(|ui| {
            ui.strong("Recordings");
            ui.label(RichText::new(dir.display().to_string()).weak());
            if ui.button("⟳ Refresh").clicked() {
                self.refresh_browser();
            }
        });
        if let Some(e) = &self.browser.error {
            ui.colored_label(Color32::from_rgb(220, 60, 60), e);
        }
        if self.browser.entries.is_empty() {
            ui.add_space(20.0);
            ui.label("No recordings yet. Every connected game is recorded here automatically (Settings → Recordings).");
            return;
        }
        let mut open = None;
        let mut delete = None;
        egui::ScrollArea::vertical().show(ui, |ui| {
            egui::Grid::new("recordings")
                .striped(true)
                .num_columns(7)
                .spacing([16.0, 6.0])
                .show(ui, |ui| {
                    for h in ["Date (UTC)", "Map", "Teams", "Game length", "Size", "", ""] {
                        ui.strong(h);
                    }
                    ui.end_row();
                    for e in &self.browser.entries {
                        let name = e
                            .path
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        let date = name
                            .get(..19)
                            .unwrap_or(&name)
                            .replacen('_', " ", 1)
                            .replace('-', ":");
                        let date = format!(
                            "{}{}",
                            &name.get(..10).unwrap_or(""),
                            date.get(10..).unwrap_or("")
                        );
                        ui.label(date);
                        match &e.summary {
                            Ok(s) => {
                                ui.label(s.map.as_deref().unwrap_or("?"));
                                let teams: Vec<&str> =
                                    s.teams.iter().map(|t| t.name.as_str()).collect();
                                ui.label(if teams.len() > 4 {
                                    format!("{} teams", teams.len())
                                } else {
                                    teams.join(", ")
                                });
                                let mut len = format_game_time(s.game_seconds);
                                if s.truncated {
                                    len.push_str(" (cut short)");
                                }
                                ui.label(len);
                            }
                            Err(err) => {
                                ui.colored_label(Color32::from_rgb(220, 60, 60), "unreadable")
                                    .on_hover_text(err);
                                ui.label("");
                                ui.label("");
                            }
                        }
                        ui.label(format!("{:.1} MB", e.size as f64 / 1e6));
                        if ui.button("Open").clicked() {
                            open = Some(e.path.clone());
                        }
                        if ui.button("🗑 Delete").clicked() {
                            delete = Some(e.path.clone());
                        }
                        ui.end_row();
                    }
                });
        });
        if let Some(p) = open {
            self.open_recording(&p);
        }
        if let Some(p) = delete
            && let Err(e) = self.browser.delete(&p)
        {
            self.notices
                .push(format!("cannot delete {}: {e}", p.display()));
        }
    }

    fn settings_ui(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.heading("Settings");
            ui.label(
                RichText::new(format!("Saved in {}", self.paths.settings_file.display())).weak(),
            );
            ui.add_space(8.0);
            let d = &mut self.draft;
            egui::Grid::new("settings")
                .num_columns(2)
                .spacing([24.0, 8.0])
                .show(ui, |ui| {
                    ui.strong("Connection");
                    ui.end_row();
                    ui.label("Listen address");
                    ui.text_edit_singleline(&mut d.listen)
                        .on_hover_text("Loopback only unless started with --allow-remote");
                    ui.end_row();
                    ui.strong("Widget (pushed live to the game)");
                    ui.end_row();
                    ui.label("Update interval (game frames)");
                    ui.add(egui::DragValue::new(&mut d.widget_interval_frames).range(1..=300))
                        .on_hover_text("15 frames = 2 updates per game second");
                    ui.end_row();
                    ui.label("Detail level");
                    egui::ComboBox::from_id_salt("level")
                        .selected_text(d.widget_level.as_str())
                        .show_ui(ui, |ui| {
                            for l in Level::ALL {
                                ui.selectable_value(&mut d.widget_level, l, l.as_str());
                            }
                        });
                    ui.end_row();
                    ui.label("In force in the widget");
                    let applied = self.session.applied_config.as_ref();
                    let text = match applied {
                        Some(c) if self.session.connected() => {
                            let ok = c.interval_frames
                                == Some(self.settings.widget_interval_frames)
                                && c.level == Some(self.settings.widget_level);
                            format!(
                                "{} frames, {}{}",
                                c.interval_frames.map_or("?".into(), |i| i.to_string()),
                                c.level.map_or("?", Level::as_str),
                                if ok {
                                    "  ✔ applied"
                                } else {
                                    "  (waiting for the widget)"
                                }
                            )
                        }
                        _ => "no widget connected".into(),
                    };
                    ui.label(text);
                    ui.end_row();
                    ui.strong("Recordings");
                    ui.end_row();
                    ui.label("Record every game");
                    ui.checkbox(&mut d.auto_record, "");
                    ui.end_row();
                    ui.label("Folder");
                    let mut folder = d
                        .recordings_dir
                        .as_ref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default();
                    if ui
                        .add(
                            egui::TextEdit::singleline(&mut folder)
                                .hint_text("default: data folder/recordings"),
                        )
                        .changed()
                    {
                        d.recordings_dir =
                            (!folder.trim().is_empty()).then(|| folder.trim().into());
                    }
                    ui.end_row();
                    ui.label("Keep the last N (0 = all)");
                    ui.add(egui::DragValue::new(&mut d.keep_last).range(0..=10_000));
                    ui.end_row();
                    ui.strong("Display");
                    ui.end_row();
                    ui.label("Theme");
                    ui.horizontal(|ui| {
                        ui.selectable_value(&mut d.theme, Theme::Dark, "Dark");
                        ui.selectable_value(&mut d.theme, Theme::Light, "Light");
                    });
                    ui.end_row();
                    ui.label("Rates");
                    ui.horizontal(|ui| {
                        ui.selectable_value(&mut d.rate_unit, RateUnit::PerSecond, "per second");
                        ui.selectable_value(&mut d.rate_unit, RateUnit::PerMinute, "per minute");
                    });
                    ui.end_row();
                    ui.strong("Overlay");
                    ui.end_row();
                    ui.label("Shows");
                    let store = &self.session.store;
                    let target_text = |t: OverlayTarget| match t {
                        OverlayTarget::MyTeam => "my team".to_owned(),
                        OverlayTarget::Team(id) => plots::entity_name(store, Entity::Team(id)),
                        OverlayTarget::AllyTeam(a) => {
                            format!("ally {}", plots::entity_name(store, Entity::Ally(a)))
                        }
                        OverlayTarget::AllyTeams => "ally teams side by side".to_owned(),
                    };
                    egui::ComboBox::from_id_salt("overlay_target")
                        .selected_text(target_text(d.overlay.target))
                        .show_ui(ui, |ui| {
                            ui.selectable_value(
                                &mut d.overlay.target,
                                OverlayTarget::MyTeam,
                                "my team",
                            );
                            for id in store.team_ids() {
                                ui.selectable_value(
                                    &mut d.overlay.target,
                                    OverlayTarget::Team(id),
                                    target_text(OverlayTarget::Team(id)),
                                );
                            }
                            for a in store.ally_ids() {
                                ui.selectable_value(
                                    &mut d.overlay.target,
                                    OverlayTarget::AllyTeam(a),
                                    target_text(OverlayTarget::AllyTeam(a)),
                                );
                            }
                            ui.selectable_value(
                                &mut d.overlay.target,
                                OverlayTarget::AllyTeams,
                                target_text(OverlayTarget::AllyTeams),
                            );
                        });
                    ui.end_row();
                    ui.label("Numbers");
                    ui.vertical(|ui| {
                        for m in [
                            Metric::MetalIncome,
                            Metric::EnergyIncome,
                            Metric::MetalCurrent,
                            Metric::EnergyCurrent,
                            Metric::ArmyValue,
                            Metric::Units,
                            Metric::DamageDealt,
                        ] {
                            let mut on = d.overlay.metrics.contains(&m);
                            if ui.checkbox(&mut on, m.label()).changed() {
                                if on {
                                    d.overlay.metrics.push(m);
                                } else {
                                    d.overlay.metrics.retain(|x| *x != m);
                                }
                            }
                        }
                    });
                    ui.end_row();
                    ui.label("Sparklines");
                    ui.checkbox(&mut d.overlay.sparklines, "");
                    ui.end_row();
                    ui.label("Background opacity");
                    ui.add(egui::Slider::new(&mut d.overlay.opacity, 0.2..=1.0));
                    ui.end_row();
                    ui.label("Chroma-key background (OBS)");
                    ui.horizontal(|ui| {
                        ui.checkbox(&mut d.overlay.chroma_key, "");
                        ui.color_edit_button_srgb(&mut d.overlay.chroma_rgb);
                    });
                    ui.end_row();
                    ui.label("Open at start");
                    ui.checkbox(&mut d.overlay.open_at_start, "");
                    ui.end_row();
                });
            ui.add_space(12.0);
            ui.horizontal(|ui| {
                if ui.button("💾 Save").clicked() {
                    self.apply_draft(&ctx);
                }
                if ui.button("Revert").clicked() {
                    self.draft = self.settings.clone();
                    self.draft_errors.clear();
                }
            });
            for e in &self.draft_errors {
                ui.colored_label(Color32::from_rgb(220, 60, 60), format!("✖ {e}"));
            }
        });
    }

    fn apply_draft(&mut self, ctx: &egui::Context) {
        let mut problems = self.draft.validate();
        if !self.allow_remote {
            // validate() already refuses non-loopback addresses.
        } else {
            problems.retain(|p| !p.contains("loopback"));
        }
        if !problems.is_empty() {
            self.draft_errors = problems;
            return;
        }
        self.draft_errors.clear();
        // Runtime state edited elsewhere (overlay lock/position, legend toggles) is kept.
        let mut new = self.draft.clone();
        new.overlay.locked = self.settings.overlay.locked;
        new.overlay.position = self.settings.overlay.position;
        new.overlay.size = self.settings.overlay.size;
        new.per_ally_team = self.settings.per_ally_team;
        new.cumulative = self.settings.cumulative;
        let listen_changed = new.listen != self.settings.listen;
        let widget_changed = new.widget_interval_frames != self.settings.widget_interval_frames
            || new.widget_level != self.settings.widget_level;
        self.settings = new;
        self.draft = self.settings.clone();
        super::apply_theme(ctx, self.settings.theme);
        self.session.record = record_policy(&self.settings, &self.paths);
        if !self.settings.auto_record {
            self.session.finish_recording();
        }
        if listen_changed {
            self.listen_override = None;
            self.start_server(ctx);
        }
        if widget_changed {
            self.push_widget_config();
        }
        self.save_settings();
        self.status_line = Some("settings saved".into());
    }

    fn widget_install_ui(&mut self, ui: &mut Ui) {
        ui.heading("Install the widget into BAR");
        ui.add_space(6.0);
        let home = directories::UserDirs::new()
            .map(|u| u.home_dir().to_owned())
            .unwrap_or_default();
        let detected = install::detect_data_dir(&home);
        ui.horizontal(|ui| {
            ui.label("BAR data folder:");
            ui.add(
                egui::TextEdit::singleline(&mut self.bar_dir_text)
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
        let chosen: Option<std::path::PathBuf> = if self.bar_dir_text.trim().is_empty() {
            detected.clone()
        } else {
            Some(self.bar_dir_text.trim().into())
        };
        ui.label(
            RichText::new(
                "Looked in: ".to_owned()
                    + &install::candidate_data_dirs(&home)
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
            )
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
                let port = self
                    .session
                    .listen_addr
                    .as_deref()
                    .or(Some(self.settings.listen.as_str()))
                    .and_then(|a| a.rsplit(':').next())
                    .and_then(|p| p.parse::<u16>().ok())
                    .unwrap_or(9876);
                let label = if installed.is_some() {
                    "Update the widget"
                } else {
                    "Install the widget"
                };
                if ui.button(format!("{label} (port {port})")).clicked() {
                    match install::install(dir, port) {
                        Ok(p) => {
                            self.status_line = Some(format!("widget written to {}", p.display()));
                            self.settings.bar_data_dir = Some(dir.clone());
                        }
                        Err(e) => self.notices.push(format!("{e:#}")),
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

    pub(super) fn show_overlay(&mut self, ctx: &egui::Context) {
        let view: ViewOptions = self.view_options(ctx);
        let builder = overlay::builder(&self.settings.overlay);
        let store = match self.tab {
            Tab::Review => self
                .review
                .as_ref()
                .map_or(&self.session.store, |r| &r.store),
            _ => &self.session.store,
        };
        let end_t = match (self.tab, &self.review) {
            (Tab::Review, Some(r)) => r.cursor_t,
            _ => f64::INFINITY,
        };
        let settings = &mut self.settings.overlay;
        let mut close = false;
        ctx.show_viewport_immediate(overlay::viewport_id(), builder, |ui, _class| {
            close = overlay::overlay_ui(ui, store, &view, settings, end_t);
            let (outer, inner) = ui
                .ctx()
                .input(|i| (i.viewport().outer_rect, i.viewport().inner_rect));
            if let Some(r) = outer {
                settings.position = Some([r.min.x, r.min.y]);
            }
            if let Some(r) = inner {
                settings.size = [r.width(), r.height()];
            }
            if ui.ctx().input(|i| i.viewport().close_requested()) {
                close = true;
            }
        });
        if close {
            self.overlay_open = false;
            self.settings.overlay.locked = false;
        }
    }
}

/// A small filled circle (the default fonts have no reliable bullet glyph).
fn status_dot_ui(ui: &mut Ui, color: Color32) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
    ui.painter().circle_filled(rect.center(), 4.5, color);
}
