//! The settling check (`metrics::settle`) as the output files say it: the `settling` object of
//! `metadata.json` (the weeks measured and judged, the scheduled events in the measured weeks,
//! each series' level, relative drift, 95% CI, basis and verdict, and an overall `settled`) and
//! the notice near the top of `report.html` and `report.md`.
//!
//! Numbers are rounded to six decimals (NaN is written as `null`), so the object is the same bytes
//! for the same runs.

use serde::Serialize;

use crate::metrics::settle::{
    Basis, MIN_WEEKS_BEFORE_EVENT, RELATIVE_TOLERANCE, ScheduledEvent, Series, Settling, Window,
};

/// How the check works, in one sentence, recorded beside its results.
pub const METHOD: &str = "per replicate, the OLS slope of each weekly series on the week over the measured \
     weeks, as the fitted change across them relative to the series' mean there (relative_drift); across \
     replicates, its mean and 95% CI (Student's t); not settled when the CI excludes zero and |drift| > \
     tolerance (one replicate: |drift| > tolerance alone). With a scheduled event in the measured weeks, \
     the judged weeks are those before the first such event when at least 52 come before it; otherwise \
     they include the event, and a drift that would be not settled is the event's effect (event_effect), \
     not reported as unsettled";

// METHOD says the number.
const _: () = assert!(MIN_WEEKS_BEFORE_EVENT == 52);

/// `metadata.json`'s `settling` object.
#[derive(Debug, Serialize)]
pub struct SettlingJson {
    pub settled: bool,
    pub tolerance: f64,
    pub method: &'static str,
    /// First and last measured week (`run.warmup_weeks` to `run.horizon_weeks - 1`); null with
    /// no runs.
    pub measured_weeks: Option<[u32; 2]>,
    /// First and last week the trends were fitted over.
    pub judged_weeks: Option<[u32; 2]>,
    /// The scheduled events that took effect in the measured weeks.
    pub events_in_measured_weeks: Vec<EventJson>,
    pub series: Vec<SeriesJson>,
}

/// One scheduled event in `SettlingJson`.
#[derive(Debug, Serialize)]
pub struct EventJson {
    pub week: u32,
    pub kind: &'static str,
}

/// One series in `SettlingJson`.
#[derive(Debug, Serialize)]
pub struct SeriesJson {
    pub series: &'static str,
    pub level: f64,
    pub relative_drift: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub replicates: u32,
    pub basis: &'static str,
    pub settled: bool,
    /// The drift would be not settled, but the judged weeks include a scheduled event: it is
    /// the event's effect.
    pub event_effect: bool,
}

fn round6(value: f64) -> f64 {
    (value * 1e6).round() / 1e6
}

impl SettlingJson {
    pub fn of(settling: &Settling) -> SettlingJson {
        SettlingJson {
            settled: settling.settled(),
            tolerance: RELATIVE_TOLERANCE,
            method: METHOD,
            measured_weeks: Window::first_last(&settling.window.measured),
            judged_weeks: Window::first_last(&settling.window.judged),
            events_in_measured_weeks: settling
                .window
                .events
                .iter()
                .map(|&ScheduledEvent { week, kind }| EventJson { week, kind })
                .collect(),
            series: settling
                .series
                .iter()
                .map(|series| SeriesJson {
                    series: series.series.name(),
                    level: round6(series.level),
                    relative_drift: round6(series.relative_drift),
                    ci_low: round6(series.ci_low),
                    ci_high: round6(series.ci_high),
                    replicates: series.replicates,
                    basis: series.basis.key(),
                    settled: series.settled,
                    event_effect: series.event_effect,
                })
                .collect(),
        }
    }
}

/// Where to go when a run has not settled.
pub const ADVICE: &str =
    "lengthen run.warmup_weeks (`patchwork warmup` suggests one) or see docs/model.md";

/// What a drift over weeks that include a scheduled event means.
pub const EVENT_EFFECT: &str = "a drift after an event is its effect, not a short warm-up";

/// A sweep's note of the points at which a series drifts across judged weeks that include a
/// scheduled event, for the terminal and `report.html`.
pub fn sweep_event_effect_note(points_event_effect: u64, points: u64) -> String {
    format!(
        "at {points_event_effect} of {points} points a weekly series drifts across measured weeks \
         that include a scheduled event, with too few weeks before it to judge them alone \
         (event_effect in settling.csv); {EVENT_EFFECT}"
    )
}

/// Why the judged weeks include the event, after `EVENT_EFFECT`.
pub fn event_effect_reason(window: &Window) -> String {
    let before = window
        .events
        .first()
        .map_or(0, |event| event.week - window.measured.start);
    format!(
        "only {before} measured weeks come before the event, fewer than the {MIN_WEEKS_BEFORE_EVENT} needed \
         to judge the warm-up on them"
    )
}

/// The series' names in words, for the settled line.
fn series_words() -> String {
    let names: Vec<String> = Series::ALL
        .iter()
        .map(|series| series.name().replace('_', " "))
        .collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

/// The report's words on `settling` (of the arm named `arm` in a comparison): a notice when some
/// series has not settled (`true` with it), a short line when every series has.
pub fn notice(settling: &Settling, arm: Option<&str>) -> (bool, String) {
    let whose = arm.map(|arm| format!(" in {arm}")).unwrap_or_default();
    let one_replicate = if settling.magnitude_only() {
        " With one replicate each series is judged on the size of its drift alone, without a confidence interval."
    } else {
        ""
    };
    let window = &settling.window;
    let not_settled: Vec<String> = settling
        .not_settled()
        .map(|series| series.describe(window))
        .collect();
    let event_effects: Vec<String> = settling
        .event_effects()
        .map(|series| series.describe(window))
        .collect();
    if !event_effects.is_empty() {
        let others = if event_effects.len() < settling.series.len() {
            format!(
                " The other series drift by less than {:.0}% across these weeks, or by no more than the \
                 replicates can tell from zero.",
                RELATIVE_TOLERANCE * 100.0
            )
        } else {
            String::new()
        };
        return (
            true,
            format!(
                "**Drift after an event{whose}.** {}; {EVENT_EFFECT}: {}.{others}{one_replicate}",
                event_effects.join("; "),
                event_effect_reason(window),
            ),
        );
    }
    if not_settled.is_empty() {
        let undefined: Vec<&str> = settling
            .series
            .iter()
            .filter(|series| series.basis == Basis::Undefined)
            .map(|series| series.series.name())
            .collect();
        let mut text = format!(
            "Settled{whose}: {} drift by less than {:.0}% {}, or by no more than the replicates can tell \
             from zero.{one_replicate}",
            series_words(),
            RELATIVE_TOLERANCE * 100.0,
            window.across()
        );
        if !undefined.is_empty() {
            text.push_str(&format!(
                " Not defined in these runs, so not judged: {}.",
                undefined.join(", ")
            ));
        }
        return (true, text);
    }
    (
        false,
        format!(
            "**Not settled{whose}.** These weekly series still drift {}, so the measures depend on how long \
             the run is: {}. Results should agree within {:.0}% between horizons; {ADVICE}.{one_replicate}",
            window.across(),
            not_settled.join("; "),
            RELATIVE_TOLERANCE * 100.0
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::settle::{ScheduledEvent, SeriesSettling, Trend};

    fn settling(drifts: [f64; 2]) -> Settling {
        let trend = |relative_drift| Trend {
            level: 10.0,
            slope_per_week: 0.0,
            relative_drift,
        };
        Settling::of_trends(
            Window::default(),
            &[[trend(drifts[0]); 4], [trend(drifts[1]); 4]],
        )
    }

    #[test]
    fn json_records_each_series_and_the_verdict() {
        let json = serde_json::to_value(SettlingJson::of(&settling([0.3, 0.32]))).unwrap();
        assert_eq!(json["settled"], false);
        assert_eq!(json["tolerance"], 0.1);
        assert_eq!(json["series"][0]["series"], "waiting_for_help");
        assert_eq!(json["series"][2]["series"], "mean_tie_strength");
        assert_eq!(json["series"][0]["relative_drift"], 0.31);
        assert_eq!(json["series"][0]["level"], 10.0);
        assert_eq!(json["series"][0]["basis"], "confidence_interval");
        assert_eq!(json["series"][0]["settled"], false);
        assert_eq!(json["series"][0]["replicates"], 2);
        let undefined = Settling {
            window: Window::default(),
            series: vec![SeriesSettling::judge(
                Series::OpenCases,
                &[Trend {
                    level: f64::NAN,
                    slope_per_week: f64::NAN,
                    relative_drift: f64::NAN,
                }],
            )],
        };
        let json = serde_json::to_value(SettlingJson::of(&undefined)).unwrap();
        assert!(json["measured_weeks"].is_null() && json["judged_weeks"].is_null());
        assert_eq!(json["settled"], true);
        assert!(json["series"][0]["relative_drift"].is_null());
        assert_eq!(json["series"][0]["basis"], "undefined");
    }

    #[test]
    fn the_notice_names_what_did_not_settle() {
        let (settled, text) = notice(&settling([0.3, 0.32]), Some("team"));
        assert!(!settled);
        assert!(text.starts_with("**Not settled in team.**"), "{text}");
        assert!(text.contains("waiting_for_help rises 31% across the measured weeks (95% CI"));
        assert!(text.contains("run.warmup_weeks"));
        let (settled, text) = notice(&settling([0.01, -0.01]), None);
        assert!(settled);
        assert!(text.starts_with(
            "Settled: waiting for help, open cases, mean tie strength and social worker caseload drift"
        ));
    }

    #[test]
    fn a_drift_across_an_event_is_said_as_its_effect() {
        let trend = |relative_drift| Trend {
            level: 10.0,
            slope_per_week: 0.0,
            relative_drift,
        };
        let window = Window::new(
            260..416,
            [ScheduledEvent {
                week: 286,
                kind: "restructure",
            }],
        );
        let mut drifts = [trend(0.01); 4];
        drifts[2] = trend(0.26);
        let mut other = drifts;
        other[2] = trend(0.27);
        let settling = Settling::of_trends(window, &[drifts, other]);
        let json = serde_json::to_value(SettlingJson::of(&settling)).unwrap();
        assert_eq!(json["settled"], true);
        assert_eq!(json["measured_weeks"], serde_json::json!([260, 415]));
        assert_eq!(json["judged_weeks"], serde_json::json!([260, 415]));
        assert_eq!(
            json["events_in_measured_weeks"],
            serde_json::json!([{"week": 286, "kind": "restructure"}])
        );
        assert_eq!(json["series"][2]["event_effect"], true);
        assert_eq!(json["series"][2]["settled"], true);
        assert_eq!(json["series"][0]["event_effect"], false);
        let (settled, text) = notice(&settling, Some("B"));
        assert!(settled);
        assert!(
            text.starts_with(
                "**Drift after an event in B.** mean_tie_strength rises 26% across the measured weeks, \
                 which include restructure at week 286 (95% CI "
            ),
            "{text}"
        );
        assert!(
            text.contains("a drift after an event is its effect, not a short warm-up: only 26")
        );
        assert!(!text.contains("run.warmup_weeks"), "{text}");
    }
}
