//! Measures of finished runs: pure functions of a `RunOutput`, no I/O.
//!
//! `km` estimates survival curves of censored waits, `stats` summarises a sample of replicate
//! values, and `measures` turns one run into the named measures (docs/model.md, "Design concepts": observation) (the columns
//! of `runs.csv`) and summarises them across replicates (the rows of `summary.csv`). `paired`
//! compares two scenarios run on the same seeds, and `advantage` sets a scenario against the same
//! scenario with agencies in silos (net collaborative advantage). `settle` checks that a run's weekly
//! series have stopped drifting over the measured weeks, and `welch` suggests a warm-up by Welch's
//! method.
//! `replicate` holds one measured replicate. `catalogue` describes every measure as the tables and
//! reports show it. `variance_split` splits a paired difference's variance under `--posterior` into the part the
//! drawn parameters explain and the part the random draws leave.

pub mod advantage;
pub mod catalogue;
pub mod km;
pub mod measures;
pub mod paired;
pub mod replicate;
pub mod settle;
pub mod stats;
pub mod variance_split;
pub mod welch;

pub use advantage::{CollaborativeAdvantage, NoBreakEven, collaborative_advantage};
pub use km::{Observation, SurvivalCurve};
pub use measures::{
    MeasureSummary, Measures, measures, summarise_measures, waits_from_recognition,
};
pub use paired::{PairedDifference, PairedMeasure, compare_measures};
pub use replicate::ReplicateResult;
pub use settle::{SeriesSettling, Settling};
pub use stats::Summary;
pub use variance_split::{VarianceSplit, split_measures};
