//! `summary.csv`: one row per measure across replicates: `measure, mean, sd, ci_low, ci_high,
//! median, n` (95% CI of the mean from Student's t; `n` counts replicates where the measure was
//! defined).

use crate::metrics::{Measures, summarise_measures};
use crate::output::ReportError;
use crate::output::csv::csv_document;
use crate::output::csv::format_float;
use crate::output::export::{Export, RunReport};

pub struct SummaryCsv;

pub use crate::output::files::SUMMARY_HEADER as HEADER;

impl Export for SummaryCsv {
    fn file_name(&self) -> &'static str {
        crate::output::files::SUMMARY_CSV
    }

    fn render(&self, report: &RunReport<'_>) -> Result<Vec<u8>, ReportError> {
        let replicate_measures: Vec<Measures> = report
            .results
            .iter()
            .map(|result| result.measures)
            .collect();
        let rows = summarise_measures(&replicate_measures)
            .into_iter()
            .map(|measure| {
                let summary = measure.summary;
                vec![
                    measure.name.to_string(),
                    format_float(summary.mean),
                    format_float(summary.sd),
                    format_float(summary.ci_low),
                    format_float(summary.ci_high),
                    format_float(summary.median),
                    summary.n.to_string(),
                ]
            });
        csv_document(self.file_name(), &HEADER, rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::export::test_support;

    #[test]
    fn one_row_per_measure() {
        let results = test_support::results();
        let report = test_support::report(&results);
        let text = String::from_utf8(SummaryCsv.render(&report).unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "measure,mean,sd,ci_low,ci_high,median,n");
        assert_eq!(lines.len(), 1 + Measures::NAMES.len());
        assert_eq!(lines[1], "median_weeks_to_help,NA,NA,NA,NA,NA,0");
        let tie_row = lines
            .iter()
            .find(|line| line.starts_with("mean_tie_strength,"))
            .unwrap();
        // Values 0.25 and 0.5: mean 0.375, sd 0.176777, half-width 12.706205 × 0.125.
        assert_eq!(
            *tie_row,
            "mean_tie_strength,0.375,0.176777,-1.213276,1.963276,0.375,2"
        );
    }
}
