//! patchwork: an agent-based simulator of multi-professional collaboration around school clusters.
//!
//! Layers, each naming only the layers below it (ARCHITECTURE.md, "Layers"; `tests/it/layers.rs`
//! checks the `crate::` paths): `calendar` → `model` (pure weekly step) → `scenario` (TOML to
//! validated `Params`) → `metrics` (pure functions of finished runs, and the catalogue of
//! measures) → `estimate`, `posterior`, `gsa`, `abc` → `output` (file names, CSV, JSON, plots,
//! HTML, written safely) → `batch` (replicates, comparisons, sweeps, national runs) →
//! `sensitivity`, `calibrate`, `robustness`. The binary (`src/bin/patchwork/`) sits on top.

#![forbid(unsafe_code)]

pub mod abc;
pub mod batch;
pub mod calendar;
pub mod calibrate;
pub mod estimate;
pub mod gsa;
pub mod metrics;
pub mod model;
pub mod output;
pub mod posterior;
pub mod robustness;
pub mod scenario;
pub mod sensitivity;
