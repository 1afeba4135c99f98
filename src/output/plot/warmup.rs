//! `patchwork warmup`'s picture, `warmup.png`: Welch's method on each weekly series in four
//! panels. Each shows the week-by-week mean over replicates (thin grey), its moving average (blue),
//! the band of ± 5% around the steady level (shaded green) and the suggested warm-up (a dashed
//! line), so a reader can see why the method chose the week it did.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::metrics::welch::{BAND, WelchSeries};
use crate::output::plot::{ANNOTATION_GREY, Figure, arm_colour, drawing_error, text_style};

/// The figure: every series through Welch's method, from `replicates` replicates with half-width
/// `window` weeks.
pub struct WarmupFigure<'a> {
    pub series: &'a [WelchSeries],
    pub replicates: u32,
    pub window: usize,
}

const BAND_GREEN: RGBColor = RGBColor(0xD8, 0xEF, 0xE3);
const MEAN_GREY: RGBColor = RGBColor(0xA8, 0xA8, 0xA8);

fn title_of(series: &WelchSeries) -> String {
    let name = series.series.name().replace('_', " ");
    let mut title = name[..1].to_uppercase() + &name[1..];
    match series.warmup_weeks {
        Some(weeks) => title.push_str(&format!(": warm-up {weeks} weeks")),
        None => title.push_str(": not settled within the horizon"),
    }
    title
}

impl Figure for WarmupFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (1200, 860)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(drawing_error)?;
        let title = format!(
            "Welch's method: mean of {} replicates with no warm-up, moving average over {} weeks",
            self.replicates,
            2 * self.window + 1
        );
        let titled: DrawingArea<DB, Shift> = root
            .titled(&title, text_style(22.0))
            .map_err(drawing_error)?;
        for (series, area) in self.series.iter().zip(titled.split_evenly((2, 2))) {
            draw_panel(series, &area)?;
        }
        Ok(())
    }
}

fn draw_panel<DB: DrawingBackend>(
    series: &WelchSeries,
    area: &DrawingArea<DB, Shift>,
) -> Result<(), String> {
    let x_end = series.mean.len().max(2) as f64 - 1.0;
    let largest = series
        .mean
        .iter()
        .chain(&series.smoothed)
        .copied()
        .filter(|value| value.is_finite())
        .fold(0.0_f64, f64::max);
    let y_end = if largest > 0.0 { largest * 1.12 } else { 1.0 };
    let decimals = if y_end < 5.0 { 2 } else { 0 };
    let mut chart = ChartBuilder::on(area)
        .caption(title_of(series), text_style(18.0))
        .margin(12)
        .x_label_area_size(46)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..x_end, 0.0..y_end)
        .map_err(drawing_error)?;
    chart
        .configure_mesh()
        .x_desc("week of the run (no warm-up)")
        .y_desc(series.series.name())
        .x_label_formatter(&|week| format!("{week:.0}"))
        .y_label_formatter(&|value| format!("{value:.decimals$}"))
        .label_style(text_style(14.0))
        .axis_desc_style(text_style(15.0))
        .light_line_style(TRANSPARENT)
        .bold_line_style(RGBColor(0xE4, 0xE4, 0xE4))
        .draw()
        .map_err(drawing_error)?;

    if series.level.is_finite() {
        let half_width = BAND * series.level.abs();
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [
                    (0.0, (series.level - half_width).max(0.0)),
                    (x_end, (series.level + half_width).min(y_end)),
                ],
                BAND_GREEN.filled(),
            )))
            .map_err(drawing_error)?
            .label(format!("steady level ± {:.0}%", BAND * 100.0))
            .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 24, y + 6)], BAND_GREEN.filled()));
    }
    let points = |values: &[f64]| -> Vec<(f64, f64)> {
        values
            .iter()
            .enumerate()
            .filter(|(_, value)| value.is_finite())
            .map(|(week, value)| (week as f64, *value))
            .collect()
    };
    chart
        .draw_series(LineSeries::new(
            points(&series.mean),
            MEAN_GREY.stroke_width(1),
        ))
        .map_err(drawing_error)?
        .label("mean over replicates")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], MEAN_GREY.stroke_width(2)));
    let smoothed_colour = arm_colour(0);
    chart
        .draw_series(LineSeries::new(
            points(&series.smoothed),
            smoothed_colour.stroke_width(3),
        ))
        .map_err(drawing_error)?
        .label("moving average")
        .legend(move |(x, y)| {
            PathElement::new(vec![(x, y), (x + 24, y)], smoothed_colour.stroke_width(3))
        });
    if let Some(weeks) = series.warmup_weeks {
        let week = f64::from(weeks);
        chart
            .draw_series(DashedLineSeries::new(
                vec![(week, 0.0), (week, y_end)],
                6,
                4,
                ANNOTATION_GREY.stroke_width(2),
            ))
            .map_err(drawing_error)?;
        chart
            .plotting_area()
            .draw(&Text::new(
                format!("warm-up {weeks}"),
                (week + x_end * 0.01, y_end * 0.97),
                text_style(14.0).color(&ANNOTATION_GREY),
            ))
            .map_err(drawing_error)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .margin(8)
        .background_style(WHITE.mix(0.9))
        .border_style(ANNOTATION_GREY)
        .label_font(text_style(13.0))
        .draw()
        .map_err(drawing_error)?;
    Ok(())
}
