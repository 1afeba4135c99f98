//! The output directory of a sweep, written as it goes and safe to kill at any moment.
//!
//! While a sweep runs, its four CSV files grow as `runs.csv.partial`, `points.csv.partial`,
//! `failures.csv.partial` and `settling.csv.partial`, one chunk of whole points at a time, each chunk synced to disk before a
//! line is appended (and synced) to `sweep.journal`, recording the next point to run and the
//! length of each file at that point. The journal's first line identifies the sweep (its hash,
//! shard, crate version and git commit). Killed at any moment (SIGKILL included), the directory
//! holds a journal whose last complete line describes a consistent prefix of every file; `--resume`
//! cuts each file back to that length and carries on from that point, so the finished files are
//! byte for byte those of a sweep never interrupted. On completion `metadata.json` is written
//! (temporary name, then renamed), the partial files are renamed to their final names and the
//! journal is removed: a directory without a journal holds a finished sweep.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

pub use crate::batch::error::write_via_temporary;
use crate::output::OutputDir;
use crate::output::atomic::{is_temporary_name, sync_directory};
pub use crate::output::check::{FileCheck, FileRecord};

use super::plan::Shard;
use crate::batch::error::SweepError;

pub use super::settling::SETTLING_CSV;
pub use crate::output::files::FAILURES_CSV;
pub use crate::output::files::JOURNAL;
pub use crate::output::files::LOCK;
pub use crate::output::files::METADATA_JSON;
pub use crate::output::files::POINTS_CSV;
pub use crate::output::files::RUNS_CSV;

/// How many files are streamed.
pub const STREAMED_FILES: usize = 4;

/// The streamed files, in the order their lengths are journaled.
pub const STREAMED: [&str; STREAMED_FILES] = [RUNS_CSV, POINTS_CSV, FAILURES_CSV, SETTLING_CSV];

pub(crate) fn partial_name(name: &str) -> String {
    format!("{name}.partial")
}

/// What the journal's first line records: a resumed sweep must match it exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub hash: String,
    pub shard: Shard,
    pub version: String,
    pub commit: String,
}

impl Identity {
    fn header_line(&self) -> String {
        format!(
            "patchwork sweep journal 2 hash={} shard={} version={} commit={}\n",
            self.hash, self.shard, self.version, self.commit
        )
    }

    /// Why a journal header does not match this identity, in words.
    fn difference(&self, header: &str) -> String {
        let field = |name: &str| {
            header
                .split_whitespace()
                .find_map(|part| part.strip_prefix(&format!("{name}=")))
                .unwrap_or("?")
                .to_string()
        };
        if field("hash") != self.hash {
            "it holds a different sweep (another file, design, base scenario, --set or seed); \
             use --force to start again"
                .to_string()
        } else if field("shard") != self.shard.to_string() {
            format!(
                "it holds shard {} of the sweep, not shard {}",
                field("shard"),
                self.shard
            )
        } else {
            format!(
                "it was started by patchwork {} (commit {}), this is {} (commit {}); finish it \
                 with that build or use --force to start again",
                field("version"),
                field("commit"),
                self.version,
                self.commit
            )
        }
    }
}

/// Progress recorded after each chunk.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Progress {
    /// The next point to run (the end of the shard when finished).
    pub next_point: u64,
    /// Byte lengths of the streamed files, in the order they are streamed (`STREAMED` for a
    /// sweep).
    pub lengths: Vec<u64>,
    pub runs_done: u64,
    pub runs_failed: u64,
    /// Wall time spent so far, over every start of this sweep.
    pub elapsed_ms: u64,
}

/// A streamed file's field in a journal line: `runs.csv` → `runs_bytes`.
fn length_field(name: &str) -> String {
    format!("{}_bytes", name.strip_suffix(".csv").unwrap_or(name))
}

impl Progress {
    /// The journal line, each length named after its file in `streamed`.
    fn line(&self, streamed: &[&str]) -> String {
        let lengths: String = streamed
            .iter()
            .zip(&self.lengths)
            .map(|(name, length)| format!(" {}={length}", length_field(name)))
            .collect();
        format!(
            "done next_point={}{lengths} runs_done={} runs_failed={} elapsed_ms={}\n",
            self.next_point, self.runs_done, self.runs_failed, self.elapsed_ms
        )
    }

    fn parse(line: &str, streamed: &[&str]) -> Option<Progress> {
        let mut fields = line.split_whitespace();
        if fields.next()? != "done" {
            return None;
        }
        let mut value = |name: &str| -> Option<u64> {
            fields
                .next()?
                .strip_prefix(name)?
                .strip_prefix('=')?
                .parse()
                .ok()
        };
        let next_point = value("next_point")?;
        let lengths = streamed
            .iter()
            .map(|name| value(&length_field(name)))
            .collect::<Option<Vec<u64>>>()?;
        let progress = Progress {
            next_point,
            lengths,
            runs_done: value("runs_done")?,
            runs_failed: value("runs_failed")?,
            elapsed_ms: value("elapsed_ms")?,
        };
        fields.next().is_none().then_some(progress)
    }
}

/// The open files of a sweep in progress.
pub struct SweepFiles {
    directory: PathBuf,
    /// The names of the streamed files, in journal order.
    streamed: Vec<&'static str>,
    files: Vec<File>,
    journal: File,
    pub progress: Progress,
    /// Released (the lock file removed) when the sweep finishes or stops.
    _lock: Lock,
}

/// How a sweep directory was found when opening it.
pub enum Opened {
    /// Ready to run from `progress.next_point`.
    Running(SweepFiles),
    /// `--resume` found the sweep already finished; its `metadata.json` records the failures.
    Finished { runs_failed: u64 },
}

/// Opens the directory for a new sweep: it must not exist, be empty, or (with `force`) hold
/// anything, in which case this sweep's own file names are replaced. Each streamed file starts
/// with its header. A directory with a journal holds an interrupted sweep, and the error says
/// `--resume` can carry it on.
pub fn start(
    directory: &Path,
    force: bool,
    identity: &Identity,
    headers: &[Vec<u8>; STREAMED_FILES],
    first_point: u64,
) -> Result<SweepFiles, SweepError> {
    start_streamed(directory, force, identity, &STREAMED, headers, first_point)
}

/// `start` for any list of streamed files (`streamed`, with a header each).
pub fn start_streamed(
    directory: &Path,
    force: bool,
    identity: &Identity,
    streamed: &[&'static str],
    headers: &[Vec<u8>],
    first_point: u64,
) -> Result<SweepFiles, SweepError> {
    check_unlocked(directory)?;
    if !force && directory.join(JOURNAL).exists() {
        return Err(SweepError::Unfinished {
            path: directory.to_path_buf(),
        });
    }
    OutputDir::new(directory, force)?;
    fs::create_dir_all(directory).map_err(SweepError::write(directory))?;
    let lock = Lock::take(directory)?;
    begin(directory, lock, identity, streamed, headers, first_point)
}

/// Starts a sweep in `directory`, which this process has locked.
fn begin(
    directory: &Path,
    lock: Lock,
    identity: &Identity,
    streamed: &[&'static str],
    headers: &[Vec<u8>],
    first_point: u64,
) -> Result<SweepFiles, SweepError> {
    for name in streamed
        .iter()
        .flat_map(|name| [name.to_string(), partial_name(name)])
        .chain([METADATA_JSON.to_string(), JOURNAL.to_string()])
    {
        let path = directory.join(name);
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(SweepError::write(path)(error)),
        }
    }
    let mut files = Vec::with_capacity(streamed.len());
    let mut lengths = Vec::with_capacity(streamed.len());
    for (name, header) in streamed.iter().zip(headers) {
        let path = directory.join(partial_name(name));
        let mut file = File::create(&path).map_err(SweepError::write(&path))?;
        file.write_all(header).map_err(SweepError::write(&path))?;
        file.sync_data().map_err(SweepError::write(&path))?;
        lengths.push(header.len() as u64);
        files.push(file);
    }
    let journal_path = directory.join(JOURNAL);
    let mut journal = File::create(&journal_path).map_err(SweepError::write(&journal_path))?;
    let progress = Progress {
        next_point: first_point,
        lengths,
        ..Progress::default()
    };
    let text = identity.header_line() + &progress.line(streamed);
    journal
        .write_all(text.as_bytes())
        .and_then(|()| journal.sync_data())
        .map_err(SweepError::write(&journal_path))?;
    sync_directory(directory);
    Ok(SweepFiles {
        directory: directory.to_path_buf(),
        streamed: streamed.to_vec(),
        files,
        journal,
        progress,
        _lock: lock,
    })
}

/// Opens the directory to resume: an unfinished sweep of the same identity is cut back to its
/// last journaled chunk; a finished one is reported as such; a directory without a sweep (missing
/// or empty) starts one.
pub fn resume(
    directory: &Path,
    identity: &Identity,
    headers: &[Vec<u8>; STREAMED_FILES],
    first_point: u64,
) -> Result<Opened, SweepError> {
    resume_streamed(directory, identity, &STREAMED, headers, first_point)
}

/// `resume` for any list of streamed files (`streamed`, with a header each).
pub fn resume_streamed(
    directory: &Path,
    identity: &Identity,
    streamed: &[&'static str],
    headers: &[Vec<u8>],
    first_point: u64,
) -> Result<Opened, SweepError> {
    let refuse = |reason: String| SweepError::Resume {
        path: directory.to_path_buf(),
        reason,
    };
    if directory.is_file() {
        return Err(refuse("it is a file, not a directory".to_string()));
    }
    fs::create_dir_all(directory).map_err(SweepError::write(directory))?;
    let lock = Lock::take(directory)?;
    // A killed sweep (or its pictures) may have left files half written under temporary names.
    remove_stale_temporaries(directory)?;
    remove_stale_temporaries(&directory.join("plots"))?;
    let journal_path = directory.join(JOURNAL);
    if !journal_path.exists() {
        let metadata_path = directory.join(METADATA_JSON);
        if metadata_path.exists() {
            let text =
                fs::read_to_string(&metadata_path).map_err(SweepError::read(&metadata_path))?;
            let metadata: serde_json::Value = serde_json::from_str(&text)
                .map_err(|error| refuse(format!("{METADATA_JSON} is not valid JSON: {error}")))?;
            if metadata["sweep_hash"].as_str().is_none() {
                return Err(SweepError::NotResumable {
                    path: directory.to_path_buf(),
                    what: what_it_holds(directory, &metadata),
                    // The sweep streams settling.csv; sensitivity analyses do not.
                    expected: if streamed.contains(&SETTLING_CSV) {
                        "a sweep"
                    } else {
                        "a sensitivity analysis"
                    },
                });
            }
            let recorded = Identity {
                hash: metadata["sweep_hash"].as_str().unwrap_or("?").to_string(),
                shard: Shard {
                    index: metadata["shard"]["index"].as_u64().unwrap_or(1) as u32,
                    count: metadata["shard"]["count"].as_u64().unwrap_or(1) as u32,
                },
                version: metadata["crate_version"]
                    .as_str()
                    .unwrap_or("?")
                    .to_string(),
                commit: metadata["git_commit"].as_str().unwrap_or("?").to_string(),
            };
            if recorded.hash != identity.hash || recorded.shard != identity.shard {
                return Err(refuse(identity.difference(&recorded.header_line())));
            }
            let runs_failed = metadata["runs_failed"].as_u64().unwrap_or(0);
            return Ok(Opened::Finished { runs_failed });
        }
        // Killed before its journal was first written, a sweep leaves only its partial files,
        // which starting again replaces.
        let own_partials: Vec<String> = streamed.iter().map(|name| partial_name(name)).collect();
        let only_own_partials = match fs::read_dir(directory) {
            Ok(entries) => {
                let mut only_own = true;
                for entry in entries {
                    let entry = entry.map_err(SweepError::read(directory))?;
                    let name = entry.file_name().to_string_lossy().into_owned();
                    only_own &= own_partials.contains(&name) || name == LOCK;
                }
                only_own
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => true,
            Err(error) => return Err(SweepError::read(directory)(error)),
        };
        if !only_own_partials {
            return Err(refuse(format!(
                "it has no {JOURNAL}, so it holds no unfinished sweep; run without --resume \
                 (with --force to replace its files)"
            )));
        }
        return begin(directory, lock, identity, streamed, headers, first_point)
            .map(Opened::Running);
    }

    let mut text = String::new();
    File::open(&journal_path)
        .and_then(|mut file| file.read_to_string(&mut text))
        .map_err(SweepError::read(&journal_path))?;
    let header_end = text.find('\n').map_or(text.len(), |end| end + 1);
    let header = &text[..header_end];
    if header != identity.header_line() {
        return Err(refuse(identity.difference(header)));
    }
    // The last line that was written whole (a kill may cut the one being written).
    let mut valid_length = header_end;
    let mut progress = None;
    let mut offset = header_end;
    for line in text[header_end..].split_inclusive('\n') {
        offset += line.len();
        if !line.ends_with('\n') {
            break;
        }
        match Progress::parse(line, streamed) {
            Some(parsed) => {
                progress = Some(parsed);
                valid_length = offset;
            }
            None => break,
        }
    }
    let Some(progress) = progress else {
        return Err(refuse(format!(
            "{JOURNAL} records no progress; run with --force to start again"
        )));
    };

    let mut files = Vec::with_capacity(streamed.len());
    for (name, &length) in streamed.iter().zip(&progress.lengths) {
        let partial = directory.join(partial_name(name));
        let finished = directory.join(name);
        if !partial.exists() && finished.exists() {
            // Killed while renaming at the end: take the file back.
            fs::rename(&finished, &partial).map_err(SweepError::write(&partial))?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&partial)
            .map_err(|error| {
                refuse(format!(
                    "{} cannot be opened ({error}); run with --force to start again",
                    partial_name(name)
                ))
            })?;
        let actual = file.metadata().map_err(SweepError::read(&partial))?.len();
        if actual < length {
            return Err(refuse(format!(
                "{} is shorter ({actual} bytes) than its journal says ({length}); run with \
                 --force to start again",
                partial_name(name)
            )));
        }
        file.set_len(length)
            .and_then(|()| file.seek(SeekFrom::End(0)).map(|_| ()))
            .and_then(|()| file.sync_data())
            .map_err(SweepError::write(&partial))?;
        files.push(file);
    }
    let mut journal = OpenOptions::new()
        .read(true)
        .write(true)
        .open(&journal_path)
        .map_err(SweepError::write(&journal_path))?;
    journal
        .set_len(valid_length as u64)
        .and_then(|()| journal.seek(SeekFrom::End(0)).map(|_| ()))
        .and_then(|()| journal.sync_data())
        .map_err(SweepError::write(&journal_path))?;
    Ok(Opened::Running(SweepFiles {
        directory: directory.to_path_buf(),
        streamed: streamed.to_vec(),
        files,
        journal,
        progress,
        _lock: lock,
    }))
}

impl SweepFiles {
    /// Appends one chunk's bytes to each streamed file, syncs them, then journals `progress`
    /// (whose lengths are updated here).
    pub fn append(&mut self, bytes: &[&[u8]], mut progress: Progress) -> Result<(), SweepError> {
        for ((file, name), (chunk, length)) in self
            .files
            .iter_mut()
            .zip(&self.streamed)
            .zip(bytes.iter().zip(&mut progress.lengths))
        {
            if !chunk.is_empty() {
                let path = self.directory.join(partial_name(name));
                file.write_all(chunk)
                    .and_then(|()| file.sync_data())
                    .map_err(SweepError::write(path))?;
            }
            *length += chunk.len() as u64;
        }
        let journal_path = self.directory.join(JOURNAL);
        self.journal
            .write_all(progress.line(&self.streamed).as_bytes())
            .and_then(|()| self.journal.sync_data())
            .map_err(SweepError::write(journal_path))?;
        self.progress = progress;
        Ok(())
    }

    /// The bytes of a streamed file as written so far (`name` one of the streamed files).
    pub fn read_streamed(&self, name: &str) -> Result<Vec<u8>, SweepError> {
        let path = self.directory.join(partial_name(name));
        fs::read(&path).map_err(SweepError::read(path))
    }

    /// The `files` object of `metadata.json`: each streamed file's `FileRecord` as written so far.
    pub fn file_records(&self) -> Result<serde_json::Value, SweepError> {
        let mut records = serde_json::Map::new();
        for name in &self.streamed {
            let path = self.directory.join(partial_name(name));
            let record = FileCheck::of_file(&path).map_err(SweepError::read(&path))?;
            records.insert(
                name.to_string(),
                serde_json::to_value(record).unwrap_or(serde_json::Value::Null),
            );
        }
        Ok(serde_json::Value::Object(records))
    }

    /// Writes `metadata.json`, gives the streamed files their final names and removes the
    /// journal. Returns the final paths.
    pub fn finish(self, metadata: &[u8]) -> Result<Vec<PathBuf>, SweepError> {
        let directory = self.directory;
        drop(self.files);
        drop(self.journal);
        let metadata_path = directory.join(METADATA_JSON);
        write_via_temporary(&metadata_path, |file| file.write_all(metadata))?;
        let mut written = Vec::new();
        for name in self.streamed {
            let final_path = directory.join(name);
            fs::rename(directory.join(partial_name(name)), &final_path)
                .map_err(SweepError::write(&final_path))?;
            written.push(final_path);
        }
        written.push(metadata_path);
        let journal_path = directory.join(JOURNAL);
        fs::remove_file(&journal_path).map_err(SweepError::write(journal_path))?;
        sync_directory(&directory);
        Ok(written)
    }
}

/// What a directory that is not a sweep holds, from its `metadata.json`: the command that wrote it.
fn what_it_holds(directory: &Path, metadata: &serde_json::Value) -> String {
    let command = if metadata["analysis"] == "sensitivity" {
        "sensitivity"
    } else if metadata.get("comparison").is_some() {
        "compare"
    } else if metadata.get("patches").is_some() {
        "national"
    } else if directory.join("warmup.csv").exists() {
        "warmup"
    } else if metadata.get("replicates").is_some() && metadata.get("scenario").is_some() {
        "run"
    } else {
        return "the output of another command".to_string();
    };
    format!("the output of `patchwork {command}`")
}

/// The lock a process holds on a sweep directory while it writes it: the file `sweep.lock`,
/// created only if absent (so two processes cannot both take it), holding the process's id, host
/// and start time, and removed when dropped. A lock whose process is no longer running on this
/// host (a killed sweep) is stale and taken over.
pub struct Lock {
    path: PathBuf,
}

/// Who holds a lock, as its file says.
struct Holder {
    pid: u32,
    host: String,
    started: String,
}

impl Holder {
    fn parse(text: &str) -> Option<Holder> {
        let field = |name: &str| {
            text.split_whitespace()
                .find_map(|part| part.strip_prefix(name)?.strip_prefix('='))
        };
        Some(Holder {
            pid: field("pid")?.parse().ok()?,
            host: field("host")?.to_string(),
            started: field("started").unwrap_or("?").to_string(),
        })
    }

    /// Whether the holder is certainly gone: on this host and no longer running.
    fn is_gone(&self) -> bool {
        self.host == host_name() && !crate::output::atomic::process_is_alive(self.pid)
    }
}

impl Lock {
    /// Takes the lock on `directory` (which exists), or says who holds it.
    pub fn take(directory: &Path) -> Result<Lock, SweepError> {
        let path = directory.join(LOCK);
        for _ in 0..3 {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut file) => {
                    let text = format!(
                        "pid={} host={} started={}\n",
                        std::process::id(),
                        host_name(),
                        utc_now()
                    );
                    file.write_all(text.as_bytes())
                        .and_then(|()| file.sync_all())
                        .map_err(SweepError::write(&path))?;
                    return Ok(Lock { path });
                }
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                    match held_by(&path)? {
                        Some(holder) if !holder.is_gone() => {
                            return Err(locked(directory, &path, &holder));
                        }
                        // Stale (or unreadable, half written by a killed process): take it over.
                        _ => match fs::remove_file(&path) {
                            Ok(()) => {}
                            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                            Err(error) => return Err(SweepError::write(&path)(error)),
                        },
                    }
                }
                Err(error) => return Err(SweepError::write(&path)(error)),
            }
        }
        Err(SweepError::Resume {
            path: directory.to_path_buf(),
            reason: format!("{LOCK} keeps changing: another process is starting on it"),
        })
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// The holder of the lock file at `path`, if it is there and readable.
fn held_by(path: &Path) -> Result<Option<Holder>, SweepError> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Holder::parse(&text)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(SweepError::read(path)(error)),
    }
}

fn locked(directory: &Path, path: &Path, holder: &Holder) -> SweepError {
    let on_host = if holder.host == host_name() {
        String::new()
    } else {
        format!(" on {}", holder.host)
    };
    SweepError::Locked {
        path: directory.to_path_buf(),
        holder: format!(
            "process {}{on_host} (started {})",
            holder.pid, holder.started
        ),
        lock: path.to_path_buf(),
    }
}

/// Refuses a directory another running process is writing.
fn check_unlocked(directory: &Path) -> Result<(), SweepError> {
    let path = directory.join(LOCK);
    match held_by(&path)? {
        Some(holder) if !holder.is_gone() => Err(locked(directory, &path, &holder)),
        _ => Ok(()),
    }
}

/// This machine's name (from the kernel), or `unknown`.
fn host_name() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|path| fs::read_to_string(path).ok())
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty() && !name.contains(char::is_whitespace))
        .unwrap_or_else(|| "unknown".to_string())
}

/// The time now in UTC, as `2026-01-31T12:34:56Z`.
fn utc_now() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Removes the temporaries a killed process left in `directory` (if it exists). Only files named
/// as this program names its temporaries are touched.
fn remove_stale_temporaries(directory: &Path) -> Result<(), SweepError> {
    let entries = match fs::read_dir(directory) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(SweepError::read(directory)(error)),
    };
    for entry in entries {
        let entry = entry.map_err(SweepError::read(directory))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_temporary_name(&name) && entry.file_type().is_ok_and(|kind| kind.is_file()) {
            let path = entry.path();
            fs::remove_file(&path).map_err(SweepError::write(&path))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(hash: &str) -> Identity {
        Identity {
            hash: hash.to_string(),
            shard: Shard::WHOLE,
            version: "0.1.0".to_string(),
            commit: "abc".to_string(),
        }
    }

    fn headers() -> [Vec<u8>; STREAMED_FILES] {
        [
            b"r\n".to_vec(),
            b"p\n".to_vec(),
            b"f\n".to_vec(),
            b"s\n".to_vec(),
        ]
    }

    fn progress_after(files: &SweepFiles, next_point: u64) -> Progress {
        Progress {
            next_point,
            runs_done: files.progress.runs_done + 1,
            ..files.progress.clone()
        }
    }

    #[test]
    fn progress_lines_round_trip() {
        let progress = Progress {
            next_point: 7,
            lengths: vec![10, 20, 30, 40],
            runs_done: 70,
            runs_failed: 1,
            elapsed_ms: 1234,
        };
        let line = progress.line(&STREAMED);
        assert!(
            line.contains(" runs_bytes=10 points_bytes=20 failures_bytes=30 settling_bytes=40 ")
        );
        assert_eq!(Progress::parse(&line, &STREAMED), Some(progress));
        assert_eq!(Progress::parse("done next_point=7", &STREAMED), None);
    }

    #[test]
    fn a_cut_journal_resumes_from_its_last_whole_line() {
        let scratch = tempfile::tempdir().unwrap();
        let directory = scratch.path().join("out");
        let mut files = start(&directory, false, &identity("h"), &headers(), 0).unwrap();
        let next = progress_after(&files, 1);
        files.append(&[b"1\n", b"", b"x\n", b"s1\n"], next).unwrap();
        let next = progress_after(&files, 2);
        files
            .append(&[b"2\n", b"p2\n", b"", b"s2\n"], next)
            .unwrap();
        drop(files);
        // A third chunk written to the files but not journaled, and half a journal line.
        let mut runs = OpenOptions::new()
            .append(true)
            .open(directory.join("runs.csv.partial"))
            .unwrap();
        runs.write_all(b"3\n").unwrap();
        let mut journal = OpenOptions::new()
            .append(true)
            .open(directory.join(JOURNAL))
            .unwrap();
        journal.write_all(b"done next_point=3 runs").unwrap();

        let Opened::Running(files) = resume(&directory, &identity("h"), &headers(), 0).unwrap()
        else {
            panic!("expected an unfinished sweep");
        };
        assert_eq!(files.progress.next_point, 2);
        assert_eq!(files.progress.runs_done, 2);
        files.finish(b"{\"sweep_hash\": \"h\"}\n").unwrap();
        assert_eq!(fs::read(directory.join("runs.csv")).unwrap(), b"r\n1\n2\n");
        assert_eq!(fs::read(directory.join("points.csv")).unwrap(), b"p\np2\n");
        assert_eq!(fs::read(directory.join("failures.csv")).unwrap(), b"f\nx\n");
        assert_eq!(
            fs::read(directory.join("settling.csv")).unwrap(),
            b"s\ns1\ns2\n"
        );
        assert!(!directory.join(JOURNAL).exists());
        assert!(matches!(
            resume(&directory, &identity("h"), &headers(), 0).unwrap(),
            Opened::Finished { runs_failed: 0 }
        ));
        let refused = resume(&directory, &identity("other"), &headers(), 0)
            .err()
            .unwrap();
        assert!(refused.to_string().contains("different sweep"), "{refused}");
    }

    #[test]
    fn another_sweeps_journal_is_refused() {
        let scratch = tempfile::tempdir().unwrap();
        let files = start(scratch.path(), false, &identity("h"), &headers(), 0).unwrap();
        drop(files);
        let error = resume(scratch.path(), &identity("g"), &headers(), 0)
            .err()
            .unwrap();
        assert!(error.to_string().contains("different sweep"), "{error}");
        let mut newer = identity("h");
        newer.version = "0.2.0".to_string();
        let error = resume(scratch.path(), &newer, &headers(), 0).err().unwrap();
        assert!(error.to_string().contains("patchwork 0.1.0"), "{error}");
    }

    #[test]
    fn an_occupied_directory_needs_force() {
        let scratch = tempfile::tempdir().unwrap();
        fs::write(scratch.path().join("runs.csv"), b"old").unwrap();
        assert!(start(scratch.path(), false, &identity("h"), &headers(), 0).is_err());
        let files = start(scratch.path(), true, &identity("h"), &headers(), 0).unwrap();
        assert!(!scratch.path().join("runs.csv").exists());
        drop(files);
        // Now it holds an unfinished sweep: a plain start suggests --resume.
        let error = start(scratch.path(), false, &identity("h"), &headers(), 0)
            .err()
            .unwrap();
        assert!(matches!(error, SweepError::Unfinished { .. }), "{error}");
        assert!(error.to_string().contains("--resume"), "{error}");
        let error = resume(scratch.path(), &identity("h"), &headers(), 0);
        assert!(matches!(error, Ok(Opened::Running(_))));
    }

    #[test]
    fn temporaries_left_by_a_killed_sweep_are_removed_on_resume() {
        // Killed while writing metadata.json at the end (and a picture): the temporaries go,
        // other dot files stay.
        let scratch = tempfile::tempdir().unwrap();
        let directory = scratch.path();
        let files = start(directory, false, &identity("h"), &headers(), 0).unwrap();
        drop(files);
        fs::write(directory.join(".metadata.json.tmp-834"), b"{").unwrap();
        fs::create_dir(directory.join("plots")).unwrap();
        fs::write(directory.join("plots/.heatmap.png.tmp-12"), b"x").unwrap();
        fs::write(directory.join(".keep.tmp-notapid"), b"").unwrap();
        assert!(matches!(
            resume(directory, &identity("h"), &headers(), 0),
            Ok(Opened::Running(_))
        ));
        assert!(!directory.join(".metadata.json.tmp-834").exists());
        assert!(!directory.join("plots/.heatmap.png.tmp-12").exists());
        assert!(directory.join(".keep.tmp-notapid").exists());
    }

    #[test]
    fn a_sweep_killed_before_its_first_journal_line_starts_again_on_resume() {
        let scratch = tempfile::tempdir().unwrap();
        let directory = scratch.path();
        for name in STREAMED {
            fs::write(directory.join(partial_name(name)), b"half a header").unwrap();
        }
        let Opened::Running(files) = resume(directory, &identity("h"), &headers(), 0).unwrap()
        else {
            panic!("expected a fresh start");
        };
        assert_eq!(files.progress.next_point, 0);
        assert_eq!(
            fs::read(directory.join(partial_name(RUNS_CSV))).unwrap(),
            headers()[0]
        );
        // Anything else in the directory still needs --force.
        drop(files);
        fs::remove_file(directory.join(JOURNAL)).unwrap();
        fs::write(directory.join("notes.txt"), b"mine").unwrap();
        assert!(resume(directory, &identity("h"), &headers(), 0).is_err());
    }
}
