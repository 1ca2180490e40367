//! Where settings and data live, after `--config` / `--data-dir` overrides.
//!
//! | platform | settings (`settings.json`, `overlay.css`) | data (recordings, index, exports) |
//! |---|---|---|
//! | Windows | `%APPDATA%\bar-live` (roaming: small files that follow the user) | `%LOCALAPPDATA%\bar-live` (big files stay on this PC) |
//! | Linux | `$XDG_CONFIG_HOME/bar-live` (`~/.config/bar-live`) | `$XDG_DATA_HOME/bar-live` (`~/.local/share/bar-live`) |
//! | macOS | `~/Library/Application Support/org.bar-live.bar-live` | the same folder |

use std::path::{Path, PathBuf};

/// The settings file's name in the config directory.
pub const SETTINGS_FILE_NAME: &str = "settings.json";
/// The streamer's own style for the web overlay pages, in the config directory.
pub const USER_CSS_FILE_NAME: &str = "overlay.css";
/// The folder name bar-live uses under the platform's base folders.
pub const APP_DIR_NAME: &str = "bar-live";

#[derive(Debug, Clone)]
pub struct Paths {
    pub settings_file: PathBuf,
    pub data_dir: PathBuf,
}

/// The platform's default config and data folders for bar-live (before overrides).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultDirs {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
}

impl DefaultDirs {
    /// The folders of this platform and user, or `None` when the OS reports no home folder.
    pub fn of_this_user() -> Option<DefaultDirs> {
        if cfg!(windows) {
            // `BaseDirs` asks Windows for the known folders (FOLDERID_RoamingAppData and
            // FOLDERID_LocalAppData), whatever the user's name: `C:\Users\Jürgen\AppData\…` works.
            let base = directories::BaseDirs::new()?;
            Some(DefaultDirs::windows(
                base.config_dir(),
                base.data_local_dir(),
            ))
        } else {
            let dirs = directories::ProjectDirs::from("org", APP_DIR_NAME, APP_DIR_NAME)?;
            Some(DefaultDirs {
                config_dir: dirs.config_dir().to_owned(),
                data_dir: dirs.data_dir().to_owned(),
            })
        }
    }

    /// Windows: settings in the roaming profile, recordings in the local one, one `bar-live` folder
    /// each (no `bar-live\bar-live\config`).
    pub fn windows(roaming_app_data: &Path, local_app_data: &Path) -> DefaultDirs {
        DefaultDirs {
            config_dir: roaming_app_data.join(APP_DIR_NAME),
            data_dir: local_app_data.join(APP_DIR_NAME),
        }
    }
}

impl Paths {
    /// The platform's folders ([`DefaultDirs`]) unless overridden.
    pub fn resolve(config: Option<PathBuf>, data_dir: Option<PathBuf>) -> Paths {
        Paths::resolve_with(config, data_dir, DefaultDirs::of_this_user())
    }

    /// [`Paths::resolve`] with the platform's folders given (tests).
    pub fn resolve_with(
        config: Option<PathBuf>,
        data_dir: Option<PathBuf>,
        defaults: Option<DefaultDirs>,
    ) -> Paths {
        let settings_file = config.unwrap_or_else(|| match &defaults {
            Some(d) => d.config_dir.join(SETTINGS_FILE_NAME),
            None => PathBuf::from(SETTINGS_FILE_NAME),
        });
        let data_dir = data_dir.unwrap_or_else(|| match &defaults {
            Some(d) => d.data_dir.clone(),
            None => PathBuf::from("bar-live-data"),
        });
        Paths {
            settings_file,
            data_dir,
        }
    }

    /// The folder holding the settings file (and the user's `overlay.css`).
    pub fn config_dir(&self) -> &Path {
        self.settings_file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    }

    /// The streamer's style sheet for the web overlay pages (it may not exist).
    pub fn user_css(&self) -> PathBuf {
        self.config_dir().join(USER_CSS_FILE_NAME)
    }

    /// The default recordings folder.
    pub fn recordings_dir(&self) -> PathBuf {
        self.data_dir.join("recordings")
    }
}

/// Whether `a` and `b` name the same folder or file, however they are spelled: `..`, links, and on
/// Windows letter case and `/` vs `\`. Paths that do not exist compare as spelled.
pub fn same_path(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_path_sees_through_spelling() {
        let dir = tempfile::tempdir().unwrap();
        let demos = dir.path().join("demos");
        std::fs::create_dir(&demos).unwrap();
        std::fs::create_dir(dir.path().join("other")).unwrap();
        assert!(same_path(
            &demos,
            &dir.path().join("other").join("..").join("demos")
        ));
        assert!(!same_path(&demos, &dir.path().join("other")));
        // Missing paths: only the same spelling is the same.
        assert!(same_path(Path::new("/no/such"), Path::new("/no/such")));
        let missing = dir.path().join("missing");
        assert!(!same_path(
            &missing,
            &dir.path().join("other").join("..").join("missing")
        ));
        if cfg!(windows) {
            // NTFS (and Wine's view of the disk) ignores letter case.
            let upper = dir.path().join("DEMOS");
            assert!(same_path(&demos, &upper));
        }
    }

    #[test]
    fn overrides_win_and_the_css_sits_beside_the_settings() {
        let p = Paths::resolve(Some("/cfg/s.json".into()), Some("/data".into()));
        assert_eq!(p.config_dir(), Path::new("/cfg"));
        assert_eq!(p.user_css(), Path::new("/cfg/overlay.css"));
        assert_eq!(p.recordings_dir(), Path::new("/data/recordings"));
        let bare = Paths::resolve(Some("s.json".into()), None);
        assert_eq!(bare.config_dir(), Path::new("."));
    }

    #[test]
    fn windows_keeps_settings_roaming_and_recordings_local_without_a_doubled_folder() {
        let roaming = Path::new("C:/Users/Jürgen/AppData/Roaming");
        let local = Path::new("C:/Users/Jürgen/AppData/Local");
        let p = Paths::resolve_with(None, None, Some(DefaultDirs::windows(roaming, local)));
        assert_eq!(
            p.settings_file,
            roaming.join("bar-live").join("settings.json")
        );
        assert_eq!(p.user_css(), roaming.join("bar-live").join("overlay.css"));
        assert_eq!(p.data_dir, local.join("bar-live"));
        assert_eq!(
            p.recordings_dir(),
            local.join("bar-live").join("recordings")
        );
        let text = p.settings_file.to_string_lossy().replace('\\', "/");
        assert!(
            !text.contains("bar-live/bar-live"),
            "doubled folder: {text}"
        );
        assert!(text.contains("Jürgen"));
    }

    #[test]
    fn this_platform_uses_one_bar_live_folder() {
        let Some(d) = DefaultDirs::of_this_user() else {
            return; // no home folder (a bare container): nothing to check
        };
        for dir in [&d.config_dir, &d.data_dir] {
            let names: Vec<_> = dir.components().map(|c| c.as_os_str().to_owned()).collect();
            let n = names
                .iter()
                .filter(|c| c.to_string_lossy().contains("bar-live"))
                .count();
            assert_eq!(n, 1, "{}", dir.display());
        }
        if cfg!(windows) {
            assert!(d.data_dir.ends_with("bar-live"));
            let appdata = std::env::var_os("APPDATA").map(PathBuf::from);
            let local = std::env::var_os("LOCALAPPDATA").map(PathBuf::from);
            if let (Some(a), Some(l)) = (appdata, local) {
                assert_eq!(d.config_dir, a.join("bar-live"));
                assert_eq!(d.data_dir, l.join("bar-live"));
            }
        } else if cfg!(target_os = "linux") {
            assert!(d.config_dir.ends_with("bar-live") && d.data_dir.ends_with("bar-live"));
        }
    }
}
