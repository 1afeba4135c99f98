//! Which keys a scenario may use: exactly those of `scenarios/defaults.toml`, plus a few families.
//!
//! The defaults file is the single source of truth for keys, so this pass walks the merged tree
//! beside the defaults tree and reports every key the defaults lack, with a "did you mean" when a
//! known key is close (or when the same key exists in another table). The special cases are
//! `turnover.roles.<role>` (any role key, each with the keys of the defaults' social-worker entry),
//! every `[[locality]]` entry (the keys of the defaults' single entry) and `[[event]]` tables, whose
//! keys depend on their `kind`. The same walk turns integers into floats where the default is a
//! float, so the resolved table has one type per key. Types and ranges are checked later, by
//! `build`.

use crate::model::Role;

use super::error::Problem;
use super::events::{COMMON_KEYS, FLOAT_KEYS, KINDS, keys_of_kind};
use super::raw::{Node, Table, Value};
use super::suggest::closest;

/// Reports every unknown key in `table` (against `defaults`) and turns integers into floats where
/// the defaults hold a float.
pub(crate) fn check_known_keys(table: &mut Table, defaults: &Table, problems: &mut Vec<Problem>) {
    let leaves = leaf_paths(defaults, "");
    let checker = Checker { leaves: &leaves };
    checker.table(table, defaults, "", problems);
}

struct Checker<'d> {
    /// Every leaf key path of the defaults, for suggestions across tables.
    leaves: &'d [String],
}

impl Checker<'_> {
    fn table(&self, table: &mut Table, schema: &Table, path: &str, problems: &mut Vec<Problem>) {
        for (key, node) in table.iter_mut() {
            let key_path = join(path, key);
            if path.is_empty() && key == "event" {
                self.events(node, problems);
                continue;
            }
            if path == "turnover.roles" {
                self.turnover_role(key, node, schema, &key_path, problems);
                continue;
            }
            match schema.get(key) {
                Some(known) => self.known(node, known, &key_path, problems),
                None => problems.push(self.unknown(key, node, schema, path)),
            }
        }
    }

    /// A key the defaults have: recurse into tables and arrays of tables, coerce floats.
    fn known(&self, node: &mut Node, known: &Node, path: &str, problems: &mut Vec<Problem>) {
        match (&mut node.value, &known.value) {
            (Value::Table(table), Value::Table(schema)) => {
                self.table(table, schema, path, problems)
            }
            (Value::Array(items), Value::Array(schema_items)) => {
                let Some(Value::Table(template)) = schema_items.first().map(|item| &item.value)
                else {
                    return;
                };
                for (index, item) in items.iter_mut().enumerate() {
                    if let Value::Table(table) = &mut item.value {
                        self.table(table, template, &join(path, &index.to_string()), problems);
                    }
                }
            }
            (value @ Value::Integer(_), Value::Float(_)) => coerce_float(value),
            _ => {}
        }
    }

    /// `turnover.roles.<role>`: any role key, each taking the keys of the defaults' entries.
    fn turnover_role(
        &self,
        key: &str,
        node: &mut Node,
        schema: &Table,
        path: &str,
        problems: &mut Vec<Problem>,
    ) {
        if Role::from_key(key).is_none() {
            let roles = Role::ALL.map(Role::key);
            let message = match closest(key, roles) {
                Some(role) => format!("unknown role, did you mean `{role}`?"),
                None => format!("unknown role; roles are {}", roles.join(", ")),
            };
            problems.push(Problem::new(node.key_at.clone(), path, message));
            return;
        }
        let Some(template) = schema.values().find_map(Node::as_table) else {
            return;
        };
        if let Value::Table(table) = &mut node.value {
            self.table(table, template, path, problems);
        }
    }

    /// `[[event]]` tables: the common keys plus those of the event's kind.
    fn events(&self, node: &mut Node, problems: &mut Vec<Problem>) {
        let Value::Array(items) = &mut node.value else {
            return;
        };
        for (index, item) in items.iter_mut().enumerate() {
            let Value::Table(table) = &mut item.value else {
                continue;
            };
            let kind = match table.get("kind").map(|kind| &kind.value) {
                Some(Value::String(kind)) => keys_of_kind(kind).map(|keys| (kind.clone(), keys)),
                _ => None,
            };
            for (key, node) in table.iter_mut() {
                let path = format!("event.{index}.{key}");
                if FLOAT_KEYS.contains(&key.as_str()) {
                    coerce_float(&mut node.value);
                }
                let message = match &kind {
                    _ if COMMON_KEYS.contains(&key.as_str()) => continue,
                    Some((_, keys)) if keys.contains(&key.as_str()) => continue,
                    // The kind is missing or unknown (reported by `build`): accept any event key.
                    None if KINDS.iter().any(|(_, keys)| keys.contains(&key.as_str())) => continue,
                    Some((kind, keys)) => {
                        let allowed: Vec<&str> =
                            COMMON_KEYS.iter().chain(keys.iter()).copied().collect();
                        let used_by: Vec<&str> = KINDS
                            .iter()
                            .filter(|(_, keys)| keys.contains(&key.as_str()))
                            .map(|(kind, _)| *kind)
                            .collect();
                        match closest(key, allowed.iter().copied()) {
                            Some(near) => {
                                format!("unknown key for kind {kind:?}, did you mean `{near}`?")
                            }
                            None if !used_by.is_empty() => format!(
                                "is not used by kind {kind:?} (it belongs to {}); {kind:?} takes {}",
                                used_by
                                    .iter()
                                    .map(|kind| format!("{kind:?}"))
                                    .collect::<Vec<_>>()
                                    .join(", "),
                                allowed.join(", ")
                            ),
                            None => {
                                format!("unknown key; kind {kind:?} takes {}", allowed.join(", "))
                            }
                        }
                    }
                    None => {
                        let all = COMMON_KEYS
                            .iter()
                            .chain(KINDS.iter().flat_map(|(_, keys)| keys.iter()))
                            .copied();
                        match closest(key, all) {
                            Some(near) => format!("unknown key, did you mean `{near}`?"),
                            None => "unknown key for an event".to_string(),
                        }
                    }
                };
                problems.push(Problem::new(node.key_at.clone(), path, message));
            }
        }
    }

    fn unknown(&self, key: &str, node: &Node, schema: &Table, path: &str) -> Problem {
        let key_path = join(path, key);
        let mut known: Vec<&str> = schema.keys().map(String::as_str).collect();
        if path.is_empty() {
            known.extend(["base", "event"]);
        }
        let message = if let Some(near) = closest(key, known.iter().copied()) {
            format!("unknown key, did you mean `{}`?", join(path, near))
        } else if let Some(elsewhere) = self.same_key_elsewhere(key) {
            format!("unknown key here, did you mean `{elsewhere}`?")
        } else if known.len() <= 12 && !path.is_empty() {
            format!("unknown key; `{path}` takes {}", known.join(", "))
        } else {
            "unknown key; scenarios/defaults.toml lists every key".to_string()
        };
        Problem::new(node.key_at.clone(), key_path, message)
    }

    /// The one defaults key path ending in `key`, if there is exactly one (`horizon_weeks` written
    /// under `[coordination]` suggests `run.horizon_weeks`).
    fn same_key_elsewhere(&self, key: &str) -> Option<&str> {
        let suffix = format!(".{key}");
        let mut found = self
            .leaves
            .iter()
            .filter(|leaf| leaf.ends_with(&suffix) || *leaf == key);
        let first = found.next()?;
        found.next().is_none().then_some(first.as_str())
    }
}

fn coerce_float(value: &mut Value) {
    if let Value::Integer(number) = *value {
        *value = Value::Float(number as f64);
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Every leaf key path of a tree (tables descended, arrays of tables by their first entry without
/// an index, so `[[locality]]` keys read `locality.primaries`).
fn leaf_paths(table: &Table, path: &str) -> Vec<String> {
    let mut leaves = Vec::new();
    for (key, node) in table {
        let key_path = join(path, key);
        match &node.value {
            Value::Table(inner) => leaves.extend(leaf_paths(inner, &key_path)),
            Value::Array(items) => match items.first().and_then(Node::as_table) {
                Some(inner) => leaves.extend(leaf_paths(inner, &key_path)),
                None => leaves.push(key_path),
            },
            _ => leaves.push(key_path),
        }
    }
    leaves
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::raw::{Source, parse_document};

    const DEFAULTS: &str = "name = \"x\"\n[run]\nhorizon_weeks = 208\n\
        [[locality]]\nprimaries = 5\ndeprivation = 0.5\n\
        [coordination]\nmode = \"adhoc\"\nmeeting_interval_weeks = 6\nmeeting_hours = 1.5\n\
        [turnover.roles.social_worker]\nannual_rate = 0.138\nvacancy_weeks = 16.0\n";

    fn check(text: &str) -> (Table, Vec<String>) {
        let defaults = parse_document(DEFAULTS, &Source::new("d", 0)).unwrap();
        let mut table = parse_document(text, &Source::new("s.toml", 1)).unwrap();
        let mut problems = Vec::new();
        check_known_keys(&mut table, &defaults, &mut problems);
        problems.sort_by_key(|problem| problem.location.line_column);
        (table, problems.iter().map(Problem::to_string).collect())
    }

    #[test]
    fn known_keys_pass() {
        let (_, problems) = check(
            "name = \"y\"\n[coordination]\nmode = \"team\"\n[[locality]]\nprimaries = 2\n\
             [turnover.roles.early_help]\nannual_rate = 0.2\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn misspelt_keys_get_a_suggestion() {
        let (_, problems) =
            check("[coordination]\nmeting_interval_weeks = 3\n[[locality]]\nprimary = 2\n");
        assert_eq!(
            problems,
            [
                "s.toml:2:1: coordination.meting_interval_weeks: unknown key, did you mean \
                 `coordination.meeting_interval_weeks`?",
                "s.toml:4:1: locality.0.primary: unknown key, did you mean `locality.0.primaries`?",
            ]
        );
    }

    #[test]
    fn a_key_in_the_wrong_table_points_to_the_right_one() {
        let (_, problems) = check("[coordination]\nhorizon_weeks = 3\n");
        assert_eq!(
            problems,
            [
                "s.toml:2:1: coordination.horizon_weeks: unknown key here, did you mean `run.horizon_weeks`?"
            ]
        );
    }

    #[test]
    fn unknown_keys_without_a_near_miss_list_the_table() {
        let (_, problems) = check("[coordination]\ncolour = \"red\"\nfoo = 1\n");
        assert_eq!(
            problems,
            [
                "s.toml:2:1: coordination.colour: unknown key; `coordination` takes meeting_hours, \
                 meeting_interval_weeks, mode",
                "s.toml:3:1: coordination.foo: unknown key; `coordination` takes meeting_hours, \
                 meeting_interval_weeks, mode",
            ]
        );
    }

    #[test]
    fn turnover_roles_must_be_roles() {
        let (_, problems) = check(
            "[turnover.roles.social_workr]\nannual_rate = 0.2\n[turnover.roles.senco]\nrate = 0.1\n",
        );
        assert_eq!(
            problems,
            [
                "s.toml:1:17: turnover.roles.social_workr: unknown role, did you mean `social_worker`?",
                "s.toml:4:1: turnover.roles.senco.rate: unknown key; `turnover.roles.senco` takes \
                 annual_rate, vacancy_weeks",
            ]
        );
    }

    #[test]
    fn event_keys_depend_on_the_kind() {
        let (_, problems) = check(
            "[[event]]\nweek = 1\nkind = \"leave\"\nrole = \"senco\"\ncount = 1\nvalue = 0.3\n\
             [[event]]\nweek = 2\nkind = \"threshold\"\nrole = \"senco\"\nvalu = 0.3\n\
             [[event]]\nweek = 3\nkind = \"nonsense\"\nshare = 0.3\nwhat = 1\n",
        );
        assert_eq!(
            problems,
            [
                "s.toml:6:1: event.0.value: is not used by kind \"leave\" (it belongs to \"threshold\"); \
                 \"leave\" takes week, kind, locality, role, who, share, count",
                "s.toml:11:1: event.1.valu: unknown key for kind \"threshold\", did you mean `value`?",
                "s.toml:16:1: event.2.what: unknown key for an event",
            ]
        );
    }

    #[test]
    fn integers_become_floats_where_the_default_is_a_float() {
        let (table, problems) =
            check("[coordination]\nmeeting_hours = 2\nmeeting_interval_weeks = 3\n");
        assert!(problems.is_empty());
        let coordination = table["coordination"].as_table().unwrap();
        assert_eq!(coordination["meeting_hours"].value, Value::Float(2.0));
        assert_eq!(
            coordination["meeting_interval_weeks"].value,
            Value::Integer(3)
        );
    }
}
