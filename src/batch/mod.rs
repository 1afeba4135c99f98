//! Many runs at once: replicates of one scenario (`replicates`), two scenarios on common random
//! numbers (`compare`), the chunked pool every long job shares (`engine`), parameter sweeps
//! (`sweep`) and national runs (`national`), their errors (`error`: `SweepError`), and the Ctrl-C and SIGTERM flag their chunk loops
//! read (`interrupt`). Above `output`, which writes what they compute; below the binary.

pub mod compare;
pub mod demo;
pub mod engine;
pub mod error;
pub mod interrupt;
pub mod national;
pub mod replicates;
pub mod shard;
pub mod sweep;
