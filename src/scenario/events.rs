//! The `[[event]]` timeline: which keys each kind takes, and reading the tables into `Event`s.
//!
//! Every event has `week` (from 0 to the last week of the run), `kind`, and optionally `locality`
//! (an index into `[[locality]]`; every locality when absent). The keys of each kind and their
//! defaults are listed at the end of `scenarios/defaults.toml`; this file is their one
//! implementation. Events come out sorted by week, in file order within a week.

use crate::model::{Event, EventKind, ForumMode, LeaveWho, Role};

use super::limits;
use super::raw::{Node, Value};
use super::read::{Reader, Real, Section, Whole};

/// Keys every event may have.
pub(crate) const COMMON_KEYS: [&str; 3] = ["week", "kind", "locality"];

/// Each kind and the keys it takes besides the common ones.
pub(crate) const KINDS: [(&str, &[&str]); 9] = [
    (
        "restructure",
        &["share", "suspend_forum_weeks", "social_care_teams"],
    ),
    ("leave", &["role", "who", "share", "count"]),
    ("threshold", &["role", "value"]),
    ("post_cut", &["role", "fte"]),
    ("post_added", &["role", "fte"]),
    ("minder_appointed", &[]),
    ("minder_withdrawn", &[]),
    ("forum_started", &["mode"]),
    ("forum_stopped", &[]),
];

/// Event keys that hold real numbers (integers written there are read as floats).
pub(crate) const FLOAT_KEYS: [&str; 3] = ["share", "value", "fte"];

/// Restructure defaults: share of staff reassigned, weeks the forums are suspended.
const RESTRUCTURE_SHARE: f64 = 0.3;
const RESTRUCTURE_SUSPEND_WEEKS: u32 = 8;

/// The keys a kind takes besides the common ones, if the kind exists.
pub(crate) fn keys_of_kind(kind: &str) -> Option<&'static [&'static str]> {
    KINDS
        .iter()
        .find(|(name, _)| *name == kind)
        .map(|(_, keys)| *keys)
}

/// What the scenario has already established that events are checked against.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bounds {
    /// Weeks in the run, if `run.horizon_weeks` was valid.
    pub horizon_weeks: Option<u32>,
    /// `[[locality]]` entries, if `locality` was a valid array.
    pub localities: Option<usize>,
}

/// Reads the `event` array (absent means no events), sorted by week and then file order.
pub(crate) fn read_events(
    reader: &mut Reader<'_>,
    root: &Section<'_>,
    bounds: Bounds,
) -> Vec<Event> {
    let Some(node) = root.get("event") else {
        return Vec::new();
    };
    let Value::Array(items) = &node.value else {
        let message = format!(
            "must be an array of [[event]] tables, found {}",
            node.value.found()
        );
        reader.problem(&node.at, "event", message);
        return Vec::new();
    };
    if items.len() > limits::EVENTS {
        let message = format!(
            "must have at most {} [[event]] entries, found {}",
            limits::EVENTS,
            items.len()
        );
        reader.problem(&node.at, "event", message);
        return Vec::new();
    }
    let mut events: Vec<Event> = items
        .iter()
        .enumerate()
        .filter_map(|(index, item)| read_event(reader, item, index, bounds))
        .collect();
    events.sort_by_key(|event| event.week);
    events
}

fn read_event(reader: &mut Reader<'_>, item: &Node, index: usize, bounds: Bounds) -> Option<Event> {
    let path = format!("event.{index}");
    let table = reader.table_of(item, &path)?;
    let section = Section {
        table: Some(table),
        path,
        at: item.at.clone(),
    };
    let week_rule = match bounds.horizon_weeks {
        Some(horizon) => Whole::weeks_at_least(0).below(u64::from(horizon)),
        None => Whole::weeks_at_least(0),
    };
    let week = reader.whole(&section, "week", week_rule);
    let locality = section
        .get("locality")
        .and_then(|node| read_locality(reader, node, &section, bounds));
    let kind = read_kind(reader, &section)?;
    Some(Event {
        week,
        locality,
        kind,
    })
}

fn read_locality(
    reader: &mut Reader<'_>,
    node: &Node,
    section: &Section<'_>,
    bounds: Bounds,
) -> Option<u32> {
    let path = section.key_path("locality");
    let index = reader.whole_of(node, &path, Whole::at_least(0));
    match bounds.localities {
        Some(count) if index >= count as u64 => {
            let allowed = match count {
                0 => "an index of a [[locality]] entry, but there are none".to_string(),
                1 => "0, the index of the only [[locality]] entry".to_string(),
                _ => format!("the index of a [[locality]] entry, from 0 to {}", count - 1),
            };
            reader.problem(&node.at, &path, format!("must be {allowed}, found {index}"));
            None
        }
        _ => u32::try_from(index).ok(),
    }
}

fn read_kind(reader: &mut Reader<'_>, section: &Section<'_>) -> Option<EventKind> {
    let Some(kind_node) = section.get("kind") else {
        let names: Vec<String> = KINDS.iter().map(|(name, _)| format!("{name:?}")).collect();
        let message = format!("must be given (one of {}), found nothing", names.join(", "));
        reader.problem(&section.at, &section.key_path("kind"), message);
        return None;
    };
    let choices: Vec<(&str, &str)> = KINDS.iter().map(|(name, _)| (*name, *name)).collect();
    let kind = reader.choice_of(kind_node, &section.key_path("kind"), &choices)?;
    let roles = Role::ALL.map(|role| (role.key(), role));
    let role = |reader: &mut Reader<'_>| -> Option<Role> {
        let path = section.key_path("role");
        match section.get("role") {
            Some(node) => reader.choice_of(node, &path, &roles),
            None => {
                let message = "must be given (a role key such as \"social_worker\"), found nothing";
                reader.problem(&section.at, &path, message);
                None
            }
        }
    };
    Some(match kind {
        "restructure" => EventKind::Restructure {
            share: optional_real(reader, section, "share", Real::Unit, RESTRUCTURE_SHARE),
            suspend_forum_weeks: match section.get("suspend_forum_weeks") {
                Some(node) => {
                    let path = section.key_path("suspend_forum_weeks");
                    let rule = Whole::weeks_at_least(0).up_to(limits::WEEKS);
                    reader.whole_of(node, &path, rule) as u32
                }
                None => RESTRUCTURE_SUSPEND_WEEKS,
            },
            social_care_teams: section.get("social_care_teams").map(|node| {
                let path = section.key_path("social_care_teams");
                let rule = Whole::at_least(1).up_to(limits::TEAMS).of("teams");
                reader.whole_of(node, &path, rule) as u32
            }),
        },
        "leave" => read_leave(reader, section, &roles)?,
        "threshold" => {
            let role = role(reader);
            let value = reader.real(section, "value", Real::Unit);
            EventKind::Threshold { role: role?, value }
        }
        "post_cut" | "post_added" => {
            let role = role(reader);
            let fte = reader.real(section, "fte", Real::AboveUpTo(0.0, limits::EVENT_FTE));
            let role = role?;
            if kind == "post_cut" {
                EventKind::PostCut { role, fte }
            } else {
                EventKind::PostAdded { role, fte }
            }
        }
        "minder_appointed" => EventKind::MinderAppointed,
        "minder_withdrawn" => EventKind::MinderWithdrawn,
        "forum_started" => {
            let path = section.key_path("mode");
            let modes = [("team", ForumMode::Team), ("network", ForumMode::Network)];
            let mode = match section.get("mode") {
                Some(node) => reader.choice_of(node, &path, &modes)?,
                None => {
                    reader.problem(
                        &section.at,
                        &path,
                        "must be given (\"team\" or \"network\"), found nothing",
                    );
                    return None;
                }
            };
            EventKind::ForumStarted { mode }
        }
        _ => EventKind::ForumStopped,
    })
}

fn read_leave(
    reader: &mut Reader<'_>,
    section: &Section<'_>,
    roles: &[(&str, Role)],
) -> Option<EventKind> {
    let whos = [
        ("most_connected", LeaveWho::MostConnected),
        ("least_connected", LeaveWho::LeastConnected),
        ("any", LeaveWho::Any),
    ];
    let who = match (section.get("role"), section.get("who")) {
        (Some(role), None) => reader
            .choice_of(role, &section.key_path("role"), roles)
            .map(LeaveWho::Role),
        (None, Some(who)) => {
            let chosen = reader.choice_of(
                who,
                &section.key_path("who"),
                &whos.each_ref().map(|(name, who)| (*name, who)),
            );
            chosen.cloned()
        }
        (Some(_), Some(who)) => {
            let message = "a leave event takes `role` or `who`, not both, found both";
            reader.problem(&who.key_at, &section.key_path("who"), message);
            None
        }
        (None, None) => {
            let message = "a leave event must give `role` (a role key) or `who` (\"most_connected\", \
                           \"least_connected\" or \"any\"), found neither";
            reader.problem(&section.at, &section.path, message);
            None
        }
    };
    let share = optional_real(reader, section, "share", Real::Unit, 0.0);
    let count = match section.get("count") {
        Some(node) => reader.whole_of(
            node,
            &section.key_path("count"),
            Whole::at_least(0)
                .up_to(limits::EVENT_FTE as u64)
                .of("people"),
        ) as u32,
        None => 0,
    };
    if share == 0.0 && count == 0 {
        let bad_value = ["share", "count"].iter().any(|key| {
            section.get(key).is_some_and(|node| {
                !matches!(node.value, Value::Integer(0)) && !matches!(node.value, Value::Float(0.0))
            })
        });
        if !bad_value {
            let message = "a leave event must give `share` (above 0, up to 1) or `count` (at least 1), \
                           found neither";
            reader.problem(&section.at, &section.path, message);
        }
        return None;
    }
    Some(EventKind::Leave {
        who: who?,
        share,
        count,
    })
}

fn optional_real(
    reader: &mut Reader<'_>,
    section: &Section<'_>,
    key: &str,
    rule: Real,
    default: f64,
) -> f64 {
    match section.get(key) {
        Some(node) => reader.real_of(node, &section.key_path(key), rule),
        None => default,
    }
}
