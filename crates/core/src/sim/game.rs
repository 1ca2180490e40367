//! A plausible, deterministic BAR-like game: economies grow, armies are built and traded in fights,
//! one team dies, the game ends. It produces exactly the messages the widget would send.

use std::collections::BTreeMap;

use super::defs;
use super::rng::Rng;
use super::tech::TechPlan;
use crate::protocol::*;

pub const FRAMES_PER_SECOND: u32 = 30;
/// The engine refreshes team statistics every 15 game seconds.
const STATS_PERIOD_FRAMES: u32 = 15 * FRAMES_PER_SECOND;
/// The widget reports its own health every 5 seconds.
const WIDGET_STATS_PERIOD_FRAMES: u32 = 5 * FRAMES_PER_SECOND;
/// Seconds between fights on the front.
const FIGHT_PERIOD_SECONDS: f64 = 45.0;

const NAMES: &[&str] = &[
    "Alice", "Bob", "Carol", "Dmitri", "Eve", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kaja",
    "Luis", "Mei", "Nadia", "Oskar", "Priya",
];
const COLORS: &[&str] = &[
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#17becf", "#e377c2", "#bcbd22",
    "#8c564b", "#7f7fff", "#ff9896", "#98df8a", "#ffbb78", "#c5b0d5", "#9edae5", "#f7b6d2",
];

#[derive(Debug, Clone)]
pub struct SimOptions {
    pub teams: u32,
    pub minutes: f64,
    pub seed: u64,
    pub level: Level,
    pub interval_frames: u32,
    pub max_units: u32,
    pub map_name: String,
    /// A team the viewer sees only through radar: left out of `hello.teams`, its updates carry no
    /// resources (null), no statistics, only the units "in sight" (army and factories) in `by_def` and
    /// the others as `units.unknown` blips. Milestones must ignore it (docs/INSIGHT.md).
    pub radar_team: Option<u32>,
    /// The viewer plays this team instead of spectating: `hello` says so (`spectating: false`,
    /// `my_team_id`) and lists only its ally team, and only those teams are sent, as the widget does for
    /// a player.
    pub player: Option<u32>,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            teams: 4,
            minutes: 20.0,
            seed: 1,
            level: Level::Standard,
            interval_frames: 15,
            max_units: 1000,
            map_name: "Supreme Isthmus v2.1 (simulated)".into(),
            radar_team: None,
            player: None,
        }
    }
}

struct SimTeam {
    info: TeamInfo,
    skill: f64,
    alive: bool,
    metal: f64,
    energy: f64,
    counts: BTreeMap<u32, u32>,
    /// Metal spent towards the next unit, per category bucket.
    army_bucket: f64,
    eco_bucket: f64,
    stats: TeamStats,
    last_stats: Option<TeamStats>,
    last_metal: Resource,
    last_energy: Resource,
    /// Slowly varying noise in -1..1.
    wobble: f64,
    plan: TechPlan,
}

impl SimTeam {
    fn army_value(&self) -> f64 {
        defs::ARMY
            .iter()
            .map(|&d| defs::metal_cost(d) * f64::from(self.count(d)))
            .sum()
    }
    fn count(&self, def: u32) -> u32 {
        self.counts.get(&def).copied().unwrap_or(0)
    }
    fn add(&mut self, def: u32, n: u32) {
        *self.counts.entry(def).or_default() += n;
        self.stats.units_produced += f64::from(n);
    }
}

pub struct SimGame {
    opts: SimOptions,
    rng: Rng,
    teams: Vec<SimTeam>,
    frame: u32,
    end_frame: u32,
    death_frame: u32,
    next_fight: f64,
    started: bool,
    finished: bool,
    pause_frame: u32,
}

impl SimGame {
    pub fn new(opts: SimOptions) -> SimGame {
        let mut rng = Rng::new(opts.seed);
        let n = opts.teams.clamp(1, 32);
        let half = n.div_ceil(2);
        // Tech plans come from their own generator, so the rest of the game keeps its random sequence.
        let mut tech_rng = Rng::new(opts.seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0x7EC4);
        let game_s = opts.minutes * 60.0;
        let teams = (0..n)
            .map(|i| {
                let is_ai = i % 4 == 3;
                let name = if is_ai {
                    format!("BARbarianAI {}", i + 1)
                } else {
                    NAMES[i as usize % NAMES.len()].to_owned()
                };
                let mut counts = BTreeMap::new();
                counts.insert(defs::COMMANDERS[(i % 2) as usize], 1);
                let skill = rng.range(0.6, 1.4);
                SimTeam {
                    info: TeamInfo {
                        team_id: i,
                        ally_team_id: if i < half { 0 } else { 1 },
                        name,
                        color: COLORS[i as usize % COLORS.len()].to_owned(),
                        is_ai,
                        side: if i % 2 == 0 { "armada" } else { "cortex" }.to_owned(),
                        is_gaia: false,
                    },
                    skill,
                    plan: TechPlan::roll(&mut tech_rng, skill, game_s),
                    alive: true,
                    metal: 1000.0,
                    energy: 1000.0,
                    counts,
                    army_bucket: 0.0,
                    eco_bucket: 0.0,
                    stats: TeamStats {
                        time: 0.0,
                        frame: 0.0,
                        ..zero_stats()
                    },
                    last_stats: None,
                    last_metal: Resource::default(),
                    last_energy: Resource::default(),
                    wobble: 0.0,
                }
            })
            .collect();
        let end_frame = (opts.minutes * 60.0 * f64::from(FRAMES_PER_SECOND)).max(1.0) as u32;
        let death_share = if n > 2 { 0.65 } else { 0.95 };
        SimGame {
            rng,
            teams,
            frame: 0,
            end_frame,
            death_frame: (f64::from(end_frame) * death_share) as u32,
            next_fight: FIGHT_PERIOD_SECONDS * 4.0,
            started: false,
            finished: false,
            pause_frame: end_frame / 3,
            opts,
        }
    }

    pub fn options(&self) -> &SimOptions {
        &self.opts
    }

    /// Each team's tech plan (what the milestone tests expect), by team id.
    pub fn tech_plans(&self) -> Vec<(u32, TechPlan)> {
        self.teams
            .iter()
            .map(|t| (t.info.team_id, t.plan.clone()))
            .collect()
    }

    pub fn frame(&self) -> u32 {
        self.frame
    }

    pub fn finished(&self) -> bool {
        self.finished
    }

    /// Applies a `config` from the app; returns the acknowledgement.
    pub fn apply_config(&mut self, c: &WidgetConfig) -> ConfigAck {
        let mut errors = Vec::new();
        if let Some(i) = c.interval_frames {
            if (1..=300).contains(&i) {
                self.opts.interval_frames = i;
            } else {
                errors.push(format!("interval_frames {i} outside 1..300"));
            }
        }
        if let Some(l) = c.level {
            self.opts.level = l;
        }
        if let Some(m) = c.max_units {
            self.opts.max_units = m;
        }
        ConfigAck {
            config: self.config(),
            errors,
        }
    }

    fn config(&self) -> WidgetConfig {
        WidgetConfig {
            interval_frames: Some(self.opts.interval_frames),
            level: Some(self.opts.level),
            max_units: Some(self.opts.max_units),
            ..WidgetConfig::default()
        }
    }

    /// What the widget sends on (re)connect: hello, then the unit defs.
    pub fn handshake(&self) -> Vec<WidgetMessage> {
        let teams = self
            .teams
            .iter()
            .filter(|t| {
                t.alive && self.viewer_reads(t) && Some(t.info.team_id) != self.opts.radar_team
            })
            .map(|t| t.info.clone())
            .collect();
        vec![
            WidgetMessage::Hello(Hello {
                widget: WidgetInfo {
                    name: "bar-live simulator".into(),
                    version: env!("CARGO_PKG_VERSION").into(),
                },
                game: GameInfo {
                    game_name: "Beyond All Reason".into(),
                    game_version: "simulated".into(),
                    engine_version: "simulated".into(),
                    map_name: self.opts.map_name.clone(),
                    is_replay: false,
                    spectating: self.opts.player.is_none(),
                    full_view: self.opts.player.is_none(),
                    my_player_id: 0,
                    my_team_id: self.opts.player.map_or(0, i64::from),
                    game_frame: self.frame,
                },
                teams,
                config: HelloConfig {
                    interval_frames: self.opts.interval_frames,
                    level: self.opts.level,
                    ..HelloConfig::default()
                },
            }),
            WidgetMessage::UnitDefs(UnitDefs { defs: defs::all() }),
        ]
    }

    /// Advances one sampling interval and returns the messages it produces (empty once finished).
    /// Every message of the whole game, the handshake first: what a widget sends from connecting to
    /// the end.
    pub fn play_out(mut self) -> Vec<WidgetMessage> {
        let mut out = self.handshake();
        while !self.finished() {
            out.extend(self.step());
        }
        out
    }

    pub fn step(&mut self) -> Vec<WidgetMessage> {
        let mut out = Vec::new();
        if self.finished {
            return out;
        }
        if !self.started {
            self.started = true;
            out.push(WidgetMessage::Event(Event::new(0, "game_start")));
        }
        let interval = self.opts.interval_frames.max(1);
        let prev = self.frame;
        self.frame = (self.frame + interval).min(self.end_frame);
        let dt = f64::from(self.frame - prev) / f64::from(FRAMES_PER_SECOND);
        let t = f64::from(self.frame) / f64::from(FRAMES_PER_SECOND);
        let minutes = self.opts.minutes.max(0.1);
        for i in 0..self.teams.len() {
            if self.teams[i].alive {
                self.grow(i, t, dt, minutes);
                self.follow_plan(i, t - dt, t);
            }
        }
        if t >= self.next_fight {
            self.next_fight += FIGHT_PERIOD_SECONDS * self.rng.range(0.6, 1.4);
            self.fight();
        }
        if prev < self.pause_frame && self.frame >= self.pause_frame {
            let mut e = Event::new(self.frame, "paused");
            e.player_id = Some(1);
            out.push(WidgetMessage::Event(e));
            let mut e = Event::new(self.frame, "unpaused");
            e.player_id = Some(1);
            out.push(WidgetMessage::Event(e));
        }
        if prev < self.death_frame && self.frame >= self.death_frame && self.teams.len() > 1 {
            let victim = self.weakest_of_last_ally();
            self.teams[victim].alive = false;
            let mut e = Event::new(self.frame, "team_died");
            e.team_id = Some(self.teams[victim].info.team_id);
            out.push(WidgetMessage::Event(e));
        }
        if prev / STATS_PERIOD_FRAMES != self.frame / STATS_PERIOD_FRAMES {
            for team in &mut self.teams {
                team.stats.time = t;
                team.stats.frame = f64::from(self.frame);
                team.last_stats = Some(team.stats);
            }
        }
        out.push(WidgetMessage::Update(self.update()));
        if prev / WIDGET_STATS_PERIOD_FRAMES != self.frame / WIDGET_STATS_PERIOD_FRAMES {
            out.push(WidgetMessage::Stats(self.widget_stats()));
        }
        if self.frame >= self.end_frame {
            self.finished = true;
            let mut e = Event::new(self.frame, "game_over");
            e.winners = Some(vec![0]);
            out.push(WidgetMessage::Event(e));
        }
        out
    }

    fn grow(&mut self, i: usize, t: f64, dt: f64, minutes: f64) {
        // Smooth noise (AR(1)): economies wobble, they do not flicker sample to sample.
        let kick = self.rng.range(-1.0, 1.0);
        self.teams[i].wobble = 0.92 * self.teams[i].wobble + 0.08 * kick;
        let noise = 1.0 + 0.12 * self.teams[i].wobble;
        let army_share = 0.25 + 0.45 * (t / (minutes * 60.0)).min(1.0);
        let spend_ratio = 0.94 + 0.2 * self.teams[i].wobble + self.rng.range(-0.02, 0.02);
        let team = &mut self.teams[i];
        let ramp = 1.0 - (-t / 600.0).exp();
        let m_income = (2.0 + team.skill * 75.0 * ramp) * noise;
        let e_income = (25.0 + team.skill * 1600.0 * (1.0 - (-t / 700.0).exp())) * noise;
        let m_storage = (1000.0 + (t / 300.0).floor() * 500.0).min(8000.0);
        let e_storage = (1000.0 + (t / 200.0).floor() * 1000.0).min(20000.0);
        let mut m_expense = m_income * spend_ratio;
        if team.metal <= 0.0 && m_expense > m_income {
            m_expense = m_income;
        }
        let e_expense = e_income * spend_ratio * 0.95;
        let m_next = team.metal + (m_income - m_expense) * dt;
        let m_excess = if m_next > m_storage {
            (m_next - m_storage) / dt
        } else {
            0.0
        };
        team.metal = m_next.clamp(0.0, m_storage);
        let e_next = team.energy + (e_income - e_expense) * dt;
        let e_excess = if e_next > e_storage {
            (e_next - e_storage) / dt
        } else {
            0.0
        };
        team.energy = e_next.clamp(0.0, e_storage);
        team.last_metal = Resource {
            current: team.metal,
            storage: m_storage,
            pull: m_expense * 1.12,
            income: m_income,
            expense: m_expense,
            share: 0.99,
            sent: 0.0,
            received: 0.0,
            excess: m_excess,
        };
        team.last_energy = Resource {
            current: team.energy,
            storage: e_storage,
            pull: e_expense * 1.05,
            income: e_income,
            expense: e_expense,
            share: 0.95,
            sent: 0.0,
            received: 0.0,
            excess: e_excess,
        };
        team.stats.metal_produced += m_income * dt;
        team.stats.metal_used += m_expense * dt;
        team.stats.metal_excess += m_excess * dt;
        team.stats.energy_produced += e_income * dt;
        team.stats.energy_used += e_expense * dt;
        team.stats.energy_excess += e_excess * dt;
        team.army_bucket += m_expense * dt * army_share;
        team.eco_bucket += m_expense * dt * (1.0 - army_share);
        // Spend buckets on units: cheap ones early, heavier ones as the economy grows.
        let plan = &self.teams[i].plan;
        let (army_pool, eco_pool) = (plan.army_pool(t), plan.economy_pool(t));
        let has_factory = plan.has_factory(t);
        let tier = ((m_income / 25.0) as usize).min(army_pool.len() - 1);
        let pick = (self.rng.next_u64() as usize) % (tier + 1);
        let army_def = army_pool[pick];
        let eco_def = eco_pool[(self.rng.next_u64() as usize) % eco_pool.len()];
        let side_def = match self.rng.next_u64() % 6 {
            0 => defs::BUILDERS[(self.rng.next_u64() % 2) as usize],
            1 if has_factory => defs::FACTORIES[(self.rng.next_u64() % 2) as usize],
            2 => defs::DEFENSE[0],
            _ => eco_def,
        };
        let team = &mut self.teams[i];
        while team.army_bucket >= defs::metal_cost(army_def) {
            team.army_bucket -= defs::metal_cost(army_def);
            team.add(army_def, 1);
        }
        if team.eco_bucket >= defs::metal_cost(side_def) {
            team.eco_bucket -= defs::metal_cost(side_def);
            team.add(side_def, 1);
        }
    }

    /// Whether the viewer may read the team: every team when spectating, the own ally team when playing
    /// (a radar-only team is sent all the same, reduced to what radar shows).
    fn viewer_reads(&self, t: &SimTeam) -> bool {
        let Some(me) = self.opts.player else {
            return true;
        };
        let my_ally = self
            .teams
            .iter()
            .find(|x| x.info.team_id == me)
            .map(|x| x.info.ally_team_id);
        Some(t.info.ally_team_id) == my_ally || Some(t.info.team_id) == self.opts.radar_team
    }

    /// Places what the team's tech plan has due in `(prev_s, now_s]`, and loses the commander when due.
    fn follow_plan(&mut self, i: usize, prev_s: f64, now_s: f64) {
        let team = &mut self.teams[i];
        for def in team.plan.due(prev_s, now_s, i) {
            // Paid from the economy budget (which may go negative for a while: the team saves up).
            team.eco_bucket -= defs::metal_cost(def);
            team.add(def, 1);
        }
        if team.plan.commander_dies(prev_s, now_s) {
            for com in defs::COMMANDERS {
                let lost = team.count(com);
                if lost > 0 {
                    team.counts.remove(&com);
                    team.stats.units_died += f64::from(lost);
                }
            }
        }
    }

    /// Each front-line pair trades army: losses scale with the enemy's army value.
    fn fight(&mut self) {
        let alive: Vec<usize> = (0..self.teams.len())
            .filter(|&i| self.teams[i].alive)
            .collect();
        for &a in &alive {
            let enemies: Vec<usize> = alive
                .iter()
                .copied()
                .filter(|&b| self.teams[b].info.ally_team_id != self.teams[a].info.ally_team_id)
                .collect();
            if enemies.is_empty() {
                continue;
            }
            let b = enemies[(self.rng.next_u64() as usize) % enemies.len()];
            let (va, vb) = (self.teams[a].army_value(), self.teams[b].army_value());
            if va + vb <= 0.0 {
                continue;
            }
            let intensity = self.rng.range(0.15, 0.45);
            let loss_a = intensity * vb / (va + vb);
            let mut killed_metal = 0.0;
            let mut killed_units = 0.0;
            for &def in &defs::ARMY {
                let n = self.teams[a].count(def);
                let lost = (f64::from(n) * loss_a).round() as u32;
                if lost > 0 {
                    *self.teams[a].counts.entry(def).or_default() -= lost;
                    killed_metal += defs::metal_cost(def) * f64::from(lost);
                    killed_units += f64::from(lost);
                }
            }
            let damage = killed_metal * self.rng.range(5.0, 8.0);
            self.teams[a].stats.units_died += killed_units;
            self.teams[a].stats.damage_received += damage;
            self.teams[b].stats.units_killed += killed_units;
            self.teams[b].stats.damage_dealt += damage;
        }
    }

    fn weakest_of_last_ally(&self) -> usize {
        let last_ally = self
            .teams
            .iter()
            .map(|t| t.info.ally_team_id)
            .max()
            .unwrap_or(0);
        (0..self.teams.len())
            .filter(|&i| self.teams[i].info.ally_team_id == last_ally && self.teams[i].alive)
            .min_by(|&a, &b| self.teams[a].skill.total_cmp(&self.teams[b].skill))
            .unwrap_or(0)
    }

    fn widget_stats(&mut self) -> WidgetStats {
        WidgetStats {
            game_frame: Some(self.frame),
            collect_ms: (self.rng.range(0.05, 0.2) * 1000.0).round() / 1000.0,
            encode_ms: (self.rng.range(0.02, 0.1) * 1000.0).round() / 1000.0,
            send_ms: (self.rng.range(0.005, 0.03) * 1000.0).round() / 1000.0,
            queue_depth: 0,
            queue_bytes: 0,
            drops: 0,
            refused: 0,
            partial_sends: 0,
            reconnects: 0,
            messages_per_sec: 2.2,
            bytes_per_sec: 800.0 * self.teams.len() as f64,
        }
    }
}

fn zero_stats() -> TeamStats {
    let mut s = TeamStats::default();
    for f in [
        &mut s.metal_used,
        &mut s.metal_produced,
        &mut s.metal_excess,
        &mut s.metal_received,
        &mut s.metal_sent,
        &mut s.energy_used,
        &mut s.energy_produced,
        &mut s.energy_excess,
        &mut s.energy_received,
        &mut s.energy_sent,
        &mut s.damage_dealt,
        &mut s.damage_received,
        &mut s.units_produced,
        &mut s.units_died,
        &mut s.units_received,
        &mut s.units_sent,
        &mut s.units_captured,
        &mut s.units_out_captured,
        &mut s.units_killed,
    ] {
        *f = 0.0;
    }
    s
}

mod wire;

pub use wire::sig7;

#[cfg(test)]
#[path = "game_tests.rs"]
mod tests;
