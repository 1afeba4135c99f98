//! `scripts/slurm-sweep.sh` on a real SLURM cluster (`scripts/ci-slurm-up.sh` starts a one-node
//! one; `.ci/run` does so before the tests): a sweep and a sensitivity analysis in two shards,
//! merged by the merge job, give the bytes of the same run on one machine (and so does a national
//! run in three shards, `--command national`); a shard that fails
//! leaves the merge job reporting it with the command that resubmits just that shard, and that
//! command finishes the run. Without a cluster the cluster tests skip with a note, except under
//! CI, where they fail.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::util::write_file;
use crate::util::{assert_exit_code, patchwork_binary, run_patchwork, stderr_of, stdout_of};

/// How long one submission may take from `sbatch` to the end of its merge job.
const JOB_TIMEOUT: Duration = Duration::from_secs(150);

/// A factorial sweep of 2 × 2 = 4 points of short runs (replicates set after `--`).
const TINY_SWEEP: &str = r#"
name = "tiny-slurm"

[run]
horizon_weeks = 40
warmup_weeks = 8
seed = 5

[coordination]
mode = "team"

[sweep]
design = "factorial"
replicates = 3

[sweep.axes]
"coordination.minder" = [false, true]
"locality.0.primaries" = [2, 4]
"#;

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/slurm-sweep.sh")
}

/// Whether `sbatch` is on the PATH and a partition is up; under CI (`CI` set, as `.ci/run`
/// sets it) a missing cluster fails the test instead.
fn slurm_is_up() -> bool {
    let sinfo = Command::new("sinfo").args(["-h", "-o", "%a"]).output();
    let up = Command::new("sbatch").arg("--version").output().is_ok()
        && sinfo.is_ok_and(|output| {
            output.status.success()
                && String::from_utf8_lossy(&output.stdout)
                    .lines()
                    .any(|state| state.trim() == "up")
        });
    if !up {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but no SLURM partition is up (sbatch missing, or sinfo shows none up): \
             .ci/run starts one with scripts/ci-slurm-up.sh"
        );
        eprintln!(
            "note: no SLURM cluster here, skipping the test of scripts/slurm-sweep.sh \
             (scripts/ci-slurm-up.sh starts a one-node one)"
        );
    }
    up
}

/// Runs `scripts/slurm-sweep.sh` with `arguments` in `directory`.
fn slurm_sweep(directory: &Path, arguments: &[&str]) -> Output {
    Command::new("bash")
        .arg(script())
        .args(arguments)
        .current_dir(directory)
        .output()
        .expect("bash runs scripts/slurm-sweep.sh")
}

/// The array job's and the merge job's ids, from the script's "as array job A and the merge as
/// job M".
fn submitted_jobs(output: &Output) -> (String, String) {
    assert_exit_code(output, 0);
    let stdout = stdout_of(output);
    let number_after = |marker: &str| {
        let start = stdout
            .find(marker)
            .unwrap_or_else(|| panic!("no {marker:?} in:\n{stdout}"))
            + marker.len();
        stdout[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
    };
    (
        number_after("as array job "),
        number_after("and the merge as job "),
    )
}

/// Waits until neither job is queued or running any more; on timeout cancels them and fails,
/// showing why they waited.
fn wait_for(jobs: &(String, String), out: &Path) {
    let list = format!("{},{}", jobs.0, jobs.1);
    let started = Instant::now();
    loop {
        let queued = Command::new("squeue")
            .args(["-h", "-j", &list, "-o", "%i %T %r"])
            .output()
            .expect("squeue runs");
        if stdout_of(&queued).trim().is_empty() {
            return;
        }
        if started.elapsed() > JOB_TIMEOUT {
            let _ = Command::new("scancel").arg(&jobs.0).arg(&jobs.1).status();
            panic!(
                "jobs {list} still queued after {JOB_TIMEOUT:?}:\n{}\nlogs:\n{}",
                stdout_of(&queued),
                logs(out)
            );
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// Every log file under `out/logs/`, for failure messages.
fn logs(out: &Path) -> String {
    let mut text = String::new();
    for name in crate::util::file_names(&out.join("logs")) {
        let contents = std::fs::read_to_string(out.join("logs").join(&name)).unwrap_or_default();
        text.push_str(&format!("--- {name}\n{contents}"));
    }
    text
}

/// The merge job's log.
fn merge_log(out: &Path, jobs: &(String, String)) -> String {
    let path = out.join(format!("logs/merge-job{}.out", jobs.1));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}\nlogs:\n{}", path.display(), logs(out)))
}

/// Every file under `directory`, as paths relative to it, sorted.
fn files_under(directory: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        for name in crate::util::file_names(&directory.join(&relative)) {
            let path = relative.join(name);
            if directory.join(&path).is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The merged directory holds the files of the local run, byte for byte, but for
/// `metadata.json` (wall time, threads, shards).
fn assert_same_bytes(local: &Path, merged: &Path) {
    let local_files = files_under(local);
    assert_eq!(local_files, files_under(merged), "the same files");
    for file in local_files {
        if file == Path::new("metadata.json") {
            continue;
        }
        assert!(
            std::fs::read(local.join(&file)).unwrap() == std::fs::read(merged.join(&file)).unwrap(),
            "{} differs between the local run and the cluster's merge",
            file.display()
        );
    }
}

/// Submits `file` to the cluster in two shards of one CPU each, into `scratch/cluster/`, with
/// `patchwork_options` after `--`; meanwhile runs `patchwork COMMAND file` with the same options
/// into `scratch/local/`; waits for the merge job and returns its log. A national scenario is
/// not told from its keys, so `national` is passed to the script as `--command national`.
fn run_on_cluster_and_locally(
    scratch: &Path,
    command: &str,
    file: &Path,
    patchwork_options: &[&str],
) -> String {
    let binary = patchwork_binary();
    let file_text = file.to_str().unwrap();
    let mut arguments = if command == "national" {
        vec!["--command", "national"]
    } else {
        Vec::new()
    };
    arguments.extend_from_slice(&[
        "--binary",
        binary.to_str().unwrap(),
        "--cpus",
        "1",
        "--time",
        "00:10:00",
        file_text,
        "2",
        "cluster",
        "--",
    ]);
    arguments.extend_from_slice(patchwork_options);
    let jobs = submitted_jobs(&slurm_sweep(scratch, &arguments));
    let mut local = vec![command, file_text, "--out", "local", "--quiet"];
    local.extend_from_slice(patchwork_options);
    assert_exit_code(&run_patchwork(scratch, &local), 0);
    let out = scratch.join("cluster");
    wait_for(&jobs, &out);
    merge_log(&out, &jobs)
}

#[test]
fn a_sweep_sharded_on_slurm_merges_to_the_bytes_of_a_local_sweep() {
    if !slurm_is_up() {
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let file = write_file(scratch.path(), "tiny-slurm.toml", TINY_SWEEP);
    let out = scratch.path().join("cluster");

    // Asking for more CPUs than a node has is refused before anything is queued.
    let binary = patchwork_binary();
    let greedy = slurm_sweep(
        scratch.path(),
        &[
            "--binary",
            binary.to_str().unwrap(),
            "--cpus",
            "4096",
            file.to_str().unwrap(),
            "2",
            "cluster",
        ],
    );
    assert_exit_code(&greedy, 2);
    assert!(stderr_of(&greedy).contains("more than any node of the partition has"));
    assert!(!out.exists(), "nothing written");

    let options = ["--set", "sweep.replicates=2"];
    let log = run_on_cluster_and_locally(scratch.path(), "sweep", &file, &options);
    assert!(log.contains("merged 2 shards"), "merge log:\n{log}");
    assert_same_bytes(&scratch.path().join("local"), &out.join("merged"));
    // Each shard logs a line when it ends: its exit status, time and runs.
    let shard_logs = logs(&out);
    for shard in ["1/2", "2/2"] {
        assert!(
            shard_logs.contains(&format!("shard {shard}: exit 0 after ")),
            "{shard_logs}"
        );
    }
}

#[test]
fn a_sensitivity_analysis_sharded_on_slurm_merges_to_the_bytes_of_a_local_one() {
    if !slurm_is_up() {
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    // The worked example, cut short: two trajectories of short runs, two replicates.
    let manifest = env!("CARGO_MANIFEST_DIR");
    let example = std::fs::read_to_string(format!(
        "{manifest}/scenarios/sensitivity/ties-and-turnover.toml"
    ))
    .unwrap();
    let mut text = example.clone();
    for (from, to) in [
        (
            "base = \"../baseline.toml\"",
            format!("base = \"{manifest}/scenarios/baseline.toml\""),
        ),
        (
            "sets = []",
            "sets = [\"run.horizon_weeks=30\", \"run.warmup_weeks=4\"]".to_string(),
        ),
        ("trajectories = 8", "trajectories = 2".to_string()),
        ("replicates = 10", "replicates = 2".to_string()),
    ] {
        assert!(text.contains(from), "the example has {from}");
        text = text.replace(from, &to);
    }
    let file = write_file(scratch.path(), "screen.toml", &text);
    let log = run_on_cluster_and_locally(scratch.path(), "sensitivity", &file, &[]);
    assert!(log.contains("merged 2 shards"), "merge log:\n{log}");
    let out = scratch.path().join("cluster");
    assert_same_bytes(&scratch.path().join("local"), &out.join("merged"));
}

#[test]
fn a_failed_shard_is_reported_by_the_merge_job_and_its_resubmit_command_finishes_the_sweep() {
    if !slurm_is_up() {
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let file = write_file(scratch.path(), "tiny-slurm.toml", TINY_SWEEP);
    let out = scratch.path().join("cluster");
    // A stray file in shard 2's directory: `--resume` refuses a directory that holds no sweep, so
    // task 2 fails (exit 1) while task 1 finishes.
    let stray = out.join("shard-2-of-2/stray.txt");
    std::fs::create_dir_all(stray.parent().unwrap()).unwrap();
    std::fs::write(&stray, "not a sweep\n").unwrap();
    let log = run_on_cluster_and_locally(scratch.path(), "sweep", &file, &[]);

    // The merge job ran although a shard failed, merged nothing and said how to finish.
    assert!(
        log.contains("not merged: shards 2 of 2 did not finish"),
        "merge log:\n{log}\nlogs:\n{}",
        logs(&out)
    );
    assert!(!out.join("merged/runs.csv").exists());
    let resubmit = log
        .lines()
        .skip_while(|line| !line.starts_with("resubmit just those shards"))
        .nth(1)
        .unwrap_or_else(|| panic!("no resubmit command in the merge log:\n{log}"))
        .trim()
        .to_string();
    assert!(resubmit.contains(" --shards 2 "), "{resubmit}");

    // Clear what broke the shard and run the printed command, as a user would.
    std::fs::remove_file(&stray).unwrap();
    let again = Command::new("bash")
        .args(["-c", &resubmit])
        .output()
        .expect("bash runs the resubmit command");
    let jobs = submitted_jobs(&again);
    assert!(stdout_of(&again).contains("submitted shards 2 of 2"));
    wait_for(&jobs, &out);
    let log = merge_log(&out, &jobs);
    assert!(log.contains("merged 2 shards"), "merge log:\n{log}");
    assert_same_bytes(&scratch.path().join("local"), &out.join("merged"));
}

#[test]
fn a_national_run_sharded_on_slurm_merges_to_the_bytes_of_a_local_one() {
    if !slurm_is_up() {
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let file = write_file(
        scratch.path(),
        "tiny-national.toml",
        "[run]\nhorizon_weeks = 40\nwarmup_weeks = 8\n",
    );
    let options = [
        "--set",
        "locality=[{count = 2, primaries = 2}, {count = 1, rural = true}]",
    ];
    let log = run_on_cluster_and_locally(scratch.path(), "national", &file, &options);
    assert!(
        log.contains("merged 2 shards, 3 patches"),
        "merge log:\n{log}"
    );
    let out = scratch.path().join("cluster");
    assert_same_bytes(&scratch.path().join("local"), &out.join("merged"));
    let shard_logs = logs(&out);
    assert!(
        shard_logs.contains("shard 2/2: exit 0 after ") && shard_logs.contains(" patches in "),
        "{shard_logs}"
    );
}

/// These need no cluster: the script refuses them before it looks for one.
#[test]
fn the_script_refuses_options_it_sets_itself_and_prints_without_writing() {
    let scratch = tempfile::tempdir().unwrap();
    let file = write_file(scratch.path(), "tiny-slurm.toml", TINY_SWEEP);
    let file_text = file.to_str().unwrap();
    let binary = patchwork_binary();
    let binary_text = binary.to_str().unwrap();
    for option in [
        "--resume",
        "--quiet",
        "--threads=2",
        "--out",
        "--shard",
        "--force",
    ] {
        let output = slurm_sweep(
            scratch.path(),
            &["--binary", binary_text, file_text, "2", "out", "--", option],
        );
        assert_exit_code(&output, 2);
        let option_name = option.split('=').next().unwrap();
        assert!(
            stderr_of(&output).contains(&format!(
                "{option_name} after -- is set by the script itself"
            )),
            "{}",
            stderr_of(&output)
        );
    }

    let help = slurm_sweep(scratch.path(), &["--help"]);
    assert_exit_code(&help, 0);
    assert!(stdout_of(&help).contains("Usage: scripts/slurm-sweep.sh"));

    // --print shows both job scripts (a sensitivity file runs `patchwork sensitivity`) and
    // creates nothing.
    let sensitivity =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/sensitivity/ties-and-turnover.toml");
    let printed = slurm_sweep(
        scratch.path(),
        &[
            "--binary",
            binary_text,
            "--print",
            sensitivity.to_str().unwrap(),
            "3",
            "out",
        ],
    );
    assert_exit_code(&printed, 0);
    let text = stdout_of(&printed);
    assert!(
        text.contains(" sensitivity ") && text.contains("--array=1-3"),
        "{text}"
    );
    assert!(text.contains("--dependency=afterany:"), "{text}");
    assert!(
        !scratch.path().join("out").exists(),
        "--print writes nothing"
    );

    // A scenario file is not told to be national from its keys: the script asks for --command.
    let scenario = write_file(
        scratch.path(),
        "country.toml",
        "[run]\nhorizon_weeks = 40\n",
    );
    let scenario_text = scenario.to_str().unwrap();
    let untold = slurm_sweep(
        scratch.path(),
        &["--binary", binary_text, scenario_text, "3", "out"],
    );
    assert_exit_code(&untold, 2);
    assert!(
        stderr_of(&untold).contains("--command national"),
        "{}",
        stderr_of(&untold)
    );
    // With it, each task runs `patchwork national` on its shard, starting again (--force) where
    // a sweep would resume, and the built-in England is named `england`.
    for file in [scenario_text, "england"] {
        let printed = slurm_sweep(
            scratch.path(),
            &[
                "--command",
                "national",
                "--binary",
                binary_text,
                "--print",
                file,
                "3",
                "out",
            ],
        );
        assert_exit_code(&printed, 0);
        let text = stdout_of(&printed);
        assert!(
            text.contains(" national ")
                && text.contains("--shard \"$shard\"")
                && text.contains(" --force --quiet")
                && !text.contains("--resume")
                && text.contains("patches in $out/localities.csv"),
            "{text}"
        );
    }
    assert!(
        !scratch.path().join("out").exists(),
        "--print writes nothing"
    );
}
