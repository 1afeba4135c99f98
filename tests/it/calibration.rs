//! Calibration: the ad hoc baseline cluster lands near England's public statistics (DfE
//! Children in Need statistics and the children's social work workforce; docs/model.md,
//! "Calibration"). Each figure is the mean over 100 replicates (its 95% interval is a few percent
//! of the target, so the check is about the model, not the draw). Tolerances are stated per figure:
//! they say how near counts as "near" for a six-school cluster whose inputs are national averages,
//! and are wide enough for local variation in England itself (local authorities' referral and
//! re-referral rates vary by more than these margins), narrow enough that a broken mechanism fails.

use patchwork_sim::batch::replicates::run_replicates;
use patchwork_sim::scenario::load;

/// Means over 100 replicates of the built-in baseline with `sets` overrides.
fn baseline_means(sets: &[&str]) -> Vec<(&'static str, f64)> {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let scenario = load(None, &sets).expect("the built-in baseline loads");
    let runs = run_replicates(&scenario.params, scenario.seed, 100, 0, &|| {});
    patchwork_sim::metrics::measures::Measures::NAMES
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let values: Vec<f64> = runs
                .iter()
                .map(|r| r.measures.values()[i])
                .filter(|v| v.is_finite())
                .collect();
            (*name, values.iter().sum::<f64>() / values.len() as f64)
        })
        .collect()
}

/// The default measured window (school years 6-8, after the five-year warm-up).
#[test]
fn ad_hoc_baseline_lands_near_englands_figures() {
    check_calibration(&[], "years 6-8");
}

/// The same figures in a late window that does not overlap it (school years 11-13): the world has
/// settled, so calibration does not depend on the horizon.
#[test]
fn ad_hoc_baseline_stays_calibrated_in_a_late_window() {
    check_calibration(
        &["run.horizon_weeks=676", "run.warmup_weeks=520"],
        "years 11-13",
    );
}

fn check_calibration(sets: &[&str], window: &str) {
    let means = baseline_means(sets);
    let get = |name: &str| {
        means
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
            .unwrap()
    };
    // (measure, target, tolerance, source)
    let checks = [
        // Schools make 21% of 519 referrals per 10,000 children: about 15 per 1,000 pupils.
        (
            "referrals_per_10k",
            150.0,
            37.5,
            "DfE CIN 2025, school referrals, ±25%",
        ),
        (
            "referral_rejection_share",
            0.37,
            0.06,
            "DfE CIN 2025, NFA + not in need",
        ),
        (
            "rereferral_share_12m",
            0.226,
            0.07,
            "DfE CIN 2025, re-referral within 12 months",
        ),
        (
            "median_assessment_working_days",
            33.0,
            5.0,
            "DfE CIN 2025, median assessment",
        ),
        (
            "share_assessments_over_45wd",
            0.14,
            0.07,
            "DfE CIN 2025, 86% within 45 days",
        ),
        (
            "social_worker_caseload",
            16.0,
            3.0,
            "DfE workforce 2023, cases per FTE",
        ),
        (
            "social_worker_turnover",
            0.138,
            0.04,
            "DfE workforce 2024, turnover",
        ),
    ];
    let mut misses = Vec::new();
    for (name, target, tolerance, source) in checks {
        let value = get(name);
        eprintln!("{window}: {name}: {value:.3} (target {target} ± {tolerance}, {source})");
        if (value - target).abs() > tolerance {
            misses.push(format!(
                "{window}: {name} = {value:.3}, target {target} ± {tolerance} ({source})"
            ));
        }
    }
    assert!(misses.is_empty(), "off calibration:\n{}", misses.join("\n"));
}
