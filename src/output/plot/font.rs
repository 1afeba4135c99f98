//! The one font every plot is drawn with: DejaVu Sans, embedded in the binary so that PNGs render
//! the same on a machine with no system fonts. Its licence ships beside it in
//! `assets/fonts/LICENSE-DejaVu`.
//!
//! plotters (with its `ab_glyph` feature) draws text only in fonts registered by family name; the
//! font is registered once, under the generic family `sans-serif`, which is also what SVG files
//! name so that a browser substitutes its own sans-serif font there.

use std::sync::OnceLock;

use plotters::style::FontStyle;

/// The family name plots ask for.
pub const FAMILY: &str = "sans-serif";

const DEJAVU_SANS: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// Registers the embedded font (once per process); an error says why it could not be.
pub fn register() -> Result<(), String> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            plotters::style::register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS)
                .map_err(|_| "the embedded DejaVu Sans font could not be read".to_string())
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_font_registers() {
        assert_eq!(register(), Ok(()));
        assert_eq!(register(), Ok(()), "registering twice is harmless");
        assert!(DEJAVU_SANS.len() > 100_000);
    }
}
