//! Command-line entry point: parses arguments and starts the right thing. Nothing else lives here.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};

use bar_live_core::protocol::{DEFAULT_LISTEN, DEFAULT_MAX_FRAME_BYTES, Level};
use bar_live_core::sim::{SimGame, SimOptions, Speed};
use bar_live_core::{cli, net};

use bar_live_app::app;

#[derive(Parser)]
#[command(
    name = "bar-live",
    version,
    about = "Live game data from Beyond All Reason: plots, overlay, recordings"
)]
struct Args {
    /// Address to listen on for the widget (default from settings, else 127.0.0.1:9876).
    #[arg(long, global = true)]
    listen: Option<String>,
    /// Allow a non-loopback listen address (the stream is unauthenticated and unencrypted).
    #[arg(long, global = true)]
    allow_remote: bool,
    /// Largest frame accepted from a widget, in bytes.
    #[arg(long, global = true, default_value_t = DEFAULT_MAX_FRAME_BYTES)]
    max_frame_bytes: u32,
    /// Settings file (default: the user config directory).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Data directory for recordings (default: the user data directory).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// Start the built-in simulator against our own listener (a live demo without the game).
    #[arg(long, global = true)]
    simulate: bool,
    /// Open the overlay window at start.
    #[arg(long, global = true)]
    overlay: bool,
    /// Quit after this many seconds (for scripted screenshots and smoke tests).
    #[arg(long, global = true, hide = true)]
    quit_after_secs: Option<f64>,
    /// Which tab to show first: live, review, recordings, settings.
    #[arg(long, global = true, hide = true)]
    tab: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Validate a widget's stream: framing, schema, seq, hello first, defs before use, rates, ping.
    Check {
        /// Stop after this many connections have closed.
        #[arg(long)]
        connections: Option<u64>,
        /// Stop after this many seconds.
        #[arg(long)]
        duration: Option<f64>,
        /// Print a JSON report as the last line of stdout.
        #[arg(long)]
        json: bool,
    },
    /// Act like the widget in a plausible, deterministic game.
    Simulate {
        #[arg(long)]
        to: String,
        #[arg(long, default_value_t = 4)]
        teams: u32,
        #[arg(long, default_value_t = 20.0)]
        minutes: f64,
        /// Game seconds per real second, or "max".
        #[arg(long, default_value = "1")]
        speed: Speed,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value = "standard")]
        level: Level,
        #[arg(long, default_value_t = 15)]
        interval_frames: u32,
        #[arg(long, default_value_t = 1000)]
        max_units: u32,
    },
    /// Record widget streams to a .barlive file without the UI.
    Record {
        #[arg(long)]
        out: PathBuf,
        /// Stop after this many connections have closed.
        #[arg(long)]
        connections: Option<u64>,
        /// Stop after this many seconds.
        #[arg(long)]
        duration: Option<f64>,
    },
    /// Play a recording back to a listener as if it were the widget.
    Replay {
        file: PathBuf,
        #[arg(long)]
        to: String,
        #[arg(long, default_value = "max")]
        speed: Speed,
    },
    /// Summarise a recording.
    Info {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Open a recording in the app.
    Open { file: PathBuf },
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let args = Args::parse();
    match run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn listen_addr(args: &Args, fallback: &str) -> anyhow::Result<String> {
    let addr = args.listen.clone().unwrap_or_else(|| fallback.to_owned());
    net::check_listen_addr(&addr, args.allow_remote)?;
    if args.allow_remote {
        log::warn!(
            "listening on {addr}: anyone who can reach it can send data; the stream is not encrypted"
        );
    }
    Ok(addr)
}

fn secs(s: Option<f64>) -> Option<Duration> {
    s.filter(|s| *s >= 0.0 && s.is_finite())
        .map(Duration::from_secs_f64)
}

fn run(args: Args) -> anyhow::Result<ExitCode> {
    match &args.command {
        Some(Command::Check {
            connections,
            duration,
            json,
        }) => {
            let opts = cli::check::CheckOptions {
                listen: listen_addr(&args, DEFAULT_LISTEN)?,
                connections: *connections,
                duration: secs(*duration),
                max_frame_bytes: args.max_frame_bytes,
            };
            let report = cli::check::run(&opts)?;
            print!("{}", report.human());
            if *json {
                println!("{}", serde_json::to_string(&report)?);
            }
            Ok(if report.clean() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Some(Command::Simulate {
            to,
            teams,
            minutes,
            speed,
            seed,
            level,
            interval_frames,
            max_units,
        }) => {
            if !(1..=300).contains(interval_frames) {
                anyhow::bail!("--interval-frames must be within 1..300");
            }
            let game = SimGame::new(SimOptions {
                teams: *teams,
                minutes: *minutes,
                seed: *seed,
                level: *level,
                interval_frames: *interval_frames,
                max_units: *max_units,
                ..SimOptions::default()
            });
            let r = bar_live_core::sim::run(to, game, *speed, Arc::new(AtomicBool::new(false)))?;
            eprintln!(
                "simulate: {} messages, {} bytes, game frame {}, {} pings answered, {} configs applied",
                r.messages, r.bytes, r.game_frame, r.pings_answered, r.configs_applied
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Record {
            out,
            connections,
            duration,
        }) => {
            let opts = cli::record::RecordOptions {
                listen: listen_addr(&args, DEFAULT_LISTEN)?,
                out: out.clone(),
                connections: *connections,
                duration: secs(*duration),
                max_frame_bytes: args.max_frame_bytes,
            };
            let r = cli::record::run(&opts)?;
            Ok(if r.protocol_errors == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Some(Command::Replay { file, to, speed }) => {
            let r = cli::replay::run(file, to, *speed)?;
            eprintln!(
                "replay: {} frames over {} connection(s)",
                r.frames, r.connections
            );
            if r.truncated {
                eprintln!(
                    "replay: the recording was cut short; replayed up to its last complete frame"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Info { file, json }) => {
            cli::info::run(file, *json)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Open { file }) => {
            let file = file.clone();
            gui(args, Some(file))
        }
        None => gui(args, None),
    }
}

fn gui(args: Args, open: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    if let Some(addr) = &args.listen {
        net::check_listen_addr(addr, args.allow_remote)?;
    }
    let opts = app::LaunchOptions {
        config_path: args.config,
        data_dir: args.data_dir,
        listen: args.listen,
        allow_remote: args.allow_remote,
        max_frame_bytes: args.max_frame_bytes,
        open,
        simulate: args.simulate,
        overlay: args.overlay,
        quit_after: secs(args.quit_after_secs),
        tab: args.tab,
    };
    app::run(opts).context("the window could not be started")?;
    Ok(ExitCode::SUCCESS)
}
