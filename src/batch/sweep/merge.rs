//! `patchwork merge`: joins the output directories of a sharded sweep into the files of the whole.
//!
//! Shards own contiguous blocks of whole points in shard order, so the whole sweep's `runs.csv`,
//! `points.csv`, `failures.csv` and `settling.csv` are the shards' files concatenated in shard
//! order, each header kept once: byte for byte the files of the sweep run unsharded. The merged
//! `metadata.json`'s `settling` summary is read back from the merged `settling.csv`. Before anything is written the
//! shards are checked to be one sweep: every one finished, the same sweep hash (base scenario,
//! design, seed), the same crate version and git commit, every shard of `1..=N` given exactly once,
//! each starting where the one before it ended. Files are copied in a stream, never held whole,
//! and each shard's file is checked as it streams past against the rows and checksum its
//! `metadata.json` records (`files`): a file that lost rows, was cut mid-row or changed is refused,
//! naming the shard and the file. The merged files go to a directory under a temporary name
//! beside the output, renamed into place only once everything is written, so a refused merge or a
//! full disk leaves nothing; a write error names the output file, a read error the shard's.
//!
//! Shards of `patchwork national` (`merge_national`) are checked the same way (by their
//! `scenario_hash` for the sweep hash, patches for points); their `localities.csv` and
//! `failures.csv` are concatenated, `national.csv` is recomputed from the joined rows and
//! `metadata.json` is the unsharded run's but for its wall-clock fields.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use crate::batch::national;
use crate::output::{OutputDir, Staging};

use super::output::{FileCheck, FileRecord, JOURNAL, METADATA_JSON, STREAMED, write_via_temporary};
use super::run::{ShardMetadata, round3};
use super::settling::{SETTLING_CSV, SweepSettling};
use crate::batch::error::SweepError;
use crate::output::atomic::sync_directory;

/// What a merge wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct MergeOutcome {
    pub shards: u32,
    pub runs: u64,
    pub runs_failed: u64,
    pub written: Vec<PathBuf>,
    /// Whether the points settled, from the merged `settling.csv`.
    pub settling: SweepSettling,
}

/// One shard directory's `metadata.json`, the fields a merge checks.
struct ShardFiles {
    /// What the shards are shards of: "sweep" or "national run".
    kind: &'static str,
    directory: PathBuf,
    metadata: serde_json::Value,
    hash: String,
    version: String,
    commit: String,
    shard: ShardMetadata,
}

impl ShardFiles {
    /// `shard 2/4 (t2)`.
    fn label(&self) -> String {
        format!(
            "shard {}/{} ({})",
            self.shard.index,
            self.shard.count,
            self.directory.display()
        )
    }
}

fn refuse(reason: impl Into<String>) -> SweepError {
    SweepError::Merge {
        reason: reason.into(),
    }
}

/// The path and contents of `directory`'s `metadata.json`, refused (as not holding a finished
/// `what`) when it cannot be read or is not JSON.
fn read_metadata(directory: &Path, what: &str) -> Result<(PathBuf, serde_json::Value), SweepError> {
    let path = directory.join(METADATA_JSON);
    let text = std::fs::read_to_string(&path).map_err(|error| {
        refuse(format!(
            "{} holds no finished {what} ({}: {})",
            directory.display(),
            path.display(),
            crate::scenario::io_reason(&error)
        ))
    })?;
    let metadata = serde_json::from_str(&text)
        .map_err(|error| refuse(format!("{} is not valid JSON: {error}", path.display())))?;
    Ok((path, metadata))
}

fn read_shard(directory: &Path) -> Result<ShardFiles, SweepError> {
    let shown = directory.display();
    if directory.join(JOURNAL).exists() {
        return Err(refuse(format!(
            "{shown} holds an unfinished sweep (finish it with `patchwork sweep ... --resume`)"
        )));
    }
    let (path, metadata) = read_metadata(directory, "sweep")?;
    let field = |name: &str| -> Result<String, SweepError> {
        metadata[name].as_str().map(str::to_string).ok_or_else(|| {
            refuse(format!(
                "{} has no `{name}`: it is not a sweep's metadata",
                path.display()
            ))
        })
    };
    let shard: ShardMetadata = serde_json::from_value(metadata["shard"].clone()).map_err(|_| {
        refuse(format!(
            "{} has no `shard`: it is not a sweep's metadata",
            path.display()
        ))
    })?;
    Ok(ShardFiles {
        kind: "sweep",
        directory: directory.to_path_buf(),
        hash: field("sweep_hash")?,
        version: field("crate_version")?,
        commit: field("git_commit")?,
        shard,
        metadata,
    })
}

/// Checks that the directories are every shard of one sweep and returns them in shard order.
fn check_shards(mut shards: Vec<ShardFiles>) -> Result<Vec<ShardFiles>, SweepError> {
    let first = &shards[0];
    for other in &shards[1..] {
        let pair = format!(
            "{} and {}",
            first.directory.display(),
            other.directory.display()
        );
        if other.kind != first.kind {
            return Err(refuse(format!(
                "{pair} hold different kinds of run (a {} and a {})",
                first.kind, other.kind
            )));
        }
        if other.hash != first.hash {
            return Err(refuse(format!(
                "{pair} hold different {}s ({})",
                first.kind,
                if first.kind == "sweep" {
                    "another file, design, base scenario, --set or seed"
                } else {
                    "another scenario file, --set or seed"
                }
            )));
        }
        if (&other.version, &other.commit) != (&first.version, &first.commit) {
            return Err(refuse(format!(
                "{pair} were written by different versions of patchwork ({} commit {} and {} \
                 commit {})",
                first.version, first.commit, other.version, other.commit
            )));
        }
        if other.shard.count != first.shard.count {
            return Err(refuse(format!(
                "{pair} split the {} into different numbers of shards ({} and {})",
                first.kind, first.shard.count, other.shard.count
            )));
        }
    }
    shards.sort_by_key(|shard| shard.shard.index);
    for pair in shards.windows(2) {
        if pair[0].shard.index == pair[1].shard.index {
            return Err(refuse(format!(
                "shard {}/{} is given twice ({} and {})",
                pair[0].shard.index,
                pair[0].shard.count,
                pair[0].directory.display(),
                pair[1].directory.display()
            )));
        }
    }
    let count = shards[0].shard.count;
    let missing: Vec<String> = (1..=count)
        .filter(|index| !shards.iter().any(|shard| shard.shard.index == *index))
        .map(|index| index.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(refuse(format!(
            "shard{} {} of {count} {} missing",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", "),
            if missing.len() == 1 { "is" } else { "are" }
        )));
    }
    let mut next_point = 0;
    let unit = if shards[0].kind == "sweep" {
        "point"
    } else {
        "patch"
    };
    for shard in &shards {
        if shard.shard.first_point != next_point {
            return Err(refuse(format!(
                "{} starts at {unit} {}, but the shards before it end at {unit} {next_point}",
                shard.directory.display(),
                shard.shard.first_point
            )));
        }
        next_point += shard.shard.points;
    }
    Ok(shards)
}

/// Merges the shard directories `inputs` into `output_dir` (which must be empty or new, unless
/// `force`).
pub fn merge(
    inputs: &[PathBuf],
    output_dir: &Path,
    force: bool,
) -> Result<MergeOutcome, SweepError> {
    let mut merged = merge_streamed(inputs, output_dir, force, &STREAMED)?;
    let settling_path = merged.staging.path().join(SETTLING_CSV);
    let settling_bytes = std::fs::read(&settling_path).map_err(SweepError::read(&settling_path))?;
    let settling = SweepSettling::from_csv(&settling_bytes)
        .map_err(|reason| refuse(format!("{}: {reason}", settling_path.display())))?;
    merged.metadata["settling"] =
        serde_json::to_value(&settling).unwrap_or(serde_json::Value::Null);
    write_metadata(merged.staging.path(), &merged.metadata)?;
    merged.staging.commit()?;
    let written = STREAMED
        .iter()
        .chain([&METADATA_JSON])
        .map(|name| output_dir.join(name))
        .collect();
    Ok(MergeOutcome {
        shards: merged.shards,
        runs: merged.runs,
        runs_failed: merged.runs_failed,
        written,
        settling,
    })
}

/// The shards of a streamed run joined: their streamed files concatenated into a directory under
/// a temporary name beside the output (`staging`, renamed into place by `Staging::commit` once
/// the caller has added its own files), and the whole run's `metadata.json` as a value (not yet
/// written).
pub(crate) struct Merged {
    pub shards: u32,
    pub runs: u64,
    pub runs_failed: u64,
    /// The first shard's metadata made the whole run's.
    pub metadata: serde_json::Value,
    pub staging: Staging,
}

/// Checks that `inputs` are every shard of one streamed run (a sweep, or anything else run on the
/// sweep's engine with the same `metadata.json` fields) and concatenates their `streamed` files
/// into a staging directory for `output_dir`, checking each shard's file against the rows and
/// checksum its `metadata.json` records.
pub(crate) fn merge_streamed(
    inputs: &[PathBuf],
    output_dir: &Path,
    force: bool,
    streamed: &[&str],
) -> Result<Merged, SweepError> {
    if inputs.is_empty() {
        return Err(refuse("name at least one shard directory"));
    }
    let shards = inputs
        .iter()
        .map(|directory| read_shard(directory))
        .collect::<Result<Vec<_>, _>>()?;
    let shards = check_shards(shards)?;
    let staging = OutputDir::new(output_dir, force)?.stage()?;
    let mut records = serde_json::Map::new();
    for name in streamed {
        let record = concatenate(&shards, name, &staging.path().join(name))?;
        records.insert(
            name.to_string(),
            serde_json::to_value(record).unwrap_or(serde_json::Value::Null),
        );
    }
    let runs = shards.iter().map(|shard| shard.shard.runs).sum();
    let runs_failed = shards
        .iter()
        .map(|shard| shard.metadata["runs_failed"].as_u64().unwrap_or(0))
        .sum();
    let mut metadata = merged_metadata(&shards);
    metadata["files"] = serde_json::Value::Object(records);
    Ok(Merged {
        shards: shards.len() as u32,
        runs,
        runs_failed,
        metadata,
        staging,
    })
}

/// Writes `metadata` as `output_dir/metadata.json` (under a temporary name, then renamed).
pub(crate) fn write_metadata(
    output_dir: &Path,
    metadata: &serde_json::Value,
) -> Result<PathBuf, SweepError> {
    let metadata_path = output_dir.join(METADATA_JSON);
    let mut bytes = serde_json::to_vec_pretty(metadata).map_err(|source| SweepError::Render {
        file_name: METADATA_JSON,
        source,
    })?;
    bytes.push(b'\n');
    write_via_temporary(&metadata_path, |file| file.write_all(&bytes))?;
    sync_directory(output_dir);
    Ok(metadata_path)
}

/// What the shard's `metadata.json` records of its file `name`.
fn recorded(shard: &ShardFiles, name: &str) -> Result<FileRecord, SweepError> {
    serde_json::from_value(shard.metadata["files"][name].clone()).map_err(|_| {
        refuse(format!(
            "{}: {} records no row count or checksum of {name} (it was written by a patchwork \
             that did not record them); run the shard again",
            shard.label(),
            METADATA_JSON
        ))
    })
}

/// Why a shard's file does not match what its `metadata.json` records, if it does not.
fn mismatch(
    shard: &ShardFiles,
    name: &str,
    found: &FileCheck,
    expected: &FileRecord,
) -> Option<String> {
    let actual = found.record();
    let what = if found.ends_mid_row() {
        format!(
            "it is cut mid-row (its last line has no line break; {} bytes, {} recorded)",
            actual.bytes, expected.bytes
        )
    } else if actual.rows < expected.rows {
        format!(
            "rows missing: it has {} rows, its {METADATA_JSON} records {}",
            actual.rows, expected.rows
        )
    } else if actual.rows > expected.rows {
        format!(
            "rows added: it has {} rows, its {METADATA_JSON} records {}",
            actual.rows, expected.rows
        )
    } else if actual != *expected {
        format!(
            "checksum mismatch: its bytes are not those recorded in its {METADATA_JSON} \
             (changed since the shard wrote it)"
        )
    } else {
        return None;
    };
    Some(format!(
        "{}: {} {what}; run the shard again",
        shard.label(),
        shard.directory.join(name).display()
    ))
}

/// Writes the shards' files `name` one after another into `target`, the header once, checking
/// each against what its shard recorded; returns the record of the file written. A failure to
/// read names the shard's file, a failure to write (a full disk) names `target`.
fn concatenate(shards: &[ShardFiles], name: &str, target: &Path) -> Result<FileRecord, SweepError> {
    let mut first_header: Option<(Vec<u8>, PathBuf)> = None;
    let mut readers = Vec::with_capacity(shards.len());
    for shard in shards {
        let expected = recorded(shard, name)?;
        let path = shard.directory.join(name);
        let file = File::open(&path).map_err(SweepError::read(&path))?;
        let mut reader = BufReader::new(file);
        let mut header = Vec::new();
        reader
            .read_until(b'\n', &mut header)
            .map_err(SweepError::read(&path))?;
        match &first_header {
            None => first_header = Some((header.clone(), path.clone())),
            Some((first, first_path)) if *first != header => {
                return Err(refuse(format!(
                    "{} and {} have different columns",
                    first_path.display(),
                    path.display()
                )));
            }
            Some(_) => {}
        }
        let mut check = FileCheck::default();
        check.update(&header);
        readers.push((reader, path, check, expected, shard));
    }
    let header = first_header.map(|(header, _)| header).unwrap_or_default();
    let mut output_check = FileCheck::default();
    output_check.update(&header);
    let mut source_error = None;
    let result = write_via_temporary(target, |out| {
        out.write_all(&header)?;
        let mut buffer = vec![0; 1 << 16];
        for (reader, path, check, expected, shard) in &mut readers {
            loop {
                let read = match reader.read(&mut buffer) {
                    Ok(0) => break,
                    Ok(read) => read,
                    Err(error) => {
                        source_error = Some(SweepError::read(path.clone())(error));
                        return Err(std::io::Error::other("reading a shard failed"));
                    }
                };
                check.update(&buffer[..read]);
                output_check.update(&buffer[..read]);
                out.write_all(&buffer[..read])?;
            }
            if let Some(reason) = mismatch(shard, name, check, expected) {
                source_error = Some(refuse(reason));
                return Err(std::io::Error::other("a shard's file is not as recorded"));
            }
        }
        Ok(())
    });
    match source_error {
        Some(error) => Err(error),
        None => result.map(|()| output_check.record()),
    }
}

/// The first shard's metadata made the whole sweep's: one shard of one, every run, the shards'
/// wall times added (the compute time, not the time waited).
fn merged_metadata(shards: &[ShardFiles]) -> serde_json::Value {
    let mut metadata = shards[0].metadata.clone();
    let sum = |name: &str| -> f64 {
        shards
            .iter()
            .map(|shard| shard.metadata[name].as_f64().unwrap_or(0.0))
            .sum()
    };
    let runs: u64 = shards.iter().map(|shard| shard.shard.runs).sum();
    let points: u64 = shards.iter().map(|shard| shard.shard.points).sum();
    let wall = sum("wall_time_seconds");
    metadata["shard"] = serde_json::to_value(ShardMetadata {
        index: 1,
        count: 1,
        first_point: 0,
        points,
        runs,
    })
    .unwrap_or(serde_json::Value::Null);
    metadata["merged_shards"] = shards.len().into();
    metadata["wall_time_seconds"] = round3(wall).into();
    metadata["runs_per_second"] = if wall > 0.0 {
        round3(runs as f64 / wall)
    } else {
        0.0
    }
    .into();
    metadata["runs_done"] = (sum("runs_done") as u64).into();
    metadata["runs_failed"] = (sum("runs_failed") as u64).into();
    metadata["threads"] = shards
        .iter()
        .filter_map(|shard| shard.metadata["threads"].as_u64())
        .max()
        .unwrap_or(0)
        .into();
    metadata
}

/// What a merge of national shards wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct NationalMergeOutcome {
    pub shards: u32,
    pub patches: u64,
    pub patches_failed: u64,
    pub written: Vec<PathBuf>,
}

/// A national shard's directory: its `metadata.json` read, as the checks of a sweep's shards
/// need it.
fn read_national_shard(
    directory: &Path,
) -> Result<(ShardFiles, national::NationalMetadata), SweepError> {
    let (path, value) = read_metadata(directory, "national run")?;
    let metadata: national::NationalMetadata =
        serde_json::from_value(value.clone()).map_err(|error| {
            refuse(format!(
                "{} is not a national run's metadata ({error}); merge national shards only with \
                 each other",
                path.display()
            ))
        })?;
    let shard = &metadata.shard;
    let files = ShardFiles {
        kind: "national run",
        directory: directory.to_path_buf(),
        hash: metadata.scenario_hash.clone(),
        version: metadata.crate_version.clone(),
        commit: metadata.git_commit.clone(),
        shard: ShardMetadata {
            index: shard.index,
            count: shard.count,
            first_point: shard.first_patch,
            points: shard.patches,
            runs: shard.patches,
        },
        metadata: value,
    };
    Ok((files, metadata))
}

/// Merges the directories of a sharded `patchwork national` run into `output_dir`: each shard's
/// `localities.csv` and `failures.csv` checked against its `metadata.json` and concatenated in
/// shard order, `national.csv` recomputed from the joined rows, `metadata.json` the unsharded
/// run's (wall-clock fields the shards' added). The same bytes as the run unsharded.
pub fn merge_national(
    inputs: &[PathBuf],
    output_dir: &Path,
    force: bool,
) -> Result<NationalMergeOutcome, SweepError> {
    if inputs.is_empty() {
        return Err(refuse("name at least one shard directory"));
    }
    let mut read = inputs
        .iter()
        .map(|directory| read_national_shard(directory))
        .collect::<Result<Vec<_>, _>>()?;
    read.sort_by_key(|(files, _)| files.shard.index);
    let (files, metadata): (Vec<ShardFiles>, Vec<national::NationalMetadata>) =
        read.into_iter().unzip();
    let files = check_shards(files)?;
    let total = metadata[0].patches;
    let covered: u64 = metadata.iter().map(|shard| shard.shard.patches).sum();
    if covered != total {
        return Err(refuse(format!(
            "the shards hold {covered} of the run's {total} patches"
        )));
    }
    let staging = OutputDir::new(output_dir, force)?.stage()?;
    for name in [national::LOCALITIES_CSV, national::FAILURES_CSV] {
        concatenate(&files, name, &staging.path().join(name))?;
    }
    national::write_national_from_localities(staging.path())?;
    let records = national::file_records(staging.path())?;
    let merged = national::merged_metadata(&metadata, records);
    national::write_metadata(staging.path(), &merged)?;
    staging.commit()?;
    Ok(NationalMergeOutcome {
        shards: files.len() as u32,
        patches: merged.patches,
        patches_failed: merged.patches_failed,
        written: [
            national::LOCALITIES_CSV,
            national::NATIONAL_CSV,
            national::FAILURES_CSV,
            national::METADATA_JSON,
        ]
        .map(|name| output_dir.join(name))
        .to_vec(),
    })
}
