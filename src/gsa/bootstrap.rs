//! Bootstrap confidence intervals: what is resampled is the caller's business (base rows of a
//! Saltelli design, trajectories of a Morris design); this file holds the settings, the seeded
//! resampling of indices and the interval from the bootstrap replicates (percentile, or normal
//! with the bootstrap standard deviation as SALib does).

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::model::rng;

/// How an interval is read from the bootstrap replicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CiMethod {
    /// The `(1 - level) / 2` and `(1 + level) / 2` quantiles of the replicates.
    Percentile,
    /// The estimate plus or minus `z` bootstrap standard deviations.
    Normal,
}

/// Bootstrap settings: `resamples` replicates (1000 by default) at confidence `level` (0.95),
/// drawn from the named stream `gsa.bootstrap` of `seed`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bootstrap {
    pub resamples: usize,
    pub level: f64,
    pub method: CiMethod,
    pub seed: u64,
}

impl Default for Bootstrap {
    fn default() -> Bootstrap {
        Bootstrap {
            resamples: 1000,
            level: 0.95,
            method: CiMethod::Percentile,
            seed: 0,
        }
    }
}

impl Bootstrap {
    /// The generator of one analysed quantity (e.g. one output), independent of the others.
    pub(crate) fn stream(&self, index: u64) -> ChaCha8Rng {
        rng::stream(self.seed, "gsa.bootstrap", index)
    }

    /// The interval around `estimate` from bootstrap `replicates` (NaN replicates ignored; NaN
    /// bounds when fewer than two remain).
    pub fn interval(&self, estimate: f64, replicates: &[f64]) -> Estimate {
        let mut finite: Vec<f64> = replicates
            .iter()
            .copied()
            .filter(|x| x.is_finite())
            .collect();
        if finite.len() < 2 || !estimate.is_finite() {
            return Estimate {
                estimate,
                ci_low: f64::NAN,
                ci_high: f64::NAN,
            };
        }
        let tail = (1.0 - self.level) / 2.0;
        let (ci_low, ci_high) = match self.method {
            CiMethod::Percentile => {
                finite.sort_by(f64::total_cmp);
                (quantile(&finite, tail), quantile(&finite, 1.0 - tail))
            }
            CiMethod::Normal => {
                let n = finite.len() as f64;
                let mean = finite.iter().sum::<f64>() / n;
                let sd =
                    (finite.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
                let half = normal_quantile(1.0 - tail) * sd;
                (estimate - half, estimate + half)
            }
        };
        Estimate {
            estimate,
            ci_low,
            ci_high,
        }
    }
}

/// Indices `0..n` drawn with replacement.
pub(crate) fn resample(generator: &mut ChaCha8Rng, n: usize, into: &mut Vec<usize>) {
    into.clear();
    into.extend((0..n).map(|_| generator.random_range(0..n)));
}

/// An estimate and its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub estimate: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

impl Estimate {
    /// Whether `value` lies within the interval.
    pub fn covers(&self, value: f64) -> bool {
        self.ci_low <= value && value <= self.ci_high
    }
}

/// The `q` quantile of sorted values, linear between order statistics (NumPy's default).
pub(crate) fn quantile(sorted: &[f64], q: f64) -> f64 {
    let position = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let below = position.floor() as usize;
    let above = position.ceil() as usize;
    let fraction = position - below as f64;
    sorted[below] + fraction * (sorted[above] - sorted[below])
}

/// The standard normal quantile function by Acklam's rational approximation (relative error
/// below 1.2e-9 on (0, 1)).
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const LOW: f64 = 0.024_25;
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    if p < LOW {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -normal_quantile(1.0 - p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantiles_match_tables() {
        assert!((normal_quantile(0.975) - 1.959_963_985).abs() < 1e-8);
        assert!((normal_quantile(0.5)).abs() < 1e-12);
        assert!((normal_quantile(0.01) + 2.326_347_874).abs() < 1e-8);
        assert!((normal_quantile(0.9999) - 3.719_016_485).abs() < 1e-7);
    }

    #[test]
    fn percentile_interval_reads_quantiles() {
        let replicates: Vec<f64> = (0..=100).rev().map(f64::from).collect();
        let bootstrap = Bootstrap {
            level: 0.9,
            ..Bootstrap::default()
        };
        let estimate = bootstrap.interval(50.0, &replicates);
        assert!((estimate.ci_low - 5.0).abs() < 1e-9 && (estimate.ci_high - 95.0).abs() < 1e-9);
        assert!(estimate.covers(50.0) && !estimate.covers(96.0));
        let normal = Bootstrap {
            method: CiMethod::Normal,
            ..Bootstrap::default()
        }
        .interval(1.0, &[0.0, 2.0, f64::NAN]);
        // sd of {0, 2} is sqrt(2); the NaN replicate is ignored.
        let half = 1.959_963_985 * 2f64.sqrt();
        assert!((normal.ci_high - (1.0 + half)).abs() < 1e-7);
        assert!(bootstrap.interval(1.0, &[f64::NAN]).ci_low.is_nan());
    }
}
