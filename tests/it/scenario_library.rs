//! The shipped scenario library, `scenarios/*.toml`: every file opens with a comment saying what
//! it stands for; every scenario (sweep files, those with a `[sweep]` table, are the sweep tests'
//! business) loads, is named after its file and runs briefly; and every `patchwork run` command
//! its comment suggests for comparison names a file that exists and overrides that load.

use std::path::{Path, PathBuf};

use patchwork_sim::batch::replicates::run_replicates;
use patchwork_sim::scenario;

/// The scenarios of issue 5, one for each situation in the study.
const LIBRARY: [&str; 13] = [
    "phase1-adhoc-urban.toml",
    "phase2-consultation-teams.toml",
    "phase2-senco-direct-line.toml",
    "phase3-rural-network.toml",
    "restructure.toml",
    "minder-leaves.toml",
    "swedish-units.toml",
    "large-undivided-secondary.toml",
    "incongruent-boundaries.toml",
    "co-located.toml",
    "dispersed.toml",
    "baseline.toml",
    "defaults.toml",
];

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// Every `.toml` file in `scenarios/`, sorted, with its text.
fn shipped_files() -> Vec<(PathBuf, String)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(scenarios_dir())
        .expect("scenarios/")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "toml")
        })
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("a readable scenario file");
            (path, text)
        })
        .collect()
}

/// Whether a file is a sweep (it has a `[sweep]` table) rather than a scenario.
fn is_sweep(text: &str) -> bool {
    text.parse::<toml::Table>()
        .is_ok_and(|table| table.contains_key("sweep"))
}

/// The robustness files of `patchwork robustness` (its default and the ends design's), which are
/// not scenarios either; `tests/it/robustness.rs` loads them.
const ROBUSTNESS: [&str; 2] = ["robustness.toml", "robustness-ends.toml"];

/// The scenario files (not sweeps, not the robustness file) of `scenarios/`.
fn shipped_scenarios() -> Vec<(PathBuf, String)> {
    shipped_files()
        .into_iter()
        .filter(|(path, text)| !is_sweep(text) && !ROBUSTNESS.contains(&file_name(path).as_str()))
        .collect()
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn the_library_holds_a_scenario_for_each_situation_in_the_study() {
    let names: Vec<String> = shipped_scenarios()
        .iter()
        .map(|(path, _)| file_name(path))
        .collect();
    for expected in LIBRARY {
        assert!(
            names.iter().any(|name| name == expected),
            "scenarios/{expected} is missing: {names:?}"
        );
    }
}

#[test]
fn every_file_opens_with_a_comment() {
    for (path, text) in shipped_files() {
        let opening: Vec<&str> = text
            .lines()
            .take_while(|line| line.starts_with('#'))
            .collect();
        assert!(
            opening.len() >= 3,
            "{} should open with a comment saying what it stands for",
            path.display()
        );
    }
}

#[test]
fn every_scenario_loads_named_after_its_file() {
    for (path, _) in shipped_scenarios() {
        let scenario = scenario::load(Some(&path), &[])
            .unwrap_or_else(|error| panic!("{} does not load:\n{error}", path.display()));
        let stem = path.file_stem().unwrap().to_string_lossy();
        // defaults.toml is the layer under every scenario; its name is the baseline's.
        if stem != "defaults" {
            assert_eq!(scenario.name, stem, "{}", path.display());
            assert!(!scenario.description.is_empty(), "{}", path.display());
        }
    }
}

#[test]
fn every_scenario_runs_briefly() {
    for (path, _) in shipped_scenarios() {
        let full = scenario::load(Some(&path), &[]).unwrap();
        // Long enough for the last scheduled event to happen.
        let last_event = full.params.events.iter().map(|event| event.week).max();
        let horizon = last_event.map_or(60, |week| (week + 13).max(60));
        let sets = vec![
            format!("run.horizon_weeks={horizon}"),
            "run.warmup_weeks=10".to_string(),
        ];
        let scenario = scenario::load(Some(&path), &sets).unwrap();
        let results = run_replicates(&scenario.params, 20_260_501, 2, 0, &|| {});
        assert_eq!(results.len(), 2, "{}", path.display());
        for result in &results {
            let output = &result.output;
            assert_eq!(output.weeks.len(), horizon as usize, "{}", path.display());
            assert!(
                !output.episodes.is_empty(),
                "{}: no episode of need",
                path.display()
            );
            assert!(
                output
                    .episodes
                    .iter()
                    .any(|episode| episode.help_start_week.is_some()),
                "{}: no child helped",
                path.display()
            );
        }
    }
}

/// The `patchwork run ...` commands in a file's opening comment, each as its arguments after
/// `run` (lines ending in `\` continue on the next; words in single quotes are unquoted; a
/// parenthesis starts a remark that ends the command).
fn suggested_runs(text: &str) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    let mut pending = String::new();
    for line in text.lines().take_while(|line| line.starts_with('#')) {
        let line = line.trim_start_matches('#').trim();
        if pending.is_empty() && !line.starts_with("patchwork run") {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(start) => {
                pending.push_str(start);
                pending.push(' ');
            }
            None => {
                pending.push_str(line);
                let words: Vec<String> = pending
                    .split_whitespace()
                    .skip(2)
                    .take_while(|word| !word.starts_with('('))
                    .map(|word| word.trim_matches('\'').to_string())
                    .collect();
                commands.push(words);
                pending.clear();
            }
        }
    }
    commands
}

#[test]
fn every_suggested_comparison_loads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for (path, text) in shipped_scenarios() {
        for words in suggested_runs(&text) {
            let mut scenario_path = None;
            let mut sets = Vec::new();
            let mut words = words.iter();
            while let Some(word) = words.next() {
                match word.as_str() {
                    "--set" => sets.push(words.next().expect("a value after --set").clone()),
                    file if file.ends_with(".toml") => scenario_path = Some(root.join(file)),
                    other => panic!("{}: unexpected {other:?} in a command", path.display()),
                }
            }
            if let Err(error) = scenario::load(scenario_path.as_deref(), &sets) {
                panic!(
                    "{} suggests `patchwork run {scenario_path:?} {sets:?}`, which does not load:\n{error}",
                    path.display()
                );
            }
            checked += 1;
        }
    }
    assert!(
        checked >= 2 * (LIBRARY.len() - 2),
        "only {checked} commands"
    );
}
