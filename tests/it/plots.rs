//! Pictures and comparisons end to end: the plots `run` and `compare` draw (the network of
//! replicate 0 at chosen weeks among them) are real PNG and SVG files that `patchwork plot`
//! redraws byte for byte from the CSV files alone; `compare`'s paired
//! statistics agree with the two scenarios run separately on the same seed, worked out here by
//! hand; and `report.html` is self-contained and renders in headless Chromium to a picture that is
//! not blank.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{
    assert_exit_code, file_names, run_patchwork, stderr_of, stdout_of, write_file,
    write_tiny_scenario,
};

const PLOT_FILES: [&str; 6] = [
    "network.png",
    "network.svg",
    "survival.png",
    "survival.svg",
    "weekly.png",
    "weekly.svg",
];

/// A tiny team scenario with a minder and a restructure, to set against the tiny ad hoc one.
const TINY_TEAM_SCENARIO: &str = r#"
name = "tiny-team"
description = "a consultation team with a minder, restructured in week 70"

[run]
horizon_weeks = 104
warmup_weeks = 52
replicates = 3
seed = 7

[coordination]
mode = "team"
minder = true

[[event]]
week = 70
kind = "restructure"
"#;

/// Decodes a PNG, returning its width, height and RGB(A) pixels.
fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<u8>, usize) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes.to_vec()));
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a PNG size")];
    let info = reader.next_frame(&mut pixels).expect("PNG pixels");
    pixels.truncate(info.buffer_size());
    let channels = info.color_type.samples();
    (info.width, info.height, pixels, channels)
}

/// Distinct colours among the pixels (the first three channels of each).
fn distinct_colours(pixels: &[u8], channels: usize) -> usize {
    let mut colours: Vec<[u8; 3]> = pixels
        .chunks(channels)
        .filter(|pixel| pixel.len() >= 3)
        .map(|pixel| [pixel[0], pixel[1], pixel[2]])
        .collect();
    colours.sort_unstable();
    colours.dedup();
    colours.len()
}

/// Asserts that `plots/` holds the four plot files, each a valid, non-trivial PNG or SVG.
fn assert_valid_plots(plots: &Path) {
    assert_eq!(file_names(plots), PLOT_FILES, "{}", plots.display());
    for name in PLOT_FILES {
        let bytes = fs::read(plots.join(name)).unwrap();
        if name.ends_with(".png") {
            assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{name} is a PNG");
            assert!(bytes.len() > 10_000, "{name} is only {} bytes", bytes.len());
            let (width, height, pixels, channels) = decode_png(&bytes);
            assert!(width >= 800 && height >= 600, "{name} is {width}×{height}");
            assert!(
                distinct_colours(&pixels, channels) > 20,
                "{name} has lines, bands and text in several colours"
            );
        } else {
            let text = String::from_utf8(bytes).expect("an SVG is text");
            assert!(text.starts_with("<svg"), "{name} starts as an SVG");
            assert!(text.trim_end().ends_with("</svg>"), "{name} ends as an SVG");
            assert!(
                text.contains("<polyline") || text.contains("<path"),
                "{name} has lines"
            );
            assert!(text.contains("<text"), "{name} has text");
            assert!(text.len() > 5_000, "{name} is only {} bytes", text.len());
        }
    }
}

fn read_plots(plots: &Path) -> Vec<Vec<u8>> {
    PLOT_FILES
        .iter()
        .map(|name| fs::read(plots.join(name)).unwrap())
        .collect()
}

/// Writes the tiny ad hoc and team scenarios and runs `compare` into `out`.
fn compare_tiny(scratch: &Path) -> PathBuf {
    write_tiny_scenario(scratch);
    write_file(scratch, "team.toml", TINY_TEAM_SCENARIO);
    let output = run_patchwork(
        scratch,
        &[
            "compare",
            "tiny.toml",
            "team.toml",
            "--out",
            "cmp",
            "--quiet",
        ],
    );
    assert_exit_code(&output, 0);
    scratch.join("cmp")
}

#[test]
fn run_draws_every_plot_and_plot_redraws_them_from_the_csv_files() {
    let scratch = tempfile::tempdir().unwrap();
    write_tiny_scenario(scratch.path());
    let output = run_patchwork(
        scratch.path(),
        &["run", "tiny.toml", "--out", "out", "--quiet"],
    );
    assert_exit_code(&output, 0);
    let out = scratch.path().join("out");
    let plots = out.join("plots");
    assert_valid_plots(&plots);
    let drawn = read_plots(&plots);

    // The network of replicate 0 at the default weeks: the first measured week and the last.
    assert_eq!(
        network_weeks(&out),
        [("tiny".to_string(), 52), ("tiny".to_string(), 103)]
    );
    let ties = fs::read_to_string(out.join("network_ties.csv")).unwrap();
    assert!(
        ties.starts_with("arm,week,post_a,post_b,strength\ntiny,52,"),
        "{ties}"
    );
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<h2>The professional network</h2>"), "{html}");
    assert_eq!(html.matches("src=\"data:image/png;base64,").count(), 3);
    // The scenario's settings and a reading in plain words.
    assert!(html.contains("<h2>Settings</h2>"), "{html}");
    assert!(html.contains("<td>way of coordinating</td><td>"), "{html}");
    assert!(html.contains("<h3>In plain words</h3>"), "{html}");
    assert!(html.contains("Half the recognised needs were helped within"));
    // Pictures at their full size in a wide window, shrunk to a narrower window by at most a
    // fifth (a minimum width of four fifths of the picture's own), never down to the text column.
    assert!(html.contains("figure img { display: block; max-width: calc(100vw - 34px);"));
    assert!(html.contains("<img alt=\"") && html.contains(" style=\"min-width: "));

    // Only the CSV files (and the metadata naming the scenario) are left to draw from.
    fs::remove_dir_all(&plots).unwrap();
    for name in ["runs.csv", "summary.csv", "report.html"] {
        fs::remove_file(out.join(name)).unwrap();
    }
    let output = run_patchwork(scratch.path(), &["plot", "out"]);
    assert_exit_code(&output, 0);
    assert!(
        stdout_of(&output).contains("survival.png"),
        "{}",
        stdout_of(&output)
    );
    assert_valid_plots(&plots);
    assert_eq!(
        read_plots(&plots),
        drawn,
        "redrawn plots are the plots run drew"
    );

    // Plots already there are replaced only with --force.
    let refused = run_patchwork(scratch.path(), &["plot", "out", "--quiet"]);
    assert_exit_code(&refused, 1);
    assert!(
        stderr_of(&refused).contains("--force"),
        "{}",
        stderr_of(&refused)
    );
    let forced = run_patchwork(scratch.path(), &["plot", "out", "--force", "--quiet"]);
    assert_exit_code(&forced, 0);
    assert_eq!(read_plots(&plots), drawn);
}

#[test]
fn plot_needs_an_output_directory_with_csv_files() {
    let scratch = tempfile::tempdir().unwrap();
    fs::create_dir(scratch.path().join("empty")).unwrap();
    let output = run_patchwork(scratch.path(), &["plot", "empty"]);
    assert_exit_code(&output, 1);
    assert!(
        stderr_of(&output).contains("neither survival.csv nor weekly.csv"),
        "{}",
        stderr_of(&output)
    );
    assert!(!scratch.path().join("empty").join("plots").exists());

    fs::write(
        scratch.path().join("empty").join("survival.csv"),
        "arm,time\nx,1\n",
    )
    .unwrap();
    let output = run_patchwork(scratch.path(), &["plot", "empty"]);
    assert_exit_code(&output, 1);
    assert!(
        stderr_of(&output).contains("survival.csv: missing column survival"),
        "{}",
        stderr_of(&output)
    );
}

#[test]
fn compare_writes_its_files_and_plots_that_redraw() {
    let scratch = tempfile::tempdir().unwrap();
    let out = compare_tiny(scratch.path());
    assert_eq!(
        file_names(&out),
        [
            "advantage.csv",
            "comparison.csv",
            "events.csv",
            "metadata.json",
            "network_posts.csv",
            "network_ties.csv",
            "plots",
            "report.html",
            "report.md",
            "survival.csv",
            "weekly.csv"
        ]
    );
    // Both arms' networks at the same weeks: the week before team's restructure (week 70) and a
    // term after it too.
    let weeks: Vec<(String, u32)> = ["tiny", "tiny-team"]
        .iter()
        .flat_map(|arm| [52, 69, 83, 103].map(|week| (arm.to_string(), week)))
        .collect();
    assert_eq!(network_weeks(&out), weeks);
    let svg = fs::read_to_string(out.join("plots").join("network.svg")).unwrap();
    assert!(
        svg.contains("tiny-team, week 69"),
        "panels name arm and week"
    );
    assert!(svg.contains("the week before: restructure"), "{svg}");
    assert!(svg.contains("minder"), "the minder is marked and named");
    let plots = out.join("plots");
    assert_valid_plots(&plots);
    let drawn = read_plots(&plots);
    fs::remove_dir_all(&plots).unwrap();
    assert_exit_code(
        &run_patchwork(scratch.path(), &["plot", "cmp", "--quiet"]),
        0,
    );
    assert_eq!(
        read_plots(&plots),
        drawn,
        "redrawn from the CSV files alone"
    );

    let survival = fs::read_to_string(out.join("survival.csv")).unwrap();
    assert!(survival.starts_with("arm,time,survival,lower_95,upper_95,at_risk,events\n"));
    // Each arm's curve starts at week 0 (survival 1, or less if help can start at once).
    assert!(survival.contains("\ntiny,0,") && survival.contains("\ntiny-team,0,"));
    let events = fs::read_to_string(out.join("events.csv")).unwrap();
    assert!(
        events.starts_with("arm,week,locality,label\ntiny-team,70,0,\"restructure: "),
        "{events}"
    );

    let report = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.starts_with("# tiny-team against tiny\n"), "{report}");
    assert!(
        report.contains("- Median weeks from recognition to help: "),
        "{report}"
    );
    assert!(report.contains("## Net collaborative advantage"));
    assert!(report.contains("`coordination.mode=adhoc`, `coordination.minder=false`"));
    assert!(report.contains("tiny already works in silos"));
    assert!(report.contains("![Time to help"));

    let metadata: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("metadata.json")).unwrap()).unwrap();
    assert_eq!(metadata["master_seed"], 7);
    assert_eq!(metadata["a"]["scenario"], "tiny");
    assert_eq!(
        metadata["b"]["resolved_scenario"]["coordination"]["mode"],
        "team"
    );
}

/// The distinct (arm, week) pairs of `network_posts.csv` in `out`, in file order.
fn network_weeks(out: &Path) -> Vec<(String, u32)> {
    let (header, rows) = read_csv(&out.join("network_posts.csv"));
    assert_eq!(
        header,
        [
            "arm", "week", "post", "role", "agency", "school", "in_post", "minder"
        ]
    );
    let mut weeks: Vec<(String, u32)> = Vec::new();
    for row in rows {
        let key = (row[0].clone(), row[1].parse().unwrap());
        if !weeks.contains(&key) {
            weeks.push(key);
        }
    }
    weeks
}

#[test]
fn network_weeks_default_to_the_week_before_each_event_or_are_chosen() {
    let scratch = tempfile::tempdir().unwrap();
    write_file(scratch.path(), "team.toml", TINY_TEAM_SCENARIO);
    let run = |out: &str, extra: &[&str]| {
        let mut arguments = vec![
            "run",
            "team.toml",
            "--replicates",
            "2",
            "--out",
            out,
            "--quiet",
        ];
        arguments.extend_from_slice(extra);
        run_patchwork(scratch.path(), &arguments)
    };
    assert_exit_code(&run("default", &[]), 0);
    let weeks = |out: &str| -> Vec<u32> {
        network_weeks(&scratch.path().join(out))
            .into_iter()
            .map(|(arm, week)| {
                assert_eq!(arm, "tiny-team");
                week
            })
            .collect()
    };
    // The first measured week, the week before the restructure in week 70 and a term (13 weeks)
    // after it, the last week.
    assert_eq!(weeks("default"), [52, 69, 83, 103]);
    let svg = fs::read_to_string(scratch.path().join("default/plots/network.svg")).unwrap();
    assert!(svg.contains("13 weeks after: restructure"), "{svg}");
    // Each panel draws only the working ties (0.3 or more) and says how many of the recorded.
    let (header, rows) = read_csv(&scratch.path().join("default/network_ties.csv"));
    let (week_column, strength_column) = (column(&header, "week"), column(&header, "strength"));
    for week in [52, 69, 83, 103] {
        let in_week: Vec<f64> = rows
            .iter()
            .filter(|row| row[week_column] == week.to_string())
            .map(|row| row[strength_column].parse().unwrap())
            .collect();
        let working = in_week.iter().filter(|strength| **strength >= 0.3).count();
        let counts = format!("{working} working ties (of {} recorded)", in_week.len());
        assert!(svg.contains(&counts), "week {week}: {counts}");
        assert!(
            working < in_week.len(),
            "week {week}: weak ties are left out"
        );
    }
    let posts =
        fs::read_to_string(scratch.path().join("default").join("network_posts.csv")).unwrap();
    assert!(
        posts.contains(",early_help,early_help,,TRUE,TRUE\n"),
        "the minder, in post"
    );

    assert_exit_code(
        &run(
            "chosen",
            &["--network-weeks", "80,0,80", "--network-weeks", "7"],
        ),
        0,
    );
    assert_eq!(weeks("chosen"), [0, 7, 80]);
    assert!(
        scratch
            .path()
            .join("chosen")
            .join("plots")
            .join("network.svg")
            .exists()
    );

    // A week outside the run is refused before anything runs or is written.
    let refused = run("beyond", &["--network-weeks", "52,104"]);
    assert_exit_code(&refused, 1);
    let stderr = stderr_of(&refused);
    assert!(
        stderr.contains("--network-weeks: week 104 is not in the run: choose weeks from 0 to 103"),
        "{stderr}"
    );
    assert!(!scratch.path().join("beyond").exists());
    let malformed = run("malformed", &["--network-weeks", "52;60"]);
    assert_exit_code(&malformed, 1);
    assert!(
        stderr_of(&malformed).contains("--network-weeks"),
        "{}",
        stderr_of(&malformed)
    );
    assert!(!scratch.path().join("malformed").exists());

    // compare checks its weeks against both scenarios.
    write_tiny_scenario(scratch.path());
    let compare = run_patchwork(
        scratch.path(),
        &[
            "compare",
            "tiny.toml",
            "team.toml",
            "--network-weeks",
            "200",
            "--out",
            "cmp",
            "--quiet",
        ],
    );
    assert_exit_code(&compare, 1);
    assert!(stderr_of(&compare).contains("week 200 is not in the run"));
    assert!(!scratch.path().join("cmp").exists());
}

/// Reads a CSV file into a header and rows of fields.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|line| line.split(',').map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|column| column == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

#[test]
fn paired_statistics_agree_with_the_scenarios_run_apart_on_the_same_seed() {
    let scratch = tempfile::tempdir().unwrap();
    let out = compare_tiny(scratch.path());
    for (label, scenario) in [("a", "tiny.toml"), ("b", "team.toml")] {
        let output = run_patchwork(
            scratch.path(),
            &[
                "run",
                scenario,
                "--seed",
                "7",
                "--replicates",
                "3",
                "--out",
                label,
                "--quiet",
            ],
        );
        assert_exit_code(&output, 0);
    }
    let (runs_header, runs_a) = read_csv(&scratch.path().join("a").join("runs.csv"));
    let (_, runs_b) = read_csv(&scratch.path().join("b").join("runs.csv"));
    let (header, rows) = read_csv(&out.join("comparison.csv"));
    assert_eq!(
        header,
        [
            "measure",
            "a_mean",
            "b_mean",
            "difference",
            "difference_ci_low",
            "difference_ci_high",
            "relative_change",
            "pairs"
        ]
    );

    let value = |text: &str| -> f64 { text.parse().unwrap() };
    let mut checked = 0;
    for measure in [
        "median_weeks_to_help",
        "unmet_need_child_weeks_per_100",
        "mean_tie_strength",
        "coordination_hours_per_child",
    ] {
        let index = column(&runs_header, measure);
        let a: Vec<f64> = runs_a.iter().map(|row| value(&row[index])).collect();
        let b: Vec<f64> = runs_b.iter().map(|row| value(&row[index])).collect();
        // By hand: three pairs, d = b - a, mean ± t(0.975, 2) · sd / √3 with t = 4.302653.
        let d: Vec<f64> = a.iter().zip(&b).map(|(a, b)| b - a).collect();
        let mean = d.iter().sum::<f64>() / 3.0;
        let sd = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 2.0).sqrt();
        let half_width = 4.302_653 * sd / 3.0_f64.sqrt();
        let a_mean = a.iter().sum::<f64>() / 3.0;

        let row = rows.iter().find(|row| row[0] == measure).unwrap();
        let close = |field: &str, expected: f64| {
            let found = value(&row[column(&header, field)]);
            // runs.csv rounds to six decimals, so allow for that.
            assert!(
                (found - expected).abs() < 1e-5 * (1.0 + expected.abs()),
                "{measure} {field}: {found} != {expected}"
            );
        };
        close("a_mean", a_mean);
        close("b_mean", b.iter().sum::<f64>() / 3.0);
        close("difference", mean);
        close("difference_ci_low", mean - half_width);
        close("difference_ci_high", mean + half_width);
        if a_mean.abs() > 1e-3 {
            close("relative_change", mean / a_mean);
        }
        assert_eq!(row[column(&header, "pairs")], "3");
        checked += 1;
    }
    assert_eq!(checked, 4);

    // tiny is ad hoc already: its advantage over silos is exactly zero.
    let (advantage_header, advantage) = read_csv(&out.join("advantage.csv"));
    let net = |arm: &str| {
        advantage
            .iter()
            .find(|row| row[0] == arm && row[1] == "net_advantage_per_100")
            .map(|row| row[column(&advantage_header, "difference")].clone())
            .unwrap()
    };
    assert_eq!(net("tiny"), "0");
    assert_ne!(net("tiny-team"), "0");
}

#[test]
fn compare_refuses_an_occupied_directory_and_bad_scenarios() {
    let scratch = tempfile::tempdir().unwrap();
    write_tiny_scenario(scratch.path());
    fs::create_dir(scratch.path().join("cmp")).unwrap();
    fs::write(scratch.path().join("cmp").join("keep.txt"), "mine").unwrap();
    let occupied = run_patchwork(
        scratch.path(),
        &["compare", "tiny.toml", "tiny.toml", "--out", "cmp"],
    );
    assert_exit_code(&occupied, 1);
    assert_eq!(file_names(&scratch.path().join("cmp")), ["keep.txt"]);

    let missing = run_patchwork(
        scratch.path(),
        &["compare", "tiny.toml", "nowhere.toml", "--out", "other"],
    );
    assert_exit_code(&missing, 1);
    assert!(
        stderr_of(&missing).contains("nowhere.toml"),
        "{}",
        stderr_of(&missing)
    );
    assert!(!scratch.path().join("other").exists());
}

#[test]
fn compare_names_its_directory_after_both_scenarios_and_tells_same_names_apart() {
    let scratch = tempfile::tempdir().unwrap();
    write_tiny_scenario(scratch.path());
    let output = run_patchwork(
        scratch.path(),
        &["compare", "tiny.toml", "tiny.toml", "--replicates", "2"],
    );
    assert_exit_code(&output, 0);
    let stdout = stdout_of(&output);
    assert!(stdout.contains("tiny (B) against tiny (A)"), "{stdout}");
    // The same scenario twice: every difference is exactly zero, within the noise.
    assert!(
        stdout.contains("the difference is within the noise"),
        "{stdout}"
    );
    let out = scratch.path().join("output").join("compare-tiny-vs-tiny");
    let (header, rows) = read_csv(&out.join("comparison.csv"));
    let difference = column(&header, "difference");
    assert!(
        rows.iter()
            .all(|row| row[difference] == "0" || row[difference] == "NA")
    );
}

/// Headless Chromium, if installed: Debian's package puts it at /usr/bin/chromium.
fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|path| path.exists())
}

#[test]
fn the_html_report_is_self_contained_and_renders_in_headless_chromium() {
    let scratch = tempfile::tempdir().unwrap();
    let out = compare_tiny(scratch.path());
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.matches("src=\"data:image/png;base64,").count(), 3);
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no network"
    );
    assert!(
        !html.contains("src=\"plots/"),
        "no links to files beside it"
    );

    let Some(chromium) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but chromium is not installed: .ci/run installs Debian's chromium package"
        );
        eprintln!("note: chromium not installed, skipping the screenshot of report.html");
        return;
    };
    let profile = tempfile::tempdir().unwrap();
    let screenshot = scratch.path().join("screenshot.png");
    let report = fs::canonicalize(out.join("report.html")).unwrap();
    let output = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg("--window-size=1200,900")
        .arg(format!("file://{}", report.display()))
        .output()
        .expect("chromium runs");
    assert!(
        screenshot.exists(),
        "chromium wrote no screenshot (status {:?}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let (width, height, pixels, channels) = decode_png(&fs::read(&screenshot).unwrap());
    assert_eq!((width, height), (1200, 900));
    let colours = distinct_colours(&pixels, channels);
    assert!(
        colours > 100,
        "the screenshot is blank or nearly so: {colours} distinct colours"
    );
    // Not a white page with a speck: at least 2% of the pixels are not white.
    let drawn = pixels
        .chunks(channels)
        .filter(|pixel| pixel[..3] != [255, 255, 255])
        .count();
    assert!(
        drawn * 50 > pixels.len() / channels,
        "only {drawn} pixels drawn"
    );
}

/// A factorial sweep of 2 × 2 × 2 points, 2 replicates each, short runs.
const SMALL_SWEEP: &str = r#"
name = "small"
description = "minder × meeting interval × cluster size"

[run]
horizon_weeks = 104
warmup_weeks = 52
seed = 5

[coordination]
mode = "team"

[sweep]
design = "factorial"
replicates = 2

[sweep.axes]
"coordination.minder" = [false, true]
"coordination.meeting_interval_weeks" = [3, 13]
"locality.0.primaries" = [2, 5]
"#;

const SWEEP_PLOT_FILES: [&str; 8] = [
    "sweep-axis-1.png",
    "sweep-axis-1.svg",
    "sweep-axis-2.png",
    "sweep-axis-2.svg",
    "sweep-axis-3.png",
    "sweep-axis-3.svg",
    "sweep-heatmap.png",
    "sweep-heatmap.svg",
];

#[test]
fn a_sweep_writes_its_report_and_plots_and_plot_redraws_them_from_points_csv() {
    let scratch = tempfile::tempdir().unwrap();
    write_file(scratch.path(), "small.toml", SMALL_SWEEP);
    let output = run_patchwork(
        scratch.path(),
        &["sweep", "small.toml", "--out", "sw", "--quiet"],
    );
    assert_exit_code(&output, 0);
    let out = scratch.path().join("sw");
    let plots = out.join("plots");
    assert_eq!(file_names(&plots), SWEEP_PLOT_FILES);
    let read_all = || -> Vec<Vec<u8>> {
        SWEEP_PLOT_FILES
            .iter()
            .map(|name| fs::read(plots.join(name)).unwrap())
            .collect()
    };
    for (name, bytes) in SWEEP_PLOT_FILES.iter().zip(read_all()) {
        if name.ends_with(".png") {
            let (width, height, pixels, channels) = decode_png(&bytes);
            assert!(width >= 900 && height >= 800, "{name} is {width}×{height}");
            assert!(distinct_colours(&pixels, channels) > 20, "{name}");
        } else {
            let text = String::from_utf8(bytes).unwrap();
            // Axes in plain words, not scenario keys.
            assert!(
                text.starts_with("<svg") && text.contains("system minder"),
                "{name}"
            );
            assert!(!text.contains("coordination.minder"), "{name}");
        }
    }
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<h1>Sweep: small</h1>"), "{html}");
    assert!(html.contains("Best and worst points"));
    assert!(
        html.contains("<strong>system minder</strong> (coordination.minder): off, on"),
        "{html}"
    );
    assert_eq!(html.matches("src=\"data:image/png;base64,").count(), 4);

    let drawn = read_all();
    let report = fs::read(out.join("report.html")).unwrap();
    fs::remove_dir_all(&plots).unwrap();
    fs::remove_file(out.join("report.html")).unwrap();
    fs::remove_file(out.join("runs.csv")).unwrap();
    assert_exit_code(
        &run_patchwork(scratch.path(), &["plot", "sw", "--quiet"]),
        0,
    );
    assert_eq!(read_all(), drawn, "redrawn from points.csv alone");
    assert_eq!(fs::read(out.join("report.html")).unwrap(), report);
    assert_exit_code(
        &run_patchwork(scratch.path(), &["plot", "sw", "--quiet"]),
        1,
    );
}
