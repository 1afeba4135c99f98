//! `patchwork calibrate`'s pictures, drawn from the final population in memory (PNG only, as
//! `warmup`):
//!
//! - `plots/posterior.png`: a panel per parameter, the weighted posterior as a histogram over the
//!   prior's range (probability per bin, blue) against the prior's probability per bin (a dashed
//!   grey step), so a reader sees how far the targets narrowed each parameter;
//! - `plots/targets.png`: a panel per target, the weighted distribution of the particles'
//!   simulated values (a histogram) against the target value (a line) ± its scale (shaded).

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::output::plot::{ANNOTATION_GREY, Figure, arm_colour, drawing_error, text_style};

/// One histogram panel: weighted values over `[low, high]`, optionally against reference masses.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramPanel {
    pub title: String,
    pub x_label: String,
    pub low: f64,
    pub high: f64,
    /// Probability of each of the equal-width bins of `[low, high]`.
    pub bins: Vec<f64>,
    /// The prior's probability of each bin (posterior panels only).
    pub prior: Option<Vec<f64>>,
    /// A target value and its scale (target panels only).
    pub target: Option<(f64, f64)>,
}

/// Bins a histogram panel has.
pub const BINS: usize = 20;

/// The weighted share of `values` in each of `BINS` equal bins of `[low, high]` (values outside
/// are counted in the end bins).
pub fn weighted_bins(values: &[f64], weights: &[f64], low: f64, high: f64) -> Vec<f64> {
    let mut bins = vec![0.0; BINS];
    let width = (high - low) / BINS as f64;
    for (&value, &weight) in values.iter().zip(weights) {
        if !value.is_finite() {
            continue;
        }
        let index = ((value - low) / width)
            .floor()
            .clamp(0.0, (BINS - 1) as f64) as usize;
        bins[index] += weight;
    }
    bins
}

/// A grid of histogram panels under a title.
pub struct HistogramGrid<'a> {
    pub title: String,
    pub panels: &'a [HistogramPanel],
}

const COLUMNS: usize = 3;
const PRIOR_GREY: RGBColor = RGBColor(0x80, 0x80, 0x80);
const BAND_ORANGE: RGBColor = RGBColor(0xFB, 0xE3, 0xC4);

impl HistogramGrid<'_> {
    fn grid(&self) -> (usize, usize) {
        let columns = self.panels.len().clamp(1, COLUMNS);
        (self.panels.len().div_ceil(columns).max(1), columns)
    }
}

impl Figure for HistogramGrid<'_> {
    fn size(&self) -> (u32, u32) {
        let (rows, columns) = self.grid();
        (460 * columns as u32, 380 * rows as u32 + 50)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(drawing_error)?;
        let titled = root
            .titled(&self.title, text_style(22.0))
            .map_err(drawing_error)?;
        let areas = titled.split_evenly(self.grid());
        for (panel, area) in self.panels.iter().zip(areas) {
            draw_panel(panel, &area)?;
        }
        Ok(())
    }
}

/// Decimals for axis labels over a range of this width.
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

fn draw_panel<DB: DrawingBackend>(
    panel: &HistogramPanel,
    area: &DrawingArea<DB, Shift>,
) -> Result<(), String> {
    let (low, high) = (panel.low, panel.high);
    let width = (high - low) / panel.bins.len().max(1) as f64;
    let tallest = panel
        .bins
        .iter()
        .chain(panel.prior.iter().flatten())
        .copied()
        .fold(0.0_f64, f64::max);
    let y_end = if tallest > 0.0 { tallest * 1.45 } else { 1.0 };
    let x_decimals = decimals(high - low);
    let mut chart = ChartBuilder::on(area)
        .caption(&panel.title, text_style(17.0))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(56)
        .build_cartesian_2d(low..high, 0.0..y_end)
        .map_err(drawing_error)?;
    chart
        .configure_mesh()
        .x_desc(panel.x_label.as_str())
        .y_desc("probability per bin")
        .x_labels(6)
        .x_label_formatter(&|x| format!("{x:.x_decimals$}"))
        .y_label_formatter(&|y| format!("{y:.2}"))
        .label_style(text_style(13.0))
        .axis_desc_style(text_style(14.0))
        .light_line_style(TRANSPARENT)
        .bold_line_style(RGBColor(0xE4, 0xE4, 0xE4))
        .draw()
        .map_err(drawing_error)?;

    if let Some((value, scale)) = panel.target {
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [
                    ((value - scale).max(low), 0.0),
                    ((value + scale).min(high), y_end),
                ],
                BAND_ORANGE.filled(),
            )))
            .map_err(drawing_error)?
            .label("target ± scale")
            .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 24, y + 6)], BAND_ORANGE.filled()));
    }
    let bar_colour = arm_colour(0);
    chart
        .draw_series(panel.bins.iter().enumerate().map(|(k, &mass)| {
            let left = low + k as f64 * width;
            Rectangle::new(
                [(left + width * 0.05, 0.0), (left + width * 0.95, mass)],
                bar_colour.mix(0.8).filled(),
            )
        }))
        .map_err(drawing_error)?
        .label(if panel.prior.is_some() {
            "posterior (weighted)"
        } else {
            "simulated, posterior particles"
        })
        .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 24, y + 6)], bar_colour.filled()));
    if let Some(prior) = &panel.prior {
        let mut step = Vec::with_capacity(2 * prior.len());
        for (k, &mass) in prior.iter().enumerate() {
            step.push((low + k as f64 * width, mass));
            step.push((low + (k + 1) as f64 * width, mass));
        }
        chart
            .draw_series(DashedLineSeries::new(
                step,
                6,
                4,
                PRIOR_GREY.stroke_width(2),
            ))
            .map_err(drawing_error)?
            .label("prior")
            .legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 24, y)], PRIOR_GREY.stroke_width(2))
            });
    }
    if let Some((value, _)) = panel.target {
        let target_colour = arm_colour(1);
        chart
            .draw_series(LineSeries::new(
                vec![(value, 0.0), (value, y_end)],
                target_colour.stroke_width(3),
            ))
            .map_err(drawing_error)?
            .label("target")
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 24, y)], target_colour.stroke_width(3))
            });
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .margin(6)
        .background_style(WHITE.mix(0.9))
        .border_style(ANNOTATION_GREY)
        .label_font(text_style(12.0))
        .draw()
        .map_err(drawing_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_hold_the_weights() {
        let bins = weighted_bins(
            &[0.0, 0.5, 0.99, 1.0, 7.0, f64::NAN],
            &[0.1, 0.2, 0.3, 0.1, 0.3, 5.0],
            0.0,
            1.0,
        );
        assert_eq!(bins.len(), BINS);
        assert_eq!(bins[0], 0.1);
        assert_eq!(bins[10], 0.2);
        // 0.99, 1.0 and the value beyond the range fall in the last bin; NaN nowhere.
        assert!((bins[BINS - 1] - 0.7).abs() < 1e-12);
        assert!((bins.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
}
