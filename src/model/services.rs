//! Need and the services' side of it: onset, outside demand, severity, screening, the assessment
//! queues, assessment and help (docs/model.md section 3).

use rand::Rng;
use rand_distr::{Beta, Distribution, Poisson, StandardNormal};

use super::params::{Domain, Role};
use super::patch::Patch;
use super::record::{AssessmentRecord, ReferralOutcome, ReferralRecord, ReferralSource, What};
use super::state::*;

/// Draws from a beta distribution given its mean and concentration.
fn beta_draw(rng: &mut impl Rng, mean: f64, concentration: f64) -> f64 {
    let mean = mean.clamp(0.001, 0.999);
    let conc = concentration.max(0.01);
    Beta::new(mean * conc, (1.0 - mean) * conc)
        .map(|b| b.sample(rng))
        .unwrap_or(mean)
}

impl Patch<'_> {
    /// Step 1: children whose onset falls this week start an episode of need.
    pub fn onset(&mut self, week: u32) {
        let due = std::mem::take(&mut self.onset_due[week as usize]);
        for child in due {
            if self.children[child as usize].episode != NONE {
                continue;
            }
            let d = &self.p.demand;
            let mut domains = 0u8;
            for domain in Domain::ALL {
                if self.rng.onset.random::<f64>() < d.domain_probability[domain.idx()] {
                    domains |= domain.bit();
                }
            }
            if domains == 0 {
                // At least one domain, drawn in proportion to the probabilities.
                let total: f64 = d.domain_probability.iter().sum();
                let mut u = self.rng.onset.random::<f64>() * total;
                let mut pick = Domain::Learning;
                for domain in Domain::ALL {
                    u -= d.domain_probability[domain.idx()];
                    if u <= 0.0 {
                        pick = domain;
                        break;
                    }
                }
                domains = pick.bit();
            }
            let severity = beta_draw(
                &mut self.rng.severity,
                d.severity_mean,
                d.severity_concentration,
            );
            let self_resolve = self.p.severity.self_resolve_per_week;
            let wait = if self_resolve > 0.0 {
                let u: f64 = self.rng.severity.random();
                ((1.0 - u).ln() / (1.0 - self_resolve.min(0.999)).ln())
                    .floor()
                    .min(1.0e6) as u32
            } else {
                u32::MAX
            };
            let (acquaintance, key_adult_start) = self.acquaintance_at_onset(child, week);
            let c = &self.children[child as usize];
            let episode = Episode {
                child,
                school: c.school,
                domains,
                severity,
                vulnerability: c.vulnerability,
                acquaintance,
                key_adult_start,
                state: EpisodeState::Unrecognised,
                onset_week: week,
                recognised_week: NONE,
                help_start_week: NONE,
                closed_week: NONE,
                self_resolve_week: week.saturating_add(wait.max(1)),
                returned_week: NONE,
                returned_severity: 0.0,
                involvements: Vec::new(),
                action: None,
                assessments: 0,
                worker_changes: 0,
                escalations: 0,
                urgent_at_recognition: false,
                serious: domains & Domain::Safeguarding.bit() != 0
                    && severity >= self.thresholds[Role::SocialWorker.idx()],
                outside_help_weeks: 0,
            };
            let idx = self.episodes.len() as u32;
            self.episodes.push(episode);
            self.unrecognised.push(idx);
            self.children[child as usize].episode = idx;
        }
    }

    /// How well a child's key adult knows the child at the onset of a need, and the key adult's
    /// `start_week`. Conversations come in term weeks with the unit's `contact_chance`, each
    /// bringing acquaintance to 1, which fades by `forget_per_week` each term week without one;
    /// the term weeks since the last conversation are therefore geometric, drawn here rather than
    /// simulated for every pupil every week (the process is memoryless). A conversation before
    /// the key adult's holder started, or a vacant post, leaves nothing known.
    pub fn acquaintance_at_onset(&mut self, child: u32, week: u32) -> (f64, i64) {
        let rp = &self.p.recognition;
        let q = self.contact_chance(child);
        let since = if q >= 1.0 {
            0
        } else if q <= 0.0 {
            u32::MAX
        } else {
            let u: f64 = self.rng.contact.random();
            ((1.0 - u).ln() / (1.0 - q).ln()).floor().min(1.0e6) as u32
        };
        let (present, start) = self.key_adult_holder(child);
        // The holder has talked with the child only in the term weeks since starting.
        let tenure = u32::try_from(start).map_or(u32::MAX, |start| {
            crate::calendar::term_weeks_between(start, week + 1)
        });
        let acquaintance = if present && since < tenure {
            (1.0 - rp.forget_per_week).powf(f64::from(since))
        } else {
            0.0
        };
        (acquaintance, start)
    }

    /// Step 1 (outside schools): referrals to social care from police, health and families.
    pub fn outside_demand(&mut self, week: u32) {
        let d = &self.p.demand;
        let mean = d.external_referrals_per_10k_year * f64::from(self.pupils) / 10_000.0 / 52.0;
        if mean <= 0.0 {
            return;
        }
        let n = Poisson::new(mean)
            .map(|p| p.sample(&mut self.rng.outside))
            .unwrap_or(0.0) as u32;
        for _ in 0..n {
            let severity = beta_draw(
                &mut self.rng.outside,
                d.external_severity_mean,
                d.external_severity_concentration,
            );
            let team = self.rng.outside.random_range(0..self.social_care_teams);
            let idx = self.episodes.len() as u32;
            self.episodes.push(Episode {
                child: NONE,
                school: NONE,
                domains: Domain::Safeguarding.bit(),
                severity,
                vulnerability: 1.0,
                acquaintance: 0.0,
                key_adult_start: 0,
                state: EpisodeState::Waiting,
                onset_week: week,
                recognised_week: week,
                help_start_week: NONE,
                closed_week: NONE,
                self_resolve_week: u32::MAX,
                returned_week: NONE,
                returned_severity: 0.0,
                involvements: Vec::new(),
                action: None,
                assessments: 0,
                worker_changes: 0,
                escalations: 0,
                urgent_at_recognition: false,
                serious: false,
                outside_help_weeks: d.external_case_weeks.round().max(1.0) as u32,
            });
            self.activate(idx);
            self.refer(
                idx,
                Role::SocialWorker,
                team,
                1.0,
                week,
                ReferralSource::Outside,
            );
            if self.episodes[idx as usize].involvements.is_empty() {
                self.close_episode(idx, week);
            }
        }
    }

    /// Steps 2 and 3, episode by episode: unaddressed needs escalate, helped ones recover, some
    /// resolve on their own; then school staff may notice the ones nobody has noticed yet. (Done
    /// in one pass: an episode's recognition depends on its own severity only.)
    pub fn severity_and_recognition(&mut self, week: u32, term: bool) {
        let mut closing = std::mem::take(&mut self.scratch.closing);
        closing.clear();
        let active_school = std::mem::take(&mut self.active_school);
        for &e in &active_school {
            if self.update_severity(e, week) {
                closing.push(e);
            }
        }
        self.active_school = active_school;
        let mut expertise = std::mem::take(&mut self.scratch.expertise);
        self.school_expertise(week, &mut expertise);
        let unrecognised = std::mem::take(&mut self.unrecognised);
        let mut still = std::mem::take(&mut self.scratch.unrecognised);
        still.clear();
        for &e in &unrecognised {
            if self.update_severity(e, week) {
                closing.push(e);
            } else if self.recognise(e, week, term, &expertise) {
                self.activate(e);
            } else {
                still.push(e);
            }
        }
        self.unrecognised = still;
        self.scratch.unrecognised = unrecognised;
        self.scratch.expertise = expertise;
        for &e in &closing {
            self.close_episode(e, week);
        }
        self.scratch.closing = closing;
    }

    /// One week of an episode's severity; true if it ends this week (recovered, or resolved on
    /// its own). Counts unmet need and escalations across the social-care threshold.
    fn update_severity(&mut self, e: u32, week: u32) -> bool {
        let sp = &self.p.severity;
        let threshold = self.thresholds[Role::SocialWorker.idx()];
        let ep = &mut self.episodes[e as usize];
        let helped = ep.involvements.iter().any(|i| i.stage == Stage::Helping);
        let before = ep.severity;
        if helped {
            ep.severity = (ep.severity - sp.recovery_per_week).max(0.0);
            if ep.severity < sp.close_below {
                return true;
            }
        } else {
            ep.severity = (ep.severity + sp.escalation_per_week * ep.vulnerability).min(1.0);
            let recognised = ep.state != EpisodeState::Unrecognised;
            let level = sp.escalation_level;
            if recognised && !helped && before < level && ep.severity >= level {
                ep.escalations += 1;
            }
            if week >= ep.self_resolve_week {
                return true;
            }
        }
        if ep.has(Domain::Safeguarding) && ep.severity >= threshold {
            ep.serious = true;
        }
        if !helped && ep.severity >= sp.unmet_floor {
            self.now.unmet_child_weeks += 1;
            if ep.severity < threshold {
                self.now.unmet_below_threshold_child_weeks += 1;
            }
        }
        false
    }

    /// Makes a referral of episode `e` to the service `role` (team `team`) and screens it at once.
    /// `quality` 0..1 is how well the referral reads (referrer's knowledge and tie to the service).
    pub fn refer(
        &mut self,
        e: u32,
        role: Role,
        team: u32,
        quality: f64,
        week: u32,
        source: ReferralSource,
    ) {
        let ap = &self.p.assessment;
        let noise =
            ap.screening_noise + (1.0 - quality.clamp(0.0, 1.0)) * ap.referral_quality_noise;
        let z: f64 = StandardNormal.sample(&mut self.rng.pathway);
        let ep = &self.episodes[e as usize];
        let read = ep.severity + noise * z;
        // The service screens against its threshold as pressure has raised it; whether the need
        // is serious is judged against the fixed, set threshold.
        let gate = self.gate(role, team);
        let threshold = self.thresholds[role.idx()];
        let social_care = role == Role::SocialWorker;
        let mut referral = NONE;
        if social_care {
            let mut rereferral = false;
            if ep.child != NONE {
                let child = &mut self.children[ep.child as usize];
                rereferral = child.last_social_care_referral != NONE
                    && week - child.last_social_care_referral <= 52;
                child.last_social_care_referral = week;
            }
            referral = self.referrals.len() as u32;
            self.referrals.push(ReferralRecord {
                locality: self.instance,
                week,
                source,
                outcome: ReferralOutcome::Open,
                rereferral,
                serious: ep.has(Domain::Safeguarding) && ep.severity >= threshold,
            });
        }
        let poorly_made = source == ReferralSource::School
            && self.rng.pathway.random::<f64>()
                < (1.0 - quality.clamp(0.0, 1.0)) * ap.poor_quality_rejection;
        if read < gate - ap.screen_margin || poorly_made {
            if referral != NONE {
                self.referrals[referral as usize].outcome = ReferralOutcome::NoFurtherAction;
            }
            self.turned_down(e, role, week, false);
            return;
        }
        let domains = if role == Role::SocialWorker {
            Domain::Safeguarding.bit() | (ep.domains & Domain::Family.bit())
        } else {
            ep.domains & role_domains(role)
        };
        let ep = &mut self.episodes[e as usize];
        ep.involvements.push(Involvement {
            role,
            team,
            stage: Stage::Queued { resume_days: 0 },
            worker: NONE,
            preferred: NONE,
            informed: 0.0,
            requested_week: week,
            assessment: NONE,
            referral,
            domains: if domains == 0 { ep.domains } else { domains },
        });
        ep.state = EpisodeState::Engaged;
    }

    /// A service turned a school's need down (at the door or after assessment): step-down to early
    /// help for some of social care's, otherwise back to school to wait.
    pub fn turned_down(&mut self, e: u32, role: Role, week: u32, assessed: bool) {
        let ep = &self.episodes[e as usize];
        if ep.outside() {
            return;
        }
        let (school, child) = (ep.school, ep.child);
        self.tell(week, || What::Rejected {
            school,
            child,
            role,
            assessed,
        });
        let ep = &self.episodes[e as usize];
        if role == Role::SocialWorker
            && !ep.involves(Role::EarlyHelp)
            && self.rng.pathway.random::<f64>() < self.p.coordination.step_down_share
        {
            let team = self.team_for(ep.school, Role::EarlyHelp);
            self.refer(e, Role::EarlyHelp, team, 1.0, week, ReferralSource::School);
            if self.episodes[e as usize].state == EpisodeState::Engaged {
                return;
            }
        }
        self.return_to_school(e, week);
    }

    /// The episode has no agency involved any more: it waits in school for another try.
    pub fn return_to_school(&mut self, e: u32, week: u32) {
        let ep = &mut self.episodes[e as usize];
        if !ep.involvements.is_empty() {
            return;
        }
        ep.state = EpisodeState::Waiting;
        ep.returned_week = week;
        ep.returned_severity = ep.severity;
        ep.action = None;
    }

    /// Steps 5 and 6: assessments complete, help is given, queues are served. One pass over the
    /// open episodes does each episode's assessments and help, notes its queued work and drops
    /// it from `active` (and `active_school`) if it has closed; then the queues are served.
    pub fn services(&mut self, week: u32) {
        let mut active = std::mem::take(&mut self.active);
        let mut active_school = std::mem::take(&mut self.active_school);
        active_school.clear();
        let mut queue = std::mem::take(&mut self.scratch.queue);
        queue.clear();
        let mut case_counts = CaseCounts::default();
        let sc_threshold = self.thresholds[Role::SocialWorker.idx()];
        let mut still_open = 0;
        for i in 0..active.len() {
            let e = active[i];
            self.assess_and_help(e, week);
            self.disengage(e, week);
            let ep = &self.episodes[e as usize];
            if ep.state == EpisodeState::Closed {
                continue; // leaves `active` (serving the queues would not reopen it)
            }
            // Nothing done for a later episode changes this one, so its queued work can be noted
            // now rather than in a second pass.
            for (k, inv) in ep.involvements.iter().enumerate() {
                if matches!(inv.stage, Stage::Queued { .. } | Stage::AwaitHelp) {
                    let urgent =
                        u32::from(ep.severity < sc_threshold || !ep.has(Domain::Safeguarding));
                    queue.push(QueueKey::new(urgent, inv.requested_week, e, k));
                }
            }
            case_counts.add(CaseCounts::of(ep));
            active[still_open] = e;
            still_open += 1;
            if !ep.outside() {
                active_school.push(e);
            }
        }
        self.case_counts = case_counts;
        active.truncate(still_open);
        active.append(&mut self.active);
        self.active = active;
        active_school.append(&mut self.active_school);
        self.active_school = active_school;
        queue.sort_unstable();
        self.serve_queues(&queue, week);
        self.scratch.queue = queue;
    }

    /// Step 5 for one episode: assessments due this week are completed; help is given, outside
    /// cases end after their weeks, and help may close early under caseload pressure.
    fn assess_and_help(&mut self, e: u32, week: u32) {
        let last_day_of_week = (week + 1) * WORKING_DAYS_PER_WEEK;
        let help = &self.p.help;
        let ep = &self.episodes[e as usize];
        if ep.state == EpisodeState::Closed
            || ep.involvements.is_empty() && ep.state != EpisodeState::Engaged
        {
            return; // nothing to complete, give or close
        }
        // Complete assessments due this week.
        let mut k = 0;
        while let Some(inv) = self.episodes[e as usize].involvements.get(k) {
            if let Stage::Assessing { done_day } = inv.stage
                && done_day <= last_day_of_week
                && !self.complete_assessment(e, k, done_day, week)
            {
                continue; // removed: the same index now holds the next involvement
            }
            k += 1;
        }
        if self.episodes[e as usize].state == EpisodeState::Closed {
            return;
        }
        // Help given this week; outside cases end after their weeks, early closure under pressure.
        let mut k = 0;
        while let Some(inv) = self.episodes[e as usize].involvements.get(k) {
            if inv.stage != Stage::Helping {
                k += 1;
                continue;
            }
            let worker = inv.worker;
            self.now.help_hours += help.hours_per_week;
            let ep = &mut self.episodes[e as usize];
            let ends = if ep.outside() {
                ep.outside_help_weeks = ep.outside_help_weeks.saturating_sub(1);
                ep.outside_help_weeks == 0
            } else {
                ep.severity < help.early_close_below
                    && f64::from(self.profs[worker as usize].cases)
                        >= help.pressure_close_share * self.capacity(worker)
            };
            if ends {
                self.release(e, k);
            } else {
                k += 1;
            }
        }
        let ep = &self.episodes[e as usize];
        if ep.state == EpisodeState::Engaged && ep.involvements.is_empty() {
            if ep.outside() {
                self.close_episode(e, week);
            } else {
                self.return_to_school(e, week);
            }
        }
    }

    /// Families waiting for a non-statutory service withdraw, or the service closes the referral,
    /// before any support, each week with probability `pressure.disengage_per_week`: the need
    /// goes back to school to wait (Children's Commissioner 2024: 39% of CAMHS referrals closed
    /// before support). Statutory social-care work is not dropped this way.
    fn disengage(&mut self, e: u32, week: u32) {
        let h = self.p.pressure.disengage_per_week;
        if h <= 0.0 || self.episodes[e as usize].state != EpisodeState::Engaged {
            return;
        }
        let mut k = 0;
        let mut dropped = false;
        while let Some(inv) = self.episodes[e as usize].involvements.get(k) {
            let waiting = matches!(inv.stage, Stage::Queued { .. } | Stage::AwaitHelp);
            if waiting && inv.role != Role::SocialWorker && self.rng.waiting.random::<f64>() < h {
                self.release(e, k);
                dropped = true;
            } else {
                k += 1;
            }
        }
        if dropped {
            self.now.withdrawn += 1;
            if self.episodes[e as usize].involvements.is_empty() {
                self.return_to_school(e, week);
            }
        }
    }

    /// Ends the involvement `k` of episode `e`, freeing its worker.
    pub fn release(&mut self, e: u32, k: usize) {
        let inv = self.episodes[e as usize].involvements.remove(k);
        if inv.worker != NONE && matches!(inv.stage, Stage::Assessing { .. } | Stage::Helping) {
            let w = &mut self.profs[inv.worker as usize];
            w.cases = w.cases.saturating_sub(1);
        }
    }

    /// Finishes an assessment. Returns false if the involvement was removed.
    fn complete_assessment(&mut self, e: u32, k: usize, done_day: u32, week: u32) -> bool {
        let inv = self.episodes[e as usize].involvements[k].clone();
        if inv.assessment != NONE {
            let rec = &mut self.assessments[inv.assessment as usize];
            rec.working_days =
                Some(done_day.saturating_sub(rec.requested_week * WORKING_DAYS_PER_WEEK));
        }
        let z: f64 = StandardNormal.sample(&mut self.rng.assessment);
        let ep = &self.episodes[e as usize];
        let read = ep.severity + self.p.assessment.screening_noise * 0.5 * z;
        let threshold = self.gate(inv.role, inv.team);
        if read >= threshold {
            if inv.referral != NONE {
                self.referrals[inv.referral as usize].outcome = ReferralOutcome::InNeed;
            }
            self.episodes[e as usize].involvements[k].stage = Stage::Helping;
            self.start_help(e, inv.worker, week);
            true
        } else {
            if inv.referral != NONE {
                self.referrals[inv.referral as usize].outcome = ReferralOutcome::NotInNeed;
            }
            self.release(e, k);
            if self.episodes[e as usize].involvements.is_empty() {
                if self.episodes[e as usize].outside() {
                    self.close_episode(e, week);
                } else {
                    self.turned_down(e, inv.role, week, true);
                }
            }
            false
        }
    }

    fn start_help(&mut self, e: u32, worker: u32, week: u32) {
        let ep = &mut self.episodes[e as usize];
        ep.action = None;
        let (school, child, first) = (ep.school, ep.child, ep.help_start_week == NONE);
        if first {
            ep.help_start_week = week;
        }
        if first && !ep.outside() {
            self.now.helps_started += 1;
            let waited = week - ep.recognised_week;
            let role = self.profs[worker as usize].role;
            self.tell(week, || What::HelpStarted {
                school,
                child,
                role,
                weeks_waited: waited,
            });
        }
        if school != NONE {
            let senco = self.schools[school as usize].senco;
            if senco != NONE && self.profs[senco as usize].active() {
                self.ties
                    .strengthen(senco, worker, self.p.ties.shared_case_gain);
            }
        }
    }

    /// The free worker of a service with the most spare capacity, if any.
    pub fn free_worker(&self, role: Role, team: u32, exclude: u32) -> Option<u32> {
        let mut best = None;
        let mut best_spare = 0.0;
        for (idx, prof) in self.serving(role, team) {
            if idx == exclude {
                continue;
            }
            let spare = super::patch::capacity_of(self.p, prof) - f64::from(prof.cases);
            if spare >= 1.0 - 1e-9 && spare > best_spare {
                best = Some(idx);
                best_spare = spare;
            }
        }
        best
    }

    /// Working days an assessment by `worker` of episode `e` takes.
    fn assessment_days(
        &mut self,
        e: u32,
        worker: u32,
        domains: u8,
        informed: f64,
        week: u32,
    ) -> u32 {
        let ap = &self.p.assessment;
        let ep = &self.episodes[e as usize];
        // Information is held by the school and by the services of the episode's other domains:
        // the assessor's ties to them (their best tie to each) speed the work.
        let familiar_tie = if ep.school != NONE {
            let worker_role = self.profs[worker as usize].role;
            let senco = self.schools[ep.school as usize].senco;
            let mut sum = if senco != NONE {
                self.ties.get(worker, senco)
            } else {
                0.0
            };
            let mut n = 1.0;
            let worker_ties = self.ties.row(worker);
            for domain in Domain::ALL {
                let role = domain.service_role();
                if ep.has(domain) && role != worker_role {
                    let best = self
                        .profs
                        .iter()
                        .zip(worker_ties)
                        .filter(|(prof, _)| prof.role == role && prof.active())
                        .map(|(_, &tie)| f64::from(tie))
                        .fold(0.0, f64::max);
                    sum += best;
                    n += 1.0;
                }
            }
            sum / n
        } else {
            0.5
        };
        // What a forum's discussion gathered counts as known already: the unfamiliar share of the
        // work shrinks by the share of the episode's domains whose services were at the table.
        let familiarity = 1.0
            - (1.0 - (0.5 * self.knowledge(worker, week) + 0.5 * familiar_tie))
                * (1.0 - informed.clamp(0.0, 1.0));
        let z: f64 = StandardNormal.sample(&mut self.rng.assessment);
        let extra = f64::from(domains.count_ones().saturating_sub(1)) * ap.shared_extra_per_domain;
        let days = ap.base_working_days
            * (ap.duration_sigma * z).exp()
            * (1.0 + ap.unfamiliar_slowdown * (1.0 - familiarity))
            * (1.0 + extra * 0.5);
        days.round().max(1.0) as u32
    }

    /// Counts an assessment of involvement `k` of episode `e`, books its hours and opens its record.
    fn book_assessment(&mut self, e: u32, k: usize, working_days: Option<u32>) {
        let inv = &self.episodes[e as usize].involvements[k];
        let (role, domains, requested_week) = (inv.role, inv.domains, inv.requested_week);
        self.episodes[e as usize].assessments += 1;
        self.now.assessment_hours += self.p.assessment.hours
            * (1.0
                + f64::from(domains.count_ones().saturating_sub(1))
                    * self.p.assessment.shared_extra_per_domain);
        self.episodes[e as usize].involvements[k].assessment = self.assessments.len() as u32;
        self.assessments.push(AssessmentRecord {
            locality: self.instance,
            requested_week,
            working_days,
            social_care: role == Role::SocialWorker,
        });
    }

    /// Gives queued work (`queue`, in order) to workers with capacity.
    fn serve_queues(&mut self, queue: &[QueueKey], week: u32) {
        // Capacity only falls while the queues are served: a service found full stays full.
        let mut full = std::mem::take(&mut self.scratch.full);
        full.clear();
        let stride = self.team_stride as usize;
        let mut waiting = std::mem::take(&mut self.pressure);
        waiting.iter_mut().for_each(|w| *w = 0.0);
        for &key in queue {
            let (e, k) = key.involvement();
            let inv = self.episodes[e as usize].involvements[k].clone();
            let slot = inv.role.idx() * stride + inv.team as usize;
            if inv.preferred == NONE && full.contains(&(inv.role, inv.team)) {
                waiting[slot] += 1.0;
                continue;
            }
            let preferred = inv.preferred != NONE
                && self.profs[inv.preferred as usize].active()
                && self.serves(inv.preferred, inv.role, inv.team)
                && self.capacity(inv.preferred)
                    - f64::from(self.profs[inv.preferred as usize].cases)
                    >= 1.0 - 1e-9;
            let chosen = if preferred {
                Some(inv.preferred)
            } else {
                self.free_worker(inv.role, inv.team, NONE)
            };
            let Some(worker) = chosen else {
                full.push((inv.role, inv.team));
                waiting[slot] += 1.0;
                continue;
            };
            self.profs[worker as usize].cases += 1;
            let before = CaseCounts::of(&self.episodes[e as usize]);
            match inv.stage {
                Stage::AwaitHelp => {
                    let ep = &mut self.episodes[e as usize];
                    ep.involvements[k].worker = worker;
                    ep.involvements[k].stage = Stage::Helping;
                    self.start_help(e, worker, week);
                }
                Stage::Queued { resume_days }
                    if inv.role != Role::SocialWorker
                        && inv.informed >= 1.0
                        && resume_days == 0 =>
                {
                    // Every service the need concerns was at the table that allocated it: the
                    // plan made there together is the shared (early help) assessment, done once
                    // with the team around the child, and help starts when a worker picks it up.
                    // A statutory social-care assessment is never replaced this way.
                    self.book_assessment(
                        e,
                        k,
                        Some((week - inv.requested_week) * WORKING_DAYS_PER_WEEK),
                    );
                    let inv = &mut self.episodes[e as usize].involvements[k];
                    inv.worker = worker;
                    inv.stage = Stage::Helping;
                    self.start_help(e, worker, week);
                }
                Stage::Queued { resume_days } => {
                    let days = if resume_days > 0 {
                        resume_days
                    } else {
                        self.book_assessment(e, k, None);
                        self.assessment_days(e, worker, inv.domains, inv.informed, week)
                    };
                    let inv = &mut self.episodes[e as usize].involvements[k];
                    inv.worker = worker;
                    inv.stage = Stage::Assessing {
                        done_day: week * WORKING_DAYS_PER_WEEK + days,
                    };
                }
                _ => {}
            }
            let after = CaseCounts::of(&self.episodes[e as usize]);
            self.case_counts.update(before, after);
        }
        self.scratch.full = full;
        // Pressure: each service's waiting list against its capacity in cases.
        for role in Role::ALL {
            for team in 0..stride {
                let slot = role.idx() * stride + team;
                if waiting[slot] == 0.0 {
                    continue;
                }
                let capacity: f64 = self
                    .serving(role, team as u32)
                    .map(|(idx, _)| self.capacity(idx))
                    .sum();
                // With nobody in post the door is as good as shut: the highest pressure a waiting
                // list of one case can make against the smallest post.
                waiting[slot] /= capacity.max(1.0);
            }
        }
        self.pressure = waiting;
    }

    /// Closes an episode: frees its workers and books the child's next onset.
    pub fn close_episode(&mut self, e: u32, week: u32) {
        while !self.episodes[e as usize].involvements.is_empty() {
            // A referral still undecided when the need ends (it resolved on its own, or help from
            // another service ended it) is closed with no further action.
            let referral = self.episodes[e as usize].involvements[0].referral;
            if referral != NONE
                && self.referrals[referral as usize].outcome == ReferralOutcome::Open
            {
                self.referrals[referral as usize].outcome = ReferralOutcome::NoFurtherAction;
            }
            self.release(e, 0);
        }
        let ep = &mut self.episodes[e as usize];
        ep.state = EpisodeState::Closed;
        ep.closed_week = week;
        ep.action = None;
        let child = ep.child;
        if child != NONE {
            self.children[child as usize].episode = NONE;
            self.schedule_onset(child, week + 1);
        }
    }
}

/// The place of a queued involvement in `serve_queues`' order, packed into one integer so that
/// sorting compares one number: serious safeguarding first (`urgent` 0), then the week it was
/// asked for, then the episode and the involvement (which make every key distinct).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct QueueKey(u128);

impl QueueKey {
    fn new(urgent: u32, requested_week: u32, e: u32, k: usize) -> QueueKey {
        let k = u32::try_from(k).expect("an episode has few involvements");
        QueueKey(
            u128::from(urgent) << 96
                | u128::from(requested_week) << 64
                | u128::from(e) << 32
                | u128::from(k),
        )
    }

    /// The episode and the index of its involvement.
    fn involvement(self) -> (u32, usize) {
        ((self.0 >> 32) as u32, self.0 as u32 as usize)
    }
}

/// The domains a service works on.
pub fn role_domains(role: Role) -> u8 {
    Domain::ALL
        .into_iter()
        .filter(|d| d.service_role() == role)
        .fold(0, |acc, d| acc | d.bit())
}
