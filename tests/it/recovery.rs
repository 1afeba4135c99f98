//! A command line that helps you recover: a sweep file given to the wrong command, a rerun into an
//! unfinished sweep directory, and the examples in every subcommand's help.

use crate::sweep::SMALL_SWEEP;
use crate::util::{assert_exit_code, run_patchwork, stderr_of, stdout_of, write_file};

#[test]
fn check_validates_a_sweep_file_as_a_sweep() {
    let scratch = tempfile::tempdir().unwrap();
    write_file(scratch.path(), "small.toml", SMALL_SWEEP);
    let output = run_patchwork(scratch.path(), &["check", "small.toml"]);
    assert_exit_code(&output, 0);
    let stdout = stdout_of(&output);
    assert!(
        stdout.contains("small.toml is a valid sweep file"),
        "{stdout}"
    );
    assert!(
        stdout.contains("6 points × 3 replicates = 18 runs"),
        "{stdout}"
    );
    assert!(stdout.contains("estimated"), "an estimate: {stdout}");
    assert!(!scratch.path().join("output").exists(), "nothing written");

    // A bad axis is reported as `sweep` would report it, at its line and key.
    let bad = SMALL_SWEEP.replace("\"locality.0.primaries\"", "\"locality.0.primarys\"");
    write_file(scratch.path(), "bad.toml", &bad);
    let output = run_patchwork(scratch.path(), &["check", "bad.toml"]);
    assert_exit_code(&output, 1);
    let stderr = stderr_of(&output);
    assert!(stderr.contains("bad.toml:"), "{stderr}");
    assert!(stderr.contains("locality.0.primarys"), "{stderr}");
}

#[test]
fn run_compare_and_demo_point_a_sweep_file_at_sweep() {
    let scratch = tempfile::tempdir().unwrap();
    let file = write_file(scratch.path(), "small.toml", SMALL_SWEEP);
    let line = SMALL_SWEEP
        .lines()
        .position(|line| line == "[sweep]")
        .unwrap()
        + 1;
    write_file(
        scratch.path(),
        "plain.toml",
        "[coordination]\nmode = \"team\"\n",
    );
    for arguments in [
        vec!["run", "small.toml"],
        vec!["compare", "plain.toml", "small.toml"],
        vec!["demo", "small.toml", "--speed", "0"],
    ] {
        let output = run_patchwork(scratch.path(), &arguments);
        assert_exit_code(&output, 1);
        let stderr = stderr_of(&output);
        assert!(
            stderr.contains(&format!("small.toml:{line}: sweep: this is a sweep file")),
            "{arguments:?}: {stderr}"
        );
        assert!(
            stderr.contains("patchwork sweep small.toml"),
            "{arguments:?}: {stderr}"
        );
        assert!(!scratch.path().join("output").exists(), "nothing written");
    }
    assert!(file.exists());
}

#[test]
fn a_plain_start_in_an_unfinished_sweep_directory_suggests_resume() {
    let scratch = tempfile::tempdir().unwrap();
    write_file(scratch.path(), "small.toml", SMALL_SWEEP);
    // What an interrupted sweep leaves: its journal (and partial files).
    std::fs::create_dir(scratch.path().join("out")).unwrap();
    std::fs::write(scratch.path().join("out/sweep.journal"), "").unwrap();
    std::fs::write(scratch.path().join("out/runs.csv.partial"), "").unwrap();
    let output = run_patchwork(
        scratch.path(),
        &["sweep", "small.toml", "--out", "out", "--quiet"],
    );
    assert_exit_code(&output, 1);
    let stderr = stderr_of(&output);
    assert!(stderr.contains("holds an unfinished run"), "{stderr}");
    assert!(stderr.contains("--resume"), "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
    assert!(
        !scratch.path().join("out/runs.csv").exists(),
        "nothing written"
    );
}

#[test]
fn every_subcommand_help_has_examples_of_files_that_exist() {
    let repository = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for command in [
        "run",
        "check",
        "compare",
        "plot",
        "init",
        "demo",
        "sweep",
        "merge",
        "national",
        "warmup",
        "sensitivity",
        "calibrate",
        "robustness",
    ] {
        let output = run_patchwork(repository, &[command, "--help"]);
        assert_exit_code(&output, 0);
        let help = stdout_of(&output);
        let examples = help
            .split_once("Examples:\n")
            .unwrap_or_else(|| panic!("`{command} --help` has no examples: {help}"))
            .1;
        assert!(
            examples.contains(&format!("patchwork {command}")),
            "{command}: {examples}"
        );
        for word in examples.split_whitespace() {
            let word = word.trim_end_matches([':', ',', ';']);
            if word.starts_with("scenarios/") {
                assert!(
                    repository.join(word).exists(),
                    "`{command} --help` names {word}, which does not exist"
                );
            }
        }
    }
    // The file lists are true: plot works on a sweep, sweep writes report.html and plots/.
    let sweep = stdout_of(&run_patchwork(repository, &["sweep", "--help"]));
    assert!(sweep.contains("report.html and plots/"), "{sweep}");
    let plot = stdout_of(&run_patchwork(repository, &["plot", "--help"]));
    assert!(plot.contains("`sweep`"), "{plot}");
}

#[test]
fn one_replicate_has_no_confidence_interval() {
    let scratch = tempfile::tempdir().unwrap();
    crate::util::write_tiny_scenario(scratch.path());
    let output = run_patchwork(
        scratch.path(),
        &["run", "tiny.toml", "--replicates", "1", "--out", "out"],
    );
    assert_exit_code(&output, 0);
    let stdout = stdout_of(&output);
    let median = stdout
        .lines()
        .find(|line| line.starts_with("median weeks to help"))
        .unwrap();
    assert!(median.ends_with("  NA"), "{median}");
    let table: Vec<&str> = stdout
        .lines()
        .skip(1)
        .take_while(|line| !line.starts_with("wrote "))
        .collect();
    assert_eq!(table.len(), 11, "{stdout}");
    assert!(
        table.iter().all(|line| line.ends_with("  NA")),
        "no degenerate interval: {stdout}"
    );

    let summary = std::fs::read_to_string(scratch.path().join("out/summary.csv")).unwrap();
    for line in summary.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(&fields[3..5], ["NA", "NA"], "ci_low, ci_high: {line}");
        assert_eq!(fields[6], "1", "{line}");
    }
    let report = std::fs::read_to_string(scratch.path().join("out/report.html")).unwrap();
    assert!(
        report.contains("<td class=\"num\">NA</td>"),
        "the HTML says NA"
    );
}

#[test]
fn national_prints_a_summary_and_writes_a_report() {
    let scratch = tempfile::tempdir().unwrap();
    write_file(
        scratch.path(),
        "nation.toml",
        r#"
name = "nation"

[run]
horizon_weeks = 80
warmup_weeks = 20
seed = 3

[[locality]]
name = "town"
count = 3
primaries = 2
"#,
    );
    let output = run_patchwork(scratch.path(), &["national", "nation.toml", "--out", "out"]);
    assert_exit_code(&output, 0);
    let stdout = stdout_of(&output);
    assert!(
        stdout.contains("measure (3 patches)"),
        "a table across patches: {stdout}"
    );
    assert!(stdout.contains("median weeks to help"), "{stdout}");
    assert!(stdout.contains("wrote report.html to out"), "{stdout}");
    let report = std::fs::read_to_string(scratch.path().join("out/report.html")).unwrap();
    assert!(report.contains("National run: nation"), "{report}");
    assert!(report.contains("Median weeks from recognition to help"));

    // A shard writes no report; merging the shards writes the whole run's.
    for shard in ["1/2", "2/2"] {
        let out = format!("shard-{}", &shard[..1]);
        let output = run_patchwork(
            scratch.path(),
            &[
                "national",
                "nation.toml",
                "--shard",
                shard,
                "--out",
                &out,
                "-q",
            ],
        );
        assert_exit_code(&output, 0);
        assert!(!scratch.path().join(&out).join("report.html").exists());
    }
    let output = run_patchwork(
        scratch.path(),
        &["merge", "shard-1", "shard-2", "--out", "merged", "-q"],
    );
    assert_exit_code(&output, 0);
    assert_eq!(
        std::fs::read(scratch.path().join("merged/report.html")).unwrap(),
        std::fs::read(scratch.path().join("out/report.html")).unwrap()
    );
}
