//! Layering: the built-in defaults, then the base chain, then the file, then `--set` overrides.
//!
//! A file may name a `base` (relative to itself); bases may chain, and a missing base or a cycle is
//! a problem located at the `base` key. Each layer is merged over the one below (tables key by key,
//! arrays whole). `--set KEY=VALUE` overrides walk a dotted path, where a numeric segment indexes an
//! array (`locality.0.primaries=3`), and parse VALUE as TOML or else take it as a string.

use std::path::{Path, PathBuf};

use super::error::{Problem, io_reason};
use super::raw::{self, Node, Source, Table, Value};

/// Sort order of the first `--set` option's problems: after every file (each later option one
/// more, so problems read in the order the options were given).
const FIRST_SET_ORDER: u32 = u32::MAX / 2;

/// The files of one scenario, merged top over bases (without the defaults).
pub(crate) struct FileLayers {
    pub table: Table,
    /// The top file set `name` itself (rather than inheriting it from a base or the defaults).
    pub top_sets_name: bool,
}

/// Reads the scenario file and its chain of bases. `display` is how the file is named in messages;
/// `text` is given for the built-in baseline, read from `path` otherwise.
pub(crate) fn load_files(
    display: &str,
    path: Option<&Path>,
    text: Option<&str>,
    problems: &mut Vec<Problem>,
) -> Option<FileLayers> {
    let mut loader = Loader {
        problems,
        next_order: 1,
    };
    let source = loader.source(display);
    let mut stack = Vec::new();
    let owned_text;
    let text = match (text, path) {
        (Some(text), _) => text,
        (None, Some(path)) => match std::fs::read_to_string(path) {
            Ok(read) => {
                owned_text = read;
                if let Ok(canonical) = path.canonicalize() {
                    stack.push((canonical, display.to_string()));
                }
                owned_text.as_str()
            }
            Err(error) => {
                loader.problems.push(Problem::new(
                    source.whole(),
                    "",
                    format!("cannot read the scenario file: {}", io_reason(&error)),
                ));
                return None;
            }
        },
        (None, None) => return None,
    };
    let display_dir = Path::new(display)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let file_dir = match path {
        Some(path) => path.parent().map(Path::to_path_buf).unwrap_or_default(),
        None => PathBuf::new(),
    };
    let top = raw::parse_document(text, &source);
    let top_sets_name = top.as_ref().is_ok_and(|table| table.contains_key("name"));
    let table = loader.layer(top, &file_dir, &display_dir, &mut stack)?;
    Some(FileLayers {
        table,
        top_sets_name,
    })
}

struct Loader<'p> {
    problems: &'p mut Vec<Problem>,
    next_order: u32,
}

impl Loader<'_> {
    fn source(&mut self, display: &str) -> Source {
        let source = Source::new(display, self.next_order);
        self.next_order += 1;
        source
    }

    /// Takes one parsed file, loads its base chain, and returns the file merged over it.
    /// `stack` holds the canonical paths (and display names) of the files being loaded, to find
    /// cycles.
    fn layer(
        &mut self,
        parsed: Result<Table, Vec<Problem>>,
        file_dir: &Path,
        display_dir: &Path,
        stack: &mut Vec<(PathBuf, String)>,
    ) -> Option<Table> {
        let mut table = match parsed {
            Ok(table) => table,
            Err(problems) => {
                self.problems.extend(problems);
                return None;
            }
        };
        let Some(base_node) = table.remove("base") else {
            return Some(table);
        };
        let Value::String(base_name) = &base_node.value else {
            self.problems.push(Problem::new(
                base_node.at.clone(),
                "base",
                format!(
                    "must be the file name of a scenario to start from, found {}",
                    base_node.value.found()
                ),
            ));
            return None;
        };
        let base_path = file_dir.join(base_name);
        let base_display = display_dir.join(base_name).display().to_string();
        let at = base_node.key_at.clone();
        let text = match std::fs::read_to_string(&base_path) {
            Ok(text) => text,
            Err(error) => {
                self.problems.push(Problem::new(
                    at,
                    "base",
                    format!(
                        "must name a scenario file that can be read, found {base_name:?} \
                         ({base_display}: {})",
                        io_reason(&error)
                    ),
                ));
                return None;
            }
        };
        let canonical = base_path
            .canonicalize()
            .unwrap_or_else(|_| base_path.clone());
        if let Some(first) = stack.iter().position(|(path, _)| *path == canonical) {
            let mut chain: Vec<&str> = stack[first..]
                .iter()
                .map(|(_, name)| name.as_str())
                .collect();
            chain.push(&base_display);
            self.problems.push(Problem::new(
                at,
                "base",
                format!("bases must not form a cycle, found {}", chain.join(" → ")),
            ));
            return None;
        }
        let base_source = self.source(&base_display);
        let parsed = raw::parse_document(&text, &base_source);
        let base_file_dir = base_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let base_display_dir = Path::new(&base_display)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        stack.push((canonical, base_display.clone()));
        let base = self.layer(parsed, &base_file_dir, &base_display_dir, stack);
        stack.pop();
        let mut merged = base?;
        raw::merge(&mut merged, table);
        Some(merged)
    }
}

/// Applies every `--set KEY=VALUE` to the merged tree, in order. Returns whether any set `name`.
pub(crate) fn apply_sets(table: &mut Table, sets: &[String], problems: &mut Vec<Problem>) -> bool {
    apply_sets_as(table, "--set", 0, sets, problems)
}

/// `apply_sets` for the options named `flag` (such as `compare`'s `--set-a`), their problems
/// located at `flag` and sorted after the `before` options given ahead of them.
pub(crate) fn apply_sets_as(
    table: &mut Table,
    flag: &str,
    before: usize,
    sets: &[String],
    problems: &mut Vec<Problem>,
) -> bool {
    let mut sets_name = false;
    for (index, set) in sets.iter().enumerate() {
        let position = u32::try_from(before + index).unwrap_or(u32::MAX);
        let order = FIRST_SET_ORDER.saturating_add(position);
        let at = Source::new(flag, order).whole();
        let Some((key, value_text)) = set.split_once('=') else {
            problems.push(Problem::new(
                at.clone(),
                set.trim(),
                "must be written KEY=VALUE, for example coordination.meeting_interval_weeks=3, \
                 found no `=`",
            ));
            continue;
        };
        let key = key.trim();
        let segments: Vec<&str> = key.split('.').map(str::trim).collect();
        if segments.iter().any(|segment| segment.is_empty()) {
            problems.push(Problem::new(
                at.clone(),
                key,
                "must be a dotted key path such as coordination.meeting_interval_weeks, found an \
                 empty segment",
            ));
            continue;
        }
        if segments == ["base"] {
            problems.push(Problem::new(
                at.clone(),
                key,
                format!("cannot be changed with {flag}: write `base` in the scenario file"),
            ));
            continue;
        }
        let value = match raw::parse_set_value(value_text, &at, key) {
            Ok(value) => value,
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        match set_path(table, &segments, Node::new(value, at.clone())) {
            Ok(()) => sets_name |= segments == ["name"],
            Err(message) => problems.push(Problem::new(at.clone(), key, message)),
        }
    }
    sets_name
}

/// Puts `node` at the dotted path `segments` below `table`, creating missing tables on the way.
pub(crate) fn set_path(table: &mut Table, segments: &[&str], node: Node) -> Result<(), String> {
    let (last, parents) = segments.split_last().expect("at least one segment");
    let mut current = Slot::Table(table);
    let mut walked = String::new();
    for (depth, segment) in parents.iter().enumerate() {
        let next_is_index = segments[depth + 1].parse::<usize>().is_ok();
        let at = node.at.clone();
        current = current.child(segment, &walked, next_is_index, || {
            Node::new(Value::Table(Table::new()), at)
        })?;
        if !walked.is_empty() {
            walked.push('.');
        }
        walked.push_str(segment);
    }
    current.put(last, &walked, node)
}

/// A place in the tree a `--set` path walks through: a table, or an array indexed by number.
enum Slot<'t> {
    Table(&'t mut Table),
    Array(&'t mut Vec<Node>),
}

impl<'t> Slot<'t> {
    fn child(
        self,
        segment: &str,
        walked: &str,
        next_is_index: bool,
        new_table: impl FnOnce() -> Node,
    ) -> Result<Slot<'t>, String> {
        let here = if walked.is_empty() {
            segment.to_string()
        } else {
            format!("{walked}.{segment}")
        };
        let node = match self {
            Slot::Table(table) => {
                if !table.contains_key(segment) {
                    if next_is_index {
                        return Err(format!("there is no `{here}` array to index"));
                    }
                    table.insert(segment.to_string(), new_table());
                }
                table.get_mut(segment).expect("just checked or inserted")
            }
            Slot::Array(items) => {
                let len = items.len();
                let index = array_index(segment, walked, len)?;
                &mut items[index]
            }
        };
        match &mut node.value {
            Value::Table(table) => Ok(Slot::Table(table)),
            Value::Array(items) => Ok(Slot::Array(items)),
            other => Err(format!(
                "`{here}` is {}, not a table, so it has no keys to set",
                other.found()
            )),
        }
    }

    fn put(self, last: &str, walked: &str, node: Node) -> Result<(), String> {
        match self {
            Slot::Table(table) => {
                match table.get_mut(last) {
                    Some(existing) => match (&mut existing.value, node.value) {
                        (Value::Table(lower), Value::Table(upper)) => raw::merge(lower, upper),
                        (_, value) => *existing = Node { value, ..node },
                    },
                    None => {
                        table.insert(last.to_string(), node);
                    }
                }
                Ok(())
            }
            Slot::Array(items) => {
                let index = array_index(last, walked, items.len())?;
                items[index] = node;
                Ok(())
            }
        }
    }
}

fn array_index(segment: &str, walked: &str, len: usize) -> Result<usize, String> {
    match segment.parse::<usize>() {
        Ok(index) if index < len => Ok(index),
        Ok(index) => Err(format!(
            "index {index} is past the end of `{walked}`, which has {len} {}",
            if len == 1 { "entry" } else { "entries" }
        )),
        Err(_) => Err(format!(
            "`{walked}` is an array, so the next segment must be an index from 0, found `{segment}`"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Table {
        raw::parse_document(text, &Source::new("t.toml", 1)).expect("valid toml")
    }

    fn sets(table: &mut Table, sets: &[&str]) -> Vec<String> {
        let sets: Vec<String> = sets.iter().map(|set| set.to_string()).collect();
        let mut problems = Vec::new();
        apply_sets(table, &sets, &mut problems);
        problems.iter().map(Problem::to_string).collect()
    }

    #[test]
    fn set_replaces_values_by_dotted_path() {
        let mut table = parse("[coordination]\nmode = \"adhoc\"\nmeeting_interval_weeks = 6\n");
        let problems = sets(
            &mut table,
            &[
                "coordination.meeting_interval_weeks=3",
                "coordination.mode=team",
            ],
        );
        assert!(problems.is_empty(), "{problems:?}");
        let expected: toml::Table =
            toml::from_str("[coordination]\nmode = \"team\"\nmeeting_interval_weeks = 3\n")
                .unwrap();
        assert_eq!(raw::to_toml_table(&table), expected);
    }

    #[test]
    fn set_indexes_arrays_of_tables_by_number() {
        let mut table = parse("[[locality]]\nprimaries = 5\n[[locality]]\nprimaries = 2\n");
        assert!(sets(&mut table, &["locality.1.primaries=3"]).is_empty());
        let expected: toml::Table =
            toml::from_str("[[locality]]\nprimaries = 5\n[[locality]]\nprimaries = 3\n").unwrap();
        assert_eq!(raw::to_toml_table(&table), expected);
    }

    #[test]
    fn set_creates_missing_tables() {
        let mut table = parse("[turnover]\nannual_rate = 0.1\n");
        assert!(sets(&mut table, &["turnover.roles.early_help.annual_rate=0.2"]).is_empty());
        let expected: toml::Table = toml::from_str(
            "[turnover]\nannual_rate = 0.1\n[turnover.roles.early_help]\nannual_rate = 0.2\n",
        )
        .unwrap();
        assert_eq!(raw::to_toml_table(&table), expected);
    }

    #[test]
    fn set_merges_an_inline_table_and_replaces_an_array() {
        let mut table = parse("[run]\na = 1\nb = 2\n[[locality]]\nprimaries = 5\n");
        let problems = sets(
            &mut table,
            &["run={b = 3}", "locality=[{primaries = 1}, {primaries = 2}]"],
        );
        assert!(problems.is_empty(), "{problems:?}");
        let expected: toml::Table = toml::from_str(
            "[run]\na = 1\nb = 3\n[[locality]]\nprimaries = 1\n[[locality]]\nprimaries = 2\n",
        )
        .unwrap();
        assert_eq!(raw::to_toml_table(&table), expected);
    }

    #[test]
    fn bad_sets_are_problems() {
        let mut table = parse("[coordination]\nmode = \"adhoc\"\n[[locality]]\nprimaries = 5\n");
        let problems = sets(
            &mut table,
            &[
                "coordination.mode",
                "locality.3.primaries=1",
                "locality.x.primaries=1",
                "coordination.mode.kind=1",
                "event.0.week=3",
                "a..b=1",
                "base=x.toml",
            ],
        );
        assert_eq!(
            problems,
            [
                "--set: coordination.mode: must be written KEY=VALUE, for example \
                 coordination.meeting_interval_weeks=3, found no `=`",
                "--set: locality.3.primaries: index 3 is past the end of `locality`, which has 1 entry",
                "--set: locality.x.primaries: `locality` is an array, so the next segment must be \
                 an index from 0, found `x`",
                "--set: coordination.mode.kind: `coordination.mode` is \"adhoc\", not a table, so it \
                 has no keys to set",
                "--set: event.0.week: there is no `event` array to index",
                "--set: a..b: must be a dotted key path such as coordination.meeting_interval_weeks, \
                 found an empty segment",
                "--set: base: cannot be changed with --set: write `base` in the scenario file",
            ]
        );
    }
}
