//! The measures of one finished run (docs/model.md, "Design concepts": observation): one `f64` each, in the column order of
//! `runs.csv`.
//!
//! Every measure uses only the *measured weeks*, `warmup_weeks <= week < horizon_weeks`, so the
//! start-up transient of an empty world does not leak into results. With `M = horizon - warmup`
//! measured weeks, a run covers `years = M / 52` years, and rates are per pupil per year over
//! them. Episodes, referrals and assessments belong to the window by the week they started in
//! (recognition, onset, referral or request), whatever happened to them later. A measure whose
//! denominator is empty (no help started, no referral decided, no pupils, no measured weeks) is
//! NaN, written `NA` in the output and skipped in summaries.

use crate::calendar;
use crate::metrics::km::SurvivalCurve;
use crate::metrics::stats;
use crate::model::{EpisodeRecord, ReferralOutcome, ReferralSource, RunOutput, WeekRecord};

/// Defines `Measures` once so that the field order, `Measures::NAMES` and `Measures::values`
/// can never disagree.
macro_rules! define_measures {
    ($( $(#[$field_doc:meta])* $field:ident, )*) => {
        /// The measures of one run. Field order is the column order of `runs.csv`.
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub struct Measures {
            $( $(#[$field_doc])* pub $field: f64, )*
        }

        impl Measures {
            /// Column names, in field order.
            pub const NAMES: &'static [&'static str] = &[$( stringify!($field), )*];

            /// Values, in the order of `NAMES`.
            pub fn values(&self) -> Vec<f64> {
                vec![$( self.$field, )*]
            }

            /// Every measure undefined (NaN); a base for building measures field by field.
            pub fn undefined() -> Measures {
                Measures { $( $field: f64::NAN, )* }
            }
        }
    };
}

define_measures! {
    /// Kaplan–Meier median of weeks from recognition to help start, over episodes recognised in
    /// the measured window. An episode without help is censored when it closed, else at the
    /// horizon. If survival never falls to one half (too much censoring) the value is the longest
    /// possible follow-up, `horizon - warmup`, as a lower bound; NaN if no episode was recognised.
    median_weeks_to_help,
    /// Kaplan–Meier 90th percentile of weeks from recognition to help, as the median.
    p90_weeks_to_help,
    /// Kaplan–Meier median of weeks from onset to help, over episodes with onset in the window;
    /// same censoring and lower-bound rule.
    median_weeks_onset_to_help,
    /// Kaplan–Meier median weeks from onset to recognition in school, over episodes with onset in
    /// the window; censored at closure (resolved unseen) or the horizon.
    median_weeks_to_recognition,
    /// Collaborative inertia: over episodes recognised in the window whose action window had
    /// fully elapsed by the horizon, the share that did not start help within
    /// `action_window_weeks` term weeks. A wait counts as within the window when the term weeks
    /// in `recognised..help_start` number at most `action_window_weeks` (holidays do not count);
    /// the window has elapsed when `recognised..horizon` holds more term weeks than that.
    /// Episodes that closed without help count as not helped.
    inertia,
    /// Grind: coordination hours per help started, over the measured weeks.
    grind,
    /// Assessment hours as a share of assessment plus help hours.
    assessment_share,
    /// Over episodes recognised in the window with at least one assessment: mean of
    /// `assessments - 1`.
    duplicate_assessments_per_child,
    /// Median working days of social-care assessments requested in the window and completed.
    median_assessment_working_days,
    /// Share of those assessments taking more than 45 working days.
    share_assessments_over_45wd,
    /// Referrals to social care from schools made in the window, per 10,000 pupils a year.
    referrals_per_10k,
    /// Over all referrals (schools and outside) made in the window and decided (not open at the
    /// horizon): the share ending in no further action or not in need.
    referral_rejection_share,
    /// The same, over schools' referrals only.
    school_rejection_share,
    /// Schools' referrals concerning a serious safeguarding need, per 10,000 pupils a year.
    serious_referrals_per_10k,
    /// Among schools' referrals made in the window, the share that were re-referrals within 12
    /// months.
    rereferral_share_12m,
    /// Child-weeks of need (recognised or not) above the severity floor without help, per 100
    /// pupils a year.
    unmet_need_child_weeks_per_100,
    /// The part of it below the social-care threshold (the need the study found nobody met).
    unmet_below_threshold_per_100,
    /// Escalations across the fixed `severity.escalation_level` while waiting, summed over
    /// episodes recognised in the window, per 1,000 pupils a year.
    escalations_per_1k,
    /// Mean over measured weeks of the weekly mean tie strength (0..1).
    mean_tie_strength,
    /// Relational coordination on Gittell's 1 to 5 scale, from her seven dimensions as the model
    /// observes them (see `relational_coordination`).
    relational_coordination,
    /// Mean worker changes over episodes recognised in the window in which help started.
    worker_changes_per_case,
    /// Mean over measured weeks of the social-worker caseload (open cases per case-holding FTE).
    social_worker_caseload,
    /// Leavers over the measured weeks, divided by the mean staff in post and by the years: the
    /// realised annual turnover rate.
    realised_turnover,
    /// The same for case-holding social workers alone (DfE's 13.8% is of social workers).
    social_worker_turnover,
    /// Vacant posts as a share of posts, pooled over measured weeks (sum of weekly vacancies over
    /// sum of weekly posts, the posts-weighted mean of the weekly shares).
    vacancy_share,
    /// Mean coordination hours per measured week.
    coordination_hours,
    /// Coordination hours per pupil per year.
    coordination_hours_per_child,
    /// Helps started per 100 pupils a year.
    helps_started_per_100,
    /// Case-holding social-worker posts without a permanent holder (vacant or covered by an agency
    /// locum) as a share of those posts, pooled over measured weeks (DfE's vacancy rate is of
    /// social workers: 17% in 2024).
    social_worker_vacancy_share,
    /// Case-holding social-worker posts held by agency locums, as a share of those posts (DfE
    /// 2024: 15.9% of children's social workers are agency workers).
    social_worker_agency_share,
}

/// The span of a run over which measures are taken.
#[derive(Debug, Clone, Copy)]
struct MeasuredWindow {
    warmup: u32,
    horizon: u32,
}

impl MeasuredWindow {
    fn of(run: &RunOutput) -> MeasuredWindow {
        MeasuredWindow {
            warmup: run.warmup_weeks,
            horizon: run.horizon_weeks,
        }
    }

    fn contains(&self, week: u32) -> bool {
        week >= self.warmup && week < self.horizon
    }

    fn measured_weeks(&self) -> u32 {
        self.horizon.saturating_sub(self.warmup)
    }

    fn years(&self) -> f64 {
        f64::from(self.measured_weeks()) / f64::from(calendar::WEEKS_PER_YEAR)
    }
}

/// `numerator / denominator`, NaN when the denominator is zero.
fn ratio(numerator: f64, denominator: f64) -> f64 {
    if denominator == 0.0 {
        f64::NAN
    } else {
        numerator / denominator
    }
}

/// A count over the window as a rate per `per_pupils` pupils a year.
fn rate_per_pupils_per_year(count: f64, pupils: u32, per_pupils: f64, years: f64) -> f64 {
    ratio(count * per_pupils, f64::from(pupils) * years)
}

/// Share of items satisfying `predicate`, NaN for no items.
fn share<T>(items: &[T], predicate: impl Fn(&T) -> bool) -> f64 {
    let matching = items.iter().filter(|item| predicate(item)).count();
    ratio(matching as f64, items.len() as f64)
}

/// A Kaplan–Meier quantile of waits, with the lower-bound rule documented on `Measures`.
fn waiting_quantile(waits: &[(f64, bool)], p: f64, longest_follow_up: u32) -> f64 {
    if waits.is_empty() {
        return f64::NAN;
    }
    SurvivalCurve::estimate(waits)
        .quantile(p)
        .unwrap_or(f64::from(longest_follow_up))
}

/// The wait from `start` to help: observed if help started, else censored at closure or horizon.
fn wait_for_help(episode: &EpisodeRecord, start: u32, horizon: u32) -> (f64, bool) {
    match episode.help_start_week {
        Some(help_start) => (f64::from(help_start.saturating_sub(start)), true),
        None => {
            let censored_at = episode.closed_week.unwrap_or(horizon).min(horizon);
            (f64::from(censored_at.saturating_sub(start)), false)
        }
    }
}

/// Weeks from recognition to help of every episode recognised in the measured window, as
/// `(weeks, help started)`: an episode without help is censored when it closed, else at the
/// horizon. The input of `median_weeks_to_help` and of the time-to-help survival curves.
pub fn waits_from_recognition(run: &RunOutput) -> Vec<(f64, bool)> {
    let window = MeasuredWindow::of(run);
    run.episodes
        .iter()
        .filter_map(|episode| {
            episode
                .recognised_week
                .filter(|recognised| window.contains(*recognised))
                .map(|recognised| wait_for_help(episode, recognised, run.horizon_weeks))
        })
        .collect()
}

/// Whether an episode recognised in `recognised` started help within the action window.
fn helped_within_action_window(
    episode: &EpisodeRecord,
    recognised: u32,
    window_term_weeks: u32,
) -> bool {
    episode.help_start_week.is_some_and(|help_start| {
        calendar::term_weeks_between(recognised, help_start) <= window_term_weeks
    })
}

/// Computes every measure of a finished run.
pub fn measures(run: &RunOutput) -> Measures {
    let window = MeasuredWindow::of(run);
    let years = window.years();
    let pupils = run.pupils;
    let longest_follow_up = window.measured_weeks();

    let measured_weeks: Vec<&WeekRecord> = run
        .weeks
        .iter()
        .filter(|week| window.contains(week.week))
        .collect();
    let sum_weeks =
        |field: fn(&WeekRecord) -> f64| measured_weeks.iter().map(|week| field(week)).sum::<f64>();
    let mean_weeks =
        |field: fn(&WeekRecord) -> f64| ratio(sum_weeks(field), measured_weeks.len() as f64);

    // (episode, week it was recognised) for episodes recognised in the window.
    let recognised_in_window: Vec<(&EpisodeRecord, u32)> = run
        .episodes
        .iter()
        .filter_map(|episode| {
            episode
                .recognised_week
                .map(|recognised| (episode, recognised))
        })
        .filter(|(_, recognised)| window.contains(*recognised))
        .collect();

    let waits_from_recognition = waits_from_recognition(run);
    let waits_from_onset: Vec<(f64, bool)> = run
        .episodes
        .iter()
        .filter(|episode| window.contains(episode.onset_week))
        .map(|episode| wait_for_help(episode, episode.onset_week, run.horizon_weeks))
        .collect();

    // Onset to recognition: censored at closure (a need that resolved unseen) or the horizon.
    let waits_to_recognition: Vec<(f64, bool)> = run
        .episodes
        .iter()
        .filter(|episode| window.contains(episode.onset_week))
        .map(|episode| match episode.recognised_week {
            Some(recognised) => (f64::from(recognised - episode.onset_week), true),
            None => (
                f64::from(episode.closed_week.unwrap_or(run.horizon_weeks) - episode.onset_week),
                false,
            ),
        })
        .collect();

    let window_elapsed: Vec<&(&EpisodeRecord, u32)> = recognised_in_window
        .iter()
        .filter(|(_, recognised)| {
            calendar::term_weeks_between(*recognised, run.horizon_weeks) > run.action_window_weeks
        })
        .collect();
    let inertia = share(&window_elapsed, |(episode, recognised)| {
        !helped_within_action_window(episode, *recognised, run.action_window_weeks)
    });

    let duplicate_assessments: Vec<f64> = recognised_in_window
        .iter()
        .filter(|(episode, _)| episode.assessments >= 1)
        .map(|(episode, _)| f64::from(episode.assessments - 1))
        .collect();

    let completed_social_care_working_days: Vec<f64> = run
        .assessments
        .iter()
        .filter(|assessment| assessment.social_care && window.contains(assessment.requested_week))
        .filter_map(|assessment| assessment.working_days.map(f64::from))
        .collect();

    let referrals_in_window: Vec<_> = run
        .referrals
        .iter()
        .filter(|referral| window.contains(referral.week))
        .collect();
    let school_referrals: Vec<_> = referrals_in_window
        .iter()
        .copied()
        .filter(|referral| referral.source == ReferralSource::School)
        .collect();
    let decided_referrals: Vec<_> = referrals_in_window
        .iter()
        .copied()
        .filter(|referral| referral.outcome != ReferralOutcome::Open)
        .collect();
    let decided_school_referrals: Vec<_> = decided_referrals
        .iter()
        .copied()
        .filter(|referral| referral.source == ReferralSource::School)
        .collect();
    let is_rejection = |referral: &&crate::model::ReferralRecord| {
        matches!(
            referral.outcome,
            ReferralOutcome::NoFurtherAction | ReferralOutcome::NotInNeed
        )
    };

    let helped_worker_changes: Vec<f64> = recognised_in_window
        .iter()
        .filter(|(episode, _)| episode.help_start_week.is_some())
        .map(|(episode, _)| f64::from(episode.worker_changes))
        .collect();
    let escalations: f64 = recognised_in_window
        .iter()
        .map(|(episode, _)| f64::from(episode.escalations))
        .sum();

    let coordination_hours = sum_weeks(|week| week.coordination_hours);
    let helps_started = sum_weeks(|week| f64::from(week.helps_started));
    let assessment_hours = sum_weeks(|week| week.assessment_hours);
    let help_hours = sum_weeks(|week| week.help_hours);
    let mean_tie_strength = mean_weeks(|week| week.mean_tie_strength);

    let mut measures = Measures {
        median_weeks_to_help: waiting_quantile(&waits_from_recognition, 0.5, longest_follow_up),
        p90_weeks_to_help: waiting_quantile(&waits_from_recognition, 0.9, longest_follow_up),
        median_weeks_onset_to_help: waiting_quantile(&waits_from_onset, 0.5, longest_follow_up),
        median_weeks_to_recognition: waiting_quantile(
            &waits_to_recognition,
            0.5,
            longest_follow_up,
        ),
        inertia,
        grind: ratio(coordination_hours, helps_started),
        assessment_share: ratio(assessment_hours, assessment_hours + help_hours),
        duplicate_assessments_per_child: stats::mean(&duplicate_assessments),
        median_assessment_working_days: stats::median(&completed_social_care_working_days),
        share_assessments_over_45wd: share(&completed_social_care_working_days, |working_days| {
            *working_days > 45.0
        }),
        referrals_per_10k: rate_per_pupils_per_year(
            school_referrals.len() as f64,
            pupils,
            10_000.0,
            years,
        ),
        referral_rejection_share: share(&decided_referrals, is_rejection),
        school_rejection_share: share(&decided_school_referrals, is_rejection),
        serious_referrals_per_10k: rate_per_pupils_per_year(
            school_referrals
                .iter()
                .filter(|referral| referral.serious)
                .count() as f64,
            pupils,
            10_000.0,
            years,
        ),
        rereferral_share_12m: share(&school_referrals, |referral| referral.rereferral),
        unmet_need_child_weeks_per_100: rate_per_pupils_per_year(
            sum_weeks(|week| f64::from(week.unmet_child_weeks)),
            pupils,
            100.0,
            years,
        ),
        unmet_below_threshold_per_100: rate_per_pupils_per_year(
            sum_weeks(|week| f64::from(week.unmet_below_threshold_child_weeks)),
            pupils,
            100.0,
            years,
        ),
        escalations_per_1k: rate_per_pupils_per_year(escalations, pupils, 1_000.0, years),
        mean_tie_strength,
        // Set below, from the other measures and the weekly records.
        relational_coordination: f64::NAN,
        worker_changes_per_case: stats::mean(&helped_worker_changes),
        social_worker_caseload: mean_weeks(|week| week.social_worker_caseload),
        realised_turnover: ratio(
            ratio(
                sum_weeks(|week| f64::from(week.leavers)),
                mean_weeks(|week| f64::from(week.staff_in_post)),
            ),
            years,
        ),
        social_worker_turnover: ratio(
            ratio(
                sum_weeks(|week| f64::from(week.social_worker_leavers)),
                mean_weeks(|week| f64::from(week.social_workers_in_post)),
            ),
            years,
        ),
        vacancy_share: ratio(
            sum_weeks(|week| f64::from(week.vacancies)),
            sum_weeks(|week| f64::from(week.posts)),
        ),
        coordination_hours: ratio(coordination_hours, measured_weeks.len() as f64),
        coordination_hours_per_child: rate_per_pupils_per_year(
            coordination_hours,
            pupils,
            1.0,
            years,
        ),
        helps_started_per_100: rate_per_pupils_per_year(helps_started, pupils, 100.0, years),
        social_worker_vacancy_share: ratio(
            sum_weeks(|week| f64::from(week.social_worker_vacancies)),
            sum_weeks(|week| f64::from(week.social_worker_vacancies + week.social_workers_in_post)),
        ),
        social_worker_agency_share: ratio(
            sum_weeks(|week| f64::from(week.social_worker_locums)),
            sum_weeks(|week| f64::from(week.social_worker_vacancies + week.social_workers_in_post)),
        ),
    };
    measures.relational_coordination = relational_coordination(
        &measures,
        mean_weeks(|week| week.recent_contact_share),
        mean_weeks(|week| week.mean_knowledge),
    );
    measures
}

/// Relational coordination on Gittell's 1 to 5 scale, from her seven dimensions as the model can
/// observe them, each a share from 0 to 1 mapped to `1 + 4 × share` and averaged (dimensions
/// undefined in a run are left out):
/// - frequent communication: the share of pairs of people in post from different agencies in
///   touch within the last term (13 weeks: a meeting, a shared case, a consultation, an
///   informal or brokered contact);
/// - timely communication: the share of recognised needs helped within the action window,
///   `1 − inertia`;
/// - accurate communication: the share of schools' referrals to social care the service takes
///   on, `1 − school_rejection_share`;
/// - problem-solving communication: joint work on a case rather than each agency on its own,
///   `1 / (1 + duplicate_assessments_per_child)`;
/// - shared goals and mutual respect: the mean tie between people of different agencies (the
///   model's trust and regard);
/// - shared knowledge: the mean local knowledge of agency staff in post.
fn relational_coordination(m: &Measures, frequency: f64, knowledge: f64) -> f64 {
    let dimensions = [
        frequency,
        1.0 - m.inertia,
        1.0 - m.school_rejection_share,
        1.0 / (1.0 + m.duplicate_assessments_per_child),
        m.mean_tie_strength,
        knowledge,
        m.mean_tie_strength,
    ];
    let defined: Vec<f64> = dimensions
        .into_iter()
        .filter(|d| d.is_finite())
        .map(|d| d.clamp(0.0, 1.0))
        .collect();
    if defined.is_empty() {
        return f64::NAN;
    }
    1.0 + 4.0 * defined.iter().sum::<f64>() / defined.len() as f64
}

/// One measure summarised across replicates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeasureSummary {
    pub name: &'static str,
    pub summary: stats::Summary,
}

/// Summarises every measure across replicates, in `Measures::NAMES` order. Sequential, so the
/// result does not depend on how the replicates were computed.
pub fn summarise_measures(replicate_measures: &[Measures]) -> Vec<MeasureSummary> {
    let replicate_values: Vec<Vec<f64>> = replicate_measures.iter().map(Measures::values).collect();
    Measures::NAMES
        .iter()
        .enumerate()
        .map(|(measure_index, name)| {
            let values: Vec<f64> = replicate_values
                .iter()
                .map(|values| values[measure_index])
                .collect();
            MeasureSummary {
                name,
                summary: stats::Summary::of(&values),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AssessmentRecord, ReferralRecord};

    fn assert_close(actual: f64, expected: f64) {
        assert!((actual - expected).abs() < 1e-9, "{actual} != {expected}");
    }

    fn episode(
        onset: u32,
        recognised: Option<u32>,
        help: Option<u32>,
        closed: Option<u32>,
    ) -> EpisodeRecord {
        EpisodeRecord {
            locality: 0,
            child: 0,
            domains: 1,
            onset_week: onset,
            recognised_week: recognised,
            help_start_week: help,
            closed_week: closed,
            assessments: 0,
            worker_changes: 0,
            escalations: 0,
            urgent_at_recognition: false,
            serious: false,
        }
    }

    fn referral(week: u32, source: ReferralSource, outcome: ReferralOutcome) -> ReferralRecord {
        ReferralRecord {
            locality: 0,
            week,
            source,
            outcome,
            rereferral: false,
            serious: false,
        }
    }

    /// A run of 156 weeks with a 52-week warm-up: 104 measured weeks, two years, 1,000 pupils.
    fn hand_built_run() -> RunOutput {
        let weeks = (0..156)
            .map(|week| {
                let measured = week >= 52;
                WeekRecord {
                    week,
                    term_week: calendar::is_term_week(week),
                    // Warm-up weeks carry values that would spoil every measure if counted.
                    mean_tie_strength: if measured { 0.5 } else { 100.0 },
                    staff_in_post: if measured { 20 } else { 1 },
                    vacancies: if measured { 2 } else { 50 },
                    posts: if measured { 22 } else { 51 },
                    helps_started: if measured && week % 2 == 0 { 1 } else { 0 },
                    unmet_child_weeks: if measured { 3 } else { 999 },
                    coordination_hours: if measured { 10.0 } else { 1e6 },
                    assessment_hours: if measured { 1.0 } else { 1e6 },
                    help_hours: if measured { 3.0 } else { 0.0 },
                    leavers: if measured && week % 26 == 0 { 1 } else { 0 },
                    social_worker_caseload: if measured { 16.0 } else { 99.0 },
                    ..WeekRecord::default()
                }
            })
            .collect();

        let mut episodes = vec![
            // Recognised week 60 (term), helped at 64: wait 4; 4 term weeks, within a 6-week window.
            EpisodeRecord {
                assessments: 2,
                worker_changes: 1,
                escalations: 1,
                ..episode(58, Some(60), Some(64), Some(80))
            },
            // Recognised 60, helped 70: wait 10, of which 8 term weeks: outside the window.
            EpisodeRecord {
                assessments: 1,
                worker_changes: 3,
                ..episode(60, Some(60), Some(70), None)
            },
            // Recognised 62, never helped, closed at 68 (censored at 6).
            EpisodeRecord {
                assessments: 3,
                escalations: 2,
                ..episode(61, Some(62), None, Some(68))
            },
            // Recognised 100, still waiting at the horizon: censored at 56.
            episode(90, Some(100), None, None),
            // Recognised in the last weeks: action window not elapsed; censored at 3.
            episode(150, Some(153), None, None),
            // Onset in the window but never recognised.
            episode(120, None, None, Some(125)),
        ];
        // Recognised in the warm-up: ignored by every episode measure.
        episodes.push(EpisodeRecord {
            assessments: 9,
            worker_changes: 9,
            escalations: 9,
            ..episode(10, Some(12), Some(40), None)
        });

        let referrals = vec![
            ReferralRecord {
                serious: true,
                ..referral(60, ReferralSource::School, ReferralOutcome::NoFurtherAction)
            },
            ReferralRecord {
                rereferral: true,
                ..referral(70, ReferralSource::School, ReferralOutcome::InNeed)
            },
            referral(80, ReferralSource::School, ReferralOutcome::Open),
            referral(90, ReferralSource::Outside, ReferralOutcome::NotInNeed),
            referral(91, ReferralSource::Outside, ReferralOutcome::NotInNeed),
            // Warm-up: ignored.
            referral(10, ReferralSource::School, ReferralOutcome::NotInNeed),
        ];

        let assessments = vec![
            AssessmentRecord {
                locality: 0,
                requested_week: 60,
                working_days: Some(30),
                social_care: true,
            },
            AssessmentRecord {
                locality: 0,
                requested_week: 61,
                working_days: Some(50),
                social_care: true,
            },
            AssessmentRecord {
                locality: 0,
                requested_week: 62,
                working_days: Some(40),
                social_care: true,
            },
            // Still open: excluded.
            AssessmentRecord {
                locality: 0,
                requested_week: 150,
                working_days: None,
                social_care: true,
            },
            // Not social care: excluded.
            AssessmentRecord {
                locality: 0,
                requested_week: 70,
                working_days: Some(200),
                social_care: false,
            },
            // Warm-up: excluded.
            AssessmentRecord {
                locality: 0,
                requested_week: 5,
                working_days: Some(300),
                social_care: true,
            },
        ];

        RunOutput {
            pupils: 1_000,
            horizon_weeks: 156,
            warmup_weeks: 52,
            action_window_weeks: 6,
            weeks,
            episodes,
            referrals,
            assessments,
            events: Vec::new(),
            story: Vec::new(),
            network: Vec::new(),
        }
    }

    #[test]
    fn names_and_values_agree() {
        let measures = measures(&hand_built_run());
        assert_eq!(Measures::NAMES.len(), measures.values().len());
        assert_eq!(Measures::NAMES[0], "median_weeks_to_help");
        assert_eq!(
            Measures::NAMES[Measures::NAMES.len() - 1],
            "social_worker_agency_share"
        );
        assert_eq!(measures.values()[4], measures.inertia);
    }

    #[test]
    fn column_order_is_the_documented_one() {
        let documented = "median_weeks_to_help, p90_weeks_to_help, median_weeks_onset_to_help, median_weeks_to_recognition, inertia, grind, \
            assessment_share, duplicate_assessments_per_child, median_assessment_working_days, \
            share_assessments_over_45wd, referrals_per_10k, referral_rejection_share, school_rejection_share, \
            serious_referrals_per_10k, rereferral_share_12m, unmet_need_child_weeks_per_100, unmet_below_threshold_per_100, escalations_per_1k, \
            mean_tie_strength, relational_coordination, worker_changes_per_case, social_worker_caseload, \
            realised_turnover, social_worker_turnover, vacancy_share, coordination_hours, coordination_hours_per_child, \
            helps_started_per_100, social_worker_vacancy_share, social_worker_agency_share";
        let documented: Vec<&str> = documented.split(',').map(str::trim).collect();
        assert_eq!(Measures::NAMES, documented.as_slice());
    }

    #[test]
    fn time_to_help_uses_kaplan_meier_with_censoring() {
        // Waits from recognition: 4 (event), 10 (event), 6 (censored), 56 (censored), 3 (censored).
        // Sorted: 3c, 4e, 6c, 10e, 56c. At 4: 4 at risk, S = 3/4. At 10: 2 at risk, S = 3/8.
        let measures = measures(&hand_built_run());
        assert_close(measures.median_weeks_to_help, 10.0);
        // S never falls to 0.1: the longest follow-up, 104 weeks, as a lower bound.
        assert_close(measures.p90_weeks_to_help, 104.0);
        // Waits from onset (onset in 52..156): 58→64 = 6e, 60→70 = 10e, 61→68 = 7c, 90→156 = 66c,
        // 150→156 = 6c, 120→125 = 5c. Sorted: 5c, 6e, 6c, 7c, 10e, 66c.
        // At 6: 5 at risk, S = 4/5. At 10: 2 at risk, S = 2/5.
        assert_close(measures.median_weeks_onset_to_help, 10.0);
    }

    #[test]
    fn inertia_counts_term_weeks_and_skips_unfinished_windows() {
        // Week 60 is week 8 of the second year (term weeks 8-14, then holidays 15-16).
        // Episode 1: 60..64 holds 4 term weeks: within the window.
        // Episode 2: 60..70 is weeks 8-17 of the year: term weeks 8-14 and 17, holidays 15-16,
        // so 8 term weeks > 6. Episodes 3 and 4 (recognised 62 and 100) were never helped.
        // Episode 5 (recognised 153, summer holiday): 153..156 holds no term week, so its window
        // has not elapsed and it is excluded.
        let measures = measures(&hand_built_run());
        assert_close(measures.inertia, 3.0 / 4.0);
        assert_eq!(calendar::term_weeks_between(60, 70), 8);
        assert_eq!(calendar::term_weeks_between(153, 156), 0);
    }

    #[test]
    fn workload_and_assessment_measures() {
        let measures = measures(&hand_built_run());
        // 104 measured weeks, helps started in the 52 even weeks.
        assert_close(measures.grind, 1040.0 / 52.0);
        assert_close(measures.assessment_share, 104.0 / (104.0 + 312.0));
        // Recognised in the window with assessments >= 1: 2, 1, 3 -> extra 1, 0, 2.
        assert_close(measures.duplicate_assessments_per_child, 1.0);
        assert_close(measures.median_assessment_working_days, 40.0);
        assert_close(measures.share_assessments_over_45wd, 1.0 / 3.0);
        assert_close(measures.coordination_hours, 10.0);
        // 1,040 hours over 1,000 pupils and two years.
        assert_close(measures.coordination_hours_per_child, 0.52);
        assert_close(measures.helps_started_per_100, 52.0 * 100.0 / 1000.0 / 2.0);
    }

    #[test]
    fn referral_measures() {
        let measures = measures(&hand_built_run());
        // Three school referrals in the window, 1,000 pupils, two years.
        assert_close(measures.referrals_per_10k, 3.0 * 10.0 / 2.0);
        // Decided: school NFA, school InNeed, outside NotInNeed × 2 -> 3 of 4 rejected.
        assert_close(measures.referral_rejection_share, 3.0 / 4.0);
        assert_close(measures.school_rejection_share, 1.0 / 2.0);
        assert_close(measures.serious_referrals_per_10k, 10.0 / 2.0);
        assert_close(measures.rereferral_share_12m, 1.0 / 3.0);
    }

    #[test]
    fn need_relationship_and_workforce_measures() {
        let measures = measures(&hand_built_run());
        assert_close(
            measures.unmet_need_child_weeks_per_100,
            3.0 * 104.0 * 100.0 / 1000.0 / 2.0,
        );
        // Escalations 1 + 2 over recognised-in-window episodes.
        assert_close(measures.escalations_per_1k, 3.0 / 2.0);
        assert_close(measures.mean_tie_strength, 0.5);
        // Gittell's seven dimensions: no recent contacts and no knowledge recorded in the
        // hand-built weeks (0 each), the tie twice (0.5), and the other three from the measures.
        let shares = 0.0
            + (1.0 - measures.inertia)
            + (1.0 - measures.school_rejection_share)
            + 1.0 / (1.0 + measures.duplicate_assessments_per_child)
            + 0.5
            + 0.0
            + 0.5;
        assert_close(measures.relational_coordination, 1.0 + 4.0 * shares / 7.0);
        // Helped episodes recognised in the window: worker changes 1 and 3.
        assert_close(measures.worker_changes_per_case, 2.0);
        assert_close(measures.social_worker_caseload, 16.0);
        // Leavers in weeks 52, 78, 104, 130: 4 over a mean of 20 in post over two years.
        assert_close(measures.realised_turnover, 4.0 / 20.0 / 2.0);
        assert_close(measures.vacancy_share, 2.0 / 22.0);
    }

    #[test]
    fn an_empty_run_gives_nan_not_a_panic() {
        let empty = RunOutput {
            pupils: 0,
            horizon_weeks: 10,
            warmup_weeks: 10,
            action_window_weeks: 6,
            weeks: Vec::new(),
            episodes: Vec::new(),
            referrals: Vec::new(),
            assessments: Vec::new(),
            events: Vec::new(),
            story: Vec::new(),
            network: Vec::new(),
        };
        assert!(measures(&empty).values().iter().all(|value| value.is_nan()));
    }

    #[test]
    fn summaries_follow_names_and_skip_nan() {
        let run_measures = measures(&hand_built_run());
        let undefined_grind = Measures {
            grind: f64::NAN,
            ..run_measures
        };
        let summaries = summarise_measures(&[run_measures, undefined_grind]);
        assert_eq!(summaries.len(), Measures::NAMES.len());
        let grind = summaries
            .iter()
            .find(|summary| summary.name == "grind")
            .unwrap();
        assert_eq!(grind.summary.n, 1);
        assert_eq!(summaries[0].summary.n, 2);
    }
}
