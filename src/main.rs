//! `bar-live`: the app. Everything is in `bar_live_app::command_line`.
//!
//! On Windows `bar-live.exe` is a small GUI-subsystem launcher, so a double-click opens no console
//! window: it runs its console twin `bar-live-cli.exe` (src/bin/bar-live-cli.rs, the whole program)
//! from the same folder, with the same arguments, without a console window, and returns its exit code.
//! One copy of the program ships, not two (the release zip stays small), and `bar-live-cli.exe` run from
//! cmd.exe or PowerShell is an ordinary console program (output, exit codes, Ctrl+C).

#![cfg_attr(windows, windows_subsystem = "windows")]

#[cfg(not(windows))]
fn main() -> std::process::ExitCode {
    bar_live_app::command_line::main("bar-live")
}

#[cfg(windows)]
fn main() {
    use std::os::windows::process::CommandExt;
    /// `CREATE_NO_WINDOW`: the console program gets a console without a window.
    const CREATE_NO_WINDOW: u32 = 0x0800_0000;
    const TWIN: &str = "bar-live-cli.exe";

    let twin = match std::env::current_exe() {
        Ok(exe) => exe.with_file_name(TWIN),
        Err(e) => {
            eprintln!("bar-live: cannot find where bar-live.exe is: {e}");
            std::process::exit(2);
        }
    };
    let status = std::process::Command::new(&twin)
        .args(std::env::args_os().skip(1))
        .creation_flags(CREATE_NO_WINDOW)
        .status();
    match status {
        Ok(s) => std::process::exit(s.code().unwrap_or(1)),
        Err(e) => {
            // Seen when started from a console; keep bar-live.exe and bar-live-cli.exe together.
            eprintln!(
                "bar-live: cannot start {} ({e}); keep {TWIN} in the same folder as bar-live.exe",
                twin.display()
            );
            std::process::exit(2);
        }
    }
}
