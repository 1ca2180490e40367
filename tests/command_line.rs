//! Each command's help lists the options it honours and no other; an option a command ignores is an
//! error that says so (issue 20).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

fn bar_live(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bar-live"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

/// The long options a help text lists (`--name` at the start of an option line).
fn listed_options(help: &str) -> Vec<String> {
    let mut out: Vec<String> = help
        .lines()
        .filter_map(|l| {
            let l = l.trim_start();
            let l = l
                .strip_prefix("-h, ")
                .or(l.strip_prefix("-V, "))
                .unwrap_or(l);
            let name = l.strip_prefix("--")?;
            let end = name
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .unwrap_or(name.len());
            Some(format!("--{}", &name[..end]))
        })
        .filter(|o| o != "--help" && o != "--version")
        .collect();
    out.sort();
    out
}

fn help_of(args: &[&str]) -> Vec<String> {
    let mut a = args.to_vec();
    a.push("--help");
    let out = bar_live(&a);
    assert!(out.status.success(), "{args:?}");
    listed_options(&String::from_utf8(out.stdout).unwrap())
}

const WINDOW_ONLY: [&str; 3] = ["--overlay", "--simulate", "--web-listen"];

#[test]
fn each_command_lists_only_the_options_it_honours() {
    let expect: &[(&[&str], &[&str])] = &[
        (&["info"], &["--json"]),
        (&["convert"], &["--to"]),
        (&["replay"], &["--speed", "--to"]),
        (
            &["check"],
            &[
                "--allow-remote",
                "--connections",
                "--duration",
                "--json",
                "--listen",
                "--max-frame-bytes",
            ],
        ),
        (
            &["record"],
            &[
                "--allow-remote",
                "--connections",
                "--duration",
                "--listen",
                "--max-frame-bytes",
                "--out",
            ],
        ),
        (
            &["recordings"],
            &["--bar", "--check", "--data-dir", "--dir", "--json"],
        ),
        (
            &["simulate"],
            &[
                "--interval-frames",
                "--level",
                "--map",
                "--max-units",
                "--minutes",
                "--player",
                "--seed",
                "--speed",
                "--teams",
                "--to",
            ],
        ),
        (
            &["widget", "install"],
            &["--config", "--data-dir", "--port"],
        ),
        (
            &["widget", "doctor"],
            &["--config", "--data-dir", "--fix", "--port"],
        ),
        (
            &["serve"],
            &[
                "--allow-remote",
                "--config",
                "--data-dir",
                "--delay",
                "--demo",
                "--duration",
                "--listen",
                "--max-frame-bytes",
                "--no-record",
                "--simulate",
                "--web-listen",
            ],
        ),
    ];
    for (cmd, options) in expect {
        let mut want: Vec<String> = options.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(help_of(cmd), want, "bar-live {} --help", cmd.join(" "));
    }
    // The window's own help lists the window's options.
    let top = help_of(&[]);
    for o in WINDOW_ONLY
        .iter()
        .chain(&["--listen", "--config", "--data-dir"])
    {
        assert!(
            top.contains(&o.to_string()),
            "{o} missing from bar-live --help: {top:?}"
        );
    }
}

#[test]
fn an_option_a_command_ignores_is_an_error_that_says_so() {
    // After the command: clap's own error, naming the option.
    let out = bar_live(&["info", "resources/demo.barlive", "--listen", "127.0.0.1:1"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--listen"), "{err}");
    // Before the command: the window's options, which the command would ignore.
    for (before, cmd) in [
        (vec!["--simulate"], vec!["info", "resources/demo.barlive"]),
        (
            vec!["--listen", "127.0.0.1:1"],
            vec!["check", "--duration", "0"],
        ),
        (vec!["--overlay", "--data-dir", "x"], vec!["recordings"]),
    ] {
        let args: Vec<&str> = before.iter().chain(&cmd).copied().collect();
        let out = bar_live(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(before[0]) && err.contains(cmd[0]),
            "{args:?}: {err}"
        );
        assert!(err.contains("window"), "{err}");
    }
}

/// The widget commands' own `--config` and `--data-dir` (global to `widget`, so also written after
/// `install`/`doctor`) are theirs, not the window's misplaced: the command runs (and fails on a folder
/// that is not BAR's, with its own error, exit 1).
#[test]
fn the_widget_commands_take_their_own_config_and_data_dir() {
    let dir = std::env::temp_dir().join(format!("bar-live-cmdline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let d = dir.to_str().unwrap();
    let config = dir.join("s.json");
    let c = config.to_str().unwrap();
    for args in [
        vec![
            "widget",
            "install",
            "--port",
            "9911",
            "--config",
            c,
            "--data-dir",
            d,
        ],
        vec!["widget", "doctor", "--config", c, "--data-dir", d],
        vec![
            "widget",
            "--data-dir",
            d,
            "doctor",
            "--port",
            "9911",
            "--config",
            c,
        ],
    ] {
        let out = bar_live(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(!err.contains("window"), "{args:?}: {err}");
    }
    // Before `widget`, `--config` still reaches it (clap shares a global option's value): honoured, so
    // not an error; the doctor dials the port of that settings file.
    std::fs::write(&config, r#"{ "listen": "127.0.0.1:9555" }"#).unwrap();
    let out = bar_live(&["--config", c, "widget", "doctor", "--data-dir", d]);
    assert_eq!(out.status.code(), Some(1));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("9555"), "{text}");
    // A window option `widget` does not take, before it: an error that says so.
    let out = bar_live(&["--simulate", "widget", "doctor", "--data-dir", d]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--simulate") && err.contains("window"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_command_lines_in_the_docs_and_scripts_still_parse() {
    // The forms README, docs and scripts use; `--help` at the end stops before running anything, so
    // a parse error (exit 2) is what would fail.
    let demo = "resources/demo.barlive";
    let lines: &[&[&str]] = &[
        &[
            "--config",
            "s.json",
            "--data-dir",
            "d",
            "--listen",
            "127.0.0.1:1",
            "--quit-after-secs",
            "1",
        ],
        &[
            "--config",
            "s.json",
            "--tab",
            "review",
            "--side-by-side",
            demo,
            "open",
            demo,
        ],
        &[
            "check",
            "--listen",
            "127.0.0.1:1",
            "--connections",
            "1",
            "--duration",
            "60",
            "--json",
        ],
        &[
            "record",
            "--listen",
            "127.0.0.1:1",
            "--out",
            "x.barlive",
            "--connections",
            "1",
        ],
        &[
            "serve",
            "--data-dir",
            "d",
            "--config",
            "s.json",
            "--no-record",
            "--listen",
            "127.0.0.1:1",
        ],
        &[
            "serve",
            "--web-listen",
            "127.0.0.1:2",
            "--delay",
            "120",
            "--simulate",
        ],
        &[
            "widget",
            "install",
            "--data-dir",
            "bar",
            "--port",
            "9876",
            "--config",
            "none.json",
        ],
        &["widget", "doctor", "--data-dir", "bar", "--fix"],
        &["widget", "--data-dir", "bar", "doctor"],
        &["recordings", "--dir", "d", "--json", "--check"],
        &[
            "simulate",
            "--to",
            "127.0.0.1:1",
            "--teams",
            "3",
            "--minutes",
            "1",
            "--speed",
            "max",
        ],
    ];
    for line in lines {
        let mut args = line.to_vec();
        args.push("--help");
        let out = bar_live(&args);
        assert!(
            out.status.success(),
            "{line:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
