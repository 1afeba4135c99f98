//! Welch's graphical method for the warm-up period (Welch 1983; Law and Kelton, *Simulation
//! Modeling and Analysis*, chapter 9): run replicates with no warm-up over a long horizon,
//! average each weekly series over the replicates week by week, smooth the averages with a
//! centred moving average, and read off the week from which the smoothed series has reached its
//! steady level.
//!
//! **Smoothing.** With window `w` (`WINDOW_WEEKS`, 26), the smoothed value at week `i` is the
//! mean of the averages at weeks `i - w ..= i + w` (53 weeks, one school year and a week, so the
//! term and holiday pattern is averaged out); near the start, where fewer than `w` weeks precede
//! week `i`, the window shrinks symmetrically to weeks `0 ..= 2i` (Law and Kelton's rule). The
//! smoothed series is defined for weeks `0 .. m - w` of an `m`-week run.
//!
//! **Reading the warm-up.** The steady level is the mean of the replicate averages over the last
//! half of the horizon; the band is ± `BAND` (5%) of it. The suggested warm-up is the first week
//! from which the smoothed series stays within the band to its last defined week. A series that
//! ends outside the band (still drifting at the horizon) has no suggested warm-up (`None`): the
//! horizon is too short to see it settle. A series with a level of zero is in the band only where
//! its smoothed value is zero. NaN weeks (a caseload with no social worker in post) are left out of
//! the averages and the smoothing.
//!
//! Pure functions, sequential: the same runs give the same bits on any thread count.

use crate::metrics::settle::Series;
use crate::model::RunOutput;

/// Half-width of the moving average in weeks: the window spans 53 weeks, a school year.
pub const WINDOW_WEEKS: usize = 26;

/// Half-width of the band around the steady level, as a share of the level.
pub const BAND: f64 = 0.05;

/// One series through Welch's method.
#[derive(Debug, Clone, PartialEq)]
pub struct WelchSeries {
    pub series: Series,
    /// Week by week, the mean over replicates (NaN where no replicate is defined).
    pub mean: Vec<f64>,
    /// The moving average of `mean`, for weeks `0 .. mean.len() - w` (shorter than `mean`).
    pub smoothed: Vec<f64>,
    /// Mean of `mean` over the last half of the horizon.
    pub level: f64,
    /// First week from which `smoothed` stays within `level × (1 ± BAND)`; `None` when it ends
    /// outside the band.
    pub warmup_weeks: Option<u32>,
}

/// The mean over `replicates` of each week's value (NaN values left out; NaN where none is left).
pub fn replicate_means(replicates: &[Vec<f64>]) -> Vec<f64> {
    let weeks = replicates.iter().map(Vec::len).max().unwrap_or(0);
    (0..weeks)
        .map(|week| {
            let values: Vec<f64> = replicates
                .iter()
                .filter_map(|series| series.get(week).copied())
                .collect();
            crate::metrics::stats::mean(&values)
        })
        .collect()
}

/// Welch's moving average of `series` with half-width `window` (see the module's comment); NaN
/// values are left out of each window's mean.
pub fn moving_average(series: &[f64], window: usize) -> Vec<f64> {
    let defined = series.len().saturating_sub(window);
    (0..defined)
        .map(|week| {
            let half = week.min(window);
            crate::metrics::stats::mean(&series[week - half..=week + half])
        })
        .collect()
}

/// The first index from which every value of `smoothed` is within `level × (1 ± band)`; `None`
/// when the last value is outside (or there is none).
pub fn first_week_within_band(smoothed: &[f64], level: f64, band: f64) -> Option<u32> {
    let half_width = band * level.abs();
    let inside = |value: f64| (value - level).abs() <= half_width;
    let outside_from_end = smoothed
        .iter()
        .rposition(|value| !inside(*value))
        .map_or(0, |last_outside| last_outside + 1);
    (outside_from_end < smoothed.len()).then_some(outside_from_end as u32)
}

/// Welch's method on one series given week by week for each replicate.
pub fn welch(series: Series, replicates: &[Vec<f64>], window: usize) -> WelchSeries {
    let mean = replicate_means(replicates);
    let smoothed = moving_average(&mean, window);
    let level = crate::metrics::stats::mean(&mean[mean.len() / 2..]);
    let warmup_weeks = first_week_within_band(&smoothed, level, BAND);
    WelchSeries {
        series,
        mean,
        smoothed,
        level,
        warmup_weeks,
    }
}

/// Welch's method on every series of `Series::ALL` over finished runs (every week of each run,
/// the warm-up included), with `WINDOW_WEEKS`.
pub fn welch_of_runs(outputs: &[RunOutput]) -> Vec<WelchSeries> {
    Series::ALL
        .iter()
        .map(|series| {
            let replicates: Vec<Vec<f64>> = outputs
                .iter()
                .map(|output| output.weeks.iter().map(|week| series.value(week)).collect())
                .collect();
            welch(*series, &replicates, WINDOW_WEEKS)
        })
        .collect()
}

/// The warm-up to use: the longest suggested over `series`, `None` if any series has none.
pub fn suggested_warmup(series: &[WelchSeries]) -> Option<u32> {
    series
        .iter()
        .map(|series| series.warmup_weeks)
        .try_fold(0, |longest, weeks| weeks.map(|weeks| longest.max(weeks)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::is_term_week;

    #[test]
    fn the_moving_average_shrinks_its_window_at_the_start() {
        let series: Vec<f64> = (0..10).map(f64::from).collect();
        // Window 2: week 0 alone, week 1 over 0..=2, then 5 weeks centred; defined to week 7.
        let smoothed = moving_average(&series, 2);
        assert_eq!(smoothed, vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]);
        let bumpy = [0.0, 10.0, 0.0, 10.0, 0.0, 10.0];
        assert_eq!(
            moving_average(&bumpy, 1),
            vec![0.0, 10.0 / 3.0, 20.0 / 3.0, 10.0 / 3.0, 20.0 / 3.0]
        );
        assert!(moving_average(&bumpy, 6).is_empty());
    }

    #[test]
    fn means_leave_out_nan_and_missing_weeks() {
        let means = replicate_means(&[vec![1.0, f64::NAN, 3.0], vec![3.0, f64::NAN]]);
        assert_eq!(means[0], 2.0);
        assert!(means[1].is_nan());
        assert_eq!(means[2], 3.0);
    }

    #[test]
    fn the_band_is_entered_for_good() {
        // Enters the band at index 2, leaves it at 4, back for good at 5.
        let smoothed = [0.0, 50.0, 98.0, 101.0, 120.0, 104.0, 100.0];
        assert_eq!(first_week_within_band(&smoothed, 100.0, 0.05), Some(5));
        assert_eq!(
            first_week_within_band(&[100.0, 100.0], 100.0, 0.05),
            Some(0)
        );
        assert_eq!(first_week_within_band(&[100.0, 90.0], 100.0, 0.05), None);
        assert_eq!(first_week_within_band(&[], 100.0, 0.05), None);
        assert_eq!(first_week_within_band(&[1.0, 0.0], 0.0, 0.05), Some(1));
    }

    #[test]
    fn an_exponential_approach_gives_a_warmup_where_it_enters_the_band() {
        // 30 replicates of 100·(1 - e^(-week/40)) over 520 weeks, times a term/holiday pattern
        // (1.15 in term, 0.75 in holidays: a mean of 1.05 over a school year) plus ±10 noise.
        // Without the pattern and the noise the curve enters the 5% band where e^(-week/40) =
        // 0.05, at week 40·ln 20 = 119.8. The 53-week moving average removes the pattern; on a
        // concave rise it lies a little below the curve, so it enters the band a few weeks later;
        // the noise left after averaging 30 replicates over 53 weeks is about 0.1, a tenth of a
        // week's rise at week 120. So the suggested warm-up must fall within 115..135 weeks and
        // the level within 1 of 105; a method that smoothed wrongly, misplaced the band or read
        // the first entry instead of the last fails.
        let replicates: Vec<Vec<f64>> = (0..30u64)
            .map(|replicate| {
                (0..520u32)
                    .map(|week| {
                        let approach = 100.0 * (1.0 - (-f64::from(week) / 40.0).exp());
                        let season = if is_term_week(week) { 1.15 } else { 0.75 };
                        let bits = crate::model::rng::mix64((replicate << 32) ^ u64::from(week));
                        let noise = (bits >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0;
                        approach * season + 10.0 * noise
                    })
                    .collect()
            })
            .collect();
        let result = welch(Series::OpenCases, &replicates, WINDOW_WEEKS);
        assert_eq!(result.smoothed.len(), 520 - WINDOW_WEEKS);
        let season_mean = (39.0 * 1.15 + 13.0 * 0.75) / 52.0;
        assert!(
            (result.level - 100.0 * season_mean).abs() < 1.0,
            "{}",
            result.level
        );
        let warmup = result.warmup_weeks.expect("the curve settles");
        assert!((115..=135).contains(&warmup), "warm-up {warmup}");
        assert_eq!(
            suggested_warmup(std::slice::from_ref(&result)),
            Some(warmup)
        );
    }

    #[test]
    fn a_series_still_rising_at_the_horizon_has_no_warmup() {
        let rising: Vec<Vec<f64>> = vec![(0..520).map(|week| 10.0 + f64::from(week)).collect()];
        let result = welch(Series::WaitingForHelp, &rising, WINDOW_WEEKS);
        assert_eq!(result.warmup_weeks, None);
        let flat = welch(Series::OpenCases, &[vec![5.0; 520]], WINDOW_WEEKS);
        assert_eq!(flat.warmup_weeks, Some(0));
        assert_eq!(suggested_warmup(&[flat.clone(), result]), None);
        assert_eq!(suggested_warmup(&[flat]), Some(0));
    }
}
