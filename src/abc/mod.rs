//! Approximate Bayesian computation by sequential Monte Carlo (ABC-SMC), pure (no I/O).
//!
//! The model is any `gsa::Model`: the same trait the sensitivity analysis runs, so calibration and
//! analysis see the model alike. Priors are a `gsa::ParameterSpace` (uniform, log-uniform or
//! triangular ranges); the data are `Target`s (an output's observed value and the scale its
//! deviation is measured in); the distance is the Euclidean norm of the scaled deviations.
//!
//! - `target.rs`: `Target`, `Targets` (the distance).
//! - `kernel.rs`: `Kernel`: the Gaussian perturbation kernel with twice the weighted covariance
//!   (Beaumont et al. 2009), by Cholesky factor.
//! - `smc.rs`: `AbcConfig`, `Smc` (a calibration driven a particle at a time, so it can be
//!   journaled and resumed), `abc_smc` (the same in memory), `Particle`, `Population`,
//!   `Generation`, `StopReason`: the populations, the adaptive tolerance schedule and the
//!   diagnostics (tolerance, acceptance rate, effective sample size per generation).

pub mod kernel;
pub mod smc;
pub mod target;

pub use smc::{AbcConfig, AbcResult, Generation, Particle, Population, Smc, StopReason, abc_smc};
pub use target::{Target, Targets};

use crate::gsa::EvaluationError;

/// Something stopped a calibration; the message says what is allowed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AbcError {
    #[error("calibration settings: {0}")]
    Config(String),

    #[error("target {output}: {reason}")]
    Target { output: String, reason: String },

    #[error("the model failed in generation {generation}, particle {particle}: {source}")]
    Evaluation {
        generation: usize,
        particle: usize,
        #[source]
        source: EvaluationError,
    },

    #[error(
        "no particle of the first generation gave a finite distance within {attempts} draws from the prior"
    )]
    NoPopulation { attempts: u64 },
}
