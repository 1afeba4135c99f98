//! `network_posts.csv` and `network_ties.csv`: the first patch's professional network in
//! replicate 0 at the end of each chosen week (`batch::replicates::chosen_network_weeks`), as two
//! tidy tables the network plot is drawn from.
//!
//! - `network_posts.csv`: `arm, week, post, role, agency, in_post, minder`, one row per post and
//!   week: the post's number in the patch, its role and agency keys, whether someone holds it and
//!   whether it is the system minder's (`true` or `false`);
//! - `network_ties.csv`: `arm, week, post_a, post_b, strength`, one row per tie stronger than
//!   0.05 (post_a < post_b; strength from 0 to 1).
//!
//! `run` names its one arm after the scenario, as in `survival.csv`; `compare` writes both arms.
//! Without recorded weeks (a library caller that asked for none) each file is its header alone.

use crate::metrics::ReplicateResult;
use crate::model::NetworkFrame;
use crate::output::ReportError;
use crate::output::csv::csv_document;
use crate::output::csv::{format_bool, format_float};
use crate::output::export::{Export, RunReport};
use crate::output::plot::network::agency_key;

pub use crate::output::files::NETWORK_POSTS_HEADER as POSTS_HEADER;

pub use crate::output::files::NETWORK_TIES_HEADER as TIES_HEADER;

/// One of the two files: its name, header and rows (from an arm's name and replicates).
pub struct NetworkCsv {
    pub file_name: &'static str,
    pub header: &'static [&'static str],
    pub rows: fn(&str, &[ReplicateResult]) -> Vec<Vec<String>>,
}

pub const NETWORK_POSTS: NetworkCsv = NetworkCsv {
    file_name: crate::output::files::NETWORK_POSTS_CSV,
    header: &POSTS_HEADER,
    rows: post_rows,
};

pub const NETWORK_TIES: NetworkCsv = NetworkCsv {
    file_name: crate::output::files::NETWORK_TIES_CSV,
    header: &TIES_HEADER,
    rows: tie_rows,
};

/// The frames replicate 0 (the first result) recorded.
fn frames(results: &[ReplicateResult]) -> &[NetworkFrame] {
    results
        .first()
        .map_or(&[], |result| result.output.network.as_slice())
}

/// One row per post and recorded week of replicate 0.
pub fn post_rows(arm: &str, results: &[ReplicateResult]) -> Vec<Vec<String>> {
    frames(results)
        .iter()
        .flat_map(|frame| {
            frame.posts.iter().enumerate().map(move |(number, post)| {
                vec![
                    arm.to_string(),
                    frame.week.to_string(),
                    number.to_string(),
                    post.role.key().to_string(),
                    agency_key(post.role.agency()).to_string(),
                    post.school
                        .map(|school| school.to_string())
                        .unwrap_or_default(),
                    format_bool(post.in_post).to_string(),
                    format_bool(post.minder).to_string(),
                ]
            })
        })
        .collect()
}

/// One row per tie and recorded week of replicate 0.
pub fn tie_rows(arm: &str, results: &[ReplicateResult]) -> Vec<Vec<String>> {
    frames(results)
        .iter()
        .flat_map(|frame| {
            frame.ties.iter().map(move |&(post_a, post_b, strength)| {
                vec![
                    arm.to_string(),
                    frame.week.to_string(),
                    post_a.to_string(),
                    post_b.to_string(),
                    format_float(f64::from(strength)),
                ]
            })
        })
        .collect()
}

impl Export for NetworkCsv {
    fn file_name(&self) -> &'static str {
        self.file_name
    }

    fn render(&self, report: &RunReport<'_>) -> Result<Vec<u8>, ReportError> {
        csv_document(
            self.file_name,
            self.header,
            (self.rows)(report.scenario_name, report.results).into_iter(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FramePost, Role, SchoolId};
    use crate::output::export::test_support;

    #[test]
    fn posts_and_ties_of_replicate_zero() {
        let mut results = test_support::results();
        results[0].output.network = vec![NetworkFrame {
            week: 2,
            posts: vec![
                FramePost::new(Role::Senco, Some(SchoolId::secondary(1)), true, false),
                FramePost::new(Role::EdPsych, None, false, false),
                FramePost::new(Role::EarlyHelp, None, true, true),
            ],
            ties: vec![(0, 2, 0.3), (1, 2, 0.0625)],
            waiting: 0,
            helped: 0,
        }];
        results[1].output.network = results[0].output.network.clone();
        let report = test_support::report(&results);
        let posts = String::from_utf8(NETWORK_POSTS.render(&report).unwrap()).unwrap();
        assert_eq!(
            posts,
            "arm,week,post,role,agency,school,in_post,minder\n\
             tiny,2,0,senco,school,secondary 1,TRUE,FALSE\n\
             tiny,2,1,educational_psychologist,educational_psychology,,FALSE,FALSE\n\
             tiny,2,2,early_help,early_help,,TRUE,TRUE\n"
        );
        let ties = String::from_utf8(NETWORK_TIES.render(&report).unwrap()).unwrap();
        assert_eq!(
            ties,
            "arm,week,post_a,post_b,strength\ntiny,2,0,2,0.3\ntiny,2,1,2,0.0625\n"
        );
    }

    #[test]
    fn no_recorded_weeks_give_only_the_headers() {
        let results = test_support::results();
        assert!(post_rows("tiny", &results).is_empty());
        assert!(tie_rows("tiny", &results).is_empty());
        assert!(post_rows("tiny", &[]).is_empty());
    }
}
