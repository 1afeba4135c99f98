//! Global sensitivity analysis: Sobol' indices from a Saltelli design and Morris elementary
//! effects, for any `Model`.
//!
//! The engine knows only the `Model` trait: a function from a point (the parameters' values, in
//! the order of the `ParameterSpace`) and a replicate seed to named outputs. The patchwork
//! simulation and the analytic test functions (`analytic`: Ishigami, Sobol's G-function) implement
//! it alike, so the tests that recover the analytic functions' known indices run the same code as
//! an analysis of the model. Pure: no I/O; every random number comes from a named `ChaCha8Rng`
//! stream of the analysis's seed, and points are evaluated with `par_iter` and collected in order,
//! so results do not depend on the thread count.
//!
//! - `space`: `Parameter`, `Distribution`, `ParameterSpace` (unit interval to value).
//! - `sobol_seq`: the Sobol' sequence (Joe–Kuo directions), optionally scrambled.
//! - `saltelli`: Saltelli (2010) sampling and the first-order, total and second-order estimators.
//! - `morris`: Morris (1991) trajectories and μ, μ*, σ (Campolongo et al. 2007).
//! - `bootstrap`: `Bootstrap`, `Estimate`: seeded bootstrap confidence intervals.
//! - `evaluate`: `evaluate_points`, `Evaluations`: a design's points through a `Model`.
//! - `analysis`: `sobol_analysis`, `morris_analysis`: sample, evaluate, estimate; `IndexRow`.

pub mod analysis;
pub mod analytic;
pub mod bootstrap;
pub mod error;
pub mod evaluate;
pub mod morris;
pub mod saltelli;
pub mod sobol_seq;
pub mod space;

pub use analysis::{IndexRow, MorrisAnalysis, SobolAnalysis, morris_analysis, sobol_analysis};
pub use bootstrap::{Bootstrap, CiMethod, Estimate};
pub use error::{EvaluationError, GsaError};
pub use evaluate::{Evaluations, evaluate_points};
pub use space::{Distribution, Parameter, ParameterSpace};

/// What an analysis varies the parameters of: named outputs as a function of a point and a seed.
///
/// `point` holds the parameters' values (not their unit-interval coordinates), in the order of
/// the analysis's `ParameterSpace`. A deterministic model ignores `replicate_seed`; a stochastic
/// one runs from it, and the engine passes the same seeds at every point (common random numbers).
/// `evaluate` must return one value per name of `outputs`, in that order.
pub trait Model: Sync {
    fn outputs(&self) -> Vec<String>;
    fn evaluate(&self, point: &[f64], replicate_seed: u64) -> Result<Vec<f64>, EvaluationError>;
}
