//! Which series a view shows and what they are called: every team, or every ally team named after its
//! players, as casters say it ("1: Alice & Bob", "2: Carol +3"). Shared by the app and the web overlay.

use super::{SeriesOf, Store};

/// Colour of a series whose team is not known (yet).
const UNKNOWN_RGB: [u8; 3] = [160, 160, 160];

impl Store {
    /// The series of a view: every team (Gaia last), or every ally team.
    pub fn series_list(&self, per_ally: bool) -> Vec<SeriesOf> {
        if per_ally {
            self.ally_ids().into_iter().map(SeriesOf::Ally).collect()
        } else {
            self.team_ids().into_iter().map(SeriesOf::Team).collect()
        }
    }

    /// A team's player name, or an ally team named after its players.
    pub fn series_name(&self, of: SeriesOf) -> String {
        match of {
            SeriesOf::Team(t) => self
                .teams
                .get(&t)
                .map_or_else(|| format!("Team {t}"), |i| i.name.clone()),
            SeriesOf::Ally(a) => {
                let members: Vec<&str> = self
                    .teams
                    .values()
                    .filter(|t| t.ally_team_id == a && !t.is_gaia)
                    .map(|t| t.name.as_str())
                    .collect();
                match members.as_slice() {
                    [] => format!("Ally team {}", a + 1),
                    [one] => format!("{}: {one}", a + 1),
                    [one, two] => format!("{}: {one} & {two}", a + 1),
                    [first, rest @ ..] => format!("{}: {first} +{}", a + 1, rest.len()),
                }
            }
        }
    }

    /// The team's colour, or the first member's for an ally team.
    pub fn series_rgb(&self, of: SeriesOf) -> [u8; 3] {
        match of {
            SeriesOf::Team(t) => self.teams.get(&t).map(|i| i.rgb()),
            SeriesOf::Ally(a) => self
                .teams
                .values()
                .find(|i| i.ally_team_id == a && !i.is_gaia)
                .map(|i| i.rgb()),
        }
        .unwrap_or(UNKNOWN_RGB)
    }

    /// The local player's team when playing; `None` for a spectator or before the hello.
    pub fn my_playing_team(&self) -> Option<u32> {
        self.hello
            .as_ref()
            .filter(|h| !h.game.spectating)
            .and_then(|h| u32::try_from(h.game.my_team_id).ok())
    }

    /// The team an overlay follows by default: the local player's, else the first with data.
    pub fn default_team(&self) -> Option<u32> {
        self.my_playing_team()
            .filter(|t| self.series.contains_key(t))
            .or_else(|| self.series.keys().next().copied())
    }

    /// Whether a team stopped sending samples well before the others (it died or left).
    pub fn team_gone(&self, team: u32) -> bool {
        self.series.get(&team).is_some_and(|s| {
            s.t.last()
                .is_some_and(|&last| last + 5.0 < self.last_game_seconds)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::TeamInfo;

    fn team(id: u32, ally: u32, name: &str, gaia: bool) -> TeamInfo {
        TeamInfo {
            team_id: id,
            ally_team_id: ally,
            name: name.into(),
            color: "#102030".into(),
            is_ai: false,
            side: "armada".into(),
            is_gaia: gaia,
        }
    }

    #[test]
    fn ally_teams_are_named_after_their_players() {
        let mut s = Store::new();
        for t in [
            team(0, 0, "Alice", false),
            team(1, 0, "Bob", false),
            team(2, 1, "Carol", false),
            team(3, 1, "Dan", false),
            team(4, 1, "Eve", false),
            team(5, 2, "Gaia", true),
        ] {
            s.teams.insert(t.team_id, t);
        }
        assert_eq!(s.series_name(SeriesOf::Ally(0)), "1: Alice & Bob");
        assert_eq!(s.series_name(SeriesOf::Ally(1)), "2: Carol +2");
        assert_eq!(s.series_name(SeriesOf::Ally(2)), "Ally team 3");
        assert_eq!(s.series_name(SeriesOf::Team(9)), "Team 9");
        assert_eq!(s.series_rgb(SeriesOf::Ally(0)), [0x10, 0x20, 0x30]);
        assert_eq!(s.series_rgb(SeriesOf::Team(9)), UNKNOWN_RGB);
        assert_eq!(
            s.series_list(true),
            [SeriesOf::Ally(0), SeriesOf::Ally(1)],
            "Gaia is no ally team"
        );
    }
}
