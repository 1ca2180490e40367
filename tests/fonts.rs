//! The fallback fonts for Chinese, Japanese and Korean (src/app/fonts.rs), from a known font file:
//! Droid Sans Fallback (Debian's `fonts-droid-fallback`: Chinese and Japanese, no Korean) and NanumGothic
//! (`fonts-nanum`: Korean), which scripts/test.sh installs.

use std::path::Path;

use bar_live_app::app::fonts::{self, Script};
use egui::{FontFamily, FontId, RawInput};

const DROID: &str = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf";
/// Chinese, Korean and Japanese names, a Chinese unit label.
const CJK: &str = "小明민준さくらカタカナ走卒";

const NANUM: &str = "/usr/share/fonts/truetype/nanum/NanumGothic.ttf";

fn installed(path: &'static str, package: &str) -> &'static Path {
    let path = Path::new(path);
    assert!(
        path.exists(),
        "{} is missing: apt-get install {package}",
        path.display()
    );
    path
}

fn droid() -> &'static Path {
    installed(DROID, "fonts-droid-fallback")
}

fn nanum() -> &'static Path {
    installed(NANUM, "fonts-nanum")
}

/// Both fallbacks: Droid for Chinese and Japanese, Nanum for Korean.
fn both() -> Vec<fonts::FallbackFont> {
    vec![
        fonts::load_face(droid(), 0).expect("Droid Sans Fallback loads"),
        fonts::load_face(nanum(), 0).expect("NanumGothic loads"),
    ]
}

fn frame(ctx: &egui::Context) {
    let _ = ctx.run_ui(RawInput::default(), |ui| {
        ui.label(format!("Алиса {CJK}"));
    });
}

fn has_glyphs(ctx: &egui::Context, font: &FontId, text: &str) -> bool {
    ctx.fonts_mut(|f| f.has_glyphs(font, text))
}

#[test]
fn cjk_glyphs_resolve_once_the_fallback_is_installed() {
    let ctx = egui::Context::default();
    frame(&ctx);
    let (prop, mono) = (FontId::proportional(14.0), FontId::monospace(14.0));
    assert!(has_glyphs(&ctx, &prop, "Алиса Alice"));
    assert!(!has_glyphs(&ctx, &prop, CJK), "egui's own fonts have CJK?");
    assert!(!has_glyphs(&ctx, &mono, CJK));

    let fallbacks = both();
    assert_eq!(fallbacks[0].scripts, [Script::Han, Script::Kana]);
    assert!(fallbacks[1].scripts.contains(&Script::Hangul));
    fonts::install(&ctx, &fallbacks);
    frame(&ctx);
    assert!(has_glyphs(&ctx, &prop, CJK));
    assert!(has_glyphs(&ctx, &mono, CJK));

    // After egui's own fonts: Latin and Cyrillic still come from them.
    let names: Vec<String> = fallbacks.iter().map(|f| f.name.clone()).collect();
    ctx.fonts(|f| {
        for family in [FontFamily::Proportional, FontFamily::Monospace] {
            let list = &f.definitions().families[&family];
            assert_eq!(list[list.len() - 2..], names[..], "{family:?}: {list:?}");
            assert!(list.len() > 2);
        }
    });
    let prop_chars = ctx.fonts_mut(|f| f.characters(&FontFamily::Proportional).clone());
    assert_eq!(
        prop_chars[&'A'].first().map(String::as_str),
        Some("Ubuntu-Light")
    );
    assert_eq!(prop_chars[&'민'], vec![names[1].clone()]);
    // Drawn by the first fallback that has it (Nanum has hanja too, after Droid).
    assert_eq!(prop_chars[&'小'].first(), Some(&names[0]));
}

#[test]
fn font_definitions_put_the_fallback_last_in_both_families() {
    let fallbacks = both();
    let definitions = fonts::font_definitions(&fallbacks);
    let plain = egui::FontDefinitions::default();
    for family in [FontFamily::Proportional, FontFamily::Monospace] {
        let mut expected = plain.families[&family].clone();
        expected.extend(fallbacks.iter().map(|f| f.name.clone()));
        assert_eq!(definitions.families[&family], expected);
    }
    let ctx = egui::Context::default();
    ctx.set_fonts(definitions);
    frame(&ctx);
    assert!(has_glyphs(&ctx, &FontId::proportional(14.0), CJK));
}

#[test]
fn discovery_chooses_a_face_per_script_not_yet_covered() {
    let mut db = fontdb::Database::new();
    db.load_font_file(droid())
        .expect("Droid Sans Fallback is a font");
    db.load_font_file(nanum()).expect("NanumGothic is a font");
    db.load_fonts_dir("/usr/share/fonts/truetype/dejavu");
    // A family not installed and one without CJK glyphs (DejaVu, where installed) are passed over;
    // Droid serves Chinese and Japanese, Nanum the Korean that Droid lacks.
    let found = fonts::discover(
        &db,
        &[
            "No Such Family",
            "DejaVu Sans",
            "Droid Sans Fallback",
            "NanumGothic",
        ],
    );
    assert!(found.missing.is_empty(), "{:?}", found.missing);
    let names: Vec<&str> = found.fonts.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "fallback:DroidSansFallbackFull.ttf#0",
            "fallback:NanumGothic.ttf#0"
        ]
    );

    // Without Nanum: Korean is named as missing (the app logs it once).
    let found = fonts::discover(&db, &["Droid Sans Fallback"]);
    assert_eq!(found.fonts.len(), 1);
    assert_eq!(found.missing, [Script::Hangul]);

    let found = fonts::discover(&db, &["DejaVu Sans"]);
    assert!(found.fonts.is_empty());
    assert_eq!(found.missing, Script::ALL);
}

#[test]
fn a_file_that_is_not_a_font_is_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("not-a-font.ttf");
    std::fs::write(&path, b"hello").expect("write");
    let err = fonts::load_face(&path, 0).expect_err("not a font");
    assert!(matches!(err, fonts::FontError::Face { .. }), "{err}");
    let err = fonts::load_face(&dir.path().join("missing.ttf"), 0).expect_err("no file");
    assert!(matches!(err, fonts::FontError::Read { .. }), "{err}");
    assert!(
        fonts::load_face(droid(), 7).is_err(),
        "face 7 of a single font"
    );
}
