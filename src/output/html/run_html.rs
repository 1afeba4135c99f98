//! The pictures and the one-page report of a run: `plots/` drawn from the run's own CSV files
//! (so `patchwork plot` redraws the same), and `report.html`, one self-contained page with the
//! scenario's main settings (the cluster, the way of coordinating, turnover, the period), the
//! headline measures (mean and 95% CI across replicates) with a reading of them in plain words,
//! the plots inline (the network last) and the timeline. A notice near the top says whether the weekly series settled over the measured
//! weeks (`export::settling`).

use crate::metrics::catalogue::{self, capitalised, headlines};
use crate::metrics::{MeasureSummary, Measures, Settling, summarise_measures};
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
    document.heading(2, "Settings");
    document.table(
        &["setting", "value"],
        settings_rows(report.resolved_scenario),
        &[false, false],
    );
    document
        .paragraph("Every setting, defaults included, is in metadata.json (resolved_scenario).");
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
    let reading = plain_reading(&summaries, report.replicates);
    if !reading.is_empty() {
        document.heading(3, "In plain words");
        document.list(reading);
    }

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

/// The settings a planner recognises, from the resolved scenario: the cluster, how services
/// coordinate, staff turnover and the simulated period. Missing keys are left out.
fn settings_rows(resolved: &serde_json::Value) -> Vec<Vec<String>> {
    let switch = |value: &serde_json::Value| match value.as_bool() {
        Some(true) => Some("on".to_string()),
        Some(false) => Some("off".to_string()),
        None => None,
    };
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row = |setting: &str, value: Option<String>| {
        if let Some(value) = value {
            rows.push(vec![setting.to_string(), value]);
        }
    };
    let localities = resolved["locality"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    for locality in localities {
        let count = |key: &str| locality[key].as_u64().unwrap_or(0);
        let copies = count("count");
        let setting = match (localities.len(), locality["name"].as_str()) {
            (1, _) | (_, None) => "schools".to_string(),
            (_, Some(name)) => format!("schools in {name}"),
        };
        row(
            &setting,
            Some(format!(
                "{} primary school{} of {} pupils, {} secondary school{} of {} pupils{}",
                count("primaries"),
                if count("primaries") == 1 { "" } else { "s" },
                count("primary_pupils"),
                count("secondaries"),
                if count("secondaries") == 1 { "" } else { "s" },
                count("secondary_pupils"),
                if copies > 1 {
                    format!("; {copies} such clusters")
                } else {
                    String::new()
                }
            )),
        );
    }
    let coordination = &resolved["coordination"];
    let mode = coordination["mode"].as_str();
    row(
        "way of coordinating",
        mode.map(|mode| match mode {
            "adhoc" => "ad hoc (referrals and consultations one by one)".to_string(),
            "team" => "a consultation team".to_string(),
            other => other.to_string(),
        }),
    );
    if mode == Some("team") {
        row(
            "weeks between team meetings",
            coordination["meeting_interval_weeks"]
                .as_u64()
                .map(|weeks| weeks.to_string()),
        );
    }
    row("system minder", switch(&coordination["minder"]));
    row("core group", switch(&coordination["core_group"]));
    row("direct line", switch(&coordination["direct_line"]));
    row(
        "staff turnover a year",
        resolved["turnover"]["annual_rate"]
            .as_f64()
            .map(|rate| format!("{:.0}%", rate * 100.0)),
    );
    let run = &resolved["run"];
    if let (Some(horizon), Some(warmup)) =
        (run["horizon_weeks"].as_u64(), run["warmup_weeks"].as_u64())
    {
        row(
            "weeks simulated",
            Some(format!(
                "{horizon}, of which the first {warmup} are a warm-up and the last {} are measured",
                horizon.saturating_sub(warmup)
            )),
        );
    }
    row(
        "timeline events",
        resolved["event"]
            .as_array()
            .map(|events| events.len().to_string()),
    );
    rows
}

/// A few sentences a planner can read without the table: how fast help came, how much need went
/// unmet and how well people worked together, with a caution when there are too few replicates
/// for the intervals to mean much.
fn plain_reading(summaries: &[MeasureSummary], replicates: u32) -> Vec<String> {
    let value = |name: &str| {
        let summary = summaries.iter().find(|summary| summary.name == name)?;
        let shown = catalogue::headline(name)?.shown;
        summary
            .summary
            .mean
            .is_finite()
            .then(|| shown.value(summary.summary.mean))
    };
    let mut reading = Vec::new();
    if let (Some(median), Some(slowest)) =
        (value("median_weeks_to_help"), value("p90_weeks_to_help"))
    {
        reading.push(format!(
            "Half the recognised needs were helped within {median} weeks of being recognised; the \
             slowest tenth waited {slowest} weeks or more."
        ));
    }
    if let Some(inertia) = value("inertia") {
        reading.push(format!(
            "{inertia} of recognised needs were not helped within the action window."
        ));
    }
    if let Some(unmet) = value("unmet_need_child_weeks_per_100") {
        reading.push(format!(
            "For every 100 pupils, children spent {unmet} weeks a year with a need not yet met."
        ));
    }
    if let Some(coordination) = value("relational_coordination") {
        reading.push(format!(
            "Relational coordination averaged {coordination} on Gittell's 1 to 5 scale (higher: \
             more timely and accurate communication, more shared goals, knowledge and respect)."
        ));
    }
    if replicates < MANY_REPLICATES {
        reading.push(format!(
            "With {replicates} replicate{} the intervals are wide: run at least {MANY_REPLICATES} \
             (--replicates) before reading differences.",
            if replicates == 1 { "" } else { "s" }
        ));
    }
    reading
}

/// Replicates below which the plain reading warns that the intervals are wide.
const MANY_REPLICATES: u32 = 10;
