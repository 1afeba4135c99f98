//! Reading a robustness file: the file as written (every value with its byte span) and the
//! validated `RobustnessSpec`.
//!
//! Every problem is reported as `file:line:column: key: what is allowed, found what`, at the place
//! it was written, before anything runs: TOML syntax and type errors and unknown keys through the
//! parser's span, settings out of range, patterns that are not 1 to 12, parameters whose scenario
//! key is unknown or whose range is empty or refused (the base scenario is loaded at each end), and
//! arms the base scenario refuses.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::RobustnessError;
use super::patterns::{Pattern, catalogue};
use crate::calibrate::spec::{
    BaseAndSets, Misplaced, RawParameter, base_and_sets, key_at, line_column, one_line,
    read_parameters,
};
use crate::gsa::ParameterSpace;
use crate::scenario;

/// Defaults of the settings a file may leave out.
pub const DEFAULT_SAMPLES: usize = 32;
pub const DEFAULT_REPLICATES: u32 = 10;
pub const DEFAULT_SEED: u64 = 1;
/// Events of patterns 4 and 7 happen this many weeks after the warm-up.
pub const EVENT_WEEKS_AFTER_WARMUP: u32 = 26;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRobustness {
    description: Option<String>,
    base: Option<Spanned<PathBuf>>,
    sets: Option<Spanned<Vec<Spanned<String>>>>,
    samples: Option<Spanned<usize>>,
    replicates: Option<Spanned<u32>>,
    seed: Option<Spanned<u64>>,
    patterns: Option<Spanned<Vec<Spanned<i64>>>>,
    #[serde(default)]
    parameter: Vec<Spanned<RawParameter>>,
}

/// A validated robustness file.
#[derive(Debug, Clone)]
pub struct RobustnessSpec {
    /// The file's stem: the default output directory's name.
    pub name: String,
    pub path: PathBuf,
    pub description: Option<String>,
    /// The base scenario (`None`: the built-in baseline), resolved against the file's directory.
    pub base: Option<PathBuf>,
    /// Fixed overrides, applied first.
    pub sets: Vec<String>,
    /// The plausible region.
    pub space: ParameterSpace,
    /// Latin-hypercube samples.
    pub samples: usize,
    /// Paired replicates per arm per sample.
    pub replicates: u32,
    pub seed: u64,
    /// The patterns analysed, in order.
    pub patterns: Vec<Pattern>,
    /// The week of the events of patterns 4 and 7.
    pub event_week: u32,
}

struct Locator<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Locator<'_> {
    fn misplaced(&self, problem: Misplaced) -> RobustnessError {
        self.error(problem.span, &problem.key, problem.reason)
    }

    fn error(&self, span: std::ops::Range<usize>, key: &str, reason: String) -> RobustnessError {
        let (line, column) = line_column(self.text, span.start);
        RobustnessError::Spec {
            path: self.path.to_path_buf(),
            line,
            column,
            key: key.to_string(),
            reason,
        }
    }
}

/// Reads and checks a robustness file.
pub fn load(path: &Path) -> Result<RobustnessSpec, RobustnessError> {
    let text = std::fs::read_to_string(path).map_err(|source| RobustnessError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(path, &text)
}

/// Checks the text of a robustness file read from `path` (a relative base is resolved against
/// `path`'s directory).
pub fn parse(path: &Path, text: &str) -> Result<RobustnessSpec, RobustnessError> {
    let at = Locator { path, text };
    let raw: RawRobustness = toml::from_str(text).map_err(|error| {
        let span = error.span().unwrap_or(0..0);
        at.error(
            span.clone(),
            &key_at(text, span.start),
            error.message().trim_end().to_string(),
        )
    })?;

    let BaseAndSets {
        base,
        sets,
        sets_span,
        scenario: fixed,
    } = base_and_sets(path, raw.base.as_ref(), raw.sets).map_err(|p| at.misplaced(p))?;
    let event_week = fixed.params.warmup_weeks + EVENT_WEEKS_AFTER_WARMUP;
    if event_week >= fixed.params.horizon_weeks {
        return Err(at.error(
            sets_span.clone(),
            "sets",
            format!(
                "patterns 4 and 7 need an event {EVENT_WEEKS_AFTER_WARMUP} weeks after the \
                 warm-up, week {event_week}, inside the horizon of {} weeks",
                fixed.params.horizon_weeks
            ),
        ));
    }

    let samples = match raw.samples {
        Some(s)
            if *s.get_ref() < 2 || *s.get_ref() as u64 > crate::scenario::limits::SWEEP_POINTS =>
        {
            return Err(at.error(
                s.span(),
                "samples",
                format!(
                    "must be from 2 to {}, found {}",
                    crate::scenario::limits::SWEEP_POINTS,
                    s.get_ref()
                ),
            ));
        }
        Some(s) => s.into_inner(),
        None => DEFAULT_SAMPLES,
    };
    let replicates = match raw.replicates {
        Some(r)
            if *r.get_ref() < 2
                || u64::from(*r.get_ref()) > crate::scenario::limits::REPLICATES =>
        {
            return Err(at.error(
                r.span(),
                "replicates",
                format!(
                    "must be from 2 (a paired interval needs two) to {}, found {}",
                    crate::scenario::limits::REPLICATES,
                    r.get_ref()
                ),
            ));
        }
        Some(r) => r.into_inner(),
        None => DEFAULT_REPLICATES,
    };
    let seed = raw.seed.map_or(DEFAULT_SEED, Spanned::into_inner);

    let all = catalogue(event_week);
    let patterns = match raw.patterns {
        None => all,
        Some(list) => {
            let span = list.span();
            let mut chosen: Vec<Pattern> = Vec::new();
            for number in list.into_inner() {
                let n = *number.get_ref();
                let Some(pattern) = all.iter().find(|p| i64::from(p.number) == n) else {
                    return Err(at.error(
                        number.span(),
                        "patterns",
                        format!("must be pattern numbers from 1 to 12, found {n}"),
                    ));
                };
                if chosen.iter().any(|p| p.number == pattern.number) {
                    return Err(at.error(
                        number.span(),
                        "patterns",
                        format!("pattern {n} listed twice"),
                    ));
                }
                chosen.push(pattern.clone());
            }
            if chosen.is_empty() {
                return Err(at.error(span, "patterns", "list at least one pattern".into()));
            }
            chosen.sort_by_key(|p| p.number);
            chosen
        }
    };

    let space =
        read_parameters(&raw.parameter, base.as_deref(), &sets).map_err(|p| at.misplaced(p))?;

    // Every arm at the corners of the region (all parameters low, all high) loads.
    for corner in [0.0, 1.0] {
        let point = space.from_unit(&vec![corner; space.dimension()]);
        for pattern in &patterns {
            for arm in &pattern.arms {
                let overrides = arm_sets(&sets, &space, &point, &arm.sets);
                if let Err(error) = scenario::load(base.as_deref(), &overrides) {
                    return Err(at.error(
                        sets_span.clone(),
                        "sets",
                        format!(
                            "pattern {} arm {:?} does not load with every parameter at its {} \
                             end: {}",
                            pattern.number,
                            arm.label,
                            if corner == 0.0 { "low" } else { "high" },
                            one_line(&error.to_string())
                        ),
                    ));
                }
            }
        }
    }

    let name = path
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_else(|| "robustness".into());
    Ok(RobustnessSpec {
        name,
        path: path.to_path_buf(),
        description: raw.description,
        base,
        sets,
        space,
        samples,
        replicates,
        seed,
        patterns,
        event_week,
    })
}

/// The overrides of one arm at one point: the fixed ones, the parameters' values, then the arm's
/// own (so an arm's override wins over a parameter of the same key).
pub fn arm_sets(
    fixed: &[String],
    space: &ParameterSpace,
    point: &[f64],
    arm: &[String],
) -> Vec<String> {
    let varied = space
        .parameters()
        .iter()
        .zip(point)
        .map(|(p, value)| format!("{}={value}", p.key()));
    fixed
        .iter()
        .cloned()
        .chain(varied)
        .chain(arm.iter().cloned())
        .collect()
}
