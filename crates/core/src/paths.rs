//! Where settings and data live, after `--config` / `--data-dir` overrides.

use std::path::{Path, PathBuf};

/// The settings file's name in the config directory.
pub const SETTINGS_FILE_NAME: &str = "settings.json";
/// The streamer's own style for the web overlay pages, in the config directory.
pub const USER_CSS_FILE_NAME: &str = "overlay.css";

#[derive(Debug, Clone)]
pub struct Paths {
    pub settings_file: PathBuf,
    pub data_dir: PathBuf,
}

impl Paths {
    /// The platform's folders (`~/.config/bar-live`, `%APPDATA%\bar-live`, …) unless overridden.
    pub fn resolve(config: Option<PathBuf>, data_dir: Option<PathBuf>) -> Paths {
        let dirs = directories::ProjectDirs::from("org", "bar-live", "bar-live");
        let settings_file = config.unwrap_or_else(|| match &dirs {
            Some(d) => d.config_dir().join(SETTINGS_FILE_NAME),
            None => PathBuf::from(SETTINGS_FILE_NAME),
        });
        let data_dir = data_dir.unwrap_or_else(|| match &dirs {
            Some(d) => d.data_dir().to_owned(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_win_and_the_css_sits_beside_the_settings() {
        let p = Paths::resolve(Some("/cfg/s.json".into()), Some("/data".into()));
        assert_eq!(p.config_dir(), Path::new("/cfg"));
        assert_eq!(p.user_css(), Path::new("/cfg/overlay.css"));
        assert_eq!(p.recordings_dir(), Path::new("/data/recordings"));
        let bare = Paths::resolve(Some("s.json".into()), None);
        assert_eq!(bare.config_dir(), Path::new("."));
    }
}
