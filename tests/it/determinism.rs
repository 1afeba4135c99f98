//! Reproducibility: the same scenario and master seed give the same bytes, on one
//! thread or several, run alone or as part of a larger batch; another seed gives other results.
//!
//! The binary tests compare the files `patchwork run` writes (`runs.csv`, `summary.csv`,
//! `weekly.csv`, replicate 0's `network_posts.csv` and `network_ties.csv` and the
//! `plots/network.png` drawn from them; `metadata.json` records wall time and threads, so only its
//! other fields are compared). The library tests compare whole `RunOutput`s through their `Debug` text, because
//! `RunOutput` holds `f64` fields that may be NaN (`social_worker_caseload` with no social worker
//! in post) and NaN != NaN would make `==` fail on identical runs.

use std::fs;

use patchwork_sim::model::{RunOutput, Simulation, simulate};
use patchwork_sim::scenario;

use crate::util::{
    RunFiles, assert_exit_code, run_and_read, run_patchwork, runs_csv_without_seeds, to_sets,
    write_file,
};

/// Replicates per binary run: enough that two threads each run several.
const REPLICATES: &str = "8";

/// A scenario that exercises most of the model's moving parts: a consultation team with a
/// minder, direct lines, a core group with pooled posts, step-down, two social-care teams, and a
/// timeline that restructures, removes and adds posts, withdraws and reappoints the minder, and
/// swaps the forum for a network. Short enough to run in a fraction of a second.
const BUSY_SCENARIO: &str = r#"
name = "busy"
description = "team, minder, direct line, core group and a timeline of events"

[run]
horizon_weeks = 130
warmup_weeks = 26
replicates = 8
seed = 424242

[[locality]]
name = "north"
primaries = 4
secondaries = 1
social_care_teams = 2
co_located = true

[[locality]]
name = "south"
count = 2
primaries = 3
secondaries = 1
rural = true

[coordination]
mode = "team"
minder = true
direct_line = true
core_group = true
step_down_share = 0.4

[[event]]
week = 30
kind = "restructure"
share = 0.3
suspend_forum_weeks = 6
social_care_teams = 3

[[event]]
week = 45
kind = "leave"
who = "most_connected"
count = 3
locality = 0

[[event]]
week = 50
kind = "post_cut"
role = "social_worker"
fte = 1.0

[[event]]
week = 55
kind = "post_added"
role = "early_help"
fte = 1.5

[[event]]
week = 60
kind = "minder_withdrawn"

[[event]]
week = 70
kind = "threshold"
role = "social_worker"
value = 0.6

[[event]]
week = 80
kind = "minder_appointed"

[[event]]
week = 90
kind = "forum_stopped"
locality = 1

[[event]]
week = 95
kind = "forum_started"
mode = "network"
locality = 1
"#;

/// The `Debug` text of a run: equal for identical runs even where a field is NaN.
fn fingerprint(output: &RunOutput) -> String {
    format!("{output:?}")
}

/// Runs the baseline from the binary with `extra` arguments and a fixed master seed.
fn baseline_files(scratch: &std::path::Path, label: &str, extra: &[&str]) -> RunFiles {
    let mut arguments = vec!["--replicates", REPLICATES];
    arguments.extend_from_slice(extra);
    run_and_read(scratch, label, &arguments)
}

/// Two runs of the same scenario and seed write byte-identical files: nothing depends on the
/// clock, the process or the order the replicates finished in.
#[test]
fn the_same_seed_gives_the_same_bytes() {
    let scratch = tempfile::tempdir().unwrap();
    let first = baseline_files(scratch.path(), "first", &["--seed", "17"]);
    let second = baseline_files(scratch.path(), "second", &["--seed", "17"]);
    assert!(!first.weekly_csv.is_empty() && !first.runs_csv.is_empty());
    assert_eq!(first, second);
}

/// One thread and two threads give byte-identical files: replicates are run by index and
/// collected in order, never aggregated across threads.
#[test]
fn the_thread_count_does_not_change_the_bytes() {
    let scratch = tempfile::tempdir().unwrap();
    let one = baseline_files(scratch.path(), "one", &["--seed", "5", "--threads", "1"]);
    let two = baseline_files(scratch.path(), "two", &["--seed", "5", "--threads", "2"]);
    assert_eq!(one, two);
}

/// Apart from the wall time and the thread count, `metadata.json` is the same whatever the
/// thread count: it records the scenario and seeds, not the machine's timing.
#[test]
fn metadata_differs_only_in_timing_and_threads() {
    let scratch = tempfile::tempdir().unwrap();
    let read_metadata = |label: &str, threads: &str| -> serde_json::Value {
        let out = scratch.path().join(label);
        let out_text = out.to_string_lossy().into_owned();
        let output = run_patchwork(
            scratch.path(),
            &[
                "run",
                "--replicates",
                "2",
                "--threads",
                threads,
                "--out",
                &out_text,
                "--quiet",
            ],
        );
        assert_exit_code(&output, 0);
        let mut metadata: serde_json::Value =
            serde_json::from_slice(&fs::read(out.join("metadata.json")).unwrap()).unwrap();
        let object = metadata.as_object_mut().expect("metadata is a JSON object");
        assert!(object.remove("wall_time_seconds").is_some());
        assert!(object.remove("threads").is_some());
        metadata
    };
    assert_eq!(read_metadata("one", "1"), read_metadata("two", "2"));
}

/// A different master seed gives different results (seeds really reach the model). The seed
/// column of `runs.csv` is left out so that only the measures are compared.
#[test]
fn a_different_seed_gives_different_results() {
    let scratch = tempfile::tempdir().unwrap();
    let first = baseline_files(scratch.path(), "first", &["--seed", "17"]);
    let other = baseline_files(scratch.path(), "other", &["--seed", "18"]);
    assert_ne!(
        runs_csv_without_seeds(&first.runs_csv),
        runs_csv_without_seeds(&other.runs_csv)
    );
    assert_ne!(first.weekly_csv, other.weekly_csv);
}

/// Replicate r gives the same row whether 4 or 8 replicates are run: a replicate depends only on
/// the scenario, the master seed and its index, so a sweep can be split or extended.
#[test]
fn a_replicate_does_not_depend_on_how_many_are_run() {
    let scratch = tempfile::tempdir().unwrap();
    let four = run_and_read(
        scratch.path(),
        "four",
        &["--replicates", "4", "--seed", "9"],
    );
    let eight = run_and_read(
        scratch.path(),
        "eight",
        &["--replicates", "8", "--seed", "9"],
    );
    let four_rows = String::from_utf8(four.runs_csv).unwrap();
    let eight_rows = String::from_utf8(eight.runs_csv).unwrap();
    let first_five_lines: Vec<&str> = eight_rows.lines().take(5).collect();
    assert_eq!(four_rows.lines().collect::<Vec<_>>(), first_five_lines);
    assert_eq!(eight_rows.lines().count(), 1 + 8);
}

/// A scenario with forums, a minder, direct lines, several localities and a timeline of events
/// is as deterministic as the baseline: same bytes on one thread and two, and same bytes again
/// on a second run.
#[test]
fn a_busy_scenario_is_deterministic_across_thread_counts() {
    let scratch = tempfile::tempdir().unwrap();
    write_file(scratch.path(), "busy.toml", BUSY_SCENARIO);
    let one = run_and_read(scratch.path(), "one", &["busy.toml", "--threads", "1"]);
    let two = run_and_read(scratch.path(), "two", &["busy.toml", "--threads", "2"]);
    let again = run_and_read(scratch.path(), "again", &["busy.toml", "--threads", "2"]);
    assert_eq!(one, two);
    assert_eq!(two, again);
    // 8 replicates × 130 weeks, plus the header.
    assert_eq!(
        String::from_utf8_lossy(&one.weekly_csv).lines().count(),
        1 + 8 * 130
    );
    // Replicate 0 recorded its network, ties and all, at the default weeks.
    assert!(
        String::from_utf8_lossy(&one.network_ties_csv)
            .lines()
            .count()
            > 1
    );
    assert!(String::from_utf8_lossy(&one.network_posts_csv).contains("\nbusy,29,0,"));
}

/// The events of the busy scenario do happen (otherwise the test above would not test them).
#[test]
fn the_busy_scenario_runs_its_timeline() {
    let scratch = tempfile::tempdir().unwrap();
    let path = write_file(scratch.path(), "busy.toml", BUSY_SCENARIO);
    let loaded = scenario::load(Some(&path), &[]).expect("the busy scenario loads");
    let output = simulate(&loaded.params, 1);
    // Events without `locality` happen in each of the three patches (north, and two copies of
    // south); the others in one locality's patches only.
    let labels: Vec<&str> = output
        .events
        .iter()
        .map(|event| event.label.as_str())
        .collect();
    assert!(labels.iter().any(|label| label.starts_with("restructure")));
    assert!(
        labels
            .iter()
            .any(|label| label.contains("minder withdrawn"))
    );
    assert!(
        labels
            .iter()
            .any(|label| label.contains("network forum started"))
    );
    assert!(output.weeks.iter().any(|week| week.meetings > 0));
    assert_eq!(output.pupils, 4 * 275 + 1050 + 2 * (3 * 275 + 1050));
}

/// At library level, `simulate` twice from the same seed gives the same `RunOutput`, for the
/// baseline and for the busy scenario, and a different seed gives a different one.
#[test]
fn simulate_is_a_pure_function_of_parameters_and_seed() {
    let scratch = tempfile::tempdir().unwrap();
    let busy_path = write_file(scratch.path(), "busy.toml", BUSY_SCENARIO);
    let baseline = scenario::load(
        None,
        &to_sets(&["run.horizon_weeks=104", "run.warmup_weeks=52"]),
    )
    .unwrap();
    let busy = scenario::load(Some(&busy_path), &[]).unwrap();
    for params in [&baseline.params, &busy.params] {
        let first = fingerprint(&simulate(params, 123));
        let second = fingerprint(&simulate(params, 123));
        assert_eq!(first, second);
        assert_ne!(first, fingerprint(&simulate(params, 124)));
    }
}

/// Stepping a `Simulation` week by week and finishing it gives exactly what `simulate` gives, and
/// two simulations stepped in lockstep do not disturb each other (no shared or global state).
#[test]
fn stepping_week_by_week_matches_simulate() {
    let loaded = scenario::load(
        None,
        &to_sets(&["run.horizon_weeks=80", "run.warmup_weeks=52"]),
    )
    .unwrap();
    let params = &loaded.params;
    let mut first = Simulation::new(params, 77);
    let mut second = Simulation::new(params, 78);
    let mut weeks = 0;
    while first.step() {
        assert!(second.step());
        weeks += 1;
        assert_eq!(first.week(), weeks);
    }
    assert!(!second.step(), "both reach the horizon together");
    assert_eq!(weeks, 80);
    assert_eq!(
        fingerprint(&first.finish()),
        fingerprint(&simulate(params, 77))
    );
    assert_eq!(
        fingerprint(&second.finish()),
        fingerprint(&simulate(params, 78))
    );
}
