//! The people: ties that grow with joint work and fade without it, turnover and vacancies,
//! what the minder does when people come and go, and the scenario's timeline of events
//! (docs/model.md section 3).

use rand::Rng;
use rand::seq::SliceRandom;
use rand_distr::{Distribution, Exp, Poisson};

use super::params::{EventKind, ForumMode, LeaveWho, Role};
use super::patch::Patch;
use super::record::{EventRecord, What};
use super::state::*;

impl Patch<'_> {
    /// Adds a post (vacant until next week's filling, so its holder arrives as a newcomer).
    pub fn add_post(&mut self, role: Role, school: u32, team: u32, fte: f64, week: u32) -> u32 {
        self.profs.push(Prof {
            role,
            school,
            team,
            fte,
            in_post: false,
            vacant_until: week + 1,
            start_week: i64::from(week),
            cases: 0,
            minder: false,
            pooled: false,
            removed: false,
            hours_spent: 0.0,
            load: 0.0,
            locum: false,
            cover_from: NONE,
        });
        self.ties.grow(self.profs.len());
        self.profs.len() as u32 - 1
    }

    /// Vacant posts whose time has come are filled by newcomers: no ties, no local knowledge, and
    /// a first week partly spent on induction. A minder in post with the hours inducts them,
    /// introducing them to the forum's members through the minder's own ties.
    pub fn fill_vacancies(&mut self, week: u32) {
        for post in 0..self.profs.len() as u32 {
            let prof = &self.profs[post as usize];
            if prof.removed {
                continue;
            }
            // The permanent newcomer arrives: a locum covering the post hands over and goes.
            if prof.in_post && prof.locum && prof.vacant_until <= week {
                self.locum_leaves(post, week);
            }
            let prof = &mut self.profs[post as usize];
            if prof.in_post {
                continue;
            }
            if prof.vacant_until > week {
                if prof.cover_from != NONE && prof.cover_from <= week {
                    // An agency locum covers the vacancy: in post, no ties, no local knowledge.
                    prof.in_post = true;
                    prof.locum = true;
                    prof.cover_from = NONE;
                    prof.start_week = i64::from(week);
                    prof.cases = 0;
                    self.spend(post, self.p.coordination.induction_hours);
                }
                continue;
            }
            prof.cover_from = NONE;
            prof.in_post = true;
            prof.start_week = i64::from(week);
            prof.cases = 0;
            self.spend(post, self.p.coordination.induction_hours);
            if self.p.coordination.direct_line {
                for s in 0..self.schools.len() as u32 {
                    let school = &self.schools[s as usize];
                    if school.senco == post || school.link_social_worker == post {
                        self.introduce_line(s);
                    }
                }
            }
            let inducted =
                post != self.minder_post && self.minder_gives(self.p.minder.induction_hours);
            if inducted {
                let m = self.minder_post;
                self.ties.strengthen(post, m, self.p.ties.meeting_gain);
                for i in 0..self.forum.seats.len() {
                    let other = self.forum.seats[i].post;
                    if other != post && other != m && self.profs[other as usize].active() {
                        let introduction = self.ties.get(m, other);
                        self.ties.strengthen(post, other, introduction);
                    }
                }
            }
            let (role, school, is_minder) = (
                self.profs[post as usize].role,
                self.school_of(post),
                self.profs[post as usize].minder,
            );
            self.tell(week, || What::Joined {
                role,
                school,
                inducted,
                minder: is_minder,
            });
        }
    }

    /// Step 8: informal contact strengthens ties (more when co-located); every tie fades a little
    /// each week.
    pub fn tie_dynamics(&mut self) {
        let tp = &self.p.ties;
        let n = self.profs.len();
        let contact = if self.locality.co_located {
            tp.informal_contact_co_located
        } else {
            tp.informal_contact
        };
        let pairs = (n * n.saturating_sub(1) / 2) as f64;
        if pairs > 0.0 && contact > 0.0 {
            let k = Poisson::new(pairs * contact)
                .map(|d| d.sample(&mut self.rng.ties))
                .unwrap_or(0.0) as usize;
            for _ in 0..k {
                let a = self.rng.ties.random_range(0..n) as u32;
                let b = self.rng.ties.random_range(0..n) as u32;
                if a != b && self.profs[a as usize].active() && self.profs[b as usize].active() {
                    self.ties.strengthen(a, b, tp.informal_gain);
                }
            }
        }
        let keep = (1.0 - tp.decay_per_week) as f32;
        for t in &mut self.ties.strength {
            *t *= keep;
        }
    }

    /// Step 10, last call on the minder's week: the hours that handovers, induction and chasing
    /// left go to keeping the network alive. Each `minder.contact_hours` brokers one contact
    /// between two forum members chosen at random, which strengthens their tie and each one's tie
    /// to the minder by `ties.informal_gain` (a conversation, as informal contact is).
    pub fn minder_network_work(&mut self) {
        let members: Vec<u32> = self
            .forum
            .seats
            .iter()
            .map(|seat| seat.post)
            .filter(|&post| post != self.minder_post && self.profs[post as usize].active())
            .collect();
        if members.len() < 2 {
            return;
        }
        let gain = self.p.ties.informal_gain;
        let m = self.minder_post;
        while self.minder_gives(self.p.minder.contact_hours) {
            let a = members[self.rng.ties.random_range(0..members.len())];
            let b = members[self.rng.ties.random_range(0..members.len())];
            if a == b {
                continue;
            }
            self.ties.strengthen(a, b, gain);
            self.ties.strengthen(a, m, gain);
            self.ties.strengthen(b, m, gain);
        }
    }

    /// Step 9: each person leaves with a weekly hazard from their role's annual rate.
    pub fn turnover(&mut self, week: u32) {
        for post in 0..self.profs.len() as u32 {
            let prof = &self.profs[post as usize];
            if !prof.active() {
                continue;
            }
            if prof.locum {
                if self.rng.turnover.random::<f64>() < self.weekly_locum_leaving {
                    self.locum_leaves(post, week);
                }
                continue;
            }
            if self.rng.turnover.random::<f64>() < self.weekly_leaving[prof.role.idx()] {
                let vacancy = self.vacancy_weeks(post);
                self.vacate(post, week, vacancy, true);
            }
        }
    }

    fn vacancy_weeks(&mut self, post: u32) -> u32 {
        let mean = self.p.role(self.profs[post as usize].role).vacancy_weeks;
        if mean <= 0.0 {
            return 1;
        }
        let draw = Exp::new(1.0 / mean)
            .map(|d| d.sample(&mut self.rng.turnover))
            .unwrap_or(mean);
        draw.round().max(1.0) as u32
    }

    /// The holder of `post` leaves: their ties go with them, the post is vacant for `vacancy`
    /// weeks, and their cases are handed over (with a minder, usually with their history kept).
    /// `leaver` is false when the post itself goes (a cut, a minder withdrawn): its holder is not
    /// counted in turnover.
    pub fn vacate(&mut self, post: u32, week: u32, vacancy: u32, leaver: bool) {
        if self.profs[post as usize].locum {
            // A locum's post is already vacant: the locum goes, the vacancy stands.
            self.locum_leaves(post, week);
            if !leaver {
                self.profs[post as usize].cover_from = NONE;
            }
            return;
        }
        let prof = &self.profs[post as usize];
        if leaver {
            self.now.leavers += 1;
            if prof.role == Role::SocialWorker && !prof.pooled {
                self.now.social_worker_leavers += 1;
            }
        }
        // Cases are handed over while the leaver's ties (the minder's to them among them) still
        // stand; then the ties go with them.
        let (handed_over, restarted) = self.hand_over(post, week);
        self.now.ties_lost += self.ties.clear(post);
        let prof = &mut self.profs[post as usize];
        prof.in_post = false;
        prof.vacant_until = week + vacancy;
        prof.cases = 0;
        if leaver {
            self.arrange_cover(post, week);
        }
        let (role, school, minder) = (
            self.profs[post as usize].role,
            self.school_of(post),
            self.profs[post as usize].minder,
        );
        self.tell(week, || What::Left {
            role,
            school,
            handed_over,
            restarted,
            minder,
        });
    }

    /// After a post falls vacant (or its locum leaves, with `vacant_until` weeks of vacancy
    /// still to run): a case-holding social-worker post is covered by an agency locum from
    /// `agency_cover.weeks_to_cover` weeks on, with probability `agency_cover.share`, if the
    /// vacancy lasts longer than that (DfE workforce 2024: 17% of posts vacant, 15.9% of social
    /// workers agency workers).
    fn arrange_cover(&mut self, post: u32, week: u32) {
        let ac = &self.p.agency_cover;
        let prof = &self.profs[post as usize];
        let covered_role = prof.role == Role::SocialWorker && !prof.pooled && !prof.minder;
        let until = prof.vacant_until;
        self.profs[post as usize].cover_from = NONE;
        if covered_role
            && week + ac.weeks_to_cover < until
            && self.rng.turnover.random::<f64>() < ac.share
        {
            self.profs[post as usize].cover_from = week + ac.weeks_to_cover.max(1);
        }
    }

    /// A locum leaves: cases handed over, ties cut, the post vacant again (and covered again in
    /// time if the vacancy still has long to run). A locum's leaving is not counted in turnover,
    /// which the DfE counts of permanent staff.
    fn locum_leaves(&mut self, post: u32, week: u32) {
        let (handed_over, restarted) = self.hand_over(post, week);
        self.now.ties_lost += self.ties.clear(post);
        let prof = &mut self.profs[post as usize];
        prof.in_post = false;
        prof.locum = false;
        prof.cases = 0;
        let (role, school) = (prof.role, self.school_of(post));
        self.arrange_cover(post, week);
        self.tell(week, || What::Left {
            role,
            school,
            handed_over,
            restarted,
            minder: false,
        });
    }

    /// Cases held by a departing post: kept with their history and passed to a colleague with
    /// capacity, or sent back to the queue to start again. The team's own handover keeps a
    /// history with probability `help.handover_keep_without_minder`; a minder with the hours
    /// (`coordination.handover_hours` a case) hands the case over instead, and keeps its history
    /// with a probability rising from that to 1 with the minder's tie to the leaver (the
    /// collective memory is what the minder knew of the leaver's work).
    /// Returns how many cases were handed over with their history and how many must start again.
    fn hand_over(&mut self, post: u32, week: u32) -> (u32, u32) {
        let (mut handed_over, mut restarted) = (0, 0);
        let base_keep = self.p.help.handover_keep_without_minder;
        let handover_hours = self.p.coordination.handover_hours;
        for i in 0..self.active.len() {
            let e = self.active[i];
            for k in 0..self.episodes[e as usize].involvements.len() {
                let inv = self.episodes[e as usize].involvements[k].clone();
                if inv.worker != post {
                    continue;
                }
                let keep_p = if post != self.minder_post && self.minder_gives(handover_hours) {
                    let tie = self.ties.get(self.minder_post, post);
                    base_keep + (1.0 - base_keep) * tie
                } else {
                    base_keep
                };
                let keep = self.rng.turnover.random::<f64>() < keep_p;
                let colleague = if keep {
                    self.free_worker(inv.role, inv.team, post)
                } else {
                    None
                };
                if let Some(c) = colleague {
                    self.spend(c, handover_hours);
                }
                let before = CaseCounts::of(&self.episodes[e as usize]);
                let ep = &mut self.episodes[e as usize];
                let slot = &mut ep.involvements[k];
                if keep {
                    handed_over += 1;
                } else if matches!(inv.stage, Stage::Assessing { .. } | Stage::Helping) {
                    restarted += 1;
                }
                match (inv.stage, keep, colleague) {
                    (_, true, Some(c)) => {
                        slot.worker = c;
                        self.profs[c as usize].cases += 1;
                        ep.worker_changes += 1;
                    }
                    (Stage::Assessing { done_day }, true, None) => {
                        slot.worker = NONE;
                        let today = week * WORKING_DAYS_PER_WEEK;
                        slot.stage = Stage::Queued {
                            resume_days: done_day.saturating_sub(today).max(1),
                        };
                    }
                    (Stage::Helping, true, None) => {
                        slot.worker = NONE;
                        slot.stage = Stage::AwaitHelp;
                        ep.worker_changes += 1;
                    }
                    (Stage::Assessing { .. } | Stage::Helping, false, _) => {
                        // History lost: the case waits to be assessed again.
                        if inv.stage == Stage::Helping {
                            ep.worker_changes += 1;
                        }
                        slot.worker = NONE;
                        slot.stage = Stage::Queued { resume_days: 0 };
                        slot.requested_week = week;
                    }
                    _ => {}
                }
                let after = CaseCounts::of(&self.episodes[e as usize]);
                self.case_counts.update(before, after);
            }
        }
        (handed_over, restarted)
    }

    fn log(&mut self, week: u32, kind: &'static str, label: String) {
        self.tell(week, || What::Event {
            label: label.clone(),
        });
        self.event_log.push(EventRecord {
            week,
            locality: self.instance,
            kind,
            label,
        });
    }

    /// Step 11: the scenario's timeline, applied at the start of its week.
    pub fn apply_events(&mut self, week: u32) {
        let due: Vec<_> = self
            .events
            .iter()
            .filter(|ev| ev.week == week)
            .map(|ev| ev.kind.clone())
            .collect();
        for kind in due {
            let key = kind.key();
            match kind {
                EventKind::Restructure {
                    share,
                    suspend_forum_weeks,
                    social_care_teams,
                } => {
                    let mut moved = 0;
                    for post in 0..self.profs.len() as u32 {
                        if self.profs[post as usize].active()
                            && self.rng.events.random::<f64>() < share
                        {
                            self.vacate(post, week, 1, true);
                            moved += 1;
                        }
                    }
                    self.forum.suspended_until = week + suspend_forum_weeks;
                    if let Some(teams) = social_care_teams {
                        self.redraw_social_care(teams.max(1));
                    }
                    self.log(week, key, format!("restructure: {moved} staff reassigned, forum suspended for {suspend_forum_weeks} weeks"));
                }
                EventKind::Leave { who, share, count } => {
                    let mut group: Vec<u32> = (0..self.profs.len() as u32)
                        .filter(|&i| {
                            let p = &self.profs[i as usize];
                            p.active()
                                && !p.minder
                                && match &who {
                                    LeaveWho::Role(r) => *r == p.role,
                                    _ => true,
                                }
                        })
                        .collect();
                    match who {
                        LeaveWho::MostConnected | LeaveWho::LeastConnected => {
                            let mut keyed: Vec<(f64, u32)> =
                                group.iter().map(|&i| (self.ties.degree(i), i)).collect();
                            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                            if matches!(who, LeaveWho::MostConnected) {
                                keyed.reverse();
                            }
                            group = keyed.into_iter().map(|(_, i)| i).collect();
                        }
                        _ => group.shuffle(&mut self.rng.events),
                    }
                    let n = if count > 0 {
                        count as usize
                    } else {
                        (share * group.len() as f64).round() as usize
                    };
                    for &post in group.iter().take(n) {
                        let vacancy = self.vacancy_weeks(post);
                        self.vacate(post, week, vacancy, true);
                    }
                    self.log(week, key, format!("{} staff left", n.min(group.len())));
                }
                EventKind::Threshold { role, value } => {
                    self.thresholds[role.idx()] = value;
                    self.log(
                        week,
                        key,
                        format!("{} threshold set to {value}", role.key()),
                    );
                }
                EventKind::PostCut { role, fte } => {
                    let mut left = fte;
                    for post in (0..self.profs.len() as u32).rev() {
                        let p = &self.profs[post as usize];
                        if left <= 1e-9 || p.role != role || p.removed || p.minder || p.pooled {
                            continue;
                        }
                        if p.fte <= left + 1e-9 {
                            left -= p.fte;
                            if self.profs[post as usize].in_post {
                                self.vacate(post, week, 0, false);
                            }
                            self.profs[post as usize].removed = true;
                        } else {
                            self.profs[post as usize].fte -= left;
                            left = 0.0;
                        }
                    }
                    self.seat_forum();
                    self.log(week, key, format!("{fte} FTE of {} cut", role.key()));
                }
                EventKind::PostAdded { role, fte } => {
                    let people = fte.ceil().max(1.0) as u32;
                    for i in 0..people {
                        let team = i % self.splits(role);
                        self.add_post(role, NONE, team, fte / f64::from(people), week);
                    }
                    self.seat_forum();
                    self.log(week, key, format!("{fte} FTE of {} added", role.key()));
                }
                EventKind::MinderAppointed => {
                    if self.minder_post == NONE {
                        let fte = self.p.minder_fte(Role::EarlyHelp);
                        if let Some(funder) = self.p.coordination.minder_funded_by {
                            self.fund_minder_from(funder);
                        }
                        let post = self.add_post(Role::EarlyHelp, NONE, 0, fte, week);
                        self.profs[post as usize].minder = true;
                        self.minder_post = post;
                    } else {
                        let m = &mut self.profs[self.minder_post as usize];
                        m.removed = false;
                        if !m.in_post {
                            m.vacant_until = week + 1;
                        }
                    }
                    self.seat_forum();
                    self.log(week, key, "minder appointed".to_string());
                }
                EventKind::MinderWithdrawn => {
                    if self.minder_post != NONE && !self.profs[self.minder_post as usize].removed {
                        if self.profs[self.minder_post as usize].in_post {
                            self.vacate(self.minder_post, week, 0, false);
                        }
                        self.profs[self.minder_post as usize].removed = true;
                        self.seat_forum();
                        self.log(week, key, "minder withdrawn".to_string());
                    }
                }
                EventKind::ForumStarted { mode } => {
                    self.forum.mode = mode;
                    self.seat_forum();
                    self.log(week, key, format!("{} forum started", mode.key()));
                }
                EventKind::ForumStopped => {
                    self.forum.mode = ForumMode::AdHoc;
                    for i in 0..self.active.len() {
                        let e = self.active[i];
                        self.episodes[e as usize].action = None;
                    }
                    self.log(week, key, "forum stopped".to_string());
                }
            }
        }
    }

    /// A minder appointed mid-run and funded from `role`'s budget: the minder's hours are taken
    /// out of the role's posts in proportion to their FTE, as they would have been at the start
    /// (section 7.15).
    fn fund_minder_from(&mut self, role: Role) {
        let funds = |p: &Prof| p.role == role && !p.minder && !p.pooled && !p.removed;
        let total: f64 = self.profs.iter().filter(|p| funds(p)).map(|p| p.fte).sum();
        if total <= 0.0 {
            return;
        }
        let keep = ((total - self.p.minder_fte(role)) / total).max(0.0);
        for prof in self.profs.iter_mut().filter(|p| funds(p)) {
            prof.fte *= keep;
        }
    }

    /// Boundaries redrawn: schools and social workers re-divided among `teams` teams.
    fn redraw_social_care(&mut self, teams: u32) {
        self.social_care_teams = teams;
        for (s, school) in self.schools.iter_mut().enumerate() {
            school.social_care_team = s as u32 % teams;
        }
        // Early help is organised in the same children's-services localities as social care.
        for role in [Role::SocialWorker, Role::EarlyHelp] {
            let mut i = 0;
            for prof in self.profs.iter_mut() {
                if prof.role == role && !prof.pooled && !prof.minder {
                    prof.team = i % teams;
                    i += 1;
                }
            }
        }
        self.seat_forum();
    }
}
