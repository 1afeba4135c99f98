//! `patchwork robustness FILE` end to end on a tiny analysis (4 Latin-hypercube samples of two
//! parameters, 2 replicates, two-year runs): the files and their headers with one row per pattern,
//! the same bytes on 1 and 2 threads, bad files refused at their file, line and key with nothing
//! written, `--dry-run` writing nothing; and the shipped default file loads.

use std::fs;
use std::path::Path;

use crate::util::{assert_exit_code, file_names, run_patchwork, stderr_of, stdout_of, write_file};

/// Two parameters, short runs (events of patterns 4 and 7 at week 52 + 26 = 78).
const TINY: &str = r#"# a tiny robustness analysis
sets = ["run.horizon_weeks=104", "run.warmup_weeks=52"]
samples = 4
replicates = 2
seed = 5

[[parameter]]
key = "attendance.lapse_if_absent"
low = 0.25
high = 0.75

[[parameter]]
key = "pressure.threshold_rise"
low = 0.05
high = 0.3
"#;

const FILES: [&str; 5] = [
    "effects.csv",
    "prcc.csv",
    "report.html",
    "robustness.csv",
    "samples.csv",
];

fn robustness(directory: &Path, out: &str, threads: &str) -> std::process::Output {
    run_patchwork(
        directory,
        &[
            "robustness",
            "rb.toml",
            "--out",
            out,
            "--threads",
            threads,
            "--quiet",
        ],
    )
}

/// `--dry-run` of `rb.toml` on one thread: its output, after checking it succeeded.
fn dry_run(directory: &Path) -> String {
    let output = run_patchwork(
        directory,
        &["robustness", "rb.toml", "--dry-run", "--threads", "1"],
    );
    assert_exit_code(&output, 0);
    stdout_of(&output)
}

/// Files `names` of directories `a` (two threads) and `b` (one) are the same bytes.
fn assert_same_bytes(a: &Path, b: &Path, names: &[&str]) {
    for name in names {
        let (x, y) = (
            fs::read(a.join(name)).unwrap(),
            fs::read(b.join(name)).unwrap(),
        );
        assert!(x == y, "{name} differs between 1 and 2 threads");
    }
}

/// Each case `(from, to, expected)`: `file` with `from` replaced by `to` is refused with
/// `expected` on stderr, exit status 1 and nothing written.
fn assert_refused(file: &str, cases: &[(&str, &str, &str)]) {
    for (from, to, expected) in cases {
        let scratch = tempfile::tempdir().unwrap();
        assert!(file.contains(from), "{from}");
        write_file(scratch.path(), "rb.toml", &file.replacen(from, to, 1));
        let output = run_patchwork(scratch.path(), &["robustness", "rb.toml", "--out", "out"]);
        assert_exit_code(&output, 1);
        let stderr = stderr_of(&output);
        assert!(
            stderr.contains(expected),
            "expected {expected:?} in:\n{stderr}"
        );
        assert_eq!(
            file_names(scratch.path()),
            vec!["rb.toml"],
            "nothing written for {to:?}"
        );
    }
}

fn lines(path: &Path) -> Vec<String> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn robustness_writes_its_files_and_the_same_bytes_on_any_thread_count() {
    let scratch = tempfile::tempdir().unwrap();
    write_file(scratch.path(), "rb.toml", TINY);
    let output = robustness(scratch.path(), "two", "2");
    assert_exit_code(&output, 0);
    assert_eq!(stdout_of(&output), "", "--quiet prints nothing");
    let out = scratch.path().join("two");
    assert_eq!(file_names(&out), FILES);

    let samples = lines(&out.join("samples.csv"));
    assert_eq!(
        samples[0],
        "sample,attendance.lapse_if_absent,pressure.threshold_rise"
    );
    assert_eq!(samples.len(), 1 + 4);
    // A Latin hypercube: one sample in each quarter of each range.
    let mut quarters: Vec<usize> = samples[1..]
        .iter()
        .map(|line| {
            let value: f64 = line.split(',').nth(1).unwrap().parse().unwrap();
            ((value - 0.25) / 0.5 * 4.0) as usize
        })
        .collect();
    quarters.sort();
    assert_eq!(quarters, vec![0, 1, 2, 3]);

    let effects = lines(&out.join("effects.csv"));
    assert_eq!(
        effects[0],
        "sample,pattern,effect,ci_level,ci_low,ci_high,margin,replicates,holds,point_holds"
    );
    assert_eq!(effects.len(), 1 + 4 * 12, "a row per sample and pattern");

    let table = lines(&out.join("robustness.csv"));
    assert_eq!(
        table[0],
        "pattern,direction,samples,share_holds,ci_low,ci_high,share_point_holds,median_effect,\
         top1,top1_prcc,top1_p,top2,top2_prcc,top2_p,top3,top3_prcc,top3_p"
    );
    assert_eq!(table.len(), 1 + 12, "a row per pattern");
    for (k, line) in table[1..].iter().enumerate() {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields[0], (k + 1).to_string(), "{line}");
        assert_eq!(fields[2], "4", "{line}");
        let share: f64 = fields[3].parse().unwrap();
        let (low, high): (f64, f64) = (fields[4].parse().unwrap(), fields[5].parse().unwrap());
        assert!(low <= share && share <= high, "{line}");
    }
    let prcc = lines(&out.join("prcc.csv"));
    assert_eq!(prcc[0], "pattern,parameter,prcc,p_value");
    assert_eq!(prcc.len(), 1 + 12 * 2);
    let report = fs::read_to_string(out.join("report.html")).unwrap();
    for expected in ["Pattern 1", "Pattern 12", "of the plausible region"] {
        assert!(report.contains(expected), "report.html lacks {expected}");
    }

    // One thread: the same bytes.
    assert_exit_code(&robustness(scratch.path(), "one", "1"), 0);
    assert_same_bytes(&out, &scratch.path().join("one"), &FILES);

    // An existing output directory is refused without --force, before anything runs.
    let again = robustness(scratch.path(), "two", "2");
    assert_exit_code(&again, 1);
    assert!(
        stderr_of(&again).contains("--force"),
        "{}",
        stderr_of(&again)
    );
}

#[test]
fn dry_run_counts_the_runs_and_writes_nothing() {
    let scratch = tempfile::tempdir().unwrap();
    write_file(scratch.path(), "rb.toml", TINY);
    let stdout = dry_run(scratch.path());
    // 25 distinct arms (the plain team and ad hoc arms serve several patterns).
    assert!(
        stdout.contains("4 samples x 25 distinct arms x 2 replicates = 200 runs"),
        "{stdout}"
    );
    assert!(stdout.contains("estimated time"), "{stdout}");
    assert_eq!(file_names(scratch.path()), vec!["rb.toml"]);
}

#[test]
fn bad_robustness_files_are_refused_with_file_line_and_key() {
    let cases: [(&str, &str, &str); 6] = [
        (
            "key = \"attendance.lapse_if_absent\"",
            "key = \"attendance.lapse_if_absnet\"",
            "rb.toml:8:7: parameter attendance.lapse_if_absnet: the base scenario refuses",
        ),
        (
            "low = 0.05",
            "low = 0.5",
            "rb.toml:14:7: parameter pressure.threshold_rise:",
        ),
        (
            "seed = 5",
            "seed = 5\npatterns = [3, 13]",
            "rb.toml:6:16: patterns: must be pattern numbers from 1 to 12, found 13",
        ),
        (
            "samples = 4",
            "sample = 4",
            "rb.toml:3:1: sample: unknown field",
        ),
        (
            "replicates = 2",
            "replicates = 1",
            "rb.toml:4:14: replicates: must be from 2 (a paired interval needs two) to 10000",
        ),
        (
            "\"run.warmup_weeks=52\"",
            "\"run.warmup_weeks=90\"",
            "rb.toml:2:8: sets: patterns 4 and 7 need an event",
        ),
    ];
    assert_refused(TINY, &cases);
}

// The shipped default file loads: every parameter a scenario key over a range the baseline
// accepts, all twelve patterns.
#[test]
fn the_default_file_loads() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/robustness.toml");
    let spec = patchwork_sim::robustness::load(&path).unwrap();
    assert_eq!(spec.patterns.len(), 12);
    assert!(spec.space.dimension() >= 20);
    // Enough samples for a partial rank correlation with every parameter.
    assert!(spec.samples > spec.space.dimension() + 2);
    assert_eq!(spec.event_week, 286, "the events of the pattern tests");
    // docs/model.md's parameter tables give the same plausible range, on the key's row.
    let docs = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/model.md"))
        .unwrap();
    for p in spec.space.parameters() {
        let short = p.key().rsplit('.').next().unwrap();
        let range = format!("plausible {}-{}", p.low(), p.high());
        assert!(
            docs.lines()
                .any(|line| (line.starts_with(&format!("| `{short}`"))
                    || line.starts_with(&format!("| `{}`", p.key())))
                    && line.contains(&range)),
            "docs/model.md has no row for {} with {range}",
            p.key()
        );
    }
}

/// The ends design on the tiny region (`TINY` with `design` for `samples`, the same lines):
/// pattern 1 at both ends of both parameters, pattern 3 of one (their arms are three distinct
/// scenarios: ad hoc, team, network).
fn ends_file() -> String {
    TINY.replacen("samples = 4", "design = \"ends\"", 1)
        + r#"
[[hinge]]
pattern = 3
keys = ["attendance.lapse_if_absent"]

[[hinge]]
pattern = 1
keys = ["pressure.threshold_rise", "attendance.lapse_if_absent"]
"#
}

#[test]
fn the_ends_design_writes_a_row_per_pattern_key_and_end_the_same_on_any_thread_count() {
    let scratch = tempfile::tempdir().unwrap();
    write_file(scratch.path(), "rb.toml", &ends_file());
    let output = run_patchwork(
        scratch.path(),
        &["robustness", "rb.toml", "--out", "two", "--threads", "2"],
    );
    assert_exit_code(&output, 0);
    let stdout = stdout_of(&output);
    assert!(
        stdout.contains("5 points, 13 point-arms x 2 replicates"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("3 ") && l.contains("attendance.lapse_if_absent")),
        "the table has pattern 3's row:\n{stdout}"
    );
    let out = scratch.path().join("two");
    assert_eq!(file_names(&out), ["ends.csv", "report.html"]);
    let rows = lines(&out.join("ends.csv"));
    assert_eq!(
        rows[0],
        "pattern,key,end,value,effect,ci_level,ci_low,ci_high,margin,replicates,holds,point_holds"
    );
    // Patterns in order, keys as written, default, low and high.
    let cells: Vec<String> = rows[1..]
        .iter()
        .map(|row| row.split(',').take(4).collect::<Vec<_>>().join(","))
        .collect();
    assert_eq!(
        cells,
        [
            "1,pressure.threshold_rise,default,0.15",
            "1,pressure.threshold_rise,low,0.05",
            "1,pressure.threshold_rise,high,0.3",
            "1,attendance.lapse_if_absent,default,0.5",
            "1,attendance.lapse_if_absent,low,0.25",
            "1,attendance.lapse_if_absent,high,0.75",
            "3,attendance.lapse_if_absent,default,0.5",
            "3,attendance.lapse_if_absent,low,0.25",
            "3,attendance.lapse_if_absent,high,0.75",
        ]
    );
    let field = |row: usize, column: usize| rows[row].split(',').nth(column).unwrap().to_string();
    for row in &rows[1..] {
        let fields: Vec<&str> = row.split(',').collect();
        assert_eq!(fields[9], "2", "replicates: {row}");
        assert!(["TRUE", "FALSE"].contains(&fields[10]), "{row}");
    }
    // The defaults are one run: every default row of a pattern has the same effect.
    assert_eq!(field(1, 4), field(4, 4));
    let report = fs::read_to_string(out.join("report.html")).unwrap();
    for expected in [
        "Pattern 1",
        "Pattern 3",
        "both ends",
        "pressure.threshold_rise",
    ] {
        assert!(report.contains(expected), "report.html lacks {expected}");
    }

    assert_exit_code(&robustness(scratch.path(), "one", "1"), 0);
    assert_same_bytes(
        &out,
        &scratch.path().join("one"),
        &["ends.csv", "report.html"],
    );

    let stdout = dry_run(scratch.path());
    // Pattern 1: 5 points x 2 arms; pattern 3: its team arm is pattern 1's, so the network arm
    // at 3 points.
    assert!(
        stdout.contains("5 points (the defaults and each hinge parameter at its low and high end), 13 point-arms (3 distinct arms) x 2 replicates = 26 runs"),
        "{stdout}"
    );
}

#[test]
fn bad_hinges_are_refused_with_file_line_and_key() {
    let hinge3 = "pattern = 3\nkeys = [\"attendance.lapse_if_absent\"]";
    let cases: [(&str, &str, &str); 12] = [
        (
            "design = \"ends\"",
            "design = \"end\"",
            "rb.toml:3:10: design: must be \"latin-hypercube\" or \"ends\", found \"end\"",
        ),
        (
            hinge3,
            "pattern = 3\nkyes = [\"attendance.lapse_if_absent\"]",
            "rb.toml:19:1: kyes: unknown field `kyes`, expected `pattern` or `keys`",
        ),
        (
            hinge3,
            "pattern = 13\nkeys = [\"attendance.lapse_if_absent\"]",
            "rb.toml:18:11: hinge.pattern: must be a pattern number from 1 to 12, found 13",
        ),
        (
            hinge3,
            "pattern = 0\nkeys = [\"attendance.lapse_if_absent\"]",
            "rb.toml:18:11: hinge.pattern: must be a pattern number from 1 to 12, found 0",
        ),
        (
            hinge3,
            "pattern = 1\nkeys = [\"attendance.lapse_if_absent\"]",
            "rb.toml:22:11: hinge.pattern: pattern 1 has a [[hinge]] already",
        ),
        (
            hinge3,
            "pattern = 3\nkeys = [\"attendance.lapse_if_absent\", \"attendance.lapse_if_absent\"]",
            "rb.toml:19:39: hinge.keys: attendance.lapse_if_absent listed twice",
        ),
        (
            hinge3,
            "pattern = 3\nkeys = [\"attendance.base\"]",
            "rb.toml:19:9: hinge.keys: attendance.base is not a [[parameter]] of this file",
        ),
        (
            hinge3,
            "pattern = 3\nkeys = []",
            "rb.toml:19:8: hinge.keys: must list from 1 to 8 keys, found 0",
        ),
        (
            "replicates = 2",
            "replicates = 2\nsamples = 4",
            "rb.toml:5:11: samples: the ends design draws no samples",
        ),
        (
            "design = \"ends\"",
            "design = \"latin-hypercube\"",
            "rb.toml:17:1: hinge: only the ends design reads [[hinge]]s",
        ),
        (
            "seed = 5",
            "seed = 5\npatterns = [1]",
            "rb.toml:19:11: hinge.pattern: pattern 3 is not among the file's patterns",
        ),
        (
            "seed = 5",
            "seed = 5\npatterns = [1, 2, 3]",
            "rb.toml:3:10: design: the ends design needs a [[hinge]] for each pattern analysed; \
             pattern 2 has none",
        ),
    ];
    assert_refused(&ends_file(), &cases);
}

// The shipped ends file loads: every pattern with two to five hinge keys, each range that of the
// default file, and each pattern test naming the same keys in its doc comment ("Hinges on").
#[test]
fn the_ends_file_loads_and_agrees_with_the_default_file_and_the_pattern_tests() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let ends =
        patchwork_sim::robustness::load(&root.join("scenarios/robustness-ends.toml")).unwrap();
    let region = patchwork_sim::robustness::load(&root.join("scenarios/robustness.toml")).unwrap();
    assert_eq!(ends.design, patchwork_sim::robustness::Design::Ends);
    assert_eq!(ends.patterns.len(), 12);
    assert_eq!(ends.event_week, 286, "the events of the pattern tests");
    for p in ends.space.parameters() {
        let q = region
            .space
            .parameters()
            .iter()
            .find(|q| q.key() == p.key())
            .unwrap_or_else(|| panic!("{} is not in robustness.toml", p.key()));
        assert_eq!((p.low(), p.high()), (q.low(), q.high()), "{}", p.key());
    }
    let tests = fs::read_to_string(root.join("tests/it/patterns.rs")).unwrap();
    for (pattern, keys) in ends.patterns.iter().zip(&ends.hinges) {
        assert!((2..=5).contains(&keys.len()), "pattern {}", pattern.number);
        let names: Vec<String> = keys
            .iter()
            .map(|&j| format!("`{}`", ends.space.parameters()[j].key()))
            .collect();
        // The doc comment of the test `pNN_...`: its "Hinges on:" line lists the same keys.
        let test = format!("fn p{:02}_", pattern.number);
        let at = tests.find(&test).unwrap_or_else(|| panic!("no {test}"));
        let comment_start = tests[..at].rfind("\n\n").unwrap();
        let comment = tests[comment_start..at].replace("\n///", "");
        let line = comment
            .split("Hinges on: ")
            .nth(1)
            .unwrap_or_else(|| panic!("{test} has no \"Hinges on: \""));
        let listed = &line[..line.find("`.").expect("a list ending \"`.\"") + 1];
        let listed: Vec<&str> = listed.split(", ").map(str::trim).collect();
        assert_eq!(listed, names, "{test}");
    }
}
