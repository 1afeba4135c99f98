//! Parameter sweeps: many points of a scenario, each run with replicates, in parallel, streamed to
//! disk, resumable after a kill and splittable into shards for a cluster.
//!
//! A sweep file is a scenario file (a `base`, or inline keys, over the defaults) with a `[sweep]`
//! table naming a design (`factorial`, `zip`, `lhs`), the replicates and the axes, each keyed by
//! the dotted path of a scenario key (`spec`). Loading checks every axis against the scenario's
//! keys and every value against its rules, with the same located messages as a scenario (`plan`).
//! `design` turns the axes into points; `plan` numbers the runs (`run = point × replicates +
//! replicate`, replicate `r` seeded by `replicate_seed(master, r)` at every point: common random
//! numbers) and cuts shards of whole points. `run` computes chunks of whole points on a rayon pool
//! (`engine`) and streams `runs.csv`, `points.csv`, `failures.csv` and `settling.csv` (whether each
//! point's weekly series settled, `settling`) in run order through
//! `output`, which journals each chunk so that `--resume` ends with the same bytes as a sweep never
//! interrupted. `merge` joins shards into the files of the whole sweep.

pub(crate) mod design;
pub(crate) mod merge;
pub(crate) mod output;
pub(crate) mod plan;
pub(crate) mod run;
pub mod settling;
mod spec;

pub use crate::batch::error::SweepError;
pub use merge::{MergeOutcome, NationalMergeOutcome, merge, merge_national};
pub use output::{FAILURES_CSV, JOURNAL, METADATA_JSON, POINTS_CSV, RUNS_CSV, SETTLING_CSV};
pub use plan::{Shard, Sweep, run_seed};
pub use run::{
    DryRun, FAULT_RUN_VARIABLE, SweepOptions, SweepOutcome, dry_run, job, round3, run_sweep,
};
pub use settling::SweepSettling;
pub use spec::{DesignKind, sweep_table_line};
