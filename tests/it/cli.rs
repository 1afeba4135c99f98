//! The command line end to end: what `run` writes, when it refuses, and what `check` prints.

use std::fs;

use crate::util::{
    assert_exit_code, file_names, run_patchwork, sorted_run_output_files, stderr_of, stdout_of,
    write_file, write_tiny_scenario,
};

#[test]
fn run_writes_every_file() {
    let scratch = tempfile::tempdir().unwrap();
    write_tiny_scenario(scratch.path());
    let output = run_patchwork(
        scratch.path(),
        &["run", "tiny.toml", "--out", "out", "--quiet"],
    );
    assert_exit_code(&output, 0);
    assert_eq!(stdout_of(&output), "", "--quiet prints nothing");

    let out = scratch.path().join("out");
    assert_eq!(
        file_names(&out),
        sorted_run_output_files(),
        "no temporary files left"
    );

    let runs = fs::read_to_string(out.join("runs.csv")).unwrap();
    assert_eq!(
        runs.lines().count(),
        1 + 3,
        "header and one row per replicate"
    );
    assert!(runs.starts_with("replicate,seed,median_weeks_to_help,"));

    let weekly = fs::read_to_string(out.join("weekly.csv")).unwrap();
    assert_eq!(
        weekly.lines().count(),
        1 + 3 * 104,
        "every week, warm-up included"
    );

    let summary = fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(summary.starts_with("measure,mean,sd,ci_low,ci_high,median,n\n"));

    let metadata: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("metadata.json")).unwrap()).unwrap();
    assert_eq!(metadata["scenario"], "tiny");
    assert_eq!(metadata["master_seed"], 7);
    assert_eq!(metadata["replicates"], 3);
    assert_eq!(metadata["resolved_scenario"]["run"]["horizon_weeks"], 104);
}

#[test]
fn run_options_override_the_scenario_and_the_summary_is_printed() {
    let scratch = tempfile::tempdir().unwrap();
    write_tiny_scenario(scratch.path());
    let output = run_patchwork(
        scratch.path(),
        &[
            "run",
            "tiny.toml",
            "--out",
            "out",
            "--replicates",
            "2",
            "--seed",
            "11",
            "--threads",
            "1",
        ],
    );
    assert_exit_code(&output, 0);
    let stdout = stdout_of(&output);
    assert!(stdout.contains("median weeks to help"), "{stdout}");
    assert!(
        stdout.contains(
            "wrote runs.csv, summary.csv, weekly.csv, survival.csv, events.csv, network_posts.csv, \
             network_ties.csv, metadata.json, report.html, plots/ to out"
        ),
        "{stdout}"
    );

    let out = scratch.path().join("out");
    assert_eq!(
        fs::read_to_string(out.join("runs.csv"))
            .unwrap()
            .lines()
            .count(),
        1 + 2
    );
    let metadata: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("metadata.json")).unwrap()).unwrap();
    assert_eq!(metadata["master_seed"], 11);
    assert_eq!(metadata["replicates"], 2);
    assert_eq!(metadata["threads"], 1);
}

#[test]
fn run_writes_to_output_and_the_scenario_name_by_default() {
    let scratch = tempfile::tempdir().unwrap();
    write_tiny_scenario(scratch.path());
    let output = run_patchwork(
        scratch.path(),
        &["run", "tiny.toml", "--replicates", "1", "--quiet"],
    );
    assert_exit_code(&output, 0);
    assert_eq!(
        file_names(&scratch.path().join("output").join("tiny")),
        sorted_run_output_files()
    );
}

#[test]
fn run_refuses_an_existing_output_dir_without_force() {
    let scratch = tempfile::tempdir().unwrap();
    write_tiny_scenario(scratch.path());
    let out = scratch.path().join("out");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("runs.csv"), "precious results\n").unwrap();

    let output = run_patchwork(
        scratch.path(),
        &["run", "tiny.toml", "--out", "out", "--quiet"],
    );
    assert_exit_code(&output, 1);
    let stderr = stderr_of(&output);
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(
        stderr.contains("out") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(file_names(&out), vec!["runs.csv"], "nothing added");
    assert_eq!(
        fs::read_to_string(out.join("runs.csv")).unwrap(),
        "precious results\n",
        "nothing overwritten"
    );
}

#[test]
fn run_with_force_replaces_the_directory_whole() {
    let scratch = tempfile::tempdir().unwrap();
    write_tiny_scenario(scratch.path());
    let out = scratch.path().join("out");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("runs.csv"), "old results\n").unwrap();
    fs::write(out.join("notes.txt"), "old\n").unwrap();

    let output = run_patchwork(
        scratch.path(),
        &["run", "tiny.toml", "--out", "out", "--force", "--quiet"],
    );
    assert_exit_code(&output, 0);
    let runs = fs::read_to_string(out.join("runs.csv")).unwrap();
    assert!(runs.starts_with("replicate,seed,"), "{runs}");
    // The new directory was written beside the old one and swapped in: no old file is mixed
    // with the new ones, and nothing is left beside it.
    assert_eq!(file_names(&out), sorted_run_output_files());
    assert_eq!(file_names(scratch.path()), vec!["out", "tiny.toml"]);
}

/// What a `run` killed while writing its files leaves: nothing under the target's name (the files
/// go to a temporary directory beside it, renamed into place at the end), and nothing that stops
/// a plain rerun or that a rerun leaves behind.
#[test]
fn a_run_killed_while_writing_leaves_no_half_directory() {
    let scratch = tempfile::tempdir().unwrap();
    write_tiny_scenario(scratch.path());
    for (attempt, force) in [(0, false), (1, true)] {
        let out = scratch.path().join("out");
        if force {
            // Over an existing complete output, with --force: the old one stays whole.
            assert_exit_code(
                &run_patchwork(
                    scratch.path(),
                    &["run", "tiny.toml", "--out", "out", "--quiet"],
                ),
                0,
            );
        }
        let before = fs::read(out.join("runs.csv")).ok();
        let mut arguments = vec!["run", "tiny.toml", "--out", "out", "--quiet"];
        if force {
            arguments.push("--force");
        }
        let killed = std::process::Command::new(crate::util::patchwork_binary())
            .args(&arguments)
            .env("PATCHWORK_FAULT_ABORT_AFTER_FILES", "5")
            .current_dir(scratch.path())
            .output()
            .unwrap();
        assert!(
            !killed.status.success(),
            "attempt {attempt}: it was aborted"
        );
        if force {
            assert_eq!(
                file_names(&out),
                sorted_run_output_files(),
                "attempt {attempt}"
            );
            assert_eq!(fs::read(out.join("runs.csv")).ok(), before);
        } else {
            assert!(!out.exists(), "attempt {attempt}: {:?}", file_names(&out));
        }

        // A plain rerun is not refused, and cleans up what the killed one left beside it.
        let mut rerun = vec!["run", "tiny.toml", "--out", "out", "--quiet"];
        if force {
            rerun.push("--force");
        }
        assert_exit_code(&run_patchwork(scratch.path(), &rerun), 0);
        assert_eq!(file_names(&out), sorted_run_output_files());
        assert_eq!(
            file_names(scratch.path()),
            vec!["out", "tiny.toml"],
            "attempt {attempt}"
        );
        fs::remove_dir_all(&out).unwrap();
    }
}

#[test]
fn a_bad_scenario_exits_1_and_writes_nothing() {
    let scratch = tempfile::tempdir().unwrap();
    write_file(
        scratch.path(),
        "bad.toml",
        "name = \"bad\"\n[run]\nhorizon_weeks = \"long\"\n",
    );
    let output = run_patchwork(
        scratch.path(),
        &["run", "bad.toml", "--out", "out", "--quiet"],
    );
    assert_exit_code(&output, 1);
    let stderr = stderr_of(&output);
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("bad.toml"), "{stderr}");
    assert!(!scratch.path().join("out").exists());

    let missing = run_patchwork(scratch.path(), &["run", "missing.toml", "--out", "out"]);
    assert_exit_code(&missing, 1);
    assert!(!scratch.path().join("out").exists());
}

#[test]
fn check_prints_the_resolved_scenario() {
    let scratch = tempfile::tempdir().unwrap();
    write_tiny_scenario(scratch.path());
    let output = run_patchwork(
        scratch.path(),
        &["check", "tiny.toml", "--set", "run.seed=12"],
    );
    assert_exit_code(&output, 0);
    let resolved: toml::Table = stdout_of(&output).parse().expect("check prints TOML");
    assert_eq!(resolved["name"].as_str(), Some("tiny"));
    assert_eq!(resolved["run"]["horizon_weeks"].as_integer(), Some(104));
    assert_eq!(resolved["run"]["seed"].as_integer(), Some(12));
    assert!(
        resolved.contains_key("coordination"),
        "defaults are filled in"
    );
    assert_eq!(
        file_names(scratch.path()),
        vec!["tiny.toml"],
        "check writes nothing"
    );
}

#[test]
fn check_rejects_a_bad_scenario() {
    let scratch = tempfile::tempdir().unwrap();
    write_file(scratch.path(), "bad.toml", "[run]\nhorizon_weeks = -3\n");
    let output = run_patchwork(scratch.path(), &["check", "bad.toml"]);
    assert_exit_code(&output, 1);
    assert!(stderr_of(&output).starts_with("error: "));
    assert_eq!(stdout_of(&output), "");
}

#[test]
fn usage_errors_exit_1_and_help_exits_0() {
    let scratch = tempfile::tempdir().unwrap();
    assert_exit_code(
        &run_patchwork(scratch.path(), &["run", "--replicates", "none"]),
        1,
    );
    assert_exit_code(&run_patchwork(scratch.path(), &["check"]), 1);
    assert_exit_code(&run_patchwork(scratch.path(), &["frobnicate"]), 1);
    let help = run_patchwork(scratch.path(), &["--help"]);
    assert_exit_code(&help, 0);
    assert!(stdout_of(&help).contains("run") && stdout_of(&help).contains("check"));
    assert!(file_names(scratch.path()).is_empty());
}
