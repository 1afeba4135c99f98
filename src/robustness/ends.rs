//! The ends design of `patchwork robustness` (`design = "ends"`): one parameter at a time. Each
//! pattern runs at the defaults (every parameter at the base scenario's value) and with each of
//! the parameters its `[[hinge]]` names at the low and at the high end of its range, every other
//! parameter at its default. The arms, replicates, common random numbers and effects are those of
//! the Latin hypercube (`super::analyse`); only the sites differ. Renders `ends.csv`, the report
//! and the terminal table.

use std::collections::BTreeSet;

use super::files::{outcome_fields, parameters_table};
use super::{Analysis, Outcome, Pattern, RobustnessSpec};
use crate::output::RenderedFile;
use crate::output::csv::format_float;
use crate::output::html::document::Document;

/// Where a parameter is in a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum End {
    Default,
    Low,
    High,
}

impl End {
    /// `default`, `low` or `high` (as in `ends.csv`).
    pub fn name(self) -> &'static str {
        match self {
            End::Default => "default",
            End::Low => "low",
            End::High => "high",
        }
    }
}

/// One pattern with one of its hinge parameters at one end (or at its default: every parameter
/// at the defaults, the same site for each of the pattern's keys).
#[derive(Debug, Clone, PartialEq)]
pub struct EndCell {
    /// Index into the spec's patterns.
    pub pattern: usize,
    /// Index into the space.
    pub parameter: usize,
    pub end: End,
    /// The parameter's value.
    pub value: f64,
    /// Index into the plan's sites.
    pub site: usize,
}

/// The sites (site 0 the defaults, then each hinge key's low and high end, in the order first
/// named) and the cells: pattern by pattern, key by key as written, default, low, high.
pub fn cells(spec: &RobustnessSpec) -> (Vec<Vec<(usize, f64)>>, Vec<EndCell>) {
    let mut sites: Vec<Vec<(usize, f64)>> = vec![Vec::new()];
    let mut cells = Vec::new();
    for (k, keys) in spec.hinges.iter().enumerate() {
        for &j in keys {
            let parameter = &spec.space.parameters()[j];
            for (end, value) in [
                (End::Default, spec.defaults[j]),
                (End::Low, parameter.low()),
                (End::High, parameter.high()),
            ] {
                let site = if end == End::Default {
                    0
                } else {
                    let set = vec![(j, value)];
                    match sites.iter().position(|s| *s == set) {
                        Some(site) => site,
                        None => {
                            sites.push(set);
                            sites.len() - 1
                        }
                    }
                };
                cells.push(EndCell {
                    pattern: k,
                    parameter: j,
                    end,
                    value,
                    site,
                });
            }
        }
    }
    (sites, cells)
}

/// The `(site, arm)`s the cells need, each once, site by site.
pub fn jobs(cells: &[EndCell], pattern_arms: &[Vec<usize>]) -> Vec<(usize, usize)> {
    let needed: BTreeSet<(usize, usize)> = cells
        .iter()
        .flat_map(|cell| pattern_arms[cell.pattern].iter().map(|&a| (cell.site, a)))
        .collect();
    needed.into_iter().collect()
}

/// The ends design's files, in the order written: `ends.csv` and `report.html`.
pub fn render(spec: &RobustnessSpec, analysis: &Analysis) -> Vec<RenderedFile> {
    vec![
        RenderedFile {
            file_name: "ends.csv",
            bytes: ends_csv(spec, analysis).into_bytes(),
        },
        RenderedFile {
            file_name: "report.html",
            bytes: report_html(spec, analysis).into_bytes(),
        },
    ]
}

/// The header of `ends.csv`.
pub const ENDS_HEADER: &str = "pattern,key,end,value,effect,ci_level,ci_low,ci_high,margin,\
                               replicates,holds,point_holds";

/// One row per cell: pattern by pattern, key by key, default, low, high (the default row of each
/// key is the same run).
pub fn ends_csv(spec: &RobustnessSpec, analysis: &Analysis) -> String {
    let mut out = format!("{ENDS_HEADER}\n");
    for (cell, o) in analysis.plan.ends.iter().zip(&analysis.end_outcomes) {
        let pattern = &spec.patterns[cell.pattern];
        out.push_str(&format!(
            "{},{},{},{},{}\n",
            pattern.number,
            spec.space.parameters()[cell.parameter].key(),
            cell.end.name(),
            format_float(cell.value),
            outcome_fields(pattern, o)
        ));
    }
    out
}

/// A number to three significant figures (as the tables print effects).
fn short(x: f64) -> String {
    if !x.is_finite() {
        return "NA".into();
    }
    if x == 0.0 {
        return "0".into();
    }
    let decimals = (2 - x.abs().log10().floor() as i32).max(0) as usize;
    format!("{x:.decimals$}")
}

/// `effect (low to high)`: the effect and its interval.
fn effect_text(o: &Outcome) -> String {
    format!(
        "{} ({} to {})",
        short(o.interval.mean),
        short(o.interval.low),
        short(o.interval.high)
    )
}

fn verdict(o: &Outcome) -> &'static str {
    if o.holds { "holds" } else { "fails" }
}

/// Per pattern and hinge key: the cells at the low end, the default and the high end.
fn rows<'a>(analysis: &'a Analysis) -> impl Iterator<Item = [(&'a EndCell, &'a Outcome); 3]> + 'a {
    let cells: Vec<(&EndCell, &Outcome)> = analysis
        .plan
        .ends
        .iter()
        .zip(&analysis.end_outcomes)
        .collect();
    cells
        .chunks(3)
        .map(|c| {
            let find = |end: End| *c.iter().find(|(cell, _)| cell.end == end).unwrap_or(&c[0]);
            [find(End::Low), find(End::Default), find(End::High)]
        })
        .collect::<Vec<_>>()
        .into_iter()
}

/// The terminal table: per pattern and hinge key, the effect and verdict at each end.
pub fn table(spec: &RobustnessSpec, analysis: &Analysis) -> String {
    let width = spec
        .hinges
        .iter()
        .flatten()
        .map(|&j| spec.space.parameters()[j].key().len())
        .max()
        .unwrap_or(9)
        .max(9);
    let line = |cells: [&str; 5]| {
        let text = format!(
            "{:<8} {:<width$}  {:<24} {:<24} {}",
            cells[0], cells[1], cells[2], cells[3], cells[4]
        );
        format!("{}\n", text.trim_end())
    };
    let mut out = line(["pattern", "parameter", "low", "default", "high"]);
    for row in rows(analysis) {
        let cell = |(cell, o): (&EndCell, &Outcome)| {
            format!(
                "{}: {} {}",
                format_float(cell.value),
                short(o.interval.mean),
                verdict(o)
            )
        };
        out.push_str(&line([
            &spec.patterns[row[0].0.pattern].number.to_string(),
            spec.space.parameters()[row[0].0.parameter].key(),
            &cell(row[0]),
            &cell(row[1]),
            &cell(row[2]),
        ]));
    }
    out
}

/// The sentence on one pattern: where it holds among its cells.
fn sentence(spec: &RobustnessSpec, analysis: &Analysis, k: usize, pattern: &Pattern) -> String {
    let mine: Vec<(&EndCell, &Outcome)> = analysis
        .plan
        .ends
        .iter()
        .zip(&analysis.end_outcomes)
        .filter(|(cell, _)| cell.pattern == k)
        .collect();
    let keys: Vec<String> = spec.hinges[k]
        .iter()
        .map(|&j| format!("`{}`", spec.space.parameters()[j].key()))
        .collect();
    let default = mine.iter().find(|(cell, _)| cell.end == End::Default);
    let at_default = match default {
        Some((_, o)) if o.holds => format!("holds at the defaults ({})", effect_text(o)),
        Some((_, o)) => format!("does not hold at the defaults ({})", effect_text(o)),
        None => String::new(),
    };
    let failures: Vec<String> = mine
        .iter()
        .filter(|(cell, o)| cell.end != End::Default && !o.holds)
        .map(|(cell, o)| {
            format!(
                "{} at its {} end, {} ({})",
                spec.space.parameters()[cell.parameter].key(),
                cell.end.name(),
                format_float(cell.value),
                effect_text(o)
            )
        })
        .collect();
    let ends = if failures.is_empty() {
        "and at both ends of each".to_string()
    } else {
        format!("; it does not hold with {}", failures.join("; "))
    };
    format!(
        "**Pattern {}** ({}; {}), hinging on {}: {at_default} {ends}.",
        pattern.number,
        pattern.statement,
        pattern.effect_text,
        keys.join(", ")
    )
}

/// The report: the method, a sentence per pattern, the table and the parameters.
pub fn report_html(spec: &RobustnessSpec, analysis: &Analysis) -> String {
    let mut document = Document::new(format!(
        "Each pattern at both ends of its hinge parameters: {}",
        spec.name
    ));
    if let Some(description) = &spec.description {
        document.paragraph(description.clone());
    }
    let base = spec.base.as_ref().map_or_else(
        || "the built-in baseline".to_string(),
        |b| b.display().to_string(),
    );
    let mut hinged: Vec<usize> = spec.hinges.iter().flatten().copied().collect();
    hinged.sort_unstable();
    hinged.dedup();
    document.paragraph(format!(
        "One parameter at a time. Each pattern ran at the defaults of {base}{} and with each \
         parameter it hinges on at the low and at the high end of its plausible range, every \
         other parameter at its default: {} points, {} arms run at them, each {} replicates on \
         common random numbers (seed {}), {} runs. A pattern **holds** when the 95% confidence \
         interval of its paired effect lies on the expected side of zero (for pattern 9, when \
         the 90% interval lies inside ±10% of the dispersed arm's mean).",
        if spec.sets.is_empty() {
            String::new()
        } else {
            format!(" with {}", spec.sets.join(", "))
        },
        analysis.plan.sites.len(),
        analysis.plan.jobs.len(),
        spec.replicates,
        spec.seed,
        analysis.plan.runs(spec),
    ));
    document.heading(2, "Where each pattern holds");
    document.list(
        spec.patterns
            .iter()
            .enumerate()
            .map(|(k, pattern)| sentence(spec, analysis, k, pattern))
            .collect(),
    );
    document.heading(2, "Table");
    let cell = |(cell, o): (&EndCell, &Outcome)| {
        format!(
            "{}: {} {}",
            format_float(cell.value),
            effect_text(o),
            verdict(o)
        )
    };
    document.table(
        &["pattern", "parameter", "low", "default", "high"],
        rows(analysis)
            .map(|row| {
                vec![
                    spec.patterns[row[0].0.pattern].number.to_string(),
                    spec.space.parameters()[row[0].0.parameter]
                        .key()
                        .to_string(),
                    cell(row[0]),
                    cell(row[1]),
                    cell(row[2]),
                ]
            })
            .collect(),
        &[true, false, false, false, false],
    );
    parameters_table(&mut document, spec, &hinged);
    document.paragraph(
        "ends.csv has every cell: the effect, its interval and whether the pattern holds, per \
         pattern, parameter and end.",
    );
    document.to_html()
}
