//! Measures of finished runs: pure functions of a `RunOutput`, no I/O.
//!
//! `km` estimates survival curves of censored waits, `stats` summarises a sample of replicate
//! values, and `measures` turns one run into the named measures of BRIEF section 4 (the columns
//! of `runs.csv`) and summarises them across replicates (the rows of `summary.csv`).

pub mod km;
pub mod measures;
pub mod stats;

pub use km::{Observation, SurvivalCurve};
pub use measures::{MeasureSummary, Measures, measures, summarise_measures};
pub use stats::Summary;
