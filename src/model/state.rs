//! The state of one patch: its children, schools, professionals, ties, episodes and queues.
//!
//! Indices are plain `u32`s into the patch's vectors; `NONE` marks "no such thing". A post keeps
//! its index for the whole run: when its holder leaves, the post falls vacant and a newcomer
//! later fills the same index with no ties and no local knowledge.

use super::params::{Domain, ForumMode, Role};

pub const NONE: u32 = u32::MAX;

/// Working days in a week (assessment durations are counted in working days).
pub const WORKING_DAYS_PER_WEEK: u32 = 5;

#[derive(Debug, Clone)]
pub struct Child {
    pub vulnerability: f64,
    /// Weekly probability of an onset (from vulnerability; at most 0.999), and `ln(1 - it)`.
    pub onset_hazard: f64,
    pub log_no_onset: f64,
    pub school: u32,
    pub unit: u32,
    /// The pastoral post whose holder is this pupil's key adult (`NONE` when the school has no
    /// pastoral post): what is known of the pupil is known by that holder.
    pub key_adult: u32,
    /// Open episode, or `NONE`.
    pub episode: u32,
    /// Week of this child's last referral to social care from school, or `NONE`.
    pub last_social_care_referral: u32,
}

#[derive(Debug, Clone)]
pub struct School {
    pub pupils: u32,
    pub secondary: bool,
    pub senco: u32,
    pub head: u32,
    pub pastoral: Vec<u32>,
    /// Social-care team serving this school.
    pub social_care_team: u32,
    /// Health provider serving this school.
    pub health_provider: u32,
    /// The social worker a direct line links this school's SENCO to, or `NONE`.
    pub link_social_worker: u32,
    /// The consultation team this school belongs to (an index into `Forum::teams`).
    pub consultation_team: u32,
}

#[derive(Debug, Clone)]
pub struct Unit {
    /// Conversations a pupil has with the unit's key adults in a term week, on average when their
    /// hours are free: `recognition.contacts_per_week / unit pupils`.
    pub contact_rate: f64,
}

#[derive(Debug, Clone)]
pub struct Prof {
    pub role: Role,
    /// School for school-based posts, `NONE` for agency posts.
    pub school: u32,
    /// Social-care team or health provider index (0 for agencies with one).
    pub team: u32,
    pub fte: f64,
    pub in_post: bool,
    /// A vacant post is filled at the start of this week.
    pub vacant_until: u32,
    /// Week the holder started (negative: before the run).
    pub start_week: i64,
    /// Open cases: assessments and help.
    pub cases: u32,
    pub minder: bool,
    pub pooled: bool,
    /// The post was cut (or the minder withdrawn): never filled again.
    pub removed: bool,
    /// Hours spent this week on coordination (meetings and travel, referral paperwork,
    /// consultations, chasing, handovers, induction).
    pub hours_spent: f64,
    /// The holder is an agency locum covering the vacancy until `vacant_until`.
    pub locum: bool,
    /// A vacant post is covered by a locum from this week (`NONE`: not covered).
    pub cover_from: u32,
    /// Coordination hours a week, averaged over about a half-term (`HOURS_MEMORY_WEEKS`): the
    /// hours the holder cannot give to casework.
    pub load: f64,
}

/// Weeks over which a post's coordination hours are averaged into `Prof::load`: the caseload a
/// worker can hold responds to the coordination of the last half-term or so, not to one week's
/// meeting.
pub const HOURS_MEMORY_WEEKS: f64 = 6.0;

impl Prof {
    pub fn active(&self) -> bool {
        self.in_post && !self.removed
    }
}

/// A square matrix of tie strengths between posts, 0..1, symmetric.
#[derive(Debug, Clone)]
pub struct Ties {
    pub n: usize,
    pub strength: Vec<f32>,
    /// Week of each pair's last contact (a meeting attended together, a shared case, a
    /// consultation, an informal or brokered contact, an introduction), `NONE` if never.
    pub last_contact: Vec<u32>,
    /// The week now running, stamped on contacts.
    pub week: u32,
}

impl Ties {
    pub fn new(n: usize) -> Ties {
        Ties {
            n,
            strength: vec![0.0; n * n],
            last_contact: vec![NONE; n * n],
            week: 0,
        }
    }

    pub fn get(&self, a: u32, b: u32) -> f64 {
        f64::from(self.strength[a as usize * self.n + b as usize])
    }

    /// A post's ties to every post, in post order.
    pub fn row(&self, a: u32) -> &[f32] {
        &self.strength[a as usize * self.n..(a as usize + 1) * self.n]
    }

    pub fn set(&mut self, a: u32, b: u32, value: f64) {
        let v = value.clamp(0.0, 1.0) as f32;
        self.strength[a as usize * self.n + b as usize] = v;
        self.strength[b as usize * self.n + a as usize] = v;
    }

    /// Moves a tie a share of the way towards 1.
    pub fn strengthen(&mut self, a: u32, b: u32, gain: f64) {
        if a == b {
            return;
        }
        let t = self.get(a, b);
        self.set(a, b, t + (1.0 - t) * gain);
        self.last_contact[a as usize * self.n + b as usize] = self.week;
        self.last_contact[b as usize * self.n + a as usize] = self.week;
    }

    /// Grows the matrix to `n` posts, keeping existing ties.
    pub fn grow(&mut self, n: usize) {
        if n <= self.n {
            return;
        }
        let mut next = vec![0.0; n * n];
        let mut contact = vec![NONE; n * n];
        for a in 0..self.n {
            next[a * n..a * n + self.n]
                .copy_from_slice(&self.strength[a * self.n..(a + 1) * self.n]);
            contact[a * n..a * n + self.n]
                .copy_from_slice(&self.last_contact[a * self.n..(a + 1) * self.n]);
        }
        self.n = n;
        self.strength = next;
        self.last_contact = contact;
    }

    /// Sum of a post's ties (its connectedness).
    pub fn degree(&self, a: u32) -> f64 {
        self.row(a).iter().map(|&t| f64::from(t)).sum()
    }

    /// Cuts every tie of a post; returns the strength lost.
    pub fn clear(&mut self, a: u32) -> f64 {
        let lost = self.degree(a);
        for b in 0..self.n as u32 {
            self.strength[a as usize * self.n + b as usize] = 0.0;
            self.strength[b as usize * self.n + a as usize] = 0.0;
            self.last_contact[a as usize * self.n + b as usize] = NONE;
            self.last_contact[b as usize * self.n + a as usize] = NONE;
        }
        lost
    }
}

/// Where a service involvement has got to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stage {
    /// Waiting for a worker with capacity to assess (`resume_days` > 0: a kept history,
    /// only that many working days of assessment remain).
    Queued {
        resume_days: u32,
    },
    /// Assessed (or history kept), waiting for a worker with capacity to help.
    AwaitHelp,
    Assessing {
        done_day: u32,
    },
    Helping,
}

/// One agency's work on one episode: a referral accepted or a forum allocation.
#[derive(Debug, Clone)]
pub struct Involvement {
    pub role: Role,
    pub team: u32,
    pub stage: Stage,
    pub worker: u32,
    /// The forum member who took the case on, who does the work if they have capacity, or `NONE`.
    pub preferred: u32,
    /// Share of the episode's domains whose services were at the forum table that allocated it
    /// (0 for a referral): what the discussion already gathered, so the assessment starts part
    /// done.
    pub informed: f64,
    /// Week the assessment was asked for.
    pub requested_week: u32,
    /// Index into the patch's assessment records of the current assessment, or `NONE`.
    pub assessment: u32,
    /// Index into the patch's referral records (social-care referrals only), or `NONE`.
    pub referral: u32,
    /// Domains this involvement covers (all of the episode's for a shared assessment).
    pub domains: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EpisodeState {
    Unrecognised,
    /// Recognised, no agency involved: waiting for a referral or a forum.
    Waiting,
    /// At least one agency involved.
    Engaged,
    Closed,
}

/// An action agreed at a forum meeting, reviewed at the next one.
#[derive(Debug, Clone, Copy)]
pub struct Action {
    /// Owner post, or `NONE` in a forum without owners.
    pub owner: u32,
}

#[derive(Debug, Clone)]
pub struct Episode {
    /// `NONE` for a referral from outside schools (no school child behind it in the model).
    pub child: u32,
    /// The child's school (`NONE` for an outside referral), copied from the child so that the
    /// weekly passes need not look the child up.
    pub school: u32,
    pub domains: u8,
    pub severity: f64,
    pub vulnerability: f64,
    /// While unrecognised: how well the child's key adult knows the child now, 0 to 1 (1 just
    /// after a conversation, fading by `recognition.forget_per_week` each term week without one).
    pub acquaintance: f64,
    /// The key adult's `start_week` when `acquaintance` was last updated: a newcomer in the post
    /// knows nothing of the child.
    pub key_adult_start: i64,
    pub state: EpisodeState,
    pub onset_week: u32,
    pub recognised_week: u32,
    pub help_start_week: u32,
    pub closed_week: u32,
    /// Week from which an unhelped episode resolves on its own.
    pub self_resolve_week: u32,
    /// Last week a school's referral was turned down or help closed with need remaining
    /// (`NONE` if never), and the severity then.
    pub returned_week: u32,
    pub returned_severity: f64,
    pub involvements: Vec<Involvement>,
    pub action: Option<Action>,
    pub assessments: u32,
    pub worker_changes: u32,
    pub escalations: u32,
    pub urgent_at_recognition: bool,
    pub serious: bool,
    /// Outside referrals: weeks of help left.
    pub outside_help_weeks: u32,
}

impl Episode {
    pub fn has(&self, domain: Domain) -> bool {
        self.domains & domain.bit() != 0
    }

    pub fn outside(&self) -> bool {
        self.child == NONE
    }

    pub fn helped(&self) -> bool {
        self.involvements.iter().any(|i| i.stage == Stage::Helping)
    }

    pub fn involves(&self, role: Role) -> bool {
        self.involvements.iter().any(|i| i.role == role)
    }
}

/// A seat at the forum: a school's SENCO, or the link worker of one agency team.
#[derive(Debug, Clone, Copy)]
pub struct Seat {
    pub post: u32,
    /// Attendance multiplier from boundary incongruence.
    pub boundary_factor: f64,
}

/// One school consultation team: its schools and its seats.
#[derive(Debug, Clone, Default)]
pub struct ConsultationTeam {
    pub schools: Vec<u32>,
    pub seats: Vec<Seat>,
}

/// The forum of a patch and its state: one or more consultation teams (or network tables), which
/// meet on the same weeks, each for its own schools.
#[derive(Debug, Clone)]
pub struct Forum {
    pub mode: ForumMode,
    pub teams: Vec<ConsultationTeam>,
    /// Every post seated at any team, each once, in seating order (the members a minder inducts
    /// newcomers to and brokers contacts between, and the agency members of the core group).
    pub seats: Vec<Seat>,
    pub suspended_until: u32,
    /// Term weeks counted since the start (for meeting and core-group timing).
    pub term_weeks_seen: u32,
}

/// What open episodes add to the week's counts of cases (`record_week`): episodes with a service
/// involved, episodes recognised but not yet helped, episodes with work queued for assessment
/// (school children's episodes only), and social-care assessments and help under way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaseCounts {
    pub open_cases: u32,
    pub waiting_for_help: u32,
    pub waiting_for_assessment: u32,
    pub social_care_cases: u32,
}

impl CaseCounts {
    /// What one episode adds, as it stands.
    pub fn of(ep: &Episode) -> CaseCounts {
        let mut counts = CaseCounts::default();
        let (mut helped, mut queued) = (false, false);
        for inv in &ep.involvements {
            match inv.stage {
                Stage::Helping => helped = true,
                Stage::Queued { .. } => queued = true,
                Stage::Assessing { .. } | Stage::AwaitHelp => {}
            }
            if inv.role == Role::SocialWorker
                && matches!(inv.stage, Stage::Assessing { .. } | Stage::Helping)
            {
                counts.social_care_cases += 1;
            }
        }
        if ep.outside() {
            return counts;
        }
        if ep.state == EpisodeState::Engaged {
            counts.open_cases = 1;
        }
        if matches!(ep.state, EpisodeState::Waiting | EpisodeState::Engaged) && !helped {
            counts.waiting_for_help = 1;
        }
        if queued {
            counts.waiting_for_assessment = 1;
        }
        counts
    }

    pub fn add(&mut self, other: CaseCounts) {
        self.open_cases += other.open_cases;
        self.waiting_for_help += other.waiting_for_help;
        self.waiting_for_assessment += other.waiting_for_assessment;
        self.social_care_cases += other.social_care_cases;
    }

    /// Replaces what an episode added (`before`) by what it adds now (`after`).
    pub fn update(&mut self, before: CaseCounts, after: CaseCounts) {
        self.open_cases = self.open_cases - before.open_cases + after.open_cases;
        self.waiting_for_help =
            self.waiting_for_help - before.waiting_for_help + after.waiting_for_help;
        self.waiting_for_assessment = self.waiting_for_assessment - before.waiting_for_assessment
            + after.waiting_for_assessment;
        self.social_care_cases =
            self.social_care_cases - before.social_care_cases + after.social_care_cases;
    }
}

/// Per-week sums for one patch, merged across patches into `WeekRecord`s.
#[derive(Debug, Clone, Default)]
pub struct WeekSums {
    pub open_cases: u32,
    pub waiting_for_help: u32,
    pub waiting_for_assessment: u32,
    pub tie_sum: f64,
    pub tie_pairs: f64,
    pub staff_in_post: u32,
    pub vacancies: u32,
    pub cases_discussed: u32,
    pub actions_lapsed: u32,
    pub meetings: u32,
    pub helps_started: u32,
    pub unmet_child_weeks: u32,
    /// Of those, child-weeks below the social-care threshold.
    pub unmet_below_threshold_child_weeks: u32,
    pub coordination_hours: f64,
    pub assessment_hours: f64,
    pub help_hours: f64,
    pub leavers: u32,
    pub social_worker_leavers: u32,
    pub social_workers_in_post: u32,
    pub social_worker_vacancies: u32,
    pub social_worker_locums: u32,
    pub social_care_cases: f64,
    pub social_worker_fte: f64,
    pub ties_lost: f64,
    /// Involvements ended because the family withdrew while waiting for a service.
    pub withdrawn: u32,
    /// Pairs of people in post from different agencies with a contact in the last 13 weeks.
    pub recent_contact_pairs: f64,
    /// Sum over agency (non-school) staff in post of their local knowledge, and their number.
    pub knowledge_sum: f64,
    pub knowledge_staff: u32,
}
