//! The demo's animation: the professional network of a patch week by week (posts around a circle
//! by agency, ties drawn thicker as they strengthen and gone as they break, vacant posts hollow,
//! the minder marked) above two labelled bars: children waiting for help and children being
//! helped, both on one scale (the run's largest count), so the bars grow and shrink as the weeks
//! pass and a week with nobody in either shows two empty bars, not a full one. When a scheduled
//! event happens a caption says so, held on screen for `CAPTION_WEEKS` and its first frame held
//! longer, so a room sees what changed before the network answers.
//!
//! Frames are drawn with plotters into an RGB buffer and encoded as a GIF with a fixed palette
//! (6 × 6 × 6 levels), so the file is the same bytes for the same run on any machine.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::model::{Agency, FramePost, NetworkFrame, SchoolId};
use crate::output::plot::network::{AGENCIES, agency_colour, agency_name, circle_layout};
use crate::output::plot::{font, text_style};

const WIDTH: u32 = 640;
const HEIGHT: u32 = 600;

/// Weeks a caption stays on screen after its event.
const CAPTION_WEEKS: u32 = 12;

/// Hundredths of a second the first frame showing a caption is held, time to read it aloud.
const CAPTION_HOLD: u16 = 250;

/// Where the network's circle sits: below the title, the caption band and the legend.
const CENTRE_Y: f64 = 300.0;

/// Where each post sits: around a circle by agency, then school, a gap between groups (the minder
/// in the middle), as in the network plot.
fn layout(posts: &[FramePost]) -> Vec<(i32, i32)> {
    let keys: Vec<((Agency, Option<SchoolId>), bool)> = posts
        .iter()
        .map(|post| ((post.role.agency(), post.school), post.minder))
        .collect();
    circle_layout(&keys, |&key| key, (f64::from(WIDTH) / 2.0, CENTRE_Y), 185.0)
}

/// What a frame shows besides the network: its title, the weeks of the run, the largest count the bars must
/// hold, and the caption of an event in the last `CAPTION_WEEKS` weeks.
struct Overlay<'a> {
    /// What the title says the picture is ("the professional network", "... without the minder").
    title: &'a str,
    weeks_total: u32,
    bar_scale: u32,
    caption: Option<&'a str>,
}

fn draw_frame(frame: &NetworkFrame, overlay: &Overlay, rgb: &mut [u8]) -> Result<(), String> {
    let weeks_total = overlay.weeks_total;
    let root = BitMapBackend::with_buffer(rgb, (WIDTH, HEIGHT)).into_drawing_area();
    let fail = |e: &dyn std::fmt::Display| format!("cannot draw the animation: {e}");
    root.fill(&WHITE).map_err(|e| fail(&e))?;
    let title = format!("Week {} of {}: {}", frame.week, weeks_total, overlay.title);
    root.draw(&Text::new(title, (12, 10), text_style(18.0)))
        .map_err(|e| fail(&e))?;
    if let Some(caption) = overlay.caption {
        root.draw(&Rectangle::new(
            [(12, 36), (WIDTH as i32 - 12, 62)],
            RGBColor(0xFF, 0xFF, 0x99).filled(),
        ))
        .map_err(|e| fail(&e))?;
        let style = text_style(16.0).pos(Pos::new(HPos::Center, VPos::Center));
        root.draw(&Text::new(caption, (WIDTH as i32 / 2, 49), style))
            .map_err(|e| fail(&e))?;
    }
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
    for (i, post) in frame.posts.iter().enumerate() {
        let colour = if post.minder {
            BLACK
        } else {
            agency_colour(post.role.agency())
        };
        let radius = if post.minder { 11 } else { 7 };
        let style = if post.in_post {
            colour.filled()
        } else {
            colour.stroke_width(2)
        };
        root.draw(&Circle::new(at[i], radius, style))
            .map_err(|e| fail(&e))?;
    }
    // Legend.
    for (k, agency) in AGENCIES.into_iter().enumerate() {
        let y = 70 + 18 * k as i32;
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
        let y = 70 + 18 * k as i32;
        let style = text_style(13.0).pos(Pos::new(HPos::Right, VPos::Top));
        root.draw(&Text::new(note, (WIDTH as i32 - 12, y), style))
            .map_err(|e| fail(&e))?;
    }
    // Children waiting and children helped, each a labelled bar on the run's scale.
    let bars = [
        (
            "waiting for help",
            frame.waiting,
            RGBColor(0xE6, 0x9F, 0x00),
        ),
        ("being helped", frame.helped, RGBColor(0x00, 0x72, 0xB2)),
    ];
    let (x0, x1) = (140, WIDTH as i32 - 60);
    for (k, (label, count, colour)) in bars.into_iter().enumerate() {
        let y = 512 + 34 * k as i32;
        let left = text_style(15.0).pos(Pos::new(HPos::Right, VPos::Center));
        root.draw(&Text::new(label, (x0 - 8, y + 12), left))
            .map_err(|e| fail(&e))?;
        root.draw(&Rectangle::new(
            [(x0, y), (x1, y + 24)],
            RGBColor(0xCC, 0xCC, 0xCC).stroke_width(1),
        ))
        .map_err(|e| fail(&e))?;
        let end = x0 + ((x1 - x0) as f64 * f64::from(count) / f64::from(overlay.bar_scale)) as i32;
        if count > 0 {
            root.draw(&Rectangle::new([(x0, y), (end, y + 24)], colour.filled()))
                .map_err(|e| fail(&e))?;
        }
        let right = text_style(15.0).pos(Pos::new(HPos::Left, VPos::Center));
        root.draw(&Text::new(count.to_string(), (end + 6, y + 12), right))
            .map_err(|e| fail(&e))?;
    }
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
/// each, looping, each titled with its week and `title`. `events` (week, label) are captioned from
/// their week for `CAPTION_WEEKS` weeks.
pub fn network_gif(
    frames: &[NetworkFrame],
    title: &str,
    events: &[(u32, &str)],
    step: usize,
    delay: u16,
) -> Result<Vec<u8>, String> {
    font::register()?;
    let weeks_total = frames.len() as u32;
    let bar_scale = frames
        .iter()
        .map(|frame| frame.waiting.max(frame.helped))
        .max()
        .unwrap_or(0)
        .max(1);
    let mut captioned_before: Option<String> = None;
    let mut bytes = Vec::new();
    {
        let mut encoder = gif::Encoder::new(&mut bytes, WIDTH as u16, HEIGHT as u16, &palette())
            .map_err(|e| format!("cannot encode the animation: {e}"))?;
        encoder
            .set_repeat(gif::Repeat::Infinite)
            .map_err(|e| format!("cannot encode the animation: {e}"))?;
        let mut rgb = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
        for frame in frames.iter().step_by(step.max(1)) {
            let caption = events
                .iter()
                .rev()
                .find(|&&(week, _)| week <= frame.week && frame.week < week + CAPTION_WEEKS)
                .map(|&(week, label)| format!("Week {week}: {label}"));
            let overlay = Overlay {
                title,
                weeks_total,
                bar_scale,
                caption: caption.as_deref(),
            };
            draw_frame(frame, &overlay, &mut rgb)?;
            let indices: Vec<u8> = rgb
                .chunks_exact(3)
                .map(|p| level(p[0]) * 36 + level(p[1]) * 6 + level(p[2]))
                .collect();
            let mut gif_frame =
                gif::Frame::from_indexed_pixels(WIDTH as u16, HEIGHT as u16, indices, None);
            let new_caption = caption.is_some() && caption != captioned_before;
            gif_frame.delay = if new_caption { CAPTION_HOLD } else { delay };
            captioned_before = caption;
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
    use crate::model::Role;

    #[test]
    fn a_small_network_animates() {
        let frame = |week, strength| NetworkFrame {
            week,
            posts: vec![
                FramePost::new(Role::Senco, Some(SchoolId::primary(1)), true, false),
                FramePost::new(Role::SocialWorker, None, true, false),
                FramePost::new(Role::EarlyHelp, None, false, false),
                FramePost::new(Role::EarlyHelp, None, true, true),
            ],
            ties: vec![(0, 1, strength), (1, 3, 0.5)],
            waiting: 5,
            helped: 3,
        };
        let frames = [frame(0, 0.2), frame(1, 0.9)];
        let bytes = network_gif(&frames, "the network", &[], 1, 20).unwrap();
        assert_eq!(&bytes[..6], b"GIF89a");
        assert!(bytes.len() > 2_000);
        assert_eq!(
            bytes,
            network_gif(&frames, "the network", &[], 1, 20).unwrap()
        );
        // A caption changes the frames it is shown on, and its first frame is held.
        let captioned =
            network_gif(&frames, "the network", &[(1, "minder withdrawn")], 1, 20).unwrap();
        assert_ne!(bytes, captioned);
        let mut decoder = gif::DecodeOptions::new()
            .read_info(captioned.as_slice())
            .unwrap();
        let mut delays = Vec::new();
        while let Some(frame) = decoder.read_next_frame().unwrap() {
            delays.push(frame.delay);
        }
        assert_eq!(delays, vec![20, CAPTION_HOLD]);
    }

    fn pixel(rgb: &[u8], (x, y): (u32, u32)) -> [u8; 3] {
        let at = ((y * WIDTH + x) * 3) as usize;
        [rgb[at], rgb[at + 1], rgb[at + 2]]
    }

    /// The first week, with nobody waiting or helped, shows two empty bars (not one full bar);
    /// a full week fills the bar of the largest count; a caption shows in its band.
    #[test]
    fn bars_start_empty_and_captions_show() {
        let frame = |waiting, helped| NetworkFrame {
            week: 0,
            posts: vec![FramePost::new(
                Role::Senco,
                Some(SchoolId::primary(1)),
                true,
                false,
            )],
            ties: Vec::new(),
            waiting,
            helped,
        };
        let mut rgb = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
        let plain = Overlay {
            title: "the network",
            weeks_total: 10,
            bar_scale: 8,
            caption: None,
        };
        // Inside the waiting bar and the helped bar, past the count written after an empty bar.
        let (waiting_bar, helped_bar) = ((300, 524), (200, 558));
        let band = (20, 40);
        draw_frame(&frame(0, 0), &plain, &mut rgb).unwrap();
        assert_eq!(pixel(&rgb, waiting_bar), [255, 255, 255]);
        assert_eq!(pixel(&rgb, helped_bar), [255, 255, 255]);
        assert_eq!(pixel(&rgb, band), [255, 255, 255]);
        draw_frame(&frame(8, 2), &plain, &mut rgb).unwrap();
        assert_eq!(pixel(&rgb, waiting_bar), [0xE6, 0x9F, 0x00]);
        assert_eq!(pixel(&rgb, helped_bar), [0x00, 0x72, 0xB2]);
        // The helped bar is a quarter of the way along: empty past its middle.
        assert_eq!(pixel(&rgb, (400, 558)), [255, 255, 255]);
        let captioned = Overlay {
            caption: Some("Week 0: minder withdrawn"),
            ..plain
        };
        draw_frame(&frame(0, 0), &captioned, &mut rgb).unwrap();
        assert_eq!(pixel(&rgb, band), [0xFF, 0xFF, 0x99]);
    }
}
