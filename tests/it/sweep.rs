//! `patchwork sweep` and `patchwork merge`: the same bytes whatever the thread count, after
//! sharding and merging, and after a kill and `--resume`; one failed run isolated; the designs
//! make the points they should; bad sweep files are reported at their file, line and key.
//!
//! Every sweep here is short (60 weeks, 10 of them warm-up, a few replicates) so the whole module
//! runs in seconds.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::util::{
    assert_exit_code, file_names, patchwork_binary, run_patchwork, stderr_of, stdout_of, write_file,
};

/// The files a finished sweep leaves, sorted by name.
const SWEEP_FILES: [&str; 5] = [
    "failures.csv",
    "metadata.json",
    "points.csv",
    "runs.csv",
    "settling.csv",
];

/// What a finished whole sweep (not a shard) holds: its files, then `report.html` and `plots/`.
const FINISHED_SWEEP_ENTRIES: [&str; 7] = [
    "failures.csv",
    "metadata.json",
    "plots",
    "points.csv",
    "report.html",
    "runs.csv",
    "settling.csv",
];

/// A factorial sweep of 2 × 3 = 6 points, 3 replicates each, short runs.
pub(crate) const SMALL_SWEEP: &str = r#"
name = "small"

[run]
horizon_weeks = 60
warmup_weeks = 10
seed = 11

[coordination]
mode = "team"

[sweep]
design = "factorial"
replicates = 3

[sweep.axes]
"coordination.minder" = [false, true]
"locality.0.primaries" = [2, 3, 5]
"#;

/// The deterministic files of a finished sweep (not `metadata.json`, which holds wall time).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SweepFiles {
    runs: String,
    points: String,
    failures: String,
    settling: String,
}

pub(crate) fn read_sweep(directory: &Path) -> SweepFiles {
    let read = |name: &str| {
        std::fs::read_to_string(directory.join(name))
            .unwrap_or_else(|error| panic!("{}: {error}", directory.join(name).display()))
    };
    SweepFiles {
        runs: read("runs.csv"),
        points: read("points.csv"),
        failures: read("failures.csv"),
        settling: read("settling.csv"),
    }
}

/// Runs `patchwork sweep <sweep> --out <directory> --quiet <arguments>` and asserts the exit code.
pub(crate) fn sweep(
    scratch: &Path,
    sweep_file: &Path,
    out: &str,
    arguments: &[&str],
    code: i32,
) -> PathBuf {
    let directory = scratch.join(out);
    let sweep_text = sweep_file.to_string_lossy().into_owned();
    let out_text = directory.to_string_lossy().into_owned();
    let mut all = vec![
        "sweep",
        sweep_text.as_str(),
        "--out",
        out_text.as_str(),
        "--quiet",
    ];
    all.extend_from_slice(arguments);
    let output = run_patchwork(scratch, &all);
    assert_exit_code(&output, code);
    directory
}

fn read_metadata(directory: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(directory.join("metadata.json")).unwrap())
        .unwrap()
}

pub(crate) fn data_lines(text: &str) -> Vec<&str> {
    text.lines().skip(1).collect()
}

#[test]
fn sweep_bytes_do_not_depend_on_the_thread_count() {
    let scratch = tempfile::tempdir().unwrap();
    let file = write_file(scratch.path(), "small.toml", SMALL_SWEEP);
    let one = read_sweep(&sweep(scratch.path(), &file, "one", &["--threads", "1"], 0));
    let two = read_sweep(&sweep(scratch.path(), &file, "two", &["--threads", "2"], 0));
    let three = read_sweep(&sweep(
        scratch.path(),
        &file,
        "three",
        &["--threads", "3"],
        0,
    ));
    assert_eq!(one, two);
    assert_eq!(one, three);
    assert_eq!(
        file_names(&scratch.path().join("one")),
        FINISHED_SWEEP_ENTRIES
    );

    let runs = data_lines(&one.runs);
    assert_eq!(runs.len(), 18);
    let header: Vec<&str> = one.runs.lines().next().unwrap().split(',').collect();
    assert_eq!(
        &header[..6],
        [
            "run",
            "point",
            "replicate",
            "seed",
            "coordination.minder",
            "locality.0.primaries"
        ]
    );
    for (index, line) in runs.iter().enumerate() {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields[0], index.to_string(), "rows in run order");
        assert_eq!(fields[1], (index / 3).to_string());
        assert_eq!(fields[2], (index % 3).to_string());
    }
    // Common random numbers: replicate r has the same seed at every point.
    let seed_of = |line: &str| line.split(',').nth(3).unwrap().to_string();
    assert_eq!(seed_of(runs[0]), seed_of(runs[3]));
    assert_eq!(seed_of(runs[1]), seed_of(runs[16]));
    assert_ne!(seed_of(runs[0]), seed_of(runs[1]));
    // Last axis fastest.
    let axes = |line: &str| {
        line.split(',')
            .skip(4)
            .take(2)
            .collect::<Vec<_>>()
            .join(",")
    };
    let point_axes: Vec<String> = (0..6).map(|point| axes(runs[point * 3])).collect();
    assert_eq!(
        point_axes,
        [
            "FALSE,2", "FALSE,3", "FALSE,5", "TRUE,2", "TRUE,3", "TRUE,5"
        ]
    );

    let points = data_lines(&one.points);
    let measures = points.len() / 6;
    assert_eq!(points.len(), 6 * measures);
    assert!(
        points[0].starts_with("0,FALSE,2,median_weeks_to_help,"),
        "{}",
        points[0]
    );
    assert!(
        points[0].ends_with(",3"),
        "n is the replicates: {}",
        points[0]
    );
    assert_eq!(one.failures, "run,point,replicate,seed,error\n");

    let metadata: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(scratch.path().join("two/metadata.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(metadata["threads"], 2);
    assert_eq!(metadata["master_seed"], 11);
    assert_eq!(metadata["runs_done"], 18);
    assert_eq!(metadata["design"]["points"], 6);
    assert_eq!(
        metadata["resolved_base_scenario"]["coordination"]["mode"],
        "team"
    );
    assert!(metadata["runs_per_second"].as_f64().unwrap() > 0.0);
    assert_eq!(metadata["sweep_hash"].as_str().unwrap().len(), 32);
}

#[test]
fn shards_merged_equal_the_whole_sweep() {
    let scratch = tempfile::tempdir().unwrap();
    let file = write_file(scratch.path(), "small.toml", SMALL_SWEEP);
    let whole = read_sweep(&sweep(scratch.path(), &file, "whole", &[], 0));
    for shard in ["1/4", "2/4", "3/4", "4/4"] {
        let out = format!("shard-{}", &shard[..1]);
        sweep(scratch.path(), &file, &out, &["--shard", shard], 0);
    }
    let shard_runs = data_lines(&read_sweep(&scratch.path().join("shard-1")).runs).len();
    assert_eq!(shard_runs, 3, "shard 1 of 4 owns point 0 of 6");

    let merge = |out: &str, shards: &[&str]| {
        let mut arguments = vec!["merge"];
        arguments.extend_from_slice(shards);
        arguments.extend_from_slice(&["--out", out, "--quiet"]);
        run_patchwork(scratch.path(), &arguments)
    };
    let output = merge("merged", &["shard-3", "shard-1", "shard-4", "shard-2"]);
    assert_exit_code(&output, 0);
    assert_eq!(read_sweep(&scratch.path().join("merged")), whole);
    let metadata: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(scratch.path().join("merged/metadata.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(metadata["merged_shards"], 4);
    assert_eq!(metadata["shard"]["runs"], 18);
    // The settling summary is read back from settling.csv, so the merge's is the whole sweep's.
    let whole_metadata = read_metadata(&scratch.path().join("whole"));
    assert_eq!(metadata["settling"], whole_metadata["settling"]);
    assert_eq!(metadata["settling"]["points"], 6);

    let missing = merge("missing", &["shard-1", "shard-2", "shard-4"]);
    assert_exit_code(&missing, 1);
    assert!(
        stderr_of(&missing).contains("shard 3 of 4 is missing"),
        "{}",
        stderr_of(&missing)
    );
    assert!(!scratch.path().join("missing").exists());

    let twice = merge(
        "twice",
        &["shard-1", "shard-2", "shard-2", "shard-3", "shard-4"],
    );
    assert_exit_code(&twice, 1);
    assert!(
        stderr_of(&twice).contains("is given twice"),
        "{}",
        stderr_of(&twice)
    );

    sweep(
        scratch.path(),
        &file,
        "other-4",
        &["--shard", "4/4", "--set", "run.seed=12"],
        0,
    );
    let other = merge("other", &["shard-1", "shard-2", "shard-3", "other-4"]);
    assert_exit_code(&other, 1);
    assert!(
        stderr_of(&other).contains("hold different sweeps"),
        "{}",
        stderr_of(&other)
    );

    // A shard whose metadata claims another version is refused too.
    let copied = scratch.path().join("old-4");
    std::fs::create_dir(&copied).unwrap();
    for name in SWEEP_FILES {
        let text = std::fs::read_to_string(scratch.path().join("shard-4").join(name)).unwrap();
        let text = text.replace(
            &format!("\"crate_version\": \"{}\"", env!("CARGO_PKG_VERSION")),
            "\"crate_version\": \"0.0.0-old\"",
        );
        std::fs::write(copied.join(name), text).unwrap();
    }
    let old = merge("old", &["shard-1", "shard-2", "shard-3", "old-4"]);
    assert_exit_code(&old, 1);
    assert!(
        stderr_of(&old).contains("different versions of patchwork"),
        "{}",
        stderr_of(&old)
    );
}

/// A sweep of 30 points × 4 replicates of two-year runs: long enough to be killed half-way.
pub(crate) const LONG_SWEEP: &str = r#"
name = "long"

[run]
horizon_weeks = 104
warmup_weeks = 20
seed = 5

[sweep]
design = "factorial"
replicates = 4

[sweep.axes]
"coordination.mode" = ["adhoc", "team", "network"]
"coordination.meeting_interval_weeks" = { min = 2, max = 20, steps = 10 }
"#;

/// A delay in `0..limit` milliseconds that differs from one test run to the next.
fn random_delay(limit_ms: u64, salt: u64) -> Duration {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.subsec_nanos() as u64);
    let mixed =
        (nanos ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    Duration::from_millis((mixed >> 20) % limit_ms)
}

#[test]
fn a_sweep_killed_and_resumed_equals_one_never_interrupted() {
    let scratch = tempfile::tempdir().unwrap();
    let file = write_file(scratch.path(), "long.toml", LONG_SWEEP);
    let whole = read_sweep(&sweep(scratch.path(), &file, "whole", &[], 0));
    assert_eq!(data_lines(&whole.runs).len(), 120);

    for (attempt, limit_ms) in [(0u64, 150u64), (1, 400), (2, 900)] {
        let out = scratch.path().join(format!("killed-{attempt}"));
        let mut child = Command::new(patchwork_binary())
            .args([
                "sweep",
                &file.to_string_lossy(),
                "--quiet",
                "--threads",
                "2",
                "--out",
            ])
            .arg(&out)
            .current_dir(scratch.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the patchwork binary starts");
        std::thread::sleep(random_delay(limit_ms, attempt));
        // SIGKILL on Unix: the sweep gets no chance to tidy up.
        let _ = child.kill();
        let _ = child.wait();

        let out_text = out.to_string_lossy().into_owned();
        let file_text = file.to_string_lossy().into_owned();
        let resumed = run_patchwork(
            scratch.path(),
            &[
                "sweep",
                &file_text,
                "--out",
                &out_text,
                "--resume",
                "--quiet",
                "--threads",
                "1",
            ],
        );
        assert_exit_code(&resumed, 0);
        assert_eq!(read_sweep(&out), whole, "attempt {attempt}");
        assert_eq!(
            read_metadata(&out)["settling"],
            read_metadata(&scratch.path().join("whole"))["settling"],
            "attempt {attempt}: the settling summary of a resumed sweep covers every point"
        );
        assert_eq!(
            file_names(&out),
            FINISHED_SWEEP_ENTRIES,
            "no journal or partial file left"
        );
    }

    // Resuming a finished sweep runs nothing; resuming it as another sweep is refused.
    let out_text = scratch.path().join("whole").to_string_lossy().into_owned();
    let file_text = file.to_string_lossy().into_owned();
    let again = run_patchwork(
        scratch.path(),
        &["sweep", &file_text, "--out", &out_text, "--resume"],
    );
    assert_exit_code(&again, 0);
    assert!(
        stdout_of(&again).contains("nothing to resume"),
        "{}",
        stdout_of(&again)
    );
    let other = run_patchwork(
        scratch.path(),
        &[
            "sweep",
            &file_text,
            "--out",
            &out_text,
            "--resume",
            "--set",
            "sweep.replicates=2",
        ],
    );
    assert_exit_code(&other, 1);
    assert!(
        stderr_of(&other).contains("different sweep"),
        "{}",
        stderr_of(&other)
    );
}

#[test]
fn a_failed_run_is_recorded_and_does_not_sink_the_sweep() {
    let scratch = tempfile::tempdir().unwrap();
    let file = write_file(scratch.path(), "small.toml", SMALL_SWEEP);
    let clean = read_sweep(&sweep(scratch.path(), &file, "clean", &[], 0));

    let out = scratch.path().join("faulty");
    let output = Command::new(patchwork_binary())
        .args(["sweep", &file.to_string_lossy(), "--quiet", "--out"])
        .arg(&out)
        .env("PATCHWORK_FAULT_RUN", "4")
        .env("RUST_BACKTRACE", "0")
        .current_dir(scratch.path())
        .output()
        .expect("the patchwork binary runs");
    assert_exit_code(&output, 3);
    assert!(
        stderr_of(&output).contains("1 run failed"),
        "{}",
        stderr_of(&output)
    );
    let faulty = read_sweep(&out);

    let failures = data_lines(&faulty.failures);
    assert_eq!(failures.len(), 1);
    let seed = data_lines(&clean.runs)[4].split(',').nth(3).unwrap();
    assert!(
        failures[0].starts_with(&format!("4,1,1,{seed},panicked: fault injected")),
        "{}",
        failures[0]
    );
    // Every other run is exactly as in the clean sweep.
    let mut expected_runs: Vec<&str> = data_lines(&clean.runs);
    expected_runs.remove(4);
    assert_eq!(data_lines(&faulty.runs), expected_runs);
    // Point 1 is summarised over its two good replicates; the other points are untouched.
    for (clean_line, faulty_line) in data_lines(&clean.points)
        .iter()
        .zip(data_lines(&faulty.points))
    {
        if clean_line.starts_with("1,") {
            assert!(
                faulty_line.ends_with(",2") || faulty_line.ends_with(",0"),
                "{faulty_line}"
            );
        } else {
            assert_eq!(*clean_line, faulty_line);
        }
    }
}

#[test]
fn designs_make_the_points_they_should() {
    let scratch = tempfile::tempdir().unwrap();
    let dry_run = |name: &str, text: &str| {
        let file = write_file(scratch.path(), name, text);
        let output = run_patchwork(
            scratch.path(),
            &["sweep", &file.to_string_lossy(), "--dry-run"],
        );
        assert_exit_code(&output, 0);
        stdout_of(&output)
    };
    let factorial = dry_run(
        "factorial.toml",
        "[sweep]\nreplicates = 2\n[sweep.axes]\n\"coordination.minder\" = [false, true]\n\
         \"coordination.meeting_interval_weeks\" = [3, 6, 13]\n\
         \"turnover.annual_rate\" = { min = 0.05, max = 0.35, steps = 4 }\n",
    );
    assert!(
        factorial.contains("factorial design, 24 points × 2 replicates = 48 runs"),
        "{factorial}"
    );
    assert!(factorial.contains("estimated"), "{factorial}");
    assert!(
        file_names(scratch.path())
            .iter()
            .all(|name| name.ends_with(".toml"))
    );

    let zip = dry_run(
        "zip.toml",
        "[sweep]\ndesign = \"zip\"\nreplicates = 1\n[sweep.axes.coordination]\n\
         meeting_interval_weeks = [3, 6, 13]\nminder = [false, true, true]\n",
    );
    assert!(
        zip.contains("zip design, 3 points × 1 replicates = 3 runs"),
        "{zip}"
    );

    // A Latin hypercube has one point in each stratum of each axis.
    let samples = 8;
    let file = write_file(
        scratch.path(),
        "lhs.toml",
        &format!(
            "[run]\nhorizon_weeks = 60\nwarmup_weeks = 10\n[sweep]\ndesign = \"lhs\"\n\
             samples = {samples}\nreplicates = 1\n[sweep.axes]\n\
             \"turnover.annual_rate\" = {{ min = 0.05, max = 0.35 }}\n\
             \"locality.0.deprivation\" = {{ min = 0.2, max = 0.8 }}\n"
        ),
    );
    let runs = read_sweep(&sweep(scratch.path(), &file, "lhs", &[], 0)).runs;
    let header: Vec<&str> = runs.lines().next().unwrap().split(',').collect();
    assert_eq!(
        &header[4..6],
        ["turnover.annual_rate", "locality.0.deprivation"]
    );
    for (column, (min, max)) in [(4, (0.05, 0.35)), (5, (0.2, 0.8))] {
        let mut strata: Vec<u32> = data_lines(&runs)
            .iter()
            .map(|line| {
                let value: f64 = line.split(',').nth(column).unwrap().parse().unwrap();
                ((value - min) / (max - min) * f64::from(samples)).floor() as u32
            })
            .collect();
        strata.sort_unstable();
        assert_eq!(strata, (0..samples).collect::<Vec<_>>(), "column {column}");
    }
    let again = read_sweep(&sweep(scratch.path(), &file, "lhs-again", &[], 0)).runs;
    assert_eq!(runs, again, "the same file draws the same hypercube");

    let headline = run_patchwork(
        scratch.path(),
        &["sweep", "--dry-run", "--set", "sweep.replicates=5"],
    );
    assert_exit_code(&headline, 0);
    assert!(
        stdout_of(&headline)
            .contains("sweep \"headline\": factorial design, 54 points × 5 replicates = 270 runs"),
        "{}",
        stdout_of(&headline)
    );
}

#[test]
fn bad_sweep_files_are_reported_at_their_line_and_key() {
    let scratch = tempfile::tempdir().unwrap();
    let file = write_file(
        scratch.path(),
        "bad.toml",
        "[sweep]\n\
         replicates = 0\n\
         desing = \"zip\"\n\
         [sweep.axes]\n\
         \"coordination.meeting_intervals\" = [3, 6]\n\
         \"coordination.minder\" = []\n\
         \"turnover.annual_rate\" = { min = 0.5, max = 0.1, steps = 3 }\n",
    );
    let output = run_patchwork(
        scratch.path(),
        &["sweep", &file.to_string_lossy(), "--dry-run"],
    );
    assert_exit_code(&output, 1);
    let stderr = stderr_of(&output);
    let name = file.to_string_lossy();
    for expected in [
        format!(
            "{name}:2:14: sweep.replicates: must be a whole number of replicates from 1 to 10000, found 0"
        ),
        format!("{name}:3:1: sweep.desing: unknown key, did you mean `design`?"),
        format!(
            "{name}:6:25: sweep.axes.\"coordination.minder\": must list at least one value, found an empty list"
        ),
        format!(
            "{name}:7:34: sweep.axes.\"turnover.annual_rate\".min: must be at most max (0.1), found 0.5"
        ),
    ] {
        assert!(
            stderr.contains(&expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }

    // Keys and values are checked against the scenario once the sweep table itself is sound.
    let file = write_file(
        scratch.path(),
        "keys.toml",
        "[sweep]\n\
         [sweep.axes]\n\
         \"coordination.meeting_intervals\" = [3, 6]\n\
         \"coordination.meeting_interval_weeks\" = [3, -6]\n\
         \"locality.0\" = [1]\n",
    );
    let output = run_patchwork(
        scratch.path(),
        &["sweep", &file.to_string_lossy(), "--dry-run"],
    );
    assert_exit_code(&output, 1);
    let stderr = stderr_of(&output);
    let name = file.to_string_lossy();
    for expected in [
        format!(
            "{name}:3:1: sweep.axes.\"coordination.meeting_intervals\": must name a scenario key, \
             found `coordination.meeting_intervals` (unknown key, did you mean \
             `coordination.meeting_interval_weeks`?)"
        ),
        format!(
            "{name}:4:45: coordination.meeting_interval_weeks: must be a whole number of weeks from 1 to 5200, found -6"
        ),
        format!(
            "{name}:5:1: sweep.axes.\"locality.0\": must name a single scenario value, found `locality.0`, which is a table"
        ),
    ] {
        assert!(
            stderr.contains(&expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }

    let lhs = write_file(
        scratch.path(),
        "lhs.toml",
        "[sweep]\ndesign = \"lhs\"\n[sweep.axes]\n\"turnover.annual_rate\" = { min = 0.1, max = 0.2, steps = 3 }\n",
    );
    let output = run_patchwork(
        scratch.path(),
        &["sweep", &lhs.to_string_lossy(), "--dry-run"],
    );
    assert_exit_code(&output, 1);
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("sweep.samples: must be given for an lhs design"),
        "{stderr}"
    );
    assert!(
        stderr.contains("steps: is for factorial and zip designs"),
        "{stderr}"
    );

    let zip = write_file(
        scratch.path(),
        "zip.toml",
        "[sweep]\ndesign = \"zip\"\n[sweep.axes]\n\"coordination.minder\" = [false, true]\n\
         \"locality.0.primaries\" = [2, 3, 4]\n",
    );
    let output = run_patchwork(
        scratch.path(),
        &["sweep", &zip.to_string_lossy(), "--dry-run"],
    );
    assert_exit_code(&output, 1);
    assert!(
        stderr_of(&output).contains(
            "sweep.axes.\"locality.0.primaries\": a zip design needs every axis to have as many \
             values as the first (`coordination.minder` has 2), found 3"
        ),
        "{}",
        stderr_of(&output)
    );

    let twice = write_file(
        scratch.path(),
        "twice.toml",
        "[sweep]\n[sweep.axes]\n\"turnover.annual_rate\" = { values = [0.1, 0.2], also = \
         [\"turnover.roles.social_worker.annual_rate\"] }\n\
         \"turnover.roles.social_worker.annual_rate\" = [0.1]\n",
    );
    let output = run_patchwork(
        scratch.path(),
        &["sweep", &twice.to_string_lossy(), "--dry-run"],
    );
    assert_exit_code(&output, 1);
    assert!(
        stderr_of(&output).contains(
            "each key may be varied by one axis only, found \
             `turnover.roles.social_worker.annual_rate` set by two axes"
        ),
        "{}",
        stderr_of(&output)
    );

    // Values allowed one by one but not together are reported before anything runs.
    let combination = write_file(
        scratch.path(),
        "combination.toml",
        "[sweep]\n[sweep.axes]\n\"run.horizon_weeks\" = [300, 340]\n\"run.warmup_weeks\" = [10, 310]\n",
    );
    let output = run_patchwork(
        scratch.path(),
        &["sweep", &combination.to_string_lossy(), "--dry-run"],
    );
    assert_exit_code(&output, 1);
    let name = combination.to_string_lossy();
    let expected = format!(
        "{name}:4:27: run.warmup_weeks: must be shorter than run.horizon_weeks (300), found 310 \
         (at point 1: run.horizon_weeks = 300, run.warmup_weeks = 310)"
    );
    assert!(
        stderr_of(&output).contains(&expected),
        "{}",
        stderr_of(&output)
    );

    let no_table = write_file(
        scratch.path(),
        "plain.toml",
        "[coordination]\nmode = \"team\"\n",
    );
    let output = run_patchwork(scratch.path(), &["sweep", &no_table.to_string_lossy()]);
    assert_exit_code(&output, 1);
    assert!(stderr_of(&output).contains("a sweep file must have a [sweep] table"));
    assert!(!scratch.path().join("output").exists(), "nothing written");
}

#[test]
fn an_occupied_output_directory_needs_force() {
    let scratch = tempfile::tempdir().unwrap();
    let file = write_file(scratch.path(), "small.toml", SMALL_SWEEP);
    std::fs::create_dir(scratch.path().join("out")).unwrap();
    std::fs::write(scratch.path().join("out/notes.txt"), "mine").unwrap();
    let output = run_patchwork(
        scratch.path(),
        &["sweep", &file.to_string_lossy(), "--out", "out", "--quiet"],
    );
    assert_exit_code(&output, 1);
    assert!(
        stderr_of(&output).contains("--force"),
        "{}",
        stderr_of(&output)
    );
    sweep(scratch.path(), &file, "out", &["--force"], 0);
    assert_eq!(
        std::fs::read_to_string(scratch.path().join("out/notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn a_national_scenario_runs_one_patch_per_row() {
    let scratch = tempfile::tempdir().unwrap();
    let file = write_file(
        scratch.path(),
        "nation.toml",
        "name = \"nation\"\n[run]\nhorizon_weeks = 60\nwarmup_weeks = 10\n\
         [[locality]]\nname = \"town\"\ncount = 3\n\
         [[locality]]\nname = \"village\"\ncount = 2\nprimaries = 2\nrural = true\n",
    );
    let output = run_patchwork(
        scratch.path(),
        &[
            "national",
            &file.to_string_lossy(),
            "--out",
            "nation",
            "--quiet",
        ],
    );
    assert_exit_code(&output, 0);
    let directory = scratch.path().join("nation");
    assert_eq!(
        file_names(&directory),
        [
            "failures.csv",
            "localities.csv",
            "metadata.json",
            "national.csv",
            "report.html"
        ]
    );
    let localities = std::fs::read_to_string(directory.join("localities.csv")).unwrap();
    let names: Vec<&str> = data_lines(&localities)
        .iter()
        .map(|line| line.split(',').nth(2).unwrap())
        .collect();
    assert_eq!(names, ["town", "town", "town", "village", "village"]);
    let national = std::fs::read_to_string(directory.join("national.csv")).unwrap();
    assert!(
        national.starts_with("measure,pupil_weighted_mean,mean,sd,"),
        "{national}"
    );
    let again = run_patchwork(
        scratch.path(),
        &[
            "national",
            &file.to_string_lossy(),
            "--out",
            "nation",
            "--quiet",
        ],
    );
    assert_exit_code(&again, 1);
}
