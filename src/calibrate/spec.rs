//! Reading a calibration file: the file as written (`RawCalibration`, every value with its byte
//! span) and the validated `CalibrationSpec` built from it once parsing has finished.
//!
//! Every problem is reported as `file:line:column: key: what is allowed, found what`, at the place
//! the offending key or value was written: TOML syntax and type errors through the parser's span,
//! settings the engine refuses, parameters whose scenario key is unknown or whose range the
//! scenario refuses (the base scenario is loaded at each parameter's low and high ends), and
//! targets that are not measures. Nothing runs until the whole file is valid.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::CalibrationError;
use crate::abc::{AbcConfig, Target};
use crate::gsa::{Distribution, Parameter, ParameterSpace};
use crate::posterior::checksum;
use crate::scenario;
use crate::sensitivity::ScenarioModel;

/// Defaults of the settings a file may leave out.
pub const DEFAULT_SEED: u64 = 1;
pub const DEFAULT_REPLICATES: u64 = 1;
pub const DEFAULT_PARTICLES: usize = 100;
pub const DEFAULT_GENERATIONS: usize = 5;
pub const DEFAULT_QUANTILE: f64 = 0.5;
pub const DEFAULT_MIN_ACCEPTANCE_RATE: f64 = 0.02;
pub const DEFAULT_MAX_ATTEMPTS: u64 = 1000;

/// Upper bounds on a calibration's size, so that no file can ask for more than a machine holds:
/// particles kept per generation, generations, and proposals per particle.
const MAX_PARTICLES: usize = 100_000;
const MAX_GENERATIONS: usize = 1_000;
const MAX_ATTEMPTS: u64 = 100_000_000;

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalibration {
    description: Option<String>,
    base: Option<Spanned<PathBuf>>,
    sets: Option<Spanned<Vec<Spanned<String>>>>,
    seed: Option<Spanned<u64>>,
    replicates: Option<Spanned<u64>>,
    particles: Option<Spanned<usize>>,
    generations: Option<Spanned<usize>>,
    quantile: Option<Spanned<f64>>,
    min_tolerance: Option<Spanned<f64>>,
    min_acceptance_rate: Option<Spanned<f64>>,
    max_attempts: Option<Spanned<u64>>,
    #[serde(default)]
    parameter: Vec<Spanned<RawParameter>>,
    #[serde(default)]
    target: Vec<Spanned<RawTarget>>,
}

/// A `[[parameter]]` as written (shared with `robustness`'s file).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawParameter {
    key: Spanned<String>,
    low: Spanned<f64>,
    high: Spanned<f64>,
    distribution: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    measure: Spanned<String>,
    value: Spanned<f64>,
    scale: Spanned<f64>,
    source: Option<String>,
}

/// One target as the file gives it: the engine's `Target` and where its number comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationTarget {
    pub target: Target,
    pub source: String,
}

/// A validated calibration file.
#[derive(Debug, Clone)]
pub struct CalibrationSpec {
    /// The file's stem: the default output directory's name.
    pub name: String,
    pub path: PathBuf,
    /// A checksum of the file's text and of the resolved base scenario: the identity that
    /// `--resume` checks a journal against.
    pub hash: String,
    pub description: Option<String>,
    /// The base scenario as written in the file (`None`: the built-in baseline).
    pub base_as_written: Option<PathBuf>,
    /// The base scenario's simulation, the targets' measures as outputs.
    pub model: ScenarioModel,
    /// The fixed overrides, applied before the calibrated parameters.
    pub sets: Vec<String>,
    /// The priors.
    pub space: ParameterSpace,
    pub targets: Vec<CalibrationTarget>,
    /// Runs averaged per particle (the same seeds for every particle).
    pub replicates: u64,
    /// Particles, generations, schedule, stops and the seed.
    pub config: AbcConfig,
}

/// A place in the file: 1-based line and column of a byte offset.
pub(crate) fn line_column(text: &str, byte: usize) -> (usize, usize) {
    let before = &text[..byte.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(0, |last| last.chars().count())
        + 1;
    (line, column)
}

/// Builds errors at places of one file.
struct Locator<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Locator<'_> {
    fn misplaced(&self, problem: Misplaced) -> CalibrationError {
        self.error(problem.span, &problem.key, problem.reason)
    }

    fn error(&self, span: std::ops::Range<usize>, key: &str, reason: String) -> CalibrationError {
        let (line, column) = line_column(self.text, span.start);
        CalibrationError::Spec {
            path: self.path.to_path_buf(),
            line,
            column,
            key: key.to_string(),
            reason,
        }
    }
}

/// Reads and checks a calibration file.
pub fn load(path: &Path) -> Result<CalibrationSpec, CalibrationError> {
    let text = std::fs::read_to_string(path).map_err(|source| CalibrationError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(path, &text)
}

/// Checks the text of a calibration file read from `path` (relative base paths are resolved
/// against `path`'s directory).
pub fn parse(path: &Path, text: &str) -> Result<CalibrationSpec, CalibrationError> {
    let at = Locator { path, text };
    let raw: RawCalibration = toml::from_str(text).map_err(|error| {
        let span = error.span().unwrap_or(0..0);
        let message = error.message().trim_end().to_string();
        let (line, column) = line_column(text, span.start);
        CalibrationError::Spec {
            path: path.to_path_buf(),
            line,
            column,
            key: key_at(text, span.start),
            reason: message,
        }
    })?;

    // The base scenario and the fixed overrides, before anything is varied.
    let base_as_written = raw.base.as_ref().map(|base| base.get_ref().clone());
    let BaseAndSets {
        base,
        sets,
        scenario,
        ..
    } = base_and_sets(path, raw.base.as_ref(), raw.sets).map_err(|p| at.misplaced(p))?;
    // What `--resume` checks a journal against: the file's text and the base it resolves to.
    let hash = checksum(
        format!(
            "{text}\n{}",
            serde_json::to_value(&scenario.resolved).unwrap_or(serde_json::Value::Null)
        )
        .as_bytes(),
    );

    // Settings.
    let seed = raw.seed.map_or(DEFAULT_SEED, Spanned::into_inner);
    let replicates = match raw.replicates {
        Some(replicates)
            if *replicates.get_ref() == 0
                || *replicates.get_ref() > crate::scenario::limits::REPLICATES =>
        {
            return Err(at.error(
                replicates.span(),
                "replicates",
                format!(
                    "must be from 1 to {}, found {}",
                    crate::scenario::limits::REPLICATES,
                    replicates.get_ref()
                ),
            ));
        }
        Some(replicates) => replicates.into_inner(),
        None => DEFAULT_REPLICATES,
    };
    let config = AbcConfig {
        particles: setting(&at, raw.particles, "particles", DEFAULT_PARTICLES, |&n| {
            (2..=MAX_PARTICLES)
                .contains(&n)
                .then_some(())
                .ok_or("must be from 2 to 100000")
        })?,
        max_generations: setting(
            &at,
            raw.generations,
            "generations",
            DEFAULT_GENERATIONS,
            |&n| {
                (1..=MAX_GENERATIONS)
                    .contains(&n)
                    .then_some(())
                    .ok_or("must be from 1 to 1000")
            },
        )?,
        quantile: setting(&at, raw.quantile, "quantile", DEFAULT_QUANTILE, |&q| {
            (q > 0.0 && q < 1.0)
                .then_some(())
                .ok_or("must lie strictly between 0 and 1")
        })?,
        min_tolerance: setting(&at, raw.min_tolerance, "min_tolerance", 0.0, |&t| {
            (t >= 0.0 && t.is_finite())
                .then_some(())
                .ok_or("must be a number at least 0")
        })?,
        min_acceptance_rate: setting(
            &at,
            raw.min_acceptance_rate,
            "min_acceptance_rate",
            DEFAULT_MIN_ACCEPTANCE_RATE,
            |&r| {
                (0.0..=1.0)
                    .contains(&r)
                    .then_some(())
                    .ok_or("must lie in [0, 1]")
            },
        )?,
        max_attempts: setting(
            &at,
            raw.max_attempts,
            "max_attempts",
            DEFAULT_MAX_ATTEMPTS,
            |&n| {
                (1..=MAX_ATTEMPTS)
                    .contains(&n)
                    .then_some(())
                    .ok_or("must be from 1 to 100000000")
            },
        )?,
        seed,
    };

    // Priors: each key must be a scenario key taking every value of its range.
    let space =
        read_parameters(&raw.parameter, base.as_deref(), &sets).map_err(|p| at.misplaced(p))?;

    // Targets: measures of a run, each once, with a finite value and a positive scale.
    if raw.target.is_empty() {
        return Err(at.error(
            0..0,
            "target",
            "list at least one [[target]] (measure, value, scale, source)".into(),
        ));
    }
    let mut targets: Vec<CalibrationTarget> = Vec::with_capacity(raw.target.len());
    for spanned in &raw.target {
        let t = spanned.get_ref();
        let measure = t.measure.get_ref();
        let key = format!("target {measure}");
        if targets.iter().any(|other| other.target.output == *measure) {
            return Err(at.error(t.measure.span(), &key, "listed twice".into()));
        }
        if !t.value.get_ref().is_finite() {
            return Err(at.error(
                t.value.span(),
                &format!("{key}: value"),
                format!("must be a finite number, found {}", t.value.get_ref()),
            ));
        }
        let scale = *t.scale.get_ref();
        if !(scale.is_finite() && scale > 0.0) {
            return Err(at.error(
                t.scale.span(),
                &format!("{key}: scale"),
                format!("must be a positive number, found {scale}"),
            ));
        }
        targets.push(CalibrationTarget {
            target: Target {
                output: measure.clone(),
                value: *t.value.get_ref(),
                scale,
            },
            source: t.source.clone().unwrap_or_default(),
        });
    }
    let keys = space
        .parameters()
        .iter()
        .map(|p| p.key().to_string())
        .collect();
    let outputs: Vec<String> = targets.iter().map(|t| t.target.output.clone()).collect();
    let model = ScenarioModel::new(base, sets.clone(), keys, outputs).map_err(|reason| {
        let first_bad = raw
            .target
            .iter()
            .map(|t| &t.get_ref().measure)
            .find(|measure| reason.starts_with(&format!("{} ", measure.get_ref())));
        match first_bad {
            Some(measure) => at.error(
                measure.span(),
                &format!("target {}: measure", measure.get_ref()),
                reason,
            ),
            None => at.error(0..0, "target", reason),
        }
    })?;

    let name = path
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_else(|| "calibration".into());
    Ok(CalibrationSpec {
        name,
        path: path.to_path_buf(),
        hash,
        description: raw.description,
        base_as_written,
        model,
        sets,
        space,
        targets,
        replicates,
        config,
    })
}

/// A setting's value (or `default` when absent), checked by `check`.
fn setting<T: Copy + std::fmt::Display>(
    at: &Locator<'_>,
    value: Option<Spanned<T>>,
    key: &str,
    default: T,
    check: impl Fn(&T) -> Result<(), &'static str>,
) -> Result<T, CalibrationError> {
    match value {
        None => Ok(default),
        Some(value) => match check(value.get_ref()) {
            Ok(()) => Ok(*value.get_ref()),
            Err(allowed) => Err(at.error(
                value.span(),
                key,
                format!("{allowed}, found {}", value.get_ref()),
            )),
        },
    }
}

/// A problem at a place in a file, for the caller to locate: the byte span, the key, what is
/// wrong.
#[derive(Debug)]
pub(crate) struct Misplaced {
    pub span: std::ops::Range<usize>,
    pub key: String,
    pub reason: String,
}

/// A file's base scenario (resolved against the file's directory) and fixed overrides.
pub(crate) struct BaseAndSets {
    pub base: Option<PathBuf>,
    pub sets: Vec<String>,
    /// Where `sets` is written (the start of the file when it is not).
    pub sets_span: std::ops::Range<usize>,
    /// The base with the overrides, loaded.
    pub scenario: scenario::Scenario,
}

/// Reads `base` and `sets` as written in the file at `path` and checks that the base loads alone
/// and with the overrides.
pub(crate) fn base_and_sets(
    path: &Path,
    base_as_written: Option<&Spanned<PathBuf>>,
    sets: Option<Spanned<Vec<Spanned<String>>>>,
) -> Result<BaseAndSets, Misplaced> {
    let base =
        base_as_written.map(|base| path.parent().unwrap_or(Path::new(".")).join(base.get_ref()));
    let (sets, sets_span) = match sets {
        Some(sets) => {
            let span = sets.span();
            let values: Vec<String> = sets
                .into_inner()
                .into_iter()
                .map(Spanned::into_inner)
                .collect();
            (values, span)
        }
        None => (Vec::new(), 0..0),
    };
    let refused = |span, key: &str, error: scenario::ScenarioError| Misplaced {
        span,
        key: key.to_string(),
        reason: format!(
            "the base scenario does not load: {}",
            one_line(&error.to_string())
        ),
    };
    if let Err(error) = scenario::load(base.as_deref(), &[]) {
        let span = base_as_written.map_or(0..0, Spanned::span);
        return Err(refused(span, "base", error));
    }
    let scenario = scenario::load(base.as_deref(), &sets)
        .map_err(|error| refused(sets_span.clone(), "sets", error))?;
    Ok(BaseAndSets {
        base,
        sets,
        sets_span,
        scenario,
    })
}

/// The `[[parameter]]`s of a file: each key a scenario key taking every value of its range (the
/// base with `sets` is loaded at each end), each listed once, uniform or log-uniform.
pub(crate) fn read_parameters(
    raw: &[Spanned<RawParameter>],
    base: Option<&Path>,
    sets: &[String],
) -> Result<ParameterSpace, Misplaced> {
    let at = |span, key: String, reason| Misplaced { span, key, reason };
    if raw.is_empty() {
        return Err(at(
            0..0,
            "parameter".into(),
            "list at least one [[parameter]] (key, low, high, distribution)".into(),
        ));
    }
    let mut parameters = Vec::with_capacity(raw.len());
    for spanned in raw {
        let p = spanned.get_ref();
        let key = p.key.get_ref();
        let distribution = match p.distribution.as_ref() {
            None => Distribution::Uniform,
            Some(name) => match name.get_ref().as_str() {
                "uniform" => Distribution::Uniform,
                "log-uniform" => Distribution::LogUniform,
                other => {
                    return Err(at(
                        name.span(),
                        format!("parameter {key}: distribution"),
                        format!("must be uniform or log-uniform, found {other}"),
                    ));
                }
            },
        };
        if parameters.iter().any(|q: &Parameter| q.key() == key) {
            return Err(at(
                p.key.span(),
                format!("parameter {key}"),
                "listed twice".into(),
            ));
        }
        let parameter = Parameter::new(
            key.clone(),
            *p.low.get_ref(),
            *p.high.get_ref(),
            distribution,
        )
        .map_err(|error| {
            at(
                p.low.span(),
                format!("parameter {key}"),
                strip_prefix(&error.to_string(), key),
            )
        })?;
        for end in [parameter.low(), parameter.high()] {
            let mut overrides = sets.to_vec();
            overrides.push(format!("{key}={end}"));
            if let Err(error) = scenario::load(base, &overrides) {
                return Err(at(
                    p.key.span(),
                    format!("parameter {key}"),
                    format!(
                        "the base scenario refuses {key} = {end}: {}",
                        one_line(&error.to_string())
                    ),
                ));
            }
        }
        parameters.push(parameter);
    }
    ParameterSpace::new(parameters).map_err(|error| at(0..0, "parameter".into(), error.to_string()))
}

/// The key written on the line of `byte`, for parser errors (`key = value` or `[table]`).
pub(crate) fn key_at(text: &str, byte: usize) -> String {
    let start = text[..byte.min(text.len())]
        .rfind('\n')
        .map_or(0, |n| n + 1);
    let line = text[start..].lines().next().unwrap_or("").trim();
    let key = match line.split_once('=') {
        Some((key, _)) => key.trim(),
        None => line.trim_matches(|c| c == '[' || c == ']'),
    };
    if key.is_empty() {
        "file".into()
    } else {
        key.to_string()
    }
}

/// A multi-line scenario error on one line.
pub(crate) fn one_line(text: &str) -> String {
    text.lines().collect::<Vec<_>>().join("; ")
}

/// The engine's "parameter KEY: reason" without its prefix (the location names the key).
pub(crate) fn strip_prefix(text: &str, key: &str) -> String {
    text.strip_prefix(&format!("parameter {key}: "))
        .unwrap_or(text)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
seed = 3
replicates = 2
particles = 10
generations = 2
sets = ["run.horizon_weeks=104", "run.warmup_weeks=52"]

[[parameter]]
key = "demand.onset_per_1000_year"
low = 30
high = 70

[[parameter]]
key = "assessment.screening_noise"
low = 0.02
high = 0.2
distribution = "log-uniform"

[[target]]
measure = "referrals_per_10k"
value = 150
scale = 15
source = "DfE Children in need 2025"
"#;

    fn parse_text(text: &str) -> Result<CalibrationSpec, CalibrationError> {
        parse(Path::new("dir/cal.toml"), text)
    }

    /// The error text, with the file, line and key it must name.
    fn refused(text: &str) -> String {
        parse_text(text).unwrap_err().to_string()
    }

    #[test]
    fn a_good_file_is_read_with_its_defaults() {
        let spec = parse_text(GOOD).unwrap();
        assert_eq!(spec.name, "cal");
        assert_eq!(spec.replicates, 2);
        assert_eq!(spec.config.particles, 10);
        assert_eq!(spec.config.max_generations, 2);
        assert_eq!(spec.config.seed, 3);
        assert_eq!(spec.config.quantile, DEFAULT_QUANTILE);
        assert_eq!(spec.config.max_attempts, DEFAULT_MAX_ATTEMPTS);
        assert_eq!(spec.space.dimension(), 2);
        assert_eq!(
            spec.space.parameters()[1].distribution(),
            Distribution::LogUniform
        );
        assert_eq!(spec.targets.len(), 1);
        assert_eq!(spec.targets[0].target.value, 150.0);
        assert_eq!(spec.targets[0].source, "DfE Children in need 2025");
        assert_eq!(spec.base_as_written, None);
    }

    #[test]
    fn places_are_lines_and_columns() {
        assert_eq!(line_column("a\nbc = 1\n", 2), (2, 1));
        assert_eq!(line_column("a\nbc = 1\n", 7), (2, 6));
        assert_eq!(key_at("x = 1\n  low = \"a\"\n", 14), "low");
        assert_eq!(key_at("[[target]]\n", 3), "target");
    }

    // Each bad input is refused at the line of the offending key, naming it.
    #[test]
    fn bad_files_name_file_line_and_key() {
        let cases: Vec<(String, &str, &str)> = vec![
            (
                GOOD.replace("particles = 10", "particles = 1"),
                ":4:13: particles",
                "from 2 to 100000",
            ),
            (
                GOOD.replace("particles = 10", "particles = 4294967295"),
                ":4:13: particles",
                "from 2 to 100000",
            ),
            (
                GOOD.replace("generations = 2", "generations = 1000000"),
                ": generations",
                "from 1 to 1000",
            ),
            (GOOD.replace("seed = 3", "seed = -3"), ":2:", "seed"),
            (
                GOOD.replace("generations = 2", "generations = 2\nquantile = 1.5"),
                ":6:12: quantile",
                "strictly between",
            ),
            (
                GOOD.replace("generations = 2", "generations = 2\nparticle = 5"),
                ":6:",
                "unknown field",
            ),
            (
                GOOD.replace("low = 30", "low = 80"),
                ":10:7: parameter demand.onset_per_1000_year",
                "below high",
            ),
            (
                GOOD.replace("demand.onset_per_1000_year", "demand.no_such_key"),
                ":9:7: parameter demand.no_such_key",
                "refuses",
            ),
            (
                GOOD.replace("\"log-uniform\"", "\"normal\""),
                ":17:16: parameter assessment.screening_noise: distribution",
                "uniform or log-uniform",
            ),
            (
                GOOD.replace("\"referrals_per_10k\"", "\"referrals\""),
                ":20:11: target referrals: measure",
                "not a measure",
            ),
            (
                GOOD.replace("scale = 15", "scale = 0"),
                ":22:9: target referrals_per_10k: scale",
                "positive",
            ),
            (
                GOOD.replace("run.horizon_weeks=104", "run.nonsense=1"),
                ":6:8: sets",
                "does not load",
            ),
            (
                GOOD.replace("seed = 3", "seed = 3\nbase = \"missing.toml\""),
                ":3:8: base",
                "does not load",
            ),
            (
                GOOD.replace("replicates = 2", "replicates = 0"),
                ":3:14: replicates",
                "from 1 to 10000, found 0",
            ),
        ];
        let mut wrong = Vec::new();
        for (text, place, reason) in cases {
            let error = refused(&text);
            if !(error.starts_with("dir/cal.toml:")
                && error.contains(place)
                && error.contains(reason))
            {
                wrong.push(format!("expected {place} ... {reason}, found {error}"));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        let no_targets = GOOD[..GOOD.find("[[target]]").unwrap()].to_string();
        assert!(refused(&no_targets).contains("target: list at least one"));
        let parameters = GOOD.find("[[parameter]]").unwrap()..GOOD.find("[[target]]").unwrap();
        let mut no_parameters = GOOD.to_string();
        no_parameters.replace_range(parameters, "");
        assert!(refused(&no_parameters).contains(":1:1: parameter: list at least one"));
    }

    // The worked example loads: its keys exist, its ranges are valid at both ends, its targets
    // are measures.
    #[test]
    fn shipped_example_loads() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/calibrate/baseline-referrals.toml");
        let spec = load(&path).unwrap();
        assert_eq!(spec.name, "baseline-referrals");
        assert_eq!(spec.space.dimension(), 3);
        assert_eq!(spec.targets.len(), 3);
        assert_eq!(spec.replicates, 3);
        assert_eq!(spec.config.particles, 80);
    }
}
