//! A run's weekly series in four panels (children waiting for help, open cases, mean tie
//! strength, staff in post), each the mean across replicates, one line per arm. The warm-up is
//! shaded and the timeline's events are marked with numbered dashed lines, listed under the panels.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::output::plot::{
    ANNOTATION_GREY, Figure, PlotData, TimelineEvent, WeeklyLine, arm_colour, drawing_error,
    text_style,
};

pub struct WeeklyFigure<'a> {
    pub data: &'a PlotData,
}

/// Events listed under the panels at most; the rest are counted.
const LISTED_EVENTS: usize = 8;
const EVENT_LINE_HEIGHT: u32 = 22;

/// One panel: its title, the unit on its y axis, and the series it shows.
struct Panel {
    title: &'static str,
    unit: &'static str,
    series: fn(&WeeklyLine) -> &[f64],
    /// Decimals on the y axis's labels.
    decimals: usize,
}

const PANELS: [Panel; 4] = [
    Panel {
        title: "Children waiting for help",
        unit: "children",
        decimals: 0,
        series: |line| &line.waiting_for_help,
    },
    Panel {
        title: "Open cases",
        unit: "cases",
        decimals: 0,
        series: |line| &line.open_cases,
    },
    Panel {
        title: "Mean tie strength between professionals",
        unit: "tie strength (0 to 1)",
        decimals: 2,
        series: |line| &line.mean_tie_strength,
    },
    Panel {
        title: "Staff in post",
        unit: "people",
        decimals: 0,
        series: |line| &line.staff_in_post,
    },
];

/// An event as marked: its week and the text listed under the panels.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Marker {
    week: u32,
    text: String,
}

/// Events in week order, one marker per distinct (week, locality, label). An event in every arm's
/// timeline is listed once; one that only some arms have is prefixed with their names. The
/// locality is named only when events happen in more than one.
fn markers(events: &[TimelineEvent], arms: &[&str]) -> Vec<Marker> {
    let several_localities = events
        .iter()
        .any(|event| event.locality != events[0].locality);
    let mut distinct: Vec<(u32, u32, &str, Vec<&str>)> = Vec::new();
    for event in events {
        let key = (event.week, event.locality, event.label.as_str());
        let arm = event.arm.as_deref();
        match distinct
            .iter_mut()
            .find(|(week, locality, label, _)| (*week, *locality, *label) == key)
        {
            Some((_, _, _, event_arms)) => event_arms.extend(arm),
            None => distinct.push((key.0, key.1, key.2, arm.into_iter().collect())),
        }
    }
    distinct.sort_by_key(|(week, locality, _, _)| (*week, *locality));
    distinct
        .into_iter()
        .map(|(week, locality, label, event_arms)| {
            let in_every_arm =
                event_arms.is_empty() || arms.iter().all(|arm| event_arms.contains(arm));
            let mut text = format!("week {week}: {label}");
            if several_localities {
                text.push_str(&format!(" (locality {locality})"));
            }
            if !in_every_arm {
                text = format!("{}, {text}", event_arms.join(" and "));
            }
            Marker { week, text }
        })
        .collect()
}

/// The marked weeks, each with the numbers of its events (`1, 2`), in week order.
fn numbers_by_week(markers: &[Marker]) -> Vec<(u32, String)> {
    let mut weeks: Vec<(u32, String)> = Vec::new();
    for (index, marker) in markers.iter().enumerate() {
        let number = (index + 1).to_string();
        match weeks.last_mut() {
            Some((week, numbers)) if *week == marker.week => {
                numbers.push_str(", ");
                numbers.push_str(&number);
            }
            _ => weeks.push((marker.week, number)),
        }
    }
    weeks
}

impl WeeklyFigure<'_> {
    fn lines(&self) -> Vec<&WeeklyLine> {
        self.data
            .weekly
            .iter()
            .filter(|line| !line.week.is_empty())
            .collect()
    }

    fn event_strip_height(&self) -> u32 {
        let arms: Vec<&str> = self.lines().iter().map(|line| line.arm.as_str()).collect();
        match markers(&self.data.events, &arms).len() {
            0 => 0,
            count => {
                let listed = count.min(LISTED_EVENTS) + usize::from(count > LISTED_EVENTS);
                EVENT_LINE_HEIGHT * (listed as u32 + 1) + 10
            }
        }
    }
}

impl Figure for WeeklyFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (1200, 860 + self.event_strip_height())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(drawing_error)?;
        let lines = self.lines();
        let arms: Vec<&str> = lines.iter().map(|line| line.arm.as_str()).collect();
        let replicates = lines.iter().map(|line| line.replicates).max().unwrap_or(0);
        let title = format!(
            "Week by week: mean of {replicates} replicate{}",
            if replicates == 1 { "" } else { "s" }
        );
        let titled = root
            .titled(&title, text_style(24.0))
            .map_err(drawing_error)?;
        let (_, height) = titled.dim_in_pixel();
        let strip_height = self.event_strip_height();
        let (panels_area, strip) = titled.split_vertically(height.saturating_sub(strip_height));

        let last_week = lines
            .iter()
            .filter_map(|line| line.week.last())
            .max()
            .copied()
            .unwrap_or(1)
            .max(1);
        let x_end = f64::from(last_week);
        let event_markers = markers(&self.data.events, &arms);

        for (panel_index, (panel, area)) in PANELS
            .iter()
            .zip(panels_area.split_evenly((2, 2)))
            .enumerate()
        {
            let largest = lines
                .iter()
                .flat_map(|line| (panel.series)(line).iter().copied())
                .filter(|value| value.is_finite())
                .fold(0.0_f64, f64::max);
            let y_end = if largest > 0.0 { largest * 1.12 } else { 1.0 };

            let mut chart = ChartBuilder::on(&area)
                .caption(panel.title, text_style(19.0))
                .margin(12)
                .x_label_area_size(48)
                .y_label_area_size(70)
                .build_cartesian_2d(0.0..x_end, 0.0..y_end)
                .map_err(drawing_error)?;
            chart
                .configure_mesh()
                .x_desc("week of the run")
                .y_desc(panel.unit)
                .x_label_formatter(&|week| format!("{week:.0}"))
                .y_label_formatter(&|value| format!("{value:.*}", panel.decimals))
                .label_style(text_style(14.0))
                .axis_desc_style(text_style(15.0))
                .light_line_style(TRANSPARENT)
                .bold_line_style(RGBColor(0xE4, 0xE4, 0xE4))
                .draw()
                .map_err(drawing_error)?;

            let note_style = text_style(13.0).color(&ANNOTATION_GREY);
            if let Some(warmup) = self.data.warmup_weeks.filter(|weeks| *weeks > 0) {
                let warmup = f64::from(warmup).min(x_end);
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(0.0, 0.0), (warmup, y_end)],
                        RGBColor(0xF0, 0xF0, 0xF0).filled(),
                    )))
                    .map_err(drawing_error)?;
                chart
                    .plotting_area()
                    .draw(&Text::new(
                        "warm-up (not measured)",
                        (x_end * 0.01, y_end * 0.99),
                        note_style.clone(),
                    ))
                    .map_err(drawing_error)?;
            }
            for (week, numbers) in numbers_by_week(&event_markers) {
                let week = f64::from(week);
                chart
                    .draw_series(DashedLineSeries::new(
                        vec![(week, 0.0), (week, y_end)],
                        5,
                        4,
                        ANNOTATION_GREY.stroke_width(1),
                    ))
                    .map_err(drawing_error)?;
                chart
                    .plotting_area()
                    .draw(&Text::new(
                        numbers,
                        (week + x_end * 0.005, y_end * 0.92),
                        note_style.clone(),
                    ))
                    .map_err(drawing_error)?;
            }

            for (arm_index, line) in lines.iter().enumerate() {
                let colour = arm_colour(arm_index);
                let points: Vec<(f64, f64)> = line
                    .week
                    .iter()
                    .zip((panel.series)(line))
                    .filter(|(_, value)| value.is_finite())
                    .map(|(week, value)| (f64::from(*week), *value))
                    .collect();
                chart
                    .draw_series(LineSeries::new(points, colour.stroke_width(2)))
                    .map_err(drawing_error)?
                    .label(line.arm.clone())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 24, y)], colour.stroke_width(3))
                    });
            }
            if panel_index == 0 && lines.len() > 1 {
                chart
                    .configure_series_labels()
                    .position(SeriesLabelPosition::LowerRight)
                    .margin(10)
                    .background_style(WHITE.mix(0.9))
                    .border_style(ANNOTATION_GREY)
                    .label_font(text_style(15.0))
                    .draw()
                    .map_err(drawing_error)?;
            }
        }

        if !event_markers.is_empty() {
            let heading_style = text_style(16.0).pos(Pos::new(HPos::Left, VPos::Top));
            let line_height = EVENT_LINE_HEIGHT as i32;
            strip
                .draw(&Text::new(
                    "Timeline events (dashed lines; replicate 0's timeline):",
                    (24, 4),
                    heading_style.clone(),
                ))
                .map_err(drawing_error)?;
            let item_style = text_style(15.0).pos(Pos::new(HPos::Left, VPos::Top));
            for (index, marker) in event_markers.iter().take(LISTED_EVENTS).enumerate() {
                strip
                    .draw(&Text::new(
                        format!("{}. {}", index + 1, marker.text),
                        (40, 4 + line_height * (index as i32 + 1)),
                        item_style.clone(),
                    ))
                    .map_err(drawing_error)?;
            }
            if event_markers.len() > LISTED_EVENTS {
                strip
                    .draw(&Text::new(
                        format!(
                            "... and {} more (see events.csv)",
                            event_markers.len() - LISTED_EVENTS
                        ),
                        (40, 4 + line_height * (LISTED_EVENTS as i32 + 1)),
                        item_style,
                    ))
                    .map_err(drawing_error)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(arm: Option<&str>, week: u32, locality: u32, label: &str) -> TimelineEvent {
        TimelineEvent {
            arm: arm.map(str::to_string),
            week,
            locality,
            label: label.to_string(),
        }
    }

    #[test]
    fn shared_events_are_listed_once_and_others_name_their_arm() {
        let events = [
            event(Some("a"), 80, 0, "the minder left"),
            event(Some("a"), 60, 0, "restructure"),
            event(Some("b"), 60, 0, "restructure"),
        ];
        let listed = markers(&events, &["a", "b"]);
        assert_eq!(
            listed,
            vec![
                Marker {
                    week: 60,
                    text: "week 60: restructure".to_string()
                },
                Marker {
                    week: 80,
                    text: "a, week 80: the minder left".to_string()
                },
            ]
        );
    }

    #[test]
    fn events_in_the_same_week_share_a_line() {
        let listed = markers(
            &[
                event(Some("a"), 60, 0, "restructure: 9 reassigned"),
                event(Some("b"), 60, 0, "restructure: 10 reassigned"),
                event(Some("a"), 90, 0, "the minder left"),
            ],
            &["a", "b"],
        );
        assert_eq!(
            numbers_by_week(&listed),
            vec![(60, "1, 2".to_string()), (90, "3".to_string())]
        );
    }

    #[test]
    fn localities_are_named_only_when_there_are_several() {
        let one = markers(&[event(None, 5, 2, "cut")], &["run"]);
        assert_eq!(one[0].text, "week 5: cut");
        let two = markers(
            &[event(None, 5, 0, "cut"), event(None, 5, 1, "cut")],
            &["run"],
        );
        assert_eq!(two[0].text, "week 5: cut (locality 0)");
        assert_eq!(two[1].text, "week 5: cut (locality 1)");
        assert!(markers(&[], &["run"]).is_empty());
    }
}
