//! Level one: the scenario tree as written, every key and value tagged with where it came from.
//!
//! A file is parsed with `toml::de::DeTable` (which keeps byte spans) and copied into an owned
//! `Table` of `Node`s, each carrying the `Location` of its key and of its value. Layers are merged
//! on this tree (tables key by key, arrays whole), so when the validated `Params` are built later a
//! value that is out of range can still be traced to the file, line and column that set it.
//! Nothing here knows which keys exist or what they mean.

use std::collections::BTreeMap;
use std::sync::Arc;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::error::{Location, Problem, lowercase_first};

/// A table of the tree: keys in sorted order (problems are sorted by line when reported).
pub(crate) type Table = BTreeMap<String, Node>;

/// One key's value with the places its key and its value were written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub value: Value,
    /// Where the value was written (for a table: its `[header]`, or its key for a dotted key).
    pub at: Location,
    /// Where the key was written (for an array element: the element itself).
    pub key_at: Location,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    String(String),
    Integer(i64),
    Float(f64),
    Boolean(bool),
    Datetime(toml::value::Datetime),
    Array(Vec<Node>),
    Table(Table),
}

impl Node {
    pub fn new(value: Value, at: Location) -> Self {
        Node {
            value,
            key_at: at.clone(),
            at,
        }
    }

    pub fn as_table(&self) -> Option<&Table> {
        match &self.value {
            Value::Table(table) => Some(table),
            _ => None,
        }
    }

    pub fn as_table_mut(&mut self) -> Option<&mut Table> {
        match &mut self.value {
            Value::Table(table) => Some(table),
            _ => None,
        }
    }
}

impl Value {
    /// How the value is shown after "found" in a message.
    pub fn found(&self) -> String {
        match self {
            Value::String(text) => quoted_prefix(text),
            Value::Integer(number) => number.to_string(),
            Value::Float(number) => float_text(*number),
            Value::Boolean(flag) => flag.to_string(),
            Value::Datetime(datetime) => format!("the date-time {datetime}"),
            Value::Array(_) => "an array".to_string(),
            Value::Table(_) => "a table".to_string(),
        }
    }

    /// The same value as a plain `toml::Value`, without locations.
    pub fn to_toml(&self) -> toml::Value {
        match self {
            Value::String(text) => toml::Value::String(text.clone()),
            Value::Integer(number) => toml::Value::Integer(*number),
            Value::Float(number) => toml::Value::Float(*number),
            Value::Boolean(flag) => toml::Value::Boolean(*flag),
            Value::Datetime(datetime) => toml::Value::Datetime(*datetime),
            Value::Array(items) => {
                toml::Value::Array(items.iter().map(|item| item.value.to_toml()).collect())
            }
            Value::Table(table) => toml::Value::Table(to_toml_table(table)),
        }
    }
}

/// The tree as a plain `toml::Table`, without locations.
pub(crate) fn to_toml_table(table: &Table) -> toml::Table {
    table
        .iter()
        .map(|(key, node)| (key.clone(), node.value.to_toml()))
        .collect()
}

/// A float as TOML would write it: always with a decimal point or exponent, so `2.0` does not read
/// as the whole number `2` in a message about whole numbers.
pub(crate) fn float_text(number: f64) -> String {
    if number.is_nan() {
        return "nan".to_string();
    }
    if number.is_infinite() {
        return if number > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    let text = number.to_string();
    if text.contains(['.', 'e', 'E']) {
        text
    } else {
        format!("{text}.0")
    }
}

/// One source of keys: a file, the built-in defaults or baseline, or the `--set` options.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    pub name: Arc<str>,
    /// Sort order of this source's problems (see `Location`).
    pub order: u32,
}

impl Source {
    pub fn new(name: &str, order: u32) -> Self {
        Source {
            name: Arc::from(name),
            order,
        }
    }

    /// A location in this source without a line (a problem with the source as a whole).
    pub fn whole(&self) -> Location {
        Location::new(self.name.clone(), self.order, None)
    }
}

/// Converts byte offsets of one text to 1-based lines and character columns.
struct LineIndex<'t> {
    text: &'t str,
    line_starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    fn new(text: &'t str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(at, _)| at + 1));
        LineIndex { text, line_starts }
    }

    fn line_column(&self, byte: usize) -> (u32, u32) {
        let byte = byte.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= byte) - 1;
        let start = self.line_starts[line];
        let column = self
            .text
            .get(start..byte)
            .map_or(byte - start, |prefix| prefix.chars().count());
        (to_u32(line + 1), to_u32(column + 1))
    }
}

fn to_u32(number: usize) -> u32 {
    u32::try_from(number).unwrap_or(u32::MAX)
}

/// Parses one TOML document into a located tree, or lists every syntax problem in it.
pub(crate) fn parse_document(text: &str, source: &Source) -> Result<Table, Vec<Problem>> {
    let lines = LineIndex::new(text);
    let locate = |span: std::ops::Range<usize>| {
        Location::new(
            source.name.clone(),
            source.order,
            Some(lines.line_column(span.start)),
        )
    };
    let (document, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        return Err(errors
            .iter()
            .map(|error| {
                let location = match error.span() {
                    Some(span) => locate(span),
                    None => source.whole(),
                };
                let message = format!("not valid toml: {}", lowercase_first(error.message()));
                Problem::new(location, "", message)
            })
            .collect());
    }
    let mut problems = Vec::new();
    let table = convert_table(document.get_ref(), "", &locate, &mut problems);
    if problems.is_empty() {
        Ok(table)
    } else {
        Err(problems)
    }
}

/// Parses the VALUE of a `--set KEY=VALUE` as a TOML value, or takes it as a string when it is not
/// one (so `coordination.mode=team` works without quotes).
pub(crate) fn parse_set_value(text: &str, at: &Location, key: &str) -> Result<Value, Problem> {
    let locate = |_span: std::ops::Range<usize>| at.clone();
    match DeValue::parse(text.trim()) {
        Ok(value) => {
            let mut problems = Vec::new();
            let node = convert_value(&value, 0..0, key, &locate, &mut problems);
            match problems.into_iter().next() {
                Some(problem) => Err(problem),
                None => Ok(node.value),
            }
        }
        Err(_) => Ok(Value::String(text.to_string())),
    }
}

/// `path.key`, or `key` at the top.
pub(crate) fn join_path(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn convert_table(
    table: &DeTable<'_>,
    path: &str,
    locate: &dyn Fn(std::ops::Range<usize>) -> Location,
    problems: &mut Vec<Problem>,
) -> Table {
    table
        .iter()
        .map(|(key, value)| {
            let key_path = join_path(path, key.get_ref());
            let node = convert_value(value, key.span(), &key_path, locate, problems);
            (key.get_ref().to_string(), node)
        })
        .collect()
}

fn convert_value(
    value: &Spanned<DeValue<'_>>,
    key_span: std::ops::Range<usize>,
    path: &str,
    locate: &dyn Fn(std::ops::Range<usize>) -> Location,
    problems: &mut Vec<Problem>,
) -> Node {
    let at = locate(value.span());
    let converted = match value.get_ref() {
        DeValue::String(text) => Value::String(text.to_string()),
        DeValue::Integer(integer) => match i64::from_str_radix(integer.as_str(), integer.radix()) {
            Ok(number) => Value::Integer(number),
            Err(_) => {
                problems.push(Problem::new(
                    at.clone(),
                    path,
                    format!("must be a whole number that fits in 64 bits, found {integer}"),
                ));
                Value::Integer(0)
            }
        },
        DeValue::Float(float) => match float.as_str().parse::<f64>() {
            Ok(number) => Value::Float(number),
            Err(_) => {
                problems.push(Problem::new(
                    at.clone(),
                    path,
                    format!("must be a number, found {float}"),
                ));
                Value::Float(0.0)
            }
        },
        DeValue::Boolean(flag) => Value::Boolean(*flag),
        DeValue::Datetime(datetime) => Value::Datetime(*datetime),
        DeValue::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(index, item)| {
                    let item_path = join_path(path, &index.to_string());
                    convert_value(item, item.span(), &item_path, locate, problems)
                })
                .collect(),
        ),
        DeValue::Table(table) => Value::Table(convert_table(table, path, locate, problems)),
    };
    Node {
        value: converted,
        at,
        key_at: locate(key_span),
    }
}

/// Lays `upper` over `lower`: tables merge key by key, anything else (arrays included) replaces.
pub(crate) fn merge(lower: &mut Table, upper: Table) {
    for (key, upper_node) in upper {
        match lower.get_mut(&key) {
            Some(lower_node) => match (&mut lower_node.value, upper_node.value) {
                (Value::Table(lower_table), Value::Table(upper_table)) => {
                    merge(lower_table, upper_table);
                    // The table now holds keys from both layers; point at the upper one.
                    lower_node.at = upper_node.at;
                    lower_node.key_at = upper_node.key_at;
                }
                (_, value) => {
                    *lower_node = Node {
                        value,
                        at: upper_node.at,
                        key_at: upper_node.key_at,
                    };
                }
            },
            None => {
                lower.insert(key, upper_node);
            }
        }
    }
}

/// Fills every key the table lacks from `template`, keeping the keys it has.
pub(crate) fn fill_from(table: &mut Table, template: &Table) {
    for (key, node) in template {
        table.entry(key.clone()).or_insert_with(|| node.clone());
    }
}

/// A string quoted for a message: whole when short, else its first 60 characters and its length,
/// so that a 20 MB value does not make a 20 MB message.
fn quoted_prefix(text: &str) -> String {
    const SHOWN: usize = 60;
    let chars = text.chars().count();
    if chars <= SHOWN + 20 {
        return format!("{text:?}");
    }
    let head: String = text.chars().take(SHOWN).collect();
    format!("{head:?}… ({chars} characters)")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Table {
        parse_document(text, &Source::new("t.toml", 1)).expect("valid toml")
    }

    fn line_of(node: &Node) -> (u32, u32) {
        node.at.line_column.expect("a line")
    }

    #[test]
    fn values_keep_their_line_and_column() {
        let table = parse("name = \"x\"\n\n[run]\n  horizon_weeks = 5\n");
        let run = table["run"].as_table().unwrap();
        assert_eq!(line_of(&run["horizon_weeks"]), (4, 19));
        assert_eq!(run["horizon_weeks"].key_at.line_column, Some((4, 3)));
        assert_eq!(line_of(&table["run"]), (3, 1));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let table = parse("t = { a = \"é\", b = 1 }\n");
        let inner = table["t"].as_table().unwrap();
        assert_eq!(line_of(&inner["b"]), (1, 20));
    }

    #[test]
    fn syntax_errors_are_listed_with_their_place() {
        let problems = parse_document("a = 1\na = 2\n", &Source::new("t.toml", 1)).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].to_string(),
            "t.toml:2:1: not valid toml: duplicate key"
        );
    }

    #[test]
    fn integers_too_large_are_problems_not_panics() {
        let problems =
            parse_document("a = 99999999999999999999\n", &Source::new("t.toml", 1)).unwrap_err();
        assert!(
            problems[0].message.contains("fits in 64 bits"),
            "{problems:?}"
        );
    }

    #[test]
    fn tables_merge_key_by_key_and_arrays_replace_whole() {
        let mut lower =
            parse("[run]\na = 1\nb = 2\n[[locality]]\nname = \"x\"\n[[locality]]\nname = \"y\"\n");
        let upper = parse("[run]\nb = 3\n[[locality]]\nprimaries = 2\n");
        merge(&mut lower, upper);
        let merged = to_toml_table(&lower);
        let expected: toml::Table =
            toml::from_str("[run]\na = 1\nb = 3\n[[locality]]\nprimaries = 2\n").unwrap();
        assert_eq!(merged, expected);
    }

    #[test]
    fn a_scalar_replaces_a_table_and_a_table_replaces_a_scalar() {
        let mut lower = parse("run = 1\n[x]\na = 1\n");
        merge(&mut lower, parse("x = 2\n[run]\na = 1\n"));
        let expected: toml::Table = toml::from_str("x = 2\n[run]\na = 1\n").unwrap();
        assert_eq!(to_toml_table(&lower), expected);
    }

    #[test]
    fn fill_from_keeps_what_is_given() {
        let mut table = parse("a = 5\n");
        fill_from(&mut table, &parse("a = 1\nb = 2\n"));
        let expected: toml::Table = toml::from_str("a = 5\nb = 2\n").unwrap();
        assert_eq!(to_toml_table(&table), expected);
    }

    #[test]
    fn set_values_are_toml_or_else_strings() {
        let at = Source::new("--set", 9).whole();
        assert_eq!(parse_set_value("3", &at, "k"), Ok(Value::Integer(3)));
        assert_eq!(parse_set_value(" 0.5 ", &at, "k"), Ok(Value::Float(0.5)));
        assert_eq!(
            parse_set_value("team", &at, "k"),
            Ok(Value::String("team".into()))
        );
        assert_eq!(
            parse_set_value("\"team\"", &at, "k"),
            Ok(Value::String("team".into()))
        );
        assert_eq!(
            parse_set_value("", &at, "k"),
            Ok(Value::String(String::new()))
        );
    }

    #[test]
    fn floats_always_show_a_point() {
        assert_eq!(float_text(2.0), "2.0");
        assert_eq!(float_text(0.25), "0.25");
        assert_eq!(float_text(f64::INFINITY), "inf");
    }
}
