//! Invariants every run must satisfy, whatever the seed and scenario: property tests over random
//! seeds and a few random scenario knobs (coordination mode, minder, direct line, core group,
//! turnover, patch size and shape, boundaries, one optional timeline event).
//!
//! Each assertion is exactly true of the model as written (`src/model`): the comments say which
//! step of the weekly order makes it so. Weekly counters are taken at the end of a week (after
//! turnover), and a school episode closes only in the severity step (step 2), before that week's
//! recognition, pathway and services; an episode is "open at the end of week w" when it has no
//! `closed_week` or closed after w. Runs are short (60 to 104 weeks) so that the cases take
//! seconds in the release build.

use std::collections::BTreeMap;

use proptest::prelude::*;

use patchwork_sim::calendar::is_term_week;
use patchwork_sim::model::{
    EpisodeRecord, Params, ReferralOutcome, ReferralSource, RunOutput, simulate,
};
use patchwork_sim::scenario;

/// Cases per property: each is one short run, so this stays cheap.
const CASES: u32 = 12;

/// The safeguarding bit of `EpisodeRecord::domains` (`Domain::Safeguarding`).
const SAFEGUARDING: u8 = 1 << 3;
/// Every domain bit (six domains).
const ALL_DOMAINS: u8 = (1 << 6) - 1;

/// Working days in a week, as the model counts assessment durations.
const WORKING_DAYS_PER_WEEK: u32 = 5;

/// One optional event on the scenario's timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimelineEvent {
    Restructure,
    MostConnectedLeave,
    SocialWorkerCut,
    EarlyHelpAdded,
    MinderWithdrawn,
    MinderAppointed,
    TeamStarted,
    ForumStopped,
    ThresholdRaised,
}

impl TimelineEvent {
    const ALL: [TimelineEvent; 9] = [
        TimelineEvent::Restructure,
        TimelineEvent::MostConnectedLeave,
        TimelineEvent::SocialWorkerCut,
        TimelineEvent::EarlyHelpAdded,
        TimelineEvent::MinderWithdrawn,
        TimelineEvent::MinderAppointed,
        TimelineEvent::TeamStarted,
        TimelineEvent::ForumStopped,
        TimelineEvent::ThresholdRaised,
    ];

    /// The inline TOML table of this event at `week`.
    fn toml(self, week: u32) -> String {
        let body = match self {
            TimelineEvent::Restructure => {
                r#"kind = "restructure", share = 0.4, social_care_teams = 2"#
            }
            TimelineEvent::MostConnectedLeave => {
                r#"kind = "leave", who = "most_connected", count = 3"#
            }
            TimelineEvent::SocialWorkerCut => {
                r#"kind = "post_cut", role = "social_worker", fte = 2.5"#
            }
            TimelineEvent::EarlyHelpAdded => {
                r#"kind = "post_added", role = "early_help", fte = 2.0"#
            }
            TimelineEvent::MinderWithdrawn => r#"kind = "minder_withdrawn""#,
            TimelineEvent::MinderAppointed => r#"kind = "minder_appointed""#,
            TimelineEvent::TeamStarted => r#"kind = "forum_started", mode = "team""#,
            TimelineEvent::ForumStopped => r#"kind = "forum_stopped""#,
            TimelineEvent::ThresholdRaised => {
                r#"kind = "threshold", role = "social_worker", value = 0.7"#
            }
        };
        format!("{{ week = {week}, {body} }}")
    }

    /// Whether the event adds or removes posts (so that the number of posts may change).
    fn changes_posts(self) -> bool {
        matches!(
            self,
            TimelineEvent::SocialWorkerCut
                | TimelineEvent::EarlyHelpAdded
                | TimelineEvent::MinderWithdrawn
                | TimelineEvent::MinderAppointed
        )
    }
}

/// The random part of one case: a seed and the scenario knobs, applied as `--set` overrides to
/// the built-in baseline. A failing case prints this, which is all it takes to reproduce it.
#[derive(Debug, Clone)]
struct Knobs {
    seed: u64,
    horizon_weeks: u32,
    mode: &'static str,
    minder: bool,
    direct_line: bool,
    core_group: bool,
    annual_turnover: f64,
    social_worker_turnover: f64,
    primaries: u32,
    secondaries: u32,
    copies: u32,
    co_located: bool,
    social_care_teams: u32,
    step_down_share: f64,
    event: Option<(TimelineEvent, u32)>,
}

impl Knobs {
    /// The `--set KEY=VALUE` overrides of this case.
    fn sets(&self) -> Vec<String> {
        let mut sets = vec![
            format!("run.horizon_weeks={}", self.horizon_weeks),
            "run.warmup_weeks=10".to_string(),
            format!("coordination.mode=\"{}\"", self.mode),
            format!("coordination.minder={}", self.minder),
            format!("coordination.direct_line={}", self.direct_line),
            format!("coordination.core_group={}", self.core_group),
            format!("coordination.step_down_share={:.3}", self.step_down_share),
            format!("turnover.annual_rate={:.3}", self.annual_turnover),
            format!(
                "turnover.roles.social_worker.annual_rate={:.3}",
                self.social_worker_turnover
            ),
            format!("locality.0.primaries={}", self.primaries),
            format!("locality.0.secondaries={}", self.secondaries),
            format!("locality.0.count={}", self.copies),
            format!("locality.0.co_located={}", self.co_located),
            format!("locality.0.social_care_teams={}", self.social_care_teams),
        ];
        if let Some((event, week)) = self.event {
            sets.push(format!("event=[{}]", event.toml(week)));
        }
        sets
    }

    fn event_kind(&self) -> Option<TimelineEvent> {
        self.event.map(|(event, _)| event)
    }

    /// The loaded parameters and the run of this case.
    fn run(&self) -> (Params, RunOutput) {
        let loaded = scenario::load(None, &self.sets())
            .unwrap_or_else(|error| panic!("knobs {self:?} give a valid scenario: {error}"));
        let output = simulate(&loaded.params, self.seed);
        (loaded.params, output)
    }
}

fn knobs() -> impl Strategy<Value = Knobs> {
    let shape = (
        any::<u64>(),
        60u32..=104,
        prop::sample::select(vec!["adhoc", "team", "network"]),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        0.0f64..0.6,
        0.0f64..0.6,
    );
    let patch = (
        1u32..=8,
        0u32..=1,
        1u32..=2,
        any::<bool>(),
        1u32..=3,
        0.0f64..=1.0,
        prop::option::of((prop::sample::select(TimelineEvent::ALL.to_vec()), 5u32..55)),
    );
    (shape, patch).prop_map(
        |(
            (
                seed,
                horizon_weeks,
                mode,
                minder,
                direct_line,
                core_group,
                annual_turnover,
                social_worker_turnover,
            ),
            (primaries, secondaries, copies, co_located, social_care_teams, step_down_share, event),
        )| Knobs {
            seed,
            horizon_weeks,
            mode,
            minder,
            direct_line,
            core_group,
            annual_turnover,
            social_worker_turnover,
            primaries,
            secondaries,
            copies,
            co_located,
            social_care_teams,
            step_down_share,
            event,
        },
    )
}

/// Whether an episode is still open at the end of week `week`.
fn open_at_end_of(episode: &EpisodeRecord, week: u32) -> bool {
    episode.closed_week.is_none_or(|closed| closed > week)
}

/// Counts the episodes open at the end of `week` for which `condition` holds.
fn count_open(output: &RunOutput, week: u32, condition: impl Fn(&EpisodeRecord) -> bool) -> u32 {
    output
        .episodes
        .iter()
        .filter(|episode| open_at_end_of(episode, week) && condition(episode))
        .count() as u32
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// A child has at most one episode at a time, and each episode's steps come in order.
    /// Per (locality, child), sorted by onset: every episode but the last is closed, and the
    /// next one starts after it closed (a closure books the next onset from the following week).
    /// Within an episode: recognition no earlier than onset (step 3 follows step 1), help no
    /// earlier than recognition (help needs a referral or a forum, which need recognition), and
    /// closure (step 2) strictly after onset, recognition and help start, all of which happen
    /// after step 2 of their week. Every week recorded lies within the run.
    #[test]
    fn episodes_of_a_child_never_overlap_and_their_steps_come_in_order(knobs in knobs()) {
        let (_, output) = knobs.run();
        let horizon = output.horizon_weeks;
        let mut by_child: BTreeMap<(u32, u32), Vec<&EpisodeRecord>> = BTreeMap::new();
        for episode in &output.episodes {
            by_child.entry((episode.locality, episode.child)).or_default().push(episode);
            prop_assert!(episode.locality < knobs.copies, "{episode:?}");
            prop_assert!(episode.onset_week < horizon, "{episode:?}");
            prop_assert!(
                episode.domains != 0 && episode.domains & !ALL_DOMAINS == 0,
                "{episode:?}"
            );
            if let Some(recognised) = episode.recognised_week {
                prop_assert!(
                    recognised >= episode.onset_week && recognised < horizon,
                    "{episode:?}"
                );
            }
            if let Some(help_start) = episode.help_start_week {
                let recognised = episode.recognised_week;
                prop_assert!(recognised.is_some_and(|r| help_start >= r), "{episode:?}");
                prop_assert!(help_start < horizon, "{episode:?}");
            }
            if let Some(closed) = episode.closed_week {
                prop_assert!(closed > episode.onset_week && closed < horizon, "{episode:?}");
                prop_assert!(episode.recognised_week.is_none_or(|r| r < closed), "{episode:?}");
                prop_assert!(episode.help_start_week.is_none_or(|h| h < closed), "{episode:?}");
            }
        }
        prop_assert!(!by_child.is_empty(), "a run of a year or more has episodes");
        for episodes in by_child.values_mut() {
            episodes.sort_by_key(|episode| episode.onset_week);
            for pair in episodes.windows(2) {
                let (earlier, later) = (pair[0], pair[1]);
                let closed = earlier.closed_week;
                prop_assert!(
                    closed.is_some_and(|closed| closed < later.onset_week),
                    "overlapping episodes of one child:\n{earlier:?}\n{later:?}"
                );
            }
        }
    }

    /// What an episode record says about itself is consistent: help never starts without an
    /// assessment (a forum's plan counts as one, and a handed-over case was assessed before);
    /// escalations are only counted while recognised; an urgent recognition is of a safeguarding
    /// need, as is a serious episode; every assessment counted on an episode has its record
    /// (outside referrals add records of their own, so there may be more records).
    #[test]
    fn episode_records_are_self_consistent(knobs in knobs()) {
        let (_, output) = knobs.run();
        let mut assessments_counted = 0u64;
        for episode in &output.episodes {
            assessments_counted += u64::from(episode.assessments);
            if episode.help_start_week.is_some() {
                prop_assert!(episode.assessments >= 1, "{episode:?}");
            }
            if episode.escalations > 0 {
                prop_assert!(episode.recognised_week.is_some(), "{episode:?}");
            }
            if episode.urgent_at_recognition {
                prop_assert!(episode.recognised_week.is_some(), "{episode:?}");
                prop_assert!(episode.domains & SAFEGUARDING != 0, "{episode:?}");
            }
            if episode.serious {
                prop_assert!(episode.domains & SAFEGUARDING != 0, "{episode:?}");
            }
        }
        prop_assert!(assessments_counted <= output.assessments.len() as u64);
    }

    /// The weekly counters agree with the episode records, week by week.
    /// - `helps_started` in week w is the number of episodes whose help started in w (so the
    ///   totals agree too).
    /// - `waiting_for_help` counts recognised, open episodes not being helped at the end of the
    ///   week: at most the recognised open ones, and at least those never helped so far (help can
    ///   pause when a worker leaves, so an episode helped before may be waiting again). The
    ///   difference (episodes being helped) is also at most `open_cases`, since a helped episode
    ///   has an agency involved.
    /// - `waiting_for_assessment` (an agency's assessment queued) ≤ `open_cases` (an agency
    ///   involved) ≤ recognised open episodes.
    /// - `unmet_child_weeks` is counted in the severity step among open, unhelped episodes, so it
    ///   is at most the number of episodes begun by then and still open at the week's end; the
    ///   below-threshold part is at most the whole.
    #[test]
    fn weekly_counts_agree_with_the_episode_records(knobs in knobs()) {
        let (_, output) = knobs.run();
        prop_assert_eq!(output.weeks.len() as u32, output.horizon_weeks);
        let total_helps: u64 = output.weeks.iter().map(|week| u64::from(week.helps_started)).sum();
        let episodes_helped = output
            .episodes
            .iter()
            .filter(|episode| episode.help_start_week.is_some())
            .count() as u64;
        prop_assert_eq!(total_helps, episodes_helped);
        for (index, week) in output.weeks.iter().enumerate() {
            let w = index as u32;
            prop_assert_eq!(week.week, w);
            let started_now = output
                .episodes
                .iter()
                .filter(|episode| episode.help_start_week == Some(w))
                .count() as u32;
            prop_assert_eq!(week.helps_started, started_now, "week {}", w);

            let recognised_open = count_open(&output, w, |episode| {
                episode.recognised_week.is_some_and(|r| r <= w)
            });
            let never_helped = count_open(&output, w, |episode| {
                episode.recognised_week.is_some_and(|r| r <= w)
                    && episode.help_start_week.is_none_or(|h| h > w)
            });
            let begun_open = count_open(&output, w, |episode| episode.onset_week <= w);
            prop_assert!(
                week.waiting_for_help <= recognised_open,
                "week {w}: {} waiting for help, {recognised_open} recognised and open",
                week.waiting_for_help
            );
            prop_assert!(
                week.waiting_for_help >= never_helped,
                "week {w}: {} waiting for help, {never_helped} recognised, open, never helped",
                week.waiting_for_help
            );
            prop_assert!(
                recognised_open - week.waiting_for_help <= week.open_cases,
                "week {w}: {} helped now but {} open cases",
                recognised_open - week.waiting_for_help,
                week.open_cases
            );
            prop_assert!(week.waiting_for_assessment <= week.open_cases, "week {w}: {week:?}");
            prop_assert!(week.open_cases <= recognised_open, "week {w}: {week:?}");
            // Unmet need counts every open, unhelped episode above the floor, recognised or not
            // (record.rs), so the bound is episodes begun by this week.
            prop_assert!(week.unmet_child_weeks <= begun_open, "week {w}: {week:?}");
            prop_assert!(
                week.unmet_below_threshold_child_weeks <= week.unmet_child_weeks,
                "week {w}: {week:?}"
            );
        }
    }

    /// Staffing, forum and relationship counters are in range every week.
    /// - Posts are filled or vacant; without events that add or remove posts, and without a core
    ///   group (which creates pooled posts), their number never changes.
    /// - A leaver's post is vacant at the end of the week they left (vacancies last at least a
    ///   week; a restructure's for exactly one), except a withdrawn minder's, which is removed.
    /// - Social workers are a part of the staff; social-worker leavers a part of the leavers.
    /// - Forums meet in term time only, at most once a week per patch, discuss cases only when
    ///   they meet, and actions lapse only at a meeting; an ad hoc patch without a
    ///   forum-starting event never meets.
    /// - Mean tie strength is in 0..=1; hours and lost tie strength are finite and not negative;
    ///   the social-worker caseload is not negative (NaN only with no social worker in post).
    #[test]
    fn weekly_counters_are_in_range(knobs in knobs()) {
        let (_, output) = knobs.run();
        let event = knobs.event_kind();
        let posts_fixed = !knobs.core_group && !event.is_some_and(TimelineEvent::changes_posts);
        let never_meets = knobs.mode == "adhoc" && event != Some(TimelineEvent::TeamStarted);
        let minder_withdrawn_week = match knobs.event {
            Some((TimelineEvent::MinderWithdrawn, week)) => Some(week),
            _ => None,
        };
        let first_posts = output.weeks[0].posts;
        prop_assert!(first_posts > 0);
        for week in &output.weeks {
            let w = week.week;
            prop_assert_eq!(week.staff_in_post + week.vacancies, week.posts, "week {}", w);
            if posts_fixed {
                prop_assert_eq!(week.posts, first_posts, "week {}", w);
            }
            if minder_withdrawn_week != Some(w) {
                prop_assert!(week.vacancies >= week.leavers, "week {w}: {week:?}");
            }
            prop_assert!(week.social_workers_in_post <= week.staff_in_post, "week {w}: {week:?}");
            // A cut post is not a leaver (regression: seed 18741 with a social-worker post cut).
            prop_assert!(week.social_worker_leavers <= week.leavers, "week {w}: {week:?}");

            prop_assert!(week.meetings <= knobs.copies, "week {w}: {week:?}");
            if !is_term_week(w) || never_meets {
                prop_assert_eq!(week.meetings, 0, "week {}", w);
            }
            if week.cases_discussed > 0 {
                prop_assert!(week.meetings > 0, "week {w}: {week:?}");
            }
            if week.actions_lapsed > 0 {
                prop_assert!(week.meetings > 0, "week {w}: {week:?}");
            }

            prop_assert!((0.0..=1.0).contains(&week.mean_tie_strength), "week {w}: {week:?}");
            for hours in [
                week.coordination_hours,
                week.assessment_hours,
                week.help_hours,
                week.ties_lost,
            ] {
                prop_assert!(hours.is_finite() && hours >= 0.0, "week {w}: {week:?}");
            }
            prop_assert!(
                week.social_worker_caseload >= 0.0
                    || week.social_worker_caseload.is_nan() && week.social_workers_in_post == 0,
                "week {w}: {week:?}"
            );
        }
    }

    /// Referral and assessment records lie within the run, in time order per locality (they
    /// are appended as the weeks go by); a completed assessment took at most the working days
    /// left between its request and the end of the run (it completes in the services step of a
    /// week w < horizon on a day no later than the last of w, and counts days from the first day
    /// of the request week: `working_days ≤ (horizon − requested_week) × 5`).
    #[test]
    fn referral_and_assessment_records_are_in_range(knobs in knobs()) {
        let (_, output) = knobs.run();
        let horizon = output.horizon_weeks;
        let mut last_referral_week: BTreeMap<u32, u32> = BTreeMap::new();
        for referral in &output.referrals {
            prop_assert!(referral.week < horizon, "{referral:?}");
            prop_assert!(referral.locality < knobs.copies, "{referral:?}");
            let last = last_referral_week.entry(referral.locality).or_insert(0);
            prop_assert!(referral.week >= *last, "referrals out of order: {referral:?}");
            *last = referral.week;
        }
        for assessment in &output.assessments {
            prop_assert!(assessment.requested_week < horizon, "{assessment:?}");
            prop_assert!(assessment.locality < knobs.copies, "{assessment:?}");
            if let Some(working_days) = assessment.working_days {
                let bound = (horizon - assessment.requested_week) * WORKING_DAYS_PER_WEEK;
                prop_assert!(working_days <= bound, "{assessment:?} in a run of {horizon} weeks");
            }
        }
    }

    /// A school's referral to social care still recorded as `Open` at the end of the run
    /// ("still open at the horizon", record.rs) must belong to a safeguarding episode (schools
    /// refer only safeguarding concerns to social care) that was recognised by the week of the
    /// referral and is still open at the horizon; an episode holds at most one social-care
    /// involvement at a time. So for every week r, the open school referrals made by r are no
    /// more than the open safeguarding episodes recognised by r.
    #[test]
    fn open_school_referrals_belong_to_open_episodes(knobs in knobs()) {
        let (_, output) = knobs.run();
        let open_referral_weeks: Vec<u32> = output
            .referrals
            .iter()
            .filter(|referral| {
                referral.source == ReferralSource::School
                    && referral.outcome == ReferralOutcome::Open
            })
            .map(|referral| referral.week)
            .collect();
        let open_episode_recognised_weeks: Vec<u32> = output
            .episodes
            .iter()
            .filter(|episode| episode.closed_week.is_none() && episode.domains & SAFEGUARDING != 0)
            .filter_map(|episode| episode.recognised_week)
            .collect();
        for r in 0..output.horizon_weeks {
            let referrals = open_referral_weeks.iter().filter(|&&week| week <= r).count();
            let episodes = open_episode_recognised_weeks
                .iter()
                .filter(|&&week| week <= r)
                .count();
            // An episode that closes closes its undecided referrals (regression: seed 17).
            prop_assert!(
                referrals <= episodes,
                "by week {r}: {referrals} school referrals made and still open at the horizon, \
                 but only {episodes} safeguarding episodes recognised and still open"
            );
        }
    }
}
