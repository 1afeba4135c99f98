//! Whether each point of a sweep settled (`metrics::settle`): the rows of `settling.csv`, streamed
//! with the sweep's other files, and the summary of that file that `metadata.json`, the terminal
//! and `report.html` show.
//!
//! Each run's trends are computed where it ran (the run's weekly records are dropped as soon as
//! it is measured); a point's verdict is judged from its replicates' trends in replicate order on
//! the writer thread, like its row of `points.csv`, so `settling.csv` is the same bytes on any
//! thread count, after a resume and when shards are merged. The summary is read back from the
//! finished `settling.csv`, so a resumed sweep, whose early points are no longer in memory, and a
//! merge, which has only the shards' files, summarise the same bytes the same way.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::metrics::settle::{RELATIVE_TOLERANCE, Series, Settling, Window};
use crate::output::csv::{format_bool, format_float, parse_bool};

pub use crate::output::files::SETTLING_CSV;

/// The columns after the point and the swept keys: each series' verdict, whether its drift is
/// the effect of a scheduled event (`metrics::settle`), the first and last week judged, and the
/// scheduled events in the point's measured weeks (`restructure at week 286; leave at week 300`).
pub const HEADER: [&str; 12] = [
    "series",
    "level",
    "relative_drift",
    "ci_low",
    "ci_high",
    "replicates",
    "basis",
    "settled",
    "event_effect",
    "judged_first_week",
    "judged_last_week",
    "events",
];

/// Points listed by name at most in `metadata.json` (all are in `settling.csv`).
pub const LISTED_POINTS: usize = 100;

/// The scheduled events of `window` for `settling.csv`'s `events` column, every one.
fn events_cell(window: &Window) -> String {
    let events: Vec<String> = window.events.iter().map(ToString::to_string).collect();
    events.join("; ")
}

/// A point's rows of `settling.csv`, without the point and its swept values: one per series.
pub fn rows(settling: &Settling) -> Vec<[String; 12]> {
    let window = &settling.window;
    let (first, last) = Window::first_last(&window.judged).map_or_else(
        || (String::new(), String::new()),
        |[first, last]| (first.to_string(), last.to_string()),
    );
    let events = events_cell(window);
    settling
        .series
        .iter()
        .map(|series| {
            [
                series.series.name().to_string(),
                format_float(series.level),
                format_float(series.relative_drift),
                format_float(series.ci_low),
                format_float(series.ci_high),
                series.replicates.to_string(),
                series.basis.key().to_string(),
                format_bool(series.settled).to_string(),
                format_bool(series.event_effect).to_string(),
                first.clone(),
                last.clone(),
                events.clone(),
            ]
        })
        .collect()
}

/// A point whose weekly series did not all settle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PointNotSettled {
    pub point: u64,
    /// `key=value` of each swept key, joined by `, `.
    pub values: String,
    /// The series that did not settle, in report order.
    pub series: Vec<String>,
}

/// The summary of a sweep's `settling.csv`, as `metadata.json` records it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepSettling {
    /// Every point settled.
    pub settled: bool,
    pub tolerance: f64,
    pub points: u64,
    pub points_not_settled: u64,
    /// Points at which some series drifts across judged weeks that include a scheduled event: the
    /// event's effect, not reported as unsettled (`metrics::settle`).
    pub points_event_effect: u64,
    /// For each series, the points at which it did not settle.
    pub series_not_settled: BTreeMap<String, u64>,
    /// The first `LISTED_POINTS` points that did not settle.
    pub not_settled: Vec<PointNotSettled>,
}

impl SweepSettling {
    /// Reads `settling.csv`'s bytes; an error says what is wrong with them.
    pub fn from_csv(bytes: &[u8]) -> Result<SweepSettling, String> {
        let mut reader = csv::ReaderBuilder::new().from_reader(bytes);
        let header = reader.headers().map_err(|error| error.to_string())?.clone();
        let column = |name: &str| {
            header
                .iter()
                .position(|field| field == name)
                .ok_or_else(|| format!("{SETTLING_CSV} has no `{name}` column"))
        };
        let (point_column, series_column, settled_column) =
            (column("point")?, column("series")?, column("settled")?);
        // Absent from files written before scheduled events were taken into account.
        let event_effect_column = column("event_effect").ok();
        let axes: Vec<&str> = header
            .iter()
            .skip(point_column + 1)
            .take(series_column.saturating_sub(point_column + 1))
            .collect();
        let mut summary = SweepSettling {
            settled: true,
            tolerance: RELATIVE_TOLERANCE,
            points: 0,
            points_not_settled: 0,
            points_event_effect: 0,
            series_not_settled: Series::ALL
                .iter()
                .map(|series| (series.name().to_string(), 0))
                .collect(),
            not_settled: Vec::new(),
        };
        let mut current: Option<PointNotSettled> = None;
        // The last point with a series whose drift is an event's effect.
        let mut event_effect_point: Option<u64> = None;
        let close = |summary: &mut SweepSettling, point: Option<PointNotSettled>| {
            if let Some(point) = point.filter(|point| !point.series.is_empty()) {
                summary.settled = false;
                summary.points_not_settled += 1;
                if summary.not_settled.len() < LISTED_POINTS {
                    summary.not_settled.push(point);
                }
            }
        };
        for (line, record) in reader.records().enumerate() {
            let record = record.map_err(|error| error.to_string())?;
            let field = |index: usize| {
                record
                    .get(index)
                    .ok_or_else(|| format!("{SETTLING_CSV} line {} is short", line + 2))
            };
            let point: u64 = field(point_column)?
                .parse()
                .map_err(|_| format!("{SETTLING_CSV} line {}: bad point", line + 2))?;
            if current
                .as_ref()
                .is_none_or(|current| current.point != point)
            {
                close(&mut summary, current.take());
                summary.points += 1;
                let values: Vec<String> = axes
                    .iter()
                    .enumerate()
                    .map(|(offset, key)| {
                        // As `--set` spells it: a swept boolean is TRUE or FALSE in the file.
                        let cell = record.get(point_column + 1 + offset).unwrap_or("");
                        match parse_bool(cell) {
                            Some(flag) => format!("{key}={flag}"),
                            None => format!("{key}={cell}"),
                        }
                    })
                    .collect();
                current = Some(PointNotSettled {
                    point,
                    values: values.join(", "),
                    series: Vec::new(),
                });
            }
            if let Some(column) = event_effect_column
                && parse_bool(field(column)?) == Some(true)
                && event_effect_point != Some(point)
            {
                event_effect_point = Some(point);
                summary.points_event_effect += 1;
            }
            if parse_bool(field(settled_column)?) == Some(false) {
                let series = field(series_column)?.to_string();
                *summary
                    .series_not_settled
                    .entry(series.clone())
                    .or_insert(0) += 1;
                if let Some(current) = current.as_mut() {
                    current.series.push(series);
                }
            }
        }
        close(&mut summary, current);
        Ok(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_counts_and_lists_the_points_not_settled() {
        let csv = "point,coordination.minder,series,level,relative_drift,ci_low,ci_high,replicates,basis,settled\n\
                   0,false,waiting_for_help,10,0.01,-0.01,0.03,3,confidence_interval,true\n\
                   0,false,open_cases,10,0.01,-0.01,0.03,3,confidence_interval,true\n\
                   1,true,waiting_for_help,10,0.4,0.3,0.5,3,confidence_interval,false\n\
                   1,true,open_cases,10,0.3,0.2,0.4,3,confidence_interval,false\n\
                   2,true,waiting_for_help,10,0.4,0.3,0.5,3,confidence_interval,false\n";
        let summary = SweepSettling::from_csv(csv.as_bytes()).unwrap();
        assert!(!summary.settled);
        assert_eq!((summary.points, summary.points_not_settled), (3, 2));
        assert_eq!(summary.series_not_settled["waiting_for_help"], 2);
        assert_eq!(summary.series_not_settled["open_cases"], 1);
        assert_eq!(summary.series_not_settled["mean_tie_strength"], 0);
        assert_eq!(
            summary.not_settled[0],
            PointNotSettled {
                point: 1,
                values: "coordination.minder=true".to_string(),
                series: vec!["waiting_for_help".to_string(), "open_cases".to_string()],
            }
        );
        assert_eq!(summary.not_settled[1].point, 2);
        let settled =
            SweepSettling::from_csv(&csv.as_bytes()[..csv.find("1,true").unwrap()]).unwrap();
        assert!(settled.settled && settled.not_settled.is_empty());
        assert_eq!(settled.points, 1);
        assert!(SweepSettling::from_csv(b"point,x\n0,1\n").is_err());
    }
}
