//! Errors of a sensitivity analysis: a parameter space or design that cannot be sampled, or a
//! model evaluation that failed. Messages are lowercase and say what is allowed.

/// Something stopped a sensitivity analysis before any index was computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GsaError {
    #[error("parameter {key}: {reason}")]
    Parameter { key: String, reason: String },

    #[error("parameter {key} is listed twice; each key may be varied once")]
    DuplicateKey { key: String },

    #[error("the parameter space is empty; list at least one parameter")]
    NoParameters,

    #[error("the design needs {needed} dimensions of the Sobol' sequence, which has {available}")]
    TooManyDimensions { needed: usize, available: usize },

    #[error("design: {0}")]
    Design(String),

    #[error("the model gave {found} outputs at point {point}, expected {expected}")]
    OutputCount {
        point: usize,
        expected: usize,
        found: usize,
    },

    #[error("the model failed at point {point}, replicate {replicate}: {source}")]
    Evaluation {
        point: usize,
        replicate: u64,
        #[source]
        source: EvaluationError,
    },
}

/// Why one evaluation of a `Model` failed (the model's own words).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct EvaluationError(pub String);
