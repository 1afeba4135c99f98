//! Output files of a run: `runs.csv`, `summary.csv`, `weekly.csv`, `survival.csv`, `events.csv`,
//! `network_posts.csv`, `network_ties.csv`, `metadata.json`, then `report.html` and `plots/`
//! (`run_html`, drawn from the CSV files just rendered); and of a comparison (`compare`).
//! `settling` words the check that the weekly series have settled, for `metadata.json` and the
//! reports.
//!
//! One file per format (as hyperfine's `export/`), each implementing `Export`: it renders a
//! `RunReport` to bytes and does no I/O. `write_run_report` renders every file in memory and only
//! then hands them to `OutputDir`, which writes them under temporary names and renames them, so
//! a failure anywhere leaves no partial output. Rendering is deterministic: the same results give
//! the same bytes (numbers through `format::format_float`), except the wall time and thread count
//! in `metadata.json`.

pub mod compare;
pub mod events_csv;
pub mod metadata_json;
pub mod network_csv;
pub mod runs_csv;
pub mod settling;
pub mod summary_csv;
pub mod survival_csv;
pub mod warmup_csv;
pub mod weekly_csv;

use std::path::PathBuf;

use crate::output::{OutputDir, RenderedFile, ReportError};

use crate::metrics::ReplicateResult;
use crate::posterior::PosteriorDraws;

/// Everything the output files are rendered from.
#[derive(Debug, Clone, Copy)]
pub struct RunReport<'a> {
    pub scenario_name: &'a str,
    /// The fully resolved scenario (defaults, bases and `--set` applied), as JSON.
    pub resolved_scenario: &'a serde_json::Value,
    pub master_seed: u64,
    pub replicates: u32,
    /// Threads the run used (after resolving 0 to rayon's default).
    pub threads: usize,
    pub wall_time_seconds: f64,
    /// In replicate order.
    pub results: &'a [ReplicateResult],
    /// The posterior the replicates drew their parameters from (`--posterior`), if any.
    pub posterior: Option<PosteriorDraws<'a>>,
}

/// One output format.
pub trait Export {
    /// The file's name inside the output directory.
    fn file_name(&self) -> &'static str;

    /// The file's bytes.
    fn render(&self, report: &RunReport<'_>) -> Result<Vec<u8>, ReportError>;
}

/// Every file a `run` writes, in the order they are written.
pub fn run_exports() -> Vec<Box<dyn Export>> {
    vec![
        Box::new(runs_csv::RunsCsv),
        Box::new(summary_csv::SummaryCsv),
        Box::new(weekly_csv::WeeklyCsv),
        Box::new(survival_csv::SurvivalCsv),
        Box::new(events_csv::EventsCsv),
        Box::new(network_csv::NETWORK_POSTS),
        Box::new(network_csv::NETWORK_TIES),
        Box::new(metadata_json::MetadataJson),
    ]
}

/// Renders every file of a run in memory (so nothing is written if one fails): the exports, then
/// `report.html` and the plots drawn from them.
pub fn render_run_report(report: &RunReport<'_>) -> Result<Vec<RenderedFile>, ReportError> {
    let mut files = run_exports()
        .iter()
        .map(|export| {
            Ok(RenderedFile {
                file_name: export.file_name(),
                bytes: export.render(report)?,
            })
        })
        .collect::<Result<Vec<_>, ReportError>>()?;
    let pictures = crate::output::html::run_html::render_run_pictures(report, &files)?;
    files.extend(pictures);
    Ok(files)
}

/// Renders and writes every file of a run; returns the paths written.
pub fn write_run_report(
    output_dir: &OutputDir,
    report: &RunReport<'_>,
) -> Result<Vec<PathBuf>, ReportError> {
    let files = render_run_report(report)?;
    output_dir.write_files(&files)
}

#[cfg(test)]
pub(crate) mod test_support {
    //! A small fixed report for the exporters' tests.

    use crate::metrics::ReplicateResult;
    use crate::metrics::measures;
    use crate::model::{RunOutput, WeekRecord};
    use crate::output::export::RunReport;

    static NO_SCENARIO: serde_json::Value = serde_json::Value::Null;

    /// A report of `results` from a scenario named `tiny` (seed 7, one thread, no wall time).
    pub fn report(results: &[ReplicateResult]) -> RunReport<'_> {
        RunReport {
            scenario_name: "tiny",
            resolved_scenario: &NO_SCENARIO,
            master_seed: 7,
            replicates: results.len() as u32,
            threads: 1,
            wall_time_seconds: 0.0,
            results,
            posterior: None,
        }
    }

    pub fn replicate(replicate: u32, seed: u64, tie_strength: f64) -> ReplicateResult {
        let weeks: Vec<WeekRecord> = (0..3)
            .map(|week| WeekRecord {
                week,
                open_cases: 10 + week,
                waiting_for_help: 4,
                waiting_for_assessment: 2,
                mean_tie_strength: tie_strength,
                staff_in_post: 20,
                vacancies: 3,
                cases_discussed: week,
                actions_lapsed: 1,
                posts: 23,
                coordination_hours: 5.0,
                helps_started: 1,
                ..WeekRecord::default()
            })
            .collect();
        let output = RunOutput {
            pupils: 1_000,
            horizon_weeks: 3,
            warmup_weeks: 1,
            action_window_weeks: 6,
            weeks,
            episodes: Vec::new(),
            referrals: Vec::new(),
            assessments: Vec::new(),
            events: Vec::new(),
            story: Vec::new(),
            network: Vec::new(),
        };
        let measures = measures(&output);
        ReplicateResult {
            replicate,
            seed,
            output,
            measures,
        }
    }

    pub fn results() -> Vec<ReplicateResult> {
        vec![replicate(0, 11, 0.25), replicate(1, 22, 0.5)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_is_rendered_and_written() {
        use crate::model::{FramePost, Role, SchoolId};
        let mut results = test_support::results();
        results[0].output.network = vec![crate::model::NetworkFrame {
            week: 2,
            posts: vec![
                FramePost::new(Role::Senco, Some(SchoolId::primary(1)), true, false),
                FramePost::new(Role::SocialWorker, None, true, false),
            ],
            ties: vec![(0, 1, 0.5)],
            waiting: 0,
            helped: 0,
        }];
        let resolved = serde_json::json!({"name": "tiny"});
        let report = RunReport {
            scenario_name: "tiny",
            resolved_scenario: &resolved,
            master_seed: 7,
            replicates: 2,
            threads: 1,
            wall_time_seconds: 0.25,
            results: &results,
            posterior: None,
        };
        let scratch = tempfile::tempdir().unwrap();
        let output_dir = OutputDir::new(scratch.path().join("out"), false).unwrap();
        let written = write_run_report(&output_dir, &report).unwrap();
        let names: Vec<String> = written
            .iter()
            .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            vec![
                "runs.csv",
                "summary.csv",
                "weekly.csv",
                "survival.csv",
                "events.csv",
                "network_posts.csv",
                "network_ties.csv",
                "metadata.json",
                "report.html",
                "weekly.png",
                "weekly.svg",
                "network.png",
                "network.svg"
            ]
        );
        let again = render_run_report(&report).unwrap();
        for file in again {
            assert_eq!(
                std::fs::read(output_dir.path().join(file.file_name)).unwrap(),
                file.bytes
            );
        }
    }
}
