//! Finding the BAR data folder and installing the widget into it.

use std::path::{Path, PathBuf};

/// The widget, embedded at build time.
pub const WIDGET_SOURCE: &str = include_str!("../../../widget/bar_live_export.lua");
pub const WIDGET_FILE: &str = "bar_live_export.lua";
const DEFAULT_PORT_LINE: &str = "local DEFAULT_PORT         = 9876";

/// Folders where BAR keeps its data on each platform (first existing wins in the UI).
pub fn candidate_data_dirs(home: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if cfg!(windows) {
        if let Some(local) = std::env::var_os("LOCALAPPDATA") {
            out.push(
                PathBuf::from(local)
                    .join("Programs")
                    .join("Beyond-All-Reason")
                    .join("data"),
            );
        }
        out.push(
            home.join("Documents")
                .join("My Games")
                .join("Beyond All Reason"),
        );
    } else if cfg!(target_os = "macos") {
        out.push(
            home.join("Library")
                .join("Application Support")
                .join("Beyond All Reason"),
        );
    } else {
        let state = std::env::var_os("XDG_STATE_HOME")
            .map_or_else(|| home.join(".local").join("state"), PathBuf::from);
        out.push(state.join("Beyond All Reason"));
        out.push(home.join(".local").join("share").join("Beyond All Reason"));
        out.push(home.join("Beyond All Reason"));
    }
    out
}

/// A folder looks like a BAR data folder if it has the engine's settings file or a LuaUI folder.
pub fn looks_like_data_dir(dir: &Path) -> bool {
    dir.join("springsettings.cfg").is_file()
        || dir.join("LuaUI").is_dir()
        || dir.join("engine").is_dir()
}

pub fn detect_data_dir(home: &Path) -> Option<PathBuf> {
    candidate_data_dirs(home)
        .into_iter()
        .find(|d| looks_like_data_dir(d))
}

pub fn widget_path(data_dir: &Path) -> PathBuf {
    data_dir.join("LuaUI").join("Widgets").join(WIDGET_FILE)
}

/// The `WIDGET_VERSION` of a widget source, if it declares one.
pub fn widget_version(source: &str) -> Option<String> {
    source.lines().find_map(|l| {
        let rest = l.trim_start().strip_prefix("local WIDGET_VERSION")?;
        let start = rest.find('"')? + 1;
        let end = start + rest[start..].find('"')?;
        Some(rest[start..end].to_owned())
    })
}

/// What is installed in `data_dir`: `None` when the widget file is absent.
pub fn installed_version(data_dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(widget_path(data_dir)).ok()?;
    Some(widget_version(&text).unwrap_or_else(|| "unknown".into()))
}

/// The embedded widget with its default port set to `port`.
pub fn widget_for_port(port: u16) -> String {
    if port == 9876 {
        return WIDGET_SOURCE.to_owned();
    }
    WIDGET_SOURCE.replacen(
        DEFAULT_PORT_LINE,
        &format!("local DEFAULT_PORT         = {port}"),
        1,
    )
}

/// Writes the widget into `<data_dir>/LuaUI/Widgets/`, atomically. Returns the path written.
pub fn install(data_dir: &Path, port: u16) -> anyhow::Result<PathBuf> {
    use anyhow::Context;
    let path = widget_path(data_dir);
    let dir = path.parent().unwrap_or(data_dir);
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let tmp = path.with_extension("lua.tmp");
    std::fs::write(&tmp, widget_for_port(port))
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, &path).with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_widget_has_version_and_port_line() {
        assert!(widget_version(WIDGET_SOURCE).is_some());
        assert!(
            WIDGET_SOURCE.contains(DEFAULT_PORT_LINE),
            "port line changed in the widget"
        );
        let w = widget_for_port(12345);
        assert!(w.contains("local DEFAULT_PORT         = 12345"));
        assert!(!w.contains(DEFAULT_PORT_LINE));
    }

    #[test]
    fn detect_install_and_read_back() {
        let home = tempfile::tempdir().unwrap();
        assert_eq!(detect_data_dir(home.path()), None);
        let data = candidate_data_dirs(home.path()).remove(0);
        std::fs::create_dir_all(&data).unwrap();
        std::fs::write(data.join("springsettings.cfg"), "").unwrap();
        assert_eq!(detect_data_dir(home.path()), Some(data.clone()));
        assert_eq!(installed_version(&data), None);
        let path = install(&data, 9900).unwrap();
        assert!(path.ends_with("LuaUI/Widgets/bar_live_export.lua"));
        assert_eq!(installed_version(&data), widget_version(WIDGET_SOURCE));
        assert!(std::fs::read_to_string(path).unwrap().contains("= 9900"));
    }
}
