//! `weekly.csv`: one row per replicate and week, every week of the run including the warm-up
//! (so plots can show the start-up transient): `replicate, week, open_cases, waiting_for_help,
//! waiting_for_assessment, mean_tie_strength, staff_in_post, vacancies, cases_discussed,
//! actions_lapsed`.

use crate::model::WeekRecord;
use crate::output::ReportError;
use crate::output::csv::csv_document;
use crate::output::csv::format_float;
use crate::output::export::{Export, RunReport};

pub struct WeeklyCsv;

pub use crate::output::files::WEEKLY_HEADER as HEADER;

impl Export for WeeklyCsv {
    fn file_name(&self) -> &'static str {
        crate::output::files::WEEKLY_CSV
    }

    fn render(&self, report: &RunReport<'_>) -> Result<Vec<u8>, ReportError> {
        let rows = report.results.iter().flat_map(|result| {
            result
                .output
                .weeks
                .iter()
                .map(move |week| week_row(result.replicate, week))
        });
        csv_document(self.file_name(), &HEADER, rows)
    }
}

/// One row of `weekly.csv`, in `HEADER` order (`compare` writes the same after an `arm` column).
pub fn week_row(replicate: u32, week: &WeekRecord) -> Vec<String> {
    vec![
        replicate.to_string(),
        week.week.to_string(),
        week.open_cases.to_string(),
        week.waiting_for_help.to_string(),
        week.waiting_for_assessment.to_string(),
        format_float(week.mean_tie_strength),
        week.staff_in_post.to_string(),
        week.vacancies.to_string(),
        week.cases_discussed.to_string(),
        week.actions_lapsed.to_string(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::export::test_support;

    #[test]
    fn every_week_of_every_replicate() {
        let results = test_support::results();
        let report = test_support::report(&results);
        let text = String::from_utf8(WeeklyCsv.render(&report).unwrap()).unwrap();
        let expected = "replicate,week,open_cases,waiting_for_help,waiting_for_assessment,mean_tie_strength,\
            staff_in_post,vacancies,cases_discussed,actions_lapsed\n\
            0,0,10,4,2,0.25,20,3,0,1\n\
            0,1,11,4,2,0.25,20,3,1,1\n\
            0,2,12,4,2,0.25,20,3,2,1\n\
            1,0,10,4,2,0.5,20,3,0,1\n\
            1,1,11,4,2,0.5,20,3,1,1\n\
            1,2,12,4,2,0.5,20,3,2,1\n";
        assert_eq!(text, expected);
    }
}
