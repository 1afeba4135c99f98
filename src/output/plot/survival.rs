//! Time to help as Kaplan–Meier survival curves: the share of recognised needs still waiting for
//! help against weeks since recognition, one stepped line per arm with its 95% band shaded.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::output::plot::{
    ANNOTATION_GREY, Figure, PlotData, SurvivalLine, arm_colour, drawing_error, text_style,
};

pub struct SurvivalFigure<'a> {
    pub data: &'a PlotData,
}

/// Survival below which a curve is considered to have run its course when choosing the axis.
const AXIS_SURVIVAL: f64 = 0.05;

/// The end of the time axis: where every arm's survival has fallen to `AXIS_SURVIVAL` (or its last
/// point), rounded up to a multiple of 5 weeks.
fn axis_end(lines: &[&SurvivalLine]) -> f64 {
    let end = lines
        .iter()
        .filter_map(|line| {
            line.time
                .iter()
                .zip(&line.survival)
                .find(|(_, survival)| **survival <= AXIS_SURVIVAL)
                .map(|(time, _)| *time)
                .or_else(|| line.time.last().copied())
        })
        .fold(0.0_f64, f64::max);
    ((end / 5.0).ceil() * 5.0).max(5.0)
}

/// A stepped line through `(time, value)` points from `(0, 1)`, held flat to `end` and cut there.
/// A NaN value (undefined band) repeats the previous one.
fn steps(times: &[f64], values: &[f64], end: f64) -> Vec<(f64, f64)> {
    let mut points = vec![(0.0, 1.0)];
    let mut previous = 1.0;
    for (&time, &value) in times.iter().zip(values) {
        if time > end {
            break;
        }
        let value = if value.is_nan() { previous } else { value };
        points.push((time, previous));
        points.push((time, value));
        previous = value;
    }
    points.push((end, previous));
    points
}

impl Figure for SurvivalFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (1000, 640)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(drawing_error)?;
        let lines: Vec<&SurvivalLine> = self
            .data
            .survival
            .iter()
            .filter(|line| !line.time.is_empty())
            .collect();
        let end = axis_end(&lines);

        let mut chart = ChartBuilder::on(root)
            .caption(
                "Time to help: share of recognised needs still waiting for help",
                text_style(24.0),
            )
            .margin(20)
            .x_label_area_size(55)
            .y_label_area_size(80)
            .build_cartesian_2d(0.0..end, 0.0..1.0)
            .map_err(drawing_error)?;
        chart
            .configure_mesh()
            .x_desc("weeks since the need was recognised")
            .y_desc("still waiting (% of recognised needs)")
            .y_label_formatter(&|share| format!("{:.0}%", share * 100.0))
            .x_label_formatter(&|weeks| format!("{weeks:.0}"))
            .label_style(text_style(15.0))
            .axis_desc_style(text_style(17.0))
            .light_line_style(TRANSPARENT)
            .bold_line_style(RGBColor(0xE4, 0xE4, 0xE4))
            .draw()
            .map_err(drawing_error)?;

        chart
            .draw_series(DashedLineSeries::new(
                vec![(0.0, 0.5), (end, 0.5)],
                6,
                5,
                ANNOTATION_GREY.stroke_width(1),
            ))
            .map_err(drawing_error)?;

        for (index, line) in lines.iter().enumerate() {
            let colour = arm_colour(index);
            let mut band = steps(&line.time, &line.upper_95, end);
            band.extend(steps(&line.time, &line.lower_95, end).into_iter().rev());
            chart
                .draw_series(std::iter::once(Polygon::new(
                    band,
                    colour.mix(0.18).filled(),
                )))
                .map_err(drawing_error)?;
        }
        for (index, line) in lines.iter().enumerate() {
            let colour = arm_colour(index);
            chart
                .draw_series(LineSeries::new(
                    steps(&line.time, &line.survival, end),
                    colour.stroke_width(3),
                ))
                .map_err(drawing_error)?
                .label(line.arm.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], colour.stroke_width(3))
                });
        }

        let note_style = text_style(14.0)
            .color(&ANNOTATION_GREY)
            .pos(Pos::new(HPos::Left, VPos::Bottom));
        chart
            .plotting_area()
            .draw(&Text::new(
                "shaded: 95% confidence band; dashed: half of the needs still waiting",
                (end * 0.02, 0.03),
                note_style,
            ))
            .map_err(drawing_error)?;

        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .margin(12)
            .background_style(WHITE.mix(0.9))
            .border_style(ANNOTATION_GREY)
            .label_font(text_style(17.0))
            .draw()
            .map_err(drawing_error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_hold_each_value_until_the_next_time() {
        let points = steps(&[0.0, 2.0, 5.0], &[1.0, 0.6, 0.2], 8.0);
        assert_eq!(
            points,
            vec![
                (0.0, 1.0),
                (0.0, 1.0),
                (0.0, 1.0),
                (2.0, 1.0),
                (2.0, 0.6),
                (5.0, 0.6),
                (5.0, 0.2),
                (8.0, 0.2)
            ]
        );
        let cut = steps(&[3.0, 12.0], &[0.5, 0.1], 10.0);
        assert_eq!(cut.last(), Some(&(10.0, 0.5)));
        let undefined = steps(&[3.0], &[f64::NAN], 4.0);
        assert_eq!(undefined.last(), Some(&(4.0, 1.0)));
    }

    #[test]
    fn the_axis_ends_where_curves_have_run_their_course() {
        let line = |time: Vec<f64>, survival: Vec<f64>| SurvivalLine {
            arm: String::new(),
            lower_95: survival.clone(),
            upper_95: survival.clone(),
            time,
            survival,
        };
        let fast = line(vec![0.0, 3.0, 7.0, 40.0], vec![1.0, 0.5, 0.04, 0.0]);
        let slow = line(vec![0.0, 10.0, 21.0], vec![1.0, 0.6, 0.3]);
        assert_eq!(axis_end(&[&fast]), 10.0);
        assert_eq!(axis_end(&[&fast, &slow]), 25.0);
        assert_eq!(axis_end(&[]), 5.0);
    }
}
