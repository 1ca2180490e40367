//! What the insight code needs to know about a unit def: its milestone roles, its composition band and its
//! metal cost, in a flat table indexed by def id.
//!
//! Roles come from `category`, `tech_level` and `group` (BAR's `customParams.unitgroup`), with BAR's unit
//! names as a fallback for widgets or games that give no group (see docs/INSIGHT.md).

use std::collections::HashMap;

use crate::protocol::{Category, UnitDef};

/// A def's milestone roles, as bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Roles(pub u8);

impl Roles {
    pub const FACTORY: u8 = 1;
    pub const T2_FACTORY: u8 = 1 << 1;
    pub const T3: u8 = 1 << 2;
    pub const FUSION: u8 = 1 << 3;
    pub const NUKE: u8 = 1 << 4;
    pub const ANTINUKE: u8 = 1 << 5;
    pub const COMMANDER: u8 = 1 << 6;

    pub fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }
}

/// BAR's nuclear missile silos, for defs without `group` (`customParams.unitgroup == "nuke"`).
const NUKE_NAMES: &[&str] = &["armsilo", "corsilo", "legsilo"];
/// BAR's anti-nuke systems, static and mobile, for defs without `group == "antinuke"`.
const ANTINUKE_NAMES: &[&str] = &[
    "armamd", "corfmd", "legabm", "armscab", "cormabm", "legmabm",
];

/// The milestone roles of a def.
pub fn roles(def: &UnitDef) -> Roles {
    let tech = def.tech_level_or_default();
    let group = def.group.as_deref();
    let name = def.name.to_ascii_lowercase();
    let mut r = 0;
    if def.category == Category::Factory {
        r |= Roles::FACTORY;
        if tech >= 2 {
            r |= Roles::T2_FACTORY;
        }
    }
    if tech >= 3 {
        r |= Roles::T3;
    }
    if is_fusion(def, &name) {
        r |= Roles::FUSION;
    }
    if group == Some("nuke") || (group.is_none() && NUKE_NAMES.contains(&name.as_str())) {
        r |= Roles::NUKE;
    }
    if group == Some("antinuke") || (group.is_none() && ANTINUKE_NAMES.contains(&name.as_str())) {
        r |= Roles::ANTINUKE;
    }
    if def.category == Category::Commander {
        r |= Roles::COMMANDER;
    }
    Roles(r)
}

/// A fusion reactor (BAR's advanced energy: fusion, advanced fusion, cloaked and underwater fusion):
/// an economy def of the `energy` group (or no group) whose name has "fus" or whose label says "fusion".
fn is_fusion(def: &UnitDef, lower_name: &str) -> bool {
    def.category == Category::Economy
        && matches!(def.group.as_deref(), None | Some("energy"))
        && (lower_name.contains("fus") || def.label.to_ascii_lowercase().contains("fusion"))
}

/// Where a def's metal goes in the army composition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Band {
    ArmyT1,
    ArmyT2,
    ArmyT3,
    DefenseT1,
    DefenseT2,
    DefenseT3,
}

impl Band {
    pub const ALL: [Band; 6] = [
        Band::ArmyT1,
        Band::ArmyT2,
        Band::ArmyT3,
        Band::DefenseT1,
        Band::DefenseT2,
        Band::DefenseT3,
    ];
    pub const COUNT: usize = Band::ALL.len();

    /// Army (mobile armed units) and defense (static armed ones), each by tech level (0 and 1 are T1,
    /// 3 and above T3). Other categories are not part of the composition.
    pub fn of(def: &UnitDef) -> Option<Band> {
        let tier = def.tech_level_or_default().clamp(1, 3);
        match (def.category, tier) {
            (Category::Army, 1) => Some(Band::ArmyT1),
            (Category::Army, 2) => Some(Band::ArmyT2),
            (Category::Army, _) => Some(Band::ArmyT3),
            (Category::Defense, 1) => Some(Band::DefenseT1),
            (Category::Defense, 2) => Some(Band::DefenseT2),
            (Category::Defense, _) => Some(Band::DefenseT3),
            _ => None,
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn label(self) -> &'static str {
        match self {
            Band::ArmyT1 => "Army T1",
            Band::ArmyT2 => "Army T2",
            Band::ArmyT3 => "Army T3",
            Band::DefenseT1 => "Defense T1",
            Band::DefenseT2 => "Defense T2",
            Band::DefenseT3 => "Defense T3",
        }
    }
}

/// One def, flattened.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DefInfo {
    pub roles: Roles,
    pub band: Option<Band>,
    pub metal_cost: f64,
}

impl DefInfo {
    pub fn of(def: &UnitDef) -> DefInfo {
        DefInfo {
            roles: roles(def),
            band: Band::of(def),
            metal_cost: if def.metal_cost.is_finite() {
                def.metal_cost.max(0.0)
            } else {
                0.0
            },
        }
    }
}

/// Def ids below this live in a flat table; larger ones in a map.
const DENSE: u32 = 1 << 16;

/// The defs described so far, by id.
#[derive(Debug, Clone, Default)]
pub struct DefTable {
    dense: Vec<Option<DefInfo>>,
    sparse: HashMap<u32, DefInfo>,
}

impl DefTable {
    pub fn insert(&mut self, def: &UnitDef) {
        let info = DefInfo::of(def);
        if def.id < DENSE {
            let i = def.id as usize;
            if self.dense.len() <= i {
                self.dense.resize(i + 1, None);
            }
            self.dense[i] = Some(info);
        } else {
            self.sparse.insert(def.id, info);
        }
    }

    pub fn get(&self, id: u32) -> Option<&DefInfo> {
        if id < DENSE {
            self.dense.get(id as usize).and_then(Option::as_ref)
        } else {
            self.sparse.get(&id)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(
        name: &str,
        label: &str,
        category: Category,
        tech: Option<u8>,
        group: Option<&str>,
    ) -> UnitDef {
        UnitDef {
            id: 1,
            name: name.into(),
            label: label.into(),
            metal_cost: 100.0,
            energy_cost: 0.0,
            category,
            tech_level: tech,
            group: group.map(Into::into),
        }
    }

    #[test]
    fn roles_follow_category_tech_level_and_group() {
        let lab = roles(&def("armlab", "Bot Lab", Category::Factory, Some(1), None));
        assert!(lab.has(Roles::FACTORY) && !lab.has(Roles::T2_FACTORY));
        let alab = roles(&def(
            "armalab",
            "Advanced Bot Lab",
            Category::Factory,
            Some(2),
            None,
        ));
        assert!(alab.has(Roles::FACTORY) && alab.has(Roles::T2_FACTORY) && !alab.has(Roles::T3));
        let gantry = roles(&def("armshltx", "Gantry", Category::Factory, Some(3), None));
        assert!(gantry.has(Roles::T2_FACTORY) && gantry.has(Roles::T3));
        let fus = roles(&def(
            "armfus",
            "Fusion Reactor",
            Category::Economy,
            Some(2),
            Some("energy"),
        ));
        assert!(fus.has(Roles::FUSION));
        let afus = def(
            "corafus",
            "Advanced Fusion",
            Category::Economy,
            Some(2),
            None,
        );
        assert!(roles(&afus).has(Roles::FUSION));
        let solar = def(
            "armsolar",
            "Solar",
            Category::Economy,
            Some(1),
            Some("energy"),
        );
        assert!(!roles(&solar).has(Roles::FUSION));
        let silo = def("whatever", "Silo", Category::Defense, Some(2), Some("nuke"));
        assert!(roles(&silo).has(Roles::NUKE));
        assert!(roles(&def("corsilo", "Silo", Category::Defense, Some(2), None)).has(Roles::NUKE));
        let named_but_grouped = def("corsilo", "Silo", Category::Defense, Some(2), Some("util"));
        assert!(
            !roles(&named_but_grouped).has(Roles::NUKE),
            "the group wins"
        );
        assert!(
            roles(&def(
                "x",
                "Anti",
                Category::Defense,
                Some(2),
                Some("antinuke")
            ))
            .has(Roles::ANTINUKE)
        );
        assert!(
            roles(&def("armcom", "Com", Category::Commander, None, None)).has(Roles::COMMANDER)
        );
    }

    #[test]
    fn bands_by_category_and_tier() {
        let d = |c, t| Band::of(&def("u", "u", c, t, None));
        assert_eq!(d(Category::Army, None), Some(Band::ArmyT1));
        assert_eq!(d(Category::Army, Some(0)), Some(Band::ArmyT1));
        assert_eq!(d(Category::Army, Some(2)), Some(Band::ArmyT2));
        assert_eq!(d(Category::Army, Some(7)), Some(Band::ArmyT3));
        assert_eq!(d(Category::Defense, Some(3)), Some(Band::DefenseT3));
        assert_eq!(d(Category::Economy, Some(2)), None);
        assert_eq!(d(Category::Commander, Some(1)), None);
    }
}
