//! `patchwork init` end to end: the template it writes documents every key, passes `check` and
//! gives the built-in defaults; an existing file is kept unless `--force`.

use std::fs;

use patchwork_sim::scenario;

use crate::util::{assert_exit_code, file_names, run_patchwork, stderr_of, stdout_of, write_file};

#[test]
fn init_writes_a_template_that_checks_and_gives_the_defaults() {
    let scratch = tempfile::tempdir().unwrap();
    let output = run_patchwork(scratch.path(), &["init"]);
    assert_exit_code(&output, 0);
    assert_eq!(file_names(scratch.path()), ["scenario.toml"]);
    assert!(
        stdout_of(&output).starts_with("wrote scenario.toml: every key"),
        "{}",
        stdout_of(&output)
    );

    let text = fs::read_to_string(scratch.path().join("scenario.toml")).unwrap();
    assert!(text.starts_with("# A patchwork scenario, written by `patchwork init`"));
    for line in scenario::DEFAULTS_TOML.lines() {
        let renamed = line.starts_with("name = ") || line.starts_with("description = ");
        assert!(
            renamed || text.lines().any(|written| written == line),
            "the template lacks the defaults' line {line:?}"
        );
    }

    let check = run_patchwork(scratch.path(), &["check", "scenario.toml"]);
    assert_exit_code(&check, 0);
    assert!(stdout_of(&check).contains("name = \"scenario\""));

    let written = scenario::load(Some(&scratch.path().join("scenario.toml")), &[]).unwrap();
    let empty = write_file(scratch.path(), "empty.toml", "");
    let defaults = scenario::load(Some(&empty), &[]).unwrap();
    assert_eq!(written.params, defaults.params);
    assert_eq!(written.replicates, defaults.replicates);
    assert_eq!(written.seed, defaults.seed);
    assert_eq!(written.name, "scenario");
}

#[test]
fn init_takes_a_path_and_names_the_scenario_after_it() {
    let scratch = tempfile::tempdir().unwrap();
    fs::create_dir(scratch.path().join("mine")).unwrap();
    let output = run_patchwork(scratch.path(), &["init", "mine/team-6.toml"]);
    assert_exit_code(&output, 0);
    assert_eq!(file_names(&scratch.path().join("mine")), ["team-6.toml"]);
    let scenario =
        scenario::load(Some(&scratch.path().join("mine").join("team-6.toml")), &[]).unwrap();
    assert_eq!(scenario.name, "team-6");
}

#[test]
fn init_keeps_an_existing_file_unless_forced() {
    let scratch = tempfile::tempdir().unwrap();
    write_file(scratch.path(), "scenario.toml", "name = \"mine\"\n");

    let refused = run_patchwork(scratch.path(), &["init"]);
    assert_exit_code(&refused, 1);
    assert_eq!(
        stderr_of(&refused),
        "error: scenario.toml already exists (use --force to overwrite it)\n"
    );
    assert_eq!(stdout_of(&refused), "");
    assert_eq!(
        fs::read_to_string(scratch.path().join("scenario.toml")).unwrap(),
        "name = \"mine\"\n"
    );

    let forced = run_patchwork(scratch.path(), &["init", "--force"]);
    assert_exit_code(&forced, 0);
    let text = fs::read_to_string(scratch.path().join("scenario.toml")).unwrap();
    assert!(text.starts_with("# A patchwork scenario"));
    assert_eq!(
        file_names(scratch.path()),
        ["scenario.toml"],
        "no temporary file left"
    );
}

#[test]
fn init_refuses_a_directory_and_a_missing_folder() {
    let scratch = tempfile::tempdir().unwrap();
    fs::create_dir(scratch.path().join("folder.toml")).unwrap();
    let refused = run_patchwork(scratch.path(), &["init", "folder.toml", "--force"]);
    assert_exit_code(&refused, 1);
    assert_eq!(
        stderr_of(&refused),
        "error: folder.toml is a directory, not a scenario file\n"
    );

    let missing = run_patchwork(scratch.path(), &["init", "no-such-folder/s.toml"]);
    assert_exit_code(&missing, 1);
    assert!(
        stderr_of(&missing).starts_with("error: cannot write no-such-folder/s.toml: "),
        "{}",
        stderr_of(&missing)
    );
    assert_eq!(file_names(scratch.path()), ["folder.toml"]);
}
