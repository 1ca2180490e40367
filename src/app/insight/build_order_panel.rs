//! The build order in the insight sidebar (Live and Review): the units a team finished, in order, with
//! BAR's display names and the milestones marked; one team, or two side by side. Beside the benchmarked
//! player's own opening, the difference to their median time for the same unit over their past games
//! ("3rd Metal Extractor +0:18").

use std::collections::BTreeMap;

use egui::{Color32, RichText, Ui};

use bar_live_core::game::defs::roles;
use bar_live_core::game::{BuildItem, BuildOrders, MilestoneKind};
use bar_live_core::insight::build_coach::{
    BuildKey, COACH_ITEMS, format_delta, keyed_opening, ordinal,
};
use bar_live_core::recording::summary::format_game_time;
use bar_live_core::store::{SeriesOf, Store};

/// Units listed per team (the opening matters most; the export has them all).
const SHOWN_ITEMS: usize = 80;

/// Which teams the panel shows.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct BuildOrderPanel {
    /// The team shown (`None`: the benchmarked player's team, else the first team with units).
    pub team: Option<u32>,
    /// A second team side by side.
    pub other: Option<u32>,
}

/// One row as drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub game_seconds: f64,
    /// "3rd Metal Extractor" (the ordinal only from the 2nd of a def on).
    pub unit: String,
    /// The milestone this unit reached ("First factory"), if any.
    pub milestone: Option<&'static str>,
    /// Against the player's median over past games, in seconds (+ later).
    pub delta_s: Option<f64>,
}

/// The rows of `team`'s build order: milestones from `store`, coaching against `medians` (for the
/// player's own team only).
pub fn rows(store: &Store, team: u32, medians: Option<&BTreeMap<BuildKey, f64>>) -> Vec<Row> {
    let orders: &BuildOrders = store.insight().build_orders();
    let items: &[BuildItem] = orders.team(team);
    // The "first …" milestones of this team still to be placed on a unit.
    let mut firsts: Vec<(f64, MilestoneKind, u8)> = store
        .milestones()
        .iter()
        .filter(|m| m.team_id == Some(team))
        .filter_map(|m| m.kind.role().map(|bit| (m.game_seconds, m.kind, bit)))
        .collect();
    let keyed = keyed_opening(orders, team);
    let mut nth: BTreeMap<u32, u32> = BTreeMap::new();
    let mut coach = keyed.iter();
    items
        .iter()
        .take(SHOWN_ITEMS)
        .enumerate()
        .map(|(i, item)| {
            let n = nth.entry(item.def).or_insert(0);
            *n += 1;
            let name = orders.unit_name(item.def);
            let unit = if *n > 1 {
                format!("{} {name}", ordinal(*n))
            } else {
                name
            };
            let def_roles = store.unit_defs.get(&item.def).map(roles);
            let milestone = firsts
                .iter()
                .position(|&(t, _, bit)| {
                    (t - item.game_seconds).abs() < 1e-6 && def_roles.is_some_and(|r| r.has(bit))
                })
                .map(|p| firsts.remove(p).1.label());
            // Coaching covers the keyed opening (described defs among the first COACH_ITEMS).
            let delta_s = if i < COACH_ITEMS && !orders.def_name(item.def).is_empty() {
                coach
                    .next()
                    .and_then(|(key, t)| medians.and_then(|m| m.get(key)).map(|median| t - median))
            } else {
                None
            };
            Row {
                game_seconds: item.game_seconds,
                unit,
                milestone,
                delta_s,
            }
        })
        .collect()
}

/// Draws the panel. `player_team` and `medians`: the benchmarked player's team and their medians.
pub fn build_order_ui(
    ui: &mut Ui,
    state: &mut BuildOrderPanel,
    store: &Store,
    player_team: Option<u32>,
    medians: Option<&BTreeMap<BuildKey, f64>>,
    now_t: f64,
) {
    let orders = store.insight().build_orders();
    let with_units: Vec<u32> = orders
        .team_ids()
        .filter(|&t| !orders.team(t).is_empty())
        .collect();
    if with_units.is_empty() {
        ui.weak(
            "None yet. The build order lists the units each team finished; it needs unit counts \
             (widget level standard or detailed) and shows only teams you may see.",
        );
        return;
    }
    let first = state
        .team
        .filter(|t| with_units.contains(t))
        .or(player_team.filter(|t| with_units.contains(t)))
        .unwrap_or(with_units[0]);
    ui.horizontal(|ui| {
        let mut team = first;
        team_combo(ui, "build_team", store, &with_units, &mut team);
        if team != first {
            state.team = Some(team);
        }
        ui.label("beside");
        let mut other = state.other.filter(|t| with_units.contains(t) && *t != team);
        egui::ComboBox::from_id_salt("build_other")
            .selected_text(other.map_or("nobody".into(), |t| team_name(store, t)))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut other, None, "nobody");
                for &t in with_units.iter().filter(|&&t| t != team) {
                    ui.selectable_value(&mut other, Some(t), team_name(store, t));
                }
            });
        state.other = other;
    });
    let team = state.team.unwrap_or(first);
    let coached = |t: u32| medians.filter(|_| Some(t) == player_team);
    egui::ScrollArea::vertical()
        .id_salt("build_order_scroll")
        .max_height(260.0)
        .show(ui, |ui| match state.other {
            Some(other) => {
                ui.columns(2, |cols| {
                    rows_ui(&mut cols[0], "build_a", store, team, coached(team), now_t);
                    rows_ui(&mut cols[1], "build_b", store, other, coached(other), now_t);
                });
            }
            None => rows_ui(ui, "build_a", store, team, coached(team), now_t),
        });
    if medians.is_some() && player_team.is_some() {
        ui.weak("± against your median time for the same unit in your benchmark games.");
    }
}

fn team_name(store: &Store, team: u32) -> String {
    store.series_name(SeriesOf::Team(team))
}

fn team_combo(ui: &mut Ui, id: &str, store: &Store, teams: &[u32], team: &mut u32) {
    egui::ComboBox::from_id_salt(id)
        .selected_text(team_name(store, *team))
        .show_ui(ui, |ui| {
            for &t in teams {
                ui.selectable_value(team, t, team_name(store, t));
            }
        });
}

fn rows_ui(
    ui: &mut Ui,
    id: &str,
    store: &Store,
    team: u32,
    medians: Option<&BTreeMap<BuildKey, f64>>,
    now_t: f64,
) {
    let [r, g, b] = store.series_rgb(SeriesOf::Team(team));
    ui.label(
        RichText::new(team_name(store, team))
            .strong()
            .color(Color32::from_rgb(r, g, b)),
    );
    let earlier = Color32::from_rgb(80, 200, 110);
    let later = Color32::from_rgb(235, 95, 85);
    egui::Grid::new(id)
        .num_columns(3)
        .spacing([6.0, 1.0])
        .striped(true)
        .show(ui, |ui| {
            for row in rows(store, team, medians) {
                let ahead = row.game_seconds > now_t;
                let time = RichText::new(format_game_time(row.game_seconds)).monospace();
                ui.label(if ahead { time.weak() } else { time });
                let text = match row.milestone {
                    Some(m) => RichText::new(format!("{}  ★ {m}", row.unit)).strong(),
                    None => RichText::new(&row.unit),
                };
                ui.label(if ahead { text.weak() } else { text });
                match row.delta_s {
                    Some(d) => {
                        let c = if d <= 0.0 { earlier } else { later };
                        ui.label(RichText::new(format_delta(d)).monospace().color(c))
                            .on_hover_text("against your median time for this unit");
                    }
                    None => {
                        ui.label("");
                    }
                }
                ui.end_row();
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;
    use bar_live_core::game::milestones::first_of;
    use bar_live_core::sim::{SimGame, SimOptions};

    fn store() -> Store {
        let messages = SimGame::new(SimOptions {
            teams: 2,
            minutes: 10.0,
            ..SimOptions::default()
        })
        .play_out();
        Store::from_messages(&messages)
    }

    #[test]
    fn rows_mark_milestones_number_repeats_and_coach_against_medians() {
        let store = store();
        let team = store.insight().build_orders().team_ids().next().unwrap();
        let plain = rows(&store, team, None);
        assert!(!plain.is_empty() && plain.iter().all(|r| r.delta_s.is_none()));
        // The first factory's row carries the milestone, at the milestone's time.
        let factory = plain
            .iter()
            .find(|r| r.milestone == Some(MilestoneKind::FirstFactory.label()))
            .expect("a row marks the first factory");
        assert_eq!(
            Some(factory.game_seconds),
            first_of(store.milestones(), team, MilestoneKind::FirstFactory)
        );
        assert!(
            plain.iter().any(|r| r.unit.starts_with("2nd ")),
            "repeats numbered"
        );
        // Medians 10 s after each of this game's own times: every coached unit is 10 s early.
        let medians: BTreeMap<BuildKey, f64> = keyed_opening(store.insight().build_orders(), team)
            .into_iter()
            .map(|(k, t)| (k, t + 10.0))
            .collect();
        let coached = rows(&store, team, Some(&medians));
        let deltas: Vec<f64> = coached.iter().filter_map(|r| r.delta_s).collect();
        assert_eq!(deltas.len(), medians.len().min(COACH_ITEMS));
        assert!(deltas.iter().all(|d| (d + 10.0).abs() < 1e-9), "{deltas:?}");
    }
}
