//! What a calibration fits: observed values of named model outputs, each with the scale (a
//! standard deviation or tolerance) its deviation is measured in, and the distance between a
//! run's outputs and the targets: `sqrt(Σ ((output − value) / scale)²)`.

use super::AbcError;

/// One observed output.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub output: String,
    pub value: f64,
    pub scale: f64,
}

/// Targets matched to a model's outputs. Built by `Targets::new`, which checks them.
#[derive(Debug, Clone, PartialEq)]
pub struct Targets {
    targets: Vec<Target>,
    /// The model output each target reads.
    columns: Vec<usize>,
}

impl Targets {
    /// At least one target; each names one of `outputs` once, with a finite value and a positive
    /// finite scale.
    pub fn new(targets: Vec<Target>, outputs: &[String]) -> Result<Targets, AbcError> {
        if targets.is_empty() {
            return Err(AbcError::Config("list at least one target".into()));
        }
        let mut columns = Vec::with_capacity(targets.len());
        for (k, target) in targets.iter().enumerate() {
            let fail = |reason: String| AbcError::Target {
                output: target.output.clone(),
                reason,
            };
            let Some(column) = outputs.iter().position(|o| *o == target.output) else {
                return Err(fail(format!(
                    "not an output of the model; the outputs are {}",
                    outputs.join(", ")
                )));
            };
            if targets[..k].iter().any(|t| t.output == target.output) {
                return Err(fail("listed twice".into()));
            }
            if !target.value.is_finite() {
                return Err(fail(format!(
                    "the value must be finite, found {}",
                    target.value
                )));
            }
            if !(target.scale.is_finite() && target.scale > 0.0) {
                return Err(fail(format!(
                    "the scale must be a positive number, found {}",
                    target.scale
                )));
            }
            columns.push(column);
        }
        Ok(Targets { targets, columns })
    }

    pub fn targets(&self) -> &[Target] {
        &self.targets
    }

    /// The normalised Euclidean distance of a run's outputs from the targets (infinite when an
    /// output the targets read is not finite, so such a run is never accepted).
    pub fn distance(&self, outputs: &[f64]) -> f64 {
        let mut sum = 0.0;
        for (target, &column) in self.targets.iter().zip(&self.columns) {
            let value = outputs[column];
            if !value.is_finite() {
                return f64::INFINITY;
            }
            sum += ((value - target.value) / target.scale).powi(2);
        }
        sum.sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(output: &str, value: f64, scale: f64) -> Target {
        Target {
            output: output.into(),
            value,
            scale,
        }
    }

    #[test]
    fn distance_is_scaled_euclidean() {
        let outputs = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        let targets =
            Targets::new(vec![target("c", 1.0, 2.0), target("a", 0.0, 1.0)], &outputs).unwrap();
        // c: (7 - 1) / 2 = 3; a: (4 - 0) / 1 = 4; distance 5. b is not a target.
        assert_eq!(targets.distance(&[4.0, 100.0, 7.0]), 5.0);
        assert_eq!(targets.distance(&[f64::NAN, 0.0, 1.0]), f64::INFINITY);
    }

    #[test]
    fn targets_are_checked() {
        let outputs = vec!["a".to_string()];
        assert!(Targets::new(vec![], &outputs).is_err());
        assert!(Targets::new(vec![target("z", 0.0, 1.0)], &outputs).is_err());
        assert!(Targets::new(vec![target("a", 0.0, 0.0)], &outputs).is_err());
        assert!(Targets::new(vec![target("a", f64::NAN, 1.0)], &outputs).is_err());
        let twice = vec![target("a", 0.0, 1.0), target("a", 1.0, 1.0)];
        assert!(Targets::new(twice, &outputs).is_err());
    }
}
