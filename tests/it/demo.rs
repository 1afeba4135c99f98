//! `patchwork demo`: the narrated run writes its timeline, tells the minder's departure, compares
//! with the minder switched off, and keeps users' files safe.

use crate::util::run_patchwork;

#[test]
fn demo_writes_a_timeline_that_tells_the_minder_leaving() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let status = run_patchwork(
        dir.path(),
        &[
            "demo",
            "--quiet",
            "--weeks",
            "90",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let timeline = std::fs::read_to_string(out.join("timeline.md")).unwrap();
    assert!(timeline.contains("## Week"), "{timeline}");
    assert!(timeline.contains("noticed a pupil's need"));
    assert!(timeline.contains("the consultation team met"));
    // The built-in demo's minder leaves in week 76.
    assert!(timeline.contains("## Week 76") && timeline.contains("minder withdrawn"));
    assert!(timeline.contains("Children waiting for help:"));
}

#[test]
fn demo_compare_tells_both_runs_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let args = [
        "demo",
        "--compare",
        "--weeks",
        "40",
        "--speed",
        "0",
        "--out",
        out.to_str().unwrap(),
    ];
    let first = run_patchwork(dir.path(), &args);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let printed = String::from_utf8_lossy(&first.stdout);
    assert!(
        printed.contains("with the minder") && printed.contains("without"),
        "{printed}"
    );
    assert!(out.join("timeline-without-minder.md").exists());
    let before = std::fs::read(out.join("timeline.md")).unwrap();
    let again = run_patchwork(dir.path(), &args);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(std::fs::read(out.join("timeline.md")).unwrap(), before);
}

/// Narration only records: a narrated run is the same run (same episodes, same weekly counts).
#[test]
fn narration_does_not_change_the_run() {
    use patchwork_sim::model::{Simulation, simulate};
    let sets = vec![
        "coordination.mode=team".to_string(),
        "coordination.minder=true".to_string(),
    ];
    let scenario = patchwork_sim::scenario::load(None, &sets).unwrap();
    let plain = simulate(&scenario.params, 99);
    let mut narrated = Simulation::narrated(&scenario.params, 99);
    while narrated.step() {}
    let narrated = narrated.finish();
    assert!(!narrated.story.is_empty() && !narrated.network.is_empty());
    assert_eq!(plain.episodes, narrated.episodes);
    assert_eq!(
        format!("{:?}", plain.weeks),
        format!("{:?}", narrated.weeks)
    );
}

/// Recording the network at chosen weeks only records: the run is the same, and the frames are
/// those of a narrated run at the same weeks.
#[test]
fn network_weeks_record_the_narrated_frames_and_change_nothing() {
    use patchwork_sim::model::{Simulation, simulate};
    let sets = vec![
        "coordination.mode=team".to_string(),
        "coordination.minder=true".to_string(),
    ];
    let scenario = patchwork_sim::scenario::load(None, &sets).unwrap();
    let plain = simulate(&scenario.params, 7);
    let mut chosen = Simulation::with_network_weeks(&scenario.params, 7, &[150, 60, 60, 9_999]);
    while chosen.step() {}
    let chosen = chosen.finish();
    let mut narrated = Simulation::narrated(&scenario.params, 7);
    while narrated.step() {}
    let narrated = narrated.finish();
    let weeks: Vec<u32> = chosen.network.iter().map(|frame| frame.week).collect();
    assert_eq!(
        weeks,
        vec![60, 150],
        "sorted, once each, within the horizon"
    );
    for frame in &chosen.network {
        assert_eq!(frame, &narrated.network[frame.week as usize]);
    }
    assert!(chosen.story.is_empty());
    assert_eq!(plain.episodes, chosen.episodes);
    assert_eq!(format!("{:?}", plain.weeks), format!("{:?}", chosen.weeks));
}

/// A reader who stops reading (`patchwork demo | head`) stops the story, not the demo: the files
/// are still written and the exit status is 0. The story (about 87 KB) is longer than a pipe's
/// buffer (64 KB on Linux), so printing fails with a broken pipe once the reader has gone.
#[test]
fn a_reader_who_stops_reading_does_not_stop_the_demo() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let mut child = Command::new(crate::util::patchwork_binary())
        .args(["demo", "--speed", "0", "--out"])
        .arg(&out)
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the patchwork binary starts");
    let mut first_line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first_line)
        .unwrap();
    // The reader (and with it the pipe's only read end) is dropped here.
    assert!(first_line.starts_with("Week"), "{first_line}");
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(out.join("timeline.md").exists() && out.join("demo.gif").exists());
}
