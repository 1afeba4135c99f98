//! `patchwork sensitivity`'s pictures, drawn from the indices in memory (PNG only, as `warmup`
//! and `calibration`), a panel per output:
//!
//! - `plots/morris.png`: μ* against σ, a labelled point per parameter with μ*'s bootstrap interval
//!   as a whisker, and the line σ = μ* (above it, a parameter's effect depends on where the
//!   others are: non-linear or interacting);
//! - `plots/sobol.png`: a pair of bars per parameter, its first-order index S1 (its share of the
//!   variance alone) and its total index ST (with every interaction), with their intervals.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::output::plot::{ANNOTATION_GREY, Figure, arm_colour, drawing_error, text_style};

/// An estimate with its interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
}

/// One parameter of a Morris panel.
#[derive(Debug, Clone, PartialEq)]
pub struct MorrisPoint {
    pub parameter: String,
    pub mu_star: Interval,
    pub sigma: f64,
}

/// One parameter of a Sobol' panel.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolBars {
    pub parameter: String,
    pub first: Interval,
    pub total: Interval,
}

/// One output's panel: its title and its parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel<T> {
    pub title: String,
    pub parameters: Vec<T>,
}

/// The figure of a method: a panel per output under a title.
pub struct SensitivityFigure<'a, T> {
    pub title: String,
    pub panels: &'a [Panel<T>],
}

/// One column, as wide as a report's page, so that `report.html` shows the figure at full size.
const COLUMNS: usize = 1;
const PANEL_WIDTH: u32 = 940;
const LEGEND_HEIGHT: u32 = 44;
const GRID_GREY: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);

impl<T> SensitivityFigure<'_, T> {
    fn grid(&self) -> (usize, usize) {
        let columns = self.panels.len().clamp(1, COLUMNS);
        (self.panels.len().div_ceil(columns).max(1), columns)
    }

    fn parameters(&self) -> usize {
        self.panels
            .iter()
            .map(|panel| panel.parameters.len())
            .max()
            .unwrap_or(1)
    }

    /// The figure's size with panels `panel_height` high.
    fn size_with(&self, panel_height: u32) -> (u32, u32) {
        let (rows, columns) = self.grid();
        (
            PANEL_WIDTH * columns as u32,
            panel_height * rows as u32 + 50 + LEGEND_HEIGHT,
        )
    }

    /// The title, the panels' areas and the legend's strip.
    fn layout<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<Layout<DB>, String> {
        root.fill(&WHITE).map_err(drawing_error)?;
        let titled = root
            .titled(&self.title, text_style(22.0))
            .map_err(drawing_error)?;
        let (_, height) = titled.dim_in_pixel();
        let (panels, legend) = titled.split_vertically(height.saturating_sub(LEGEND_HEIGHT));
        Ok((panels.split_evenly(self.grid()), legend))
    }
}

/// The panels' areas and the legend's strip.
type Layout<DB> = (Vec<DrawingArea<DB, Shift>>, DrawingArea<DB, Shift>);

/// A legend swatch: the strokes drawn at a legend entry's position.
type Swatch<'a> = &'a dyn Fn(i32, i32) -> Vec<PathElement<(i32, i32)>>;

/// The legend strip: each entry a swatch drawn by `swatch` at its left, then its text.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(&str, Swatch<'_>)],
) -> Result<(), String> {
    let style = text_style(15.0).pos(Pos::new(HPos::Left, VPos::Center));
    let mut x = 24;
    let y = (LEGEND_HEIGHT / 2) as i32;
    for (text, swatch) in entries {
        for element in swatch(x, y) {
            area.draw(&element).map_err(drawing_error)?;
        }
        area.draw(&Text::new(text.to_string(), (x + 34, y), style.clone()))
            .map_err(drawing_error)?;
        x += 60 + text.chars().count() as i32 * 8;
    }
    Ok(())
}

/// A thick horizontal stroke as a swatch of `colour`.
fn bar_swatch(colour: RGBColor, width: u32) -> impl Fn(i32, i32) -> Vec<PathElement<(i32, i32)>> {
    move |x, y| {
        vec![PathElement::new(
            vec![(x, y), (x + 26, y)],
            colour.stroke_width(width),
        )]
    }
}

/// Axis labels for a range of this width: enough decimals to tell ticks apart.
fn decimals(width: f64) -> usize {
    if width >= 20.0 {
        0
    } else if width >= 2.0 {
        1
    } else if width >= 0.2 {
        2
    } else {
        3
    }
}

/// Label heights moved apart so that no two labels of nearby points overlap: points within
/// `x_near` of each other keep labels at least `gap` apart, in the order of their points.
fn spread_labels(points: &[(f64, f64)], x_near: f64, gap: f64) -> Vec<f64> {
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by(|&a, &b| points[a].1.total_cmp(&points[b].1).then(a.cmp(&b)));
    let mut placed: Vec<(f64, f64)> = Vec::new();
    let mut heights = vec![0.0; points.len()];
    for index in order {
        let (x, mut y) = points[index];
        // Lift the label above every placed label near it that it would collide with.
        loop {
            let clash = placed
                .iter()
                // A little under `gap`, so that a label lifted by exactly `gap` clears it.
                .find(|(px, py)| (px - x).abs() < x_near && (py - y).abs() < gap * 0.999);
            match clash {
                Some(&(_, py)) => y = py + gap,
                None => break,
            }
        }
        placed.push((x, y));
        heights[index] = y;
    }
    heights
}

impl Figure for SensitivityFigure<'_, MorrisPoint> {
    fn size(&self) -> (u32, u32) {
        self.size_with(440 + 12 * self.parameters().saturating_sub(6) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (areas, legend) = self.layout(root)?;
        for (panel, area) in self.panels.iter().zip(&areas) {
            draw_morris_panel(panel, area)?;
        }
        let point_colour = arm_colour(0);
        draw_legend(
            &legend,
            &[
                ("parameter: μ* and σ", &|x, y| {
                    vec![PathElement::new(
                        vec![(x + 9, y), (x + 17, y)],
                        point_colour.stroke_width(9),
                    )]
                }),
                ("95% interval of μ*", &bar_swatch(point_colour, 2)),
                (
                    "σ = μ*: above it, effects vary",
                    &bar_swatch(ANNOTATION_GREY, 2),
                ),
            ],
        )
    }
}

fn draw_morris_panel<DB: DrawingBackend>(
    panel: &Panel<MorrisPoint>,
    area: &DrawingArea<DB, Shift>,
) -> Result<(), String> {
    let finite = |value: f64| if value.is_finite() { value } else { 0.0 };
    let x_top = panel
        .parameters
        .iter()
        .map(|p| finite(p.mu_star.high).max(finite(p.mu_star.estimate)))
        .fold(0.0_f64, f64::max);
    let y_top = panel
        .parameters
        .iter()
        .map(|p| finite(p.sigma))
        .fold(0.0_f64, f64::max);
    let x_top = if x_top > 0.0 { x_top } else { 1.0 };
    let y_top = if y_top > 0.0 { y_top } else { 1.0 };
    // Room on the right for the labels and above for lifted ones.
    let x_end = x_top * 1.45;
    let y_end = y_top * 1.25;
    let mut chart = ChartBuilder::on(area)
        .caption(&panel.title, text_style(15.0))
        .margin(14)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..x_end, 0.0..y_end)
        .map_err(drawing_error)?;
    let (x_decimals, y_decimals) = (decimals(x_end), decimals(y_end));
    chart
        .configure_mesh()
        .x_desc("μ*: mean size of the effect of moving the parameter over its range")
        .y_desc("σ: how much that effect varies")
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&|x| format!("{x:.x_decimals$}"))
        .y_label_formatter(&|y| format!("{y:.y_decimals$}"))
        .label_style(text_style(13.0))
        .axis_desc_style(text_style(14.0))
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID_GREY)
        .draw()
        .map_err(drawing_error)?;
    let diagonal = x_end.min(y_end);
    chart
        .draw_series(DashedLineSeries::new(
            vec![(0.0, 0.0), (diagonal, diagonal)],
            6,
            4,
            ANNOTATION_GREY.stroke_width(2),
        ))
        .map_err(drawing_error)?;
    let colour = arm_colour(0);
    let shown: Vec<&MorrisPoint> = panel
        .parameters
        .iter()
        .filter(|p| p.mu_star.estimate.is_finite() && p.sigma.is_finite())
        .collect();
    chart
        .draw_series(shown.iter().filter(|p| p.mu_star.low.is_finite()).map(|p| {
            PathElement::new(
                vec![(p.mu_star.low, p.sigma), (p.mu_star.high, p.sigma)],
                colour.stroke_width(2),
            )
        }))
        .map_err(drawing_error)?;
    chart
        .draw_series(
            shown
                .iter()
                .map(|p| Circle::new((p.mu_star.estimate, p.sigma), 6, colour.filled())),
        )
        .map_err(drawing_error)?;
    let positions: Vec<(f64, f64)> = shown
        .iter()
        .map(|p| (p.mu_star.estimate, p.sigma))
        .collect();
    // Above and right of the point, clear of its whisker.
    let heights = spread_labels(&positions, x_end * 0.35, y_end * 0.06);
    let style = text_style(14.0).pos(Pos::new(HPos::Left, VPos::Bottom));
    chart
        .draw_series(shown.iter().zip(&heights).map(|(p, &height)| {
            Text::new(
                p.parameter.clone(),
                (p.mu_star.estimate + x_end * 0.01, height + y_end * 0.015),
                style.clone(),
            )
        }))
        .map_err(drawing_error)?;
    Ok(())
}

const FIRST_ORDER: RGBColor = RGBColor(0x56, 0xB4, 0xE9);

impl Figure for SensitivityFigure<'_, SobolBars> {
    fn size(&self) -> (u32, u32) {
        self.size_with(150 + 64 * self.parameters().max(2) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (areas, legend) = self.layout(root)?;
        for (panel, area) in self.panels.iter().zip(&areas) {
            draw_sobol_panel(panel, area)?;
        }
        draw_legend(
            &legend,
            &[
                ("S1: the parameter alone", &bar_swatch(FIRST_ORDER, 12)),
                ("ST: with its interactions", &bar_swatch(arm_colour(0), 12)),
                ("95% interval", &bar_swatch(BLACK, 2)),
            ],
        )
    }
}

fn draw_sobol_panel<DB: DrawingBackend>(
    panel: &Panel<SobolBars>,
    area: &DrawingArea<DB, Shift>,
) -> Result<(), String> {
    // Shares of a variance, with room for estimates a little outside 0..1; whiskers beyond the
    // axis are cut at its ends.
    let (x_start, x_end) = (-0.1, 1.1);
    let clip = |value: f64| value.clamp(x_start, x_end);
    let rows = panel.parameters.len().max(1);
    let mut chart = ChartBuilder::on(area)
        .caption(&panel.title, text_style(15.0))
        .margin(14)
        .x_label_area_size(48)
        .y_label_area_size(8)
        .build_cartesian_2d(x_start..x_end, 0.0..rows as f64)
        .map_err(drawing_error)?;
    chart
        .configure_mesh()
        .x_desc("share of the measure's variance across the parameters' ranges")
        .x_labels(7)
        .y_labels(0)
        .x_label_formatter(&|x| format!("{x:.1}"))
        .label_style(text_style(13.0))
        .axis_desc_style(text_style(14.0))
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID_GREY)
        .disable_y_mesh()
        .draw()
        .map_err(drawing_error)?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (0.0, rows as f64)],
            ANNOTATION_GREY.stroke_width(1),
        )))
        .map_err(drawing_error)?;
    let total_colour = arm_colour(0);
    let label_style = text_style(14.0).pos(Pos::new(HPos::Left, VPos::Top));
    for (index, bars) in panel.parameters.iter().enumerate() {
        // The first parameter on top.
        let row = (rows - 1 - index) as f64;
        chart
            .draw_series(std::iter::once(Text::new(
                bars.parameter.clone(),
                (0.01, row + 0.96),
                label_style.clone(),
            )))
            .map_err(drawing_error)?;
        for (interval, colour, bottom) in [
            (bars.total, total_colour, row + 0.38),
            (bars.first, FIRST_ORDER, row + 0.08),
        ] {
            let top = bottom + 0.26;
            if interval.estimate.is_finite() {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(0.0, bottom), (clip(interval.estimate), top)],
                        colour.filled(),
                    )))
                    .map_err(drawing_error)?;
            }
            if interval.low.is_finite() && interval.high.is_finite() {
                let middle = (bottom + top) / 2.0;
                let (low, high) = (clip(interval.low), clip(interval.high));
                chart
                    .draw_series([
                        PathElement::new(
                            vec![(low, middle), (high, middle)],
                            BLACK.stroke_width(2),
                        ),
                        PathElement::new(
                            vec![(low, middle - 0.08), (low, middle + 0.08)],
                            BLACK.stroke_width(2),
                        ),
                        PathElement::new(
                            vec![(high, middle - 0.08), (high, middle + 0.08)],
                            BLACK.stroke_width(2),
                        ),
                    ])
                    .map_err(drawing_error)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_of_nearby_points_are_moved_apart() {
        let heights = spread_labels(&[(1.0, 0.5), (1.1, 0.52), (5.0, 0.51)], 1.0, 0.1);
        assert_eq!(heights[0], 0.5);
        assert!((heights[1] - 0.6).abs() < 1e-12);
        // Far along the x axis: left where it is.
        assert_eq!(heights[2], 0.51);
    }
}
