//! National scenarios: thousands of patches (England: 3,800 patches, 24,000 schools, 9 million
//! pupils) run in parallel, one patch per task, their measures streamed to `localities.csv`.
//!
//! `model::simulate` steps every locality copy of a scenario in one loop and merges their records
//! into one output, which for England would hold every episode of 9 million pupils at once and use
//! one core. Patches do not interact, so here each copy is its own run instead: a `Params` per
//! `[[locality]]` entry holding that entry alone (count 1, with the events aimed at it), simulated
//! from the copy's own seed, `mix64` of the master seed and the copy's index across the scenario,
//! and measured at once. Copies are computed in chunks on a rayon pool and written in index order
//! (`sweep`'s engine), so the bytes do not depend on the thread count and memory holds two chunks
//! of outputs at most. `national.csv` then summarises each measure over the patches: the
//! pupil-weighted mean (a typical pupil's patch), the mean with its 95% interval, and the median
//! and 10th and 90th percentiles (how much patches differ). A patch whose run panics is written
//! to `failures.csv` and left out of the summary.

use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use crate::metrics::{Measures, Summary, measures};
use crate::model::{self, Params, rng};
use crate::report::OutputDir;
use crate::report::format::format_float;
use crate::report::metadata_json::{CRATE_VERSION, GIT_COMMIT};
use crate::scenario::{BuiltIn, Scenario, ScenarioError, ScenarioTree};
use crate::sweep::SweepError;
use crate::sweep::engine::{catch_panic, chunk_ranges, run_chunks};
use crate::sweep::output::{sync_directory, write_via_temporary};

/// England, run by `patchwork national` without a file.
const ENGLAND_TOML: &str = include_str!("../scenarios/england.toml");
const ENGLAND_NAME: &str = "england.toml (built in)";

pub const LOCALITIES_CSV: &str = "localities.csv";
pub const NATIONAL_CSV: &str = "national.csv";
pub const FAILURES_CSV: &str = "failures.csv";
pub const METADATA_JSON: &str = "metadata.json";

/// Patches per thread in one chunk.
const PATCHES_PER_THREAD_PER_CHUNK: u64 = 16;

/// Loads a national scenario: the file at `path`, or England when `None`.
pub fn load(path: Option<&Path>, sets: &[String]) -> Result<Scenario, ScenarioError> {
    let england = BuiltIn {
        name: ENGLAND_NAME,
        text: ENGLAND_TOML,
    };
    ScenarioTree::load(path, england, sets, &[])?.build()
}

/// The seed of patch `index` (its position across every copy of every entry).
pub fn patch_seed(master_seed: u64, index: u64) -> u64 {
    rng::mix64(rng::mix64(master_seed) ^ rng::mix64(index.wrapping_add(0xA076_1D64_78BD_642F)))
}

/// How to run a national scenario.
#[derive(Debug, Clone)]
pub struct NationalOptions {
    pub output_dir: PathBuf,
    /// Threads to use (already resolved: at least 1).
    pub threads: usize,
    pub force: bool,
}

/// What a national run did.
#[derive(Debug, Clone, PartialEq)]
pub struct NationalOutcome {
    pub patches: u64,
    pub patches_failed: u64,
    pub schools: u64,
    pub pupils: u64,
    pub wall_time_seconds: f64,
    pub written: Vec<PathBuf>,
}

/// One `[[locality]]` entry as its own scenario, and the first patch index of its copies.
struct Entry {
    params: Params,
    first_patch: u64,
    schools: u64,
}

/// One patch's result.
struct PatchResult {
    patch: u64,
    seed: u64,
    pupils: u32,
    measures: Result<Measures, String>,
}

/// Splits the scenario into one single-locality `Params` per entry.
fn entries(params: &Params) -> Vec<Entry> {
    let mut first_patch = 0;
    params
        .localities
        .iter()
        .enumerate()
        .map(|(entry_index, locality)| {
            let mut single = params.clone();
            let mut only = locality.clone();
            only.count = 1;
            single.localities = vec![only];
            single.events = params
                .events
                .iter()
                .filter(|event| {
                    event
                        .locality
                        .is_none_or(|aimed| aimed as usize == entry_index)
                })
                .map(|event| {
                    let mut event = event.clone();
                    event.locality = event.locality.map(|_| 0);
                    event
                })
                .collect();
            let entry = Entry {
                params: single,
                first_patch,
                schools: u64::from(locality.primaries + locality.secondaries),
            };
            first_patch += u64::from(locality.count);
            entry
        })
        .collect()
}

/// The entry a patch belongs to.
fn entry_of(entries: &[Entry], patch: u64) -> usize {
    entries.partition_point(|entry| entry.first_patch <= patch) - 1
}

/// Runs every patch of `scenario` into `options.output_dir`. `progress` is called with the number
/// of patches finished so far, from any thread.
pub fn run_national(
    scenario: &Scenario,
    options: &NationalOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<NationalOutcome, SweepError> {
    // Everything is written into a directory under a temporary name beside the target and renamed
    // into place at the end: a failure (a full disk) or a kill leaves no half-written output.
    let staging = OutputDir::new(&options.output_dir, options.force)?.stage()?;
    let directory = staging.path().to_path_buf();
    let entries = entries(&scenario.params);
    let patches: u64 = scenario
        .params
        .localities
        .iter()
        .map(|locality| u64::from(locality.count))
        .sum();
    let localities_path = directory.join(LOCALITIES_CSV);
    let file =
        std::fs::File::create(&localities_path).map_err(SweepError::write(&localities_path))?;
    let mut localities_csv = std::io::BufWriter::new(file);
    let header: Vec<&str> = [
        "locality", "entry", "name", "copy", "seed", "pupils", "schools",
    ]
    .into_iter()
    .chain(Measures::NAMES.iter().copied())
    .collect();
    write_row(
        &mut localities_csv,
        header.iter().map(|field| field.to_string()),
    )
    .map_err(SweepError::write(&localities_path))?;

    let started = Instant::now();
    let finished = AtomicU64::new(0);
    progress(0);
    let compute = |range: Range<u64>| -> Vec<PatchResult> {
        range
            .into_par_iter()
            .map(|patch| {
                let entry = &entries[entry_of(&entries, patch)];
                let seed = patch_seed(scenario.seed, patch);
                let result = catch_panic(|| {
                    let output = model::simulate(&entry.params, seed);
                    (output.pupils, measures(&output))
                });
                progress(finished.fetch_add(1, Ordering::Relaxed) + 1);
                PatchResult {
                    patch,
                    seed,
                    pupils: result.as_ref().map_or(0, |(pupils, _)| *pupils),
                    measures: result.map(|(_, measures)| measures),
                }
            })
            .collect()
    };
    // Kept for the summary: each patch's pupils and measures (a few hundred bytes a patch).
    let mut kept: Vec<(u32, Measures)> = Vec::new();
    let mut failures: Vec<Vec<String>> = Vec::new();
    let write = |results: Vec<PatchResult>| -> Result<(), SweepError> {
        for result in results {
            let entry_index = entry_of(&entries, result.patch);
            let entry = &entries[entry_index];
            let locality = &entry.params.localities[0];
            match result.measures {
                Ok(measures) => {
                    let fields = [
                        result.patch.to_string(),
                        entry_index.to_string(),
                        locality.name.clone(),
                        (result.patch - entry.first_patch).to_string(),
                        result.seed.to_string(),
                        result.pupils.to_string(),
                        entry.schools.to_string(),
                    ]
                    .into_iter()
                    .chain(measures.values().into_iter().map(format_float));
                    write_row(&mut localities_csv, fields)
                        .map_err(SweepError::write(&localities_path))?;
                    kept.push((result.pupils, measures));
                }
                Err(message) => failures.push(vec![
                    result.patch.to_string(),
                    entry_index.to_string(),
                    locality.name.clone(),
                    result.seed.to_string(),
                    message,
                ]),
            }
        }
        Ok(())
    };
    let chunk = PATCHES_PER_THREAD_PER_CHUNK * options.threads as u64;
    run_chunks(
        chunk_ranges(0..patches, chunk),
        options.threads,
        compute,
        write,
    )?;
    let wall_time_seconds = started.elapsed().as_secs_f64();

    let file = localities_csv
        .into_inner()
        .map_err(|error| SweepError::write(&localities_path)(error.into_error()))?;
    file.sync_all()
        .map_err(SweepError::write(&localities_path))?;
    drop(file);

    let summary = national_rows(&kept);
    let national_path = directory.join(NATIONAL_CSV);
    write_via_temporary(&national_path, |out| {
        write_row(
            out,
            [
                "measure",
                "pupil_weighted_mean",
                "mean",
                "sd",
                "ci_low",
                "ci_high",
                "median",
                "p10",
                "p90",
                "n",
            ]
            .map(str::to_string),
        )?;
        for row in &summary {
            write_row(out, row.iter().cloned())?;
        }
        Ok(())
    })?;
    let failures_path = directory.join(FAILURES_CSV);
    write_via_temporary(&failures_path, |out| {
        write_row(
            out,
            ["locality", "entry", "name", "seed", "error"].map(str::to_string),
        )?;
        for row in &failures {
            write_row(out, row.iter().cloned())?;
        }
        Ok(())
    })?;
    let pupils: u64 = kept.iter().map(|(pupils, _)| u64::from(*pupils)).sum();
    let schools: u64 = entries
        .iter()
        .zip(&scenario.params.localities)
        .map(|(entry, locality)| entry.schools * u64::from(locality.count))
        .sum();
    let metadata = NationalMetadata {
        scenario: &scenario.name,
        description: &scenario.description,
        master_seed: scenario.seed,
        patches,
        patches_failed: failures.len() as u64,
        schools,
        pupils,
        crate_version: CRATE_VERSION,
        git_commit: GIT_COMMIT,
        threads: options.threads,
        wall_time_seconds: (wall_time_seconds * 1000.0).round() / 1000.0,
        patches_per_second: (patches as f64 / wall_time_seconds * 1000.0).round() / 1000.0,
        resolved_scenario: serde_json::to_value(&scenario.resolved)
            .unwrap_or(serde_json::Value::Null),
    };
    let mut bytes = serde_json::to_vec_pretty(&metadata).map_err(|error| SweepError::Merge {
        reason: format!("cannot render {METADATA_JSON}: {error}"),
    })?;
    bytes.push(b'\n');
    let metadata_path = directory.join(METADATA_JSON);
    write_via_temporary(&metadata_path, |out| out.write_all(&bytes))?;
    sync_directory(&directory);
    staging.commit()?;
    let final_path = |name: &str| options.output_dir.join(name);
    Ok(NationalOutcome {
        patches,
        patches_failed: failures.len() as u64,
        schools,
        pupils,
        wall_time_seconds,
        written: [LOCALITIES_CSV, NATIONAL_CSV, FAILURES_CSV, METADATA_JSON]
            .map(final_path)
            .to_vec(),
    })
}

#[derive(Serialize)]
struct NationalMetadata<'a> {
    scenario: &'a str,
    description: &'a str,
    master_seed: u64,
    patches: u64,
    patches_failed: u64,
    schools: u64,
    pupils: u64,
    crate_version: &'a str,
    git_commit: &'a str,
    threads: usize,
    wall_time_seconds: f64,
    patches_per_second: f64,
    resolved_scenario: serde_json::Value,
}

fn write_row(
    out: &mut impl Write,
    fields: impl IntoIterator<Item = String>,
) -> std::io::Result<()> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out);
    writer
        .write_record(fields.into_iter().collect::<Vec<_>>())
        .map_err(std::io::Error::other)?;
    writer.flush()
}

/// One row per measure over the patches where it is defined.
fn national_rows(kept: &[(u32, Measures)]) -> Vec<Vec<String>> {
    let values: Vec<Vec<f64>> = kept.iter().map(|(_, measures)| measures.values()).collect();
    Measures::NAMES
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let column: Vec<f64> = values.iter().map(|row| row[index]).collect();
            let (weighted, weight) = kept
                .iter()
                .zip(&column)
                .filter(|(_, value)| !value.is_nan())
                .fold((0.0, 0.0), |(sum, total), ((pupils, _), value)| {
                    let pupils = f64::from(*pupils);
                    (sum + pupils * value, total + pupils)
                });
            let summary = Summary::of(&column);
            let mut defined: Vec<f64> =
                column.into_iter().filter(|value| !value.is_nan()).collect();
            defined.sort_by(f64::total_cmp);
            vec![
                name.to_string(),
                format_float(if weight > 0.0 {
                    weighted / weight
                } else {
                    f64::NAN
                }),
                format_float(summary.mean),
                format_float(summary.sd),
                format_float(summary.ci_low),
                format_float(summary.ci_high),
                format_float(summary.median),
                format_float(quantile(&defined, 0.1)),
                format_float(quantile(&defined, 0.9)),
                summary.n.to_string(),
            ]
        })
        .collect()
}

/// The `p` quantile of sorted values, interpolating between order statistics (R's type 7); NaN
/// for none.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let position = p * (n - 1) as f64;
            let below = position.floor() as usize;
            let above = (below + 1).min(n - 1);
            let fraction = position - below as f64;
            sorted[below] + (sorted[above] - sorted[below]) * fraction
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn england_is_the_size_of_england() {
        let england = load(None, &[]).expect("the built-in England loads");
        let localities = &england.params.localities;
        let patches: u32 = localities.iter().map(|locality| locality.count).sum();
        let schools: u32 = localities
            .iter()
            .map(|locality| locality.count * (locality.primaries + locality.secondaries))
            .sum();
        let pupils: u32 = localities
            .iter()
            .map(|locality| {
                locality.count
                    * (locality.primaries * locality.primary_pupils
                        + locality.secondaries * locality.secondary_pupils)
            })
            .sum();
        assert_eq!(patches, 3_800);
        assert_eq!(schools, 24_000);
        assert!((8_500_000..9_500_000).contains(&pupils), "{pupils}");
        assert_eq!(
            england.params.horizon_weeks - england.params.warmup_weeks,
            156
        );
    }

    #[test]
    fn patches_map_to_their_entries() {
        let scenario = load(
            None,
            &[
                "locality=[{count = 2}, {count = 1, name = \"b\"}, {count = 3}]".to_string(),
                "event=[{week = 60, kind = \"minder_appointed\", locality = 1}]".to_string(),
            ],
        )
        .unwrap();
        let entries = entries(&scenario.params);
        let owners: Vec<usize> = (0..6).map(|patch| entry_of(&entries, patch)).collect();
        assert_eq!(owners, [0, 0, 1, 2, 2, 2]);
        assert!(entries.iter().all(
            |entry| entry.params.localities.len() == 1 && entry.params.localities[0].count == 1
        ));
        assert!(entries[0].params.events.is_empty());
        assert_eq!(entries[1].params.events[0].locality, Some(0));
        assert_ne!(patch_seed(1, 0), patch_seed(1, 1));
    }

    #[test]
    fn quantiles_interpolate() {
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.1), 1.4);
        assert_eq!(quantile(&[7.0], 0.9), 7.0);
        assert!(quantile(&[], 0.5).is_nan());
    }

    #[test]
    fn a_small_national_run_writes_its_files_identically_on_any_threads() {
        let scenario = load(
            None,
            &[
                "run.horizon_weeks=60".to_string(),
                "run.warmup_weeks=10".to_string(),
                "locality=[{count = 3, primaries = 2}, {count = 2, rural = true}]".to_string(),
            ],
        )
        .unwrap();
        let scratch = tempfile::tempdir().unwrap();
        let run = |name: &str, threads: usize| {
            let options = NationalOptions {
                output_dir: scratch.path().join(name),
                threads,
                force: false,
            };
            let outcome = run_national(&scenario, &options, &|_| {}).unwrap();
            assert_eq!((outcome.patches, outcome.patches_failed), (5, 0));
            assert_eq!(outcome.schools, 3 * 3 + 2 * 6);
            let read = |file: &str| std::fs::read_to_string(options.output_dir.join(file)).unwrap();
            (read(LOCALITIES_CSV), read(NATIONAL_CSV))
        };
        let one = run("one", 1);
        let two = run("two", 2);
        assert_eq!(one, two);
        let lines: Vec<&str> = one.0.lines().collect();
        assert_eq!(lines.len(), 6);
        assert!(lines[4].starts_with("3,1,cluster,0,"), "{}", lines[4]);
        assert_eq!(one.1.lines().count(), 1 + Measures::NAMES.len());
    }
}
