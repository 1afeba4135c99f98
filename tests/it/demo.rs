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

/// Each event is told once: the minder's leaving is the event's sentence, not also a departure;
/// the story ends with a summary in plain words.
#[test]
fn demo_tells_each_event_once_and_sums_up() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let run = run_patchwork(
        dir.path(),
        &["demo", "--weeks", "90", "--out", out.to_str().unwrap()],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let printed = String::from_utf8_lossy(&run.stdout);
    assert_eq!(printed.matches("minder withdrawn").count(), 2, "{printed}");
    assert_eq!(printed.matches("EVENT: minder withdrawn").count(), 1);
    // (The minder may also leave by ordinary turnover earlier; week 76 tells only the event.)
    let week_76 = printed
        .split("\n\n")
        .find(|week| week.starts_with("Week 76 "))
        .unwrap_or_else(|| panic!("no week 76 in {printed}"));
    assert!(week_76.contains("EVENT: minder withdrawn"), "{week_76}");
    assert!(!week_76.contains("the system minder left"), "{week_76}");
    let timeline = std::fs::read_to_string(out.join("timeline.md")).unwrap();
    assert_eq!(
        timeline.matches("minder withdrawn").count(),
        1,
        "{timeline}"
    );
    let week_76 = timeline.split("## Week 76 ").nth(1).unwrap();
    let week_76 = week_76.split("## Week").next().unwrap();
    assert!(!week_76.contains("the system minder left"), "{week_76}");
    let summary = printed
        .split("What happened in 90 weeks:")
        .nth(1)
        .unwrap_or_else(|| panic!("no summary in {printed}"));
    assert!(summary.contains("children started getting help, after a median wait of"));
    assert!(summary.contains("The event of week 76 (minder withdrawn)"));
    assert!(summary.contains("children were still waiting for help at the end of week 89"));
    // One run is one story: the summary ends with the command that weighs the event over
    // replicates, whole on a line of its own so that it can be copied.
    assert!(
        summary.contains("\n  patchwork compare scenarios/minder-leaves.toml --set-b 'event=[]'\n"),
        "{summary}"
    );
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
    // Side by side in two columns that fit a 100-column terminal, then the two summaries.
    let story = printed.split("\nwrote ").next().unwrap();
    assert!(story.lines().all(|line| line.chars().count() <= 100));
    assert!(printed.lines().filter(|line| line.contains(" | ")).count() > 40);
    assert!(printed.contains("What happened in 40 weeks, side by side:"));
    assert!(printed.contains("without the minder:"));
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
    // The files are written before the story is told, so a room that stops the story early (here
    // the demo is still printing, blocked on the full pipe) keeps them.
    assert!(out.join("timeline.md").exists() && out.join("demo.gif").exists());
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
