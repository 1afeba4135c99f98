//! Partial rank correlation coefficients (Marino, Hogue, Ray and Kirschner 2008, *J Theor Biol*
//! 254: 178–196): which parameters decide an output over a Latin hypercube, each with the others'
//! (monotone) effects removed.
//!
//! The parameters and the output are replaced by their ranks (ties share the mean rank). For
//! parameter `j`, the ranks of `x_j` and of `y` are each regressed (least squares, with an
//! intercept) on the ranks of the other parameters; the PRCC is the Pearson correlation of the two
//! residuals. Under no association `T = r √((N − 2 − p) / (1 − r²))` follows Student's t with
//! `N − 2 − p` degrees of freedom, `p` the number of other parameters (Marino et al., eq. 8); the
//! p-value is two-sided. With `N ≤ p + 2` there are no degrees of freedom and every PRCC is NaN.

use crate::metrics::stats::two_sided_p;

/// One parameter's PRCC with the output and its two-sided p-value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prcc {
    pub coefficient: f64,
    pub p_value: f64,
}

/// PRCC of `output` with each column of `inputs` (`inputs[i]` is row `i`: one sample's parameter
/// values; every row as long). Rows whose output is not finite are left out first.
pub fn prcc(inputs: &[Vec<f64>], output: &[f64]) -> Vec<Prcc> {
    let columns = inputs.first().map_or(0, Vec::len);
    let kept: Vec<usize> = (0..output.len().min(inputs.len()))
        .filter(|&i| output[i].is_finite())
        .collect();
    let n = kept.len();
    let undefined = Prcc {
        coefficient: f64::NAN,
        p_value: f64::NAN,
    };
    if columns == 0 || n < columns + 2 {
        return vec![undefined; columns];
    }
    let ranked: Vec<Vec<f64>> = (0..columns)
        .map(|j| ranks(&kept.iter().map(|&i| inputs[i][j]).collect::<Vec<_>>()))
        .collect();
    let y = ranks(&kept.iter().map(|&i| output[i]).collect::<Vec<_>>());
    let df = (n - 2 - (columns - 1)) as f64;
    (0..columns)
        .map(|j| {
            let others: Vec<&[f64]> = (0..columns)
                .filter(|&k| k != j)
                .map(|k| ranked[k].as_slice())
                .collect();
            let rx = residuals(&ranked[j], &others);
            let ry = residuals(&y, &others);
            let r = correlation(&rx, &ry);
            if !r.is_finite() {
                return undefined;
            }
            let t = r * (df / (1.0 - r * r).max(f64::MIN_POSITIVE)).sqrt();
            Prcc {
                coefficient: r,
                p_value: two_sided_p(t, df),
            }
        })
        .collect()
}

/// Ranks 1..n, ties sharing their mean rank.
pub fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        let mean_rank = (start + end + 1) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = mean_rank;
        }
        start = end;
    }
    ranks
}

/// Residuals of the least-squares fit of `y` on `columns` with an intercept (normal equations,
/// solved by Gaussian elimination with partial pivoting; a singular column is dropped).
fn residuals(y: &[f64], columns: &[&[f64]]) -> Vec<f64> {
    let k = columns.len() + 1;
    // Each row of the design: the intercept, then the columns.
    let rows: Vec<Vec<f64>> = (0..y.len())
        .map(|i| {
            std::iter::once(1.0)
                .chain(columns.iter().map(|c| c[i]))
                .collect()
        })
        .collect();
    // Normal equations [X'X | X'y].
    let mut a = vec![vec![0.0; k + 1]; k];
    for (row, &yi) in rows.iter().zip(y) {
        for (equation, &xr) in a.iter_mut().zip(row) {
            for (cell, &xc) in equation.iter_mut().zip(row) {
                *cell += xr * xc;
            }
            equation[k] += xr * yi;
        }
    }
    let scale = a
        .iter()
        .map(|row| row[..k].iter().fold(0.0_f64, |m, v| m.max(v.abs())))
        .fold(0.0_f64, f64::max);
    let mut used = vec![false; k];
    for col in 0..k {
        let pivot = (col..k)
            .max_by(|&p, &q| a[p][col].abs().total_cmp(&a[q][col].abs()))
            .unwrap_or(col);
        if a[pivot][col].abs() <= 1e-12 * scale.max(1.0) {
            continue;
        }
        a.swap(col, pivot);
        used[col] = true;
        let pivot_row = a[col].clone();
        for (r, equation) in a.iter_mut().enumerate() {
            let factor = equation[col] / pivot_row[col];
            if r != col && factor != 0.0 {
                for (cell, &p) in equation.iter_mut().zip(&pivot_row).skip(col) {
                    *cell -= factor * p;
                }
            }
        }
    }
    let beta: Vec<f64> = (0..k)
        .map(|c| if used[c] { a[c][k] / a[c][c] } else { 0.0 })
        .collect();
    rows.iter()
        .zip(y)
        .map(|(row, yi)| yi - row.iter().zip(&beta).map(|(x, b)| x * b).sum::<f64>())
        .collect()
}

/// Pearson correlation; NaN when either side is constant.
fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma).powi(2);
        sbb += (y - mb).powi(2);
    }
    if saa <= 0.0 || sbb <= 0.0 {
        return f64::NAN;
    }
    (sab / (saa * sbb).sqrt()).clamp(-1.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn ranks_share_ties() {
        assert_eq!(ranks(&[3.0, 1.0, 2.0, 1.0]), vec![4.0, 1.5, 3.0, 1.5]);
    }

    // y = x1 + noise with x2 irrelevant and x3 decreasing y: x1's PRCC is near 1 and significant,
    // x3's clearly negative, x2's near 0 and not significant.
    #[test]
    fn prcc_finds_the_parameter_that_decides_the_output() {
        let mut rng = crate::model::rng::stream(7, "test.prcc", 0);
        let n = 200;
        let inputs: Vec<Vec<f64>> = (0..n)
            .map(|_| (0..3).map(|_| rng.random::<f64>()).collect())
            .collect();
        let output: Vec<f64> = inputs
            .iter()
            .map(|x| x[0] - 0.5 * x[2] + 0.1 * (rng.random::<f64>() - 0.5))
            .collect();
        let result = prcc(&inputs, &output);
        assert!(result[0].coefficient > 0.9, "{result:?}");
        assert!(result[0].p_value < 1e-6, "{result:?}");
        assert!(result[1].coefficient.abs() < 0.2, "{result:?}");
        assert!(result[1].p_value > 0.01, "{result:?}");
        assert!(result[2].coefficient < -0.8, "{result:?}");
        // A monotone but non-linear effect is found as well as a linear one.
        let cubed: Vec<f64> = output.iter().map(|y| y.powi(3)).collect();
        let again = prcc(&inputs, &cubed);
        assert!((again[0].coefficient - result[0].coefficient).abs() < 1e-12);
    }

    // Too few samples for the parameters, and outputs that are not numbers, give NaN, not a panic.
    #[test]
    fn too_few_samples_give_nan() {
        let inputs = vec![
            vec![0.1, 0.2],
            vec![0.3, 0.1],
            vec![0.5, 0.9],
            vec![0.2, 0.4],
        ];
        assert!(
            prcc(&inputs, &[1.0, 2.0, 3.0, 4.0])[0]
                .coefficient
                .is_finite()
        );
        assert!(
            prcc(&inputs, &[1.0, f64::NAN, 3.0, 4.0])[0]
                .coefficient
                .is_nan()
        );
    }
}
