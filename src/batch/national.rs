//! National scenarios: thousands of patches (England: 3,800 patches, 24,000 schools, 9 million
//! pupils) run in parallel, one patch per task, their measures streamed to `localities.csv`.
//!
//! `model::simulate` steps every locality copy of a scenario in one loop and merges their records
//! into one output, which for England would hold every episode of 9 million pupils at once and use
//! one core. Patches do not interact, so here each copy is its own run instead: a `Params` per
//! `[[locality]]` entry holding that entry alone (count 1, with the events aimed at it), simulated
//! from the copy's own seed, `mix64` of the master seed and the copy's index across the scenario,
//! and measured at once. Copies are computed in chunks on a rayon pool and written in index order
//! (`batch::engine`), so the bytes do not depend on the thread count and memory holds two chunks
//! of outputs at most. `national.csv` then summarises each measure over the patches: the
//! pupil-weighted mean (a typical pupil's patch), the mean with its 95% interval, and the median
//! and 10th and 90th percentiles (how much patches differ). A patch whose run panics is written
//! to `failures.csv` and left out of the summary.
//!
//! The summary is computed from the measures as written to `localities.csv` (six decimals), so
//! that `patchwork merge` recomputes it from the joined rows of shards to the same bytes. A shard
//! (`--shard I/N`) runs the contiguous block `Shard::points` gives over the patches, each on the
//! seed it has unsharded, and its `metadata.json` records the block, a hash of the resolved
//! scenario and seed, and each file's rows and checksum (`sweep::merge::merge_national` joins
//! them).

use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::batch::engine::{catch_panic, chunk_ranges, run_chunks};
use crate::batch::error::{SweepError, write_via_temporary};
use crate::batch::shard::Shard;
use crate::metrics::{Measures, Summary, measures};
use crate::model::{self, Params, rng};
use crate::output::OutputDir;
use crate::output::atomic::sync_directory;
use crate::output::check::FileCheck;
use crate::output::csv::{format_float, write_row};
use crate::output::export::metadata_json::{CRATE_VERSION, GIT_COMMIT};
use crate::scenario::{BuiltIn, Scenario, ScenarioError, ScenarioTree};

/// England, run by `patchwork national` without a file.
const ENGLAND_TOML: &str = include_str!("../../scenarios/england.toml");
const ENGLAND_NAME: &str = "england.toml (built in)";

pub use crate::output::files::FAILURES_CSV;
pub use crate::output::files::LOCALITIES_CSV;
pub use crate::output::files::METADATA_JSON;
pub use crate::output::files::NATIONAL_CSV;

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
    /// The block of patches to run (`Shard::WHOLE` for every one); join shards with `merge`.
    pub shard: Shard,
}

/// What a national run did.
#[derive(Debug, Clone, PartialEq)]
pub struct NationalOutcome {
    /// Patches run (this shard's, under `--shard`).
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
    let own = options.shard.points(patches);
    let localities_path = directory.join(LOCALITIES_CSV);
    let file =
        std::fs::File::create(&localities_path).map_err(SweepError::write(&localities_path))?;
    let mut localities_csv = std::io::BufWriter::new(file);
    write_row(&mut localities_csv, localities_header())
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
    // Kept for the summary: each patch's pupils and measures as written to localities.csv (a few
    // hundred bytes a patch), so that `merge` recomputes the summary from the joined rows exactly.
    let mut kept: Vec<(u32, Vec<f64>)> = Vec::new();
    let mut failures: Vec<Vec<String>> = Vec::new();
    let write = |results: Vec<PatchResult>| -> Result<(), SweepError> {
        for result in results {
            let entry_index = entry_of(&entries, result.patch);
            let entry = &entries[entry_index];
            let locality = &entry.params.localities[0];
            match result.measures {
                Ok(measures) => {
                    let written: Vec<String> =
                        measures.values().into_iter().map(format_float).collect();
                    let values = written
                        .iter()
                        .map(|field| crate::output::csv::parse_float(field).unwrap_or(f64::NAN))
                        .collect();
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
                    .chain(written);
                    write_row(&mut localities_csv, fields)
                        .map_err(SweepError::write(&localities_path))?;
                    kept.push((result.pupils, values));
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
        chunk_ranges(own.clone(), chunk),
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

    write_national_csv(&directory.join(NATIONAL_CSV), &national_rows(&kept))?;
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
    let resolved_scenario =
        serde_json::to_value(&scenario.resolved).unwrap_or(serde_json::Value::Null);
    let own_patches = own.end - own.start;
    let metadata = NationalMetadata {
        scenario: scenario.name.clone(),
        description: scenario.description.clone(),
        master_seed: scenario.seed,
        scenario_hash: scenario_hash(scenario.seed, &resolved_scenario),
        patches,
        shard: NationalShard {
            index: options.shard.index,
            count: options.shard.count,
            first_patch: own.start,
            patches: own_patches,
        },
        patches_failed: failures.len() as u64,
        schools,
        pupils,
        crate_version: CRATE_VERSION.to_string(),
        git_commit: GIT_COMMIT.to_string(),
        threads: options.threads,
        wall_time_seconds: round3(wall_time_seconds),
        patches_per_second: round3(own_patches as f64 / wall_time_seconds),
        files: file_records(&directory)?,
        resolved_scenario,
    };
    write_metadata(&directory, &metadata)?;
    staging.commit()?;
    let final_path = |name: &str| options.output_dir.join(name);
    Ok(NationalOutcome {
        patches: own_patches,
        patches_failed: failures.len() as u64,
        schools,
        pupils,
        wall_time_seconds,
        written: [LOCALITIES_CSV, NATIONAL_CSV, FAILURES_CSV, METADATA_JSON]
            .map(final_path)
            .to_vec(),
    })
}

/// A national run's `metadata.json`. A shard's records its block of patches (`shard`), its own
/// failures and pupils, and the rows and checksum of each of its files (`files`), which `merge`
/// checks; the merged run's is the unsharded run's, wall-clock fields aside.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct NationalMetadata {
    pub scenario: String,
    pub description: String,
    pub master_seed: u64,
    /// A checksum of the resolved scenario and the seed: shards of one run share it.
    pub scenario_hash: String,
    /// Patches in the whole scenario.
    pub patches: u64,
    pub shard: NationalShard,
    pub patches_failed: u64,
    pub schools: u64,
    pub pupils: u64,
    pub crate_version: String,
    pub git_commit: String,
    pub threads: usize,
    pub wall_time_seconds: f64,
    pub patches_per_second: f64,
    /// `localities.csv`, `national.csv` and `failures.csv`: rows, bytes and checksum.
    pub files: serde_json::Value,
    pub resolved_scenario: serde_json::Value,
}

/// The block of patches a national run holds: shard `index` of `count`, patches
/// `first_patch..first_patch + patches`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct NationalShard {
    pub index: u32,
    pub count: u32,
    pub first_patch: u64,
    pub patches: u64,
}

/// Whether `directory` holds a national run (or shard of one), from its `metadata.json`.
pub fn is_national_dir(directory: &Path) -> bool {
    std::fs::read(directory.join(METADATA_JSON))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .is_some_and(|metadata| metadata["shard"]["first_patch"].is_u64())
}

fn round3(value: f64) -> f64 {
    if value.is_finite() {
        (value * 1000.0).round() / 1000.0
    } else {
        0.0
    }
}

fn scenario_hash(seed: u64, resolved: &serde_json::Value) -> String {
    crate::posterior::checksum(format!("national\n{seed}\n{resolved}").as_bytes())
}

/// The rows, bytes and checksum of each file in `directory`, for `metadata.json`.
pub(crate) fn file_records(directory: &Path) -> Result<serde_json::Value, SweepError> {
    let mut records = serde_json::Map::new();
    for name in [LOCALITIES_CSV, NATIONAL_CSV, FAILURES_CSV] {
        let path = directory.join(name);
        let record = FileCheck::of_file(&path).map_err(SweepError::read(&path))?;
        records.insert(
            name.to_string(),
            serde_json::to_value(record).unwrap_or(serde_json::Value::Null),
        );
    }
    Ok(serde_json::Value::Object(records))
}

/// Writes `metadata` as `directory/metadata.json` (under a temporary name, then renamed).
pub(crate) fn write_metadata(
    directory: &Path,
    metadata: &NationalMetadata,
) -> Result<(), SweepError> {
    let mut bytes = serde_json::to_vec_pretty(metadata).map_err(|source| SweepError::Render {
        file_name: METADATA_JSON,
        source,
    })?;
    bytes.push(b'\n');
    let metadata_path = directory.join(METADATA_JSON);
    write_via_temporary(&metadata_path, |out| out.write_all(&bytes))?;
    sync_directory(directory);
    Ok(())
}

/// The merged metadata of shards (in shard order, already checked to be every shard of one run):
/// the first's, with the whole run's block, failures, pupils and files and the shards' wall times
/// added.
pub(crate) fn merged_metadata(
    shards: &[NationalMetadata],
    files: serde_json::Value,
) -> NationalMetadata {
    let mut metadata = shards[0].clone();
    metadata.shard = NationalShard {
        index: 1,
        count: 1,
        first_patch: 0,
        patches: metadata.patches,
    };
    metadata.patches_failed = shards.iter().map(|shard| shard.patches_failed).sum();
    metadata.pupils = shards.iter().map(|shard| shard.pupils).sum();
    metadata.threads = shards.iter().map(|shard| shard.threads).max().unwrap_or(1);
    let wall: f64 = shards.iter().map(|shard| shard.wall_time_seconds).sum();
    metadata.wall_time_seconds = round3(wall);
    metadata.patches_per_second = if wall > 0.0 {
        round3(metadata.patches as f64 / wall)
    } else {
        0.0
    };
    metadata.files = files;
    metadata
}

fn localities_header() -> Vec<String> {
    [
        "locality", "entry", "name", "copy", "seed", "pupils", "schools",
    ]
    .into_iter()
    .chain(Measures::NAMES.iter().copied())
    .map(str::to_string)
    .collect()
}

/// Column of `pupils` in `localities.csv`, and of the first measure.
const PUPILS_COLUMN: usize = 5;
const FIRST_MEASURE_COLUMN: usize = 7;

/// Writes `national.csv` at `path`, the rows of `national_rows`.
fn write_national_csv(path: &Path, summary: &[Vec<String>]) -> Result<(), SweepError> {
    write_via_temporary(path, |out| {
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
        for row in summary {
            write_row(out, row.iter().cloned())?;
        }
        Ok(())
    })
}

/// Writes `national.csv` into `directory` from the rows of its `localities.csv` (the shards'
/// joined), exactly as the run that wrote those rows would.
pub(crate) fn write_national_from_localities(directory: &Path) -> Result<(), SweepError> {
    let path = directory.join(LOCALITIES_CSV);
    let unreadable = |reason: String| SweepError::Merge {
        reason: format!("{}: {reason}", path.display()),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(&path)
        .map_err(|error| unreadable(error.to_string()))?;
    let header = reader
        .headers()
        .map_err(|error| unreadable(error.to_string()))?
        .clone();
    if header
        .iter()
        .ne(localities_header().iter().map(String::as_str))
    {
        return Err(unreadable(
            "its columns are not those this patchwork writes".to_string(),
        ));
    }
    let mut kept = Vec::new();
    for (line, record) in reader.records().enumerate() {
        let record = record.map_err(|error| unreadable(error.to_string()))?;
        let bad = || unreadable(format!("line {} is not a patch's row", line + 2));
        let pupils: u32 = record
            .get(PUPILS_COLUMN)
            .and_then(|field| field.parse().ok())
            .ok_or_else(bad)?;
        let values = record
            .iter()
            .skip(FIRST_MEASURE_COLUMN)
            .map(crate::output::csv::parse_float)
            .collect::<Option<Vec<f64>>>()
            .filter(|values| values.len() == Measures::NAMES.len())
            .ok_or_else(bad)?;
        kept.push((pupils, values));
    }
    write_national_csv(&directory.join(NATIONAL_CSV), &national_rows(&kept))
}

/// One row per measure over the patches where it is defined.
fn national_rows(kept: &[(u32, Vec<f64>)]) -> Vec<Vec<String>> {
    let values: Vec<&Vec<f64>> = kept.iter().map(|(_, values)| values).collect();
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
                shard: Shard::WHOLE,
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
