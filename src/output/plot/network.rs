//! The professional network of the first patch in replicate 0 at chosen weeks, as small multiples
//! drawn from `network_posts.csv` and `network_ties.csv`: a panel per week (columns) and per arm
//! (rows, for a comparison).
//!
//! Each panel places the posts around a circle grouped by agency, then by school (a school's
//! head, SENCO and pastoral leads side by side, labelled "P1" ... "S1" outside the circle), then by
//! role, in post order, with a gap between groups (`circle_layout`, shared with the demo's
//! animation), the system minder in the middle. A post's
//! colour is its agency (Okabe–Ito); its marker's shape is its role within the agency (circle,
//! diamond, triangle, square: at most four roles share an agency, so shapes stay few enough to
//! tell apart at fifty posts, where text labels would not fit); a vacant post is hollow. The
//! minder is a larger black disc labelled "minder". A tie is a line whose width (1 to 4 pixels)
//! and opacity grow with its strength above `STRONG_TIE`; weaker ties are drawn first so that
//! strong ones stay on top. Only working ties (`STRONG_TIE`, 0.3, or
//! more) are drawn: the hundreds of weaker ones the files hold (above 0.05) made a hairball. Each
//! agency is named inside the circle by its arc. Panel titles name the arm and the week, with the
//! number of posts held and of ties drawn and recorded, and say when the week is the one before a
//! timeline event of the first patch (from `events.csv`), the first measured week, the last week
//! of the run (from `weekly.csv`) or how long after the latest event it is. A legend under the
//! panels names agencies, role shapes, the minder and the meaning of line width.

use std::collections::{BTreeMap, BTreeSet};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::model::{Agency, Role, SchoolId};
use crate::output::demo::role_name;
use crate::output::plot::{
    ANNOTATION_GREY, Figure, NetworkPanel, NetworkPost, PlotData, TimelineEvent, drawing_error,
    fitted, text_style,
};

/// The one-sentence caption of the network figure in `report.html` and `report.md`, for a run
/// or (`comparison`) a comparison.
pub fn caption(comparison: bool) -> String {
    format!(
        "The professionals of the first locality in replicate 0{} at the end of each chosen week (set \
         with --network-weeks): each post is coloured by agency and shaped by role, hollow when vacant, \
         the system minder (where there is one) in black in the middle, and a line joins two people whose \
         tie is a working one (strength 0.3 or more), wider and darker as it strengthens; weaker ties are in \
         network_ties.csv.",
        if comparison {
            " of each scenario (a row each, on the same seed)"
        } else {
            ""
        }
    )
}

/// The network figure's alternative text.
pub const ALT: &str =
    "The professional network at chosen weeks: posts by agency and role, ties by strength";

/// Every agency, in the order of the legend and of the circle.
pub(crate) const AGENCIES: [Agency; 5] = [
    Agency::School,
    Agency::SocialCare,
    Agency::EarlyHelp,
    Agency::Health,
    Agency::Education,
];

/// Okabe–Ito colours by agency (safe for colour-blind readers).
pub(crate) fn agency_colour(agency: Agency) -> RGBColor {
    match agency {
        Agency::School => RGBColor(0xE6, 0x9F, 0x00),
        Agency::SocialCare => RGBColor(0xD5, 0x5E, 0x00),
        Agency::EarlyHelp => RGBColor(0x00, 0x9E, 0x73),
        Agency::Health => RGBColor(0x56, 0xB4, 0xE9),
        Agency::Education => RGBColor(0xCC, 0x79, 0xA7),
    }
}

/// An agency in plain words.
pub(crate) fn agency_name(agency: Agency) -> &'static str {
    match agency {
        Agency::School => "schools",
        Agency::SocialCare => "social care",
        Agency::EarlyHelp => "early help",
        Agency::Health => "health",
        Agency::Education => "educational psychology",
    }
}

/// An agency as written in `network_posts.csv`.
pub fn agency_key(agency: Agency) -> &'static str {
    match agency {
        Agency::School => "school",
        Agency::SocialCare => "social_care",
        Agency::EarlyHelp => "early_help",
        Agency::Health => "health",
        Agency::Education => "educational_psychology",
    }
}

/// The agency written as `key` in `network_posts.csv`.
pub fn agency_from_key(key: &str) -> Option<Agency> {
    AGENCIES
        .into_iter()
        .find(|agency| agency_key(*agency) == key)
}

/// Where each post sits: around a circle of `radius` about `centre`, in the order of its key
/// (agency first), an empty place between one group of keys (`group`) and the next so that groups
/// read apart, the minder in the middle. `posts` are (key, is the minder).
pub(crate) fn circle_layout<K: Ord + Copy, G: PartialEq>(
    posts: &[(K, bool)],
    group: impl Fn(&K) -> G,
    centre: (f64, f64),
    radius: f64,
) -> Vec<(i32, i32)> {
    let mut order: Vec<usize> = (0..posts.len()).filter(|&i| !posts[i].1).collect();
    order.sort_by_key(|&i| (posts[i].0, i));
    // The place of each post around the circle, counting a gap after each group.
    let mut places = Vec::with_capacity(order.len());
    let mut place = 0;
    for (k, &i) in order.iter().enumerate() {
        if k > 0 && group(&posts[order[k - 1]].0) != group(&posts[i].0) {
            place += 1;
        }
        places.push(place);
        place += 1;
    }
    let wraps =
        order.len() > 1 && group(&posts[order[0]].0) != group(&posts[order[order.len() - 1]].0);
    let all_places = place + usize::from(wraps);
    let (cx, cy) = centre;
    let mut at = vec![(cx as i32, cy as i32); posts.len()];
    for (&i, &place) in order.iter().zip(&places) {
        let angle = std::f64::consts::TAU * place as f64 / all_places.max(1) as f64
            - std::f64::consts::FRAC_PI_2;
        at[i] = (
            (cx + radius * angle.cos()) as i32,
            (cy + radius * angle.sin()) as i32,
        );
    }
    at
}

/// The marker of a role: its shape within its agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Shape {
    Circle,
    Diamond,
    Triangle,
    Square,
}

/// Roles of an agency take shapes in `Role::ALL` order (the circle first).
fn role_shape(role: Role) -> Shape {
    let rank = Role::ALL
        .iter()
        .filter(|other| other.agency() == role.agency())
        .position(|other| *other == role)
        .unwrap_or(0);
    [
        Shape::Circle,
        Shape::Diamond,
        Shape::Triangle,
        Shape::Square,
    ][rank % 4]
}

/// The roles of `agency`, in `Role::ALL` order.
fn roles_of(agency: Agency) -> impl Iterator<Item = Role> {
    Role::ALL
        .into_iter()
        .filter(move |role| role.agency() == agency)
}

/// The size of a post's marker (its circle's radius), in pixels, where posts are not crowded.
const MARKER: f64 = 6.5;

/// The marker size for `posts` around the circle: smaller when they would otherwise overlap.
fn marker_size(posts: usize) -> f64 {
    let spacing = std::f64::consts::TAU * CIRCLE_RADIUS / posts.max(1) as f64;
    (spacing * 0.38).clamp(2.5, MARKER)
}
/// The minder's disc's radius, in pixels.
const MINDER_RADIUS: i32 = 10;

/// The corners of a polygonal marker of `shape` about `centre`.
fn corners(shape: Shape, (x, y): (i32, i32), size: f64) -> Vec<(i32, i32)> {
    let at = |dx: f64, dy: f64| {
        (
            x + (dx * size).round() as i32,
            y + (dy * size).round() as i32,
        )
    };
    match shape {
        Shape::Circle => Vec::new(),
        Shape::Diamond => vec![at(0.0, -1.3), at(1.15, 0.0), at(0.0, 1.3), at(-1.15, 0.0)],
        Shape::Triangle => vec![at(0.0, -1.3), at(1.2, 0.85), at(-1.2, 0.85)],
        Shape::Square => vec![at(-0.9, -0.9), at(0.9, -0.9), at(0.9, 0.9), at(-0.9, 0.9)],
    }
}

/// Draws one marker: filled in `colour`, or hollow (white inside, outlined in `colour`).
fn draw_marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    shape: Shape,
    centre: (i32, i32),
    size: f64,
    colour: RGBColor,
    filled: bool,
) -> Result<(), String> {
    if shape == Shape::Circle {
        let radius = size.round() as i32;
        if filled {
            area.draw(&Circle::new(centre, radius, colour.filled()))
        } else {
            area.draw(&Circle::new(centre, radius, WHITE.filled()))
                .and_then(|()| area.draw(&Circle::new(centre, radius, colour.stroke_width(2))))
        }
        .map_err(drawing_error)?;
        return Ok(());
    }
    let points = corners(shape, centre, size);
    if filled {
        area.draw(&Polygon::new(points, colour.filled()))
            .map_err(drawing_error)?;
    } else {
        area.draw(&Polygon::new(points.clone(), WHITE.filled()))
            .map_err(drawing_error)?;
        let mut outline = points.clone();
        outline.extend(points.first().copied());
        area.draw(&PathElement::new(outline, colour.stroke_width(2)))
            .map_err(drawing_error)?;
    }
    Ok(())
}

/// A tie's line: from a light hairline at `STRONG_TIE` (the weakest drawn) to a dark line 4 pixels
/// wide at full strength, in proportion between, so that every drawn tie is visible and the
/// strongest working relationships stand out.
fn tie_style(strength: f64) -> ShapeStyle {
    let share = ((strength - STRONG_TIE) / (1.0 - STRONG_TIE)).clamp(0.0, 1.0);
    TIE_COLOUR
        .mix(0.3 + 0.6 * share)
        .stroke_width(1 + (3.0 * share).round() as u32)
}

/// The weakest tie drawn: a working relationship rather than an acquaintance. Most recorded ties
/// sit between 0.05 and 0.3 (hundreds of them at fifty posts); drawn, they make a grey hairball
/// that hides the few ties that carry the work. A fixed threshold (not "the strongest k") keeps
/// panels comparable, so that a restructure shows as fewer lines.
pub const STRONG_TIE: f64 = 0.3;

/// The colour of ties (dark slate, drawn translucent).
const TIE_COLOUR: RGBColor = RGBColor(0x1F, 0x2A, 0x3A);

/// Panel and figure geometry, in pixels.
const PANEL_WIDTH: u32 = 380;
const PANEL_HEIGHT: u32 = 440;
const PANEL_HEADER: i32 = 70;
const CIRCLE_RADIUS: f64 = 150.0;
const TITLE_HEIGHT: u32 = 64;
const LEGEND_HEIGHT: u32 = 180;
const MARGIN: u32 = 20;
const MIN_WIDTH: u32 = 1240;

pub struct NetworkFigure<'a> {
    pub data: &'a PlotData,
}

impl NetworkFigure<'_> {
    /// The arms (rows), in order of first appearance.
    fn arms(&self) -> Vec<&str> {
        let mut arms: Vec<&str> = Vec::new();
        for panel in &self.data.network {
            if !arms.contains(&panel.arm.as_str()) {
                arms.push(&panel.arm);
            }
        }
        arms
    }

    /// The weeks (columns), in order.
    fn weeks(&self) -> Vec<u32> {
        let mut weeks: Vec<u32> = self.data.network.iter().map(|panel| panel.week).collect();
        weeks.sort_unstable();
        weeks.dedup();
        weeks
    }

    /// The timeline events of the first patch in `panel`'s arm.
    fn first_patch_events<'e>(
        &'e self,
        panel: &'e NetworkPanel,
    ) -> impl Iterator<Item = &'e TimelineEvent> {
        self.data.events.iter().filter(move |event| {
            event.locality == 0 && event.arm.as_deref().is_none_or(|arm| arm == panel.arm)
        })
    }

    /// What is special about `panel`'s week: the week before an event of the first patch, the
    /// first measured week, the last week of its arm's run, or how long after the latest event.
    fn note(&self, panel: &NetworkPanel) -> Option<String> {
        let before: Vec<&str> = self
            .first_patch_events(panel)
            .filter(|event| Some(event.week) == panel.week.checked_add(1))
            .map(|event| event.label.as_str())
            .collect();
        if !before.is_empty() {
            return Some(format!("the week before: {}", before.join("; ")));
        }
        if self.data.warmup_weeks == Some(panel.week) {
            return Some("the first measured week".to_string());
        }
        let last_week = self
            .data
            .weekly
            .iter()
            .filter(|line| line.arm == panel.arm)
            .filter_map(|line| line.week.last())
            .max();
        if last_week == Some(&panel.week) {
            return Some("the last week of the run".to_string());
        }
        // The latest earlier event, so that a week chosen after one says how long after.
        let latest = self
            .first_patch_events(panel)
            .filter(|event| event.week <= panel.week)
            .max_by_key(|event| event.week)?;
        Some(match panel.week - latest.week {
            0 => format!("the week of: {}", latest.label),
            1 => format!("1 week after: {}", latest.label),
            weeks => format!("{weeks} weeks after: {}", latest.label),
        })
    }
}

/// Where a post goes around the circle, in order: its agency, school, role and number.
type PlaceKey = (Agency, Option<SchoolId>, Role, u32);

/// Draws one panel with its top-left corner at `origin`.
fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &NetworkPanel,
    title: &str,
    note: Option<&str>,
    origin: (i32, i32),
) -> Result<(), String> {
    let (x0, y0) = origin;
    let width = PANEL_WIDTH as i32;
    let centre_x = x0 + width / 2;
    let top = Pos::new(HPos::Center, VPos::Top);
    area.draw(&Text::new(
        title.to_string(),
        (centre_x, y0 + 6),
        text_style(19.0).pos(top),
    ))
    .map_err(drawing_error)?;
    let held = panel.posts.iter().filter(|post| post.in_post).count();
    let strong: Vec<_> = panel
        .ties
        .iter()
        .filter(|tie| tie.strength >= STRONG_TIE)
        .collect();
    let counts = format!(
        "{held} of {} posts held, {} working ties (of {} recorded)",
        panel.posts.len(),
        strong.len(),
        panel.ties.len()
    );
    let grey = text_style(14.0).color(&ANNOTATION_GREY).pos(top);
    area.draw(&Text::new(counts, (centre_x, y0 + 30), grey.clone()))
        .map_err(drawing_error)?;
    if let Some(note) = note {
        let note = fitted(area, note, &grey, PANEL_WIDTH - 16)?;
        area.draw(&Text::new(note, (centre_x, y0 + 48), grey))
            .map_err(drawing_error)?;
    }

    // Grouped by agency, then by school (a school's head, SENCO and pastoral leads side by side).
    let keys: Vec<(PlaceKey, bool)> = panel
        .posts
        .iter()
        .map(|post| {
            (
                (post.agency, post.school, post.role, post.post),
                post.minder,
            )
        })
        .collect();
    let centre = (
        f64::from(centre_x),
        f64::from(y0 + PANEL_HEADER) + CIRCLE_RADIUS + 16.0,
    );
    let at = circle_layout(
        &keys,
        |&(agency, school, _, _)| (agency, school),
        centre,
        CIRCLE_RADIUS,
    );
    let positions: BTreeMap<u32, (i32, i32)> = panel
        .posts
        .iter()
        .zip(&at)
        .map(|(post, &point)| (post.post, point))
        .collect();
    let position = |post: u32| positions.get(&post).copied();
    let mut ties = strong;
    ties.sort_by(|a, b| {
        a.strength
            .total_cmp(&b.strength)
            .then((a.post_a, a.post_b).cmp(&(b.post_a, b.post_b)))
    });
    for tie in ties {
        if let (Some(a), Some(b)) = (position(tie.post_a), position(tie.post_b)) {
            area.draw(&PathElement::new(vec![a, b], tie_style(tie.strength)))
                .map_err(drawing_error)?;
        }
    }
    let size = marker_size(panel.posts.len());
    for (post, &centre) in panel.posts.iter().zip(&at) {
        draw_post(area, post, centre, size)?;
    }
    draw_agency_labels(area, panel, &at, centre)?;
    draw_school_labels(area, panel, &at, centre)
}

/// The mean direction, from the circle's centre, of the posts for which `pick` holds (`None`
/// when there are none): where a group's label goes.
fn group_angle(
    panel: &NetworkPanel,
    at: &[(i32, i32)],
    (cx, cy): (f64, f64),
    pick: impl Fn(&NetworkPost) -> bool,
) -> Option<f64> {
    let (mut sum_x, mut sum_y, mut count) = (0.0, 0.0, 0);
    for (post, &(x, y)) in panel.posts.iter().zip(at) {
        if pick(post) && !post.minder {
            let (dx, dy) = (f64::from(x) - cx, f64::from(y) - cy);
            let length = dx.hypot(dy).max(1.0);
            sum_x += dx / length;
            sum_y += dy / length;
            count += 1;
        }
    }
    (count > 0).then(|| sum_y.atan2(sum_x))
}

/// Names each school ("P1", "S1") just outside the circle by its posts, in the schools' colour
/// darkened for text.
fn draw_school_labels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &NetworkPanel,
    at: &[(i32, i32)],
    centre: (f64, f64),
) -> Result<(), String> {
    let schools: BTreeSet<SchoolId> = panel.posts.iter().filter_map(|post| post.school).collect();
    let colour = agency_label_colour(Agency::School);
    let style = text_style(13.0)
        .color(&colour)
        .pos(Pos::new(HPos::Center, VPos::Center));
    for school in schools {
        let Some(angle) = group_angle(panel, at, centre, |post| post.school == Some(school)) else {
            continue;
        };
        let outside = CIRCLE_RADIUS + SCHOOL_LABEL_OFFSET;
        let (x, y) = (
            (centre.0 + outside * angle.cos()) as i32,
            (centre.1 + outside * angle.sin()) as i32,
        );
        area.draw(&Text::new(school.short(), (x, y), style.clone()))
            .map_err(drawing_error)?;
    }
    Ok(())
}

/// How far outside the circle school labels sit, in pixels.
const SCHOOL_LABEL_OFFSET: f64 = 20.0;

/// Names each agency inside the circle, by the middle of its arc of posts (on a white patch so
/// that ties do not strike it through), so that a reader need not match colours to the legend.
fn draw_agency_labels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &NetworkPanel,
    at: &[(i32, i32)],
    (cx, cy): (f64, f64),
) -> Result<(), String> {
    for agency in AGENCIES {
        let Some(angle) = group_angle(panel, at, (cx, cy), |post| post.agency == agency) else {
            continue;
        };
        let inside = CIRCLE_RADIUS - AGENCY_LABEL_INSET;
        let (x, y) = (
            (cx + inside * angle.cos()) as i32,
            (cy + inside * angle.sin()) as i32,
        );
        let horizontal = if angle.cos() > 0.35 {
            HPos::Right
        } else if angle.cos() < -0.35 {
            HPos::Left
        } else {
            HPos::Center
        };
        let colour = agency_label_colour(agency);
        let style = text_style(13.0)
            .color(&colour)
            .pos(Pos::new(horizontal, VPos::Center));
        let name = agency_name(agency);
        let (width, height) = area
            .estimate_text_size(name, &style)
            .map_err(drawing_error)?;
        let (width, height) = (width as i32, height as i32);
        let left = match horizontal {
            HPos::Right => x - width,
            HPos::Left => x,
            HPos::Center => x - width / 2,
        };
        area.draw(&Rectangle::new(
            [
                (left - 3, y - height / 2 - 2),
                (left + width + 3, y + height / 2 + 2),
            ],
            WHITE.mix(0.85).filled(),
        ))
        .map_err(drawing_error)?;
        area.draw(&Text::new(name, (x, y), style))
            .map_err(drawing_error)?;
    }
    Ok(())
}

/// How far inside the circle agency names sit, in pixels.
const AGENCY_LABEL_INSET: f64 = 22.0;

/// An agency's colour darkened for text (the Okabe–Ito colours are too light to read as words).
fn agency_label_colour(agency: Agency) -> RGBColor {
    let RGBColor(r, g, b) = agency_colour(agency);
    let darker = |channel: u8| (f64::from(channel) * 0.6).round() as u8;
    RGBColor(darker(r), darker(g), darker(b))
}

/// Draws a post's marker (the minder's disc and label for the minder).
fn draw_post<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    post: &NetworkPost,
    centre: (i32, i32),
    size: f64,
) -> Result<(), String> {
    if !post.minder {
        return draw_marker(
            area,
            role_shape(post.role),
            centre,
            size,
            agency_colour(post.agency),
            post.in_post,
        );
    }
    draw_marker(
        area,
        Shape::Circle,
        centre,
        f64::from(MINDER_RADIUS),
        BLACK,
        post.in_post,
    )?;
    let label = if post.in_post {
        "minder"
    } else {
        "minder (vacant)"
    };
    let style = text_style(14.0).pos(Pos::new(HPos::Center, VPos::Top));
    let (width, height) = area
        .estimate_text_size(label, &style)
        .map_err(drawing_error)?;
    let (half_width, top) = (width as i32 / 2 + 3, centre.1 + MINDER_RADIUS + 3);
    area.draw(&Rectangle::new(
        [
            (centre.0 - half_width, top),
            (centre.0 + half_width, top + height as i32 + 2),
        ],
        WHITE.mix(0.85).filled(),
    ))
    .map_err(drawing_error)?;
    area.draw(&Text::new(label, (centre.0, top + 1), style))
        .map_err(drawing_error)
}

/// Lays legend items out left to right, wrapping to a new line at the right edge.
struct Flow {
    x: i32,
    y: i32,
    left: i32,
    right: i32,
    line_height: i32,
}

impl Flow {
    /// Where an item `width` pixels wide goes (and moves past it, with a gap after).
    fn place(&mut self, width: i32, gap: i32) -> (i32, i32) {
        if self.x > self.left && self.x + width > self.right {
            self.x = self.left;
            self.y += self.line_height;
        }
        let at = (self.x, self.y);
        self.x += width + gap;
        at
    }

    fn new_line(&mut self) {
        self.x = self.left;
        self.y += self.line_height;
    }
}

/// One entry of the legend: a marker and what it means.
struct Key<'t> {
    shape: Shape,
    size: f64,
    colour: RGBColor,
    filled: bool,
    text: &'t str,
}

impl Key<'_> {
    /// The gap between the marker's edge and the text.
    const GAP: i32 = 7;

    /// Its width in pixels, with text in `style`.
    fn width<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        style: &TextStyle,
    ) -> Result<i32, String> {
        let (text_width, _) = area
            .estimate_text_size(self.text, style)
            .map_err(drawing_error)?;
        Ok(2 * self.size.round() as i32 + Self::GAP + text_width as i32)
    }

    /// Draws it with its left edge at `x`, centred on `y`.
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        (x, y): (i32, i32),
        style: &TextStyle,
    ) -> Result<(), String> {
        let radius = self.size.round() as i32;
        draw_marker(
            area,
            self.shape,
            (x + radius, y),
            self.size,
            self.colour,
            self.filled,
        )?;
        area.draw(&Text::new(
            self.text,
            (x + 2 * radius + Self::GAP, y),
            style.clone(),
        ))
        .map_err(drawing_error)
    }
}

/// The legend: agencies and their roles' shapes, then what hollow, black (when a panel has a
/// minder) and line width mean.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    top: i32,
    width: u32,
    has_minder: bool,
    has_schools: bool,
) -> Result<(), String> {
    let label_style = text_style(15.0).pos(Pos::new(HPos::Left, VPos::Center));
    let text_width = |text: &str| -> Result<i32, String> {
        Ok(area
            .estimate_text_size(text, &label_style)
            .map_err(drawing_error)?
            .0 as i32)
    };
    let mut flow = Flow {
        x: MARGIN as i32 + 10,
        y: top + 12,
        left: MARGIN as i32 + 10,
        right: (width - MARGIN) as i32,
        line_height: 28,
    };
    const KEY_GAP: i32 = 24;
    for agency in AGENCIES {
        let heading = format!("{}:", agency_name(agency));
        let keys: Vec<Key> = roles_of(agency)
            .map(|role| Key {
                shape: role_shape(role),
                size: MARKER,
                colour: agency_colour(agency),
                filled: true,
                text: role_name(role),
            })
            .collect();
        let key_widths = keys
            .iter()
            .map(|key| key.width(area, &label_style))
            .collect::<Result<Vec<i32>, String>>()?;
        let heading_width = text_width(&heading)? + 12;
        let group_width =
            heading_width + key_widths.iter().map(|width| width + KEY_GAP).sum::<i32>();
        let (x, y) = flow.place(group_width, 36);
        area.draw(&Text::new(heading.clone(), (x, y), label_style.clone()))
            .map_err(drawing_error)?;
        let mut x = x + heading_width;
        for (key, key_width) in keys.iter().zip(key_widths) {
            key.draw(area, (x, y), &label_style)?;
            x += key_width + KEY_GAP;
        }
    }
    flow.new_line();
    flow.y += 8;

    if has_schools {
        let schools =
            "P1, P2, ...: the primary schools, S1: the secondary; each school's posts sit together";
        let (x, y) = flow.place(text_width(schools)?, 36);
        let colour = agency_label_colour(Agency::School);
        area.draw(&Text::new(schools, (x, y), label_style.color(&colour)))
            .map_err(drawing_error)?;
    }
    let mut keys = vec![Key {
        shape: Shape::Circle,
        size: MARKER,
        colour: ANNOTATION_GREY,
        filled: false,
        text: "hollow: post vacant or cut",
    }];
    if has_minder {
        keys.push(Key {
            shape: Shape::Circle,
            size: f64::from(MINDER_RADIUS),
            colour: BLACK,
            filled: true,
            text: "the system minder (an early help post), in the middle",
        });
    }
    for key in keys {
        let at = flow.place(key.width(area, &label_style)?, 36);
        key.draw(area, at, &label_style)?;
    }

    let ties = "lines: working ties (strength 0.3 or more), wider and darker when stronger";
    let samples = [STRONG_TIE, 0.5, 0.8, 1.0];
    let (x, y) = flow.place(text_width(ties)? + 16 + 70 * samples.len() as i32, 36);
    area.draw(&Text::new(ties, (x, y), label_style.clone()))
        .map_err(drawing_error)?;
    let mut x = x + text_width(ties)? + 16;
    for strength in samples {
        area.draw(&PathElement::new(
            vec![(x, y), (x + 30, y)],
            tie_style(strength),
        ))
        .map_err(drawing_error)?;
        area.draw(&Text::new(
            format!("{strength:.1}"),
            (x + 36, y),
            label_style.clone(),
        ))
        .map_err(drawing_error)?;
        x += 70;
    }
    flow.new_line();
    let scale = "tie strength runs from 0 (strangers) to 1; weaker acquaintances (0.05 to 0.3) are in \
                 network_ties.csv but not drawn";
    let (x, y) = flow.place(text_width(scale)?, 0);
    area.draw(&Text::new(
        scale,
        (x, y),
        label_style.color(&ANNOTATION_GREY),
    ))
    .map_err(drawing_error)?;
    Ok(())
}

impl Figure for NetworkFigure<'_> {
    fn size(&self) -> (u32, u32) {
        let columns = self.weeks().len() as u32;
        let rows = self.arms().len() as u32;
        (
            (columns * PANEL_WIDTH + 2 * MARGIN).max(MIN_WIDTH),
            TITLE_HEIGHT + rows * PANEL_HEIGHT + LEGEND_HEIGHT,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(drawing_error)?;
        let (width, _) = self.size();
        let arms = self.arms();
        let weeks = self.weeks();
        root.draw(&Text::new(
            "The professional network of the first locality at chosen weeks (replicate 0)",
            (width as i32 / 2, 16),
            text_style(24.0).pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .map_err(drawing_error)?;
        let left = (width - weeks.len() as u32 * PANEL_WIDTH) as i32 / 2;
        for panel in &self.data.network {
            let row = arms.iter().position(|arm| *arm == panel.arm).unwrap_or(0);
            let column = weeks
                .iter()
                .position(|week| *week == panel.week)
                .unwrap_or(0);
            let title = if arms.len() > 1 {
                format!("{}, week {}", panel.arm, panel.week)
            } else {
                format!("Week {}", panel.week)
            };
            let title = fitted(root, &title, &text_style(19.0), PANEL_WIDTH - 16)?;
            draw_panel(
                root,
                panel,
                &title,
                self.note(panel).as_deref(),
                (
                    left + column as i32 * PANEL_WIDTH as i32,
                    (TITLE_HEIGHT + row as u32 * PANEL_HEIGHT) as i32,
                ),
            )?;
        }
        let has_minder = self
            .data
            .network
            .iter()
            .any(|panel| panel.posts.iter().any(|post| post.minder));
        let has_schools = self
            .data
            .network
            .iter()
            .any(|panel| panel.posts.iter().any(|post| post.school.is_some()));
        draw_legend(
            root,
            (TITLE_HEIGHT + arms.len() as u32 * PANEL_HEIGHT) as i32,
            width,
            has_minder,
            has_schools,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agency_keys_read_back() {
        for agency in AGENCIES {
            assert_eq!(agency_from_key(agency_key(agency)), Some(agency));
        }
        assert_eq!(agency_from_key("police"), None);
    }

    #[test]
    fn roles_of_an_agency_have_different_shapes() {
        for agency in AGENCIES {
            let mut shapes: Vec<Shape> = roles_of(agency).map(role_shape).collect();
            let count = shapes.len();
            shapes.sort_unstable();
            shapes.dedup();
            assert_eq!(shapes.len(), count, "{agency:?}");
            assert_eq!(shapes[0], Shape::Circle);
        }
    }

    #[test]
    fn the_circle_is_grouped_by_key_with_the_minder_in_the_middle() {
        let posts = [(2, false), (1, false), (0, true), (1, false)];
        let at = circle_layout(&posts, |_| (), (100.0, 100.0), 50.0);
        assert_eq!(at[2], (100, 100), "the minder");
        // Clockwise from the top, a third of the circle apart: key 1 (post 1, then post 3), then
        // key 2.
        assert_eq!(at[1], (100, 50));
        assert_eq!(at[3], (143, 125));
        assert_eq!(at[0], (56, 125));
        // Grouped by key, a gap follows each group: five places, key 2 at the fourth.
        let at = circle_layout(&posts, |&key| key, (100.0, 100.0), 50.0);
        assert_eq!(at[1], (100, 50));
        assert_eq!(at[3], (147, 84));
        assert_eq!(at[0], (70, 140));
    }

    #[test]
    fn markers_shrink_when_posts_are_crowded() {
        assert_eq!(marker_size(36), MARKER);
        assert!(marker_size(120) < MARKER);
        assert_eq!(marker_size(10_000), 2.5);
        assert_eq!(marker_size(0), MARKER);
    }

    #[test]
    fn stronger_ties_are_wider_and_darker() {
        let weak = tie_style(0.35);
        let strong = tie_style(0.9);
        assert!(weak.stroke_width < strong.stroke_width);
        assert!(weak.color.3 < strong.color.3, "more opaque");
        assert_eq!(tie_style(2.0).stroke_width, 4);
        assert_eq!(tie_style(0.0).stroke_width, 1);
        // The weakest tie drawn is still visible.
        assert!(tie_style(STRONG_TIE).color.3 >= 0.3);
    }
}
