//! `bar-live-cli`: the same program as `bar-live` as a console program, for cmd.exe and PowerShell on
//! Windows (output, exit codes), where `bar-live.exe` is a GUI program that has no console.

fn main() -> std::process::ExitCode {
    bar_live_app::command_line::main("bar-live-cli")
}
