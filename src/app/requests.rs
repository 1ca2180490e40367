//! What the app is asked to do: the command line's launch options, the tabs, and the requests
//! components send the app (carried out in `actions.rs` after each frame).

use std::path::PathBuf;
use std::time::Duration;

use super::settings::Settings;
use bar_live_core::live::LinkCommand;

/// What the command line asks the app to do at start.
#[derive(Debug, Default, Clone)]
pub struct LaunchOptions {
    pub config_path: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub listen: Option<String>,
    /// `--web-listen`: the overlay pages' address for this run (never saved).
    pub web_listen: Option<String>,
    pub allow_remote: bool,
    pub max_frame_bytes: u32,
    pub open: Option<PathBuf>,
    pub simulate: bool,
    pub overlay: bool,
    pub quit_after: Option<Duration>,
    pub tab: Option<String>,
    /// A past recording to draw as a ghost from the start.
    pub ghost: Option<PathBuf>,
    /// A second recording to review side by side with the one opened.
    pub side_by_side: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Live,
    Review,
    Recordings,
    Stream,
    Settings,
    Widget,
}

impl Tab {
    pub const ALL: [Tab; 6] = [
        Tab::Live,
        Tab::Review,
        Tab::Recordings,
        Tab::Stream,
        Tab::Settings,
        Tab::Widget,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Tab::Live => "🗠 Live",
            Tab::Review => "⏪ Review",
            Tab::Recordings => "🗄 Recordings",
            Tab::Stream => "📡 Stream",
            Tab::Settings => "⚙ Settings",
            Tab::Widget => "⬇ Widget install",
        }
    }
    pub(super) fn parse(s: &str) -> Option<Tab> {
        Tab::ALL
            .into_iter()
            .find(|t| format!("{t:?}").eq_ignore_ascii_case(s))
    }
}

/// What a component asks of the app; carried out after the frame is drawn.
#[derive(Debug)]
pub enum Request {
    OpenRecording(PathBuf),
    OpenDemo,
    StartSimulator,
    /// Replay the demo recording into the live link (feeds the dashboard and the overlay pages).
    StartDemoReplay,
    StopFeeds,
    ShowTab(Tab),
    Notice(String),
    Status(String),
    /// Validated settings from the editor, to apply and save.
    ApplySettings(Box<Settings>),
    /// Settings changed in place (legend toggles, overlay lock): save them.
    SaveSettings,
    /// Look again for BAR's replay folders (the Recordings tab's refresh).
    FindGameFolders,
    /// The BAR data folder the widget was installed into, remembered for next time.
    RememberBarDataDir(PathBuf),
    /// Switch the widget's streaming off (or stop asking for it to be off), saved and pushed now.
    SetWidgetEnabled(bool),
    Link(LinkCommand),
}

/// How the app was started: what `--listen`/`--allow-remote`/`--max-frame-bytes` allow for this run.
#[derive(Debug, Clone)]
pub struct Launch {
    pub allow_remote: bool,
    pub max_frame_bytes: u32,
    /// `--listen` from the command line: used for this run, never saved.
    pub listen_override: Option<String>,
    /// `--web-listen` from the command line: used for this run, never saved.
    pub web_listen_override: Option<String>,
}
