//! Fallback fonts for the scripts egui's own fonts lack: Chinese, Japanese and Korean.
//!
//! egui's built-in fonts draw Latin, Greek and Cyrillic; a player, map or unit name in Chinese, Japanese
//! or Korean (BAR sends its translated unit names) would come out as boxes. At start,
//! [`FontDiscovery::start`] looks among the system's fonts on the `bar-live-fonts` thread: fontdb scans
//! the usual font folders (mapping each file to read its names, not reading it whole), and for each
//! [`Script`] the first face of the [`CANDIDATES`] families that has its glyphs is chosen (one face
//! often covers all three). Only the chosen files are read. The UI thread installs them after egui's
//! own fonts, in the proportional and the monospace family ([`install`]); the desktop overlay is a
//! viewport of the same context, so it draws with them too. A renderer without the app's context (the
//! post-game card) takes the same fonts through [`font_definitions`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use crossbeam_channel::{Receiver, TryRecvError, bounded};
use egui::{FontData, FontDefinitions, FontFamily, FontInsert, FontPriority, InsertFontFamily};
use skrifa::MetadataProvider;

/// A script egui's own fonts cannot draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Script {
    /// Chinese characters (also Japanese kanji and Korean hanja).
    Han,
    /// Japanese hiragana and katakana.
    Kana,
    /// Korean hangul.
    Hangul,
}

impl Script {
    pub const ALL: [Script; 3] = [Script::Han, Script::Kana, Script::Hangul];

    /// Characters a face must all have to count as covering the script.
    pub fn samples(self) -> &'static str {
        match self {
            Script::Han => "中文汉字漢字小明",
            Script::Kana => "ひらがなカタカナ",
            Script::Hangul => "한글민준",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Script::Han => "Chinese characters",
            Script::Kana => "Japanese kana",
            Script::Hangul => "Korean hangul",
        }
    }
}

/// Font families to look for, in order of preference.
#[cfg(windows)]
pub const CANDIDATES: &[&str] = &["Microsoft YaHei", "Malgun Gothic", "Yu Gothic"];
/// Font families to look for, in order of preference.
#[cfg(target_os = "macos")]
pub const CANDIDATES: &[&str] = &["PingFang SC", "Apple SD Gothic Neo", "Hiragino Sans"];
/// Font families to look for, in order of preference (Debian's package in brackets).
#[cfg(not(any(windows, target_os = "macos")))]
pub const CANDIDATES: &[&str] = &[
    "Noto Sans CJK SC", // fonts-noto-cjk: one collection for all three scripts
    "Noto Sans CJK JP",
    "Noto Sans CJK KR",
    "Noto Sans CJK TC",
    "Source Han Sans SC",
    "Source Han Sans",
    "WenQuanYi Micro Hei", // fonts-wqy-microhei
    "WenQuanYi Zen Hei",   // fonts-wqy-zenhei
    "NanumGothic",         // fonts-nanum
    "IPAGothic",           // fonts-ipafont-gothic
    "Droid Sans Fallback", // fonts-droid-fallback
];

/// One face of a font file, to add after egui's own fonts.
#[derive(Debug, Clone)]
pub struct FallbackFont {
    /// egui's name for it, unique per file and face: `fallback:FILE#INDEX`.
    pub name: String,
    /// The whole file (shared by the faces of one collection) and the face's index in it.
    pub data: FontData,
    /// The scripts it has glyphs for.
    pub scripts: Vec<Script>,
}

impl FallbackFont {
    /// The font as egui adds it: last in the proportional and in the monospace family.
    pub fn insert(&self) -> FontInsert {
        let families = [FontFamily::Proportional, FontFamily::Monospace]
            .map(|family| InsertFontFamily {
                family,
                priority: FontPriority::Lowest,
            })
            .into();
        FontInsert::new(&self.name, self.data.clone(), families)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FontError {
    #[error("cannot read the font file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} has no readable font face {index}: {reason}")]
    Face {
        path: PathBuf,
        index: u32,
        reason: String,
    },
}

/// Loads face `index` of the font file at `path` (`.ttf`, `.otf` or a `.ttc` collection).
pub fn load_face(path: &Path, index: u32) -> Result<FallbackFont, FontError> {
    let mut faces = load_faces(path, &[index])?;
    Ok(faces.remove(0))
}

/// Reads the file at `path` once and makes a fallback of each face in `indices` (`indices` not empty).
fn load_faces(path: &Path, indices: &[u32]) -> Result<Vec<FallbackFont>, FontError> {
    let bytes = std::fs::read(path).map_err(|source| FontError::Read {
        path: path.to_owned(),
        source,
    })?;
    let file = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into(),
    );
    let bytes = Arc::new(bytes);
    indices
        .iter()
        .map(|&index| {
            let scripts = covered_scripts(&bytes, index).map_err(|reason| FontError::Face {
                path: path.to_owned(),
                index,
                reason,
            })?;
            Ok(FallbackFont {
                name: format!("fallback:{file}#{index}"),
                data: FontData::from_blob(bytes.clone(), index),
                scripts,
            })
        })
        .collect()
}

/// The scripts whose samples face `index` of `data` all has (with skrifa, as egui reads fonts).
fn covered_scripts(data: &[u8], index: u32) -> Result<Vec<Script>, String> {
    let font = skrifa::FontRef::from_index(data, index).map_err(|e| e.to_string())?;
    let charmap = font.charmap();
    Ok(Script::ALL
        .into_iter()
        .filter(|s| s.samples().chars().all(|c| charmap.map(c).is_some()))
        .collect())
}

/// Adds `fonts` to the context after its own fonts, from the next frame on.
pub fn install(ctx: &egui::Context, fonts: &[FallbackFont]) {
    for font in fonts {
        ctx.add_font(font.insert());
    }
}

/// egui's default fonts with `fonts` after them in both families: for text drawn without the app's
/// context.
pub fn font_definitions(fonts: &[FallbackFont]) -> FontDefinitions {
    let mut definitions = FontDefinitions::default();
    for font in fonts {
        definitions
            .font_data
            .insert(font.name.clone(), Arc::new(font.data.clone()));
        for family in [FontFamily::Proportional, FontFamily::Monospace] {
            definitions
                .families
                .entry(family)
                .or_default()
                .push(font.name.clone());
        }
    }
    definitions
}

/// What [`discover`] found: the fonts, and the scripts none of them draws.
#[derive(Debug, Default)]
pub struct Found {
    pub fonts: Vec<FallbackFont>,
    pub missing: Vec<Script>,
}

/// Chooses, for each script, the first face of the `families` in `db` that has its glyphs (a face
/// chosen for an earlier script serves the later ones it covers), and reads those files only.
pub fn discover(db: &fontdb::Database, families: &[&str]) -> Found {
    // file → faces to load from it
    let mut chosen: BTreeMap<PathBuf, Vec<u32>> = BTreeMap::new();
    let mut covered: Vec<Script> = Vec::new();
    for script in Script::ALL {
        if covered.contains(&script) {
            continue;
        }
        let hit = families.iter().find_map(|family| {
            let id = db.query(&fontdb::Query {
                families: &[fontdb::Family::Name(family)],
                ..Default::default()
            })?;
            let scripts = db
                .with_face_data(id, |data, index| covered_scripts(data, index).ok())
                .flatten()?;
            if !scripts.contains(&script) {
                return None;
            }
            let (path, index) = match db.face_source(id)? {
                (fontdb::Source::File(path) | fontdb::Source::SharedFile(path, _), index) => {
                    (path, index)
                }
                (fontdb::Source::Binary(_), _) => return None,
            };
            log::info!(
                "fonts: {} from {family} ({}, face {index})",
                names(&scripts),
                path.display()
            );
            Some((path, index, scripts))
        });
        if let Some((path, index, scripts)) = hit {
            covered.extend(scripts);
            let faces = chosen.entry(path).or_default();
            if !faces.contains(&index) {
                faces.push(index);
            }
        }
    }
    let mut fonts = Vec::new();
    for (path, indices) in &chosen {
        match load_faces(path, indices) {
            Ok(faces) => fonts.extend(faces),
            Err(e) => log::warn!("fonts: {e}"),
        }
    }
    let missing = Script::ALL
        .into_iter()
        .filter(|s| !fonts.iter().any(|f| f.scripts.contains(s)))
        .collect();
    Found { fonts, missing }
}

fn names(scripts: &[Script]) -> String {
    let names: Vec<&str> = scripts.iter().map(|s| s.name()).collect();
    names.join(", ")
}

/// The system's fallback fonts, found now on this thread (the `card` command; the window looks on a
/// thread of its own, [`FontDiscovery`]).
pub fn system_fallbacks() -> Vec<FallbackFont> {
    let mut db = fontdb::Database::new();
    db.load_system_fonts();
    discover(&db, CANDIDATES).fonts
}

/// The fallback fonts, looked for on the `bar-live-fonts` thread and installed when they arrive.
pub struct FontDiscovery {
    /// Until the answer came.
    pending: Option<Receiver<Found>>,
    fonts: Vec<FallbackFont>,
}

impl FontDiscovery {
    /// Starts looking among the system's fonts; `ctx` repaints when they are found.
    pub fn start(ctx: &egui::Context) -> FontDiscovery {
        let (tx, rx) = bounded(1);
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("bar-live-fonts".into())
            .spawn(move || {
                let started = Instant::now();
                let mut db = fontdb::Database::new();
                db.load_system_fonts();
                let found = discover(&db, CANDIDATES);
                log::debug!(
                    "fonts: {} faces scanned, {} chosen in {:?}",
                    db.len(),
                    found.fonts.len(),
                    started.elapsed()
                );
                if tx.send(found).is_ok() {
                    ctx.request_repaint();
                }
            });
        if let Err(e) = spawned {
            log::warn!("fonts: cannot start a thread to find fallback fonts: {e}");
        }
        FontDiscovery {
            pending: Some(rx),
            fonts: Vec::new(),
        }
    }

    /// Installs the fonts once they are found; call every frame (returns at once otherwise).
    pub fn poll(&mut self, ctx: &egui::Context) {
        let Some(rx) = &self.pending else { return };
        let found = match rx.try_recv() {
            Ok(found) => found,
            Err(TryRecvError::Empty) => return,
            Err(TryRecvError::Disconnected) => Found {
                missing: Script::ALL.to_vec(),
                ..Default::default()
            },
        };
        self.pending = None;
        install(ctx, &found.fonts);
        if !found.missing.is_empty() {
            log::warn!(
                "fonts: no font found for {} (looked for {}): such text shows as boxes",
                names(&found.missing),
                CANDIDATES.join(", ")
            );
        }
        self.fonts = found.fonts;
    }

    /// The fallback fonts installed (none until they are found).
    pub fn fonts(&self) -> &[FallbackFont] {
        &self.fonts
    }
}
