//! patchwork: an agent-based simulator of multi-professional collaboration around school clusters.
//!
//! Data flows one way: `scenario` (TOML to validated `Params`) → `model` (pure weekly step) →
//! `metrics` (pure functions of a finished run) → `runner` (rayon over replicates) and `sweep`
//! (rayon over the runs of many points, streamed to disk) → `report` (CSV and JSON). The binary
//! (`main.rs`, `cli`) sits on top.

#![forbid(unsafe_code)]

pub mod abc;
pub mod calendar;
pub mod calibrate;
pub mod cli;
pub mod demo;
pub mod estimate;
pub mod gsa;
pub mod interrupt;
pub mod metrics;
pub mod model;
pub mod national;
pub mod plot;
pub mod posterior;
pub mod report;
pub mod robustness;
pub mod runner;
pub mod scenario;
pub mod sensitivity;
pub mod sweep;
pub mod temporary;
