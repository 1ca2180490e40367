//! `bar-live widget install|doctor` as a user runs them: exit codes, what they print, what they change.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

fn bar_live(args: &[&str], data_dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bar-live"))
        .args(["widget"])
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        // An empty settings file location: the default port comes from nowhere but the flag.
        .arg("--config")
        .arg(data_dir.join("no-settings.json"))
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn install_refuses_a_folder_that_is_not_bars_and_writes_into_one_that_is() {
    let dir = tempfile::tempdir().unwrap();
    let out = bar_live(&["install", "--port", "9911"], dir.path());
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("does not look like a BAR data folder"),
        "{}",
        text(&out.stderr)
    );
    std::fs::write(
        dir.path().join("springsettings.cfg"),
        "LuaSocketEnabled = 0\nTCPAllowConnect = 127.0.0.1:1\n",
    )
    .unwrap();
    let out = bar_live(&["install", "--port", "9911"], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let path = dir.path().join("LuaUI/Widgets/bar_live_export.lua");
    assert_eq!(text(&out.stdout).trim(), path.display().to_string());
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("local DEFAULT_PORT         = 9911")
    );
    assert!(text(&out.stderr).contains("--fix"), "{}", text(&out.stderr));
}

#[test]
fn doctor_reports_fixes_with_a_backup_and_then_passes() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("springsettings.cfg");
    std::fs::write(
        &cfg,
        "# mine\r\nLuaSocketEnabled = 0\r\nTCPAllowConnect = springrts.com:80\r\n",
    )
    .unwrap();
    let out = bar_live(&["install", "--port", "9912"], dir.path());
    assert!(out.status.success());
    let out = bar_live(&["doctor", "--port", "9912"], dir.path());
    let report = text(&out.stdout);
    assert!(!out.status.success(), "{report}");
    assert!(report.contains("✖ LuaSocketEnabled"), "{report}");
    assert!(report.contains("✖ TCPAllowConnect"), "{report}");
    let out = bar_live(&["doctor", "--port", "9912", "--fix"], dir.path());
    let report = text(&out.stdout);
    assert!(out.status.success(), "{report}");
    assert!(report.contains("the file as it was:"), "{report}");
    assert!(
        report.contains("BAR rewrites springsettings.cfg when it exits"),
        "{report}"
    );
    assert_eq!(
        std::fs::read_to_string(&cfg).unwrap(),
        "# mine\r\nLuaSocketEnabled = 1\r\nTCPAllowConnect = springrts.com:80 127.0.0.1:9912\r\n"
    );
    let backups: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("springsettings.cfg.bak-"))
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
}
