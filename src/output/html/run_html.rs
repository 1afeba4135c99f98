//! The pictures and the one-page report of a run: `plots/` drawn from the run's own CSV files
//! (so `patchwork plot` redraws the same), and `report.html`, one self-contained page with the
//! headline measures (mean and 95% CI across replicates), the plots inline (the network last) and
//! the timeline. A notice near the top says whether the weekly series settled over the measured
//! weeks (`export::settling`).

use crate::metrics::catalogue::{capitalised, headlines};
use crate::metrics::{Measures, Settling, summarise_measures};
use crate::output::export::{RunReport, settling};
use crate::output::html::document::Document;
use crate::output::plot::{self, PlotData, PlotInputs};
use crate::output::{RenderedFile, ReportError};

pub use crate::output::files::REPORT_HTML;

fn bytes_of<'f>(files: &'f [RenderedFile], name: &str) -> Option<&'f [u8]> {
    files
        .iter()
        .find(|file| file.file_name == name)
        .map(|file| file.bytes.as_slice())
}

/// The plots (from `files`, the run's rendered CSV files) and `report.html`.
pub fn render_run_pictures(
    report: &RunReport<'_>,
    files: &[RenderedFile],
) -> Result<Vec<RenderedFile>, ReportError> {
    let plot_data = PlotData::from_csv(&PlotInputs {
        survival_csv: bytes_of(files, plot::SURVIVAL_CSV),
        weekly_csv: bytes_of(files, plot::WEEKLY_CSV),
        events_csv: bytes_of(files, plot::EVENTS_CSV),
        network_posts_csv: bytes_of(files, plot::NETWORK_POSTS_CSV),
        network_ties_csv: bytes_of(files, plot::NETWORK_TIES_CSV),
        single_arm: report.scenario_name,
        warmup_weeks: report
            .results
            .first()
            .map(|result| result.output.warmup_weeks),
    })
    .map_err(|error| ReportError::Render {
        file_name: plot::PLOTS_DIR,
        reason: error.to_string(),
    })?;
    let plots = plot::render_plots(&plot_data)?;
    let page = document(report, &plot_data, &plots).to_html();
    let mut rendered = vec![RenderedFile {
        file_name: REPORT_HTML,
        bytes: page.into_bytes(),
    }];
    rendered.extend(plots);
    Ok(rendered)
}

fn document(report: &RunReport<'_>, plot_data: &PlotData, plots: &[RenderedFile]) -> Document {
    let mut document = Document::new(format!("Run: {}", report.scenario_name));
    if let Some(description) = report.resolved_scenario["description"].as_str() {
        document.paragraph(description);
    }
    document.paragraph(format!(
        "{} replicates from master seed {}. Each figure is the mean across replicates with its 95% confidence \
         interval (Student's t).",
        report.replicates, report.master_seed
    ));
    if let Some(draws) = report.posterior {
        document.paragraph(draws.sentence("the posterior_row and parameter columns of runs.csv"));
    }
    let settling = Settling::of_runs(report.results.iter().map(|result| &result.output));
    match settling::notice(&settling, None) {
        (true, line) => document.paragraph(line),
        (false, warning) => document.notice(warning),
    }
    let replicate_measures: Vec<Measures> = report
        .results
        .iter()
        .map(|result| result.measures)
        .collect();
    let summaries = summarise_measures(&replicate_measures);
    let rows = headlines()
        .filter_map(|headline| {
            let summary = summaries
                .iter()
                .find(|summary| summary.name == headline.measure)?
                .summary;
            let interval = if summary.n >= 2 {
                format!(
                    "{} to {}",
                    headline.shown.value(summary.ci_low),
                    headline.shown.value(summary.ci_high)
                )
            } else if summary.n == 1 {
                // One replicate gives no interval.
                "NA".to_string()
            } else {
                "n/a".to_string()
            };
            Some(vec![
                capitalised(headline.label),
                headline.shown.value(summary.mean),
                interval,
            ])
        })
        .collect();
    document.heading(2, "Headline measures");
    document.table(&["measure", "mean", "95% CI"], rows, &[false, true, true]);

    for (name, heading, alt) in [
        (
            plot::SURVIVAL_PNG,
            "Time to help",
            "Time to help: share of recognised needs still waiting, by weeks since recognition",
        ),
        (
            plot::WEEKLY_PNG,
            "Week by week",
            "Week by week: waiting for help, open cases, tie strength and staff in post",
        ),
    ] {
        if let Some(file) = plots.iter().find(|file| file.file_name == name) {
            document.heading(2, heading);
            document.image(alt, name, file.bytes.clone());
        }
    }
    if let Some(file) = plots
        .iter()
        .find(|file| file.file_name == plot::NETWORK_PNG)
    {
        document.heading(2, "The professional network");
        document.paragraph(plot::network::caption(false));
        document.image(plot::network::ALT, plot::NETWORK_PNG, file.bytes.clone());
    }
    let events: Vec<String> = plot_data
        .events
        .iter()
        .map(|event| format!("week {}: {}", event.week, event.label))
        .collect();
    if !events.is_empty() {
        document.paragraph("Timeline events (replicate 0):");
        document.list(events);
    }
    document.paragraph(
        "Every measure of every replicate is in runs.csv, their summaries in summary.csv; \
         `patchwork plot <this directory>` redraws plots/ from survival.csv, weekly.csv, events.csv, \
         network_posts.csv and network_ties.csv.",
    );
    document
}
