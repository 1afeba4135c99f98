//! `patchwork calibrate FILE` end to end on a tiny calibration (the tiny scenario, 2 generations
//! of 8 particles): the files and their headers, the same bytes on 1 and 2 threads, stopped after
//! each journaled chunk and resumed to the same bytes, bad files refused with their file, line and
//! key, `--dry-run` writing nothing. (The model's own calibration against published figures is
//! `calibration`.)

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::Command;

use crate::util::{
    assert_exit_code, file_names, patchwork_binary, run_patchwork, stderr_of, stdout_of,
    write_file, write_tiny_scenario,
};

/// What a finished calibration leaves, sorted by name.
const FINISHED_ENTRIES: [&str; 6] = [
    "generations.csv",
    "metadata.json",
    "particles.csv",
    "plots",
    "posterior.csv",
    "report.html",
];

/// Two parameters of the tiny scenario against two targets.
const TINY_CALIBRATION: &str = r#"base = "tiny.toml"
seed = 5
replicates = 2
particles = 8
generations = 2

[[parameter]]
key = "demand.onset_per_1000_year"
low = 30
high = 70

[[parameter]]
key = "assessment.screening_noise"
low = 0.02
high = 0.2
distribution = "log-uniform"

[[target]]
measure = "referrals_per_10k"
value = 150
scale = 15
source = "a test"

[[target]]
measure = "referral_rejection_share"
value = 0.37
scale = 0.02
"#;

/// Writes the tiny scenario and `text` as `cal.toml` in `directory`.
fn write_calibration(directory: &Path, text: &str) {
    write_tiny_scenario(directory);
    write_file(directory, "cal.toml", text);
}

/// Every file under `directory` (one level of subdirectory), by relative path, with its bytes.
fn read_tree(directory: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for name in file_names(directory) {
        let path = directory.join(&name);
        if path.is_dir() {
            for inner in file_names(&path) {
                files.push((
                    format!("{name}/{inner}"),
                    fs::read(path.join(&inner)).unwrap(),
                ));
            }
        } else {
            files.push((name, fs::read(path).unwrap()));
        }
    }
    files
}

fn calibrate(directory: &Path, out: &str, threads: &str) -> std::process::Output {
    run_patchwork(
        directory,
        &[
            "calibrate",
            "cal.toml",
            "--out",
            out,
            "--threads",
            threads,
            "--quiet",
        ],
    )
}

#[test]
fn calibrate_writes_the_documented_files() {
    let scratch = tempfile::tempdir().unwrap();
    write_calibration(scratch.path(), TINY_CALIBRATION);
    let output = calibrate(scratch.path(), "out", "1");
    assert_exit_code(&output, 0);
    assert_eq!(stdout_of(&output), "", "--quiet prints nothing");
    let out = scratch.path().join("out");
    assert_eq!(file_names(&out), FINISHED_ENTRIES);
    assert_eq!(
        file_names(&out.join("plots")),
        ["posterior.png", "targets.png"]
    );
    for png in ["plots/posterior.png", "plots/targets.png"] {
        assert!(fs::read(out.join(png)).unwrap().starts_with(b"\x89PNG"));
    }

    let generations = fs::read_to_string(out.join("generations.csv")).unwrap();
    let lines: Vec<&str> = generations.lines().collect();
    assert_eq!(
        lines[0],
        "generation,tolerance,proposals,runs,accepted,acceptance_rate,ess"
    );
    assert_eq!(lines.len(), 1 + 2, "two generations");
    assert!(lines[1].starts_with("0,Inf,8,8,8,1,"), "{}", lines[1]);
    let last_tolerance: f64 = lines[2].split(',').nth(1).unwrap().parse().unwrap();
    assert!(last_tolerance.is_finite() && last_tolerance > 0.0);

    // Every accepted particle of every generation, in order, in full precision.
    let particles = fs::read_to_string(out.join("particles.csv")).unwrap();
    let lines: Vec<&str> = particles.lines().collect();
    assert_eq!(
        lines[0],
        "generation,particle,proposals,runs,demand.onset_per_1000_year,\
         assessment.screening_noise,referrals_per_10k,referral_rejection_share,distance"
    );
    assert_eq!(lines.len(), 1 + 2 * 8, "two generations of eight");
    for (number, line) in lines[1..].iter().enumerate() {
        let prefix = format!("{},{},", number / 8, number % 8);
        assert!(line.starts_with(&prefix), "{line}");
    }

    let posterior = fs::read_to_string(out.join("posterior.csv")).unwrap();
    let lines: Vec<&str> = posterior.lines().collect();
    assert_eq!(
        lines[0],
        "particle,weight,demand.onset_per_1000_year,assessment.screening_noise,\
         referrals_per_10k,referral_rejection_share,distance"
    );
    assert_eq!(lines.len(), 1 + 8, "one row per particle");
    let mut total_weight = 0.0;
    for (index, line) in lines[1..].iter().enumerate() {
        let fields: Vec<f64> = line.split(',').map(|f| f.parse().unwrap()).collect();
        assert_eq!(fields[0], index as f64);
        total_weight += fields[1];
        assert!((30.0..=70.0).contains(&fields[2]), "{line}");
        assert!((0.02..=0.2).contains(&fields[3]), "{line}");
        // The distance is recomputed from the simulated values and the targets (rounded to six
        // places in the file), and the particle was accepted under the last tolerance.
        let distance =
            (((fields[4] - 150.0) / 15.0).powi(2) + ((fields[5] - 0.37) / 0.02).powi(2)).sqrt();
        assert!((distance - fields[6]).abs() < 1e-3, "{line}");
        assert!(fields[6] <= last_tolerance + 1e-6, "{line}");
    }
    assert!(
        (total_weight - 1.0).abs() < 1e-4,
        "weights sum to {total_weight}"
    );

    let metadata: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("metadata.json")).unwrap()).unwrap();
    assert_eq!(metadata["calibration"], "cal");
    assert_eq!(metadata["file"], "cal.toml");
    assert_eq!(metadata["base"], "tiny.toml");
    assert_eq!(metadata["seed"], 5);
    assert_eq!(metadata["particles"], 8);
    assert_eq!(metadata["replicates"], 2);
    assert_eq!(metadata["generations_run"], 2);
    assert_eq!(metadata["parameters"][1]["distribution"], "log-uniform");
    assert_eq!(metadata["targets"][0]["source"], "a test");
    assert_eq!(metadata["crate_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(metadata["sweep_hash"].as_str().map(str::len), Some(32));
    assert!(metadata.get("wall_time_seconds").is_none());

    let report = fs::read_to_string(out.join("report.html")).unwrap();
    for expected in [
        "Calibration: cal",
        "95% interval",
        "demand.onset_per_1000_year",
        "referral_rejection_share",
        "effective sample size",
        "data:image/png;base64,",
    ] {
        assert!(report.contains(expected), "report.html lacks {expected}");
    }

    // An existing non-empty directory is refused without --force, and nothing is run.
    let again = calibrate(scratch.path(), "out", "1");
    assert_exit_code(&again, 1);
    assert!(
        stderr_of(&again).contains("--force"),
        "{}",
        stderr_of(&again)
    );
}

// Same file, same bytes on one thread and on two, every file; another seed gives another
// posterior (so the comparison can fail).
#[test]
fn calibrate_gives_the_same_bytes_on_any_thread_count() {
    let scratch = tempfile::tempdir().unwrap();
    write_calibration(scratch.path(), TINY_CALIBRATION);
    assert_exit_code(&calibrate(scratch.path(), "one", "1"), 0);
    assert_exit_code(&calibrate(scratch.path(), "two", "2"), 0);
    let one = read_tree(&scratch.path().join("one"));
    let two = read_tree(&scratch.path().join("two"));
    assert_eq!(one.len(), 7);
    for ((name, a), (other, b)) in one.iter().zip(&two) {
        assert_eq!(name, other);
        assert!(a == b, "{name} differs between 1 and 2 threads");
    }
    write_file(
        scratch.path(),
        "cal.toml",
        &TINY_CALIBRATION.replace("seed = 5", "seed = 6"),
    );
    assert_exit_code(&calibrate(scratch.path(), "reseeded", "2"), 0);
    let posterior = |dir: &str| fs::read(scratch.path().join(dir).join("posterior.csv")).unwrap();
    assert_ne!(posterior("one"), posterior("reseeded"));
}

/// The tiny calibration into `out`, on one thread (four particles a chunk, so two chunks a
/// generation), exiting as if killed right after its `chunks`-th journaled chunk.
fn calibrate_stopping_after(directory: &Path, out: &str, chunks: u64) -> std::process::Output {
    Command::new(patchwork_binary())
        .args(["calibrate", "cal.toml", "--out", out, "--threads", "1"])
        .args(["--quiet"])
        .env("PATCHWORK_CALIBRATE_STOP_AFTER", chunks.to_string())
        .current_dir(directory)
        .output()
        .expect("the patchwork binary runs")
}

// Stopped at once after each of its four chunks (in the middle of generation 0, at its end, in
// the middle of generation 1, and with every particle in but no result written), the directory
// is refused by a plain rerun, and `--resume` on two threads finishes it to the same bytes as a
// calibration never interrupted; a row torn by the kill is cut away. Resuming a finished
// calibration does nothing.
#[test]
fn a_killed_calibration_resumes_to_the_same_bytes() {
    let scratch = tempfile::tempdir().unwrap();
    let scratch = scratch.path();
    write_calibration(scratch, TINY_CALIBRATION);
    assert_exit_code(&calibrate(scratch, "whole", "1"), 0);
    let whole = read_tree(&scratch.join("whole"));

    for chunks in 1..=4 {
        let out = format!("killed-{chunks}");
        let killed = scratch.join(&out);
        assert_exit_code(&calibrate_stopping_after(scratch, &out, chunks), 137);
        assert_eq!(
            file_names(&killed),
            ["particles.csv.partial", "sweep.journal", "sweep.lock"],
            "stopped after chunk {chunks}: only the journaled particles (and the dead process's lock)"
        );
        let kept = fs::read_to_string(killed.join("particles.csv.partial")).unwrap();
        assert_eq!(kept.lines().count() as u64, 1 + 4 * chunks);
        if chunks == 2 {
            fs::OpenOptions::new()
                .append(true)
                .open(killed.join("particles.csv.partial"))
                .unwrap()
                .write_all(b"1,0,3,2,41.5,0.0")
                .unwrap();
        }

        let plain = calibrate(scratch, &out, "1");
        assert_exit_code(&plain, 1);
        let stderr = stderr_of(&plain);
        assert!(
            stderr.contains("unfinished calibration")
                && stderr.contains("--resume")
                && stderr.contains("--force"),
            "{stderr}"
        );

        let resumed = run_patchwork(
            scratch,
            &[
                "calibrate",
                "cal.toml",
                "--out",
                &out,
                "--threads",
                "2",
                "--resume",
            ],
        );
        assert_exit_code(&resumed, 0);
        assert!(
            stdout_of(&resumed).contains(&format!("{} particles read back", 4 * chunks)),
            "{}",
            stdout_of(&resumed)
        );
        assert_eq!(file_names(&killed), FINISHED_ENTRIES, "no journal left");
        let files = read_tree(&killed);
        assert_eq!(files.len(), whole.len());
        for ((name, a), (other, b)) in files.iter().zip(&whole) {
            assert_eq!(name, other);
            assert!(a == b, "{name} differs after stopping at chunk {chunks}");
        }
    }

    let again = run_patchwork(
        scratch,
        &["calibrate", "cal.toml", "--out", "killed-2", "--resume"],
    );
    assert_exit_code(&again, 0);
    assert!(
        stdout_of(&again).contains("nothing to resume"),
        "{}",
        stdout_of(&again)
    );
    assert_eq!(read_tree(&scratch.join("killed-2")), whole);

    // Another calibration's directory is not resumed.
    write_file(
        scratch,
        "cal.toml",
        &TINY_CALIBRATION.replace("seed = 5", "seed = 6"),
    );
    let other = run_patchwork(
        scratch,
        &["calibrate", "cal.toml", "--out", "killed-2", "--resume"],
    );
    assert_exit_code(&other, 1);
    assert!(
        stderr_of(&other).contains("different"),
        "{}",
        stderr_of(&other)
    );
}

// Each bad file is refused with its name, line and key, exit status 1, and nothing written.
#[test]
fn bad_calibration_files_are_refused_with_file_line_and_key() {
    let cases = [
        (
            "particles = 8",
            "particles = 1",
            "cal.toml:4:13: particles: must be from 2 to 100000",
        ),
        (
            "\"referrals_per_10k\"",
            "\"referrals\"",
            "cal.toml:19:11: target referrals: measure: referrals is not a measure",
        ),
        (
            "demand.onset_per_1000_year",
            "demand.no_such_rate",
            "cal.toml:8:7: parameter demand.no_such_rate: the base scenario refuses",
        ),
        (
            "scale = 15",
            "scale = -1",
            "cal.toml:21:9: target referrals_per_10k: scale",
        ),
        (
            "seed = 5",
            "seed = 5\ncolour = 1",
            "cal.toml:3:1: colour: unknown field",
        ),
    ];
    for (from, to, expected) in cases {
        let scratch = tempfile::tempdir().unwrap();
        write_calibration(scratch.path(), &TINY_CALIBRATION.replace(from, to));
        let output = calibrate(scratch.path(), "out", "1");
        assert_exit_code(&output, 1);
        let stderr = stderr_of(&output);
        assert!(
            stderr.contains(expected),
            "expected {expected}, found {stderr}"
        );
        assert!(!scratch.path().join("out").exists(), "nothing written");
    }
}

#[test]
fn dry_run_counts_runs_and_writes_nothing() {
    let scratch = tempfile::tempdir().unwrap();
    write_calibration(scratch.path(), TINY_CALIBRATION);
    let output = run_patchwork(
        scratch.path(),
        &["calibrate", "cal.toml", "--dry-run", "--threads", "1"],
    );
    assert_exit_code(&output, 0);
    let stdout = stdout_of(&output);
    // Generation 0: 8 particles × 2 replicates; generation 1 at the default minimum rate 0.02:
    // 8 / 0.02 = 400 particles run × 2 replicates.
    assert!(stdout.contains("generation 0: 16 runs"), "{stdout}");
    assert!(stdout.contains("up to 816 runs"), "{stdout}");
    assert!(stdout.contains("s per run"), "{stdout}");
    assert_eq!(
        file_names(scratch.path()),
        ["cal.toml", "tiny.toml"],
        "no output directory"
    );
}
