//! `bar-live`: the app. On Windows a GUI-subsystem program, so a double-click opens no console window;
//! its console twin `bar-live-cli` (src/bin/bar-live-cli.rs) runs the commands from cmd.exe and PowerShell.
//! Everything else is in `bar_live_app::command_line`.

#![cfg_attr(windows, windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    bar_live_app::command_line::main("bar-live")
}
