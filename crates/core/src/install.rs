//! Finding the BAR data folder, installing the widget into it, and checking what the widget needs there.
//!
//! - [`install`]: writes the widget with the app's port (and an install stamp) into a BAR data folder.
//! - [`doctor`]: what stands between the widget and the app in a folder (the widget file, the engine's
//!   `springsettings.cfg`), and the fix for the settings file ([`springsettings`]).

pub mod doctor;
pub mod springsettings;

use std::path::{Path, PathBuf};

/// The widget, embedded at build time.
pub const WIDGET_SOURCE: &str = include_str!("../../../widget/bar_live_export.lua");
pub const WIDGET_FILE: &str = "bar_live_export.lua";
/// The port the widget ships with.
pub const STOCK_PORT: u16 = 9876;
const PORT_LINE_START: &str = "local DEFAULT_PORT         = ";
const DEFAULT_PORT_LINE: &str = "local DEFAULT_PORT         = 9876";
const STAMP_LINE_START: &str = "local INSTALL_STAMP        = ";
const STOCK_STAMP_LINE: &str = "local INSTALL_STAMP        = \"\"";

#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error(
        "{0} does not look like a BAR data folder (it has no springsettings.cfg, LuaUI or engine \
         folder): pass the folder that holds them"
    )]
    NotDataDir(PathBuf),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What the search for BAR's data folder depends on, read from the environment once
/// ([`SearchBase::from_env`]) or given (tests): no hidden reads of `%LOCALAPPDATA%` and friends.
#[derive(Debug, Clone, Default)]
pub struct SearchBase {
    pub home: PathBuf,
    /// `%LOCALAPPDATA%` (Windows).
    pub local_app_data: Option<PathBuf>,
    /// `%ProgramFiles%` (Windows).
    pub program_files: Option<PathBuf>,
    /// `$XDG_STATE_HOME` (Linux).
    pub xdg_state_home: Option<PathBuf>,
}

impl SearchBase {
    pub fn from_env(home: &Path) -> SearchBase {
        let var = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        SearchBase {
            home: home.to_owned(),
            local_app_data: var("LOCALAPPDATA"),
            program_files: var("ProgramFiles"),
            xdg_state_home: var("XDG_STATE_HOME"),
        }
    }
}

/// Folders where BAR keeps its data on each platform, most likely first (first existing wins).
pub fn candidate_data_dirs(home: &Path) -> Vec<PathBuf> {
    candidate_data_dirs_in(&SearchBase::from_env(home), Platform::THIS)
}

/// The platforms whose BAR folders we know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Windows,
    MacOs,
    Linux,
}

impl Platform {
    pub const THIS: Platform = if cfg!(windows) {
        Platform::Windows
    } else if cfg!(target_os = "macos") {
        Platform::MacOs
    } else {
        Platform::Linux
    };
}

/// [`candidate_data_dirs`] for a given platform and environment.
pub fn candidate_data_dirs_in(base: &SearchBase, platform: Platform) -> Vec<PathBuf> {
    let home = &base.home;
    let mut out = Vec::new();
    match platform {
        Platform::Windows => {
            // BAR's installer: per-user, under %LOCALAPPDATA%\Programs (../shared/BAR-FACTS.md).
            let local = base
                .local_app_data
                .clone()
                .unwrap_or_else(|| home.join("AppData").join("Local"));
            out.push(
                local
                    .join("Programs")
                    .join("Beyond-All-Reason")
                    .join("data"),
            );
            // An install for all users, and the older Spring-style data folder in Documents.
            if let Some(pf) = &base.program_files {
                out.push(pf.join("Beyond-All-Reason").join("data"));
            }
            out.push(
                home.join("Documents")
                    .join("My Games")
                    .join("Beyond All Reason"),
            );
            out.push(home.join("Documents").join("My Games").join("Spring"));
        }
        Platform::MacOs => {
            out.push(
                home.join("Library")
                    .join("Application Support")
                    .join("Beyond All Reason"),
            );
        }
        Platform::Linux => {
            let state = base
                .xdg_state_home
                .clone()
                .unwrap_or_else(|| home.join(".local").join("state"));
            out.push(state.join("Beyond All Reason"));
            out.push(home.join(".local").join("share").join("Beyond All Reason"));
            out.push(home.join("Beyond All Reason"));
        }
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
    detect_data_dir_in(&SearchBase::from_env(home), Platform::THIS)
}

/// [`detect_data_dir`] for a given platform and environment.
pub fn detect_data_dir_in(base: &SearchBase, platform: Platform) -> Option<PathBuf> {
    candidate_data_dirs_in(base, platform)
        .into_iter()
        .find(|d| looks_like_data_dir(d))
}

/// BAR's replay folders: `demos/` of the chosen data folder (if any) and of every data folder found
/// where BAR's installer and launcher put them, each once (however spelled), existing ones only.
pub fn demos_dirs(base: &SearchBase, platform: Platform, chosen: Option<&Path>) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    let found = candidate_data_dirs_in(base, platform)
        .into_iter()
        .filter(|d| looks_like_data_dir(d));
    for data in chosen.map(Path::to_owned).into_iter().chain(found) {
        let demos = data.join("demos");
        if demos.is_dir() && !out.iter().any(|o| crate::paths::same_path(o, &demos)) {
            out.push(demos);
        }
    }
    out
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
    if port == STOCK_PORT {
        return WIDGET_SOURCE.to_owned();
    }
    WIDGET_SOURCE.replacen(DEFAULT_PORT_LINE, &format!("{PORT_LINE_START}{port}"), 1)
}

/// The widget as [`install`] writes it: its default port set to `port`, and `stamp` (any text without
/// quotes or backslashes; the install time) on its `INSTALL_STAMP` line. The stamp tells the widget that
/// it was installed again, so the installed port beats a port set in game before (docs/WIDGET.md,
/// *Where settings are kept*).
pub fn widget_for_install(port: u16, stamp: &str) -> String {
    let stamp: String = stamp
        .chars()
        .filter(|c| !matches!(c, '"' | '\\' | '\n' | '\r'))
        .collect();
    widget_for_port(port).replacen(
        STOCK_STAMP_LINE,
        &format!("{STAMP_LINE_START}\"{stamp}\""),
        1,
    )
}

/// The port a widget source dials by default (its `DEFAULT_PORT` line).
pub fn widget_port(source: &str) -> Option<u16> {
    source.lines().find_map(|l| {
        l.strip_prefix(PORT_LINE_START)?
            .split("--")
            .next()?
            .trim()
            .parse()
            .ok()
    })
}

/// True when `source` is the bundled widget as some install wrote it (any port, any stamp).
pub fn is_bundled_widget(source: &str) -> bool {
    let stock: Vec<String> = source
        .split('\n')
        .map(|l| {
            if l.starts_with(PORT_LINE_START) {
                DEFAULT_PORT_LINE.to_owned()
            } else if l.starts_with(STAMP_LINE_START) {
                STOCK_STAMP_LINE.to_owned()
            } else {
                l.to_owned()
            }
        })
        .collect();
    stock.join("\n") == WIDGET_SOURCE
}

/// Writes the widget for `port` into `<data_dir>/LuaUI/Widgets/`, atomically, after checking that
/// `data_dir` is a BAR data folder. Returns the path written.
pub fn install(data_dir: &Path, port: u16) -> Result<PathBuf, InstallError> {
    if !looks_like_data_dir(data_dir) {
        return Err(InstallError::NotDataDir(data_dir.to_owned()));
    }
    let path = widget_path(data_dir);
    let dir = path.parent().unwrap_or(data_dir);
    let write = |p: &Path, e| InstallError::Write {
        path: p.to_owned(),
        source: e,
    };
    std::fs::create_dir_all(dir).map_err(|e| write(dir, e))?;
    let tmp = path.with_extension("lua.tmp");
    let source = widget_for_install(port, &crate::time::unix_ms().to_string());
    std::fs::write(&tmp, source).map_err(|e| write(&tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        write(&path, e)
    })?;
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
        assert_eq!(widget_port(&w), Some(12345));
        assert_eq!(widget_port(WIDGET_SOURCE), Some(STOCK_PORT));
        assert!(
            WIDGET_SOURCE.contains(STOCK_STAMP_LINE),
            "stamp line changed in the widget"
        );
        let w = widget_for_install(9000, "17\"12");
        assert!(
            w.contains("local INSTALL_STAMP        = \"1712\""),
            "quotes dropped"
        );
        assert!(is_bundled_widget(&w) && is_bundled_widget(WIDGET_SOURCE));
        assert!(!is_bundled_widget(&w.replace("WIDGET_VERSION", "X")));
    }

    #[test]
    fn install_refuses_a_folder_that_is_not_bars() {
        let dir = tempfile::tempdir().unwrap();
        let err = install(dir.path(), 9876).unwrap_err();
        assert!(matches!(err, InstallError::NotDataDir(_)));
        assert!(
            err.to_string()
                .contains("does not look like a BAR data folder")
        );
        assert!(!widget_path(dir.path()).exists());
    }

    /// Hermetic: every variable the search reads points into `home` (a temp folder).
    fn hermetic_base(home: &Path) -> SearchBase {
        SearchBase {
            home: home.to_owned(),
            local_app_data: Some(home.join("AppData").join("Local")),
            program_files: Some(home.join("Program Files")),
            xdg_state_home: None,
        }
    }

    #[test]
    fn detect_install_and_read_back() {
        let home = tempfile::tempdir().unwrap();
        let base = hermetic_base(home.path());
        assert_eq!(detect_data_dir_in(&base, Platform::THIS), None);
        let data = candidate_data_dirs_in(&base, Platform::THIS).remove(0);
        std::fs::create_dir_all(&data).unwrap();
        std::fs::write(data.join("springsettings.cfg"), "").unwrap();
        assert_eq!(
            detect_data_dir_in(&base, Platform::THIS),
            Some(data.clone())
        );
        assert_eq!(installed_version(&data), None);
        let path = install(&data, 9900).unwrap();
        assert!(path.ends_with("LuaUI/Widgets/bar_live_export.lua"));
        assert_eq!(installed_version(&data), widget_version(WIDGET_SOURCE));
        let text = std::fs::read_to_string(path).unwrap();
        assert!(text.contains("= 9900"));
        assert!(!text.contains(STOCK_STAMP_LINE), "stamped");
        assert!(!data.join("LuaUI/Widgets/bar_live_export.lua.tmp").exists());
    }

    #[test]
    fn demos_folders_are_listed_once_however_the_chosen_folder_is_spelled() {
        let home = tempfile::tempdir().unwrap();
        let base = hermetic_base(home.path());
        let data = candidate_data_dirs_in(&base, Platform::THIS).remove(0);
        std::fs::create_dir_all(data.join("demos")).unwrap();
        std::fs::create_dir_all(data.join("LuaUI")).unwrap();
        assert_eq!(
            demos_dirs(&base, Platform::THIS, None),
            [data.join("demos")]
        );
        // The same data folder chosen on the Widget tab, spelled another way: listed once, as chosen.
        let spelled = data.join("LuaUI").join("..");
        assert_eq!(
            demos_dirs(&base, Platform::THIS, Some(&spelled)),
            [spelled.join("demos")]
        );
        // A chosen folder without demos/ adds nothing.
        let other = home.path().join("other");
        std::fs::create_dir_all(&other).unwrap();
        assert_eq!(
            demos_dirs(&base, Platform::THIS, Some(&other)),
            [data.join("demos")]
        );
    }

    #[test]
    fn windows_finds_bar_where_its_installer_puts_it_then_the_other_places() {
        let home = tempfile::tempdir().unwrap();
        let user = home.path().join("Users").join("Jürgen");
        let local = user.join("AppData").join("Local");
        let base = SearchBase {
            home: user.clone(),
            local_app_data: Some(local.clone()),
            program_files: Some(home.path().join("Program Files")),
            xdg_state_home: None,
        };
        let dirs = candidate_data_dirs_in(&base, Platform::Windows);
        let installer = local
            .join("Programs")
            .join("Beyond-All-Reason")
            .join("data");
        assert_eq!(dirs[0], installer);
        assert!(
            dirs.contains(
                &home
                    .path()
                    .join("Program Files")
                    .join("Beyond-All-Reason")
                    .join("data")
            )
        );
        // Nothing there yet; an older Documents folder is found, and the installer's wins over it.
        assert_eq!(detect_data_dir_in(&base, Platform::Windows), None);
        let documents = user
            .join("Documents")
            .join("My Games")
            .join("Beyond All Reason");
        std::fs::create_dir_all(documents.join("LuaUI")).unwrap();
        assert_eq!(
            detect_data_dir_in(&base, Platform::Windows),
            Some(documents)
        );
        std::fs::create_dir_all(installer.join("engine")).unwrap();
        assert_eq!(
            detect_data_dir_in(&base, Platform::Windows),
            Some(installer.clone())
        );
        // Without %LOCALAPPDATA% the profile's own AppData\Local is used.
        let bare = SearchBase {
            local_app_data: None,
            ..base
        };
        assert_eq!(
            candidate_data_dirs_in(&bare, Platform::Windows)[0],
            installer
        );
    }

    #[test]
    fn linux_honours_xdg_state_home() {
        let base = SearchBase {
            home: PathBuf::from("/home/a"),
            xdg_state_home: Some(PathBuf::from("/state")),
            ..SearchBase::default()
        };
        let dirs = candidate_data_dirs_in(&base, Platform::Linux);
        assert_eq!(dirs[0], Path::new("/state/Beyond All Reason"));
        assert_eq!(dirs[1], Path::new("/home/a/.local/share/Beyond All Reason"));
    }
}
