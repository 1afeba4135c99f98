//! `patchwork compare` says what it compared: the resolved keys that differ between A and B
//! (after `--set`, `--set-a`, `--set-b`), a bottom line in plain words, and located errors for
//! the one-arm options.

use std::process::Output;

use crate::util::{assert_exit_code, run_patchwork, stderr_of, stdout_of, write_tiny_scenario};

/// `patchwork compare tiny.toml ARGUMENTS --out cmp` in a scratch directory (kept alive by the
/// returned handle).
fn compare_tiny(arguments: &[&str]) -> (tempfile::TempDir, Output) {
    let scratch = tempfile::tempdir().unwrap();
    write_tiny_scenario(scratch.path());
    let mut all = vec!["compare", "tiny.toml"];
    all.extend(arguments);
    all.extend(["--out", "cmp"]);
    let output = run_patchwork(scratch.path(), &all);
    (scratch, output)
}

#[test]
fn one_scenario_against_itself_changed_by_set_b() {
    let (scratch, output) = compare_tiny(&[
        "--set-b",
        "coordination.mode=team",
        "--set-b",
        "event=[{week=80, kind=\"leave\", who=\"any\", share=0.3}]",
    ]);
    assert_exit_code(&output, 0);
    let stdout = stdout_of(&output);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        "What differs between A (tiny (A)) and B (tiny (B)), every option applied:"
    );
    let mode = lines
        .iter()
        .find(|line| line.trim_start().starts_with("coordination.mode"))
        .expect("coordination.mode listed");
    assert!(
        mode.contains("\"adhoc\"") && mode.ends_with("\"team\""),
        "{mode}"
    );
    assert!(
        lines
            .iter()
            .any(|line| line.trim_start().starts_with("event.0.week") && line.ends_with("80")),
        "{stdout}"
    );
    // Only the keys that differ: the seed is the same in both.
    assert!(!stdout.contains("run.seed"), "{stdout}");
    assert!(
        lines.iter().any(|line| line.starts_with("Bottom line: ")),
        "{stdout}"
    );

    let report = std::fs::read_to_string(scratch.path().join("cmp/report.md")).unwrap();
    let differs = report.find("## What differs").expect("what differs");
    let bottom = report.find("## Bottom line").expect("bottom line");
    let changes = report.find("## What changes").expect("what changes");
    assert!(differs < bottom && bottom < changes, "{report}");
    assert!(
        report.contains("| coordination.mode | \"adhoc\" | \"team\" |"),
        "{report}"
    );
    assert!(report.contains("B alone was run with coordination.mode=team"));
    let metadata: serde_json::Value =
        serde_json::from_slice(&std::fs::read(scratch.path().join("cmp/metadata.json")).unwrap())
            .unwrap();
    assert_eq!(metadata["sets_b"][0], "coordination.mode=team");
    assert!(metadata.get("sets_a").is_none());
}

#[test]
fn the_same_scenario_twice_says_so() {
    let (scratch, output) = compare_tiny(&["tiny.toml"]);
    assert_exit_code(&output, 0);
    let stdout = stdout_of(&output);
    assert!(
        stdout.starts_with("A and B are the same scenario: no resolved key differs"),
        "{stdout}"
    );
    let report = std::fs::read_to_string(scratch.path().join("cmp/report.md")).unwrap();
    assert!(report.contains("A and B are the same scenario"), "{report}");
    assert!(!report.contains("## Bottom line"), "said once: {report}");
}

#[test]
fn one_arm_options_are_located_and_nothing_is_written() {
    for (flag, key) in [("--set-a", "coordination.mode"), ("--set-b", "run.seed")] {
        let (scratch, output) = compare_tiny(&[flag, &format!("{key}=oops")]);
        assert_exit_code(&output, 1);
        let stderr = stderr_of(&output);
        assert!(
            stderr.starts_with(&format!("error: {flag}: {key}: ")),
            "{stderr}"
        );
        assert!(!scratch.path().join("cmp").exists());
    }
}
