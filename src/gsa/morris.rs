//! Morris's elementary effects screening.
//!
//! A trajectory (Morris 1991) starts at a random point of a `levels`-level grid on the unit
//! hypercube and moves one parameter at a time, in random order, by `Δ = levels / (2 (levels −
//! 1))` (Campolongo et al. 2007's choice, which makes every grid level equally likely to be
//! visited), up or down at random: `p + 1` points, `p` elementary effects
//! `EE_i = (f(x + Δ e_i) − f(x)) / Δ` in unit-cube scale. Over `r` trajectories each parameter
//! gets `r` effects, summarised by μ (mean), μ* (mean of absolute values; Campolongo et al. 2007)
//! and σ (standard deviation, `r − 1` denominator), with a bootstrap interval for μ* over
//! trajectories. Non-uniform parameters are mapped through their inverse distribution functions,
//! as in SALib.
//!
//! The trajectories are drawn from the named stream `gsa.morris` of the design's seed.

use rand::Rng;
use rand::seq::SliceRandom;

use super::bootstrap::{Bootstrap, Estimate, resample};
use super::error::GsaError;
use super::space::ParameterSpace;
use crate::model::rng;

/// How a Morris design is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorrisDesign {
    /// `r`, the number of trajectories (at least 2).
    pub trajectories: usize,
    /// `p`, the number of grid levels (even, at least 2; 4 is usual).
    pub levels: usize,
    pub seed: u64,
}

/// The points of a Morris design in the unit hypercube.
#[derive(Debug, Clone, PartialEq)]
pub struct MorrisSample {
    parameters: usize,
    trajectories: usize,
    delta: f64,
    unit: Vec<Vec<f64>>,
    /// `moved[t][k]`: the parameter step `k` of trajectory `t` moves, and whether up.
    moved: Vec<Vec<(usize, bool)>>,
}

impl MorrisSample {
    /// Draws `trajectories` trajectories for `parameters` parameters.
    pub fn new(parameters: usize, design: &MorrisDesign) -> Result<MorrisSample, GsaError> {
        let levels = design.levels;
        if levels < 2 || !levels.is_multiple_of(2) {
            return Err(GsaError::Design(format!(
                "the number of Morris levels must be even and at least 2, found {levels}"
            )));
        }
        if design.trajectories < 2 {
            return Err(GsaError::Design(format!(
                "a Morris design needs at least 2 trajectories, found {}",
                design.trajectories
            )));
        }
        if parameters == 0 {
            return Err(GsaError::NoParameters);
        }
        let step = 1.0 / (levels - 1) as f64;
        let jump = levels / 2; // Δ in grid steps
        let delta = jump as f64 * step;
        let mut stream = rng::stream(design.seed, "gsa.morris", 0);
        let mut unit = Vec::with_capacity(design.trajectories * (parameters + 1));
        let mut moved = Vec::with_capacity(design.trajectories);
        for _ in 0..design.trajectories {
            // Grid indices; a start index in 0..levels - jump leaves room to move by Δ either way
            // once the direction decides whether the start is the low or the high end.
            let mut at: Vec<usize> = (0..parameters)
                .map(|_| stream.random_range(0..levels - jump))
                .collect();
            let up: Vec<bool> = (0..parameters).map(|_| stream.random::<bool>()).collect();
            for (index, &up) in at.iter_mut().zip(&up) {
                if !up {
                    *index += jump;
                }
            }
            let mut order: Vec<usize> = (0..parameters).collect();
            order.shuffle(&mut stream);
            unit.push(at.iter().map(|&k| k as f64 * step).collect());
            let mut steps = Vec::with_capacity(parameters);
            for &i in &order {
                if up[i] {
                    at[i] += jump;
                } else {
                    at[i] -= jump;
                }
                unit.push(at.iter().map(|&k| k as f64 * step).collect());
                steps.push((i, up[i]));
            }
            moved.push(steps);
        }
        Ok(MorrisSample {
            parameters,
            trajectories: design.trajectories,
            delta,
            unit,
            moved,
        })
    }

    /// Δ in unit-cube scale.
    pub fn delta(&self) -> f64 {
        self.delta
    }

    pub fn trajectories(&self) -> usize {
        self.trajectories
    }

    /// Every point in the unit hypercube, trajectory by trajectory.
    pub fn unit_rows(&self) -> &[Vec<f64>] {
        &self.unit
    }

    /// Every point as the parameters' values.
    pub fn values(&self, space: &ParameterSpace) -> Vec<Vec<f64>> {
        self.unit.iter().map(|row| space.from_unit(row)).collect()
    }

    /// The trajectory and step (0 for its start) of row `row`.
    pub fn role(&self, row: usize) -> (usize, usize) {
        (row / (self.parameters + 1), row % (self.parameters + 1))
    }

    /// `effects[i][t]`: the elementary effect of parameter `i` in trajectory `t`.
    pub fn elementary_effects(&self, y: &[f64]) -> Vec<Vec<f64>> {
        assert_eq!(y.len(), self.unit.len(), "one output value per design row");
        let mut effects = vec![vec![0.0; self.trajectories]; self.parameters];
        for (t, steps) in self.moved.iter().enumerate() {
            let first = t * (self.parameters + 1);
            for (k, &(i, up)) in steps.iter().enumerate() {
                let change = y[first + k + 1] - y[first + k];
                let signed_delta = if up { self.delta } else { -self.delta };
                effects[i][t] = change / signed_delta;
            }
        }
        effects
    }

    /// μ, μ* (with its bootstrap interval over trajectories) and σ of one output.
    pub fn indices(&self, y: &[f64], bootstrap: &Bootstrap, stream: u64) -> MorrisIndices {
        let effects = self.elementary_effects(y);
        let r = self.trajectories as f64;
        let mut generator = bootstrap.stream(stream);
        let mut rows = Vec::with_capacity(self.trajectories);
        let resamples: Vec<Vec<usize>> = (0..bootstrap.resamples)
            .map(|_| {
                resample(&mut generator, self.trajectories, &mut rows);
                rows.clone()
            })
            .collect();
        let mut mu = Vec::with_capacity(self.parameters);
        let mut mu_star = Vec::with_capacity(self.parameters);
        let mut sigma = Vec::with_capacity(self.parameters);
        for effects in &effects {
            let mean = effects.iter().sum::<f64>() / r;
            let absolute = effects.iter().map(|e| e.abs()).sum::<f64>() / r;
            let sd = (effects.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (r - 1.0)).sqrt();
            let replicates: Vec<f64> = resamples
                .iter()
                .map(|rows| rows.iter().map(|&t| effects[t].abs()).sum::<f64>() / r)
                .collect();
            mu.push(mean);
            mu_star.push(bootstrap.interval(absolute, &replicates));
            sigma.push(sd);
        }
        MorrisIndices { mu, mu_star, sigma }
    }
}

/// The Morris measures of one output, one entry per parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct MorrisIndices {
    pub mu: Vec<f64>,
    pub mu_star: Vec<Estimate>,
    pub sigma: Vec<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gsa::analytic::GFunction;
    use crate::gsa::{Model, evaluate_points};

    // Each trajectory has p + 1 grid points inside the cube; consecutive points differ in exactly
    // one coordinate, by exactly Δ = p / (2 (p - 1)) (2/3 for 4 levels); each parameter moves
    // once per trajectory.
    #[test]
    fn trajectories_move_one_parameter_by_delta() {
        let design = MorrisDesign {
            trajectories: 20,
            levels: 4,
            seed: 8,
        };
        let sample = MorrisSample::new(5, &design).unwrap();
        assert!((sample.delta() - 2.0 / 3.0).abs() < 1e-15);
        assert_eq!(sample.unit_rows().len(), 20 * 6);
        let grid = [0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0];
        for t in 0..20 {
            let rows = &sample.unit_rows()[t * 6..(t + 1) * 6];
            let mut moved = [0; 5];
            for pair in rows.windows(2) {
                let changed: Vec<usize> = (0..5).filter(|&c| pair[0][c] != pair[1][c]).collect();
                assert_eq!(changed.len(), 1);
                let c = changed[0];
                assert!(((pair[1][c] - pair[0][c]).abs() - 2.0 / 3.0).abs() < 1e-12);
                moved[c] += 1;
            }
            assert_eq!(moved, [1; 5]);
            for row in rows {
                for &x in row {
                    assert!(
                        grid.iter().any(|g| (g - x).abs() < 1e-12),
                        "{x} off the grid"
                    );
                }
            }
        }
        assert_eq!(sample.role(13), (2, 1));
        let odd = MorrisDesign {
            levels: 5,
            ..design
        };
        assert!(MorrisSample::new(5, &odd).is_err());
    }

    // A linear function y = Σ c_i x_i has every elementary effect equal to c_i: μ = c_i,
    // μ* = |c_i|, σ = 0, and the bootstrap interval of μ* collapses onto it.
    #[test]
    fn linear_effects_are_exact() {
        struct Linear;
        impl Model for Linear {
            fn outputs(&self) -> Vec<String> {
                vec!["y".into()]
            }
            fn evaluate(
                &self,
                point: &[f64],
                _seed: u64,
            ) -> Result<Vec<f64>, crate::gsa::EvaluationError> {
                Ok(vec![3.0 * point[0] - 2.0 * point[1] + 0.0 * point[2]])
            }
        }
        let space = GFunction { a: vec![0.0; 3] }.space();
        let design = MorrisDesign {
            trajectories: 10,
            levels: 6,
            seed: 1,
        };
        let sample = MorrisSample::new(3, &design).unwrap();
        let y = evaluate_points(&Linear, &sample.values(&space), 1, 0, &|| {})
            .unwrap()
            .point_means(0);
        let indices = sample.indices(&y, &Bootstrap::default(), 0);
        for (i, c) in [3.0f64, -2.0, 0.0].into_iter().enumerate() {
            assert!((indices.mu[i] - c).abs() < 1e-9);
            assert!((indices.mu_star[i].estimate - c.abs()).abs() < 1e-9);
            assert!(indices.sigma[i] < 1e-9);
            assert!(indices.mu_star[i].ci_high - indices.mu_star[i].ci_low < 1e-9);
        }
    }

    // On the G-function with a = (0, 1, 4.5, 9, 99, 99, 99, 99), r = 100 trajectories on 4
    // levels, μ* ranks the parameters as their importance (the a_i ordering): μ* falls strictly
    // over x1..x4, and every one of x1..x4 is above each of the four a = 99 parameters, whose μ*
    // are small (below a tenth of x1's). With 100 trajectories the bootstrap intervals of μ* for
    // x1..x4 do not overlap, so the ordering is not luck of the seed.
    #[test]
    fn g_function_ranking_follows_a() {
        let model = GFunction::default();
        let space = model.space();
        let design = MorrisDesign {
            trajectories: 100,
            levels: 4,
            seed: 42,
        };
        let sample = MorrisSample::new(8, &design).unwrap();
        let y = evaluate_points(&model, &sample.values(&space), 1, 0, &|| {})
            .unwrap()
            .point_means(0);
        let indices = sample.indices(&y, &Bootstrap::default(), 0);
        let mu_star: Vec<f64> = indices.mu_star.iter().map(|e| e.estimate).collect();
        for i in 0..3 {
            assert!(
                indices.mu_star[i].ci_low > indices.mu_star[i + 1].ci_high,
                "x{} vs x{}: {:?}",
                i + 1,
                i + 2,
                indices.mu_star
            );
        }
        for i in 4..8 {
            assert!(mu_star[3] > mu_star[i], "{mu_star:?}");
            assert!(mu_star[i] < mu_star[0] / 10.0, "{mu_star:?}");
        }
    }
}
