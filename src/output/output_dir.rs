//! The directory a run's files go to, written safely.
//!
//! An existing non-empty directory is refused unless the user passed `--force`. Files are rendered
//! in memory first; `write_files` then writes the whole directory under a temporary name beside
//! the target (`output/.baseline.tmp-<pid>`, a `Staging`) and renames it into place at the end, so
//! that after a failure or a kill the target is either absent or complete, never a mixture. With
//! `force` over an existing directory the new one is written the same way, then swapped in: the
//! old one is renamed aside (`.baseline.old-<pid>`), the new one renamed in, the old one deleted.
//! A killed run's temporaries beside the target are removed by the next write
//! (`atomic::remove_stale_beside`), so they never block a plain rerun.
//!
//! Two exceptions write into the directory itself instead, each file under a temporary name then
//! renamed over its final name (`add_files`): adding files to a directory that holds other output
//! (a sweep's `report.html` and `plots/`), and a target that must not be swapped away because it
//! holds the working directory, is the home directory or holds a `.git` (`--out .`); there, with
//! `force`, files of the same names are replaced and other files are left alone.
//!
//! A file name may name one level of subdirectory (`plots/survival.png`): the subdirectory is
//! created when writing.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::output::ReportError;
use crate::output::atomic::{
    self, Temporary, aside_path, remove_stale_beside, temporary_path, write_temporary,
};

/// **Test only.** When set to a number `n`, `write_files` aborts the process (as a kill would)
/// right after writing its `n`th file, so that tests can check what a killed run leaves. Read
/// only here.
pub const FAULT_ABORT_VARIABLE: &str = "PATCHWORK_FAULT_ABORT_AFTER_FILES";

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

/// A directory being written under a temporary name beside its target. `commit` renames it into
/// place; dropped without a commit (an error, a panic), it is deleted.
#[derive(Debug)]
pub struct Staging {
    target: PathBuf,
    temporary: PathBuf,
    force: bool,
    /// Written inside the target and moved into it entry by entry (`must_stay_in_place`).
    in_place: bool,
    committed: bool,
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
        check(&self.path, self.force)
    }

    /// Writes every file into a new directory under a temporary name and renames it into place
    /// (see the module's documentation). The directory is checked again first (it may have
    /// changed during the run). Returns the final paths.
    pub fn write_files(&self, files: &[RenderedFile]) -> Result<Vec<PathBuf>, ReportError> {
        if must_stay_in_place(&self.path) {
            return self.add_files(files);
        }
        let staging = self.stage()?;
        let abort_after = std::env::var(FAULT_ABORT_VARIABLE)
            .ok()
            .and_then(|text| text.trim().parse::<usize>().ok());
        for (index, file) in files.iter().enumerate() {
            let path = staging.path().join(file.file_name);
            if let Some(subdirectory) = path.parent().filter(|parent| !parent.exists()) {
                fs::create_dir_all(subdirectory).map_err(|source| ReportError::CreateDir {
                    path: subdirectory.to_path_buf(),
                    source,
                })?;
            }
            write_and_sync(&path, &file.bytes)?;
            if abort_after == Some(index + 1) {
                std::process::abort();
            }
        }
        staging.commit()?;
        Ok(files
            .iter()
            .map(|file| self.path.join(file.file_name))
            .collect())
    }

    /// Starts writing the directory under a temporary name beside it (removing a killed run's
    /// temporaries first). The directory is checked again.
    pub fn stage(&self) -> Result<Staging, ReportError> {
        self.check()?;
        let in_place = must_stay_in_place(&self.path);
        let temporary = if in_place {
            temporary_path(&self.path.join("patchwork"))
        } else {
            remove_stale_beside(&self.path);
            temporary_path(&self.path)
        };
        if let Some(parent) = temporary
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
        {
            fs::create_dir_all(parent).map_err(|source| ReportError::CreateDir {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        if temporary.exists() {
            let _ = fs::remove_dir_all(&temporary);
        }
        fs::create_dir(&temporary).map_err(|source| ReportError::CreateDir {
            path: self.path.clone(),
            source,
        })?;
        Ok(Staging {
            target: self.path.clone(),
            temporary,
            force: self.force,
            in_place,
            committed: false,
        })
    }

    /// Writes the files into the directory itself, leaving its other files alone: each under a
    /// temporary name, then all renamed over their final names. On failure the temporary files
    /// (and the directory, if this call created it and it is still empty) are removed. Returns
    /// the final paths.
    pub fn add_files(&self, files: &[RenderedFile]) -> Result<Vec<PathBuf>, ReportError> {
        self.check()?;
        let created_directory = !self.path.exists();
        fs::create_dir_all(&self.path).map_err(|source| ReportError::CreateDir {
            path: self.path.clone(),
            source,
        })?;

        // Each file under its temporary name; those written are removed if a later one fails.
        let mut written: Vec<Temporary> = Vec::with_capacity(files.len());
        let mut created_subdirectories: Vec<PathBuf> = Vec::new();
        let all_written = files.iter().try_for_each(|file| {
            let final_path = self.path.join(file.file_name);
            if let Some(subdirectory) = final_path.parent().filter(|parent| !parent.exists()) {
                fs::create_dir_all(subdirectory).map_err(|source| ReportError::CreateDir {
                    path: subdirectory.to_path_buf(),
                    source,
                })?;
                created_subdirectories.push(subdirectory.to_path_buf());
            }
            let temporary =
                write_temporary(&final_path, atomic::bytes(&file.bytes)).map_err(|source| {
                    ReportError::Write {
                        path: temporary_path(&final_path),
                        source,
                    }
                })?;
            written.push(temporary);
            Ok(())
        });
        if let Err(error) = all_written {
            drop(written);
            self.clean_up(&created_subdirectories, created_directory);
            return Err(error);
        }

        let mut final_paths = Vec::with_capacity(files.len());
        let mut written = written.into_iter();
        for file in files {
            let final_path = self.path.join(file.file_name);
            let temporary = written.next().expect("one temporary per file");
            let from = temporary.path().to_path_buf();
            if let Err(source) = temporary.rename() {
                // The temporaries not yet renamed are removed as `written` is dropped.
                return Err(ReportError::Rename {
                    from,
                    to: final_path,
                    source,
                });
            }
            final_paths.push(final_path);
        }
        Ok(final_paths)
    }

    /// Best-effort removal after a failure; errors here would hide the one that matters.
    fn clean_up(&self, created_subdirectories: &[PathBuf], remove_directory: bool) {
        for subdirectory in created_subdirectories.iter().rev() {
            let _ = fs::remove_dir(subdirectory);
        }
        if remove_directory {
            let _ = fs::remove_dir(&self.path);
        }
    }
}

/// Checks that `path` does not exist, is an empty directory, or (with `force`) is a directory.
fn check(path: &Path, force: bool) -> Result<(), ReportError> {
    let metadata = match fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(ReportError::ReadDir {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    if !metadata.is_dir() {
        return Err(ReportError::OutputNotADirectory {
            path: path.to_path_buf(),
        });
    }
    if force || is_empty(path)? {
        Ok(())
    } else {
        Err(ReportError::OutputDirNotEmpty {
            path: path.to_path_buf(),
        })
    }
}

fn is_empty(path: &Path) -> Result<bool, ReportError> {
    let mut entries = fs::read_dir(path).map_err(|source| ReportError::ReadDir {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(entries.next().is_none())
}

/// Whether `path` is an existing directory that must never be renamed away: it holds the working
/// directory, is the home directory, or holds a `.git`.
fn must_stay_in_place(path: &Path) -> bool {
    let Ok(canonical) = fs::canonicalize(path) else {
        return false;
    };
    let holds_working_directory = std::env::current_dir()
        .and_then(fs::canonicalize)
        .is_ok_and(|working| working.starts_with(&canonical));
    let is_home = std::env::var_os("HOME")
        .and_then(|home| fs::canonicalize(home).ok())
        .is_some_and(|home| home == canonical);
    holds_working_directory || is_home || canonical.join(".git").exists()
}

impl Staging {
    /// The temporary directory to write into.
    pub fn path(&self) -> &Path {
        &self.temporary
    }

    /// The directory it becomes.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Renames the directory into place: over a missing or empty target directly; over a
    /// non-empty one (only with `force`) by moving the old one aside, renaming the new one in and
    /// deleting the old one.
    pub fn commit(mut self) -> Result<(), ReportError> {
        crate::output::atomic::sync_directory(&self.temporary);
        let rename = |from: &Path, to: &Path| {
            fs::rename(from, to).map_err(|source| ReportError::Rename {
                from: from.to_path_buf(),
                to: to.to_path_buf(),
                source,
            })
        };
        if self.in_place {
            return self.move_entries_in();
        }
        let occupied = self.target.exists() && !is_empty(&self.target)?;
        if !occupied {
            if let Err(error) = fs::rename(&self.temporary, &self.target) {
                // Filled while this one was being written.
                if self.target.exists() && !is_empty(&self.target)? {
                    if !self.force {
                        return Err(ReportError::OutputDirNotEmpty {
                            path: self.target.clone(),
                        });
                    }
                    return self.swap(rename);
                }
                return Err(ReportError::Rename {
                    from: self.temporary.clone(),
                    to: self.target.clone(),
                    source: error,
                });
            }
        } else if !self.force {
            return Err(ReportError::OutputDirNotEmpty {
                path: self.target.clone(),
            });
        } else {
            return self.swap(rename);
        }
        self.finish();
        Ok(())
    }

    fn swap(
        mut self,
        rename: impl Fn(&Path, &Path) -> Result<(), ReportError>,
    ) -> Result<(), ReportError> {
        check(&self.target, true)?;
        let aside = aside_path(&self.target);
        rename(&self.target, &aside)?;
        if let Err(error) = rename(&self.temporary, &self.target) {
            let _ = fs::rename(&aside, &self.target);
            return Err(error);
        }
        self.finish();
        let _ = fs::remove_dir_all(&aside);
        Ok(())
    }

    /// Moves each entry of the temporary directory into the target (replacing one of the same
    /// name), then removes the temporary directory.
    fn move_entries_in(mut self) -> Result<(), ReportError> {
        let read_error = |source| ReportError::ReadDir {
            path: self.temporary.clone(),
            source,
        };
        let mut occupied = false;
        for entry in fs::read_dir(&self.target).map_err(|source| ReportError::ReadDir {
            path: self.target.clone(),
            source,
        })? {
            occupied |= entry.is_ok_and(|entry| entry.path() != self.temporary);
        }
        if occupied && !self.force {
            return Err(ReportError::OutputDirNotEmpty {
                path: self.target.clone(),
            });
        }
        for entry in fs::read_dir(&self.temporary).map_err(read_error)? {
            let entry = entry.map_err(|source| ReportError::ReadDir {
                path: self.temporary.clone(),
                source,
            })?;
            let destination = self.target.join(entry.file_name());
            if destination.is_dir() && entry.path().is_dir() {
                let _ = fs::remove_dir_all(&destination);
            }
            fs::rename(entry.path(), &destination).map_err(|source| ReportError::Rename {
                from: entry.path(),
                to: destination.clone(),
                source,
            })?;
        }
        let _ = fs::remove_dir(&self.temporary);
        self.finish();
        Ok(())
    }

    fn finish(&mut self) {
        self.committed = true;
        if let Some(parent) = self.target.parent() {
            let parent = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            crate::output::atomic::sync_directory(parent);
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.temporary);
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
    use crate::output::test_support::names_in;

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

        // With force the directory is replaced whole: the new one is swapped in, the old one
        // (with whatever else it held) deleted, and nothing is left beside it.
        fs::write(scratch.path().join("keep.txt"), b"mine").unwrap();
        OutputDir::new(scratch.path(), true)
            .unwrap()
            .write_files(&files())
            .unwrap();
        assert_eq!(fs::read(scratch.path().join("a.csv")).unwrap(), b"x\n1\n");
        assert_eq!(names_in(scratch.path()), vec!["a.csv", "b.json"]);
        assert_eq!(
            names_in(scratch.path().parent().unwrap())
                .iter()
                .filter(|name| crate::output::atomic::is_temporary_name(name))
                .count(),
            0
        );
    }

    #[test]
    fn added_files_leave_the_others_alone() {
        let scratch = tempfile::tempdir().unwrap();
        fs::write(scratch.path().join("keep.txt"), b"mine").unwrap();
        OutputDir::new(scratch.path(), true)
            .unwrap()
            .add_files(&files())
            .unwrap();
        assert_eq!(
            names_in(scratch.path()),
            vec!["a.csv", "b.json", "keep.txt"]
        );
    }

    #[test]
    fn a_killed_runs_temporary_directory_is_removed_and_blocks_nothing() {
        let scratch = tempfile::tempdir().unwrap();
        let target = scratch.path().join("out");
        // What a run killed while writing leaves: a half-written directory under a dead
        // process's temporary name (no process id is this large).
        let stale = scratch.path().join(".out.tmp-4294967295");
        fs::create_dir(&stale).unwrap();
        fs::write(stale.join("a.csv"), b"half").unwrap();
        OutputDir::new(&target, false)
            .unwrap()
            .write_files(&files())
            .unwrap();
        assert_eq!(names_in(&target), vec!["a.csv", "b.json"]);
        assert_eq!(names_in(scratch.path()), vec!["out"]);
    }

    #[test]
    fn a_dropped_staging_leaves_nothing() {
        let scratch = tempfile::tempdir().unwrap();
        let target = scratch.path().join("out");
        let staging = OutputDir::new(&target, false).unwrap().stage().unwrap();
        fs::write(staging.path().join("a.csv"), b"x").unwrap();
        assert!(!target.exists());
        drop(staging);
        assert!(names_in(scratch.path()).is_empty());
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
