//! `patchwork sensitivity FILE`: a global sensitivity analysis of the simulation, through the
//! engine of `gsa`.
//!
//! The file names a base scenario (and fixed `sets` applied to it), the measures to analyse, the method (`sobol` or `morris`) and
//! its design, and the `[[parameter]]`s to vary (dotted scenario key, low, high, distribution).
//! `ScenarioModel` is the simulation behind `gsa::Model`: a point becomes `--set key=value`
//! overrides of the base scenario, replicate seeds come from the engine (common random numbers
//! across points), and the outputs are the chosen measures of `metrics::measures`. The engine
//! evaluates points with `par_iter` and collects them in order, so the files are the same bytes on
//! any thread count. The files: `samples.csv` (each point: its design role and parameter values),
//! `runs.csv` (each point × replicate: the seed and the measures), and, computed from those
//! (`files`), `indices.csv` (tidy: method, output, parameter, index, estimate, ci_low, ci_high),
//! `plots/morris.png` or `plots/sobol.png` and `report.html`.

pub mod files;
pub mod run;

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::gsa::morris::{MorrisDesign, MorrisSample};
use crate::gsa::saltelli::{SaltelliDesign, SaltelliSample};
use crate::gsa::sobol_seq::Scrambling;
use crate::gsa::{
    Bootstrap, Distribution, EvaluationError, Evaluations, GsaError, IndexRow, Model,
    MorrisAnalysis, Parameter, ParameterSpace, SobolAnalysis,
};
use crate::metrics::{Measures, measures};
use crate::model::simulate;
use crate::output::ReportError;
use crate::output::csv::format_float;
use crate::posterior::checksum;
use crate::scenario::{self, ScenarioError};

/// Something stopped a sensitivity analysis.
#[derive(Debug, thiserror::Error)]
pub enum SensitivityError {
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{}: {message}", path.display())]
    Parse { path: PathBuf, message: String },

    #[error("{}: {reason}", path.display())]
    Spec { path: PathBuf, reason: String },

    #[error(transparent)]
    Scenario(#[from] ScenarioError),

    #[error(transparent)]
    Analysis(#[from] GsaError),

    #[error(transparent)]
    Output(#[from] ReportError),

    #[error(transparent)]
    Files(#[from] crate::batch::sweep::SweepError),
}

/// The most bootstrap resamples a file may ask for.
const BOOTSTRAP_RESAMPLES: usize = 100_000;
/// The most runs (points × replicates) a file may ask for: 10^8 runs of the baseline are about
/// six days of one core, far beyond any analysis that would be run on one machine.
const MAX_RUNS: u64 = 100_000_000;

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpec {
    base: Option<PathBuf>,
    #[serde(default)]
    sets: Vec<String>,
    outputs: Vec<String>,
    method: String,
    base_samples: Option<usize>,
    second_order: Option<bool>,
    scrambling: Option<String>,
    trajectories: Option<usize>,
    levels: Option<usize>,
    replicates: Option<u64>,
    seed: Option<u64>,
    bootstrap: Option<usize>,
    parameter: Vec<RawParameter>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParameter {
    key: String,
    low: f64,
    high: f64,
    distribution: Option<String>,
    mode: Option<f64>,
}

/// The method and its design.
#[derive(Debug, Clone, PartialEq)]
pub enum Method {
    Sobol(SaltelliDesign),
    Morris(MorrisDesign),
}

/// A validated sensitivity file.
#[derive(Debug, Clone)]
pub struct SensitivitySpec {
    pub name: String,
    /// The file, made absolute (recorded in `metadata.json`, so that `merge` can read it again).
    pub path: PathBuf,
    /// A hash of the file's text and of the resolved base scenario: the identity that `--resume`
    /// and `merge` check.
    pub hash: String,
    pub model: ScenarioModel,
    pub space: ParameterSpace,
    pub method: Method,
    pub replicates: u64,
    pub seed: u64,
    pub bootstrap: Bootstrap,
}

/// The simulation as a `gsa::Model`: parameter values as `--set` overrides of a base scenario,
/// outputs chosen among the run's measures.
#[derive(Debug, Clone)]
pub struct ScenarioModel {
    base: Option<PathBuf>,
    /// Fixed `--set` overrides, applied before the varied parameters.
    fixed: Vec<String>,
    keys: Vec<String>,
    outputs: Vec<String>,
    columns: Vec<usize>,
}

impl ScenarioModel {
    /// The simulation of `base` (the built-in baseline when `None`) with the `fixed` overrides,
    /// varying the scenario keys `keys` and reporting the measures named by `outputs`. An output
    /// that is not a measure is an error naming the measures.
    pub fn new(
        base: Option<PathBuf>,
        fixed: Vec<String>,
        keys: Vec<String>,
        outputs: Vec<String>,
    ) -> Result<ScenarioModel, String> {
        let columns = outputs
            .iter()
            .map(|output| {
                Measures::NAMES
                    .iter()
                    .position(|name| name == output)
                    .ok_or_else(|| {
                        format!(
                            "{output} is not a measure; the measures are {}",
                            Measures::NAMES.join(", ")
                        )
                    })
            })
            .collect::<Result<Vec<usize>, String>>()?;
        Ok(ScenarioModel {
            base,
            fixed,
            keys,
            outputs,
            columns,
        })
    }

    /// The base scenario file (`None`: the built-in baseline).
    pub fn base(&self) -> Option<&Path> {
        self.base.as_deref()
    }

    /// The fixed `--set` overrides applied at every point.
    pub fn fixed(&self) -> &[String] {
        &self.fixed
    }

    /// The outputs: measures' names.
    pub fn output_names(&self) -> &[String] {
        &self.outputs
    }

    /// The `--set` overrides of one point: the fixed ones, then `key=value` per varied key.
    pub fn sets(&self, point: &[f64]) -> Vec<String> {
        let varied = self
            .keys
            .iter()
            .zip(point)
            .map(|(key, value)| format!("{key}={value}"));
        self.fixed.iter().cloned().chain(varied).collect()
    }
}

impl Model for ScenarioModel {
    fn outputs(&self) -> Vec<String> {
        self.outputs.clone()
    }

    fn evaluate(&self, point: &[f64], replicate_seed: u64) -> Result<Vec<f64>, EvaluationError> {
        let scenario = scenario::load(self.base.as_deref(), &self.sets(point))
            .map_err(|error| EvaluationError(error.to_string()))?;
        let values = measures(&simulate(&scenario.params, replicate_seed)).values();
        Ok(self.columns.iter().map(|&c| values[c]).collect())
    }
}

/// Reads and checks a sensitivity file. The base scenario is loaded at every parameter's low and
/// high ends, so an unknown key or a value the scenario refuses is an error before anything runs.
pub fn load(path: &Path) -> Result<SensitivitySpec, SensitivityError> {
    let text = std::fs::read_to_string(path).map_err(|source| SensitivityError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let raw: RawSpec = toml::from_str(&text).map_err(|error| SensitivityError::Parse {
        path: path.to_path_buf(),
        message: error.to_string().trim_end().to_string(),
    })?;
    let fail = |reason: String| SensitivityError::Spec {
        path: path.to_path_buf(),
        reason,
    };
    let base = raw
        .base
        .map(|base| path.parent().unwrap_or(Path::new(".")).join(base));
    if raw.outputs.is_empty() {
        return Err(fail("outputs: list at least one measure".into()));
    }
    let parameters = raw
        .parameter
        .iter()
        .map(|p| {
            let distribution = match (p.distribution.as_deref().unwrap_or("uniform"), p.mode) {
                ("uniform", None) => Distribution::Uniform,
                ("log-uniform", None) => Distribution::LogUniform,
                ("triangular", Some(mode)) => Distribution::Triangular { mode },
                (other, _) => {
                    return Err(fail(format!(
                        "parameter {}: distribution must be uniform, log-uniform or triangular \
                         (with mode, and only triangular has one), found {other}",
                        p.key
                    )));
                }
            };
            Parameter::new(p.key.clone(), p.low, p.high, distribution).map_err(Into::into)
        })
        .collect::<Result<Vec<_>, SensitivityError>>()?;
    let space = ParameterSpace::new(parameters)?;
    let keys = space
        .parameters()
        .iter()
        .map(|p| p.key().to_string())
        .collect();
    let model = ScenarioModel::new(base, raw.sets, keys, raw.outputs)
        .map_err(|reason| fail(format!("outputs: {reason}")))?;
    for end in [0.0, 1.0] {
        let point = space.from_unit(&vec![end; space.dimension()]);
        scenario::load(model.base.as_deref(), &model.sets(&point))?;
    }
    let resolved_base = scenario::load(model.base.as_deref(), &model.fixed)?.resolved;
    let hash = checksum(
        format!(
            "{text}\n{}",
            serde_json::to_value(&resolved_base).unwrap_or(serde_json::Value::Null)
        )
        .as_bytes(),
    );
    let seed = raw.seed.unwrap_or(1);
    let method = match raw.method.as_str() {
        "sobol" => {
            let scrambling = match raw.scrambling.as_deref().unwrap_or("owen") {
                "none" => Scrambling::None,
                "shift" => Scrambling::DigitalShift,
                "owen" => Scrambling::Owen,
                other => {
                    return Err(fail(format!(
                        "scrambling must be none, shift or owen, found {other}"
                    )));
                }
            };
            Method::Sobol(SaltelliDesign {
                base_samples: raw.base_samples.unwrap_or(64),
                second_order: raw.second_order.unwrap_or(false),
                scrambling,
                seed,
            })
        }
        "morris" => Method::Morris(MorrisDesign {
            trajectories: raw.trajectories.unwrap_or(10),
            levels: raw.levels.unwrap_or(4),
            seed,
        }),
        other => {
            return Err(fail(format!(
                "method must be sobol or morris, found {other}"
            )));
        }
    };
    // Upper bounds, so that no file can ask for more than a machine can hold: the design's size
    // (points and runs, as a sweep's), replicates and bootstrap resamples.
    use crate::scenario::limits;
    let replicates = raw.replicates.unwrap_or(1).max(1);
    let resamples = raw.bootstrap.unwrap_or(1000);
    if replicates > limits::REPLICATES {
        return Err(fail(format!(
            "replicates: must be at most {}, found {replicates}",
            limits::REPLICATES
        )));
    }
    if resamples > BOOTSTRAP_RESAMPLES {
        return Err(fail(format!(
            "bootstrap: must be at most {BOOTSTRAP_RESAMPLES}, found {resamples}"
        )));
    }
    let p = space.dimension() as u64;
    let points = match &method {
        Method::Sobol(design) => {
            (design.base_samples as u64).saturating_mul(if design.second_order {
                2 * p + 2
            } else {
                p + 2
            })
        }
        Method::Morris(design) => {
            if !(2..=100).contains(&design.levels) {
                return Err(fail(format!(
                    "levels: must be from 2 to 100, found {}",
                    design.levels
                )));
            }
            (design.trajectories as u64).saturating_mul(p + 1)
        }
    };
    if points > limits::SWEEP_POINTS || points.saturating_mul(replicates) > MAX_RUNS {
        return Err(fail(format!(
            "the design has {points} points x {replicates} replicates: at most {} points and \
             {MAX_RUNS} runs (lower base_samples or trajectories, or replicates)",
            limits::SWEEP_POINTS
        )));
    }
    let name = path
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sensitivity".into());
    Ok(SensitivitySpec {
        name,
        path: std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
        hash,
        model,
        space,
        method,
        replicates,
        seed,
        bootstrap: Bootstrap {
            resamples,
            seed,
            ..Bootstrap::default()
        },
    })
}

impl SensitivitySpec {
    /// The method's name: `sobol` or `morris`.
    pub fn method_name(&self) -> &'static str {
        match self.method {
            Method::Sobol(_) => "sobol",
            Method::Morris(_) => "morris",
        }
    }

    /// The number of points of the design.
    pub fn points(&self) -> usize {
        let p = self.space.dimension();
        match &self.method {
            Method::Sobol(design) => {
                design.base_samples
                    * if design.second_order {
                        2 * p + 2
                    } else {
                        p + 2
                    }
            }
            Method::Morris(design) => design.trajectories * (p + 1),
        }
    }
}

/// The design's sample: where the points are and what role each plays.
#[derive(Debug, Clone, PartialEq)]
pub enum Sample {
    Sobol(SaltelliSample),
    Morris(MorrisSample),
}

impl SensitivitySpec {
    /// The design's sample (a pure function of the file: the same on every machine and shard).
    pub fn sample(&self) -> Result<Sample, SensitivityError> {
        let p = self.space.dimension();
        Ok(match &self.method {
            Method::Sobol(design) => Sample::Sobol(SaltelliSample::new(p, design)?),
            Method::Morris(design) => Sample::Morris(MorrisSample::new(p, design)?),
        })
    }

    /// The replicate seeds, the same at every point (common random numbers).
    pub fn replicate_seeds(&self) -> Vec<u64> {
        (0..self.replicates)
            .map(|r| crate::model::rng::replicate_seed(self.seed, r))
            .collect()
    }
}

impl Sample {
    /// The parameters' values at every point of the design.
    pub fn values(&self, space: &ParameterSpace) -> Vec<Vec<f64>> {
        match self {
            Sample::Sobol(sample) => sample.values(space),
            Sample::Morris(sample) => sample.values(space),
        }
    }

    /// The role columns' header of `samples.csv`.
    pub fn role_header(&self) -> &'static str {
        match self {
            Sample::Sobol(_) => "base_row,matrix",
            Sample::Morris(_) => "trajectory,step",
        }
    }

    /// Point `row`'s role: its base row and matrix, or its trajectory and step.
    pub fn role(&self, row: usize) -> String {
        match self {
            Sample::Sobol(sample) => {
                let (base, matrix) = sample.role(row);
                format!("{base},{}", matrix.label())
            }
            Sample::Morris(sample) => {
                let (trajectory, step) = sample.role(row);
                format!("{trajectory},{step}")
            }
        }
    }

    /// Estimates the indices of every output from the design's evaluations, as the tidy rows of
    /// `indices.csv`.
    pub fn estimate(
        self,
        spec: &SensitivitySpec,
        points: Vec<Vec<f64>>,
        evaluations: Evaluations,
    ) -> Vec<IndexRow> {
        match self {
            Sample::Sobol(sample) => {
                SobolAnalysis::estimate(sample, points, evaluations, &spec.bootstrap)
                    .rows(&spec.space)
            }
            Sample::Morris(sample) => {
                MorrisAnalysis::estimate(sample, points, evaluations, &spec.bootstrap)
                    .rows(&spec.space)
            }
        }
    }
}

/// `samples.csv`'s header line.
pub fn samples_header(spec: &SensitivitySpec, sample: &Sample) -> String {
    let keys: Vec<&str> = spec.space.parameters().iter().map(|p| p.key()).collect();
    format!("point,{},{}\n", sample.role_header(), keys.join(","))
}

/// `samples.csv`'s rows of the points `range`.
pub fn samples_rows(sample: &Sample, points: &[Vec<f64>], range: Range<usize>) -> String {
    let mut text = String::new();
    for index in range {
        let values: Vec<String> = points[index].iter().map(|&v| format_float(v)).collect();
        text.push_str(&format!(
            "{index},{},{}\n",
            sample.role(index),
            values.join(",")
        ));
    }
    text
}

/// `runs.csv`'s header line.
pub fn runs_header(spec: &SensitivitySpec) -> String {
    format!("point,replicate,seed,{}\n", spec.model.outputs.join(","))
}

/// `runs.csv`'s rows of consecutive points from `first_point`: `runs[point][replicate][output]`.
pub fn runs_rows(first_point: usize, runs: &[Vec<Vec<f64>>], seeds: &[u64]) -> String {
    let mut text = String::new();
    for (offset, replicates) in runs.iter().enumerate() {
        for (replicate, values) in replicates.iter().enumerate() {
            let values: Vec<String> = values.iter().map(|&v| format_float(v)).collect();
            text.push_str(&format!(
                "{},{replicate},{},{}\n",
                first_point + offset,
                seeds[replicate],
                values.join(",")
            ));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    // A file is checked before anything runs: unknown measures, unknown scenario keys, bad
    // distributions and methods are errors naming what is wrong.
    #[test]
    fn bad_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let good_parameter = "[[parameter]]\nkey = \"run.seed\"\nlow = 1\nhigh = 5\n";
        let cases = [
            (
                "outputs = [\"nonsense\"]\nmethod = \"sobol\"\n",
                "not a measure",
            ),
            ("outputs = []\nmethod = \"sobol\"\n", "at least one"),
            (
                "outputs = [\"median_weeks_to_help\"]\nmethod = \"fast\"\n",
                "sobol or morris",
            ),
            // Upper bounds: a design no machine could run is refused before it starts.
            (
                "outputs = [\"median_weeks_to_help\"]\nmethod = \"sobol\"\nbase_samples = 1000000000\n",
                "at most 1000000 points",
            ),
            (
                "outputs = [\"median_weeks_to_help\"]\nmethod = \"morris\"\nreplicates = 4294967295\n",
                "replicates: must be at most 10000",
            ),
            (
                "outputs = [\"median_weeks_to_help\"]\nmethod = \"morris\"\nlevels = 100000\n",
                "levels: must be from 2 to 100",
            ),
            (
                "outputs = [\"median_weeks_to_help\"]\nmethod = \"morris\"\nbootstrap = 1000000000\n",
                "bootstrap: must be at most 100000",
            ),
        ];
        for (k, (head, expected)) in cases.iter().enumerate() {
            let path = write(
                dir.path(),
                &format!("{k}.toml"),
                &format!("{head}{good_parameter}"),
            );
            let error = load(&path).unwrap_err().to_string();
            assert!(error.contains(expected), "{error}");
        }
        let unknown_key = "outputs = [\"median_weeks_to_help\"]\nmethod = \"morris\"\n\
            [[parameter]]\nkey = \"no.such.key\"\nlow = 1\nhigh = 2\n";
        let path = write(dir.path(), "key.toml", unknown_key);
        assert!(matches!(load(&path), Err(SensitivityError::Scenario(_))));
        let bad_mode = "outputs = [\"median_weeks_to_help\"]\nmethod = \"morris\"\n\
            [[parameter]]\nkey = \"run.seed\"\nlow = 1\nhigh = 2\nmode = 1.5\n";
        let path = write(dir.path(), "mode.toml", bad_mode);
        assert!(
            load(&path)
                .unwrap_err()
                .to_string()
                .contains("distribution")
        );
    }

    // The worked example loads: its keys exist, its ranges are valid at both ends, its measures
    // are measures; 8 trajectories of 4 parameters make 40 points.
    #[test]
    fn shipped_example_loads() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/sensitivity/ties-and-turnover.toml");
        let spec = load(&path).unwrap();
        assert_eq!(spec.points(), 40);
        assert_eq!(spec.space.dimension(), 4);
        assert_eq!(spec.name, "ties-and-turnover");
    }
}
