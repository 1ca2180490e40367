//! The fallback fonts for Chinese, Japanese and Korean (src/app/fonts.rs), from a known font file:
//! Droid Sans Fallback (Debian's `fonts-droid-fallback`, which scripts/test.sh installs).

use std::path::Path;

use bar_live_app::app::fonts::{self, Script};
use egui::{FontFamily, FontId, RawInput};

const DROID: &str = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf";
/// Chinese, Korean and Japanese names, a Chinese unit label.
const CJK: &str = "小明민준さくらカタカナ走卒";

fn droid() -> &'static Path {
    let path = Path::new(DROID);
    assert!(
        path.exists(),
        "{DROID} is missing: apt-get install fonts-droid-fallback"
    );
    path
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

    let font = fonts::load_face(droid(), 0).expect("Droid Sans Fallback loads");
    assert_eq!(font.scripts, Script::ALL);
    fonts::install(&ctx, std::slice::from_ref(&font));
    frame(&ctx);
    assert!(has_glyphs(&ctx, &prop, CJK));
    assert!(has_glyphs(&ctx, &mono, CJK));

    // After egui's own fonts: Latin and Cyrillic still come from them.
    ctx.fonts(|f| {
        for family in [FontFamily::Proportional, FontFamily::Monospace] {
            let names = &f.definitions().families[&family];
            assert_eq!(names.last(), Some(&font.name), "{family:?}: {names:?}");
            assert!(names.len() > 1);
        }
    });
    let prop_chars = ctx.fonts_mut(|f| f.characters(&FontFamily::Proportional).clone());
    assert_eq!(
        prop_chars[&'A'].first().map(String::as_str),
        Some("Ubuntu-Light")
    );
    assert_eq!(prop_chars[&'小'], vec![font.name.clone()]);
}

#[test]
fn font_definitions_put_the_fallback_last_in_both_families() {
    let font = fonts::load_face(droid(), 0).expect("Droid Sans Fallback loads");
    let definitions = fonts::font_definitions(std::slice::from_ref(&font));
    let plain = egui::FontDefinitions::default();
    for family in [FontFamily::Proportional, FontFamily::Monospace] {
        let mut expected = plain.families[&family].clone();
        expected.push(font.name.clone());
        assert_eq!(definitions.families[&family], expected);
    }
    let ctx = egui::Context::default();
    ctx.set_fonts(definitions);
    frame(&ctx);
    assert!(has_glyphs(&ctx, &FontId::proportional(14.0), CJK));
}

#[test]
fn discovery_chooses_one_face_for_all_scripts_it_covers() {
    let mut db = fontdb::Database::new();
    db.load_font_file(droid())
        .expect("Droid Sans Fallback is a font");
    db.load_fonts_dir("/usr/share/fonts/truetype/dejavu");
    // A family not installed and one without CJK glyphs (DejaVu, where installed) are passed over.
    let found = fonts::discover(
        &db,
        &["No Such Family", "DejaVu Sans", "Droid Sans Fallback"],
    );
    assert!(found.missing.is_empty(), "{:?}", found.missing);
    assert_eq!(found.fonts.len(), 1, "{:?}", found.fonts);
    assert_eq!(found.fonts[0].scripts, Script::ALL);
    assert_eq!(found.fonts[0].name, "fallback:DroidSansFallbackFull.ttf#0");

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
