//! The command line, shared by `bar-live` and its Windows console twin `bar-live-cli`: clap arguments →
//! a `bar_live_core::cli` command or the window. The binaries' `main.rs` files only call [`main`].

mod args;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches};

use crate::app;
use args::{Args, Command, FolderArgs, ListenArgs, WidgetCommand, WindowArgs};
use bar_live_core::cli::{self, Outcome, listen_addr, secs};
use bar_live_core::paths::Paths;
use bar_live_core::protocol::DEFAULT_LISTEN;
use bar_live_core::web::DEFAULT_WEB_LISTEN;

/// The version `--version` shows: the package's and the git commit it was built from (build.rs).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("BAR_LIVE_GIT_COMMIT"),
    ")"
);

/// Parses the command line of the binary `bin_name` (`bar-live`, or its console twin `bar-live-cli` on
/// Windows) and runs the command or the window.
pub fn main(bin_name: &'static str) -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let mut command = Args::command().name(bin_name).bin_name(bin_name);
    let matches = command.get_matches_mut();
    let args = match Args::from_arg_matches(&matches) {
        Ok(args) => args,
        Err(e) => e.exit(),
    };
    if let Some(msg) = misplaced_window_options(&matches, args.command.as_ref(), bin_name) {
        command
            .error(clap::error::ErrorKind::ArgumentConflict, msg)
            .exit();
    }
    match run(args) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Failure) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The window's options written before a command that is not the window's: an error that says so
/// (clap would take them for the window and the command would silently ignore them).
fn misplaced_window_options(
    matches: &ArgMatches,
    command: Option<&Command>,
    bin_name: &str,
) -> Option<String> {
    let command = command.filter(|c| !matches!(c, Command::Open { .. }))?;
    // A command's own global option (`widget … --config`) is propagated up to the top level by clap:
    // given on the command line there only when no command level has it.
    let mut own: Vec<String> = Vec::new();
    let mut level = matches.subcommand();
    while let Some((_, sub)) = level {
        own.extend(
            sub.ids()
                .filter(|id| sub.value_source(id.as_str()) == Some(ValueSource::CommandLine))
                .map(|id| id.as_str().to_owned()),
        );
        level = sub.subcommand();
    }
    let given: Vec<String> = Args::command()
        .get_arguments()
        .filter(|a| !own.iter().any(|id| id == a.get_id().as_str()))
        .filter(|a| matches.value_source(a.get_id().as_str()) == Some(ValueSource::CommandLine))
        .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
        .collect();
    if given.is_empty() {
        return None;
    }
    let name = command.name();
    Some(format!(
        "{} {} the window's, and `{name}` does not take {} before its name; write a command's \
         options after it (see `{bin_name} {name} --help` for the ones it honours)",
        given.join(", "),
        if given.len() == 1 { "is" } else { "are" },
        if given.len() == 1 { "it" } else { "them" },
    ))
}

fn listen(l: &ListenArgs, fallback: &str) -> anyhow::Result<String> {
    listen_addr(l.listen.as_deref(), fallback, l.allow_remote)
}

fn run(args: Args) -> anyhow::Result<Outcome> {
    let Some(command) = args.command else {
        return gui(&args.window, None);
    };
    match command {
        Command::Check {
            listen: l,
            connections,
            duration,
            json,
        } => cli::check::main(
            &cli::check::CheckOptions {
                listen: listen(&l, DEFAULT_LISTEN)?,
                connections,
                duration: secs(duration),
                max_frame_bytes: l.max_frame_bytes,
            },
            json,
        ),
        Command::Simulate {
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
        } => {
            cli::simulate::run(&cli::simulate::SimulateOptions {
                to,
                teams,
                minutes,
                speed,
                seed,
                level,
                interval_frames,
                max_units,
                player,
                map_name: map,
            })?;
            Ok(Outcome::Success)
        }
        Command::Record {
            listen: l,
            out,
            connections,
            duration,
        } => {
            let r = cli::record::run(&cli::record::RecordOptions {
                listen: listen(&l, DEFAULT_LISTEN)?,
                out,
                connections,
                duration: secs(duration),
                max_frame_bytes: l.max_frame_bytes,
            })?;
            Ok(Outcome::from_ok(r.protocol_errors == 0))
        }
        Command::Replay { file, to, speed } => {
            cli::replay::main(&file, &to, speed)?;
            Ok(Outcome::Success)
        }
        Command::Info { file, json } => {
            cli::info::run(&file, json)?;
            Ok(Outcome::Success)
        }
        Command::Recordings {
            dir,
            data_dir,
            bar,
            json,
            check,
        } => {
            let paths = Paths::resolve(None, data_dir);
            let Some(folders) = cli::recordings::folders(dir, &paths, bar) else {
                println!(
                    "no recordings yet ({} does not exist)",
                    paths.recordings_dir().display()
                );
                return Ok(Outcome::Success);
            };
            cli::recordings::run(&folders, json, check)?;
            Ok(Outcome::Success)
        }
        Command::Card { file, out } => {
            let out = out.unwrap_or_else(|| cli::card::default_out(&file));
            // Names the embedded font lacks (Chinese, Korean, Japanese) from the system's fonts.
            let fallbacks = crate::app::fonts::system_fallbacks();
            let faces: Vec<(&[u8], u32)> = fallbacks
                .iter()
                .map(|f| ((*f.data.font).as_ref(), f.data.index))
                .collect();
            cli::card::run(&file, &out, &faces)?;
            eprintln!("card: {}", out.display());
            Ok(Outcome::Success)
        }
        Command::Export {
            file,
            out,
            format,
            table,
        } => {
            let r = cli::export::run(&file, out.as_deref(), format, table)?;
            if let Some(path) = &r.output {
                eprintln!(
                    "export: {} rows of {} columns -> {}",
                    r.rows,
                    r.columns.len(),
                    path.display()
                );
            }
            Ok(Outcome::Success)
        }
        Command::Convert { input, output, to } => {
            let r = cli::convert::run(&input, &output, to)?;
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
        Command::Widget {
            command,
            data_dir,
            config,
        } => {
            let bar_dir = cli::widget::data_dir(data_dir.as_deref())?;
            let port =
                |p: Option<u16>| p.unwrap_or_else(|| app::settings::saved_port(config.clone()));
            match command {
                WidgetCommand::Install { port: p } => cli::widget::install(&bar_dir, port(p)),
                WidgetCommand::Doctor { port: p, fix } => {
                    cli::widget::doctor(&bar_dir, port(p), fix)
                }
            }
        }
        Command::Serve {
            listen: l,
            web_listen,
            folders: FolderArgs { config, data_dir },
            delay,
            simulate,
            demo,
            no_record,
            duration,
        } => {
            let paths = Paths::resolve(config, data_dir);
            let feed = match (simulate, demo) {
                (true, _) => cli::serve::Feed::Simulator,
                (false, true) => cli::serve::Feed::Demo,
                _ => cli::serve::Feed::Widget,
            };
            cli::serve::run(&cli::serve::ServeOptions {
                listen: listen(&l, DEFAULT_LISTEN)?,
                web_listen: listen_addr(web_listen.as_deref(), DEFAULT_WEB_LISTEN, l.allow_remote)?,
                max_frame_bytes: l.max_frame_bytes,
                recordings_dir: (!no_record).then(|| paths.recordings_dir()),
                keep_last: 50,
                delay_s: delay,
                user_css: Some(paths.user_css()),
                feed,
                sim_speed: 20.0,
                duration: secs(duration),
            })
        }
        Command::Open { file } => gui(&args.window, Some(file)),
    }
}

fn gui(w: &WindowArgs, open: Option<PathBuf>) -> anyhow::Result<Outcome> {
    for addr in [&w.listen.listen, &w.web_listen].into_iter().flatten() {
        listen_addr(Some(addr), addr, w.listen.allow_remote)?;
    }
    app::run(app::LaunchOptions {
        config_path: w.folders.config.clone(),
        data_dir: w.folders.data_dir.clone(),
        listen: w.listen.listen.clone(),
        web_listen: w.web_listen.clone(),
        allow_remote: w.listen.allow_remote,
        max_frame_bytes: w.listen.max_frame_bytes,
        open,
        simulate: w.simulate,
        overlay: w.overlay,
        quit_after: secs(w.quit_after_secs),
        tab: w.tab.clone(),
        ghost: w.ghost.clone(),
        side_by_side: w.side_by_side.clone(),
    })
    .context("the window could not be started")?;
    Ok(Outcome::Success)
}
