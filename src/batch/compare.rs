//! `patchwork compare`'s runs: scenarios A and B, and each in silos (`SILO_OVERRIDES`: the same
//! scenario with agencies working alone, for the collaborative advantage), on the same seeds;
//! under `--posterior`, each replicate's drawn row in every arm, and each drawn row of A and B
//! again from its twin seed (for the variance split).
//!
//! `ComparePlan::load` loads the four arms and the posterior and chooses the network weeks, so
//! every problem is found before anything runs; `ComparePlan::run` runs the arms; `report` hands
//! them to `output::export::compare` as a `CompareReport`. A scenario already in silos is its own
//! silo arm, run once.

use std::path::Path;
use std::time::Instant;

use crate::batch::replicates::{self, NetworkWeeksError};
use crate::estimate::{Job, RunCost};
use crate::metrics::{Measures, ReplicateResult};
use crate::model::{Params, rng};
use crate::output::export::compare::{self, Arm, CompareReport, PosteriorArms, SILO_OVERRIDES};
use crate::posterior::{DrawnParams, Posterior, PosteriorDraws, twin_seed};
use crate::scenario::{self, KeyDifference, Scenario, ScenarioError};

/// Why a comparison could not be planned.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),

    #[error("--network-weeks")]
    NetworkWeeks(#[source] NetworkWeeksError),

    #[error("cannot record scenario {arm} as JSON")]
    Json {
        arm: char,
        #[source]
        source: serde_json::Error,
    },
}

/// What `compare` was asked for.
#[derive(Debug, Clone, Copy)]
pub struct CompareRequest<'a> {
    pub scenario_a: &'a Path,
    pub scenario_b: &'a Path,
    /// `--set` overrides of both scenarios.
    pub sets: &'a [String],
    /// `--set-a` overrides of A alone, applied after `sets`.
    pub sets_a: &'a [String],
    /// `--set-b` overrides of B alone, applied after `sets`.
    pub sets_b: &'a [String],
    pub posterior: Option<&'a Path>,
    /// `--network-weeks` (empty: the default weeks).
    pub network_weeks: &'a [u32],
    /// Replicates of each arm (default: A's).
    pub replicates: Option<u32>,
    /// The master seed (default: A's).
    pub seed: Option<u64>,
    /// Worker threads (0: every logical CPU).
    pub threads: usize,
}

/// One scenario's arm and its silo counterpart, each with its drawn parameters under a posterior.
#[derive(Debug)]
pub struct ComparedArm {
    pub scenario: Scenario,
    pub silo: Scenario,
    pub drawn: Option<DrawnParams>,
    pub drawn_silo: Option<DrawnParams>,
    pub resolved: serde_json::Value,
    /// The scenario already works in silos: its silo arm is itself.
    pub already_silo: bool,
    /// Its name in the output (with " (A)" or " (B)" when the two names are the same).
    pub name: String,
}

/// A comparison loaded and checked, ready to run.
#[derive(Debug)]
pub struct ComparePlan {
    pub a: ComparedArm,
    pub b: ComparedArm,
    pub posterior: Option<Posterior>,
    /// The row each replicate draws, under a posterior.
    pub draws: Option<Vec<usize>>,
    pub network_weeks: Vec<u32>,
    pub replicates: u32,
    pub master_seed: u64,
    pub threads: usize,
    /// The resolved keys whose values differ between A and B: what was compared.
    pub differences: Vec<KeyDifference>,
}

/// The measured arms of a finished comparison.
#[derive(Debug)]
pub struct CompareRuns {
    pub results_a: Vec<ReplicateResult>,
    pub results_b: Vec<ReplicateResult>,
    pub silo_measures_a: Vec<Measures>,
    pub silo_measures_b: Vec<Measures>,
    /// Under a posterior, each replicate's drawn row of A and of B run from its twin seed.
    pub twins_a: Vec<Measures>,
    pub twins_b: Vec<Measures>,
    pub wall_time_seconds: f64,
}

impl ComparePlan {
    /// Loads A, B and their silo arms (with `--set`, then `--set-a` or `--set-b`), the posterior
    /// and its draws, and checks the network weeks, in the order their problems are reported.
    pub fn load(request: &CompareRequest) -> Result<ComparePlan, CompareError> {
        let with_silo = |arm_sets: &[String]| -> Vec<String> {
            arm_sets
                .iter()
                .cloned()
                .chain(SILO_OVERRIDES.iter().map(|set| set.to_string()))
                .collect()
        };
        // Both arms' options in the order they apply, for the loads that come after A's and B's
        // own (which have already reported any problem in them at its option).
        let all_sets = |arm_sets: &[String]| -> Vec<String> {
            request.sets.iter().chain(arm_sets).cloned().collect()
        };
        let (sets_a, sets_b) = (all_sets(request.sets_a), all_sets(request.sets_b));
        let load = |path: &Path, flag: &str, arm_sets: &[String]| {
            scenario::load_arm(Some(path), request.sets, flag, arm_sets)
        };
        let scenario_a = load(request.scenario_a, "--set-a", request.sets_a)?;
        let scenario_b = load(request.scenario_b, "--set-b", request.sets_b)?;
        let silo_a = load(request.scenario_a, "--set-a", &with_silo(request.sets_a))?;
        let silo_b = load(request.scenario_b, "--set-b", &with_silo(request.sets_b))?;
        let posterior = match request.posterior {
            None => None,
            Some(path) => {
                let posterior = Posterior::load_for(path, Some(request.scenario_a), &sets_a)?;
                posterior.check_rows(Some(request.scenario_b), &sets_b)?;
                Some(posterior)
            }
        };
        let differences = scenario::diff::differences(&scenario_a.resolved, &scenario_b.resolved);
        let network_weeks = replicates::chosen_network_weeks(
            request.network_weeks,
            &[&scenario_a.params, &scenario_b.params],
        )
        .map_err(CompareError::NetworkWeeks)?;
        let (name_a, name_b) = compare::arm_names(&scenario_a.name, &scenario_b.name);
        let replicates = request.replicates.unwrap_or(scenario_a.replicates);
        let master_seed = request.seed.unwrap_or(scenario_a.seed);
        // Each arm's parameters per replicate: its drawn row's, under a posterior.
        let draws = posterior
            .as_ref()
            .map(|posterior| posterior.draws(master_seed, replicates));
        let drawn = |path: &Path, sets: &[String]| {
            posterior
                .as_ref()
                .zip(draws.as_ref())
                .map(|(posterior, draws)| posterior.arm(Some(path), sets, draws))
                .transpose()
        };
        let drawn_a = drawn(request.scenario_a, &sets_a)?;
        let drawn_b = drawn(request.scenario_b, &sets_b)?;
        let drawn_silo_a = drawn(request.scenario_a, &with_silo(&sets_a))?;
        let drawn_silo_b = drawn(request.scenario_b, &with_silo(&sets_b))?;
        let arm = |scenario: Scenario,
                   silo: Scenario,
                   drawn: Option<DrawnParams>,
                   drawn_silo: Option<DrawnParams>,
                   name: String,
                   letter: char|
         -> Result<ComparedArm, CompareError> {
            let resolved =
                serde_json::to_value(&scenario.resolved).map_err(|source| CompareError::Json {
                    arm: letter,
                    source,
                })?;
            Ok(ComparedArm {
                already_silo: silo.params == scenario.params,
                scenario,
                silo,
                drawn,
                drawn_silo,
                resolved,
                name,
            })
        };
        Ok(ComparePlan {
            a: arm(scenario_a, silo_a, drawn_a, drawn_silo_a, name_a, 'A')?,
            b: arm(scenario_b, silo_b, drawn_b, drawn_silo_b, name_b, 'B')?,
            posterior,
            draws,
            network_weeks,
            replicates,
            master_seed,
            threads: replicates::resolved_thread_count(request.threads),
            differences,
        })
    }

    /// What the comparison costs, for the memory check: up to six arms (A, B, their silos, and
    /// under a posterior each arm's twin runs).
    pub fn job(&self) -> Job {
        let arms = if self.posterior.is_some() { 6.0 } else { 4.0 } * f64::from(self.replicates);
        Job {
            run: RunCost::of(&self.a.scenario.params).max(RunCost::of(&self.b.scenario.params)),
            runs: arms,
            threads: self.threads as f64,
            kept: arms,
            frames: 2.0 * self.network_weeks.len() as f64,
        }
    }

    /// The runs `run` makes, for a progress bar.
    pub fn runs(&self) -> u64 {
        let arms = 2
            + u64::from(!self.a.already_silo)
            + u64::from(!self.b.already_silo)
            + if self.posterior.is_some() { 2 } else { 0 };
        arms * u64::from(self.replicates)
    }

    /// Runs every arm, calling `advance` after each run.
    pub fn run(&self, advance: &(dyn Fn() + Sync)) -> CompareRuns {
        let (replicates, master_seed, threads) = (self.replicates, self.master_seed, self.threads);
        let started = Instant::now();
        // Only A and B record their networks; their silo counterparts are measured, not drawn.
        let run_arm = |params: &Params, drawn: Option<&DrawnParams>, network_weeks: &[u32]| {
            replicates::run_replicates_varying(
                &|replicate| drawn.map_or(params, |drawn| drawn.of(replicate)),
                master_seed,
                replicates,
                network_weeks,
                threads,
                advance,
            )
        };
        let results_a = run_arm(
            &self.a.scenario.params,
            self.a.drawn.as_ref(),
            &self.network_weeks,
        );
        let results_b = run_arm(
            &self.b.scenario.params,
            self.b.drawn.as_ref(),
            &self.network_weeks,
        );
        let silo_measures = |arm: &ComparedArm, results: &[ReplicateResult]| -> Vec<Measures> {
            let silo_results = if arm.already_silo {
                Vec::new()
            } else {
                run_arm(&arm.silo.params, arm.drawn_silo.as_ref(), &[])
            };
            let source = if arm.already_silo {
                results
            } else {
                &silo_results
            };
            source.iter().map(|result| result.measures).collect()
        };
        let silo_measures_a = silo_measures(&self.a, &results_a);
        let silo_measures_b = silo_measures(&self.b, &results_b);
        // Under a posterior, each replicate's row again from its twin seed, in both arms.
        let twins = |drawn: &Option<DrawnParams>| -> Vec<Measures> {
            let Some(drawn) = drawn else {
                return Vec::new();
            };
            replicates::run_each_replicate(replicates, threads, advance, &|replicate| {
                let seed = rng::replicate_seed(master_seed, u64::from(replicate));
                replicates::run_seeded(drawn.of(replicate), twin_seed(seed), replicate, &[])
            })
            .iter()
            .map(|result| result.measures)
            .collect()
        };
        let twins_a = twins(&self.a.drawn);
        let twins_b = twins(&self.b.drawn);
        CompareRuns {
            results_a,
            results_b,
            silo_measures_a,
            silo_measures_b,
            twins_a,
            twins_b,
            wall_time_seconds: started.elapsed().as_secs_f64(),
        }
    }

    /// What the output files are rendered from.
    pub fn report<'a>(
        &'a self,
        runs: &'a CompareRuns,
        request: &CompareRequest<'a>,
    ) -> CompareReport<'a> {
        let arm = |arm: &'a ComparedArm, results, silo_measures| Arm {
            name: &arm.name,
            description: &arm.scenario.description,
            resolved_scenario: &arm.resolved,
            results,
            silo_measures,
            already_silo: arm.already_silo,
        };
        CompareReport {
            a: arm(&self.a, &runs.results_a, &runs.silo_measures_a),
            b: arm(&self.b, &runs.results_b, &runs.silo_measures_b),
            master_seed: self.master_seed,
            replicates: self.replicates,
            sets: request.sets,
            sets_a: request.sets_a,
            sets_b: request.sets_b,
            differences: &self.differences,
            threads: self.threads,
            wall_time_seconds: runs.wall_time_seconds,
            posterior: self
                .posterior
                .as_ref()
                .zip(self.draws.as_ref())
                .map(|(posterior, rows)| PosteriorArms {
                    draws: PosteriorDraws { posterior, rows },
                    a_twins: &runs.twins_a,
                    b_twins: &runs.twins_b,
                }),
        }
    }
}
