//! Long jobs: output never half written (a full disk, simulated with a tiny tmpfs where this
//! process may mount one), `merge` verifying each shard's files against its `metadata.json`, a
//! sweep interrupted by SIGTERM resuming to the same bytes, one sweep directory locked against a
//! second process, and `--resume` saying what a directory holds.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::sweep::{SMALL_SWEEP, read_sweep, sweep};
use crate::util::{assert_exit_code, file_names, run_patchwork, stderr_of, write_file};

/// A tmpfs of a few kilobytes mounted at a directory, unmounted when dropped.
struct TinyDisk {
    path: PathBuf,
}

impl TinyDisk {
    /// Mounts one at `path`, or says why not (mounting needs root) and returns `None`.
    fn mount(path: &Path) -> Option<TinyDisk> {
        std::fs::create_dir_all(path).unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=8k", "tmpfs"])
            .arg(path)
            .output()
            .is_ok_and(|output| output.status.success());
        if !mounted {
            eprintln!(
                "note: skipped the full-disk check: cannot mount a tmpfs at {} (needs root)",
                path.display()
            );
            return None;
        }
        Some(TinyDisk {
            path: path.to_path_buf(),
        })
    }
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.path).status();
    }
}

fn merge(scratch: &Path, shards: &[&str], out: &str) -> std::process::Output {
    let mut arguments = vec!["merge"];
    arguments.extend_from_slice(shards);
    arguments.extend_from_slice(&["--out", out, "--quiet"]);
    run_patchwork(scratch, &arguments)
}

/// Copies a shard directory's files.
fn copy_shard(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for name in file_names(from) {
        std::fs::copy(from.join(&name), to.join(&name)).unwrap();
    }
}

#[test]
fn merge_refuses_a_shard_whose_files_are_not_as_recorded() {
    let scratch = tempfile::tempdir().unwrap();
    let file = write_file(scratch.path(), "small.toml", SMALL_SWEEP);
    let whole = read_sweep(&sweep(scratch.path(), &file, "whole", &[], 0));
    sweep(scratch.path(), &file, "s1", &["--shard", "1/2"], 0);
    let shard_2 = sweep(scratch.path(), &file, "s2", &["--shard", "2/2"], 0);
    let runs = std::fs::read(shard_2.join("runs.csv")).unwrap();
    let last_row_start = runs[..runs.len() - 1]
        .iter()
        .rposition(|&byte| byte == b'\n')
        .unwrap()
        + 1;

    let mut changed = runs.clone();
    let digit = changed[last_row_start..]
        .iter()
        .rposition(u8::is_ascii_digit)
        .unwrap()
        + last_row_start;
    changed[digit] = if changed[digit] == b'1' { b'2' } else { b'1' };
    let damaged: [(&str, Vec<u8>, &str); 3] = [
        ("lost", runs[..last_row_start].to_vec(), "rows missing"),
        ("cut", runs[..runs.len() - 5].to_vec(), "cut mid-row"),
        ("changed", changed, "checksum mismatch"),
    ];
    for (label, bytes, what) in damaged {
        let copy = scratch.path().join(label);
        copy_shard(&shard_2, &copy);
        std::fs::write(copy.join("runs.csv"), bytes).unwrap();
        let out = format!("merged-{label}");
        let output = merge(scratch.path(), &["s1", label], &out);
        assert_exit_code(&output, 1);
        let stderr = stderr_of(&output);
        assert!(
            stderr.contains("shard 2/2") && stderr.contains("runs.csv") && stderr.contains(what),
            "{label}: {stderr}"
        );
        assert!(
            !scratch.path().join(&out).exists(),
            "{label}: nothing written"
        );
    }
    assert!(
        file_names(scratch.path())
            .iter()
            .all(|name| !name.starts_with('.')),
        "no temporary left: {:?}",
        file_names(scratch.path())
    );

    let output = merge(scratch.path(), &["s2", "s1"], "merged");
    assert_exit_code(&output, 0);
    assert_eq!(read_sweep(&scratch.path().join("merged")), whole);
    let metadata = |directory: &str| -> serde_json::Value {
        serde_json::from_slice(
            &std::fs::read(scratch.path().join(directory).join("metadata.json")).unwrap(),
        )
        .unwrap()
    };
    assert_eq!(metadata("merged")["files"], metadata("whole")["files"]);
    assert_eq!(metadata("whole")["files"]["runs.csv"]["rows"], 18);
}

#[test]
fn a_full_disk_leaves_nothing_and_blames_the_output() {
    let scratch = tempfile::tempdir().unwrap();
    let file = write_file(scratch.path(), "small.toml", SMALL_SWEEP);
    sweep(scratch.path(), &file, "s1", &["--shard", "1/2"], 0);
    sweep(scratch.path(), &file, "s2", &["--shard", "2/2"], 0);
    let nation = write_file(
        scratch.path(),
        "nation.toml",
        "name = \"nation\"\n[run]\nhorizon_weeks = 60\nwarmup_weeks = 10\n\
         [[locality]]\nname = \"town\"\ncount = 3\n",
    );
    let disk_path = scratch.path().join("disk");
    let Some(disk) = TinyDisk::mount(&disk_path) else {
        return;
    };
    let merged = disk.path.join("merged");
    let output = merge(scratch.path(), &["s1", "s2"], &merged.to_string_lossy());
    assert_exit_code(&output, 1);
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("cannot write") && !stderr.contains("cannot read"),
        "{stderr}"
    );
    assert!(
        file_names(&disk.path).is_empty(),
        "{:?}",
        file_names(&disk.path)
    );

    let national = disk.path.join("nation");
    let output = run_patchwork(
        scratch.path(),
        &[
            "national",
            &nation.to_string_lossy(),
            "--out",
            &national.to_string_lossy(),
            "--quiet",
        ],
    );
    assert_exit_code(&output, 1);
    assert!(
        stderr_of(&output).contains("cannot write"),
        "{}",
        stderr_of(&output)
    );
    assert!(
        file_names(&disk.path).is_empty(),
        "no localities.csv.partial or temporary left to block a rerun: {:?}",
        file_names(&disk.path)
    );
}

#[test]
fn a_sweep_directory_is_locked_against_a_second_process() {
    let scratch = tempfile::tempdir().unwrap();
    let file = write_file(scratch.path(), "small.toml", SMALL_SWEEP);
    let out = scratch.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map_or_else(|_| "unknown".to_string(), |name| name.trim().to_string());
    // This test's own process is running on this host: the lock holds.
    let pid = std::process::id();
    std::fs::write(
        out.join("sweep.lock"),
        format!("pid={pid} host={host} started=2026-01-01T00:00:00Z\n"),
    )
    .unwrap();
    let file_text = file.to_string_lossy().into_owned();
    let out_text = out.to_string_lossy().into_owned();
    for extra in [&["--resume"][..], &["--force"][..]] {
        let mut arguments = vec!["sweep", &file_text, "--out", &out_text, "--quiet"];
        arguments.extend_from_slice(extra);
        let output = run_patchwork(scratch.path(), &arguments);
        assert_exit_code(&output, 1);
        let stderr = stderr_of(&output);
        assert!(
            stderr.contains(&format!(
                "is being written by process {pid} (started 2026-01-01T00:00:00Z)"
            )),
            "{extra:?}: {stderr}"
        );
    }
    assert_eq!(file_names(&out), ["sweep.lock"], "nothing touched");

    // A lock left by a process that is no longer running (killed) is stale and taken over.
    std::fs::write(
        out.join("sweep.lock"),
        format!("pid=4294967295 host={host} started=2026-01-01T00:00:00Z\n"),
    )
    .unwrap();
    let output = run_patchwork(
        scratch.path(),
        &[
            "sweep", &file_text, "--out", &out_text, "--quiet", "--resume",
        ],
    );
    assert_exit_code(&output, 0);
    assert!(!out.join("sweep.lock").exists(), "released at the end");
    assert_eq!(
        read_sweep(&out),
        read_sweep(&sweep(scratch.path(), &file, "whole", &[], 0))
    );
}

#[test]
fn resume_says_what_a_directory_that_is_not_a_sweep_holds() {
    let scratch = tempfile::tempdir().unwrap();
    crate::util::write_tiny_scenario(scratch.path());
    let file = write_file(scratch.path(), "small.toml", SMALL_SWEEP);
    assert_exit_code(
        &run_patchwork(
            scratch.path(),
            &["run", "tiny.toml", "--out", "ran", "--quiet"],
        ),
        0,
    );
    let before = file_names(&scratch.path().join("ran"));
    let output = run_patchwork(
        scratch.path(),
        &["sweep", &file.to_string_lossy(), "--out", "ran", "--resume"],
    );
    assert_exit_code(&output, 1);
    assert!(
        stderr_of(&output).contains("ran holds the output of `patchwork run`, not a sweep"),
        "{}",
        stderr_of(&output)
    );
    assert_eq!(file_names(&scratch.path().join("ran")), before);
}

const SIGTERM_SWEEP: &str = r#"
name = "long"

[run]
seed = 5

[sweep]
design = "factorial"
replicates = 20

[sweep.axes]
"coordination.mode" = ["adhoc", "team", "network"]
"coordination.meeting_interval_weeks" = { min = 2, max = 20, steps = 10 }
"#;

#[test]
fn a_sweep_stopped_by_sigterm_says_how_to_resume_and_resumes_to_the_same_bytes() {
    let scratch = tempfile::tempdir().unwrap();
    // Long enough (600 runs of the default eight years, about 3 s on one thread of a release
    // build) that the signal arrives while it runs.
    let file = write_file(scratch.path(), "long.toml", SIGTERM_SWEEP);
    let out = scratch.path().join("stopped");
    let child = Command::new(crate::util::patchwork_binary())
        .args([
            "sweep",
            &file.to_string_lossy(),
            "--quiet",
            "--threads",
            "1",
            "--out",
        ])
        .arg(&out)
        .current_dir(scratch.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Once it has started (its journal holds its first line of progress), stop it.
    let journal = out.join("sweep.journal");
    let started = std::time::Instant::now();
    while std::fs::read_to_string(&journal).map_or(0, |text| text.lines().count()) < 2 {
        assert!(started.elapsed().as_secs() < 60, "the sweep never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(50));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let output = child.wait_with_output().unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(143), "{stderr}");
    assert!(stderr.contains("interrupted by SIGTERM"), "{stderr}");
    let out_text = out.to_string_lossy().into_owned();
    assert!(
        stderr.contains(&format!("--out {out_text} --resume")),
        "the exact command to carry on: {stderr}"
    );
    assert!(!out.join("sweep.lock").exists(), "the lock is released");

    let file_text = file.to_string_lossy().into_owned();
    let resumed = run_patchwork(
        scratch.path(),
        &[
            "sweep",
            &file_text,
            "--quiet",
            "--threads",
            "1",
            "--out",
            &out_text,
            "--resume",
        ],
    );
    assert_exit_code(&resumed, 0);
    assert_eq!(
        read_sweep(&out),
        read_sweep(&sweep(scratch.path(), &file, "whole", &[], 0))
    );
}
