//! The command line as clap reads it (the only module that knows clap): `Command` and one
//! `…Options` struct per command, `parse_args`, `UsageError`, and where each command writes
//! when `--out` is not given.

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use patchwork_sim::batch::sweep::Shard;

#[derive(Debug, Parser)]
#[command(
    name = "patchwork",
    version,
    about = "Agent-based simulator of multi-professional collaboration around school clusters",
    propagate_version = true
)]
struct CommandLine {
    #[command(subcommand)]
    command: Command,
}

/// What the user asked for.
#[derive(Debug, Clone, PartialEq, Subcommand)]
pub enum Command {
    /// Run replicates of a scenario and write runs.csv, summary.csv, weekly.csv, survival.csv,
    /// events.csv, network_posts.csv, network_ties.csv, metadata.json, report.html and plots/
    #[command(after_help = "Examples:
  patchwork run                                   the built-in baseline, into output/baseline/
  patchwork run scenarios/co-located.toml --replicates 20 --out output/co
  patchwork run scenarios/baseline.toml --set coordination.mode=team --force")]
    Run(RunOptions),
    /// Validate a scenario (or a sweep file) and print its fully resolved parameters (or the
    /// sweep's points, runs and an estimate of its time); writes nothing
    #[command(after_help = "Examples:
  patchwork check scenarios/baseline.toml
  patchwork check scenario.toml --set coordination.mode=team
  patchwork check scenarios/cluster-size-sweep.toml   a sweep: its points, runs and an estimate")]
    Check(CheckOptions),
    /// Run two scenarios on the same seeds and write comparison.csv, report.md, report.html, the
    /// plots and their CSV files: paired differences with 95% CIs and each one's advantage over
    /// agencies in silos
    #[command(after_help = "Examples:
  patchwork compare scenarios/baseline.toml scenarios/co-located.toml
  patchwork compare scenarios/baseline.toml scenarios/co-located.toml --replicates 40 --out output/co")]
    Compare(CompareOptions),
    /// Redraw the plots of an output directory of `run`, `compare` or `sweep` from its CSV files
    /// (a sweep's report.html too)
    #[command(after_help = "Examples:
  patchwork plot output/baseline --force          redraw plots/ of a run
  patchwork plot output/cluster-size --force      a sweep: plots/ and report.html from points.csv")]
    Plot(PlotOptions),
    /// Write a commented template scenario: every key with its default, unit and source
    #[command(after_help = "Examples:
  patchwork init                                  writes scenario.toml
  patchwork init my-cluster.toml && patchwork check my-cluster.toml")]
    Init(InitOptions),
    /// A narrated run for a room of practitioners: what happens, week by week, in plain words
    #[command(after_help = "Examples:
  patchwork demo                                  the built-in story, told at a reading pace
  patchwork demo --compare --speed 0              the same seed without the minder, all at once")]
    Demo(DemoOptions),
    /// Run a parameter sweep (the built-in headline sweep when no file is given) and write
    /// runs.csv, points.csv, failures.csv, settling.csv, metadata.json, report.html and plots/
    #[command(after_help = "Examples:
  patchwork check scenarios/cluster-size-sweep.toml   its points, runs and an estimate first
  patchwork sweep scenarios/cluster-size-sweep.toml
  patchwork sweep scenarios/cluster-size-sweep.toml --resume   carry on after Ctrl-C or a kill
  patchwork sweep big.toml --shard 1/2 --out output/big/shard-1   then merge the shards")]
    Sweep(SweepOptions),
    /// Join the output directories of a sharded sweep (or sensitivity analysis, or national run)
    /// into the files of the whole
    #[command(after_help = "Examples:
  patchwork merge output/big/shard-1 output/big/shard-2 --out output/big/merged")]
    Merge(MergeOptions),
    /// Run a national scenario (England when no file is given), one patch per task in parallel,
    /// and write localities.csv, national.csv, failures.csv, metadata.json and report.html
    #[command(after_help = "Examples:
  patchwork national                              England, ad hoc
  patchwork national --set coordination.mode=team --out output/england-team
  patchwork national --shard 1/3 --out output/england/s1   then patchwork merge")]
    National(NationalOptions),
    /// Suggest a warm-up by Welch's method: run replicates with no warm-up over a long horizon,
    /// smooth the weekly series and find where each settles; writes warmup.csv and warmup.png
    #[command(after_help = "Examples:
  patchwork warmup
  patchwork warmup scenarios/phase3-rural-network.toml --replicates 10")]
    Warmup(WarmupOptions),
    /// Global sensitivity analysis (Sobol' indices or Morris screening) of measures over
    /// scenario parameters, from a sensitivity file; writes samples.csv, runs.csv, indices.csv,
    /// report.html and plots/
    #[command(after_help = "Examples:
  patchwork sensitivity scenarios/sensitivity/ties-and-turnover.toml --dry-run
  patchwork sensitivity scenarios/sensitivity/ties-and-turnover.toml")]
    Sensitivity(SensitivityOptions),
    /// Fit scenario parameters to observed measures by ABC-SMC, from a calibration file; writes
    /// particles.csv, posterior.csv, generations.csv, metadata.json, report.html and plots/
    ///
    /// Every accepted particle is journaled as it comes in, so a calibration killed at any moment
    /// carries on with --resume to the same bytes. There is no --shard: each generation draws
    /// from the whole of the one before, so a calibration runs on one machine, its particles in
    /// parallel over --threads.
    #[command(after_help = "Examples:
  patchwork calibrate scenarios/calibrate/baseline-referrals.toml --dry-run
  patchwork calibrate scenarios/calibrate/baseline-referrals.toml --resume   after a kill")]
    Calibrate(CalibrateOptions),
    /// Where in the assumption parameters' plausible region each of the twelve patterns holds,
    /// and which parameters decide it (Latin hypercube, paired replicates, PRCC); writes
    /// samples.csv, effects.csv, robustness.csv, prcc.csv and report.html
    #[command(after_help = "Examples:
  patchwork robustness --dry-run                  scenarios/robustness.toml: runs and time
  patchwork robustness scenarios/robustness-ends.toml")]
    Robustness(RobustnessOptions),
}

/// Options of `patchwork robustness`.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct RobustnessOptions {
    /// Robustness file (TOML): samples, replicates, seed, patterns, [[parameter]]s with their
    /// plausible ranges
    #[arg(value_name = "FILE", default_value = "scenarios/robustness.toml")]
    pub spec_path: PathBuf,

    /// Directory for the output files [default: output/<file name>/]
    #[arg(long = "out", value_name = "DIR")]
    pub output_dir: Option<PathBuf>,

    /// Worker threads; 0 uses every logical CPU (results never depend on it)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,

    /// Print the number of runs and an estimate of the time; run nothing, write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Write into an existing non-empty output directory, replacing files of the same names
    #[arg(long)]
    pub force: bool,

    /// Print nothing but errors (no progress bar, no table)
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options of `patchwork warmup`.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct WarmupOptions {
    /// Scenario file (TOML); the built-in baseline when omitted
    #[arg(value_name = "SCENARIO")]
    pub scenario_path: Option<PathBuf>,

    /// Directory for the output files [default: output/warmup-<scenario name>/]
    #[arg(long = "out", value_name = "DIR")]
    pub output_dir: Option<PathBuf>,

    /// Number of replicates averaged week by week
    #[arg(long, value_name = "N", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub replicates: u32,

    /// Weeks simulated, all of them measured (run.warmup_weeks is set to 0); at least 2 × 26 + 2
    #[arg(long, value_name = "W", default_value_t = 520, value_parser = clap::value_parser!(u32).range(54..=5_200))]
    pub horizon_weeks: u32,

    /// Master seed (overrides the scenario's)
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// Worker threads; 0 uses every logical CPU (results never depend on it)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,

    /// Override a scenario key, e.g. --set coordination.mode=team (repeatable)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,

    /// Replace an existing non-empty output directory (the new one is swapped in whole)
    #[arg(long)]
    pub force: bool,

    /// Print nothing but errors (no progress bar, no table)
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options of `patchwork sensitivity`.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct SensitivityOptions {
    /// Sensitivity file (TOML): base scenario, outputs, method, design, [[parameter]]s
    #[arg(value_name = "FILE")]
    pub spec_path: PathBuf,

    /// Directory for the output files [default: output/<file name>/, or
    /// output/<file name>/shard-I-of-N/ with --shard]
    #[arg(long = "out", value_name = "DIR")]
    pub output_dir: Option<PathBuf>,

    /// Worker threads; 0 uses every logical CPU (results never depend on it)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,

    /// Carry on an interrupted analysis in the output directory, running only what is missing
    #[arg(long, conflicts_with = "force")]
    pub resume: bool,

    /// Run only shard I of N (1 <= I <= N), a block of whole points, writing its samples.csv and
    /// runs.csv; join shards with `merge`, which computes the indices, plots and report
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,

    /// Print the number of points and runs and an estimate of the time; run nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Write into an existing non-empty output directory, replacing files of the same names
    #[arg(long)]
    pub force: bool,

    /// Print nothing but errors (no progress bar, no summary)
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options of `patchwork calibrate`.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct CalibrateOptions {
    /// Calibration file (TOML): base scenario, sets, ABC settings, [[parameter]]s, [[target]]s
    #[arg(value_name = "FILE")]
    pub spec_path: PathBuf,

    /// Directory for the output files [default: output/<file name>/]
    #[arg(long = "out", value_name = "DIR")]
    pub output_dir: Option<PathBuf>,

    /// Worker threads; 0 uses every logical CPU (results never depend on it)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,

    /// Carry on an interrupted calibration in the output directory from its last journaled
    /// particle (the same bytes as a calibration never interrupted); on a finished one, do nothing
    #[arg(long, conflicts_with = "force")]
    pub resume: bool,

    /// Print how many simulations the schedule may need and an estimate of the time, write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Write into an existing non-empty output directory, replacing files of the same names
    /// (an interrupted calibration there starts again)
    #[arg(long)]
    pub force: bool,

    /// Print nothing but errors (no progress, no summary)
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options of `patchwork sweep`.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct SweepOptions {
    /// Sweep file (TOML); the built-in headline sweep when omitted
    #[arg(value_name = "SWEEP")]
    pub sweep_path: Option<PathBuf>,

    /// Directory for the output files [default: output/<sweep name>/, or
    /// output/<sweep name>/shard-I-of-N/ with --shard]
    #[arg(long = "out", value_name = "DIR")]
    pub output_dir: Option<PathBuf>,

    /// Worker threads; 0 uses every logical CPU (results never depend on it)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,

    /// Override a scenario or sweep key, e.g. --set sweep.replicates=5 (repeatable)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,

    /// Draw each run's parameters from a posterior CSV (as `calibrate`'s posterior.csv):
    /// replicate r draws one row by weight from its seed, the same at every point; a --set or
    /// axis on a posterior key is refused; runs.csv gains the draws
    #[arg(long, value_name = "FILE")]
    pub posterior: Option<PathBuf>,

    /// Carry on an interrupted sweep in the output directory, running only what is missing
    #[arg(long, conflicts_with = "force")]
    pub resume: bool,

    /// Run only shard I of N (1 <= I <= N), a block of whole points; join shards with `merge`
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,

    /// Write into an existing non-empty output directory, replacing the sweep's files
    #[arg(long)]
    pub force: bool,

    /// Print the number of points and runs and an estimate of the time; run nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Print nothing but errors (no progress bar, no summary)
    #[arg(long, short)]
    pub quiet: bool,
}

fn parse_shard(text: &str) -> Result<Shard, String> {
    Shard::parse(text)
}

/// Options of `patchwork national`.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct NationalOptions {
    /// National scenario file (TOML): localities with `count` copies; England when omitted
    #[arg(value_name = "SCENARIO")]
    pub scenario_path: Option<PathBuf>,

    /// Directory for the output files [default: output/<scenario name>/]
    #[arg(long = "out", value_name = "DIR")]
    pub output_dir: Option<PathBuf>,

    /// Worker threads; 0 uses every logical CPU (results never depend on it)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,

    /// Override a scenario key, e.g. --set coordination.mode=team (repeatable)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,

    /// Run only shard I of N (1 <= I <= N), a block of patches in their fixed order, each with
    /// its own seed; join shards with `merge` [output: output/<scenario name>/shard-I-of-N/]
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,

    /// Print the number of patches (this shard's, with --shard) and the memory estimate, then
    /// exit without running or writing anything
    #[arg(long)]
    pub dry_run: bool,

    /// Replace an existing non-empty output directory (the new one is swapped in whole)
    #[arg(long)]
    pub force: bool,

    /// Print nothing but errors (no progress bar, no summary)
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options of `patchwork merge`.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct MergeOptions {
    /// Output directories of the shards (any order)
    #[arg(value_name = "DIR", required = true)]
    pub shard_dirs: Vec<PathBuf>,

    /// Directory for the merged files
    #[arg(long = "out", value_name = "DIR")]
    pub output_dir: PathBuf,

    /// Replace an existing non-empty output directory (the new one is swapped in whole)
    #[arg(long)]
    pub force: bool,

    /// Print nothing but errors
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options of `patchwork run`.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct RunOptions {
    /// Scenario file (TOML); the built-in baseline when omitted
    #[arg(value_name = "SCENARIO")]
    pub scenario_path: Option<PathBuf>,

    /// Directory for the output files [default: output/<scenario name>/]
    #[arg(long = "out", value_name = "DIR")]
    pub output_dir: Option<PathBuf>,

    /// Number of replicates (overrides the scenario's)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub replicates: Option<u32>,

    /// Master seed (overrides the scenario's)
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// Run replicate R of the master seed alone (from 0, as runs.csv's replicate column): its row
    /// of runs.csv is the one a full run writes, so one replicate can be rerun exactly
    #[arg(long, value_name = "R", conflicts_with_all = ["replicates", "posterior"])]
    pub replicate: Option<u32>,

    /// Worker threads; 0 uses every logical CPU (results never depend on it)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,

    /// Override a scenario key, e.g. --set coordination.mode=team (repeatable)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,

    /// Weeks (from 0, before the horizon) at whose end replicate 0's network is recorded and
    /// drawn, e.g. 52,75,103 [default: the first measured week, the week before and 13 weeks
    /// after each timeline event, the last week; at most 6]
    #[arg(long, value_name = "W[,W...]", value_delimiter = ',', value_parser = clap::value_parser!(u32))]
    pub network_weeks: Vec<u32>,

    /// Draw each replicate's parameters from a posterior CSV (as `calibrate`'s posterior.csv):
    /// replicate r draws one row by weight from its own seed; its values override the scenario;
    /// a --set on a posterior key is refused; runs.csv gains the draws
    #[arg(long, value_name = "FILE")]
    pub posterior: Option<PathBuf>,

    /// Replace an existing non-empty output directory (the new one is swapped in whole)
    #[arg(long)]
    pub force: bool,

    /// Print nothing but errors (no progress bar, no summary)
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options of `patchwork demo`.
#[derive(Debug, Clone, PartialEq, Args)]
pub struct DemoOptions {
    /// Scenario file (TOML); by default a consultation team with a minder who leaves in week 76
    /// (half-term 4 of the second school year)
    #[arg(value_name = "SCENARIO")]
    pub scenario_path: Option<PathBuf>,

    /// Directory for timeline.md and demo.gif (with --compare, also the run without the minder's)
    /// [default: output/demo/, or output/demo-compare/ with --compare]
    #[arg(long = "out", value_name = "DIR")]
    pub output_dir: Option<PathBuf>,

    /// Weeks to tell [default: the scenario's horizon]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub weeks: Option<u32>,

    /// Seed of the run (overrides the scenario's)
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// Also run the same seed with the minder switched off and tell the two side by side
    #[arg(long)]
    pub compare: bool,

    /// Seconds to pause for each line printed, so a room can read along (a week with an event is
    /// held longer; 0 = no pause; no pause either when output is not a terminal)
    #[arg(long, value_name = "SECONDS", default_value_t = 0.6)]
    pub speed: f64,

    /// Override a scenario key, e.g. --set coordination.minder=false (repeatable)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,

    /// Replace an existing non-empty output directory (the new one is swapped in whole)
    #[arg(long)]
    pub force: bool,

    /// Print nothing; just write the files
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options of `patchwork compare`.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct CompareOptions {
    /// Scenario A (TOML): the reference
    #[arg(value_name = "A")]
    pub scenario_a: PathBuf,

    /// Scenario B (TOML): compared with A [default: A again, changed with --set-b or --set-a]
    #[arg(value_name = "B")]
    pub scenario_b: Option<PathBuf>,

    /// Directory for the output files [default: output/compare-<A name>-vs-<B name>/]
    #[arg(long = "out", value_name = "DIR")]
    pub output_dir: Option<PathBuf>,

    /// Replicates of each scenario [default: A's run.replicates]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub replicates: Option<u32>,

    /// Master seed, shared by both scenarios [default: A's run.seed]
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// Worker threads; 0 uses every logical CPU (results never depend on it)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,

    /// Override a key in both scenarios, e.g. --set run.horizon_weeks=156 (repeatable)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,

    /// Override a key in A alone, after --set, e.g. --set-a 'event=[]' (repeatable)
    #[arg(long = "set-a", value_name = "KEY=VALUE")]
    pub sets_a: Vec<String>,

    /// Override a key in B alone, after --set, e.g. --set-b coordination.minder=true (repeatable)
    #[arg(long = "set-b", value_name = "KEY=VALUE")]
    pub sets_b: Vec<String>,

    /// Weeks (from 0, before the horizon) at whose end replicate 0's network is recorded and
    /// drawn, the same for both scenarios [default: the first measured week, the week
    /// before and 13 weeks after each timeline event of either, the last week; at most 6]
    #[arg(long, value_name = "W[,W...]", value_delimiter = ',', value_parser = clap::value_parser!(u32))]
    pub network_weeks: Vec<u32>,

    /// Draw each replicate's parameters from a posterior CSV (as `calibrate`'s posterior.csv):
    /// replicate r draws one row by weight from its seed, the same in both scenarios, and also
    /// runs it on a second seed, so each difference's variance is split into the part from the
    /// parameters and the part from the random draws
    #[arg(long, value_name = "FILE")]
    pub posterior: Option<PathBuf>,

    /// Replace an existing non-empty output directory (the new one is swapped in whole)
    #[arg(long)]
    pub force: bool,

    /// Print nothing but errors (no progress bar, no summary)
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options of `patchwork plot`.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct PlotOptions {
    /// Output directory of `patchwork run`, `compare` or `sweep`
    #[arg(value_name = "DIR")]
    pub directory: PathBuf,

    /// Replace the plots already in DIR/plots
    #[arg(long)]
    pub force: bool,

    /// Print nothing but errors
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options of `patchwork check`.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct CheckOptions {
    /// Scenario file (TOML)
    #[arg(value_name = "SCENARIO")]
    pub scenario_path: PathBuf,

    /// Override a scenario key, e.g. --set coordination.mode=team (repeatable)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
}

/// Options of `patchwork init`.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct InitOptions {
    /// Where to write the template scenario
    #[arg(value_name = "PATH", default_value = "scenario.toml")]
    pub path: PathBuf,

    /// Replace the file if it exists
    #[arg(long)]
    pub force: bool,
}

/// The command line could not be turned into a command: a usage error, or `--help` /
/// `--version`, whose text is ready to print.
#[derive(Debug)]
pub struct UsageError(clap::Error);

impl UsageError {
    /// Whether this is a real error (as opposed to help or version output the user asked for).
    pub fn is_error(&self) -> bool {
        self.0.use_stderr()
    }

    /// Prints the message (help to stdout, errors to stderr) in clap's format.
    pub fn print(&self) {
        // Nothing useful can be done if the terminal is gone.
        let _ = self.0.print();
    }
}

/// Parses the process's arguments.
pub fn parse_args() -> Result<Command, UsageError> {
    parse_args_from(std::env::args_os())
}

/// Parses arguments (the first is the program name).
pub fn parse_args_from<I, T>(arguments: I) -> Result<Command, UsageError>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    CommandLine::try_parse_from(arguments)
        .map(|command_line| command_line.command)
        .map_err(UsageError)
}

/// Where `run` writes when `--out` is not given: `output/<scenario name>/`, with any path
/// separator in the name replaced so the name stays one directory.
pub fn default_output_dir(scenario_name: &str) -> PathBuf {
    let directory_name: String = scenario_name
        .chars()
        .map(|character| {
            if matches!(character, '/' | '\\') {
                '_'
            } else {
                character
            }
        })
        .collect();
    let directory_name = match directory_name.as_str() {
        "" | "." | ".." => "scenario".to_string(),
        _ => directory_name,
    };
    Path::new("output").join(directory_name)
}

/// Where `patchwork warmup` writes when `--out` is not given: `output/warmup-<name>/`.
pub fn default_warmup_dir(scenario_name: &str) -> PathBuf {
    default_output_dir(&format!("warmup-{scenario_name}"))
}

/// Where `compare` writes when `--out` is not given: `output/compare-<a>-vs-<b>/`.
pub fn default_compare_dir(a_name: &str, b_name: &str) -> PathBuf {
    default_output_dir(&format!("compare-{a_name}-vs-{b_name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(arguments: &[&str]) -> Result<Command, UsageError> {
        parse_args_from(std::iter::once("patchwork").chain(arguments.iter().copied()))
    }

    #[test]
    fn robustness_defaults_to_the_shipped_file() {
        let Command::Robustness(options) = parse(&["robustness"]).unwrap() else {
            panic!("expected robustness");
        };
        assert_eq!(
            options.spec_path,
            PathBuf::from("scenarios/robustness.toml")
        );
        assert!(!options.dry_run && !options.force && options.output_dir.is_none());
        let Command::Robustness(options) = parse(&[
            "robustness",
            "r.toml",
            "--dry-run",
            "--threads",
            "2",
            "--out",
            "o",
        ])
        .unwrap() else {
            panic!("expected robustness");
        };
        assert_eq!(options.spec_path, PathBuf::from("r.toml"));
        assert!(options.dry_run);
        assert_eq!(options.threads, 2);
        assert_eq!(options.output_dir, Some(PathBuf::from("o")));
    }

    #[test]
    fn calibrate_needs_a_file_and_parses_its_options() {
        assert!(parse(&["calibrate"]).is_err());
        let Command::Calibrate(options) = parse(&["calibrate", "c.toml"]).unwrap() else {
            panic!("expected calibrate");
        };
        assert_eq!(options.spec_path, PathBuf::from("c.toml"));
        assert!(!options.dry_run && !options.force && !options.resume);
        assert!(options.output_dir.is_none());
        assert_eq!(options.threads, 0);
        let Command::Calibrate(options) = parse(&["calibrate", "c.toml", "--resume"]).unwrap()
        else {
            panic!("expected calibrate");
        };
        assert!(options.resume);
        assert!(parse(&["calibrate", "c.toml", "--resume", "--force"]).is_err());
        assert!(parse(&["calibrate", "c.toml", "--shard", "1/2"]).is_err());
        let Command::Calibrate(options) = parse(&[
            "calibrate",
            "c.toml",
            "--dry-run",
            "--threads",
            "2",
            "--out",
            "o",
        ])
        .unwrap() else {
            panic!("expected calibrate");
        };
        assert!(options.dry_run);
        assert_eq!(options.threads, 2);
        assert_eq!(options.output_dir, Some(PathBuf::from("o")));
    }

    #[test]
    fn warmup_parses_with_its_defaults() {
        let Command::Warmup(options) = parse(&["warmup"]).unwrap() else {
            panic!("expected warmup");
        };
        assert_eq!((options.replicates, options.horizon_weeks), (30, 520));
        assert_eq!(options.scenario_path, None);
        let Command::Warmup(options) = parse(&[
            "warmup",
            "a.toml",
            "--set",
            "ties.initial_mean=0.9",
            "--replicates",
            "4",
            "--horizon-weeks",
            "260",
            "--out",
            "w",
            "--force",
        ])
        .unwrap() else {
            panic!("expected warmup");
        };
        assert_eq!(options.sets, vec!["ties.initial_mean=0.9".to_string()]);
        assert_eq!((options.replicates, options.horizon_weeks), (4, 260));
        assert!(options.force && options.output_dir == Some(PathBuf::from("w")));
        // Too short a horizon for the 53-week moving average is a usage error.
        assert!(parse(&["warmup", "--horizon-weeks", "40"]).is_err());
    }

    #[test]
    fn run_with_every_option() {
        let command = parse(&[
            "run",
            "scenarios/baseline.toml",
            "--out",
            "results",
            "--replicates",
            "20",
            "--seed",
            "42",
            "--threads",
            "2",
            "--set",
            "coordination.mode=team",
            "--set",
            "horizon_weeks=104",
            "--posterior",
            "cal/posterior.csv",
            "--network-weeks",
            "52,60",
            "--network-weeks",
            "103",
            "--force",
            "--quiet",
        ])
        .unwrap();
        assert_eq!(
            command,
            Command::Run(RunOptions {
                scenario_path: Some(PathBuf::from("scenarios/baseline.toml")),
                output_dir: Some(PathBuf::from("results")),
                replicates: Some(20),
                seed: Some(42),
                replicate: None,
                threads: 2,
                sets: vec![
                    "coordination.mode=team".to_string(),
                    "horizon_weeks=104".to_string()
                ],
                network_weeks: vec![52, 60, 103],
                posterior: Some(PathBuf::from("cal/posterior.csv")),
                force: true,
                quiet: true,
            })
        );
    }

    #[test]
    fn run_defaults() {
        let Command::Run(options) = parse(&["run"]).unwrap() else {
            panic!("expected run");
        };
        assert_eq!(options.scenario_path, None);
        assert_eq!(options.threads, 0);
        assert!(!options.force && !options.quiet && options.sets.is_empty());
        assert!(options.network_weeks.is_empty(), "chosen after loading");
    }

    #[test]
    fn check_needs_a_scenario() {
        assert!(parse(&["check"]).unwrap_err().is_error());
        let command = parse(&["check", "a.toml", "--set", "k=v"]).unwrap();
        assert_eq!(
            command,
            Command::Check(CheckOptions {
                scenario_path: PathBuf::from("a.toml"),
                sets: vec!["k=v".to_string()],
            })
        );
    }

    #[test]
    fn init_writes_scenario_toml_by_default() {
        assert_eq!(
            parse(&["init"]).unwrap(),
            Command::Init(InitOptions {
                path: PathBuf::from("scenario.toml"),
                force: false,
            })
        );
        assert_eq!(
            parse(&["init", "mine.toml", "--force"]).unwrap(),
            Command::Init(InitOptions {
                path: PathBuf::from("mine.toml"),
                force: true,
            })
        );
    }

    #[test]
    fn bad_values_and_help_are_told_apart() {
        assert!(parse(&["run", "--replicates", "0"]).unwrap_err().is_error());
        assert!(parse(&["run", "--seed", "minus"]).unwrap_err().is_error());
        for bad in ["-1", "week", "52,,60", ""] {
            assert!(
                parse(&["run", "--network-weeks", bad])
                    .unwrap_err()
                    .is_error(),
                "{bad:?}"
            );
        }
        assert!(parse(&["frobnicate"]).unwrap_err().is_error());
        assert!(!parse(&["--help"]).unwrap_err().is_error());
        assert!(!parse(&["--version"]).unwrap_err().is_error());
    }

    #[test]
    fn default_output_dir_is_one_directory_per_scenario() {
        assert_eq!(
            default_output_dir("baseline"),
            Path::new("output").join("baseline")
        );
        assert_eq!(default_output_dir("a/b"), Path::new("output").join("a_b"));
        assert_eq!(
            default_output_dir(".."),
            Path::new("output").join("scenario")
        );
    }

    #[test]
    fn compare_and_plot_parse() {
        let command = parse(&[
            "compare",
            "a.toml",
            "b.toml",
            "--replicates",
            "5",
            "--seed",
            "3",
            "--set",
            "run.horizon_weeks=104",
            "--out",
            "cmp",
            "--force",
            "--quiet",
        ])
        .unwrap();
        assert_eq!(
            command,
            Command::Compare(CompareOptions {
                scenario_a: PathBuf::from("a.toml"),
                scenario_b: Some(PathBuf::from("b.toml")),
                output_dir: Some(PathBuf::from("cmp")),
                replicates: Some(5),
                seed: Some(3),
                threads: 0,
                sets: vec!["run.horizon_weeks=104".to_string()],
                sets_a: Vec::new(),
                sets_b: Vec::new(),
                network_weeks: Vec::new(),
                posterior: None,
                force: true,
                quiet: true,
            })
        );
        // One scenario is compared with itself as --set-a and --set-b change it.
        let Command::Compare(one) = parse(&["compare", "a.toml", "--set-a", "event=[]"]).unwrap()
        else {
            panic!("not compare");
        };
        assert_eq!(one.scenario_b, None);
        assert_eq!(one.sets_a, ["event=[]"]);
        assert_eq!(
            parse(&["plot", "out"]).unwrap(),
            Command::Plot(PlotOptions {
                directory: PathBuf::from("out"),
                force: false,
                quiet: false,
            })
        );
        assert_eq!(
            default_compare_dir("adhoc", "team/x"),
            Path::new("output").join("compare-adhoc-vs-team_x")
        );
    }
}
