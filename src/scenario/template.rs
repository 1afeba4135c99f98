//! `patchwork init`'s commented template scenario.
//!
//! The template is the built-in defaults file (`scenarios/defaults.toml`, every key with its
//! default, unit and source) under a short header saying how to use it, with `name` and
//! `description` made the new scenario's own. As written it loads to exactly the parameters of the
//! built-in defaults. `output::template::write_template` writes it.

use std::path::Path;

use super::DEFAULTS_TOML;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load;

    #[test]
    fn the_template_loads_to_the_built_in_defaults() {
        let scratch = tempfile::tempdir().unwrap();
        let path = scratch.path().join("mine.toml");
        std::fs::write(&path, template(&path)).unwrap();
        let empty = scratch.path().join("empty.toml");
        std::fs::write(&empty, "").unwrap();
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
    }
}
