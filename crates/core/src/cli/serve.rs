//! `bar-live serve`: the live link and the overlay pages without a window — records every game and
//! serves the browser-source pages (a second PC, a headless box, tests).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;

use super::Outcome;
use crate::live::delayed::MAX_DELAY_EVERYTHING_S;
use crate::live::feed::DemoReplay;
use crate::live::{LinkConfig, LiveLink, RecordPolicy};
use crate::net::NoWake;
use crate::sim::{SimGame, SimOptions, SimThread, Speed};
use crate::web::{WebConfig, WebServer};

/// What feeds the link besides a real widget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    /// Only widgets that connect.
    Widget,
    /// The built-in simulator (a 6-team game at `speed`), started once.
    Simulator,
    /// The bundled demo recording, replayed at 1× in a loop.
    Demo,
}

#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Widget listener (already checked against `--allow-remote`).
    pub listen: String,
    /// Web listener (already checked against `--allow-remote`).
    pub web_listen: String,
    pub max_frame_bytes: u32,
    /// Where games are recorded; `None` records nothing.
    pub recordings_dir: Option<PathBuf>,
    pub keep_last: u32,
    /// Delay everything (the tournament switch), seconds; 0 = off. Pages are held to at least this
    /// delay and show a DELAYED badge; recording is not delayed.
    pub delay_s: f64,
    pub user_css: Option<PathBuf>,
    pub feed: Feed,
    /// Game seconds per real second for the simulator.
    pub sim_speed: f64,
    /// Stop after this long (else run until killed; recordings are crash-safe).
    pub duration: Option<Duration>,
}

pub fn run(opts: &ServeOptions) -> anyhow::Result<Outcome> {
    let record = RecordPolicy {
        enabled: opts.recordings_dir.is_some(),
        dir: opts.recordings_dir.clone().unwrap_or_default(),
        keep_last: opts.keep_last,
    };
    let mut link = LiveLink::start(
        LinkConfig {
            listen: opts.listen.clone(),
            max_frame_bytes: opts.max_frame_bytes,
            record,
            widget_config: None,
        },
        Arc::new(NoWake),
    )
    .context("cannot start the live link")?;
    if opts.delay_s > 0.0 {
        link.lock()
            .set_delay_everything(Some(opts.delay_s.min(MAX_DELAY_EVERYTHING_S)));
    }
    let widget_addr = link
        .local_addr()
        .with_context(|| format!("cannot listen for the widget on {}", opts.listen))?;
    let mut web = WebServer::start(
        WebConfig {
            listen: opts.web_listen.clone(),
            default_delay_s: opts.delay_s,
            user_css: opts.user_css.clone(),
        },
        link.session(),
    )
    .with_context(|| format!("cannot serve the overlay pages on {}", opts.web_listen))?;
    eprintln!(
        "serve: widget on {widget_addr}, overlay pages on http://{}/ (everything delayed by {} s)",
        web.local_addr(),
        opts.delay_s
    );
    let mut sim = None;
    let mut demo = None;
    match opts.feed {
        Feed::Widget => {}
        Feed::Simulator => {
            let game = SimGame::new(SimOptions {
                teams: 6,
                minutes: 40.0,
                ..SimOptions::default()
            });
            sim = Some(SimThread::start(
                widget_addr.to_string(),
                game,
                Speed::Factor(opts.sim_speed),
            )?);
        }
        Feed::Demo => demo = Some(DemoReplay::start(widget_addr.to_string())?),
    }
    let started = Instant::now();
    while opts.duration.is_none_or(|d| started.elapsed() < d) {
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(sim);
    drop(demo);
    web.shutdown();
    link.shutdown();
    Ok(Outcome::Success)
}
