//! The `[sweep]` table of a sweep file, read into a `SweepSpec` with every problem located.
//!
//! ```toml
//! [sweep]
//! design = "factorial"        # or "zip" or "lhs"
//! replicates = 10             # default: the base scenario's run.replicates
//! samples = 50                # lhs only
//! [sweep.axes]
//! "coordination.meeting_interval_weeks" = [3, 6, 13]
//! "turnover.annual_rate" = { min = 0.05, max = 0.35, steps = 4, also = ["turnover.roles.social_worker.annual_rate"] }
//! ```
//!
//! An axis is keyed by the dotted path of a scenario key (quoted, or written as nested tables, so
//! that `--set sweep.axes.coordination.minder=[false,true]` works too). Its value is a list, a
//! table `{ values = [...] }`, or a range `{ min, max, steps }` (`{ min, max }` for `lhs`, which
//! draws `samples` values); `also` names further keys set to the same value at every point (one
//! column, several keys: the general turnover rate and the social workers' own). Axes are kept in
//! the order they were written. Whether the keys exist and the values are allowed is checked
//! later, against the scenario (`plan`), so that those problems name the scenario's rules.

use crate::scenario::limits;
use crate::scenario::{Location, Node, Problem, ScenarioTree, Value, closest};

/// How the points of a sweep are made from its axes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DesignKind {
    /// Every combination of the axes' values; the last axis varies fastest.
    Factorial,
    /// The i-th value of every axis together: axes of equal length, one point per value.
    Zip,
    /// A Latin hypercube of `samples` points: each axis's range cut into `samples` strata of equal
    /// width, one point in each stratum of each axis, strata paired at random (seeded).
    Lhs,
}

impl DesignKind {
    pub fn key(self) -> &'static str {
        match self {
            DesignKind::Factorial => "factorial",
            DesignKind::Zip => "zip",
            DesignKind::Lhs => "lhs",
        }
    }

    const ALL: [DesignKind; 3] = [DesignKind::Factorial, DesignKind::Zip, DesignKind::Lhs];
}

/// One axis as written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AxisSpec {
    /// Dotted path of the scenario key; names the axis's column in the output.
    pub key: String,
    /// Further keys set to the same value at every point.
    pub also: Vec<String>,
    pub values: AxisValues,
    /// Where the axis's key was written.
    pub key_at: Location,
}

/// The values of an axis as written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum AxisValues {
    /// Given one by one, each with its place.
    List(Vec<Node>),
    /// From `min` to `max`: `steps` evenly spaced values (factorial, zip), or strata (lhs).
    /// `whole` when both bounds were written as whole numbers: values are then rounded to whole
    /// numbers if the key's default is one too (decided in `plan`).
    Range {
        min: f64,
        max: f64,
        steps: Option<u32>,
        whole: bool,
        at: Location,
    },
}

impl AxisValues {
    /// The number of values a factorial or zip design takes from the axis.
    pub fn len(&self) -> u64 {
        match self {
            AxisValues::List(items) => items.len() as u64,
            AxisValues::Range { steps, .. } => u64::from(steps.unwrap_or(0)),
        }
    }
}

/// The `[sweep]` table, read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SweepSpec {
    pub design: DesignKind,
    pub replicates: u32,
    /// Points of an `lhs` design.
    pub samples: Option<u32>,
    pub axes: Vec<AxisSpec>,
}

const SWEEP_KEYS: [&str; 4] = ["design", "replicates", "samples", "axes"];
const AXIS_KEYS: [&str; 5] = ["values", "min", "max", "steps", "also"];

/// Reads the `[sweep]` table taken out of `tree`; `default_replicates` is the base scenario's.
pub(crate) fn read_spec(
    tree: &ScenarioTree,
    default_replicates: u32,
    problems: &mut Vec<Problem>,
) -> Option<SweepSpec> {
    let Some(node) = tree.extra("sweep") else {
        problems.push(Problem::new(
            tree.whole().clone(),
            "sweep",
            "a sweep file must have a [sweep] table with `design` and `[sweep.axes]`, found none",
        ));
        return None;
    };
    let Value::Table(table) = &node.value else {
        problems.push(Problem::new(
            node.at.clone(),
            "sweep",
            format!("must be a table, found {}", node.value.found()),
        ));
        return None;
    };
    let before = problems.len();
    for (key, child) in table {
        if !SWEEP_KEYS.contains(&key.as_str()) {
            problems.push(unknown_key(
                &format!("sweep.{key}"),
                key,
                &SWEEP_KEYS,
                child,
            ));
        }
    }

    let design = match table.get("design") {
        None => DesignKind::Factorial,
        Some(node) => match &node.value {
            Value::String(text) => match DesignKind::ALL.iter().find(|kind| kind.key() == text) {
                Some(kind) => *kind,
                None => {
                    problems.push(Problem::new(
                        node.at.clone(),
                        "sweep.design",
                        format!("must be one of \"factorial\", \"zip\", \"lhs\", found {text:?}"),
                    ));
                    DesignKind::Factorial
                }
            },
            other => {
                problems.push(Problem::new(
                    node.at.clone(),
                    "sweep.design",
                    format!(
                        "must be one of \"factorial\", \"zip\", \"lhs\", found {}",
                        other.found()
                    ),
                ));
                DesignKind::Factorial
            }
        },
    };
    let replicates = match table.get("replicates") {
        None => default_replicates,
        Some(node) => positive_count(
            node,
            "sweep.replicates",
            "replicates",
            limits::REPLICATES,
            problems,
        )
        .unwrap_or(1),
    };
    let samples = table.get("samples").and_then(|node| {
        positive_count(
            node,
            "sweep.samples",
            "samples",
            limits::SWEEP_POINTS,
            problems,
        )
    });
    match (design, table.get("samples")) {
        (DesignKind::Lhs, None) => problems.push(Problem::new(
            node.at.clone(),
            "sweep.samples",
            "must be given for an lhs design (the number of points, at least 1), found nothing",
        )),
        (DesignKind::Factorial | DesignKind::Zip, Some(given)) => problems.push(Problem::new(
            given.key_at.clone(),
            "sweep.samples",
            format!(
                "is only for an lhs design (a {} design takes its points from the axes), found {}",
                design.key(),
                given.value.found()
            ),
        )),
        _ => {}
    }

    let mut axes = Vec::new();
    match table.get("axes") {
        None => {}
        Some(node) => match &node.value {
            Value::Table(axes_table) => {
                read_axes(axes_table, "", design, &mut axes, problems);
            }
            other => problems.push(Problem::new(
                node.at.clone(),
                "sweep.axes",
                format!(
                    "must be a table of axes keyed by dotted scenario keys, found {}",
                    other.found()
                ),
            )),
        },
    }
    axes.sort_by(|a, b| {
        location_order(&a.key_at)
            .cmp(&location_order(&b.key_at))
            .then_with(|| a.key.cmp(&b.key))
    });
    let mut keys_seen: Vec<&str> = Vec::new();
    for axis in &axes {
        for key in std::iter::once(&axis.key).chain(&axis.also) {
            if keys_seen.contains(&key.as_str()) {
                problems.push(Problem::new(
                    axis.key_at.clone(),
                    axis_path(&axis.key),
                    format!(
                        "each key may be varied by one axis only, found `{key}` set by two axes"
                    ),
                ));
            } else {
                keys_seen.push(key);
            }
        }
    }
    if design == DesignKind::Zip
        && let Some(first) = axes.first()
    {
        let length = first.values.len();
        for axis in &axes[1..] {
            if axis.values.len() != length {
                problems.push(Problem::new(
                    axis.key_at.clone(),
                    axis_path(&axis.key),
                    format!(
                        "a zip design needs every axis to have as many values as the first \
                         (`{}` has {length}), found {}",
                        first.key,
                        axis.values.len()
                    ),
                ));
            }
        }
    }
    if problems.len() > before {
        return None;
    }
    Some(SweepSpec {
        design,
        replicates,
        samples,
        axes,
    })
}

/// The line (from 1) of the `sweep` table when the file at `path` is a sweep file: TOML with a
/// top-level `sweep` key. `None` for anything else, including a file that cannot be read or parsed,
/// whose own loader then says why. `run`, `compare`, `demo` and `check` ask, so that a sweep file
/// given to them is pointed at `patchwork sweep` rather than refused for an unknown key.
pub fn sweep_table_line(path: &std::path::Path) -> Option<usize> {
    let text = std::fs::read_to_string(path).ok()?;
    let table: toml::Table = text.parse().ok()?;
    table.get("sweep")?;
    let starts_the_table = |line: &str| {
        let line = line.trim_start();
        ["[sweep]", "[sweep.", "sweep.", "sweep ", "sweep="]
            .iter()
            .any(|start| line.starts_with(start))
    };
    Some(
        text.lines()
            .position(starts_the_table)
            .map_or(1, |index| index + 1),
    )
}

/// How an axis is named in messages: `sweep.axes."coordination.minder"`.
pub fn axis_path(key: &str) -> String {
    format!("sweep.axes.\"{key}\"")
}

fn location_order(location: &Location) -> (u32, u32, u32) {
    let (line, column) = location.line_column.unwrap_or((0, 0));
    (location.source_order, line, column)
}

fn unknown_key(path: &str, key: &str, known: &[&str], node: &Node) -> Problem {
    let message = match closest(key, known.iter().copied()) {
        Some(near) => format!("unknown key, did you mean `{near}`?"),
        None => format!("unknown key; it takes {}", known.join(", ")),
    };
    Problem::new(node.key_at.clone(), path, message)
}

/// A whole number from 1 to `max` (at most `u32::MAX`).
fn positive_count(
    node: &Node,
    path: &str,
    noun: &str,
    max: u64,
    problems: &mut Vec<Problem>,
) -> Option<u32> {
    let max = max.min(u64::from(u32::MAX));
    match &node.value {
        Value::Integer(number) if *number >= 1 && (*number as u64) <= max => Some(*number as u32),
        other => {
            problems.push(Problem::new(
                node.at.clone(),
                path,
                format!(
                    "must be a whole number of {noun} from 1 to {max}, found {}",
                    other.found()
                ),
            ));
            None
        }
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Reads every axis below `table`, whose keys are `prefix`-relative dotted paths. A table with
/// none of the axis keys is a level of nesting (`[sweep.axes.coordination]`).
fn read_axes(
    table: &crate::scenario::RawTable,
    prefix: &str,
    design: DesignKind,
    axes: &mut Vec<AxisSpec>,
    problems: &mut Vec<Problem>,
) {
    for (key, node) in table {
        let path = join(prefix, key);
        match &node.value {
            Value::Array(items) => {
                if let Some(values) = read_list(items, &path, node, problems) {
                    axes.push(AxisSpec {
                        key: path,
                        also: Vec::new(),
                        values,
                        key_at: node.key_at.clone(),
                    });
                }
            }
            Value::Table(inner) if inner.keys().any(|key| AXIS_KEYS.contains(&key.as_str())) => {
                if let Some(axis) = read_axis_table(inner, &path, node, design, problems) {
                    axes.push(axis);
                }
            }
            Value::Table(inner) if !inner.is_empty() => {
                read_axes(inner, &path, design, axes, problems)
            }
            other => problems.push(Problem::new(
                node.at.clone(),
                axis_path(&path),
                format!(
                    "must be a list of values, {{ values = [...] }} or a range {{ min, max{} }}, \
                     found {}",
                    if design == DesignKind::Lhs {
                        ""
                    } else {
                        ", steps"
                    },
                    other.found()
                ),
            )),
        }
    }
}

fn read_list(
    items: &[Node],
    path: &str,
    node: &Node,
    problems: &mut Vec<Problem>,
) -> Option<AxisValues> {
    if items.is_empty() {
        problems.push(Problem::new(
            node.at.clone(),
            axis_path(path),
            "must list at least one value, found an empty list",
        ));
        return None;
    }
    let mut good = true;
    for item in items {
        if matches!(item.value, Value::Array(_) | Value::Table(_)) {
            problems.push(Problem::new(
                item.at.clone(),
                axis_path(path),
                format!(
                    "must list single values (numbers, true or false, text), found {}",
                    item.value.found()
                ),
            ));
            good = false;
        }
    }
    good.then(|| AxisValues::List(items.to_vec()))
}

fn number(node: &Node) -> Option<(f64, bool)> {
    match node.value {
        Value::Integer(number) => Some((number as f64, true)),
        Value::Float(number) if number.is_finite() => Some((number, false)),
        _ => None,
    }
}

fn read_axis_table(
    table: &crate::scenario::RawTable,
    path: &str,
    node: &Node,
    design: DesignKind,
    problems: &mut Vec<Problem>,
) -> Option<AxisSpec> {
    let before = problems.len();
    let named = axis_path(path);
    for (key, child) in table {
        if !AXIS_KEYS.contains(&key.as_str()) {
            problems.push(unknown_key(
                &format!("{named}.{key}"),
                key,
                &AXIS_KEYS,
                child,
            ));
        }
    }
    let mut also = Vec::new();
    if let Some(also_node) = table.get("also") {
        match &also_node.value {
            Value::Array(items) if !items.is_empty() => {
                for item in items {
                    match &item.value {
                        Value::String(text) if !text.is_empty() => also.push(text.clone()),
                        other => problems.push(Problem::new(
                            item.at.clone(),
                            format!("{named}.also"),
                            format!(
                                "must list dotted scenario keys as text, found {}",
                                other.found()
                            ),
                        )),
                    }
                }
            }
            other => problems.push(Problem::new(
                also_node.at.clone(),
                format!("{named}.also"),
                format!(
                    "must be a list of dotted scenario keys set to the axis's value, found {}",
                    match other {
                        Value::Array(_) => "an empty list".to_string(),
                        other => other.found(),
                    }
                ),
            )),
        }
    }

    let has_range = ["min", "max", "steps"]
        .iter()
        .any(|key| table.contains_key(*key));
    let values = match (table.get("values"), has_range) {
        (Some(values), true) => {
            problems.push(Problem::new(
                values.key_at.clone(),
                format!("{named}.values"),
                "takes either `values` or a range (`min`, `max`), not both, found both",
            ));
            None
        }
        (Some(values), false) => match &values.value {
            Value::Array(items) => read_list(items, path, values, problems),
            other => {
                problems.push(Problem::new(
                    values.at.clone(),
                    format!("{named}.values"),
                    format!("must be a list of values, found {}", other.found()),
                ));
                None
            }
        },
        (None, true) => read_range(table, &named, node, design, problems),
        (None, false) => {
            problems.push(Problem::new(
                node.at.clone(),
                named.clone(),
                "must give `values` or a range (`min`, `max`), found neither",
            ));
            None
        }
    };
    if problems.len() > before {
        return None;
    }
    Some(AxisSpec {
        key: path.to_string(),
        also,
        values: values?,
        key_at: node.key_at.clone(),
    })
}

fn read_range(
    table: &crate::scenario::RawTable,
    named: &str,
    node: &Node,
    design: DesignKind,
    problems: &mut Vec<Problem>,
) -> Option<AxisValues> {
    let mut bound = |key: &str| -> Option<(f64, bool)> {
        let Some(bound_node) = table.get(key) else {
            problems.push(Problem::new(
                node.at.clone(),
                format!("{named}.{key}"),
                "must be given (a number) in a range, found nothing",
            ));
            return None;
        };
        let read = number(bound_node);
        if read.is_none() {
            problems.push(Problem::new(
                bound_node.at.clone(),
                format!("{named}.{key}"),
                format!("must be a number, found {}", bound_node.value.found()),
            ));
        }
        read
    };
    let min = bound("min");
    let max = bound("max");
    let steps = match (design, table.get("steps")) {
        (DesignKind::Lhs, Some(steps)) => {
            problems.push(Problem::new(
                steps.key_at.clone(),
                format!("{named}.steps"),
                format!(
                    "is for factorial and zip designs; an lhs design takes `samples` in [sweep], \
                     found {}",
                    steps.value.found()
                ),
            ));
            None
        }
        (DesignKind::Lhs, None) => None,
        (_, None) => {
            problems.push(Problem::new(
                node.at.clone(),
                format!("{named}.steps"),
                "must be given in a range (the number of values from min to max, at least 1), \
                 found nothing",
            ));
            None
        }
        (_, Some(steps)) => positive_count(
            steps,
            &format!("{named}.steps"),
            "steps",
            limits::SWEEP_STEPS,
            problems,
        ),
    };
    let ((min, min_whole), (max, max_whole)) = (min?, max?);
    if min > max {
        let max_node = &table["max"];
        let min_node = &table["min"];
        problems.push(Problem::new(
            min_node.at.clone(),
            format!("{named}.min"),
            format!(
                "must be at most max ({}), found {}",
                max_node.value.found(),
                min_node.value.found()
            ),
        ));
        return None;
    }
    if design != DesignKind::Lhs && steps.is_none() {
        return None;
    }
    Some(AxisValues::Range {
        min,
        max,
        steps,
        whole: min_whole && max_whole,
        at: node.at.clone(),
    })
}
