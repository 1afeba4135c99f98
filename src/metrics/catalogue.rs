//! The catalogue of measures as a planner reads them, one entry per measure: its name, a label in
//! plain words and a short one, how a value is shown (weeks, a percentage, a number), which way is
//! better, the words for a fall or a rise ("faster" / "slower"), and whether it is a headline
//! measure (reports, `compare`'s sentences) or a sweep's; with the sentences `compare` writes ("median weeks from recognition to help: 11.0 with A and 8.5
//! with B; B is faster by 2.5 weeks, 95% CI 1.9 to 3.1").

use crate::metrics::PairedDifference;

/// How a measure's values are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// Weeks, one decimal.
    Weeks,
    /// A share in 0..1, as a percentage with one decimal; differences in percentage points.
    Percent,
    /// A plain number with this many decimals.
    Number(usize),
}

/// `-0.0` (a small negative number rounded away) written as `0.0`.
fn without_negative_zero(text: String) -> String {
    match text.strip_prefix('-') {
        Some(digits)
            if digits
                .chars()
                .all(|character| matches!(character, '0' | '.' | '%')) =>
        {
            digits.to_string()
        }
        _ => text,
    }
}

impl Shown {
    /// A value (`n/a` when undefined).
    pub fn value(self, value: f64) -> String {
        if !value.is_finite() {
            return "n/a".to_string();
        }
        without_negative_zero(match self {
            Shown::Weeks => format!("{value:.1}"),
            Shown::Percent => format!("{:.1}%", value * 100.0),
            Shown::Number(decimals) => format!("{value:.decimals$}"),
        })
    }

    /// Itself, or one more decimal where the two means as shown would not differ by the difference
    /// as shown (0.146 and 0.124 as "0.15 against 0.12", a difference of "0.02"), so that a reader who
    /// subtracts finds the figure the sentence gives.
    pub fn agreeing(self, paired: &PairedDifference) -> Shown {
        let number = |text: String| text.trim_end_matches('%').parse::<f64>().ok();
        let step = match self {
            Shown::Weeks | Shown::Percent => 0.1,
            Shown::Number(decimals) => 10f64.powi(-(decimals as i32)),
        };
        let agrees = match (
            number(self.value(paired.b_mean)),
            number(self.value(paired.a_mean)),
            number(self.amount(paired.difference)),
        ) {
            (Some(b), Some(a), Some(difference)) => (b - a - difference).abs() < step / 2.0,
            _ => true,
        };
        match self {
            _ if agrees => self,
            Shown::Weeks => Shown::Number(2),
            Shown::Number(decimals) => Shown::Number(decimals + 1),
            Shown::Percent => Shown::Percent,
        }
    }

    /// A difference without its unit (percentage points for shares).
    pub fn amount(self, difference: f64) -> String {
        if !difference.is_finite() {
            return "n/a".to_string();
        }
        without_negative_zero(match self {
            Shown::Weeks => format!("{difference:.1}"),
            Shown::Percent => format!("{:.1}", difference * 100.0),
            Shown::Number(decimals) => format!("{difference:.decimals$}"),
        })
    }

    /// A value in the table printed after a run: one decimal, shares as percentages.
    pub fn brief(self, value: f64) -> String {
        if !value.is_finite() {
            return "n/a".to_string();
        }
        match self {
            Shown::Percent => format!("{:.1}%", value * 100.0),
            Shown::Weeks | Shown::Number(_) => format!("{value:.1}"),
        }
    }

    /// The unit after a difference (with its leading space), if any.
    pub fn unit(self) -> &'static str {
        match self {
            Shown::Weeks => " weeks",
            Shown::Percent => " percentage points",
            Shown::Number(_) => "",
        }
    }
}

/// Which way a measure is better, where one is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    Lower,
    Higher,
    /// Neither way is better in itself (referrals: too few miss need, too many swamp the service).
    Neither,
}

/// One measure as the tables, reports and plots show it.
#[derive(Debug, Clone, Copy)]
pub struct Headline {
    /// The measure's name in `Measures::NAMES`.
    pub measure: &'static str,
    /// What it is, in plain words (reports and `compare`'s sentences).
    pub label: &'static str,
    /// A short label (the table printed after a run).
    pub short: &'static str,
    /// The y axis's label in the sweep's plots, for a `sweep` measure.
    pub axis: Option<&'static str>,
    pub shown: Shown,
    pub better: Better,
    /// Said of B when its value is lower than A's ("faster", "fewer").
    pub lower: &'static str,
    /// Said of B when its value is higher ("slower", "more").
    pub higher: &'static str,
    /// In the reports' headline table and `compare`'s sentences.
    pub headline: bool,
    /// Drawn in a sweep's plots and ranked in its report.
    pub sweep: bool,
}

/// Every measure the tables, reports and plots show, the headline measures first, most important
/// first.
pub const CATALOGUE: [Headline; 15] = [
    Headline {
        measure: "median_weeks_to_help",
        label: "median weeks from recognition to help",
        short: "median weeks to help",
        axis: Some("median weeks to help"),
        shown: Shown::Weeks,
        better: Better::Lower,
        lower: "faster",
        higher: "slower",
        headline: true,
        sweep: true,
    },
    Headline {
        measure: "p90_weeks_to_help",
        label: "weeks from recognition to help for the slowest tenth (90th percentile)",
        short: "90th percentile weeks to help",
        axis: None,
        shown: Shown::Weeks,
        better: Better::Lower,
        lower: "faster",
        higher: "slower",
        headline: true,
        sweep: false,
    },
    Headline {
        measure: "inertia",
        label: "recognised needs not helped within the action window (inertia)",
        short: "inertia (not helped in window)",
        axis: Some("inertia (share)"),
        shown: Shown::Percent,
        better: Better::Lower,
        lower: "lower",
        higher: "higher",
        headline: true,
        sweep: true,
    },
    Headline {
        measure: "unmet_need_child_weeks_per_100",
        label: "child-weeks of unmet need per 100 pupils a year",
        short: "unmet child-weeks per 100 pupils",
        axis: Some("unmet child-weeks per 100 pupils a year"),
        shown: Shown::Number(1),
        better: Better::Lower,
        lower: "lower",
        higher: "higher",
        headline: true,
        sweep: true,
    },
    Headline {
        measure: "duplicate_assessments_per_child",
        label: "duplicate assessments per child assessed",
        short: "duplicate assessments per child",
        axis: None,
        shown: Shown::Number(2),
        better: Better::Lower,
        lower: "lower",
        higher: "higher",
        headline: true,
        sweep: false,
    },
    Headline {
        measure: "referrals_per_10k",
        label: "school referrals to social care per 10,000 pupils a year",
        short: "school referrals per 10k a year",
        axis: None,
        shown: Shown::Number(1),
        better: Better::Neither,
        lower: "lower",
        higher: "higher",
        headline: true,
        sweep: false,
    },
    Headline {
        measure: "referral_rejection_share",
        label: "referrals ending in no further action or not in need",
        short: "referrals rejected (NFA, not in need)",
        axis: None,
        shown: Shown::Percent,
        better: Better::Lower,
        lower: "lower",
        higher: "higher",
        headline: true,
        sweep: false,
    },
    Headline {
        measure: "relational_coordination",
        label: "relational coordination (Gittell's 1 to 5 scale)",
        short: "relational coordination",
        axis: None,
        shown: Shown::Number(2),
        better: Better::Higher,
        lower: "lower",
        higher: "higher",
        headline: true,
        sweep: false,
    },
    Headline {
        measure: "coordination_hours_per_child",
        label: "coordination hours per pupil a year",
        short: "coordination hours per pupil",
        axis: Some("coordination hours per pupil a year"),
        shown: Shown::Number(2),
        better: Better::Lower,
        lower: "lower",
        higher: "higher",
        headline: true,
        sweep: true,
    },
    Headline {
        measure: "grind",
        label: "coordination hours per help started (grind)",
        short: "grind (coordination h per help)",
        axis: None,
        shown: Shown::Number(1),
        better: Better::Lower,
        lower: "lower",
        higher: "higher",
        headline: true,
        sweep: false,
    },
    Headline {
        measure: "helps_started_per_100",
        label: "helps started per 100 pupils a year",
        short: "helps started per 100 pupils",
        axis: None,
        shown: Shown::Number(1),
        better: Better::Higher,
        lower: "lower",
        higher: "higher",
        headline: true,
        sweep: false,
    },
    Headline {
        measure: "rereferral_share_12m",
        label: "children referred again within 12 months of a referral",
        short: "re-referrals within 12 months",
        axis: None,
        shown: Shown::Percent,
        better: Better::Lower,
        lower: "lower",
        higher: "higher",
        headline: false,
        sweep: false,
    },
    Headline {
        measure: "median_assessment_working_days",
        label: "median working days an assessment takes",
        short: "median assessment working days",
        axis: None,
        shown: Shown::Number(1),
        better: Better::Lower,
        lower: "faster",
        higher: "slower",
        headline: false,
        sweep: false,
    },
    Headline {
        measure: "social_worker_caseload",
        label: "social worker caseload",
        short: "social worker caseload",
        axis: None,
        shown: Shown::Number(1),
        better: Better::Lower,
        lower: "lower",
        higher: "higher",
        headline: false,
        sweep: false,
    },
    Headline {
        measure: "social_worker_turnover",
        label: "social workers leaving a year",
        short: "social worker turnover a year",
        axis: None,
        shown: Shown::Percent,
        better: Better::Lower,
        lower: "lower",
        higher: "higher",
        headline: false,
        sweep: false,
    },
];

/// The measures printed after `patchwork run`, in order.
pub const RUN_TABLE: [&str; 11] = [
    "median_weeks_to_help",
    "p90_weeks_to_help",
    "inertia",
    "grind",
    "duplicate_assessments_per_child",
    "referrals_per_10k",
    "referral_rejection_share",
    "rereferral_share_12m",
    "median_assessment_working_days",
    "social_worker_caseload",
    "social_worker_turnover",
];

/// The headline measures, most important first.
pub fn headlines() -> impl Iterator<Item = &'static Headline> {
    CATALOGUE.iter().filter(|entry| entry.headline)
}

/// The measures a sweep draws and ranks, in order.
pub fn sweep_measures() -> impl Iterator<Item = &'static Headline> {
    CATALOGUE.iter().filter(|entry| entry.sweep)
}

/// The catalogue's entry of a measure, if it has one.
pub fn entry(measure: &str) -> Option<&'static Headline> {
    CATALOGUE.iter().find(|entry| entry.measure == measure)
}

/// The headline entry of a measure, if it is one.
pub fn headline(measure: &str) -> Option<&'static Headline> {
    headlines().find(|headline| headline.measure == measure)
}

/// Capitalises the first letter.
pub fn capitalised(text: &str) -> String {
    let mut characters = text.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect(),
        None => String::new(),
    }
}

/// The sentence comparing B with A on one headline measure.
pub fn sentence(
    headline: &Headline,
    a_name: &str,
    b_name: &str,
    paired: &PairedDifference,
) -> String {
    let shown = headline.shown.agreeing(paired);
    let label = capitalised(headline.label);
    if paired.pairs == 0 {
        return format!("{label}: not defined in these runs.");
    }
    let values = format!(
        "{label}: {} with {a_name} and {} with {b_name}",
        shown.value(paired.a_mean),
        shown.value(paired.b_mean)
    );
    if paired.pairs < 2 {
        return format!("{values}; one replicate is too few to tell them apart.");
    }
    // The unit of the measure, whatever decimals `agreeing` chose.
    let unit = headline.shown.unit();
    if paired.within_noise() {
        return format!(
            "{values}; the difference is within the noise ({b_name} minus {a_name}: {}{unit}, 95% CI {} to {}).",
            shown.amount(paired.difference),
            shown.amount(paired.ci_low),
            shown.amount(paired.ci_high)
        );
    }
    let (word, magnitude, low, high) = if paired.difference < 0.0 {
        (
            headline.lower,
            -paired.difference,
            -paired.ci_high,
            -paired.ci_low,
        )
    } else {
        (
            headline.higher,
            paired.difference,
            paired.ci_low,
            paired.ci_high,
        )
    };
    format!(
        "{values}; {b_name} is {word} by {}{unit}, 95% CI {} to {}.",
        shown.amount(magnitude),
        shown.amount(low),
        shown.amount(high)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paired(a_mean: f64, b_mean: f64, ci_low: f64, ci_high: f64) -> PairedDifference {
        PairedDifference {
            pairs: 20,
            a_mean,
            b_mean,
            difference: b_mean - a_mean,
            difference_sd: 1.0,
            ci_low,
            ci_high,
            relative_change: (b_mean - a_mean) / a_mean,
        }
    }

    #[test]
    fn every_entry_is_a_measure_and_every_list_is_in_the_catalogue() {
        use crate::metrics::Measures;
        for entry in &CATALOGUE {
            assert!(
                Measures::NAMES.contains(&entry.measure),
                "{}",
                entry.measure
            );
            assert_eq!(entry.sweep, entry.axis.is_some(), "{}", entry.measure);
        }
        for name in RUN_TABLE {
            assert!(super::entry(name).is_some(), "{name}");
        }
        assert_eq!(headlines().count(), 11);
        assert_eq!(
            sweep_measures()
                .map(|entry| entry.measure)
                .collect::<Vec<_>>(),
            [
                "median_weeks_to_help",
                "inertia",
                "unmet_need_child_weeks_per_100",
                "coordination_hours_per_child"
            ]
        );
    }

    #[test]
    fn the_planners_sentence() {
        let weeks = headline("median_weeks_to_help").unwrap();
        assert_eq!(
            sentence(weeks, "A", "B", &paired(11.0, 8.5, -3.1, -1.9)),
            "Median weeks from recognition to help: 11.0 with A and 8.5 with B; B is faster by 2.5 weeks, 95% CI 1.9 to 3.1."
        );
        assert_eq!(
            sentence(weeks, "A", "B", &paired(8.0, 9.0, 0.4, 1.6)),
            "Median weeks from recognition to help: 8.0 with A and 9.0 with B; B is slower by 1.0 weeks, 95% CI 0.4 to 1.6."
        );
    }

    #[test]
    fn shares_differ_by_percentage_points_and_noise_is_named() {
        let inertia = headline("inertia").unwrap();
        assert_eq!(
            sentence(inertia, "adhoc", "team", &paired(0.35, 0.34, -0.03, 0.01)),
            "Recognised needs not helped within the action window (inertia): 35.0% with adhoc and 34.0% with team; \
             the difference is within the noise (team minus adhoc: -1.0 percentage points, 95% CI -3.0 to 1.0)."
        );
    }

    #[test]
    fn undefined_and_single_replicates_are_said_plainly() {
        let weeks = headline("median_weeks_to_help").unwrap();
        let none = PairedDifference::of(&[f64::NAN], &[1.0]);
        assert_eq!(
            sentence(weeks, "A", "B", &none),
            "Median weeks from recognition to help: not defined in these runs."
        );
        let one = PairedDifference::of(&[3.0], &[2.0]);
        assert!(
            sentence(weeks, "A", "B", &one)
                .ends_with("one replicate is too few to tell them apart.")
        );
    }

    #[test]
    fn every_headline_is_a_measure() {
        for headline in headlines() {
            assert!(
                crate::metrics::Measures::NAMES.contains(&headline.measure),
                "{}",
                headline.measure
            );
        }
        assert_eq!(Shown::Percent.value(0.25), "25.0%");
        assert_eq!(Shown::Weeks.amount(-0.04), "0.0");
        assert_eq!(Shown::Percent.value(-0.0001), "0.0%");
        assert_eq!(Shown::Weeks.amount(-1.04), "-1.0");
        assert_eq!(Shown::Number(2).value(f64::NAN), "n/a");
    }

    /// Means shown as 0.15 and 0.12 beside a difference shown as 0.02 read as a mistake: one
    /// more decimal makes them agree; means that already agree keep their decimals.
    #[test]
    fn shown_means_agree_with_the_shown_difference() {
        let paired = PairedDifference::of(&[0.124, 0.124], &[0.146, 0.146]);
        assert_eq!(Shown::Number(2).agreeing(&paired), Shown::Number(3));
        let paired = PairedDifference::of(&[0.12, 0.12], &[0.15, 0.15]);
        assert_eq!(Shown::Number(2).agreeing(&paired), Shown::Number(2));
        let paired = PairedDifference::of(&[6.04, 6.04], &[6.96, 6.96]);
        assert_eq!(Shown::Weeks.agreeing(&paired), Shown::Number(2));
    }
}
