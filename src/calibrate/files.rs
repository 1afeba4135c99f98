//! The files of a calibration, rendered in memory (no I/O): `posterior.csv` (the final
//! generation: `particle, weight`, one column per parameter, one per target's simulated value,
//! `distance`), `generations.csv` (`generation, tolerance, proposals, runs, accepted,
//! acceptance_rate, ess`), `metadata.json` (the file, its hash, its resolved settings, the seed,
//! the stop reason, the crate version and git commit), `plots/posterior.png`, `plots/targets.png` and `report.html`.
//! Numbers go through `format_float`, so the same calibration gives the same bytes.

use serde_json::json;

use super::{Calibration, CalibrationSpec};
use crate::gsa::Parameter;
use crate::output::csv::format_float;
use crate::output::export::metadata_json::{CRATE_VERSION, GIT_COMMIT};
use crate::output::html::document::Document;
use crate::output::plot::calibration::{HistogramPanel, weighted_bins};
use crate::output::plot::{
    CALIBRATION_POSTERIOR_PNG, CALIBRATION_TARGETS_PNG, render_histogram_grid_png,
};
use crate::output::{RenderedFile, ReportError};

pub use crate::output::files::GENERATIONS_CSV;
pub use crate::output::files::METADATA_JSON;
pub use crate::output::files::POSTERIOR_CSV;
pub use crate::output::files::REPORT_HTML;

/// The files rendered at the end besides `metadata.json`.
pub const RENDERED: [&str; 5] = [
    POSTERIOR_CSV,
    GENERATIONS_CSV,
    REPORT_HTML,
    CALIBRATION_POSTERIOR_PNG,
    CALIBRATION_TARGETS_PNG,
];

/// The `q`-quantile of weighted values: the smallest value whose cumulative weight reaches `q`
/// (weights summing to one; NaN when there are no finite values).
pub fn weighted_quantile(values: &[f64], weights: &[f64], q: f64) -> f64 {
    let mut pairs: Vec<(f64, f64)> = values
        .iter()
        .zip(weights)
        .filter(|(value, _)| value.is_finite())
        .map(|(&value, &weight)| (value, weight))
        .collect();
    if pairs.is_empty() {
        return f64::NAN;
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = pairs.iter().map(|pair| pair.1).sum();
    let mut cumulative = 0.0;
    for &(value, weight) in &pairs {
        cumulative += weight / total;
        if cumulative >= q - 1e-12 {
            return value;
        }
    }
    pairs[pairs.len() - 1].0
}

/// Weighted mean, 2.5% and 97.5% quantiles.
pub fn summary(values: &[f64], weights: &[f64]) -> (f64, f64, f64) {
    let mean =
        values.iter().zip(weights).map(|(v, w)| v * w).sum::<f64>() / weights.iter().sum::<f64>();
    (
        mean,
        weighted_quantile(values, weights, 0.025),
        weighted_quantile(values, weights, 0.975),
    )
}

/// Every file, report and plots included.
pub fn render(
    spec: &CalibrationSpec,
    calibration: &Calibration,
) -> Result<Vec<RenderedFile>, ReportError> {
    let plots = vec![
        render_histogram_grid_png(
            CALIBRATION_POSTERIOR_PNG,
            format!(
                "Posterior of each parameter (weighted, {} particles) against its prior",
                calibration.result.posterior().particles.len()
            ),
            &posterior_panels(spec, calibration),
        )?,
        render_histogram_grid_png(
            CALIBRATION_TARGETS_PNG,
            "Fit to each target: simulated values of the posterior particles".into(),
            &target_panels(spec, calibration),
        )?,
    ];
    let mut files = vec![
        RenderedFile {
            file_name: POSTERIOR_CSV,
            bytes: posterior_csv(spec, calibration).into_bytes(),
        },
        RenderedFile {
            file_name: GENERATIONS_CSV,
            bytes: generations_csv(calibration).into_bytes(),
        },
        RenderedFile {
            file_name: METADATA_JSON,
            bytes: metadata_json(spec, calibration).into_bytes(),
        },
        RenderedFile {
            file_name: REPORT_HTML,
            bytes: report_html(spec, calibration, &plots).into_bytes(),
        },
    ];
    files.extend(plots);
    Ok(files)
}

pub fn posterior_csv(spec: &CalibrationSpec, calibration: &Calibration) -> String {
    let mut header = vec!["particle".to_string(), "weight".to_string()];
    header.extend(spec.space.parameters().iter().map(|p| p.key().to_string()));
    header.extend(spec.targets.iter().map(|t| t.target.output.clone()));
    header.push("distance".into());
    let mut text = header.join(",") + "\n";
    let posterior = calibration.result.posterior();
    for (index, particle) in posterior.particles.iter().enumerate() {
        let mut row = vec![index.to_string(), format_float(posterior.weights[index])];
        row.extend(particle.iter().map(|&value| format_float(value)));
        row.extend(
            calibration.simulated[index]
                .iter()
                .map(|&v| format_float(v)),
        );
        row.push(format_float(posterior.distances[index]));
        text.push_str(&row.join(","));
        text.push('\n');
    }
    text
}

pub fn generations_csv(calibration: &Calibration) -> String {
    let mut text =
        String::from("generation,tolerance,proposals,runs,accepted,acceptance_rate,ess\n");
    for generation in &calibration.result.generations {
        text.push_str(&format!(
            "{},{},{},{},{},{},{}\n",
            generation.index,
            format_float(generation.tolerance),
            generation.proposals,
            generation.runs,
            generation.accepted,
            format_float(generation.acceptance_rate()),
            format_float(generation.ess())
        ));
    }
    text
}

fn parameter_json(parameter: &Parameter) -> serde_json::Value {
    json!({
        "key": parameter.key(),
        "low": parameter.low(),
        "high": parameter.high(),
        "distribution": parameter.distribution().name(),
    })
}

pub fn metadata_json(spec: &CalibrationSpec, calibration: &Calibration) -> String {
    let config = &spec.config;
    let metadata = json!({
        "calibration": spec.name,
        "file": spec.path.display().to_string(),
        "sweep_hash": spec.hash,
        "description": spec.description,
        "base": spec.base_as_written.as_ref().map_or_else(
            || "baseline.toml (built in)".to_string(),
            |base| base.display().to_string(),
        ),
        "sets": spec.sets,
        "seed": config.seed,
        "replicates": spec.replicates,
        "replicate_seeds": super::replicate_seeds(spec.replicates, config.seed),
        "particles": config.particles,
        "generations": config.max_generations,
        "quantile": config.quantile,
        "min_tolerance": config.min_tolerance,
        "min_acceptance_rate": config.min_acceptance_rate,
        "max_attempts": config.max_attempts,
        "parameters": spec.space.parameters().iter().map(parameter_json).collect::<Vec<_>>(),
        "targets": spec.targets.iter().map(|t| json!({
            "measure": t.target.output,
            "value": t.target.value,
            "scale": t.target.scale,
            "source": t.source,
        })).collect::<Vec<_>>(),
        "generations_run": calibration.result.generations.len(),
        "stop": calibration.result.stop.describe(),
        "crate_version": CRATE_VERSION,
        "git_commit": GIT_COMMIT,
    });
    serde_json::to_string_pretty(&metadata).expect("JSON of plain values") + "\n"
}

fn posterior_panels(spec: &CalibrationSpec, calibration: &Calibration) -> Vec<HistogramPanel> {
    let posterior = calibration.result.posterior();
    spec.space
        .parameters()
        .iter()
        .enumerate()
        .map(|(k, parameter)| {
            let (low, high) = (parameter.low(), parameter.high());
            let values: Vec<f64> = posterior.particles.iter().map(|p| p[k]).collect();
            let bins = weighted_bins(&values, &posterior.weights, low, high);
            let width = (high - low) / bins.len() as f64;
            let prior = (0..bins.len())
                .map(|b| {
                    let left = low + b as f64 * width;
                    parameter.to_unit(left + width) - parameter.to_unit(left)
                })
                .collect();
            HistogramPanel {
                title: parameter.key().to_string(),
                x_label: format!("value ({} prior)", parameter.distribution().name()),
                low,
                high,
                bins,
                prior: Some(prior),
                target: None,
            }
        })
        .collect()
}

fn target_panels(spec: &CalibrationSpec, calibration: &Calibration) -> Vec<HistogramPanel> {
    let weights = &calibration.result.posterior().weights;
    spec.targets
        .iter()
        .enumerate()
        .map(|(k, t)| {
            let values: Vec<f64> = calibration.simulated.iter().map(|s| s[k]).collect();
            let (value, scale) = (t.target.value, t.target.scale);
            let finite = values.iter().copied().filter(|v| v.is_finite());
            let low = finite.clone().fold(value - 2.0 * scale, f64::min);
            let high = finite.fold(value + 2.0 * scale, f64::max);
            let pad = 0.05 * (high - low);
            let (low, high) = (low - pad, high + pad);
            HistogramPanel {
                title: t.target.output.clone(),
                x_label: "simulated value (mean over replicates)".into(),
                low,
                high,
                bins: weighted_bins(&values, weights, low, high),
                prior: None,
                target: Some((value, scale)),
            }
        })
        .collect()
}

/// A number for people: four significant figures.
pub(crate) fn shown(value: f64) -> String {
    if !value.is_finite() {
        return if value.is_nan() { "n/a" } else { "∞" }.into();
    }
    let magnitude = if value == 0.0 {
        0
    } else {
        value.abs().log10().floor() as i32
    };
    let decimals = (3 - magnitude).clamp(0, 6) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

pub fn report_html(
    spec: &CalibrationSpec,
    calibration: &Calibration,
    plots: &[RenderedFile],
) -> String {
    let result = &calibration.result;
    let posterior = result.posterior();
    let last = result.generations.last().expect("at least generation 0");
    let mut document = Document::new(format!("Calibration: {}", spec.name));
    if let Some(description) = &spec.description {
        document.paragraph(description.clone());
    }
    let base = spec.base_as_written.as_ref().map_or_else(
        || "the built-in baseline".to_string(),
        |b| b.display().to_string(),
    );
    let sets = if spec.sets.is_empty() {
        String::new()
    } else {
        format!(" with {}", spec.sets.join(", "))
    };
    document.paragraph(format!(
        "Approximate Bayesian computation by sequential Monte Carlo (ABC-SMC) fitted {} parameters of \
         {base}{sets} to {} targets. Each particle's simulated values are means over {} runs, from the \
         same seeds for every particle (master seed {}). The calibration ran {} generations of {} \
         particles and stopped because it {}; the final tolerance is a distance of {} (the distance \
         counts each target's deviation in units of its scale).",
        spec.space.dimension(),
        spec.targets.len(),
        spec.replicates,
        spec.config.seed,
        result.generations.len(),
        spec.config.particles,
        result.stop.describe(),
        shown(last.tolerance),
    ));
    if result.generations.len() < 2 {
        document.notice(
            "Only generation 0 was run: its particles are draws from the prior, not a posterior.",
        );
    }

    document.heading(2, "Parameters");
    document.paragraph(
        "The weighted posterior mean of each parameter and the range holding the middle 95% of its \
         weight, against the prior's range. An interval nearly as wide as the prior means the \
         targets say little about that parameter.",
    );
    let rows = spec
        .space
        .parameters()
        .iter()
        .enumerate()
        .map(|(k, parameter)| {
            let values: Vec<f64> = posterior.particles.iter().map(|p| p[k]).collect();
            let (mean, low, high) = summary(&values, &posterior.weights);
            let share = (high - low) / (parameter.high() - parameter.low());
            vec![
                parameter.key().to_string(),
                shown(mean),
                format!("{} to {}", shown(low), shown(high)),
                format!(
                    "{} to {} ({})",
                    shown(parameter.low()),
                    shown(parameter.high()),
                    parameter.distribution().name()
                ),
                format!("{:.0}%", 100.0 * share),
            ]
        })
        .collect();
    document.table(
        &[
            "parameter",
            "posterior mean",
            "95% interval",
            "prior range",
            "interval / prior",
        ],
        rows,
        &[false, true, true, true, true],
    );

    document.heading(2, "Fit to the targets");
    document.paragraph(
        "Each target's observed value and scale, and the weighted mean and middle 95% of the \
         posterior particles' simulated values. A target whose value lies outside that range is \
         not reproduced by the model within these priors.",
    );
    let mut missed = Vec::new();
    let rows = spec
        .targets
        .iter()
        .enumerate()
        .map(|(k, t)| {
            let values: Vec<f64> = calibration.simulated.iter().map(|s| s[k]).collect();
            let (mean, low, high) = summary(&values, &posterior.weights);
            let within = if low <= t.target.value && t.target.value <= high {
                "yes"
            } else {
                missed.push(format!(
                    "**{}** (target {}, simulated {} to {})",
                    t.target.output,
                    shown(t.target.value),
                    shown(low),
                    shown(high)
                ));
                "no"
            };
            vec![
                t.target.output.clone(),
                format!("{} ± {}", shown(t.target.value), shown(t.target.scale)),
                shown(mean),
                format!("{} to {}", shown(low), shown(high)),
                within.to_string(),
                t.source.clone(),
            ]
        })
        .collect();
    document.table(
        &[
            "measure",
            "target ± scale",
            "simulated mean",
            "95% range",
            "target inside",
            "source",
        ],
        rows,
        &[false, true, true, true, false, false],
    );
    if !missed.is_empty() {
        document.notice(format!(
            "Outside the posterior's 95% range: {}. Within these priors the model does not reach \
             that figure together with the others; widen a prior, calibrate another parameter, or \
             question the target's definition against the measure's.",
            missed.join("; ")
        ));
    }

    document.heading(2, "Generations");
    document.paragraph(
        "Each generation's tolerance (the largest distance accepted), the proposals made, the \
         proposals run (a move outside the prior is refused without a run), the share of runs \
         accepted and the effective sample size of the weights (how many equally weighted \
         particles they are worth). A falling acceptance rate is the price of a tighter fit; an \
         effective sample size far below the particles means a few particles carry the posterior.",
    );
    let rows = result
        .generations
        .iter()
        .map(|g| {
            vec![
                g.index.to_string(),
                shown(g.tolerance),
                g.proposals.to_string(),
                g.runs.to_string(),
                g.accepted.to_string(),
                format!("{:.1}%", 100.0 * g.acceptance_rate()),
                format!("{:.0}", g.ess()),
            ]
        })
        .collect();
    document.table(
        &[
            "generation",
            "tolerance",
            "proposals",
            "runs",
            "accepted",
            "acceptance rate",
            "effective sample size",
        ],
        rows,
        &[true, true, true, true, true, true, true],
    );

    document.heading(2, "Pictures");
    for plot in plots {
        let alt = if plot.file_name == CALIBRATION_POSTERIOR_PNG {
            "Posterior histograms of the parameters against their priors"
        } else {
            "Simulated values of the posterior particles against each target"
        };
        document.image(alt, plot.file_name, plot.bytes.clone());
    }
    document.paragraph(
        "Every particle of the final generation, its weight, its simulated values and its distance \
         are in posterior.csv; each generation's diagnostics in generations.csv; the settings in \
         metadata.json.",
    );
    document.to_html()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_quantiles_follow_the_weights() {
        let values = [3.0, 1.0, 2.0, 4.0];
        let weights = [0.1, 0.1, 0.7, 0.1];
        assert_eq!(weighted_quantile(&values, &weights, 0.025), 1.0);
        assert_eq!(weighted_quantile(&values, &weights, 0.5), 2.0);
        assert_eq!(weighted_quantile(&values, &weights, 0.85), 3.0);
        assert_eq!(weighted_quantile(&values, &weights, 0.975), 4.0);
        let (mean, low, high) = summary(&values, &weights);
        assert!((mean - 2.2).abs() < 1e-12);
        assert_eq!((low, high), (1.0, 4.0));
        assert!(weighted_quantile(&[f64::NAN], &[1.0], 0.5).is_nan());
    }

    #[test]
    fn numbers_for_people_keep_four_figures() {
        assert_eq!(shown(152.345), "152.3");
        assert_eq!(shown(0.37123), "0.3712");
        assert_eq!(shown(150.0), "150");
        assert_eq!(shown(0.02), "0.02");
        assert_eq!(shown(f64::INFINITY), "∞");
    }
}
