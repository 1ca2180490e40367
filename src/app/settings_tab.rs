//! The Settings tab: an editor over a draft of the settings; "Save" validates and hands them to the app.

use egui::{Color32, RichText, Ui};

use super::settings::{OverlayTarget, RateUnit, Settings, Theme};
use super::widget_section::{WidgetSection, widget_section_ui};
use super::{Paths, Request};
use bar_live_core::live::Session;
use bar_live_core::store::{Metric, SeriesOf, Store};

/// The settings being edited, and why the last "Save" was refused.
pub struct SettingsEditor {
    draft: Settings,
    errors: Vec<String>,
    widget: WidgetSection,
}

impl SettingsEditor {
    pub fn new(settings: &Settings) -> SettingsEditor {
        SettingsEditor {
            draft: settings.clone(),
            errors: Vec::new(),
            widget: WidgetSection::default(),
        }
    }

    /// Validates the draft and, if it is fine, asks the app to apply and save it.
    fn save(&mut self, allow_remote: bool, requests: &mut Vec<Request>) {
        self.errors = self.problems(allow_remote);
        if self.errors.is_empty() {
            requests.push(Request::ApplySettings(Box::new(self.draft.clone())));
        }
    }

    /// The draft's problems; with `allow_remote` a non-loopback listen address is fine.
    fn problems(&self, allow_remote: bool) -> Vec<String> {
        let mut problems = self.draft.validate();
        if allow_remote {
            problems.retain(|p| !p.contains("loopback"));
        }
        problems
    }
}

/// Overlay numbers a user can pick.
const OVERLAY_METRICS: [Metric; 7] = [
    Metric::MetalIncome,
    Metric::EnergyIncome,
    Metric::MetalCurrent,
    Metric::EnergyCurrent,
    Metric::ArmyValue,
    Metric::Units,
    Metric::DamageDealt,
];

pub fn settings_ui(
    ui: &mut Ui,
    editor: &mut SettingsEditor,
    current: &Settings,
    session: &Session,
    paths: &Paths,
    allow_remote: bool,
    requests: &mut Vec<Request>,
) {
    egui::ScrollArea::vertical().show(ui, |ui| {
        ui.heading("Settings");
        ui.label(RichText::new(format!("Saved in {}", paths.settings_file.display())).weak());
        ui.add_space(8.0);
        let draft = &mut editor.draft;
        if widget_section_ui(ui, &mut editor.widget, draft, current, session, requests) {
            editor.save(allow_remote, requests);
        }
        errors_ui(ui, &editor.errors);
        ui.add_space(12.0);
        egui::Grid::new("settings")
            .num_columns(2)
            .spacing([24.0, 8.0])
            .show(ui, |ui| {
                connection_rows_ui(ui, &mut editor.draft);
                recording_rows_ui(ui, &mut editor.draft);
                stream_rows_ui(ui, &mut editor.draft);
                display_rows_ui(ui, &mut editor.draft);
                overlay_rows_ui(ui, &mut editor.draft, &session.store);
            });
        ui.add_space(12.0);
        ui.horizontal(|ui| {
            if ui.button("💾 Save").clicked() {
                editor.save(allow_remote, requests);
            }
            if ui.button("Revert").clicked() {
                editor.draft = current.clone();
                editor.errors.clear();
            }
        });
        errors_ui(ui, &editor.errors);
    });
}

fn errors_ui(ui: &mut Ui, errors: &[String]) {
    for e in errors {
        ui.colored_label(Color32::from_rgb(220, 60, 60), format!("✖ {e}"));
    }
}

fn connection_rows_ui(ui: &mut Ui, d: &mut Settings) {
    ui.strong("Connection");
    ui.end_row();
    ui.label("Listen address");
    ui.text_edit_singleline(&mut d.listen)
        .on_hover_text("Loopback only unless started with --allow-remote");
    ui.end_row();
}

fn recording_rows_ui(ui: &mut Ui, d: &mut Settings) {
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
        .add(egui::TextEdit::singleline(&mut folder).hint_text("default: data folder/recordings"))
        .changed()
    {
        d.recordings_dir = (!folder.trim().is_empty()).then(|| folder.trim().into());
    }
    ui.end_row();
    ui.label("Keep the last N (0 = all)");
    ui.add(egui::DragValue::new(&mut d.keep_last).range(0..=10_000));
    ui.end_row();
}

fn stream_rows_ui(ui: &mut Ui, d: &mut Settings) {
    ui.strong("Stream overlays (OBS)");
    ui.end_row();
    ui.label("Serve the overlay pages");
    ui.checkbox(&mut d.web.enabled, "");
    ui.end_row();
    ui.label("Pages address");
    ui.text_edit_singleline(&mut d.web.listen)
        .on_hover_text("Loopback only unless started with --allow-remote (a second PC)");
    ui.end_row();
    ui.label("Stream delay");
    ui.add(egui::Slider::new(&mut d.web.delay_s, 0.0..=600.0).suffix(" s"))
        .on_hover_text("The pages show the game as it was this long ago (tournaments use 120 s)");
    ui.end_row();
    ui.label("Desktop overlay follows the delay");
    ui.checkbox(&mut d.web.overlay_follows_delay, "");
    ui.end_row();
    ui.strong("Tournament");
    ui.end_row();
    ui.label("Delay everything I show");
    ui.checkbox(&mut d.tournament.enabled, "").on_hover_text(
        "The dashboard, the desktop overlay, the overlay pages, milestones, the build order and \
             alerts show the game as it was this long ago, with a DELAYED badge. Recording is not \
             delayed. Switch it on before the game: switched on mid-game, views start empty.",
    );
    ui.end_row();
    ui.label("by");
    ui.add(egui::Slider::new(&mut d.tournament.delay_s, 1.0..=600.0).suffix(" s"))
        .on_hover_text("Tournaments usually require 120 s");
    ui.end_row();
}

fn display_rows_ui(ui: &mut Ui, d: &mut Settings) {
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
}

fn overlay_rows_ui(ui: &mut Ui, d: &mut Settings, store: &Store) {
    ui.strong("Overlay");
    ui.end_row();
    ui.label("Shows");
    let target_text = |t: OverlayTarget| match t {
        OverlayTarget::MyTeam => "my team".to_owned(),
        OverlayTarget::Team(id) => store.series_name(SeriesOf::Team(id)),
        OverlayTarget::AllyTeam(a) => format!("ally {}", store.series_name(SeriesOf::Ally(a))),
        OverlayTarget::AllyTeams => "ally teams side by side".to_owned(),
    };
    egui::ComboBox::from_id_salt("overlay_target")
        .selected_text(target_text(d.overlay.target))
        .show_ui(ui, |ui| {
            let choices = std::iter::once(OverlayTarget::MyTeam)
                .chain(store.team_ids().into_iter().map(OverlayTarget::Team))
                .chain(store.ally_ids().into_iter().map(OverlayTarget::AllyTeam))
                .chain(std::iter::once(OverlayTarget::AllyTeams));
            for t in choices {
                ui.selectable_value(&mut d.overlay.target, t, target_text(t));
            }
        });
    ui.end_row();
    ui.label("Numbers");
    ui.vertical(|ui| {
        for m in OVERLAY_METRICS {
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
}
