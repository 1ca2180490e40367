//! The two binaries: `bar-live` (on Windows a GUI program) and its console twin `bar-live-cli` run the
//! same command line, and `--version` names the git commit; the app icon is one readable image.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

const APP: &str = env!("CARGO_BIN_EXE_bar-live");
const CLI: &str = env!("CARGO_BIN_EXE_bar-live-cli");

fn run(bin: &str, args: &[&str]) -> std::process::Output {
    Command::new(bin)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

#[test]
fn version_names_the_package_version_and_the_commit() {
    for (bin, name) in [(APP, "bar-live"), (CLI, "bar-live-cli")] {
        let out = run(bin, &["--version"]);
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        let expected_start = format!("{name} {} (", env!("CARGO_PKG_VERSION"));
        assert!(text.starts_with(&expected_start), "{text}");
        let commit = text
            .trim_end()
            .trim_end_matches(')')
            .rsplit('(')
            .next()
            .unwrap();
        // The commit this tree was built from, when git can say (a source tarball says "unknown").
        let head = Command::new("git")
            .args(["rev-parse", "--short=10", "HEAD"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8(o.stdout).unwrap().trim().to_owned());
        match head {
            Some(h) => assert_eq!(commit, h, "{text}"),
            None => assert!(!commit.is_empty()),
        }
    }
}

#[test]
fn the_console_twin_runs_the_same_commands_with_the_same_results() {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/resources/demo.barlive");
    let a = run(APP, &["info", demo, "--json"]);
    let b = run(CLI, &["info", demo, "--json"]);
    assert!(a.status.success() && b.status.success());
    assert!(!a.stdout.is_empty());
    assert_eq!(a.stdout, b.stdout);
    // Failures keep their exit code and message.
    let missing = run(CLI, &["info", "no-such-file.barlive"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no-such-file.barlive"));
    // Help names the binary that was run.
    let help = run(CLI, &["--help"]);
    assert!(String::from_utf8_lossy(&help.stdout).contains("Usage: bar-live-cli"));
}

#[test]
fn the_icon_is_one_square_image_with_transparent_corners() {
    let icon = bar_live_app::app::window_icon();
    assert_eq!((icon.width, icon.height), (256, 256));
    assert_eq!(icon.rgba.len(), 256 * 256 * 4);
    let alpha = |x: usize, y: usize| icon.rgba[(y * 256 + x) * 4 + 3];
    assert_eq!(alpha(0, 0), 0, "corner is transparent");
    assert_eq!(alpha(128, 128), 255, "centre is opaque");
}
