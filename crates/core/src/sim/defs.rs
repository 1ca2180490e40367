//! The unit defs a simulated game uses (names, costs, tech levels and groups modelled on BAR's Armada,
//! plus Cortex's commander).

use crate::protocol::{Category, UnitDef};

/// (id, name, label, metal, energy, category, tech level, group)
type Def = (
    u32,
    &'static str,
    &'static str,
    f64,
    f64,
    Category,
    u8,
    Option<&'static str>,
);

#[rustfmt::skip]
const DEFS: &[Def] = {
    use Category::*;
    &[
        (1, "armcom", "Armada Commander", 2700.0, 26000.0, Commander, 1, None),
        (2, "corcom", "Cortex Commander", 2700.0, 26000.0, Commander, 1, None),
        (10, "armck", "Construction Bot", 110.0, 1600.0, Builder, 1, Some("builder")),
        (11, "armcv", "Construction Vehicle", 135.0, 1950.0, Builder, 1, Some("builder")),
        (12, "armack", "Advanced Construction Bot", 430.0, 6900.0, Builder, 2, Some("buildert2")),
        (20, "armlab", "Bot Lab", 500.0, 950.0, Factory, 1, Some("builder")),
        (21, "armvp", "Vehicle Plant", 590.0, 1550.0, Factory, 1, Some("builder")),
        (22, "armalab", "Advanced Bot Lab", 2900.0, 15000.0, Factory, 2, Some("buildert2")),
        (23, "armavp", "Advanced Vehicle Plant", 2800.0, 14000.0, Factory, 2, Some("buildert2")),
        (24, "armshltx", "Experimental Gantry", 7900.0, 58000.0, Factory, 3, Some("buildert3")),
        (30, "armmex", "Metal Extractor", 50.0, 500.0, Economy, 1, Some("metal")),
        (31, "armsolar", "Solar Collector", 155.0, 0.0, Economy, 1, Some("energy")),
        (32, "armwin", "Wind Turbine", 40.0, 175.0, Economy, 1, Some("energy")),
        (33, "armfus", "Fusion Reactor", 3350.0, 18000.0, Economy, 2, Some("energy")),
        (34, "armmoho", "Advanced Metal Extractor", 620.0, 7700.0, Economy, 2, Some("metal")),
        (40, "armpw", "Pawn", 54.0, 900.0, Army, 1, Some("weapon")),
        (41, "armrock", "Rocketeer", 110.0, 1400.0, Army, 1, Some("weapon")),
        (42, "armstump", "Stout", 160.0, 1900.0, Army, 1, Some("weapon")),
        (43, "armbull", "Bulldog", 1000.0, 13000.0, Army, 2, Some("weapon")),
        (44, "armfido", "Fido", 290.0, 5200.0, Army, 2, Some("weapon")),
        (45, "armbanth", "Bantha", 9500.0, 160000.0, Army, 3, Some("weapon")),
        (50, "armllt", "Sentry", 85.0, 680.0, Defense, 1, Some("weapon")),
        (51, "armamd", "Protector", 1500.0, 53000.0, Defense, 2, Some("antinuke")),
        (52, "armsilo", "Retaliator", 7700.0, 87000.0, Defense, 2, Some("nuke")),
    ]
};

pub const COMMANDERS: [u32; 2] = [1, 2];
pub const BUILDERS: [u32; 2] = [10, 11];
pub const T2_BUILDER: u32 = 12;
/// Tech-1 factories; the others are placed by the tech plan ([`super::tech`]).
pub const FACTORIES: [u32; 2] = [20, 21];
pub const T2_FACTORIES: [u32; 2] = [22, 23];
pub const T3_FACTORY: u32 = 24;
/// Economy buildings any team builds; [`FUSION`] and [`MOHO`] come with tech 2.
pub const ECONOMY: [u32; 3] = [30, 31, 32];
pub const FUSION: u32 = 33;
pub const MOHO: u32 = 34;
pub const ARMY_T1: [u32; 3] = [40, 41, 42];
pub const ARMY_T2: [u32; 2] = [43, 44];
pub const ARMY_T3: [u32; 1] = [45];
/// Every army def, cheapest tier first.
pub const ARMY: [u32; 6] = [40, 41, 42, 43, 44, 45];
pub const DEFENSE: [u32; 1] = [50];
pub const ANTINUKE: u32 = 51;
pub const NUKE: u32 = 52;

pub fn all() -> Vec<UnitDef> {
    DEFS.iter()
        .map(
            |&(id, name, label, metal_cost, energy_cost, category, tech, group)| UnitDef {
                id,
                name: name.into(),
                label: label.into(),
                metal_cost,
                energy_cost,
                category,
                tech_level: Some(tech),
                group: group.map(Into::into),
            },
        )
        .collect()
}

pub fn metal_cost(id: u32) -> f64 {
    DEFS.iter().find(|d| d.0 == id).map_or(0.0, |d| d.3)
}
