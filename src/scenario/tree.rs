//! A scenario merged from every layer but not yet validated, for callers that vary it.
//!
//! `load` is `ScenarioTree::load` then `build`. A sweep needs the step in between: it takes its
//! own `[sweep]` table out of the merged tree (so the key check does not call it unknown), reads
//! which keys to vary, and builds one validated `Scenario` per point with `build_with`, each
//! varied value carrying the place in the sweep file where it was written, so a value out of
//! range is reported at the sweep file's line like any scenario problem. Problems found while
//! layering (a bad `--set`) are kept and reported with those of the first build, so every problem
//! is still listed at once.

use std::path::Path;

use super::error::{Location, Problem, ScenarioError};
use super::raw::{self, Node, Source, Table, Value};
use super::{DEFAULTS_NAME, DEFAULTS_TOML, Scenario, build, fill_localities, keys, layers};

/// The text used when no file is given: a built-in scenario (the baseline, the headline sweep).
#[derive(Debug, Clone, Copy)]
pub(crate) struct BuiltIn {
    /// How the text is named in messages, e.g. `baseline.toml (built in)`.
    pub name: &'static str,
    pub text: &'static str,
}

/// The merged tree of one scenario (defaults, bases, file, `--set`), every `[[locality]]` entry
/// filled from the defaults, with the top-level tables named as extras taken out.
#[derive(Debug, Clone)]
pub(crate) struct ScenarioTree {
    merged: Table,
    defaults: Table,
    top: Location,
    /// Problems found while layering that did not stop it; reported by every build.
    pending: Vec<Problem>,
    extras: Table,
}

impl ScenarioTree {
    /// Layers the file at `path` (or `built_in` when `None`) over its bases over the defaults,
    /// applies `sets`, and takes out the top-level keys in `extras`. Fails only when a file cannot
    /// be read or parsed; other problems wait for `build`.
    pub(crate) fn load(
        path: Option<&Path>,
        built_in: BuiltIn,
        sets: &[String],
        extras: &[&str],
    ) -> Result<ScenarioTree, ScenarioError> {
        Self::load_with_arm_sets(path, built_in, sets, ("--set", &[]), extras)
    }

    /// `load` with one arm's own options (`compare`'s `--set-a` or `--set-b`: their flag and
    /// values) applied after `sets`, their problems located at that flag.
    pub(crate) fn load_with_arm_sets(
        path: Option<&Path>,
        built_in: BuiltIn,
        sets: &[String],
        (arm_flag, arm_sets): (&str, &[String]),
        extras: &[&str],
    ) -> Result<ScenarioTree, ScenarioError> {
        let defaults_source = Source::new(DEFAULTS_NAME, 0);
        let defaults =
            raw::parse_document(DEFAULTS_TOML, &defaults_source).map_err(ScenarioError::new)?;

        let mut problems = Vec::new();
        let display = match path {
            Some(path) => path.display().to_string(),
            None => built_in.name.to_string(),
        };
        let text = path.is_none().then_some(built_in.text);
        let Some(files) = layers::load_files(&display, path, text, &mut problems) else {
            return Err(ScenarioError::new(problems));
        };
        let top = Source::new(&display, 1);

        let mut merged = defaults.clone();
        raw::merge(&mut merged, files.table);
        let sets_name = layers::apply_sets(&mut merged, sets, &mut problems)
            | layers::apply_sets_as(&mut merged, arm_flag, sets.len(), arm_sets, &mut problems);
        if !files.top_sets_name
            && !sets_name
            && let Some(stem) = path.and_then(Path::file_stem)
        {
            let name = Value::String(stem.to_string_lossy().into_owned());
            merged.insert("name".to_string(), Node::new(name, top.whole()));
        }
        fill_localities(&mut merged, &defaults);
        let mut taken = Table::new();
        for key in extras {
            if let Some(node) = merged.remove(*key) {
                taken.insert((*key).to_string(), node);
            }
        }
        Ok(ScenarioTree {
            merged,
            defaults,
            top: top.whole(),
            pending: problems,
            extras: taken,
        })
    }

    /// A top-level table taken out by `load`, if the scenario had it.
    pub(crate) fn extra(&self, key: &str) -> Option<&Node> {
        self.extras.get(key)
    }

    /// The scenario as a whole, for problems that belong to no key.
    pub(crate) fn whole(&self) -> &Location {
        &self.top
    }

    /// The node at a dotted path (a numeric segment indexes an array), if there is one.
    pub(crate) fn node_at(&self, path: &str) -> Option<&Node> {
        let mut segments = path.split('.');
        let mut node = self.merged.get(segments.next()?)?;
        for segment in segments {
            node = match &node.value {
                Value::Table(table) => table.get(segment)?,
                Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// Validates the tree as it is.
    pub(crate) fn build(&self) -> Result<Scenario, ScenarioError> {
        self.build_with(&[])
    }

    /// Validates the tree with each `(dotted path, value)` put in place first. A path that cannot
    /// be set (through a value that is not a table, past the end of an array) is a problem at the
    /// value's location.
    pub(crate) fn build_with(&self, values: &[(&str, Node)]) -> Result<Scenario, ScenarioError> {
        let mut merged = self.merged.clone();
        let mut problems = self.pending.clone();
        for (path, node) in values {
            let segments: Vec<&str> = path.split('.').collect();
            let at = node.at.clone();
            if let Err(message) = layers::set_path(&mut merged, &segments, node.clone()) {
                problems.push(Problem::new(at, *path, message));
            }
        }
        let built = build::build(&merged, self.top.clone(), &mut problems);
        // After `build`, so that messages quote integers as written; this also turns them into
        // floats where the defaults hold a float, for the resolved table.
        keys::check_known_keys(&mut merged, &self.defaults, &mut problems);
        if !problems.is_empty() {
            return Err(ScenarioError::new(problems));
        }
        Ok(Scenario {
            name: built.name,
            description: built.description,
            params: built.params,
            replicates: built.replicates,
            seed: built.seed,
            resolved: raw::to_toml_table(&merged),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: BuiltIn = BuiltIn {
        name: "t.toml (built in)",
        text: "name = \"t\"\n[sweep]\nreplicates = 2\n[coordination]\nmode = \"team\"\n",
    };

    #[test]
    fn extras_are_taken_out_and_the_rest_builds() {
        let tree = ScenarioTree::load(None, TEXT, &["sweep.replicates=5".into()], &["sweep"])
            .expect("loads");
        let sweep = tree.extra("sweep").and_then(Node::as_table).unwrap();
        assert_eq!(sweep["replicates"].value, Value::Integer(5));
        let scenario = tree.build().expect("builds without the sweep table");
        assert_eq!(scenario.name, "t");
        assert!(!scenario.resolved.contains_key("sweep"));
        assert_eq!(
            tree.node_at("coordination.mode").map(|node| &node.value),
            Some(&Value::String("team".into()))
        );
        assert_eq!(
            tree.node_at("locality.0.primaries").map(|node| &node.value),
            Some(&Value::Integer(5))
        );
        assert!(tree.node_at("locality.1.primaries").is_none());
    }

    #[test]
    fn values_put_in_place_are_validated_where_they_were_written() {
        let tree = ScenarioTree::load(None, TEXT, &[], &["sweep"]).unwrap();
        let at = Location::new("sweep.toml".into(), 1, Some((7, 3)));
        let good = Node::new(Value::Integer(3), at.clone());
        let scenario = tree
            .build_with(&[("coordination.meeting_interval_weeks", good)])
            .unwrap();
        assert_eq!(scenario.params.coordination.meeting_interval_weeks, 3);
        let bad = Node::new(Value::Integer(-3), at.clone());
        let error = tree
            .build_with(&[("coordination.meeting_interval_weeks", bad)])
            .unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("sweep.toml:7:3: coordination.meeting_interval_weeks:"),
            "{error}"
        );
    }

    #[test]
    fn set_problems_wait_for_the_build() {
        let tree = ScenarioTree::load(None, TEXT, &["coordination.mode".into()], &[]).unwrap();
        let error = tree.build().unwrap_err();
        assert!(
            error.to_string().contains("--set: coordination.mode"),
            "{error}"
        );
    }
}
