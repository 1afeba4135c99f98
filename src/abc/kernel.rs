//! The perturbation kernel of ABC-SMC: a multivariate normal centred on a particle, with twice
//! the weighted covariance of the previous population (Beaumont et al. 2009; Filippi et al. 2013
//! show this is the optimal "componentwise" scale among Gaussian kernels of that shape).
//!
//! The covariance is held as its lower Cholesky factor `L`: a move is `L z` for standard normal
//! `z`, and the (unnormalised) density of a move `d` is `exp(−|L⁻¹ d|² / 2)`. The normalising
//! constant is the same for every pair of particles, so it cancels from the importance weights.
//! A population whose covariance is not positive definite (e.g. one parameter collapsed onto a
//! single value) gets a diagonal kernel, each variance kept above a small floor.

use rand::Rng;
use rand_distr::StandardNormal;

/// A Gaussian kernel with covariance `L Lᵀ`.
#[derive(Debug, Clone, PartialEq)]
pub struct Kernel {
    /// Lower triangular, row-major `dimension × dimension`.
    cholesky: Vec<f64>,
    dimension: usize,
}

impl Kernel {
    /// Twice the weighted covariance of `particles` (weights summing to one). `floors` are the
    /// smallest standard deviation allowed per parameter when the covariance is singular.
    pub fn from_population(particles: &[Vec<f64>], weights: &[f64], floors: &[f64]) -> Kernel {
        let dimension = floors.len();
        let mut mean = vec![0.0; dimension];
        for (particle, &w) in particles.iter().zip(weights) {
            for (m, x) in mean.iter_mut().zip(particle) {
                *m += w * x;
            }
        }
        let mut covariance = vec![0.0; dimension * dimension];
        for (particle, &w) in particles.iter().zip(weights) {
            for r in 0..dimension {
                for c in 0..=r {
                    covariance[r * dimension + c] +=
                        2.0 * w * (particle[r] - mean[r]) * (particle[c] - mean[c]);
                }
            }
        }
        for r in 0..dimension {
            for c in 0..r {
                covariance[c * dimension + r] = covariance[r * dimension + c];
            }
        }
        if let Some(cholesky) = cholesky(&covariance, dimension) {
            return Kernel {
                cholesky,
                dimension,
            };
        }
        let mut diagonal = vec![0.0; dimension * dimension];
        for (k, floor) in floors.iter().enumerate() {
            diagonal[k * dimension + k] = covariance[k * dimension + k].max(floor * floor).sqrt();
        }
        Kernel {
            cholesky: diagonal,
            dimension,
        }
    }

    /// A kernel with the given lower Cholesky factor (row-major).
    pub fn with_cholesky(cholesky: Vec<f64>, dimension: usize) -> Kernel {
        assert_eq!(cholesky.len(), dimension * dimension);
        Kernel {
            cholesky,
            dimension,
        }
    }

    /// `centre + L z`, `z` standard normal.
    pub fn perturb<R: Rng>(&self, centre: &[f64], generator: &mut R) -> Vec<f64> {
        let z: Vec<f64> = (0..self.dimension)
            .map(|_| generator.sample(StandardNormal))
            .collect();
        (0..self.dimension)
            .map(|r| {
                centre[r]
                    + (0..=r)
                        .map(|c| self.cholesky[r * self.dimension + c] * z[c])
                        .sum::<f64>()
            })
            .collect()
    }

    /// `exp(−|L⁻¹ (x − centre)|² / 2)`: the density up to a constant common to all centres.
    pub fn unnormalised_density(&self, x: &[f64], centre: &[f64]) -> f64 {
        let n = self.dimension;
        let mut solved = vec![0.0; n];
        let mut squared = 0.0;
        for r in 0..n {
            let row = &self.cholesky[r * n..r * n + r];
            let known: f64 = row.iter().zip(&solved).map(|(l, y)| l * y).sum();
            let value = (x[r] - centre[r] - known) / self.cholesky[r * n + r];
            solved[r] = value;
            squared += value * value;
        }
        (-0.5 * squared).exp()
    }
}

/// The lower Cholesky factor of a symmetric positive definite matrix, or `None`.
fn cholesky(matrix: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for r in 0..n {
        for c in 0..=r {
            let mut sum = matrix[r * n + c];
            for k in 0..c {
                sum -= l[r * n + k] * l[c * n + k];
            }
            if r == c {
                let positive = sum.is_finite() && sum > 1e-300;
                if !positive {
                    return None;
                }
                l[r * n + r] = sum.sqrt();
            } else {
                l[r * n + c] = sum / l[c * n + c];
            }
        }
    }
    Some(l)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rng;

    #[test]
    fn cholesky_reproduces_the_matrix() {
        let matrix = [4.0, 2.0, 0.4, 2.0, 2.0, 0.5, 0.4, 0.5, 3.0];
        let l = cholesky(&matrix, 3).unwrap();
        for r in 0..3 {
            for c in 0..3 {
                let product: f64 = (0..3).map(|k| l[r * 3 + k] * l[c * 3 + k]).sum();
                assert!((product - matrix[r * 3 + c]).abs() < 1e-12);
            }
        }
        assert!(cholesky(&[1.0, 1.0, 1.0, 1.0], 2).is_none());
    }

    // Kernel from a population: twice its covariance. Moves drawn from the kernel have that
    // covariance (20,000 draws: the sampling error of each entry is about 1-2%, hence 5%), and the
    // density is 1 at the centre and exp(-1/2) one standard deviation away along an axis.
    #[test]
    fn kernel_has_twice_the_population_covariance() {
        let particles = vec![
            vec![0.0, 0.0],
            vec![2.0, 1.0],
            vec![0.0, 1.0],
            vec![2.0, 2.0],
        ];
        let weights = vec![0.25; 4];
        // Mean (1, 1); covariance [[1, 0.5], [0.5, 0.5]]; twice that [[2, 1], [1, 1]].
        let kernel = Kernel::from_population(&particles, &weights, &[1e-6, 1e-6]);
        let mut generator = rng::stream(1, "test", 0);
        let draws: Vec<Vec<f64>> = (0..20_000)
            .map(|_| kernel.perturb(&[0.0, 0.0], &mut generator))
            .collect();
        let n = draws.len() as f64;
        let moment = |a: usize, b: usize| draws.iter().map(|d| d[a] * d[b]).sum::<f64>() / n;
        assert!((moment(0, 0) - 2.0).abs() < 0.1);
        assert!((moment(0, 1) - 1.0).abs() < 0.05);
        assert!((moment(1, 1) - 1.0).abs() < 0.05);
        assert_eq!(kernel.unnormalised_density(&[3.0, 4.0], &[3.0, 4.0]), 1.0);
        let along = kernel.unnormalised_density(&[2f64.sqrt(), 0.0], &[0.0, 0.0]);
        // L = [[√2, 0], [1/√2, 1/√2]]: L⁻¹ (√2, 0) = (1, −1), squared norm 2.
        assert!((along - (-1.0f64).exp()).abs() < 1e-12);
    }

    // A collapsed parameter makes the covariance singular; the kernel falls back to a diagonal
    // with the floor as the collapsed parameter's standard deviation.
    #[test]
    fn singular_population_gets_a_diagonal_kernel() {
        let particles = vec![vec![1.0, 5.0], vec![3.0, 5.0]];
        let kernel = Kernel::from_population(&particles, &[0.5, 0.5], &[0.1, 0.1]);
        // Variance of the first: 1, doubled 2; the second: 0, floored at 0.1².
        assert_eq!(kernel.cholesky, vec![2f64.sqrt(), 0.0, 0.0, 0.1]);
    }
}
