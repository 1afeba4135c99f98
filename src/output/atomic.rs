//! Writing under a temporary name and renaming into place: the one writer of a single file
//! (`write_temporary` then `Temporary::rename`, or `write_atomically` for both), `sync_directory`,
//! and the one naming rule for files and directories written that way: `.<name>.tmp-<process id>` beside the final path (and `.<name>.old-<process id>` for a
//! directory moved aside while `--force` swaps a new one in). Every writer (`OutputDir`, a sweep's
//! `metadata.json`, `patchwork init`) names its temporaries with `temporary_path`, so
//! `--resume` can recognise and remove those a killed process left with `is_temporary_name`, and
//! the next write beside them removes a killed process's whole directories
//! (`remove_stale_beside`).

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// A file written and synced under its temporary name beside `target`, not yet renamed: removed
/// if dropped before `rename`.
#[derive(Debug)]
pub struct Temporary {
    temporary: PathBuf,
    target: PathBuf,
    renamed: bool,
}

/// Writes a file under `temporary_path(path)` through `body` and syncs it; `path` is untouched
/// until `Temporary::rename`. On failure nothing is left.
pub fn write_temporary(
    path: &Path,
    body: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> std::io::Result<Temporary> {
    let written = Temporary {
        temporary: temporary_path(path),
        target: path.to_path_buf(),
        renamed: false,
    };
    let mut writer = BufWriter::new(File::create(&written.temporary)?);
    body(&mut writer)?;
    let file = writer.into_inner().map_err(|error| error.into_error())?;
    file.sync_all()?;
    Ok(written)
}

impl Temporary {
    /// The temporary name it was written under.
    pub fn path(&self) -> &Path {
        &self.temporary
    }

    /// Renames the file over its target (replacing a file there); on failure it is removed.
    pub fn rename(mut self) -> std::io::Result<()> {
        fs::rename(&self.temporary, &self.target)?;
        self.renamed = true;
        Ok(())
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        if !self.renamed {
            let _ = fs::remove_file(&self.temporary);
        }
    }
}

/// Writes `path` through `body` under a temporary name, syncs it and renames it over `path`, so
/// `path` is never half written.
pub fn write_atomically(
    path: &Path,
    body: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    write_temporary(path, body)?.rename()
}

/// `bytes` as the body of `write_temporary` or `write_atomically`.
pub fn bytes(bytes: &[u8]) -> impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()> + '_ {
    move |out| out.write_all(bytes)
}

/// Syncs a directory's entries (new and renamed files) to disk where the platform allows it;
/// best effort, since a failure here loses nothing a kill could.
pub fn sync_directory(directory: &Path) {
    if let Ok(handle) = File::open(directory) {
        let _ = handle.sync_all();
    }
}

fn file_name_of(final_path: &Path) -> String {
    final_path
        .file_name()
        .map_or_else(String::new, |name| name.to_string_lossy().into_owned())
}

/// `.<file name>.tmp-<this process's id>` in the same directory as `final_path`.
pub fn temporary_path(final_path: &Path) -> PathBuf {
    let file_name = file_name_of(final_path);
    final_path.with_file_name(format!(".{file_name}.tmp-{}", std::process::id()))
}

/// `.<file name>.old-<this process's id>`: where `--force` moves a directory it replaces, until the
/// new one is in place and the old one deleted.
pub fn aside_path(final_path: &Path) -> PathBuf {
    let file_name = file_name_of(final_path);
    final_path.with_file_name(format!(".{file_name}.old-{}", std::process::id()))
}

/// The final name and the process id of a temporary (or set-aside) name.
fn owner(name: &str) -> Option<(&str, u32)> {
    let rest = name.strip_prefix('.')?;
    let (stem, pid) = rest
        .rsplit_once(".tmp-")
        .or_else(|| rest.rsplit_once(".old-"))?;
    if stem.is_empty() || pid.is_empty() || !pid.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    Some((stem, pid.parse().ok()?))
}

/// Whether `name` is a temporary of `temporary_path` or `aside_path` (of any process).
pub fn is_temporary_name(name: &str) -> bool {
    owner(name).is_some()
}

/// Whether process `pid` is running on this machine. Read from `/proc`; where there is no `/proc`
/// every process is taken to be alive, so nothing of a running process is ever removed.
pub fn process_is_alive(pid: u32) -> bool {
    if !Path::new("/proc/self").exists() {
        return true;
    }
    Path::new("/proc").join(pid.to_string()).exists()
}

/// Removes the temporaries and set-aside directories of `final_path` left beside it by processes
/// that are no longer running (a killed run), so they never pile up or block a rerun. Best effort:
/// what cannot be removed is left, and only names made by `temporary_path` and `aside_path` for
/// this very final name are touched.
pub fn remove_stale_beside(final_path: &Path) {
    let file_name = file_name_of(final_path);
    let parent = match final_path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((stem, pid)) = owner(&name) else {
            continue;
        };
        if stem != file_name || pid == std::process::id() || process_is_alive(pid) {
            continue;
        }
        let path = entry.path();
        let _ = if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporaries_are_named_beside_their_file_and_recognised() {
        let temporary = temporary_path(Path::new("out/plots/survival.png"));
        assert_eq!(temporary.parent(), Some(Path::new("out/plots")));
        let name = temporary
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert_eq!(name, format!(".survival.png.tmp-{}", std::process::id()));
        assert!(is_temporary_name(&name));
        assert!(is_temporary_name(".metadata.json.tmp-834"));
        assert!(is_temporary_name(".baseline.old-834"));
        for other in [
            ".keep.tmp-notapid",
            "runs.csv",
            ".tmp-12",
            ".x.tmp-",
            "a.tmp-3",
        ] {
            assert!(!is_temporary_name(other), "{other}");
        }
    }

    #[test]
    fn only_a_dead_processs_temporaries_of_the_same_name_are_removed() {
        let scratch = tempfile::tempdir().unwrap();
        let target = scratch.path().join("out");
        // No process has an id this large (Linux's limit is 2^22).
        let dead = scratch.path().join(".out.tmp-4294967295");
        let aside = scratch.path().join(".out.old-4294967295");
        let mine = temporary_path(&target);
        let other_name = scratch.path().join(".other.tmp-4294967295");
        for directory in [&dead, &aside, &mine, &other_name] {
            fs::create_dir(directory).unwrap();
            fs::write(directory.join("runs.csv"), b"x").unwrap();
        }
        remove_stale_beside(&target);
        if Path::new("/proc/self").exists() {
            assert!(!dead.exists());
            assert!(!aside.exists());
        }
        assert!(mine.exists(), "this process's own temporary stays");
        assert!(other_name.exists(), "another name's temporary stays");
    }
}
