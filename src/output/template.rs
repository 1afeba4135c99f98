//! `patchwork init`: the template scenario (`scenario::template`) written without harming an
//! existing file: under a temporary name beside the target, then renamed into place
//! (`atomic::write_temporary`), so a failure never leaves a half-written file; an existing file is
//! replaced only when forced.

use std::fs;
use std::path::{Path, PathBuf};

use crate::output::atomic::{self, write_temporary};
use crate::scenario::template;

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

/// Writes the template to `path`: refused if something is there already (a file, unless `force`;
/// a directory, always). Written to `.<file name>.tmp-<pid>` in the same directory, then renamed.
pub fn write_template(path: &Path, force: bool) -> Result<(), TemplateError> {
    if path.file_name().is_none() {
        return Err(TemplateError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    check_target(path, force)?;
    let write_error = |source| TemplateError::Write {
        path: path.to_path_buf(),
        source,
    };
    let text = template(path);
    let written = write_temporary(path, atomic::bytes(text.as_bytes())).map_err(write_error)?;
    // Checked again: a file may have appeared while this one was written.
    check_target(path, force)?;
    written.rename().map_err(write_error)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::test_support::names_in;
    use crate::scenario::load;

    #[test]
    fn a_written_template_is_named_after_its_file() {
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
