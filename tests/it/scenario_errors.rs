//! Scenario files users get wrong: every problem is reported with its file, line, column and key.
//!
//! Each test writes a small scenario into a temporary directory and loads it through the library's
//! `scenario::load` (and, for a few, through `patchwork check`), then checks the exact lines of the
//! report. Also checks that the shipped baseline loads and that `base` and `--set` change the
//! parameters.

use std::path::{Path, PathBuf};
use std::process::Command;

use patchwork_sim::model::{ForumMode, Role};
use patchwork_sim::scenario::{self, Scenario, ScenarioError};

/// A temporary directory holding scenario files.
struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new() -> Self {
        Files {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("writable temporary directory");
        path
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

fn sets(sets: &[&str]) -> Vec<String> {
    sets.iter().map(|set| set.to_string()).collect()
}

fn load(path: &Path, overrides: &[&str]) -> Result<Scenario, ScenarioError> {
    scenario::load(Some(path), &sets(overrides))
}

/// The report's lines for a scenario that must fail.
fn problems(path: &Path, overrides: &[&str]) -> Vec<String> {
    match load(path, overrides) {
        Ok(_) => panic!("{} should not load", path.display()),
        Err(error) => error.to_string().lines().map(str::to_string).collect(),
    }
}

/// Loads one file named `x.toml` and returns its report with the directory removed from paths.
fn problems_of(text: &str) -> Vec<String> {
    let files = Files::new();
    let path = files.write("x.toml", text);
    let prefix = format!("{}/", files.path().display());
    problems(&path, &[])
        .into_iter()
        .map(|line| line.replace(&prefix, ""))
        .collect()
}

#[test]
fn an_unknown_key_is_named_with_a_suggestion() {
    assert_eq!(
        problems_of("[coordination]\nmode = \"team\"\nmeeting_intervel_weeks = 3\n"),
        [
            "x.toml:3:1: coordination.meeting_intervel_weeks: unknown key, did you mean \
             `coordination.meeting_interval_weeks`?"
        ]
    );
    assert_eq!(
        problems_of("[[locality]]\nprimary = 3\n"),
        ["x.toml:2:1: locality.0.primary: unknown key, did you mean `locality.0.primaries`?"]
    );
    assert_eq!(
        problems_of("[cordination]\nmode = \"team\"\n"),
        ["x.toml:1:2: cordination: unknown key, did you mean `coordination`?"]
    );
}

#[test]
fn a_wrong_type_says_what_is_allowed() {
    assert_eq!(
        problems_of("[[locality]]\ndeprivation = \"high\"\nprimaries = 2.5\nrural = \"no\"\n"),
        [
            "x.toml:2:15: locality.0.deprivation: must be a number from 0 to 1, found \"high\"",
            "x.toml:3:13: locality.0.primaries: must be a whole number of schools from 0 to 1000, found 2.5",
            "x.toml:4:9: locality.0.rural: must be true or false, found \"no\"",
        ]
    );
}

#[test]
fn a_probability_out_of_range_is_reported() {
    assert_eq!(
        problems_of("[demand.domains]\nsafeguarding = 1.2\n"),
        ["x.toml:2:16: demand.domains.safeguarding: must be a number from 0 to 1, found 1.2"]
    );
}

#[test]
fn a_negative_count_is_reported() {
    assert_eq!(
        problems_of("[[locality]]\nprimaries = -2\n"),
        [
            "x.toml:2:13: locality.0.primaries: must be a whole number of schools from 0 to 1000, found -2"
        ]
    );
}

#[test]
fn a_meeting_interval_of_zero_is_reported() {
    assert_eq!(
        problems_of("[coordination]\nmode = \"team\"\nmeeting_interval_weeks = 0\n"),
        [
            "x.toml:3:26: coordination.meeting_interval_weeks: must be a whole number of weeks from 1 to 5200, found 0"
        ]
    );
}

#[test]
fn the_warm_up_must_be_shorter_than_the_horizon() {
    assert_eq!(
        problems_of("[run]\nhorizon_weeks = 52\nwarmup_weeks = 52\n"),
        ["x.toml:3:16: run.warmup_weeks: must be shorter than run.horizon_weeks (52), found 52"]
    );
    // The warm-up comes from the defaults (260 weeks): blame the horizon the user wrote.
    assert_eq!(
        problems_of("[run]\nhorizon_weeks = 40\n"),
        ["x.toml:2:17: run.warmup_weeks: must be shorter than run.horizon_weeks (40), found 260"]
    );
}

#[test]
fn events_outside_the_run_are_reported() {
    assert_eq!(
        problems_of(
            "[[event]]\nweek = -1\nkind = \"minder_appointed\"\n\
             [[event]]\nweek = 416\nkind = \"minder_withdrawn\"\n\
             [[event]]\nweek = 415\nkind = \"forum_stopped\"\n"
        ),
        [
            "x.toml:2:8: event.0.week: must be a whole number of weeks from 0 to 415, found -1",
            "x.toml:5:8: event.1.week: must be a whole number of weeks from 0 to 415, found 416",
        ]
    );
}

#[test]
fn an_unknown_role_is_reported_with_a_suggestion() {
    assert_eq!(
        problems_of(
            "[[event]]\nweek = 60\nkind = \"leave\"\nrole = \"social_workers\"\ncount = 1\n\
             [turnover.roles.nurse]\nannual_rate = 0.2\n"
        ),
        [
            "x.toml:4:8: event.0.role: must be one of \"head\", \"senco\", \"pastoral_lead\", \
             \"social_worker\", \"early_help\", \"school_nurse\", \"speech_therapist\", \
             \"educational_psychologist\", \"mental_health\", \"home_school_link\", found \
             \"social_workers\" (did you mean \"social_worker\"?)",
            "x.toml:6:17: turnover.roles.nurse: unknown role; roles are head, senco, pastoral_lead, \
             social_worker, early_help, school_nurse, speech_therapist, educational_psychologist, \
             mental_health, home_school_link",
        ]
    );
}

#[test]
fn an_unknown_event_kind_is_reported() {
    assert_eq!(
        problems_of("[[event]]\nweek = 60\nkind = \"restructur\"\n"),
        [
            "x.toml:3:8: event.0.kind: must be one of \"restructure\", \"leave\", \"threshold\", \
             \"post_cut\", \"post_added\", \"minder_appointed\", \"minder_withdrawn\", \
             \"forum_started\", \"forum_stopped\", found \"restructur\" (did you mean \"restructure\"?)"
        ]
    );
}

#[test]
fn a_missing_base_file_names_the_base_key() {
    assert_eq!(
        problems_of("name = \"x\"\nbase = \"nowhere.toml\"\n"),
        [
            "x.toml:2:1: base: must name a scenario file that can be read, found \"nowhere.toml\" \
             (nowhere.toml: no such file or directory)"
        ]
    );
}

#[test]
fn a_cycle_of_bases_names_the_base_key_that_closes_it() {
    let files = Files::new();
    let a = files.write("a.toml", "base = \"b.toml\"\n");
    files.write("b.toml", "# b\nbase = \"a.toml\"\n");
    let dir = files.path().display().to_string();
    assert_eq!(
        problems(&a, &[]),
        [format!(
            "{dir}/b.toml:2:1: base: bases must not form a cycle, found {dir}/a.toml → {dir}/b.toml → {dir}/a.toml"
        )]
    );
    let itself = files.write("self.toml", "base = \"self.toml\"\n");
    assert_eq!(
        problems(&itself, &[]),
        [format!(
            "{dir}/self.toml:1:1: base: bases must not form a cycle, found {dir}/self.toml → {dir}/self.toml"
        )]
    );
}

#[test]
fn a_problem_in_a_base_names_the_base_file() {
    let files = Files::new();
    files.write("common.toml", "[coordination]\nmode = \"teem\"\n");
    let top = files.write(
        "top.toml",
        "base = \"common.toml\"\n[coordination]\nminder = true\n",
    );
    let dir = files.path().display().to_string();
    assert_eq!(
        problems(&top, &[]),
        [format!(
            "{dir}/common.toml:2:8: coordination.mode: must be one of \"adhoc\", \"team\", \"network\", \
             found \"teem\" (did you mean \"team\"?)"
        )]
    );
}

#[test]
fn several_problems_are_all_listed_in_file_order() {
    let lines = problems_of(
        "nmae = \"x\"\n\
         [run]\nhorizon_weeks = 100\nwarmup_weeks = 120\nreplicates = 0\n\
         [coordination]\nmode = \"teams\"\nmeeting_interval_weeks = 0\n\
         [[locality]]\nprimaries = -1\nsocial_care_teams = 0\n\
         [[event]]\nweek = 100\nkind = \"leave\"\nwho = \"any\"\nshare = 0.1\nlocality = 2\n",
    );
    assert_eq!(
        lines,
        [
            "x.toml:1:1: nmae: unknown key, did you mean `name`?",
            "x.toml:4:16: run.warmup_weeks: must be shorter than run.horizon_weeks (100), found 120",
            "x.toml:5:14: run.replicates: must be a whole number from 1 to 10000, found 0",
            "x.toml:7:8: coordination.mode: must be one of \"adhoc\", \"team\", \"network\", found \
             \"teams\" (did you mean \"team\"?)",
            "x.toml:8:26: coordination.meeting_interval_weeks: must be a whole number of weeks from \
             1 to 5200, found 0",
            "x.toml:10:13: locality.0.primaries: must be a whole number of schools from 0 to 1000, found -1",
            "x.toml:11:21: locality.0.social_care_teams: must be a whole number of teams from 1 to 100, \
             found 0",
            "x.toml:13:8: event.0.week: must be a whole number of weeks from 0 to 99, found 100",
            "x.toml:17:12: event.0.locality: must be 0, the index of the only [[locality]] entry, found 2",
        ]
    );
}

#[test]
fn a_syntax_error_names_its_line() {
    assert_eq!(
        problems_of("[run]\nhorizon_weeks = \n"),
        ["x.toml:2:17: not valid toml: string values must be quoted, expected literal string"]
    );
}

#[test]
fn a_bad_set_is_reported_as_coming_from_set() {
    let files = Files::new();
    let path = files.write("x.toml", "");
    assert_eq!(
        problems(
            &path,
            &[
                "coordination.meeting_interval_weeks=0",
                "coordination.moed=team"
            ]
        ),
        [
            "--set: coordination.meeting_interval_weeks: must be a whole number of weeks from 1 to 5200, found 0",
            "--set: coordination.moed: unknown key, did you mean `coordination.mode`?",
        ]
    );
}

#[test]
fn a_missing_scenario_file_is_reported() {
    let files = Files::new();
    let path = files.path().join("absent.toml");
    assert_eq!(
        problems(&path, &[]),
        [format!(
            "{}: cannot read the scenario file: no such file or directory",
            path.display()
        )]
    );
}

fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

#[test]
fn the_shipped_baseline_loads_and_matches_the_built_in_one() {
    let from_file = load(&shipped("baseline.toml"), &[]).expect("scenarios/baseline.toml loads");
    let built_in = scenario::load(None, &[]).expect("the built-in baseline loads");
    assert_eq!(from_file.params, built_in.params);
    assert_eq!(from_file.name, "baseline");
    assert_eq!(from_file.params.localities[0].primaries, 5);
    assert_eq!(from_file.params.localities[0].secondaries, 1);
    assert_eq!(from_file.params.coordination.mode, ForumMode::AdHoc);
}

#[test]
fn every_shipped_scenario_loads() {
    for entry in std::fs::read_dir(shipped("")).expect("scenarios/") {
        let path = entry.expect("a directory entry").path();
        let is_toml = path
            .extension()
            .is_some_and(|extension| extension == "toml");
        if !is_toml {
            continue;
        }
        // A sweep file is a scenario with a [sweep] table: it loads as a sweep.
        let text = std::fs::read_to_string(&path).expect("a readable scenario file");
        let loaded = if path
            .file_name()
            .is_some_and(|name| name == "robustness.toml" || name == "robustness-ends.toml")
        {
            // Not scenarios: `patchwork robustness`'s default file and its ends design.
            patchwork_sim::robustness::load(&path)
                .map(|_| ())
                .map_err(|e| e.to_string())
        } else if text.lines().any(|line| line.trim() == "[sweep]") {
            patchwork_sim::batch::sweep::Sweep::load(Some(&path), &[])
                .map(|_| ())
                .map_err(|e| e.to_string())
        } else {
            load(&path, &[]).map(|_| ()).map_err(|e| e.to_string())
        };
        if let Err(error) = loaded {
            panic!("{} does not load:\n{error}", path.display());
        }
    }
}

#[test]
fn a_base_is_inherited_and_overridden() {
    let files = Files::new();
    files.write(
        "team.toml",
        "name = \"team\"\n[coordination]\nmode = \"team\"\nmeeting_interval_weeks = 6\n",
    );
    let top = files.write(
        "team_minder.toml",
        "base = \"team.toml\"\n[coordination]\nminder = true\n",
    );
    let scenario = load(&top, &[]).expect("loads");
    let coordination = &scenario.params.coordination;
    assert_eq!(coordination.mode, ForumMode::Team);
    assert_eq!(coordination.meeting_interval_weeks, 6);
    assert!(coordination.minder);
    // Not named in the top file: named after it, not after its base.
    assert_eq!(scenario.name, "team_minder");
    assert!(!scenario.resolved.contains_key("base"));
}

#[test]
fn bases_chain_relative_to_the_including_file() {
    let files = Files::new();
    std::fs::create_dir(files.path().join("common")).unwrap();
    files.write("common/root.toml", "[run]\nreplicates = 3\n");
    files.write(
        "common/middle.toml",
        "base = \"root.toml\"\n[run]\nseed = 7\n",
    );
    let top = files.write(
        "top.toml",
        "base = \"common/middle.toml\"\n[[locality]]\nprimaries = 2\n",
    );
    let scenario = load(&top, &[]).expect("loads");
    assert_eq!((scenario.replicates, scenario.seed), (3, 7));
    assert_eq!(scenario.params.localities[0].primaries, 2);
}

#[test]
fn sets_change_the_params() {
    let scenario = load(
        &shipped("baseline.toml"),
        &[
            "coordination.mode=team",
            "coordination.meeting_interval_weeks=3",
            "locality.0.primaries=3",
            "turnover.roles.social_worker.annual_rate=0.25",
            "run.seed=42",
        ],
    )
    .expect("loads");
    let params = &scenario.params;
    assert_eq!(params.coordination.mode, ForumMode::Team);
    assert_eq!(params.coordination.meeting_interval_weeks, 3);
    assert_eq!(params.localities[0].primaries, 3);
    assert_eq!(params.role(Role::SocialWorker).annual_turnover, 0.25);
    assert_eq!(scenario.seed, 42);
    assert_eq!(
        scenario.resolved["coordination"]["meeting_interval_weeks"].as_integer(),
        Some(3)
    );
}

fn patchwork_check(dir: &Path, arguments: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_patchwork"))
        .arg("check")
        .args(arguments)
        .current_dir(dir)
        .output()
        .expect("the patchwork binary runs")
}

#[test]
fn check_fails_with_status_1_naming_file_line_and_key() {
    let files = Files::new();
    files.write(
        "bad.toml",
        "[coordination]\nmode = \"team\"\nmeeting_interval_weeks = 0\ncolour = 1\n",
    );
    let output = patchwork_check(files.path(), &["bad.toml"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "bad.toml:3:26: coordination.meeting_interval_weeks: must be a whole number of weeks from \
             1 to 5200, found 0"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("bad.toml:4:1: coordination.colour: unknown key"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn check_prints_the_resolved_scenario() {
    let files = Files::new();
    files.write("good.toml", "[coordination]\nmode = \"team\"\n");
    let output = patchwork_check(
        files.path(),
        &["good.toml", "--set", "locality.0.primaries=3"],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed: toml::Table =
        toml::from_str(&String::from_utf8_lossy(&output.stdout)).expect("toml");
    assert_eq!(printed["coordination"]["mode"].as_str(), Some("team"));
    assert_eq!(printed["locality"][0]["primaries"].as_integer(), Some(3));
    assert_eq!(
        printed["locality"][0]["secondary_pupils"].as_integer(),
        Some(1050)
    );
}
