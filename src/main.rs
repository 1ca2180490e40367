//! Command-line entry point: parses arguments and starts the right thing. Nothing else lives here: the
//! commands are in `bar_live_core::cli`, the window in `bar_live_app::app`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use bar_live_app::app;
use bar_live_core::cli::{self, Outcome, listen_addr, secs};
use bar_live_core::paths::Paths;
use bar_live_core::protocol::{DEFAULT_LISTEN, DEFAULT_MAX_FRAME_BYTES, Level};
use bar_live_core::sim::Speed;
use bar_live_core::web::DEFAULT_WEB_LISTEN;

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
    /// Address of the overlay pages for OBS (default from settings, else 127.0.0.1:9877).
    #[arg(long, global = true)]
    web_listen: Option<String>,
    /// Allow a non-loopback listen address (the stream is unauthenticated and unencrypted).
    #[arg(long, global = true)]
    allow_remote: bool,
    /// Largest frame accepted from a widget, in bytes.
    #[arg(long, global = true, default_value_t = DEFAULT_MAX_FRAME_BYTES)]
    max_frame_bytes: u32,
    /// Settings file (default: the user config directory).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Data directory for recordings (default: the user data directory); for `widget install|doctor`,
    /// BAR's data folder (the one holding springsettings.cfg and LuaUI; default: found in the usual
    /// places).
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
    /// Which tab to show first: live, review, recordings, settings, widget.
    #[arg(long, global = true, hide = true)]
    tab: Option<String>,
    /// A past recording to draw as a ghost behind the game (for scripted screenshots).
    #[arg(long, global = true, hide = true)]
    ghost: Option<PathBuf>,
    /// A second recording to review side by side with the one opened (for scripted screenshots).
    #[arg(long, global = true, hide = true)]
    side_by_side: Option<PathBuf>,
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
        /// Play this team (0-based) instead of spectating: only its ally team is sent.
        #[arg(long)]
        player: Option<u32>,
        /// The map name the simulated game reports.
        #[arg(long)]
        map: Option<String>,
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
    /// List the recordings folder with each game's summary (cached in the folder's index).
    Recordings {
        /// The folder (default: the data directory's recordings).
        #[arg(long)]
        dir: Option<PathBuf>,
        #[arg(long)]
        json: bool,
        /// Read every block of the files not checked yet (finds damage inside finished files).
        #[arg(long)]
        check: bool,
    },
    /// Rewrite a recording in another format version (1 ↔ 2).
    Convert {
        input: PathBuf,
        output: PathBuf,
        /// Format version to write (default: the other one).
        #[arg(long)]
        to: Option<u32>,
    },
    /// Serve the overlay pages for OBS and record games, without a window (a second PC, a headless box).
    Serve {
        /// Stream delay in seconds for pages that do not set `?delay=` (0–600).
        #[arg(long, default_value_t = 0.0)]
        delay: f64,
        /// Feed the pages with the bundled demo recording, replayed in a loop.
        #[arg(long, conflicts_with = "simulate")]
        demo: bool,
        /// Do not record games.
        #[arg(long)]
        no_record: bool,
        /// Stop after this many seconds.
        #[arg(long)]
        duration: Option<f64>,
    },
    /// Open a recording in the app.
    Open { file: PathBuf },
    /// Install the widget into BAR, or check why it cannot connect (`--data-dir` is BAR's data folder).
    Widget {
        #[command(subcommand)]
        command: WidgetCommand,
    },
}

#[derive(Subcommand)]
enum WidgetCommand {
    /// Install (or update) the widget into BAR's data folder; prints the path written.
    Install {
        /// The port the widget connects to (default: the app's, from its settings).
        #[arg(long)]
        port: Option<u16>,
    },
    /// Check the folder, the widget and springsettings.cfg (LuaSocketEnabled, TCPAllowConnect).
    Doctor {
        /// The port the widget connects to (default: the app's, from its settings).
        #[arg(long)]
        port: Option<u16>,
        /// Fix springsettings.cfg (keeps a backup; do it while the game is closed).
        #[arg(long)]
        fix: bool,
    },
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    match run(Args::parse()) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Failure) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> anyhow::Result<Outcome> {
    let listen = |fallback: &str| listen_addr(args.listen.as_deref(), fallback, args.allow_remote);
    match &args.command {
        Some(Command::Check {
            connections,
            duration,
            json,
        }) => cli::check::main(
            &cli::check::CheckOptions {
                listen: listen(DEFAULT_LISTEN)?,
                connections: *connections,
                duration: secs(*duration),
                max_frame_bytes: args.max_frame_bytes,
            },
            *json,
        ),
        Some(Command::Simulate {
            to,
            teams,
            minutes,
            speed,
            seed,
            level,
            interval_frames,
            max_units,
            player,
            map,
        }) => {
            cli::simulate::run(&cli::simulate::SimulateOptions {
                to: to.clone(),
                teams: *teams,
                minutes: *minutes,
                speed: *speed,
                seed: *seed,
                level: *level,
                interval_frames: *interval_frames,
                max_units: *max_units,
                player: *player,
                map_name: map.clone(),
            })?;
            Ok(Outcome::Success)
        }
        Some(Command::Record {
            out,
            connections,
            duration,
        }) => {
            let r = cli::record::run(&cli::record::RecordOptions {
                listen: listen(DEFAULT_LISTEN)?,
                out: out.clone(),
                connections: *connections,
                duration: secs(*duration),
                max_frame_bytes: args.max_frame_bytes,
            })?;
            Ok(Outcome::from_ok(r.protocol_errors == 0))
        }
        Some(Command::Replay { file, to, speed }) => {
            cli::replay::main(file, to, *speed)?;
            Ok(Outcome::Success)
        }
        Some(Command::Info { file, json }) => {
            cli::info::run(file, *json)?;
            Ok(Outcome::Success)
        }
        Some(Command::Recordings { dir, json, check }) => {
            let dir = dir.clone().unwrap_or_else(|| {
                Paths::resolve(args.config.clone(), args.data_dir.clone()).recordings_dir()
            });
            cli::recordings::run(&dir, *json, *check)?;
            Ok(Outcome::Success)
        }
        Some(Command::Convert { input, output, to }) => {
            let r = cli::convert::run(input, output, *to)?;
            eprintln!(
                "convert: {} records, format {} ({} bytes) -> format {} ({} bytes): {}",
                r.records,
                r.from_version,
                r.input_bytes,
                r.to_version,
                r.output_bytes,
                r.output.display()
            );
            Ok(Outcome::Success)
        }
        Some(Command::Widget { command }) => {
            let bar_dir = cli::widget::data_dir(args.data_dir.as_deref())?;
            let port = |p: &Option<u16>| {
                p.unwrap_or_else(|| app::widget_settings::saved_port(args.config.clone()))
            };
            match command {
                WidgetCommand::Install { port: p } => cli::widget::install(&bar_dir, port(p)),
                WidgetCommand::Doctor { port: p, fix } => {
                    cli::widget::doctor(&bar_dir, port(p), *fix)
                }
            }
        }
        Some(Command::Serve {
            delay,
            demo,
            no_record,
            duration,
        }) => {
            let paths = Paths::resolve(args.config.clone(), args.data_dir.clone());
            let feed = match (args.simulate, *demo) {
                (true, _) => cli::serve::Feed::Simulator,
                (false, true) => cli::serve::Feed::Demo,
                _ => cli::serve::Feed::Widget,
            };
            cli::serve::run(&cli::serve::ServeOptions {
                listen: listen(DEFAULT_LISTEN)?,
                web_listen: listen_addr(
                    args.web_listen.as_deref(),
                    DEFAULT_WEB_LISTEN,
                    args.allow_remote,
                )?,
                max_frame_bytes: args.max_frame_bytes,
                recordings_dir: (!no_record).then(|| paths.recordings_dir()),
                keep_last: 50,
                delay_s: *delay,
                user_css: Some(paths.user_css()),
                feed,
                sim_speed: 20.0,
                duration: secs(*duration),
            })
        }
        Some(Command::Open { file }) => gui(&args, Some(file.clone())),
        None => gui(&args, None),
    }
}

fn gui(args: &Args, open: Option<PathBuf>) -> anyhow::Result<Outcome> {
    for addr in [&args.listen, &args.web_listen].into_iter().flatten() {
        listen_addr(Some(addr), addr, args.allow_remote)?;
    }
    app::run(app::LaunchOptions {
        config_path: args.config.clone(),
        data_dir: args.data_dir.clone(),
        listen: args.listen.clone(),
        web_listen: args.web_listen.clone(),
        allow_remote: args.allow_remote,
        max_frame_bytes: args.max_frame_bytes,
        open,
        simulate: args.simulate,
        overlay: args.overlay,
        quit_after: secs(args.quit_after_secs),
        tab: args.tab.clone(),
        ghost: args.ghost.clone(),
        side_by_side: args.side_by_side.clone(),
    })
    .context("the window could not be started")?;
    Ok(Outcome::Success)
}
