//! `survival.csv`: time to help as a Kaplan–Meier curve, pooled over every replicate's episodes
//! recognised in the measured window: `arm, time, survival, lower_95, upper_95, at_risk, events`
//! (weeks since recognition; survival is the share still waiting for help just after `time`; the
//! band is Greenwood's pointwise 95% interval). The first row is time 0 with survival 1 unless help
//! already starts in week 0. `run` names its one arm after the scenario; `compare` writes one
//! curve per scenario. The survival plot is drawn from this file.

use crate::metrics::ReplicateResult;
use crate::metrics::{SurvivalCurve, waits_from_recognition};
use crate::output::ReportError;
use crate::output::csv::csv_document;
use crate::output::csv::format_float;
use crate::output::export::{Export, RunReport};

pub struct SurvivalCsv;

pub use crate::output::files::SURVIVAL_HEADER as HEADER;

/// The pooled curve of one arm's replicates.
pub fn pooled_curve(results: &[ReplicateResult]) -> SurvivalCurve {
    let waits: Vec<(f64, bool)> = results
        .iter()
        .flat_map(|result| waits_from_recognition(&result.output))
        .collect();
    SurvivalCurve::estimate(&waits)
}

/// The rows of one arm's curve (none if no need was recognised).
pub fn survival_rows(arm: &str, results: &[ReplicateResult]) -> Vec<Vec<String>> {
    let curve = pooled_curve(results);
    if curve.subjects == 0 {
        return Vec::new();
    }
    let mut rows = Vec::with_capacity(curve.times.len() + 1);
    if curve.times.first().is_none_or(|time| *time > 0.0) {
        rows.push(vec![
            arm.to_string(),
            "0".to_string(),
            "1".to_string(),
            "1".to_string(),
            "1".to_string(),
            curve.subjects.to_string(),
            "0".to_string(),
        ]);
    }
    for index in 0..curve.times.len() {
        rows.push(vec![
            arm.to_string(),
            format_float(curve.times[index]),
            format_float(curve.survival[index]),
            format_float(curve.lower_95[index]),
            format_float(curve.upper_95[index]),
            curve.at_risk[index].to_string(),
            curve.events[index].to_string(),
        ]);
    }
    rows
}

impl Export for SurvivalCsv {
    fn file_name(&self) -> &'static str {
        crate::output::files::SURVIVAL_CSV
    }

    fn render(&self, report: &RunReport<'_>) -> Result<Vec<u8>, ReportError> {
        csv_document(
            self.file_name(),
            &HEADER,
            survival_rows(report.scenario_name, report.results).into_iter(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EpisodeRecord;
    use crate::output::export::test_support;

    fn episode(recognised: u32, help: Option<u32>) -> EpisodeRecord {
        EpisodeRecord {
            locality: 0,
            child: 0,
            domains: 1,
            onset_week: recognised,
            recognised_week: Some(recognised),
            help_start_week: help,
            closed_week: None,
            assessments: 0,
            worker_changes: 0,
            escalations: 0,
            urgent_at_recognition: false,
            serious: false,
        }
    }

    /// Replicate 0 (horizon 3, warm-up 1): waits 1 (helped) and 2 (censored at the horizon);
    /// replicate 1: a wait of 1 (helped); an episode recognised in the warm-up is left out.
    /// Pooled: at time 1, 3 at risk and 2 events: S = 1/3; Greenwood 2 / (3 · 1), standard error
    /// (1/3)·√(2/3) = 0.272166, upper 1/3 + 1.959964 × 0.272166 = 0.866768, lower clamped to 0.
    #[test]
    fn one_curve_pooled_over_replicates() {
        let mut results = test_support::results();
        results[0].output.episodes =
            vec![episode(1, Some(2)), episode(1, None), episode(0, Some(1))];
        results[1].output.episodes = vec![episode(2, Some(3))];
        let report = test_support::report(&results);
        let text = String::from_utf8(SurvivalCsv.render(&report).unwrap()).unwrap();
        assert_eq!(
            text,
            "arm,time,survival,lower_95,upper_95,at_risk,events\n\
             tiny,0,1,1,1,3,0\n\
             tiny,1,0.333333,0,0.866768,3,2\n"
        );
    }

    #[test]
    fn no_recognised_need_gives_only_the_header() {
        let results = test_support::results();
        assert!(survival_rows("tiny", &results).is_empty());
    }
}
