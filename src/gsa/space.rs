//! The parameters an analysis varies: a dotted scenario key, a range and a distribution, and the
//! map from the unit interval to the parameter's value (the inverse of its distribution function).
//!
//! Every design (Saltelli, Morris, the priors of `abc`) is drawn in the unit hypercube and mapped
//! coordinate by coordinate through `Parameter::from_unit`, so a design's balance in the unit cube
//! becomes balance in probability under each parameter's distribution. Parameters are validated
//! when they are built (`Parameter::new`, `ParameterSpace::new`); after that the maps cannot fail.

use std::collections::BTreeSet;

use super::error::GsaError;

/// How a parameter's values are spread over its range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Distribution {
    /// Every value in `[low, high]` equally likely.
    Uniform,
    /// The logarithm uniform on `[ln low, ln high]`; needs `low > 0`.
    LogUniform,
    /// A triangle on `[low, high]` peaking at `mode`.
    Triangular { mode: f64 },
}

impl Distribution {
    /// The name used in files: `uniform`, `log-uniform`, `triangular`.
    pub fn name(&self) -> &'static str {
        match self {
            Distribution::Uniform => "uniform",
            Distribution::LogUniform => "log-uniform",
            Distribution::Triangular { .. } => "triangular",
        }
    }
}

/// One varied parameter. Built only by `Parameter::new`, which checks the range.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    key: String,
    low: f64,
    high: f64,
    distribution: Distribution,
}

impl Parameter {
    /// A parameter over `[low, high]`: finite bounds with `low < high`; a log-uniform one needs
    /// `low > 0`; a triangular one needs `low <= mode <= high`.
    pub fn new(
        key: impl Into<String>,
        low: f64,
        high: f64,
        distribution: Distribution,
    ) -> Result<Parameter, GsaError> {
        let key = key.into();
        let fail = |reason: String| GsaError::Parameter {
            key: key.clone(),
            reason,
        };
        if !low.is_finite() || !high.is_finite() {
            return Err(fail(format!(
                "low and high must be finite numbers, found {low} and {high}"
            )));
        }
        if low >= high {
            return Err(fail(format!(
                "low must be below high, found {low} >= {high}"
            )));
        }
        match distribution {
            Distribution::Uniform => {}
            Distribution::LogUniform => {
                if low <= 0.0 {
                    return Err(fail(format!(
                        "a log-uniform range must be positive, found low = {low}"
                    )));
                }
            }
            Distribution::Triangular { mode } => {
                if !(low..=high).contains(&mode) {
                    return Err(fail(format!(
                        "a triangular mode must lie in [{low}, {high}], found {mode}"
                    )));
                }
            }
        }
        Ok(Parameter {
            key,
            low,
            high,
            distribution,
        })
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn low(&self) -> f64 {
        self.low
    }

    pub fn high(&self) -> f64 {
        self.high
    }

    pub fn distribution(&self) -> Distribution {
        self.distribution
    }

    /// The value at probability `u` (clamped to `[0, 1]`): the inverse distribution function.
    /// The ends of the unit interval map exactly to the ends of the range.
    pub fn from_unit(&self, u: f64) -> f64 {
        let (low, high) = (self.low, self.high);
        if u <= 0.0 {
            return low;
        }
        if u >= 1.0 {
            return high;
        }
        let value = match self.distribution {
            Distribution::Uniform => low + u * (high - low),
            Distribution::LogUniform => (low.ln() + u * (high.ln() - low.ln())).exp(),
            Distribution::Triangular { mode } => {
                let width = high - low;
                let peak = (mode - low) / width;
                if u < peak {
                    low + (u * width * (mode - low)).sqrt()
                } else {
                    high - ((1.0 - u) * width * (high - mode)).sqrt()
                }
            }
        };
        value.clamp(low, high)
    }

    /// The probability of a value at or below `x`: the distribution function.
    pub fn to_unit(&self, x: f64) -> f64 {
        let (low, high) = (self.low, self.high);
        if x <= low {
            return 0.0;
        }
        if x >= high {
            return 1.0;
        }
        match self.distribution {
            Distribution::Uniform => (x - low) / (high - low),
            Distribution::LogUniform => (x.ln() - low.ln()) / (high.ln() - low.ln()),
            Distribution::Triangular { mode } => {
                let width = high - low;
                if x <= mode {
                    (x - low).powi(2) / (width * (mode - low))
                } else {
                    1.0 - (high - x).powi(2) / (width * (high - mode))
                }
            }
        }
    }

    /// The probability density at `x` (zero outside the range), for importance weights.
    pub fn density(&self, x: f64) -> f64 {
        let (low, high) = (self.low, self.high);
        if !(low..=high).contains(&x) {
            return 0.0;
        }
        match self.distribution {
            Distribution::Uniform => 1.0 / (high - low),
            Distribution::LogUniform => 1.0 / (x * (high.ln() - low.ln())),
            Distribution::Triangular { mode } => {
                let width = high - low;
                if x < mode {
                    2.0 * (x - low) / (width * (mode - low))
                } else if x > mode {
                    2.0 * (high - x) / (width * (high - mode))
                } else {
                    2.0 / width
                }
            }
        }
    }
}

/// The parameters of one analysis, in the order they were listed (which is the order of every
/// design's columns and of every output row).
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterSpace {
    parameters: Vec<Parameter>,
}

impl ParameterSpace {
    /// At least one parameter, no key twice.
    pub fn new(parameters: Vec<Parameter>) -> Result<ParameterSpace, GsaError> {
        if parameters.is_empty() {
            return Err(GsaError::NoParameters);
        }
        let mut seen = BTreeSet::new();
        for parameter in &parameters {
            if !seen.insert(parameter.key.as_str()) {
                return Err(GsaError::DuplicateKey {
                    key: parameter.key.clone(),
                });
            }
        }
        Ok(ParameterSpace { parameters })
    }

    pub fn parameters(&self) -> &[Parameter] {
        &self.parameters
    }

    /// The number of parameters.
    pub fn dimension(&self) -> usize {
        self.parameters.len()
    }

    /// The parameters' values at a point of the unit hypercube.
    pub fn from_unit(&self, unit: &[f64]) -> Vec<f64> {
        debug_assert_eq!(unit.len(), self.parameters.len());
        self.parameters
            .iter()
            .zip(unit)
            .map(|(parameter, &u)| parameter.from_unit(u))
            .collect()
    }

    /// The joint prior density of independent parameters at `values`.
    pub fn density(&self, values: &[f64]) -> f64 {
        self.parameters
            .iter()
            .zip(values)
            .map(|(parameter, &x)| parameter.density(x))
            .product()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approx(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    #[test]
    fn ranges_are_validated() {
        assert!(Parameter::new("a", 1.0, 1.0, Distribution::Uniform).is_err());
        assert!(Parameter::new("a", 2.0, 1.0, Distribution::Uniform).is_err());
        assert!(Parameter::new("a", f64::NAN, 1.0, Distribution::Uniform).is_err());
        assert!(Parameter::new("a", 0.0, 1.0, Distribution::LogUniform).is_err());
        assert!(Parameter::new("a", -1.0, 1.0, Distribution::LogUniform).is_err());
        assert!(Parameter::new("a", 0.0, 1.0, Distribution::Triangular { mode: 1.5 }).is_err());
        assert!(Parameter::new("a", 0.1, 1.0, Distribution::LogUniform).is_ok());
        assert!(Parameter::new("a", 0.0, 1.0, Distribution::Triangular { mode: 0.0 }).is_ok());
        let a = Parameter::new("a", 0.0, 1.0, Distribution::Uniform).unwrap();
        assert_eq!(
            ParameterSpace::new(vec![a.clone(), a]),
            Err(GsaError::DuplicateKey { key: "a".into() })
        );
        assert_eq!(ParameterSpace::new(vec![]), Err(GsaError::NoParameters));
    }

    // The inverse distribution function and the distribution function undo each other, and the
    // ends of the unit interval map to the ends of the range, for each distribution.
    #[test]
    fn from_unit_inverts_to_unit() {
        let parameters = [
            Parameter::new("u", -2.0, 3.0, Distribution::Uniform).unwrap(),
            Parameter::new("l", 0.01, 100.0, Distribution::LogUniform).unwrap(),
            Parameter::new("t", 1.0, 5.0, Distribution::Triangular { mode: 2.0 }).unwrap(),
            Parameter::new("t0", 1.0, 5.0, Distribution::Triangular { mode: 1.0 }).unwrap(),
        ];
        for parameter in &parameters {
            assert_eq!(parameter.from_unit(0.0), parameter.low());
            assert_eq!(parameter.from_unit(1.0), parameter.high());
            for k in 0..=100 {
                let u = f64::from(k) / 100.0;
                let x = parameter.from_unit(u);
                assert!(
                    approx(parameter.to_unit(x), u, 1e-9),
                    "{} at {u}",
                    parameter.key()
                );
            }
        }
        // Log-uniform: the geometric midpoint at one half.
        assert!(approx(parameters[1].from_unit(0.5), 1.0, 1e-12));
        // Triangular on [1, 5] with mode 2: a quarter of the mass below the mode.
        assert!(approx(parameters[2].from_unit(0.25), 2.0, 1e-12));
    }

    // Each density integrates to one over its range (midpoint rule, 10^5 cells; the tolerance
    // covers the rule's error at the triangle's kink and the log-uniform's curvature).
    #[test]
    fn densities_integrate_to_one() {
        let parameters = [
            Parameter::new("u", -2.0, 3.0, Distribution::Uniform).unwrap(),
            Parameter::new("l", 0.5, 8.0, Distribution::LogUniform).unwrap(),
            Parameter::new("t", 1.0, 5.0, Distribution::Triangular { mode: 2.0 }).unwrap(),
        ];
        for parameter in &parameters {
            let cells = 100_000;
            let width = (parameter.high() - parameter.low()) / f64::from(cells);
            let total: f64 = (0..cells)
                .map(|k| parameter.density(parameter.low() + (f64::from(k) + 0.5) * width) * width)
                .sum();
            assert!(approx(total, 1.0, 1e-6), "{}: {total}", parameter.key());
            assert_eq!(parameter.density(parameter.high() + 1.0), 0.0);
        }
    }
}
