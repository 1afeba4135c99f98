//! Has the run's world settled? A check, over the measured weeks, that the weekly series which
//! should be in a steady state (children waiting for help, open cases, mean tie strength, social
//! worker caseload) are not still drifting, so that a measure averaged over those weeks does not
//! depend on how long the run was.
//!
//! **Method.** For each replicate and series, the ordinary least-squares slope of the series on
//! the week number over the measured weeks (`warmup_weeks..horizon_weeks`, weeks whose value is
//! NaN left out), with the school calendar taken out (below), is turned into the change the fitted line makes from the first to the last
//! measured week, relative to the series' mean over those weeks: the *relative drift* (0.35: the
//! series rises by 35% of its level across the measured weeks). Across replicates, the mean
//! relative drift gets a 95% confidence interval from Student's t (`stats::Summary`). A series
//! has **not settled** when its interval excludes zero *and* the mean drift's magnitude exceeds
//! `RELATIVE_TOLERANCE` (10%): results should agree within 10% whatever the horizon, so a drift
//! too small to matter is tolerated however sure we are of it, and a large one that the
//! replicates cannot tell from zero is noise. With one replicate there is no interval: the series
//! is judged on the magnitude alone (`Basis::MagnitudeOnly`, said in every report).
//!
//! Edge cases. A series whose mean over the measured weeks is zero has no relative drift unless
//! it is flat (drift 0); a replicate whose drift is undefined (a zero mean that is not flat, fewer
//! than two defined weeks) is left out of the mean and the interval; a series undefined in every
//! replicate cannot be judged (`Basis::Undefined`) and is not reported as unsettled.
//!
//! **The school calendar.** Every replicate follows the same calendar (a year of term, then the
//! summer holiday), so a term-time pattern would pass through a plain slope into the mean drift
//! with every replicate agreeing: over three school years a ±30% pattern alone fits a line that
//! falls by about 9%. When the measured weeks span at least two school years, the slope is
//! therefore fitted with a level for each week of the school year (by Frisch–Waugh–Lovell: the
//! week number and the series are centred within each week of the year, then regressed), so it
//! measures only the change from one year to the next. A shorter window cannot tell a trend from
//! the calendar, and the plain slope is used.
//!
//! Everything here is a pure function of finished runs, sequential and order-stable, so the same
//! runs give the same bits whatever thread produced them.

use std::ops::Range;

use crate::calendar::{WEEKS_PER_YEAR, week_of_year};
use crate::metrics::stats::Summary;
use crate::model::{RunOutput, WeekRecord};

/// The practical tolerance: a relative drift across the measured weeks smaller than this (10%)
/// is accepted as settled even when it is certainly not zero.
pub const RELATIVE_TOLERANCE: f64 = 0.10;

/// A weekly series the check looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Series {
    WaitingForHelp,
    OpenCases,
    MeanTieStrength,
    SocialWorkerCaseload,
}

impl Series {
    /// Every series checked, in report order.
    pub const ALL: [Series; 4] = [
        Series::WaitingForHelp,
        Series::OpenCases,
        Series::MeanTieStrength,
        Series::SocialWorkerCaseload,
    ];

    /// The series' name: the `WeekRecord` field (and `weekly.csv` column where there is one).
    pub fn name(self) -> &'static str {
        match self {
            Series::WaitingForHelp => "waiting_for_help",
            Series::OpenCases => "open_cases",
            Series::MeanTieStrength => "mean_tie_strength",
            Series::SocialWorkerCaseload => "social_worker_caseload",
        }
    }

    /// The series' value in one week (NaN when undefined, as a caseload with no social worker).
    pub fn value(self, week: &WeekRecord) -> f64 {
        match self {
            Series::WaitingForHelp => f64::from(week.waiting_for_help),
            Series::OpenCases => f64::from(week.open_cases),
            Series::MeanTieStrength => week.mean_tie_strength,
            Series::SocialWorkerCaseload => week.social_worker_caseload,
        }
    }
}

/// One replicate's trend in one series over the measured weeks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trend {
    /// Mean of the series over the measured weeks (NaN if no week is defined).
    pub level: f64,
    /// OLS slope per week (NaN with fewer than two defined weeks).
    pub slope_per_week: f64,
    /// The fitted line's change from the first to the last measured week over `level`; NaN when
    /// undefined (see the module's comment).
    pub relative_drift: f64,
}

impl Trend {
    const UNDEFINED: Trend = Trend {
        level: f64::NAN,
        slope_per_week: f64::NAN,
        relative_drift: f64::NAN,
    };

    /// The trend of `(week, value)` points; points whose value is NaN are left out.
    pub fn of(points: impl IntoIterator<Item = (f64, f64)>) -> Trend {
        let points: Vec<(f64, f64)> = points
            .into_iter()
            .filter(|(_, value)| !value.is_nan())
            .collect();
        let count = points.len() as f64;
        if points.is_empty() {
            return Trend::UNDEFINED;
        }
        let level = points.iter().map(|(_, value)| value).sum::<f64>() / count;
        let first = points
            .iter()
            .map(|(week, _)| *week)
            .fold(f64::INFINITY, f64::min);
        let last = points
            .iter()
            .map(|(week, _)| *week)
            .fold(f64::NEG_INFINITY, f64::max);
        let year = f64::from(WEEKS_PER_YEAR);
        let centred = if last - first + 1.0 >= 2.0 * year {
            centred_within_week_of_year(&points)
        } else {
            let mean_week = points.iter().map(|(week, _)| week).sum::<f64>() / count;
            points
                .iter()
                .map(|(week, value)| (week - mean_week, value - level))
                .collect()
        };
        let spread: f64 = centred.iter().map(|(week, _)| week * week).sum();
        if points.len() < 2 || spread <= 0.0 {
            return Trend {
                level,
                ..Trend::UNDEFINED
            };
        }
        let covariance: f64 = centred.iter().map(|(week, value)| week * value).sum();
        let slope_per_week = covariance / spread;
        let change = slope_per_week * (last - first);
        let relative_drift = if level != 0.0 {
            change / level.abs()
        } else if points.iter().all(|(_, value)| *value == 0.0) {
            0.0
        } else {
            f64::NAN
        };
        Trend {
            level,
            slope_per_week,
            relative_drift,
        }
    }
}

/// `(week, value)` points with each centred on its week of the school year's mean (weeks are
/// whole numbers from the first September; `calendar::week_of_year`).
fn centred_within_week_of_year(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let year = WEEKS_PER_YEAR as usize;
    let class = |week: f64| week_of_year(week as u32) as usize % year;
    let mut sums = vec![(0.0, 0.0, 0.0); year];
    for (week, value) in points {
        let sum = &mut sums[class(*week)];
        *sum = (sum.0 + week, sum.1 + value, sum.2 + 1.0);
    }
    points
        .iter()
        .map(|(week, value)| {
            let (weeks, values, count) = sums[class(*week)];
            (week - weeks / count, value - values / count)
        })
        .collect()
}

/// Each series' trend (in `Series::ALL` order) over the weeks of `window` in one run's records.
pub fn trends(weeks: &[WeekRecord], window: Range<u32>) -> [Trend; 4] {
    Series::ALL.map(|series| {
        Trend::of(
            weeks
                .iter()
                .filter(|week| window.contains(&week.week))
                .map(|week| (f64::from(week.week), series.value(week))),
        )
    })
}

/// Each series' trend over a finished run's measured weeks (`warmup_weeks..horizon_weeks`).
pub fn run_trends(output: &RunOutput) -> [Trend; 4] {
    trends(&output.weeks, output.warmup_weeks..output.horizon_weeks)
}

/// What a series' verdict rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// Two or more replicates: the 95% confidence interval and the tolerance.
    ConfidenceInterval,
    /// One replicate: the magnitude of its drift alone, no interval.
    MagnitudeOnly,
    /// No replicate had a defined drift: nothing to judge, not reported as unsettled.
    Undefined,
}

impl Basis {
    /// The basis as written in `metadata.json`.
    pub fn key(self) -> &'static str {
        match self {
            Basis::ConfidenceInterval => "confidence_interval",
            Basis::MagnitudeOnly => "magnitude_only",
            Basis::Undefined => "undefined",
        }
    }
}

/// The verdict on one series across replicates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeriesSettling {
    pub series: Series,
    /// Mean over replicates of the series' mean in the measured weeks.
    pub level: f64,
    /// Mean relative drift over the replicates where it is defined.
    pub relative_drift: f64,
    /// Its 95% confidence interval (Student's t); both equal to the drift with one replicate,
    /// NaN with none.
    pub ci_low: f64,
    pub ci_high: f64,
    /// Replicates whose drift is defined.
    pub replicates: u32,
    pub basis: Basis,
    pub settled: bool,
}

impl SeriesSettling {
    /// Judges one series from its replicates' trends (NaN drifts left out).
    pub fn judge(series: Series, trends: &[Trend]) -> SeriesSettling {
        let levels: Vec<f64> = trends.iter().map(|trend| trend.level).collect();
        let drifts: Vec<f64> = trends.iter().map(|trend| trend.relative_drift).collect();
        let drift = Summary::of(&drifts);
        let large = drift.mean.abs() > RELATIVE_TOLERANCE;
        let (basis, settled) = match drift.n {
            0 => (Basis::Undefined, true),
            1 => (Basis::MagnitudeOnly, !large),
            _ => {
                let excludes_zero = drift.ci_low > 0.0 || drift.ci_high < 0.0;
                (Basis::ConfidenceInterval, !(excludes_zero && large))
            }
        };
        SeriesSettling {
            series,
            level: Summary::of(&levels).mean,
            relative_drift: drift.mean,
            ci_low: drift.ci_low,
            ci_high: drift.ci_high,
            replicates: drift.n,
            basis,
            settled,
        }
    }

    /// The drift in words: `waiting_for_help rises 35% across the measured weeks (95% CI 28% to
    /// 41%)`, a fall's interval in the same sense (`falls 47% ... (95% CI 31% to 63%)`), or
    /// `(one replicate, no confidence interval)`.
    pub fn describe(&self) -> String {
        let percent = |value: f64| format!("{:.0}%", value * 100.0);
        let (direction, low, high) = if self.relative_drift >= 0.0 {
            ("rises", self.ci_low, self.ci_high)
        } else {
            ("falls", -self.ci_high, -self.ci_low)
        };
        let evidence = match self.basis {
            Basis::ConfidenceInterval => format!("95% CI {} to {}", percent(low), percent(high)),
            Basis::MagnitudeOnly => "one replicate, no confidence interval".to_string(),
            Basis::Undefined => "undefined in every replicate".to_string(),
        };
        format!(
            "{} {direction} {} across the measured weeks ({evidence})",
            self.series.name(),
            percent(self.relative_drift.abs())
        )
    }
}

/// The verdict on every series of a set of replicates.
#[derive(Debug, Clone, PartialEq)]
pub struct Settling {
    /// In `Series::ALL` order.
    pub series: Vec<SeriesSettling>,
}

impl Settling {
    /// Judges every series from each replicate's trends (in replicate order).
    pub fn of_trends(per_replicate: &[[Trend; 4]]) -> Settling {
        let series = Series::ALL
            .iter()
            .enumerate()
            .map(|(index, series)| {
                let trends: Vec<Trend> = per_replicate.iter().map(|trends| trends[index]).collect();
                SeriesSettling::judge(*series, &trends)
            })
            .collect();
        Settling { series }
    }

    /// Judges every series of finished runs, each over its own measured weeks.
    pub fn of_runs<'a>(outputs: impl IntoIterator<Item = &'a RunOutput>) -> Settling {
        let trends: Vec<[Trend; 4]> = outputs.into_iter().map(run_trends).collect();
        Settling::of_trends(&trends)
    }

    /// Whether every series settled.
    pub fn settled(&self) -> bool {
        self.series.iter().all(|series| series.settled)
    }

    /// The series that did not settle, in report order.
    pub fn not_settled(&self) -> impl Iterator<Item = &SeriesSettling> {
        self.series.iter().filter(|series| !series.settled)
    }

    /// Whether any verdict rests on one replicate's magnitude alone.
    pub fn magnitude_only(&self) -> bool {
        self.series
            .iter()
            .any(|series| series.basis == Basis::MagnitudeOnly)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::is_term_week;
    use crate::model::rng::mix64;

    /// Uniform noise in [-1, 1) from a hash of (replicate, week): repeatable, no RNG state.
    fn noise(replicate: u32, week: u32) -> f64 {
        let bits = mix64((u64::from(replicate) << 32) ^ u64::from(week) ^ 0x005E_771E);
        (bits >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }

    /// Records for weeks `0..208` whose every series is `value(replicate, week)`.
    fn records(replicate: u32, value: impl Fn(u32, u32) -> f64) -> Vec<WeekRecord> {
        (0..208)
            .map(|week| {
                let v = value(replicate, week);
                WeekRecord {
                    week,
                    waiting_for_help: v.round() as u32,
                    open_cases: v.round() as u32,
                    mean_tie_strength: v / 1000.0,
                    social_worker_caseload: v / 10.0,
                    ..WeekRecord::default()
                }
            })
            .collect()
    }

    fn settling_of(replicates: u32, value: impl Fn(u32, u32) -> f64 + Copy) -> Settling {
        let trends: Vec<[Trend; 4]> = (0..replicates)
            .map(|replicate| trends(&records(replicate, value), 52..208))
            .collect();
        Settling::of_trends(&trends)
    }

    #[test]
    fn a_straight_line_has_its_exact_drift() {
        // 100 + 0.2·week over weeks 52..208: the line changes by 0.2 × 155 = 31 over its mean
        // 100 + 0.2 × 129.5 = 125.9. Exact arithmetic, so the tolerance is rounding only.
        let trend =
            Trend::of((52..208).map(|week| (f64::from(week), 100.0 + 0.2 * f64::from(week))));
        assert!((trend.slope_per_week - 0.2).abs() < 1e-12);
        assert!((trend.level - 125.9).abs() < 1e-9);
        assert!((trend.relative_drift - 31.0 / 125.9).abs() < 1e-12);
    }

    #[test]
    fn flat_series_with_noise_settle() {
        // Level 200 with ±20 uniform noise (sd 11.5), 20 replicates: any drift is noise. One
        // replicate's slope over 156 weeks has a standard error of 11.5 / 562 per week, 1.6% of
        // the level across the window, so the mean of 20 has about 0.4%: the bound of 2% is five
        // standard errors, and a method that read noise as drift (or misplaced the window) fails.
        let settling = settling_of(20, |replicate, week| 200.0 + 20.0 * noise(replicate, week));
        assert!(settling.settled(), "{settling:?}");
        // The series are the value, itself, a thousandth and a tenth (see `records`).
        for (series, level) in settling.series.iter().zip([200.0, 200.0, 0.2, 20.0]) {
            assert_eq!(series.basis, Basis::ConfidenceInterval);
            assert_eq!(series.replicates, 20);
            assert!(series.relative_drift.abs() < 0.02, "{series:?}");
            assert!((series.level - level).abs() / level < 0.02, "{series:?}");
        }
    }

    #[test]
    fn a_clear_linear_rise_does_not_settle() {
        // 100 + 0.3·week with ±20 noise: the line rises 0.3 × 155 = 46.5 over a mean of about
        // 139, a drift of 33.5%, far beyond the tolerance and the noise (standard error of the
        // mean drift about 0.5%, CI half-width about 1%). Checked to within 3 points (six
        // standard errors) of the exact figure, and the words say so.
        let settling = settling_of(20, |replicate, week| {
            100.0 + 0.3 * f64::from(week) + 20.0 * noise(replicate, week)
        });
        assert!(!settling.settled());
        let waiting = &settling.series[0];
        assert_eq!(waiting.series, Series::WaitingForHelp);
        let exact = 46.5 / (100.0 + 0.3 * 129.5);
        assert!((waiting.relative_drift - exact).abs() < 0.03, "{waiting:?}");
        assert!(waiting.ci_low > 0.1 && !waiting.settled);
        assert_eq!(settling.not_settled().count(), 4);
        assert!(
            waiting
                .describe()
                .contains("% across the measured weeks (95% CI ")
        );
        let falling = SeriesSettling {
            relative_drift: -0.47,
            ci_low: -0.63,
            ci_high: -0.31,
            series: Series::MeanTieStrength,
            ..*waiting
        };
        assert_eq!(
            falling.describe(),
            "mean_tie_strength falls 47% across the measured weeks (95% CI 31% to 63%)"
        );
        assert!(
            waiting.describe().starts_with("waiting_for_help rises 3"),
            "{}",
            waiting.describe()
        );
    }

    #[test]
    fn a_seasonal_flat_series_settles() {
        // Term weeks at 130, holiday weeks at 70 (a strong school-calendar pattern, ±30% of the
        // level), plus ±10 noise. The pattern is the same in every replicate, so a plain slope
        // would carry it into the mean drift with a narrow interval: over these three school
        // years it alone fits a line falling by 8.8%, checked below so that this test keeps
        // its teeth. With a level per week of the year the drift is noise only: the slope then
        // rests on year-to-year changes (its standard error for one replicate is about 0.5% of
        // the level across the window, 0.1% for the mean of 20), so the bound of 1% is ten
        // standard errors and any leak of the calendar into the slope fails it.
        let seasonal = |replicate, week| {
            let season = if is_term_week(week) { 130.0 } else { 70.0 };
            season + 10.0 * noise(replicate, week)
        };
        let settling = settling_of(20, seasonal);
        assert!(settling.settled(), "{settling:?}");
        for series in &settling.series {
            assert!(series.relative_drift.abs() < 0.01, "{series:?}");
        }
        // The plain slope (a window under two years is fitted without the calendar) is biased:
        // the same pattern over weeks 52..208 fitted as one line.
        let plain = |week: u32| if is_term_week(week) { 130.0 } else { 70.0 };
        let points: Vec<(f64, f64)> = (52..208)
            .map(|week| (f64::from(week), plain(week)))
            .collect();
        let mean_week = 129.5;
        let level = points.iter().map(|(_, value)| value).sum::<f64>() / 156.0;
        let covariance: f64 = points
            .iter()
            .map(|(week, value)| (week - mean_week) * (value - level))
            .sum();
        let spread: f64 = points
            .iter()
            .map(|(week, _)| (week - mean_week).powi(2))
            .sum();
        assert!(covariance / spread * 155.0 / level < -0.05);
        // And a rise on top of the pattern is still seen in full.
        let rising = settling_of(20, |replicate, week| {
            seasonal(replicate, week) + 0.3 * f64::from(week)
        });
        let exact = 0.3 * 155.0 / (115.0 + 0.3 * 129.5);
        assert!(
            (rising.series[1].relative_drift - exact).abs() < 0.02,
            "{rising:?}"
        );
        assert!(!rising.settled());
    }

    #[test]
    fn a_small_certain_drift_is_tolerated_and_a_large_noisy_one_is_not_judged_unsettled() {
        // A 5% rise with no noise: the interval excludes zero (every replicate agrees) but the
        // drift is inside the tolerance.
        let small = Trend {
            level: 1.0,
            slope_per_week: 0.0,
            relative_drift: 0.05,
        };
        let judged = SeriesSettling::judge(Series::OpenCases, &[small; 5]);
        assert!(judged.ci_low > 0.0 && judged.settled);
        // Drifts of +60% and -20%: a mean of 20%, but two replicates cannot tell it from zero
        // (t = 12.7 makes the interval about ±5).
        let drifts = [0.6, -0.2].map(|relative_drift| Trend {
            relative_drift,
            ..small
        });
        let judged = SeriesSettling::judge(Series::OpenCases, &drifts);
        assert!(judged.ci_low < 0.0 && judged.relative_drift > 0.1 && judged.settled);
    }

    #[test]
    fn one_replicate_is_judged_on_magnitude_alone() {
        let rising = settling_of(1, |_, week| 100.0 + 0.3 * f64::from(week));
        assert!(!rising.settled());
        assert!(rising.magnitude_only());
        assert_eq!(rising.series[1].basis, Basis::MagnitudeOnly);
        assert!(
            rising.series[1]
                .describe()
                .ends_with("(one replicate, no confidence interval)")
        );
        let flat = settling_of(1, |_, _| 100.0);
        assert!(flat.settled());
        assert_eq!(flat.series[0].relative_drift, 0.0);
    }

    #[test]
    fn zero_and_undefined_series_are_handled() {
        // All zero: flat, drift 0, settled.
        let zero = Trend::of((0..10).map(|week| (f64::from(week), 0.0)));
        assert_eq!((zero.level, zero.relative_drift), (0.0, 0.0));
        // Zero mean but not flat: no relative drift.
        let signed = Trend::of([(0.0, -1.0), (1.0, 1.0)]);
        assert_eq!(signed.level, 0.0);
        assert!(signed.relative_drift.is_nan());
        // NaN weeks are left out of the fit.
        let gappy = Trend::of([(0.0, 1.0), (1.0, f64::NAN), (2.0, 3.0)]);
        assert!((gappy.slope_per_week - 1.0).abs() < 1e-12);
        assert!((gappy.relative_drift - 1.0).abs() < 1e-12);
        // Nothing defined in any replicate: cannot be judged, not reported as unsettled.
        let none = Trend::of([(0.0, f64::NAN)]);
        assert!(none.level.is_nan() && none.relative_drift.is_nan());
        let judged = SeriesSettling::judge(Series::SocialWorkerCaseload, &[none, none]);
        assert_eq!((judged.basis, judged.settled), (Basis::Undefined, true));
        assert!(judged.relative_drift.is_nan() && judged.level.is_nan());
        // A replicate with an undefined drift is left out of the others' verdict.
        let defined = Trend {
            level: 2.0,
            slope_per_week: 0.1,
            relative_drift: 0.5,
        };
        let judged = SeriesSettling::judge(Series::SocialWorkerCaseload, &[none, defined]);
        assert_eq!((judged.basis, judged.replicates), (Basis::MagnitudeOnly, 1));
        assert!(!judged.settled);
    }

    #[test]
    fn the_window_is_the_measured_weeks() {
        // Rising during the warm-up, flat after it: settled.
        let output = RunOutput {
            pupils: 100,
            horizon_weeks: 208,
            warmup_weeks: 52,
            action_window_weeks: 6,
            weeks: records(0, |_, week| f64::from(week.min(52)) + 10.0),
            episodes: Vec::new(),
            referrals: Vec::new(),
            assessments: Vec::new(),
            events: Vec::new(),
            story: Vec::new(),
            network: Vec::new(),
        };
        let settling = Settling::of_runs([&output, &output]);
        assert!(settling.settled());
        assert!(
            settling
                .series
                .iter()
                .all(|series| series.relative_drift == 0.0)
        );
        let whole_run = trends(&output.weeks, 0..208);
        assert!(whole_run[1].relative_drift > 0.1);
    }
}
