//! Errors writing a run's output files, each naming the path it concerns.

use std::path::PathBuf;

/// Something went wrong writing output; the message names the path and says what is allowed.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("output directory {} already exists and is not empty (use --force to replace it)", path.display())]
    OutputDirNotEmpty { path: PathBuf },

    #[error("output path {} exists and is not a directory", path.display())]
    OutputNotADirectory { path: PathBuf },

    #[error("cannot read output directory {}", path.display())]
    ReadDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot create output directory {}", path.display())]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot write {}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot rename {} to {}", from.display(), to.display())]
    Rename {
        from: PathBuf,
        to: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot render {file_name}: {reason}")]
    Render {
        file_name: &'static str,
        reason: String,
    },
}
