//! The words of a comparison: `report.md` and `report.html` from one document, and the headline
//! sentences `compare` also prints.

use crate::metrics::NoBreakEven;
use crate::metrics::VarianceSplit;
use crate::metrics::catalogue::{Shown, capitalised, headline, headlines, sentence};
use crate::metrics::{CollaborativeAdvantage, PairedDifference};
use crate::output::RenderedFile;
use crate::output::export::compare::{
    ADVANTAGE_CSV, COMPARISON_CSV, CompareReport, Comparison, POSTERIOR_DRAWS_CSV, REPORT_HTML,
    REPORT_MD, SILO_OVERRIDES,
};
use crate::output::export::settling;
use crate::output::html::document::Document;
use crate::output::plot::{self, PlotData};

/// The widest line `difference_lines` sets side by side; wider tables are stacked instead.
const TERMINAL_WIDTH: usize = 100;

/// Said in place of the table of differences when there are none.
const SAME_SCENARIO: &str =
    "A and B are the same scenario: no resolved key differs, so they give the same results.";

/// A side's value of a differing key, or that the side does not have the key.
fn side(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("(none)")
}

/// The terminal's opening: the resolved keys whose values differ, A's and B's side by side in
/// aligned columns (or one line saying there are none).
pub fn difference_lines(report: &CompareReport<'_>) -> Vec<String> {
    if report.differences.is_empty() {
        return vec![SAME_SCENARIO.to_string()];
    }
    let header = ["key", report.a.name, report.b.name];
    let rows: Vec<[&str; 3]> = report
        .differences
        .iter()
        .map(|difference| {
            [
                difference.key.as_str(),
                side(&difference.a),
                side(&difference.b),
            ]
        })
        .collect();
    let width = |column: usize| {
        rows.iter()
            .map(|row| row[column].chars().count())
            .chain([header[column].chars().count()])
            .max()
            .unwrap_or(0)
    };
    let (key_width, a_width) = (width(0), width(1));
    let mut lines = vec![format!(
        "What differs between A ({}) and B ({}), every option applied:",
        report.a.name, report.b.name
    )];
    if key_width + a_width + width(2) + 6 <= TERMINAL_WIDTH {
        lines.extend([header].iter().chain(&rows).map(|[key, a, b]| {
            format!("  {key:<key_width$}  {a:<a_width$}  {b}")
                .trim_end()
                .to_string()
        }));
    } else {
        // Too wide for side by side: each key with A's and B's values under it.
        let name_width = 1 + header[1].chars().count().max(header[2].chars().count());
        for [key, a, b] in &rows {
            lines.push(format!("  {key}"));
            lines.push(format!(
                "    {:<name_width$}  {a}",
                format!("{}:", header[1])
            ));
            lines.push(format!(
                "    {:<name_width$}  {b}",
                format!("{}:", header[2])
            ));
        }
    }
    lines
}

/// B's difference from A as a size and its interval the same way round, and whether B is the
/// lower, so a sentence can say "shorter by 2 (95% CI 1 to 3)" rather than "-2 (-3 to -1)".
fn size_of(paired: &PairedDifference) -> (bool, f64, f64, f64) {
    if paired.difference < 0.0 {
        (true, -paired.difference, -paired.ci_high, -paired.ci_low)
    } else {
        (false, paired.difference, paired.ci_low, paired.ci_high)
    }
}

/// `difference unit (95% CI low to high)`, B minus A.
fn difference_with_interval(shown: Shown, paired: &PairedDifference, unit: &str) -> String {
    format!(
        "{}{unit} (95% CI {} to {})",
        shown.amount(paired.difference),
        shown.amount(paired.ci_low),
        shown.amount(paired.ci_high)
    )
}

/// The bottom line in plain words, from the headline measures: which scenario gets children help
/// sooner and by how much (with its interval), whether that is clear or within the noise, and
/// what it costs in coordination hours.
pub fn bottom_line(report: &CompareReport<'_>, comparison: &Comparison) -> String {
    let (a, b) = (report.a.name, report.b.name);
    if report.differences.is_empty() {
        return SAME_SCENARIO.to_string();
    }
    let mut words = Vec::new();
    if let (Some(weeks), Some(headline)) = (
        comparison.measure("median_weeks_to_help"),
        headline("median_weeks_to_help"),
    ) {
        let shown = headline.shown;
        words.push(if weeks.pairs == 0 {
            "Too few children were helped to say which scenario gets them help sooner.".to_string()
        } else if weeks.pairs < 2 {
            "One replicate is too few to say which scenario gets children help sooner.".to_string()
        } else if weeks.within_noise() {
            format!(
                "These {} replicates cannot tell which scenario gets children help sooner: the typical (median) wait from recognition to help is {} weeks with {a} and {} with {b}, a difference of {}, within the noise.",
                report.replicates,
                shown.value(weeks.a_mean),
                shown.value(weeks.b_mean),
                difference_with_interval(shown, weeks, " weeks"),
            )
        } else {
            let (b_lower, by, low, high) = size_of(weeks);
            let (sooner, later) = if b_lower { (b, a) } else { (a, b) };
            format!(
                "Children get help sooner with {sooner}: the typical (median) wait from recognition to help is {} weeks shorter than with {later} (95% CI {} to {} weeks), a clear difference.",
                shown.amount(by),
                shown.amount(low),
                shown.amount(high)
            )
        });
    }
    if let (Some(hours), Some(headline)) = (
        comparison.measure("coordination_hours_per_child"),
        headline("coordination_hours_per_child"),
    ) && hours.pairs >= 2
    {
        let shown = headline.shown.agreeing(hours);
        words.push(if hours.within_noise() {
            format!(
                "Coordination time is about the same: {} hours per pupil a year with {a} and {} with {b} (a difference of {}, within the noise).",
                shown.value(hours.a_mean),
                shown.value(hours.b_mean),
                difference_with_interval(shown, hours, ""),
            )
        } else {
            let (b_lower, by, low, high) = size_of(hours);
            let more_or_fewer = if b_lower { "fewer" } else { "more" };
            format!(
                "With {b}, professionals spend {} {more_or_fewer} hours on coordination per pupil a year than with {a} ({} against {}, 95% CI {} to {} {more_or_fewer}).",
                shown.amount(by),
                shown.value(hours.b_mean),
                shown.value(hours.a_mean),
                shown.amount(low),
                shown.amount(high)
            )
        });
    }
    words.join(" ")
}

/// One sentence per headline measure, B against A.
pub fn headline_sentences(report: &CompareReport<'_>, comparison: &Comparison) -> Vec<String> {
    headlines()
        .filter_map(|headline| {
            comparison
                .measure(headline.measure)
                .map(|paired| sentence(headline, report.a.name, report.b.name, paired))
        })
        .collect()
}

/// The parameters' and the random draws' shares of a difference's variance, in words.
fn shares(split: &VarianceSplit) -> (String, String) {
    let percent = |share: f64| {
        if share.is_finite() {
            format!("{:.0}%", share * 100.0)
        } else {
            "n/a".to_string()
        }
    };
    (
        percent(split.parameter_share()),
        percent(split.random_share()),
    )
}

/// With a posterior, one line per headline measure: how much of its difference's variance comes
/// from the parameters and how much from the random draws. Empty without a posterior.
pub fn split_sentences(comparison: &Comparison) -> Vec<String> {
    headlines()
        .filter_map(|headline| {
            let (parameters, random) = shares(comparison.split(headline.measure)?);
            Some(format!(
                "{}: {parameters} from the parameters, {random} from the random draws",
                capitalised(headline.label)
            ))
        })
        .collect()
}

/// Decimals for a row of the table of every measure, from the size of its means: three below 1,
/// two below 10, one below 1,000, none above.
fn decimals_for(paired: &PairedDifference) -> usize {
    let size = paired.a_mean.abs().max(paired.b_mean.abs());
    match size {
        size if !size.is_finite() || size < 1.0 => 3,
        size if size < 10.0 => 2,
        size if size < 1_000.0 => 1,
        _ => 0,
    }
}

/// A number with `decimals` decimals, `n/a` if undefined, never `-0`.
fn fixed(value: f64, decimals: usize) -> String {
    Shown::Number(decimals).value(value)
}

/// `low to high`, each written by `write`; NA when there is no interval (one replicate).
fn interval_text(low: f64, high: f64, write: impl Fn(f64) -> String) -> String {
    if low.is_finite() && high.is_finite() {
        format!("{} to {}", write(low), write(high))
    } else {
        "NA".to_string()
    }
}

fn percent_change(relative: f64) -> String {
    if relative.is_finite() {
        format!("{:+.1}%", relative * 100.0)
    } else {
        "n/a".to_string()
    }
}

/// `silo → arm (difference, 95% CI low to high)` for the advantage table.
fn against_silo(paired: &PairedDifference, shown: Shown) -> String {
    if paired.pairs == 0 {
        return "n/a".to_string();
    }
    format!(
        "{} → {} ({}{}{}, 95% CI {})",
        shown.value(paired.a_mean),
        shown.value(paired.b_mean),
        if paired.difference >= 0.0 { "+" } else { "" },
        shown.amount(paired.difference),
        if shown == Shown::Percent { " pp" } else { "" },
        interval_text(paired.ci_low, paired.ci_high, |value| shown.amount(value))
    )
}

fn advantage_cells(advantage: &CollaborativeAdvantage, already_silo: bool) -> Vec<String> {
    if already_silo {
        let same = "works in silos already".to_string();
        return vec![
            same.clone(),
            same.clone(),
            same.clone(),
            same,
            "0 (by definition)".to_string(),
            "n/a".to_string(),
        ];
    }
    let net = advantage.net;
    vec![
        against_silo(&advantage.median_weeks_to_help, Shown::Weeks),
        against_silo(&advantage.inertia, Shown::Percent),
        against_silo(&advantage.unmet_need, Shown::Number(1)),
        against_silo(&advantage.coordination_hours, Shown::Number(1)),
        if net.n == 0 {
            "n/a".to_string()
        } else {
            format!(
                "**{:.1}** (95% CI {})",
                net.mean,
                interval_text(net.ci_low, net.ci_high, |value| format!("{value:.1}"))
            )
        },
        match advantage.break_even() {
            Ok(rate) => format!("{rate:.2}"),
            Err(NoBreakEven::NoExtraHours) => "not needed: no clear extra hours".to_string(),
            Err(NoBreakEven::NoNeedAvoided) => "none: no clear unmet need avoided".to_string(),
        },
    ]
}

/// The plain-words verdict on one arm's advantage.
fn advantage_sentence(
    name: &str,
    advantage: &CollaborativeAdvantage,
    already_silo: bool,
) -> String {
    if already_silo {
        return format!(
            "{name} already works in silos (ad hoc referral, no minder, no direct line, no core group), \
             so its net collaborative advantage is zero by definition."
        );
    }
    let net = advantage.net;
    if net.n == 0 {
        return format!("{name}: the net advantage is not defined in these runs.");
    }
    let avoided = -advantage.unmet_need.difference;
    let extra_hours = advantage.coordination_hours.difference;
    let mut text = format!(
        "{name}: against silos it {} {:.1} child-weeks of unmet need per 100 pupils a year and {} {:.1} coordination hours; \
         net advantage {:.1} (95% CI {})",
        if avoided >= 0.0 { "avoids" } else { "adds" },
        avoided.abs(),
        if extra_hours >= 0.0 {
            "spends an extra"
        } else {
            "saves"
        },
        extra_hours.abs(),
        net.mean,
        interval_text(net.ci_low, net.ci_high, |value| format!("{value:.1}"))
    );
    let verdict = if net.n < 2 || (net.ci_low <= 0.0 && net.ci_high >= 0.0) {
        ", within the noise."
    } else if net.ci_low > 0.0 {
        ": collaboration gains more than it costs."
    } else {
        ": collaboration costs more than it gains, at one hour per child-week."
    };
    text.push_str(verdict);
    if let Ok(rate) = advantage.break_even() {
        text.push_str(&format!(
            " It pays whenever a child-week of unmet need is judged worth more than {rate:.2} hours of professional time."
        ));
    } else if avoided > 0.0 && extra_hours <= 0.0 {
        text.push_str(" It avoids unmet need without spending more hours.");
    }
    text
}

fn png_of(plots: &[RenderedFile], name: &str) -> Option<Vec<u8>> {
    plots
        .iter()
        .find(|file| file.file_name == name)
        .map(|file| file.bytes.clone())
}

/// The whole report.
pub(super) fn document(
    report: &CompareReport<'_>,
    comparison: &Comparison,
    plot_data: &PlotData,
    plots: &[RenderedFile],
) -> Document {
    let (a, b) = (&report.a, &report.b);
    let mut document = Document::new(format!("{} against {}", b.name, a.name));
    document.list(vec![
        format!("**A = {}**: {}", a.name, a.description),
        format!("**B = {}**: {}", b.name, b.description),
    ]);
    document.heading(2, "What differs");
    if report.differences.is_empty() {
        document.paragraph(SAME_SCENARIO);
    } else {
        document.paragraph(
            "The resolved keys whose values differ between A and B, after the defaults, the files' bases and \
             every --set, --set-a and --set-b; timeline events are numbered from 0. Every other key is \
             the same in both.",
        );
        let rows = report
            .differences
            .iter()
            .map(|difference| {
                vec![
                    difference.key.clone(),
                    side(&difference.a).to_string(),
                    side(&difference.b).to_string(),
                ]
            })
            .collect();
        document.table(&["key", a.name, b.name], rows, &[false, false, false]);
    }
    // The same scenario twice has no bottom line beyond saying so, which *What differs* has.
    if !report.differences.is_empty() {
        document.heading(2, "Bottom line");
        document.paragraph(bottom_line(report, comparison));
    }
    document.heading(2, "How it was run");
    let mut method = format!(
        "Each scenario was run {} times (replicates) from master seed {}. Replicate r of {} and replicate r of {} \
         started from the same seed (common random numbers), so a difference comes from the scenarios, not from \
         the luck of the draw. Differences are {} minus {}, with a 95% confidence interval from Student's t on \
         the paired differences. A difference whose interval includes zero is **within the noise**: these \
         replicates cannot tell the two apart on it.",
        report.replicates, report.master_seed, a.name, b.name, b.name, a.name
    );
    if !report.sets.is_empty() {
        method.push_str(&format!(
            " Both scenarios were run with {}.",
            report.sets.join(", ")
        ));
    }
    for (letter, sets) in [('A', report.sets_a), ('B', report.sets_b)] {
        if !sets.is_empty() {
            method.push_str(&format!(
                " {letter} alone was run with {}.",
                sets.join(", ")
            ));
        }
    }
    document.paragraph(method);
    if let Some(posterior) = &report.posterior {
        document.paragraph(format!(
            "{} Replicate r of both scenarios used the same row, so the pairs share their parameters \
             as well as their random numbers, and each interval carries the posterior's uncertainty.",
            posterior
                .draws
                .sentence(&format!("listed in {POSTERIOR_DRAWS_CSV}"))
        ));
    }
    let settled: Vec<String> = [a, b]
        .iter()
        .filter_map(
            |arm| match settling::notice(&arm.settling(), Some(arm.name)) {
                (true, line) => Some(line),
                (false, warning) => {
                    document.notice(warning);
                    None
                }
            },
        )
        .collect();
    if !settled.is_empty() {
        document.paragraph(settled.join(" "));
    }

    document.heading(2, "What changes");
    document.list(headline_sentences(report, comparison));
    let noisy: Vec<&str> = headlines()
        .filter(|headline| {
            comparison
                .measure(headline.measure)
                .is_some_and(|paired| paired.pairs > 0 && paired.within_noise())
        })
        .map(|headline| headline.label)
        .collect();
    document.paragraph(if noisy.is_empty() {
        "None of these differences is within the noise.".to_string()
    } else {
        format!("Within the noise: {}.", noisy.join("; "))
    });

    if report.posterior.is_some() {
        parameters_or_chance(&mut document, comparison);
    }

    if let Some(png) = png_of(plots, plot::SURVIVAL_PNG) {
        document.heading(2, "Time to help");
        document.paragraph(
            "Each line is the share of needs recognised in the measured weeks that were still waiting for help, \
             against weeks since recognition, pooled over every replicate (a Kaplan–Meier curve: needs still \
             waiting when the run ended count for as long as they were seen). The shaded band is a 95% \
             confidence interval. A line lower down means help comes sooner.",
        );
        document.image(
            "Time to help: share of recognised needs still waiting, by weeks since recognition",
            plot::SURVIVAL_PNG,
            png,
        );
    }
    if let Some(png) = png_of(plots, plot::WEEKLY_PNG) {
        document.heading(2, "Week by week");
        document.paragraph(
            "Children waiting for help, open cases, mean tie strength between professionals and staff in post, \
             each the mean across replicates. The shaded weeks are the warm-up, left out of every measure; dashed \
             lines mark the timeline's events.",
        );
        document.image(
            "Week by week: waiting for help, open cases, tie strength and staff in post",
            plot::WEEKLY_PNG,
            png,
        );
        let events: Vec<String> = plot_data
            .events
            .iter()
            .map(|event| {
                format!(
                    "{}, week {}: {}",
                    event.arm.as_deref().unwrap_or(""),
                    event.week,
                    event.label
                )
            })
            .collect();
        if !events.is_empty() {
            document.paragraph("Timeline events (replicate 0):");
            document.list(events);
        }
    }
    if let Some(png) = png_of(plots, plot::NETWORK_PNG) {
        document.heading(2, "The professional network");
        document.paragraph(plot::network::caption(true));
        document.image(plot::network::ALT, plot::NETWORK_PNG, png);
    }

    document.heading(2, "Net collaborative advantage");
    // The break-even rate prices a trade (unmet need clearly avoided for clearly more hours); it
    // is shown only when at least one arm makes one (`CollaborativeAdvantage::break_even`).
    let break_even_shown = [(a, &comparison.advantage_a), (b, &comparison.advantage_b)]
        .iter()
        .any(|(arm, advantage)| !arm.already_silo && advantage.break_even().is_ok());
    let mut advantage_text = format!(
        "Each scenario is set against itself with the agencies working **in silos**: the same scenario on the \
         same seeds with {} (the timeline is kept as written). Net collaborative advantage = child-weeks of \
         unmet need avoided − extra coordination hours, both per 100 pupils a year and paired replicate by \
         replicate: one hour of professional coordination is set against one child-week of a child's unmet \
         need. Positive means collaboration gains more than it costs.",
        SILO_OVERRIDES
            .iter()
            .map(|set| format!("`{set}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if break_even_shown {
        advantage_text.push_str(
            " The break-even figure is the number of hours a child-week of unmet need must be worth for \
             collaboration to pay; it is given only where collaboration clearly avoids unmet need for clearly \
             more hours.",
        );
    }
    document.paragraph(advantage_text);
    let cells_a = advantage_cells(&comparison.advantage_a, a.already_silo);
    let cells_b = advantage_cells(&comparison.advantage_b, b.already_silo);
    let labels = [
        "median weeks to help (silos → scenario)",
        "inertia (silos → scenario)",
        "unmet need, child-weeks per 100 pupils a year",
        "coordination hours per 100 pupils a year",
        "net advantage per 100 pupils a year",
        "break-even hours per child-week avoided",
    ];
    let shown_rows = if break_even_shown {
        labels.len()
    } else {
        labels.len() - 1
    };
    let rows = labels[..shown_rows]
        .iter()
        .enumerate()
        .map(|(index, label)| {
            vec![
                label.to_string(),
                cells_a[index].clone(),
                cells_b[index].clone(),
            ]
        })
        .collect();
    document.table(&["", a.name, b.name], rows, &[false, true, true]);
    document.list(vec![
        advantage_sentence(a.name, &comparison.advantage_a, a.already_silo),
        advantage_sentence(b.name, &comparison.advantage_b, b.already_silo),
    ]);

    document.heading(2, "Every measure");
    document.paragraph(format!(
        "Means over the replicates where the measure is defined for both; the difference is {} minus {}; \
         relative change is the difference as a share of {}'s mean. The headline measures are in bold; every measure is defined in docs/model.md.",
        b.name, a.name, a.name
    ));
    let rows = comparison
        .measures
        .iter()
        .map(|measure| {
            let paired = &measure.difference;
            let decimals = decimals_for(paired);
            let label = if headline(measure.name).is_some() {
                format!("**{}**", measure.name)
            } else {
                measure.name.to_string()
            };
            vec![
                label,
                fixed(paired.a_mean, decimals),
                fixed(paired.b_mean, decimals),
                fixed(paired.difference, decimals),
                if paired.pairs >= 2 {
                    format!(
                        "{} to {}",
                        fixed(paired.ci_low, decimals),
                        fixed(paired.ci_high, decimals)
                    )
                } else {
                    "n/a".to_string()
                },
                percent_change(paired.relative_change),
                if paired.pairs == 0 {
                    "n/a".to_string()
                } else if paired.within_noise() {
                    "yes".to_string()
                } else {
                    "no".to_string()
                },
            ]
        })
        .collect();
    document.table(
        &[
            "measure",
            a.name,
            b.name,
            "difference",
            "95% CI",
            "relative change",
            "within the noise",
        ],
        rows,
        &[false, true, true, true, true, true, false],
    );

    document.heading(2, "Files");
    let mut files = vec![
        format!(
            "{COMPARISON_CSV}: every measure, A and B means, the paired difference, its 95% CI, the relative change"
        ),
        format!("{ADVANTAGE_CSV}: net collaborative advantage of each scenario against silos"),
        format!(
            "{}, {}, {}, {}, {}: the curves, weekly series, timeline and network the plots are drawn \
             from; `patchwork plot <this directory>` redraws plots/ from them",
            plot::SURVIVAL_CSV,
            plot::WEEKLY_CSV,
            plot::EVENTS_CSV,
            plot::NETWORK_POSTS_CSV,
            plot::NETWORK_TIES_CSV
        ),
        format!(
            "metadata.json: both scenarios fully resolved, the seed and the version; {REPORT_MD} and {REPORT_HTML}: this report"
        ),
    ];
    if report.posterior.is_some() {
        files.push(format!(
            "{POSTERIOR_DRAWS_CSV}: each replicate's seed, twin seed, the posterior row it drew and its values"
        ));
    }
    document.list(files);
    document
}

/// The section of a comparison under `--posterior`: how much of each difference's variance comes
/// from the drawn parameters and how much from the random draws.
fn parameters_or_chance(document: &mut Document, comparison: &Comparison) {
    document.heading(2, "Parameters or chance?");
    document.paragraph(
        "Each replicate's drawn parameters were also run, in both scenarios, from a second seed (its twin). \
         Two runs under one draw differ only by the random draws; replicates differ by both. By the law of \
         total variance, the variance of a replicate's difference is the variance of its expected value \
         across the drawn parameters plus the mean variance left within a draw; a one-way analysis of \
         variance over the replicates' pairs of runs estimates the two parts. The shares below are of that \
         variance, and so of the squared width of the difference's 95% interval: a large share from the \
         parameters says that narrowing the posterior, not running more replicates, would narrow the \
         interval most.",
    );
    let rows = comparison
        .measures
        .iter()
        .zip(&comparison.splits)
        .map(|(measure, split)| {
            let (parameters, random) = shares(split);
            let label = if headline(measure.name).is_some() {
                format!("**{}**", measure.name)
            } else {
                measure.name.to_string()
            };
            vec![label, parameters, random, split.groups.to_string()]
        })
        .collect();
    document.table(
        &[
            "measure",
            "from the parameters",
            "from the random draws",
            "replicates",
        ],
        rows,
        &[false, true, true, true],
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_keep_one_precision() {
        let small = PairedDifference::of(&[0.4, 0.5], &[0.3, 0.3]);
        assert_eq!(decimals_for(&small), 3);
        let rates = PairedDifference::of(&[176.2, 170.0], &[74.5, 70.0]);
        assert_eq!(decimals_for(&rates), 1);
        assert_eq!(fixed(-0.0001, 3), "0.000");
        assert_eq!(fixed(f64::NAN, 1), "n/a");
        assert_eq!(percent_change(-0.154_762), "-15.5%");
    }

    #[test]
    fn against_silo_reads_as_a_change() {
        let paired = PairedDifference::of(&[12.0, 14.0], &[9.0, 10.0]);
        assert_eq!(
            against_silo(&paired, Shown::Weeks),
            format!(
                "13.0 → 9.5 (-3.5, 95% CI {:.1} to {:.1})",
                paired.ci_low, paired.ci_high
            )
        );
    }
}
