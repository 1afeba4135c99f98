//! Analytic test functions with known Sobol' indices, behind the same `Model` trait as the
//! simulation, so that the engine's tests run exactly the code an analysis of the model runs.
//!
//! - `Ishigami` (Ishigami and Homma 1990): `sin x1 + a sin² x2 + b x3⁴ sin x1` on `[-π, π]³`;
//!   with a = 7, b = 0.1, S1 = (0.3139, 0.4424, 0) and ST = (0.5576, 0.4424, 0.2437).
//! - `GFunction` (Sobol' 1993; Saltelli et al. 2010): `∏ (|4 x_i − 2| + a_i) / (1 + a_i)` on
//!   `[0, 1]^k`; the smaller `a_i`, the more important `x_i`. Partial variances
//!   `V_i = 1 / (3 (1 + a_i)²)`, `V = ∏ (1 + V_i) − 1`.

use std::f64::consts::PI;

use super::Model;
use super::error::EvaluationError;
use super::space::{Distribution, Parameter, ParameterSpace};

/// The Ishigami function with coefficients `a` and `b`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ishigami {
    pub a: f64,
    pub b: f64,
}

impl Default for Ishigami {
    /// a = 7, b = 0.1, the values of Ishigami and Homma (1990) and of SALib's tests.
    fn default() -> Ishigami {
        Ishigami { a: 7.0, b: 0.1 }
    }
}

impl Ishigami {
    /// x1, x2, x3 uniform on `[-π, π]`.
    pub fn space() -> ParameterSpace {
        let parameter = |key: &str| Parameter::new(key, -PI, PI, Distribution::Uniform).unwrap();
        ParameterSpace::new(vec![parameter("x1"), parameter("x2"), parameter("x3")]).unwrap()
    }

    /// The variance of the output and the partial variances V1, V2, V3, V13 (the others are 0).
    fn variances(&self) -> (f64, [f64; 3], f64) {
        let (a, b) = (self.a, self.b);
        let pi4 = PI.powi(4);
        let pi8 = PI.powi(8);
        let v1 = 0.5 * (1.0 + b * pi4 / 5.0).powi(2);
        let v2 = a * a / 8.0;
        let v13 = b * b * pi8 * (1.0 / 18.0 - 1.0 / 50.0);
        let total = a * a / 8.0 + b * pi4 / 5.0 + b * b * pi8 / 18.0 + 0.5;
        (total, [v1, v2, 0.0], v13)
    }

    /// The first-order indices.
    pub fn first_order(&self) -> [f64; 3] {
        let (total, partial, _) = self.variances();
        partial.map(|v| v / total)
    }

    /// The total-order indices.
    pub fn total_order(&self) -> [f64; 3] {
        let (total, [v1, v2, _], v13) = self.variances();
        [(v1 + v13) / total, v2 / total, v13 / total]
    }
}

impl Model for Ishigami {
    fn outputs(&self) -> Vec<String> {
        vec!["y".to_string()]
    }

    fn evaluate(&self, point: &[f64], _replicate_seed: u64) -> Result<Vec<f64>, EvaluationError> {
        let [x1, x2, x3] = point else {
            return Err(EvaluationError(format!(
                "the Ishigami function takes 3 inputs, found {}",
                point.len()
            )));
        };
        Ok(vec![
            x1.sin() + self.a * x2.sin().powi(2) + self.b * x3.powi(4) * x1.sin(),
        ])
    }
}

/// Sobol's G-function with coefficients `a`.
#[derive(Debug, Clone, PartialEq)]
pub struct GFunction {
    pub a: Vec<f64>,
}

impl Default for GFunction {
    /// a = (0, 1, 4.5, 9, 99, 99, 99, 99), as in Saltelli et al. (2010) and SALib's tests.
    fn default() -> GFunction {
        GFunction {
            a: vec![0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0],
        }
    }
}

impl GFunction {
    /// Each x_i uniform on `[0, 1]`.
    pub fn space(&self) -> ParameterSpace {
        let parameters = (0..self.a.len())
            .map(|i| Parameter::new(format!("x{}", i + 1), 0.0, 1.0, Distribution::Uniform))
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        ParameterSpace::new(parameters).unwrap()
    }

    /// `V_i = 1 / (3 (1 + a_i)²)`.
    fn partial_variances(&self) -> Vec<f64> {
        self.a
            .iter()
            .map(|a| 1.0 / (3.0 * (1.0 + a).powi(2)))
            .collect()
    }

    fn variance(&self) -> f64 {
        self.partial_variances()
            .iter()
            .map(|v| 1.0 + v)
            .product::<f64>()
            - 1.0
    }

    /// `S_i = V_i / V`.
    pub fn first_order(&self) -> Vec<f64> {
        let total = self.variance();
        self.partial_variances().iter().map(|v| v / total).collect()
    }

    /// `ST_i = V_i ∏_{j≠i} (1 + V_j) / V`.
    pub fn total_order(&self) -> Vec<f64> {
        let partial = self.partial_variances();
        let total = self.variance();
        let product: f64 = partial.iter().map(|v| 1.0 + v).product();
        partial
            .iter()
            .map(|v| v * product / (1.0 + v) / total)
            .collect()
    }

    /// `S_ij = V_i V_j / V`.
    pub fn second_order(&self, i: usize, j: usize) -> f64 {
        let partial = self.partial_variances();
        partial[i] * partial[j] / self.variance()
    }
}

impl Model for GFunction {
    fn outputs(&self) -> Vec<String> {
        vec!["g".to_string()]
    }

    fn evaluate(&self, point: &[f64], _replicate_seed: u64) -> Result<Vec<f64>, EvaluationError> {
        if point.len() != self.a.len() {
            return Err(EvaluationError(format!(
                "this G-function takes {} inputs, found {}",
                self.a.len(),
                point.len()
            )));
        }
        Ok(vec![
            point
                .iter()
                .zip(&self.a)
                .map(|(x, a)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a))
                .product(),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The closed forms reproduce the values published for a = 7, b = 0.1 (Saltelli et al. 2008,
    // SALib's test suite) to the four decimals they are quoted with.
    #[test]
    fn ishigami_indices_match_the_literature() {
        let ishigami = Ishigami::default();
        let close = |a: [f64; 3], b: [f64; 3]| a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 5e-5);
        assert!(close(ishigami.first_order(), [0.3139, 0.4424, 0.0]));
        assert!(close(ishigami.total_order(), [0.5576, 0.4424, 0.2437]));
    }

    // Hand-checkable cases: one input with a = 0 has V_1 = 1/3 = V, so S_1 = ST_1 = 1; the
    // indices of the default add up to at most one; each factor averages to one over [0, 1]
    // (midpoint rule, exact for this piecewise-linear factor when the kink is a cell edge).
    #[test]
    fn g_function_closed_forms() {
        let single = GFunction { a: vec![0.0] };
        assert!((single.first_order()[0] - 1.0).abs() < 1e-12);
        assert!((single.total_order()[0] - 1.0).abs() < 1e-12);
        let g = GFunction::default();
        let s1: f64 = g.first_order().iter().sum();
        let s2: f64 = (0..8)
            .flat_map(|i| (i + 1..8).map(move |j| (i, j)))
            .map(|(i, j)| g.second_order(i, j))
            .sum();
        assert!(s1 < 1.0 && s1 + s2 <= 1.0 + 1e-12);
        let one = GFunction { a: vec![4.5] };
        let cells = 1000;
        let mean: f64 = (0..cells)
            .map(|k| {
                one.evaluate(&[(f64::from(k) + 0.5) / f64::from(cells)], 0)
                    .unwrap()[0]
            })
            .sum::<f64>()
            / f64::from(cells);
        assert!((mean - 1.0).abs() < 1e-9);
        assert!(g.evaluate(&[0.5; 3], 0).is_err());
    }
}
