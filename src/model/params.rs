//! Validated model parameters: the only input the model reads.
//!
//! These types are built by `scenario` once a file has been parsed and checked; the model trusts
//! them (every probability is in 0..=1, every interval is at least one week, and so on). They know
//! nothing of TOML or serde. Units are in the field names or the doc comments; sources of the
//! defaults are documented in `scenarios/defaults.toml` and `docs/model.md`.

/// Every professional role in the model. The order is the index used in per-role arrays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Head,
    Senco,
    PastoralLead,
    SocialWorker,
    EarlyHelp,
    SchoolNurse,
    SpeechTherapist,
    EdPsych,
    MentalHealth,
    HomeSchoolLink,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::Head,
        Role::Senco,
        Role::PastoralLead,
        Role::SocialWorker,
        Role::EarlyHelp,
        Role::SchoolNurse,
        Role::SpeechTherapist,
        Role::EdPsych,
        Role::MentalHealth,
        Role::HomeSchoolLink,
    ];
    pub const COUNT: usize = 10;

    pub fn idx(self) -> usize {
        self as usize
    }

    /// The key used in scenario files and output.
    pub fn key(self) -> &'static str {
        match self {
            Role::Head => "head",
            Role::Senco => "senco",
            Role::PastoralLead => "pastoral_lead",
            Role::SocialWorker => "social_worker",
            Role::EarlyHelp => "early_help",
            Role::SchoolNurse => "school_nurse",
            Role::SpeechTherapist => "speech_therapist",
            Role::EdPsych => "educational_psychologist",
            Role::MentalHealth => "mental_health",
            Role::HomeSchoolLink => "home_school_link",
        }
    }

    pub fn from_key(key: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.key() == key)
    }

    pub fn agency(self) -> Agency {
        match self {
            Role::Head | Role::Senco | Role::PastoralLead | Role::HomeSchoolLink => Agency::School,
            Role::SocialWorker => Agency::SocialCare,
            Role::EarlyHelp => Agency::EarlyHelp,
            Role::SchoolNurse | Role::SpeechTherapist | Role::MentalHealth => Agency::Health,
            Role::EdPsych => Agency::Education,
        }
    }
}

/// The agencies that employ professionals. Boundary congruence is counted per agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Agency {
    School,
    SocialCare,
    EarlyHelp,
    Health,
    Education,
}

impl Agency {
    pub const COUNT: usize = 5;

    pub fn idx(self) -> usize {
        self as usize
    }
}

/// Domains of need. An episode has one or more, held as a bit set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Domain {
    Learning,
    Speech,
    Semh,
    Safeguarding,
    Family,
    Physical,
}

impl Domain {
    pub const ALL: [Domain; 6] = [
        Domain::Learning,
        Domain::Speech,
        Domain::Semh,
        Domain::Safeguarding,
        Domain::Family,
        Domain::Physical,
    ];
    pub const COUNT: usize = 6;

    pub fn idx(self) -> usize {
        self as usize
    }

    pub fn bit(self) -> u8 {
        1 << (self as u8)
    }

    pub fn key(self) -> &'static str {
        match self {
            Domain::Learning => "learning",
            Domain::Speech => "speech",
            Domain::Semh => "semh",
            Domain::Safeguarding => "safeguarding",
            Domain::Family => "family",
            Domain::Physical => "physical",
        }
    }

    pub fn from_key(key: &str) -> Option<Domain> {
        Domain::ALL.into_iter().find(|d| d.key() == key)
    }

    /// The role a school refers this domain to, and that helps with it.
    pub fn service_role(self) -> Role {
        match self {
            Domain::Learning => Role::EdPsych,
            Domain::Speech => Role::SpeechTherapist,
            Domain::Semh => Role::MentalHealth,
            Domain::Safeguarding => Role::SocialWorker,
            Domain::Family => Role::EarlyHelp,
            Domain::Physical => Role::SchoolNurse,
        }
    }
}

/// How recognised needs travel from school to help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForumMode {
    /// No forum: schools refer to the agency they think fits.
    AdHoc,
    /// A school consultation team with stable membership.
    Team,
    /// A looser network: changing membership, usually meeting less often.
    Network,
}

impl ForumMode {
    pub fn key(self) -> &'static str {
        match self {
            ForumMode::AdHoc => "adhoc",
            ForumMode::Team => "team",
            ForumMode::Network => "network",
        }
    }
}

/// One locality (patch): its schools and how the agencies are arranged around it.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalityParams {
    pub name: String,
    /// How many identical copies of this locality the scenario holds (each simulated separately).
    pub count: u32,
    pub primaries: u32,
    pub secondaries: u32,
    pub primary_pupils: u32,
    pub secondary_pupils: u32,
    /// Pupils per pastoral unit in a secondary ("school within a school"); 0 means undivided.
    pub pastoral_unit_pupils: u32,
    /// Deprivation, 0 (least) to 1 (most).
    pub deprivation: f64,
    pub rural: bool,
    pub co_located: bool,
    /// Social-care teams serving the patch (1 = congruent boundaries).
    pub social_care_teams: u32,
    /// Health providers serving the patch.
    pub health_providers: u32,
    /// The school consultation teams: each a list of school indices (0-based, primaries first,
    /// then secondaries); every school in exactly one. One team of every school by default.
    pub consultation_teams: Vec<Vec<u32>>,
}

/// Workforce of one role.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleParams {
    pub per_primary_fte: f64,
    pub per_secondary_fte: f64,
    pub per_1000_pupils_fte: f64,
    /// Open cases (assessments plus help) a full-time worker holds at most.
    pub caseload_cap: f64,
    pub hours_per_week: f64,
    pub annual_turnover: f64,
    pub vacancy_weeks: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CoordinationParams {
    pub mode: ForumMode,
    /// The school posts each school sends to its consultation team (head, SENCO, pastoral lead).
    pub school_seats: Vec<Role>,
    /// The agency roles that send a link worker to each consultation team.
    pub agency_seats: Vec<Role>,
    /// Term weeks between forum meetings.
    pub meeting_interval_weeks: u32,
    /// Minutes each case discussed at a forum takes of every attendee's time.
    pub case_minutes: f64,
    pub meeting_hours: f64,
    /// Actions have owners and are reviewed at the next meeting.
    pub purposeful: bool,
    /// Network only: share of the membership replaced at each meeting.
    pub membership_change: f64,
    pub minder: bool,
    pub minder_hours: f64,
    /// The agency role whose FTE the minder's hours are taken from (`None`: extra funding).
    pub minder_funded_by: Option<Role>,
    /// Hours a school's referral costs its referrer (forms, calls, chasing a reply).
    pub referral_hours: f64,
    /// Hours a direct-line consultation costs each of the SENCO and the social worker.
    pub consultation_hours: f64,
    /// Hours it costs a colleague to take over a leaver's case with its history.
    pub handover_hours: f64,
    /// Hours of induction a newcomer spends in their first week instead of casework.
    pub induction_hours: f64,
    pub direct_line: bool,
    /// Share of cases social care closes as not in need that are passed to early help.
    pub step_down_share: f64,
    pub core_group: bool,
    pub core_group_interval_weeks: u32,
    /// Flexible hours a week each school puts into the core group's pool.
    pub pooled_hours_per_school: f64,
    /// Hours a week a pooled resource needs before it can run (a shared specialist's day).
    /// The pool buys at most `MAX_POOLED_UNITS` of them.
    pub pooled_unit_hours: f64,
}

/// Thresholds of severity (0..1) above which each service accepts a referral.
#[derive(Debug, Clone, PartialEq)]
pub struct ThresholdParams {
    pub by_role: [f64; Role::COUNT],
    /// Severity at which a safeguarding concern bypasses any forum.
    pub urgent: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemandParams {
    /// New episodes of need per 1,000 pupils a year at deprivation 0.
    pub onset_per_1000_year: f64,
    /// Multiplier on onset at deprivation 1 (linear in between).
    pub deprivation_gradient: f64,
    /// Spread of latent vulnerability between children (lognormal sigma).
    pub vulnerability_sigma: f64,
    /// Probability a new episode has each domain (before at least one is forced).
    pub domain_probability: [f64; Domain::COUNT],
    /// Initial severity: mean of a beta distribution, and its concentration.
    pub severity_mean: f64,
    pub severity_concentration: f64,
    /// Referrals to social care from outside schools per 10,000 pupils a year.
    pub external_referrals_per_10k_year: f64,
    /// Safeguarding severity of referrals from outside schools: beta mean and concentration.
    /// They are screened and assessed like schools' referrals.
    pub external_severity_mean: f64,
    pub external_severity_concentration: f64,
    /// Weeks an accepted external case occupies a social worker's caseload slot.
    pub external_case_weeks: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SeverityParams {
    /// Weekly rise of severity while unaddressed (scaled by vulnerability).
    pub escalation_per_week: f64,
    /// Weekly fall of severity while helped (full intensity).
    pub recovery_per_week: f64,
    /// Weekly probability an unhelped episode resolves on its own.
    pub self_resolve_per_week: f64,
    /// Episodes below this severity are not counted as unmet need.
    pub unmet_floor: f64,
    /// Help ends when severity falls below this.
    pub close_below: f64,
    /// A fixed level of severity: a need that crosses it while recognised and waiting counts as
    /// an escalation, whatever the services' thresholds are set to.
    pub escalation_level: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecognitionParams {
    /// Weekly probability a school notices a need of severity 1 in a pupil its staff know fully
    /// (acquaintance 1: talked with this term week).
    pub weekly_at_full: f64,
    /// Individual conversations a pastoral unit's key adults hold with its pupils in a term
    /// week, spread over the unit's pupils: a pupil's weekly chance of one is
    /// `1 − exp(−contacts_per_week / unit pupils)`.
    pub contacts_per_week: f64,
    /// Share of what a key adult knows of a pupil that fades in each term week without a
    /// conversation.
    pub forget_per_week: f64,
    /// Multiplier on recognition in school holidays.
    pub holiday_factor: f64,
    /// Schools refer a safeguarding concern to social care when they read it at or above the
    /// threshold less this margin ("if in doubt, refer"); below it, to early help.
    pub referral_caution: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentParams {
    /// Working days of a single-agency assessment by a well-connected, experienced worker.
    pub base_working_days: f64,
    /// Lognormal sigma of assessment duration.
    pub duration_sigma: f64,
    /// Extra duration (as a share) for a worker with no local knowledge and no ties.
    pub unfamiliar_slowdown: f64,
    pub hours: f64,
    /// Extra share of assessment work per additional domain in a shared assessment.
    pub shared_extra_per_domain: f64,
    /// Error (sd) with which a screener or assessor reads a child's severity.
    pub screening_noise: f64,
    /// Extra noise for a poor-quality referral (referrer with no knowledge or tie).
    pub referral_quality_noise: f64,
    /// A front door screens out (no further action) only referrals read this far below threshold;
    /// the rest are assessed.
    pub screen_margin: f64,
    /// Probability a school's referral of no quality at all (no knowledge, no tie) is sent back
    /// for want of information; scales with `1 - quality`.
    pub poor_quality_rejection: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HelpParams {
    pub hours_per_week: f64,
    /// Caseload share above which workers close help early.
    pub pressure_close_share: f64,
    /// Severity below which a worker under pressure closes help (instead of `close_below`).
    pub early_close_below: f64,
    /// Probability a leaver's case history is kept without a minder.
    pub handover_keep_without_minder: f64,
    /// Weeks after which a school re-refers a rejected need that persists.
    pub rereferral_wait_weeks: f64,
    /// Severity rise a re-referral needs over the rejected one.
    pub rereferral_severity_rise: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TieParams {
    /// Mean initial tie strength between the posts of a patch.
    pub initial_mean: f64,
    /// Rise towards 1 from a joint meeting (divided among the group's pairs).
    pub meeting_gain: f64,
    /// Rise towards 1 from working a shared case.
    pub shared_case_gain: f64,
    /// Weekly probability of informal contact between two professionals in the patch.
    pub informal_contact: f64,
    pub informal_contact_co_located: f64,
    pub informal_gain: f64,
    /// Weekly share of a tie's strength lost without contact.
    pub decay_per_week: f64,
    /// Meeting group size above which belonging is diluted.
    pub belonging_group_size: f64,
    /// Weeks of tenure for local knowledge to reach half its maximum.
    pub knowledge_half_weeks: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AttendanceParams {
    pub base: f64,
    /// Multiplier in a rural patch (travel).
    pub rural: f64,
    /// Hours of travel a meeting costs a member based outside the patch (all members in a rural
    /// patch; members of teams split across the patch's boundary).
    pub travel_hours: f64,
    /// Group size above which attendance falls.
    pub group_size_reference: f64,
    /// How much a strong tie to the group raises attendance.
    pub tie_lift: f64,
    /// Probability an action lapses when its owner is absent at review (no minder).
    pub lapse_if_absent: f64,
    /// Probability an action lapses in a forum without owners or follow-up.
    pub lapse_unowned: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MinderParams {
    /// Hours the minder gives to inducting one newcomer (introductions to the forum's members).
    pub induction_hours: f64,
    /// Hours the minder gives to chasing one action whose owner is absent at review.
    pub chase_hours: f64,
    /// Hours the minder gives to one brokered contact between two forum members.
    pub contact_hours: f64,
}

/// How services and families respond to a service's waiting list (the balancing loops that let
/// demand and capacity settle).
#[derive(Debug, Clone, PartialEq)]
pub struct PressureParams {
    /// Rise of a service's effective threshold when its waiting list equals its capacity in cases
    /// (in proportion below that, no further above it): gatekeeping tightens under pressure.
    pub threshold_rise: f64,
    /// Weekly probability that a family waiting for a non-statutory service withdraws, or the
    /// service closes the referral, before any support.
    pub disengage_per_week: f64,
}

/// Agency (locum) social workers covering vacant social-worker posts.
#[derive(Debug, Clone, PartialEq)]
pub struct AgencyCoverParams {
    /// Probability that a vacant case-holding social-worker post is covered by a locum.
    pub share: f64,
    /// Weeks from a post falling vacant (or a locum leaving) to a locum starting.
    pub weeks_to_cover: u32,
    /// Locums' annual leaving rate (leavers per post-year).
    pub locum_annual_rate: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DirectLineParams {
    /// Tie strength from which a SENCO consults a social worker before referring.
    pub consult_tie: f64,
    /// Tie strength the line starts at.
    pub initial_tie: f64,
}

/// Who leaves in a `leave` event.
#[derive(Debug, Clone, PartialEq)]
pub enum LeaveWho {
    Role(Role),
    MostConnected,
    LeastConnected,
    Any,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    Restructure {
        /// Share of staff reassigned (they leave the patch; newcomers fill the posts).
        share: f64,
        suspend_forum_weeks: u32,
        /// New number of social-care teams serving the patch, if redrawn.
        social_care_teams: Option<u32>,
    },
    Leave {
        who: LeaveWho,
        /// Share of the chosen group, or of all staff for `Any`, `MostConnected`, `LeastConnected`.
        share: f64,
        /// Or a fixed number of people (used when share is 0).
        count: u32,
    },
    Threshold {
        role: Role,
        value: f64,
    },
    PostCut {
        role: Role,
        fte: f64,
    },
    PostAdded {
        role: Role,
        fte: f64,
    },
    MinderAppointed,
    MinderWithdrawn,
    ForumStarted {
        mode: ForumMode,
    },
    ForumStopped,
}

impl EventKind {
    /// The kind as a scenario's `[[event]]` names it (`kind = "restructure"`).
    pub fn key(&self) -> &'static str {
        match self {
            EventKind::Restructure { .. } => "restructure",
            EventKind::Leave { .. } => "leave",
            EventKind::Threshold { .. } => "threshold",
            EventKind::PostCut { .. } => "post_cut",
            EventKind::PostAdded { .. } => "post_added",
            EventKind::MinderAppointed => "minder_appointed",
            EventKind::MinderWithdrawn => "minder_withdrawn",
            EventKind::ForumStarted { .. } => "forum_started",
            EventKind::ForumStopped => "forum_stopped",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub week: u32,
    /// Locality index, or every locality when `None`.
    pub locality: Option<u32>,
    pub kind: EventKind,
}

/// The whole validated scenario as the model sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    pub horizon_weeks: u32,
    pub warmup_weeks: u32,
    /// Term weeks of the action window for `inertia`.
    pub action_window_weeks: u32,
    pub localities: Vec<LocalityParams>,
    pub roles: [RoleParams; Role::COUNT],
    pub coordination: CoordinationParams,
    pub thresholds: ThresholdParams,
    pub demand: DemandParams,
    pub severity: SeverityParams,
    pub recognition: RecognitionParams,
    pub assessment: AssessmentParams,
    pub help: HelpParams,
    pub ties: TieParams,
    pub attendance: AttendanceParams,
    pub minder: MinderParams,
    pub direct_line: DirectLineParams,
    pub pressure: PressureParams,
    pub agency_cover: AgencyCoverParams,
    pub events: Vec<Event>,
}

impl Params {
    pub fn role(&self, role: Role) -> &RoleParams {
        &self.roles[role.idx()]
    }

    /// The minder's post in FTE of `role`'s contracted week: what a minder funded by `role` takes
    /// out of its posts (and, for early help, the minder post's own FTE).
    pub fn minder_fte(&self, role: Role) -> f64 {
        self.coordination.minder_hours / self.role(role).hours_per_week.max(1.0)
    }
}

/// The most pooled posts a core group buys in one patch, whatever its pool (scenarios above it are
/// refused before they run; this keeps the model safe if one is not).
pub const MAX_POOLED_UNITS: usize = 1_000;
