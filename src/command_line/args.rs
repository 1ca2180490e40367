//! The command line's shape (clap). Each command takes only the options it honours: the window's
//! options (`--simulate`, `--overlay`, `--web-listen`, …) belong to the window (no command, or `open`);
//! an option written before a command's name is checked in [`super::misplaced_window_options`].

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use bar_live_core::cli::export::{Format as ExportFormat, Table as ExportTable};
use bar_live_core::protocol::{DEFAULT_MAX_FRAME_BYTES, Level};
use bar_live_core::sim::Speed;

#[derive(Parser)]
#[command(
    name = "bar-live",
    version = super::VERSION,
    about = "Live game data from Beyond All Reason: plots, overlay, recordings",
    after_help = "Without a command, opens the window (the options above are the window's). \
                  Each command has its own options: bar-live <COMMAND> --help"
)]
pub struct Args {
    #[command(flatten)]
    pub window: WindowArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Where the widget listener is and what it accepts (the window, `check`, `record`, `serve`).
#[derive(clap::Args, Clone, Debug)]
pub struct ListenArgs {
    /// Address to listen on for the widget (the window: from settings, else 127.0.0.1:9876).
    #[arg(long)]
    pub listen: Option<String>,
    /// Allow a non-loopback listen address (the stream is unauthenticated and unencrypted).
    #[arg(long)]
    pub allow_remote: bool,
    /// Largest frame accepted from a widget, in bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_FRAME_BYTES)]
    pub max_frame_bytes: u32,
}

/// bar-live's own settings file and data folder (the window, `serve`).
#[derive(clap::Args, Clone, Debug)]
pub struct FolderArgs {
    /// Settings file (default: the user config directory).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Data directory for recordings (default: the user data directory).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

/// The window's options (no command, or `open FILE`).
#[derive(clap::Args, Clone, Debug)]
pub struct WindowArgs {
    #[command(flatten)]
    pub listen: ListenArgs,
    /// Address of the overlay pages for OBS (default from settings, else 127.0.0.1:9877).
    #[arg(long)]
    pub web_listen: Option<String>,
    #[command(flatten)]
    pub folders: FolderArgs,
    /// Start the built-in simulator against our own listener (a live demo without the game).
    #[arg(long)]
    pub simulate: bool,
    /// Open the overlay window at start.
    #[arg(long)]
    pub overlay: bool,
    /// Quit after this many seconds (for scripted screenshots and smoke tests).
    #[arg(long, hide = true)]
    pub quit_after_secs: Option<f64>,
    /// Which tab to show first: live, review, recordings, settings, widget.
    #[arg(long, hide = true)]
    pub tab: Option<String>,
    /// A past recording to draw as a ghost behind the game (for scripted screenshots).
    #[arg(long, hide = true)]
    pub ghost: Option<PathBuf>,
    /// A second recording to review side by side with the one opened (for scripted screenshots).
    #[arg(long, hide = true)]
    pub side_by_side: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Validate a widget's stream: framing, schema, seq, hello first, defs before use, rates, ping.
    Check {
        #[command(flatten)]
        listen: ListenArgs,
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
        #[command(flatten)]
        listen: ListenArgs,
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
        /// `max`, or a factor of game speed (`1` = 30 game frames a second, as in a game)
        #[arg(long, default_value = "max")]
        speed: Speed,
    },
    /// Summarise a recording or a BAR replay (.sdfz).
    Info {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// List the recordings folder (recordings and BAR replays) with each game's summary (cached).
    Recordings {
        /// The folder (default: the recordings folder in the data directory). Its cache is kept in the
        /// data directory unless it is the recordings folder.
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Data directory: its recordings folder is listed when --dir is not given, and other folders'
        /// caches are kept in it.
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Also list BAR's replay folders (demos/ of every BAR data folder found).
        #[arg(long)]
        bar: bool,
        #[arg(long)]
        json: bool,
        /// Read every block of the files not checked yet (finds damage inside finished files).
        #[arg(long)]
        check: bool,
    },
    /// Rewrite a recording in another format version (1 ↔ 2), or a BAR replay as a recording.
    Convert {
        input: PathBuf,
        output: PathBuf,
        /// Format version to write (default: the other one).
        #[arg(long)]
        to: Option<u32>,
    },
    /// A recording's or a BAR replay's statistics as rows, one per team per sample (CSV or JSON).
    Export {
        file: PathBuf,
        /// Write here (default: stdout).
        #[arg(long)]
        out: Option<PathBuf>,
        /// csv (with a header row) or json (an array of objects).
        #[arg(long, default_value = "csv")]
        format: ExportFormat,
        /// stats (one row per team per sample) or build-order (one row per unit finished; recordings).
        #[arg(long, default_value = "stats")]
        table: ExportTable,
    },
    /// A post-game card to share: a 1200×630 PNG of a recording or a BAR replay (map, winner, teams,
    /// graphs).
    Card {
        file: PathBuf,
        /// Write here (default: `<name>-card.png` in the current folder).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Serve the overlay pages for OBS and record games, without a window (a second PC, a headless box).
    Serve {
        #[command(flatten)]
        listen: ListenArgs,
        /// Address of the overlay pages (default 127.0.0.1:9877).
        #[arg(long)]
        web_listen: Option<String>,
        #[command(flatten)]
        folders: FolderArgs,
        /// Delay everything by this many seconds (0–600; tournaments use 120): every page shows the game
        /// as it was that long ago, whatever its `?delay=`, with a DELAYED badge. Recording is not delayed.
        #[arg(long, default_value_t = 0.0)]
        delay: f64,
        /// Feed the pages from the built-in simulator (a demo without the game).
        #[arg(long)]
        simulate: bool,
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
    /// Open a recording in the app (the window's options go before `open`).
    Open { file: PathBuf },
    /// Install the widget into BAR, or check why it cannot connect.
    Widget {
        #[command(subcommand)]
        command: WidgetCommand,
        /// BAR's data folder, the one holding springsettings.cfg and LuaUI (default: found in the usual
        /// places).
        #[arg(long, global = true)]
        data_dir: Option<PathBuf>,
        /// bar-live's settings file, for the app's port (default: the user config directory).
        #[arg(long, global = true)]
        config: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum WidgetCommand {
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

impl Command {
    /// The command's name as typed.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Check { .. } => "check",
            Command::Simulate { .. } => "simulate",
            Command::Record { .. } => "record",
            Command::Replay { .. } => "replay",
            Command::Card { .. } => "card",
            Command::Info { .. } => "info",
            Command::Recordings { .. } => "recordings",
            Command::Convert { .. } => "convert",
            Command::Export { .. } => "export",
            Command::Serve { .. } => "serve",
            Command::Open { .. } => "open",
            Command::Widget { .. } => "widget",
        }
    }
}
