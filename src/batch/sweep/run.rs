//! Running a sweep: chunks of whole points on a rayon pool, each run caught if it panics, rows
//! streamed to the output files in run order, and `--dry-run`'s estimate.
//!
//! A chunk is a block of whole points (about 48 runs per thread). Within it, every point's
//! scenario is built and every run is simulated in parallel; the writer thread then renders, in
//! run order, the chunk's rows of `runs.csv`, the failures, each point's summary rows of
//! `points.csv` and its rows of `settling.csv` (a point's replicates are all in its chunk; each run
//! hands over its weekly series' trends, `metrics::settle`, alongside its measures). Only the measures of one or two
//! chunks are ever held, so memory does not grow with the number of runs. Nothing depends on
//! which thread ran what, so the bytes are the same with any thread count.

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use crate::metrics::settle::{Settling, Trend, Window, run_trends};
use crate::metrics::{Measures, measures, summarise_measures};
use crate::model::{self, Params};
use crate::output::csv::{CsvBytes, format_float};
use crate::output::export::metadata_json::{CRATE_VERSION, GIT_COMMIT};
use crate::posterior::PosteriorMetadata;

use super::output::{self, Identity, Opened, Progress};
use super::plan::{Shard, Sweep, run_seed};
use super::settling::{self, SETTLING_CSV, SweepSettling};
use crate::batch::engine::{catch_panic, chunk_ranges, run_chunks};
use crate::batch::error::SweepError;
use crate::estimate::{Job, RunCost};

/// **Test only.** When set to a run index, that run panics on purpose, so that tests can check
/// that one failed run is recorded in `failures.csv` and does not sink the sweep. Read once per
/// sweep, only here.
pub const FAULT_RUN_VARIABLE: &str = "PATCHWORK_FAULT_RUN";

/// Runs per thread in one chunk: enough that the wait for the slowest run at the end of a chunk
/// costs little, few enough that a kill loses little.
const RUNS_PER_THREAD_PER_CHUNK: u64 = 48;

/// How to run a sweep.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    pub output_dir: PathBuf,
    /// Threads to use (already resolved: at least 1).
    pub threads: usize,
    pub shard: Shard,
    /// Carry on from the journal in `output_dir` (or start, if there is none).
    pub resume: bool,
    /// Replace the files of an occupied `output_dir`.
    pub force: bool,
}

/// What a sweep did.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepOutcome {
    /// Runs of this shard (all of them, over every start).
    pub runs: u64,
    pub runs_failed: u64,
    /// Runs done before this start (by an interrupted start that `--resume` carried on).
    pub runs_resumed: u64,
    /// `--resume` found the sweep already finished and ran nothing.
    pub already_finished: bool,
    pub wall_time_seconds: f64,
    /// The files written, in order (empty when already finished).
    pub written: Vec<PathBuf>,
    /// Whether the points settled (`None` when already finished: see its `metadata.json`).
    pub settling: Option<SweepSettling>,
}

/// One run's result.
struct RunResult {
    run: u64,
    point: u64,
    replicate: u32,
    seed: u64,
    /// The posterior row the run drew (`--posterior`).
    row: Option<usize>,
    /// The measures, the weekly series' trends and the weeks they were fitted over, or why the
    /// run failed.
    measures: Result<(Measures, [Trend; 4], Window), String>,
}

/// One chunk's results, in run order.
struct ChunkResult {
    points: Range<u64>,
    runs: Vec<RunResult>,
    /// A signal came before every run was done: the chunk is not written.
    abandoned: bool,
}

/// The identity recorded in the journal and checked by `--resume` and `merge`.
pub fn identity(sweep: &Sweep, shard: Shard) -> Identity {
    Identity {
        hash: sweep.hash.clone(),
        shard,
        version: CRATE_VERSION.to_string(),
        commit: GIT_COMMIT.to_string(),
    }
}

/// Runs the sweep's shard into `options.output_dir`. `progress` is called with the number of runs
/// of the shard finished so far: once at the start (with those a resumed sweep had done) and
/// after each run, from any thread.
pub fn run_sweep(
    sweep: &Sweep,
    options: &SweepOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<SweepOutcome, SweepError> {
    let shard_points = options.shard.points(sweep.points());
    let replicates = u64::from(sweep.replicates);
    let shard_runs = (shard_points.end - shard_points.start) * replicates;
    let identity = identity(sweep, options.shard);
    let headers = headers(sweep);
    let opened = if options.resume {
        output::resume(&options.output_dir, &identity, &headers, shard_points.start)?
    } else {
        Opened::Running(output::start(
            &options.output_dir,
            options.force,
            &identity,
            &headers,
            shard_points.start,
        )?)
    };
    let mut files = match opened {
        Opened::Finished { runs_failed } => {
            return Ok(SweepOutcome {
                runs: shard_runs,
                runs_failed,
                runs_resumed: shard_runs,
                already_finished: true,
                wall_time_seconds: 0.0,
                written: Vec::new(),
                settling: None,
            });
        }
        Opened::Running(files) => files,
    };

    let fault_run = std::env::var(FAULT_RUN_VARIABLE)
        .ok()
        .and_then(|text| text.trim().parse::<u64>().ok());
    let started = Instant::now();
    let before = files.progress.clone();
    let runs_resumed = before.runs_done + before.runs_failed;
    let finished = AtomicU64::new(runs_resumed);
    progress(runs_resumed);
    let points_per_chunk =
        (RUNS_PER_THREAD_PER_CHUNK * options.threads as u64).div_ceil(replicates);
    let remaining = before.next_point.max(shard_points.start)..shard_points.end;

    let compute = |points: Range<u64>| -> ChunkResult {
        // Stopping (Ctrl-C, SIGTERM): runs not yet started are skipped and the chunk abandoned.
        let abandoned = std::sync::atomic::AtomicBool::new(false);
        let invalid = |error: crate::scenario::ScenarioError| {
            let lines: Vec<String> = error.problems.iter().map(ToString::to_string).collect();
            format!("invalid scenario: {}", lines.join("; "))
        };
        let scenarios: Vec<Result<(Params, u64), String>> = points
            .clone()
            .into_par_iter()
            .map(|point| {
                sweep
                    .point_scenario(point)
                    .map(|scenario| (scenario.params, scenario.seed))
                    .map_err(invalid)
            })
            .collect();
        // Under a posterior, each point's scenario under each distinct row its replicates draw,
        // built once per point rather than once per run.
        let drawn_scenarios: Vec<Vec<(usize, Result<Params, String>)>> = match &sweep.posterior {
            None => Vec::new(),
            Some(posterior) => scenarios
                .par_iter()
                .enumerate()
                .map(|(offset, scenario)| {
                    let point = points.start + offset as u64;
                    let master_seed = scenario
                        .as_ref()
                        .map_or(sweep.master_seed, |(_, seed)| *seed);
                    let mut rows: Vec<usize> = (0..replicates as u32)
                        .map(|replicate| posterior.draw(run_seed(master_seed, replicate)))
                        .collect();
                    rows.sort_unstable();
                    rows.dedup();
                    rows.into_iter()
                        .map(|row| {
                            let params = sweep
                                .point_scenario_drawn(point, Some(row))
                                .map(|scenario| scenario.params)
                                .map_err(invalid);
                            (row, params)
                        })
                        .collect()
                })
                .collect(),
        };
        let runs = (points.start * replicates..points.end * replicates)
            .into_par_iter()
            .map(|run| {
                let point = run / replicates;
                let replicate = (run % replicates) as u32;
                let scenario = &scenarios[(point - points.start) as usize];
                let master_seed = scenario
                    .as_ref()
                    .map_or(sweep.master_seed, |(_, seed)| *seed);
                let seed = run_seed(master_seed, replicate);
                let row = sweep
                    .posterior
                    .as_ref()
                    .map(|posterior| posterior.draw(seed));
                // Under a posterior, the point's scenario with the drawn row's values.
                let drawn = row.map(|row| {
                    let built = &drawn_scenarios[(point - points.start) as usize];
                    let index = built
                        .binary_search_by_key(&row, |(row, _)| *row)
                        .expect("every drawn row is built");
                    &built[index].1
                });
                let params = match (scenario, drawn) {
                    (Err(message), _) | (Ok(_), Some(Err(message))) => Err(message.clone()),
                    (Ok(_), Some(Ok(params))) | (Ok((params, _)), None) => Ok(params),
                };
                if crate::batch::interrupt::received().is_some() {
                    abandoned.store(true, Ordering::Relaxed);
                    return RunResult {
                        run,
                        point,
                        replicate,
                        seed,
                        row,
                        measures: Err("interrupted".to_string()),
                    };
                }
                let measures = params.and_then(|params| {
                    catch_panic(|| {
                        if fault_run == Some(run) {
                            panic!("fault injected for testing ({FAULT_RUN_VARIABLE}={run})");
                        }
                        let output = model::simulate(params, seed);
                        let window = Window::of_run(&output);
                        (measures(&output), run_trends(&output, &window), window)
                    })
                });
                progress(finished.fetch_add(1, Ordering::Relaxed) + 1);
                RunResult {
                    run,
                    point,
                    replicate,
                    seed,
                    row,
                    measures,
                }
            })
            .collect();
        ChunkResult {
            points,
            runs,
            abandoned: abandoned.into_inner(),
        }
    };
    let write = |chunk: ChunkResult| -> Result<(), SweepError> {
        if chunk.abandoned {
            SweepError::if_interrupted(&options.output_dir)?;
        }
        let rendered = render_chunk(sweep, &chunk);
        let failed = chunk
            .runs
            .iter()
            .filter(|run| run.measures.is_err())
            .count() as u64;
        let next = Progress {
            next_point: chunk.points.end,
            runs_done: files.progress.runs_done + chunk.runs.len() as u64 - failed,
            runs_failed: files.progress.runs_failed + failed,
            elapsed_ms: before.elapsed_ms + started.elapsed().as_millis() as u64,
            ..files.progress.clone()
        };
        files.append(
            &[&rendered[0], &rendered[1], &rendered[2], &rendered[3]],
            next,
        )?;
        // Stopping: the chunk is written and journaled; `--resume` carries on after it.
        SweepError::if_interrupted(&options.output_dir)
    };
    run_chunks(
        chunk_ranges(remaining, points_per_chunk),
        options.threads,
        compute,
        write,
    )?;

    let done = files.progress.clone();
    let wall_time_seconds =
        (before.elapsed_ms as f64 + started.elapsed().as_secs_f64() * 1000.0) / 1000.0;
    let settling =
        SweepSettling::from_csv(&files.read_streamed(SETTLING_CSV)?).map_err(|reason| {
            SweepError::Merge {
                reason: format!("cannot read back {SETTLING_CSV}: {reason}"),
            }
        })?;
    let metadata = metadata_json(
        sweep,
        options,
        &shard_points,
        &done,
        wall_time_seconds,
        &settling,
        files.file_records()?,
    )?;
    let written = files.finish(&metadata)?;
    Ok(SweepOutcome {
        runs: shard_runs,
        runs_failed: done.runs_failed,
        runs_resumed,
        already_finished: false,
        wall_time_seconds,
        written,
        settling: Some(settling),
    })
}

/// The header lines of `runs.csv`, `points.csv`, `failures.csv` and `settling.csv`.
pub fn headers(sweep: &Sweep) -> [Vec<u8>; 4] {
    let axes = sweep.axis_keys();
    let runs: Vec<&str> = ["run", "point", "replicate", "seed"]
        .into_iter()
        .chain(axes.iter().copied())
        .chain(
            sweep
                .posterior
                .as_ref()
                .map(|posterior| posterior.run_columns())
                .unwrap_or_default(),
        )
        .chain(Measures::NAMES.iter().copied())
        .collect();
    let points: Vec<&str> = ["point"]
        .into_iter()
        .chain(axes.iter().copied())
        .chain(crate::output::export::summary_csv::HEADER)
        .collect();
    let failures = ["run", "point", "replicate", "seed", "error"];
    let settling: Vec<&str> = ["point"]
        .into_iter()
        .chain(axes.iter().copied())
        .chain(settling::HEADER)
        .collect();
    let render = |header: &[&str]| {
        let mut csv = CsvBytes::new();
        csv.row(header.iter().copied());
        csv.into_bytes()
    };
    [
        render(&runs),
        render(&points),
        render(&failures),
        render(&settling),
    ]
}

/// CSV rows into bytes, `\n` line ends, quoting only where needed.
/// One chunk's bytes for `runs.csv`, `points.csv`, `failures.csv` and `settling.csv`.
fn render_chunk(sweep: &Sweep, chunk: &ChunkResult) -> [Vec<u8>; 4] {
    let mut settling_rows = CsvBytes::new();
    let mut runs = CsvBytes::new();
    let mut points = CsvBytes::new();
    let mut failures = CsvBytes::new();
    let replicates = u64::from(sweep.replicates);
    for point in chunk.points.clone() {
        let texts = sweep.point_texts(point);
        let first = ((point - chunk.points.start) * replicates) as usize;
        let point_runs = &chunk.runs[first..first + replicates as usize];
        let mut succeeded = Vec::with_capacity(point_runs.len());
        let mut trends = Vec::with_capacity(point_runs.len());
        // The point's replicates share its scenario's timeline, so its first run's window.
        let mut window: Option<&Window> = None;
        for result in point_runs {
            debug_assert_eq!((result.point, result.run / replicates), (point, point));
            let ids = [
                result.run.to_string(),
                result.point.to_string(),
                result.replicate.to_string(),
                result.seed.to_string(),
            ];
            match &result.measures {
                Ok((measures, run_trends, run_window)) => {
                    succeeded.push(*measures);
                    trends.push(*run_trends);
                    window.get_or_insert(run_window);
                    let drawn = sweep
                        .posterior
                        .as_ref()
                        .zip(result.row)
                        .map(|(posterior, row)| crate::output::csv::posterior_cells(posterior, row))
                        .unwrap_or_default();
                    runs.row(
                        ids.into_iter()
                            .chain(texts.iter().cloned())
                            .chain(drawn)
                            .chain(measures.values().into_iter().map(format_float)),
                    );
                }
                Err(message) => failures.row(ids.into_iter().chain([message.clone()])),
            }
        }
        for summary in summarise_measures(&succeeded) {
            let statistics = summary.summary;
            points.row(
                [point.to_string()]
                    .into_iter()
                    .chain(texts.iter().cloned())
                    .chain([
                        summary.name.to_string(),
                        format_float(statistics.mean),
                        format_float(statistics.sd),
                        format_float(statistics.ci_low),
                        format_float(statistics.ci_high),
                        format_float(statistics.median),
                        statistics.n.to_string(),
                    ]),
            );
        }
        // A point whose every run failed has no rows: there is nothing to judge.
        if !trends.is_empty() {
            let window = window.cloned().unwrap_or_default();
            for row in settling::rows(&Settling::of_trends_among(window, &trends, sweep.points())) {
                settling_rows.row(
                    [point.to_string()]
                        .into_iter()
                        .chain(texts.iter().cloned())
                        .chain(row),
                );
            }
        }
    }
    [
        runs.into_bytes(),
        points.into_bytes(),
        failures.into_bytes(),
        settling_rows.into_bytes(),
    ]
}

/// `metadata.json` of a sweep (or of one shard).
#[derive(Serialize)]
pub(crate) struct SweepMetadata<'a> {
    pub sweep: &'a str,
    pub description: &'a str,
    pub sweep_hash: &'a str,
    pub design: &'a serde_json::Value,
    pub master_seed: u64,
    pub shard: ShardMetadata,
    pub crate_version: &'a str,
    pub git_commit: &'a str,
    pub threads: usize,
    pub wall_time_seconds: f64,
    pub runs_per_second: f64,
    pub runs_done: u64,
    pub runs_failed: u64,
    /// Each streamed file's rows, length and checksum (`output::FileRecord`), which `merge`
    /// checks.
    pub files: serde_json::Value,
    /// Whether the points' weekly series settled (read back from `settling.csv`).
    pub settling: &'a SweepSettling,
    /// The posterior each run drew from (`--posterior`); absent without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub posterior: Option<PosteriorMetadata>,
    pub resolved_base_scenario: serde_json::Value,
}

/// Which part of the sweep a directory holds.
#[derive(Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ShardMetadata {
    pub index: u32,
    pub count: u32,
    pub first_point: u64,
    pub points: u64,
    pub runs: u64,
}

fn metadata_json(
    sweep: &Sweep,
    options: &SweepOptions,
    shard_points: &Range<u64>,
    done: &Progress,
    wall_time_seconds: f64,
    settling: &SweepSettling,
    files: serde_json::Value,
) -> Result<Vec<u8>, SweepError> {
    let runs = done.runs_done + done.runs_failed;
    let metadata = SweepMetadata {
        sweep: &sweep.name,
        description: &sweep.description,
        sweep_hash: &sweep.hash,
        design: &sweep.resolved_design,
        master_seed: sweep.master_seed,
        shard: ShardMetadata {
            index: options.shard.index,
            count: options.shard.count,
            first_point: shard_points.start,
            points: shard_points.end - shard_points.start,
            runs,
        },
        crate_version: CRATE_VERSION,
        git_commit: GIT_COMMIT,
        threads: options.threads,
        wall_time_seconds: round3(wall_time_seconds),
        runs_per_second: if wall_time_seconds > 0.0 {
            round3(runs as f64 / wall_time_seconds)
        } else {
            0.0
        },
        runs_done: done.runs_done,
        runs_failed: done.runs_failed,
        files,
        settling,
        posterior: sweep.posterior.as_ref().map(|posterior| {
            posterior.metadata(&posterior.draws(sweep.master_seed, sweep.replicates))
        }),
        resolved_base_scenario: serde_json::to_value(&sweep.base.resolved)
            .unwrap_or(serde_json::Value::Null),
    };
    render_metadata(&metadata)
}

pub(crate) fn render_metadata(metadata: &SweepMetadata<'_>) -> Result<Vec<u8>, SweepError> {
    let mut bytes = serde_json::to_vec_pretty(metadata).map_err(|source| SweepError::Render {
        file_name: output::METADATA_JSON,
        source,
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}

pub fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

/// What `--dry-run` found: the size of the sweep and an estimate of its time.
#[derive(Debug, Clone, PartialEq)]
pub struct DryRun {
    pub name: String,
    pub design: &'static str,
    /// Each axis's key and number of levels.
    pub axes: Vec<(String, usize)>,
    pub points: u64,
    pub replicates: u32,
    pub runs: u64,
    pub shard: Shard,
    pub shard_points: Range<u64>,
    pub shard_runs: u64,
    /// Points timed and the mean seconds of one run over them.
    pub timed_points: usize,
    pub seconds_per_run: f64,
    pub threads: usize,
}

impl DryRun {
    /// The estimated wall time of the shard, assuming the threads are kept busy.
    pub fn estimated_seconds(&self) -> f64 {
        self.seconds_per_run * self.shard_runs as f64 / self.threads.max(1) as f64
    }
}

/// Points `--dry-run` times.
const DRY_RUN_PROBES: u64 = 8;

/// The points `--dry-run` times: `DRY_RUN_PROBES` drawn uniformly (with replacement, from a fixed
/// hash, so the estimate is repeatable) from the shard's points, or every point of a smaller
/// shard. Uniform draws make the mean time an unbiased estimate of a run's time; evenly spaced
/// or first-middle-last points are not, when an axis that sets a run's size (cluster size, say)
/// varies in step with the spacing.
pub(crate) fn dry_run_probes(shard_points: &Range<u64>) -> Vec<u64> {
    sample_points(shard_points, DRY_RUN_PROBES)
}

/// `draws` points drawn as `dry_run_probes` draws them, or every point of a smaller shard.
fn sample_points(shard_points: &Range<u64>, draws: u64) -> Vec<u64> {
    let count = shard_points.end - shard_points.start;
    if count <= draws {
        return shard_points.clone().collect();
    }
    (0..draws)
        .map(|k| shard_points.start + crate::model::rng::mix64(0xD12E_5EED ^ k) % count)
        .collect()
}

/// Points whose size the a-priori estimate of a sweep reads (building a point's scenario takes
/// far less than running it, so more than `--dry-run` times).
const ESTIMATE_SAMPLES: u64 = 64;

/// What a sweep's shard costs, for the memory check and the a-priori time (`estimate`): one run
/// costs the mean seconds of up to `ESTIMATE_SAMPLES` of its points drawn as `--dry-run` draws
/// them (every point of a smaller shard) and the memory of the largest of those, the first and
/// the last point (a swept size usually grows along an axis). The base scenario stands in when
/// no point can be built.
pub fn job(sweep: &Sweep, shard: Shard, threads: usize) -> Job {
    let points = shard.points(sweep.points());
    let cost = |point: u64| {
        sweep
            .point_scenario(point)
            .ok()
            .map(|scenario| RunCost::of(&scenario.params))
    };
    let sampled: Vec<RunCost> = sample_points(&points, ESTIMATE_SAMPLES)
        .into_iter()
        .filter_map(cost)
        .collect();
    let mut run = RunCost::mean_of(&sampled).unwrap_or_else(|| RunCost::of(&sweep.base.params));
    for point in [points.start, points.end.saturating_sub(1)] {
        if point < points.end
            && let Some(end) = cost(point)
        {
            run = RunCost {
                seconds: run.seconds,
                ..run.max(end)
            };
        }
    }
    Job {
        run,
        runs: ((points.end - points.start) * u64::from(sweep.replicates)) as f64,
        threads: threads as f64,
        kept: 0.0,
        frames: 0.0,
    }
}

/// Sizes the sweep and times one run of up to eight of the shard's points (after one untimed run,
/// so that the first timing does not carry the cost of warming up the caches and allocator),
/// running nothing else and writing nothing.
pub fn dry_run(sweep: &Sweep, shard: Shard, threads: usize) -> DryRun {
    let shard_points = shard.points(sweep.points());
    let replicates = u64::from(sweep.replicates);
    let probes = dry_run_probes(&shard_points);
    let run = |point: u64| -> Option<f64> {
        let scenario = sweep.point_scenario(point).ok()?;
        let started = Instant::now();
        let _ = catch_panic(|| measures(&model::simulate(&scenario.params, scenario.seed)));
        Some(started.elapsed().as_secs_f64())
    };
    if let Some(&first) = probes.first() {
        let _ = run(first);
    }
    let timed: Vec<f64> = probes.into_iter().filter_map(run).collect();
    let seconds_per_run = if timed.is_empty() {
        f64::NAN
    } else {
        timed.iter().sum::<f64>() / timed.len() as f64
    };
    DryRun {
        name: sweep.name.clone(),
        design: sweep.design.kind.key(),
        axes: sweep
            .design
            .axes
            .iter()
            .map(|axis| (axis.key.clone(), axis.levels.len()))
            .collect(),
        points: sweep.points(),
        replicates: sweep.replicates,
        runs: sweep.runs(),
        shard,
        shard_runs: (shard_points.end - shard_points.start) * replicates,
        shard_points,
        timed_points: timed.len(),
        seconds_per_run,
        threads,
    }
}

impl fmt::Display for DryRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "sweep {:?}: {} design, {} points × {} replicates = {} runs",
            self.name, self.design, self.points, self.replicates, self.runs
        )?;
        for (key, levels) in &self.axes {
            let noun = if self.design == "lhs" {
                "samples"
            } else {
                "values"
            };
            writeln!(f, "  {key}: {levels} {noun}")?;
        }
        write_estimate(
            f,
            self.shard,
            &self.shard_points,
            self.shard_runs,
            self.timed_points,
            self.seconds_per_run,
            self.estimated_seconds(),
            self.threads,
        )
    }
}

/// The lines of a `--dry-run` after the first: the shard's points and runs (when it is not the
/// whole), the time of one run over the timed points and the estimate.
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_estimate(
    f: &mut fmt::Formatter<'_>,
    shard: Shard,
    shard_points: &Range<u64>,
    shard_runs: u64,
    timed_points: usize,
    seconds_per_run: f64,
    estimated_seconds: f64,
    threads: usize,
) -> fmt::Result {
    if shard != Shard::WHOLE {
        writeln!(
            f,
            "shard {}: points {} to {} ({} points), {} runs",
            shard,
            shard_points.start,
            shard_points.end.saturating_sub(1),
            shard_points.end - shard_points.start,
            shard_runs
        )?;
    }
    if timed_points == 0 {
        writeln!(f, "no run timed, so no estimate of the time")
    } else {
        writeln!(
            f,
            "one run takes about {:.1} ms (timed on {} point{}); estimated {} on {} thread{}",
            seconds_per_run * 1000.0,
            timed_points,
            if timed_points == 1 { "" } else { "s" },
            duration_text(estimated_seconds),
            threads,
            if threads == 1 { "" } else { "s" }
        )
    }
}

/// Seconds as `12.3 s`, `4 min 5 s` or `2 h 3 min`.
pub(crate) fn duration_text(seconds: f64) -> String {
    if !seconds.is_finite() {
        return "an unknown time".to_string();
    }
    if seconds < 60.0 {
        return format!("{seconds:.1} s");
    }
    let whole = seconds.round() as u64;
    if whole < 3600 {
        format!("{} min {} s", whole / 60, whole % 60)
    } else {
        format!("{} h {} min", whole / 3600, (whole % 3600) / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dry_run_probes_are_repeatable_draws_from_the_shard() {
        assert_eq!(dry_run_probes(&(0..0)), Vec::<u64>::new());
        assert_eq!(dry_run_probes(&(10..13)), vec![10, 11, 12]);
        let probes = dry_run_probes(&(100..154));
        assert_eq!(probes.len(), 8);
        assert!(probes.iter().all(|point| (100..154).contains(point)));
        assert_eq!(probes, dry_run_probes(&(100..154)));
        // The headline sweep: 54 points, the last axis (cluster size) with 3 levels; the draws
        // time every cluster size, not the largest only.
        let mut levels: Vec<u64> = dry_run_probes(&(0..54)).iter().map(|p| p % 3).collect();
        levels.sort_unstable();
        levels.dedup();
        assert_eq!(levels, vec![0, 1, 2]);
    }

    #[test]
    fn a_sweep_costs_the_mean_time_of_its_points_and_the_memory_of_the_largest() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join("cluster-size-sweep.toml");
        let sweep = Sweep::load(Some(&path), &[]).unwrap();
        let estimate = job(&sweep, Shard::WHOLE, 2).estimate();
        // 1,280 runs of 1 to 30 primaries measured 11 CPU seconds (5.6 s on two threads); the
        // largest point (30 primaries) costed for every run would say four times as much.
        assert!(
            (2.5..12.0).contains(&estimate.seconds),
            "{}",
            estimate.seconds
        );
        let largest = RunCost::of(&sweep.point_scenario(sweep.points() - 1).unwrap().params);
        assert_eq!(
            job(&sweep, Shard::WHOLE, 2).run.running_bytes,
            largest.running_bytes
        );
        // A shard costs its own runs.
        let shard = Shard { index: 1, count: 4 };
        let part = job(&sweep, shard, 2);
        assert_eq!(part.runs, 8.0 * 40.0);
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_text(1.234), "1.2 s");
        assert_eq!(duration_text(245.0), "4 min 5 s");
        assert_eq!(duration_text(7380.0), "2 h 3 min");
    }
}
