//! Everything written to disk. At the bottom, shared by every writer: `files` (every file name and
//! header), `check` (a file's rows, length and checksum), `csv` (the one CSV writer and `format_float`), `atomic` (written under a temporary
//! name, then renamed), `output_dir` (a whole directory written that way) and `error`. Above them
//! `plot` draws pictures from CSV bytes (it reads only those bottom modules), `export` renders a
//! run's and a comparison's CSV and JSON files, `html` the documents, and `demo` the story of a
//! narrated run as text. `template` writes `patchwork init`'s template scenario.

pub mod atomic;
pub mod check;
pub mod csv;
pub mod demo;
pub mod error;
pub mod export;
pub mod files;
pub mod html;
pub mod output_dir;
pub mod plot;
pub mod template;

pub use error::ReportError;
pub use output_dir::{OutputDir, RenderedFile, Staging};

#[cfg(test)]
pub(crate) mod test_support {
    //! Helpers for the tests of the writers.

    use std::path::Path;

    /// The names of a directory's entries, sorted.
    pub fn names_in(directory: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(directory)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}
