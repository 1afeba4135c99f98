//! The one integration-test binary (as ripgrep's `tests/integration`): each area of behaviour is
//! a module, and helpers shared between them live in `util`. To add an area, add a file next to
//! this one and a `mod` line below.

mod bounds;
mod calibrate;
mod calibration;
mod cli;
mod compare;
mod demo;
mod determinism;
mod init;
mod invariants;
mod layers;
mod long_jobs;
mod national_shards;
mod patterns;
mod plots;
mod posterior;
mod r_csv;
mod recovery;
mod robustness;
mod scenario_errors;
mod scenario_library;
mod sensitivity;
mod settling;
mod slurm;
mod sweep;
mod util;
