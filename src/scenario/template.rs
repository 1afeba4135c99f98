//! `patchwork init`: a commented template scenario, written without harming an existing file.
//!
//! The template is the built-in defaults file (`scenarios/defaults.toml`, every key with its
//! default, unit and source) under a short header saying how to use it, with `name` and
//! `description` made the new scenario's own. As written it loads to exactly the parameters of the
//! built-in defaults. `write_template` writes it under a temporary name beside the target and
//! renames it into place, so a failure never leaves a half-written file, and it replaces an
//! existing file only when forced.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::DEFAULTS_TOML;

/// The template could not be written; the message names the file.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("{} already exists (use --force to overwrite it)", path.display())]
    Exists { path: PathBuf },

    #[error("{} is a directory, not a scenario file", path.display())]
    IsADirectory { path: PathBuf },

    #[error("{:?} does not name a file", path.display().to_string())]
    NotAFile { path: PathBuf },

    #[error("cannot write {}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The name a template written to `path` gives its scenario: the file's stem when that is usable
/// as an output folder name (as `build` requires of `name`), otherwise `scenario`.
pub fn template_name(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    let unusable = stem.trim().is_empty()
        || stem == "."
        || stem == ".."
        || stem.contains(['/', '\\', '\u{fffd}'])
        || stem.chars().any(char::is_control);
    if unusable {
        "scenario".to_string()
    } else {
        stem
    }
}

/// The template scenario for a file at `path`: a header on using it, then every key of the
/// built-in defaults with its comment, `name` set to `template_name(path)`.
pub fn template(path: &Path) -> String {
    let file: String = path
        .display()
        .to_string()
        .chars()
        .map(|character| {
            if character.is_control() {
                '?'
            } else {
                character
            }
        })
        .collect();
    let header = format!(
        "# A patchwork scenario, written by `patchwork init` (patchwork {version}).
#
# Below is every key with its built-in default, unit and source. As it stands this file runs the
# built-in defaults (the ad hoc baseline cluster). To make it a scenario of your own:
# - set `name` (it names the output folder) and `description`, change the values you want, and
#   delete every key you do not change: a key left out takes its default, so the file then says
#   only what differs, and it picks up corrected defaults in later versions;
# - or start from another scenario: put `base = \"other.toml\"` (a path relative to this file) at
#   the top, next to `name`, and keep only the keys that differ from it;
# - a [[locality]] or [[event]] list replaces the defaults' (or the base's) list whole; the kinds
#   of event are listed at the end;
# - check the file (every problem is listed with its line), then run it:
#     patchwork check {file}
#     patchwork run {file}
#   and try a change without editing the file with `--set KEY=VALUE`.

",
        version = env!("CARGO_PKG_VERSION"),
    );
    let name = template_name(path);
    let mut body = String::with_capacity(DEFAULTS_TOML.len());
    let mut top_level = true;
    for line in DEFAULTS_TOML.lines() {
        top_level &= !line.trim_start().starts_with('[');
        if top_level && line.starts_with("name = ") {
            // `template_name` leaves no backslash or control character to escape.
            body.push_str(&format!("name = \"{}\"", name.replace('"', "\\\"")));
        } else if top_level && line.starts_with("description = ") {
            body.push_str("description = \"made by patchwork init from the built-in defaults\"");
        } else {
            body.push_str(line);
        }
        body.push('\n');
    }
    header + &body
}

/// Writes the template to `path`: refused if something is there already (a file, unless `force`;
/// a directory, always). Written to `.<file name>.tmp-<pid>` in the same directory, then renamed.
pub fn write_template(path: &Path, force: bool) -> Result<(), TemplateError> {
    if path.file_name().is_none() {
        return Err(TemplateError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    check_target(path, force)?;
    let temporary = crate::output::atomic::temporary_path(path);
    let write_error = |source| TemplateError::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Err(source) = write_and_sync(&temporary, template(path).as_bytes()) {
        let _ = fs::remove_file(&temporary);
        return Err(write_error(source));
    }
    // Checked again: a file may have appeared while this one was written.
    let renamed =
        check_target(path, force).and_then(|()| fs::rename(&temporary, path).map_err(write_error));
    if renamed.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    renamed
}

/// Whether `path` may be written: nothing there, or (with `force`) anything but a directory.
fn check_target(path: &Path, force: bool) -> Result<(), TemplateError> {
    match fs::symlink_metadata(path) {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(TemplateError::Write {
            path: path.to_path_buf(),
            source,
        }),
        Ok(metadata) if metadata.is_dir() => Err(TemplateError::IsADirectory {
            path: path.to_path_buf(),
        }),
        Ok(_) if force => Ok(()),
        Ok(_) => Err(TemplateError::Exists {
            path: path.to_path_buf(),
        }),
    }
}

fn write_and_sync(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = fs::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load;

    fn names_in(directory: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(directory)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn the_template_loads_to_the_built_in_defaults() {
        let scratch = tempfile::tempdir().unwrap();
        let path = scratch.path().join("mine.toml");
        write_template(&path, false).unwrap();
        let empty = scratch.path().join("empty.toml");
        fs::write(&empty, "").unwrap();
        let (written, defaults) = (
            load(Some(&path), &[]).unwrap(),
            load(Some(&empty), &[]).unwrap(),
        );
        assert_eq!(written.params, defaults.params);
        assert_eq!(
            (written.replicates, written.seed),
            (defaults.replicates, defaults.seed)
        );
        assert_eq!(written.name, "mine");
        let without_names = |mut table: toml::Table| {
            table.remove("name");
            table.remove("description");
            table
        };
        assert_eq!(
            without_names(written.resolved),
            without_names(defaults.resolved)
        );
    }

    #[test]
    fn the_template_is_the_defaults_file_under_a_header() {
        let text = template(Path::new("x.toml"));
        assert!(text.starts_with("# A patchwork scenario, written by `patchwork init`"));
        assert!(text.contains("\n#     patchwork check x.toml\n"));
        let changed: Vec<&str> = DEFAULTS_TOML
            .lines()
            .filter(|line| !text.lines().any(|written| written == *line))
            .collect();
        assert_eq!(
            changed,
            [
                "name = \"baseline\"",
                "description = \"ad hoc referral around one secondary and five primaries of average deprivation\""
            ]
        );
        assert!(text.contains("\nname = \"x\"\n"));
    }

    #[test]
    fn the_name_is_the_file_stem_when_usable() {
        assert_eq!(template_name(Path::new("dir/team-6.toml")), "team-6");
        assert_eq!(template_name(Path::new("say \"hi\".toml")), "say \"hi\"");
        assert_eq!(template_name(Path::new("a\tb.toml")), "scenario");
        assert_eq!(template_name(Path::new(" .toml")), "scenario");
        assert_eq!(template_name(Path::new("..")), "scenario");
        let scratch = tempfile::tempdir().unwrap();
        let path = scratch.path().join("say \"hi\".toml");
        write_template(&path, false).unwrap();
        assert_eq!(load(Some(&path), &[]).unwrap().name, "say \"hi\"");
    }

    #[test]
    fn an_existing_file_is_kept_unless_forced() {
        let scratch = tempfile::tempdir().unwrap();
        let path = scratch.path().join("scenario.toml");
        fs::write(&path, "mine").unwrap();
        let refused = write_template(&path, false).unwrap_err();
        assert!(matches!(refused, TemplateError::Exists { .. }));
        assert_eq!(
            refused.to_string(),
            format!(
                "{} already exists (use --force to overwrite it)",
                path.display()
            )
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), "mine");
        write_template(&path, true).unwrap();
        assert!(
            fs::read_to_string(&path)
                .unwrap()
                .starts_with("# A patchwork scenario")
        );
        assert_eq!(
            names_in(scratch.path()),
            ["scenario.toml"],
            "no temporary file left"
        );
    }

    #[test]
    fn directories_and_missing_folders_are_refused_and_leave_nothing() {
        let scratch = tempfile::tempdir().unwrap();
        let refused = write_template(scratch.path(), true).unwrap_err();
        assert!(
            matches!(refused, TemplateError::IsADirectory { .. }),
            "{refused}"
        );
        let missing = scratch.path().join("no-such-folder").join("s.toml");
        let refused = write_template(&missing, false).unwrap_err();
        assert!(matches!(refused, TemplateError::Write { .. }), "{refused}");
        assert!(refused.to_string().ends_with("s.toml"), "{refused}");
        assert!(names_in(scratch.path()).is_empty());
        assert!(matches!(
            write_template(Path::new(""), false).unwrap_err(),
            TemplateError::NotAFile { .. }
        ));
    }
}
