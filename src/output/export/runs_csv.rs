//! `runs.csv`: one row per replicate, `replicate, seed`, with `--posterior` the row drawn
//! (`posterior_row`) and its value of each parameter, then every measure in `Measures::NAMES`
//! order. Tidy input for R or pandas; NaN written `NA`.

use crate::metrics::Measures;
use crate::output::ReportError;
use crate::output::csv::csv_document;
use crate::output::csv::format_float;
use crate::output::export::{Export, RunReport};

pub struct RunsCsv;

impl Export for RunsCsv {
    fn file_name(&self) -> &'static str {
        crate::output::files::RUNS_CSV
    }

    fn render(&self, report: &RunReport<'_>) -> Result<Vec<u8>, ReportError> {
        let drawn = report
            .posterior
            .map(|draws| draws.posterior.run_columns())
            .unwrap_or_default();
        let header: Vec<&str> = ["replicate", "seed"]
            .into_iter()
            .chain(drawn)
            .chain(Measures::NAMES.iter().copied())
            .collect();
        let rows = report.results.iter().map(|result| {
            [result.replicate.to_string(), result.seed.to_string()]
                .into_iter()
                .chain(
                    report
                        .posterior
                        .map(|draws| {
                            crate::output::csv::posterior_cells(
                                draws.posterior,
                                draws.row_of(result.replicate),
                            )
                        })
                        .unwrap_or_default(),
                )
                .chain(result.measures.values().into_iter().map(format_float))
                .collect()
        });
        csv_document(self.file_name(), &header, rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::export::test_support;

    #[test]
    fn one_row_per_replicate_with_every_measure() {
        let results = test_support::results();
        let report = test_support::report(&results);
        let text = String::from_utf8(RunsCsv.render(&report).unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("replicate,seed,median_weeks_to_help,p90_weeks_to_help,"));
        assert!(lines[0].ends_with(
            ",helps_started_per_100,social_worker_vacancy_share,social_worker_agency_share"
        ));
        let first: Vec<&str> = lines[1].split(',').collect();
        assert_eq!(first.len(), 2 + Measures::NAMES.len());
        assert_eq!(&first[..3], &["0", "11", "NA"]);
        let column = |name: &str| {
            2 + Measures::NAMES
                .iter()
                .position(|measure| *measure == name)
                .unwrap()
        };
        assert_eq!(first[column("mean_tie_strength")], "0.25");
        // Gittell's dimensions defined in this synthetic run (no episodes, so no inertia,
        // rejections or assessments): no recent contacts (0), no knowledge recorded (0) and the
        // tie twice (0.25): 1 + 4 × 0.5 / 4.
        assert_eq!(first[column("relational_coordination")], "1.5");
        // Two measured weeks of 5 hours and one help each: 10 / 2.
        assert_eq!(first[column("grind")], "5");
        assert!(text.ends_with('\n') && !text.contains('\r'));
    }
}
