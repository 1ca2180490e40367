//! A simulated team's tech plan: when it places its first factory, its first T2 factory, its first
//! fusion, and later (in long games) an anti-nuke, a T3 gantry and a nuke silo; and whether (and when) it
//! loses its commander. Rolled once per team from the game's seed, so the milestones a game shows are
//! plausible and repeatable (docs/INSIGHT.md lists the ranges).

use super::defs;
use super::rng::Rng;

/// Game seconds at which each step happens (`None`: never in this game).
#[derive(Debug, Clone, PartialEq)]
pub struct TechPlan {
    /// First factory: 40 s – 1:50.
    pub factory_s: f64,
    /// First T2 factory: 8–14 min, earlier for stronger teams.
    pub t2_factory_s: f64,
    /// First fusion: 12–20 min, after the T2 factory.
    pub fusion_s: f64,
    /// First anti-nuke: 18–28 min, for about 70 % of teams.
    pub antinuke_s: Option<f64>,
    /// First T3 (an experimental gantry): 22–30 min, for about 70 % of teams.
    pub t3_s: Option<f64>,
    /// First nuke silo: 24–34 min, for about 40 % of teams.
    pub nuke_s: Option<f64>,
    /// The commander dies (about 1 team in 4), between 35 % and 90 % of the game.
    pub commander_lost_s: Option<f64>,
}

impl TechPlan {
    /// `skill` is the team's (0.6..1.4); `game_s` the planned game length.
    pub fn roll(rng: &mut Rng, skill: f64, game_s: f64) -> TechPlan {
        let strength = ((skill - 0.6) / 0.8).clamp(0.0, 1.0);
        let min = 60.0;
        let t2_factory_s =
            ((14.0 - 5.0 * strength + rng.range(-1.0, 1.0)) * min).clamp(8.0 * min, 14.0 * min);
        let fusion_s = (t2_factory_s + rng.range(3.0, 8.0) * min).clamp(12.0 * min, 20.0 * min);
        let mut maybe = |p: f64, lo: f64, hi: f64| {
            let roll = rng.chance(p);
            let at = rng.range(lo * min, hi * min);
            roll.then_some(at)
        };
        let antinuke_s = maybe(0.7, 18.0, 28.0);
        let t3_s = maybe(0.7, 22.0, 30.0);
        let nuke_s = maybe(0.4, 24.0, 34.0);
        let lose = rng.chance(0.25);
        let share = rng.range(0.35, 0.9);
        let commander_lost_s = lose.then_some(game_s * share);
        TechPlan {
            factory_s: rng.range(40.0, 110.0),
            t2_factory_s,
            fusion_s,
            antinuke_s,
            t3_s,
            nuke_s,
            commander_lost_s,
        }
    }

    /// The buildings due in `(prev_s, now_s]`: def ids to add.
    pub fn due(&self, prev_s: f64, now_s: f64, side: usize) -> Vec<u32> {
        let within = |at: f64| prev_s < at && at <= now_s;
        let mut out = Vec::new();
        if within(self.factory_s) {
            out.push(defs::FACTORIES[side % 2]);
        }
        if within(self.t2_factory_s) {
            out.extend([defs::T2_FACTORIES[side % 2], defs::T2_BUILDER]);
        }
        if within(self.fusion_s) {
            out.push(defs::FUSION);
        }
        for (at, def) in [
            (self.antinuke_s, defs::ANTINUKE),
            (self.t3_s, defs::T3_FACTORY),
            (self.nuke_s, defs::NUKE),
        ] {
            if at.is_some_and(within) {
                out.push(def);
            }
        }
        out
    }

    /// Whether the commander dies in `(prev_s, now_s]`.
    pub fn commander_dies(&self, prev_s: f64, now_s: f64) -> bool {
        self.commander_lost_s
            .is_some_and(|at| prev_s < at && at <= now_s)
    }

    /// Army defs the team can build at `t`, cheapest first: tech-1 bots and tanks, then with tech 2 the
    /// heaviest tech-1 tank and the tech-2 units, with tech 3 the tech-2 units and the experimental.
    pub fn army_pool(&self, t: f64) -> Vec<u32> {
        let t2 = t >= self.t2_factory_s;
        let t3 = self.t3_s.is_some_and(|at| t >= at);
        match (t2, t3) {
            (_, true) => [&defs::ARMY_T2[..], &defs::ARMY_T3[..]].concat(),
            (true, false) => [&defs::ARMY_T1[2..], &defs::ARMY_T2[..]].concat(),
            _ => defs::ARMY_T1.to_vec(),
        }
    }

    /// Economy defs the team can build at `t` (fusions come from the plan, mohos with tech 2).
    pub fn economy_pool(&self, t: f64) -> Vec<u32> {
        let mut pool = defs::ECONOMY.to_vec();
        if t >= self.t2_factory_s {
            pool.push(defs::MOHO);
        }
        if t >= self.fusion_s {
            pool.push(defs::FUSION);
        }
        pool
    }

    /// Whether more tech-1 factories can appear at `t`.
    pub fn has_factory(&self, t: f64) -> bool {
        t >= self.factory_s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_fall_in_their_ranges() {
        let mut rng = Rng::new(5);
        for i in 0..500 {
            let skill = 0.6 + 0.8 * f64::from(i % 9) / 8.0;
            let p = TechPlan::roll(&mut rng, skill, 40.0 * 60.0);
            assert!((40.0..=110.0).contains(&p.factory_s));
            assert!((480.0..=840.0).contains(&p.t2_factory_s), "{p:?}");
            assert!((720.0..=1200.0).contains(&p.fusion_s), "{p:?}");
            assert!(p.fusion_s >= p.t2_factory_s);
            assert!(p.t3_s.is_none_or(|t| (1320.0..=1800.0).contains(&t)));
            assert!(
                p.commander_lost_s
                    .is_none_or(|t| (840.0..=2160.0).contains(&t)),
                "{p:?}"
            );
        }
    }

    #[test]
    fn each_step_is_due_once() {
        let p = TechPlan::roll(&mut Rng::new(1), 1.0, 3600.0);
        let mut all = Vec::new();
        let mut t = 0.0;
        while t < 3600.0 {
            all.extend(p.due(t, t + 0.5, 0));
            t += 0.5;
        }
        let factories = all.iter().filter(|&&d| d == defs::FACTORIES[0]).count();
        assert_eq!(factories, 1);
        assert_eq!(all.iter().filter(|&&d| d == defs::FUSION).count(), 1);
    }
}
