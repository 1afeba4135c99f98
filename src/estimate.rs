//! What a job will need before it runs: its peak memory and its time, from the scenario's size.
//!
//! `run`, `compare`, `sweep`, `national` and `demo` estimate a job before running it and refuse
//! one whose peak memory exceeds what the machine has (`MemAvailable` in `/proc/meminfo`, or the
//! size in the `PATCHWORK_MAX_MEMORY` environment variable, which overrides it; when neither can
//! be read nothing is refused). `sweep --dry-run` prints the memory (its time comes from timing
//! runs), `national --dry-run` both.
//!
//! A patch's cost grows with the square of its posts: every pair of posts has a tie (the tie
//! matrix, 8 bytes a pair), the weekly tie pass visits every pair, and a recorded network frame
//! holds every pair. Everything else grows with pupils and weeks.
//!
//! How the constants were measured: GNU time (`/usr/bin/time -f "%U %M"`, user CPU seconds and
//! peak resident memory) of the release binary, `patchwork run --threads 1 --quiet --replicates R
//! --set locality.0.primaries=P` for R = 1 and R = 5 or 9 (the difference over the extra
//! replicates is one replicate's CPU time, free of start-up and writing), at the default 416
//! weeks: the baseline (31 posts, 2,425 pupils: 5.8 ms a replicate, 11 MB at R = 1), 20, 30, 50,
//! 100, 200 and 500 primaries (778 posts, 56,050 pupils: 0.54 s and 122 MB; 500 primaries: 7.5 s
//! and 712 MB), 20 primaries with `workforce.home_school_link.per_primary_fte=10` (288 posts,
//! 6,550 pupils: 50 ms, posts without pupils) and with `locality.0.primary_pupils=2000` (191
//! posts, 41,050 pupils: 99 ms, pupils without posts), and 30 primaries in team mode with minder
//! and core group (22 ms). A least-squares fit of the seconds gives 1.2 ns a post pair and 4.7 ns
//! a pupil, each week; the constants below are rounded up, the pair term further for the largest
//! patches, whose tie matrix outgrows the cache (500 primaries run about twice the fitted time).
//! Memory grows by 140 to 190 bytes a pair of posts (not the 8 of the tie matrix alone). Checked
//! against whole jobs on two threads: `patchwork national` (3,800 patches, 24 CPU seconds, about
//! 6 ms a patch), `patchwork sweep` and `sweep scenarios/cluster-size-sweep.toml` (1,280 runs,
//! 11 CPU seconds). The memory constants err high; the time is within a factor of about two.

use std::fmt;

use crate::model::{LocalityParams, Params, Role};

/// The process before any run: binary, fonts, thread pool, the scenario.
const BASE_BYTES: f64 = 16e6;
/// A patch in a running simulation, per pair of posts (ties and what grows with them).
const BYTES_PER_POST_PAIR: f64 = 200.0;
/// A patch in a running simulation, per pupil (children and their state).
const BYTES_PER_PUPIL: f64 = 100.0;
/// A running simulation's records, per pupil and simulated year.
const BYTES_PER_PUPIL_YEAR_RUNNING: f64 = 30.0;
/// A finished run kept to the end (`run`, `compare`): its records and the rows rendered from
/// them, per pupil and simulated year, and per week.
const BYTES_PER_PUPIL_YEAR_KEPT: f64 = 15.0;
const BYTES_PER_WEEK_KEPT: f64 = 300.0;
/// One recorded week of the first patch's network (`--network-weeks`), per pair of posts: the
/// frame, its rows in network_ties.csv and the drawing.
const BYTES_PER_POST_PAIR_FRAME: f64 = 20.0;
/// CPU seconds of one simulated week, per pair of posts of a patch and per pupil.
const SECONDS_PER_POST_PAIR_WEEK: f64 = 2e-9;
const SECONDS_PER_PUPIL_WEEK: f64 = 5.5e-9;

/// The environment variable that sets the memory a job may use (`64GB`, `512MB`, `none`).
pub const MAX_MEMORY_VAR: &str = "PATCHWORK_MAX_MEMORY";

/// The size of one patch (a copy of a locality).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PatchSize {
    pub posts: f64,
    pub pupils: f64,
}

impl PatchSize {
    /// The posts and pupils a patch of `locality` starts with, counted as `model::Patch::new`
    /// lays them out (pooled posts at the most the core group can buy).
    pub fn of(params: &Params, locality: &LocalityParams) -> PatchSize {
        let primaries = f64::from(locality.primaries);
        let secondaries = f64::from(locality.secondaries);
        let pupils = primaries * f64::from(locality.primary_pupils)
            + secondaries * f64::from(locality.secondary_pupils);
        let mut posts = 0.0;
        for role in Role::ALL {
            let rp = params.role(role);
            match role {
                Role::Head | Role::Senco | Role::PastoralLead => {
                    for (schools, fte, pupils) in [
                        (primaries, rp.per_primary_fte, 0),
                        (secondaries, rp.per_secondary_fte, locality.secondary_pupils),
                    ] {
                        if fte <= 0.0 {
                            continue;
                        }
                        let units = if role == Role::PastoralLead
                            && pupils > 0
                            && locality.pastoral_unit_pupils > 0
                        {
                            f64::from(pupils.div_ceil(locality.pastoral_unit_pupils).max(1))
                        } else {
                            1.0
                        };
                        posts += schools * if units > 1.0 { units } else { fte.ceil() };
                    }
                }
                _ => {
                    let total = rp.per_1000_pupils_fte * pupils / 1000.0
                        + rp.per_primary_fte * primaries
                        + rp.per_secondary_fte * secondaries;
                    if total > 0.0 {
                        let splits = match role {
                            Role::SocialWorker | Role::EarlyHelp => locality.social_care_teams,
                            Role::SchoolNurse | Role::SpeechTherapist | Role::MentalHealth => {
                                locality.health_providers
                            }
                            _ => 1,
                        };
                        posts += total.ceil().max(f64::from(splits));
                    }
                }
            }
        }
        let coordination = &params.coordination;
        if coordination.minder {
            posts += 1.0;
        }
        if coordination.core_group && coordination.pooled_unit_hours > 0.0 {
            posts += (coordination.pooled_hours_per_school * (primaries + secondaries)
                / coordination.pooled_unit_hours)
                .floor()
                .min(crate::model::MAX_POOLED_UNITS as f64);
        }
        PatchSize { posts, pupils }
    }

    fn running_bytes(self, years: f64) -> f64 {
        self.posts * self.posts * BYTES_PER_POST_PAIR
            + self.pupils * BYTES_PER_PUPIL
            + self.pupils * years * BYTES_PER_PUPIL_YEAR_RUNNING
    }

    fn seconds(self, weeks: f64) -> f64 {
        weeks
            * (self.posts * self.posts * SECONDS_PER_POST_PAIR_WEEK
                + self.pupils * SECONDS_PER_PUPIL_WEEK)
    }
}

/// What one simulation of a scenario (every copy of every locality) needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunCost {
    /// Peak bytes while it runs.
    pub running_bytes: f64,
    /// Bytes its finished records hold when they are kept to the end.
    pub kept_bytes: f64,
    /// Bytes of one recorded network frame of the first patch.
    pub frame_bytes: f64,
    /// CPU seconds.
    pub seconds: f64,
}

impl RunCost {
    pub fn of(params: &Params) -> RunCost {
        let weeks = f64::from(params.horizon_weeks);
        let years = weeks / 52.0;
        let mut cost = RunCost {
            running_bytes: 0.0,
            kept_bytes: weeks * BYTES_PER_WEEK_KEPT,
            frame_bytes: 0.0,
            seconds: 0.0,
        };
        for (index, locality) in params.localities.iter().enumerate() {
            let size = PatchSize::of(params, locality);
            let copies = f64::from(locality.count);
            cost.running_bytes += copies * size.running_bytes(years);
            cost.kept_bytes += copies * size.pupils * years * BYTES_PER_PUPIL_YEAR_KEPT;
            cost.seconds += copies * size.seconds(weeks);
            if index == 0 {
                cost.frame_bytes = size.posts * size.posts * BYTES_PER_POST_PAIR_FRAME;
            }
        }
        cost
    }

    /// The larger of two costs, term by term: for jobs that run more than one scenario.
    pub fn max(self, other: RunCost) -> RunCost {
        RunCost {
            running_bytes: self.running_bytes.max(other.running_bytes),
            kept_bytes: self.kept_bytes.max(other.kept_bytes),
            frame_bytes: self.frame_bytes.max(other.frame_bytes),
            seconds: self.seconds.max(other.seconds),
        }
    }

    /// The cost of one run of a job that runs each of `costs` about equally often (the points
    /// of a sweep): the largest memory of any, and their mean seconds. `None` when there are
    /// none.
    pub fn mean_of(costs: &[RunCost]) -> Option<RunCost> {
        let mut iter = costs.iter().copied();
        let first = iter.next()?;
        let largest = iter.fold(first, RunCost::max);
        Some(RunCost {
            seconds: costs.iter().map(|cost| cost.seconds).sum::<f64>() / costs.len() as f64,
            ..largest
        })
    }

    /// The cost of one patch of `national`, each copy of each locality run on its own, over the
    /// block `patches` of the patches in their fixed order (every copy of the first locality,
    /// then of the second, ...): the memory of the largest patch in the block, and the mean
    /// seconds of its patches (a job of `patches.end - patches.start` runs then costs the
    /// block's total, not every patch costed as the whole country).
    pub fn of_patches(params: &Params, patches: std::ops::Range<u64>) -> RunCost {
        let weeks = f64::from(params.horizon_weeks);
        let years = weeks / 52.0;
        let mut cost = RunCost {
            running_bytes: 0.0,
            kept_bytes: 0.0,
            frame_bytes: 0.0,
            seconds: 0.0,
        };
        let mut first = 0u64;
        let mut total_seconds = 0.0;
        for locality in &params.localities {
            let last = first + u64::from(locality.count);
            let own = last
                .min(patches.end)
                .saturating_sub(first.max(patches.start));
            if own > 0 {
                let size = PatchSize::of(params, locality);
                cost.running_bytes = cost.running_bytes.max(size.running_bytes(years));
                total_seconds += own as f64 * size.seconds(weeks);
            }
            first = last;
        }
        let count = patches.end.saturating_sub(patches.start);
        if count > 0 {
            cost.seconds = total_seconds / count as f64;
        }
        cost
    }
}

/// A job: how many simulations, how many at once, how many kept to the end.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Job {
    /// What one simulation costs: when they differ, the memory of the largest and the mean
    /// seconds (`RunCost::mean_of`, `RunCost::of_patches`); `compare` takes the larger arm.
    pub run: RunCost,
    /// Simulations in all.
    pub runs: f64,
    /// Threads: simulations running at once (at most `runs`).
    pub threads: f64,
    /// Finished simulations whose records are kept to the end (`run`, `compare`: all of them;
    /// `sweep`, `national`: none, their rows are streamed).
    pub kept: f64,
    /// Network frames recorded (`--network-weeks`), and GIF frames of `demo`.
    pub frames: f64,
}

/// A job's estimated peak memory and wall time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub peak_bytes: f64,
    pub seconds: f64,
}

impl Job {
    pub fn estimate(&self) -> Estimate {
        let at_once = self.threads.max(1.0).min(self.runs.max(1.0));
        Estimate {
            peak_bytes: BASE_BYTES
                + at_once * self.run.running_bytes
                + self.kept * self.run.kept_bytes
                + self.frames * self.run.frame_bytes,
            seconds: self.runs * self.run.seconds / at_once,
        }
    }
}

impl Estimate {
    /// `estimated peak memory 23.8 MB`, without the time: for a job whose time is estimated by
    /// timing runs of it (`sweep --dry-run`, `check` of a sweep file).
    pub fn memory_text(&self) -> String {
        format!("estimated peak memory {}", bytes_text(self.peak_bytes))
    }
}

impl fmt::Display for Estimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "estimated peak memory {}, time {}",
            bytes_text(self.peak_bytes),
            seconds_text(self.seconds)
        )
    }
}

/// Bytes for people: `512 MB`, `3.4 GB`.
pub fn bytes_text(bytes: f64) -> String {
    let units = [
        ("kB", 1e3),
        ("MB", 1e6),
        ("GB", 1e9),
        ("TB", 1e12),
        ("PB", 1e15),
    ];
    if !bytes.is_finite() || bytes >= 1e18 {
        return "more than 1,000 PB".to_string();
    }
    let mut chosen = ("B", 1.0);
    for unit in units {
        if bytes >= unit.1 {
            chosen = unit;
        }
    }
    let value = bytes / chosen.1;
    if value >= 100.0 || chosen.0 == "B" {
        format!("{value:.0} {}", chosen.0)
    } else {
        format!("{value:.1} {}", chosen.0)
    }
}

/// Seconds for people: `40 s`, `12 min`, `3.5 h`, `20 days`, `300 years`.
pub fn seconds_text(seconds: f64) -> String {
    if !seconds.is_finite() {
        return "forever".to_string();
    }
    let (value, unit) = if seconds < 90.0 {
        return format!("{:.0} s", seconds.max(1.0));
    } else if seconds < 5400.0 {
        (seconds / 60.0, "min")
    } else if seconds < 172_800.0 {
        (seconds / 3600.0, "h")
    } else if seconds < 2.0 * 31_557_600.0 {
        (seconds / 86_400.0, "days")
    } else {
        (seconds / 31_557_600.0, "years")
    };
    if value >= 100.0 {
        format!("{value:.0} {unit}")
    } else {
        format!("{value:.1} {unit}")
    }
}

/// A size as written in `PATCHWORK_MAX_MEMORY`: a number with an optional unit (`B`, `kB`, `MB`,
/// `GB`, `TB`, powers of 1,000, or `KiB`, `MiB`, `GiB`, `TiB`, powers of 1,024; case ignored).
/// `None` for `none`, `off` or `unlimited` (no limit). An error says what was wrong.
pub fn parse_size(text: &str) -> Result<Option<f64>, String> {
    let text = text.trim();
    let lower = text.to_ascii_lowercase();
    if ["none", "off", "unlimited"].contains(&lower.as_str()) {
        return Ok(None);
    }
    let split = lower
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(lower.len());
    let (number, unit) = lower.split_at(split);
    let factor = match unit.trim() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0f64.powi(2),
        "gib" => 1024.0f64.powi(3),
        "tib" => 1024.0f64.powi(4),
        _ => return Err(format!("unknown unit in {text:?}")),
    };
    match number.parse::<f64>() {
        Ok(number) if number.is_finite() && number > 0.0 => Ok(Some(number * factor)),
        _ => Err(format!(
            "{text:?} is not a size (such as 512MB, 64GB or none)"
        )),
    }
}

/// `MemAvailable` of `/proc/meminfo` (its text), in bytes.
pub fn mem_available(meminfo: &str) -> Option<f64> {
    let line = meminfo
        .lines()
        .find(|line| line.starts_with("MemAvailable:"))?;
    let mut words = line.split_whitespace().skip(1);
    let number: f64 = words.next()?.parse().ok()?;
    let factor = match words.next() {
        Some("kB") | Some("KB") => 1024.0,
        None => 1.0,
        Some(_) => return None,
    };
    Some(number * factor)
}

/// Where a memory limit came from, for the message that refuses a job.
#[derive(Debug, Clone, PartialEq)]
pub enum Limit {
    /// `PATCHWORK_MAX_MEMORY`.
    Set(f64),
    /// `MemAvailable`.
    Available(f64),
    /// Nothing to go by (or `PATCHWORK_MAX_MEMORY=none`): nothing is refused.
    Unknown,
}

impl Limit {
    /// From the value of `PATCHWORK_MAX_MEMORY` (if set) and the text of `/proc/meminfo` (if
    /// readable).
    pub fn from(setting: Option<&str>, meminfo: Option<&str>) -> Result<Limit, String> {
        if let Some(setting) = setting {
            return Ok(
                match parse_size(setting).map_err(|reason| format!("{MAX_MEMORY_VAR}: {reason}"))? {
                    Some(bytes) => Limit::Set(bytes),
                    None => Limit::Unknown,
                },
            );
        }
        Ok(meminfo
            .and_then(mem_available)
            .map_or(Limit::Unknown, Limit::Available))
    }

    /// This machine's limit: the environment, then `/proc/meminfo`.
    pub fn of_machine() -> Result<Limit, String> {
        let setting = std::env::var(MAX_MEMORY_VAR).ok();
        let meminfo = std::fs::read_to_string("/proc/meminfo").ok();
        Limit::from(setting.as_deref(), meminfo.as_deref())
    }

    /// `Err` with a message saying what the job needs, what there is and how to override, when
    /// `estimate` needs more than the limit.
    pub fn check(&self, what: &str, estimate: &Estimate) -> Result<(), String> {
        let (limit, source) = match self {
            Limit::Set(bytes) => (
                *bytes,
                format!("the {} set by {MAX_MEMORY_VAR}", bytes_text(*bytes)),
            ),
            Limit::Available(bytes) => (
                *bytes,
                format!("the {} this machine has available", bytes_text(*bytes)),
            ),
            Limit::Unknown => return Ok(()),
        };
        if estimate.peak_bytes <= limit {
            return Ok(());
        }
        Err(format!(
            "{what} would need an estimated {} of memory (and {} of time), more than {source}; make it \
             smaller (fewer schools, pupils, replicates or weeks; fewer --threads run fewer \
             replicates at once), or on a machine with more memory set {MAX_MEMORY_VAR} to what \
             it may use (e.g. {MAX_MEMORY_VAR}={}), or to `none` to skip this check",
            bytes_text(estimate.peak_bytes),
            seconds_text(estimate.seconds),
            bytes_text((estimate.peak_bytes * 1.25).max(1e9)).replace(' ', "")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn baseline() -> Params {
        crate::scenario::load(None, &[]).unwrap().params
    }

    #[test]
    fn the_baseline_is_counted_as_the_model_lays_it_out() {
        let params = baseline();
        let size = PatchSize::of(&params, &params.localities[0]);
        assert_eq!(size.pupils, 5.0 * 275.0 + 1050.0);
        // 6 heads, 6 SENCOs, 5 + 3 pastoral leads, social workers ceil(4.49), early help
        // ceil(1.21), one nurse, one speech therapist, one psychologist, one mental health.
        assert_eq!(size.posts, 6.0 + 6.0 + 8.0 + 5.0 + 2.0 + 4.0);
    }

    #[test]
    fn memory_grows_with_posts_squared_and_with_replicates_kept() {
        let params = baseline();
        let one = RunCost::of(&params);
        let mut big = params.clone();
        big.localities[0].primaries = 50;
        let fifty = RunCost::of(&big);
        assert!(fifty.running_bytes > 8.0 * one.running_bytes);
        let job = |kept: f64| Job {
            run: one,
            runs: 20.0,
            threads: 2.0,
            kept,
            frames: 6.0,
        };
        assert!(job(20.0).estimate().peak_bytes > job(0.0).estimate().peak_bytes);
        // The baseline's run of 20 replicates on two threads measured about 21 MB at its peak.
        let estimate = job(20.0).estimate();
        assert!(
            (16e6..40e6).contains(&estimate.peak_bytes),
            "{}",
            estimate.peak_bytes
        );
    }

    #[test]
    fn a_baseline_replicate_takes_milliseconds() {
        // Measured: 5.8 ms of CPU a replicate (release, see the top of this file).
        let seconds = RunCost::of(&baseline()).seconds;
        assert!((4e-3..12e-3).contains(&seconds), "{seconds}");
        // 200 primaries (778 posts): measured 0.54 s.
        let mut big = baseline();
        big.localities[0].primaries = 200;
        let seconds = RunCost::of(&big).seconds;
        assert!((0.3..1.2).contains(&seconds), "{seconds}");
    }

    #[test]
    fn a_national_patch_costs_one_patch_not_the_country() {
        let params = crate::batch::national::load(None, &[]).unwrap().params;
        let patches: u64 = params.localities.iter().map(|l| u64::from(l.count)).sum();
        let whole = RunCost::of_patches(&params, 0..patches);
        // Each patch is a few dozen posts and a few thousand pupils: milliseconds, as the
        // baseline, however many patches the country has.
        assert!((4e-3..12e-3).contains(&whole.seconds), "{}", whole.seconds);
        let job = |range: std::ops::Range<u64>| Job {
            run: RunCost::of_patches(&params, range.clone()),
            runs: (range.end - range.start) as f64,
            threads: 2.0,
            kept: 0.0,
            frames: 0.0,
        };
        // The whole run is the sum of its patches (3,800 measured 24 CPU seconds, 12 to 22 s on
        // two threads), and its shards add up to it.
        let all = job(0..patches).estimate().seconds;
        let mut sum = 0.0;
        for locality in &params.localities {
            let size = PatchSize::of(&params, locality);
            sum += f64::from(locality.count) * size.seconds(f64::from(params.horizon_weeks)) / 2.0;
        }
        assert!((all - sum).abs() < 1e-9 * sum, "{all} {sum}");
        assert!((6.0..40.0).contains(&all), "{all}");
        let third = patches / 3;
        let shards: f64 = [0..third, third..2 * third, 2 * third..patches]
            .into_iter()
            .map(|range| job(range).estimate().seconds)
            .sum();
        assert!((shards - all).abs() < 1e-9 * all, "{shards} {all}");
        assert_eq!(RunCost::of_patches(&params, 5..5).seconds, 0.0);
        // A block within one locality costs that locality's patches.
        let first = PatchSize::of(&params, &params.localities[0]);
        let one = RunCost::of_patches(&params, 0..1);
        assert_eq!(one.seconds, first.seconds(f64::from(params.horizon_weeks)));
    }

    #[test]
    fn a_mix_of_runs_costs_the_largest_memory_and_the_mean_time() {
        let small = RunCost::of(&baseline());
        let mut params = baseline();
        params.localities[0].primaries = 30;
        let large = RunCost::of(&params);
        let mixed = RunCost::mean_of(&[small, large, large]).unwrap();
        assert_eq!(mixed.running_bytes, large.running_bytes);
        assert!((mixed.seconds - (small.seconds + 2.0 * large.seconds) / 3.0).abs() < 1e-12);
        assert_eq!(RunCost::mean_of(&[]), None);
    }

    #[test]
    fn sizes_are_read_and_written() {
        assert_eq!(parse_size("10MB"), Ok(Some(10e6)));
        assert_eq!(parse_size(" 2 GiB "), Ok(Some(2.0 * 1024.0f64.powi(3))));
        assert!(parse_size("1e3").is_err());
        assert_eq!(parse_size("none"), Ok(None));
        assert!(parse_size("12 parsecs").is_err());
        assert!(parse_size("-5GB").is_err());
        assert_eq!(bytes_text(1.5e9), "1.5 GB");
        assert_eq!(bytes_text(152e9), "152 GB");
        assert_eq!(seconds_text(30.0), "30 s");
        assert_eq!(seconds_text(7200.0), "2.0 h");
    }

    #[test]
    fn the_limit_comes_from_the_setting_then_meminfo() {
        let meminfo = "MemTotal: 100 kB\nMemAvailable:    2000 kB\n";
        assert_eq!(
            Limit::from(None, Some(meminfo)),
            Ok(Limit::Available(2000.0 * 1024.0))
        );
        assert_eq!(Limit::from(Some("1GB"), Some(meminfo)), Ok(Limit::Set(1e9)));
        assert_eq!(Limit::from(Some("none"), Some(meminfo)), Ok(Limit::Unknown));
        assert_eq!(Limit::from(None, Some("garbage")), Ok(Limit::Unknown));
        assert_eq!(Limit::from(None, None), Ok(Limit::Unknown));
        assert!(Limit::from(Some("lots"), None).is_err());
        let estimate = Estimate {
            peak_bytes: 3e9,
            seconds: 60.0,
        };
        assert!(Limit::Unknown.check("the run", &estimate).is_ok());
        let refused = Limit::Set(1e9).check("the run", &estimate).unwrap_err();
        assert!(refused.contains("PATCHWORK_MAX_MEMORY"), "{refused}");
        assert!(Limit::Set(4e9).check("the run", &estimate).is_ok());
    }
}
