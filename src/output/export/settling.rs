//! The settling check (`metrics::settle`) as the output files say it: the `settling` object of
//! `metadata.json` (each series' level, relative drift, 95% CI, basis and verdict, and an overall
//! `settled`) and the notice near the top of `report.html` and `report.md`.
//!
//! Numbers are rounded to six decimals (NaN is written as `null`), so the object is the same bytes
//! for the same runs.

use serde::Serialize;

use crate::metrics::settle::{Basis, RELATIVE_TOLERANCE, Series, Settling};

/// How the check works, in one sentence, recorded beside its results.
pub const METHOD: &str = "per replicate, the OLS slope of each weekly series on the week over the measured \
     weeks, as the fitted change across them relative to the series' mean there (relative_drift); across \
     replicates, its mean and 95% CI (Student's t); not settled when the CI excludes zero and |drift| > \
     tolerance (one replicate: |drift| > tolerance alone)";

/// `metadata.json`'s `settling` object.
#[derive(Debug, Serialize)]
pub struct SettlingJson {
    pub settled: bool,
    pub tolerance: f64,
    pub method: &'static str,
    pub series: Vec<SeriesJson>,
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
                })
                .collect(),
        }
    }
}

/// Where to go when a run has not settled.
pub const ADVICE: &str =
    "lengthen run.warmup_weeks (`patchwork warmup` suggests one) or see docs/model.md";

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
    let not_settled: Vec<String> = settling
        .not_settled()
        .map(|series| series.describe())
        .collect();
    if not_settled.is_empty() {
        let undefined: Vec<&str> = settling
            .series
            .iter()
            .filter(|series| series.basis == Basis::Undefined)
            .map(|series| series.series.name())
            .collect();
        let mut text = format!(
            "Settled{whose}: {} drift by less than {:.0}% across the measured weeks, or by no more than the \
             replicates can tell from zero.{one_replicate}",
            series_words(),
            RELATIVE_TOLERANCE * 100.0
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
            "**Not settled{whose}.** These weekly series still drift across the measured weeks, so the measures \
             depend on how long the run is: {}. Results should agree within {:.0}% between horizons; {ADVICE}.{one_replicate}",
            not_settled.join("; "),
            RELATIVE_TOLERANCE * 100.0
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::settle::{SeriesSettling, Trend};

    fn settling(drifts: [f64; 2]) -> Settling {
        let trend = |relative_drift| Trend {
            level: 10.0,
            slope_per_week: 0.0,
            relative_drift,
        };
        Settling::of_trends(&[[trend(drifts[0]); 4], [trend(drifts[1]); 4]])
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
}
