//! Helpers shared by the integration tests: running the `patchwork` binary, writing small
//! scenario files, listing output directories.

#![allow(dead_code)] // Not every test module uses every helper.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The files `patchwork run` writes at the top of its output directory, in the order it writes
/// them.
pub const RUN_OUTPUT_FILES: [&str; 9] = [
    "runs.csv",
    "summary.csv",
    "weekly.csv",
    "survival.csv",
    "events.csv",
    "network_posts.csv",
    "network_ties.csv",
    "metadata.json",
    "report.html",
];

/// The subdirectory `patchwork run` and `patchwork compare` draw their plots into.
pub const PLOTS_DIR: &str = "plots";

/// A short scenario (two years, one of them warm-up) that runs in well under a second.
pub const TINY_SCENARIO: &str = r#"
name = "tiny"
description = "a short run for tests"

[run]
horizon_weeks = 104
warmup_weeks = 52
replicates = 3
seed = 7
"#;

/// The `patchwork` binary built for this test run.
pub fn patchwork_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_patchwork"))
}

/// Runs `patchwork` with `arguments` in `working_directory` and waits for it.
pub fn run_patchwork(working_directory: &Path, arguments: &[&str]) -> Output {
    Command::new(patchwork_binary())
        .args(arguments)
        .current_dir(working_directory)
        .output()
        .expect("the patchwork binary runs")
}

/// Writes `contents` to `file_name` in `directory` and returns its path.
pub fn write_file(directory: &Path, file_name: &str, contents: &str) -> PathBuf {
    let path = directory.join(file_name);
    std::fs::write(&path, contents).expect("scenario file written");
    path
}

/// Writes the tiny scenario as `tiny.toml` in `directory`.
pub fn write_tiny_scenario(directory: &Path) -> PathBuf {
    write_file(directory, "tiny.toml", TINY_SCENARIO)
}

/// Names of the entries of a directory, sorted (empty if it does not exist).
pub fn file_names(directory: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(directory) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .map(|entry| {
            entry
                .expect("directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// The run output files, sorted by name, as `file_names` lists them.
pub fn sorted_run_output_files() -> Vec<String> {
    let mut names: Vec<String> = RUN_OUTPUT_FILES
        .iter()
        .chain(&[PLOTS_DIR])
        .map(|name| name.to_string())
        .collect();
    names.sort();
    names
}

pub fn stdout_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts the process exited with `expected`, showing its output otherwise.
pub fn assert_exit_code(output: &Output, expected: i32) {
    assert_eq!(
        output.status.code(),
        Some(expected),
        "stdout:\n{}\nstderr:\n{}",
        stdout_of(output),
        stderr_of(output)
    );
}

/// `KEY=VALUE` overrides as `scenario::load` takes them.
pub fn to_sets(sets: &[&str]) -> Vec<String> {
    sets.iter().map(|set| set.to_string()).collect()
}

/// The deterministic files of one `patchwork run` (not `metadata.json`, which records the wall
/// time and the thread count): the measures, the weekly series, replicate 0's network and its
/// picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunFiles {
    pub runs_csv: Vec<u8>,
    pub summary_csv: Vec<u8>,
    pub weekly_csv: Vec<u8>,
    pub network_posts_csv: Vec<u8>,
    pub network_ties_csv: Vec<u8>,
    pub network_png: Vec<u8>,
}

/// Runs `patchwork run <arguments> --out <a new directory> --quiet` in `working_directory`,
/// asserts it succeeded and reads back the files it wrote. `label` names the output directory and
/// must differ between calls in the same working directory.
pub fn run_and_read(working_directory: &Path, label: &str, arguments: &[&str]) -> RunFiles {
    let out = working_directory.join(label);
    let out_text = out.to_string_lossy().into_owned();
    let mut all_arguments = vec!["run"];
    all_arguments.extend_from_slice(arguments);
    all_arguments.extend_from_slice(&["--out", &out_text, "--quiet"]);
    let output = run_patchwork(working_directory, &all_arguments);
    assert_exit_code(&output, 0);
    let read = |name: &str| std::fs::read(out.join(name)).expect("run output file written");
    RunFiles {
        runs_csv: read("runs.csv"),
        summary_csv: read("summary.csv"),
        weekly_csv: read("weekly.csv"),
        network_posts_csv: read("network_posts.csv"),
        network_ties_csv: read("network_ties.csv"),
        network_png: read("plots/network.png"),
    }
}

/// `runs.csv` without its `seed` column (the second), to compare the measures of runs made from
/// different master seeds.
pub fn runs_csv_without_seeds(runs_csv: &[u8]) -> String {
    String::from_utf8_lossy(runs_csv)
        .lines()
        .map(|line| {
            let mut fields: Vec<&str> = line.split(',').collect();
            if fields.len() > 1 {
                fields.remove(1);
            }
            fields.join(",")
        })
        .collect::<Vec<_>>()
        .join("\n")
}
