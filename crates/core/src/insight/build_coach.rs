//! Coaching on the build order: beside each unit of the player's opening, how much earlier or later it
//! came than the player's median time for the same unit over their benchmark games.
//!
//! "The same unit" is the n-th of a def (by its internal name, the same in every language and stable
//! across game versions, unlike def ids): the 3rd Metal Extractor is compared with the 3rd Metal
//! Extractor of each past game that built at least three.

use std::collections::BTreeMap;

use super::quantile::quantile;
use crate::game::BuildOrders;

/// Units of each team's build order a profile keeps (and the panel coaches).
pub const COACH_ITEMS: usize = 40;

/// A def's internal name and which one of it (1 = the first).
pub type BuildKey = (String, u32);

/// The first [`COACH_ITEMS`] units of `team`, each as its key and game time. Units whose def was not
/// described (no internal name) are left out: they cannot be matched across games.
pub fn keyed_opening(orders: &BuildOrders, team: u32) -> Vec<(BuildKey, f64)> {
    let mut nth: BTreeMap<&str, u32> = BTreeMap::new();
    orders
        .team(team)
        .iter()
        .take(COACH_ITEMS)
        .filter_map(|i| {
            let name = orders.def_name(i.def);
            if name.is_empty() {
                return None;
            }
            let n = nth.entry(name).or_insert(0);
            *n += 1;
            Some(((name.to_owned(), *n), i.game_seconds))
        })
        .collect()
}

/// Per key, the median time over the games whose opening has it.
pub fn median_times<'a>(
    openings: impl IntoIterator<Item = &'a [(BuildKey, f64)]>,
) -> BTreeMap<BuildKey, f64> {
    let mut times: BTreeMap<&BuildKey, Vec<f32>> = BTreeMap::new();
    for opening in openings {
        for (key, t) in opening {
            times.entry(key).or_default().push(*t as f32);
        }
    }
    times
        .into_iter()
        .filter_map(|(key, mut ts)| {
            ts.sort_by(f32::total_cmp);
            quantile(&ts, 0.5).map(|m| (key.clone(), f64::from(m)))
        })
        .collect()
}

/// "+0:18" (later than the median), "−0:05" (earlier), "±0:00".
pub fn format_delta(seconds: f64) -> String {
    let s = seconds.round() as i64;
    let sign = match s.signum() {
        1 => "+",
        -1 => "\u{2212}",
        _ => "\u{b1}",
    };
    let a = s.unsigned_abs();
    format!("{sign}{}:{:02}", a / 60, a % 60)
}

/// "1st", "2nd", "3rd", "4th", …, "11th", "21st".
pub fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str, n: u32) -> BuildKey {
        (name.to_owned(), n)
    }

    #[test]
    fn medians_are_per_nth_unit_over_the_games_that_built_it() {
        let a = [(key("armmex", 1), 20.0), (key("armmex", 2), 40.0)];
        let b = [(key("armmex", 1), 30.0)];
        let c = [(key("armmex", 1), 60.0), (key("armlab", 1), 50.0)];
        let m = median_times([&a[..], &b[..], &c[..]]);
        assert_eq!(m[&key("armmex", 1)], 30.0);
        assert_eq!(m[&key("armmex", 2)], 40.0, "only the game that built two");
        assert_eq!(m[&key("armlab", 1)], 50.0);
        assert_eq!(m.len(), 3);
    }

    #[test]
    fn deltas_and_ordinals_read_as_people_write_them() {
        assert_eq!(format_delta(18.2), "+0:18");
        assert_eq!(format_delta(-65.0), "\u{2212}1:05");
        assert_eq!(format_delta(0.3), "\u{b1}0:00");
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111]
            .map(ordinal)
            .to_vec();
        assert_eq!(
            got,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st",
                "111th"
            ]
        );
    }
}
