//! The unit defs a simulated game uses (names and costs modelled on BAR's Armada/Cortex).

use crate::protocol::{Category, UnitDef};

/// (id, name, label, metal, energy, category)
const DEFS: &[(u32, &str, &str, f64, f64, Category)] = &[
    (
        1,
        "armcom",
        "Armada Commander",
        2700.0,
        26000.0,
        Category::Commander,
    ),
    (
        2,
        "corcom",
        "Cortex Commander",
        2700.0,
        26000.0,
        Category::Commander,
    ),
    (
        10,
        "armck",
        "Construction Bot",
        110.0,
        1600.0,
        Category::Builder,
    ),
    (
        11,
        "armcv",
        "Construction Vehicle",
        135.0,
        1950.0,
        Category::Builder,
    ),
    (20, "armlab", "Bot Lab", 500.0, 950.0, Category::Factory),
    (
        21,
        "armvp",
        "Vehicle Plant",
        590.0,
        1550.0,
        Category::Factory,
    ),
    (
        30,
        "armmex",
        "Metal Extractor",
        50.0,
        500.0,
        Category::Economy,
    ),
    (
        31,
        "armsolar",
        "Solar Collector",
        155.0,
        0.0,
        Category::Economy,
    ),
    (32, "armwin", "Wind Turbine", 40.0, 175.0, Category::Economy),
    (
        33,
        "armfus",
        "Fusion Reactor",
        3350.0,
        18000.0,
        Category::Economy,
    ),
    (40, "armpw", "Pawn", 54.0, 900.0, Category::Army),
    (41, "armrock", "Rocketeer", 110.0, 1400.0, Category::Army),
    (42, "armstump", "Stout", 160.0, 1900.0, Category::Army),
    (43, "armbull", "Bulldog", 1000.0, 13000.0, Category::Army),
    (50, "armllt", "Sentry", 85.0, 680.0, Category::Defense),
];

pub const COMMANDERS: [u32; 2] = [1, 2];
pub const BUILDERS: [u32; 2] = [10, 11];
pub const FACTORIES: [u32; 2] = [20, 21];
pub const ECONOMY: [u32; 4] = [30, 31, 32, 33];
pub const ARMY: [u32; 4] = [40, 41, 42, 43];
pub const DEFENSE: [u32; 1] = [50];

pub fn all() -> Vec<UnitDef> {
    DEFS.iter()
        .map(
            |&(id, name, label, metal_cost, energy_cost, category)| UnitDef {
                id,
                name: name.into(),
                label: label.into(),
                metal_cost,
                energy_cost,
                category,
                tech_level: None,
                group: None,
            },
        )
        .collect()
}

pub fn metal_cost(id: u32) -> f64 {
    DEFS.iter().find(|d| d.0 == id).map_or(0.0, |d| d.3)
}
