//! What the plots are drawn from, read back from the CSV files of an output directory.
//!
//! Plots are always drawn from these files, never straight from a run in memory: `run` and
//! `compare` render their CSV files first and parse their own bytes here, and `patchwork plot DIR`
//! parses the same files from disk, so a redrawn plot is the plot the run drew. Columns are found
//! by name, so a file with extra columns still reads; a missing `arm` column means one arm, named
//! by the caller.
//!
//! - `survival.csv`: `arm, time, survival, lower_95, upper_95` (one Kaplan–Meier curve per arm,
//!   starting at time 0 with survival 1);
//! - `weekly.csv`: `[arm,] replicate, week, open_cases, waiting_for_help, mean_tie_strength,
//!   staff_in_post, ...`, averaged here across replicates week by week;
//! - `events.csv`: `[arm,] week, locality, label` (the timeline of replicate 0).

use std::collections::BTreeMap;

/// A file could not be read as plot input.
#[derive(Debug, thiserror::Error)]
pub enum PlotDataError {
    #[error("{file_name}: missing column {column} (found: {found})")]
    MissingColumn {
        file_name: &'static str,
        column: &'static str,
        found: String,
    },

    #[error("{file_name}:{line}: column {column}: expected {expected}, found {found:?}")]
    BadValue {
        file_name: &'static str,
        line: u64,
        column: &'static str,
        expected: &'static str,
        found: String,
    },

    #[error("{file_name}: {reason}")]
    Csv {
        file_name: &'static str,
        reason: String,
    },
}

/// One arm's Kaplan–Meier curve of weeks from recognition to help.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SurvivalLine {
    pub arm: String,
    pub time: Vec<f64>,
    pub survival: Vec<f64>,
    pub lower_95: Vec<f64>,
    pub upper_95: Vec<f64>,
}

/// One arm's weekly series, each the mean across replicates.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WeeklyLine {
    pub arm: String,
    pub week: Vec<u32>,
    pub waiting_for_help: Vec<f64>,
    pub open_cases: Vec<f64>,
    pub mean_tie_strength: Vec<f64>,
    pub staff_in_post: Vec<f64>,
    /// Replicates averaged (the most seen in any week).
    pub replicates: u32,
}

/// Something the scenario's timeline did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEvent {
    /// The arm whose timeline it is (`None`: the only arm).
    pub arm: Option<String>,
    pub week: u32,
    pub locality: u32,
    pub label: String,
}

/// Everything the plots of one output directory show.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlotData {
    pub survival: Vec<SurvivalLine>,
    pub weekly: Vec<WeeklyLine>,
    pub events: Vec<TimelineEvent>,
    /// Weeks before measures start, shaded on the weekly plot when known.
    pub warmup_weeks: Option<u32>,
}

/// The CSV files (as bytes) and facts plots are drawn from; any file may be absent.
#[derive(Debug, Clone, Default)]
pub struct PlotInputs<'a> {
    pub survival_csv: Option<&'a [u8]>,
    pub weekly_csv: Option<&'a [u8]>,
    pub events_csv: Option<&'a [u8]>,
    /// The arm name for files without an `arm` column.
    pub single_arm: &'a str,
    pub warmup_weeks: Option<u32>,
}

pub const SURVIVAL_CSV: &str = "survival.csv";
pub const WEEKLY_CSV: &str = "weekly.csv";
pub const EVENTS_CSV: &str = "events.csv";

impl PlotData {
    /// Parses whichever files are present.
    pub fn from_csv(inputs: &PlotInputs<'_>) -> Result<PlotData, PlotDataError> {
        Ok(PlotData {
            survival: match inputs.survival_csv {
                Some(bytes) => read_survival(bytes, inputs.single_arm)?,
                None => Vec::new(),
            },
            weekly: match inputs.weekly_csv {
                Some(bytes) => read_weekly(bytes, inputs.single_arm)?,
                None => Vec::new(),
            },
            events: match inputs.events_csv {
                Some(bytes) => read_events(bytes)?,
                None => Vec::new(),
            },
            warmup_weeks: inputs.warmup_weeks,
        })
    }
}

/// A CSV file with its header, and lookups of columns by name.
struct Table {
    file_name: &'static str,
    header: csv::StringRecord,
    records: Vec<csv::StringRecord>,
}

impl Table {
    fn parse(file_name: &'static str, bytes: &[u8]) -> Result<Table, PlotDataError> {
        let to_error = |error: csv::Error| PlotDataError::Csv {
            file_name,
            reason: error.to_string(),
        };
        let mut reader = csv::ReaderBuilder::new().from_reader(bytes);
        let header = reader.headers().map_err(to_error)?.clone();
        let records = reader
            .records()
            .collect::<Result<Vec<_>, _>>()
            .map_err(to_error)?;
        Ok(Table {
            file_name,
            header,
            records,
        })
    }

    fn column(&self, column: &'static str) -> Result<usize, PlotDataError> {
        self.optional_column(column)
            .ok_or_else(|| PlotDataError::MissingColumn {
                file_name: self.file_name,
                column,
                found: self.header.iter().collect::<Vec<_>>().join(", "),
            })
    }

    fn optional_column(&self, column: &str) -> Option<usize> {
        self.header.iter().position(|name| name == column)
    }

    fn line(record: &csv::StringRecord) -> u64 {
        record.position().map_or(0, csv::Position::line)
    }

    /// A number; `NA` reads as NaN, as R writes it.
    fn real(
        &self,
        record: &csv::StringRecord,
        index: usize,
        column: &'static str,
    ) -> Result<f64, PlotDataError> {
        let text = record.get(index).unwrap_or("");
        match text {
            "NA" => Ok(f64::NAN),
            "Inf" => Ok(f64::INFINITY),
            "-Inf" => Ok(f64::NEG_INFINITY),
            _ => text.parse().map_err(|_| PlotDataError::BadValue {
                file_name: self.file_name,
                line: Self::line(record),
                column,
                expected: "a number",
                found: text.to_string(),
            }),
        }
    }

    fn whole(
        &self,
        record: &csv::StringRecord,
        index: usize,
        column: &'static str,
    ) -> Result<u32, PlotDataError> {
        let text = record.get(index).unwrap_or("");
        text.parse().map_err(|_| PlotDataError::BadValue {
            file_name: self.file_name,
            line: Self::line(record),
            column,
            expected: "a whole number",
            found: text.to_string(),
        })
    }

    /// The record's arm, or `single_arm` when the file has no `arm` column.
    fn arm(&self, record: &csv::StringRecord, single_arm: &str) -> String {
        match self.optional_column("arm") {
            Some(index) => record.get(index).unwrap_or("").to_string(),
            None => single_arm.to_string(),
        }
    }
}

/// The position of `arm` in `arms`, appending it if new (arms keep the order of first appearance).
fn arm_index<T>(arms: &mut Vec<(String, T)>, arm: String, empty: impl FnOnce() -> T) -> usize {
    match arms.iter().position(|(name, _)| *name == arm) {
        Some(index) => index,
        None => {
            arms.push((arm, empty()));
            arms.len() - 1
        }
    }
}

fn read_survival(bytes: &[u8], single_arm: &str) -> Result<Vec<SurvivalLine>, PlotDataError> {
    let table = Table::parse(SURVIVAL_CSV, bytes)?;
    let time = table.column("time")?;
    let survival = table.column("survival")?;
    let lower = table.column("lower_95")?;
    let upper = table.column("upper_95")?;
    let mut arms: Vec<(String, SurvivalLine)> = Vec::new();
    for record in &table.records {
        let arm = table.arm(record, single_arm);
        let index = arm_index(&mut arms, arm.clone(), || SurvivalLine {
            arm,
            ..SurvivalLine::default()
        });
        let line = &mut arms[index].1;
        line.time.push(table.real(record, time, "time")?);
        line.survival
            .push(table.real(record, survival, "survival")?);
        line.lower_95.push(table.real(record, lower, "lower_95")?);
        line.upper_95.push(table.real(record, upper, "upper_95")?);
    }
    Ok(arms.into_iter().map(|(_, line)| line).collect())
}

/// Running sums of one week across replicates.
#[derive(Debug, Clone, Copy, Default)]
struct WeekSums {
    waiting_for_help: f64,
    open_cases: f64,
    mean_tie_strength: f64,
    staff_in_post: f64,
    replicates: u32,
}

fn read_weekly(bytes: &[u8], single_arm: &str) -> Result<Vec<WeeklyLine>, PlotDataError> {
    let table = Table::parse(WEEKLY_CSV, bytes)?;
    let week = table.column("week")?;
    let waiting = table.column("waiting_for_help")?;
    let open = table.column("open_cases")?;
    let tie = table.column("mean_tie_strength")?;
    let staff = table.column("staff_in_post")?;
    let mut arms: Vec<(String, BTreeMap<u32, WeekSums>)> = Vec::new();
    for record in &table.records {
        let index = arm_index(&mut arms, table.arm(record, single_arm), BTreeMap::new);
        let sums = arms[index]
            .1
            .entry(table.whole(record, week, "week")?)
            .or_default();
        sums.waiting_for_help += table.real(record, waiting, "waiting_for_help")?;
        sums.open_cases += table.real(record, open, "open_cases")?;
        sums.mean_tie_strength += table.real(record, tie, "mean_tie_strength")?;
        sums.staff_in_post += table.real(record, staff, "staff_in_post")?;
        sums.replicates += 1;
    }
    Ok(arms
        .into_iter()
        .map(|(arm, weeks)| {
            let mut line = WeeklyLine {
                arm,
                ..WeeklyLine::default()
            };
            for (week, sums) in weeks {
                let count = f64::from(sums.replicates);
                line.week.push(week);
                line.waiting_for_help.push(sums.waiting_for_help / count);
                line.open_cases.push(sums.open_cases / count);
                line.mean_tie_strength.push(sums.mean_tie_strength / count);
                line.staff_in_post.push(sums.staff_in_post / count);
                line.replicates = line.replicates.max(sums.replicates);
            }
            line
        })
        .collect())
}

fn read_events(bytes: &[u8]) -> Result<Vec<TimelineEvent>, PlotDataError> {
    let table = Table::parse(EVENTS_CSV, bytes)?;
    let week = table.column("week")?;
    let locality = table.column("locality")?;
    let label = table.column("label")?;
    let arm = table.optional_column("arm");
    table
        .records
        .iter()
        .map(|record| {
            Ok(TimelineEvent {
                arm: arm.map(|index| record.get(index).unwrap_or("").to_string()),
                week: table.whole(record, week, "week")?,
                locality: table.whole(record, locality, "locality")?,
                label: record.get(label).unwrap_or("").to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekly_series_are_averaged_across_replicates_per_arm() {
        let weekly = b"arm,replicate,week,open_cases,waiting_for_help,waiting_for_assessment,mean_tie_strength,staff_in_post\n\
            a,0,0,10,4,0,0.2,20\n\
            a,0,1,12,6,0,0.4,20\n\
            a,1,0,20,6,0,0.4,22\n\
            a,1,1,22,8,0,0.6,22\n\
            b,0,0,1,1,0,0.1,5\n";
        let data = PlotData::from_csv(&PlotInputs {
            weekly_csv: Some(weekly),
            single_arm: "unused",
            ..PlotInputs::default()
        })
        .unwrap();
        assert_eq!(data.weekly.len(), 2);
        let a = &data.weekly[0];
        assert_eq!(a.arm, "a");
        assert_eq!(a.week, vec![0, 1]);
        assert_eq!(a.open_cases, vec![15.0, 17.0]);
        assert_eq!(a.waiting_for_help, vec![5.0, 7.0]);
        assert!((a.mean_tie_strength[1] - 0.5).abs() < 1e-12);
        assert_eq!(a.staff_in_post, vec![21.0, 21.0]);
        assert_eq!(a.replicates, 2);
        assert_eq!(data.weekly[1].arm, "b");
    }

    #[test]
    fn files_without_an_arm_column_belong_to_the_single_arm() {
        let survival = b"time,survival,lower_95,upper_95\n0,1,1,1\n3,0.5,0.3,0.7\n";
        let events = b"week,locality,label\n60,0,\"restructure, 30% reassigned\"\n";
        let data = PlotData::from_csv(&PlotInputs {
            survival_csv: Some(survival),
            events_csv: Some(events),
            single_arm: "baseline",
            warmup_weeks: Some(52),
            ..PlotInputs::default()
        })
        .unwrap();
        assert_eq!(data.survival.len(), 1);
        assert_eq!(data.survival[0].arm, "baseline");
        assert_eq!(data.survival[0].time, vec![0.0, 3.0]);
        assert_eq!(data.survival[0].upper_95, vec![1.0, 0.7]);
        assert_eq!(
            data.events,
            vec![TimelineEvent {
                arm: None,
                week: 60,
                locality: 0,
                label: "restructure, 30% reassigned".to_string()
            }]
        );
        assert_eq!(data.warmup_weeks, Some(52));
    }

    #[test]
    fn bad_files_are_reported_with_file_line_and_column() {
        let missing = PlotData::from_csv(&PlotInputs {
            survival_csv: Some(b"time,survival\n0,1\n"),
            ..PlotInputs::default()
        })
        .unwrap_err();
        assert_eq!(
            missing.to_string(),
            "survival.csv: missing column lower_95 (found: time, survival)"
        );
        let bad = PlotData::from_csv(&PlotInputs {
            survival_csv: Some(b"time,survival,lower_95,upper_95\n0,1,1,1\nsoon,1,1,1\n"),
            ..PlotInputs::default()
        })
        .unwrap_err();
        assert_eq!(
            bad.to_string(),
            "survival.csv:3: column time: expected a number, found \"soon\""
        );
    }
}
