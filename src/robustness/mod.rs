//! `patchwork robustness [FILE]`: do the twelve patterns of docs/model.md hold across the
//! plausible region of the assumption parameters, and which parameters decide them?
//!
//! The file (`spec`) names the assumption parameters, each with its plausible range, the number of
//! Latin-hypercube samples, paired replicates per arm and the seed. Each sample is a point of the
//! region; at each sample every arm of every pattern (`patterns::catalogue`, the arms
//! `tests/it/patterns.rs` runs) is run `replicates` times, replicate `r` of every arm from the
//! same seed `replicate_seed(seed, r)` (common random numbers), and each pattern's effect is
//! computed replicate by replicate, with its paired 95% interval (90% for the equivalence of
//! pattern 9). A pattern holds at a sample when the interval lies on the expected side (inside the
//! margin for pattern 9). Arms that make the same scenario (the plain team appears in several
//! patterns) are run once per sample.
//!
//! Per pattern the analysis reports the share of samples where it holds, with a Wilson 95%
//! interval, and the partial rank correlation coefficient of its effect with each parameter
//! (`prcc`), with a t test. Samples × arms run with `par_iter` and are collected in order, and
//! everything after is sequential, so the files are the same bytes on any thread count. `files`
//! renders `samples.csv`, `effects.csv`, `robustness.csv`, `prcc.csv` and `report.html`, written
//! together through `OutputDir`.

pub mod ends;
pub mod files;
pub mod patterns;
pub mod prcc;
pub mod spec;

use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

pub use ends::{End, EndCell};
pub use patterns::{Direction, Effect, Pattern, Reading, catalogue};
pub use prcc::Prcc;
pub use spec::{Design, RobustnessSpec, load};

use crate::batch::sweep::design::lhs_positions;
use crate::metrics::km::SurvivalCurve;
use crate::metrics::stats::student_t_975;
use crate::metrics::{Measures, measures};
use crate::model::{Params, RunOutput, rng, simulate};
use crate::output::{OutputDir, RenderedFile, ReportError};
use crate::scenario;

/// Something stopped a robustness analysis.
#[derive(Debug, thiserror::Error)]
pub enum RobustnessError {
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A bad value in the file, at `line` and `column` (1-based).
    #[error("{}:{line}:{column}: {key}: {reason}", path.display())]
    Spec {
        path: PathBuf,
        line: usize,
        column: usize,
        key: String,
        reason: String,
    },

    /// An arm the scenario refuses at one sample.
    #[error("sample {sample}, arm {arm:?}: {reason}")]
    Arm {
        sample: usize,
        arm: String,
        reason: String,
    },

    #[error(transparent)]
    Output(#[from] ReportError),
}

/// The arms to run: the patterns' arms with those that make the same scenario merged.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Each distinct arm: a label and its overrides.
    pub arms: Vec<patterns::Arm>,
    /// For each pattern of the spec, each of its arms' index into `arms`.
    pub pattern_arms: Vec<Vec<usize>>,
    /// What every replicate of every arm yields.
    pub readings: Vec<Reading>,
    /// The Latin-hypercube samples: each one's parameter values, rounded to six decimals (the
    /// precision of the files, so the value written is the value run). Empty for the ends design.
    pub points: Vec<Vec<f64>>,
    /// Where arms run: each site the parameters it sets (index into the space, value), the others
    /// at the base's values. The Latin hypercube's sites are its samples, every parameter set;
    /// the ends design's are the defaults (site 0, nothing set) and each hinge key at each end.
    pub sites: Vec<Vec<(usize, f64)>>,
    /// The arms run at each site, `(site, arm)`, site by site.
    pub jobs: Vec<(usize, usize)>,
    /// The ends design's cells: each pattern at the defaults and at each end of each of its
    /// hinge keys. Empty for the Latin hypercube.
    pub ends: Vec<EndCell>,
}

impl Plan {
    /// Merges arms whose scenarios are equal at the base, at the region's corners and at its
    /// middle, and draws the samples.
    pub fn new(spec: &RobustnessSpec) -> Result<Plan, RobustnessError> {
        let probes: Vec<Vec<f64>> = [0.0, 0.5, 1.0]
            .iter()
            .map(|&u| spec.space.from_unit(&vec![u; spec.space.dimension()]))
            .collect();
        let mut arms: Vec<patterns::Arm> = Vec::new();
        let mut signatures: Vec<Vec<Params>> = Vec::new();
        let mut pattern_arms = Vec::new();
        for pattern in &spec.patterns {
            let mut indices = Vec::new();
            for arm in &pattern.arms {
                let signature = probes
                    .iter()
                    .map(|point| {
                        let sets = spec::arm_sets(&spec.sets, &spec.space, point, &arm.sets);
                        scenario::load(spec.base.as_deref(), &sets)
                            .map(|s| s.params)
                            .map_err(|error| RobustnessError::Arm {
                                sample: 0,
                                arm: arm.label.to_string(),
                                reason: error.to_string(),
                            })
                    })
                    .collect::<Result<Vec<Params>, _>>()?;
                let index = match signatures.iter().position(|s| *s == signature) {
                    Some(index) => index,
                    None => {
                        arms.push(arm.clone());
                        signatures.push(signature);
                        arms.len() - 1
                    }
                };
                indices.push(index);
            }
            pattern_arms.push(indices);
        }
        let mut readings: Vec<Reading> = Vec::new();
        for pattern in &spec.patterns {
            let mut needed = vec![pattern.reading.clone()];
            if matches!(pattern.effect, Effect::DiminishingReturns { .. }) {
                needed.push(Reading::MeetingsAYear);
            }
            for reading in needed {
                if !readings.contains(&reading) {
                    readings.push(reading);
                }
            }
        }
        let (points, sites, jobs, ends) = match spec.design {
            Design::LatinHypercube => {
                let points = latin_hypercube(spec);
                let sites = points
                    .iter()
                    .map(|point| point.iter().copied().enumerate().collect())
                    .collect();
                let jobs = (0..points.len())
                    .flat_map(|s| (0..arms.len()).map(move |a| (s, a)))
                    .collect();
                (points, sites, jobs, Vec::new())
            }
            Design::Ends => {
                let (sites, ends) = ends::cells(spec);
                let jobs = ends::jobs(&ends, &pattern_arms);
                (Vec::new(), sites, jobs, ends)
            }
        };
        Ok(Plan {
            arms,
            pattern_arms,
            readings,
            points,
            sites,
            jobs,
            ends,
        })
    }

    /// Simulations the analysis runs.
    pub fn runs(&self, spec: &RobustnessSpec) -> u64 {
        self.jobs.len() as u64 * u64::from(spec.replicates)
    }

    /// The size of the analysis in words: `128 samples x 25 arms x 40 replicates`, or for the
    /// ends design `47 points, 260 point-arms x 40 replicates`.
    pub fn size(&self, spec: &RobustnessSpec) -> String {
        match spec.design {
            Design::LatinHypercube => format!(
                "{} samples x {} arms x {} replicates",
                self.points.len(),
                self.arms.len(),
                spec.replicates
            ),
            Design::Ends => format!(
                "{} points, {} point-arms x {} replicates",
                self.sites.len(),
                self.jobs.len(),
                spec.replicates
            ),
        }
    }

    /// The overrides of arm `arm` at site `site`.
    fn sets(&self, spec: &RobustnessSpec, site: usize, arm: usize) -> Vec<String> {
        spec::overrides(
            &spec.sets,
            &spec.space,
            &self.sites[site],
            &self.arms[arm].sets,
        )
    }
}

/// `spec.samples` points of a Latin hypercube over the region: each parameter's range cut into
/// `samples` strata of equal probability, one sample in each, the strata paired at random (the
/// sweep's Latin hypercube, from the named stream `robustness.lhs` of the seed).
fn latin_hypercube(spec: &RobustnessSpec) -> Vec<Vec<f64>> {
    let columns: Vec<Vec<f64>> = (0..spec.space.dimension())
        .map(|j| {
            lhs_positions("robustness.lhs", spec.seed, j, spec.samples as u64)
                .into_iter()
                .map(|(_, u)| u)
                .collect()
        })
        .collect();
    (0..spec.samples)
        .map(|s| {
            let unit: Vec<f64> = columns.iter().map(|c| c[s]).collect();
            spec.space
                .from_unit(&unit)
                .into_iter()
                .zip(spec.space.parameters())
                .map(|(v, p)| ((v * 1e6).round() / 1e6).clamp(p.low(), p.high()))
                .collect()
        })
        .collect()
}

/// Kaplan–Meier median weeks from recognition to help of the needs recognised in weeks
/// `[from, until)` of `outputs` pooled, follow-up censored at closure or the horizon,
/// interpolated between the curve's steps; `None` when the curve does not reach one half.
pub fn median_weeks_to_help_recognised_in(
    outputs: &[&RunOutput],
    from: u32,
    until: u32,
) -> Option<f64> {
    let mut waits: Vec<(f64, bool)> = Vec::new();
    for out in outputs {
        for ep in &out.episodes {
            let Some(recognised) = ep.recognised_week else {
                continue;
            };
            if recognised < from || recognised >= until {
                continue;
            }
            waits.push(match ep.help_start_week {
                Some(h) => (f64::from(h - recognised), true),
                None => (
                    f64::from(ep.closed_week.unwrap_or(out.horizon_weeks) - recognised),
                    false,
                ),
            });
        }
    }
    SurvivalCurve::estimate(&waits).interpolated_quantile(0.5)
}

/// Forum meetings a year over the measured weeks of one run.
pub fn meetings_a_year(out: &RunOutput) -> f64 {
    let measured = &out.weeks[(out.warmup_weeks as usize).min(out.weeks.len())..];
    let meetings: u32 = measured.iter().map(|w| w.meetings).sum();
    f64::from(meetings) / (measured.len() as f64 / 52.0)
}

/// The value of `reading` in one run (NaN when undefined).
fn read(out: &RunOutput, measures: &[f64], reading: &Reading) -> f64 {
    match reading {
        Reading::Measure(name) => Measures::NAMES
            .iter()
            .position(|n| n == name)
            .map_or(f64::NAN, |i| measures[i]),
        Reading::MedianWeeksToHelpRecognisedIn { from, until } => {
            median_weeks_to_help_recognised_in(&[out], *from, *until).unwrap_or(f64::NAN)
        }
        Reading::MeetingsAYear => meetings_a_year(out),
    }
}

/// Runs the replicates of one arm at one site: `[replicate][reading]`.
fn run_arm(
    spec: &RobustnessSpec,
    plan: &Plan,
    sample: usize,
    arm: usize,
) -> Result<Vec<Vec<f64>>, RobustnessError> {
    let sets = plan.sets(spec, sample, arm);
    let scenario =
        scenario::load(spec.base.as_deref(), &sets).map_err(|error| RobustnessError::Arm {
            sample,
            arm: plan.arms[arm].label.to_string(),
            reason: error.to_string(),
        })?;
    Ok((0..spec.replicates)
        .map(|r| {
            let out = simulate(
                &scenario.params,
                rng::replicate_seed(spec.seed, u64::from(r)),
            );
            let values = measures(&out).values();
            plan.readings
                .iter()
                .map(|reading| read(&out, &values, reading))
                .collect()
        })
        .collect())
}

/// Mean of paired values and its interval at `level` (0.95 or 0.90), NaN values left out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub mean: f64,
    pub low: f64,
    pub high: f64,
    /// Values used.
    pub n: usize,
}

impl Interval {
    pub fn of(values: &[f64], level: f64) -> Interval {
        let kept: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let n = kept.len();
        if n < 2 {
            let mean = kept.first().copied().unwrap_or(f64::NAN);
            return Interval {
                mean,
                low: f64::NAN,
                high: f64::NAN,
                n,
            };
        }
        let mean = kept.iter().sum::<f64>() / n as f64;
        let var = kept.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let t = if level == 0.95 {
            student_t_975(n as u32 - 1)
        } else {
            crate::metrics::stats::student_t_quantile(0.5 + level / 2.0, (n - 1) as f64)
        };
        let half = t * (var / n as f64).sqrt();
        Interval {
            mean,
            low: mean - half,
            high: mean + half,
            n,
        }
    }
}

/// One pattern's effect at one sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// The effect's point estimate and interval (90% for an equivalence, else 95%).
    pub interval: Interval,
    /// The equivalence margin (pattern 9), else NaN.
    pub margin: f64,
    /// The interval is on the expected side (inside the margin).
    pub holds: bool,
    /// The point estimate is on the expected side (inside the margin).
    pub point_holds: bool,
}

/// Computes a pattern's outcome from its arms' replicate values (`arms[k][r]`: arm `k`, replicate
/// `r`, of the pattern's reading) and, for diminishing returns, their meetings a year.
pub fn outcome(pattern: &Pattern, arms: &[Vec<f64>], meetings: &[Vec<f64>]) -> Outcome {
    let reps = arms.first().map_or(0, Vec::len);
    let per = |f: &dyn Fn(usize) -> f64| -> Vec<f64> { (0..reps).map(f).collect() };
    let x = |k: usize, r: usize| arms[k][r];
    let mut margin = f64::NAN;
    let interval = match pattern.effect {
        Effect::Difference { a, b } => Interval::of(&per(&|r| x(b, r) - x(a, r)), 0.95),
        Effect::DifferenceOfDifferences { a, b, c, d } => {
            Interval::of(&per(&|r| (x(b, r) - x(a, r)) - (x(d, r) - x(c, r))), 0.95)
        }
        Effect::PeakAtMiddle {
            small,
            middle,
            large,
        } => {
            let benefit = |(adhoc, team): (usize, usize), r: usize| x(adhoc, r) - x(team, r);
            let over_small = Interval::of(&per(&|r| benefit(middle, r) - benefit(small, r)), 0.95);
            let over_large = Interval::of(&per(&|r| benefit(middle, r) - benefit(large, r)), 0.95);
            // The binding gap; an undefined one makes the effect undefined.
            if over_small.low.is_nan() {
                over_small
            } else if over_large.low.is_nan() || over_large.low < over_small.low {
                over_large
            } else {
                over_small
            }
        }
        Effect::Equivalence { a, b, margin: m } => {
            margin = m * Interval::of(&arms[a], 0.95).mean;
            Interval::of(&per(&|r| x(b, r) - x(a, r)), 0.90)
        }
        Effect::DiminishingReturns { rare, usual, often } => {
            let m = |k: usize| Interval::of(&meetings[k], 0.95).mean;
            let (first, second) = (m(usual) - m(rare), m(often) - m(usual));
            Interval::of(
                &per(&|r| {
                    (x(usual, r) - x(often, r)) / second - (x(rare, r) - x(usual, r)) / first
                }),
                0.95,
            )
        }
    };
    let (holds, point_holds) = match pattern.direction {
        Direction::Lower => (interval.high < 0.0, interval.mean < 0.0),
        Direction::Higher => (interval.low > 0.0, interval.mean > 0.0),
        Direction::Within => (
            interval.low > -margin && interval.high < margin,
            interval.mean.abs() < margin,
        ),
    };
    Outcome {
        interval,
        margin,
        holds,
        point_holds,
    }
}

/// A share of samples with its Wilson 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Share {
    pub count: usize,
    pub of: usize,
    pub share: f64,
    pub low: f64,
    pub high: f64,
}

impl Share {
    /// `count` of `of`, with the Wilson score interval (z = 1.96).
    pub fn wilson(count: usize, of: usize) -> Share {
        if of == 0 {
            return Share {
                count,
                of,
                share: f64::NAN,
                low: f64::NAN,
                high: f64::NAN,
            };
        }
        let (n, p, z) = (of as f64, count as f64 / of as f64, 1.959_963_984_540_054);
        let denominator = 1.0 + z * z / n;
        let centre = (p + z * z / (2.0 * n)) / denominator;
        let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / denominator;
        Share {
            count,
            of,
            share: p,
            // Exactly 0 and 1 at the ends (where rounding would leave 1e-16 out).
            low: if count == 0 {
                0.0
            } else {
                (centre - half).max(0.0)
            },
            high: if count == of {
                1.0
            } else {
                (centre + half).min(1.0)
            },
        }
    }
}

/// One pattern over the region.
#[derive(Debug, Clone)]
pub struct PatternSummary {
    pub number: u32,
    /// Where the interval is on the expected side.
    pub holds: Share,
    /// Where the point estimate is.
    pub point_holds: Share,
    /// The median of the samples' effects.
    pub median_effect: f64,
    /// PRCC of the effect with each parameter, in the order of the space.
    pub prcc: Vec<Prcc>,
}

impl PatternSummary {
    /// Up to `n` parameters by the size of their PRCC (largest first; ties and NaN in the order of
    /// the space): their index and PRCC.
    pub fn top(&self, n: usize) -> Vec<(usize, Prcc)> {
        let mut order: Vec<usize> = (0..self.prcc.len())
            .filter(|&j| self.prcc[j].coefficient.is_finite())
            .collect();
        order.sort_by(|&a, &b| {
            self.prcc[b]
                .coefficient
                .abs()
                .total_cmp(&self.prcc[a].coefficient.abs())
        });
        order
            .into_iter()
            .take(n)
            .map(|j| (j, self.prcc[j]))
            .collect()
    }
}

/// A finished analysis.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub plan: Plan,
    /// `outcomes[sample][pattern]`, patterns in the spec's order (Latin hypercube).
    pub outcomes: Vec<Vec<Outcome>>,
    /// Per pattern over the samples (Latin hypercube).
    pub summaries: Vec<PatternSummary>,
    /// The outcome of each of `plan.ends` (ends design).
    pub end_outcomes: Vec<Outcome>,
}

/// Runs the analysis on the current rayon pool. `on_done` is called once per finished arm of a
/// site (`plan.jobs`).
pub fn analyse(
    spec: &RobustnessSpec,
    on_done: &(dyn Fn() + Sync),
) -> Result<Analysis, RobustnessError> {
    let plan = Plan::new(spec)?;
    let results: Vec<Vec<Vec<f64>>> = plan
        .jobs
        .par_iter()
        .map(|&(site, arm)| {
            let result = run_arm(spec, &plan, site, arm);
            on_done();
            result
        })
        .collect::<Result<_, _>>()?;
    // Each (site, arm)'s place in `results`.
    let mut job_at = vec![None; plan.sites.len() * plan.arms.len()];
    for (i, &(site, arm)) in plan.jobs.iter().enumerate() {
        job_at[site * plan.arms.len() + arm] = Some(i);
    }
    let meetings_at = plan
        .readings
        .iter()
        .position(|r| *r == Reading::MeetingsAYear);
    // Pattern `k`'s outcome at site `s` (each of its arms run there).
    let outcome_at = |s: usize, k: usize| -> Outcome {
        let pattern = &spec.patterns[k];
        let indices = &plan.pattern_arms[k];
        let at = plan
            .readings
            .iter()
            .position(|r| *r == pattern.reading)
            .unwrap_or(0);
        let column = |i: usize, c: usize| -> Vec<f64> {
            job_at[s * plan.arms.len() + i]
                .map(|job| results[job].iter().map(|rep| rep[c]).collect())
                .unwrap_or_default()
        };
        let values: Vec<Vec<f64>> = indices.iter().map(|&i| column(i, at)).collect();
        let meetings: Vec<Vec<f64>> = match meetings_at {
            Some(m) => indices.iter().map(|&i| column(i, m)).collect(),
            None => Vec::new(),
        };
        outcome(pattern, &values, &meetings)
    };
    let end_outcomes: Vec<Outcome> = plan
        .ends
        .iter()
        .map(|cell| outcome_at(cell.site, cell.pattern))
        .collect();
    let outcomes: Vec<Vec<Outcome>> = (0..plan.points.len())
        .map(|s| (0..spec.patterns.len()).map(|k| outcome_at(s, k)).collect())
        .collect();
    let summaries = spec
        .patterns
        .iter()
        .enumerate()
        .map(|(k, pattern)| {
            let column: Vec<&Outcome> = outcomes.iter().map(|row| &row[k]).collect();
            let effects: Vec<f64> = column.iter().map(|o| o.interval.mean).collect();
            let mut finite: Vec<f64> = effects.iter().copied().filter(|e| e.is_finite()).collect();
            finite.sort_by(f64::total_cmp);
            PatternSummary {
                number: pattern.number,
                holds: Share::wilson(column.iter().filter(|o| o.holds).count(), column.len()),
                point_holds: Share::wilson(
                    column.iter().filter(|o| o.point_holds).count(),
                    column.len(),
                ),
                median_effect: crate::metrics::stats::median(&finite),
                prcc: prcc::prcc(&plan.points, &effects),
            }
        })
        .collect();
    Ok(Analysis {
        plan,
        outcomes,
        summaries,
        end_outcomes,
    })
}

/// Checks the output directory, runs the analysis and writes its files; returns the analysis and
/// the paths written.
pub fn analyse_and_write(
    spec: &RobustnessSpec,
    output_dir: &Path,
    force: bool,
    on_done: &(dyn Fn() + Sync),
) -> Result<(Analysis, Vec<PathBuf>), RobustnessError> {
    let directory = OutputDir::new(output_dir, force)?;
    let analysis = analyse(spec, on_done)?;
    let rendered: Vec<RenderedFile> = files::render(spec, &analysis);
    let written = directory.write_files(&rendered)?;
    Ok((analysis, written))
}

/// What `--dry-run` prints: the size of the analysis and an estimate of its time.
#[derive(Debug, Clone)]
pub struct DryRun {
    pub name: String,
    pub design: Design,
    pub patterns: usize,
    pub parameters: usize,
    /// Parameters some pattern hinges on (ends design).
    pub hinge_parameters: usize,
    pub arms: usize,
    pub samples: usize,
    /// Sites (ends design: the defaults and each hinge key's two ends).
    pub sites: usize,
    /// Arms run at sites.
    pub jobs: usize,
    pub replicates: u32,
    pub runs: u64,
    /// Seconds of one replicate of every arm, at the middle of the region (Latin hypercube) or at
    /// the defaults (ends).
    pub seconds_per_sample_replicate: f64,
    /// Seconds of the whole analysis on one thread, from those times.
    pub seconds_one_thread: f64,
    pub threads: usize,
}

/// Sizes the analysis and times one replicate of every arm at the middle of the region (at the
/// defaults for the ends design).
pub fn dry_run(spec: &RobustnessSpec, threads: usize) -> Result<DryRun, RobustnessError> {
    let plan = Plan::new(spec)?;
    let probe: Vec<(usize, f64)> = match spec.design {
        Design::LatinHypercube => spec
            .space
            .from_unit(&vec![0.5; spec.space.dimension()])
            .into_iter()
            .enumerate()
            .collect(),
        Design::Ends => Vec::new(),
    };
    let mut arm_seconds = Vec::with_capacity(plan.arms.len());
    for arm in &plan.arms {
        let sets = spec::overrides(&spec.sets, &spec.space, &probe, &arm.sets);
        let scenario =
            scenario::load(spec.base.as_deref(), &sets).map_err(|error| RobustnessError::Arm {
                sample: 0,
                arm: arm.label.to_string(),
                reason: error.to_string(),
            })?;
        let started = Instant::now();
        let out = simulate(&scenario.params, rng::replicate_seed(spec.seed, 0));
        let _ = measures(&out);
        arm_seconds.push(started.elapsed().as_secs_f64());
    }
    let mut hinged: Vec<usize> = spec.hinges.iter().flatten().copied().collect();
    hinged.sort_unstable();
    hinged.dedup();
    Ok(DryRun {
        name: spec.name.clone(),
        design: spec.design,
        patterns: spec.patterns.len(),
        parameters: spec.space.dimension(),
        hinge_parameters: hinged.len(),
        arms: plan.arms.len(),
        samples: plan.points.len(),
        sites: plan.sites.len(),
        jobs: plan.jobs.len(),
        replicates: spec.replicates,
        runs: plan.runs(spec),
        seconds_per_sample_replicate: arm_seconds.iter().sum(),
        seconds_one_thread: plan.jobs.iter().map(|&(_, a)| arm_seconds[a]).sum::<f64>()
            * f64::from(spec.replicates),
        threads,
    })
}

impl std::fmt::Display for DryRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let total = self.seconds_one_thread / self.threads.max(1) as f64;
        let time = if total < 90.0 {
            format!("{total:.0} s")
        } else if total < 5400.0 {
            format!("{:.0} min", total / 60.0)
        } else {
            format!("{:.1} h", total / 3600.0)
        };
        match self.design {
            Design::LatinHypercube => writeln!(
                f,
                "robustness {:?}: {} patterns, {} parameters; {} samples x {} distinct arms x {} \
                 replicates = {} runs",
                self.name,
                self.patterns,
                self.parameters,
                self.samples,
                self.arms,
                self.replicates,
                self.runs,
            )?,
            Design::Ends => writeln!(
                f,
                "robustness {:?}, ends design: {} patterns, {} hinge parameters; {} points (the \
                 defaults and each hinge parameter at its low and high end), {} point-arms ({} \
                 distinct arms) x {} replicates = {} runs",
                self.name,
                self.patterns,
                self.hinge_parameters,
                self.sites,
                self.jobs,
                self.arms,
                self.replicates,
                self.runs,
            )?,
        }
        writeln!(
            f,
            "estimated time: about {time} on {} thread{} (one replicate of every arm at the {} \
             took {:.2} s)",
            self.threads,
            if self.threads == 1 { "" } else { "s" },
            match self.design {
                Design::LatinHypercube => "middle of the region",
                Design::Ends => "defaults",
            },
            self.seconds_per_sample_replicate
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_interval_matches_a_textbook_case() {
        // 8 of 10: Wilson 95% interval 0.490 to 0.943.
        let share = Share::wilson(8, 10);
        assert!((share.low - 0.490).abs() < 1e-3, "{share:?}");
        assert!((share.high - 0.943).abs() < 1e-3, "{share:?}");
        let all = Share::wilson(10, 10);
        assert_eq!(all.high, 1.0);
        assert!(all.low > 0.69 && all.low < 0.73, "{all:?}");
    }

    fn pattern(number: u32) -> Pattern {
        patterns::pattern(number, 286).unwrap()
    }

    // Effects combine the arms as documented and hold on the expected side only.
    #[test]
    fn outcomes_combine_arms_and_judge_the_side() {
        // Pattern 1: team (arm 1) lower than ad hoc (arm 0) in every replicate.
        let o = outcome(
            &pattern(1),
            &[vec![7.0, 8.0, 7.5], vec![6.0, 7.1, 6.4]],
            &[],
        );
        assert!((o.interval.mean + 1.0).abs() < 1e-9 && o.holds && o.point_holds);
        // Pattern 11: the rise with a minder (arms 0, 1) smaller than without (2, 3).
        let o = outcome(
            &pattern(11),
            &[
                vec![5.0, 5.0],
                vec![5.5, 5.6],
                vec![5.0, 5.0],
                vec![6.0, 6.2],
            ],
            &[],
        );
        assert!((o.interval.mean + 0.55).abs() < 1e-9, "{o:?}");
        assert!(o.point_holds);
        // Pattern 5: the middle's benefit is 3, the small size's 1 and the large's 2.5: the
        // binding gap is over the large size, 0.5.
        let o = outcome(
            &pattern(5),
            &[
                vec![10.0, 10.0],
                vec![9.0, 9.0],
                vec![10.0, 10.0],
                vec![7.0, 7.0],
                vec![10.0, 10.0],
                vec![7.5, 7.5],
            ],
            &[],
        );
        assert!((o.interval.mean - 0.5).abs() < 1e-9, "{o:?}");
        // Pattern 9: a difference of 0.1 on a mean of 6 is inside ±0.6.
        let o = outcome(
            &pattern(9),
            &[vec![6.0, 6.2, 5.8, 6.0], vec![6.1, 6.25, 5.95, 6.1]],
            &[],
        );
        assert!(o.holds && (o.margin - 0.6).abs() < 1e-9, "{o:?}");
        // Pattern 10: 4 weeks saved by 4 more meetings, then 1 week by 8 more: diminishing.
        let o = outcome(
            &pattern(10),
            &[vec![10.0, 10.2], vec![6.0, 6.2], vec![5.0, 5.2]],
            &[vec![3.0, 3.0], vec![7.0, 7.0], vec![15.0, 15.0]],
        );
        assert!((o.interval.mean - (1.0 / 8.0 - 1.0)).abs() < 1e-9, "{o:?}");
        // Undefined values make an undefined effect that does not hold.
        let o = outcome(&pattern(3), &[vec![f64::NAN; 2], vec![0.5, 0.6]], &[]);
        assert!(!o.holds && !o.point_holds);
    }
}
