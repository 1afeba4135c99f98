//! Running an analysis on the sweep's engine: chunks of whole points computed on a rayon pool
//! (`batch::engine`), `samples.csv` and `runs.csv` streamed to disk in point order and journaled
//! after each chunk (`sweep::output`), so a killed analysis resumes to the same bytes, a shard
//! (`--shard I/N`, a block of whole points) writes its own rows for `patchwork merge` to join,
//! and the bytes never depend on the thread count. `indices.csv`, the plot and `report.html` are
//! computed from `runs.csv` as written, once every row is in: at the end of an unsharded run, or
//! at the merge.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rayon::prelude::*;
use serde_json::json;

use crate::batch::engine::{catch_panic, chunk_ranges, run_chunks};
use crate::batch::sweep::output::{self, Identity, Opened, Progress};
use crate::batch::sweep::{self, Shard, SweepError, SweepOptions};
use crate::gsa::{EvaluationError, Evaluations, GsaError, Model};
use crate::output::OutputDir;
use crate::output::export::metadata_json::{CRATE_VERSION, GIT_COMMIT};

use super::files::{self, INDICES_CSV, REPORT_HTML, RUNS_CSV, SAMPLES_CSV};
use super::{
    SensitivityError, SensitivitySpec, runs_header, runs_rows, samples_header, samples_rows,
};

/// The files streamed while the analysis runs, in the order the journal records them.
pub const STREAMED: [&str; 2] = [SAMPLES_CSV, RUNS_CSV];

/// Runs per thread in one chunk (as the sweep's).
const RUNS_PER_THREAD_PER_CHUNK: u64 = 48;

/// What a run did.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Runs of this shard (over every start).
    pub runs: u64,
    /// Runs done before this start, by an interrupted start that `--resume` carried on.
    pub runs_resumed: u64,
    /// `--resume` found the analysis already finished and ran nothing.
    pub already_finished: bool,
    pub wall_time_seconds: f64,
    /// The files written (empty when already finished).
    pub written: Vec<PathBuf>,
}

fn identity(spec: &SensitivitySpec, shard: Shard) -> Identity {
    Identity {
        hash: spec.hash.clone(),
        shard,
        version: CRATE_VERSION.to_string(),
        commit: GIT_COMMIT.to_string(),
    }
}

/// One chunk: its points and each point's runs (or the first failure, in run order).
struct Chunk {
    points: Range<u64>,
    runs: Result<Vec<Vec<Vec<f64>>>, GsaError>,
    /// A signal came before every run was done: the chunk is not written.
    abandoned: bool,
}

/// Runs the analysis's shard into `options.output_dir`. `progress` is called with the runs of
/// the shard finished so far: once at the start, then after each run, from any thread.
pub fn run(
    spec: &SensitivitySpec,
    options: &SweepOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Outcome, SensitivityError> {
    let sample = spec.sample()?;
    let points = sample.values(&spec.space);
    let shard_points = options.shard.points(points.len() as u64);
    let replicates = spec.replicates;
    let shard_runs = (shard_points.end - shard_points.start) * replicates;
    let identity = identity(spec, options.shard);
    let headers = [
        samples_header(spec, &sample).into_bytes(),
        runs_header(spec).into_bytes(),
    ];
    let opened = if options.resume {
        output::resume_streamed(
            &options.output_dir,
            &identity,
            &STREAMED,
            &headers,
            shard_points.start,
        )?
    } else {
        remove_derived(&options.output_dir, options.force)?;
        Opened::Running(output::start_streamed(
            &options.output_dir,
            options.force,
            &identity,
            &STREAMED,
            &headers,
            shard_points.start,
        )?)
    };
    let mut files = match opened {
        Opened::Finished { .. } => {
            return Ok(Outcome {
                runs: shard_runs,
                runs_resumed: shard_runs,
                already_finished: true,
                wall_time_seconds: 0.0,
                written: Vec::new(),
            });
        }
        Opened::Running(files) => files,
    };
    let started = Instant::now();
    let before = files.progress.clone();
    let runs_resumed = before.runs_done;
    let finished = AtomicU64::new(runs_resumed);
    progress(runs_resumed);
    let seeds = spec.replicate_seeds();
    let points_per_chunk =
        (RUNS_PER_THREAD_PER_CHUNK * options.threads as u64).div_ceil(replicates);
    let remaining = before.next_point.max(shard_points.start)..shard_points.end;

    let compute = |range: Range<u64>| -> Chunk {
        // Stopping (Ctrl-C, SIGTERM): runs not yet started are skipped and the chunk abandoned.
        let abandoned = std::sync::atomic::AtomicBool::new(false);
        let runs: Vec<Result<Vec<f64>, GsaError>> = (range.start * replicates
            ..range.end * replicates)
            .into_par_iter()
            .map(|run| {
                let point = (run / replicates) as usize;
                let replicate = run % replicates;
                if crate::batch::interrupt::received().is_some() {
                    abandoned.store(true, Ordering::Relaxed);
                    return Ok(Vec::new());
                }
                let evaluated = catch_panic(|| {
                    spec.model
                        .evaluate(&points[point], seeds[replicate as usize])
                })
                .unwrap_or_else(|message| Err(EvaluationError(message)));
                progress(finished.fetch_add(1, Ordering::Relaxed) + 1);
                evaluated.map_err(|source| GsaError::Evaluation {
                    point,
                    replicate,
                    source,
                })
            })
            .collect();
        let runs = runs.into_iter().collect::<Result<Vec<_>, _>>().map(|runs| {
            runs.chunks(replicates as usize)
                .map(<[Vec<f64>]>::to_vec)
                .collect()
        });
        Chunk {
            points: range,
            runs,
            abandoned: abandoned.into_inner(),
        }
    };
    let write = |chunk: Chunk| -> Result<(), SensitivityError> {
        if chunk.abandoned {
            SweepError::if_interrupted(&options.output_dir)?;
        }
        let runs = chunk.runs?;
        let first = chunk.points.start as usize;
        let samples = samples_rows(&sample, &points, first..chunk.points.end as usize);
        let rows = runs_rows(first, &runs, &seeds);
        let next = Progress {
            next_point: chunk.points.end,
            runs_done: files.progress.runs_done + runs.len() as u64 * replicates,
            elapsed_ms: before.elapsed_ms + started.elapsed().as_millis() as u64,
            ..files.progress.clone()
        };
        files.append(&[samples.as_bytes(), rows.as_bytes()], next)?;
        // Stopping: the chunk is written and journaled; `--resume` carries on after it.
        Ok(SweepError::if_interrupted(&options.output_dir)?)
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
    let metadata = metadata_json(
        spec,
        options,
        &shard_points,
        &done,
        wall_time_seconds,
        files.file_records()?,
    );
    // The results go in before `finish` writes metadata.json and removes the journal, so that a
    // kill in between leaves a directory `--resume` finishes, never one that looks finished
    // without its indices.
    let mut results = Vec::new();
    if options.shard == Shard::WHOLE {
        let runs = options
            .output_dir
            .join(sweep::output::partial_name(RUNS_CSV));
        results = write_results_from(spec, &options.output_dir, &runs)?;
    }
    let mut written = files.finish(&metadata)?;
    written.extend(results);
    Ok(Outcome {
        runs: shard_runs,
        runs_resumed,
        already_finished: false,
        wall_time_seconds,
        written,
    })
}

/// Removes the files computed at the end, so that a new start (with `--force`) leaves none of
/// an earlier analysis's results beside its own rows.
fn remove_derived(directory: &Path, force: bool) -> Result<(), SensitivityError> {
    if !force {
        return Ok(());
    }
    for name in [
        INDICES_CSV,
        REPORT_HTML,
        crate::output::plot::SENSITIVITY_MORRIS_PNG,
        crate::output::plot::SENSITIVITY_SOBOL_PNG,
    ] {
        let path = directory.join(name);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(SweepError::write(path)(error).into()),
        }
    }
    Ok(())
}

/// Reads `runs.csv` of `directory` back and writes `indices.csv`, the plot and `report.html`
/// beside it. Returns their paths.
pub fn write_results(
    spec: &SensitivitySpec,
    directory: &Path,
) -> Result<Vec<PathBuf>, SensitivityError> {
    write_results_from(spec, directory, &directory.join(RUNS_CSV))
}

/// As `write_results`, reading the runs from `runs` (the growing `runs.csv.partial` of an
/// analysis about to finish).
fn write_results_from(
    spec: &SensitivitySpec,
    directory: &Path,
    runs: &Path,
) -> Result<Vec<PathBuf>, SensitivityError> {
    let path = runs.to_path_buf();
    let bytes = std::fs::read(&path).map_err(|source| SensitivityError::Read {
        path: path.clone(),
        source,
    })?;
    let sample = spec.sample()?;
    let points = sample.values(&spec.space);
    let evaluations =
        read_runs(spec, points.len(), &bytes).map_err(|reason| SensitivityError::Spec {
            path: path.clone(),
            reason,
        })?;
    let rows = sample.estimate(spec, points, evaluations.clone());
    let rendered = files::render(spec, &evaluations, &rows)?;
    Ok(OutputDir::new(directory, true)?.add_files(&rendered)?)
}

/// `runs.csv`'s text as the runs of every point: each of `points` points must have every
/// replicate, in order.
fn read_runs(spec: &SensitivitySpec, points: usize, bytes: &[u8]) -> Result<Evaluations, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "is not UTF-8 text".to_string())?;
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default();
    if format!("{header}\n") != runs_header(spec) {
        return Err(format!(
            "its header is not this analysis's ({}); was it written for another file?",
            runs_header(spec).trim_end()
        ));
    }
    let outputs = spec.model.output_names().len();
    let replicates = spec.replicates as usize;
    let mut runs: Vec<Vec<Vec<f64>>> = Vec::with_capacity(points);
    for (number, line) in lines.enumerate() {
        let (point, replicate) = (number / replicates, number % replicates);
        let fields: Vec<&str> = line.split(',').collect();
        let expected = [point.to_string(), replicate.to_string()];
        if fields.len() != 3 + outputs || fields[..2] != expected {
            return Err(format!(
                "line {} is not point {point}, replicate {replicate} with {outputs} measures",
                number + 2
            ));
        }
        let values = fields[3..]
            .iter()
            .map(|field| crate::output::csv::parse_float(field))
            .collect::<Option<Vec<f64>>>()
            .ok_or_else(|| format!("line {} has a value that is not a number", number + 2))?;
        if replicate == 0 {
            runs.push(Vec::with_capacity(replicates));
        }
        runs[point].push(values);
    }
    if runs.len() != points || runs.last().is_some_and(|last| last.len() != replicates) {
        return Err(format!(
            "it holds {} of the {} runs; finish the analysis (--resume) or merge every shard",
            text.lines().count().saturating_sub(1),
            points * replicates
        ));
    }
    Ok(Evaluations {
        outputs: spec.model.output_names().to_vec(),
        replicate_seeds: spec.replicate_seeds(),
        runs,
    })
}

fn metadata_json(
    spec: &SensitivitySpec,
    options: &SweepOptions,
    shard_points: &Range<u64>,
    done: &Progress,
    wall_time_seconds: f64,
    files: serde_json::Value,
) -> Vec<u8> {
    let runs = (shard_points.end - shard_points.start) * spec.replicates;
    let metadata = json!({
        "analysis": "sensitivity",
        "sensitivity": spec.name,
        "file": spec.path.display().to_string(),
        "sweep_hash": spec.hash,
        "method": spec.method_name(),
        "points": spec.points(),
        "replicates": spec.replicates,
        "seed": spec.seed,
        "shard": {
            "index": options.shard.index,
            "count": options.shard.count,
            "first_point": shard_points.start,
            "points": shard_points.end - shard_points.start,
            "runs": runs,
        },
        "crate_version": CRATE_VERSION,
        "git_commit": GIT_COMMIT,
        "threads": options.threads,
        "wall_time_seconds": sweep::round3(wall_time_seconds),
        "runs_per_second": if wall_time_seconds > 0.0 { sweep::round3(runs as f64 / wall_time_seconds) } else { 0.0 },
        "runs_done": done.runs_done,
        "runs_failed": done.runs_failed,
        "files": files,
    });
    let mut bytes = serde_json::to_vec_pretty(&metadata).expect("JSON of plain values");
    bytes.push(b'\n');
    bytes
}

/// Whether `directory` holds a finished shard (or run) of a sensitivity analysis.
pub fn is_sensitivity_dir(directory: &Path) -> bool {
    std::fs::read(directory.join(sweep::METADATA_JSON))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .is_some_and(|metadata| metadata["analysis"] == "sensitivity")
}

/// What a merge wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct MergeOutcome {
    pub shards: u32,
    pub runs: u64,
    pub written: Vec<PathBuf>,
}

/// Joins the shard directories `inputs` of one analysis into `output_dir`: `samples.csv` and
/// `runs.csv` concatenated (the same bytes as an unsharded run), `metadata.json`, then
/// `indices.csv`, the plot and `report.html` from the joined runs. The sensitivity file recorded
/// in the shards' `metadata.json` is read again and must be unchanged.
pub fn merge(
    inputs: &[PathBuf],
    output_dir: &Path,
    force: bool,
) -> Result<MergeOutcome, SensitivityError> {
    let first = inputs.first().map(|d| d.join(sweep::METADATA_JSON));
    let metadata: serde_json::Value = match &first {
        Some(path) => std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or(serde_json::Value::Null),
        None => serde_json::Value::Null,
    };
    let file = PathBuf::from(metadata["file"].as_str().unwrap_or_default());
    let spec = super::load(&file)?;
    if metadata["sweep_hash"].as_str() != Some(spec.hash.as_str()) {
        return Err(SensitivityError::Spec {
            path: file,
            reason: "it (or its base scenario) has changed since the shards ran; merge with \
                     the file as it was, or run the analysis again"
                .into(),
        });
    }
    let merged = sweep::merge::merge_streamed(inputs, output_dir, force, &STREAMED)?;
    let staged = merged.staging.path().to_path_buf();
    let mut written: Vec<PathBuf> = STREAMED.iter().map(|name| staged.join(name)).collect();
    written.push(sweep::merge::write_metadata(&staged, &merged.metadata)?);
    written.extend(write_results(&spec, &staged)?);
    merged.staging.commit()?;
    let written = written
        .into_iter()
        .map(|path| {
            path.strip_prefix(&staged)
                .map_or(path.clone(), |inside| output_dir.join(inside))
        })
        .collect();
    Ok(MergeOutcome {
        shards: merged.shards,
        runs: merged.runs,
        written,
    })
}

/// What `--dry-run` found: the size of the analysis and an estimate of its time.
#[derive(Debug, Clone, PartialEq)]
pub struct DryRun {
    pub name: String,
    pub method: &'static str,
    pub parameters: usize,
    pub points: u64,
    pub replicates: u64,
    pub shard: Shard,
    pub shard_points: Range<u64>,
    /// Points timed (one run each) and the mean seconds of a run over them.
    pub timed_points: usize,
    pub seconds_per_run: f64,
    pub threads: usize,
}

impl DryRun {
    pub fn runs(&self) -> u64 {
        self.points * self.replicates
    }

    pub fn shard_runs(&self) -> u64 {
        (self.shard_points.end - self.shard_points.start) * self.replicates
    }

    /// The estimated wall time of the shard, assuming the threads are kept busy.
    pub fn estimated_seconds(&self) -> f64 {
        self.seconds_per_run * self.shard_runs() as f64 / self.threads.max(1) as f64
    }
}

/// Sizes the analysis and times one run at each of up to eight of the shard's points (drawn as
/// the sweep's `--dry-run` draws them, after one untimed run), writing nothing.
pub fn dry_run(
    spec: &SensitivitySpec,
    shard: Shard,
    threads: usize,
) -> Result<DryRun, SensitivityError> {
    let sample = spec.sample()?;
    let points = sample.values(&spec.space);
    let shard_points = shard.points(points.len() as u64);
    let probes = sweep::run::dry_run_probes(&shard_points);
    let seed = spec.replicate_seeds()[0];
    let time = |point: u64| -> Result<f64, SensitivityError> {
        let started = Instant::now();
        spec.model
            .evaluate(&points[point as usize], seed)
            .map_err(|source| GsaError::Evaluation {
                point: point as usize,
                replicate: 0,
                source,
            })?;
        Ok(started.elapsed().as_secs_f64())
    };
    if let Some(&first) = probes.first() {
        time(first)?;
    }
    let timed = probes
        .iter()
        .map(|&point| time(point))
        .collect::<Result<Vec<f64>, _>>()?;
    Ok(DryRun {
        name: spec.name.clone(),
        method: spec.method_name(),
        parameters: spec.space.dimension(),
        points: points.len() as u64,
        replicates: spec.replicates,
        shard,
        shard_points,
        timed_points: timed.len(),
        seconds_per_run: if timed.is_empty() {
            f64::NAN
        } else {
            timed.iter().sum::<f64>() / timed.len() as f64
        },
        threads,
    })
}

impl std::fmt::Display for DryRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "sensitivity {:?}: {} design over {} parameters, {} points × {} replicates = {} runs",
            self.name,
            self.method,
            self.parameters,
            self.points,
            self.replicates,
            self.runs()
        )?;
        sweep::run::write_estimate(
            f,
            self.shard,
            &self.shard_points,
            self.shard_runs(),
            self.timed_points,
            self.seconds_per_run,
            self.estimated_seconds(),
            self.threads,
        )
    }
}
