//! The files of `patchwork robustness`, rendered in memory: `samples.csv`, `effects.csv`,
//! `robustness.csv`, `prcc.csv` and `report.html` (plain words: where each pattern holds and
//! what decides it).

use super::{Analysis, Design, Direction, Outcome, Pattern, PatternSummary, RobustnessSpec};
use crate::output::RenderedFile;
use crate::output::csv::{format_bool, format_float};
use crate::output::html::document::Document;

/// Parameters named per pattern in `robustness.csv` and the report.
pub const TOP: usize = 3;
/// A PRCC counts as deciding a pattern when its p-value is below this.
pub const SIGNIFICANCE: f64 = 0.05;

/// Every file, in the order written (the ends design's: `super::ends::render`).
pub fn render(spec: &RobustnessSpec, analysis: &Analysis) -> Vec<RenderedFile> {
    if spec.design == Design::Ends {
        return super::ends::render(spec, analysis);
    }
    vec![
        RenderedFile {
            file_name: "samples.csv",
            bytes: samples_csv(spec, analysis).into_bytes(),
        },
        RenderedFile {
            file_name: "effects.csv",
            bytes: effects_csv(spec, analysis).into_bytes(),
        },
        RenderedFile {
            file_name: "robustness.csv",
            bytes: robustness_csv(spec, analysis).into_bytes(),
        },
        RenderedFile {
            file_name: "prcc.csv",
            bytes: prcc_csv(spec, analysis).into_bytes(),
        },
        RenderedFile {
            file_name: "report.html",
            bytes: report_html(spec, analysis).into_bytes(),
        },
    ]
}

fn keys(spec: &RobustnessSpec) -> Vec<&str> {
    spec.space.parameters().iter().map(|p| p.key()).collect()
}

/// `sample,<key>...`: each sample's parameter values.
pub fn samples_csv(spec: &RobustnessSpec, analysis: &Analysis) -> String {
    let mut out = format!("sample,{}\n", keys(spec).join(","));
    for (s, point) in analysis.plan.points.iter().enumerate() {
        let values: Vec<String> = point.iter().map(|&v| format_float(v)).collect();
        out.push_str(&format!("{s},{}\n", values.join(",")));
    }
    out
}

/// The header of `effects.csv`.
pub const EFFECTS_HEADER: &str =
    "sample,pattern,effect,ci_level,ci_low,ci_high,margin,replicates,holds,point_holds";

/// One row per sample and pattern.
pub fn effects_csv(spec: &RobustnessSpec, analysis: &Analysis) -> String {
    let mut out = format!("{EFFECTS_HEADER}\n");
    for (s, row) in analysis.outcomes.iter().enumerate() {
        for (pattern, o) in spec.patterns.iter().zip(row) {
            out.push_str(&format!(
                "{s},{},{}\n",
                pattern.number,
                outcome_fields(pattern, o)
            ));
        }
    }
    out
}

/// An outcome's fields: `effect,ci_level,ci_low,ci_high,margin,replicates,holds,point_holds`.
pub fn outcome_fields(pattern: &Pattern, o: &Outcome) -> String {
    let level = if pattern.direction == Direction::Within {
        "0.9"
    } else {
        "0.95"
    };
    format!(
        "{},{level},{},{},{},{},{},{}",
        format_float(o.interval.mean),
        format_float(o.interval.low),
        format_float(o.interval.high),
        format_float(o.margin),
        o.interval.n,
        format_bool(o.holds),
        format_bool(o.point_holds)
    )
}

/// The header of `robustness.csv`.
pub fn robustness_header() -> String {
    let mut header = String::from(
        "pattern,direction,samples,share_holds,ci_low,ci_high,share_point_holds,median_effect",
    );
    for k in 1..=TOP {
        header.push_str(&format!(",top{k},top{k}_prcc,top{k}_p"));
    }
    header
}

/// One row per pattern: where it holds and the parameters with the largest PRCC.
pub fn robustness_csv(spec: &RobustnessSpec, analysis: &Analysis) -> String {
    let keys = keys(spec);
    let mut out = format!("{}\n", robustness_header());
    for (pattern, summary) in spec.patterns.iter().zip(&analysis.summaries) {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{}",
            pattern.number,
            pattern.direction.name(),
            summary.holds.of,
            format_float(summary.holds.share),
            format_float(summary.holds.low),
            format_float(summary.holds.high),
            format_float(summary.point_holds.share),
            format_float(summary.median_effect)
        ));
        let top = summary.top(TOP);
        for k in 0..TOP {
            match top.get(k) {
                Some((j, prcc)) => out.push_str(&format!(
                    ",{},{},{}",
                    keys[*j],
                    format_float(prcc.coefficient),
                    format_float(prcc.p_value)
                )),
                None => out.push_str(",,NA,NA"),
            }
        }
        out.push('\n');
    }
    out
}

/// The header of `prcc.csv`.
pub const PRCC_HEADER: &str = "pattern,parameter,prcc,p_value";

/// Every pattern's PRCC with every parameter.
pub fn prcc_csv(spec: &RobustnessSpec, analysis: &Analysis) -> String {
    let keys = keys(spec);
    let mut out = format!("{PRCC_HEADER}\n");
    for summary in &analysis.summaries {
        for (key, prcc) in keys.iter().zip(&summary.prcc) {
            out.push_str(&format!(
                "{},{key},{},{}\n",
                summary.number,
                format_float(prcc.coefficient),
                format_float(prcc.p_value)
            ));
        }
    }
    out
}

/// The section listing parameters `which` (indices into the space): range, default, distribution.
pub fn parameters_table(document: &mut Document, spec: &RobustnessSpec, which: &[usize]) {
    document.heading(2, "Parameters");
    document.table(
        &["parameter", "low", "default", "high", "distribution"],
        which
            .iter()
            .map(|&j| {
                let p = &spec.space.parameters()[j];
                vec![
                    p.key().to_string(),
                    format_float(p.low()),
                    format_float(spec.defaults[j]),
                    format_float(p.high()),
                    p.distribution().name().to_string(),
                ]
            })
            .collect(),
        &[false, true, true, true, false],
    );
}

fn percent(share: f64) -> String {
    if share.is_finite() {
        format!("{:.0}%", share * 100.0)
    } else {
        "NA".into()
    }
}

fn p_text(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".into()
    } else {
        format!("p = {p:.3}")
    }
}

/// The sentence on what decides a pattern: its most strongly correlated parameter, if significant,
/// and on which side of it the pattern fails (or holds least comfortably).
pub fn decided_by(spec: &RobustnessSpec, direction: Direction, summary: &PatternSummary) -> String {
    let keys = keys(spec);
    if summary.prcc.iter().all(|p| p.coefficient.is_nan()) {
        return format!(
            "which parameters decide it is not estimated (a partial rank correlation needs at \
             least {} samples with a defined effect)",
            keys.len() + 2
        );
    }
    let Some((j, prcc)) = summary
        .top(1)
        .into_iter()
        .find(|(_, p)| p.p_value < SIGNIFICANCE)
    else {
        return "no parameter decides it clearly (no partial rank correlation is significant \
                at 5%)"
            .into();
    };
    let key = keys[j];
    let strength = format!("PRCC {:.2}, {}", prcc.coefficient, p_text(prcc.p_value));
    let rises = prcc.coefficient > 0.0;
    // Whether the effect moves towards holding as the parameter rises.
    let towards = match direction {
        Direction::Higher => Some(rises),
        Direction::Lower => Some(!rises),
        Direction::Within => None,
    };
    match towards {
        None => format!(
            "its difference {} as {key} rises ({strength})",
            if rises { "grows" } else { "falls" }
        ),
        Some(towards) => {
            let (side, other) = if towards {
                ("low", "high")
            } else {
                ("high", "low")
            };
            if summary.holds.count == summary.holds.of {
                format!("it holds least comfortably where {key} is {side} ({strength})")
            } else if summary.holds.count == 0 {
                format!("it comes closest to holding where {key} is {other} ({strength})")
            } else {
                format!("it fails where {key} is {side} ({strength})")
            }
        }
    }
}

/// The report: a sentence per pattern and the table.
pub fn report_html(spec: &RobustnessSpec, analysis: &Analysis) -> String {
    let mut document = Document::new(format!("Robustness of the patterns: {}", spec.name));
    if let Some(description) = &spec.description {
        document.paragraph(description.clone());
    }
    let base = spec.base.as_ref().map_or_else(
        || "the built-in baseline".to_string(),
        |b| b.display().to_string(),
    );
    document.paragraph(format!(
        "{} assumption parameters were sampled over their plausible ranges by a Latin hypercube \
         of {} samples (seed {}), around {base}{}. At each sample every arm of every pattern ran \
         {} replicates on common random numbers ({} distinct arms, {} runs). A pattern **holds** \
         at a sample when the 95% confidence interval of its paired effect lies on the expected \
         side of zero (for pattern 9, when the 90% interval lies inside ±10% of the dispersed \
         arm's mean). With few replicates a real but small effect may not reach that: the share \
         whose point estimate is on the expected side is given beside it. Which parameters decide \
         a pattern: partial rank correlation coefficients (PRCC; Marino et al. 2008) of its effect \
         with each parameter, with a t test.",
        spec.space.dimension(),
        spec.samples,
        spec.seed,
        if spec.sets.is_empty() {
            String::new()
        } else {
            format!(" with {}", spec.sets.join(", "))
        },
        spec.replicates,
        analysis.plan.arms.len(),
        analysis.plan.runs(spec),
    ));
    document.heading(2, "Where each pattern holds");
    let sentences: Vec<String> = spec
        .patterns
        .iter()
        .zip(&analysis.summaries)
        .map(|(pattern, summary)| {
            format!(
                "**Pattern {}** ({}) holds in {} of the plausible region (95% CI {} to {}); its \
                 point estimate is on the expected side in {}. {}.",
                pattern.number,
                pattern.statement,
                percent(summary.holds.share),
                percent(summary.holds.low),
                percent(summary.holds.high),
                percent(summary.point_holds.share),
                crate::metrics::catalogue::capitalised(&decided_by(
                    spec,
                    pattern.direction,
                    summary
                ))
            )
        })
        .collect();
    document.list(sentences);
    let keys = keys(spec);
    let rows: Vec<Vec<String>> = spec
        .patterns
        .iter()
        .zip(&analysis.summaries)
        .map(|(pattern, summary)| {
            let top: Vec<String> = summary
                .top(TOP)
                .into_iter()
                .map(|(j, p)| format!("{} ({:.2})", keys[j], p.coefficient))
                .collect();
            vec![
                pattern.number.to_string(),
                pattern.effect_text.to_string(),
                pattern.direction.name().to_string(),
                percent(summary.holds.share),
                format!(
                    "{} to {}",
                    percent(summary.holds.low),
                    percent(summary.holds.high)
                ),
                percent(summary.point_holds.share),
                format!("{:.3}", summary.median_effect),
                top.join(", "),
            ]
        })
        .collect();
    document.heading(2, "Table");
    document.table(
        &[
            "pattern",
            "effect",
            "holds when",
            "holds",
            "95% CI",
            "point estimate on side",
            "median effect",
            "largest PRCC",
        ],
        rows,
        &[true, false, false, true, false, true, true, false],
    );
    parameters_table(
        &mut document,
        spec,
        &(0..spec.space.dimension()).collect::<Vec<_>>(),
    );
    document.paragraph(
        "effects.csv has every sample's effect and interval per pattern; prcc.csv every \
         pattern's PRCC with every parameter; samples.csv the samples.",
    );
    document.to_html()
}
