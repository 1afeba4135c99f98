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
//! - `events.csv`: `[arm,] week, locality, label` (the timeline of replicate 0);
//! - `network_posts.csv`: `[arm,] week, post, role, agency, [school,] in_post, minder` (a file
//!   without `school`, from an earlier version, draws its school posts grouped by role) and
//!   `network_ties.csv`: `[arm,] week, post_a, post_b, strength` (the first patch's network in
//!   replicate 0 at the chosen weeks), read only as a pair: one panel per arm and week, every tie
//!   between two posts of its panel.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Agency, Role, SchoolId};
use crate::output::plot::network::agency_from_key;
use crate::scenario::limits::NETWORK_WEEKS as MAX_NETWORK_WEEKS;

/// Arms the network plot draws at most (a row each).
const MAX_NETWORK_ARMS: usize = 8;

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

/// One post of a recorded network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetworkPost {
    /// The post's number in the patch (ties refer to it).
    pub post: u32,
    pub role: Role,
    pub agency: Agency,
    /// The school of a school-based post (`None` for an agency's post).
    pub school: Option<SchoolId>,
    /// Whether someone holds the post (false: vacant, or cut).
    pub in_post: bool,
    /// Whether it is the system minder's post.
    pub minder: bool,
}

/// A tie between two posts of a recorded network.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NetworkTie {
    pub post_a: u32,
    pub post_b: u32,
    /// From 0 to 1.
    pub strength: f64,
}

/// The network of one arm at the end of one week.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NetworkPanel {
    pub arm: String,
    pub week: u32,
    /// In the order of the file.
    pub posts: Vec<NetworkPost>,
    /// In the order of the file.
    pub ties: Vec<NetworkTie>,
}

/// Everything the plots of one output directory show.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlotData {
    pub survival: Vec<SurvivalLine>,
    pub weekly: Vec<WeeklyLine>,
    pub events: Vec<TimelineEvent>,
    /// Arms in order of first appearance, each arm's weeks in order.
    pub network: Vec<NetworkPanel>,
    /// Weeks before measures start, shaded on the weekly plot when known.
    pub warmup_weeks: Option<u32>,
}

/// The CSV files (as bytes) and facts plots are drawn from; any file may be absent.
#[derive(Debug, Clone, Default)]
pub struct PlotInputs<'a> {
    pub survival_csv: Option<&'a [u8]>,
    pub weekly_csv: Option<&'a [u8]>,
    pub events_csv: Option<&'a [u8]>,
    /// The network is read only when both of its files are given.
    pub network_posts_csv: Option<&'a [u8]>,
    pub network_ties_csv: Option<&'a [u8]>,
    /// The arm name for files without an `arm` column.
    pub single_arm: &'a str,
    pub warmup_weeks: Option<u32>,
}

pub use crate::output::files::EVENTS_CSV;
pub use crate::output::files::NETWORK_POSTS_CSV;
pub use crate::output::files::NETWORK_TIES_CSV;
pub use crate::output::files::SURVIVAL_CSV;
pub use crate::output::files::WEEKLY_CSV;

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
            network: match (inputs.network_posts_csv, inputs.network_ties_csv) {
                (Some(posts), Some(ties)) => read_network(posts, ties, inputs.single_arm)?,
                _ => Vec::new(),
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

    fn boolean(
        &self,
        record: &csv::StringRecord,
        index: usize,
        column: &'static str,
    ) -> Result<bool, PlotDataError> {
        match record.get(index).unwrap_or("") {
            "true" | "TRUE" | "True" | "1" => Ok(true),
            "false" | "FALSE" | "False" | "0" => Ok(false),
            text => Err(self.bad_value(record, column, "true or false", text)),
        }
    }

    fn bad_value(
        &self,
        record: &csv::StringRecord,
        column: &'static str,
        expected: &'static str,
        found: &str,
    ) -> PlotDataError {
        PlotDataError::BadValue {
            file_name: self.file_name,
            line: Self::line(record),
            column,
            expected,
            found: found.to_string(),
        }
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

/// Reads the network's two files into panels: every post of a panel appears once, and every tie
/// joins two posts of its own panel with a strength from 0 to 1.
fn read_network(
    posts_bytes: &[u8],
    ties_bytes: &[u8],
    single_arm: &str,
) -> Result<Vec<NetworkPanel>, PlotDataError> {
    let posts = Table::parse(NETWORK_POSTS_CSV, posts_bytes)?;
    let week = posts.column("week")?;
    let post = posts.column("post")?;
    let role = posts.column("role")?;
    let agency = posts.column("agency")?;
    let school = posts.optional_column("school");
    let in_post = posts.column("in_post")?;
    let minder = posts.column("minder")?;
    let mut arms: Vec<(String, BTreeMap<u32, NetworkPanel>)> = Vec::new();
    // The posts of each (arm, week), to check that each is listed once and that ties join them.
    let mut listed: BTreeMap<(usize, u32), BTreeSet<u32>> = BTreeMap::new();
    for record in &posts.records {
        let arm = posts.arm(record, single_arm);
        let index = arm_index(&mut arms, arm.clone(), BTreeMap::new);
        let week = posts.whole(record, week, "week")?;
        let role_key = record.get(role).unwrap_or("");
        let agency_key = record.get(agency).unwrap_or("");
        let school_name = school.and_then(|column| record.get(column)).unwrap_or("");
        let network_post = NetworkPost {
            post: posts.whole(record, post, "post")?,
            role: Role::from_key(role_key)
                .ok_or_else(|| posts.bad_value(record, "role", "a role key", role_key))?,
            agency: agency_from_key(agency_key)
                .ok_or_else(|| posts.bad_value(record, "agency", "an agency key", agency_key))?,
            school: match school_name {
                "" => None,
                name => Some(SchoolId::parse(name).ok_or_else(|| {
                    posts.bad_value(
                        record,
                        "school",
                        "a school (\"primary 1\", \"secondary 1\") or nothing",
                        name,
                    )
                })?),
            },
            in_post: posts.boolean(record, in_post, "in_post")?,
            minder: posts.boolean(record, minder, "minder")?,
        };
        if !listed
            .entry((index, week))
            .or_default()
            .insert(network_post.post)
        {
            return Err(posts.bad_value(
                record,
                "post",
                "a post not already listed for its arm and week",
                &network_post.post.to_string(),
            ));
        }
        arms[index]
            .1
            .entry(week)
            .or_insert_with(|| NetworkPanel {
                arm,
                week,
                ..NetworkPanel::default()
            })
            .posts
            .push(network_post);
    }
    let weeks: BTreeSet<u32> = listed.keys().map(|(_, week)| *week).collect();
    if weeks.len() > MAX_NETWORK_WEEKS || arms.len() > MAX_NETWORK_ARMS {
        return Err(PlotDataError::Csv {
            file_name: NETWORK_POSTS_CSV,
            reason: format!(
                "the network is drawn for at most {MAX_NETWORK_WEEKS} weeks and {MAX_NETWORK_ARMS} arms, \
                 found {} week{} and {} arm{}",
                weeks.len(),
                if weeks.len() == 1 { "" } else { "s" },
                arms.len(),
                if arms.len() == 1 { "" } else { "s" }
            ),
        });
    }

    let ties = Table::parse(NETWORK_TIES_CSV, ties_bytes)?;
    let week = ties.column("week")?;
    let post_a = ties.column("post_a")?;
    let post_b = ties.column("post_b")?;
    let strength = ties.column("strength")?;
    for record in &ties.records {
        let arm = ties.arm(record, single_arm);
        let week_number = ties.whole(record, week, "week")?;
        let arm_index = arms.iter().position(|(name, _)| *name == arm);
        let (Some(posts_of_panel), Some(panel)) = (
            arm_index.and_then(|index| listed.get(&(index, week_number))),
            arm_index.and_then(|index| arms[index].1.get_mut(&week_number)),
        ) else {
            return Err(ties.bad_value(
                record,
                "week",
                "a week with posts in network_posts.csv for the same arm",
                &week_number.to_string(),
            ));
        };
        let endpoint = |index: usize, column: &'static str| -> Result<u32, PlotDataError> {
            let number = ties.whole(record, index, column)?;
            if posts_of_panel.contains(&number) {
                Ok(number)
            } else {
                Err(ties.bad_value(
                    record,
                    column,
                    "a post of network_posts.csv in the same arm and week",
                    &number.to_string(),
                ))
            }
        };
        let tie = NetworkTie {
            post_a: endpoint(post_a, "post_a")?,
            post_b: endpoint(post_b, "post_b")?,
            strength: ties.real(record, strength, "strength")?,
        };
        if !(0.0..=1.0).contains(&tie.strength) {
            return Err(ties.bad_value(
                record,
                "strength",
                "a number from 0 to 1",
                record.get(strength).unwrap_or(""),
            ));
        }
        panel.ties.push(tie);
    }
    Ok(arms
        .into_iter()
        .flat_map(|(_, panels)| panels.into_values())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_columns_read_are_those_the_headers_name() {
        use crate::output::files::{
            EVENTS_HEADER, NETWORK_POSTS_HEADER, NETWORK_TIES_HEADER, SURVIVAL_HEADER,
            WEEKLY_HEADER,
        };
        let read: [(&[&str], &[&str]); 5] = [
            (
                &SURVIVAL_HEADER,
                &["time", "survival", "lower_95", "upper_95"],
            ),
            (
                &WEEKLY_HEADER,
                &[
                    "week",
                    "waiting_for_help",
                    "open_cases",
                    "mean_tie_strength",
                    "staff_in_post",
                ],
            ),
            (&EVENTS_HEADER, &["week", "locality", "label"]),
            (
                &NETWORK_POSTS_HEADER,
                &["week", "post", "role", "agency", "in_post", "minder"],
            ),
            (
                &NETWORK_TIES_HEADER,
                &["week", "post_a", "post_b", "strength"],
            ),
        ];
        for (header, columns) in read {
            for column in columns {
                assert!(header.contains(column), "{column} not in {header:?}");
            }
        }
    }

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

    const POSTS: &[u8] = b"arm,week,post,role,agency,school,in_post,minder\n\
        a,9,0,senco,school,primary 2,true,false\n\
        a,9,1,early_help,early_help,,false,true\n\
        a,3,0,senco,school,primary 2,true,false\n\
        a,3,1,early_help,early_help,,true,true\n\
        b,3,0,social_worker,social_care,,true,false\n";
    const TIES: &[u8] = b"arm,week,post_a,post_b,strength\na,3,0,1,0.25\na,9,0,1,0.5\n";

    fn network(posts: &[u8], ties: &[u8]) -> Result<Vec<NetworkPanel>, PlotDataError> {
        PlotData::from_csv(&PlotInputs {
            network_posts_csv: Some(posts),
            network_ties_csv: Some(ties),
            single_arm: "run",
            ..PlotInputs::default()
        })
        .map(|data| data.network)
    }

    #[test]
    fn network_panels_by_arm_then_week() {
        let panels = network(POSTS, TIES).unwrap();
        let keys: Vec<(&str, u32)> = panels
            .iter()
            .map(|panel| (panel.arm.as_str(), panel.week))
            .collect();
        assert_eq!(keys, vec![("a", 3), ("a", 9), ("b", 3)]);
        assert_eq!(
            panels[1].posts[1],
            NetworkPost {
                post: 1,
                role: Role::EarlyHelp,
                agency: Agency::EarlyHelp,
                school: None,
                in_post: false,
                minder: true,
            }
        );
        assert_eq!(panels[1].posts[0].school, Some(SchoolId::primary(2)));
        assert_eq!(
            panels[0].ties,
            vec![NetworkTie {
                post_a: 0,
                post_b: 1,
                strength: 0.25
            }]
        );
        assert!(panels[2].ties.is_empty());
    }

    #[test]
    fn the_network_needs_both_files_and_no_arm_column_means_one_arm() {
        let posts_only = PlotData::from_csv(&PlotInputs {
            network_posts_csv: Some(POSTS),
            ..PlotInputs::default()
        })
        .unwrap();
        assert!(posts_only.network.is_empty());
        let panels = network(
            b"week,post,role,agency,in_post,minder\n5,0,head,school,1,0\n",
            b"week,post_a,post_b,strength\n",
        )
        .unwrap();
        assert_eq!(panels.len(), 1);
        assert_eq!(panels[0].arm, "run");
        assert!(panels[0].posts[0].in_post && !panels[0].posts[0].minder);
        // A file without a school column (an earlier version's) reads with no schools.
        assert_eq!(panels[0].posts[0].school, None);
    }

    #[test]
    fn bad_network_files_are_reported_not_drawn() {
        let error = |posts: &[u8], ties: &[u8]| network(posts, ties).unwrap_err().to_string();
        assert_eq!(
            error(b"week,post\n", TIES),
            "network_posts.csv: missing column role (found: week, post)"
        );
        assert_eq!(
            error(
                b"week,post,role,agency,in_post,minder\n1,0,wizard,school,true,false\n",
                TIES
            ),
            "network_posts.csv:2: column role: expected a role key, found \"wizard\""
        );
        assert_eq!(
            error(
                b"week,post,role,agency,in_post,minder\n1,0,head,police,true,false\n",
                TIES
            ),
            "network_posts.csv:2: column agency: expected an agency key, found \"police\""
        );
        assert_eq!(
            error(
                b"week,post,role,agency,school,in_post,minder\n1,0,head,school,primary 0,true,false\n",
                TIES
            ),
            "network_posts.csv:2: column school: expected a school (\"primary 1\", \"secondary 1\") \
             or nothing, found \"primary 0\""
        );
        assert_eq!(
            error(
                b"week,post,role,agency,in_post,minder\n1,0,head,school,yes,false\n",
                TIES
            ),
            "network_posts.csv:2: column in_post: expected true or false, found \"yes\""
        );
        assert!(
            error(
                b"week,post,role,agency,in_post,minder\n1,0,head,school,true,false\n1,0,senco,school,true,false\n",
                TIES
            )
            .starts_with("network_posts.csv:3: column post: expected a post not already listed")
        );
        assert_eq!(
            error(POSTS, b"arm,week,post_a,post_b,strength\na,4,0,1,0.5\n"),
            "network_ties.csv:2: column week: expected a week with posts in network_posts.csv for the same arm, found \"4\""
        );
        assert_eq!(
            error(POSTS, b"arm,week,post_a,post_b,strength\nb,3,0,7,0.5\n"),
            "network_ties.csv:2: column post_b: expected a post of network_posts.csv in the same arm and week, found \"7\""
        );
        assert_eq!(
            error(POSTS, b"arm,week,post_a,post_b,strength\na,3,0,1,1.5\n"),
            "network_ties.csv:2: column strength: expected a number from 0 to 1, found \"1.5\""
        );
        let many_weeks: String =
            std::iter::once("week,post,role,agency,in_post,minder\n".to_string())
                .chain((0..13).map(|week| format!("{week},0,head,school,true,false\n")))
                .collect();
        assert_eq!(
            error(many_weeks.as_bytes(), TIES),
            "network_posts.csv: the network is drawn for at most 12 weeks and 8 arms, found 13 weeks and 1 arm"
        );
        assert_eq!(
            error(POSTS, b"arm,week,post_a,post_b,strength\na,3,0,1,NA\n"),
            "network_ties.csv:2: column strength: expected a number from 0 to 1, found \"NA\""
        );
    }
}
