//! The directory a run's files go to, written safely.
//!
//! An existing non-empty directory is refused unless the user passed `--force`. Files are rendered
//! in memory first; only then is each written to a temporary name in the same directory
//! (`.runs.csv.tmp-<pid>`) and, once every one has been written, renamed over its final name, so
//! a failure leaves no partial output and never a half-written file under a final name. With
//! `force`, files of the same names are replaced; other files in the directory are left alone.
//! A file name may name one level of subdirectory (`plots/survival.png`): the subdirectory is
//! created when writing, and its temporary files live in it.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::report::ReportError;

/// A checked output directory. Creating the value writes nothing.
#[derive(Debug, Clone)]
pub struct OutputDir {
    path: PathBuf,
    force: bool,
}

/// One rendered file: its name inside the directory and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    pub file_name: &'static str,
    pub bytes: Vec<u8>,
}

impl OutputDir {
    /// Checks that `path` can take a run's output: it does not exist, is an empty directory, or
    /// (with `force`) is any directory. Nothing is created yet, so a run that fails later leaves
    /// no trace.
    pub fn new(path: impl Into<PathBuf>, force: bool) -> Result<OutputDir, ReportError> {
        let output_dir = OutputDir {
            path: path.into(),
            force,
        };
        output_dir.check()?;
        Ok(output_dir)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn check(&self) -> Result<(), ReportError> {
        let metadata = match fs::metadata(&self.path) {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(source) => {
                return Err(ReportError::ReadDir {
                    path: self.path.clone(),
                    source,
                });
            }
        };
        if !metadata.is_dir() {
            return Err(ReportError::OutputNotADirectory {
                path: self.path.clone(),
            });
        }
        if self.force {
            return Ok(());
        }
        let mut entries = fs::read_dir(&self.path).map_err(|source| ReportError::ReadDir {
            path: self.path.clone(),
            source,
        })?;
        match entries.next() {
            None => Ok(()),
            Some(_) => Err(ReportError::OutputDirNotEmpty {
                path: self.path.clone(),
            }),
        }
    }

    /// Writes every file, all or nothing as far as the file system allows: the directory is
    /// checked again (it may have changed during the run) and created, each file written under a
    /// temporary name, then all renamed. On failure the temporary files (and the directory, if
    /// this call created it and it is still empty) are removed. Returns the final paths.
    pub fn write_files(&self, files: &[RenderedFile]) -> Result<Vec<PathBuf>, ReportError> {
        self.check()?;
        let created_directory = !self.path.exists();
        fs::create_dir_all(&self.path).map_err(|source| ReportError::CreateDir {
            path: self.path.clone(),
            source,
        })?;

        let mut temporary_paths: Vec<PathBuf> = Vec::with_capacity(files.len());
        let mut created_subdirectories: Vec<PathBuf> = Vec::new();
        let written = files.iter().try_for_each(|file| {
            let temporary_path = self.temporary_path(file.file_name);
            if let Some(subdirectory) = temporary_path.parent().filter(|parent| !parent.exists()) {
                fs::create_dir_all(subdirectory).map_err(|source| ReportError::CreateDir {
                    path: subdirectory.to_path_buf(),
                    source,
                })?;
                created_subdirectories.push(subdirectory.to_path_buf());
            }
            temporary_paths.push(temporary_path.clone());
            write_and_sync(&temporary_path, &file.bytes)
        });
        if let Err(error) = written {
            self.clean_up(&temporary_paths, &created_subdirectories, created_directory);
            return Err(error);
        }

        let mut final_paths = Vec::with_capacity(files.len());
        for (file, temporary_path) in files.iter().zip(&temporary_paths) {
            let final_path = self.path.join(file.file_name);
            if let Err(source) = fs::rename(temporary_path, &final_path) {
                self.clean_up(&temporary_paths, &[], false);
                return Err(ReportError::Rename {
                    from: temporary_path.clone(),
                    to: final_path,
                    source,
                });
            }
            final_paths.push(final_path);
        }
        Ok(final_paths)
    }

    /// `.<name>.tmp-<pid>` beside the file's final path (in its subdirectory, if it names one).
    fn temporary_path(&self, file_name: &str) -> PathBuf {
        crate::temporary::temporary_path(&self.path.join(file_name))
    }

    /// Best-effort removal after a failure; errors here would hide the one that matters.
    fn clean_up(
        &self,
        temporary_paths: &[PathBuf],
        created_subdirectories: &[PathBuf],
        remove_directory: bool,
    ) {
        for temporary_path in temporary_paths {
            let _ = fs::remove_file(temporary_path);
        }
        for subdirectory in created_subdirectories.iter().rev() {
            let _ = fs::remove_dir(subdirectory);
        }
        if remove_directory {
            let _ = fs::remove_dir(&self.path);
        }
    }
}

fn write_and_sync(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let to_error = |source| ReportError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut file = fs::File::create(path).map_err(to_error)?;
    file.write_all(bytes).map_err(to_error)?;
    file.sync_all().map_err(to_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Vec<RenderedFile> {
        vec![
            RenderedFile {
                file_name: "a.csv",
                bytes: b"x\n1\n".to_vec(),
            },
            RenderedFile {
                file_name: "b.json",
                bytes: b"{}".to_vec(),
            },
        ]
    }

    fn names_in(directory: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(directory)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_new_directory_is_created_only_when_writing() {
        let scratch = tempfile::tempdir().unwrap();
        let target = scratch.path().join("nested").join("out");
        let output_dir = OutputDir::new(&target, false).unwrap();
        assert!(!target.exists());
        let written = output_dir.write_files(&files()).unwrap();
        assert_eq!(written, vec![target.join("a.csv"), target.join("b.json")]);
        assert_eq!(names_in(&target), vec!["a.csv", "b.json"]);
        assert_eq!(fs::read(target.join("a.csv")).unwrap(), b"x\n1\n");
    }

    #[test]
    fn an_empty_existing_directory_is_accepted() {
        let scratch = tempfile::tempdir().unwrap();
        OutputDir::new(scratch.path(), false)
            .unwrap()
            .write_files(&files())
            .unwrap();
        assert_eq!(names_in(scratch.path()), vec!["a.csv", "b.json"]);
    }

    #[test]
    fn a_non_empty_directory_needs_force() {
        let scratch = tempfile::tempdir().unwrap();
        fs::write(scratch.path().join("a.csv"), b"old").unwrap();
        let refused = OutputDir::new(scratch.path(), false).unwrap_err();
        assert!(matches!(refused, ReportError::OutputDirNotEmpty { .. }));
        assert!(
            refused
                .to_string()
                .contains(&scratch.path().display().to_string())
        );
        assert_eq!(fs::read(scratch.path().join("a.csv")).unwrap(), b"old");

        fs::write(scratch.path().join("keep.txt"), b"mine").unwrap();
        OutputDir::new(scratch.path(), true)
            .unwrap()
            .write_files(&files())
            .unwrap();
        assert_eq!(fs::read(scratch.path().join("a.csv")).unwrap(), b"x\n1\n");
        assert_eq!(fs::read(scratch.path().join("keep.txt")).unwrap(), b"mine");
        assert_eq!(
            names_in(scratch.path()),
            vec!["a.csv", "b.json", "keep.txt"]
        );
    }

    #[test]
    fn a_directory_filled_during_the_run_is_refused_at_write_time() {
        let scratch = tempfile::tempdir().unwrap();
        let output_dir = OutputDir::new(scratch.path(), false).unwrap();
        fs::write(scratch.path().join("late.txt"), b"late").unwrap();
        assert!(output_dir.write_files(&files()).is_err());
        assert_eq!(names_in(scratch.path()), vec!["late.txt"]);
    }

    #[test]
    fn files_may_go_into_a_subdirectory() {
        let scratch = tempfile::tempdir().unwrap();
        let target = scratch.path().join("out");
        let mut with_plots = files();
        with_plots.push(RenderedFile {
            file_name: "plots/p.svg",
            bytes: b"<svg/>".to_vec(),
        });
        let written = OutputDir::new(&target, false)
            .unwrap()
            .write_files(&with_plots)
            .unwrap();
        assert_eq!(written[2], target.join("plots").join("p.svg"));
        assert_eq!(names_in(&target), vec!["a.csv", "b.json", "plots"]);
        assert_eq!(names_in(&target.join("plots")), vec!["p.svg"]);
        // Again with force: the subdirectory exists and its file is replaced.
        with_plots[2].bytes = b"<svg></svg>".to_vec();
        OutputDir::new(&target, true)
            .unwrap()
            .write_files(&with_plots)
            .unwrap();
        assert_eq!(
            fs::read(target.join("plots").join("p.svg")).unwrap(),
            b"<svg></svg>"
        );
        assert_eq!(names_in(&target.join("plots")), vec!["p.svg"]);
    }

    #[test]
    fn a_file_in_the_way_is_refused_even_with_force() {
        let scratch = tempfile::tempdir().unwrap();
        let file_path = scratch.path().join("out");
        fs::write(&file_path, b"not a directory").unwrap();
        let refused = OutputDir::new(&file_path, true).unwrap_err();
        assert!(matches!(refused, ReportError::OutputNotADirectory { .. }));
    }

    #[test]
    fn a_failed_write_leaves_no_files_behind() {
        let scratch = tempfile::tempdir().unwrap();
        let target = scratch.path().join("out");
        let output_dir = OutputDir::new(&target, false).unwrap();
        let mut bad_files = files();
        // A name with a NUL byte cannot be created on any platform.
        bad_files.push(RenderedFile {
            file_name: "plots/c\0.csv",
            bytes: Vec::new(),
        });
        let error = output_dir.write_files(&bad_files).unwrap_err();
        assert!(matches!(error, ReportError::Write { .. }), "{error}");
        assert!(
            !target.exists(),
            "the directory this call created is removed again"
        );
    }
}
