//! Typed reads from the merged tree, each checking type and range and recording a problem.
//!
//! A read that fails records one problem (what is allowed, what was found, where it was written)
//! and returns a harmless fallback so that reading goes on and every problem is found in one pass;
//! the caller discards the half-built `Params` whenever any problem was recorded.

use super::error::{Location, Problem};
use super::raw::{Node, Table, Value};

/// What a real number may be.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Real {
    /// A probability or share: 0 to 1 inclusive.
    Unit,
    /// Strictly between 0 and 1 (the mean of a beta distribution).
    UnitOpen,
    /// At least this much.
    AtLeast(f64),
    /// Greater than this.
    Above(f64),
    /// From the first to the second, inclusive.
    Between(f64, f64),
    /// Greater than the first, at most the second.
    AboveUpTo(f64, f64),
}

impl Real {
    fn allows(self, number: f64) -> bool {
        number.is_finite()
            && match self {
                Real::Unit => (0.0..=1.0).contains(&number),
                Real::UnitOpen => number > 0.0 && number < 1.0,
                Real::AtLeast(low) => number >= low,
                Real::Above(low) => number > low,
                Real::Between(low, high) => (low..=high).contains(&number),
                Real::AboveUpTo(low, high) => number > low && number <= high,
            }
    }

    fn describe(self) -> String {
        match self {
            Real::Unit => "a number from 0 to 1".to_string(),
            Real::UnitOpen => "a number strictly between 0 and 1".to_string(),
            Real::AtLeast(low) => format!("a number of at least {}", number_text(low)),
            Real::Above(low) => format!("a number greater than {}", number_text(low)),
            Real::Between(low, high) => {
                format!(
                    "a number from {} to {}",
                    number_text(low),
                    number_text(high)
                )
            }
            Real::AboveUpTo(low, high) => format!(
                "a number greater than {} and at most {}",
                number_text(low),
                number_text(high)
            ),
        }
    }
}

/// What a whole number may be: `min..=max`, with a noun for the message ("weeks").
#[derive(Debug, Clone, Copy)]
pub(crate) struct Whole {
    pub min: u64,
    pub max: u64,
    pub noun: &'static str,
}

impl Whole {
    /// At least `min`, at most what a `u32` holds.
    pub const fn at_least(min: u64) -> Self {
        Whole {
            min,
            max: u32::MAX as u64,
            noun: "",
        }
    }

    /// At least `min` weeks.
    pub const fn weeks_at_least(min: u64) -> Self {
        Whole {
            min,
            max: u32::MAX as u64,
            noun: "weeks",
        }
    }

    pub const fn of(self, noun: &'static str) -> Self {
        Whole { noun, ..self }
    }

    /// At most `max`.
    pub const fn up_to(self, max: u64) -> Self {
        Whole { max, ..self }
    }

    pub const fn below(self, limit: u64) -> Self {
        Whole {
            max: limit.saturating_sub(1),
            ..self
        }
    }

    fn describe(self) -> String {
        let noun = if self.noun.is_empty() {
            String::new()
        } else {
            format!(" of {}", self.noun)
        };
        if self.max >= u64::from(u32::MAX) {
            format!("a whole number{noun} of at least {}", self.min)
        } else if self.max < self.min {
            format!(
                "a whole number{noun} from {} to {} (there is none)",
                self.min, self.max
            )
        } else {
            format!("a whole number{noun} from {} to {}", self.min, self.max)
        }
    }
}

fn number_text(number: f64) -> String {
    if number.fract() == 0.0 {
        format!("{number:.0}")
    } else {
        number.to_string()
    }
}

/// A table being read, with its dotted path and where it was written. `table` is `None` when the
/// table is missing or is not a table (already reported): reads from it then return fallbacks
/// silently.
#[derive(Debug, Clone)]
pub(crate) struct Section<'t> {
    pub table: Option<&'t Table>,
    pub path: String,
    pub at: Location,
}

impl<'t> Section<'t> {
    pub fn root(table: &'t Table, at: Location) -> Self {
        Section {
            table: Some(table),
            path: String::new(),
            at,
        }
    }

    pub fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    pub fn get(&self, key: &str) -> Option<&'t Node> {
        self.table.and_then(|table| table.get(key))
    }
}

/// Collects problems while values are read.
pub(crate) struct Reader<'p> {
    pub problems: &'p mut Vec<Problem>,
}

impl<'p> Reader<'p> {
    pub fn new(problems: &'p mut Vec<Problem>) -> Self {
        Reader { problems }
    }

    pub fn problem(&mut self, at: &Location, key: &str, message: impl Into<String>) {
        self.problems.push(Problem::new(at.clone(), key, message));
    }

    /// A key every scenario has (after the defaults are laid under it).
    fn required<'t>(
        &mut self,
        section: &Section<'t>,
        key: &str,
        allowed: &str,
    ) -> Option<&'t Node> {
        let table = section.table?;
        let node = table.get(key);
        if node.is_none() {
            let message = format!("must be given ({allowed}), found nothing");
            self.problem(&section.at, &section.key_path(key), message);
        }
        node
    }

    /// A sub-table.
    pub fn section<'t>(&mut self, parent: &Section<'t>, key: &str) -> Section<'t> {
        let path = parent.key_path(key);
        let Some(node) = self.required(parent, key, "a table") else {
            return Section {
                table: None,
                path,
                at: parent.at.clone(),
            };
        };
        let table = self.table_of(node, &path);
        Section {
            table,
            path,
            at: node.at.clone(),
        }
    }

    /// The node as a table, or a problem.
    pub fn table_of<'t>(&mut self, node: &'t Node, path: &str) -> Option<&'t Table> {
        match &node.value {
            Value::Table(table) => Some(table),
            other => {
                let message = format!("must be a table, found {}", other.found());
                self.problem(&node.at, path, message);
                None
            }
        }
    }

    pub fn real(&mut self, section: &Section<'_>, key: &str, rule: Real) -> f64 {
        let path = section.key_path(key);
        match self.required(section, key, &rule.describe()) {
            Some(node) => self.real_of(node, &path, rule),
            None => 0.0,
        }
    }

    pub fn real_of(&mut self, node: &Node, path: &str, rule: Real) -> f64 {
        let number = match node.value {
            Value::Float(number) => Some(number),
            Value::Integer(number) => Some(number as f64),
            _ => None,
        };
        match number {
            Some(number) if rule.allows(number) => number,
            _ => {
                let message = format!("must be {}, found {}", rule.describe(), node.value.found());
                self.problem(&node.at, path, message);
                0.0
            }
        }
    }

    pub fn whole(&mut self, section: &Section<'_>, key: &str, rule: Whole) -> u32 {
        u32::try_from(self.whole_u64(section, key, rule)).unwrap_or(0)
    }

    pub fn whole_u64(&mut self, section: &Section<'_>, key: &str, rule: Whole) -> u64 {
        let path = section.key_path(key);
        match self.required(section, key, &rule.describe()) {
            Some(node) => self.whole_of(node, &path, rule),
            None => rule.min,
        }
    }

    /// A whole number in `rule`'s range (floats such as `2.0` are not whole numbers here: the
    /// defaults file writes every whole-number key without a point).
    pub fn whole_of(&mut self, node: &Node, path: &str, rule: Whole) -> u64 {
        match node.value {
            Value::Integer(number) => match u64::try_from(number) {
                Ok(number) if (rule.min..=rule.max).contains(&number) => return number,
                _ => {}
            },
            Value::Float(_) => {}
            _ => {}
        }
        let message = format!("must be {}, found {}", rule.describe(), node.value.found());
        self.problem(&node.at, path, message);
        rule.min
    }

    pub fn flag(&mut self, section: &Section<'_>, key: &str) -> bool {
        let path = section.key_path(key);
        let Some(node) = self.required(section, key, "true or false") else {
            return false;
        };
        match node.value {
            Value::Boolean(flag) => flag,
            ref other => {
                let message = format!("must be true or false, found {}", other.found());
                self.problem(&node.at, &path, message);
                false
            }
        }
    }

    pub fn text(&mut self, section: &Section<'_>, key: &str) -> String {
        let path = section.key_path(key);
        match self.required(section, key, "a string") {
            Some(node) => self.text_of(node, &path).unwrap_or_default().to_string(),
            None => String::new(),
        }
    }

    /// A string of at most `max_chars` characters (a longer one is refused; the fallback is empty).
    pub fn text_up_to(&mut self, section: &Section<'_>, key: &str, max_chars: usize) -> String {
        let path = section.key_path(key);
        match self.required(section, key, "a string") {
            Some(node) => self
                .text_of_up_to(node, &path, max_chars)
                .unwrap_or_default()
                .to_string(),
            None => String::new(),
        }
    }

    pub fn text_of_up_to<'t>(
        &mut self,
        node: &'t Node,
        path: &str,
        max_chars: usize,
    ) -> Option<&'t str> {
        let text = self.text_of(node, path)?;
        let chars = text.chars().count();
        if chars > max_chars {
            let message =
                format!("must be a string of at most {max_chars} characters, found {chars}");
            self.problem(&node.at, path, message);
            return None;
        }
        Some(text)
    }

    pub fn text_of<'t>(&mut self, node: &'t Node, path: &str) -> Option<&'t str> {
        match &node.value {
            Value::String(text) => Some(text),
            other => {
                let message = format!("must be a string, found {}", other.found());
                self.problem(&node.at, path, message);
                None
            }
        }
    }

    /// One of a fixed set of strings; the problem lists them, with a suggestion when one is close.
    pub fn choice_of<T: Copy>(
        &mut self,
        node: &Node,
        path: &str,
        choices: &[(&str, T)],
    ) -> Option<T> {
        if let Value::String(text) = &node.value
            && let Some((_, chosen)) = choices.iter().find(|(name, _)| name == text)
        {
            return Some(*chosen);
        }
        let names: Vec<String> = choices
            .iter()
            .map(|(name, _)| format!("{name:?}"))
            .collect();
        let mut message = format!(
            "must be one of {}, found {}",
            names.join(", "),
            node.value.found()
        );
        if let Value::String(text) = &node.value
            && let Some(near) = super::suggest::closest(text, choices.iter().map(|(name, _)| *name))
        {
            message.push_str(&format!(" (did you mean {near:?}?)"));
        }
        self.problem(&node.at, path, message);
        None
    }
}

/// Of two locations, the one the user wrote (not the built-in defaults), to blame for a problem
/// that involves two keys.
pub(crate) fn users<'l>(first: &'l Location, second: &'l Location) -> &'l Location {
    if first.source_order == 0 && second.source_order != 0 {
        second
    } else {
        first
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::raw::{Source, parse_document};

    fn read<T>(text: &str, body: impl FnOnce(&mut Reader, &Section) -> T) -> (T, Vec<String>) {
        let source = Source::new("s.toml", 1);
        let table = parse_document(text, &source).unwrap();
        let mut problems = Vec::new();
        let mut reader = Reader::new(&mut problems);
        let section = Section::root(&table, source.whole());
        let value = body(&mut reader, &section);
        (value, problems.iter().map(Problem::to_string).collect())
    }

    #[test]
    fn integers_are_accepted_where_numbers_are_expected() {
        let (value, problems) = read("a = 1\n", |reader, section| {
            reader.real(section, "a", Real::Unit)
        });
        assert_eq!(value, 1.0);
        assert!(problems.is_empty());
    }

    #[test]
    fn out_of_range_and_wrong_types_say_what_is_allowed() {
        let (_, problems) = read(
            "p = 1.5\nq = \"high\"\nn = -3\nw = 2.0\nm = 0\nb = 1\nf = nan\n[t]\n",
            |reader, section| {
                reader.real(section, "p", Real::Unit);
                reader.real(section, "q", Real::AtLeast(0.0));
                reader.whole(section, "n", Whole::at_least(0));
                reader.whole(section, "w", Whole::at_least(0));
                reader.whole(section, "m", Whole::weeks_at_least(1));
                reader.flag(section, "b");
                reader.real(section, "f", Real::AtLeast(0.0));
                reader.real(section, "t", Real::Above(0.0));
                reader.text(section, "missing");
            },
        );
        assert_eq!(
            problems,
            [
                "s.toml:1:5: p: must be a number from 0 to 1, found 1.5",
                "s.toml:2:5: q: must be a number of at least 0, found \"high\"",
                "s.toml:3:5: n: must be a whole number of at least 0, found -3",
                "s.toml:4:5: w: must be a whole number of at least 0, found 2.0",
                "s.toml:5:5: m: must be a whole number of weeks of at least 1, found 0",
                "s.toml:6:5: b: must be true or false, found 1",
                "s.toml:7:5: f: must be a number of at least 0, found nan",
                "s.toml:8:1: t: must be a number greater than 0, found a table",
                "s.toml: missing: must be given (a string), found nothing",
            ]
        );
    }

    #[test]
    fn choices_suggest_the_closest() {
        let (value, problems) = read("mode = \"teams\"\n", |reader, section| {
            let node = section.get("mode").unwrap();
            reader.choice_of(node, "mode", &[("adhoc", 0), ("team", 1), ("network", 2)])
        });
        assert_eq!(value, None);
        assert_eq!(
            problems,
            [
                "s.toml:1:8: mode: must be one of \"adhoc\", \"team\", \"network\", found \"teams\" (did you mean \"team\"?)"
            ]
        );
    }

    #[test]
    fn bounded_whole_numbers_give_the_range() {
        let (_, problems) = read("week = 208\n", |reader, section| {
            reader.whole(section, "week", Whole::weeks_at_least(0).below(208))
        });
        assert_eq!(
            problems,
            ["s.toml:1:8: week: must be a whole number of weeks from 0 to 207, found 208"]
        );
    }
}
