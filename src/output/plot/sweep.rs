//! Plots of a sweep, drawn from its `points.csv` alone (one row per point and measure: `point`,
//! the axis columns, `measure, mean, sd, ci_low, ci_high, median, n`).
//!
//! - `plots/sweep-axis-<i>.{png,svg}`, one per swept axis: each headline measure (a row of
//!   panels) against that axis, mean and 95% band, one line per level of a second axis, small
//!   multiples (columns) over the levels of a third;
//! - `plots/sweep-heatmap.{png,svg}`: each headline measure over the first two axes.
//!
//! Axes not shown in a picture are averaged over: the value drawn is the mean of the points'
//! means over their levels, and the band the mean of their 95% bounds, which is never narrower
//! than the interval of that average (it would be exact if the points moved in lockstep, as common
//! random numbers make them tend to). An axis with more than `MAX_GROUP_LEVELS` levels (a Latin
//! hypercube) is never used for lines or columns.

use std::collections::BTreeMap;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::metrics::catalogue::{self, Better, Headline, Shown, headline};
use crate::output::plot::{
    ANNOTATION_GREY, Figure, PlotDataError, arm_colour, drawing_error, fitted, text_style,
};

/// The measures a sweep's plots show, one row each (the catalogue's `sweep` measures).
pub fn sweep_measures() -> Vec<&'static str> {
    catalogue::sweep_measures()
        .map(|entry| entry.measure)
        .collect()
}

/// Levels an axis may have to draw one line (or one column of panels) per level.
pub const MAX_GROUP_LEVELS: usize = 6;

pub use crate::output::files::POINTS_CSV;

/// Plain words for the scenario keys sweeps vary, so that a planner reads "primary schools in the
/// cluster" rather than `locality.0.primaries`; any other key falls back to `readable_key`.
const AXIS_LABELS: [(&str, &str); 12] = [
    ("coordination.mode", "way of coordinating"),
    ("coordination.minder", "system minder"),
    ("coordination.core_group", "core group"),
    (
        "coordination.meeting_interval_weeks",
        "weeks between team meetings",
    ),
    ("turnover.annual_rate", "staff turnover a year"),
    (
        "turnover.roles.social_worker.annual_rate",
        "social worker turnover a year",
    ),
    ("locality.0.primaries", "primary schools in the cluster"),
    ("locality.0.secondaries", "secondary schools in the cluster"),
    ("locality.0.pupils_per_primary", "pupils per primary school"),
    (
        "locality.0.pupils_per_secondary",
        "pupils per secondary school",
    ),
    ("horizon_weeks", "weeks simulated"),
    ("warmup_weeks", "warm-up weeks"),
];

/// A swept key in plain words: its entry in `AXIS_LABELS`, else `readable_key`.
pub fn axis_label(key: &str) -> String {
    AXIS_LABELS
        .iter()
        .find(|(known, _)| *known == key)
        .map_or_else(|| readable_key(key), |(_, label)| (*label).to_string())
}

/// A key without its dots and underscores, most specific part first: `locality.1.teams_per_year`
/// reads "teams per year (locality 2)", `x.y_z` reads "y z (x)".
fn readable_key(key: &str) -> String {
    let parts: Vec<&str> = key.split('.').collect();
    let Some((last, context)) = parts.split_last() else {
        return key.to_string();
    };
    let words = |part: &str| part.replace('_', " ");
    let mut context_words: Vec<String> = Vec::new();
    let mut index = 0;
    while index < context.len() {
        match context
            .get(index + 1)
            .and_then(|next| next.parse::<usize>().ok())
        {
            Some(number) => {
                context_words.push(format!("{} {}", words(context[index]), number + 1));
                index += 2;
            }
            None => {
                context_words.push(words(context[index]));
                index += 1;
            }
        }
    }
    if context_words.is_empty() {
        words(last)
    } else {
        format!("{} ({})", words(last), context_words.join(", "))
    }
}

/// A level in plain words: a switch is "off" or "on", "adhoc" is "ad hoc", others as written.
pub fn level_label(level: &str) -> String {
    match level {
        "false" | "FALSE" => "off".to_string(),
        "true" | "TRUE" => "on".to_string(),
        "adhoc" => "ad hoc".to_string(),
        other => other.to_string(),
    }
}

/// `axis: level` in plain words, as a panel caption or a point's description.
pub fn axis_level_label(key: &str, level: &str) -> String {
    format!("{}: {}", axis_label(key), level_label(level))
}

/// One swept axis: its key and its levels, in order (numbers by value, `false` before `true`).
#[derive(Debug, Clone, PartialEq)]
pub struct SweepAxis {
    pub key: String,
    pub levels: Vec<String>,
    /// The levels as numbers, when every one is a number (then the x axis is to scale).
    pub numeric: Option<Vec<f64>>,
}

/// One measure's summary at one point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointMeasure {
    pub mean: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// One point: the level of each axis (as an index into its levels) and its measures.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepPoint {
    pub point: u32,
    pub levels: Vec<usize>,
    pub measures: BTreeMap<String, PointMeasure>,
}

/// A sweep's points, as read from `points.csv`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SweepData {
    pub axes: Vec<SweepAxis>,
    pub points: Vec<SweepPoint>,
}

fn bad_value(
    line: u64,
    column: &'static str,
    expected: &'static str,
    found: &str,
) -> PlotDataError {
    PlotDataError::BadValue {
        file_name: POINTS_CSV,
        line,
        column,
        expected,
        found: found.to_string(),
    }
}

fn real(text: &str, line: u64, column: &'static str) -> Result<f64, PlotDataError> {
    match text {
        "NA" => Ok(f64::NAN),
        _ => text
            .parse()
            .map_err(|_| bad_value(line, column, "a number", text)),
    }
}

impl SweepData {
    /// Parses `points.csv`.
    pub fn from_points_csv(bytes: &[u8]) -> Result<SweepData, PlotDataError> {
        let to_error = |error: csv::Error| PlotDataError::Csv {
            file_name: POINTS_CSV,
            reason: error.to_string(),
        };
        let mut reader = csv::ReaderBuilder::new().from_reader(bytes);
        let header = reader.headers().map_err(to_error)?.clone();
        let found = || header.iter().collect::<Vec<_>>().join(", ");
        let position = |column: &'static str| {
            header
                .iter()
                .position(|name| name == column)
                .ok_or_else(|| PlotDataError::MissingColumn {
                    file_name: POINTS_CSV,
                    column,
                    found: found(),
                })
        };
        let point_column = position("point")?;
        let measure_column = position("measure")?;
        let mean_column = position("mean")?;
        let low_column = position("ci_low")?;
        let high_column = position("ci_high")?;
        let axis_columns: Vec<usize> = (point_column + 1..measure_column).collect();

        let mut raw_levels: Vec<Vec<String>> = vec![Vec::new(); axis_columns.len()];
        let mut rows: Vec<(u32, Vec<String>, String, PointMeasure)> = Vec::new();
        for record in reader.records() {
            let record = record.map_err(to_error)?;
            let line = record.position().map_or(0, csv::Position::line);
            let field = |index: usize| record.get(index).unwrap_or("");
            let point = field(point_column)
                .parse()
                .map_err(|_| bad_value(line, "point", "a whole number", field(point_column)))?;
            let levels: Vec<String> = axis_columns
                .iter()
                .map(|index| field(*index).to_string())
                .collect();
            for (axis, level) in levels.iter().enumerate() {
                if !raw_levels[axis].contains(level) {
                    raw_levels[axis].push(level.clone());
                }
            }
            rows.push((
                point,
                levels,
                field(measure_column).to_string(),
                PointMeasure {
                    mean: real(field(mean_column), line, "mean")?,
                    ci_low: real(field(low_column), line, "ci_low")?,
                    ci_high: real(field(high_column), line, "ci_high")?,
                },
            ));
        }

        let axes: Vec<SweepAxis> = axis_columns
            .iter()
            .zip(raw_levels)
            .map(|(column, levels)| ordered_axis(header.get(*column).unwrap_or(""), levels))
            .collect();
        let mut points: Vec<SweepPoint> = Vec::new();
        for (point, levels, measure, value) in rows {
            if points.last().is_none_or(|last| last.point != point) {
                let level_indices = levels
                    .iter()
                    .zip(&axes)
                    .map(|(level, axis)| {
                        axis.levels
                            .iter()
                            .position(|known| known == level)
                            .unwrap_or(0)
                    })
                    .collect();
                points.push(SweepPoint {
                    point,
                    levels: level_indices,
                    measures: BTreeMap::new(),
                });
            }
            if let Some(last) = points.last_mut() {
                last.measures.insert(measure, value);
            }
        }
        Ok(SweepData { axes, points })
    }

    /// The mean of `measure` (and of its 95% bounds) over the points at each combination of
    /// levels of `shown` axes, averaging over every other axis; NaN values are skipped. A point of
    /// one replicate has no interval (NA): its mean stands for both bounds, so it is drawn as a
    /// point rather than dropped.
    pub fn marginal(&self, measure: &str, shown: &[usize]) -> BTreeMap<Vec<usize>, PointMeasure> {
        let mut sums: BTreeMap<Vec<usize>, (f64, f64, f64, u32)> = BTreeMap::new();
        for point in &self.points {
            let Some(value) = point.measures.get(measure) else {
                continue;
            };
            if !value.mean.is_finite() {
                continue;
            }
            let (low, high) = if value.ci_low.is_finite() && value.ci_high.is_finite() {
                (value.ci_low, value.ci_high)
            } else {
                (value.mean, value.mean)
            };
            let key: Vec<usize> = shown.iter().map(|axis| point.levels[*axis]).collect();
            let sum = sums.entry(key).or_insert((0.0, 0.0, 0.0, 0));
            sum.0 += value.mean;
            sum.1 += low;
            sum.2 += high;
            sum.3 += 1;
        }
        sums.into_iter()
            .map(|(key, (mean, low, high, count))| {
                let count = f64::from(count);
                (
                    key,
                    PointMeasure {
                        mean: mean / count,
                        ci_low: low / count,
                        ci_high: high / count,
                    },
                )
            })
            .collect()
    }

    /// Axes with at least two levels.
    pub fn varying_axes(&self) -> Vec<usize> {
        (0..self.axes.len())
            .filter(|axis| self.axes[*axis].levels.len() >= 2)
            .collect()
    }

    /// For a picture against axis `x`: the axis drawn as lines and the one drawn as columns of
    /// panels, the next varying axes after `x` (cyclically) with few enough levels.
    pub fn groups_for(&self, x: usize) -> (Option<usize>, Option<usize>) {
        let varying = self.varying_axes();
        let start = varying.iter().position(|axis| *axis == x).unwrap_or(0);
        let mut candidates = varying
            .iter()
            .cycle()
            .skip(start + 1)
            .take(varying.len().saturating_sub(1))
            .copied()
            .filter(|axis| self.axes[*axis].levels.len() <= MAX_GROUP_LEVELS);
        let lines = candidates.next();
        let columns = candidates.next();
        (lines, columns)
    }

    /// The axes a picture against `x` shows: `x`, then its lines' and its columns' axes.
    pub fn shown_axes(&self, x: usize) -> Vec<usize> {
        let (lines, columns) = self.groups_for(x);
        [Some(x), lines, columns].into_iter().flatten().collect()
    }

    /// Where averaging over an axis the picture against `x` hides reverses its story: for each
    /// sweep measure, the first pair of `x`'s levels (at the same lines and column) whose order in
    /// the average is the opposite of their order at some level of a hidden axis, where there
    /// the two 95% intervals do not even overlap (so noise alone is not flagged). This is how the
    /// cluster-size sweep's team looks worse on average yet is clearly better in small clusters.
    pub fn hidden_reversals(&self, x: usize) -> Vec<Reversal> {
        let shown = self.shown_axes(x);
        let hidden: Vec<usize> = self
            .varying_axes()
            .into_iter()
            .filter(|axis| !shown.contains(axis))
            .collect();
        let mut reversals = Vec::new();
        for measure in sweep_measures() {
            let average = self.marginal(measure, &shown);
            let found = hidden.iter().find_map(|&axis| {
                let mut split_axes = shown.clone();
                split_axes.push(axis);
                let split = self.marginal(measure, &split_axes);
                average.iter().find_map(|(first_key, first)| {
                    average.iter().find_map(|(second_key, second)| {
                        let same_group = first_key[1..] == second_key[1..];
                        if !same_group || first_key[0] >= second_key[0] {
                            return None;
                        }
                        let average_order = first.mean.partial_cmp(&second.mean)?;
                        if average_order == std::cmp::Ordering::Equal {
                            return None;
                        }
                        (0..self.axes[axis].levels.len()).find_map(|level| {
                            let at = |key: &Vec<usize>| {
                                let mut key = key.clone();
                                key.push(level);
                                split.get(&key).copied()
                            };
                            let (a, b) = (at(first_key)?, at(second_key)?);
                            let clearly_below =
                                |low: PointMeasure, high: PointMeasure| low.ci_high < high.ci_low;
                            let reversed = match average_order {
                                std::cmp::Ordering::Less => clearly_below(b, a),
                                _ => clearly_below(a, b),
                            };
                            reversed.then(|| Reversal {
                                measure,
                                group: first_key[1..].to_vec(),
                                hidden: axis,
                                hidden_level: level,
                                x_levels: (first_key[0], second_key[0]),
                                lower_on_average: if average_order == std::cmp::Ordering::Less {
                                    first_key[0]
                                } else {
                                    second_key[0]
                                },
                            })
                        })
                    })
                })
            });
            reversals.extend(found);
        }
        reversals
    }

    /// The warning for the picture against `x` when averaging hides a reversal, in plain words:
    /// one clause for each story (which level is lower on average, where it is clearly higher,
    /// and at which lines and column), naming the measures that tell it.
    pub fn hidden_reversal_warning(&self, x: usize) -> Option<String> {
        let reversals = self.hidden_reversals(x);
        if reversals.is_empty() {
            return None;
        }
        let shown = self.shown_axes(x);
        let x_axis = &self.axes[x];
        // Each story once, in the order its first measure comes.
        let mut stories: Vec<(&Reversal, Vec<&str>)> = Vec::new();
        for reversal in &reversals {
            let short = measure_headline(reversal.measure).short;
            match stories
                .iter_mut()
                .find(|(told, _)| told.same_story(reversal))
            {
                Some((_, measures)) => measures.push(short),
                None => stories.push((reversal, vec![short])),
            }
        }
        let clauses: Vec<String> = stories
            .iter()
            .map(|(reversal, measures)| {
                let lower = reversal.lower_on_average;
                let other = if reversal.x_levels.0 == lower {
                    reversal.x_levels.1
                } else {
                    reversal.x_levels.0
                };
                let hidden_axis = &self.axes[reversal.hidden];
                let within: Vec<String> = shown[1..]
                    .iter()
                    .zip(&reversal.group)
                    .map(|(&axis, &level)| {
                        format!(
                            "{} = {}",
                            axis_label(&self.axes[axis].key),
                            level_label(&self.axes[axis].levels[level])
                        )
                    })
                    .collect();
                let within = if within.is_empty() {
                    String::new()
                } else {
                    format!(" (with {})", within.join(", "))
                };
                format!(
                    "in {}, {} = {} is lower than {} on average{within} but clearly higher where \
                     {} = {}",
                    measures.join(", "),
                    axis_label(&x_axis.key),
                    level_label(&x_axis.levels[lower]),
                    level_label(&x_axis.levels[other]),
                    axis_label(&hidden_axis.key),
                    level_label(&hidden_axis.levels[reversal.hidden_level]),
                )
            })
            .collect();
        let mut pictures: Vec<String> = Vec::new();
        for (reversal, _) in &stories {
            let label = axis_label(&self.axes[reversal.hidden].key);
            if !pictures.contains(&label) {
                pictures.push(label);
            }
        }
        Some(format!(
            "Averaging hides an interaction: {}; see the picture against {}.",
            clauses.join("; "),
            pictures.join(" and the one against "),
        ))
    }
}

/// Two levels of a picture's x axis whose order in the average is reversed, clearly, at one
/// level of an axis the picture hides (`SweepData::hidden_reversals`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reversal {
    pub measure: &'static str,
    /// The levels of the picture's line and column axes (`shown_axes` after `x`) the pair was
    /// compared at: the reversal holds there, not necessarily across them.
    pub group: Vec<usize>,
    pub hidden: usize,
    pub hidden_level: usize,
    pub x_levels: (usize, usize),
    /// Which of `x_levels` has the lower mean on average.
    pub lower_on_average: usize,
}

impl Reversal {
    /// Whether `other` tells the same story in another measure: every field but the measure.
    fn same_story(&self, other: &Reversal) -> bool {
        Reversal {
            measure: other.measure,
            ..self.clone()
        } == *other
    }
}

/// Orders an axis's levels: by value if all are numbers, `false` before `true`, else as first seen.
fn ordered_axis(key: &str, mut levels: Vec<String>) -> SweepAxis {
    let numbers: Option<Vec<f64>> = levels
        .iter()
        .map(|level| level.parse::<f64>().ok())
        .collect();
    let numeric = match numbers {
        Some(mut pairs_source) => {
            let mut pairs: Vec<(f64, String)> =
                pairs_source.drain(..).zip(levels.drain(..)).collect();
            pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
            let (values, texts): (Vec<f64>, Vec<String>) = pairs.into_iter().unzip();
            levels = texts;
            Some(values)
        }
        None => {
            if levels
                .iter()
                .all(|level| crate::output::csv::parse_bool(level).is_some())
            {
                levels.sort();
            }
            None
        }
    };
    SweepAxis {
        key: key.to_string(),
        levels,
        numeric,
    }
}

impl SweepAxis {
    /// Where level `index` sits on an x axis: its value, or its position for non-numbers.
    fn x_of(&self, index: usize) -> f64 {
        match &self.numeric {
            Some(values) => values[index],
            None => index as f64,
        }
    }

    fn x_range(&self) -> (f64, f64) {
        let first = self.x_of(0);
        let last = self.x_of(self.levels.len().saturating_sub(1));
        let pad = if self.numeric.is_some() {
            ((last - first) * 0.05).max(1e-9)
        } else {
            0.5
        };
        (first - pad, last + pad)
    }

    /// The label of an x position: the level's text at a level, nothing between (non-numbers).
    fn label_at(&self, x: f64) -> String {
        match &self.numeric {
            Some(_) => {
                if (x - x.round()).abs() < 1e-9 {
                    format!("{x:.0}")
                } else {
                    format!("{x:.2}")
                }
            }
            None => {
                let index = x.round();
                if (x - index).abs() < 1e-6 && index >= 0.0 && (index as usize) < self.levels.len()
                {
                    level_label(&self.levels[index as usize])
                } else {
                    String::new()
                }
            }
        }
    }
}

fn measure_headline(measure: &str) -> Headline {
    headline(measure).copied().unwrap_or(Headline {
        measure: "",
        label: "",
        short: "",
        axis: None,
        shown: Shown::Number(2),
        better: Better::Neither,
        lower: "lower",
        higher: "higher",
        headline: false,
        sweep: false,
    })
}

/// A short name for a measure on an axis: its unit.
fn measure_axis_label(measure: &str) -> &'static str {
    catalogue::entry(measure)
        .and_then(|entry| entry.axis)
        .unwrap_or("value")
}

/// Each headline measure against one axis (`sweep-axis-<i>`).
pub struct SweepAxisFigure<'a> {
    pub data: &'a SweepData,
    pub x: usize,
}

const PANEL_WIDTH: u32 = 420;
const PANEL_HEIGHT: u32 = 300;
/// The title's band, the legend's, and the legend's with a warning of a hidden interaction.
const TITLE: u32 = 48;
const LEGEND: u32 = 64;
/// A warning's lines start this far down the legend's band, this far apart, in 15 px type.
const WARNING_TOP: u32 = 44;
const WARNING_LINE: u32 = 22;
/// An upper bound on the mean width of a character of the warning's 15 px type, so that the band
/// sized before drawing holds every line the text wraps to when drawn.
const WARNING_CHAR_WIDTH: f64 = 8.0;

/// The legend's band: with a warning, as many lines as `warning` may wrap to in `width` pixels.
fn legend_height(warning: Option<&str>, width: u32) -> u32 {
    match warning {
        None => LEGEND,
        Some(text) => {
            let per_line = f64::from(width.saturating_sub(40).max(1));
            let lines = (text.chars().count() as f64 * WARNING_CHAR_WIDTH / per_line).ceil();
            WARNING_TOP + WARNING_LINE * (lines as u32).max(1) + 16
        }
    }
}

/// `text` broken into lines of at most `width` pixels in `style`, at spaces.
fn wrapped_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    width: u32,
) -> Result<Vec<String>, String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        let fits = area
            .estimate_text_size(&candidate, style)
            .map_err(drawing_error)?
            .0
            <= width;
        if fits || line.is_empty() {
            line = candidate;
        } else {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    Ok(lines)
}

impl SweepAxisFigure<'_> {
    fn columns(&self) -> (Option<usize>, usize) {
        let (_, columns_axis) = self.data.groups_for(self.x);
        let count = columns_axis.map_or(1, |axis| self.data.axes[axis].levels.len());
        (columns_axis, count)
    }
}

impl Figure for SweepAxisFigure<'_> {
    fn size(&self) -> (u32, u32) {
        let (_, columns) = self.columns();
        let width = (PANEL_WIDTH * columns as u32).max(900);
        let warning = self.data.hidden_reversal_warning(self.x);
        (
            width,
            PANEL_HEIGHT * sweep_measures().len() as u32
                + TITLE
                + legend_height(warning.as_deref(), width),
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(drawing_error)?;
        let data = self.data;
        let x_axis = &data.axes[self.x];
        let x_label = axis_label(&x_axis.key);
        let (lines_axis, _) = data.groups_for(self.x);
        let (columns_axis, column_count) = self.columns();
        let warning = data.hidden_reversal_warning(self.x);
        let (width, height) = root.dim_in_pixel();
        let title_style = text_style(18.0);
        let title = fitted(
            root,
            &format!("Headline measures against {x_label}"),
            &title_style,
            width.saturating_sub(20),
        )?;
        root.draw(&Text::new(
            title,
            (width as i32 / 2, 12),
            title_style.pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .map_err(drawing_error)?;
        let legend_height = legend_height(warning.as_deref(), width);
        let (_, below_title) = root.split_vertically(TITLE);
        let (panels_area, legend_area) =
            below_title.split_vertically(height.saturating_sub(TITLE + legend_height));
        let panels = panels_area.split_evenly((sweep_measures().len(), column_count));

        let shown = data.shown_axes(self.x);
        let (x_start, x_end) = x_axis.x_range();
        for (row, measure) in sweep_measures().into_iter().enumerate() {
            let marginal = data.marginal(measure, &shown);
            let headline = measure_headline(measure);
            let (mut y_low, mut y_high) = marginal
                .values()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(low, high), value| {
                    (low.min(value.ci_low), high.max(value.ci_high))
                });
            if !y_low.is_finite() || !y_high.is_finite() {
                (y_low, y_high) = (0.0, 1.0);
            }
            let pad = ((y_high - y_low) * 0.08).max(1e-6);
            // Values that cannot be negative keep the axis at or above zero.
            let y_low = if y_low >= 0.0 {
                (y_low - pad).max(0.0)
            } else {
                y_low - pad
            };
            let y_high = y_high + pad;
            for column in 0..column_count {
                let area = &panels[row * column_count + column];
                let caption = match columns_axis {
                    Some(axis) => {
                        axis_level_label(&data.axes[axis].key, &data.axes[axis].levels[column])
                    }
                    None => String::new(),
                };
                let mut chart = ChartBuilder::on(area)
                    .caption(&caption, text_style(14.0))
                    .margin(8)
                    .x_label_area_size(36)
                    .y_label_area_size(64)
                    .build_cartesian_2d(x_start..x_end, y_low..y_high)
                    .map_err(drawing_error)?;
                let x_labels = if x_axis.numeric.is_some() {
                    6
                } else {
                    x_axis.levels.len() * 2 + 1
                };
                chart
                    .configure_mesh()
                    .x_labels(x_labels)
                    .x_label_formatter(&|x| x_axis.label_at(*x))
                    .y_label_formatter(&|y| headline.shown.value(*y))
                    .x_desc(x_label.as_str())
                    .y_desc(measure_axis_label(measure))
                    .label_style(text_style(12.0))
                    .axis_desc_style(text_style(12.0))
                    .light_line_style(TRANSPARENT)
                    .bold_line_style(RGBColor(0xE4, 0xE4, 0xE4))
                    .draw()
                    .map_err(drawing_error)?;

                let line_levels = lines_axis.map_or(1, |axis| data.axes[axis].levels.len());
                for line in 0..line_levels {
                    let colour = arm_colour(line);
                    // Categories are not a scale: their points stand side by side (dodged so
                    // that the intervals of the lines do not hide each other), never joined.
                    let dodge = if x_axis.numeric.is_some() {
                        0.0
                    } else {
                        (line as f64 - (line_levels as f64 - 1.0) / 2.0) * CATEGORY_DODGE
                    };
                    let series: Vec<(f64, PointMeasure)> = (0..x_axis.levels.len())
                        .filter_map(|x_level| {
                            let mut key = vec![x_level];
                            if lines_axis.is_some() {
                                key.push(line);
                            }
                            if columns_axis.is_some() {
                                key.push(column);
                            }
                            marginal
                                .get(&key)
                                .map(|value| (x_axis.x_of(x_level) + dodge, *value))
                        })
                        .collect();
                    if series.is_empty() {
                        continue;
                    }
                    if series.len() > 1 && x_axis.numeric.is_some() {
                        let mut band: Vec<(f64, f64)> = series
                            .iter()
                            .map(|(x, value)| (*x, value.ci_high))
                            .collect();
                        band.extend(series.iter().rev().map(|(x, value)| (*x, value.ci_low)));
                        chart
                            .draw_series(std::iter::once(Polygon::new(
                                band,
                                colour.mix(0.15).filled(),
                            )))
                            .map_err(drawing_error)?;
                        chart
                            .draw_series(LineSeries::new(
                                series.iter().map(|(x, value)| (*x, value.mean)),
                                colour.stroke_width(2),
                            ))
                            .map_err(drawing_error)?;
                    }
                    chart
                        .draw_series(series.iter().map(|(x, value)| {
                            PathElement::new(
                                vec![(*x, value.ci_low), (*x, value.ci_high)],
                                colour.stroke_width(if x_axis.numeric.is_some() { 1 } else { 3 }),
                            )
                        }))
                        .map_err(drawing_error)?;
                    chart
                        .draw_series(
                            series.iter().map(|(x, value)| {
                                Circle::new((*x, value.mean), 4, colour.filled())
                            }),
                        )
                        .map_err(drawing_error)?;
                }
            }
        }

        let grey = text_style(14.0)
            .color(&ANNOTATION_GREY)
            .pos(Pos::new(HPos::Left, VPos::Center));
        let mut x = 20;
        if let Some(lines) = lines_axis {
            let axis = &data.axes[lines];
            let style = text_style(15.0).pos(Pos::new(HPos::Left, VPos::Center));
            let name = format!("{}:", axis_label(&axis.key));
            legend_area
                .draw(&Text::new(name.clone(), (x, 20), style.clone()))
                .map_err(drawing_error)?;
            x += legend_area
                .estimate_text_size(&name, &style)
                .map_err(drawing_error)?
                .0 as i32
                + 14;
            for (index, level) in axis.levels.iter().enumerate() {
                let colour = arm_colour(index);
                let level = level_label(level);
                legend_area
                    .draw(&PathElement::new(
                        vec![(x, 20), (x + 26, 20)],
                        colour.stroke_width(3),
                    ))
                    .map_err(drawing_error)?;
                legend_area
                    .draw(&Text::new(level.clone(), (x + 32, 20), style.clone()))
                    .map_err(drawing_error)?;
                x += 52
                    + legend_area
                        .estimate_text_size(&level, &style)
                        .map_err(drawing_error)?
                        .0 as i32;
            }
            x += 20;
        }
        legend_area
            .draw(&Text::new(
                "points: means; bars and bands: 95% confidence intervals",
                (x, 20),
                grey,
            ))
            .map_err(drawing_error)?;
        if let Some(warning) = warning {
            let style = text_style(15.0)
                .color(&WARNING_RED)
                .pos(Pos::new(HPos::Left, VPos::Top));
            let (width, _) = legend_area.dim_in_pixel();
            let lines = wrapped_text(&legend_area, &warning, &style, width.saturating_sub(40))?;
            for (index, line) in lines.iter().enumerate() {
                legend_area
                    .draw(&Text::new(
                        line.clone(),
                        (20, (WARNING_TOP + WARNING_LINE * index as u32) as i32),
                        style.clone(),
                    ))
                    .map_err(drawing_error)?;
            }
        }
        Ok(())
    }
}

/// How far apart (in levels) the points of the lines sit at one category.
const CATEGORY_DODGE: f64 = 0.1;

/// The colour of a warning on a picture (a dark red that reads on white).
const WARNING_RED: RGBColor = RGBColor(0xB0, 0x1E, 0x1E);

/// Each headline measure over two axes as a heatmap (`sweep-heatmap`).
pub struct HeatmapFigure<'a> {
    pub data: &'a SweepData,
    pub x: usize,
    pub y: usize,
}

/// Viridis (colour-blind safe, light to dark), anchors from matplotlib's table.
const VIRIDIS: [(u8, u8, u8); 9] = [
    (0xFD, 0xE7, 0x25),
    (0xB5, 0xDE, 0x2B),
    (0x6E, 0xCE, 0x58),
    (0x35, 0xB7, 0x79),
    (0x1F, 0x9E, 0x89),
    (0x26, 0x82, 0x8E),
    (0x31, 0x68, 0x8E),
    (0x3E, 0x49, 0x89),
    (0x48, 0x28, 0x78),
];

/// The viridis colour at `share` (0: light yellow, 1: dark purple).
fn viridis(share: f64) -> RGBColor {
    let share = if share.is_finite() {
        share.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let position = share * (VIRIDIS.len() - 1) as f64;
    let index = (position.floor() as usize).min(VIRIDIS.len() - 2);
    let within = position - index as f64;
    let (a, b) = (VIRIDIS[index], VIRIDIS[index + 1]);
    let mix = |from: u8, to: u8| {
        (f64::from(from) + (f64::from(to) - f64::from(from)) * within).round() as u8
    };
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

impl Figure for HeatmapFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (1200, 900)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(drawing_error)?;
        let data = self.data;
        let (x_axis, y_axis) = (&data.axes[self.x], &data.axes[self.y]);
        let title = format!(
            "Headline measures over {} and {} (mean over the other axes; darker is higher)",
            axis_label(&x_axis.key),
            axis_label(&y_axis.key)
        );
        let titled = root
            .titled(&title, text_style(17.0))
            .map_err(drawing_error)?;
        let panels = titled.split_evenly((2, 2));
        for (panel, measure) in panels.iter().zip(sweep_measures()) {
            let marginal = data.marginal(measure, &[self.x, self.y]);
            let headline = measure_headline(measure);
            let (low, high) = marginal
                .values()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(low, high), value| {
                    (low.min(value.mean), high.max(value.mean))
                });
            let span = if high > low { high - low } else { 1.0 };
            let (x_count, y_count) = (x_axis.levels.len(), y_axis.levels.len());
            let mut chart = ChartBuilder::on(panel)
                .caption(capitalised_label(measure), text_style(15.0))
                .margin(10)
                .x_label_area_size(40)
                .y_label_area_size(70)
                .build_cartesian_2d(0.0..x_count as f64, 0.0..y_count as f64)
                .map_err(drawing_error)?;
            chart
                .configure_mesh()
                .disable_mesh()
                .x_labels(x_count * 2 + 1)
                .y_labels(y_count * 2 + 1)
                .x_label_formatter(&|x| centre_label(x_axis, *x))
                .y_label_formatter(&|y| centre_label(y_axis, *y))
                .x_desc(axis_label(&x_axis.key))
                .y_desc(axis_label(&y_axis.key))
                .label_style(text_style(12.0))
                .axis_desc_style(text_style(13.0))
                .draw()
                .map_err(drawing_error)?;
            for ((x_level, y_level), value) in marginal
                .iter()
                .map(|(key, value)| ((key[0], key[1]), value))
            {
                let share = (value.mean - low) / span;
                let colour = viridis(share);
                let (x0, y0) = (x_level as f64, y_level as f64);
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x0, y0), (x0 + 1.0, y0 + 1.0)],
                        colour.filled(),
                    )))
                    .map_err(drawing_error)?;
                let text_colour = if share > 0.5 { WHITE } else { BLACK };
                chart
                    .draw_series(std::iter::once(Text::new(
                        headline.shown.value(value.mean),
                        (x0 + 0.5, y0 + 0.5),
                        text_style(13.0)
                            .color(&text_colour)
                            .pos(Pos::new(HPos::Center, VPos::Center)),
                    )))
                    .map_err(drawing_error)?;
            }
        }
        Ok(())
    }
}

fn capitalised_label(measure: &str) -> String {
    crate::metrics::catalogue::capitalised(measure_headline(measure).label)
}

/// The level whose cell is centred at `position` (cells span `i..i+1`), else nothing.
fn centre_label(axis: &SweepAxis, position: f64) -> String {
    let index = position - 0.5;
    if (index - index.round()).abs() < 1e-6
        && index >= 0.0
        && (index.round() as usize) < axis.levels.len()
    {
        level_label(&axis.levels[index.round() as usize])
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points_csv() -> &'static [u8] {
        b"point,coordination.minder,turnover.annual_rate,measure,mean,sd,ci_low,ci_high,median,n\n\
          0,false,0.3,median_weeks_to_help,10,1,8,12,10,3\n\
          0,false,0.3,inertia,0.5,0.1,0.4,0.6,0.5,3\n\
          1,false,0.05,median_weeks_to_help,6,1,5,7,6,3\n\
          1,false,0.05,inertia,NA,NA,NA,NA,NA,0\n\
          2,true,0.3,median_weeks_to_help,8,1,7,9,8,3\n\
          3,true,0.05,median_weeks_to_help,4,1,3,5,4,3\n"
    }

    #[test]
    fn points_are_read_with_ordered_axes() {
        let data = SweepData::from_points_csv(points_csv()).unwrap();
        assert_eq!(data.axes.len(), 2);
        assert_eq!(data.axes[0].key, "coordination.minder");
        assert_eq!(data.axes[0].levels, ["false", "true"]);
        assert_eq!(data.axes[1].levels, ["0.05", "0.3"], "numbers by value");
        assert_eq!(data.axes[1].numeric, Some(vec![0.05, 0.3]));
        assert_eq!(data.points.len(), 4);
        assert_eq!(data.points[0].levels, vec![0, 1]);
        assert_eq!(data.points[0].measures["inertia"].mean, 0.5);
        assert!(data.points[1].measures["inertia"].mean.is_nan());
    }

    #[test]
    fn marginals_average_over_hidden_axes_and_skip_undefined_values() {
        let data = SweepData::from_points_csv(points_csv()).unwrap();
        // Against turnover, averaged over the minder: at 0.05 (6 + 4) / 2, at 0.3 (10 + 8) / 2.
        let by_turnover = data.marginal("median_weeks_to_help", &[1]);
        assert_eq!(by_turnover[&vec![0]].mean, 5.0);
        assert_eq!(by_turnover[&vec![1]].mean, 9.0);
        assert_eq!(by_turnover[&vec![1]].ci_low, 7.5);
        assert_eq!(by_turnover[&vec![1]].ci_high, 10.5);
        let inertia = data.marginal("inertia", &[0, 1]);
        assert_eq!(inertia.len(), 1, "the undefined point is skipped");
        assert_eq!(data.groups_for(1), (Some(0), None));
        assert_eq!(data.groups_for(0), (Some(1), None));
    }

    #[test]
    fn axes_and_levels_read_in_plain_words() {
        assert_eq!(
            axis_label("locality.0.primaries"),
            "primary schools in the cluster"
        );
        assert_eq!(
            axis_label("locality.1.teams_per_year"),
            "teams per year (locality 2)"
        );
        assert_eq!(axis_label("ties.decay_rate"), "decay rate (ties)");
        assert_eq!(axis_label("seed"), "seed");
        assert_eq!(level_label("false"), "off");
        assert_eq!(level_label("adhoc"), "ad hoc");
        assert_eq!(level_label("0.3"), "0.3");
        assert_eq!(
            axis_level_label("coordination.minder", "true"),
            "system minder: on"
        );
    }

    /// Mode (ad hoc, team) × primaries (2, 30): the team is clearly better (lower) at 2 primaries
    /// and worse at 30 by more, so it is worse on average.
    fn interaction_csv(team_at_two: (f64, f64, f64)) -> Vec<u8> {
        let (mean, low, high) = team_at_two;
        format!(
            "point,coordination.mode,locality.0.primaries,measure,mean,sd,ci_low,ci_high,median,n\n\
             0,adhoc,2,inertia,0.6,0,0.55,0.65,0.6,9\n\
             1,adhoc,30,inertia,0.4,0,0.35,0.45,0.4,9\n\
             2,team,2,inertia,{mean},0,{low},{high},{mean},9\n\
             3,team,30,inertia,0.8,0,0.75,0.85,0.8,9\n"
        )
        .into_bytes()
    }

    #[test]
    fn each_measure_is_told_its_own_direction_of_reversal() {
        // Inertia: ad hoc lower on average (0.5 against 0.55) but clearly higher at 2 primaries.
        // Coordination hours: team lower on average (0.25 against 0.3) but clearly higher at 2.
        // One sentence for both would give one of them the other's direction.
        let mut csv = String::from(
            "point,coordination.mode,locality.0.primaries,measure,mean,sd,ci_low,ci_high,median,n\n",
        );
        let rows = [
            ("adhoc", 2, "inertia", 0.6),
            ("adhoc", 30, "inertia", 0.4),
            ("team", 2, "inertia", 0.3),
            ("team", 30, "inertia", 0.8),
            ("adhoc", 2, "coordination_hours_per_child", 0.1),
            ("adhoc", 30, "coordination_hours_per_child", 0.5),
            ("team", 2, "coordination_hours_per_child", 0.4),
            ("team", 30, "coordination_hours_per_child", 0.1),
        ];
        for (point, (mode, primaries, measure, mean)) in rows.iter().enumerate() {
            let (low, high) = (mean - 0.05, mean + 0.05);
            csv.push_str(&format!(
                "{},{mode},{primaries},{measure},{mean},0,{low},{high},{mean},9\n",
                point % 4
            ));
        }
        let mut data = SweepData::from_points_csv(csv.as_bytes()).unwrap();
        data.axes[1]
            .levels
            .extend((0..6).map(|i| format!("{}", 100 + i)));
        let warning = data.hidden_reversal_warning(0).unwrap();
        let inertia = measure_headline("inertia").short;
        let hours = measure_headline("coordination_hours_per_child").short;
        assert!(
            warning.contains(&format!(
                "in {inertia}, way of coordinating = ad hoc is lower than team on average but \
                 clearly higher where primary schools in the cluster = 2"
            )),
            "{warning}"
        );
        assert!(
            warning.contains(&format!(
                "in {hours}, way of coordinating = team is lower than ad hoc on average but \
                 clearly higher where primary schools in the cluster = 2"
            )),
            "{warning}"
        );
    }

    #[test]
    fn a_reversal_hidden_by_averaging_is_found_and_named() {
        let data = SweepData::from_points_csv(&interaction_csv((0.3, 0.25, 0.35))).unwrap();
        // Against mode, primaries are the lines: nothing is hidden.
        assert_eq!(data.shown_axes(0), vec![0, 1]);
        assert!(data.hidden_reversals(0).is_empty(), "nothing hidden");

        // With more than `MAX_GROUP_LEVELS` levels, primaries are neither lines nor columns, so
        // the picture against mode averages over them.
        let mut wide = data.clone();
        wide.axes[1]
            .levels
            .extend((0..6).map(|i| format!("{}", 100 + i)));
        assert_eq!(wide.shown_axes(0), vec![0]);
        let reversals = wide.hidden_reversals(0);
        assert_eq!(
            reversals,
            vec![Reversal {
                measure: "inertia",
                group: vec![],
                hidden: 1,
                hidden_level: 0,
                x_levels: (0, 1),
                lower_on_average: 0,
            }]
        );
        let warning = wide.hidden_reversal_warning(0).unwrap();
        assert!(
            warning.contains(
                "way of coordinating = ad hoc is lower than team on average but clearly higher \
                 where primary schools in the cluster = 2"
            ),
            "{warning}"
        );

        // Overlapping intervals at 2 primaries: noise, not flagged.
        let mut noisy = SweepData::from_points_csv(&interaction_csv((0.5, 0.3, 0.7))).unwrap();
        noisy.axes[1]
            .levels
            .extend((0..6).map(|i| format!("{}", 100 + i)));
        assert!(noisy.hidden_reversals(0).is_empty());
        assert!(noisy.hidden_reversal_warning(0).is_none());
    }

    #[test]
    fn a_point_of_one_replicate_is_drawn_at_its_mean() {
        let data = SweepData::from_points_csv(
            b"point,coordination.minder,measure,mean,sd,ci_low,ci_high,median,n\n\
              0,false,inertia,0.5,NA,NA,NA,0.5,1\n\
              1,true,inertia,0.3,NA,NA,NA,0.3,1\n",
        )
        .unwrap();
        let by_minder = data.marginal("inertia", &[0]);
        assert_eq!(by_minder.len(), 2, "no point is dropped");
        let point = by_minder[&vec![1]];
        assert_eq!((point.mean, point.ci_low, point.ci_high), (0.3, 0.3, 0.3));
    }

    #[test]
    fn viridis_runs_from_yellow_to_purple() {
        assert_eq!(viridis(0.0), RGBColor(0xFD, 0xE7, 0x25));
        assert_eq!(viridis(1.0), RGBColor(0x48, 0x28, 0x78));
        assert_eq!(viridis(f64::NAN), viridis(0.0));
    }

    #[test]
    fn a_points_file_without_a_measure_column_is_refused() {
        let error = SweepData::from_points_csv(b"point,a\n0,1\n").unwrap_err();
        assert!(
            error.to_string().contains("missing column measure"),
            "{error}"
        );
    }
}
