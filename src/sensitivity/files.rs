//! The files computed once every run of an analysis is in: `indices.csv` (tidy: method, output,
//! parameter, index, estimate, ci_low, ci_high), `plots/morris.png` or `plots/sobol.png`, and
//! `report.html` (the design, the ranking in plain words per output, the variance due to the
//! random draws against the variance due to the parameters, the pictures, the indices). Rendered
//! in memory (no I/O) from the runs, so the same runs give the same bytes however they were
//! computed: in one go, resumed after a kill, or in shards and merged.

use crate::calibrate::files::shown;
use crate::gsa::{Distribution, Evaluations, IndexRow, Parameter};
use crate::metrics::catalogue::headline;
use crate::output::csv::format_float;
use crate::output::html::document::Document;
use crate::output::plot::sensitivity::{Interval, MorrisPoint, Panel, SobolBars};
use crate::output::plot::{SENSITIVITY_MORRIS_PNG, render_morris_png, render_sobol_png};
use crate::output::{RenderedFile, ReportError};

use super::{Method, SensitivitySpec};

pub use crate::output::files::INDICES_CSV;
pub use crate::output::files::REPORT_HTML;
pub use crate::output::files::RUNS_CSV;
pub use crate::output::files::SAMPLES_CSV;

/// `indices.csv`, the plot and `report.html`.
pub fn render(
    spec: &SensitivitySpec,
    evaluations: &Evaluations,
    rows: &[IndexRow],
) -> Result<Vec<RenderedFile>, ReportError> {
    let plot = match spec.method {
        Method::Sobol(_) => render_sobol_png(
            format!(
                "Sobol' indices: each parameter's share of the variance of each measure ({} points)",
                spec.points()
            ),
            &sobol_panels(spec, rows),
        )?,
        Method::Morris(_) => render_morris_png(
            format!(
                "Morris screening: how much each parameter moves each measure ({} trajectories)",
                match &spec.method {
                    Method::Morris(design) => design.trajectories,
                    Method::Sobol(_) => 0,
                }
            ),
            &morris_panels(spec, rows),
        )?,
    };
    let report = report_html(spec, evaluations, rows, &plot);
    Ok(vec![
        RenderedFile {
            file_name: INDICES_CSV,
            bytes: indices_csv(rows).into_bytes(),
        },
        RenderedFile {
            file_name: REPORT_HTML,
            bytes: report.into_bytes(),
        },
        plot,
    ])
}

pub fn indices_csv(rows: &[IndexRow]) -> String {
    let mut text = String::from("method,output,parameter,index,estimate,ci_low,ci_high\n");
    for row in rows {
        text.push_str(&format!(
            "{},{},{},{},{},{},{}\n",
            row.method,
            row.output,
            row.parameter,
            row.index,
            format_float(row.estimate),
            format_float(row.ci_low),
            format_float(row.ci_high)
        ));
    }
    text
}

/// A measure in plain words, with its name.
fn measure_title(measure: &str) -> String {
    match headline(measure) {
        Some(headline) => format!("{} ({measure})", headline.label),
        None => measure.to_string(),
    }
}

/// The row of `output`, `parameter` and `index`.
fn find<'a>(rows: &'a [IndexRow], output: &str, parameter: &str, index: &str) -> &'a IndexRow {
    rows.iter()
        .find(|row| row.output == output && row.parameter == parameter && row.index == index)
        .expect("every output, parameter and index has a row")
}

fn interval(row: &IndexRow) -> Interval {
    Interval {
        estimate: row.estimate,
        low: row.ci_low,
        high: row.ci_high,
    }
}

fn keys(spec: &SensitivitySpec) -> Vec<&str> {
    spec.space.parameters().iter().map(|p| p.key()).collect()
}

/// A panel per output, a `parameter(key, output)` per parameter.
fn panels<T>(spec: &SensitivitySpec, parameter: impl Fn(&str, &str) -> T) -> Vec<Panel<T>> {
    spec.model
        .output_names()
        .iter()
        .map(|output| Panel {
            title: measure_title(output),
            parameters: keys(spec)
                .into_iter()
                .map(|key| parameter(key, output))
                .collect(),
        })
        .collect()
}

fn sobol_panels(spec: &SensitivitySpec, rows: &[IndexRow]) -> Vec<Panel<SobolBars>> {
    panels(spec, |key, output| SobolBars {
        parameter: key.to_string(),
        first: interval(find(rows, output, key, "S1")),
        total: interval(find(rows, output, key, "ST")),
    })
}

fn morris_panels(spec: &SensitivitySpec, rows: &[IndexRow]) -> Vec<Panel<MorrisPoint>> {
    panels(spec, |key, output| MorrisPoint {
        parameter: key.to_string(),
        mu_star: interval(find(rows, output, key, "mu_star")),
        sigma: find(rows, output, key, "sigma").estimate,
    })
}

/// How an output's variance divides between the random draws and the parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VarianceSplit {
    /// The mean over points of the variance between a point's replicates (NaN with one replicate).
    pub within: f64,
    /// The variance of the points' means over replicates.
    pub between_means: f64,
    /// The part of `between_means` due to the parameters: `between_means − within / R`, at least 0.
    pub parameters: f64,
    pub replicates: usize,
}

impl VarianceSplit {
    /// Output `output` of every point: sample variances (n − 1).
    pub fn of(evaluations: &Evaluations, output: usize) -> VarianceSplit {
        let replicates = evaluations.runs.first().map_or(0, Vec::len);
        let variance = |values: &[f64]| -> f64 {
            let n = values.len() as f64;
            if values.len() < 2 {
                return f64::NAN;
            }
            let mean = values.iter().sum::<f64>() / n;
            values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)
        };
        let within = if replicates < 2 {
            f64::NAN
        } else {
            let variances: Vec<f64> = evaluations
                .runs
                .iter()
                .map(|point| variance(&point.iter().map(|run| run[output]).collect::<Vec<_>>()))
                .collect();
            variances.iter().sum::<f64>() / variances.len() as f64
        };
        let between_means = variance(&evaluations.point_means(output));
        let parameters = if within.is_nan() {
            f64::NAN
        } else {
            (between_means - within / replicates as f64).max(0.0)
        };
        VarianceSplit {
            within,
            between_means,
            parameters,
            replicates,
        }
    }

    /// The share of the variance of single runs due to the parameters.
    pub fn parameter_share(&self) -> f64 {
        self.parameters / (self.parameters + self.within)
    }

    /// The share of the variance of the point means (what the indices divide) due to the
    /// random draws that remain after averaging the replicates.
    pub fn noise_in_means(&self) -> f64 {
        (self.within / self.replicates as f64 / self.between_means).min(1.0)
    }
}

fn distribution_text(parameter: &Parameter) -> String {
    match parameter.distribution() {
        Distribution::Triangular { mode } => format!("triangular, mode {}", shown(mode)),
        other => other.name().to_string(),
    }
}

/// An estimate and its interval, each as `number` shows it.
fn ci_text(row: &IndexRow, number: fn(f64) -> String) -> String {
    if row.ci_low.is_finite() && row.ci_high.is_finite() {
        format!(
            "{} (95% CI {} to {})",
            number(row.estimate),
            number(row.ci_low),
            number(row.ci_high)
        )
    } else {
        number(row.estimate)
    }
}

/// A Sobol' index: a share, to two decimals.
fn share(value: f64) -> String {
    if value.is_finite() {
        format!("{value:.2}")
    } else {
        "n/a".to_string()
    }
}

/// Each parameter with its rows of the two `indices` for `output`, largest `by` (0 or 1) first.
fn ranked<'a>(
    spec: &'a SensitivitySpec,
    rows: &'a [IndexRow],
    output: &str,
    indices: [&str; 2],
    by: usize,
) -> Vec<(&'a str, &'a IndexRow, &'a IndexRow)> {
    let mut ranked: Vec<(&str, [&IndexRow; 2])> = keys(spec)
        .into_iter()
        .map(|key| (key, indices.map(|index| find(rows, output, key, index))))
        .collect();
    ranked.sort_by(|a, b| b.1[by].estimate.total_cmp(&a.1[by].estimate));
    ranked
        .into_iter()
        .map(|(key, [a, b])| (key, a, b))
        .collect()
}

/// The ranking of one output in plain words.
fn ranking_sobol(
    spec: &SensitivitySpec,
    rows: &[IndexRow],
    output: &str,
    label: &str,
) -> Vec<String> {
    let ranked = ranked(spec, rows, output, ["S1", "ST"], 1);
    let mut lines = Vec::new();
    let (key, first, total) = ranked[0];
    let verb = if total.estimate >= 0.5 {
        "explains most of"
    } else {
        "explains the largest share of"
    };
    lines.push(format!(
        "**{key}** {verb} the variance of {label}: ST {}, alone S1 {}.",
        ci_text(total, share),
        ci_text(first, share)
    ));
    for (key, first, total) in &ranked[1..] {
        let weight = if total.ci_high < 0.05 {
            "negligible"
        } else if total.estimate < 0.1 {
            "minor"
        } else {
            "matters"
        };
        lines.push(format!(
            "{key} ({weight}): ST {}, S1 {}.",
            ci_text(total, share),
            ci_text(first, share)
        ));
    }
    let first_sum: f64 = ranked.iter().map(|(_, first, _)| first.estimate).sum();
    let reading = if first_sum > 1.1 {
        "more than 1, which the variance cannot be: the estimates are noisy (raise base_samples \
         or replicates)"
            .to_string()
    } else if first_sum >= 0.9 {
        "the parameters act almost additively, each on its own".to_string()
    } else {
        format!(
            "about {} of the variance comes from interactions between parameters",
            share((1.0 - first_sum).max(0.0))
        )
    };
    lines.push(format!(
        "The first-order indices add up to {}: {reading}.",
        share(first_sum)
    ));
    lines
}

fn ranking_morris(
    spec: &SensitivitySpec,
    rows: &[IndexRow],
    output: &str,
    label: &str,
) -> Vec<String> {
    let ranked = ranked(spec, rows, output, ["mu_star", "sigma"], 0);
    let top = ranked[0].1.estimate;
    ranked
        .iter()
        .enumerate()
        .map(|(rank, (key, star, sigma))| {
            let shape = if sigma.estimate > star.estimate {
                "its effect varies with where the other parameters are (non-linear or interacting)"
            } else {
                "its effect is much the same wherever the other parameters are"
            };
            if rank == 0 {
                format!(
                    "**{key}** moves {label} most: μ* {}, σ {}; {shape}.",
                    ci_text(star, shown),
                    shown(sigma.estimate)
                )
            } else if top > 0.0 && star.ci_high < 0.05 * top {
                format!(
                    "{key} hardly moves it (μ* {}, under a twentieth of the largest).",
                    ci_text(star, shown)
                )
            } else {
                format!(
                    "{key}: μ* {}, σ {}; {shape}.",
                    ci_text(star, shown),
                    shown(sigma.estimate)
                )
            }
        })
        .collect()
}

pub fn report_html(
    spec: &SensitivitySpec,
    evaluations: &Evaluations,
    rows: &[IndexRow],
    plot: &RenderedFile,
) -> String {
    let mut document = Document::new(format!("Sensitivity analysis: {}", spec.name));
    let base = spec.model.base().map_or_else(
        || "the built-in baseline".to_string(),
        |base| base.display().to_string(),
    );
    let sets = if spec.model.fixed().is_empty() {
        String::new()
    } else {
        format!(" with {}", spec.model.fixed().join(", "))
    };
    let design = match &spec.method {
        Method::Sobol(design) => format!(
            "Sobol' indices by Saltelli sampling: N = {} base samples of {} Sobol' sequence, \
             {} points in all (N × ({} parameters + 2){}); first-order indices S1 by Saltelli \
             (2010), total indices ST by Jansen (1999)",
            design.base_samples,
            match design.scrambling {
                crate::gsa::sobol_seq::Scrambling::None => "a plain",
                crate::gsa::sobol_seq::Scrambling::DigitalShift => "a digitally shifted",
                crate::gsa::sobol_seq::Scrambling::Owen => "an Owen-scrambled",
            },
            spec.points(),
            spec.space.dimension(),
            if design.second_order {
                ", doubled for the second-order indices"
            } else {
                ""
            }
        ),
        Method::Morris(design) => format!(
            "Morris elementary effects: r = {} trajectories on a {}-level grid, {} points in all \
             (r × ({} parameters + 1)); μ* is the mean absolute effect of moving a parameter \
             over its whole range, σ the spread of those effects",
            design.trajectories,
            design.levels,
            spec.points(),
            spec.space.dimension()
        ),
    };
    document.paragraph(format!(
        "{design}. Each point is {base}{sets} with the parameters set to the point's values, run \
         {} time{} from the same seeds at every point (common random numbers, master seed {}); \
         the indices are computed on each point's mean over its runs, with 95% intervals from {} \
         bootstrap resamples.",
        spec.replicates,
        if spec.replicates == 1 { "" } else { "s" },
        spec.seed,
        spec.bootstrap.resamples
    ));
    document.heading(2, "Parameters");
    let parameter_rows = spec
        .space
        .parameters()
        .iter()
        .map(|p| {
            vec![
                p.key().to_string(),
                shown(p.low()),
                shown(p.high()),
                distribution_text(p),
            ]
        })
        .collect();
    document.table(
        &["parameter", "low", "high", "distribution"],
        parameter_rows,
        &[false, true, true, false],
    );

    document.heading(2, "What matters, measure by measure");
    for (k, output) in spec.model.output_names().iter().enumerate() {
        let label = headline(output).map_or(output.as_str(), |h| h.label);
        document.heading(3, measure_title(output));
        document.list(match spec.method {
            Method::Sobol(_) => ranking_sobol(spec, rows, output, label),
            Method::Morris(_) => ranking_morris(spec, rows, output, label),
        });
        let split = VarianceSplit::of(evaluations, k);
        if split.noise_in_means() > 0.5 {
            document.notice(variance_sentence(&split));
        } else {
            document.paragraph(variance_sentence(&split));
        }
    }

    document.heading(2, "Random draws against parameters");
    document.paragraph(
        "Each point is run from the same seeds, so the variance between a point's runs is the \
         random draws' alone and the variance between the points' means is the parameters' plus \
         what is left of the draws after averaging. The parameters' part is the variance of the \
         point means less the mean within-point variance divided by the replicates.",
    );
    let split_rows = spec
        .model
        .output_names()
        .iter()
        .enumerate()
        .map(|(k, output)| {
            let split = VarianceSplit::of(evaluations, k);
            vec![
                output.clone(),
                shown(split.within),
                shown(split.parameters),
                percent(split.parameter_share()),
                percent(split.noise_in_means()),
            ]
        })
        .collect();
    document.table(
        &[
            "measure",
            "variance between a point's runs (random draws)",
            "variance due to the parameters",
            "parameters' share of a single run's variance",
            "draws' share of the variance the indices divide",
        ],
        split_rows,
        &[false, true, true, true, true],
    );

    document.heading(2, "Picture");
    let alt = if plot.file_name == SENSITIVITY_MORRIS_PNG {
        "Morris mu-star against sigma for each measure, a labelled point per parameter"
    } else {
        "Sobol' first-order and total indices for each measure, with 95% intervals"
    };
    document.image(alt, plot.file_name, plot.bytes.clone());

    document.heading(2, "Indices");
    document.paragraph(
        "Every index, as in indices.csv. Each point's parameter values are in samples.csv and \
         every run's measures in runs.csv.",
    );
    let index_rows = rows
        .iter()
        .map(|row| {
            vec![
                row.output.clone(),
                row.parameter.clone(),
                row.index.to_string(),
                shown(row.estimate),
                shown(row.ci_low),
                shown(row.ci_high),
            ]
        })
        .collect();
    document.table(
        &[
            "output",
            "parameter",
            "index",
            "estimate",
            "95% CI low",
            "95% CI high",
        ],
        index_rows,
        &[false, false, false, true, true, true],
    );
    document.to_html()
}

fn percent(share: f64) -> String {
    if share.is_finite() {
        format!("{:.0}%", 100.0 * share)
    } else {
        "n/a".to_string()
    }
}

/// One line separating the random draws from the parameters.
fn variance_sentence(split: &VarianceSplit) -> String {
    if split.within.is_nan() {
        return "With one run per point, the random draws cannot be told apart from the \
                parameters: set replicates to 2 or more to separate them."
            .to_string();
    }
    format!(
        "Random draws against parameters: of the variance of a single run, {} comes from the \
         parameters and {} from the random draws (variance between a point's {} runs {}, due to \
         the parameters {}); after averaging the runs, the draws are {} of the variance the \
         indices divide{}.",
        percent(split.parameter_share()),
        percent(1.0 - split.parameter_share()),
        split.replicates,
        shown(split.within),
        shown(split.parameters),
        percent(split.noise_in_means()),
        if split.noise_in_means() > 0.5 {
            ", so the ranking above is mostly noise: raise replicates (or the horizon) first"
        } else if split.noise_in_means() > 0.2 {
            ", enough to blur them: more replicates would sharpen them"
        } else {
            ""
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variance_splits_into_draws_and_parameters() {
        // Two points 10 apart, each run twice, ±1 about its mean.
        let evaluations = Evaluations {
            outputs: vec!["y".into()],
            replicate_seeds: vec![1, 2],
            runs: vec![vec![vec![-1.0], vec![1.0]], vec![vec![9.0], vec![11.0]]],
        };
        let split = VarianceSplit::of(&evaluations, 0);
        assert_eq!(split.within, 2.0);
        assert_eq!(split.between_means, 50.0);
        assert_eq!(split.parameters, 49.0);
        assert!((split.parameter_share() - 49.0 / 51.0).abs() < 1e-12);
        assert!((split.noise_in_means() - 0.02).abs() < 1e-12);
        let single = Evaluations {
            runs: vec![vec![vec![0.0]], vec![vec![1.0]]],
            ..evaluations
        };
        assert!(VarianceSplit::of(&single, 0).within.is_nan());
    }
}
