//! `bar-live simulate`: act like the widget in a plausible, deterministic game.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::bail;

use crate::protocol::Level;
use crate::sim::{SimGame, SimOptions, SimReport, Speed};

/// The longest `--map` accepted (BAR's map names are far shorter).
const MAX_MAP_NAME_BYTES: usize = 200;

#[derive(Debug, Clone)]
pub struct SimulateOptions {
    pub to: String,
    pub teams: u32,
    pub minutes: f64,
    pub speed: Speed,
    pub seed: u64,
    pub level: Level,
    pub interval_frames: u32,
    pub max_units: u32,
    /// Play this team instead of spectating (see [`SimOptions::player`]).
    pub player: Option<u32>,
    /// The map name the game reports (`None`: the simulator's default).
    pub map_name: Option<String>,
}

/// Plays the game to `opts.to` and prints a one-line report to stderr.
pub fn run(opts: &SimulateOptions) -> anyhow::Result<SimReport> {
    if !(1..=300).contains(&opts.interval_frames) {
        bail!("--interval-frames must be within 1..300");
    }
    if !(1..=64).contains(&opts.teams) {
        bail!("--teams must be within 1..64");
    }
    if opts.player.is_some_and(|p| p >= opts.teams) {
        bail!("--player must be a team id below --teams");
    }
    if !(opts.minutes.is_finite() && opts.minutes > 0.0) {
        bail!("--minutes must be a positive number");
    }
    if let Some(map) = &opts.map_name
        && (map.trim().is_empty() || map.len() > MAX_MAP_NAME_BYTES)
    {
        bail!("--map must be a name of 1 to {MAX_MAP_NAME_BYTES} bytes");
    }
    let defaults = SimOptions::default();
    let game = SimGame::new(SimOptions {
        teams: opts.teams,
        minutes: opts.minutes,
        seed: opts.seed,
        level: opts.level,
        interval_frames: opts.interval_frames,
        max_units: opts.max_units,
        player: opts.player,
        map_name: opts.map_name.clone().unwrap_or(defaults.map_name.clone()),
        ..defaults
    });
    let r = crate::sim::run(&opts.to, game, opts.speed, Arc::new(AtomicBool::new(false)))?;
    eprintln!(
        "simulate: {} messages, {} bytes, game frame {}, {} pings answered, {} configs applied",
        r.messages, r.bytes, r.game_frame, r.pings_answered, r.configs_applied
    );
    Ok(r)
}
