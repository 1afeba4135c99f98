//! `--posterior FILE` end to end: `run`, `compare` and `sweep` draw each replicate's parameters
//! from a weighted posterior by its seed (by weight, never a weight-0 row; the same row in both
//! arms and at every point; the same bytes on any thread count), record the draws, split each
//! difference's variance, and refuse bad files at their line and column with nothing written.

use std::collections::BTreeMap;
use std::path::Path;

use crate::util::{assert_exit_code, run_patchwork, stderr_of, stdout_of, write_file};

/// Two parameter sets far apart on the initial tie strength and threshold rise, and a third of
/// weight zero that must never be drawn.
const POSTERIOR: &str = "\
particle,weight,ties.initial_mean,pressure.threshold_rise,distance
0,1,0.05,0.05,1.2
1,0,0.9,0.3,9
2,3,0.6,0.25,0.8
";

/// A short scenario: 30 weeks, 10 of them warm-up.
const SHORT: [&str; 4] = [
    "--set",
    "run.horizon_weeks=30",
    "--set",
    "run.warmup_weeks=10",
];

fn setup() -> tempfile::TempDir {
    let directory = tempfile::tempdir().unwrap();
    write_file(directory.path(), "posterior.csv", POSTERIOR);
    write_file(
        directory.path(),
        "a.toml",
        "name = \"a\"\n[run]\nseed = 11\nreplicates = 6\n",
    );
    write_file(
        directory.path(),
        "b.toml",
        "name = \"b\"\n[run]\nseed = 11\nreplicates = 6\n[coordination]\nmode = \"team\"\n",
    );
    write_file(
        directory.path(),
        "sweep.toml",
        "name = \"s\"\n[run]\nseed = 11\n[sweep]\nreplicates = 3\n\
         [sweep.axes]\n\"coordination.mode\" = [\"adhoc\", \"team\"]\n",
    );
    directory
}

fn patchwork(directory: &Path, arguments: &[&str]) -> std::process::Output {
    let mut all: Vec<&str> = arguments.to_vec();
    all.extend(SHORT);
    all.push("--quiet");
    run_patchwork(directory, &all)
}

/// A CSV file as a header and rows of fields, each row a map from column to field.
fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|line| {
            header
                .iter()
                .zip(line.split(','))
                .map(|(column, field)| (column.to_string(), field.to_string()))
                .collect()
        })
        .collect()
}

/// Every file below `directory` with its bytes, `metadata.json` left out (wall time, threads).
fn files_below(directory: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(directory).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_below(&path));
        } else if !path.ends_with("metadata.json") {
            let name = path.strip_prefix(directory).unwrap().display().to_string();
            files.push((name, std::fs::read(&path).unwrap()));
        }
    }
    files.sort();
    files
}

/// Runs `command` with the posterior on 1 thread into `one` and on 2 into `two`.
fn on_one_and_two_threads(directory: &Path, command: &[&str]) {
    for (out, threads) in [("one", "1"), ("two", "2")] {
        let mut arguments = command.to_vec();
        arguments.extend([
            "--posterior",
            "posterior.csv",
            "--threads",
            threads,
            "--out",
            out,
        ]);
        assert_exit_code(&patchwork(directory, &arguments), 0);
    }
}

#[test]
fn run_draws_rows_by_weight_and_records_them() {
    let directory = setup();
    let output = patchwork(
        directory.path(),
        &[
            "run",
            "a.toml",
            "--posterior",
            "posterior.csv",
            "--replicates",
            "40",
            "--out",
            "run",
        ],
    );
    assert_exit_code(&output, 0);
    let rows = read_csv(&directory.path().join("run/runs.csv"));
    assert_eq!(rows.len(), 40);
    let drawn = |row: &str| rows.iter().filter(|r| r["posterior_row"] == row).count();
    assert_eq!(drawn("1"), 0, "a row of weight zero is never drawn");
    assert_eq!(drawn("0") + drawn("2"), 40);
    // Row 2 has three quarters of the weight: 30 of 40 expected, sd 2.7.
    assert!(
        (22..=38).contains(&drawn("2")),
        "row 2 drawn {}",
        drawn("2")
    );
    for row in &rows {
        let expected = if row["posterior_row"] == "0" {
            ("0.05", "0.05")
        } else {
            ("0.6", "0.25")
        };
        assert_eq!(
            (
                row["ties.initial_mean"].as_str(),
                row["pressure.threshold_rise"].as_str()
            ),
            expected
        );
    }
    // The draws change the runs: row 0's weak ties against row 2's strong ones.
    let mean_tie = |row: &str| {
        let values: Vec<f64> = rows
            .iter()
            .filter(|r| r["posterior_row"] == row)
            .map(|r| r["mean_tie_strength"].parse::<f64>().unwrap())
            .collect();
        values.iter().sum::<f64>() / values.len() as f64
    };
    assert!(mean_tie("2") > mean_tie("0"));
    let metadata: serde_json::Value =
        serde_json::from_slice(&std::fs::read(directory.path().join("run/metadata.json")).unwrap())
            .unwrap();
    assert_eq!(metadata["posterior"]["file"], "posterior.csv");
    assert_eq!(metadata["posterior"]["rows"], 3);
    assert_eq!(metadata["posterior"]["rows_weighted"], 2);
    assert_eq!(metadata["posterior"]["rows_drawn"], 2);
    assert_eq!(
        metadata["posterior"]["parameters"],
        serde_json::json!(["ties.initial_mean", "pressure.threshold_rise"])
    );
    assert_eq!(
        metadata["posterior"]["checksum"].as_str().unwrap().len(),
        32
    );
    let report = std::fs::read_to_string(directory.path().join("run/report.html")).unwrap();
    assert!(report.contains("Parameter uncertainty"));
    assert!(report.contains("posterior.csv"));
}

#[test]
fn compare_pairs_both_arms_on_one_draw_and_splits_the_variance() {
    let directory = setup();
    on_one_and_two_threads(directory.path(), &["compare", "a.toml", "b.toml"]);
    assert_eq!(
        files_below(&directory.path().join("one")),
        files_below(&directory.path().join("two")),
        "the same bytes on 1 and 2 threads"
    );
    // Each arm run alone draws the same rows as the comparison's replicates.
    let draws = read_csv(&directory.path().join("one/posterior_draws.csv"));
    assert_eq!(draws.len(), 6);
    for (scenario, out) in [("a.toml", "run-a"), ("b.toml", "run-b")] {
        let output = patchwork(
            directory.path(),
            &[
                "run",
                scenario,
                "--posterior",
                "posterior.csv",
                "--out",
                out,
            ],
        );
        assert_exit_code(&output, 0);
        let runs = read_csv(&directory.path().join(out).join("runs.csv"));
        for (run, draw) in runs.iter().zip(&draws) {
            assert_eq!(run["seed"], draw["seed"]);
            assert_eq!(run["posterior_row"], draw["posterior_row"]);
            assert_ne!(draw["twin_seed"], draw["seed"]);
        }
    }
    let comparison = read_csv(&directory.path().join("one/comparison.csv"));
    let mut split = 0;
    for row in &comparison {
        let (parameters, random) = (&row["parameter_share"], &row["random_share"]);
        if parameters == "NA" {
            assert_eq!(random, "NA");
            continue;
        }
        let (p, r): (f64, f64) = (parameters.parse().unwrap(), random.parse().unwrap());
        assert!(
            (0.0..=1.0).contains(&p) && (p + r - 1.0).abs() < 1e-5,
            "{row:?}"
        );
        split += 1;
    }
    assert!(split > 10, "most measures are split");
    let report = std::fs::read_to_string(directory.path().join("one/report.md")).unwrap();
    assert!(report.contains("## Parameters or chance?"));
    let metadata: serde_json::Value =
        serde_json::from_slice(&std::fs::read(directory.path().join("one/metadata.json")).unwrap())
            .unwrap();
    assert_eq!(metadata["posterior"]["rows"], 3);
}

#[test]
fn compare_prints_the_shares() {
    let directory = setup();
    let output = run_patchwork(
        directory.path(),
        &[
            "compare",
            "a.toml",
            "b.toml",
            "--posterior",
            "posterior.csv",
            "--replicates",
            "3",
            "--set",
            "run.horizon_weeks=30",
            "--set",
            "run.warmup_weeks=10",
            "--out",
            "out",
        ],
    );
    assert_exit_code(&output, 0);
    let stdout = stdout_of(&output);
    assert!(stdout.contains("from the parameters"), "{stdout}");
    assert!(stdout.contains("drawn from posterior.csv"), "{stdout}");
}

#[test]
fn sweep_draws_the_same_row_at_every_point_on_any_thread_count() {
    let directory = setup();
    on_one_and_two_threads(directory.path(), &["sweep", "sweep.toml"]);
    let runs = |out: &str| std::fs::read(directory.path().join(out).join("runs.csv")).unwrap();
    assert_eq!(runs("one"), runs("two"));
    let rows = read_csv(&directory.path().join("one/runs.csv"));
    assert_eq!(rows.len(), 6);
    for row in &rows[3..] {
        let same = &rows[row["replicate"].parse::<usize>().unwrap()];
        assert_eq!(row["posterior_row"], same["posterior_row"]);
        assert_eq!(row["ties.initial_mean"], same["ties.initial_mean"]);
        assert_ne!(row["posterior_row"], "1");
    }
    let metadata: serde_json::Value =
        serde_json::from_slice(&std::fs::read(directory.path().join("one/metadata.json")).unwrap())
            .unwrap();
    assert_eq!(metadata["posterior"]["file"], "posterior.csv");
}

#[test]
fn bad_posteriors_are_refused_at_their_line_and_column_with_nothing_written() {
    let directory = setup();
    let cases: [(&str, &str, &str); 7] = [
        (
            "missing.csv",
            "",
            "missing.csv: cannot read the posterior file",
        ),
        (
            "no-weight.csv",
            "ties.initial_mean\n0.2\n",
            "no-weight.csv:1:1: must have a `weight` column",
        ),
        (
            "unknown.csv",
            "weight,ties.initial_mean,ties.no_such_key\n1,0.2,3\n",
            "unknown.csv:1:3: ties.no_such_key: unknown key",
        ),
        (
            "text.csv",
            "weight,ties.initial_mean\n1,0.2\n1,strong\n",
            "text.csv:3:2: ties.initial_mean: must be a finite number, found `strong`",
        ),
        (
            "zero.csv",
            "weight,ties.initial_mean\n0,0.2\n0,0.4\n",
            "zero.csv:1:1: weight: the weights must sum to a positive finite number",
        ),
        (
            "negative.csv",
            "weight,ties.initial_mean\n2,0.2\n-1,0.4\n",
            "negative.csv:3:1: weight: must be zero or more, found -1",
        ),
        (
            "range.csv",
            "weight,ties.initial_mean\n1,0.2\n1,1.5\n",
            "range.csv:3:2: ties.initial_mean: must be a number from 0 to 1, found 1.5",
        ),
    ];
    for (name, text, expected) in cases {
        if !text.is_empty() {
            write_file(directory.path(), name, text);
        }
        for command in [
            &["run", "a.toml"][..],
            &["compare", "a.toml", "b.toml"],
            &["sweep", "sweep.toml"],
        ] {
            let mut arguments = command.to_vec();
            arguments.extend(["--posterior", name, "--out", "out"]);
            let output = patchwork(directory.path(), &arguments);
            assert_exit_code(&output, 1);
            let stderr = stderr_of(&output);
            assert!(
                stderr.contains(expected),
                "{command:?} {name}: expected {expected:?} in {stderr}"
            );
            assert!(!directory.path().join("out").exists(), "{command:?} {name}");
        }
    }
}

#[test]
fn a_set_or_axis_on_a_posterior_key_is_refused() {
    let directory = setup();
    let output = patchwork(
        directory.path(),
        &[
            "run",
            "a.toml",
            "--posterior",
            "posterior.csv",
            "--set",
            "ties.initial_mean=0.3",
            "--out",
            "out",
        ],
    );
    assert_exit_code(&output, 1);
    assert!(
        stderr_of(&output).contains(
            "posterior.csv:1:3: ties.initial_mean: is drawn from the posterior in every replicate, so --set `ties.initial_mean` cannot also set it"
        ),
        "{}",
        stderr_of(&output)
    );
    write_file(
        directory.path(),
        "axis.toml",
        "[sweep]\nreplicates = 1\n[sweep.axes]\n\"pressure.threshold_rise\" = [0.1, 0.2]\n",
    );
    let output = patchwork(
        directory.path(),
        &[
            "sweep",
            "axis.toml",
            "--posterior",
            "posterior.csv",
            "--out",
            "out",
        ],
    );
    assert_exit_code(&output, 1);
    assert!(
        stderr_of(&output).contains("posterior.csv:1:4: pressure.threshold_rise: is drawn from the posterior in every replicate, so the sweep axis"),
        "{}",
        stderr_of(&output)
    );
    assert!(!directory.path().join("out").exists());
}

/// `--set-b` makes B from A as a file would, under a posterior too: the same draws, the same
/// comparison, byte for byte.
#[test]
fn compare_with_set_b_matches_compare_with_a_file() {
    let directory = setup();
    for (out, arguments) in [
        ("files", vec!["compare", "a.toml", "b.toml"]),
        (
            "sets",
            vec![
                "compare",
                "a.toml",
                "--set-b",
                "coordination.mode=team",
                "--set-b",
                "name=b",
            ],
        ),
    ] {
        let mut arguments = arguments;
        arguments.extend(["--posterior", "posterior.csv", "--out", out]);
        assert_exit_code(&patchwork(directory.path(), &arguments), 0);
    }
    for file in ["comparison.csv", "advantage.csv", "posterior_draws.csv"] {
        assert_eq!(
            std::fs::read(directory.path().join("files").join(file)).unwrap(),
            std::fs::read(directory.path().join("sets").join(file)).unwrap(),
            "{file}"
        );
    }
}
