//! A replay as the widget's messages, so everything that reads recordings reads a replay the same
//! way: `hello` (map, game, players, AIs, teams with BAR's colours), `game_start`, one `update` per
//! statistics record with every team's `stats` at its game time, and `game_over` with the winners.
//!
//! A replay has no per-second resource values: the updates' `metal` and `energy` fields are `null`
//! ("no value" in the protocol), and `units.total` is the count the statistics imply
//! ([`super::StatRecord::units_alive`]).

use super::{NoStats, Replay};
use crate::protocol::{
    Event, GameInfo, Hello, HelloConfig, Level, Resource, TeamInfo, TeamSample, UnitCounts, Update,
    WidgetConfig, WidgetInfo, WidgetMessage,
};

/// The `widget.name` of a hello built from a replay.
pub const WIDGET_NAME: &str = "BAR replay";

/// One message with its time in ms from the game's start (frame 0).
#[derive(Debug, Clone, PartialEq)]
pub struct TimedMessage {
    pub t_ms: u64,
    pub body: WidgetMessage,
}

fn t_ms(frame: u32) -> u64 {
    u64::from(frame) * 1000 / u64::from(super::FRAMES_PER_SECOND)
}

/// The replay's messages, in order. Without team statistics: why not (nothing to show).
pub fn widget_messages(r: &Replay) -> Result<Vec<TimedMessage>, NoStats> {
    if !r.has_team_stats() {
        return Err(r.no_stats.clone().unwrap_or(NoStats::ServerRecording));
    }
    let mut out = vec![TimedMessage {
        t_ms: 0,
        body: WidgetMessage::Hello(hello(r)),
    }];
    out.push(TimedMessage {
        t_ms: 0,
        body: WidgetMessage::Event(Event::new(0, "game_start")),
    });
    let samples = r.team_records.iter().map(Vec::len).max().unwrap_or(0);
    let mut last_frame = 0;
    for i in 0..samples {
        let mut teams = Vec::new();
        let mut frame = None;
        for (k, records) in r.team_records.iter().enumerate() {
            let (Some(rec), Some(team)) = (records.get(i), r.stats_team(k)) else {
                continue;
            };
            let f = *frame.get_or_insert_with(|| r.record_frame(k, i));
            teams.push(TeamSample {
                team_id: team.team_id,
                metal: Resource::UNKNOWN,
                energy: Resource::UNKNOWN,
                units: UnitCounts {
                    total: rec.units_alive(),
                    by_def: None,
                    unknown: None,
                },
                stats: Some(rec.to_team_stats(f)),
            });
        }
        let Some(frame) = frame else { continue };
        // Frames never go backwards within a game (the store would start over).
        let frame = frame.max(last_frame);
        last_frame = frame;
        out.push(TimedMessage {
            t_ms: t_ms(frame),
            body: WidgetMessage::Update(Update {
                game_frame: frame,
                game_seconds: f64::from(frame) / f64::from(super::FRAMES_PER_SECOND),
                paused: false,
                speed: f64::NAN,
                teams,
                units: None,
                units_omitted: None,
            }),
        });
    }
    if let Some(winners) = &r.winners {
        let end = r.end_frame().max(last_frame);
        let mut e = Event::new(end, "game_over");
        e.winners = Some(winners.clone());
        out.push(TimedMessage {
            t_ms: t_ms(end),
            body: WidgetMessage::Event(e),
        });
    }
    Ok(out)
}

/// The `hello` a spectator with full view would have sent in this game (the local player's team
/// when `myplayername` names one who played).
pub fn hello(r: &Replay) -> Hello {
    let me = r
        .script
        .my_player_name
        .as_deref()
        .and_then(|name| r.script.players.iter().find(|p| p.name == name));
    let my_team = r.my_team();
    let period_frames = r
        .header
        .team_stat_period_s
        .saturating_mul(super::FRAMES_PER_SECOND);
    Hello {
        widget: WidgetInfo {
            name: WIDGET_NAME.into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        game: GameInfo {
            game_name: r.script.game_type.clone().unwrap_or_default(),
            game_version: String::new(),
            engine_version: r.header.engine_version.clone(),
            map_name: r.script.map_name.clone().unwrap_or_default(),
            is_replay: true,
            spectating: my_team.is_none(),
            full_view: true,
            my_player_id: me.map_or(-1, |p| i64::from(p.player_id)),
            my_team_id: my_team.map_or(-1, |t| i64::from(t.team_id)),
            game_frame: 0,
        },
        teams: r
            .teams
            .iter()
            .map(|t| TeamInfo {
                team_id: t.team_id,
                ally_team_id: t.ally_team_id,
                name: t.name.clone(),
                color: t.color.map_or_else(
                    || "#a0a0a0".to_owned(),
                    |[red, green, blue]| format!("#{red:02x}{green:02x}{blue:02x}"),
                ),
                is_ai: t.is_ai,
                side: t.side.clone(),
                is_gaia: false,
            })
            .collect(),
        config: HelloConfig {
            interval_frames: period_frames.clamp(
                *WidgetConfig::INTERVAL_FRAMES.start(),
                *WidgetConfig::INTERVAL_FRAMES.end(),
            ),
            level: Level::Standard,
            ..HelloConfig::default()
        },
    }
}
