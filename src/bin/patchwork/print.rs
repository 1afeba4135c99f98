//! The text printed to the terminal: the table of measures after a run, the settling warnings,
//! `warmup`'s and `robustness`'s tables, the posterior's line and the "wrote ... to ..." line.
//! Formats only; `main.rs` prints.

use std::path::{Path, PathBuf};

use patchwork_sim::metrics::catalogue::{self, RUN_TABLE};
use patchwork_sim::metrics::{MeasureSummary, Settling};
use patchwork_sim::output::html::national_html::NationalRow;

/// The table of headline measures printed after a national run: across patches, the
/// pupil-weighted mean, the median patch and the 10th to 90th percentiles.
pub fn national_table(rows: &[NationalRow]) -> String {
    let printed = || RUN_TABLE.iter().filter_map(|name| catalogue::entry(name));
    let label_width = printed().map(|entry| entry.short.len()).max().unwrap_or(0);
    let patches = rows.first().map_or(0, |row| row.n);
    let mut table = format!(
        "{:label_width$}  {:>8}  {:>8}  {}\n",
        format!("measure ({patches} patches)"),
        "weighted",
        "median",
        "10th to 90th percentile"
    );
    for entry in printed() {
        let Some(row) = rows.iter().find(|row| row.measure == entry.measure) else {
            continue;
        };
        let shown = entry.shown;
        table.push_str(&format!(
            "{:label_width$}  {:>8}  {:>8}  {} to {}\n",
            entry.short,
            shown.brief(row.pupil_weighted_mean),
            shown.brief(row.median),
            shown.brief(row.p10),
            shown.brief(row.p90)
        ));
    }
    table
}

/// The table of headline measures (mean and 95% CI across replicates) printed after a run.
pub fn headline_table(summaries: &[MeasureSummary], replicates: u32) -> String {
    let printed = || RUN_TABLE.iter().filter_map(|name| catalogue::entry(name));
    let label_width = printed().map(|entry| entry.short.len()).max().unwrap_or(0);
    let mut table = format!(
        "{:label_width$}  {:>8}  {}\n",
        format!("measure ({replicates} replicates)"),
        "mean",
        "95% CI"
    );
    for entry in printed() {
        let (label, shown) = (entry.short, entry.shown);
        let Some(measure) = summaries
            .iter()
            .find(|summary| summary.name == entry.measure)
        else {
            continue;
        };
        let summary = measure.summary;
        let interval = if summary.n == 0 {
            "n/a".to_string()
        } else if !(summary.ci_low.is_finite() && summary.ci_high.is_finite()) {
            // One replicate: no interval.
            "NA".to_string()
        } else {
            format!(
                "{} to {}",
                shown.brief(summary.ci_low),
                shown.brief(summary.ci_high)
            )
        };
        table.push_str(&format!(
            "{label:label_width$}  {:>8}  {interval}\n",
            shown.brief(summary.mean)
        ));
    }
    table
}

/// One warning line for each weekly series of `settling` that has not settled (of the arm named
/// `arm` in a comparison), or one note for each whose drift is the effect of a scheduled event in
/// the judged weeks; none when all have settled.
pub fn settling_warnings(settling: &Settling, arm: Option<&str>) -> Vec<String> {
    use patchwork_sim::output::export::settling::{ADVICE, EVENT_EFFECT, event_effect_reason};
    let whose = arm.map(|arm| format!(" in {arm}")).unwrap_or_default();
    let window = &settling.window;
    let warnings = settling.not_settled().map(|series| {
        format!(
            "warning: not settled{whose}: {}; {ADVICE}",
            series.describe(window)
        )
    });
    let notes = settling.event_effects().map(|series| {
        format!(
            "note: drift after an event{whose}: {}; {EVENT_EFFECT}: {}",
            series.describe(window),
            event_effect_reason(window)
        )
    });
    warnings.chain(notes).collect()
}

/// Points of a sweep named in its warning at most.
const NAMED_POINTS: usize = 3;

/// The warning lines of a sweep whose points did not all settle: how many points, which series,
/// and the first few points by their swept values; a note when at some points a series drifts
/// across weeks that include a scheduled event; none when every point settled.
pub fn sweep_settling_warnings(
    settling: &patchwork_sim::batch::sweep::SweepSettling,
) -> Vec<String> {
    if settling.settled {
        return sweep_event_note(settling);
    }
    let series: Vec<String> = settling
        .series_not_settled
        .iter()
        .filter(|(_, points)| **points > 0)
        .map(|(series, points)| format!("{series} at {points}"))
        .collect();
    let mut lines = vec![format!(
        "warning: {} of {} points not settled ({}); see settling.csv, and lengthen \
         run.warmup_weeks or see docs/model.md",
        settling.points_not_settled,
        settling.points,
        series.join(", ")
    )];
    for point in settling.not_settled.iter().take(NAMED_POINTS) {
        let values = if point.values.is_empty() {
            String::new()
        } else {
            format!(" ({})", point.values)
        };
        lines.push(format!(
            "  point {}{values}: {}",
            point.point,
            point.series.join(", ")
        ));
    }
    if settling.points_not_settled > NAMED_POINTS as u64 {
        lines.push(format!(
            "  ... and {} more",
            settling.points_not_settled - NAMED_POINTS as u64
        ));
    }
    lines.extend(sweep_event_note(settling));
    lines
}

/// The note of a sweep at whose points some series drifts across judged weeks that include a
/// scheduled event (`event_effect` in settling.csv); none when there is no such point.
fn sweep_event_note(settling: &patchwork_sim::batch::sweep::SweepSettling) -> Vec<String> {
    if settling.points_event_effect == 0 {
        return Vec::new();
    }
    vec![format!(
        "note: {}",
        patchwork_sim::output::export::settling::sweep_event_effect_note(
            settling.points_event_effect,
            settling.points
        )
    )]
}

/// `patchwork warmup`'s table: each series' steady level and suggested warm-up, then the warm-up
/// to use (the longest, and rounded up to whole school years).
pub fn warmup_table(
    series: &[patchwork_sim::metrics::welch::WelchSeries],
    replicates: u32,
    horizon_weeks: u32,
) -> String {
    let first = format!("series ({replicates} replicates, {horizon_weeks} weeks)");
    let width = first.len().max(24);
    let mut table = format!("{first:width$}  {:>10}  suggested warm-up\n", "level");
    let mut longest = Some(0);
    for item in series {
        let decimals = if item.level.abs() < 5.0 { 3 } else { 1 };
        let warmup = match item.warmup_weeks {
            Some(weeks) => format!("{weeks} weeks"),
            None => format!(
                "none: not within ±{:.0}% by week {}",
                patchwork_sim::metrics::welch::BAND * 100.0,
                item.smoothed.len().saturating_sub(1)
            ),
        };
        longest = longest.zip(item.warmup_weeks).map(|(a, b)| a.max(b));
        table.push_str(&format!(
            "{:width$}  {:>10.decimals$}  {warmup}\n",
            item.series.name(),
            item.level
        ));
    }
    match longest {
        Some(weeks) => table.push_str(&format!(
            "suggested run.warmup_weeks: {weeks} (the longest), or {} in whole school years\n",
            weeks.div_ceil(52) * 52
        )),
        None => table.push_str(
            "no warm-up suggested: a series has not settled within the horizon; try a longer \
             --horizon-weeks, or the model does not settle (see docs/model.md)\n",
        ),
    }
    table
}

/// `robustness`'s table: per pattern, where it holds and the parameter with the largest PRCC.
pub fn robustness_table(
    spec: &patchwork_sim::robustness::RobustnessSpec,
    analysis: &patchwork_sim::robustness::Analysis,
) -> String {
    let keys: Vec<&str> = spec.space.parameters().iter().map(|p| p.key()).collect();
    let mut out = format!(
        "{:<8} {:>6}  {:<11} {:>8}  {}\n",
        "pattern", "holds", "95% CI", "point", "largest PRCC (p)"
    );
    let percent = |x: f64| format!("{:.0}%", x * 100.0);
    for summary in &analysis.summaries {
        let top = summary
            .top(1)
            .first()
            .map(|(j, p)| format!("{} {:+.2} ({:.3})", keys[*j], p.coefficient, p.p_value))
            .unwrap_or_else(|| "-".into());
        out.push_str(&format!(
            "{:<8} {:>6}  {:<11} {:>8}  {top}\n",
            summary.number,
            percent(summary.holds.share),
            format!(
                "{}-{}",
                percent(summary.holds.low),
                percent(summary.holds.high)
            ),
            percent(summary.point_holds.share),
        ));
    }
    out
}

/// The line naming the posterior a run's replicates drew from.
pub fn posterior_line(posterior: &patchwork_sim::posterior::PosteriorMetadata) -> String {
    format!(
        "parameters {} drawn from {} ({} rows, {} distinct drawn)",
        posterior.parameters.join(", "),
        posterior.file,
        posterior.rows,
        posterior.rows_drawn
    )
}

/// The line saying where the files went: each file by name, and a subdirectory (`plots/`) once.
pub fn written_files_message(output_dir: &Path, written: &[PathBuf]) -> String {
    let mut names: Vec<String> = Vec::new();
    for path in written {
        let relative = path.strip_prefix(output_dir).unwrap_or(path);
        let mut components = relative.components();
        let name = match (components.next(), components.next()) {
            (Some(directory), Some(_)) => {
                format!("{}/", directory.as_os_str().to_string_lossy())
            }
            _ => match path.file_name() {
                Some(file_name) => file_name.to_string_lossy().into_owned(),
                None => continue,
            },
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    format!("wrote {} to {}", names.join(", "), output_dir.display())
}

/// "in 1.2 s on 2 threads": how long a job took and on how many threads.
pub fn took(seconds: f64, threads: usize) -> String {
    format!(
        "in {seconds:.1} s on {threads} thread{}",
        if threads == 1 { "" } else { "s" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use patchwork_sim::metrics::{Measures, summarise_measures};

    #[test]
    fn unsettled_series_get_a_warning_line_each() {
        use patchwork_sim::metrics::settle::Trend;
        let trend = |relative_drift| Trend {
            level: 10.0,
            slope_per_week: 0.0,
            relative_drift,
        };
        let drifting =
            Settling::of_trends(Default::default(), &[[trend(0.34); 4], [trend(0.36); 4]]);
        let lines = settling_warnings(&drifting, None);
        assert_eq!(lines.len(), 4);
        assert!(
            lines[0].starts_with(
                "warning: not settled: waiting_for_help rises 35% across the measured weeks (95% CI "
            ) && lines[0].ends_with("; lengthen run.warmup_weeks (`patchwork warmup` suggests one) or see docs/model.md"),
            "{}",
            lines[0]
        );
        assert!(
            settling_warnings(&drifting, Some("b"))[3]
                .starts_with("warning: not settled in b: social_worker_caseload")
        );
        let flat = Settling::of_trends(Default::default(), &[[trend(0.01); 4], [trend(-0.01); 4]]);
        assert!(settling_warnings(&flat, None).is_empty());
    }

    #[test]
    fn warmup_table_names_each_series_and_the_longest() {
        use patchwork_sim::metrics::settle::Series;
        use patchwork_sim::metrics::welch::WelchSeries;
        let item = |series, warmup_weeks| WelchSeries {
            series,
            mean: vec![1.0; 100],
            smoothed: vec![1.0; 74],
            level: 12.5,
            warmup_weeks,
        };
        let table = warmup_table(
            &[
                item(Series::WaitingForHelp, Some(60)),
                item(Series::OpenCases, Some(110)),
            ],
            30,
            520,
        );
        let lines: Vec<&str> = table.lines().collect();
        assert!(lines[0].starts_with("series (30 replicates, 520 weeks)"));
        assert!(lines[1].starts_with("waiting_for_help") && lines[1].ends_with("12.5  60 weeks"));
        assert_eq!(
            lines[3],
            "suggested run.warmup_weeks: 110 (the longest), or 156 in whole school years"
        );
        let table = warmup_table(&[item(Series::OpenCases, None)], 30, 520);
        assert!(table.contains("none: not within ±5% by week 73"), "{table}");
        assert!(table.contains("no warm-up suggested"));
    }

    #[test]
    fn headline_table_shows_means_and_intervals() {
        let measures = |median: f64, inertia: f64| Measures {
            median_weeks_to_help: median,
            inertia,
            social_worker_caseload: 16.0,
            ..Measures::undefined()
        };
        let summaries = summarise_measures(&[measures(10.0, 0.25), measures(12.0, 0.35)]);
        let table = headline_table(&summaries, 2);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 1 + RUN_TABLE.len());
        assert!(lines[0].starts_with("measure (2 replicates)"));
        // Mean 11, sd √2, half-width 12.706205.
        assert!(
            lines[1].starts_with("median weeks to help")
                && lines[1].ends_with("11.0  -1.7 to 23.7"),
            "{}",
            lines[1]
        );
        assert!(lines[3].contains("30.0%"), "{}", lines[3]);
        assert!(lines[4].ends_with("n/a  n/a"), "{}", lines[4]);
        assert!(table.contains("16.0  16.0 to 16.0"));
    }

    #[test]
    fn a_subdirectory_is_named_once() {
        let out = Path::new("out");
        let message = written_files_message(
            out,
            &[
                out.join("report.html"),
                out.join("plots").join("survival.png"),
                out.join("plots").join("survival.svg"),
            ],
        );
        assert_eq!(
            message,
            format!("wrote report.html, plots/ to {}", out.display())
        );
    }

    #[test]
    fn written_files_message_names_files_and_directory() {
        let message = written_files_message(
            Path::new("out"),
            &[
                PathBuf::from("out/runs.csv"),
                PathBuf::from("out/summary.csv"),
            ],
        );
        assert_eq!(
            message,
            format!(
                "wrote runs.csv, summary.csv to {}",
                Path::new("out").display()
            )
        );
    }
}
