//! Army composition and trades in the store against brute-force recomputations from the messages
//! (docs/INSIGHT.md, "Army composition" and "Trades"): the army bands add up to the army value, value
//! lost is every count drop times its cost, value killed is attributed as documented (spectator) or
//! estimated from units killed (player).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use bar_live_core::game::Band;
use bar_live_core::protocol::{Category, UnitDef, WidgetMessage};
use bar_live_core::sim::{SimGame, SimOptions};
use bar_live_core::store::{Metric, Store};

fn play(opts: SimOptions) -> Vec<WidgetMessage> {
    SimGame::new(opts).play_out()
}

fn store_of(messages: &[WidgetMessage]) -> Store {
    let mut store = Store::new();
    messages.iter().for_each(|m| store.ingest(m));
    store
}

/// What a player on ally team 0 receives: the hello lists only their ally team, updates carry only it.
fn as_player(messages: &[WidgetMessage]) -> Vec<WidgetMessage> {
    let mut allies = BTreeMap::new();
    messages
        .iter()
        .cloned()
        .map(|m| match m {
            WidgetMessage::Hello(mut h) => {
                h.game.spectating = false;
                h.game.full_view = false;
                for t in &h.teams {
                    allies.insert(t.team_id, t.ally_team_id);
                }
                h.teams.retain(|t| t.ally_team_id == 0);
                WidgetMessage::Hello(h)
            }
            WidgetMessage::Update(mut u) => {
                u.teams.retain(|s| allies.get(&s.team_id) == Some(&0));
                WidgetMessage::Update(u)
            }
            other => other,
        })
        .collect()
}

/// Per team: (t, bands, lost, killed) after each of its samples, recomputed the plain way.
type Rows = BTreeMap<u32, Vec<(f64, [f64; 6], f64, f64)>>;

fn oracle(messages: &[WidgetMessage]) -> Rows {
    let mut defs: BTreeMap<u32, UnitDef> = BTreeMap::new();
    let mut ally: BTreeMap<u32, u32> = BTreeMap::new();
    let mut prev: BTreeMap<u32, BTreeMap<u32, u32>> = BTreeMap::new();
    let mut lost: BTreeMap<u32, (f64, f64)> = BTreeMap::new();
    let mut killed: BTreeMap<u32, f64> = BTreeMap::new();
    let mut damage: BTreeMap<u32, Vec<(f64, f64)>> = BTreeMap::new();
    let mut units_killed: BTreeMap<u32, f64> = BTreeMap::new();
    let mut out = Rows::new();
    for m in messages {
        match m {
            WidgetMessage::Hello(h) => {
                ally = h
                    .teams
                    .iter()
                    .map(|t| (t.team_id, t.ally_team_id))
                    .collect()
            }
            WidgetMessage::UnitDefs(d) => d.defs.iter().for_each(|x| {
                defs.insert(x.id, x.clone());
            }),
            WidgetMessage::Update(u) => {
                let t = u.game_seconds;
                let mut now_lost: Vec<(u32, f64)> = Vec::new();
                let mut army: BTreeMap<u32, (f64, f64)> = BTreeMap::new();
                let read: Vec<_> = u
                    .teams
                    .iter()
                    .filter(|s| ally.contains_key(&s.team_id) && s.units.unknown.is_none())
                    .collect();
                for s in &read {
                    let counts: BTreeMap<u32, u32> =
                        s.units.by_def.as_ref().unwrap().0.iter().copied().collect();
                    let mut bands = [0.0; 6];
                    let (mut army_value, mut army_units) = (0.0, 0.0);
                    for (d, &n) in &counts {
                        let def = &defs[d];
                        let tier = def.tech_level_or_default().clamp(1, 3) as usize - 1;
                        let cost = def.metal_cost * f64::from(n);
                        match def.category {
                            Category::Army => {
                                bands[tier] += cost;
                                army_value += cost;
                                army_units += f64::from(n);
                            }
                            Category::Defense => bands[3 + tier] += cost,
                            _ => {}
                        }
                    }
                    army.insert(s.team_id, (army_value, army_units));
                    let (mut v, mut n) = (0.0, 0.0);
                    if let Some(p) = prev.get(&s.team_id) {
                        for (d, &before) in p {
                            let after = counts.get(d).copied().unwrap_or(0);
                            if before > after {
                                n += f64::from(before - after);
                                v += f64::from(before - after) * defs[d].metal_cost;
                            }
                        }
                    }
                    prev.insert(s.team_id, counts);
                    let l = lost.entry(s.team_id).or_default();
                    l.0 += v;
                    l.1 += n;
                    now_lost.push((s.team_id, v));
                    if let Some(d) = s.stats.map(|x| x.damage_dealt).filter(|d| d.is_finite()) {
                        damage.entry(s.team_id).or_default().push((t, d));
                    }
                    out.entry(s.team_id).or_default().push((t, bands, 0.0, 0.0));
                }
                let recent = |team: u32| -> f64 {
                    let Some(h) = damage.get(&team) else {
                        return 0.0;
                    };
                    let last = h.last().unwrap().1;
                    let base = h.iter().rev().find(|e| e.0 <= t - 60.0).unwrap_or(&h[0]).1;
                    (last - base).max(0.0)
                };
                for &(victim, v) in &now_lost {
                    if v <= 0.0 {
                        continue;
                    }
                    let killers: Vec<u32> = read
                        .iter()
                        .map(|s| s.team_id)
                        .filter(|k| ally[k] != ally[&victim])
                        .collect();
                    let total: f64 = killers.iter().map(|&k| recent(k)).sum();
                    for &k in &killers {
                        let share = if total > 0.0 {
                            recent(k) / total
                        } else {
                            1.0 / killers.len() as f64
                        };
                        *killed.entry(k).or_default() += v * share;
                    }
                }
                for s in &read {
                    let team = s.team_id;
                    let sees_enemy = read.iter().any(|k| ally[&k.team_id] != ally[&team]);
                    if let Some(k) = s.stats.map(|x| x.units_killed).filter(|k| k.is_finite()) {
                        let before = units_killed.insert(team, k);
                        if !sees_enemy && let Some(before) = before {
                            let (lv, ln) = lost[&team];
                            let (av, an) = army[&team];
                            let per_unit = if ln > 0.0 {
                                lv / ln
                            } else if an > 0.0 {
                                av / an
                            } else {
                                0.0
                            };
                            *killed.entry(team).or_default() += (k - before).max(0.0) * per_unit;
                        }
                    }
                    let row = out.get_mut(&team).unwrap().last_mut().unwrap();
                    row.2 = lost[&team].0;
                    row.3 = killed.get(&team).copied().unwrap_or(0.0);
                }
            }
            _ => {}
        }
    }
    out
}

fn close(a: f32, b: f64) -> bool {
    (f64::from(a) - b).abs() <= 1e-3 * b.abs().max(1.0)
}

fn check(store: &Store, want: &Rows) {
    assert!(!want.is_empty());
    for (team, rows) in want {
        let s = &store.series[team];
        assert_eq!(s.len(), rows.len(), "team {team}");
        for (i, (t, bands, lost, killed)) in rows.iter().enumerate() {
            assert_eq!(s.t[i], *t);
            for b in Band::ALL {
                let got = s.values(Metric::BANDS[b.index()])[i];
                assert!(
                    close(got, bands[b.index()]),
                    "team {team} {b:?} at {t}: {got} vs {}",
                    bands[b.index()]
                );
            }
            let lv = s.values(Metric::ValueLost)[i];
            let kv = s.values(Metric::ValueKilled)[i];
            assert!(close(lv, *lost), "team {team} lost at {t}: {lv} vs {lost}");
            assert!(
                close(kv, *killed),
                "team {team} killed at {t}: {kv} vs {killed}"
            );
        }
    }
}

#[test]
fn spectator_composition_and_trades_match_the_oracle() {
    for seed in [2, 5] {
        let messages = play(SimOptions {
            teams: 5,
            minutes: 30.0,
            seed,
            interval_frames: 30,
            radar_team: Some(4),
            ..SimOptions::default()
        });
        let store = store_of(&messages);
        check(&store, &oracle(&messages));
        // The radar team has no composition or trades.
        let radar = &store.series[&4];
        assert!(radar.values(Metric::ValueLost).iter().all(|v| v.is_nan()));
        // Army bands add up to the army value.
        for (team, s) in &store.series {
            if *team == 4 {
                continue;
            }
            for i in 0..s.len() {
                let sum: f32 = Metric::BANDS[..3].iter().map(|&m| s.values(m)[i]).sum();
                assert!(close(sum, f64::from(s.values(Metric::ArmyValue)[i])));
            }
        }
        // Over a game both sides trade: kills and losses are attributed, T2 armies appear.
        let last = |team: u32, m: Metric| store.series[&team].last(m).unwrap();
        assert!(last(0, Metric::ValueLost) > 1000.0 && last(0, Metric::ValueKilled) > 1000.0);
        let t2_max = store.series[&0]
            .values(Metric::ArmyT2Value)
            .iter()
            .fold(0.0f32, |a, &b| a.max(b));
        assert!(t2_max > 0.0, "seed {seed}: a T2 army after the T2 factory");
    }
}

/// Kills are attributed among readable enemies: with every team readable, the total value killed equals
/// the total value lost by teams that had a readable enemy when they lost it.
#[test]
fn attributed_kills_add_up_to_the_losses() {
    let messages = play(SimOptions {
        teams: 2,
        minutes: 20.0,
        seed: 4,
        ..SimOptions::default()
    });
    let store = store_of(&messages);
    // Before team 1 dies both are present in every update: every loss has a killer.
    let died_at = store.series[&1].t.last().copied().unwrap();
    let at = |team: u32, m: Metric| {
        let s = &store.series[&team];
        let i = s.t.partition_point(|&t| t <= died_at) - 1;
        s.values(m)[i]
    };
    let killed = at(0, Metric::ValueKilled) + at(1, Metric::ValueKilled);
    let lost = at(0, Metric::ValueLost) + at(1, Metric::ValueLost);
    assert!((killed - lost).abs() <= 1e-3 * lost, "{killed} vs {lost}");
}

#[test]
fn a_player_gets_estimated_kills() {
    let messages = as_player(&play(SimOptions {
        teams: 4,
        minutes: 25.0,
        seed: 8,
        ..SimOptions::default()
    }));
    let store = store_of(&messages);
    assert_eq!(store.series.len(), 2, "only the player's ally team");
    check(&store, &oracle(&messages));
    assert!(store.series[&0].last(Metric::ValueKilled).unwrap() > 0.0);
}

/// What the composition card stacks: at any time, each band's last value at or before it (ally teams:
/// the members' sum), checked against a plain scan of the series.
#[test]
fn bands_at_any_time_are_the_last_values_before_it() {
    use bar_live_core::insight::bands::bands_at;
    use bar_live_core::store::SeriesOf;
    let store = store_of(&play(SimOptions {
        teams: 4,
        minutes: 15.0,
        seed: 6,
        ..SimOptions::default()
    }));
    let times: Vec<f64> = (0..200).map(|i| f64::from(i) * 4.7 - 3.0).collect();
    let at = |team: u32, b: usize, t: f64| -> f32 {
        let s = &store.series[&team];
        (0..s.len())
            .rev()
            .find(|&i| s.t[i] <= t)
            .map_or(0.0, |i| s.values(Metric::BANDS[b])[i].max(0.0))
    };
    let got = bands_at(&store, SeriesOf::Team(2), &times);
    for (row, &t) in got.iter().zip(&times) {
        for (b, &got) in row.iter().enumerate() {
            assert_eq!(got, at(2, b, t), "band {b} at {t}");
        }
    }
    // Ally team 0 = teams 0 and 1.
    let ally = bands_at(&store, SeriesOf::Ally(0), &times[10..]);
    for (row, &t) in ally.iter().zip(&times[10..]) {
        let want = at(0, 0, t) + at(1, 0, t);
        assert!(
            (row[0] - want).abs() <= 1e-3 * want.max(1.0),
            "{} vs {want} at {t}",
            row[0]
        );
    }
}
