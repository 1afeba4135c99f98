//! Scenario files: TOML to the validated `Params` the model reads.
//!
//! Two levels, as in ripgrep's configuration. Level one (`raw`, `layers`) is the file tree as
//! written, each key and value tagged with its file, line and column: the built-in
//! `scenarios/defaults.toml`, under the chain of `base` files, under the scenario file, under the
//! `--set KEY=VALUE` overrides, merged table by table (arrays of tables replace whole). Level two
//! (`keys`, `build`, `events`) runs only once that tree is complete: it reports unknown keys
//! against the defaults file (the single source of truth for keys), reads every value with its
//! type and range, and builds `Params`. Every problem found is returned at once in a
//! `ScenarioError`, one line each: `file:line:column: key.path: what is allowed, found what`.
//! Bad input never panics.

mod build;
pub mod diff;
mod error;
mod events;
mod keys;
mod layers;
pub mod limits;
mod raw;
mod read;
mod suggest;
mod template;
mod tree;

use std::path::Path;

use crate::model::Params;

pub use diff::KeyDifference;
pub use error::{Location, Problem, ScenarioError};
pub use template::{template, template_name};

pub(crate) use error::io_reason;
pub(crate) use raw::{Node, Table as RawTable, Value};
pub(crate) use suggest::closest;
pub(crate) use tree::{BuiltIn, ScenarioTree};

#[cfg(test)]
use raw::Source;

/// Every key, its default, unit and source (`scenarios/defaults.toml`): the layer under every
/// scenario, and the body of the template `patchwork init` writes.
pub const DEFAULTS_TOML: &str = include_str!("../../scenarios/defaults.toml");
const DEFAULTS_NAME: &str = "defaults.toml (built in)";
/// The ad hoc baseline cluster, run when no scenario file is given.
const BASELINE_TOML: &str = include_str!("../../scenarios/baseline.toml");
const BASELINE_NAME: &str = "baseline.toml (built in)";

/// A loaded, validated scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Names the output folder; a file that does not set `name` itself is named by its file stem.
    pub name: String,
    pub description: String,
    pub params: Params,
    /// Replicates to run (`run.replicates`).
    pub replicates: u32,
    /// Master seed (`run.seed`).
    pub seed: u64,
    /// The final merged table, every default filled in (each `[[locality]]` entry too); `base` is
    /// left out. `describe` prints it and run metadata records it.
    pub resolved: toml::Table,
}

/// Loads a scenario: the file at `path` (or the built-in baseline when `None`) over its bases over
/// the defaults, with `sets` (`KEY=VALUE`, applied in order) on top.
pub fn load(path: Option<&Path>, sets: &[String]) -> Result<Scenario, ScenarioError> {
    let baseline = BuiltIn {
        name: BASELINE_NAME,
        text: BASELINE_TOML,
    };
    ScenarioTree::load(path, baseline, sets, &[])?.build()
}

/// `load` for one arm of `compare`: `sets` (`--set`, both arms) then `arm_sets` (this arm's own,
/// `--set-a` or `--set-b`, named by `arm_flag` in its problems), so an option can be compared
/// against the same scenario without writing a second file.
pub fn load_arm(
    path: Option<&Path>,
    sets: &[String],
    arm_flag: &str,
    arm_sets: &[String],
) -> Result<Scenario, ScenarioError> {
    let baseline = BuiltIn {
        name: BASELINE_NAME,
        text: BASELINE_TOML,
    };
    ScenarioTree::load_with_arm_sets(path, baseline, sets, (arm_flag, arm_sets), &[])?.build()
}

/// Fills each `[[locality]]` entry key by key from the defaults' single entry.
fn fill_localities(merged: &mut raw::Table, defaults: &raw::Table) {
    let template = defaults.get("locality").and_then(|node| match &node.value {
        Value::Array(items) => items.first().and_then(Node::as_table),
        _ => None,
    });
    let (Some(template), Some(node)) = (template, merged.get_mut("locality")) else {
        return;
    };
    if let Value::Array(items) = &mut node.value {
        for item in items {
            if let Some(table) = item.as_table_mut() {
                raw::fill_from(table, template);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EventKind, ForumMode, LeaveWho, Role};

    fn sets(sets: &[&str]) -> Vec<String> {
        sets.iter().map(|set| set.to_string()).collect()
    }

    fn load_text(text: &str, overrides: &[&str]) -> Result<Scenario, ScenarioError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        std::fs::write(&path, text).unwrap();
        load(Some(&path), &sets(overrides))
    }

    fn messages(error: &ScenarioError) -> Vec<String> {
        error
            .problems
            .iter()
            .map(|problem| format!("{}: {}", problem.key, problem.message))
            .collect()
    }

    #[test]
    fn the_built_in_baseline_loads() {
        let scenario = load(None, &[]).unwrap();
        assert_eq!(scenario.name, "baseline");
        assert_eq!(scenario.replicates, 20);
        assert_eq!(scenario.seed, 20_260_101);
        let params = &scenario.params;
        assert_eq!(params.horizon_weeks, 416);
        assert_eq!(params.warmup_weeks, 260);
        assert_eq!(params.localities.len(), 1);
        assert_eq!(params.localities[0].primaries, 5);
        assert_eq!(params.localities[0].secondary_pupils, 1050);
        assert_eq!(params.coordination.mode, ForumMode::AdHoc);
        assert_eq!(params.role(Role::SocialWorker).annual_turnover, 0.138);
        assert_eq!(params.role(Role::SocialWorker).caseload_cap, 20.0);
        assert_eq!(params.role(Role::EarlyHelp).annual_turnover, 0.10);
        assert_eq!(params.thresholds.by_role[Role::SocialWorker.idx()], 0.55);
        assert_eq!(params.thresholds.by_role[Role::Head.idx()], 0.0);
        assert!(params.events.is_empty());
    }

    /// Consultation teams: by default one team of every school; `schools_per_team` groups
    /// consecutive schools; an explicit list is numbered from 1 and must name each school once.
    #[test]
    fn consultation_teams_are_read_and_checked() {
        let teams = |overrides: &[&str]| {
            load(None, &sets(overrides)).map(|s| s.params.localities[0].consultation_teams.clone())
        };
        assert_eq!(teams(&[]).unwrap(), vec![vec![0, 1, 2, 3, 4, 5]]);
        assert_eq!(
            teams(&["locality.0.schools_per_team=4"]).unwrap(),
            vec![vec![0, 1, 2, 3], vec![4, 5]]
        );
        assert_eq!(
            teams(&["locality.0.consultation_teams=[[6], [1, 2, 3], [4, 5]]"]).unwrap(),
            vec![vec![5], vec![0, 1, 2], vec![3, 4]]
        );
        for (value, expected) in [
            ("[[1, 2, 3], [4, 5, 7]]", "from 1 to 6"),
            ("[[1, 2, 3], [3, 4, 5, 6]]", "names school 3 twice"),
            ("[[1, 2, 3], [4, 5]]", "leaves school 6 without a team"),
            ("[[1, 2, 3, 4, 5, 6], []]", "must name at least one school"),
            ("[1, 2]", "must be an array of school numbers"),
        ] {
            let set = format!("locality.0.consultation_teams={value}");
            let error = teams(&[set.as_str()]).unwrap_err();
            let text = messages(&error).join("; ");
            assert!(
                text.contains("locality.0.consultation_teams") && text.contains(expected),
                "{value}: {text}"
            );
        }
        let error = load(
            None,
            &sets(&["coordination.school_seats=[\"senco\", \"social_worker\"]"]),
        )
        .unwrap_err();
        let text = messages(&error).join("; ");
        assert!(
            text.contains("coordination.school_seats") && text.contains("\"pastoral_lead\""),
            "{text}"
        );
    }

    #[test]
    fn every_default_key_is_read() {
        // A key in defaults.toml that the builder never reads would be silently ignored: check
        // that changing each leaf to a wrong type is reported.
        let paths: Vec<String> = default_leaves()
            .into_iter()
            .filter(|path| !path.starts_with("event."))
            .collect();
        assert!(paths.len() > 100, "{}", paths.len());
        let overrides: Vec<String> = paths.iter().map(|path| format!("{path}=[1]")).collect();
        let error = load(None, &overrides).unwrap_err();
        let reported: Vec<&str> = error
            .problems
            .iter()
            .map(|problem| problem.key.as_str())
            .collect();
        for path in &paths {
            assert!(
                reported.contains(&path.as_str()),
                "{path} is not read: {reported:?}"
            );
        }
    }

    fn default_leaves() -> Vec<String> {
        let defaults = raw::parse_document(DEFAULTS_TOML, &Source::new("d", 0)).unwrap();
        let mut paths = Vec::new();
        collect_leaves(&raw::to_toml_table(&defaults), "", &mut paths);
        paths.extend(
            [
                "week", "kind", "locality", "role", "who", "share", "count", "value", "fte", "mode",
            ]
            .map(|key| format!("event.0.{key}")),
        );
        paths
    }

    fn collect_leaves(table: &toml::Table, path: &str, out: &mut Vec<String>) {
        for (key, value) in table {
            let key_path = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            match value {
                toml::Value::Table(inner) => collect_leaves(inner, &key_path, out),
                toml::Value::Array(items) => {
                    for (index, item) in items.iter().enumerate() {
                        if let toml::Value::Table(inner) = item {
                            collect_leaves(inner, &format!("{key_path}.{index}"), out);
                        }
                    }
                }
                _ => out.push(key_path),
            }
        }
    }

    #[test]
    fn a_file_without_a_name_is_named_by_its_stem() {
        let scenario = load_text("[coordination]\nmode = \"team\"\n", &[]).unwrap();
        assert_eq!(scenario.name, "s");
        assert_eq!(scenario.resolved["name"].as_str(), Some("s"));
        let named = load_text("name = \"team-6\"\n", &[]).unwrap();
        assert_eq!(named.name, "team-6");
        let set = load_text("", &["name=other"]).unwrap();
        assert_eq!(set.name, "other");
    }

    #[test]
    fn sets_override_the_file() {
        let scenario = load_text(
            "[coordination]\nmode = \"adhoc\"\nmeeting_interval_weeks = 4\n",
            &[
                "coordination.meeting_interval_weeks=3",
                "coordination.mode=team",
                "locality.0.primaries=3",
            ],
        )
        .unwrap();
        assert_eq!(scenario.params.coordination.meeting_interval_weeks, 3);
        assert_eq!(scenario.params.coordination.mode, ForumMode::Team);
        assert_eq!(scenario.params.localities[0].primaries, 3);
        assert_eq!(
            scenario.resolved["coordination"]["mode"].as_str(),
            Some("team")
        );
    }

    #[test]
    fn locality_entries_are_filled_from_the_defaults() {
        let scenario = load_text(
            "[[locality]]\nname = \"a\"\nprimaries = 2\n[[locality]]\nname = \"b\"\nrural = true\n",
            &[],
        )
        .unwrap();
        let localities = &scenario.params.localities;
        assert_eq!(localities.len(), 2);
        assert_eq!((localities[0].primaries, localities[0].secondaries), (2, 1));
        assert_eq!((localities[1].primaries, localities[1].rural), (5, true));
        assert_eq!(localities[1].primary_pupils, 275);
        let resolved = scenario.resolved["locality"].as_array().unwrap();
        assert_eq!(resolved[1]["social_care_teams"].as_integer(), Some(1));
    }

    #[test]
    fn turnover_overrides_apply_per_role() {
        let scenario = load_text(
            "[turnover]\nannual_rate = 0.2\n[turnover.roles.early_help]\nvacancy_weeks = 4\n",
            &[],
        )
        .unwrap();
        let early_help = scenario.params.role(Role::EarlyHelp);
        assert_eq!(
            (early_help.annual_turnover, early_help.vacancy_weeks),
            (0.2, 4.0)
        );
        assert_eq!(scenario.params.role(Role::Senco).annual_turnover, 0.2);
        assert_eq!(
            scenario.params.role(Role::SocialWorker).annual_turnover,
            0.138
        );
    }

    #[test]
    fn events_are_read_and_sorted_by_week_then_file_order() {
        let scenario = load_text(
            "[[event]]\nweek = 100\nkind = \"restructure\"\n\
             [[event]]\nweek = 60\nkind = \"leave\"\nwho = \"most_connected\"\nshare = 0.3\nlocality = 0\n\
             [[event]]\nweek = 60\nkind = \"threshold\"\nrole = \"social_worker\"\nvalue = 1\n\
             [[event]]\nweek = 70\nkind = \"leave\"\nrole = \"senco\"\ncount = 1\n\
             [[event]]\nweek = 80\nkind = \"forum_started\"\nmode = \"network\"\n\
             [[event]]\nweek = 90\nkind = \"post_cut\"\nrole = \"mental_health\"\nfte = 0.5\n",
            &[],
        )
        .unwrap();
        let kinds: Vec<(u32, EventKind)> = scenario
            .params
            .events
            .iter()
            .map(|event| (event.week, event.kind.clone()))
            .collect();
        assert_eq!(
            kinds,
            [
                (
                    60,
                    EventKind::Leave {
                        who: LeaveWho::MostConnected,
                        share: 0.3,
                        count: 0
                    }
                ),
                (
                    60,
                    EventKind::Threshold {
                        role: Role::SocialWorker,
                        value: 1.0
                    }
                ),
                (
                    70,
                    EventKind::Leave {
                        who: LeaveWho::Role(Role::Senco),
                        share: 0.0,
                        count: 1
                    }
                ),
                (
                    80,
                    EventKind::ForumStarted {
                        mode: ForumMode::Network
                    }
                ),
                (
                    90,
                    EventKind::PostCut {
                        role: Role::MentalHealth,
                        fte: 0.5
                    }
                ),
                (
                    100,
                    EventKind::Restructure {
                        share: 0.3,
                        suspend_forum_weeks: 8,
                        social_care_teams: None
                    }
                ),
            ]
        );
        assert_eq!(scenario.params.events[0].locality, Some(0));
        assert_eq!(scenario.params.events[1].locality, None);
    }

    #[test]
    fn bad_events_are_each_reported() {
        let error = load_text(
            "[[event]]\nweek = 1\nkind = \"leave\"\n\
             [[event]]\nweek = 1\nkind = \"leave\"\nrole = \"senco\"\nwho = \"any\"\ncount = 1\n\
             [[event]]\nweek = 1\nkind = \"leave\"\nwho = \"everyone\"\nshare = 0\n\
             [[event]]\nweek = 1\nkind = \"threshold\"\nrole = \"head\"\n\
             [[event]]\nkind = \"forum_started\"\nmode = \"adhoc\"\n\
             [[event]]\nweek = 1\nkind = \"restructure\"\nlocality = 1\nsocial_care_teams = 0\n",
            &[],
        )
        .unwrap_err();
        assert_eq!(
            messages(&error),
            [
                "event.0: a leave event must give `role` (a role key) or `who` (\"most_connected\", \
                 \"least_connected\" or \"any\"), found neither",
                "event.0: a leave event must give `share` (above 0, up to 1) or `count` (at least 1), \
                 found neither",
                "event.1.who: a leave event takes `role` or `who`, not both, found both",
                "event.2: a leave event must give `share` (above 0, up to 1) or `count` (at least 1), \
                 found neither",
                "event.2.who: must be one of \"most_connected\", \"least_connected\", \"any\", found \"everyone\"",
                "event.3.value: must be given (a number from 0 to 1), found nothing",
                "event.4.week: must be given (a whole number of weeks from 0 to 415), found nothing",
                "event.4.mode: must be one of \"team\", \"network\", found \"adhoc\"",
                "event.5.locality: must be 0, the index of the only [[locality]] entry, found 1",
                "event.5.social_care_teams: must be a whole number of teams from 1 to 100, found 0",
            ]
        );
    }

    #[test]
    fn the_resolved_table_round_trips_to_the_same_params() {
        let scenario = load_text(
            "name = \"rt\"\n[coordination]\nmode = \"team\"\nmeeting_hours = 2\n\
             [[event]]\nweek = 60\nkind = \"leave\"\nwho = \"any\"\nshare = 1\n",
            &["locality.0.deprivation=0.7"],
        )
        .unwrap();
        // As `patchwork check` prints it.
        let text = toml::to_string_pretty(&scenario.resolved).unwrap();
        assert!(text.contains("[[locality]]"), "{text}");
        let reloaded = load_text(&text, &[]).unwrap();
        assert_eq!(reloaded.params, scenario.params);
        assert_eq!(reloaded.resolved, scenario.resolved);
        assert_eq!(
            scenario.resolved["coordination"]["meeting_hours"].as_float(),
            Some(2.0)
        );
    }

    #[test]
    fn a_locality_needs_schools_and_pupils() {
        let error = load_text(
            "[[locality]]\nprimaries = 0\nsecondaries = 0\n[[locality]]\nprimary_pupils = 0\n",
            &[],
        )
        .unwrap_err();
        assert_eq!(
            messages(&error),
            [
                "locality.0: must have at least one school (primaries plus secondaries), found 0",
                "locality.1.primary_pupils: must be at least 1 when the locality has primaries (5), found 0",
            ]
        );
        let error = load_text("locality = []\n", &[]).unwrap_err();
        assert_eq!(
            messages(&error),
            ["locality: must have at least one [[locality]] entry, found none"]
        );
    }

    #[test]
    fn a_table_written_as_a_value_is_one_problem_not_many() {
        let error = load_text("run = 5\n", &[]).unwrap_err();
        assert_eq!(messages(&error), ["run: must be a table, found 5"]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Whatever the file holds, loading returns (an error or a scenario) without panicking.
        #[test]
        fn any_file_text_loads_or_fails_without_panicking(text in "(?s).{0,200}") {
            let _ = load_text(&text, &[]);
        }

        /// So does any value set at any key of the defaults or of an event (numbers far out of
        /// range included).
        #[test]
        fn any_set_loads_or_fails_without_panicking(
            key in proptest::sample::select(default_leaves()),
            value in "(-?[0-9]{1,25}(\\.[0-9]{1,3})?|true|\"x\"|\\[\\]|\\{\\}|nan|inf)",
        ) {
            let file = "[[event]]\nweek = 1\nkind = \"leave\"\nwho = \"any\"\ncount = 1\n";
            let _ = load_text(file, &[&format!("{key}={value}")]);
        }
    }

    #[test]
    fn names_that_are_not_folders_are_rejected() {
        let error = load_text("name = \"../x\"\n", &[]).unwrap_err();
        assert_eq!(error.problems[0].key, "name");
    }
}
