//! Summary statistics of a sample of replicate values: mean, standard deviation, a 95%
//! confidence interval of the mean from Student's t, median and count.
//!
//! A replicate whose measure is undefined (NaN, for example `grind` in a run where no help
//! started) is skipped and not counted in `n`. Everything here is sequential and order-stable so
//! the same values give the same bits whatever thread produced them.

/// Summary of one measure across replicates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Values that were not NaN.
    pub n: u32,
    /// NaN when `n` is 0.
    pub mean: f64,
    /// Sample standard deviation (divisor `n - 1`); NaN when `n < 2`.
    pub sd: f64,
    /// 95% confidence interval of the mean, `mean ± t(0.975, n-1) · sd / √n`; NaN when `n < 2`,
    /// as one replicate says nothing of the spread (written NA, not "6.0 to 6.0").
    pub ci_low: f64,
    pub ci_high: f64,
    /// NaN when `n` is 0.
    pub median: f64,
}

impl Summary {
    /// Summarises a sample, skipping NaN values.
    pub fn of(values: &[f64]) -> Summary {
        let mut finite_or_infinite: Vec<f64> = values
            .iter()
            .copied()
            .filter(|value| !value.is_nan())
            .collect();
        let n = finite_or_infinite.len();
        if n == 0 {
            return Summary {
                n: 0,
                mean: f64::NAN,
                sd: f64::NAN,
                ci_low: f64::NAN,
                ci_high: f64::NAN,
                median: f64::NAN,
            };
        }
        let count = n as f64;
        let mean = finite_or_infinite.iter().sum::<f64>() / count;
        finite_or_infinite.sort_by(f64::total_cmp);
        let median = median_of_sorted(&finite_or_infinite);
        if n == 1 {
            return Summary {
                n: 1,
                mean,
                sd: f64::NAN,
                ci_low: f64::NAN,
                ci_high: f64::NAN,
                median,
            };
        }
        let sum_of_squares: f64 = finite_or_infinite
            .iter()
            .map(|value| (value - mean) * (value - mean))
            .sum();
        let sd = (sum_of_squares / (count - 1.0)).sqrt();
        let half_width = student_t_975(n as u32 - 1) * sd / count.sqrt();
        Summary {
            n: n as u32,
            mean,
            sd,
            ci_low: mean - half_width,
            ci_high: mean + half_width,
            median,
        }
    }
}

/// The median of a sample, skipping NaN values; NaN if none is left.
pub fn median(values: &[f64]) -> f64 {
    let mut kept: Vec<f64> = values
        .iter()
        .copied()
        .filter(|value| !value.is_nan())
        .collect();
    kept.sort_by(f64::total_cmp);
    median_of_sorted(&kept)
}

/// The mean of a sample, skipping NaN values; NaN if none is left.
pub fn mean(values: &[f64]) -> f64 {
    let (sum, count) = values
        .iter()
        .filter(|value| !value.is_nan())
        .fold((0.0, 0u32), |(sum, count), value| (sum + value, count + 1));
    if count == 0 {
        f64::NAN
    } else {
        sum / f64::from(count)
    }
}

fn median_of_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// Student's t 0.975 quantile for 1 to 30 degrees of freedom (R's `qt(0.975, df)`).
const STUDENT_T_975_BY_DF: [f64; 30] = [
    12.706_205, 4.302_653, 3.182_446, 2.776_445, 2.570_582, 2.446_912, 2.364_624, 2.306_004,
    2.262_157, 2.228_139, 2.200_985, 2.178_813, 2.160_369, 2.144_787, 2.131_450, 2.119_905,
    2.109_816, 2.100_922, 2.093_024, 2.085_963, 2.079_614, 2.073_873, 2.068_658, 2.063_899,
    2.059_539, 2.055_529, 2.051_831, 2.048_407, 2.045_230, 2.042_272,
];

/// The 0.975 quantile of Student's t with `degrees_of_freedom` (at least 1): a table up to 30,
/// beyond it the Cornish–Fisher expansion around the normal quantile (error below 1e-6).
pub fn student_t_975(degrees_of_freedom: u32) -> f64 {
    assert!(
        degrees_of_freedom >= 1,
        "Student's t needs at least one degree of freedom"
    );
    if let Some(tabled) = STUDENT_T_975_BY_DF.get(degrees_of_freedom as usize - 1) {
        return *tabled;
    }
    let z: f64 = 1.959_963_984_540_054;
    let nu = f64::from(degrees_of_freedom);
    let z3 = z.powi(3);
    let z5 = z.powi(5);
    let z7 = z.powi(7);
    let z9 = z.powi(9);
    z + (z3 + z) / (4.0 * nu)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * nu.powi(2))
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * nu.powi(3))
        + (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z) / (92_160.0 * nu.powi(4))
}

/// Two-sided p-value of Student's t with `df` degrees of freedom: `I_{df/(df+t²)}(df/2, 1/2)`.
pub fn two_sided_p(t: f64, df: f64) -> f64 {
    if !t.is_finite() {
        return 0.0;
    }
    regularized_incomplete_beta(df / (df + t * t), df / 2.0, 0.5)
}

/// The quantile of Student's t with `df` degrees of freedom at probability `p` (0.5 < p < 1), by
/// bisection on the distribution function.
pub fn student_t_quantile(p: f64, df: f64) -> f64 {
    let tail = 2.0 * (1.0 - p);
    let (mut low, mut high) = (0.0_f64, 1000.0_f64);
    for _ in 0..200 {
        let mid = 0.5 * (low + high);
        if two_sided_p(mid, df) > tail {
            low = mid;
        } else {
            high = mid;
        }
    }
    0.5 * (low + high)
}

/// `I_x(a, b)` by its continued fraction (Numerical Recipes, 3rd ed., section 6.4).
fn regularized_incomplete_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    let front = ln_front.exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(x, a, b) / a
    } else {
        1.0 - front * beta_fraction(1.0 - x, b, a) / b
    }
}

fn beta_fraction(x: f64, a: f64, b: f64) -> f64 {
    // Lentz's method: a denominator of exactly zero is nudged to a tiny number.
    let nudged = |v: f64| if v.abs() < 1e-300 { 1e-300 } else { v };
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 / nudged(1.0 - qab * x / qap);
    let mut h = d;
    for m in 1..300 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        // The even step, then the odd step, of the continued fraction.
        let even = m * (b - m) * x / ((qam + m2) * (a + m2));
        let odd = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        let mut step = 1.0;
        for aa in [even, odd] {
            d = 1.0 / nudged(1.0 + aa * d);
            c = nudged(1.0 + aa / c);
            step = d * c;
            h *= step;
        }
        if (step - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, nine coefficients).
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection.
        std::f64::consts::PI.ln() - (std::f64::consts::PI * x).sin().ln() - ln_gamma(1.0 - x)
    } else {
        let x = x - 1.0;
        let mut sum = G[0];
        for (i, g) in G.iter().enumerate().skip(1) {
            sum += g / (x + i as f64);
        }
        let t = x + 7.5;
        0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_close(actual: f64, expected: f64, tolerance: f64) {
        assert!(
            (actual - expected).abs() < tolerance,
            "{actual} != {expected}"
        );
    }

    /// P(T <= t) for Student's t by Simpson's rule on the substitution x = √ν·tan θ, under which
    /// the density is proportional to cos^(ν-1) θ on (-π/2, π/2).
    fn student_t_cdf(t: f64, degrees_of_freedom: u32) -> f64 {
        let exponent = degrees_of_freedom as i32 - 1;
        let integrate = |upper: f64| {
            let steps = 20_000;
            let width = upper / f64::from(steps);
            let mut total = 0.0;
            for step in 0..=steps {
                let weight = if step == 0 || step == steps {
                    1.0
                } else if step % 2 == 1 {
                    4.0
                } else {
                    2.0
                };
                total += weight * (f64::from(step) * width).cos().powi(exponent);
            }
            total * width / 3.0
        };
        let theta = (t / f64::from(degrees_of_freedom).sqrt()).atan();
        0.5 + 0.5 * integrate(theta) / integrate(std::f64::consts::FRAC_PI_2)
    }

    #[test]
    fn t_quantiles_have_probability_0975() {
        for degrees_of_freedom in [1, 2, 3, 5, 10, 17, 29, 30, 31, 40, 60, 120, 500] {
            let quantile = student_t_975(degrees_of_freedom);
            assert_close(student_t_cdf(quantile, degrees_of_freedom), 0.975, 2e-7);
        }
        assert!(student_t_975(100_000) > 1.95996 && student_t_975(100_000) < 1.96);
    }

    #[test]
    fn expansion_joins_the_table_smoothly() {
        let at_30_from_table = student_t_975(30);
        let at_31 = student_t_975(31);
        assert!(at_31 < at_30_from_table && at_30_from_table - at_31 < 0.004);
    }

    #[test]
    fn summary_of_a_small_sample() {
        let summary = Summary::of(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!(summary.n, 8);
        assert_close(summary.mean, 5.0, 1e-12);
        // Sum of squared deviations 32, divided by 7.
        assert_close(summary.sd, (32.0f64 / 7.0).sqrt(), 1e-12);
        let half_width = 2.364_624 * (32.0f64 / 7.0).sqrt() / 8.0f64.sqrt();
        assert_close(summary.ci_low, 5.0 - half_width, 1e-12);
        assert_close(summary.ci_high, 5.0 + half_width, 1e-12);
        assert_close(summary.median, 4.5, 1e-12);
    }

    #[test]
    fn nan_values_are_skipped_and_not_counted() {
        let summary = Summary::of(&[1.0, f64::NAN, 3.0, f64::NAN, 2.0]);
        assert_eq!(summary.n, 3);
        assert_close(summary.mean, 2.0, 1e-12);
        assert_close(summary.median, 2.0, 1e-12);
        assert_close(summary.sd, 1.0, 1e-12);
        assert_close(mean(&[f64::NAN, 4.0]), 4.0, 1e-12);
        assert_close(median(&[f64::NAN, 4.0, 1.0]), 2.5, 1e-12);
    }

    #[test]
    fn one_value_gives_no_interval() {
        let summary = Summary::of(&[f64::NAN, 3.5]);
        assert_eq!(summary.n, 1);
        assert_eq!((summary.mean, summary.median), (3.5, 3.5));
        assert!(summary.sd.is_nan());
        assert!(summary.ci_low.is_nan() && summary.ci_high.is_nan());
    }

    #[test]
    fn no_values_give_nan() {
        let summary = Summary::of(&[f64::NAN]);
        assert_eq!(summary.n, 0);
        assert!(summary.mean.is_nan() && summary.ci_low.is_nan() && summary.median.is_nan());
        assert!(mean(&[]).is_nan());
        assert!(median(&[]).is_nan());
    }
    // The t distribution against tabled values.
    #[test]
    fn t_quantiles_and_p_values_match_the_tables() {
        assert!((student_t_quantile(0.975, 10.0) - 2.228).abs() < 1e-3);
        assert!((student_t_quantile(0.95, 39.0) - 1.685).abs() < 1e-3);
        assert!((student_t_quantile(0.975, 1.0) - 12.706).abs() < 1e-2);
        // The settling check's Bonferroni level over 54 points (R: qt(1 - 0.025/54, 9)).
        assert!((student_t_quantile(1.0 - 0.025 / 54.0, 9.0) - 4.836_176).abs() < 1e-3);
        assert!((two_sided_p(2.086, 20.0) - 0.05).abs() < 1e-3);
        assert!((two_sided_p(0.0, 5.0) - 1.0).abs() < 1e-12);
    }
}
