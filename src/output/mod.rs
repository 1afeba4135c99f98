//! Everything written to disk. At the bottom, shared by every writer: `files` (every file name and
//! header), `csv` (the one CSV writer and `format_float`), `atomic` (written under a temporary
//! name, then renamed), `output_dir` (a whole directory written that way) and `error`. Above them
//! `plot` draws pictures from CSV bytes (it reads only those bottom modules), `export` renders a
//! run's and a comparison's CSV and JSON files, `html` the documents, and `demo` the story of a
//! narrated run as text. `template` writes `patchwork init`'s template scenario.

pub mod atomic;
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
