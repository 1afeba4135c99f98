//! Reading a robustness file: the file as written (every value with its byte span) and the
//! validated `RobustnessSpec`.
//!
//! Every problem is reported as `file:line:column: key: what is allowed, found what`, at the place
//! it was written, before anything runs: TOML syntax and type errors and unknown keys through the
//! parser's span, settings out of range, patterns that are not 1 to 12, parameters whose scenario
//! key is unknown or whose range is empty or refused (the base scenario is loaded at each end), and
//! arms the base scenario refuses.
//!
//! `design` chooses the analysis: `"latin-hypercube"` (the default: `samples` points of the whole
//! region) or `"ends"` (one at a time: each pattern at the defaults and at the low and high end of
//! each parameter its `[[hinge]]` names, every other parameter at its default). A `[[hinge]]` is
//! checked at its place: a pattern of 1 to 12 analysed once, 1 to `MAX_HINGE_KEYS` keys, each a
//! `[[parameter]]` of the file listed once, every arm of the pattern loading at each end.

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
/// Keys one `[[hinge]]` may name.
pub const MAX_HINGE_KEYS: usize = 8;

/// How the analysis places its points in the region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Design {
    /// `samples` Latin-hypercube points of the whole region; shares and PRCCs.
    LatinHypercube,
    /// One at a time: each pattern at the defaults and at both ends of each of its hinge keys.
    Ends,
}

impl Design {
    /// The name written in the file.
    pub fn name(self) -> &'static str {
        match self {
            Design::LatinHypercube => "latin-hypercube",
            Design::Ends => "ends",
        }
    }
}

/// A `[[hinge]]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHinge {
    pattern: Spanned<i64>,
    keys: Spanned<Vec<Spanned<String>>>,
}

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
    design: Option<Spanned<String>>,
    #[serde(default)]
    parameter: Vec<Spanned<RawParameter>>,
    #[serde(default)]
    hinge: Vec<Spanned<RawHinge>>,
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
    /// Latin-hypercube or ends.
    pub design: Design,
    /// Latin-hypercube samples (unused by the ends design).
    pub samples: usize,
    /// Paired replicates per arm per sample.
    pub replicates: u32,
    pub seed: u64,
    /// The patterns analysed, in order.
    pub patterns: Vec<Pattern>,
    /// The week of the events of patterns 4 and 7.
    pub event_week: u32,
    /// The ends design: for each pattern of `patterns`, in order, the parameters it hinges on
    /// (indices into `space`, in the order written). Empty for the Latin hypercube.
    pub hinges: Vec<Vec<usize>>,
    /// Each parameter's value in the base scenario with `sets` (NaN if it has no number there).
    pub defaults: Vec<f64>,
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

    let design = match &raw.design {
        None => Design::LatinHypercube,
        Some(name) => match name.get_ref().as_str() {
            "latin-hypercube" => Design::LatinHypercube,
            "ends" => Design::Ends,
            other => {
                return Err(at.error(
                    name.span(),
                    "design",
                    format!("must be \"latin-hypercube\" or \"ends\", found {other:?}"),
                ));
            }
        },
    };
    if let (Design::Ends, Some(s)) = (design, &raw.samples) {
        return Err(at.error(
            s.span(),
            "samples",
            "the ends design draws no samples (it runs each pattern at the defaults and at the \
             ends of its [[hinge]] keys): leave samples out"
                .into(),
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
    let listed = match raw.patterns {
        None => None,
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
            Some(chosen)
        }
    };

    let space =
        read_parameters(&raw.parameter, base.as_deref(), &sets).map_err(|p| at.misplaced(p))?;
    let defaults: Vec<f64> = space
        .parameters()
        .iter()
        .map(|p| number_at(&fixed.resolved, p.key()).unwrap_or(f64::NAN))
        .collect();
    let (patterns, hinges) = match design {
        Design::LatinHypercube => {
            if let Some(first) = raw.hinge.first() {
                return Err(at.error(
                    first.span(),
                    "hinge",
                    "only the ends design reads [[hinge]]s: set design = \"ends\" or leave \
                     them out"
                        .into(),
                ));
            }
            (listed.unwrap_or(all), Vec::new())
        }
        Design::Ends => {
            let design_span = raw.design.as_ref().map_or(0..0, Spanned::span);
            let hinged = read_hinges(&at, &raw.hinge, &space, design_span.clone())?;
            let patterns = listed.unwrap_or_else(|| {
                all.iter()
                    .filter(|p| hinged.iter().any(|(n, _, _)| *n == p.number))
                    .cloned()
                    .collect()
            });
            let mut hinges = Vec::new();
            for pattern in &patterns {
                let Some((_, keys, _)) = hinged.iter().find(|(n, _, _)| *n == pattern.number)
                else {
                    return Err(at.error(
                        design_span,
                        "design",
                        format!(
                            "the ends design needs a [[hinge]] for each pattern analysed; \
                             pattern {} has none",
                            pattern.number
                        ),
                    ));
                };
                hinges.push(keys.iter().map(|(j, _)| *j).collect());
            }
            for (number, _, span) in &hinged {
                if !patterns.iter().any(|p| p.number == *number) {
                    return Err(at.error(
                        span.clone(),
                        "hinge.pattern",
                        format!("pattern {number} is not among the file's patterns"),
                    ));
                }
            }
            // Every arm loads at each end of each of its pattern's hinge keys.
            for (number, keys, _) in &hinged {
                let Some(pattern) = patterns.iter().find(|p| p.number == *number) else {
                    continue;
                };
                for (j, key_span) in keys {
                    let parameter = &space.parameters()[*j];
                    for (end, value) in [("low", parameter.low()), ("high", parameter.high())] {
                        for arm in &pattern.arms {
                            let overrides = overrides(&sets, &space, &[(*j, value)], &arm.sets);
                            if let Err(error) = scenario::load(base.as_deref(), &overrides) {
                                return Err(at.error(
                                    key_span.clone(),
                                    "hinge.keys",
                                    format!(
                                        "pattern {number} arm {:?} does not load with {} at \
                                         its {end} end: {}",
                                        arm.label,
                                        parameter.key(),
                                        one_line(&error.to_string())
                                    ),
                                ));
                            }
                        }
                    }
                }
            }
            (patterns, hinges)
        }
    };

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
        design,
        hinges,
        defaults,
    })
}

/// A checked `[[hinge]]`: its pattern, its keys (index into the space and where written) and
/// where its pattern is written.
type Hinge = (u32, Vec<(usize, Span)>, Span);
type Span = std::ops::Range<usize>;

/// The `[[hinge]]`s as written, checked: at least one, each pattern once.
fn read_hinges(
    at: &Locator<'_>,
    raw: &[Spanned<RawHinge>],
    space: &ParameterSpace,
    design_span: Span,
) -> Result<Vec<Hinge>, RobustnessError> {
    if raw.is_empty() {
        return Err(at.error(
            design_span,
            "design",
            "the ends design needs at least one [[hinge]] (pattern, keys)".into(),
        ));
    }
    let mut hinges: Vec<Hinge> = Vec::new();
    for hinge in raw {
        let hinge = hinge.get_ref();
        let n = *hinge.pattern.get_ref();
        let span = hinge.pattern.span();
        let number = match u32::try_from(n) {
            Ok(number) if (1..=12).contains(&number) => number,
            _ => {
                return Err(at.error(
                    span,
                    "hinge.pattern",
                    format!("must be a pattern number from 1 to 12, found {n}"),
                ));
            }
        };
        if hinges.iter().any(|(m, _, _)| *m == number) {
            return Err(at.error(
                span,
                "hinge.pattern",
                format!("pattern {number} has a [[hinge]] already"),
            ));
        }
        let written = hinge.keys.get_ref();
        if written.is_empty() || written.len() > MAX_HINGE_KEYS {
            return Err(at.error(
                hinge.keys.span(),
                "hinge.keys",
                format!(
                    "must list from 1 to {MAX_HINGE_KEYS} keys, found {}",
                    written.len()
                ),
            ));
        }
        let mut keys: Vec<(usize, Span)> = Vec::new();
        for key in written {
            let Some(j) = space
                .parameters()
                .iter()
                .position(|p| p.key() == key.get_ref())
            else {
                return Err(at.error(
                    key.span(),
                    "hinge.keys",
                    format!(
                        "{} is not a [[parameter]] of this file (its range gives the ends)",
                        key.get_ref()
                    ),
                ));
            };
            if keys.iter().any(|(k, _)| *k == j) {
                return Err(at.error(
                    key.span(),
                    "hinge.keys",
                    format!("{} listed twice", key.get_ref()),
                ));
            }
            keys.push((j, key.span()));
        }
        hinges.push((number, keys, span));
    }
    Ok(hinges)
}

/// The number at the dotted `key` (`section.name`, an array's entries by index) of a resolved
/// scenario table.
fn number_at(table: &toml::Table, key: &str) -> Option<f64> {
    let mut parts = key.split('.');
    let mut value = table.get(parts.next()?)?;
    for part in parts {
        value = match value {
            toml::Value::Table(t) => t.get(part)?,
            toml::Value::Array(items) => items.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    match value {
        toml::Value::Float(x) => Some(*x),
        toml::Value::Integer(i) => Some(*i as f64),
        _ => None,
    }
}

/// The overrides of one arm at one point: the fixed ones, the parameters' values, then the arm's
/// own (so an arm's override wins over a parameter of the same key).
pub fn arm_sets(
    fixed: &[String],
    space: &ParameterSpace,
    point: &[f64],
    arm: &[String],
) -> Vec<String> {
    let varied: Vec<(usize, f64)> = point.iter().copied().enumerate().collect();
    overrides(fixed, space, &varied, arm)
}

/// The overrides of one arm with some parameters set (`(index into space, value)`; the others
/// left at the base's values): the fixed ones, those parameters, then the arm's own.
pub fn overrides(
    fixed: &[String],
    space: &ParameterSpace,
    varied: &[(usize, f64)],
    arm: &[String],
) -> Vec<String> {
    let varied = varied
        .iter()
        .map(|&(j, value)| format!("{}={value}", space.parameters()[j].key()));
    fixed
        .iter()
        .cloned()
        .chain(varied)
        .chain(arm.iter().cloned())
        .collect()
}
