//! The per-team series the store keeps, with how each one behaves over time.

/// How a metric's raw values relate to time; decides what "per second" and "cumulative" mean for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Already a per-second figure (income, expense): cumulative = integral over time.
    Rate,
    /// A running total (damage dealt, units killed): per second = derivative.
    Counter,
    /// A level (stored metal, unit count): the same in both views.
    Level,
}

macro_rules! metrics {
    ($($variant:ident => ($key:literal, $label:literal, $kind:ident)),* $(,)?) => {
        /// A column in a team's time series.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Metric { $($variant),* }

        impl Metric {
            pub const ALL: &'static [Metric] = &[$(Metric::$variant),*];
            pub const COUNT: usize = Metric::ALL.len();
            /// Stable snake_case key (settings, CSV headers).
            pub fn key(self) -> &'static str { match self { $(Metric::$variant => $key),* } }
            pub fn label(self) -> &'static str { match self { $(Metric::$variant => $label),* } }
            pub fn kind(self) -> Kind { match self { $(Metric::$variant => Kind::$kind),* } }
            pub fn index(self) -> usize { self as usize }
            pub fn from_key(key: &str) -> Option<Metric> {
                Metric::ALL.iter().copied().find(|m| m.key() == key)
            }
        }
    };
}

metrics! {
    MetalCurrent => ("metal_current", "Metal stored", Level),
    MetalStorage => ("metal_storage", "Metal storage", Level),
    MetalIncome => ("metal_income", "Metal income", Rate),
    MetalExpense => ("metal_expense", "Metal expense", Rate),
    MetalPull => ("metal_pull", "Metal pull", Rate),
    MetalSent => ("metal_sent", "Metal sent", Rate),
    MetalReceived => ("metal_received", "Metal received", Rate),
    MetalExcess => ("metal_excess", "Metal excess", Rate),
    EnergyCurrent => ("energy_current", "Energy stored", Level),
    EnergyStorage => ("energy_storage", "Energy storage", Level),
    EnergyIncome => ("energy_income", "Energy income", Rate),
    EnergyExpense => ("energy_expense", "Energy expense", Rate),
    EnergyPull => ("energy_pull", "Energy pull", Rate),
    EnergySent => ("energy_sent", "Energy sent", Rate),
    EnergyReceived => ("energy_received", "Energy received", Rate),
    EnergyExcess => ("energy_excess", "Energy excess", Rate),
    Units => ("units", "Units", Level),
    ArmyValue => ("army_value", "Army value (metal)", Level),
    DamageDealt => ("damage_dealt", "Damage dealt", Counter),
    DamageReceived => ("damage_received", "Damage received", Counter),
    UnitsKilled => ("units_killed", "Units killed", Counter),
    UnitsDied => ("units_died", "Units lost", Counter),
    UnitsProduced => ("units_produced", "Units produced", Counter),
    MetalProduced => ("metal_produced", "Metal produced", Counter),
    EnergyProduced => ("energy_produced", "Energy produced", Counter),
    // Army composition and trades (crate::game::composition): readable teams only.
    ArmyT1Value => ("army_t1_value", "Army T1 (metal)", Level),
    ArmyT2Value => ("army_t2_value", "Army T2 (metal)", Level),
    ArmyT3Value => ("army_t3_value", "Army T3 (metal)", Level),
    DefenseT1Value => ("defense_t1_value", "Defense T1 (metal)", Level),
    DefenseT2Value => ("defense_t2_value", "Defense T2 (metal)", Level),
    DefenseT3Value => ("defense_t3_value", "Defense T3 (metal)", Level),
    ValueKilled => ("value_killed", "Value killed (metal)", Counter),
    ValueLost => ("value_lost", "Value lost (metal)", Counter),
}

impl Metric {
    /// The composition metric of each [`crate::game::Band`], in band order.
    pub const BANDS: [Metric; crate::game::Band::COUNT] = [
        Metric::ArmyT1Value,
        Metric::ArmyT2Value,
        Metric::ArmyT3Value,
        Metric::DefenseT1Value,
        Metric::DefenseT2Value,
        Metric::DefenseT3Value,
    ];
}
