//! The demo's animation: the professional network of a patch week by week (posts around a circle
//! by agency, ties drawn thicker as they strengthen and gone as they break, vacant posts hollow,
//! the minder marked) above a bar of children waiting for help against children being helped.
//!
//! Frames are drawn with plotters into an RGB buffer and encoded as a GIF with a fixed palette
//! (6 × 6 × 6 levels), so the file is the same bytes for the same run on any machine.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::model::{Agency, NetworkFrame, Role};
use crate::output::plot::network::{AGENCIES, agency_colour, agency_name, circle_layout};
use crate::output::plot::{font, text_style};

const WIDTH: u32 = 640;
const HEIGHT: u32 = 520;

/// Where each post sits: around a circle by agency (the minder in the middle).
fn layout(posts: &[(Role, bool, bool)]) -> Vec<(i32, i32)> {
    let keys: Vec<(Agency, bool)> = posts
        .iter()
        .map(|&(role, _, minder)| (role.agency(), minder))
        .collect();
    circle_layout(&keys, (f64::from(WIDTH) / 2.0, 250.0), 185.0)
}

fn draw_frame(frame: &NetworkFrame, weeks_total: u32, rgb: &mut [u8]) -> Result<(), String> {
    let root = BitMapBackend::with_buffer(rgb, (WIDTH, HEIGHT)).into_drawing_area();
    let fail = |e: &dyn std::fmt::Display| format!("cannot draw the animation: {e}");
    root.fill(&WHITE).map_err(|e| fail(&e))?;
    let title = format!(
        "Week {} of {}: the professional network",
        frame.week, weeks_total
    );
    root.draw(&Text::new(title, (12, 10), text_style(18.0)))
        .map_err(|e| fail(&e))?;
    let at = layout(&frame.posts);
    for &(a, b, strength) in &frame.ties {
        if strength < 0.3 {
            continue;
        }
        let shade = (200.0 - 170.0 * f64::from(strength)).clamp(0.0, 255.0) as u8;
        let style =
            RGBColor(shade, shade, shade).stroke_width((1.0 + 4.0 * f64::from(strength)) as u32);
        root.draw(&PathElement::new(
            vec![at[a as usize], at[b as usize]],
            style,
        ))
        .map_err(|e| fail(&e))?;
    }
    for (i, &(role, in_post, minder)) in frame.posts.iter().enumerate() {
        let colour = if minder {
            BLACK
        } else {
            agency_colour(role.agency())
        };
        let radius = if minder { 11 } else { 7 };
        let style = if in_post {
            colour.filled()
        } else {
            colour.stroke_width(2)
        };
        root.draw(&Circle::new(at[i], radius, style))
            .map_err(|e| fail(&e))?;
    }
    // Legend.
    for (k, agency) in AGENCIES.into_iter().enumerate() {
        let y = 40 + 18 * k as i32;
        root.draw(&Circle::new((18, y + 7), 5, agency_colour(agency).filled()))
            .map_err(|e| fail(&e))?;
        root.draw(&Text::new(agency_name(agency), (28, y), text_style(13.0)))
            .map_err(|e| fail(&e))?;
    }
    let notes = [
        "black: the minder",
        "hollow: post vacant",
        "lines: ties, thicker = stronger",
    ];
    for (k, note) in notes.into_iter().enumerate() {
        let y = 40 + 18 * k as i32;
        let style = text_style(13.0).pos(Pos::new(HPos::Right, VPos::Top));
        root.draw(&Text::new(note, (WIDTH as i32 - 12, y), style))
            .map_err(|e| fail(&e))?;
    }
    // Children waiting against children helped.
    let total = (frame.waiting + frame.helped).max(1);
    let (x0, x1, y0) = (12, WIDTH as i32 - 12, 470);
    let split = x0 + ((x1 - x0) as f64 * f64::from(frame.waiting) / f64::from(total)) as i32;
    root.draw(&Rectangle::new(
        [(x0, y0), (split, y0 + 30)],
        RGBColor(0xE6, 0x9F, 0x00).filled(),
    ))
    .map_err(|e| fail(&e))?;
    root.draw(&Rectangle::new(
        [(split, y0), (x1, y0 + 30)],
        RGBColor(0x00, 0x72, 0xB2).filled(),
    ))
    .map_err(|e| fail(&e))?;
    let label = format!(
        "children waiting for help: {}    being helped: {}",
        frame.waiting, frame.helped
    );
    root.draw(&Text::new(label, (12, y0 - 22), text_style(15.0)))
        .map_err(|e| fail(&e))?;
    root.present().map_err(|e| fail(&e))?;
    Ok(())
}

/// The 6 × 6 × 6 palette the frames are reduced to.
fn palette() -> Vec<u8> {
    let mut palette = Vec::with_capacity(216 * 3);
    for r in 0..6u8 {
        for g in 0..6u8 {
            for b in 0..6u8 {
                palette.extend_from_slice(&[r * 51, g * 51, b * 51]);
            }
        }
    }
    palette
}

fn level(value: u8) -> u8 {
    ((u16::from(value) + 25) / 51) as u8
}

/// Encodes the frames (one every `step` weeks) as an animated GIF, `delay` hundredths of a second
/// each, looping.
pub fn network_gif(frames: &[NetworkFrame], step: usize, delay: u16) -> Result<Vec<u8>, String> {
    font::register()?;
    let weeks_total = frames.len() as u32;
    let mut bytes = Vec::new();
    {
        let mut encoder = gif::Encoder::new(&mut bytes, WIDTH as u16, HEIGHT as u16, &palette())
            .map_err(|e| format!("cannot encode the animation: {e}"))?;
        encoder
            .set_repeat(gif::Repeat::Infinite)
            .map_err(|e| format!("cannot encode the animation: {e}"))?;
        let mut rgb = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
        for frame in frames.iter().step_by(step.max(1)) {
            draw_frame(frame, weeks_total, &mut rgb)?;
            let indices: Vec<u8> = rgb
                .chunks_exact(3)
                .map(|p| level(p[0]) * 36 + level(p[1]) * 6 + level(p[2]))
                .collect();
            let mut gif_frame =
                gif::Frame::from_indexed_pixels(WIDTH as u16, HEIGHT as u16, indices, None);
            gif_frame.delay = delay;
            encoder
                .write_frame(&gif_frame)
                .map_err(|e| format!("cannot encode the animation: {e}"))?;
        }
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_network_animates() {
        let frame = |week, strength| NetworkFrame {
            week,
            posts: vec![
                (Role::Senco, true, false),
                (Role::SocialWorker, true, false),
                (Role::EarlyHelp, false, false),
                (Role::EarlyHelp, true, true),
            ],
            ties: vec![(0, 1, strength), (1, 3, 0.5)],
            waiting: 5,
            helped: 3,
        };
        let bytes = network_gif(&[frame(0, 0.2), frame(1, 0.9)], 1, 20).unwrap();
        assert_eq!(&bytes[..6], b"GIF89a");
        assert!(bytes.len() > 2_000);
        assert_eq!(
            bytes,
            network_gif(&[frame(0, 0.2), frame(1, 0.9)], 1, 20).unwrap()
        );
    }
}
