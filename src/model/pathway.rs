//! From a need noticed in school to an agency's door: recognition, ad hoc referral, the direct
//! SENCO–social worker line, forum meetings and the locality core group (docs/model.md
//! section 3).

use rand::Rng;
use rand::seq::SliceRandom;
use rand_distr::{Distribution, StandardNormal};

use super::params::{Domain, ForumMode, Role};
use super::patch::Patch;
use super::record::{ReferralSource, What};
use super::state::*;

impl Patch<'_> {
    /// How much each school's staff bring to noticing need: 0.5 + 0.5 × its SENCO's knowledge ×
    /// the share of the SENCO's hours that coordination leaves for advising colleagues, school by
    /// school into `expertise`.
    pub fn school_expertise(&self, week: u32, expertise: &mut Vec<f64>) {
        expertise.clear();
        expertise.extend(self.schools.iter().map(|s| {
            0.5 + 0.5
                * if s.senco != NONE {
                    self.knowledge(s.senco, week) * self.free_share(s.senco)
                } else {
                    0.0
                }
        }));
    }

    /// Step 3, before noticing: the child's key adult talks with the child this term week with
    /// the unit's `contact_chance` (acquaintance 1), or knows the child a little less
    /// (`forget_per_week`). A vacant post knows nothing; a newcomer starts from nothing.
    fn update_acquaintance(&mut self, e: u32, term: bool) {
        let ep = &self.episodes[e as usize];
        let child = ep.child;
        let (present, start) = self.key_adult_holder(child);
        let mut a = ep.acquaintance;
        if start != ep.key_adult_start || !present {
            a = 0.0;
        }
        if term && present {
            let q = self.contact_chance(child);
            a = if self.rng.contact.random::<f64>() < q {
                1.0
            } else {
                a * (1.0 - self.p.recognition.forget_per_week)
            };
        }
        let ep = &mut self.episodes[e as usize];
        ep.acquaintance = a;
        ep.key_adult_start = start;
    }

    /// Step 3 for one episode: school staff notice a need with a weekly probability rising with
    /// its severity, with how well staff know the pupil (small pastoral units) and with the
    /// school's expertise; less in the holidays. True if it is noticed now.
    pub fn recognise(&mut self, e: u32, week: u32, term: bool, expertise: &[f64]) -> bool {
        let rp = &self.p.recognition;
        let season = if term { 1.0 } else { rp.holiday_factor };
        self.update_acquaintance(e, term);
        let ep = &self.episodes[e as usize];
        let p = (rp.weekly_at_full
            * ep.severity
            * ep.acquaintance
            * expertise[ep.school as usize]
            * season)
            .clamp(0.0, 1.0);
        if self.rng.recognition.random::<f64>() >= p {
            return false;
        }
        let urgent = ep.has(Domain::Safeguarding) && ep.severity >= self.p.thresholds.urgent;
        let ep = &mut self.episodes[e as usize];
        ep.state = EpisodeState::Waiting;
        ep.recognised_week = week;
        ep.urgent_at_recognition = urgent;
        let (school, child, domains, severity) = (ep.school, ep.child, ep.domains, ep.severity);
        self.tell(week, || What::Recognised {
            school,
            child,
            domains,
            severity,
        });
        true
    }

    /// Step 4: recognised needs take the patch's pathway: urgent safeguarding straight to social
    /// care; ad hoc referral where there is no forum (or it is suspended); otherwise they wait for
    /// the next meeting, which is held here in term time.
    pub fn pathway(&mut self, week: u32, term: bool) {
        let forum = self.forum_active(week);
        let urgent_level = self.p.thresholds.urgent;
        for i in 0..self.active_school.len() {
            let e = self.active_school[i];
            let ep = &self.episodes[e as usize];
            if !matches!(ep.state, EpisodeState::Waiting | EpisodeState::Engaged) {
                continue;
            }
            if ep.has(Domain::Safeguarding)
                && ep.severity >= urgent_level
                && !ep.involves(Role::SocialWorker)
                && !ep.helped()
            {
                self.school_referral(e, Role::SocialWorker, week, 0.0);
                continue;
            }
            if ep.state != EpisodeState::Waiting
                || !self.due_for_referral(e, week)
                || forum && self.for_forum(e)
            {
                continue;
            }
            // Ad hoc: the school refers each domain to the service it thinks fits.
            let domains = self.episodes[e as usize].domains;
            for domain in Domain::ALL {
                if domains & domain.bit() == 0 {
                    continue;
                }
                let mut role = domain.service_role();
                if role == Role::SocialWorker && !self.school_reads_social_care(e, week) {
                    role = Role::EarlyHelp;
                }
                if self.episodes[e as usize].involves(role) {
                    continue;
                }
                self.school_referral(e, role, week, 0.0);
            }
        }
        if forum && term {
            let interval = self.p.coordination.meeting_interval_weeks.max(1);
            if self.forum.term_weeks_seen.is_multiple_of(interval) {
                self.meeting(week);
            }
        }
    }

    /// Whether a forum takes this episode: needs across more than one domain, or a safeguarding
    /// concern. A single, simple need the school still refers straight to its service.
    pub fn for_forum(&self, e: u32) -> bool {
        let ep = &self.episodes[e as usize];
        ep.domains.count_ones() > 1 || ep.has(Domain::Safeguarding)
    }

    /// Whether a waiting episode may be referred (or brought to the forum) now: never tried, or
    /// turned down long enough ago and worse since.
    pub fn due_for_referral(&self, e: u32, week: u32) -> bool {
        let ep = &self.episodes[e as usize];
        if ep.returned_week == NONE {
            return true;
        }
        let hp = &self.p.help;
        f64::from(week - ep.returned_week) >= hp.rereferral_wait_weeks
            && ep.severity >= ep.returned_severity + hp.rereferral_severity_rise
    }

    /// Whether the school, reading a safeguarding concern with its own error, thinks it is for
    /// social care: at or above the threshold less its caution margin.
    fn school_reads_social_care(&mut self, e: u32, week: u32) -> bool {
        let referrer = self.referrer(e);
        let knowledge = if referrer != NONE {
            self.knowledge(referrer, week)
        } else {
            0.0
        };
        let ap = &self.p.assessment;
        let noise = ap.screening_noise + ap.referral_quality_noise * (1.0 - knowledge);
        let z: f64 = StandardNormal.sample(&mut self.rng.pathway);
        let read = self.episodes[e as usize].severity + noise * z;
        read >= self.thresholds[Role::SocialWorker.idx()] - self.p.recognition.referral_caution
    }

    /// The school's referrer for episode `e`: its SENCO, or the head while the SENCO post is vacant.
    fn referrer(&self, e: u32) -> u32 {
        let school = &self.schools[self.episodes[e as usize].school as usize];
        if school.senco != NONE && self.profs[school.senco as usize].active() {
            school.senco
        } else {
            school.head
        }
    }

    /// The strongest tie between `post` and any holder of `role` (in `team`, for social care).
    fn tie_to_service(&self, post: u32, role: Role, team: u32) -> (f64, u32) {
        let mut best = (0.0, NONE);
        for (idx, _) in self.serving(role, team) {
            let t = self.ties.get(post, idx);
            if best.1 == NONE || t > best.0 {
                best = (t, idx);
            }
        }
        best
    }

    /// A school refers episode `e` to `role`. With a direct line, a SENCO with a strong enough tie
    /// to a social worker consults first: needs below the threshold go to early help instead, and
    /// the referral that is made reads well. `floor` raises the quality (a forum's discussion).
    pub fn school_referral(&mut self, e: u32, role: Role, week: u32, floor: f64) {
        let school = self.episodes[e as usize].school;
        let team = self.team_for(school, role);
        let referrer = self.referrer(e);
        let (tie, _) = if referrer != NONE {
            self.tie_to_service(referrer, role, team)
        } else {
            (0.0, NONE)
        };
        let linked = self.schools[school as usize].link_social_worker;
        let line_tie = if referrer != NONE && linked != NONE && self.profs[linked as usize].active()
        {
            self.ties.get(referrer, linked)
        } else {
            0.0
        };
        let knowledge = if referrer != NONE {
            self.knowledge(referrer, week)
        } else {
            0.0
        };
        if referrer != NONE {
            self.spend(referrer, self.p.coordination.referral_hours);
        }
        let mut quality = (0.5 * knowledge + 0.5 * tie).max(floor);
        let mut role = role;
        let mut team = team;
        if role == Role::SocialWorker
            && self.p.coordination.direct_line
            && line_tie >= self.p.direct_line.consult_tie
        {
            let hours = self.p.coordination.consultation_hours;
            self.spend(referrer, hours);
            self.spend(linked, hours);
            self.ties
                .strengthen(referrer, linked, self.p.ties.shared_case_gain);
            let z: f64 = StandardNormal.sample(&mut self.rng.pathway);
            let read = self.episodes[e as usize].severity + self.p.assessment.screening_noise * z;
            // The referral that follows is written with the social worker's advice: it reads as
            // well as the SENCO knows the social worker (the line's tie), at least as well as it
            // would have anyway.
            quality = quality.max(self.ties.get(referrer, linked));
            // The social worker applies the front door's own rule: only what is read clearly
            // below the threshold (by `screen_margin`) is diverted; anything that may be serious
            // is referred ("if in doubt, refer").
            if read < self.gate(Role::SocialWorker, team) - self.p.assessment.screen_margin {
                if self.episodes[e as usize].involves(Role::EarlyHelp) {
                    return;
                }
                role = Role::EarlyHelp;
                team = self.team_for(school, role);
            }
        }
        self.refer(e, role, team, quality, week, ReferralSource::School);
    }

    /// Hours a meeting costs the holder of `post`: the meeting, and travel for everyone in a rural
    /// patch and for members whose team or provider is split across the patch's boundary, who
    /// come from a base outside it (and whose time the other patches they serve also claim).
    fn meeting_hours_of(&self, post: u32) -> f64 {
        let role = self.profs[post as usize].role;
        let travels = self.locality.rural || self.splits(role) > 1;
        self.p.coordination.meeting_hours
            + if travels {
                self.p.attendance.travel_hours
            } else {
                0.0
            }
    }

    /// Probability that the holder of `post` attends a meeting of a forum of `group` seats.
    fn attendance(&self, post: u32, boundary_factor: f64, group: &[Seat]) -> f64 {
        let ap = &self.p.attendance;
        let size = group.len() as f64;
        let size_factor = if size > ap.group_size_reference {
            (ap.group_size_reference / size).sqrt()
        } else {
            1.0
        };
        let rural = if self.locality.rural { ap.rural } else { 1.0 };
        let mut tie_sum = 0.0;
        let mut n = 0.0;
        for seat in group {
            if seat.post != post && self.profs[seat.post as usize].active() {
                tie_sum += self.ties.get(post, seat.post);
                n += 1.0;
            }
        }
        let mean_tie = if n > 0.0 { tie_sum / n } else { 0.0 };
        (ap.base * boundary_factor * rural * size_factor * (1.0 + ap.tie_lift * (mean_tie - 0.5)))
            .clamp(0.0, 1.0)
    }

    /// Who sits in `seat` at this meeting: its holder or, in a network, often somebody else.
    fn sitter(&mut self, seat: Seat) -> u32 {
        if self.forum.mode != ForumMode::Network
            || self.rng.forum.random::<f64>() >= self.p.coordination.membership_change
        {
            return seat.post;
        }
        let holder = &self.profs[seat.post as usize];
        let (role, school) = (holder.role, holder.school);
        let candidates: Vec<u32> = (0..self.profs.len() as u32)
            .filter(|&i| {
                let p = &self.profs[i as usize];
                i != seat.post
                    && p.active()
                    && !p.minder
                    && if school != NONE {
                        p.school == school
                    } else {
                        p.role == role
                    }
            })
            .collect();
        if candidates.is_empty() {
            seat.post
        } else {
            candidates[self.rng.forum.random_range(0..candidates.len())]
        }
    }

    /// A meeting week: each consultation team meets in turn, for its own schools.
    pub fn meeting(&mut self, week: u32) {
        for t in 0..self.forum.teams.len() {
            self.team_meeting(t, week);
        }
    }

    /// One consultation team's meeting: attendance, ties among those present, review of last
    /// meeting's actions for its schools' children, then every waiting case of its schools
    /// discussed and allocated, each taking `case_minutes` of every attendee's time: a team with
    /// more cases costs more hours, not fewer discussions.
    fn team_meeting(&mut self, t: usize, week: u32) {
        let cp = &self.p.coordination;
        self.now.meetings += 1;
        let seats = self.forum.teams[t].seats.clone();
        let team = t as u32;
        let ours = |patch: &Self, e: u32| {
            let school = patch.episodes[e as usize].school;
            school != NONE && patch.schools[school as usize].consultation_team == team
        };
        let mut present: Vec<u32> = Vec::new();
        for &seat in &seats {
            let sitter = self.sitter(seat);
            if !self.profs[sitter as usize].active() {
                continue;
            }
            let p = self.attendance(sitter, seat.boundary_factor, &seats);
            if self.rng.forum.random::<f64>() < p {
                present.push(sitter);
            }
        }
        // Travel: everyone in a rural patch; and members whose team or provider is split across
        // the patch's boundary, who come from a base outside it (and whose time the other
        // patches they serve also claim).
        let gain = self.p.ties.meeting_gain
            * (self.p.ties.belonging_group_size / present.len().max(1) as f64).min(1.0);
        for a in 0..present.len() {
            for b in (a + 1)..present.len() {
                self.ties.strengthen(present[a], present[b], gain);
            }
        }

        // Review: an action whose owner is absent (or that has no owner) may lapse, unless a
        // minder with the hours chases its owner, which works with probability the minder's tie
        // to the owner.
        for i in 0..self.active.len() {
            let e = self.active[i];
            let Some(action) = self.episodes[e as usize].action else {
                continue;
            };
            if !ours(self, e) {
                continue;
            }
            if self.episodes[e as usize].helped() {
                self.episodes[e as usize].action = None;
                continue;
            }
            let lapse = if !cp.purposeful || action.owner == NONE {
                self.p.attendance.lapse_unowned
            } else if present.contains(&action.owner)
                || self.minder_gives(self.p.minder.chase_hours)
                    && self.rng.forum.random::<f64>()
                        < self.ties.get(self.minder_post, action.owner)
            {
                0.0
            } else {
                self.p.attendance.lapse_if_absent
            };
            if self.rng.forum.random::<f64>() < lapse {
                self.now.actions_lapsed += 1;
                self.drop_pending(e);
            }
        }

        // Discussion: the most severe waiting cases first.
        let mut waiting: Vec<(u32, u32)> = Vec::new();
        for &e in &self.active_school {
            let ep = &self.episodes[e as usize];
            if ep.state == EpisodeState::Waiting
                && ours(self, e)
                && self.for_forum(e)
                && self.due_for_referral(e, week)
            {
                waiting.push((((1.0 - ep.severity) * 1.0e6) as u32, e));
            }
        }
        waiting.sort_unstable();
        let lapsed = self.now.actions_lapsed;
        let discussed = waiting.len() as u32;
        for &(_, e) in &waiting {
            self.now.cases_discussed += 1;
            self.discuss(e, week, &present);
        }
        let discussion_hours = f64::from(discussed) * self.p.coordination.case_minutes / 60.0;
        for &p in &present {
            let hours = self.meeting_hours_of(p) + discussion_hours;
            self.spend(p, hours);
        }
        let seats = seats.len() as u32;
        self.tell(week, || What::Meeting {
            present: present.len() as u32,
            seats,
            discussed,
            lapsed,
        });
    }

    /// Drops an episode's work that has not reached help (queued or half-done assessments) after a
    /// lapsed action: nobody followed it up, and the case goes back to wait for the forum.
    fn drop_pending(&mut self, e: u32) {
        let mut k = 0;
        while k < self.episodes[e as usize].involvements.len() {
            let inv = &self.episodes[e as usize].involvements[k];
            if inv.stage == Stage::Helping {
                k += 1;
                continue;
            }
            if inv.referral != NONE {
                self.referrals[inv.referral as usize].outcome =
                    super::record::ReferralOutcome::NoFurtherAction;
            }
            self.release(e, k);
        }
        let ep = &mut self.episodes[e as usize];
        ep.action = None;
        if ep.involvements.is_empty() {
            ep.state = EpisodeState::Waiting;
        }
    }

    /// The forum discusses a case: reads its severity together, picks the lead service, and
    /// allocates it for one shared assessment if that service is at the table; otherwise the
    /// SENCO refers it with the forum's advice.
    fn discuss(&mut self, e: u32, week: u32, present: &[u32]) {
        let ep = &self.episodes[e as usize];
        let school = ep.school;
        let domains = ep.domains;
        // The table reads the need well only if the services of its domains are there to read it
        // (for a safeguarding concern, the social-care team serving the child's school).
        let readers = Domain::ALL
            .into_iter()
            .filter(|d| ep.has(*d))
            .map(|d| d.service_role())
            .filter(|&role| {
                let team = self.team_for(school, role);
                present.iter().any(|&p| self.serves(p, role, team))
            })
            .count() as f64;
        let missing = 1.0 - readers / f64::from(domains.count_ones().max(1));
        let ap = &self.p.assessment;
        let noise = ap.screening_noise + missing * ap.referral_quality_noise;
        let z: f64 = StandardNormal.sample(&mut self.rng.forum);
        let read = ep.severity + noise * z;
        let sc_threshold = self.thresholds[Role::SocialWorker.idx()];
        let sc_team = self.team_for(school, Role::SocialWorker);
        let lead_role = if ep.has(Domain::Safeguarding)
            && read >= self.gate(Role::SocialWorker, sc_team)
        {
            Role::SocialWorker
        } else {
            // Among the services whose threshold the need meets (its domains' services, and early
            // help for any need), the members at the table know who has capacity now: the most
            // specialist of those with a free worker and a member present, else the most
            // specialist that fits.
            let mut fitting: Vec<(bool, f64, Role)> = Vec::new();
            for role in Domain::ALL
                .into_iter()
                .filter(|d| domains & d.bit() != 0)
                .map(|d| d.service_role())
                .chain(std::iter::once(Role::EarlyHelp))
            {
                let team = self.team_for(school, role);
                let t = self.gate(role, team);
                if role == Role::SocialWorker || read < t || fitting.iter().any(|f| f.2 == role) {
                    continue;
                }
                let ready = present.iter().any(|&p| self.serves(p, role, team))
                    && self.free_worker(role, team, NONE).is_some();
                fitting.push((ready, t, role));
            }
            fitting.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.total_cmp(&a.1)));
            fitting.first().map_or(Role::EarlyHelp, |f| f.2)
        };
        let team = self.team_for(school, lead_role);
        if read < self.gate(lead_role, team) {
            // Below every threshold: the school keeps it and brings it back if it grows.
            self.return_to_school(e, week);
            return;
        }
        // In a purposeful forum a member of the lead service takes the case on there and then
        // (and owns the action). In a forum that only meets, nobody takes it on: the school
        // refers it on afterwards, with the benefit of the discussion.
        let rep = present
            .iter()
            .copied()
            .find(|&p| self.p.coordination.purposeful && self.serves(p, lead_role, team));
        let senco = self.schools[school as usize].senco;
        match rep {
            Some(rep) => {
                // What the table gathered: the share of the episode's domains whose services were
                // there to read it, or, if the member trusts the school's account of the child
                // (with probability their tie to the SENCO), all of it.
                let trusted =
                    senco != NONE && self.rng.forum.random::<f64>() < self.ties.get(rep, senco);
                let informed = if trusted { 1.0 } else { 1.0 - missing };
                let mut referral = NONE;
                if lead_role == Role::SocialWorker {
                    let child = &mut self.children[self.episodes[e as usize].child as usize];
                    let rereferral = child.last_social_care_referral != NONE
                        && week - child.last_social_care_referral <= 52;
                    child.last_social_care_referral = week;
                    referral = self.referrals.len() as u32;
                    let serious = self.episodes[e as usize].severity >= sc_threshold;
                    self.referrals.push(super::record::ReferralRecord {
                        locality: self.instance,
                        week,
                        source: ReferralSource::School,
                        outcome: super::record::ReferralOutcome::Open,
                        rereferral,
                        serious,
                    });
                }
                let ep = &mut self.episodes[e as usize];
                ep.involvements.push(Involvement {
                    role: lead_role,
                    team,
                    stage: Stage::Queued { resume_days: 0 },
                    worker: NONE,
                    preferred: rep,
                    informed,
                    requested_week: week,
                    assessment: NONE,
                    referral,
                    domains,
                });
                ep.state = EpisodeState::Engaged;
                ep.action = Some(Action {
                    owner: if self.p.coordination.purposeful {
                        rep
                    } else {
                        NONE
                    },
                });
                if senco != NONE && self.profs[senco as usize].active() {
                    self.ties
                        .strengthen(senco, rep, self.p.ties.shared_case_gain);
                }
            }
            None => {
                self.school_referral(e, lead_role, week, 0.5);
                let ep = &mut self.episodes[e as usize];
                if ep.state == EpisodeState::Engaged {
                    let owner = if self.p.coordination.purposeful && senco != NONE {
                        senco
                    } else {
                        NONE
                    };
                    ep.action = Some(Action { owner });
                }
            }
        }
    }

    /// Step 7: every few term weeks the core group reviews unmet need by domain and points the
    /// pooled resource (hours each school puts in, run in units of a specialist's day) at it.
    pub fn core_group(&mut self, week: u32, term: bool) {
        let cp = &self.p.coordination;
        if !cp.core_group
            || !term
            || !self
                .forum
                .term_weeks_seen
                .is_multiple_of(cp.core_group_interval_weeks.max(1))
        {
            return;
        }
        let n_schools = self.schools.len();
        // The core group meets like a forum: each school's head, one member of each agency team
        // seated at the consultation teams (the first team's link) and the minder give a
        // meeting's hours (and travel).
        let mut members: Vec<u32> = self.schools.iter().map(|s| s.head).collect();
        let mut agencies: Vec<(Role, u32)> = Vec::new();
        for seat in &self.forum.seats {
            let prof = &self.profs[seat.post as usize];
            if prof.school != NONE {
                continue;
            }
            if prof.minder || !agencies.contains(&(prof.role, prof.team)) {
                if !prof.minder {
                    agencies.push((prof.role, prof.team));
                }
                members.push(seat.post);
            }
        }
        for post in members {
            if post != NONE && self.profs[post as usize].active() {
                let hours = self.meeting_hours_of(post);
                self.spend(post, hours);
            }
        }
        let units = ((cp.pooled_hours_per_school * n_schools as f64 / cp.pooled_unit_hours).floor()
            as usize)
            .min(super::params::MAX_POOLED_UNITS);
        // Unmet need by service: waiting episodes counted against each domain's service.
        let mut need = [0u32; super::params::Role::COUNT];
        for &e in &self.active_school {
            let ep = &self.episodes[e as usize];
            if ep.helped() || ep.state == EpisodeState::Unrecognised {
                continue;
            }
            for domain in Domain::ALL {
                if ep.has(domain) && domain.service_role() != Role::SocialWorker {
                    need[domain.service_role().idx()] += 1;
                }
            }
        }
        let mut ranked: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| need[r.idx()] > 0)
            .collect();
        ranked.sort_by_key(|r| std::cmp::Reverse(need[r.idx()]));
        if ranked.is_empty() {
            ranked.push(Role::EarlyHelp);
        }
        while self.pooled.len() < units {
            let fte = cp.pooled_unit_hours / self.p.role(Role::EarlyHelp).hours_per_week.max(1.0);
            let idx = self.add_post(Role::EarlyHelp, NONE, 0, fte, week);
            self.profs[idx as usize].pooled = true;
            self.pooled.push(idx);
        }
        let mut order = self.pooled.clone();
        order.shuffle(&mut self.rng.pathway);
        for (i, post) in order.into_iter().enumerate() {
            let prof = &mut self.profs[post as usize];
            if prof.cases == 0 {
                prof.role = ranked[i % ranked.len()];
            }
        }
    }
}
