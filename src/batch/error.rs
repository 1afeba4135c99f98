//! Errors of a sweep, a merge or a national run, each naming the path it concerns.
//!
//! A bad sweep file is a `ScenarioError` (every problem located at its file, line and key); the
//! rest are about the output directory: an occupied one, a journal that belongs to another sweep,
//! shards that do not make one sweep, or an I/O failure.

use std::path::{Path, PathBuf};

use crate::output::ReportError;
use crate::scenario::ScenarioError;

/// Something stopped a sweep; the message says what is allowed.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),

    #[error(transparent)]
    Output(#[from] ReportError),

    #[error("cannot write {}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot resume the sweep in {}: {reason}", path.display())]
    Resume { path: PathBuf, reason: String },

    #[error(
        "{} is being written by {holder}; wait for it to finish (if that process is gone, remove {})",
        path.display(),
        lock.display()
    )]
    Locked {
        path: PathBuf,
        holder: String,
        lock: PathBuf,
    },

    /// A plain start in a directory a sweep (or sensitivity analysis) was interrupted in.
    #[error(
        "{} holds an unfinished run (it has a {}): carry it on with --resume, or start again \
         with --force",
        path.display(),
        crate::output::files::JOURNAL
    )]
    Unfinished { path: PathBuf },

    #[error("cannot resume: {} holds {what}, not {expected}", path.display())]
    NotResumable {
        path: PathBuf,
        what: String,
        expected: &'static str,
    },

    #[error(
        "interrupted by {}: the runs finished so far are saved in {}",
        signal.name(),
        path.display()
    )]
    Interrupted {
        signal: crate::batch::interrupt::Signal,
        path: PathBuf,
    },

    #[error("cannot merge: {reason}")]
    Merge { reason: String },

    #[error("cannot render {file_name}")]
    Render {
        file_name: &'static str,
        #[source]
        source: serde_json::Error,
    },
}

impl SweepError {
    pub(crate) fn write(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> SweepError {
        let path = path.into();
        move |source| SweepError::Write { path, source }
    }

    /// `Interrupted` if a signal has been received (`interrupt`).
    pub(crate) fn if_interrupted(path: &std::path::Path) -> Result<(), SweepError> {
        match crate::batch::interrupt::received() {
            Some(signal) => Err(SweepError::Interrupted {
                signal,
                path: path.to_path_buf(),
            }),
            None => Ok(()),
        }
    }

    pub(crate) fn read(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> SweepError {
        let path = path.into();
        move |source| SweepError::Read { path, source }
    }
}

/// Writes a file under a temporary name in the same directory, syncs it and renames it over
/// `path` (`atomic::write_atomically`), so `path` is never half written.
pub fn write_via_temporary(
    path: &Path,
    body: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<(), SweepError> {
    crate::output::atomic::write_atomically(path, body).map_err(SweepError::write(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_rendering_failure_is_not_called_a_merge() {
        let source = serde_json::from_str::<u8>("x").unwrap_err();
        let error = SweepError::Render {
            file_name: "metadata.json",
            source,
        };
        assert_eq!(error.to_string(), "cannot render metadata.json");
    }
}
