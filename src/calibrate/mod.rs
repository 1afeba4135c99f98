//! `patchwork calibrate FILE`: fitting scenario parameters to observed measures by ABC-SMC, through
//! the engine of `abc` and the simulation adapter of `sensitivity`.
//!
//! The file (`spec`) names a base scenario and fixed `sets`, the priors (`[[parameter]]`: a dotted
//! scenario key, low, high, uniform or log-uniform), the targets (`[[target]]`: a measure, its
//! observed value, the scale its deviation is measured in, where the number comes from) and the
//! ABC settings. A particle's summaries are the means of its measures over `replicates` runs from
//! the same seeds for every particle (common random numbers, `ReplicateMeans`), so particles are
//! compared on the same draws and the distance is a function of the parameters alone.
//!
//! `run` drives the engine (`abc::Smc`) a chunk of particles at a time on the sweep's streaming
//! machinery: every accepted particle is a row of `particles.csv`, journaled, so a killed
//! calibration resumes (`--resume`) from its last journaled particle to the same bytes. Particles
//! are collected in order, so every file is the same bytes on any thread count (`metadata.json`
//! holds no wall time or thread count for that reason). `files` renders `posterior.csv`,
//! `generations.csv`, `metadata.json`, `report.html` and the plots from the finished generations.

pub mod files;
pub mod run;
pub mod spec;

use std::path::PathBuf;
use std::time::Instant;

pub use spec::{CalibrationSpec, CalibrationTarget, load};

use crate::abc::{AbcError, AbcResult};
use crate::batch::sweep::SweepError;
use crate::gsa::{EvaluationError, Model};
use crate::model::rng;
use crate::output::ReportError;
use crate::sensitivity::ScenarioModel;

/// Something stopped a calibration.
#[derive(Debug, thiserror::Error)]
pub enum CalibrationError {
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

    #[error(transparent)]
    Abc(#[from] AbcError),

    #[error(transparent)]
    Output(#[from] ReportError),

    #[error(transparent)]
    Sweep(#[from] SweepError),

    /// A plain start in a directory a calibration was interrupted in.
    #[error(
        "{} holds an unfinished calibration (it has a {}): carry it on with --resume, or start \
         again with --force",
        path.display(),
        crate::batch::sweep::output::JOURNAL
    )]
    Unfinished { path: PathBuf },

    /// The particles kept in an interrupted calibration's directory cannot be read back.
    #[error("cannot resume the calibration in {}: {reason}; run with --force to start again", path.display())]
    Resume { path: PathBuf, reason: String },
}

/// The simulation of a particle: each output the mean over the same replicate seeds for every
/// particle. The seed the engine passes is not used (common random numbers across particles).
pub struct ReplicateMeans<'a> {
    model: &'a ScenarioModel,
    seeds: Vec<u64>,
    on_run: &'a (dyn Fn() + Sync),
}

impl<'a> ReplicateMeans<'a> {
    pub fn new(
        model: &'a ScenarioModel,
        replicates: u64,
        seed: u64,
        on_run: &'a (dyn Fn() + Sync),
    ) -> ReplicateMeans<'a> {
        ReplicateMeans {
            model,
            seeds: replicate_seeds(replicates, seed),
            on_run,
        }
    }
}

/// The seeds of a particle's replicates: the same for every particle.
pub fn replicate_seeds(replicates: u64, seed: u64) -> Vec<u64> {
    (0..replicates.max(1))
        .map(|r| rng::replicate_seed(seed, r))
        .collect()
}

impl Model for ReplicateMeans<'_> {
    fn outputs(&self) -> Vec<String> {
        self.model.outputs()
    }

    fn evaluate(&self, point: &[f64], _engine_seed: u64) -> Result<Vec<f64>, EvaluationError> {
        let mut sums = vec![0.0; self.model.outputs().len()];
        for &seed in &self.seeds {
            let values = self.model.evaluate(point, seed)?;
            (self.on_run)();
            for (sum, value) in sums.iter_mut().zip(values) {
                *sum += value;
            }
        }
        Ok(sums
            .into_iter()
            .map(|sum| sum / self.seeds.len() as f64)
            .collect())
    }
}

/// A finished calibration: the engine's result and, for each particle of the final population,
/// its simulated value of each target (in the targets' order: the model's outputs are the
/// targets' measures).
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    pub result: AbcResult,
    pub simulated: Vec<Vec<f64>>,
}

/// What `--dry-run` tells: how many simulations the schedule may need, and how long they take.
#[derive(Debug, Clone, PartialEq)]
pub struct DryRun {
    pub name: String,
    pub parameters: usize,
    pub targets: usize,
    pub particles: usize,
    pub generations: usize,
    pub replicates: u64,
    pub min_acceptance_rate: f64,
    pub max_attempts: u64,
    /// Simulations of generation 0 (every draw from the prior is accepted).
    pub first_generation_runs: u64,
    /// Simulations if every later generation accepted at the minimum acceptance rate.
    pub runs_at_minimum_rate: Option<u64>,
    /// Simulations if every particle of every later generation used all its attempts.
    pub runs_at_attempt_limit: u64,
    pub seconds_per_run: f64,
    pub threads: usize,
}

/// Times a few simulations of the base scenario at the middle of the priors (the first untimed,
/// as a warm-up) and counts the simulations the schedule may need.
pub fn dry_run(spec: &CalibrationSpec, threads: usize) -> Result<DryRun, CalibrationError> {
    const TIMED: u64 = 3;
    let middle = spec.space.from_unit(&vec![0.5; spec.space.dimension()]);
    let seeds = replicate_seeds(TIMED + 1, spec.config.seed);
    let mut seconds = 0.0;
    for (k, &seed) in seeds.iter().enumerate() {
        let started = Instant::now();
        spec.model
            .evaluate(&middle, seed)
            .map_err(|source| AbcError::Evaluation {
                generation: 0,
                particle: 0,
                source,
            })?;
        if k > 0 {
            seconds += started.elapsed().as_secs_f64();
        }
    }
    let config = &spec.config;
    let per_generation = config.particles as u64 * spec.replicates;
    let later = config.max_generations as u64 - 1;
    let runs_at_minimum_rate = (config.min_acceptance_rate > 0.0).then(|| {
        let per_later =
            (config.particles as f64 / config.min_acceptance_rate).ceil() as u64 * spec.replicates;
        per_generation + later * per_later
    });
    Ok(DryRun {
        name: spec.name.clone(),
        parameters: spec.space.dimension(),
        targets: spec.targets.len(),
        particles: config.particles,
        generations: config.max_generations,
        replicates: spec.replicates,
        min_acceptance_rate: config.min_acceptance_rate,
        max_attempts: config.max_attempts,
        first_generation_runs: per_generation,
        runs_at_minimum_rate,
        runs_at_attempt_limit: per_generation + later * per_generation * config.max_attempts,
        seconds_per_run: seconds / TIMED as f64,
        threads,
    })
}

/// A duration in words: seconds, minutes or hours.
fn duration(seconds: f64) -> String {
    if seconds < 90.0 {
        format!("{seconds:.0} s")
    } else if seconds < 5400.0 {
        format!("{:.0} min", seconds / 60.0)
    } else {
        format!("{:.1} h", seconds / 3600.0)
    }
}

impl std::fmt::Display for DryRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let time = |runs: u64| duration(runs as f64 * self.seconds_per_run / self.threads as f64);
        writeln!(
            f,
            "calibration {:?}: {} parameters, {} targets; up to {} generations of {} particles, \
             {} replicate runs per particle",
            self.name,
            self.parameters,
            self.targets,
            self.generations,
            self.particles,
            self.replicates
        )?;
        writeln!(
            f,
            "generation 0: {} runs (about {})",
            self.first_generation_runs,
            time(self.first_generation_runs)
        )?;
        if let Some(runs) = self.runs_at_minimum_rate {
            writeln!(
                f,
                "up to {runs} runs (about {}) while every later generation accepts at least the \
                 minimum rate {} (the calibration stops after the first generation below it)",
                time(runs),
                self.min_acceptance_rate
            )?;
        }
        writeln!(
            f,
            "hard limit: {} runs, if every particle of every later generation used all {} attempts",
            self.runs_at_attempt_limit, self.max_attempts
        )?;
        write!(
            f,
            "{:.3} s per run (mean of 3 timed runs) on {} thread{}",
            self.seconds_per_run,
            self.threads,
            if self.threads == 1 { "" } else { "s" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A particle's outputs are means over the same replicate seeds whatever seed the engine
    // passes (common random numbers).
    #[test]
    fn replicate_means_use_common_seeds() {
        let model = ScenarioModel::new(
            None,
            vec!["run.horizon_weeks=60".into(), "run.warmup_weeks=8".into()],
            vec!["demand.onset_per_1000_year".into()],
            vec!["referrals_per_10k".into(), "coordination_hours".into()],
        )
        .unwrap();
        let runs = std::sync::atomic::AtomicU64::new(0);
        let on_run = || {
            runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        };
        let means = ReplicateMeans::new(&model, 2, 11, &on_run);
        let point = [55.0];
        let first = means.evaluate(&point, 1).unwrap();
        assert_eq!(first, means.evaluate(&point, 999).unwrap());
        assert_eq!(runs.load(std::sync::atomic::Ordering::Relaxed), 4);
        let seeds = replicate_seeds(2, 11);
        let a = model.evaluate(&point, seeds[0]).unwrap();
        let b = model.evaluate(&point, seeds[1]).unwrap();
        for k in 0..2 {
            assert_eq!(first[k], (a[k] + b[k]) / 2.0);
        }
        assert_ne!(a, b, "the replicates differ, so the mean is over two draws");
        assert_eq!(means.outputs(), ["referrals_per_10k", "coordination_hours"]);
    }
}
