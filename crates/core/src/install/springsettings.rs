//! BAR's engine settings file, `springsettings.cfg`: what the widget needs from it, read as the engine
//! reads it, and fixed without losing anything else in it.
//!
//! The engine's format: one `Key = value` per line (whitespace around both trimmed), blank lines and
//! lines starting with `#` are comments, a line without `=` is skipped with an error in the engine's
//! log, and when a key appears twice the **last** line wins. The widget needs:
//! - `LuaSocketEnabled` (default 1): with 0 (or `false`, `no`, `off`, `f`, `n`, empty) the widget has no
//!   sockets at all.
//! - `TCPAllowConnect` (default `*`): whitespace-separated rules `host:port` (`*` alone allows every
//!   address, `*:port` every host on that port; `host:*` is not a rule). The widget dials an IP
//!   literal, so `localhost:P` does not allow `127.0.0.1:P`.
//!
//! BAR rewrites the file when it exits: change it while the game is closed.

use std::path::{Path, PathBuf};

/// The file's name inside the BAR data folder.
pub const FILE: &str = "springsettings.cfg";
pub const LUA_SOCKET_ENABLED: &str = "LuaSocketEnabled";
pub const TCP_ALLOW_CONNECT: &str = "TCPAllowConnect";

/// One line of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Line {
    /// Blank or `#` comment: kept as it is.
    Comment(String),
    Setting {
        key: String,
        value: String,
    },
    /// Neither: the engine skips it (and logs an error).
    Unreadable(String),
}

/// The file, parsed line by line; writing it back changes only what was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpringSettings {
    lines: Vec<Line>,
    /// Windows line ends (kept when writing back).
    crlf: bool,
    /// The file was not UTF-8: read with replacement characters, never written back.
    lossy: bool,
}

/// `LuaSocketEnabled` as the engine reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LuaSocket {
    /// Not in the file: the default, on.
    Default,
    On(String),
    Off(String),
}

/// Whether `TCPAllowConnect` lets the widget reach `host:port`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TcpAllow {
    /// Not in the file: the default `*` allows every address.
    Default,
    /// Allowed by this rule (`*`, `*:port` or `host:port`).
    Allowed { rule: String },
    /// No rule allows it; the file's value as it is (may be empty).
    Denied { value: String },
}

impl SpringSettings {
    pub fn parse(text: &str) -> SpringSettings {
        let crlf = text.contains("\r\n");
        let body = text.strip_suffix('\n').unwrap_or(text);
        let lines = if text.is_empty() {
            Vec::new()
        } else {
            body.split('\n')
                .map(|raw| {
                    let raw = raw.strip_suffix('\r').unwrap_or(raw);
                    let t = raw.trim();
                    if t.is_empty() || t.starts_with('#') {
                        Line::Comment(raw.to_owned())
                    } else if let Some((k, v)) = t.split_once('=') {
                        Line::Setting {
                            key: k.trim().to_owned(),
                            value: v.trim().to_owned(),
                        }
                    } else {
                        Line::Unreadable(raw.to_owned())
                    }
                })
                .collect()
        };
        SpringSettings {
            lines,
            crlf,
            lossy: false,
        }
    }

    /// True when the file was not UTF-8 text (it is then never written back).
    pub fn lossy(&self) -> bool {
        self.lossy
    }

    /// Reads `<data_dir>/springsettings.cfg`; `Ok(None)` when there is none.
    pub fn read(data_dir: &Path) -> std::io::Result<Option<SpringSettings>> {
        match std::fs::read(data_dir.join(FILE)) {
            Ok(bytes) => Ok(Some(match String::from_utf8(bytes) {
                Ok(text) => SpringSettings::parse(&text),
                Err(e) => SpringSettings {
                    lossy: true,
                    ..SpringSettings::parse(&String::from_utf8_lossy(e.as_bytes()))
                },
            })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The value the engine uses for `key` (its last line).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.settings()
            .filter(|(_, k, _)| *k == key)
            .last()
            .map(|(_, _, v)| v)
    }

    /// 1-based line numbers of every line that sets `key`.
    pub fn lines_of(&self, key: &str) -> Vec<usize> {
        self.settings()
            .filter(|(_, k, _)| *k == key)
            .map(|(i, _, _)| i + 1)
            .collect()
    }

    /// 1-based line numbers of the lines the engine cannot read.
    pub fn unreadable_lines(&self) -> Vec<usize> {
        self.lines
            .iter()
            .enumerate()
            .filter(|(_, l)| matches!(l, Line::Unreadable(_)))
            .map(|(i, _)| i + 1)
            .collect()
    }

    fn settings(&self) -> impl Iterator<Item = (usize, &str, &str)> {
        self.lines.iter().enumerate().filter_map(|(i, l)| match l {
            Line::Setting { key, value } => Some((i, key.as_str(), value.as_str())),
            _ => None,
        })
    }

    pub fn lua_socket(&self) -> LuaSocket {
        match self.get(LUA_SOCKET_ENABLED) {
            None => LuaSocket::Default,
            Some(v) if engine_bool(v) => LuaSocket::On(v.to_owned()),
            Some(v) => LuaSocket::Off(v.to_owned()),
        }
    }

    pub fn tcp_allow(&self, host: &str, port: u16) -> TcpAllow {
        let Some(value) = self.get(TCP_ALLOW_CONNECT) else {
            return TcpAllow::Default;
        };
        match value
            .split_whitespace()
            .find(|r| rule_allows(r, host, port))
        {
            Some(rule) => TcpAllow::Allowed {
                rule: rule.to_owned(),
            },
            None => TcpAllow::Denied {
                value: value.to_owned(),
            },
        }
    }

    /// Sets `key` on its last line (the one the engine uses), or adds a line at the end.
    pub fn set(&mut self, key: &str, value: &str) {
        let last = self
            .lines
            .iter_mut()
            .rev()
            .find(|l| matches!(l, Line::Setting { key: k, .. } if k == key));
        match last {
            Some(Line::Setting { value: v, .. }) => *v = value.to_owned(),
            _ => self.lines.push(Line::Setting {
                key: key.to_owned(),
                value: value.to_owned(),
            }),
        }
    }

    /// What the widget needs for `host:port`, set: sockets on, and the address allowed (added to the
    /// rules unless they already allow it). Returns what changed, one line each; empty if nothing.
    pub fn fix_for(&mut self, host: &str, port: u16) -> Vec<String> {
        let mut changed = Vec::new();
        if let LuaSocket::Off(v) = self.lua_socket() {
            self.set(LUA_SOCKET_ENABLED, "1");
            changed.push(format!("{LUA_SOCKET_ENABLED}: {v} -> 1"));
        }
        if let TcpAllow::Denied { value } = self.tcp_allow(host, port) {
            let rule = format!("{host}:{port}");
            let new = if value.is_empty() {
                rule
            } else {
                format!("{value} {rule}")
            };
            changed.push(format!("{TCP_ALLOW_CONNECT}: '{value}' -> '{new}'"));
            self.set(TCP_ALLOW_CONNECT, &new);
        }
        changed
    }

    /// The file's text, with the original line ends.
    pub fn to_text(&self) -> String {
        let eol = if self.crlf { "\r\n" } else { "\n" };
        let mut out = String::new();
        for l in &self.lines {
            match l {
                Line::Comment(raw) | Line::Unreadable(raw) => out.push_str(raw),
                Line::Setting { key, value } => {
                    out.push_str(key);
                    out.push_str(" = ");
                    out.push_str(value);
                }
            }
            out.push_str(eol);
        }
        out
    }
}

/// How the engine reads a boolean setting: empty, `0`, `n`, `no`, `f`, `false`, `off` (any case) are
/// false, anything else true.
fn engine_bool(v: &str) -> bool {
    let v = v.trim().to_ascii_lowercase();
    !matches!(v.as_str(), "" | "0" | "n" | "no" | "f" | "false" | "off")
}

/// One `TCPAllowConnect` rule as the engine matches it: `*` alone, or `host:port` where host is the
/// exact string dialled or `*`, and port the number (read like C's `atoi`).
fn rule_allows(rule: &str, host: &str, port: u16) -> bool {
    if rule == "*" {
        return true;
    }
    let Some((h, p)) = rule.split_once(':') else {
        return false;
    };
    let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
    (h == host || h == "*") && digits.parse::<u32>().ok() == Some(u32::from(port))
}

/// What [`fix`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixed {
    /// One line per change; empty when the file already allowed everything.
    pub changed: Vec<String>,
    /// The copy of the file as it was, kept before writing.
    pub backup: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum FixError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot keep a backup of {path} as {backup}: {source}")]
    Backup {
        path: PathBuf,
        backup: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not UTF-8 text; change it by hand (see docs/WIDGET.md, Troubleshooting)")]
    NotText { path: PathBuf },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Fixes `<data_dir>/springsettings.cfg` for the widget on `host:port`: keeps a backup
/// (`springsettings.cfg.bak-<unix ms>`), then writes the new file atomically. A missing file needs no
/// fix (the engine's defaults allow everything).
pub fn fix(data_dir: &Path, host: &str, port: u16) -> Result<Fixed, FixError> {
    let path = data_dir.join(FILE);
    let mut settings = match SpringSettings::read(data_dir) {
        Ok(Some(s)) => s,
        Ok(None) => {
            return Ok(Fixed {
                changed: Vec::new(),
                backup: None,
            });
        }
        Err(source) => return Err(FixError::Read { path, source }),
    };
    let changed = settings.fix_for(host, port);
    if !changed.is_empty() && settings.lossy() {
        return Err(FixError::NotText { path });
    }
    if changed.is_empty() {
        return Ok(Fixed {
            changed,
            backup: None,
        });
    }
    let backup = data_dir.join(format!("{FILE}.bak-{}", crate::time::unix_ms()));
    std::fs::copy(&path, &backup).map_err(|source| FixError::Backup {
        path: path.clone(),
        backup: backup.clone(),
        source,
    })?;
    let tmp = data_dir.join(format!("{FILE}.bar-live-tmp"));
    std::fs::write(&tmp, settings.to_text())
        .and_then(|()| std::fs::rename(&tmp, &path))
        .map_err(|source| {
            let _ = std::fs::remove_file(&tmp);
            FixError::Write {
                path: path.clone(),
                source,
            }
        })?;
    Ok(Fixed {
        changed,
        backup: Some(backup),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_as_the_engine_does() {
        let s = SpringSettings::parse(
            "# BAR settings\r\n\r\nXResolution = 1920\r\n  LuaSocketEnabled=0  \r\nnot a setting\r\n\
             LuaSocketEnabled = 1\r\nTCPAllowConnect = \r\n",
        );
        assert_eq!(s.get("XResolution"), Some("1920"));
        assert_eq!(s.get(LUA_SOCKET_ENABLED), Some("1"), "the last line wins");
        assert_eq!(s.lines_of(LUA_SOCKET_ENABLED), [4, 6]);
        assert_eq!(s.unreadable_lines(), [5]);
        assert_eq!(s.lua_socket(), LuaSocket::On("1".into()));
        assert_eq!(
            s.tcp_allow("127.0.0.1", 9876),
            TcpAllow::Denied { value: "".into() },
            "an empty rule list allows nothing"
        );
        assert_eq!(s.get("Missing"), None);
    }

    #[test]
    fn booleans_as_the_engine_reads_them() {
        for (v, on) in [
            ("1", true),
            ("true", true),
            ("yes", true),
            ("2", true),
            ("0", false),
            ("FALSE", false),
            ("off", false),
            ("no", false),
            ("", false),
        ] {
            let s = SpringSettings::parse(&format!("LuaSocketEnabled = {v}\n"));
            assert_eq!(matches!(s.lua_socket(), LuaSocket::On(_)), on, "{v:?}");
        }
        assert_eq!(SpringSettings::parse("").lua_socket(), LuaSocket::Default);
    }

    #[test]
    fn tcp_rules() {
        let allow = |value: &str| {
            SpringSettings::parse(&format!("TCPAllowConnect = {value}\n"))
                .tcp_allow("127.0.0.1", 9876)
        };
        assert_eq!(
            SpringSettings::parse("").tcp_allow("127.0.0.1", 1),
            TcpAllow::Default
        );
        for ok in ["*", "127.0.0.1:9876", "x:1 *:9876", "a:1\t127.0.0.1:9876"] {
            assert!(matches!(allow(ok), TcpAllow::Allowed { .. }), "{ok}");
        }
        for denied in [
            "127.0.0.1:9877",
            "localhost:9876",
            "127.0.0.1:*",
            "127.0.0.1",
            "**",
        ] {
            assert!(matches!(allow(denied), TcpAllow::Denied { .. }), "{denied}");
        }
        assert_eq!(
            allow("springrts.com:80 *:9876"),
            TcpAllow::Allowed {
                rule: "*:9876".into()
            }
        );
    }

    #[test]
    fn fixing_changes_only_what_is_needed_and_keeps_the_rest() {
        let text = "# keep me\r\nLuaSocketEnabled = 0\r\nTCPAllowConnect = springrts.com:80\r\nnot a setting\r\nZ = 1\r\n";
        let mut s = SpringSettings::parse(text);
        let changed = s.fix_for("127.0.0.1", 9877);
        assert_eq!(changed.len(), 2, "{changed:?}");
        assert_eq!(
            s.to_text(),
            "# keep me\r\nLuaSocketEnabled = 1\r\nTCPAllowConnect = springrts.com:80 127.0.0.1:9877\r\n\
             not a setting\r\nZ = 1\r\n"
        );
        assert!(s.fix_for("127.0.0.1", 9877).is_empty(), "fixed once");
        let mut all = SpringSettings::parse("TCPAllowConnect = *\nA = b");
        assert!(all.fix_for("127.0.0.1", 1).is_empty(), "* is left alone");
        assert_eq!(all.to_text(), "TCPAllowConnect = *\nA = b\n");
        let mut empty = SpringSettings::parse("TCPAllowConnect =\n");
        empty.fix_for("127.0.0.1", 5);
        assert_eq!(empty.to_text(), "TCPAllowConnect = 127.0.0.1:5\n");
        let mut dup = SpringSettings::parse("LuaSocketEnabled = 1\nLuaSocketEnabled = 0\n");
        dup.fix_for("127.0.0.1", 5);
        assert_eq!(dup.get(LUA_SOCKET_ENABLED), Some("1"));
        assert_eq!(
            dup.to_text(),
            "LuaSocketEnabled = 1\nLuaSocketEnabled = 1\n"
        );
    }

    #[test]
    fn untouched_files_round_trip() {
        for text in ["", "A = 1\n", "# c\n\nA=1\nB = 2\n", "x\r\ny = 2\r\n"] {
            let s = SpringSettings::parse(text);
            let again = SpringSettings::parse(&s.to_text());
            assert_eq!(again, s, "{text:?}");
        }
    }

    #[test]
    fn fix_keeps_a_backup_and_writes_atomically() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            fix(dir.path(), "127.0.0.1", 9876).unwrap(),
            Fixed {
                changed: vec![],
                backup: None
            },
            "no file: the defaults allow everything"
        );
        let path = dir.path().join(FILE);
        std::fs::write(&path, "LuaSocketEnabled = 0\nTCPAllowConnect = *\n").unwrap();
        let fixed = fix(dir.path(), "127.0.0.1", 9876).unwrap();
        assert_eq!(fixed.changed, ["LuaSocketEnabled: 0 -> 1"]);
        let backup = fixed.backup.unwrap();
        assert!(
            backup
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("springsettings.cfg.bak-")
        );
        assert_eq!(
            std::fs::read_to_string(&backup).unwrap(),
            "LuaSocketEnabled = 0\nTCPAllowConnect = *\n"
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "LuaSocketEnabled = 1\nTCPAllowConnect = *\n"
        );
        let again = fix(dir.path(), "127.0.0.1", 9876).unwrap();
        assert_eq!(again.backup, None, "nothing to fix: no backup, no write");
        let files = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(files, 2, "the file and one backup, no temp file");
        std::fs::write(&path, b"A = \xff\nLuaSocketEnabled = 0\n").unwrap();
        let err = fix(dir.path(), "127.0.0.1", 9876).unwrap_err().to_string();
        assert!(err.contains("not UTF-8"), "{err}");
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"A = \xff\nLuaSocketEnabled = 0\n"
        );
    }
}
