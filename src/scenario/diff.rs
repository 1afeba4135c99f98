//! What differs between two resolved scenarios, key by key, so `compare` can open by saying what
//! was compared. Both sides are `Scenario::resolved` (every default filled in, every option
//! applied), so a key differs only when the runs really differ in it.

use super::raw;

/// The keys left out of a difference: they name and describe a scenario without changing a run.
const NAMING_KEYS: [&str; 2] = ["name", "description"];

/// One resolved key whose value differs, each side as TOML would write it (`None`: the key is not
/// there, such as a timeline event only one side has).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDifference {
    /// The dotted key, an array of tables indexed from 0 (`event.0.week`).
    pub key: String,
    pub a: Option<String>,
    pub b: Option<String>,
}

/// The resolved keys whose values differ between `a` and `b`, in key order (the names and
/// descriptions left out). Tables are followed key by key and arrays of tables entry by entry;
/// any other array is one value.
pub fn differences(a: &toml::Table, b: &toml::Table) -> Vec<KeyDifference> {
    let mut found = Vec::new();
    let (a, b) = (without_naming(a), without_naming(b));
    differ_tables("", &a, &b, &mut found);
    found
}

fn without_naming(table: &toml::Table) -> toml::Table {
    let mut table = table.clone();
    for key in NAMING_KEYS {
        table.remove(key);
    }
    table
}

fn differ_tables(prefix: &str, a: &toml::Table, b: &toml::Table, found: &mut Vec<KeyDifference>) {
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        differ_values(&raw::join_path(prefix, key), a.get(key), b.get(key), found);
    }
}

fn is_table_array(value: Option<&toml::Value>) -> bool {
    match value {
        Some(toml::Value::Array(items)) => items.iter().all(toml::Value::is_table),
        None => true,
        Some(_) => false,
    }
}

fn differ_values(
    key: &str,
    a: Option<&toml::Value>,
    b: Option<&toml::Value>,
    found: &mut Vec<KeyDifference>,
) {
    if a == b {
        return;
    }
    match (a, b) {
        (Some(toml::Value::Table(a)), Some(toml::Value::Table(b))) => {
            differ_tables(key, a, b, found);
        }
        (Some(toml::Value::Table(a)), None) => differ_tables(key, a, &toml::Table::new(), found),
        (None, Some(toml::Value::Table(b))) => differ_tables(key, &toml::Table::new(), b, found),
        _ if is_table_array(a) && is_table_array(b) => {
            let items = |value: Option<&toml::Value>| -> Vec<toml::Value> {
                value
                    .and_then(toml::Value::as_array)
                    .cloned()
                    .unwrap_or_default()
            };
            let (a, b) = (items(a), items(b));
            for index in 0..a.len().max(b.len()) {
                differ_values(
                    &raw::join_path(key, &index.to_string()),
                    a.get(index),
                    b.get(index),
                    found,
                );
            }
        }
        _ => found.push(KeyDifference {
            key: key.to_string(),
            a: a.map(toml::Value::to_string),
            b: b.map(toml::Value::to_string),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        text.parse().expect("valid toml")
    }

    fn keys(found: &[KeyDifference]) -> Vec<&str> {
        found
            .iter()
            .map(|difference| difference.key.as_str())
            .collect()
    }

    #[test]
    fn the_same_scenario_under_two_names_has_no_differences() {
        let a = table("name = \"a\"\ndescription = \"x\"\n[run]\nseed = 1\n");
        let b = table("name = \"b\"\ndescription = \"y\"\n[run]\nseed = 1\n");
        assert!(differences(&a, &b).is_empty());
    }

    #[test]
    fn nested_keys_and_events_are_listed_side_by_side() {
        let a = table("event = []\n[coordination]\nmode = \"adhoc\"\nminder = false\n");
        let b = table(
            "[coordination]\nmode = \"team\"\nminder = false\n[[event]]\nweek = 286\nkind = \"restructure\"\n",
        );
        let found = differences(&a, &b);
        assert_eq!(
            keys(&found),
            ["coordination.mode", "event.0.kind", "event.0.week"]
        );
        assert_eq!(found[0].a.as_deref(), Some("\"adhoc\""));
        assert_eq!(found[0].b.as_deref(), Some("\"team\""));
        assert_eq!(found[2].a, None);
        assert_eq!(found[2].b.as_deref(), Some("286"));
    }

    #[test]
    fn a_plain_array_is_one_value() {
        let a = table("teams = [[1, 2], [3]]\n");
        let b = table("teams = [[1], [2, 3]]\n");
        let found = differences(&a, &b);
        assert_eq!(keys(&found), ["teams"]);
    }
}
