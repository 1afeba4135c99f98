//! Level two: the merged tree read into the validated `Params`, with every problem recorded.
//!
//! Each key is read with its type and range (`read::Real`, `read::Whole`), then the rules that
//! involve several keys are checked (warm-up shorter than the horizon, at least one school per
//! locality, pupils for each phase present, event weeks and locality indices). Turnover comes from
//! `turnover.roles.<role>` where given, else from `turnover.annual_rate` / `vacancy_weeks`; roles
//! absent from `[thresholds]` (head, SENCO, pastoral lead) get a threshold of 0.

use crate::model::{
    AgencyCoverParams, AssessmentParams, AttendanceParams, CoordinationParams, DemandParams,
    DirectLineParams, Domain, ForumMode, HelpParams, LocalityParams, MinderParams, Params,
    PressureParams, RecognitionParams, Role, RoleParams, SeverityParams, ThresholdParams,
    TieParams,
};

use super::error::{Location, Problem};
use super::events::{Bounds, read_events};
use super::limits;
use super::raw::{Table, Value};
use super::read::{Reader, Real, Section, Whole, users};

/// Everything a scenario file says, validated. Only meaningful when no problem was recorded.
pub(crate) struct Built {
    pub name: String,
    pub description: String,
    pub params: Params,
    pub replicates: u32,
    pub seed: u64,
}

const UNIT: Real = Real::Unit;
const NON_NEGATIVE: Real = Real::AtLeast(0.0);
const POSITIVE: Real = Real::Above(0.0);
const COUNT: Whole = Whole::at_least(0);
/// Primaries or secondaries in a locality.
const SCHOOLS: Whole = COUNT.up_to(limits::SCHOOLS).of("schools");
/// Pupils of a school, or of a pastoral unit.
const PUPILS: Whole = COUNT.up_to(limits::PUPILS_PER_SCHOOL).of("pupils");
/// A number of weeks, from `min` to `limits::WEEKS`.
const fn weeks(min: u64) -> Whole {
    Whole::weeks_at_least(min).up_to(limits::WEEKS)
}
/// Hours in a week: 0 to 168.
/// A role's FTE per school.
const FTE_PER_SCHOOL: Real = Real::Between(0.0, limits::FTE_PER_SCHOOL);
const WEEK_HOURS: Real = Real::Between(0.0, limits::WEEK_HOURS);

/// Reads the merged tree. `at` locates problems with the scenario as a whole.
pub(crate) fn build(table: &Table, at: Location, problems: &mut Vec<Problem>) -> Built {
    let mut reader = Reader::new(problems);
    let root = Section::root(table, at);
    let name = read_name(&mut reader, &root);
    let description = reader.text_up_to(&root, "description", limits::DESCRIPTION_CHARS);

    let run = reader.section(&root, "run");
    let before = reader.problems.len();
    let horizon_weeks = reader.whole(&run, "horizon_weeks", weeks(1));
    let horizon_valid = reader.problems.len() == before;
    let before = reader.problems.len();
    let warmup_weeks = reader.whole(&run, "warmup_weeks", weeks(0));
    if horizon_valid && reader.problems.len() == before && warmup_weeks >= horizon_weeks {
        let warmup_at = run.get("warmup_weeks").map(|node| &node.at);
        let horizon_at = run.get("horizon_weeks").map(|node| &node.at);
        if let (Some(warmup_at), Some(horizon_at)) = (warmup_at, horizon_at) {
            let message = format!(
                "must be shorter than run.horizon_weeks ({horizon_weeks}), found {warmup_weeks}"
            );
            reader.problem(users(warmup_at, horizon_at), "run.warmup_weeks", message);
        }
    }
    let action_window_weeks = reader.whole(&run, "action_window_weeks", weeks(1));
    let replicates = reader.whole(
        &run,
        "replicates",
        Whole::at_least(1).up_to(limits::REPLICATES),
    );
    let seed = reader.whole_u64(
        &run,
        "seed",
        Whole {
            min: 0,
            max: u64::MAX,
            noun: "",
        },
    );

    let localities = read_localities(&mut reader, &root);
    let roles = read_roles(&mut reader, &root);
    let coordination = read_coordination(&mut reader, &root);
    let thresholds = read_thresholds(&mut reader, &root);
    let demand = read_demand(&mut reader, &root);

    let severity = reader.section(&root, "severity");
    let severity = SeverityParams {
        escalation_per_week: reader.real(&severity, "escalation_per_week", UNIT),
        recovery_per_week: reader.real(&severity, "recovery_per_week", UNIT),
        self_resolve_per_week: reader.real(&severity, "self_resolve_per_week", UNIT),
        unmet_floor: reader.real(&severity, "unmet_floor", UNIT),
        close_below: reader.real(&severity, "close_below", UNIT),
        escalation_level: reader.real(&severity, "escalation_level", UNIT),
    };

    let recognition = reader.section(&root, "recognition");
    let recognition = RecognitionParams {
        weekly_at_full: reader.real(&recognition, "weekly_at_full", UNIT),
        contacts_per_week: reader.real(
            &recognition,
            "contacts_per_week",
            Real::Between(0.0, limits::CONTACTS_PER_WEEK),
        ),
        forget_per_week: reader.real(&recognition, "forget_per_week", UNIT),
        holiday_factor: reader.real(&recognition, "holiday_factor", UNIT),
        referral_caution: reader.real(&recognition, "referral_caution", UNIT),
    };

    let assessment = reader.section(&root, "assessment");
    let assessment = AssessmentParams {
        base_working_days: reader.real(&assessment, "base_working_days", POSITIVE),
        duration_sigma: reader.real(&assessment, "duration_sigma", NON_NEGATIVE),
        unfamiliar_slowdown: reader.real(&assessment, "unfamiliar_slowdown", NON_NEGATIVE),
        hours: reader.real(&assessment, "hours", NON_NEGATIVE),
        shared_extra_per_domain: reader.real(&assessment, "shared_extra_per_domain", NON_NEGATIVE),
        screening_noise: reader.real(&assessment, "screening_noise", NON_NEGATIVE),
        referral_quality_noise: reader.real(&assessment, "referral_quality_noise", NON_NEGATIVE),
        screen_margin: reader.real(&assessment, "screen_margin", UNIT),
        poor_quality_rejection: reader.real(&assessment, "poor_quality_rejection", UNIT),
    };

    let help = reader.section(&root, "help");
    let help = HelpParams {
        hours_per_week: reader.real(&help, "hours_per_week", WEEK_HOURS),
        pressure_close_share: reader.real(&help, "pressure_close_share", UNIT),
        early_close_below: reader.real(&help, "early_close_below", UNIT),
        handover_keep_without_minder: reader.real(&help, "handover_keep_without_minder", UNIT),
        rereferral_wait_weeks: reader.real(&help, "rereferral_wait_weeks", NON_NEGATIVE),
        rereferral_severity_rise: reader.real(&help, "rereferral_severity_rise", UNIT),
    };

    let ties = reader.section(&root, "ties");
    let ties = TieParams {
        initial_mean: reader.real(&ties, "initial_mean", UNIT),
        meeting_gain: reader.real(&ties, "meeting_gain", UNIT),
        shared_case_gain: reader.real(&ties, "shared_case_gain", UNIT),
        informal_contact: reader.real(&ties, "informal_contact", UNIT),
        informal_contact_co_located: reader.real(&ties, "informal_contact_co_located", UNIT),
        informal_gain: reader.real(&ties, "informal_gain", UNIT),
        decay_per_week: reader.real(&ties, "decay_per_week", UNIT),
        belonging_group_size: reader.real(&ties, "belonging_group_size", Real::AtLeast(1.0)),
        knowledge_half_weeks: reader.real(&ties, "knowledge_half_weeks", POSITIVE),
    };

    let attendance = reader.section(&root, "attendance");
    let attendance = AttendanceParams {
        base: reader.real(&attendance, "base", UNIT),
        rural: reader.real(&attendance, "rural", UNIT),
        travel_hours: reader.real(&attendance, "travel_hours", NON_NEGATIVE),
        group_size_reference: reader.real(&attendance, "group_size_reference", Real::AtLeast(1.0)),
        tie_lift: reader.real(&attendance, "tie_lift", NON_NEGATIVE),
        lapse_if_absent: reader.real(&attendance, "lapse_if_absent", UNIT),
        lapse_unowned: reader.real(&attendance, "lapse_unowned", UNIT),
    };

    let minder = reader.section(&root, "minder");
    let minder = MinderParams {
        induction_hours: reader.real(&minder, "induction_hours", NON_NEGATIVE),
        chase_hours: reader.real(&minder, "chase_hours", NON_NEGATIVE),
        contact_hours: reader.real(&minder, "contact_hours", POSITIVE),
    };

    let direct_line = reader.section(&root, "direct_line");
    let direct_line = DirectLineParams {
        consult_tie: reader.real(&direct_line, "consult_tie", UNIT),
        initial_tie: reader.real(&direct_line, "initial_tie", UNIT),
    };

    let pressure = reader.section(&root, "pressure");
    let pressure = PressureParams {
        threshold_rise: reader.real(&pressure, "threshold_rise", UNIT),
        disengage_per_week: reader.real(&pressure, "disengage_per_week", UNIT),
    };

    let agency_cover = reader.section(&root, "agency_cover");
    let agency_cover = AgencyCoverParams {
        share: reader.real(&agency_cover, "share", UNIT),
        weeks_to_cover: reader.whole(&agency_cover, "weeks_to_cover", weeks(0)),
        locum_annual_rate: reader.real(&agency_cover, "locum_annual_rate", NON_NEGATIVE),
    };

    if let Some(localities) = &localities {
        check_pool(&mut reader, &root, &coordination, localities);
    }
    let bounds = Bounds {
        horizon_weeks: horizon_valid.then_some(horizon_weeks),
        localities: localities.as_ref().map(Vec::len),
    };
    let events = read_events(&mut reader, &root, bounds);

    Built {
        name,
        description,
        params: Params {
            horizon_weeks,
            warmup_weeks,
            action_window_weeks,
            localities: localities.unwrap_or_default(),
            roles,
            coordination,
            thresholds,
            demand,
            severity,
            recognition,
            assessment,
            help,
            ties,
            attendance,
            minder,
            direct_line,
            pressure,
            agency_cover,
            events,
        },
        replicates,
        seed,
    }
}

/// A core group's pool buys at most `limits::POOLED_UNITS` posts in any locality.
fn check_pool(
    reader: &mut Reader<'_>,
    root: &Section<'_>,
    coordination: &CoordinationParams,
    localities: &[LocalityParams],
) {
    if !coordination.core_group || coordination.pooled_unit_hours <= 0.0 {
        return;
    }
    let Some(schools) = localities
        .iter()
        .map(|locality| locality.primaries + locality.secondaries)
        .max()
    else {
        return;
    };
    let units = (coordination.pooled_hours_per_school * f64::from(schools)
        / coordination.pooled_unit_hours)
        .floor();
    if units > limits::POOLED_UNITS as f64 {
        let section = root.get("coordination");
        let key = |key: &str| {
            section.and_then(|node| match &node.value {
                Value::Table(table) => table.get(key).map(|node| &node.at),
                _ => None,
            })
        };
        let at = match (key("pooled_hours_per_school"), key("pooled_unit_hours")) {
            (Some(pool), Some(unit)) => Some(users(pool, unit)),
            (pool, unit) => pool.or(unit),
        };
        if let Some(at) = at {
            let message = format!(
                "with a core group, must buy at most {} pooled posts in a locality \
                 (pooled_hours_per_school × schools / pooled_unit_hours), found {units:.0} \
                 for {schools} schools",
                limits::POOLED_UNITS
            );
            reader.problem(at, "coordination.pooled_hours_per_school", message);
        }
    }
}

/// The scenario name names the output folder, so it must be usable as one.
fn read_name(reader: &mut Reader<'_>, root: &Section<'_>) -> String {
    let name = reader.text_up_to(root, "name", limits::NAME_CHARS);
    let unusable = name.trim().is_empty()
        || name == "."
        || name == ".."
        || name.contains(['/', '\\'])
        || name.chars().any(char::is_control);
    if unusable
        && let Some(node) = root.get("name")
        && matches!(node.value, Value::String(_))
    {
        let message = format!(
            "must be a name usable as a folder (not empty, no `/` or `\\`, not `.` or `..`), found {name:?}"
        );
        reader.problem(&node.at, "name", message);
    }
    name
}

/// The `[[locality]]` entries, or `None` when `locality` is not a usable array (already reported).
fn read_localities(reader: &mut Reader<'_>, root: &Section<'_>) -> Option<Vec<LocalityParams>> {
    let Some(node) = root.get("locality") else {
        reader.problem(
            &root.at,
            "locality",
            "must have at least one [[locality]] entry, found none",
        );
        return None;
    };
    let Value::Array(items) = &node.value else {
        let message = format!(
            "must be an array of [[locality]] tables, found {}",
            node.value.found()
        );
        reader.problem(&node.at, "locality", message);
        return None;
    };
    if items.is_empty() {
        reader.problem(
            &node.at,
            "locality",
            "must have at least one [[locality]] entry, found none",
        );
    }
    if items.len() > limits::LOCALITIES {
        let message = format!(
            "must have at most {} [[locality]] entries (use `count` for copies), found {}",
            limits::LOCALITIES,
            items.len()
        );
        reader.problem(&node.at, "locality", message);
        return None;
    }
    let mut localities = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let path = format!("locality.{index}");
        let table = reader.table_of(item, &path);
        let section = Section {
            table,
            path,
            at: item.at.clone(),
        };
        localities.push(read_locality(reader, &section));
    }
    Some(localities)
}

fn read_locality(reader: &mut Reader<'_>, section: &Section<'_>) -> LocalityParams {
    let before = reader.problems.len();
    let locality = LocalityParams {
        name: reader.text_up_to(section, "name", limits::NAME_CHARS),
        count: reader.whole(
            section,
            "count",
            Whole::at_least(1).up_to(limits::COPIES).of("copies"),
        ),
        primaries: reader.whole(section, "primaries", SCHOOLS),
        secondaries: reader.whole(section, "secondaries", SCHOOLS),
        primary_pupils: reader.whole(section, "primary_pupils", PUPILS),
        secondary_pupils: reader.whole(section, "secondary_pupils", PUPILS),
        pastoral_unit_pupils: reader.whole(section, "pastoral_unit_pupils", PUPILS),
        deprivation: reader.real(section, "deprivation", UNIT),
        rural: reader.flag(section, "rural"),
        co_located: reader.flag(section, "co_located"),
        social_care_teams: reader.whole(
            section,
            "social_care_teams",
            Whole::at_least(1).up_to(limits::TEAMS).of("teams"),
        ),
        health_providers: reader.whole(
            section,
            "health_providers",
            Whole::at_least(1).up_to(limits::TEAMS).of("providers"),
        ),
        consultation_teams: Vec::new(),
    };
    let schools_per_team = reader.whole(
        section,
        "schools_per_team",
        COUNT.up_to(2 * limits::SCHOOLS).of("schools"),
    );
    let explicit = section.get("consultation_teams");
    let mut locality = locality;
    if reader.problems.len() != before || section.table.is_none() {
        return locality;
    }
    let n_schools = locality.primaries + locality.secondaries;
    locality.consultation_teams = match explicit {
        Some(node) => read_consultation_teams(
            reader,
            node,
            &section.key_path("consultation_teams"),
            n_schools,
        ),
        None => Vec::new(),
    };
    if locality.consultation_teams.is_empty() {
        let per_team = if schools_per_team == 0 {
            n_schools.max(1)
        } else {
            schools_per_team
        };
        locality.consultation_teams = (0..n_schools)
            .collect::<Vec<u32>>()
            .chunks(per_team as usize)
            .map(<[u32]>::to_vec)
            .collect();
    }
    if locality.primaries + locality.secondaries == 0 {
        let at = users(
            &section.get("primaries").expect("read above").at,
            &section.get("secondaries").expect("read above").at,
        );
        let message = "must have at least one school (primaries plus secondaries), found 0";
        reader.problem(at, &section.path, message);
    }
    for (schools, pupils, key, phase) in [
        (
            locality.primaries,
            locality.primary_pupils,
            "primary_pupils",
            "primaries",
        ),
        (
            locality.secondaries,
            locality.secondary_pupils,
            "secondary_pupils",
            "secondaries",
        ),
    ] {
        if schools > 0 && pupils == 0 {
            let node = section.get(key).expect("read above");
            let message =
                format!("must be at least 1 when the locality has {phase} ({schools}), found 0");
            reader.problem(&node.at, &section.key_path(key), message);
        }
    }
    locality
}

/// `consultation_teams = [[1, 2], [3, 4, 5, 6]]`: the schools of each team, numbered from 1 with
/// the primaries first, every school in exactly one team. An empty list leaves the teams to
/// `schools_per_team`. Returns 0-based indices.
fn read_consultation_teams(
    reader: &mut Reader<'_>,
    node: &crate::scenario::raw::Node,
    path: &str,
    n_schools: u32,
) -> Vec<Vec<u32>> {
    let shape = "an array of teams, each an array of school numbers (1 to the number of schools, primaries first)";
    let Value::Array(teams) = &node.value else {
        let message = format!("must be {shape}, found {}", node.value.found());
        reader.problem(&node.at, path, message);
        return Vec::new();
    };
    let longest = teams.iter().map(|team| match &team.value {
        Value::Array(schools) => schools.len(),
        _ => 0,
    });
    if teams.len() > n_schools.max(1) as usize
        || longest.max().unwrap_or(0) > n_schools.max(1) as usize
    {
        let message = format!(
            "must have at most as many teams, and each team at most as many schools, as the \
             locality has schools ({n_schools}), found {} teams of up to {} schools",
            teams.len(),
            teams
                .iter()
                .map(|team| match &team.value {
                    Value::Array(schools) => schools.len(),
                    _ => 0,
                })
                .max()
                .unwrap_or(0)
        );
        reader.problem(&node.at, path, message);
        return Vec::new();
    }
    let mut seen = vec![false; n_schools as usize];
    let mut out = Vec::with_capacity(teams.len());
    for (t, team) in teams.iter().enumerate() {
        let team_path = format!("{path}.{t}");
        let Value::Array(schools) = &team.value else {
            let message = format!(
                "must be an array of school numbers, found {}",
                team.value.found()
            );
            reader.problem(&team.at, &team_path, message);
            continue;
        };
        if schools.is_empty() {
            reader.problem(
                &team.at,
                &team_path,
                "must name at least one school, found none",
            );
        }
        let mut members = Vec::with_capacity(schools.len());
        for school in schools {
            let number = reader.whole_of(
                school,
                &team_path,
                Whole {
                    min: 1,
                    max: u64::from(n_schools.max(1)),
                    noun: "school number",
                },
            );
            let index = (number.max(1) - 1) as usize;
            if index < seen.len() {
                if seen[index] {
                    let message =
                        format!("names school {number} twice: each school belongs to one team");
                    reader.problem(&school.at, &team_path, message);
                }
                seen[index] = true;
            }
            members.push(index as u32);
        }
        out.push(members);
    }
    if !teams.is_empty()
        && let Some(missing) = seen.iter().position(|&s| !s)
    {
        let message = format!(
            "leaves school {} without a team: every school (1 to {n_schools}, primaries first) belongs to one",
            missing + 1
        );
        reader.problem(&node.at, path, message);
    }
    out
}

/// A list of roles (`school_seats`, `agency_seats`): each a role key allowed by `allowed`.
fn read_roles_list(
    reader: &mut Reader<'_>,
    section: &Section<'_>,
    key: &str,
    allowed: impl Fn(Role) -> bool,
) -> Vec<Role> {
    let path = section.key_path(key);
    let choices: Vec<(&str, Role)> = Role::ALL
        .into_iter()
        .filter(|&role| allowed(role))
        .map(|role| (role.key(), role))
        .collect();
    let Some(node) = section.get(key) else {
        reader.problem(
            &section.at,
            &path,
            "must be given (an array of roles), found nothing",
        );
        return Vec::new();
    };
    let Value::Array(items) = &node.value else {
        let message = format!("must be an array of roles, found {}", node.value.found());
        reader.problem(&node.at, &path, message);
        return Vec::new();
    };
    if items.len() > limits::SEATS {
        let message = format!(
            "must list at most {} roles, found {}",
            limits::SEATS,
            items.len()
        );
        reader.problem(&node.at, &path, message);
        return Vec::new();
    }
    let mut roles = Vec::with_capacity(items.len());
    for item in items {
        if let Some(role) = reader.choice_of(item, &path, &choices)
            && !roles.contains(&role)
        {
            roles.push(role);
        }
    }
    roles
}

/// `workforce.<role>` with each role's turnover.
fn read_roles(reader: &mut Reader<'_>, root: &Section<'_>) -> [RoleParams; Role::COUNT] {
    let workforce = reader.section(root, "workforce");
    let turnover = reader.section(root, "turnover");
    let annual_rate = reader.real(&turnover, "annual_rate", UNIT);
    let vacancy_weeks = reader.real(&turnover, "vacancy_weeks", NON_NEGATIVE);
    let overrides = turnover
        .get("roles")
        .map(|_| reader.section(&turnover, "roles"));
    Role::ALL.map(|role| {
        let section = reader.section(&workforce, role.key());
        let own_turnover = overrides.as_ref().and_then(|overrides| {
            overrides.get(role.key())?;
            Some(reader.section(overrides, role.key()))
        });
        let turnover_value =
            |reader: &mut Reader<'_>, key: &str, rule: Real, fallback: f64| match &own_turnover {
                Some(own) if own.get(key).is_some() => reader.real(own, key, rule),
                _ => fallback,
            };
        RoleParams {
            per_primary_fte: reader.real(&section, "per_primary_fte", FTE_PER_SCHOOL),
            per_secondary_fte: reader.real(&section, "per_secondary_fte", FTE_PER_SCHOOL),
            per_1000_pupils_fte: reader.real(
                &section,
                "per_1000_pupils_fte",
                Real::Between(0.0, limits::FTE_PER_1000_PUPILS),
            ),
            caseload_cap: f64::from(reader.whole(
                &section,
                "caseload_cap",
                COUNT.up_to(limits::CASELOAD).of("cases"),
            )),
            hours_per_week: reader.real(&section, "hours_per_week", WEEK_HOURS),
            annual_turnover: turnover_value(reader, "annual_rate", UNIT, annual_rate),
            vacancy_weeks: turnover_value(reader, "vacancy_weeks", NON_NEGATIVE, vacancy_weeks),
        }
    })
}

fn read_coordination(reader: &mut Reader<'_>, root: &Section<'_>) -> CoordinationParams {
    let section = reader.section(root, "coordination");
    let modes = [
        ("adhoc", ForumMode::AdHoc),
        ("team", ForumMode::Team),
        ("network", ForumMode::Network),
    ];
    let mode = match section.get("mode") {
        Some(node) => reader.choice_of(node, &section.key_path("mode"), &modes),
        None => {
            reader.text(&section, "mode");
            None
        }
    };
    CoordinationParams {
        mode: mode.unwrap_or(ForumMode::AdHoc),
        school_seats: read_roles_list(reader, &section, "school_seats", |role| {
            matches!(role, Role::Head | Role::Senco | Role::PastoralLead)
        }),
        agency_seats: read_roles_list(reader, &section, "agency_seats", |role| {
            !matches!(role, Role::Head | Role::Senco | Role::PastoralLead)
        }),
        meeting_interval_weeks: reader.whole(&section, "meeting_interval_weeks", weeks(1)),
        case_minutes: reader.real(&section, "case_minutes", NON_NEGATIVE),
        meeting_hours: reader.real(&section, "meeting_hours", NON_NEGATIVE),
        purposeful: reader.flag(&section, "purposeful"),
        membership_change: reader.real(&section, "membership_change", UNIT),
        minder: reader.flag(&section, "minder"),
        minder_hours: reader.real(&section, "minder_hours", WEEK_HOURS),
        minder_funded_by: {
            let mut funders: Vec<(&str, Option<Role>)> = vec![("extra", None)];
            funders.extend(
                Role::ALL
                    .into_iter()
                    .filter(|role| role.agency() != crate::model::Agency::School)
                    .map(|role| (role.key(), Some(role))),
            );
            match section.get("minder_funded_by") {
                Some(node) => reader
                    .choice_of(node, &section.key_path("minder_funded_by"), &funders)
                    .flatten(),
                None => {
                    reader.text(&section, "minder_funded_by");
                    None
                }
            }
        },
        referral_hours: reader.real(&section, "referral_hours", NON_NEGATIVE),
        consultation_hours: reader.real(&section, "consultation_hours", NON_NEGATIVE),
        handover_hours: reader.real(&section, "handover_hours", NON_NEGATIVE),
        induction_hours: reader.real(&section, "induction_hours", NON_NEGATIVE),
        direct_line: reader.flag(&section, "direct_line"),
        step_down_share: reader.real(&section, "step_down_share", UNIT),
        core_group: reader.flag(&section, "core_group"),
        core_group_interval_weeks: reader.whole(&section, "core_group_interval_weeks", weeks(1)),
        pooled_hours_per_school: reader.real(&section, "pooled_hours_per_school", WEEK_HOURS),
        pooled_unit_hours: reader.real(
            &section,
            "pooled_unit_hours",
            Real::AboveUpTo(0.0, limits::WEEK_HOURS),
        ),
    }
}

fn read_thresholds(reader: &mut Reader<'_>, root: &Section<'_>) -> ThresholdParams {
    let section = reader.section(root, "thresholds");
    let by_role = Role::ALL.map(|role| match section.get(role.key()) {
        Some(_) => reader.real(&section, role.key(), UNIT),
        None => 0.0,
    });
    ThresholdParams {
        by_role,
        urgent: reader.real(&section, "urgent", UNIT),
    }
}

fn read_demand(reader: &mut Reader<'_>, root: &Section<'_>) -> DemandParams {
    let section = reader.section(root, "demand");
    let domains = reader.section(&section, "domains");
    DemandParams {
        onset_per_1000_year: reader.real(
            &section,
            "onset_per_1000_year",
            Real::Between(0.0, limits::ONSET_PER_1000_YEAR),
        ),
        deprivation_gradient: reader.real(&section, "deprivation_gradient", NON_NEGATIVE),
        vulnerability_sigma: reader.real(&section, "vulnerability_sigma", NON_NEGATIVE),
        domain_probability: Domain::ALL.map(|domain| reader.real(&domains, domain.key(), UNIT)),
        severity_mean: reader.real(&section, "severity_mean", Real::UnitOpen),
        severity_concentration: reader.real(&section, "severity_concentration", POSITIVE),
        external_referrals_per_10k_year: reader.real(
            &section,
            "external_referrals_per_10k_year",
            Real::Between(0.0, limits::EXTERNAL_PER_10K_YEAR),
        ),
        external_severity_mean: reader.real(&section, "external_severity_mean", Real::UnitOpen),
        external_severity_concentration: reader.real(
            &section,
            "external_severity_concentration",
            POSITIVE,
        ),
        external_case_weeks: reader.real(&section, "external_case_weeks", NON_NEGATIVE),
    }
}
