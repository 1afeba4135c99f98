//! Paired comparisons of two scenarios run on common random numbers.
//!
//! Replicate `r` of scenario A and replicate `r` of scenario B run from the same seed, so they
//! share the draws that do not depend on the scenario (which children fall into need, and when;
//! who leaves). The difference `b_r - a_r` then carries much less noise than the difference of two
//! independent means, and its 95% confidence interval comes from Student's t on the paired
//! differences alone. A pair where either value is undefined (NaN) is left out of everything,
//! both means included, so that `b_mean - a_mean` always equals the mean difference.

use crate::metrics::measures::Measures;
use crate::metrics::stats::Summary;

/// B against A on one measure, over the replicates where both are defined.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairedDifference {
    /// Pairs where both values were defined.
    pub pairs: u32,
    /// Mean of A over those pairs; NaN without pairs.
    pub a_mean: f64,
    /// Mean of B over those pairs; NaN without pairs.
    pub b_mean: f64,
    /// Mean of `b - a`; NaN without pairs.
    pub difference: f64,
    /// Sample standard deviation of `b - a`; NaN with fewer than two pairs.
    pub difference_sd: f64,
    /// 95% confidence interval of the mean difference: `difference ± t(0.975, pairs-1) · sd / √pairs`.
    /// Both equal to the difference with one pair; NaN without pairs.
    pub ci_low: f64,
    pub ci_high: f64,
    /// `difference / a_mean`: the change relative to A; NaN when `a_mean` is 0 or undefined.
    pub relative_change: f64,
}

impl PairedDifference {
    /// Pairs `a[r]` with `b[r]`; the slices must have the same length (one value per replicate).
    pub fn of(a: &[f64], b: &[f64]) -> PairedDifference {
        assert_eq!(
            a.len(),
            b.len(),
            "paired values need one value of each scenario per replicate"
        );
        let (kept_a, kept_b): (Vec<f64>, Vec<f64>) = a
            .iter()
            .zip(b)
            .filter(|(a_value, b_value)| !a_value.is_nan() && !b_value.is_nan())
            .map(|(a_value, b_value)| (*a_value, *b_value))
            .unzip();
        let differences: Vec<f64> = kept_a
            .iter()
            .zip(&kept_b)
            .map(|(a_value, b_value)| b_value - a_value)
            .collect();
        let difference = Summary::of(&differences);
        let a_mean = Summary::of(&kept_a).mean;
        let b_mean = Summary::of(&kept_b).mean;
        let relative_change = if a_mean == 0.0 || a_mean.is_nan() {
            f64::NAN
        } else {
            difference.mean / a_mean
        };
        PairedDifference {
            pairs: difference.n,
            a_mean,
            b_mean,
            difference: difference.mean,
            difference_sd: difference.sd,
            ci_low: difference.ci_low,
            ci_high: difference.ci_high,
            relative_change,
        }
    }

    /// Whether the difference is within the noise: its 95% interval includes zero, or there are
    /// too few pairs (under two) to tell.
    pub fn within_noise(&self) -> bool {
        self.pairs < 2 || (self.ci_low <= 0.0 && self.ci_high >= 0.0)
    }
}

/// One measure compared.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairedMeasure {
    pub name: &'static str,
    pub difference: PairedDifference,
}

/// Compares every measure, B against A, in `Measures::NAMES` order. `a[r]` and `b[r]` must be
/// replicate `r` of each scenario, run from the same seed.
pub fn compare_measures(a: &[Measures], b: &[Measures]) -> Vec<PairedMeasure> {
    let a_values: Vec<Vec<f64>> = a.iter().map(Measures::values).collect();
    let b_values: Vec<Vec<f64>> = b.iter().map(Measures::values).collect();
    let column = |rows: &[Vec<f64>], index: usize| -> Vec<f64> {
        rows.iter().map(|values| values[index]).collect()
    };
    Measures::NAMES
        .iter()
        .enumerate()
        .map(|(index, name)| PairedMeasure {
            name,
            difference: PairedDifference::of(&column(&a_values, index), &column(&b_values, index)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_close(actual: f64, expected: f64) {
        assert!((actual - expected).abs() < 1e-6, "{actual} != {expected}");
    }

    /// Worked by hand. Five replicates; the fifth has A undefined and is left out.
    ///   a = 10, 12, 9, 11        (mean 42 / 4 = 10.5)
    ///   b =  8, 11, 8.5, 8       (mean 35.5 / 4 = 8.875)
    ///   d = -2, -1, -0.5, -3     (mean -6.5 / 4 = -1.625)
    ///   deviations -0.375, 0.625, 1.125, -1.375; squares sum to 3.6875; variance 3.6875 / 3
    ///   sd = 1.108678, standard error sd / 2 = 0.554339, t(0.975, 3) = 3.182446,
    ///   half-width 1.764154: CI -3.389154 to 0.139154, which includes 0 (within the noise).
    ///   Relative change -1.625 / 10.5 = -0.154762.
    #[test]
    fn matches_hand_worked_example_within_the_noise() {
        let a = [10.0, 12.0, 9.0, 11.0, f64::NAN];
        let b = [8.0, 11.0, 8.5, 8.0, 7.0];
        let paired = PairedDifference::of(&a, &b);
        assert_eq!(paired.pairs, 4);
        assert_close(paired.a_mean, 10.5);
        assert_close(paired.b_mean, 8.875);
        assert_close(paired.difference, -1.625);
        assert_close(paired.difference_sd, (3.6875f64 / 3.0).sqrt());
        assert_close(paired.difference_sd, 1.108678);
        assert_close(paired.ci_low, -3.389154);
        assert_close(paired.ci_high, 0.139154);
        assert_close(paired.relative_change, -0.154762);
        assert!(paired.within_noise());
    }

    /// Worked by hand: a = 5, 6, 7; b = 6, 7.5, 8; d = 1, 1.5, 1 (mean 7/6).
    /// Squared deviations 1/36 + 4/36 + 1/36 = 1/6; variance 1/12; standard error
    /// √(1/12) / √3 = 1/6; t(0.975, 2) = 4.302653: CI 7/6 ± 0.717109 = 0.449558 to 1.883776.
    #[test]
    fn matches_hand_worked_example_beyond_the_noise() {
        let paired = PairedDifference::of(&[5.0, 6.0, 7.0], &[6.0, 7.5, 8.0]);
        assert_eq!(paired.pairs, 3);
        assert_close(paired.difference, 7.0 / 6.0);
        assert_close(paired.ci_low, 0.449558);
        assert_close(paired.ci_high, 1.883776);
        assert_close(paired.relative_change, (7.0 / 6.0) / 6.0);
        assert!(!paired.within_noise());
    }

    #[test]
    fn identical_scenarios_differ_by_exactly_zero() {
        let values = [3.0, 4.0, 8.0];
        let paired = PairedDifference::of(&values, &values);
        assert_eq!(
            (paired.difference, paired.ci_low, paired.ci_high),
            (0.0, 0.0, 0.0)
        );
        assert_eq!(paired.relative_change, 0.0);
        assert!(paired.within_noise());
    }

    #[test]
    fn too_few_pairs_are_within_the_noise() {
        let one = PairedDifference::of(&[1.0, f64::NAN], &[5.0, 2.0]);
        assert_eq!(one.pairs, 1);
        assert_eq!(one.difference, 4.0);
        assert!(
            one.ci_low.is_nan() && one.ci_high.is_nan(),
            "no interval from one pair"
        );
        assert!(one.within_noise());
        let none = PairedDifference::of(&[f64::NAN], &[1.0]);
        assert_eq!(none.pairs, 0);
        assert!(none.difference.is_nan() && none.a_mean.is_nan() && none.relative_change.is_nan());
        assert!(none.within_noise());
        assert!(
            PairedDifference::of(&[0.0, 0.0], &[1.0, 2.0])
                .relative_change
                .is_nan()
        );
    }

    #[test]
    fn every_measure_is_compared_in_order() {
        let a = Measures {
            median_weeks_to_help: 10.0,
            ..Measures::undefined()
        };
        let b = Measures {
            median_weeks_to_help: 8.0,
            ..Measures::undefined()
        };
        let compared = compare_measures(&[a, a], &[b, b]);
        assert_eq!(compared.len(), Measures::NAMES.len());
        assert_eq!(compared[0].name, "median_weeks_to_help");
        assert_eq!(compared[0].difference.difference, -2.0);
        assert_eq!(compared[1].difference.pairs, 0);
    }
}
