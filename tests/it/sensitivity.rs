//! `patchwork sensitivity` on the sweep's engine: the same bytes on any thread count, sharded
//! and merged, and killed then resumed (with a torn row after the last journaled chunk);
//! `--dry-run` writes nothing; an occupied directory needs `--force`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{assert_exit_code, patchwork_binary, run_patchwork, stdout_of, write_file};

/// A Morris screening of two parameters over short runs: 3 trajectories × 3 points, 2 replicates.
fn morris_file(directory: &Path) -> PathBuf {
    let text = format!(
        r#"base = "{}/scenarios/baseline.toml"
sets = ["run.horizon_weeks=30", "run.warmup_weeks=4"]
outputs = ["median_weeks_to_help", "coordination_hours"]
method = "morris"
trajectories = 3
levels = 4
replicates = 2
seed = 11
bootstrap = 50

[[parameter]]
key = "turnover.annual_rate"
low = 0.05
high = 0.25

[[parameter]]
key = "ties.decay_per_week"
low = 0.002
high = 0.05
distribution = "log-uniform"
"#,
        env!("CARGO_MANIFEST_DIR")
    );
    write_file(directory, "screen.toml", &text)
}

/// A Sobol' analysis of two parameters: 24 base samples × 4 = 96 points × 2 replicates, in
/// four chunks on one thread, so that a kill can land between chunks.
fn sobol_file(directory: &Path) -> PathBuf {
    let text = morris_file(directory);
    let text = std::fs::read_to_string(text).unwrap().replace(
        "method = \"morris\"\ntrajectories = 3\nlevels = 4",
        "method = \"sobol\"\nbase_samples = 24",
    );
    write_file(directory, "sobol.toml", &text)
}

/// Every file an unsharded analysis computes, by name.
const COMPARED: [&str; 5] = [
    "samples.csv",
    "runs.csv",
    "indices.csv",
    "report.html",
    "plots/morris.png",
];

fn analyse(scratch: &Path, file: &Path, out: &str, arguments: &[&str]) -> PathBuf {
    let directory = scratch.join(out);
    let mut all = vec![
        "sensitivity",
        file.to_str().unwrap(),
        "--quiet",
        "--out",
        directory.to_str().unwrap(),
    ];
    all.extend_from_slice(arguments);
    let output = run_patchwork(scratch, &all);
    assert_exit_code(&output, 0);
    directory
}

fn assert_same_files(a: &Path, b: &Path, names: &[&str]) {
    for name in names {
        let (left, right) = (std::fs::read(a.join(name)), std::fs::read(b.join(name)));
        assert!(left.is_ok(), "{} has {name}", a.display());
        assert!(
            left.unwrap() == right.expect("both have the file"),
            "{name} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

#[test]
fn shards_merged_and_any_thread_count_give_the_same_bytes() {
    let scratch = tempfile::tempdir().unwrap();
    let scratch = scratch.path();
    let file = morris_file(scratch);
    let one = analyse(scratch, &file, "one", &["--threads", "1"]);
    let two = analyse(scratch, &file, "two", &["--threads", "2"]);
    assert_same_files(&one, &two, &COMPARED);
    let runs = std::fs::read_to_string(one.join("runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 1 + 9 * 2);
    assert!(runs.starts_with("point,replicate,seed,median_weeks_to_help,coordination_hours\n"));

    let shards: Vec<PathBuf> = (1..=3)
        .map(|index| {
            let shard = format!("{index}/3");
            let directory = analyse(
                scratch,
                &file,
                &format!("shard-{index}"),
                &["--shard", &shard, "--threads", "2"],
            );
            // A shard holds its rows only: the indices need every point.
            assert!(!directory.join("indices.csv").exists());
            directory
        })
        .collect();
    let merged = scratch.join("merged");
    let output = run_patchwork(
        scratch,
        &[
            "merge",
            shards[2].to_str().unwrap(),
            shards[0].to_str().unwrap(),
            shards[1].to_str().unwrap(),
            "--out",
            merged.to_str().unwrap(),
        ],
    );
    assert_exit_code(&output, 0);
    assert_same_files(&one, &merged, &COMPARED);

    // A missing shard is refused, and nothing is merged.
    let refused = scratch.join("refused");
    let output = run_patchwork(
        scratch,
        &[
            "merge",
            shards[0].to_str().unwrap(),
            shards[1].to_str().unwrap(),
            "--out",
            refused.to_str().unwrap(),
        ],
    );
    assert_exit_code(&output, 1);
    assert!(!refused.exists());
}

#[test]
fn a_killed_analysis_resumes_to_the_same_bytes() {
    let scratch = tempfile::tempdir().unwrap();
    let scratch = scratch.path();
    let file = sobol_file(scratch);
    let whole = analyse(scratch, &file, "whole", &["--threads", "1"]);
    let names = [
        "samples.csv",
        "runs.csv",
        "indices.csv",
        "report.html",
        "plots/sobol.png",
    ];

    let killed = scratch.join("killed");
    let mut child = Command::new(patchwork_binary())
        .args([
            "sensitivity",
            file.to_str().unwrap(),
            "--quiet",
            "--threads",
            "1",
            "--out",
        ])
        .arg(&killed)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the patchwork binary starts");
    // Kill it (SIGKILL: no chance to tidy up) once its first chunk is journaled.
    let journal = killed.join("sweep.journal");
    let started = Instant::now();
    while std::fs::read_to_string(&journal).map_or(0, |text| text.matches("done").count()) < 2 {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no chunk journaled"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = child.kill();
    let _ = child.wait();
    let partial = killed.join("runs.csv.partial");
    let cut = std::fs::read(&partial).expect("killed mid-way, runs.csv is still partial");
    assert!(cut.len() < std::fs::read(whole.join("runs.csv")).unwrap().len());
    // A row torn by the kill after the last journaled chunk.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&partial)
        .unwrap()
        .write_all(b"95,1,12345,3.")
        .unwrap();

    let resumed = run_patchwork(
        scratch,
        &[
            "sensitivity",
            file.to_str().unwrap(),
            "--threads",
            "2",
            "--resume",
            "--out",
            killed.to_str().unwrap(),
        ],
    );
    assert_exit_code(&resumed, 0);
    assert!(stdout_of(&resumed).contains("resumed"));
    assert_same_files(&whole, &killed, &names);
    assert!(!journal.exists());

    // Resuming a finished analysis runs nothing.
    let again = run_patchwork(
        scratch,
        &[
            "sensitivity",
            file.to_str().unwrap(),
            "--resume",
            "--out",
            killed.to_str().unwrap(),
        ],
    );
    assert_exit_code(&again, 0);
    assert!(
        stdout_of(&again).contains("finished"),
        "{}",
        stdout_of(&again)
    );
}

#[test]
fn dry_run_writes_nothing_and_an_occupied_directory_needs_force() {
    let scratch = tempfile::tempdir().unwrap();
    let scratch = scratch.path();
    let file = morris_file(scratch);
    let out = scratch.join("out");
    let dry = run_patchwork(
        scratch,
        &[
            "sensitivity",
            file.to_str().unwrap(),
            "--dry-run",
            "--shard",
            "2/3",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_exit_code(&dry, 0);
    let text = stdout_of(&dry);
    assert!(text.contains("9 points × 2 replicates = 18 runs"), "{text}");
    assert!(text.contains("shard 2/3"), "{text}");
    assert!(text.contains("estimated"), "{text}");
    assert!(!out.exists());

    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let refused = run_patchwork(
        scratch,
        &[
            "sensitivity",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_exit_code(&refused, 1);
    assert!(!out.join("runs.csv").exists());
    assert!(!out.join("runs.csv.partial").exists());
}
