//! Problems found in a scenario, each with where it was written, and the error that lists them all.
//!
//! A `Problem` is one line of the report: the file, line and column where the offending key or
//! value was written (when known), the dotted key path, and a message saying what is allowed and
//! what was found. `ScenarioError` holds every problem found in one load, so a user fixes a file in
//! one pass instead of one error at a time.

use std::fmt;
use std::sync::Arc;

/// Where a key or value came from: a file (with line and column when known) or a `--set` option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file as the user named it (or the built-in name, or `--set`).
    pub source: Arc<str>,
    /// Order in which the source was opened: the top file first, then its bases, `--set` last.
    /// Used to sort problems so that they read in the order the user wrote them.
    pub(crate) source_order: u32,
    /// 1-based line and column (in characters), when known.
    pub line_column: Option<(u32, u32)>,
}

impl Location {
    pub(crate) fn new(
        source: Arc<str>,
        source_order: u32,
        line_column: Option<(u32, u32)>,
    ) -> Self {
        Location {
            source,
            source_order,
            line_column,
        }
    }

    /// Sort key: source, then line, then column.
    fn sort_key(&self) -> (u32, u32, u32) {
        let (line, column) = self.line_column.unwrap_or((0, 0));
        (self.source_order, line, column)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line_column {
            Some((line, column)) => write!(f, "{}:{line}:{column}", self.source),
            None => write!(f, "{}", self.source),
        }
    }
}

/// One thing wrong with a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub location: Location,
    /// Dotted key path (`coordination.meeting_interval_weeks`, `locality.0.primaries`); empty when
    /// the problem is with the file as a whole.
    pub key: String,
    /// What is allowed and what was found: lowercase, no trailing period.
    pub message: String,
}

impl Problem {
    pub(crate) fn new(
        location: Location,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Problem {
            location,
            key: shortened(key.into()),
            message: message.into(),
        }
    }
}

/// A key path longer than 200 characters cut to its first 100 and its length, so that a
/// megabyte-long key does not make a megabyte-long message.
fn shortened(key: String) -> String {
    const LONGEST: usize = 200;
    if key.len() <= LONGEST {
        return key;
    }
    let chars = key.chars().count();
    if chars <= LONGEST {
        return key;
    }
    let head: String = key.chars().take(LONGEST / 2).collect();
    format!("{head}… ({chars} characters)")
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            write!(f, "{}: {}", self.location, self.message)
        } else {
            write!(f, "{}: {}: {}", self.location, self.key, self.message)
        }
    }
}

/// Everything wrong with a scenario, one problem per line of its `Display`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", display_lines(.problems))]
pub struct ScenarioError {
    /// Never empty; in the order the user wrote them (top file, its bases, then `--set`).
    pub problems: Vec<Problem>,
}

impl ScenarioError {
    /// Sorts the problems by where they were written and drops exact duplicates.
    pub(crate) fn new(mut problems: Vec<Problem>) -> Self {
        debug_assert!(!problems.is_empty());
        problems.sort_by_key(|problem| problem.location.sort_key());
        problems.dedup();
        ScenarioError { problems }
    }
}

fn display_lines(problems: &[Problem]) -> String {
    let lines: Vec<String> = problems.iter().map(Problem::to_string).collect();
    lines.join("\n")
}

/// An I/O error's reason in the house style: lowercase, without the `(os error N)` suffix.
pub(crate) fn io_reason(error: &std::io::Error) -> String {
    let text = match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => error.to_string(),
    };
    let text = match text.find(" (os error") {
        Some(at) => text[..at].to_string(),
        None => text,
    };
    lowercase_first(&text)
}

/// The text with its first character lowercased (for messages from other libraries).
pub(crate) fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(source: &str, order: u32, line_column: Option<(u32, u32)>) -> Location {
        Location::new(Arc::from(source), order, line_column)
    }

    #[test]
    fn display_is_one_line_per_problem_sorted_by_place() {
        let error = ScenarioError::new(vec![
            Problem::new(
                at("x.toml", 1, Some((9, 1))),
                "run.seed",
                "must be a whole number",
            ),
            Problem::new(at("--set", 9, None), "a", "unknown key"),
            Problem::new(at("x.toml", 1, Some((2, 5))), "", "not valid toml"),
        ]);
        assert_eq!(
            error.to_string(),
            "x.toml:2:5: not valid toml\nx.toml:9:1: run.seed: must be a whole number\n--set: a: unknown key"
        );
    }

    #[test]
    fn io_reasons_are_lowercase_without_os_error() {
        let error = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(io_reason(&error), "no such file or directory");
        assert_eq!(
            lowercase_first("Is a directory (os error 21)"),
            "is a directory (os error 21)"
        );
    }
}
