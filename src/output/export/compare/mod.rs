//! The output of `patchwork compare A B`: two scenarios run on common random numbers (replicate
//! `r` of each from the same seed), each also run in silos on the same seeds, rendered to files.
//!
//! - `comparison.csv`: per measure, A's and B's means, the paired difference B − A with its 95%
//!   CI (Student's t on the paired differences), the relative change and the pairs used;
//! - `advantage.csv`: net collaborative advantage of each scenario against its silo counterpart;
//! - `survival.csv`, `weekly.csv`, `events.csv`, `network_posts.csv`, `network_ties.csv`: the run
//!   files with an `arm` column, from which `plots/` is drawn (and redrawn by `patchwork plot`);
//! - `metadata.json`: both scenarios fully resolved, the seed, replicates, version, and whether
//!   each arm's weekly series settled over the measured weeks (`settling`, and `settled` for both);
//! - `report.md` and `report.html` (`text`): the plain-language summary, the latter one
//!   self-contained file with its pictures inline.
//!
//! With `--posterior`, replicate `r` of both arms runs under the same drawn row, and again from
//! its twin seed; `comparison.csv` gains each difference's `parameter_share` and `random_share`
//! of variance (`metrics::VarianceSplit`), `metadata.json` a `posterior` object, and
//! `posterior_draws.csv` lists each replicate's seeds, row and values.
//!
//! Rendering is pure: everything is built in memory and handed to `OutputDir` in one go.

mod text;

use serde::Serialize;

use crate::metrics::ReplicateResult;
use crate::metrics::{
    CollaborativeAdvantage, Measures, PairedDifference, PairedMeasure, Settling, VarianceSplit,
    collaborative_advantage, compare_measures, split_measures,
};
use crate::output::csv::csv_document;
use crate::output::csv::format_float;
use crate::output::export::metadata_json::{CRATE_VERSION, GIT_COMMIT};
use crate::output::export::settling::SettlingJson;
use crate::output::export::{events_csv, network_csv, survival_csv, weekly_csv};
use crate::output::plot::{self, PlotData, PlotInputs};
use crate::output::{RenderedFile, ReportError};
use crate::posterior::{PosteriorDraws, PosteriorMetadata, twin_seed};
use crate::scenario::KeyDifference;

pub use text::{bottom_line, difference_lines, headline_sentences, split_sentences};

/// The overrides that turn a scenario into its silo counterpart: ad hoc referral, no minder, no
/// direct line, no core group. The timeline is kept as written.
pub const SILO_OVERRIDES: [&str; 4] = [
    "coordination.mode=adhoc",
    "coordination.minder=false",
    "coordination.direct_line=false",
    "coordination.core_group=false",
];

/// The names the two arms go by: the scenarios' names, told apart when they are the same.
pub fn arm_names(a_name: &str, b_name: &str) -> (String, String) {
    if a_name == b_name {
        (format!("{a_name} (A)"), format!("{b_name} (B)"))
    } else {
        (a_name.to_string(), b_name.to_string())
    }
}

/// One side of the comparison.
#[derive(Debug, Clone, Copy)]
pub struct Arm<'a> {
    /// How the arm is named in files and sentences (the scenario's name, made unique).
    pub name: &'a str,
    pub description: &'a str,
    pub resolved_scenario: &'a serde_json::Value,
    /// In replicate order.
    pub results: &'a [ReplicateResult],
    /// The same scenario with `SILO_OVERRIDES`, on the same seeds, in replicate order.
    pub silo_measures: &'a [Measures],
    /// Whether the scenario already works in silos (its silo counterpart is itself).
    pub already_silo: bool,
}

impl Arm<'_> {
    fn measures(&self) -> Vec<Measures> {
        self.results.iter().map(|result| result.measures).collect()
    }

    /// Whether the arm's weekly series settled over the measured weeks.
    pub fn settling(&self) -> Settling {
        Settling::of_runs(self.results.iter().map(|result| &result.output))
    }
}

/// Everything the comparison's files are rendered from.
#[derive(Debug, Clone, Copy)]
pub struct CompareReport<'a> {
    pub a: Arm<'a>,
    pub b: Arm<'a>,
    pub master_seed: u64,
    pub replicates: u32,
    /// `--set` overrides applied to both scenarios.
    pub sets: &'a [String],
    /// `--set-a` overrides applied to A alone (after `sets`).
    pub sets_a: &'a [String],
    /// `--set-b` overrides applied to B alone (after `sets`).
    pub sets_b: &'a [String],
    /// The resolved keys whose values differ between A and B.
    pub differences: &'a [KeyDifference],
    pub threads: usize,
    pub wall_time_seconds: f64,
    /// The posterior both arms drew from (`--posterior`), if any.
    pub posterior: Option<PosteriorArms<'a>>,
}

/// What `compare --posterior` adds: the rows drawn and each arm's twin runs.
#[derive(Debug, Clone, Copy)]
pub struct PosteriorArms<'a> {
    pub draws: PosteriorDraws<'a>,
    /// A's and B's replicates run again under the same row, each from its twin seed
    /// (`posterior::twin_seed` of its seed), in replicate order.
    pub a_twins: &'a [Measures],
    pub b_twins: &'a [Measures],
}

/// The statistics of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Every measure, B against A.
    pub measures: Vec<PairedMeasure>,
    pub advantage_a: CollaborativeAdvantage,
    pub advantage_b: CollaborativeAdvantage,
    /// With a posterior, each measure's difference split into parameters and random draws, in
    /// `measures` order; empty without.
    pub splits: Vec<VarianceSplit>,
}

impl Comparison {
    pub fn of(report: &CompareReport<'_>) -> Comparison {
        let a = report.a.measures();
        let b = report.b.measures();
        Comparison {
            measures: compare_measures(&a, &b),
            advantage_a: collaborative_advantage(report.a.silo_measures, &a),
            advantage_b: collaborative_advantage(report.b.silo_measures, &b),
            splits: report.posterior.map_or_else(Vec::new, |posterior| {
                split_measures(&a, &b, posterior.a_twins, posterior.b_twins)
            }),
        }
    }

    /// The split of one measure's difference, with a posterior.
    pub fn split(&self, name: &str) -> Option<&VarianceSplit> {
        let index = self
            .measures
            .iter()
            .position(|measure| measure.name == name)?;
        self.splits.get(index)
    }

    /// The comparison of one measure.
    pub fn measure(&self, name: &str) -> Option<&PairedDifference> {
        self.measures
            .iter()
            .find(|measure| measure.name == name)
            .map(|measure| &measure.difference)
    }
}

pub use crate::output::files::ADVANTAGE_CSV;
pub use crate::output::files::COMPARISON_CSV;
pub use crate::output::files::METADATA_JSON;
pub use crate::output::files::POSTERIOR_DRAWS_CSV;
pub use crate::output::files::REPORT_HTML;
pub use crate::output::files::REPORT_MD;

/// The columns `comparison.csv` gains with a posterior.
pub const SPLIT_HEADER: [&str; 2] = ["parameter_share", "random_share"];

pub const COMPARISON_HEADER: [&str; 8] = [
    "measure",
    "a_mean",
    "b_mean",
    "difference",
    "difference_ci_low",
    "difference_ci_high",
    "relative_change",
    "pairs",
];

pub const ADVANTAGE_HEADER: [&str; 8] = [
    "arm",
    "outcome",
    "silo_mean",
    "arm_mean",
    "difference",
    "ci_low",
    "ci_high",
    "pairs",
];

fn comparison_csv(comparison: &Comparison) -> Result<Vec<u8>, ReportError> {
    let split_columns = if comparison.splits.is_empty() {
        &[][..]
    } else {
        &SPLIT_HEADER[..]
    };
    let header: Vec<&str> = COMPARISON_HEADER
        .iter()
        .chain(split_columns)
        .copied()
        .collect();
    let rows = comparison
        .measures
        .iter()
        .enumerate()
        .map(|(index, measure)| {
            let paired = &measure.difference;
            let split = comparison.splits.get(index).map(|split| {
                [
                    format_float(split.parameter_share()),
                    format_float(split.random_share()),
                ]
            });
            let row = [
                measure.name.to_string(),
                format_float(paired.a_mean),
                format_float(paired.b_mean),
                format_float(paired.difference),
                format_float(paired.ci_low),
                format_float(paired.ci_high),
                format_float(paired.relative_change),
                paired.pairs.to_string(),
            ];
            row.into_iter().chain(split.into_iter().flatten()).collect()
        });
    csv_document(COMPARISON_CSV, &header, rows)
}

/// `posterior_draws.csv`: each replicate's seed, twin seed, row drawn and its values.
fn posterior_draws_csv(
    report: &CompareReport<'_>,
    posterior: &PosteriorArms<'_>,
) -> Result<Vec<u8>, ReportError> {
    let header: Vec<&str> = ["replicate", "seed", "twin_seed"]
        .into_iter()
        .chain(posterior.draws.posterior.run_columns())
        .collect();
    let rows = report.a.results.iter().map(|result| {
        [
            result.replicate.to_string(),
            result.seed.to_string(),
            twin_seed(result.seed).to_string(),
        ]
        .into_iter()
        .chain(crate::output::csv::posterior_cells(
            posterior.draws.posterior,
            posterior.draws.row_of(result.replicate),
        ))
        .collect()
    });
    csv_document(POSTERIOR_DRAWS_CSV, &header, rows)
}

/// Rows of `advantage.csv` for one arm: each outcome against silos (difference = arm − silo),
/// then the net advantage (its mean and CI in the difference columns) and the break-even hours per
/// child-week avoided (in `difference` alone).
fn advantage_rows(arm: &str, advantage: &CollaborativeAdvantage) -> Vec<Vec<String>> {
    let paired_row = |outcome: &str, paired: &PairedDifference| {
        vec![
            arm.to_string(),
            outcome.to_string(),
            format_float(paired.a_mean),
            format_float(paired.b_mean),
            format_float(paired.difference),
            format_float(paired.ci_low),
            format_float(paired.ci_high),
            paired.pairs.to_string(),
        ]
    };
    vec![
        paired_row("median_weeks_to_help", &advantage.median_weeks_to_help),
        paired_row("inertia", &advantage.inertia),
        paired_row("unmet_need_child_weeks_per_100", &advantage.unmet_need),
        paired_row("coordination_hours_per_100", &advantage.coordination_hours),
        vec![
            arm.to_string(),
            "net_advantage_per_100".to_string(),
            "NA".to_string(),
            "NA".to_string(),
            format_float(advantage.net.mean),
            format_float(advantage.net.ci_low),
            format_float(advantage.net.ci_high),
            advantage.net.n.to_string(),
        ],
        vec![
            arm.to_string(),
            "break_even_hours_per_child_week".to_string(),
            "NA".to_string(),
            "NA".to_string(),
            format_float(advantage.hours_per_child_week_avoided),
            "NA".to_string(),
            "NA".to_string(),
            advantage.net.n.to_string(),
        ],
    ]
}

fn advantage_csv(
    report: &CompareReport<'_>,
    comparison: &Comparison,
) -> Result<Vec<u8>, ReportError> {
    let rows = advantage_rows(report.a.name, &comparison.advantage_a)
        .into_iter()
        .chain(advantage_rows(report.b.name, &comparison.advantage_b));
    csv_document(ADVANTAGE_CSV, &ADVANTAGE_HEADER, rows)
}

/// Rows without their first field (the arm, which `arms_csv` puts back).
fn without_arm(rows: Vec<Vec<String>>) -> Vec<Vec<String>> {
    rows.into_iter()
        .map(|row| row.into_iter().skip(1).collect())
        .collect()
}

/// `arm` followed by each of `rows`' fields.
fn with_arm(arm: &str, rows: Vec<Vec<String>>) -> impl Iterator<Item = Vec<String>> + '_ {
    rows.into_iter()
        .map(move |row| std::iter::once(arm.to_string()).chain(row).collect())
}

fn arms_csv(
    file_name: &'static str,
    header: &[&str],
    report: &CompareReport<'_>,
    rows_of: impl Fn(&Arm<'_>) -> Vec<Vec<String>>,
) -> Result<Vec<u8>, ReportError> {
    let header: Vec<&str> = std::iter::once("arm")
        .chain(header.iter().copied())
        .collect();
    let rows = with_arm(report.a.name, rows_of(&report.a))
        .chain(with_arm(report.b.name, rows_of(&report.b)));
    csv_document(file_name, &header, rows)
}

/// A network file with both arms.
fn network_csv_of_arms(
    file: &network_csv::NetworkCsv,
    report: &CompareReport<'_>,
) -> Result<Vec<u8>, ReportError> {
    arms_csv(file.file_name, &file.header[1..], report, |arm| {
        without_arm((file.rows)(arm.name, arm.results))
    })
}

fn weekly_rows(arm: &Arm<'_>) -> Vec<Vec<String>> {
    arm.results
        .iter()
        .flat_map(|result| {
            result
                .output
                .weeks
                .iter()
                .map(|week| weekly_csv::week_row(result.replicate, week))
        })
        .collect()
}

#[derive(Serialize)]
struct ArmMetadata<'a> {
    scenario: &'a str,
    description: &'a str,
    already_silo: bool,
    settling: SettlingJson,
    resolved_scenario: &'a serde_json::Value,
}

#[derive(Serialize)]
struct Metadata<'a> {
    comparison: String,
    master_seed: u64,
    replicates: u32,
    sets: &'a [String],
    /// `--set-a` and `--set-b`, recorded only when given (so earlier files keep their bytes).
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    sets_a: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    sets_b: &'a [String],
    silo_overrides: [&'static str; 4],
    crate_version: &'static str,
    git_commit: &'static str,
    threads: usize,
    wall_time_seconds: f64,
    /// Both arms' weekly series settled.
    settled: bool,
    /// The posterior both arms drew from (`--posterior`); absent without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    posterior: Option<ComparePosteriorMetadata>,
    a: ArmMetadata<'a>,
    b: ArmMetadata<'a>,
}

#[derive(Serialize)]
struct ComparePosteriorMetadata {
    #[serde(flatten)]
    posterior: PosteriorMetadata,
    twin_seeds: &'static str,
    variance_split: &'static str,
}

fn arm_metadata<'a>(arm: &Arm<'a>) -> ArmMetadata<'a> {
    ArmMetadata {
        scenario: arm.name,
        description: arm.description,
        already_silo: arm.already_silo,
        settling: SettlingJson::of(&arm.settling()),
        resolved_scenario: arm.resolved_scenario,
    }
}

fn metadata_json(report: &CompareReport<'_>) -> Result<Vec<u8>, ReportError> {
    let metadata = Metadata {
        comparison: format!("{} vs {}", report.a.name, report.b.name),
        master_seed: report.master_seed,
        replicates: report.replicates,
        sets: report.sets,
        sets_a: report.sets_a,
        sets_b: report.sets_b,
        silo_overrides: SILO_OVERRIDES,
        crate_version: CRATE_VERSION,
        git_commit: GIT_COMMIT,
        threads: report.threads,
        wall_time_seconds: (report.wall_time_seconds * 1000.0).round() / 1000.0,
        settled: report.a.settling().settled() && report.b.settling().settled(),
        posterior: report.posterior.map(|posterior| ComparePosteriorMetadata {
            posterior: posterior.draws.metadata(),
            twin_seeds: "each replicate's drawn row is run again in both scenarios from \
                             twin_seed(seed), listed in posterior_draws.csv",
            variance_split: "one-way random-effects ANOVA over each replicate's two paired \
                                 differences (its seed and its twin seed, one drawn row): \
                                 Var(E[d|theta]) = max(0, (MSB - MSW) / 2), E[Var(d|theta)] = MSW",
        }),
        a: arm_metadata(&report.a),
        b: arm_metadata(&report.b),
    };
    let mut bytes = serde_json::to_vec_pretty(&metadata).map_err(|error| ReportError::Render {
        file_name: METADATA_JSON,
        reason: error.to_string(),
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Finds a rendered file's bytes by name.
fn bytes_of<'f>(files: &'f [RenderedFile], name: &str) -> Option<&'f [u8]> {
    files
        .iter()
        .find(|file| file.file_name == name)
        .map(|file| file.bytes.as_slice())
}

/// Renders every file of a comparison, in the order they are written.
pub fn render_compare_report(report: &CompareReport<'_>) -> Result<Vec<RenderedFile>, ReportError> {
    let comparison = Comparison::of(report);
    let mut files = vec![
        RenderedFile {
            file_name: COMPARISON_CSV,
            bytes: comparison_csv(&comparison)?,
        },
        RenderedFile {
            file_name: ADVANTAGE_CSV,
            bytes: advantage_csv(report, &comparison)?,
        },
        RenderedFile {
            file_name: plot::SURVIVAL_CSV,
            bytes: arms_csv(
                plot::SURVIVAL_CSV,
                &survival_csv::HEADER[1..],
                report,
                |arm| without_arm(survival_csv::survival_rows(arm.name, arm.results)),
            )?,
        },
        RenderedFile {
            file_name: plot::WEEKLY_CSV,
            bytes: arms_csv(plot::WEEKLY_CSV, &weekly_csv::HEADER, report, weekly_rows)?,
        },
        RenderedFile {
            file_name: plot::EVENTS_CSV,
            bytes: arms_csv(plot::EVENTS_CSV, &events_csv::HEADER, report, |arm| {
                events_csv::event_rows(arm.results)
            })?,
        },
        RenderedFile {
            file_name: plot::NETWORK_POSTS_CSV,
            bytes: network_csv_of_arms(&network_csv::NETWORK_POSTS, report)?,
        },
        RenderedFile {
            file_name: plot::NETWORK_TIES_CSV,
            bytes: network_csv_of_arms(&network_csv::NETWORK_TIES, report)?,
        },
        RenderedFile {
            file_name: METADATA_JSON,
            bytes: metadata_json(report)?,
        },
    ];
    if let Some(posterior) = &report.posterior {
        files.push(RenderedFile {
            file_name: POSTERIOR_DRAWS_CSV,
            bytes: posterior_draws_csv(report, posterior)?,
        });
    }

    let plot_data = PlotData::from_csv(&PlotInputs {
        survival_csv: bytes_of(&files, plot::SURVIVAL_CSV),
        weekly_csv: bytes_of(&files, plot::WEEKLY_CSV),
        events_csv: bytes_of(&files, plot::EVENTS_CSV),
        network_posts_csv: bytes_of(&files, plot::NETWORK_POSTS_CSV),
        network_ties_csv: bytes_of(&files, plot::NETWORK_TIES_CSV),
        single_arm: report.a.name,
        warmup_weeks: report
            .a
            .results
            .first()
            .map(|result| result.output.warmup_weeks),
    })
    .map_err(|error| ReportError::Render {
        file_name: "plots",
        reason: error.to_string(),
    })?;
    let plots = plot::render_plots(&plot_data)?;

    let document = text::document(report, &comparison, &plot_data, &plots);
    files.push(RenderedFile {
        file_name: REPORT_MD,
        bytes: document.to_markdown().into_bytes(),
    });
    files.push(RenderedFile {
        file_name: REPORT_HTML,
        bytes: document.to_html().into_bytes(),
    });
    files.extend(plots);
    Ok(files)
}
