//! Running a calibration on the sweep's streaming machinery (`batch::sweep::output`,
//! `batch::engine`), so that a killed calibration resumes to the same bytes.
//!
//! The unit of work is a particle: particle `i` of generation `t` is unit `t × particles + i`.
//! Each generation's particles are computed in chunks on a rayon pool (`run_chunks`) and handed
//! to this thread in order, which appends every accepted particle to `particles.csv` (its values,
//! simulated values and distance written in full precision, so they read back to the same bits),
//! syncs it and journals the next unit in `sweep.journal`. When a generation's last particle is
//! in, `abc::Smc::close` weighs it and sets the next tolerance. `--resume` cuts `particles.csv`
//! back to the last journaled particle, hands the particles it holds to `close` again (which
//! recomputes the weights, tolerances and kernels exactly: they are functions of the particles)
//! and carries on from the next particle: a particle depends only on the seed, `(t, i)` and the
//! finished generations, never on the thread count or on when it runs.
//!
//! At the end `posterior.csv`, `generations.csv`, `report.html` and `plots/` are rendered from
//! the finished generations and written, and only then does `finish` write `metadata.json`, give
//! `particles.csv` its final name and remove the journal: a directory with a journal is always
//! resumable, one without holds a finished calibration.
//!
//! There are no shards: generation `t + 1` draws from the whole of generation `t`, so shards would
//! need a join after every generation, which the sweep's merge-at-the-end model does not offer.
//! The parallelism is within a generation, over `--threads`.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use super::files::{self, METADATA_JSON};
use super::{Calibration, CalibrationError, CalibrationSpec, ReplicateMeans};
use crate::abc::{AbcError, Generation, Particle, Smc};
use crate::batch::engine::{catch_panic, chunk_ranges, run_chunks};
use crate::batch::sweep::output::{self, Identity, Opened, Progress};
use crate::batch::sweep::{Shard, SweepError};
use crate::gsa::EvaluationError;
use crate::output::OutputDir;
use crate::output::export::metadata_json::{CRATE_VERSION, GIT_COMMIT};

pub use crate::output::files::PARTICLES_CSV;

/// The files streamed while the calibration runs, in the order the journal records them.
pub const STREAMED: [&str; 1] = [PARTICLES_CSV];

/// Particles per thread in one chunk: a chunk is journaled as a whole, so a kill loses at most a
/// few chunks' particles.
const PARTICLES_PER_THREAD_PER_CHUNK: u64 = 4;

/// **Test only.** When set to `N`, the process exits at once (status 137, as if killed) right
/// after journaling its `N`-th chunk, so that tests can resume from a known point. Read once per
/// start, only here.
pub const STOP_AFTER_VARIABLE: &str = "PATCHWORK_CALIBRATE_STOP_AFTER";

/// How to run a calibration.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub output_dir: PathBuf,
    /// Worker threads (0: rayon's default).
    pub threads: usize,
    /// Carry on an interrupted calibration in `output_dir`.
    pub resume: bool,
    /// Start again in an occupied directory.
    pub force: bool,
}

/// What a start did.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Simulations of the journaled particles, over every start (a particle's rejected proposals
    /// included).
    pub simulations: u64,
    /// Of those, the ones an interrupted start had done before this one.
    pub simulations_resumed: u64,
    /// Particles read back from the journal.
    pub particles_resumed: u64,
    /// `--resume` found the calibration already finished and ran nothing.
    pub already_finished: bool,
    pub wall_time_seconds: f64,
    /// The files written (empty when already finished).
    pub written: Vec<PathBuf>,
}

fn identity(spec: &CalibrationSpec) -> Identity {
    Identity {
        hash: spec.hash.clone(),
        shard: Shard::WHOLE,
        version: CRATE_VERSION.to_string(),
        commit: GIT_COMMIT.to_string(),
    }
}

/// Why a generation's chunks stopped early.
enum Halt {
    /// A particle made `max_attempts` proposals without one accepted.
    OutOfAttempts,
    Failed(CalibrationError),
}

impl From<SweepError> for Halt {
    fn from(error: SweepError) -> Halt {
        Halt::Failed(error.into())
    }
}

/// Runs (or, with `options.resume`, carries on) the calibration into `options.output_dir`.
/// `progress` is called with the simulations done so far, from any thread; `on_generation` as
/// each generation finishes (those read back from the journal included).
pub fn run(
    spec: &CalibrationSpec,
    options: &RunOptions,
    progress: &(dyn Fn(u64) + Sync),
    on_generation: &(dyn Fn(&Generation) + Sync),
) -> Result<Outcome, CalibrationError> {
    let directory = options.output_dir.as_path();
    let identity = identity(spec);
    let headers = [particles_header(spec).into_bytes()];
    let opened = if options.resume {
        output::resume_streamed(directory, &identity, &STREAMED, &headers, 0)?
    } else {
        if directory.join(output::JOURNAL).exists() && !options.force {
            return Err(CalibrationError::Unfinished {
                path: directory.to_path_buf(),
            });
        }
        remove_derived(directory, options.force)?;
        Opened::Running(output::start_streamed(
            directory,
            options.force,
            &identity,
            &STREAMED,
            &headers,
            0,
        )?)
    };
    let mut journal = match opened {
        Opened::Finished { .. } => {
            return Ok(Outcome {
                simulations: 0,
                simulations_resumed: 0,
                particles_resumed: 0,
                already_finished: true,
                wall_time_seconds: 0.0,
                written: Vec::new(),
            });
        }
        Opened::Running(files) => files,
    };
    let started = Instant::now();
    let before = journal.progress.clone();
    let kept_text = journal.read_streamed(PARTICLES_CSV)?;
    let kept = read_particles(spec, &kept_text).map_err(|reason| CalibrationError::Resume {
        path: directory.to_path_buf(),
        reason: format!("{PARTICLES_CSV}.partial: {reason}"),
    })?;
    if kept.len() as u64 != before.next_point {
        return Err(CalibrationError::Resume {
            path: directory.to_path_buf(),
            reason: format!(
                "{PARTICLES_CSV}.partial holds {} particles, its journal {}",
                kept.len(),
                before.next_point
            ),
        });
    }
    let particles_resumed = kept.len() as u64;

    let done = AtomicU64::new(before.runs_done);
    progress(before.runs_done);
    let on_run = || progress(done.fetch_add(1, Ordering::Relaxed) + 1);
    let model = ReplicateMeans::new(&spec.model, spec.replicates, spec.config.seed, &on_run);
    let targets = spec.targets.iter().map(|t| t.target.clone()).collect();
    let mut smc = Smc::new(&model, &spec.space, targets, &spec.config)?;
    let per_generation = spec.config.particles;

    // The particles kept: whole generations are closed again, the rest carried into the next.
    let mut pending: Vec<Particle> = Vec::with_capacity(per_generation);
    for particle in kept {
        if smc.stop().is_some() {
            return Err(CalibrationError::Resume {
                path: directory.to_path_buf(),
                reason: format!("{PARTICLES_CSV}.partial goes on after the calibration stopped"),
            });
        }
        pending.push(particle);
        if pending.len() == per_generation {
            on_generation(smc.close(std::mem::take(&mut pending)));
        }
    }

    let stop_after = std::env::var(STOP_AFTER_VARIABLE)
        .ok()
        .and_then(|text| text.trim().parse::<u64>().ok());
    let mut chunks_journaled = 0u64;
    let threads = options.threads.max(1) as u64;
    let per_chunk = PARTICLES_PER_THREAD_PER_CHUNK * threads;
    while smc.stop().is_none() {
        let t = smc.generation();
        let first_unit = (t * per_generation) as u64;
        let units = first_unit + pending.len() as u64..first_unit + per_generation as u64;
        let engine = &smc;
        let compute = |range: Range<u64>| -> Vec<Result<Option<Particle>, AbcError>> {
            range
                .into_par_iter()
                .map(|unit| {
                    let i = (unit - first_unit) as usize;
                    catch_panic(|| engine.propose(i)).unwrap_or_else(|message| {
                        Err(AbcError::Evaluation {
                            generation: t,
                            particle: i,
                            source: EvaluationError(message),
                        })
                    })
                })
                .collect()
        };
        let write = |chunk: Vec<Result<Option<Particle>, AbcError>>| -> Result<(), Halt> {
            let mut rows = String::new();
            let mut simulations = 0;
            let mut halt = None;
            for result in chunk {
                match result {
                    Ok(Some(particle)) => {
                        rows.push_str(&particle_row(t, pending.len(), &particle));
                        simulations += particle.runs * spec.replicates;
                        pending.push(particle);
                    }
                    Ok(None) => {
                        halt = Some(Halt::OutOfAttempts);
                        break;
                    }
                    Err(error) => {
                        halt = Some(Halt::Failed(error.into()));
                        break;
                    }
                }
            }
            let next = Progress {
                next_point: first_unit + pending.len() as u64,
                runs_done: journal.progress.runs_done + simulations,
                elapsed_ms: before.elapsed_ms + started.elapsed().as_millis() as u64,
                ..journal.progress.clone()
            };
            journal.append(&[rows.as_bytes()], next)?;
            chunks_journaled += 1;
            if stop_after == Some(chunks_journaled) {
                std::process::exit(137);
            }
            halt.map_or(Ok(()), Err)
        };
        match run_chunks(
            chunk_ranges(units, per_chunk),
            options.threads,
            compute,
            write,
        ) {
            Ok(()) => on_generation(smc.close(std::mem::take(&mut pending))),
            Err(Halt::OutOfAttempts) => smc.out_of_attempts()?,
            Err(Halt::Failed(error)) => return Err(error),
        }
    }

    let result = smc.finish().expect("the calibration stopped");
    let calibration = Calibration {
        simulated: result.posterior().outputs.clone(),
        result,
    };
    let rendered = files::render(spec, &calibration)?;
    let (metadata, others): (Vec<_>, Vec<_>) = rendered
        .into_iter()
        .partition(|file| file.file_name == METADATA_JSON);
    // Added beside the particles and the journal, which must stay until `finish` (a swap of the
    // whole directory would lose them).
    let mut written = OutputDir::new(directory, true)?.add_files(&others)?;
    let simulations = journal.progress.runs_done;
    written.extend(journal.finish(&metadata[0].bytes)?);
    Ok(Outcome {
        simulations,
        simulations_resumed: before.runs_done,
        particles_resumed,
        already_finished: false,
        wall_time_seconds: (before.elapsed_ms as f64 + started.elapsed().as_secs_f64() * 1000.0)
            / 1000.0,
        written,
    })
}

/// Removes the files rendered at the end, so that a new start (with `--force`) leaves none of an
/// earlier calibration's results beside its own particles.
fn remove_derived(directory: &Path, force: bool) -> Result<(), CalibrationError> {
    if !force {
        return Ok(());
    }
    for name in files::RENDERED {
        let path = directory.join(name);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => {
                return Err(SweepError::Write {
                    path,
                    source: error,
                }
                .into());
            }
        }
    }
    Ok(())
}

/// `particles.csv`'s header: `generation,particle,proposals,runs`, the parameters' keys, the
/// targets' measures, `distance`.
pub fn particles_header(spec: &CalibrationSpec) -> String {
    let mut header: Vec<String> = ["generation", "particle", "proposals", "runs"]
        .map(String::from)
        .to_vec();
    header.extend(spec.space.parameters().iter().map(|p| p.key().to_string()));
    header.extend(spec.targets.iter().map(|t| t.target.output.clone()));
    header.push("distance".into());
    header.join(",") + "\n"
}

/// One accepted particle as a row, its numbers in full precision (the shortest decimal that reads
/// back to the same double).
fn particle_row(generation: usize, index: usize, particle: &Particle) -> String {
    let mut row = format!(
        "{generation},{index},{},{}",
        particle.proposals, particle.runs
    );
    for value in particle.values.iter().chain(&particle.outputs) {
        row.push_str(&format!(",{value}"));
    }
    row.push_str(&format!(",{}\n", particle.distance));
    row
}

/// The particles of `particles.csv` (as written so far), checked to be this calibration's, one
/// row per particle in order.
fn read_particles(spec: &CalibrationSpec, bytes: &[u8]) -> Result<Vec<Particle>, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "is not UTF-8 text".to_string())?;
    let header = particles_header(spec);
    let body = text.strip_prefix(header.as_str()).ok_or_else(|| {
        format!(
            "its header is not this calibration's ({})",
            header.trim_end()
        )
    })?;
    let parameters = spec.space.dimension();
    let outputs = spec.targets.len();
    let per_generation = spec.config.particles;
    body.lines()
        .enumerate()
        .map(|(number, line)| {
            let (generation, index) = (number / per_generation, number % per_generation);
            let bad = || {
                format!(
                    "line {} is not particle {index} of generation {generation} with {parameters} \
                     parameters and {outputs} targets",
                    number + 2
                )
            };
            let fields: Vec<&str> = line.split(',').collect();
            if fields.len() != 5 + parameters + outputs
                || fields[..2] != [generation.to_string(), index.to_string()]
            {
                return Err(bad());
            }
            let whole = |field: &str| field.parse::<u64>().map_err(|_| bad());
            let numbers = fields[4..]
                .iter()
                .map(|field| field.parse::<f64>().map_err(|_| bad()))
                .collect::<Result<Vec<f64>, String>>()?;
            Ok(Particle {
                values: numbers[..parameters].to_vec(),
                outputs: numbers[parameters..parameters + outputs].to_vec(),
                distance: numbers[parameters + outputs],
                proposals: whole(fields[2])?,
                runs: whole(fields[3])?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // A particle's row reads back to the same bits, whatever its numbers.
    #[test]
    fn particle_rows_read_back_exactly() {
        let spec = super::super::spec::parse(
            Path::new("c.toml"),
            r#"
particles = 2
sets = ["run.horizon_weeks=60", "run.warmup_weeks=8"]
[[parameter]]
key = "demand.onset_per_1000_year"
low = 30
high = 70
[[target]]
measure = "referrals_per_10k"
value = 150
scale = 15
"#,
        )
        .unwrap();
        let particles = [
            Particle {
                values: vec![1.0 / 3.0],
                outputs: vec![152.123_456_789_012_34],
                distance: 0.1 + 0.2,
                proposals: 7,
                runs: 5,
            },
            Particle {
                values: vec![69.999_999_999_999_99],
                outputs: vec![1e-300],
                distance: f64::MIN_POSITIVE,
                proposals: 1,
                runs: 1,
            },
            Particle {
                values: vec![30.0],
                outputs: vec![-0.0],
                distance: 12.5,
                proposals: 3,
                runs: 2,
            },
        ];
        let mut text = particles_header(&spec);
        for (k, particle) in particles.iter().enumerate() {
            text.push_str(&particle_row(k / 2, k % 2, particle));
        }
        assert!(text.starts_with(
            "generation,particle,proposals,runs,demand.onset_per_1000_year,referrals_per_10k,\
             distance\n0,0,7,5,0.3333333333333333,"
        ));
        let read = read_particles(&spec, text.as_bytes()).unwrap();
        assert_eq!(read.len(), 3);
        for (a, b) in read.iter().zip(&particles) {
            assert_eq!(a, b);
            assert_eq!(a.distance.to_bits(), b.distance.to_bits());
        }
        // Out of order, or another calibration's header, is refused.
        let swapped = text.replacen("\n0,1,", "\n0,2,", 1);
        assert!(read_particles(&spec, swapped.as_bytes()).is_err());
        let other = text.replacen("distance", "dist", 1);
        assert!(read_particles(&spec, other.as_bytes()).is_err());
    }
}
