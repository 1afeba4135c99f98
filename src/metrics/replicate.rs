//! `ReplicateResult`: one finished, measured replicate, as `batch::replicates` hands it to the
//! output files.

use crate::metrics::Measures;
use crate::model::RunOutput;

/// One finished replicate: its index, seed, full output (kept for `weekly.csv`) and measures.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicateResult {
    pub replicate: u32,
    pub seed: u64,
    pub output: RunOutput,
    pub measures: Measures,
}
