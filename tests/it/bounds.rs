//! Nothing a user can type exhausts the machine (issue 11 §1): every count and size a scenario or
//! sweep file gives has an upper bound, refused with the usual located error (file, line, key;
//! exit 1; nothing written), and a job whose estimated peak memory exceeds what the machine has
//! (here, what `PATCHWORK_MAX_MEMORY` says it has) is refused before it runs.

use std::path::Path;
use std::process::{Command, Output};

use crate::util::{TINY_SCENARIO, assert_exit_code, patchwork_binary, stderr_of, stdout_of};

/// Runs `patchwork` in `directory` with `PATCHWORK_MAX_MEMORY` set to `max_memory` (or unset).
fn patchwork(directory: &Path, arguments: &[&str], max_memory: Option<&str>) -> Output {
    let mut command = Command::new(patchwork_binary());
    command.args(arguments).current_dir(directory);
    match max_memory {
        Some(size) => command.env("PATCHWORK_MAX_MEMORY", size),
        None => command.env_remove("PATCHWORK_MAX_MEMORY"),
    };
    command.output().expect("the patchwork binary runs")
}

/// Asserts a refusal: exit 1, nothing on stdout, an error naming `located` (`file:line:`) and
/// `key`, and no output directory.
fn assert_refused(directory: &Path, output: &Output, located: &str, key: &str) {
    assert_exit_code(output, 1);
    let stderr = stderr_of(output);
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(
        stderr.contains(located) && stderr.contains(key),
        "expected {located} and {key} in:\n{stderr}"
    );
    assert!(stdout_of(output).is_empty(), "{}", stdout_of(output));
    assert!(
        !directory.join("output").exists() && !directory.join("out").exists(),
        "an output directory was made"
    );
}

/// A tiny scenario with `extra` appended (TOML keys of the top level or later tables).
fn scenario_with(extra: &str) -> String {
    format!("{TINY_SCENARIO}\n{extra}\n")
}

/// The line (from 1) of the first line of `text` that contains `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|line| line.contains(needle))
        .map(|index| index + 1)
        .unwrap_or_else(|| panic!("{needle} not in the scenario"))
}

/// Runs `patchwork run x.toml` on `text` and asserts it is refused at the line holding
/// `needle`, naming `key`.
fn assert_run_refused(text: &str, needle: &str, key: &str) {
    let directory = tempfile::tempdir().unwrap();
    std::fs::write(directory.path().join("x.toml"), text).unwrap();
    let output = patchwork(directory.path(), &["run", "x.toml", "--quiet"], None);
    let located = format!("x.toml:{}:", line_of(text, needle));
    assert_refused(directory.path(), &output, &located, key);
}

#[test]
fn counts_and_sizes_above_their_bounds_are_refused_where_written() {
    for (table, key, value, path) in [
        (
            "[[locality]]\nname = \"big\"",
            "health_providers",
            "1000000000",
            "locality.0.health_providers",
        ),
        (
            "[[locality]]\nname = \"big\"",
            "social_care_teams",
            "4294967295",
            "locality.0.social_care_teams",
        ),
        (
            "[[locality]]\nname = \"big\"",
            "primaries",
            "50000",
            "locality.0.primaries",
        ),
        (
            "[[locality]]\nname = \"big\"",
            "primary_pupils",
            "1000000000",
            "locality.0.primary_pupils",
        ),
        (
            "[[locality]]\nname = \"big\"",
            "primary_pupils",
            "1e9",
            "locality.0.primary_pupils",
        ),
        (
            "[[locality]]\nname = \"big\"",
            "count",
            "1000000000",
            "locality.0.count",
        ),
        (
            "[[locality]]\nname = \"big\"",
            "consultation_teams",
            "[[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]]",
            "locality.0.consultation_teams",
        ),
        (
            "[workforce.social_worker]",
            "per_1000_pupils_fte",
            "1e308",
            "workforce.social_worker.per_1000_pupils_fte",
        ),
        (
            "[workforce.head]",
            "per_primary_fte",
            "1e6",
            "workforce.head.per_primary_fte",
        ),
        (
            "[workforce.senco]",
            "hours_per_week",
            "1e308",
            "workforce.senco.hours_per_week",
        ),
        (
            "[workforce.senco]",
            "caseload_cap",
            "4294967295",
            "workforce.senco.caseload_cap",
        ),
        (
            "[demand]",
            "external_referrals_per_10k_year",
            "1e12",
            "demand.external_referrals_per_10k_year",
        ),
        (
            "[demand]",
            "onset_per_1000_year",
            "1e12",
            "demand.onset_per_1000_year",
        ),
        (
            "[coordination]\ncore_group = true",
            "pooled_hours_per_school",
            "1e308",
            "coordination.pooled_hours_per_school",
        ),
        (
            "[coordination]\ncore_group = true",
            "pooled_unit_hours",
            "1e-300",
            "coordination.pooled_hours_per_school",
        ),
        (
            "[coordination]",
            "meeting_interval_weeks",
            "4294967295",
            "coordination.meeting_interval_weeks",
        ),
    ] {
        // The tiny scenario has no [[locality]] table of its own: one written here replaces the
        // defaults' list, so the key is the first locality's.
        let text = scenario_with(&format!("{table}\n{key} = {value}"));
        assert_run_refused(&text, &format!("{key} = {value}"), path);
    }
}

#[test]
fn run_keys_above_their_bounds_are_refused() {
    for (key, value) in [
        ("horizon_weeks", "1000000000"),
        ("horizon_weeks", "1e9"),
        ("replicates", "1000000000"),
    ] {
        let text = TINY_SCENARIO.replace(&format!("{key} = "), &format!("{key} = {value}\n# was "));
        assert_run_refused(&text, &format!("{key} = {value}"), &format!("run.{key}"));
    }
}

#[test]
fn long_names_and_descriptions_are_refused() {
    let long_name = "n".repeat(1_000_000);
    let text = TINY_SCENARIO.replace("name = \"tiny\"", &format!("name = \"{long_name}\""));
    assert_run_refused(&text, "name = \"nnn", "name");
    let long_description = "d".repeat(2_001);
    let text = TINY_SCENARIO.replace(
        "description = \"a short run for tests\"",
        &format!("description = \"{long_description}\""),
    );
    assert_run_refused(&text, "description = ", "description");
}

#[test]
fn a_set_above_a_bound_is_refused_at_the_set() {
    let directory = tempfile::tempdir().unwrap();
    std::fs::write(directory.path().join("x.toml"), TINY_SCENARIO).unwrap();
    let output = patchwork(
        directory.path(),
        &[
            "run",
            "x.toml",
            "--quiet",
            "--set",
            "locality.0.primaries=50000",
        ],
        None,
    );
    assert_refused(
        directory.path(),
        &output,
        "--set: ",
        "locality.0.primaries: must be a whole number of schools from 0 to 1000, found 50000",
    );
}

#[test]
fn a_million_character_unknown_key_gets_a_located_error() {
    let key = "k".repeat(1_000_000);
    let text = format!("{TINY_SCENARIO}\n[coordination]\n{key} = 1\n");
    let directory = tempfile::tempdir().unwrap();
    std::fs::write(directory.path().join("x.toml"), &text).unwrap();
    let output = patchwork(directory.path(), &["check", "x.toml"], None);
    let located = format!("x.toml:{}:", line_of(&text, "kkkk"));
    assert_refused(directory.path(), &output, &located, "unknown key");
    assert!(
        stderr_of(&output).len() < 2_000,
        "the key is shortened in the message"
    );
}

/// A sweep of the tiny scenario with `sweep` as its `[sweep]` table.
fn assert_sweep_refused(sweep: &str, needle: &str, key: &str) {
    let directory = tempfile::tempdir().unwrap();
    let text = format!("{TINY_SCENARIO}\n{sweep}\n");
    std::fs::write(directory.path().join("s.toml"), &text).unwrap();
    for dry_run in [false, true] {
        let mut arguments = vec!["sweep", "s.toml", "--quiet"];
        if dry_run {
            arguments.push("--dry-run");
        }
        let output = patchwork(directory.path(), &arguments, None);
        let located = format!("s.toml:{}:", line_of(&text, needle));
        assert_refused(directory.path(), &output, &located, key);
    }
}

#[test]
fn sweep_sizes_above_their_bounds_are_refused() {
    assert_sweep_refused(
        "[sweep]\n[sweep.axes]\n\"turnover.annual_rate\" = { min = 0.05, max = 0.35, steps = 4294967295 }",
        "steps = 4294967295",
        "steps: must be a whole number of steps from 1 to 1000",
    );
    assert_sweep_refused(
        "[sweep]\ndesign = \"lhs\"\nsamples = 4294967295\n[sweep.axes]\n\"turnover.annual_rate\" = { min = 0.05, max = 0.35 }",
        "samples = 4294967295",
        "sweep.samples",
    );
    assert_sweep_refused(
        "[sweep]\nreplicates = 1000000000\n[sweep.axes]\n\"coordination.minder\" = [false, true]",
        "replicates = 1000000000",
        "sweep.replicates",
    );
    let many = (0..200)
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    assert_sweep_refused(
        &format!(
            "[sweep]\n[sweep.axes]\n\"run.seed\" = [{many}]\n\"coordination.case_minutes\" = [{many}]\n\"coordination.meeting_hours\" = [{many}]"
        ),
        "coordination.meeting_hours",
        "at most 1000000 points",
    );
}

#[test]
fn a_job_larger_than_the_machine_is_refused_before_it_runs() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path();
    std::fs::write(path.join("x.toml"), TINY_SCENARIO).unwrap();
    std::fs::write(
        path.join("s.toml"),
        format!(
            "{TINY_SCENARIO}\n[sweep]\n[sweep.axes]\n\"coordination.minder\" = [false, true]\n"
        ),
    )
    .unwrap();
    for arguments in [
        vec!["run", "x.toml", "--quiet"],
        vec!["compare", "x.toml", "x.toml", "--quiet"],
        vec!["sweep", "s.toml", "--quiet"],
        vec!["sweep", "s.toml", "--dry-run"],
        vec!["national", "x.toml", "--quiet"],
        vec!["demo", "x.toml", "--quiet"],
    ] {
        let output = patchwork(path, &arguments, Some("10MB"));
        assert_exit_code(&output, 1);
        let stderr = stderr_of(&output);
        assert!(
            stderr.starts_with("error: the ")
                && stderr.contains("more than the 10.0 MB set by PATCHWORK_MAX_MEMORY")
                && stderr.contains("would need an estimated "),
            "{arguments:?}: {stderr}"
        );
        assert!(stdout_of(&output).is_empty(), "{arguments:?}");
        assert!(!path.join("output").exists(), "{arguments:?} made output/");
    }
    // A bad setting is an error of its own.
    let output = patchwork(path, &["run", "x.toml", "--quiet"], Some("lots"));
    assert_exit_code(&output, 1);
    assert!(stderr_of(&output).contains("PATCHWORK_MAX_MEMORY"));
}

#[test]
fn a_dry_run_prints_the_estimate() {
    let directory = tempfile::tempdir().unwrap();
    std::fs::write(
        directory.path().join("s.toml"),
        format!("{TINY_SCENARIO}\n[sweep]\nreplicates = 1\n[sweep.axes]\n\"coordination.minder\" = [false, true]\n"),
    )
    .unwrap();
    let output = patchwork(
        directory.path(),
        &["sweep", "s.toml", "--dry-run"],
        Some("64GB"),
    );
    assert_exit_code(&output, 0);
    let stdout = stdout_of(&output);
    // The memory from the size of the scenario, the time from timed runs: one time, not two.
    assert!(
        stdout.contains("estimated peak memory ")
            && stdout.contains(" for the whole sweep on ")
            && stdout.contains("one run takes about ")
            && !stdout.contains(", time "),
        "{stdout}"
    );
    let output = patchwork(
        directory.path(),
        &["sweep", "s.toml", "--dry-run", "--shard", "2/2"],
        Some("64GB"),
    );
    assert_exit_code(&output, 0);
    let stdout = stdout_of(&output);
    assert!(stdout.contains(" for shard 2/2 on "), "{stdout}");
    // `national` times nothing: it prints the memory and the time from the size.
    std::fs::write(directory.path().join("x.toml"), TINY_SCENARIO).unwrap();
    let output = patchwork(
        directory.path(),
        &["national", "x.toml", "--dry-run"],
        Some("64GB"),
    );
    assert_exit_code(&output, 0);
    let stdout = stdout_of(&output);
    assert!(
        stdout.contains("estimated peak memory") && stdout.contains(", time "),
        "{stdout}"
    );
}
