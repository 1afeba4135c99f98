//! Upper bounds on every count and size a scenario or sweep file can give.
//!
//! Each bound is far beyond any real scenario (England has about 150 local authorities, 20,000
//! schools and 8 million pupils; a patch rarely has more than 60 schools) and exists only so that
//! no value a user can type asks the machine for more memory or time than it has. A value above
//! its bound is refused with the usual located error. The bounds are listed in
//! `scenarios/defaults.toml` beside their keys and in docs/model.md ("Upper bounds"); what a
//! scenario within them needs is estimated before a run (`crate::estimate`).

/// Characters in `name` and in a locality's `name`.
pub const NAME_CHARS: usize = 200;
/// Characters in `description`.
pub const DESCRIPTION_CHARS: usize = 2_000;
/// Weeks in `run.horizon_weeks` (100 years), and in any other key counted in weeks.
pub const WEEKS: u64 = 5_200;
/// Network weeks `--network-weeks` may choose at most (the plot has a column per week).
pub const NETWORK_WEEKS: usize = 12;
/// Replicates of a scenario (`run.replicates`) or a sweep point (`sweep.replicates`).
pub const REPLICATES: u64 = 10_000;
/// `[[locality]]` entries in one scenario.
pub const LOCALITIES: usize = 1_000;
/// A locality's `count` of identical copies (England is 3,800 patches).
pub const COPIES: u64 = 10_000;
/// Primaries, or secondaries, in one locality (a whole large authority has about 600 schools).
pub const SCHOOLS: u64 = 1_000;
/// Pupils per school (`primary_pupils`, `secondary_pupils`) and `pastoral_unit_pupils`: the
/// largest English schools have about 3,500.
pub const PUPILS_PER_SCHOOL: u64 = 5_000;
/// Social-care teams or health providers serving one locality (also a restructure's
/// `social_care_teams`).
pub const TEAMS: u64 = 100;
/// A role's `per_primary_fte` or `per_secondary_fte`.
pub const FTE_PER_SCHOOL: f64 = 100.0;
/// A role's `per_1000_pupils_fte` (one full-time worker for every 10 pupils).
pub const FTE_PER_1000_PUPILS: f64 = 100.0;
/// A role's `caseload_cap`.
pub const CASELOAD: u64 = 1_000;
/// Hours in a week: the most any `hours_per_week`, `minder_hours`, `pooled_hours_per_school` or
/// `pooled_unit_hours` can be.
pub const WEEK_HOURS: f64 = 168.0;
/// Individual conversations a pastoral unit's key adults hold with its pupils in a week.
pub const CONTACTS_PER_WEEK: f64 = 10_000.0;
/// Pooled posts a core group can buy in one locality (`pooled_hours_per_school` × schools /
/// `pooled_unit_hours`, rounded down).
pub const POOLED_UNITS: u64 = crate::model::MAX_POOLED_UNITS as u64;
/// `demand.onset_per_1000_year`: one new episode per pupil a year.
pub const ONSET_PER_1000_YEAR: f64 = 1_000.0;
/// `demand.external_referrals_per_10k_year`: one outside referral per pupil a year.
pub const EXTERNAL_PER_10K_YEAR: f64 = 10_000.0;
/// `[[event]]` entries in one scenario.
pub const EVENTS: usize = 10_000;
/// The `fte` of a `post_cut` or `post_added` event, and the people of a `leave` event's `count`.
pub const EVENT_FTE: f64 = 1_000.0;
/// Entries in `coordination.school_seats` or `coordination.agency_seats`.
pub const SEATS: usize = 100;
/// Values from `min` to `max` of a sweep axis's range (`steps`).
pub const SWEEP_STEPS: u64 = 1_000;
/// Points of a sweep: `samples` of an lhs design, or the product of a factorial design's axes.
pub const SWEEP_POINTS: u64 = 1_000_000;
