//! The ghost of a past game: its lines drawn faded behind the current game's, aligned on **game time**
//! (not on when either recording started), so minute 12 of the past game sits over minute 12 of this one
//! even when a recording began mid-game or its widget reconnected.

use crate::store::{Metric, SeriesOf, Store, ValueMode};

/// The team of a past game to show: the player's team (same name, not an AI) when they played in it, else
/// the recording's local player's team, else its first team.
pub fn ghost_team(past: &Store, player: Option<&str>) -> Option<u32> {
    player
        .and_then(|name| {
            past.teams
                .values()
                .find(|t| !t.is_ai && !t.is_gaia && t.name == name)
                .map(|t| t.team_id)
        })
        .or_else(|| {
            past.my_playing_team()
                .filter(|t| past.series.contains_key(t))
        })
        .or_else(|| past.series.keys().next().copied())
}

/// What the ghost shows in a view: the team, or its ally team.
pub fn ghost_series(past: &Store, team: u32, per_ally: bool) -> SeriesOf {
    match (per_ally, past.ally_of(team)) {
        (true, Some(a)) => SeriesOf::Ally(a),
        _ => SeriesOf::Team(team),
    }
}

/// The ghost's line of `metric` over `[t0, t1]` game seconds, `columns` wide: the same decimation as the
/// current game's lines, on the same game-time axis.
#[allow(clippy::too_many_arguments)]
pub fn ghost_line(
    past: &Store,
    of: SeriesOf,
    metric: Metric,
    mode: ValueMode,
    scale: f32,
    (t0, t1): (f64, f64),
    columns: usize,
) -> Vec<[f64; 2]> {
    let mut points = Vec::new();
    past.decimated(of, metric, mode, scale, t0, t1, columns, &mut points);
    points
}
