//! A loaded, validated sweep and its plan of runs: which point and replicate each run index is,
//! which runs a shard owns, and the scenario of each point.
//!
//! Run `run` is replicate `run % replicates` of point `run / replicates` (replicates inner), so a
//! point's runs are contiguous and its summary can be written as soon as they are done. Replicate
//! `r` of every point runs from `replicate_seed(master seed, r)`: common random numbers, so
//! differences between points are paired. A shard `I/N` owns a contiguous block of whole points,
//! `floor((I-1)·P/N) .. floor(I·P/N)`, so shards concatenated in order are the whole sweep.

use std::path::Path;

use rayon::prelude::*;
use serde_json::json;

use crate::model::rng;
use crate::posterior::{Posterior, checksum};
use crate::scenario::{BuiltIn, Node, Problem, Scenario, ScenarioError, ScenarioTree, Value};

pub use crate::batch::shard::Shard;

use super::design::Design;
use super::spec::{AxisSpec, AxisValues, DesignKind, SweepSpec, axis_path, read_spec};

/// The built-in headline sweep, run by `patchwork sweep` without a file.
const HEADLINE_TOML: &str = include_str!("../../../scenarios/headline-sweep.toml");
const HEADLINE_NAME: &str = "headline-sweep.toml (built in)";

/// A sweep ready to run.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// Names the output folder (the file's `name`, else its stem).
    pub name: String,
    pub description: String,
    /// The base scenario every point starts from.
    pub base: Scenario,
    pub(crate) design: Design,
    pub replicates: u32,
    /// The base scenario's `run.seed`; a point that sweeps `run.seed` uses its own.
    pub master_seed: u64,
    /// Identifies the sweep (base, design, seed) across shards and resumes: 32 hex digits.
    pub hash: String,
    /// The design as recorded in `metadata.json`.
    pub resolved_design: serde_json::Value,
    /// The posterior each run draws its parameters from (`--posterior`), if any.
    pub posterior: Option<Posterior>,
    tree: ScenarioTree,
}

impl Sweep {
    /// Loads the sweep file at `path` (the built-in headline sweep when `None`) with `sets`
    /// applied, checks every axis against the scenario's keys and every value against its rules,
    /// and lists every problem at once.
    pub fn load(path: Option<&Path>, sets: &[String]) -> Result<Sweep, ScenarioError> {
        let built_in = BuiltIn {
            name: HEADLINE_NAME,
            text: HEADLINE_TOML,
        };
        let tree = ScenarioTree::load(path, built_in, sets, &["sweep"])?;
        let mut problems = Vec::new();
        let base = match tree.build() {
            Ok(base) => Some(base),
            Err(error) => {
                problems.extend(error.problems);
                None
            }
        };
        let default_replicates = base.as_ref().map_or(1, |base| base.replicates);
        let spec = read_spec(&tree, default_replicates, &mut problems);
        let (Some(base), Some(spec)) = (base, spec) else {
            return Err(ScenarioError::new(problems));
        };
        let whole_key = |key: &str| matches!(tree.node_at(key), Some(node) if matches!(node.value, Value::Integer(_)));
        for axis in &spec.axes {
            let before = problems.len();
            check_axis(&tree, axis, &mut problems);
            if problems.len() == before {
                check_values(&tree, axis, &whole_key, &mut problems);
            }
        }
        if !problems.is_empty() {
            return Err(ScenarioError::new(problems));
        }
        let Some(design) = Design::generate(&spec, &whole_key, base.seed, &mut problems) else {
            return Err(ScenarioError::new(problems));
        };
        if design.points <= CHECK_EVERY_POINT_UP_TO {
            check_points(&tree, &design, &mut problems);
        }
        if design
            .points
            .checked_mul(u64::from(spec.replicates))
            .is_none()
        {
            problems.push(Problem::new(
                tree.whole().clone(),
                "sweep.replicates",
                "points times replicates must fit in 64 bits, found more",
            ));
        }
        if !problems.is_empty() {
            return Err(ScenarioError::new(problems));
        }
        let resolved_design = resolved_design(&spec, &design);
        let hash = sweep_hash(&base, &resolved_design);
        Ok(Sweep {
            name: base.name.clone(),
            description: base.description.clone(),
            master_seed: base.seed,
            replicates: spec.replicates,
            base,
            design,
            hash,
            resolved_design,
            posterior: None,
            tree,
        })
    }

    /// The sweep with each run drawing its parameters from `posterior` (replicate `r` the row
    /// `posterior.draw` of its seed). A `--set` (of `sets`) or an axis on a key the posterior sets
    /// is refused, and every row is checked against the base scenario before anything runs. The
    /// posterior's checksum joins the sweep's hash, so `--resume` and `merge` refuse a sweep run
    /// with another posterior, or none.
    pub fn with_posterior(
        mut self,
        posterior: Posterior,
        sets: &[String],
    ) -> Result<Sweep, ScenarioError> {
        posterior.check_sets(sets)?;
        posterior.check_keys(
            self.design.axes.iter().flat_map(|axis| {
                std::iter::once(axis.key.as_str()).chain(axis.also.iter().map(String::as_str))
            }),
            "the sweep axis",
        )?;
        let problems: Vec<Problem> = (0..posterior.rows())
            .into_par_iter()
            .filter_map(|row| {
                let error = self.tree.build_with(&posterior.nodes(row)).err()?;
                Some(posterior.relocate(row, error))
            })
            .flat_map_iter(|error| error.problems)
            .collect();
        if !problems.is_empty() {
            return Err(ScenarioError::new(problems));
        }
        self.hash = checksum(format!("{} {}", self.hash, posterior.checksum).as_bytes());
        self.posterior = Some(posterior);
        Ok(self)
    }

    pub fn design_kind(&self) -> DesignKind {
        self.design.kind
    }

    pub fn points(&self) -> u64 {
        self.design.points
    }

    pub fn runs(&self) -> u64 {
        self.design.points * u64::from(self.replicates)
    }

    /// The axes' keys, in column order.
    pub fn axis_keys(&self) -> Vec<&str> {
        self.design
            .axes
            .iter()
            .map(|axis| axis.key.as_str())
            .collect()
    }

    /// The scenario of one point: the base with each axis's value (and its `also` keys) set.
    pub fn point_scenario(&self, point: u64) -> Result<Scenario, ScenarioError> {
        self.point_scenario_drawn(point, None)
    }

    /// The scenario of one point under the posterior's row `row` (its values set after the
    /// axes'), or of the point alone when `None`.
    pub fn point_scenario_drawn(
        &self,
        point: u64,
        row: Option<usize>,
    ) -> Result<Scenario, ScenarioError> {
        let values = self.design.point_values(point);
        let mut sets: Vec<(&str, Node)> = Vec::new();
        for (axis, node) in self.design.axes.iter().zip(values) {
            sets.push((axis.key.as_str(), node.clone()));
            for also in &axis.also {
                sets.push((also.as_str(), node.clone()));
            }
        }
        if let (Some(posterior), Some(row)) = (&self.posterior, row) {
            sets.extend(posterior.nodes(row));
        }
        self.tree.build_with(&sets)
    }

    /// The axis values of a point as written in the output files.
    pub fn point_texts(&self, point: u64) -> Vec<String> {
        self.design
            .point_values(point)
            .into_iter()
            .map(|node| cell_text(&node.value))
            .collect()
    }
}

/// A swept value as written in the sweep's CSV cells: as `value_text`, but a boolean as `TRUE`
/// or `FALSE`, which R's `read.csv` and pandas both read as logical (`true` is text to R).
pub fn cell_text(value: &Value) -> String {
    match value {
        Value::Boolean(flag) => crate::output::csv::format_bool(*flag).to_string(),
        other => value_text(other),
    }
}

/// The seed of replicate `replicate` of a point whose scenario has `master_seed`.
pub fn run_seed(master_seed: u64, replicate: u32) -> u64 {
    rng::replicate_seed(master_seed, u64::from(replicate))
}

/// A value as a scenario file or `--set` spells it (`true`, `0.15`, `"team"` without quotes).
pub fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Integer(number) => number.to_string(),
        Value::Float(number) => crate::output::csv::format_float(*number),
        Value::Boolean(flag) => flag.to_string(),
        Value::Datetime(datetime) => datetime.to_string(),
        Value::Array(_) | Value::Table(_) => value.to_toml().to_string(),
    }
}

/// Checks that an axis's keys name single values of the scenario. A key the merged scenario
/// lacks may still be allowed (a `turnover.roles.<role>` override): the scenario's own key check
/// decides, and its "unknown key" verdict is reported at the axis.
fn check_axis(tree: &ScenarioTree, axis: &AxisSpec, problems: &mut Vec<Problem>) {
    let probe = match &axis.values {
        AxisValues::List(items) => items[0].clone(),
        AxisValues::Range { min, at, .. } => Node::new(Value::Float(*min), at.clone()),
    };
    for key in std::iter::once(&axis.key).chain(&axis.also) {
        let problem = |message: String| Problem::new(axis.key_at.clone(), axis_path(key), message);
        if key.split('.').any(str::is_empty) {
            problems.push(problem(format!(
                "must be a dotted scenario key such as coordination.meeting_interval_weeks, \
                 found `{key}`"
            )));
            continue;
        }
        if let Some(node) = tree.node_at(key) {
            if matches!(node.value, Value::Table(_) | Value::Array(_)) {
                problems.push(problem(format!(
                    "must name a single scenario value, found `{key}`, which is {}",
                    if matches!(node.value, Value::Table(_)) {
                        "a table"
                    } else {
                        "a list"
                    }
                )));
            }
            continue;
        }
        let Err(error) = tree.build_with(&[(key.as_str(), probe.clone())]) else {
            continue;
        };
        let related = |problem_key: &str| {
            key == problem_key
                || key.starts_with(&format!("{problem_key}."))
                || problem_key.starts_with(&format!("{key}."))
        };
        // Problems that are not about the key itself (a value of the wrong type for a role's
        // turnover override) are left to `check_levels`.
        for reported in error.problems {
            // `set_path`'s messages (through a value that is not a table, past the end of a
            // list) are the only ones at the probe that do not say what a value "must" be.
            let from_set = reported.location == probe.at
                && reported.key == *key
                && !reported.message.starts_with("must");
            let unknown = reported.message.starts_with("unknown key");
            if related(&reported.key) && (unknown || from_set) {
                let detail = if reported.key == *key {
                    reported.message
                } else {
                    format!("{}: {}", reported.key, reported.message)
                };
                problems.push(problem(format!(
                    "must name a scenario key, found `{key}` ({detail})"
                )));
            }
        }
    }
}

/// Sweeps of up to this many points have every point's scenario built when loaded, so that a
/// combination of values that is not allowed (a warm-up longer than the horizon) is reported
/// before anything runs; a larger sweep builds each point as it runs it and records a point
/// that fails in `failures.csv`.
const CHECK_EVERY_POINT_UP_TO: u64 = 10_000;

/// Points whose problems are listed in full; the rest are counted.
const POINTS_LISTED: usize = 5;

/// Builds every point's scenario (in parallel) and reports the problems of those that fail, each
/// with the point's values.
fn check_points(tree: &ScenarioTree, design: &Design, problems: &mut Vec<Problem>) {
    let failing: Vec<(u64, ScenarioError)> = (0..design.points)
        .into_par_iter()
        .filter_map(|point| {
            let values = design.point_values(point);
            let mut sets: Vec<(&str, Node)> = Vec::new();
            for (axis, node) in design.axes.iter().zip(values) {
                sets.push((axis.key.as_str(), node.clone()));
                sets.extend(axis.also.iter().map(|key| (key.as_str(), node.clone())));
            }
            tree.build_with(&sets).err().map(|error| (point, error))
        })
        .collect();
    for (point, error) in failing.iter().take(POINTS_LISTED) {
        let values: Vec<String> = design
            .axes
            .iter()
            .zip(design.point_values(*point))
            .map(|(axis, node)| format!("{} = {}", axis.key, value_text(&node.value)))
            .collect();
        for problem in &error.problems {
            problems.push(Problem::new(
                problem.location.clone(),
                problem.key.clone(),
                format!(
                    "{} (at point {point}: {})",
                    problem.message,
                    values.join(", ")
                ),
            ));
        }
    }
    if failing.len() > POINTS_LISTED {
        problems.push(Problem::new(
            tree.whole().clone(),
            "sweep",
            format!(
                "every point must be a valid scenario, found {} more points that are not",
                failing.len() - POINTS_LISTED
            ),
        ));
    }
}

/// Checks each value of an axis against the scenario's rules, with its `also` keys; for a range,
/// its bounds (every value lies between them).
fn check_values(
    tree: &ScenarioTree,
    axis: &AxisSpec,
    whole_key: &dyn Fn(&str) -> bool,
    problems: &mut Vec<Problem>,
) {
    let candidates: Vec<Node> = match &axis.values {
        AxisValues::List(items) => items.clone(),
        AxisValues::Range {
            min,
            max,
            whole,
            at,
            ..
        } => {
            let as_value = |number: f64| {
                if *whole && whole_key(&axis.key) {
                    Value::Integer(number.round() as i64)
                } else {
                    Value::Float(number)
                }
            };
            vec![
                Node::new(as_value(*min), at.clone()),
                Node::new(as_value(*max), at.clone()),
            ]
        }
    };
    let mut seen: Vec<&Value> = Vec::new();
    for candidate in &candidates {
        if seen.contains(&&candidate.value) {
            continue;
        }
        seen.push(&candidate.value);
        let mut sets = vec![(axis.key.as_str(), candidate.clone())];
        sets.extend(
            axis.also
                .iter()
                .map(|key| (key.as_str(), candidate.clone())),
        );
        if let Err(error) = tree.build_with(&sets) {
            problems.extend(error.problems);
        }
    }
}

/// The design as recorded in `metadata.json` and hashed: for factorial and zip every value of
/// every axis; for lhs the ranges (the values are in `runs.csv`).
fn resolved_design(spec: &SweepSpec, design: &Design) -> serde_json::Value {
    let axes: Vec<serde_json::Value> = spec
        .axes
        .iter()
        .zip(&design.axes)
        .map(|(axis_spec, axis)| {
            let mut entry = json!({ "key": axis.key, "also": axis.also });
            match (&axis_spec.values, spec.design) {
                (AxisValues::Range { min, max, .. }, DesignKind::Lhs) => {
                    entry["min"] = json!(min);
                    entry["max"] = json!(max);
                }
                (AxisValues::List(items), DesignKind::Lhs) => {
                    entry["values"] = items.iter().map(|node| to_json(&node.value)).collect();
                }
                _ => {
                    entry["values"] = axis
                        .levels
                        .iter()
                        .map(|node| to_json(&node.value))
                        .collect();
                }
            }
            entry
        })
        .collect();
    json!({
        "design": spec.design.key(),
        "replicates": spec.replicates,
        "samples": spec.samples,
        "points": design.points,
        "runs": design.points * u64::from(spec.replicates),
        "axes": axes,
    })
}

fn to_json(value: &Value) -> serde_json::Value {
    serde_json::to_value(value.to_toml()).unwrap_or(serde_json::Value::Null)
}

/// FNV-1a over the canonical JSON of the base scenario, the design and the seed, twice with
/// different offsets: 128 bits, as 32 hex digits. Stable across platforms and runs.
fn sweep_hash(base: &Scenario, resolved_design: &serde_json::Value) -> String {
    let identity = json!({
        "base": serde_json::to_value(&base.resolved).unwrap_or(serde_json::Value::Null),
        "design": resolved_design,
        "master_seed": base.seed,
    });
    checksum(identity.to_string().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_headline_sweep_loads() {
        let sweep = Sweep::load(None, &[]).expect("the built-in headline sweep is valid");
        assert_eq!(sweep.design.kind, DesignKind::Factorial);
        assert_eq!(sweep.points(), 54);
        assert_eq!(sweep.hash.len(), 32);
        let again = Sweep::load(None, &[]).unwrap();
        assert_eq!(sweep.hash, again.hash);
        let fewer = Sweep::load(None, &["sweep.replicates=2".to_string()]).unwrap();
        assert_eq!(fewer.replicates, 2);
        assert_ne!(fewer.hash, sweep.hash);
        let last = sweep.point_scenario(sweep.points() - 1).unwrap();
        assert_eq!(last.params.localities[0].primaries, 12);
    }
}
