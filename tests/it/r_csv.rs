//! The output files as an R user reads them: `read.csv` in R (Debian's r-base-core; `.ci/run`
//! installs it) reads runs.csv's `replicate` as an integer, summary.csv's numbers as numbers and
//! network_posts.csv's `in_post` and `minder` as logical; and `patchwork run --replicate r`, with
//! the replicate R read, writes the very row of runs.csv the full run wrote for it (the `seed`
//! column, above 2^53, is a double in R and loses digits, so the replicate is what R reruns
//! from). Without `Rscript` the tests skip with a note, except under CI, where they fail.

use std::path::Path;
use std::process::Command;

use crate::util::{assert_exit_code, run_patchwork, write_tiny_scenario};

/// Whether `Rscript` runs here; under CI (`CI` set, as `.ci/run` sets it) a missing R fails.
fn r_is_here() -> bool {
    let here = Command::new("Rscript")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if !here {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but Rscript is missing: .ci/run installs r-base-core"
        );
        eprintln!("note: no Rscript here, skipping the R tests (apt-get install r-base-core)");
    }
    here
}

/// Runs an R program in `directory` and returns what it printed; panics with its stderr if it
/// fails.
fn r(directory: &Path, program: &str) -> String {
    let output = Command::new("Rscript")
        .args(["-e", program])
        .current_dir(directory)
        .output()
        .expect("Rscript runs");
    assert!(
        output.status.success(),
        "R failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("R prints UTF-8")
}

/// The line of `runs.csv` in `directory` whose replicate column is `replicate`.
fn runs_row(directory: &Path, replicate: &str) -> String {
    let runs = std::fs::read_to_string(directory.join("runs.csv")).expect("runs.csv");
    runs.lines()
        .find(|line| line.split(',').next() == Some(replicate))
        .unwrap_or_else(|| panic!("no row of replicate {replicate} in runs.csv"))
        .to_string()
}

#[test]
fn r_reads_the_columns_as_their_types_and_reruns_a_replicate_exactly() {
    if !r_is_here() {
        return;
    }
    let scratch = tempfile::tempdir().expect("temporary directory");
    let directory = scratch.path();
    write_tiny_scenario(directory);
    let full = run_patchwork(directory, &["run", "tiny.toml", "--quiet", "--out", "full"]);
    assert_exit_code(&full, 0);

    let types = r(
        directory,
        r#"runs <- read.csv("full/runs.csv")
           summary <- read.csv("full/summary.csv")
           posts <- read.csv("full/network_posts.csv")
           cat(class(runs$replicate), class(runs$median_weeks_to_help), class(summary$mean),
               class(posts$in_post), class(posts$minder), "\n")
           cat(runs$replicate[nrow(runs)], "\n")"#,
    );
    let mut lines = types.lines();
    assert_eq!(
        lines.next().map(str::trim),
        Some("integer integer numeric logical logical")
    );
    let replicate = lines.next().expect("the last replicate").trim().to_string();
    assert_eq!(replicate, "2", "tiny.toml has three replicates");

    let one = run_patchwork(
        directory,
        &[
            "run",
            "tiny.toml",
            "--replicate",
            &replicate,
            "--quiet",
            "--out",
            "one",
        ],
    );
    assert_exit_code(&one, 0);
    assert_eq!(
        runs_row(&directory.join("one"), &replicate),
        runs_row(&directory.join("full"), &replicate),
        "--replicate {replicate} reruns the full run's row"
    );
    let rerun = std::fs::read_to_string(directory.join("one/runs.csv")).expect("runs.csv");
    assert_eq!(
        rerun.lines().count(),
        2,
        "a header and the one replicate's row"
    );

    let same_in_r = r(
        directory,
        &format!(
            r#"full <- read.csv("full/runs.csv"); one <- read.csv("one/runs.csv")
               cat(identical(unname(unlist(full[full$replicate == {replicate}, -2])),
                             unname(unlist(one[1, -2]))), "\n")"#
        ),
    );
    assert_eq!(same_in_r.trim(), "TRUE");
}

#[test]
fn r_reads_a_swept_switch_and_the_settling_verdicts_as_logical() {
    // A swept boolean key (coordination.minder) is written TRUE or FALSE in runs.csv, points.csv
    // and settling.csv, so R reads the column as logical, as it reads settling.csv's verdicts.
    if !r_is_here() {
        return;
    }
    let scratch = tempfile::tempdir().expect("temporary directory");
    let directory = scratch.path();
    write_tiny_scenario(directory);
    crate::util::write_file(
        directory,
        "switch.toml",
        "base = \"tiny.toml\"\nname = \"switch\"\n\n[sweep]\ndesign = \"factorial\"\nreplicates = 2\n\n[sweep.axes]\n\"coordination.minder\" = [false, true]\n",
    );
    let sweep = run_patchwork(
        directory,
        &["sweep", "switch.toml", "--quiet", "--out", "sw"],
    );
    assert_exit_code(&sweep, 0);
    let classes = r(
        directory,
        r#"runs <- read.csv("sw/runs.csv")
           points <- read.csv("sw/points.csv")
           settling <- read.csv("sw/settling.csv")
           cat(class(runs$coordination.minder), class(points$coordination.minder),
               class(settling$coordination.minder), class(settling$settled),
               class(settling$event_effect), sum(runs$coordination.minder), "\n")"#,
    );
    assert_eq!(classes.trim(), "logical logical logical logical logical 2");
}
