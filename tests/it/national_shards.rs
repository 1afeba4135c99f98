//! `patchwork national --shard I/N` and `patchwork merge` of its shards: shards merged in any order
//! give the bytes of the national run unsharded (wall-clock fields of `metadata.json` aside), and a
//! missing, repeated, mismatched or altered shard is refused with nothing written.

use std::path::{Path, PathBuf};

use crate::util::{assert_exit_code, file_names, run_patchwork, stderr_of};

/// A national scenario of 7 patches in three entries, 60 weeks each: the built-in England cut down.
const TINY_NATIONAL: [&str; 6] = [
    "--set",
    "run.horizon_weeks=60",
    "--set",
    "run.warmup_weeks=10",
    "--set",
    "locality=[{count = 3, primaries = 2}, {count = 2, rural = true}, {count = 2, name = \"b\"}]",
];

/// Runs `patchwork national` on the tiny scenario into `scratch/out` with `extra` options.
fn national(scratch: &Path, out: &str, extra: &[&str]) -> PathBuf {
    let mut arguments = vec!["national", "--out", out, "--quiet"];
    arguments.extend_from_slice(&TINY_NATIONAL);
    arguments.extend_from_slice(extra);
    assert_exit_code(&run_patchwork(scratch, &arguments), 0);
    scratch.join(out)
}

fn merge(scratch: &Path, shards: &[&str], out: &str) -> std::process::Output {
    let mut arguments = vec!["merge"];
    arguments.extend_from_slice(shards);
    arguments.extend_from_slice(&["--out", out, "--quiet"]);
    run_patchwork(scratch, &arguments)
}

/// `metadata.json` without the fields that depend on the machine and the moment.
fn metadata_without_wall_clock(directory: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(directory.join("metadata.json")).unwrap();
    let mut metadata: serde_json::Value = serde_json::from_str(&text).unwrap();
    for field in ["wall_time_seconds", "patches_per_second", "threads"] {
        assert!(metadata[field].is_number(), "{field} in {text}");
        metadata.as_object_mut().unwrap().remove(field);
    }
    metadata
}

#[test]
fn national_shards_merged_in_any_order_give_the_bytes_of_the_unsharded_run() {
    let scratch = tempfile::tempdir().unwrap();
    let whole = national(scratch.path(), "whole", &["--threads", "2"]);
    for index in 1..=3 {
        let shard = format!("{index}/3");
        national(
            scratch.path(),
            &format!("s{index}"),
            &["--shard", &shard, "--threads", "1"],
        );
    }
    let shard_2: serde_json::Value =
        serde_json::from_slice(&std::fs::read(scratch.path().join("s2/metadata.json")).unwrap())
            .unwrap();
    assert_eq!(
        shard_2["shard"],
        serde_json::json!({"index": 2, "count": 3, "first_patch": 2, "patches": 2})
    );
    assert_eq!(shard_2["files"]["localities.csv"]["rows"], 2);

    let merged = merge(scratch.path(), &["s3", "s1", "s2"], "merged");
    assert_exit_code(&merged, 0);
    let merged = scratch.path().join("merged");
    assert_eq!(file_names(&whole), file_names(&merged));
    for file in ["localities.csv", "national.csv", "failures.csv"] {
        assert!(
            std::fs::read(whole.join(file)).unwrap() == std::fs::read(merged.join(file)).unwrap(),
            "{file} differs between the unsharded run and the merged shards"
        );
    }
    assert_eq!(
        metadata_without_wall_clock(&whole),
        metadata_without_wall_clock(&merged)
    );
    let localities = std::fs::read_to_string(merged.join("localities.csv")).unwrap();
    assert_eq!(localities.lines().count(), 1 + 7);
}

#[test]
fn a_missing_repeated_mismatched_or_altered_national_shard_is_refused_with_nothing_written() {
    let scratch = tempfile::tempdir().unwrap();
    for index in 1..=3 {
        let shard = format!("{index}/3");
        national(scratch.path(), &format!("s{index}"), &["--shard", &shard]);
    }
    national(
        scratch.path(),
        "other-seed-2",
        &["--shard", "2/3", "--set", "run.seed=5"],
    );
    national(scratch.path(), "quarter-2", &["--shard", "2/4"]);
    let cut = scratch.path().join("cut-2");
    std::fs::create_dir(&cut).unwrap();
    for name in file_names(&scratch.path().join("s2")) {
        std::fs::copy(scratch.path().join("s2").join(&name), cut.join(&name)).unwrap();
    }
    let localities = std::fs::read_to_string(cut.join("localities.csv")).unwrap();
    let without_last: Vec<&str> = localities.lines().collect();
    std::fs::write(
        cut.join("localities.csv"),
        format!("{}\n", without_last[..without_last.len() - 1].join("\n")),
    )
    .unwrap();

    for (shards, expected) in [
        (&["s1", "s3"][..], "shard 2 of 3 is missing"),
        (&["s1", "s2", "s2", "s3"][..], "shard 2/3 is given twice"),
        (
            &["s1", "other-seed-2", "s3"][..],
            "hold different national runs",
        ),
        (
            &["s1", "quarter-2", "s3"][..],
            "split the national run into different numbers of shards (3 and 4)",
        ),
        (
            &["s1", "cut-2", "s3"][..],
            "localities.csv rows missing: it has 1 rows, its metadata.json records 2",
        ),
    ] {
        let output = merge(scratch.path(), shards, "merged");
        assert_exit_code(&output, 1);
        assert!(
            stderr_of(&output).contains(expected),
            "{shards:?}: {}",
            stderr_of(&output)
        );
        assert!(
            !scratch.path().join("merged").exists(),
            "{shards:?}: nothing written"
        );
    }
    let leftovers: Vec<String> = file_names(scratch.path())
        .into_iter()
        .filter(|name| name.contains("merged"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
