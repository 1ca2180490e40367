//! `bar-live widget install|doctor`: the widget into a BAR data folder from the command line, and what
//! keeps it from connecting. The app's Widget install tab runs the same code ([`crate::install`]).

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::Outcome;
use super::info::print_line;
use crate::install::{self, doctor, springsettings};

/// The address the widget dials (the app listens on loopback).
pub const WIDGET_HOST: &str = "127.0.0.1";

/// BAR's data folder: the one given, else the first one found in the usual places.
pub fn data_dir(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(dir) = given {
        return Ok(dir.to_owned());
    }
    let home = directories::UserDirs::new()
        .map(|u| u.home_dir().to_owned())
        .context("no home folder to look for BAR's data folder in; pass --data-dir DIR")?;
    install::detect_data_dir(&home).with_context(|| {
        let looked: Vec<String> = install::candidate_data_dirs(&home)
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        format!(
            "BAR's data folder was not found (looked in {}); pass --data-dir DIR",
            looked.join(", ")
        )
    })
}

/// Installs (or updates) the widget for `port`; prints the path written, then anything that would
/// still keep the widget from connecting.
pub fn install(data_dir: &Path, port: u16) -> anyhow::Result<Outcome> {
    let path = install::install(data_dir, port)?;
    print_line(&path.display().to_string())?;
    let version = install::widget_version(install::WIDGET_SOURCE).unwrap_or_default();
    eprintln!("installed Live Data Export v{version} for 127.0.0.1:{port}");
    let report = doctor::diagnose(data_dir, WIDGET_HOST, port);
    for f in report
        .findings
        .iter()
        .filter(|f| f.severity > doctor::Severity::Ok)
    {
        eprintln!("  {} {}: {}", f.severity.symbol(), f.topic.label(), f.text);
    }
    if report.fixable {
        eprintln!(
            "springsettings.cfg keeps the widget from connecting: `bar-live widget doctor --data-dir {} \
             --port {port} --fix`",
            data_dir.display()
        );
    }
    Ok(Outcome::Success)
}

/// Prints what the doctor finds; with `fix`, fixes `springsettings.cfg` first (keeping a backup).
/// Fails while a problem remains.
pub fn doctor(data_dir: &Path, port: u16, fix: bool) -> anyhow::Result<Outcome> {
    if fix {
        let fixed = springsettings::fix(data_dir, WIDGET_HOST, port)?;
        if fixed.changed.is_empty() {
            print_line("springsettings.cfg: nothing to fix")?;
        } else {
            for change in &fixed.changed {
                print_line(&format!("fixed {change}"))?;
            }
            if let Some(backup) = &fixed.backup {
                print_line(&format!("the file as it was: {}", backup.display()))?;
            }
            print_line(&format!("note: {}", doctor::RESTART_NOTE))?;
        }
    }
    let report = doctor::diagnose(data_dir, WIDGET_HOST, port);
    print_line(report.to_string().trim_end())?;
    if report.fixable {
        print_line(&format!(
            "`--fix` sets what the widget needs in springsettings.cfg (keeping a backup). {}",
            doctor::RESTART_NOTE
        ))?;
    }
    Ok(Outcome::from_ok(report.problems().next().is_none()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_and_doctor_on_a_bar_folder() {
        let dir = tempfile::tempdir().unwrap();
        assert!(install(dir.path(), 9876).is_err(), "not a BAR folder");
        std::fs::write(
            dir.path().join("springsettings.cfg"),
            "TCPAllowConnect = 127.0.0.1:1\n",
        )
        .unwrap();
        assert_eq!(doctor(dir.path(), 9876, false).unwrap(), Outcome::Failure);
        assert_eq!(install(dir.path(), 9876).unwrap(), Outcome::Success);
        assert_eq!(doctor(dir.path(), 9876, false).unwrap(), Outcome::Failure);
        assert_eq!(doctor(dir.path(), 9876, true).unwrap(), Outcome::Success);
        assert_eq!(data_dir(Some(dir.path())).unwrap(), dir.path().to_owned());
    }
}
