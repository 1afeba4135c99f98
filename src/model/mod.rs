//! The model: a pure, infallible weekly simulation of one scenario.
//!
//! `simulate(params, seed)` builds each locality (patch), steps it week by week in the fixed order
//! of docs/model.md section 3 and merges what the patches recorded into one `RunOutput`. No I/O, no
//! threads, no global state; every random draw comes from a named stream of the run's seed.

pub mod params;
mod patch;
mod pathway;
pub mod record;
pub mod rng;
mod services;
mod state;
mod workforce;

pub use params::*;
pub use record::*;

use patch::Patch;
use state::NONE;

/// Runs one replicate of a scenario from its run seed.
pub fn simulate(params: &Params, seed: u64) -> RunOutput {
    let mut sim = Simulation::new(params, seed);
    while sim.step() {}
    sim.finish()
}

/// A run in progress: every patch of the scenario, stepped together week by week. `simulate` is
/// the usual way in; this type lets a caller (a benchmark, a narrated demo) step one week at a time.
pub struct Simulation<'p> {
    params: &'p Params,
    patches: Vec<Patch<'p>>,
    week: u32,
}

impl<'p> Simulation<'p> {
    /// Builds every locality (each copy of a locality is its own patch with its own streams).
    pub fn new(params: &'p Params, seed: u64) -> Simulation<'p> {
        let mut patches = Vec::new();
        for (locality_idx, locality) in params.localities.iter().enumerate() {
            for _ in 0..locality.count {
                let instance = patches.len() as u32;
                patches.push(Patch::new(
                    params,
                    locality,
                    locality_idx as u32,
                    instance,
                    seed,
                ));
            }
        }
        Simulation {
            params,
            patches,
            week: 0,
        }
    }

    /// Like `new`, keeping a story of what happens week by week (`RunOutput::story`) for a
    /// narrated demo. The run itself is the same: narration draws no random numbers.
    pub fn narrated(params: &'p Params, seed: u64) -> Simulation<'p> {
        let mut sim = Simulation::new(params, seed);
        for patch in &mut sim.patches {
            patch.narrate = true;
        }
        sim
    }

    /// Like `new`, recording the first patch's professional network (`RunOutput::network`) at the
    /// end of each of `weeks` (weeks outside the horizon are ignored). The run itself is the same:
    /// recording draws no random numbers.
    pub fn with_network_weeks(params: &'p Params, seed: u64, weeks: &[u32]) -> Simulation<'p> {
        let mut sim = Simulation::new(params, seed);
        let mut weeks = weeks.to_vec();
        weeks.sort_unstable();
        weeks.dedup();
        if let Some(first) = sim.patches.first_mut() {
            first.network_weeks = weeks;
        }
        sim
    }

    /// What has happened so far in a narrated run, in order.
    pub fn story(&self) -> Vec<&Happening> {
        let mut story: Vec<&Happening> = self.patches.iter().flat_map(|p| p.story.iter()).collect();
        story.sort_by_key(|h| h.week);
        story
    }

    /// This week's counters so far (the last completed week), summed over patches.
    pub fn waiting_for_help(&self) -> u32 {
        self.patches
            .iter()
            .filter_map(|p| p.weeks.last())
            .map(|w| w.waiting_for_help)
            .sum()
    }

    /// The next week to run.
    pub fn week(&self) -> u32 {
        self.week
    }

    /// Runs one week in every patch; false once the horizon is reached.
    pub fn step(&mut self) -> bool {
        if self.week >= self.params.horizon_weeks {
            return false;
        }
        for patch in &mut self.patches {
            patch.step(self.week);
        }
        self.week += 1;
        true
    }

    /// Merges what the patches recorded into one run output.
    pub fn finish(self) -> RunOutput {
        let params = self.params;
        let mut out = RunOutput {
            pupils: 0,
            horizon_weeks: params.horizon_weeks,
            warmup_weeks: params.warmup_weeks,
            action_window_weeks: params.action_window_weeks,
            weeks: Vec::new(),
            episodes: Vec::new(),
            referrals: Vec::new(),
            assessments: Vec::new(),
            events: Vec::new(),
            story: Vec::new(),
            network: Vec::new(),
        };
        let mut sums = vec![state::WeekSums::default(); self.week as usize];
        for mut patch in self.patches {
            out.pupils += patch.pupils;
            for (total, week) in sums.iter_mut().zip(&patch.weeks) {
                add_sums(total, week);
            }
            collect_episodes(&patch, &mut out);
            out.referrals.append(&mut patch.referrals);
            out.assessments.append(&mut patch.assessments);
            out.events.append(&mut patch.event_log);
            out.story.append(&mut patch.story);
            if patch.instance == 0 {
                out.network.append(&mut patch.network);
            }
        }
        out.story.sort_by_key(|h| h.week);
        out.weeks = sums
            .iter()
            .enumerate()
            .map(|(week, s)| WeekRecord {
                week: week as u32,
                term_week: crate::calendar::is_term_week(week as u32),
                open_cases: s.open_cases,
                waiting_for_help: s.waiting_for_help,
                waiting_for_assessment: s.waiting_for_assessment,
                mean_tie_strength: if s.tie_pairs > 0.0 {
                    s.tie_sum / s.tie_pairs
                } else {
                    0.0
                },
                staff_in_post: s.staff_in_post,
                vacancies: s.vacancies,
                cases_discussed: s.cases_discussed,
                actions_lapsed: s.actions_lapsed,
                meetings: s.meetings,
                helps_started: s.helps_started,
                unmet_child_weeks: s.unmet_child_weeks,
                unmet_below_threshold_child_weeks: s.unmet_below_threshold_child_weeks,
                coordination_hours: s.coordination_hours,
                assessment_hours: s.assessment_hours,
                help_hours: s.help_hours,
                leavers: s.leavers,
                social_worker_leavers: s.social_worker_leavers,
                social_workers_in_post: s.social_workers_in_post,
                social_worker_vacancies: s.social_worker_vacancies,
                social_worker_locums: s.social_worker_locums,
                posts: s.staff_in_post + s.vacancies,
                social_worker_caseload: if s.social_worker_fte > 0.0 {
                    s.social_care_cases / s.social_worker_fte
                } else {
                    f64::NAN
                },
                ties_lost: s.ties_lost,
                withdrawn: s.withdrawn,
                recent_contact_share: if s.tie_pairs > 0.0 {
                    s.recent_contact_pairs / s.tie_pairs
                } else {
                    0.0
                },
                mean_knowledge: if s.knowledge_staff > 0 {
                    s.knowledge_sum / f64::from(s.knowledge_staff)
                } else {
                    0.0
                },
            })
            .collect();
        out
    }
}

fn add_sums(total: &mut state::WeekSums, w: &state::WeekSums) {
    total.open_cases += w.open_cases;
    total.waiting_for_help += w.waiting_for_help;
    total.waiting_for_assessment += w.waiting_for_assessment;
    total.tie_sum += w.tie_sum;
    total.tie_pairs += w.tie_pairs;
    total.staff_in_post += w.staff_in_post;
    total.vacancies += w.vacancies;
    total.cases_discussed += w.cases_discussed;
    total.actions_lapsed += w.actions_lapsed;
    total.meetings += w.meetings;
    total.helps_started += w.helps_started;
    total.unmet_child_weeks += w.unmet_child_weeks;
    total.unmet_below_threshold_child_weeks += w.unmet_below_threshold_child_weeks;
    total.coordination_hours += w.coordination_hours;
    total.assessment_hours += w.assessment_hours;
    total.help_hours += w.help_hours;
    total.leavers += w.leavers;
    total.social_worker_leavers += w.social_worker_leavers;
    total.social_workers_in_post += w.social_workers_in_post;
    total.social_worker_vacancies += w.social_worker_vacancies;
    total.social_worker_locums += w.social_worker_locums;
    total.social_care_cases += w.social_care_cases;
    total.social_worker_fte += w.social_worker_fte;
    total.ties_lost += w.ties_lost;
    total.withdrawn += w.withdrawn;
    total.recent_contact_pairs += w.recent_contact_pairs;
    total.knowledge_sum += w.knowledge_sum;
    total.knowledge_staff += w.knowledge_staff;
}

fn collect_episodes(patch: &Patch, out: &mut RunOutput) {
    let some = |w: u32| if w == NONE { None } else { Some(w) };
    for ep in &patch.episodes {
        if ep.outside() {
            continue;
        }
        out.episodes.push(EpisodeRecord {
            locality: patch.instance,
            child: ep.child,
            domains: ep.domains,
            onset_week: ep.onset_week,
            recognised_week: some(ep.recognised_week),
            help_start_week: some(ep.help_start_week),
            closed_week: some(ep.closed_week),
            assessments: ep.assessments,
            worker_changes: ep.worker_changes,
            escalations: ep.escalations,
            urgent_at_recognition: ep.urgent_at_recognition,
            serious: ep.serious,
        });
    }
}
