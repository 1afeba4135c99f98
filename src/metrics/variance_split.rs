//! How much of a paired difference's variance comes from the parameters drawn from a posterior
//! and how much from the random draws.
//!
//! Under `--posterior`, replicate `r` of a comparison draws a parameter set `θ_r` and runs both
//! arms on its seed, giving the paired difference `d_r1`; it also runs both arms under the same
//! `θ_r` on a second seed (its twin), giving `d_r2`. By the law of total variance,
//! `Var(d) = Var(E[d | θ]) + E[Var(d | θ)]`: the part the parameters explain plus the part the
//! random draws leave. With `k` replicates each holding two runs of one draw, the one-way
//! random-effects analysis of variance (balanced, two per group) estimates both parts by the
//! method of moments (Searle, Casella and McCulloch, *Variance Components*, 1992, chapter 3):
//!
//! - within: `MSW = Σ_r (d_r1 − d_r2)² / 2k`, unbiased for `E[Var(d | θ)]`;
//! - between: `MSB = 2 Σ_r (m_r − m̄)² / (k − 1)` with `m_r = (d_r1 + d_r2) / 2`, unbiased for
//!   `2 Var(E[d | θ]) + E[Var(d | θ)]`;
//! - so `Var(E[d | θ]) ≈ max(0, (MSB − MSW) / 2)` and `E[Var(d | θ)] ≈ MSW`.
//!
//! The shares are each part over their sum: the shares of the variance of one replicate's
//! difference, and so of the squared width of the difference's confidence interval. Groups where
//! any of the four values is undefined are left out; with fewer than two groups, or no variance
//! at all, the shares are undefined (NaN).

use crate::metrics::measures::Measures;

/// The split of one measure's paired difference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VarianceSplit {
    /// Replicates with both runs' differences defined.
    pub groups: u32,
    /// `Var(E[d | θ])`: the variance the drawn parameters explain.
    pub parameter_variance: f64,
    /// `E[Var(d | θ)]`: the variance the random draws leave.
    pub random_variance: f64,
}

impl VarianceSplit {
    /// The split from each replicate's difference on its own seed (`main`) and on its twin seed
    /// (`twin`), both under the replicate's drawn parameters; the slices pair by replicate.
    pub fn of(main: &[f64], twin: &[f64]) -> VarianceSplit {
        assert_eq!(main.len(), twin.len(), "one twin per replicate");
        let pairs: Vec<(f64, f64)> = main
            .iter()
            .zip(twin)
            .filter(|(first, second)| !first.is_nan() && !second.is_nan())
            .map(|(first, second)| (*first, *second))
            .collect();
        let k = pairs.len();
        if k < 2 {
            return VarianceSplit {
                groups: k as u32,
                parameter_variance: f64::NAN,
                random_variance: f64::NAN,
            };
        }
        let within = pairs
            .iter()
            .map(|(first, second)| (first - second).powi(2))
            .sum::<f64>()
            / (2 * k) as f64;
        let means: Vec<f64> = pairs
            .iter()
            .map(|(first, second)| (first + second) / 2.0)
            .collect();
        let grand = means.iter().sum::<f64>() / k as f64;
        let between = 2.0 * means.iter().map(|m| (m - grand).powi(2)).sum::<f64>() / (k - 1) as f64;
        VarianceSplit {
            groups: k as u32,
            parameter_variance: ((between - within) / 2.0).max(0.0),
            random_variance: within,
        }
    }

    /// The parameters' share of the variance, 0 to 1; NaN when undefined.
    pub fn parameter_share(&self) -> f64 {
        let total = self.parameter_variance + self.random_variance;
        if total > 0.0 {
            self.parameter_variance / total
        } else {
            f64::NAN
        }
    }

    /// The random draws' share, `1 − parameter_share`; NaN when undefined.
    pub fn random_share(&self) -> f64 {
        1.0 - self.parameter_share()
    }
}

/// Splits every measure's difference B − A, in `Measures::NAMES` order: `a[r]`, `b[r]` on
/// replicate `r`'s seed, `a_twin[r]`, `b_twin[r]` on its twin seed, all under its drawn row.
pub fn split_measures(
    a: &[Measures],
    b: &[Measures],
    a_twin: &[Measures],
    b_twin: &[Measures],
) -> Vec<VarianceSplit> {
    let differences = |first: &[Measures], second: &[Measures], index: usize| -> Vec<f64> {
        first
            .iter()
            .zip(second)
            .map(|(a, b)| b.values()[index] - a.values()[index])
            .collect()
    };
    (0..Measures::NAMES.len())
        .map(|index| {
            VarianceSplit::of(
                &differences(a, b, index),
                &differences(a_twin, b_twin, index),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_close(actual: f64, expected: f64) {
        assert!((actual - expected).abs() < 1e-9, "{actual} != {expected}");
    }

    /// Worked by hand: three replicates, differences (1, 3), (4, 6), (7, 5), and a fourth with
    /// an undefined twin, left out.
    ///   within: (4 + 4 + 4) / 6 = 2
    ///   means 2, 5, 6; grand mean 13/3; squared deviations 49/9 + 4/9 + 25/9 = 78/9 = 26/3;
    ///   between: 2 · (26/3) / 2 = 26/3
    ///   parameters: (26/3 − 2) / 2 = 10/3; shares 10/3 / (10/3 + 2) = 5/8 and 3/8.
    #[test]
    fn matches_hand_worked_example() {
        let split = VarianceSplit::of(&[1.0, 4.0, 7.0, 2.0], &[3.0, 6.0, 5.0, f64::NAN]);
        assert_eq!(split.groups, 3);
        assert_close(split.random_variance, 2.0);
        assert_close(split.parameter_variance, 10.0 / 3.0);
        assert_close(split.parameter_share(), 0.625);
        assert_close(split.random_share(), 0.375);
    }

    #[test]
    fn no_spread_between_draws_is_all_random() {
        // Means all 2: between 0 < within, so the parameters' part is cut at zero.
        let split = VarianceSplit::of(&[1.0, 3.0, 0.0], &[3.0, 1.0, 4.0]);
        assert_eq!(split.parameter_variance, 0.0);
        assert_close(split.random_share(), 1.0);
    }

    #[test]
    fn identical_twins_are_all_parameters() {
        let split = VarianceSplit::of(&[1.0, 5.0, 2.0], &[1.0, 5.0, 2.0]);
        assert_eq!(split.random_variance, 0.0);
        assert_close(split.parameter_share(), 1.0);
    }

    #[test]
    fn undefined_without_two_groups_or_any_variance() {
        assert!(VarianceSplit::of(&[1.0], &[2.0]).parameter_share().is_nan());
        let flat = VarianceSplit::of(&[0.0, 0.0], &[0.0, 0.0]);
        assert!(flat.parameter_share().is_nan() && flat.random_share().is_nan());
    }

    /// Simulated: d = θ + ε with Var(θ) = 4, Var(ε) = 1, so the parameters' share is 0.8.
    #[test]
    fn recovers_known_components() {
        use rand::SeedableRng;
        use rand_distr::{Distribution, Normal};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let theta = Normal::new(0.0, 2.0).unwrap();
        let noise = Normal::new(0.0, 1.0).unwrap();
        let (mut main, mut twin) = (Vec::new(), Vec::new());
        for _ in 0..4000 {
            let t: f64 = theta.sample(&mut rng);
            main.push(t + noise.sample(&mut rng));
            twin.push(t + noise.sample(&mut rng));
        }
        let split = VarianceSplit::of(&main, &twin);
        assert!((split.parameter_share() - 0.8).abs() < 0.02, "{split:?}");
        assert!((split.random_variance - 1.0).abs() < 0.1, "{split:?}");
    }

    #[test]
    fn every_measure_is_split_in_order() {
        let with = |value: f64| Measures {
            median_weeks_to_help: value,
            ..Measures::undefined()
        };
        let a = [with(1.0), with(1.0)];
        let split = split_measures(&a, &[with(2.0), with(5.0)], &a, &[with(2.0), with(5.0)]);
        assert_eq!(split.len(), Measures::NAMES.len());
        assert_close(split[0].parameter_share(), 1.0);
        assert_eq!(split[1].groups, 0);
    }
}
