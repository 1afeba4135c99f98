//! `events.csv`: what the scenario's timeline did in replicate 0 (a restructure, the minder
//! leaving): `week, locality, label`, in the order they happened. `compare` writes the same with
//! an `arm` column first. The weekly plot marks these weeks.

use crate::metrics::ReplicateResult;
use crate::output::ReportError;
use crate::output::csv::csv_document;
use crate::output::export::{Export, RunReport};

pub struct EventsCsv;

pub use crate::output::files::EVENTS_HEADER as HEADER;

/// `week, locality, label` of each event of replicate 0 (the first result).
pub fn event_rows(results: &[ReplicateResult]) -> Vec<Vec<String>> {
    results
        .first()
        .map(|result| {
            result
                .output
                .events
                .iter()
                .map(|event| {
                    vec![
                        event.week.to_string(),
                        event.locality.to_string(),
                        event.label.clone(),
                    ]
                })
                .collect()
        })
        .unwrap_or_default()
}

impl Export for EventsCsv {
    fn file_name(&self) -> &'static str {
        crate::output::files::EVENTS_CSV
    }

    fn render(&self, report: &RunReport<'_>) -> Result<Vec<u8>, ReportError> {
        csv_document(
            self.file_name(),
            &HEADER,
            event_rows(report.results).into_iter(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EventRecord;
    use crate::output::export::test_support;

    #[test]
    fn events_of_replicate_zero() {
        let mut results = test_support::results();
        results[0].output.events = vec![EventRecord {
            week: 2,
            locality: 0,
            kind: "restructure",
            label: "restructure: 30% of staff reassigned".to_string(),
        }];
        results[1].output.events = vec![EventRecord {
            week: 1,
            locality: 0,
            kind: "leave",
            label: "ignored".to_string(),
        }];
        let report = test_support::report(&results);
        let text = String::from_utf8(EventsCsv.render(&report).unwrap()).unwrap();
        assert_eq!(
            text,
            "week,locality,label\n2,0,restructure: 30% of staff reassigned\n"
        );
    }
}
