//! The egui desktop app.
use std::path::PathBuf;
use std::time::Duration;

/// What the command line asks the app to do at start.
#[derive(Debug, Default, Clone)]
pub struct LaunchOptions {
    pub config_path: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub listen: Option<String>,
    pub allow_remote: bool,
    pub max_frame_bytes: u32,
    pub open: Option<PathBuf>,
    pub simulate: bool,
    pub overlay: bool,
    pub quit_after: Option<Duration>,
    pub tab: Option<String>,
}

pub fn run(_opts: LaunchOptions) -> anyhow::Result<()> {
    anyhow::bail!("the desktop app is being built")
}
