//! Text on the card: glyphs from the embedded DejaVu Sans (regular and bold), then from fallback fonts
//! the caller passes (the app's CJK fonts) for characters it lacks, rasterised by ab_glyph and blended
//! into the pixmap.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use tiny_skia::Pixmap;

/// DejaVu Sans (Bitstream Vera licence, resources/fonts/DejaVu-LICENSE.txt).
const REGULAR: &[u8] = include_bytes!("../../../../resources/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../../../../resources/fonts/DejaVuSans-Bold.ttf");

/// Regular or bold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

/// The fonts a card draws with.
pub struct Fonts<'a> {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
    fallbacks: Vec<FontRef<'a>>,
}

impl<'a> Fonts<'a> {
    /// The embedded fonts, then `fallbacks`: (font file bytes, face index); unreadable ones are skipped.
    pub fn new(fallbacks: &[(&'a [u8], u32)]) -> Fonts<'a> {
        Fonts {
            // The embedded files are valid fonts (tests load them).
            regular: FontRef::try_from_slice(REGULAR).unwrap_or_else(|_| unreachable!()),
            bold: FontRef::try_from_slice(BOLD).unwrap_or_else(|_| unreachable!()),
            fallbacks: fallbacks
                .iter()
                .filter_map(|&(b, index)| FontRef::try_from_slice_and_index(b, index).ok())
                .collect(),
        }
    }

    /// The font that draws `c`: the embedded one of `weight`, else the first fallback that has it, else
    /// the embedded one (its missing-glyph box).
    fn font_for(&self, c: char, weight: Weight) -> &FontRef<'_> {
        let main = match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        };
        if main.glyph_id(c).0 != 0 || c.is_whitespace() {
            return main;
        }
        self.fallbacks
            .iter()
            .find(|f| f.glyph_id(c).0 != 0)
            .unwrap_or(main)
    }

    /// The width of `text` at `px` pixels, in pixels.
    pub fn width(&self, text: &str, px: f32, weight: Weight) -> f32 {
        let scale = PxScale::from(px);
        text.chars()
            .map(|c| {
                let f = self.font_for(c, weight).as_scaled(scale);
                f.h_advance(f.glyph_id(c))
            })
            .sum()
    }

    /// `text` cut with "…" to fit `max_px` pixels.
    pub fn fit(&self, text: &str, px: f32, weight: Weight, max_px: f32) -> String {
        if self.width(text, px, weight) <= max_px {
            return text.to_owned();
        }
        let mut out: String = text.to_owned();
        while !out.is_empty() && self.width(&format!("{out}…"), px, weight) > max_px {
            out.pop();
        }
        format!("{out}…")
    }

    /// Draws `text` with its baseline at `y`, starting at `x`; returns the width drawn.
    #[allow(clippy::too_many_arguments)]
    pub fn draw(
        &self,
        pixmap: &mut Pixmap,
        text: &str,
        x: f32,
        y: f32,
        px: f32,
        weight: Weight,
        rgb: [u8; 3],
    ) -> f32 {
        let scale = PxScale::from(px);
        let mut pen = x;
        for c in text.chars() {
            let font = self.font_for(c, weight);
            let scaled = font.as_scaled(scale);
            let id = scaled.glyph_id(c);
            let glyph = id.with_scale_and_position(scale, point(pen, y));
            pen += scaled.h_advance(id);
            if let Some(outlined) = font.outline_glyph(glyph) {
                let bounds = outlined.px_bounds();
                outlined.draw(|gx, gy, coverage| {
                    let px_x = bounds.min.x as i32 + gx as i32;
                    let px_y = bounds.min.y as i32 + gy as i32;
                    blend(pixmap, px_x, px_y, rgb, coverage);
                });
            }
        }
        pen - x
    }
}

/// Blends `rgb` at `coverage` (0–1) over the pixel at (`x`, `y`) of an opaque pixmap.
fn blend(pixmap: &mut Pixmap, x: i32, y: i32, rgb: [u8; 3], coverage: f32) {
    let (w, h) = (pixmap.width() as i32, pixmap.height() as i32);
    if x < 0 || y < 0 || x >= w || y >= h {
        return;
    }
    let a = coverage.clamp(0.0, 1.0);
    let i = 4 * (y as usize * w as usize + x as usize);
    let data = pixmap.data_mut();
    for (k, &c) in rgb.iter().enumerate() {
        let old = f32::from(data[i + k]);
        data[i + k] = (old + (f32::from(c) - old) * a).round() as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_fonts_load_and_cover_latin_and_cyrillic() {
        assert!(FontRef::try_from_slice(REGULAR).is_ok());
        assert!(FontRef::try_from_slice(BOLD).is_ok());
        let fonts = Fonts::new(&[]);
        for c in ['A', 'é', 'Ж', '0', '·'] {
            assert_ne!(fonts.font_for(c, Weight::Regular).glyph_id(c).0, 0, "{c}");
        }
        assert!(fonts.width("Alice", 20.0, Weight::Bold) > fonts.width("Al", 20.0, Weight::Bold));
        let cut = fonts.fit(
            "A very long player name indeed",
            20.0,
            Weight::Regular,
            120.0,
        );
        assert!(cut.ends_with('…') && fonts.width(&cut, 20.0, Weight::Regular) <= 120.0);
    }

    #[test]
    fn drawing_marks_pixels_in_the_colour() {
        let mut p = Pixmap::new(200, 60).unwrap();
        p.fill(tiny_skia::Color::BLACK);
        let w = Fonts::new(&[]).draw(&mut p, "Hello", 10.0, 40.0, 30.0, Weight::Bold, [255, 0, 0]);
        assert!(w > 50.0);
        let red = p
            .data()
            .chunks(4)
            .filter(|px| px[0] > 200 && px[1] < 50)
            .count();
        assert!(red > 100, "{red} red pixels");
    }
}
