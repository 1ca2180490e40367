//! `bar-live-cli`: the whole program as a console program. On Windows this is the exe that runs:
//! from cmd.exe and PowerShell directly (output, exit codes), and started without a console window by
//! `bar-live.exe` (src/main.rs) on a double-click. On Linux it is the same as `bar-live`.

fn main() -> std::process::ExitCode {
    bar_live_app::command_line::main("bar-live-cli")
}
