//! What stands between the widget and the app in a BAR data folder: the folder itself, the widget file,
//! and the engine's `springsettings.cfg` ([`super::springsettings`]). Shown by `bar-live widget doctor`
//! and the Widget install tab; both fix the settings file with [`super::springsettings::fix`].

use std::fmt;
use std::path::{Path, PathBuf};

use super::springsettings::{
    self, LUA_SOCKET_ENABLED, LuaSocket, SpringSettings, TCP_ALLOW_CONNECT, TcpAllow,
};

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Ok,
    /// Worth knowing; nothing to do.
    Note,
    /// The widget may work, but probably not as wanted (an old version, another port).
    Warning,
    /// The widget cannot connect until this is fixed.
    Problem,
}

impl Severity {
    pub fn symbol(self) -> &'static str {
        match self {
            Severity::Ok => "✔",
            Severity::Note => "·",
            Severity::Warning => "!",
            Severity::Problem => "✖",
        }
    }
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    Folder,
    Widget,
    SettingsFile,
    LuaSocket,
    TcpAllow,
}

impl Topic {
    pub fn label(self) -> &'static str {
        match self {
            Topic::Folder => "folder",
            Topic::Widget => "widget",
            Topic::SettingsFile => springsettings::FILE,
            Topic::LuaSocket => LUA_SOCKET_ENABLED,
            Topic::TcpAllow => TCP_ALLOW_CONNECT,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub topic: Topic,
    pub text: String,
}

/// Everything the doctor found in one folder, for the widget dialling `host:port`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub data_dir: PathBuf,
    pub host: String,
    pub port: u16,
    pub findings: Vec<Finding>,
    /// Fixing `springsettings.cfg` would change something ([`springsettings::fix`]).
    pub fixable: bool,
}

/// Said with every fix, and in the UI next to the button.
pub const RESTART_NOTE: &str = "BAR rewrites springsettings.cfg when it exits and reads it only at \
     start: change it while the game is closed, then start the game";

impl Report {
    /// The worst finding's severity.
    pub fn worst(&self) -> Severity {
        self.findings
            .iter()
            .map(|f| f.severity)
            .max()
            .unwrap_or(Severity::Ok)
    }

    pub fn problems(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Problem)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} (widget dialling {}:{})",
            self.data_dir.display(),
            self.host,
            self.port
        )?;
        for finding in &self.findings {
            writeln!(
                f,
                "  {} {}: {}",
                finding.severity.symbol(),
                finding.topic.label(),
                finding.text
            )?;
        }
        Ok(())
    }
}

/// Looks at `data_dir` for a widget that should reach the app on `host:port`. Reads two small files.
pub fn diagnose(data_dir: &Path, host: &str, port: u16) -> Report {
    let mut findings = Vec::new();
    let mut add = |severity, topic, text: String| {
        findings.push(Finding {
            severity,
            topic,
            text,
        })
    };
    if !data_dir.is_dir() {
        add(
            Severity::Problem,
            Topic::Folder,
            "does not exist (or is not a folder)".into(),
        );
    } else if !super::looks_like_data_dir(data_dir) {
        add(
            Severity::Problem,
            Topic::Folder,
            "does not look like BAR's data folder: it has no springsettings.cfg, LuaUI or engine folder"
                .into(),
        );
    } else {
        add(Severity::Ok, Topic::Folder, "BAR's data folder".into());
    }
    for (severity, text) in widget_findings(data_dir, port) {
        add(severity, Topic::Widget, text);
    }
    let mut fixable = false;
    match SpringSettings::read(data_dir) {
        Err(e) => add(
            Severity::Problem,
            Topic::SettingsFile,
            format!("cannot be read: {e}"),
        ),
        Ok(None) => add(
            Severity::Ok,
            Topic::SettingsFile,
            format!(
                "not there: the engine's defaults apply ({LUA_SOCKET_ENABLED} 1, {TCP_ALLOW_CONNECT} *)"
            ),
        ),
        Ok(Some(s)) => {
            for (severity, topic, text) in settings_findings(&s, host, port) {
                add(severity, topic, text);
            }
            fixable = !s.lossy() && !s.clone().fix_for(host, port).is_empty();
        }
    }
    Report {
        data_dir: data_dir.to_owned(),
        host: host.to_owned(),
        port,
        findings,
        fixable,
    }
}

fn widget_findings(data_dir: &Path, port: u16) -> Vec<(Severity, String)> {
    let bundled = super::widget_version(super::WIDGET_SOURCE).unwrap_or_else(|| "?".into());
    let path = super::widget_path(data_dir);
    let text = match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return vec![(
                Severity::Problem,
                format!(
                    "not installed: `bar-live widget install --data-dir {} --port {port}`, or the app's \
                     Widget install tab",
                    data_dir.display()
                ),
            )];
        }
        Err(e) => {
            return vec![(
                Severity::Problem,
                format!("cannot read {}: {e}", path.display()),
            )];
        }
    };
    let version = super::widget_version(&text).unwrap_or_else(|| "unknown".into());
    let mut out = vec![if super::is_bundled_widget(&text) {
        (
            Severity::Ok,
            format!("v{version} installed, the same as this app's"),
        )
    } else {
        (
            Severity::Warning,
            format!(
                "v{version} installed, but it is not the widget this app bundles (v{bundled}): \
                 install it again"
            ),
        )
    }];
    match super::widget_port(&text) {
        Some(p) if p == port => {}
        Some(p) => out.push((
            Severity::Warning,
            format!(
                "the installed file dials port {p}, the app listens on {port}: install it again with \
                 port {port}, or type /livedata port {port} in the game"
            ),
        )),
        None => out.push((
            Severity::Warning,
            "the installed file has no DEFAULT_PORT line: install it again".into(),
        )),
    }
    out.push((
        Severity::Note,
        "BAR starts new user widgets switched off: enable Live Data Export once (F11, or Settings > \
         Custom)"
            .into(),
    ));
    out
}

fn settings_findings(s: &SpringSettings, host: &str, port: u16) -> Vec<(Severity, Topic, String)> {
    let mut out = Vec::new();
    if s.lossy() {
        out.push((
            Severity::Warning,
            Topic::SettingsFile,
            "is not UTF-8 text: read as well as possible; it is not changed by the fix".into(),
        ));
    }
    out.push(match s.lua_socket() {
        LuaSocket::Default => (
            Severity::Ok,
            Topic::LuaSocket,
            "not set: the default (1) gives widgets sockets".into(),
        ),
        LuaSocket::On(v) => (Severity::Ok, Topic::LuaSocket, format!("= {v}: on")),
        LuaSocket::Off(v) => (
            Severity::Problem,
            Topic::LuaSocket,
            format!(
                "= {v} switches LuaSocket off: the widget has no sockets and cannot connect \
                 (needs {LUA_SOCKET_ENABLED} = 1)"
            ),
        ),
    });
    out.push(match s.tcp_allow(host, port) {
        TcpAllow::Default => (
            Severity::Ok,
            Topic::TcpAllow,
            format!("not set: the default * allows {host}:{port}"),
        ),
        TcpAllow::Allowed { rule } => (
            Severity::Ok,
            Topic::TcpAllow,
            format!("allows {host}:{port} (rule '{rule}')"),
        ),
        TcpAllow::Denied { value } => (
            Severity::Problem,
            Topic::TcpAllow,
            format!(
                "= '{value}' does not allow {host}:{port}: the engine refuses the widget's connection \
                 (add {host}:{port}, or use *)"
            ),
        ),
    });
    for (key, topic) in [
        (LUA_SOCKET_ENABLED, Topic::LuaSocket),
        (TCP_ALLOW_CONNECT, Topic::TcpAllow),
    ] {
        let lines = s.lines_of(key);
        if lines.len() > 1 {
            out.push((
                Severity::Note,
                topic,
                format!("set on lines {}; the engine uses the last", list(&lines)),
            ));
        }
    }
    let unreadable = s.unreadable_lines();
    if !unreadable.is_empty() {
        let (lines, are) = if unreadable.len() == 1 {
            ("line", "is")
        } else {
            ("lines", "are")
        };
        out.push((
            Severity::Note,
            Topic::SettingsFile,
            format!(
                "{lines} {} {are} not 'Key = value': the engine skips them",
                list(&unreadable)
            ),
        ));
    }
    out
}

fn list(lines: &[usize]) -> String {
    lines
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::install;

    fn severities(r: &Report, topic: Topic) -> Vec<Severity> {
        r.findings
            .iter()
            .filter(|f| f.topic == topic)
            .map(|f| f.severity)
            .collect()
    }

    #[test]
    fn an_empty_folder_is_not_bars_and_has_no_widget() {
        let dir = tempfile::tempdir().unwrap();
        let r = diagnose(dir.path(), "127.0.0.1", 9876);
        assert_eq!(severities(&r, Topic::Folder), [Severity::Problem]);
        assert_eq!(severities(&r, Topic::Widget), [Severity::Problem]);
        assert_eq!(severities(&r, Topic::SettingsFile), [Severity::Ok]);
        assert!(!r.fixable);
        assert_eq!(r.worst(), Severity::Problem);
        let missing = diagnose(&dir.path().join("nope"), "127.0.0.1", 9876);
        assert!(missing.findings[0].text.contains("does not exist"));
    }

    #[test]
    fn a_good_folder_is_all_ok() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("springsettings.cfg"),
            "LuaSocketEnabled = 1\nTCPAllowConnect = 127.0.0.1:9877\n",
        )
        .unwrap();
        install::install(dir.path(), 9877).unwrap();
        let r = diagnose(dir.path(), "127.0.0.1", 9877);
        assert_eq!(r.worst(), Severity::Note, "{r}");
        assert!(!r.fixable);
        let text = r.to_string();
        assert!(
            text.contains("✔ TCPAllowConnect: allows 127.0.0.1:9877"),
            "{text}"
        );
        assert!(text.contains("the same as this app's"), "{text}");
        // The app on another port: the widget file and the rule are wrong for it.
        let other = diagnose(dir.path(), "127.0.0.1", 9900);
        assert!(other.fixable);
        assert_eq!(severities(&other, Topic::TcpAllow), [Severity::Problem]);
        assert!(
            other
                .findings
                .iter()
                .any(|f| f.text.contains("dials port 9877, the app listens on 9900")),
            "{other}"
        );
    }

    #[test]
    fn odd_settings_files_are_explained() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("springsettings.cfg"),
            "LuaSocketEnabled = 1\r\nhello\r\nLuaSocketEnabled = off\r\nTCPAllowConnect = localhost:9876\r\n",
        )
        .unwrap();
        let r = diagnose(dir.path(), "127.0.0.1", 9876);
        assert_eq!(
            severities(&r, Topic::LuaSocket),
            [Severity::Problem, Severity::Note]
        );
        assert_eq!(severities(&r, Topic::TcpAllow), [Severity::Problem]);
        let text = r.to_string();
        assert!(
            text.contains("set on lines 1, 3; the engine uses the last"),
            "{text}"
        );
        assert!(text.contains("line 2 is not 'Key = value'"), "{text}");
        assert!(r.fixable);
        let fixed = springsettings::fix(dir.path(), "127.0.0.1", 9876).unwrap();
        assert_eq!(fixed.changed.len(), 2);
        let after = diagnose(dir.path(), "127.0.0.1", 9876);
        assert_eq!(severities(&after, Topic::TcpAllow), [Severity::Ok]);
        assert!(!after.fixable);
        assert_eq!(
            after.problems().count(),
            1,
            "only the missing widget: {after}"
        );
    }

    #[test]
    fn a_widget_that_is_not_the_bundled_one_is_flagged() {
        let dir = tempfile::tempdir().unwrap();
        let path = install::widget_path(dir.path());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "local WIDGET_VERSION   = \"1.0.0\"\n").unwrap();
        let r = diagnose(dir.path(), "127.0.0.1", 9876);
        assert_eq!(
            severities(&r, Topic::Widget),
            [Severity::Warning, Severity::Warning, Severity::Note]
        );
        assert!(
            r.findings
                .iter()
                .any(|f| f.text.starts_with("v1.0.0 installed"))
        );
    }
}
