//! The pictures and the one-page report of a finished sweep, drawn from its `points.csv` alone
//! (so `patchwork plot` redraws the same): `plots/sweep-axis-<i>` and `plots/sweep-heatmap`, and
//! `report.html` with the axes, a table of the best and worst points on each headline measure
//! and the plots inline, each picture against an axis preceded by a notice when averaging over the
//! axes it hides reverses its story (`SweepData::hidden_reversal_warning`). Axes and levels are in
//! plain words (`sweep::axis_label`), with the key beside them. A notice near the top says whether every point's weekly series settled
//! (`metadata.json`'s `settling`, read back from `settling.csv`; nothing is said without it).

use crate::metrics::catalogue::{capitalised, headline};
use crate::output::html::document::Document;
use crate::output::plot::sweep::{
    PointMeasure, SweepData, SweepPoint, axis_label, axis_level_label, level_label, sweep_measures,
};
use crate::output::plot::{self, SweepFigureKind, sweep_plot_list};
use crate::output::{RenderedFile, ReportError};

pub use crate::output::files::REPORT_HTML;

fn render_error(error: impl std::fmt::Display) -> ReportError {
    ReportError::Render {
        file_name: REPORT_HTML,
        reason: error.to_string(),
    }
}

/// `key = level` for every axis of a point.
fn point_levels(data: &SweepData, point: &SweepPoint) -> String {
    data.axes
        .iter()
        .zip(&point.levels)
        .map(|(axis, level)| axis_level_label(&axis.key, &axis.levels[*level]))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The points with the lowest and the highest mean of `measure` (NaN skipped; ties to the first).
#[allow(clippy::type_complexity)] // a pair of (point, its summary), named by the function
fn lowest_and_highest<'d>(
    data: &'d SweepData,
    measure: &str,
) -> Option<(
    (&'d SweepPoint, PointMeasure),
    (&'d SweepPoint, PointMeasure),
)> {
    let defined: Vec<(&SweepPoint, PointMeasure)> = data
        .points
        .iter()
        .filter_map(|point| {
            point
                .measures
                .get(measure)
                .filter(|value| value.mean.is_finite())
                .map(|value| (point, *value))
        })
        .collect();
    let lowest = defined.iter().copied().reduce(|best, next| {
        if next.1.mean < best.1.mean {
            next
        } else {
            best
        }
    })?;
    let highest = defined.iter().copied().reduce(|worst, next| {
        if next.1.mean > worst.1.mean {
            next
        } else {
            worst
        }
    })?;
    Some((lowest, highest))
}

/// The plots and `report.html` of a sweep from its `points.csv` and `metadata.json`.
pub fn render_sweep_pictures(
    points_csv: &[u8],
    metadata: Option<&serde_json::Value>,
) -> Result<Vec<RenderedFile>, ReportError> {
    let data = SweepData::from_points_csv(points_csv).map_err(render_error)?;
    let plots = plot::render_sweep_plots(&data)?;

    let name = metadata
        .and_then(|metadata| metadata["sweep"].as_str())
        .unwrap_or("sweep");
    let mut document = Document::new(format!("Sweep: {name}"));
    if let Some(description) = metadata.and_then(|metadata| metadata["description"].as_str()) {
        document.paragraph(description);
    }
    let mut facts = format!("{} points", data.points.len());
    if let Some(design) = metadata.and_then(|metadata| metadata["design"].as_str()) {
        facts.push_str(&format!(" ({design} design)"));
    }
    if let Some(seed) = metadata.and_then(|metadata| metadata["master_seed"].as_u64()) {
        facts.push_str(&format!(
            ", master seed {seed}; replicate r of every point starts from the same seed (common random numbers)"
        ));
    }
    facts.push('.');
    document.paragraph(facts);
    document.list(
        data.axes
            .iter()
            .map(|axis| {
                let levels: Vec<String> =
                    axis.levels.iter().map(|level| level_label(level)).collect();
                format!(
                    "**{}** ({}): {}",
                    axis_label(&axis.key),
                    axis.key,
                    levels.join(", ")
                )
            })
            .collect(),
    );
    if let Some(posterior) = metadata
        .map(|metadata| &metadata["posterior"])
        .filter(|posterior| posterior.is_object())
    {
        let parameters: Vec<&str> = posterior["parameters"]
            .as_array()
            .map(|keys| keys.iter().filter_map(serde_json::Value::as_str).collect())
            .unwrap_or_default();
        document.paragraph(format!(
            "Parameter uncertainty: replicate r of every point drew its values of {} from the \
             posterior {} ({} rows, checksum {}) with probability proportional to the rows' \
             weights, from its own seed; the draws are in the posterior_row and parameter columns \
             of runs.csv.",
            parameters.join(", "),
            posterior["file"].as_str().unwrap_or("?"),
            posterior["rows"],
            posterior["checksum"].as_str().unwrap_or("?")
        ));
    }
    if let Some(settling) = metadata.map(|metadata| &metadata["settling"]) {
        settling_notice(&mut document, settling);
    }

    document.heading(2, "Best and worst points");
    document.paragraph(
        "For each headline measure, the point with the lowest mean and the point with the highest \
         (lower is better for all four: faster help, less inertia, less unmet need, fewer hours), \
         with the 95% confidence interval of each mean across its replicates.",
    );
    let rows = sweep_measures()
        .into_iter()
        .filter_map(|measure| {
            let headline = headline(measure)?;
            let ((low_point, low), (high_point, high)) = lowest_and_highest(&data, measure)?;
            let shown = |value: PointMeasure| {
                if value.mean.is_finite()
                    && !(value.ci_low.is_finite() && value.ci_high.is_finite())
                {
                    // One replicate at the point: no interval.
                    return format!("{} (NA)", headline.shown.value(value.mean));
                }
                format!(
                    "{} ({} to {})",
                    headline.shown.value(value.mean),
                    headline.shown.value(value.ci_low),
                    headline.shown.value(value.ci_high)
                )
            };
            Some(vec![
                capitalised(headline.label),
                shown(low),
                point_levels(&data, low_point),
                shown(high),
                point_levels(&data, high_point),
            ])
        })
        .collect();
    document.table(
        &["measure", "lowest (95% CI)", "at", "highest (95% CI)", "at"],
        rows,
        &[false, true, false, true, false],
    );

    document.heading(2, "Pictures");
    document.paragraph(
        "Each picture averages over the axes it does not show (the band is the mean of the points' 95% \
         bounds, never narrower than the interval of that average).",
    );
    for plot in sweep_plot_list(&data) {
        if let Some(file) = plots.iter().find(|file| file.file_name == plot.png) {
            if let SweepFigureKind::AgainstAxis(x) = plot.kind
                && let Some(warning) = data.hidden_reversal_warning(x)
            {
                document.notice(format!("{}: {warning}", plot.caption));
            }
            document.image(plot.caption, plot.png, file.bytes.clone());
        }
    }
    document.paragraph(
        "Every run is in runs.csv, every point's summaries in points.csv; `patchwork plot <this directory>` \
         redraws plots/ from points.csv.",
    );

    let mut files = vec![RenderedFile {
        file_name: REPORT_HTML,
        bytes: document.to_html().into_bytes(),
    }];
    files.extend(plots);
    Ok(files)
}

/// Points named in the notice at most (all are in `settling.csv`).
const NAMED_POINTS: usize = 10;

/// The notice on `metadata.json`'s `settling` summary, if it has one.
fn settling_notice(document: &mut Document, settling: &serde_json::Value) {
    let (Some(settled), Some(points)) =
        (settling["settled"].as_bool(), settling["points"].as_u64())
    else {
        return;
    };
    let event_effect = settling["points_event_effect"].as_u64().unwrap_or(0);
    if event_effect > 0 {
        document.paragraph(format!(
            "**Drift after an event:** {}.",
            crate::output::export::settling::sweep_event_effect_note(event_effect, points)
        ));
    }
    if settled {
        document.paragraph(format!(
            "Settled: at each of the {points} points, waiting for help, open cases, mean tie strength and social \
             worker caseload drift by less than 10% across the measured weeks, or by no more than the \
             replicates can tell from zero (settling.csv)."
        ));
        return;
    }
    let not_settled = settling["points_not_settled"].as_u64().unwrap_or(0);
    let series: Vec<String> = settling["series_not_settled"]
        .as_object()
        .map(|counts| {
            counts
                .iter()
                .filter(|(_, count)| count.as_u64().unwrap_or(0) > 0)
                .map(|(series, count)| format!("{series} at {count}"))
                .collect()
        })
        .unwrap_or_default();
    let named: Vec<String> = settling["not_settled"]
        .as_array()
        .map(|points| {
            points
                .iter()
                .take(NAMED_POINTS)
                .map(|point| {
                    let names: Vec<&str> = point["series"]
                        .as_array()
                        .map(|series| series.iter().filter_map(|name| name.as_str()).collect())
                        .unwrap_or_default();
                    format!(
                        "point {} ({}): {}",
                        point["point"].as_u64().unwrap_or(0),
                        point["values"].as_str().unwrap_or(""),
                        names.join(", ")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    document.notice(format!(
        "**Not settled at {not_settled} of {points} points** ({}): a weekly series still drifts across the \
         measured weeks by more than 10%, so those points' measures depend on how long the run is. Every \
         point's verdict is in settling.csv; {}.",
        series.join(", "),
        crate::output::export::settling::ADVICE
    ));
    document.list(named);
}

#[cfg(test)]
mod tests {
    use super::*;

    const POINTS: &[u8] =
        b"point,coordination.minder,turnover.annual_rate,measure,mean,sd,ci_low,ci_high,median,n\n\
        0,false,0.05,median_weeks_to_help,6,1,5,7,6,3\n\
        0,false,0.05,inertia,0.4,0.1,0.3,0.5,0.4,3\n\
        1,false,0.3,median_weeks_to_help,10,1,8,12,10,3\n\
        1,false,0.3,inertia,0.6,0.1,0.5,0.7,0.6,3\n\
        2,true,0.05,median_weeks_to_help,4,1,3,5,4,3\n\
        2,true,0.05,inertia,0.3,0.1,0.2,0.4,0.3,3\n\
        3,true,0.3,median_weeks_to_help,8,1,7,9,8,3\n\
        3,true,0.3,inertia,NA,NA,NA,NA,NA,0\n";

    #[test]
    fn best_and_worst_points_and_every_plot() {
        let metadata =
            serde_json::json!({"sweep": "tiny", "design": "factorial", "master_seed": 7});
        let files = render_sweep_pictures(POINTS, Some(&metadata)).unwrap();
        let names: Vec<&str> = files.iter().map(|file| file.file_name).collect();
        assert_eq!(
            names,
            [
                "report.html",
                "plots/sweep-axis-1.png",
                "plots/sweep-axis-1.svg",
                "plots/sweep-axis-2.png",
                "plots/sweep-axis-2.svg",
                "plots/sweep-heatmap.png",
                "plots/sweep-heatmap.svg"
            ]
        );
        let html = String::from_utf8(files[0].bytes.clone()).unwrap();
        assert!(html.contains("<h1>Sweep: tiny</h1>"));
        assert!(html.contains("4 points (factorial design)"));
        // Median weeks: lowest 4.0 at minder = true, 0.05; highest 10.0 at minder = false, 0.3;
        // in plain words.
        assert!(html.contains(
            "<td class=\"num\">4.0 (3.0 to 5.0)</td><td>system minder: on; staff turnover a year: 0.05</td>"
        ), "{html}");
        assert!(html.contains(
            "<td class=\"num\">10.0 (8.0 to 12.0)</td><td>system minder: off; staff turnover a year: 0.3</td>"
        ));
        assert_eq!(html.matches("data:image/png;base64,").count(), 3);
        assert!(
            !html.contains("settled"),
            "no settling summary, nothing said"
        );
    }

    #[test]
    fn the_settling_summary_is_a_notice_naming_the_points() {
        let metadata = serde_json::json!({"sweep": "tiny", "settling": {
            "settled": false, "points": 4, "points_not_settled": 1,
            "series_not_settled": {"open_cases": 0, "waiting_for_help": 1},
            "not_settled": [{"point": 3, "values": "coordination.minder=true, turnover.annual_rate=0.3",
                             "series": ["waiting_for_help"]}]}});
        let files = render_sweep_pictures(POINTS, Some(&metadata)).unwrap();
        let html = String::from_utf8(files[0].bytes.clone()).unwrap();
        assert!(html.contains(
            "<p class=\"notice\" role=\"alert\"><strong>Not settled at 1 of 4 points</strong> (waiting_for_help at 1)"
        ), "{html}");
        assert!(html.contains(
            "<li>point 3 (coordination.minder=true, turnover.annual_rate=0.3): waiting_for_help</li>"
        ));
        let metadata = serde_json::json!({"settling": {"settled": true, "points": 4}});
        let files = render_sweep_pictures(POINTS, Some(&metadata)).unwrap();
        let html = String::from_utf8(files[0].bytes.clone()).unwrap();
        assert!(html.contains("<p>Settled: at each of the 4 points"));
        assert!(!html.contains("class=\"notice\""));
    }
}
