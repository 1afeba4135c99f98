//! Has the run's world settled? A check, over the measured weeks, that the weekly series which
//! should be in a steady state (children waiting for help, open cases, mean tie strength, social
//! worker caseload) are not still drifting, so that a measure averaged over those weeks does not
//! depend on how long the run was.
//!
//! **Method.** For each replicate and series, the ordinary least-squares slope of the series on
//! the week number over the measured weeks (`warmup_weeks..horizon_weeks`, weeks whose value is
//! NaN left out; or those before a scheduled event, below), with the school calendar taken out (below), is turned into the change the fitted line makes from the first to the last
//! measured week, relative to the series' mean over those weeks: the *relative drift* (0.35: the
//! series rises by 35% of its level across the measured weeks). Across replicates, the mean
//! relative drift gets a 95% confidence interval from Student's t (`stats::Summary`). A series
//! has **not settled** when its interval excludes zero *and* the mean drift's magnitude exceeds
//! `RELATIVE_TOLERANCE` (10%): results should agree within 10% whatever the horizon, so a drift
//! too small to matter is tolerated however sure we are of it, and a large one that the
//! replicates cannot tell from zero is noise. With one replicate there is no interval: the series
//! is judged on the magnitude alone (`Basis::MagnitudeOnly`, said in every report).
//!
//! **Many points at once.** A sweep checks every series at each of its points, and at 95% a
//! settled point's interval misses zero by chance one time in twenty: the built-in headline sweep
//! (54 points, 10 replicates) warned of 6, 2, 10 and 3 unsettled points under its own master seed
//! and seeds 11 to 13, only one point twice, and none of three of them (the one twice among them)
//! warned when rerun alone with 30 replicates under three other seeds. So at a sweep's point the
//! interval that decides is at the Bonferroni level, 95% over the sweep's points (Student's t at
//! 1 − 0.025 / points; `Basis::Bonferroni`): the chance that a series is flagged at any point of
//! a sweep whose points have all settled stays under 5%. The 95% interval is still the one
//! recorded. A single run or comparison is one point, judged as above.
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
//! **Scheduled events.** A scenario's `[[event]]` (a restructure, staff leaving, a post cut ...)
//! is meant to change the world, and a series that steps or drifts after one is the event's
//! effect: the steady state the check asks about is the one before it, and lengthening the
//! warm-up would not remove the drift. So the check is aware of the events that took effect in
//! the measured weeks (`Window`, from the run's `EventRecord`s; an event in the warm-up should
//! have settled by its end and is judged like any other warm-up transient). When at least
//! `MIN_WEEKS_BEFORE_EVENT` (one school year, 52 weeks) of measured weeks come before the first
//! such event, the trends are fitted over those weeks alone (`Window::judged`), and a drift there
//! is still a warm-up too short (with one or two years there, the plain slope is used, as for any
//! window under two years; the baseline over one measured year drifts by under 5%). With fewer,
//! there is not enough steady state to judge: the trends are fitted over every measured week, and
//! a series whose drift would make it not settled is reported as the event's effect
//! (`SeriesSettling::event_effect`, with `settled` true as it is not reported as unsettled),
//! with the event named and without the advice to lengthen the warm-up. The weeks judged and the
//! events in the measured weeks are recorded beside the verdicts (`metadata.json`'s `settling`,
//! a sweep's `settling.csv`). The replicates of one scenario (or sweep point) share its
//! timeline, so their first run's window is the window of all.
//!
//! Everything here is a pure function of finished runs, sequential and order-stable, so the same
//! runs give the same bits whatever thread produced them.

use std::ops::Range;

use crate::calendar::{WEEKS_PER_YEAR, week_of_year};
use crate::metrics::stats::{Summary, student_t_quantile};
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

/// Each series' trend over the judged weeks of `window` (`Window::of_run`: the measured weeks,
/// `warmup_weeks..horizon_weeks`, or those before the first event in them) in a finished run.
pub fn run_trends(output: &RunOutput, window: &Window) -> [Trend; 4] {
    trends(&output.weeks, window.judged.clone())
}

/// The measured weeks that must come before the first scheduled event in them for the check to
/// judge those weeks alone: one school year.
pub const MIN_WEEKS_BEFORE_EVENT: u32 = WEEKS_PER_YEAR;

/// A scheduled `[[event]]` that took effect in a run: its week and kind (`restructure`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ScheduledEvent {
    pub week: u32,
    pub kind: &'static str,
}

impl std::fmt::Display for ScheduledEvent {
    /// `restructure at week 286`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at week {}", self.kind, self.week)
    }
}

/// The weeks a verdict rests on (see the module's comment, "Scheduled events").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Window {
    /// The measured weeks, `warmup_weeks..horizon_weeks`.
    pub measured: Range<u32>,
    /// The weeks the trends are fitted over: the measured weeks before the first event in them
    /// when at least `MIN_WEEKS_BEFORE_EVENT` come before it, all the measured weeks otherwise.
    pub judged: Range<u32>,
    /// The scheduled events in the measured weeks, by week then kind, each once (an event in
    /// several localities is one).
    pub events: Vec<ScheduledEvent>,
}

impl Window {
    /// The window over `measured` with the scheduled events that took effect (those outside
    /// `measured` are left out: an event in the warm-up should have settled by its end).
    pub fn new(measured: Range<u32>, events: impl IntoIterator<Item = ScheduledEvent>) -> Window {
        let mut events: Vec<ScheduledEvent> = events
            .into_iter()
            .filter(|event| measured.contains(&event.week))
            .collect();
        events.sort();
        events.dedup();
        let judged = match events.first() {
            Some(first) if first.week - measured.start >= MIN_WEEKS_BEFORE_EVENT => {
                measured.start..first.week
            }
            _ => measured.clone(),
        };
        Window {
            measured,
            judged,
            events,
        }
    }

    /// A finished run's window, from its measured weeks and the events it recorded.
    pub fn of_run(output: &RunOutput) -> Window {
        Window::new(
            output.warmup_weeks..output.horizon_weeks,
            output.events.iter().map(|event| ScheduledEvent {
                week: event.week,
                kind: event.kind,
            }),
        )
    }

    /// Whether the judged weeks include a scheduled event (too few measured weeks before it).
    pub fn includes_events(&self) -> bool {
        self.events
            .iter()
            .any(|event| self.judged.contains(&event.week))
    }

    /// A range of weeks as its first and last week (`measured` or `judged`), none when empty.
    pub fn first_last(weeks: &Range<u32>) -> Option<[u32; 2]> {
        (!weeks.is_empty()).then(|| [weeks.start, weeks.end - 1])
    }

    /// Whether the judged weeks end before the first event in the measured weeks.
    pub fn ends_before_event(&self) -> bool {
        self.judged.end < self.measured.end
    }

    /// The events in words: `restructure at week 286`, `restructure at week 286 and leave at
    /// week 300`, at most three named then `and N more`.
    pub fn events_text(&self) -> String {
        const NAMED: usize = 3;
        let mut named: Vec<String> = self
            .events
            .iter()
            .take(NAMED)
            .map(ScheduledEvent::to_string)
            .collect();
        if self.events.len() > NAMED {
            named.push(format!("{} more", self.events.len() - NAMED));
        }
        match named.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => named.join(""),
        }
    }

    /// The judged weeks in words, for a drift: `across the measured weeks`, `across weeks
    /// 260-311, the measured weeks before restructure at week 312`, or `across the measured
    /// weeks, which include restructure at week 286`.
    pub fn across(&self) -> String {
        if self.ends_before_event() {
            format!(
                "across weeks {}-{}, the measured weeks before {}",
                self.judged.start,
                self.judged.end.saturating_sub(1),
                self.events[0]
            )
        } else if self.includes_events() {
            format!(
                "across the measured weeks, which include {}",
                self.events_text()
            )
        } else {
            "across the measured weeks".to_string()
        }
    }
}

/// What a series' verdict rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// Two or more replicates: the 95% confidence interval and the tolerance.
    ConfidenceInterval,
    /// Two or more replicates at one of a sweep's points: the interval at the Bonferroni level
    /// over the sweep's points (see the module's comment) and the tolerance.
    Bonferroni,
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
            Basis::Bonferroni => "bonferroni",
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
    /// Not still drifting: no drift a longer warm-up would remove. True when the drift is the
    /// effect of an event (`event_effect`) or cannot be judged (`Basis::Undefined`).
    pub settled: bool,
    /// The drift would have the series not settled, but the judged weeks include a scheduled
    /// event (`Window::includes_events`): it is reported as the event's effect instead.
    pub event_effect: bool,
}

impl SeriesSettling {
    /// Judges one series from its replicates' trends (NaN drifts left out) over judged weeks
    /// without a scheduled event.
    pub fn judge(series: Series, trends: &[Trend]) -> SeriesSettling {
        SeriesSettling::judge_over(series, trends, false, 1)
    }

    /// Judges one series from its replicates' trends over judged weeks that include a scheduled
    /// event (`includes_events`) or not: a drift large enough to be not settled is then the
    /// event's effect, and the series is not reported as unsettled. `points` is how many points
    /// are judged together (a sweep's points; 1 for a run): above 1, the interval that decides is
    /// at the Bonferroni level over them.
    pub fn judge_over(
        series: Series,
        trends: &[Trend],
        includes_events: bool,
        points: u64,
    ) -> SeriesSettling {
        let levels: Vec<f64> = trends.iter().map(|trend| trend.level).collect();
        let drifts: Vec<f64> = trends.iter().map(|trend| trend.relative_drift).collect();
        let drift = Summary::of(&drifts);
        let large = drift.mean.abs() > RELATIVE_TOLERANCE;
        let (basis, settled) = match drift.n {
            0 => (Basis::Undefined, true),
            1 => (Basis::MagnitudeOnly, !large),
            _ if points <= 1 => {
                let excludes_zero = drift.ci_low > 0.0 || drift.ci_high < 0.0;
                (Basis::ConfidenceInterval, !(excludes_zero && large))
            }
            n => {
                let t = student_t_quantile(1.0 - 0.025 / points as f64, f64::from(n - 1));
                let half_width = t * drift.sd / f64::from(n).sqrt();
                let excludes_zero = drift.mean.abs() > half_width;
                (Basis::Bonferroni, !(excludes_zero && large))
            }
        };
        let event_effect = includes_events && !settled;
        SeriesSettling {
            series,
            level: Summary::of(&levels).mean,
            relative_drift: drift.mean,
            ci_low: drift.ci_low,
            ci_high: drift.ci_high,
            replicates: drift.n,
            basis,
            settled: settled || event_effect,
            event_effect,
        }
    }

    /// The drift in words: `waiting_for_help rises 35% across the measured weeks (95% CI 28% to
    /// 41%)`, a fall's interval in the same sense (`falls 47% ... (95% CI 31% to 63%)`), or
    /// `(one replicate, no confidence interval)`; with the judged weeks said as
    /// `Window::across` says them.
    pub fn describe(&self, window: &Window) -> String {
        let percent = |value: f64| format!("{:.0}%", value * 100.0);
        let (direction, low, high) = if self.relative_drift >= 0.0 {
            ("rises", self.ci_low, self.ci_high)
        } else {
            ("falls", -self.ci_high, -self.ci_low)
        };
        let evidence = match self.basis {
            Basis::ConfidenceInterval | Basis::Bonferroni => {
                format!("95% CI {} to {}", percent(low), percent(high))
            }
            Basis::MagnitudeOnly => "one replicate, no confidence interval".to_string(),
            Basis::Undefined => "undefined in every replicate".to_string(),
        };
        format!(
            "{} {direction} {} {} ({evidence})",
            self.series.name(),
            percent(self.relative_drift.abs()),
            window.across()
        )
    }
}

/// The verdict on every series of a set of replicates.
#[derive(Debug, Clone, PartialEq)]
pub struct Settling {
    /// The weeks judged, and the scheduled events in the measured weeks.
    pub window: Window,
    /// In `Series::ALL` order.
    pub series: Vec<SeriesSettling>,
}

impl Settling {
    /// Judges every series from each replicate's trends (in replicate order), fitted over
    /// `window.judged`.
    pub fn of_trends(window: Window, per_replicate: &[[Trend; 4]]) -> Settling {
        Settling::of_trends_among(window, per_replicate, 1)
    }

    /// Judges every series of one of a sweep's `points` points (`SeriesSettling::judge_over`).
    pub fn of_trends_among(window: Window, per_replicate: &[[Trend; 4]], points: u64) -> Settling {
        let series = Series::ALL
            .iter()
            .enumerate()
            .map(|(index, series)| {
                let trends: Vec<Trend> = per_replicate.iter().map(|trends| trends[index]).collect();
                SeriesSettling::judge_over(*series, &trends, window.includes_events(), points)
            })
            .collect();
        Settling { window, series }
    }

    /// Judges every series of finished runs of one scenario over their judged weeks. The runs
    /// share the scenario's timeline, so the first run's window is the window of all (no runs: an
    /// empty window).
    pub fn of_runs<'a>(outputs: impl IntoIterator<Item = &'a RunOutput>) -> Settling {
        let outputs: Vec<&RunOutput> = outputs.into_iter().collect();
        let window = outputs
            .first()
            .map(|output| Window::of_run(output))
            .unwrap_or_default();
        let trends: Vec<[Trend; 4]> = outputs
            .iter()
            .map(|output| run_trends(output, &window))
            .collect();
        Settling::of_trends(window, &trends)
    }

    /// Whether every series settled.
    pub fn settled(&self) -> bool {
        self.series.iter().all(|series| series.settled)
    }

    /// The series that did not settle, in report order.
    pub fn not_settled(&self) -> impl Iterator<Item = &SeriesSettling> {
        self.series.iter().filter(|series| !series.settled)
    }

    /// The series whose drift is the effect of a scheduled event, in report order.
    pub fn event_effects(&self) -> impl Iterator<Item = &SeriesSettling> {
        self.series.iter().filter(|series| series.event_effect)
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
        Settling::of_trends(Window::new(52..208, []), &trends)
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
                .describe(&Window::default())
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
            falling.describe(&Window::default()),
            "mean_tie_strength falls 47% across the measured weeks (95% CI 31% to 63%)"
        );
        assert!(
            waiting
                .describe(&Window::default())
                .starts_with("waiting_for_help rises 3"),
            "{}",
            waiting.describe(&Window::default())
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
    fn a_sweeps_point_is_judged_at_the_bonferroni_level_over_its_points() {
        // Ten replicates whose drifts have mean 0.15 and standard deviation 0.122: t = 3.87 on 9
        // degrees of freedom. The 95% interval (t 2.26) excludes zero, so one run is not settled;
        // at one of 54 points the interval that decides takes t at 1 - 0.025/54 (4.84, R's
        // `qt(1 - 0.025/54, 9)`) and includes zero, while at one of 2 points (2.69) it excludes it.
        let drifts: Vec<Trend> = [-0.05, 0.0, 0.1, 0.1, 0.15, 0.15, 0.2, 0.2, 0.3, 0.35]
            .map(|relative_drift| Trend {
                level: 1.0,
                slope_per_week: 0.0,
                relative_drift,
            })
            .to_vec();
        let alone = SeriesSettling::judge(Series::OpenCases, &drifts);
        assert!(alone.ci_low > 0.0 && !alone.settled);
        assert_eq!(alone.basis, Basis::ConfidenceInterval);
        let among = |points| SeriesSettling::judge_over(Series::OpenCases, &drifts, false, points);
        let in_54 = among(54);
        assert_eq!(in_54.basis, Basis::Bonferroni);
        assert!(in_54.settled, "{in_54:?}");
        // The recorded interval is still the 95% one.
        assert_eq!((in_54.ci_low, in_54.ci_high), (alone.ci_low, alone.ci_high));
        assert!(!among(2).settled);
        // A drift the replicates agree on is caught among any number of points.
        let certain: Vec<Trend> = drifts
            .iter()
            .map(|trend| Trend {
                relative_drift: 0.3 + trend.relative_drift / 10.0,
                ..*trend
            })
            .collect();
        assert!(!SeriesSettling::judge_over(Series::OpenCases, &certain, false, 10_000).settled);
    }

    #[test]
    fn one_replicate_is_judged_on_magnitude_alone() {
        let rising = settling_of(1, |_, week| 100.0 + 0.3 * f64::from(week));
        assert!(!rising.settled());
        assert!(rising.magnitude_only());
        assert_eq!(rising.series[1].basis, Basis::MagnitudeOnly);
        assert!(
            rising.series[1]
                .describe(&Window::default())
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

    /// A run over weeks 0..208 (measured 52..208) of `value(replicate, week)` with `events`.
    fn run_with(
        replicate: u32,
        value: impl Fn(u32, u32) -> f64,
        events: &[(u32, &'static str)],
    ) -> RunOutput {
        RunOutput {
            pupils: 100,
            horizon_weeks: 208,
            warmup_weeks: 52,
            action_window_weeks: 6,
            weeks: records(replicate, value),
            episodes: Vec::new(),
            referrals: Vec::new(),
            assessments: Vec::new(),
            // Recorded once per locality: two localities here.
            events: events
                .iter()
                .flat_map(|&(week, kind)| {
                    (0..2).map(move |locality| crate::model::EventRecord {
                        week,
                        locality,
                        kind,
                        label: format!("{kind} happened"),
                    })
                })
                .collect(),
            story: Vec::new(),
            network: Vec::new(),
        }
    }

    #[test]
    fn the_window_stops_before_the_first_event_when_a_school_year_comes_before_it() {
        let events = |weeks: &[u32]| {
            weeks
                .iter()
                .map(|&week| ScheduledEvent {
                    week,
                    kind: "leave",
                })
                .collect::<Vec<_>>()
        };
        // No events, or only outside the measured weeks: all the measured weeks.
        let plain = Window::new(52..208, events(&[10, 208]));
        assert_eq!((plain.judged.clone(), plain.events.len()), (52..208, 0));
        assert!(!plain.includes_events() && !plain.ends_before_event());
        assert_eq!(plain.across(), "across the measured weeks");
        // A school year before the first event: the weeks before it.
        let early = Window::new(52..208, events(&[150, 104]));
        assert_eq!(early.judged, 52..104);
        assert!(!early.includes_events() && early.ends_before_event());
        assert_eq!(
            early.across(),
            "across weeks 52-103, the measured weeks before leave at week 104"
        );
        // Fewer: every measured week, event included.
        let late = Window::new(52..208, events(&[103, 103, 150]));
        assert_eq!(late.judged, 52..208);
        assert_eq!(late.events.len(), 2, "the same event twice is one");
        assert!(late.includes_events());
        assert_eq!(
            late.across(),
            "across the measured weeks, which include leave at week 103 and leave at week 150"
        );
    }

    #[test]
    fn a_step_at_an_event_is_its_effect_not_a_short_warmup() {
        // Flat at 100 until a restructure in week 70, 18 weeks into the measured weeks, then 140:
        // across the measured weeks the fitted line rises by far more than the tolerance, with
        // every replicate agreeing, but that is the event, not a warm-up too short.
        let step = |replicate, week| {
            let level = if week < 70 { 100.0 } else { 140.0 };
            level + 2.0 * noise(replicate, week)
        };
        let runs: Vec<RunOutput> = (0..10)
            .map(|replicate| run_with(replicate, step, &[(70, "restructure")]))
            .collect();
        let settling = Settling::of_runs(&runs);
        assert_eq!(settling.window.judged, 52..208);
        assert_eq!(
            settling.window.events,
            [ScheduledEvent {
                week: 70,
                kind: "restructure"
            }]
        );
        let open = &settling.series[1];
        assert!(open.relative_drift > 0.1 && open.ci_low > 0.0, "{open:?}");
        assert!(open.event_effect && open.settled, "{open:?}");
        assert!(settling.settled());
        assert_eq!(settling.not_settled().count(), 0);
        assert_eq!(settling.event_effects().count(), 4);
        assert!(
            open.describe(&settling.window)
                .starts_with("open_cases rises ")
                && open.describe(&settling.window).contains(
                    "% across the measured weeks, which include restructure at week 70 (95% CI "
                ),
            "{}",
            open.describe(&settling.window)
        );

        // The same step a school year and more into the measured weeks: judged before it, flat.
        let later = |replicate, week| {
            let level = if week < 120 { 100.0 } else { 140.0 };
            level + 2.0 * noise(replicate, week)
        };
        let runs: Vec<RunOutput> = (0..10)
            .map(|replicate| run_with(replicate, later, &[(120, "restructure")]))
            .collect();
        let settling = Settling::of_runs(&runs);
        assert_eq!(settling.window.judged, 52..120);
        assert!(settling.settled() && settling.event_effects().count() == 0);
        assert!(settling.series[1].relative_drift.abs() < 0.02);

        // A drift before that event is still a warm-up too short.
        let drifting_before = |replicate, week| later(replicate, week) + 0.5 * f64::from(week);
        let runs: Vec<RunOutput> = (0..10)
            .map(|replicate| run_with(replicate, drifting_before, &[(120, "restructure")]))
            .collect();
        let settling = Settling::of_runs(&runs);
        let open = &settling.series[1];
        assert!(!open.settled && !open.event_effect, "{open:?}");
        assert!(
            open.describe(&settling.window)
                .contains("across weeks 52-119, the measured weeks before restructure at week 120"),
            "{}",
            open.describe(&settling.window)
        );
    }

    #[test]
    fn a_drifting_series_without_events_is_still_not_settled() {
        let rising = |replicate, week| 100.0 + 0.3 * f64::from(week) + 2.0 * noise(replicate, week);
        let runs: Vec<RunOutput> = (0..10)
            .map(|replicate| run_with(replicate, rising, &[]))
            .collect();
        let settling = Settling::of_runs(&runs);
        assert_eq!(settling.window, Window::new(52..208, []));
        assert!(!settling.settled());
        assert_eq!(settling.not_settled().count(), 4);
        assert_eq!(settling.event_effects().count(), 0);
        // An event in the warm-up is not in the measured weeks: the drift is the warm-up's.
        let runs: Vec<RunOutput> = (0..10)
            .map(|replicate| run_with(replicate, rising, &[(40, "post_cut")]))
            .collect();
        let settling = Settling::of_runs(&runs);
        assert!(settling.window.events.is_empty());
        assert_eq!(settling.not_settled().count(), 4);
    }
}
