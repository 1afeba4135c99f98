//! PNG encoding of an RGB buffer drawn by plotters' bitmap backend. plotters' own PNG writer
//! pulls in the `image` crate; the `png` crate alone is much smaller and gives the same file.

/// Encodes `rgb` (`width × height × 3` bytes, row by row) as an 8-bit RGB PNG.
pub fn encode_rgb(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder
            .write_header()
            .map_err(|error| format!("cannot encode PNG: {error}"))?;
        writer
            .write_image_data(rgb)
            .map_err(|error| format!("cannot encode PNG: {error}"))?;
        writer
            .finish()
            .map_err(|error| format!("cannot encode PNG: {error}"))?;
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_the_decoder() {
        let (width, height) = (3u32, 2u32);
        let rgb: Vec<u8> = (0..width * height * 3)
            .map(|value| value as u8 * 10)
            .collect();
        let bytes = encode_rgb(&rgb, width, height).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut decoded = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut decoded).unwrap();
        assert_eq!((info.width, info.height), (width, height));
        assert_eq!(&decoded[..info.buffer_size()], rgb.as_slice());
    }

    #[test]
    fn a_short_buffer_is_an_error_not_a_panic() {
        assert!(encode_rgb(&[0; 5], 3, 2).is_err());
    }
}
