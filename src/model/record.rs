//! What a finished run hands to `metrics`: a record of every episode, referral and assessment,
//! and one row of counters per week. Plain data; the model fills it, nobody else writes it.

use super::params::Role;

/// One episode of need from onset to closure (or the horizon).
#[derive(Debug, Clone, PartialEq)]
pub struct EpisodeRecord {
    pub locality: u32,
    pub child: u32,
    /// Bit set of `Domain`s.
    pub domains: u8,
    pub onset_week: u32,
    pub recognised_week: Option<u32>,
    pub help_start_week: Option<u32>,
    pub closed_week: Option<u32>,
    /// Assessments of this episode by any agency (one shared assessment counts once).
    pub assessments: u32,
    /// Changes of the worker holding the case after the first allocation.
    pub worker_changes: u32,
    /// Times severity crossed `severity.escalation_level` (a fixed level) while recognised and
    /// waiting.
    pub escalations: u32,
    /// Whether the episode was at or above the safeguarding urgency level at recognition.
    pub urgent_at_recognition: bool,
    /// Safeguarding severity at or above the social-care threshold at some point.
    pub serious: bool,
}

/// Where a referral to social care came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferralSource {
    School,
    Outside,
}

/// How a referral to social care ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferralOutcome {
    /// Screened out at the front door.
    NoFurtherAction,
    /// Assessed and found not in need.
    NotInNeed,
    /// Assessed and taken on.
    InNeed,
    /// Still open at the horizon.
    Open,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReferralRecord {
    pub locality: u32,
    pub week: u32,
    pub source: ReferralSource,
    pub outcome: ReferralOutcome,
    /// The same child was referred to social care in the 52 weeks before (schools' referrals only).
    pub rereferral: bool,
    /// The referral concerned a safeguarding need at or above the threshold when made.
    pub serious: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentRecord {
    pub locality: u32,
    /// Week the assessment was asked for (referral accepted or case allocated).
    pub requested_week: u32,
    /// Working days from request to completion; `None` if still open at the horizon.
    pub working_days: Option<u32>,
    /// Whether it was a social-care assessment (the DfE's 45-working-day figures are).
    pub social_care: bool,
}

/// Counters for one week of one run, summed over localities.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WeekRecord {
    pub week: u32,
    pub term_week: bool,
    pub open_cases: u32,
    pub waiting_for_help: u32,
    pub waiting_for_assessment: u32,
    pub mean_tie_strength: f64,
    pub staff_in_post: u32,
    pub vacancies: u32,
    pub cases_discussed: u32,
    pub actions_lapsed: u32,
    pub meetings: u32,
    pub helps_started: u32,
    /// Open episodes (recognised or not) with severity above the unmet floor and no help this week.
    pub unmet_child_weeks: u32,
    /// Of those, child-weeks below the social-care threshold.
    pub unmet_below_threshold_child_weeks: u32,
    pub coordination_hours: f64,
    pub assessment_hours: f64,
    pub help_hours: f64,
    pub leavers: u32,
    /// Social workers (not pooled) who left this week, and social workers in post.
    pub social_worker_leavers: u32,
    pub social_workers_in_post: u32,
    /// Case-holding social-worker posts without a permanent holder (vacant, or covered by a
    /// locum), and those covered by a locum.
    pub social_worker_vacancies: u32,
    pub social_worker_locums: u32,
    /// Staff posts (filled or vacant) this week, for the turnover rate.
    pub posts: u32,
    /// Open social-care cases (school and outside) per case-holding social worker FTE in post.
    pub social_worker_caseload: f64,
    /// Tie strength (summed) lost when professionals left.
    pub ties_lost: f64,
    /// Involvements ended because the family withdrew while waiting for a service.
    pub withdrawn: u32,
    /// Share of pairs in post from different agencies with a contact in the last 13 weeks.
    pub recent_contact_share: f64,
    /// Mean local knowledge (0..1) of the agency staff in post.
    pub mean_knowledge: f64,
}

/// Something the scenario's timeline did, for plots and narration.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    pub week: u32,
    pub locality: u32,
    /// The `[[event]]` kind that did it (`EventKind::key`: `restructure`, `leave`, ...).
    pub kind: &'static str,
    pub label: String,
}

/// Something that happened to a child or a professional, recorded only in a narrated run (the
/// trainer's demo): what a room of practitioners would recognise week by week.
#[derive(Debug, Clone, PartialEq)]
pub struct Happening {
    pub week: u32,
    pub locality: u32,
    pub what: What,
}

#[derive(Debug, Clone, PartialEq)]
pub enum What {
    /// School staff noticed a child's need.
    Recognised {
        school: u32,
        child: u32,
        domains: u8,
        severity: f64,
    },
    /// A school's referral was turned down at the door (`assessed` false) or after assessment.
    Rejected {
        school: u32,
        child: u32,
        role: Role,
        assessed: bool,
    },
    /// Help began for a child.
    HelpStarted {
        school: u32,
        child: u32,
        role: Role,
        weeks_waited: u32,
    },
    /// A forum met.
    Meeting {
        present: u32,
        seats: u32,
        discussed: u32,
        lapsed: u32,
    },
    /// Someone left: how many of their cases were handed over with their history, and how many
    /// went back to wait for a new assessment.
    Left {
        role: Role,
        school: Option<u32>,
        handed_over: u32,
        restarted: u32,
        minder: bool,
    },
    /// A newcomer arrived; `inducted` if a minder introduced them.
    Joined {
        role: Role,
        school: Option<u32>,
        inducted: bool,
        minder: bool,
    },
    /// A scheduled event of the scenario.
    Event { label: String },
}

/// The professional network of the first patch at the end of one week of a narrated run (or of
/// a week chosen with `Simulation::with_network_weeks`), for the demo's animation and the
/// network plot.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkFrame {
    pub week: u32,
    /// Every post, in post order.
    pub posts: Vec<FramePost>,
    /// Tie strengths above 0.05, as (post a, post b, strength) with a < b.
    pub ties: Vec<(u32, u32, f32)>,
    /// Children recognised and waiting for help, and being helped, this week.
    pub waiting: u32,
    pub helped: u32,
}

/// One post of a recorded network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FramePost {
    pub role: Role,
    /// The school of a school-based post; `None` for an agency's post.
    pub school: Option<SchoolId>,
    /// Someone holds the post (false: vacant, or cut).
    pub in_post: bool,
    /// It is the system minder's post.
    pub minder: bool,
}

/// A school of a patch as a reader names it: "primary 3", "secondary 1". Primaries come first,
/// as in the patch (`Ord` follows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SchoolId {
    pub secondary: bool,
    /// From 1, within its phase.
    pub number: u32,
}

impl FramePost {
    pub fn new(role: Role, school: Option<SchoolId>, in_post: bool, minder: bool) -> FramePost {
        FramePost {
            role,
            school,
            in_post,
            minder,
        }
    }
}

impl SchoolId {
    pub fn primary(number: u32) -> SchoolId {
        SchoolId {
            secondary: false,
            number,
        }
    }

    pub fn secondary(number: u32) -> SchoolId {
        SchoolId {
            secondary: true,
            number,
        }
    }

    /// The short label of the network picture: "P3", "S1".
    pub fn short(self) -> String {
        format!("{}{}", if self.secondary { 'S' } else { 'P' }, self.number)
    }

    /// Reads a name written by `Display` ("primary 3").
    pub fn parse(text: &str) -> Option<SchoolId> {
        let (phase, number) = text.split_once(' ')?;
        let secondary = match phase {
            "primary" => false,
            "secondary" => true,
            _ => return None,
        };
        let number: u32 = number.parse().ok()?;
        (number >= 1).then_some(SchoolId { secondary, number })
    }
}

impl std::fmt::Display for SchoolId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let phase = if self.secondary {
            "secondary"
        } else {
            "primary"
        };
        write!(f, "{phase} {}", self.number)
    }
}

/// Everything a run produced.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutput {
    pub pupils: u32,
    pub horizon_weeks: u32,
    pub warmup_weeks: u32,
    pub action_window_weeks: u32,
    pub weeks: Vec<WeekRecord>,
    pub episodes: Vec<EpisodeRecord>,
    pub referrals: Vec<ReferralRecord>,
    pub assessments: Vec<AssessmentRecord>,
    pub events: Vec<EventRecord>,
    /// What happened, week by week, in a narrated run (`Simulation::narrated`); empty otherwise.
    pub story: Vec<Happening>,
    /// The first patch's network week by week in a narrated run, at the chosen weeks with
    /// `Simulation::with_network_weeks`; empty otherwise.
    pub network: Vec<NetworkFrame>,
}
