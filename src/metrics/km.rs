//! The Kaplan–Meier estimator of a survival curve from right-censored durations.
//!
//! Time to help is censored: a child still waiting at the horizon (or whose episode closed
//! without help) tells us only that the wait was at least that long. The Kaplan–Meier product
//! limit uses those children while they are at risk and so gives medians and 90th percentiles
//! that the mean of finished waits alone would bias downwards. The curve carries a pointwise 95%
//! band from Greenwood's variance for plots.

/// One subject: how long it was followed and whether the event (help starting) was observed at
/// the end of that time (`false`: censored, the event had not happened by then).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    pub duration: f64,
    pub observed: bool,
}

impl From<(f64, bool)> for Observation {
    fn from((duration, observed): (f64, bool)) -> Self {
        Observation { duration, observed }
    }
}

impl From<(u32, bool)> for Observation {
    fn from((duration, observed): (u32, bool)) -> Self {
        Observation {
            duration: f64::from(duration),
            observed,
        }
    }
}

/// Standard normal quantile for a two-sided 95% band.
const Z_975: f64 = 1.959_963_984_540_054;

/// Tolerance when comparing a product of survival factors with a target level, so that a
/// survival of exactly one half computed as 0.5000000000000001 still counts as one half.
const SURVIVAL_TOLERANCE: f64 = 1e-12;

/// A Kaplan–Meier curve: one point per distinct time at which at least one event was observed.
///
/// Survival is 1 before `times[0]`, and `survival[i]` from `times[i]` until the next time.
/// The band is the plain (linear) Greenwood interval `S ± 1.96·SE`, clamped to 0..=1; where the
/// survival has fallen to 0 the band collapses to 0 (its Greenwood variance is undefined there).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SurvivalCurve {
    pub times: Vec<f64>,
    pub survival: Vec<f64>,
    pub lower_95: Vec<f64>,
    pub upper_95: Vec<f64>,
    /// Subjects at risk just before each time.
    pub at_risk: Vec<u32>,
    /// Events observed at each time.
    pub events: Vec<u32>,
    /// Subjects the curve was built from (NaN durations excluded).
    pub subjects: u32,
}

impl SurvivalCurve {
    /// Estimates the curve. Subjects with a NaN duration are ignored. A censored subject whose
    /// time equals an event time is counted at risk at that time (the usual convention).
    pub fn estimate<T: Copy + Into<Observation>>(subjects: &[T]) -> SurvivalCurve {
        let mut observations: Vec<Observation> = subjects
            .iter()
            .map(|subject| (*subject).into())
            .filter(|observation: &Observation| !observation.duration.is_nan())
            .collect();
        observations.sort_by(|a, b| a.duration.total_cmp(&b.duration));

        let mut curve = SurvivalCurve {
            subjects: observations.len() as u32,
            ..SurvivalCurve::default()
        };
        let mut at_risk = observations.len() as u32;
        let mut survival = 1.0;
        let mut greenwood_sum = 0.0;
        let mut index = 0;
        while index < observations.len() {
            let time = observations[index].duration;
            let mut events_at_time = 0u32;
            let mut leaving_at_time = 0u32;
            while index < observations.len() && observations[index].duration == time {
                if observations[index].observed {
                    events_at_time += 1;
                }
                leaving_at_time += 1;
                index += 1;
            }
            if events_at_time > 0 {
                let at_risk_f = f64::from(at_risk);
                let events_f = f64::from(events_at_time);
                survival *= 1.0 - events_f / at_risk_f;
                let (lower, upper) = if events_at_time < at_risk {
                    greenwood_sum += events_f / (at_risk_f * (at_risk_f - events_f));
                    let standard_error = survival * greenwood_sum.sqrt();
                    (
                        (survival - Z_975 * standard_error).clamp(0.0, 1.0),
                        (survival + Z_975 * standard_error).clamp(0.0, 1.0),
                    )
                } else {
                    survival = 0.0;
                    (0.0, 0.0)
                };
                curve.times.push(time);
                curve.survival.push(survival);
                curve.lower_95.push(lower);
                curve.upper_95.push(upper);
                curve.at_risk.push(at_risk);
                curve.events.push(events_at_time);
            }
            at_risk -= leaving_at_time;
        }
        curve
    }

    /// The time at which survival first falls to or below `1 - p`: `p = 0.5` gives the median,
    /// `p = 0.9` the 90th percentile. `None` if the curve never falls that far (too many
    /// subjects censored, or none at all).
    pub fn quantile(&self, p: f64) -> Option<f64> {
        let level = 1.0 - p;
        self.times
            .iter()
            .zip(&self.survival)
            .find(|(_, survival)| **survival <= level + SURVIVAL_TOLERANCE)
            .map(|(time, _)| *time)
    }

    /// Like `quantile`, but reading the curve as a line between its steps (from survival 1 at
    /// time 0): a smoothed quantile for durations counted in whole weeks, where the step
    /// quantile can only move a week at a time.
    pub fn interpolated_quantile(&self, p: f64) -> Option<f64> {
        let level = 1.0 - p;
        let (mut prev_time, mut prev_survival) = (0.0, 1.0);
        for (&time, &survival) in self.times.iter().zip(&self.survival) {
            if survival <= level + SURVIVAL_TOLERANCE {
                if prev_survival - survival <= 0.0 {
                    return Some(time);
                }
                let share = (prev_survival - level) / (prev_survival - survival);
                return Some(prev_time + share.clamp(0.0, 1.0) * (time - prev_time));
            }
            (prev_time, prev_survival) = (time, survival);
        }
        None
    }

    /// The survival probability just after `time` (1 before the first event).
    pub fn survival_at(&self, time: f64) -> f64 {
        let points_at_or_before = self.times.partition_point(|event_time| *event_time <= time);
        match points_at_or_before {
            0 => 1.0,
            count => self.survival[count - 1],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_close(actual: f64, expected: f64) {
        assert!((actual - expected).abs() < 1e-9, "{actual} != {expected}");
    }

    /// Worked by hand. Six subjects: 1 (event), 2 (censored), 3 (event), 3 (event),
    /// 4 (censored), 5 (event).
    ///   t=1: at risk 6, 1 event  -> S = 5/6;            Greenwood sum 1/(6·5) = 1/30
    ///   t=3: at risk 4, 2 events -> S = 5/6 · 2/4 = 5/12; sum 1/30 + 2/(4·2) = 17/60
    ///   t=5: at risk 1, 1 event  -> S = 0
    /// Median: first S <= 0.5 at t=3; 90th percentile: first S <= 0.1 at t=5.
    #[test]
    fn matches_hand_worked_example() {
        let subjects = [
            (5.0, true),
            (2.0, false),
            (3.0, true),
            (1.0, true),
            (4.0, false),
            (3.0, true),
        ];
        let curve = SurvivalCurve::estimate(&subjects);
        assert_eq!(curve.times, vec![1.0, 3.0, 5.0]);
        assert_eq!(curve.at_risk, vec![6, 4, 1]);
        assert_eq!(curve.events, vec![1, 2, 1]);
        assert_close(curve.survival[0], 5.0 / 6.0);
        assert_close(curve.survival[1], 5.0 / 12.0);
        assert_close(curve.survival[2], 0.0);

        let standard_error_1 = 5.0 / 6.0 * (1.0f64 / 30.0).sqrt();
        assert_close(curve.lower_95[0], 5.0 / 6.0 - Z_975 * standard_error_1);
        assert_close(curve.upper_95[0], 1.0); // 0.833 + 0.298 clamped
        let standard_error_3 = 5.0 / 12.0 * (17.0f64 / 60.0).sqrt();
        assert!(5.0 / 12.0 - Z_975 * standard_error_3 < 0.0);
        assert_close(curve.lower_95[1], 0.0); // 0.417 - 0.435 clamped
        assert_close(curve.upper_95[1], 5.0 / 12.0 + Z_975 * standard_error_3);
        assert_eq!((curve.lower_95[2], curve.upper_95[2]), (0.0, 0.0));

        assert_eq!(curve.quantile(0.5), Some(3.0));
        assert_eq!(curve.quantile(0.9), Some(5.0));
        assert_eq!(curve.quantile(0.1), Some(1.0));
        assert_close(curve.survival_at(0.5), 1.0);
        assert_close(curve.survival_at(3.5), 5.0 / 12.0);

        // Read as a line: from (1, 5/6) to (3, 5/12), 0.5 is crossed 0.8 of the way: t = 2.6.
        assert_close(curve.interpolated_quantile(0.5).unwrap(), 2.6);
        // From (0, 1) to (1, 5/6): 0.9 is crossed 0.6 of the way.
        assert_close(curve.interpolated_quantile(0.1).unwrap(), 0.6);
        assert_eq!(
            SurvivalCurve::estimate(&[(3.0, false)]).interpolated_quantile(0.5),
            None
        );
    }

    #[test]
    fn survival_of_exactly_one_half_is_the_median() {
        let subjects = [(1u32, true), (2, true), (3, true), (4, true)];
        let curve = SurvivalCurve::estimate(&subjects);
        assert_eq!(curve.quantile(0.5), Some(2.0));
        assert_eq!(curve.quantile(0.9), Some(4.0));
    }

    #[test]
    fn without_events_there_is_no_quantile() {
        let all_censored = SurvivalCurve::estimate(&[(3.0, false), (8.0, false)]);
        assert!(all_censored.times.is_empty());
        assert_eq!(all_censored.quantile(0.5), None);
        let empty = SurvivalCurve::estimate::<(f64, bool)>(&[]);
        assert_eq!(empty.quantile(0.5), None);
        assert_eq!(empty.subjects, 0);
    }

    #[test]
    fn heavy_censoring_leaves_the_median_undefined() {
        // S falls to 3/4 and then everyone left is censored.
        let subjects = [(1.0, true), (5.0, false), (6.0, false), (7.0, false)];
        let curve = SurvivalCurve::estimate(&subjects);
        assert_eq!(curve.quantile(0.5), None);
        assert_eq!(curve.quantile(0.2), Some(1.0));
    }

    #[test]
    fn censored_at_an_event_time_is_still_at_risk() {
        let subjects = [(2.0, true), (2.0, false), (4.0, true)];
        let curve = SurvivalCurve::estimate(&subjects);
        assert_eq!(curve.at_risk, vec![3, 1]);
        assert_close(curve.survival[0], 2.0 / 3.0);
        assert_close(curve.survival[1], 0.0);
    }

    #[test]
    fn nan_durations_are_ignored() {
        let curve = SurvivalCurve::estimate(&[(f64::NAN, true), (1.0, true)]);
        assert_eq!(curve.subjects, 1);
        assert_eq!(curve.quantile(0.5), Some(1.0));
    }
}
