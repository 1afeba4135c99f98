//! One patch (locality) built from its parameters and stepped week by week.
//!
//! `Patch::new` lays out schools, pastoral units, children and posts; `Patch::step` runs the
//! weekly processes in the fixed order of docs/model.md section 3. The processes themselves live in
//! `pathway.rs` (recognition, referral, forums, core group), `services.rs` (severity, queues,
//! assessment, help) and `workforce.rs` (ties, turnover, vacancies, the minder, events).

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, StandardNormal};

use super::params::{Agency, Event, ForumMode, LocalityParams, Params, Role};
use super::record::{
    AssessmentRecord, EventRecord, FramePost, Happening, NetworkFrame, ReferralRecord, SchoolId,
    What,
};
use super::rng::stream;
use super::services::QueueKey;
use super::state::*;
use crate::calendar::is_term_week;

/// The random streams of one patch, one per mechanism.
pub struct Streams {
    pub onset: ChaCha8Rng,
    pub outside: ChaCha8Rng,
    pub severity: ChaCha8Rng,
    pub recognition: ChaCha8Rng,
    pub pathway: ChaCha8Rng,
    pub forum: ChaCha8Rng,
    pub assessment: ChaCha8Rng,
    pub ties: ChaCha8Rng,
    pub turnover: ChaCha8Rng,
    pub events: ChaCha8Rng,
    pub waiting: ChaCha8Rng,
    pub contact: ChaCha8Rng,
}

impl Streams {
    fn new(seed: u64, instance: u64) -> Streams {
        Streams {
            onset: stream(seed, "onset", instance),
            outside: stream(seed, "outside", instance),
            severity: stream(seed, "severity", instance),
            recognition: stream(seed, "recognition", instance),
            pathway: stream(seed, "pathway", instance),
            forum: stream(seed, "forum", instance),
            assessment: stream(seed, "assessment", instance),
            ties: stream(seed, "ties", instance),
            turnover: stream(seed, "turnover", instance),
            events: stream(seed, "events", instance),
            waiting: stream(seed, "waiting", instance),
            contact: stream(seed, "contact", instance),
        }
    }
}

pub struct Patch<'p> {
    pub p: &'p Params,
    pub instance: u32,
    pub locality: &'p LocalityParams,
    pub rng: Streams,
    pub children: Vec<Child>,
    pub schools: Vec<School>,
    pub units: Vec<Unit>,
    pub profs: Vec<Prof>,
    pub ties: Ties,
    pub episodes: Vec<Episode>,
    /// Episodes not yet recognised (school children's needs nobody has noticed), in onset order.
    pub unrecognised: Vec<u32>,
    /// Recognised episodes not yet closed, and outside referrals still open.
    pub active: Vec<u32>,
    /// The school children's episodes of `active` (all but the outside referrals), in the same
    /// order: what the passes that concern only school children walk.
    pub active_school: Vec<u32>,
    /// The case counts of the episodes in `active` for `record_week`: summed in the services
    /// pass (the last to visit every open episode) and kept up to date by the two steps after it
    /// that change an episode's involvements, serving the queues and handing over a leaver's
    /// cases.
    pub case_counts: CaseCounts,
    /// Children whose next episode starts in week w: `onset_due[w]`.
    pub onset_due: Vec<Vec<u32>>,
    pub forum: Forum,
    pub thresholds: [f64; Role::COUNT],
    /// Each service's waiting list against its capacity in cases, as the last services pass
    /// left it: `pressure[role × team_stride + team]`.
    pub pressure: Vec<f64>,
    pub team_stride: u32,
    pub social_care_teams: u32,
    pub minder_post: u32,
    pub pooled: Vec<u32>,
    pub events: Vec<&'p Event>,
    pub referrals: Vec<ReferralRecord>,
    pub assessments: Vec<AssessmentRecord>,
    pub event_log: Vec<EventRecord>,
    pub weeks: Vec<WeekSums>,
    /// This week's sums, pushed to `weeks` at the end of the step.
    pub now: WeekSums,
    pub pupils: u32,
    /// Weekly probability of leaving, by role, from the annual rates.
    pub weekly_leaving: [f64; Role::COUNT],
    /// Weekly probability that an agency locum leaves.
    pub weekly_locum_leaving: f64,
    /// Whether to keep a story of what happens (a narrated run), and the story so far.
    pub narrate: bool,
    pub story: Vec<Happening>,
    /// Weeks (sorted) at which to record the network besides every week of a narrated run, and
    /// the network recorded so far (the first patch only).
    pub network_weeks: Vec<u32>,
    pub network: Vec<NetworkFrame>,
    /// Buffers reused from week to week (their contents never outlive the step that fills them).
    pub scratch: Scratch,
}

/// Working buffers of the weekly step, kept on the patch rather than allocated afresh every
/// week. Each is cleared by whoever fills it.
#[derive(Default)]
pub struct Scratch {
    /// For `record_week`'s tie sums: for each agency, a row of weights over the posts, 1.0 for a
    /// post in post of another agency, else 0.0.
    pub tie_weights: Vec<f32>,
    /// Episodes that end this week, closed once `severity_and_recognition` has seen them all.
    pub closing: Vec<u32>,
    /// Each school's expertise in noticing need this week (`school_expertise`).
    pub expertise: Vec<f64>,
    /// The other half of `Patch::unrecognised`: the episodes still unrecognised are copied into
    /// it, and the two are swapped.
    pub unrecognised: Vec<u32>,
    /// Queued work of `serve_queues`, in the order it is served.
    pub queue: Vec<QueueKey>,
    /// Services (role, team) found full by `serve_queues`.
    pub full: Vec<(Role, u32)>,
}

impl<'p> Patch<'p> {
    pub fn new(
        p: &'p Params,
        locality: &'p LocalityParams,
        locality_idx: u32,
        instance: u32,
        seed: u64,
    ) -> Patch<'p> {
        let mut rng = Streams::new(seed, u64::from(instance));
        let teams = locality.social_care_teams.max(1);
        let providers = locality.health_providers.max(1);

        // Schools and pastoral units.
        let mut schools = Vec::new();
        let mut units = Vec::new();
        let mut unit_ranges = Vec::new();
        // The unit's key adults' conversations are spread over its pupils.
        let contact_rate = |pupils: f64| p.recognition.contacts_per_week / pupils.max(1.0);
        let n_schools = locality.primaries + locality.secondaries;
        for s in 0..n_schools {
            let secondary = s >= locality.primaries;
            let pupils = if secondary {
                locality.secondary_pupils
            } else {
                locality.primary_pupils
            };
            let n_units = if secondary && locality.pastoral_unit_pupils > 0 {
                pupils.div_ceil(locality.pastoral_unit_pupils).max(1)
            } else {
                1
            };
            let first_unit = units.len() as u32;
            for _ in 0..n_units {
                units.push(Unit {
                    contact_rate: contact_rate(f64::from(pupils) / f64::from(n_units)),
                });
            }
            unit_ranges.push((first_unit, n_units));
            schools.push(School {
                pupils,
                secondary,
                senco: NONE,
                head: NONE,
                pastoral: Vec::new(),
                social_care_team: s % teams,
                health_provider: s % providers,
                link_social_worker: NONE,
                consultation_team: 0,
            });
        }

        // Children: vulnerability lognormal with mean 1, and with it the weekly onset hazard.
        let sigma = p.demand.vulnerability_sigma;
        let weekly_rate = p.demand.onset_per_1000_year / 1000.0 / 52.0
            * (1.0 + (p.demand.deprivation_gradient - 1.0) * locality.deprivation);
        let mut children = Vec::with_capacity(schools.iter().map(|s| s.pupils as usize).sum());
        for (s, school) in schools.iter().enumerate() {
            let (first_unit, n_units) = unit_ranges[s];
            for k in 0..school.pupils {
                let z: f64 = StandardNormal.sample(&mut rng.onset);
                let vulnerability = (sigma * z - sigma * sigma / 2.0).exp();
                let onset_hazard = (weekly_rate * vulnerability).min(0.999);
                children.push(Child {
                    vulnerability,
                    onset_hazard,
                    log_no_onset: (1.0 - onset_hazard).ln(),
                    school: s as u32,
                    unit: first_unit + k * n_units / school.pupils,
                    key_adult: NONE,
                    episode: NONE,
                    last_social_care_referral: NONE,
                });
            }
        }
        let pupils = children.len() as u32;

        // Posts.
        let mut profs = Vec::new();
        let add = |profs: &mut Vec<Prof>,
                   role: Role,
                   school: u32,
                   team: u32,
                   fte: f64,
                   rng: &mut ChaCha8Rng| {
            let rate = p.role(role).annual_turnover;
            let tenure_weeks = if rate > 0.0 {
                Exp::new(rate / 52.0).map(|e| e.sample(rng)).unwrap_or(0.0)
            } else {
                520.0
            };
            profs.push(Prof {
                role,
                school,
                team,
                fte,
                in_post: true,
                vacant_until: 0,
                start_week: -(tenure_weeks.min(2080.0) as i64),
                cases: 0,
                minder: false,
                pooled: false,
                removed: false,
                hours_spent: 0.0,
                load: 0.0,
                locum: false,
                cover_from: NONE,
            });
            profs.len() as u32 - 1
        };
        for role in Role::ALL {
            let rp = p.role(role);
            match role {
                Role::Head | Role::Senco | Role::PastoralLead => {
                    for (s, school) in schools.iter_mut().enumerate() {
                        let fte = if school.secondary {
                            rp.per_secondary_fte
                        } else {
                            rp.per_primary_fte
                        };
                        if fte <= 0.0 {
                            continue;
                        }
                        let people = if role == Role::PastoralLead
                            && school.secondary
                            && unit_ranges[s].1 > 1
                        {
                            unit_ranges[s].1
                        } else {
                            fte.ceil() as u32
                        };
                        for _ in 0..people {
                            let idx = add(
                                &mut profs,
                                role,
                                s as u32,
                                0,
                                fte / f64::from(people),
                                &mut rng.turnover,
                            );
                            match role {
                                Role::Head => school.head = idx,
                                Role::Senco => school.senco = idx,
                                _ => school.pastoral.push(idx),
                            }
                        }
                    }
                }
                _ => {
                    // A minder funded from this role's budget takes its hours out of the role.
                    let funds_minder =
                        p.coordination.minder && p.coordination.minder_funded_by == Some(role);
                    let minder_fte = if funds_minder {
                        p.minder_fte(role)
                    } else {
                        0.0
                    };
                    let total = (rp.per_1000_pupils_fte * f64::from(pupils) / 1000.0
                        + rp.per_primary_fte * f64::from(locality.primaries)
                        + rp.per_secondary_fte * f64::from(locality.secondaries)
                        - minder_fte)
                        .max(0.0);
                    if total <= 0.0 {
                        continue;
                    }
                    let splits = match role {
                        Role::SocialWorker | Role::EarlyHelp => teams,
                        Role::SchoolNurse | Role::SpeechTherapist | Role::MentalHealth => providers,
                        _ => 1,
                    };
                    // Every team or provider serving the patch has at least one (part-time) person.
                    let people = (total.ceil() as u32).max(splits);
                    for i in 0..people {
                        add(
                            &mut profs,
                            role,
                            NONE,
                            i % splits,
                            total / f64::from(people),
                            &mut rng.turnover,
                        );
                    }
                }
            }
        }

        // Each secondary pupil's key adult: the pastoral post of its unit in a divided secondary,
        // otherwise the school's pastoral posts in turn. A primary pupil's key adult is the class
        // teacher, who is not a post of the model (none).
        let mut first_child = 0usize;
        for (s, school) in schools.iter().enumerate() {
            let (first_unit, n_units) = unit_ranges[s];
            let posts = &school.pastoral;
            for k in 0..school.pupils as usize {
                let child = &mut children[first_child + k];
                child.key_adult = if posts.is_empty() || !school.secondary {
                    NONE
                } else if posts.len() == n_units as usize {
                    posts[(child.unit - first_unit) as usize]
                } else {
                    posts[k % posts.len()]
                };
            }
            first_child += school.pupils as usize;
        }

        let mut minder_post = NONE;
        if p.coordination.minder {
            minder_post = add(
                &mut profs,
                Role::EarlyHelp,
                NONE,
                0,
                p.minder_fte(Role::EarlyHelp),
                &mut rng.turnover,
            );
            profs[minder_post as usize].minder = true;
        }

        // Ties between every pair of posts, spread around their initial mean (by default the level
        // at which informal contact and decay balance, so that the network starts near where it
        // settles).
        let mut ties = Ties::new(profs.len());
        for a in 0..profs.len() as u32 {
            for b in (a + 1)..profs.len() as u32 {
                let t = p.ties.initial_mean * (0.5 + rng.ties.random::<f64>());
                ties.set(a, b, t);
            }
        }

        let horizon = p.horizon_weeks as usize;
        let team_stride = p
            .events
            .iter()
            .filter_map(|ev| match ev.kind {
                super::params::EventKind::Restructure {
                    social_care_teams: Some(t),
                    ..
                } => Some(t),
                _ => None,
            })
            .fold(teams.max(providers), u32::max);
        let mut patch = Patch {
            p,
            instance,
            locality,
            rng,
            children,
            schools,
            units,
            profs,
            ties,
            episodes: Vec::new(),
            unrecognised: Vec::new(),
            active: Vec::new(),
            active_school: Vec::new(),
            case_counts: CaseCounts::default(),
            onset_due: vec![Vec::new(); horizon],
            forum: Forum {
                mode: p.coordination.mode,
                teams: locality
                    .consultation_teams
                    .iter()
                    .map(|schools| ConsultationTeam {
                        schools: schools.clone(),
                        seats: Vec::new(),
                    })
                    .collect(),
                seats: Vec::new(),
                suspended_until: 0,
                term_weeks_seen: 0,
            },
            thresholds: p.thresholds.by_role,
            pressure: vec![0.0; Role::COUNT * team_stride as usize],
            team_stride,
            social_care_teams: teams,
            minder_post,
            pooled: Vec::new(),
            events: p
                .events
                .iter()
                .filter(|e| e.locality.is_none_or(|l| l == locality_idx))
                .collect(),
            referrals: Vec::new(),
            assessments: Vec::new(),
            event_log: Vec::new(),
            weeks: Vec::with_capacity(horizon),
            now: WeekSums::default(),
            pupils,
            narrate: false,
            story: Vec::new(),
            network_weeks: Vec::new(),
            network: Vec::new(),
            scratch: Scratch::default(),
            // An annual rate is leavers per post-year (as the DfE publishes it): a weekly hazard of
            // rate / 52, so a post is left with probability 1 - exp(-rate / 52) a week.
            weekly_leaving: Role::ALL
                .map(|role| 1.0 - (-p.role(role).annual_turnover / 52.0).exp()),
            weekly_locum_leaving: 1.0 - (-p.agency_cover.locum_annual_rate / 52.0).exp(),
        };
        for (t, team) in locality.consultation_teams.iter().enumerate() {
            for &school in team {
                patch.schools[school as usize].consultation_team = t as u32;
            }
        }
        patch.seat_forum();
        patch.link_direct_lines();
        for c in 0..patch.children.len() as u32 {
            patch.schedule_onset(c, 0);
        }
        patch
    }

    /// One week, in the fixed order of docs/model.md section 3 (scheduled events first).
    pub fn step(&mut self, week: u32) {
        self.now = WeekSums::default();
        self.ties.week = week;
        let term = is_term_week(week);
        self.apply_events(week);
        self.fill_vacancies(week);
        self.onset(week);
        self.outside_demand(week);
        self.severity_and_recognition(week, term);
        self.pathway(week, term);
        self.services(week);
        self.core_group(week, term);
        self.tie_dynamics();
        self.turnover(week);
        self.minder_network_work();
        if term {
            self.forum.term_weeks_seen += 1;
        }
        self.settle_hours();
        self.record_week();
    }

    /// School `s` as a reader names it (`None` for `NONE`): primaries first, then secondaries.
    fn school_id(&self, s: u32) -> Option<SchoolId> {
        let school = self.schools.get(s as usize)?;
        let number = self.schools[..s as usize]
            .iter()
            .filter(|other| other.secondary == school.secondary)
            .count() as u32
            + 1;
        Some(SchoolId {
            secondary: school.secondary,
            number,
        })
    }

    /// Records the network at the end of this week (every week of a narrated run, or the chosen
    /// weeks).
    fn snapshot_network(&mut self) {
        let n = self.profs.len();
        let mut ties = Vec::new();
        for a in 0..n {
            for b in (a + 1)..n {
                let t = self.ties.strength[a * n + b];
                if t > 0.05 {
                    ties.push((a as u32, b as u32, t));
                }
            }
        }
        let (mut waiting, mut helped) = (0, 0);
        for &e in &self.active {
            let ep = &self.episodes[e as usize];
            if ep.outside() || ep.state == EpisodeState::Closed {
                continue;
            }
            if ep.helped() {
                helped += 1;
            } else {
                waiting += 1;
            }
        }
        self.network.push(NetworkFrame {
            week: self.weeks.len() as u32,
            posts: self
                .profs
                .iter()
                .map(|p| FramePost {
                    role: p.role,
                    school: self.school_id(p.school),
                    in_post: p.active(),
                    minder: p.minder,
                })
                .collect(),
            ties,
            waiting,
            helped,
        });
    }

    /// Adds an episode to the open episodes: `active`, and `active_school` if it is a school
    /// child's.
    pub fn activate(&mut self, e: u32) {
        self.active.push(e);
        if !self.episodes[e as usize].outside() {
            self.active_school.push(e);
        }
    }

    /// Adds to the story of a narrated run.
    pub fn tell(&mut self, week: u32, what: impl FnOnce() -> What) {
        if self.narrate {
            let what = what();
            self.story.push(Happening {
                week,
                locality: self.instance,
                what,
            });
        }
    }

    /// The school of a post, if it is school-based.
    pub fn school_of(&self, post: u32) -> Option<u32> {
        let school = self.profs[post as usize].school;
        (school != NONE).then_some(school)
    }

    /// Whether a minder is in post.
    pub fn minder_present(&self) -> bool {
        self.minder_post != NONE && self.profs[self.minder_post as usize].active()
    }

    /// Whether the minder is in post with at least `hours` of this week left; if so, books them.
    pub fn minder_gives(&mut self, hours: f64) -> bool {
        if !self.minder_present() {
            return false;
        }
        let m = &self.profs[self.minder_post as usize];
        let week_hours = m.fte * self.p.role(m.role).hours_per_week;
        if week_hours - m.hours_spent < hours - 1e-9 {
            return false;
        }
        self.spend(self.minder_post, hours);
        true
    }

    /// Local knowledge of a post's holder, 0..1, rising with tenure.
    pub fn knowledge(&self, post: u32, week: u32) -> f64 {
        let prof = &self.profs[post as usize];
        if !prof.active() {
            return 0.0;
        }
        let tenure = (i64::from(week) - prof.start_week).max(0) as f64;
        tenure / (tenure + self.p.ties.knowledge_half_weeks)
    }

    /// Share of a post's weekly hours its coordination load leaves for its own work, 0..1 (0 for
    /// a post with no hours).
    pub fn free_share(&self, post: u32) -> f64 {
        let prof = &self.profs[post as usize];
        let hours = prof.fte * self.p.role(prof.role).hours_per_week;
        if hours <= 0.0 {
            return 0.0;
        }
        (1.0 - prof.load / hours).clamp(0.0, 1.0)
    }

    /// Whether a pupil's key adult is in post, and the holder's start week (`(true, i64::MIN)`,
    /// there all along, for a primary pupil, whose key adult, the class teacher, is not a post of
    /// the model).
    pub fn key_adult_holder(&self, child: u32) -> (bool, i64) {
        match self.children[child as usize].key_adult {
            NONE => (true, i64::MIN),
            key => {
                let prof = &self.profs[key as usize];
                (prof.active(), prof.start_week)
            }
        }
    }

    /// A pupil's chance of a conversation with its key adults this term week: the unit's rate,
    /// less the share of the key adult's hours that coordination takes.
    pub fn contact_chance(&self, child: u32) -> f64 {
        let c = &self.children[child as usize];
        let free = match c.key_adult {
            NONE => 1.0,
            key => self.free_share(key),
        };
        1.0 - (-self.units[c.unit as usize].contact_rate * free).exp()
    }

    /// Capacity of a post in cases: its caseload cap, less the cases its coordination hours
    /// crowd out (each open case costs `help.hours_per_week` a week, so an hour a week of
    /// meetings, travel or paperwork is that share of a case not held).
    pub fn capacity(&self, post: u32) -> f64 {
        capacity_of(self.p, &self.profs[post as usize])
    }

    /// Books `hours` of coordination to the holder of `post` (and to the week's total).
    pub fn spend(&mut self, post: u32, hours: f64) {
        self.profs[post as usize].hours_spent += hours;
        self.now.coordination_hours += hours;
    }

    /// Draws the week of a child's next onset after `from` and books it.
    pub fn schedule_onset(&mut self, child: u32, from: u32) {
        let c = &self.children[child as usize];
        if c.onset_hazard <= 0.0 {
            return;
        }
        let log_no_onset = c.log_no_onset;
        let u: f64 = self.rng.onset.random();
        let wait = ((1.0 - u).ln() / log_no_onset).floor();
        let week = f64::from(from) + wait;
        if week < f64::from(self.p.horizon_weeks) {
            self.onset_due[week as usize].push(child);
        }
    }

    /// Seats each consultation team: the school posts of `coordination.school_seats` for each of
    /// its schools, then for each role of `coordination.agency_seats` one link worker per team or
    /// provider serving its schools, then the minder. A role's workers take the consultation teams
    /// in turn (the first team gets each team's first worker, the next the second, and so on), so
    /// that with several teams the links are spread over the workers. `forum.seats` is the union.
    pub fn seat_forum(&mut self) {
        let cp = &self.p.coordination;
        let minder = if self.minder_post != NONE && !self.profs[self.minder_post as usize].removed {
            Some(self.minder_post)
        } else {
            None
        };
        // Turns taken so far by each role's team, for the round robin.
        let mut turns = vec![0usize; Role::COUNT * self.team_stride as usize];
        let mut all: Vec<Seat> = Vec::new();
        for t in 0..self.forum.teams.len() {
            let mut seats = Vec::new();
            for &school in &self.forum.teams[t].schools {
                let s = &self.schools[school as usize];
                for &role in &cp.school_seats {
                    let post = match role {
                        Role::Head => s.head,
                        Role::Senco => s.senco,
                        _ => s.pastoral.first().copied().unwrap_or(NONE),
                    };
                    if post != NONE {
                        seats.push(Seat {
                            post,
                            boundary_factor: 1.0,
                        });
                    }
                }
            }
            for &role in &cp.agency_seats {
                let splits = self.splits(role);
                let mut served: Vec<u32> = self.forum.teams[t]
                    .schools
                    .iter()
                    .map(|&school| self.team_for(school, role))
                    .collect();
                served.sort_unstable();
                served.dedup();
                // Teams in the order of their first worker in post order (for one consultation
                // team of every school: team 0, 1, ...).
                for team in served {
                    let workers: Vec<u32> = (0..self.profs.len() as u32)
                        .filter(|&i| {
                            let p = &self.profs[i as usize];
                            p.role == role && !p.minder && !p.pooled && !p.removed && p.team == team
                        })
                        .collect();
                    if workers.is_empty() {
                        continue;
                    }
                    let turn = &mut turns[role.idx() * self.team_stride as usize + team as usize];
                    let post = workers[*turn % workers.len()];
                    *turn += 1;
                    seats.push(Seat {
                        post,
                        // A team split across the patch's boundary also serves the schools, and
                        // sits at the forums, of the other patches it reaches: with `splits`
                        // teams here, each reaches about `splits` patches, and this forum has
                        // that share of its member's forum time.
                        boundary_factor: 1.0 / f64::from(splits.max(1)),
                    });
                }
            }
            if let Some(post) = minder {
                seats.push(Seat {
                    post,
                    boundary_factor: 1.0,
                });
            }
            for &seat in &seats {
                if !all.iter().any(|s| s.post == seat.post) {
                    all.push(seat);
                }
            }
            self.forum.teams[t].seats = seats;
        }
        self.forum.seats = all;
    }

    /// A direct line links each school's SENCO to a social worker of the school's team, and the
    /// arrangement introduces them (their tie starts at `direct_line.initial_tie`).
    pub fn link_direct_lines(&mut self) {
        if !self.p.coordination.direct_line {
            return;
        }
        for s in 0..self.schools.len() {
            let team = self.schools[s].social_care_team;
            let workers: Vec<u32> = (0..self.profs.len() as u32)
                .filter(|&i| {
                    let p = &self.profs[i as usize];
                    p.role == Role::SocialWorker && !p.pooled && !p.removed && p.team == team
                })
                .collect();
            if workers.is_empty() {
                continue;
            }
            let link = workers[s % workers.len()];
            self.schools[s].link_social_worker = link;
            self.introduce_line(s as u32);
        }
    }

    /// Sets the tie of a school's direct line to at least its starting strength.
    pub fn introduce_line(&mut self, school: u32) {
        let s = &self.schools[school as usize];
        let (senco, link) = (s.senco, s.link_social_worker);
        if senco != NONE
            && link != NONE
            && self.profs[senco as usize].active()
            && self.profs[link as usize].active()
        {
            let t = self
                .ties
                .get(senco, link)
                .max(self.p.direct_line.initial_tie);
            self.ties.set(senco, link, t);
        }
    }

    /// How many teams (social care) or providers (health) a role's staff are split into.
    pub fn splits(&self, role: Role) -> u32 {
        match role {
            Role::SocialWorker | Role::EarlyHelp => self.social_care_teams,
            Role::SchoolNurse | Role::SpeechTherapist | Role::MentalHealth => {
                self.locality.health_providers.max(1)
            }
            _ => 1,
        }
    }

    /// The team or provider of `role` that serves `school`.
    pub fn team_for(&self, school: u32, role: Role) -> u32 {
        let s = &self.schools[school as usize];
        match role {
            Role::SocialWorker | Role::EarlyHelp => s.social_care_team,
            Role::SchoolNurse | Role::SpeechTherapist | Role::MentalHealth => s.health_provider,
            _ => 0,
        }
    }

    /// Whether `post` may take work of `role` for `team`.
    pub fn serves(&self, post: u32, role: Role, team: u32) -> bool {
        let prof = &self.profs[post as usize];
        prof.role == role
            && !prof.minder
            && (prof.pooled || self.splits(role) <= 1 || prof.team == team)
    }

    /// The posts in post that may take work of `role` for `team` (those that `serves`), in post
    /// order.
    pub fn serving(&self, role: Role, team: u32) -> impl Iterator<Item = (u32, &Prof)> {
        let split = self.splits(role) > 1;
        self.profs
            .iter()
            .enumerate()
            .filter(move |(_, prof)| {
                prof.role == role
                    && !prof.minder
                    && prof.active()
                    && (prof.pooled || !split || prof.team == team)
            })
            .map(|(idx, prof)| (idx as u32, prof))
    }

    /// The threshold `role` (team `team`) applies this week: its set threshold, raised by
    /// `pressure.threshold_rise` times its waiting list against its capacity (at most 1). The
    /// set threshold (`thresholds`) stays the fixed level against which need is measured.
    pub fn gate(&self, role: Role, team: u32) -> f64 {
        let pressure = self.pressure[role.idx() * self.team_stride as usize + team as usize];
        (self.thresholds[role.idx()] + self.p.pressure.threshold_rise * pressure).min(1.0)
    }

    pub fn forum_active(&self, week: u32) -> bool {
        self.forum.mode != ForumMode::AdHoc && week >= self.forum.suspended_until
    }

    /// Folds each post's coordination hours of the week into its running load.
    fn settle_hours(&mut self) {
        for prof in &mut self.profs {
            prof.load += (prof.hours_spent - prof.load) / HOURS_MEMORY_WEEKS;
            prof.hours_spent = 0.0;
        }
    }

    /// Sums this week's state into `now` and stores it.
    fn record_week(&mut self) {
        let mut sums = std::mem::take(&mut self.now);
        let week = self.weeks.len() as u32;
        if self.instance == 0 && (self.narrate || self.network_weeks.binary_search(&week).is_ok()) {
            self.snapshot_network();
        }
        // Social-care cases are counted in whole numbers and added once: the same `f64` as
        // adding 1.0 per case.
        let counts = self.case_counts;
        sums.open_cases += counts.open_cases;
        sums.waiting_for_help += counts.waiting_for_help;
        sums.waiting_for_assessment += counts.waiting_for_assessment;
        sums.social_care_cases += f64::from(counts.social_care_cases);
        for prof in &self.profs {
            if prof.removed {
                continue;
            }
            if prof.in_post {
                sums.staff_in_post += 1;
                if prof.role == Role::SocialWorker && !prof.pooled {
                    sums.social_worker_fte += prof.fte;
                    if prof.locum {
                        sums.social_worker_locums += 1;
                        sums.social_worker_vacancies += 1;
                    } else {
                        sums.social_workers_in_post += 1;
                    }
                }
            } else {
                sums.vacancies += 1;
                if prof.role == Role::SocialWorker && !prof.pooled && !prof.minder {
                    sums.social_worker_vacancies += 1;
                }
            }
        }
        // Ties between people of different agencies, both in post, summed row by row in post
        // order (the order fixes the `f64` sum). A tie is added times its weight: 1 if the other
        // post is in post and of another agency than the row's, else 0. A tie left out so adds
        // +0.0, which leaves the sum's bits unchanged (it starts at +0.0 and ties are finite and
        // never negative), and the loop needs no branch.
        let n = self.profs.len();
        let mut in_post = [0u32; Agency::COUNT];
        let mut weights = std::mem::take(&mut self.scratch.tie_weights);
        weights.clear();
        weights.resize(Agency::COUNT * n, 0.0);
        // The same pairs give relational coordination's frequency: those in touch within a term
        // (`RECENT_CONTACT_WEEKS`), counted in whole numbers alongside the tie sum.
        let week = self.ties.week;
        for (b, prof) in self.profs.iter().enumerate() {
            if !prof.active() {
                continue;
            }
            let agency_b = prof.role.agency().idx();
            in_post[agency_b] += 1;
            for agency in 0..Agency::COUNT {
                if agency != agency_b {
                    weights[agency * n + b] = 1.0;
                }
            }
            if prof.role.agency() != Agency::School {
                sums.knowledge_sum += self.knowledge(b as u32, week);
                sums.knowledge_staff += 1;
            }
        }
        let mut recent_pairs = 0u32;
        for (a, prof) in self.profs.iter().enumerate() {
            if !prof.active() {
                continue;
            }
            let agency_a = prof.role.agency().idx();
            let row = &self.ties.strength[a * n + a + 1..(a + 1) * n];
            let contacts = &self.ties.last_contact[a * n + a + 1..(a + 1) * n];
            let weights = &weights[agency_a * n + a + 1..(agency_a + 1) * n];
            let mut tie_sum = sums.tie_sum;
            for ((&tie, &weight), &last) in row.iter().zip(weights).zip(contacts) {
                tie_sum += f64::from(tie * weight);
                let recent = last != NONE && week - last < RECENT_CONTACT_WEEKS;
                recent_pairs += u32::from(recent && weight > 0.0);
            }
            sums.tie_sum = tie_sum;
        }
        sums.recent_contact_pairs += f64::from(recent_pairs);
        self.scratch.tie_weights = weights;
        // Pairs in post of different agencies: all pairs in post less those within an agency.
        let total: u32 = in_post.iter().sum();
        let within: u32 = in_post.iter().map(|&k| k * k.saturating_sub(1) / 2).sum();
        sums.tie_pairs += f64::from(total * total.saturating_sub(1) / 2 - within);
        self.weeks.push(sums);
    }
}

/// Weeks within which a pair's last contact counts as recent (a term) for relational
/// coordination's frequency.
pub const RECENT_CONTACT_WEEKS: u32 = 13;

/// Capacity in cases of a post (see `Patch::capacity`), never below zero.
pub fn capacity_of(p: &Params, prof: &Prof) -> f64 {
    let rp = p.role(prof.role);
    let crowded_out = if p.help.hours_per_week > 0.0 {
        prof.load / p.help.hours_per_week
    } else {
        0.0
    };
    (rp.caseload_cap * prof.fte - crowded_out).max(0.0)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::Simulation;
    use super::*;

    /// A minder funded from early help takes its hours out of early help's FTE; an extra-funded
    /// minder takes nothing.
    #[test]
    fn a_minder_funded_by_a_service_costs_that_service_its_hours() {
        let early_help_fte = |funder: &str| -> f64 {
            let sets = vec![
                "coordination.minder=true".to_string(),
                format!("coordination.minder_funded_by=\"{funder}\""),
            ];
            let params = crate::scenario::load(None, &sets)
                .expect("the scenario loads")
                .params;
            let patch = Patch::new(&params, &params.localities[0], 0, 0, 1);
            patch
                .profs
                .iter()
                .filter(|p| p.role == Role::EarlyHelp && !p.minder)
                .map(|p| p.fte)
                .sum()
        };
        let extra = early_help_fte("extra");
        let funded = early_help_fte("early_help");
        let minder_fte = 7.5 / 37.0;
        assert!(
            (extra - funded - minder_fte).abs() < 1e-9,
            "early help FTE {extra} extra-funded, {funded} funding the minder"
        );
    }

    /// A minder appointed by an event and funded from early help takes its hours out of early
    /// help's posts then, as a minder there from the start does at the outset.
    #[test]
    fn a_minder_appointed_later_is_funded_the_same_way() {
        let sets: Vec<String> = [
            "coordination.minder_funded_by=\"early_help\"",
            "event=[{week=10, kind=\"minder_appointed\"}]",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let params = crate::scenario::load(None, &sets)
            .expect("the scenario loads")
            .params;
        let mut patch = Patch::new(&params, &params.localities[0], 0, 0, 1);
        let early_help = |patch: &Patch| -> f64 {
            patch
                .profs
                .iter()
                .filter(|p| p.role == Role::EarlyHelp && !p.minder)
                .map(|p| p.fte)
                .sum()
        };
        let before = early_help(&patch);
        patch.apply_events(10);
        assert_ne!(patch.minder_post, NONE);
        let after = early_help(&patch);
        assert!(
            (before - after - 7.5 / 37.0).abs() < 1e-9,
            "early help FTE {before} before the minder, {after} after"
        );
    }

    /// With one consultation team per school, each team seats its own school's posts and a link
    /// of each agency role, the links taking the teams in turn; the union lists each post once.
    #[test]
    fn each_consultation_team_seats_its_schools_and_links_in_turn() {
        let sets: Vec<String> = [
            "coordination.mode=\"team\"",
            "locality.0.schools_per_team=1",
            "coordination.school_seats=[\"head\", \"senco\"]",
            "coordination.agency_seats=[\"early_help\"]",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let params = crate::scenario::load(None, &sets)
            .expect("the scenario loads")
            .params;
        let patch = Patch::new(&params, &params.localities[0], 0, 0, 1);
        assert_eq!(patch.forum.teams.len(), 6);
        let workers: Vec<u32> = (0..patch.profs.len() as u32)
            .filter(|&i| {
                patch.profs[i as usize].role == Role::EarlyHelp && !patch.profs[i as usize].minder
            })
            .collect();
        for (t, team) in patch.forum.teams.iter().enumerate() {
            let school = &patch.schools[t];
            assert_eq!(team.schools, vec![t as u32]);
            assert_eq!(school.consultation_team, t as u32);
            let posts: Vec<u32> = team.seats.iter().map(|seat| seat.post).collect();
            assert_eq!(
                posts,
                vec![school.head, school.senco, workers[t % workers.len()]]
            );
        }
        let mut union: Vec<u32> = patch.forum.seats.iter().map(|seat| seat.post).collect();
        let n = union.len();
        union.sort_unstable();
        union.dedup();
        assert_eq!(union.len(), n, "the union lists each post once");
        assert_eq!(n, 12 + workers.len().min(6));
    }

    /// The lists and counts the weekly step keeps up to date as it goes equal, after every week,
    /// what a fresh look at the open episodes gives: `active_school` is `active` without the
    /// outside referrals, in order, and `case_counts` is the sum of each open episode's counts.
    #[test]
    fn kept_lists_and_counts_match_a_fresh_count_every_week() {
        let sets = |sets: &[&str]| sets.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let scenarios = [
            (None, sets(&[])),
            (Some("scenarios/restructure.toml"), sets(&[])),
            (
                Some("scenarios/minder-leaves.toml"),
                sets(&[
                    "coordination.mode=network",
                    "coordination.direct_line=true",
                    "coordination.core_group=true",
                    "turnover.annual_rate=0.5",
                ]),
            ),
        ];
        for (file, sets) in scenarios {
            let path = file.map(|file| Path::new(env!("CARGO_MANIFEST_DIR")).join(file));
            let params = crate::scenario::load(path.as_deref(), &sets)
                .expect("the scenario loads")
                .params;
            let mut sim = Simulation::new(&params, 7);
            while sim.step() {
                for patch in &sim.patches {
                    let school: Vec<u32> = patch
                        .active
                        .iter()
                        .copied()
                        .filter(|&e| !patch.episodes[e as usize].outside())
                        .collect();
                    assert_eq!(patch.active_school, school, "{file:?}, week {}", sim.week());
                    let mut counts = CaseCounts::default();
                    for &e in &patch.active {
                        counts.add(CaseCounts::of(&patch.episodes[e as usize]));
                    }
                    assert_eq!(patch.case_counts, counts, "{file:?}, week {}", sim.week());
                }
            }
        }
    }

    /// The first secondary school and its first pupil.
    fn first_secondary_pupil(patch: &Patch) -> (usize, u32) {
        let secondary = patch.schools.iter().position(|s| s.secondary).unwrap();
        let pupil = patch
            .children
            .iter()
            .position(|c| c.school as usize == secondary)
            .unwrap();
        (secondary, pupil as u32)
    }

    /// Recognition by acquaintance (docs/model.md 7.4). At onset a pupil's acquaintance is drawn
    /// from the settled state of the conversation process, whose mean over term weeks is
    /// `q / (1 − (1 − q)(1 − forget))`; 20,000 draws from one seed put the sample mean within
    /// 0.01 of it (its standard error is about 0.003). Secondary pupils have a pastoral key adult
    /// (a divided secondary's units each their own), primary pupils none; a vacant key adult
    /// knows nothing.
    #[test]
    fn acquaintance_starts_settled_and_goes_with_the_key_adult() {
        let sets: Vec<String> = ["locality.0.pastoral_unit_pupils=100"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let params = crate::scenario::load(None, &sets)
            .expect("the scenario loads")
            .params;
        let mut patch = Patch::new(&params, &params.localities[0], 0, 0, 1);
        let forget = params.recognition.forget_per_week;
        let (secondary, pupil) = first_secondary_pupil(&patch);
        let primary_pupil = 0u32;
        assert_eq!(patch.children[primary_pupil as usize].key_adult, NONE);
        let key = patch.children[pupil as usize].key_adult;
        assert!(patch.schools[secondary].pastoral.contains(&key));
        assert_eq!(
            patch.schools[secondary].pastoral.len(),
            patch.units.len() - (patch.schools.len() - 1),
            "one pastoral lead per unit of the divided secondary"
        );
        for child in [pupil, primary_pupil] {
            let q = patch.contact_chance(child);
            let settled = q / (1.0 - (1.0 - q) * (1.0 - forget));
            let n = 20_000;
            let mean = (0..n)
                .map(|_| patch.acquaintance_at_onset(child, 300).0)
                .sum::<f64>()
                / f64::from(n);
            assert!(
                (mean - settled).abs() < 0.01,
                "child {child}: mean {mean}, settled {settled}"
            );
        }
        // A unit of 100 pupils is talked with far more often than a primary of 275.
        assert!(patch.contact_chance(pupil) > patch.contact_chance(primary_pupil));
        patch.profs[key as usize].in_post = false;
        assert_eq!(patch.acquaintance_at_onset(pupil, 300).0, 0.0);
    }

    /// A post's coordination hours leave it less of its week: `free_share` is 1 with no load,
    /// falls in proportion, and never goes below 0; a pastoral lead's load cuts its pupils'
    /// chance of a conversation.
    #[test]
    fn coordination_load_crowds_out_a_posts_own_work() {
        let params = crate::scenario::load(None, &[]).expect("loads").params;
        let mut patch = Patch::new(&params, &params.localities[0], 0, 0, 1);
        let (_, pupil) = first_secondary_pupil(&patch);
        let key = patch.children[pupil as usize].key_adult;
        let hours = {
            let prof = &patch.profs[key as usize];
            prof.fte * params.role(prof.role).hours_per_week
        };
        let before = patch.contact_chance(pupil);
        assert_eq!(patch.free_share(key), 1.0);
        patch.profs[key as usize].load = hours / 4.0;
        assert!((patch.free_share(key) - 0.75).abs() < 1e-12);
        assert!(patch.contact_chance(pupil) < before);
        patch.profs[key as usize].load = hours * 2.0;
        assert_eq!(patch.free_share(key), 0.0);
        assert_eq!(patch.contact_chance(pupil), 0.0);
    }
}
