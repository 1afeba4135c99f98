//! The command line: parsing arguments (the only module that knows clap), the progress bar and
//! the text printed to the terminal. `main.rs` wires these to the library; nothing here runs the
//! model or writes files.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use patchwork_sim::batch::sweep::Shard;
use patchwork_sim::metrics::catalogue::{self, RUN_TABLE};
use patchwork_sim::metrics::{MeasureSummary, Settling};

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
    Run(RunOptions),
    /// Validate a scenario and print its fully resolved parameters
    Check(CheckOptions),
    /// Run two scenarios on the same seeds and write comparison.csv, report.md, report.html, the
    /// plots and their CSV files: paired differences with 95% CIs and each one's advantage over
    /// agencies in silos
    Compare(CompareOptions),
    /// Redraw the plots of an output directory of `run` or `compare` from its CSV files
    Plot(PlotOptions),
    /// Write a commented template scenario: every key with its default, unit and source
    Init(InitOptions),
    /// A narrated run for a room of practitioners: what happens, week by week, in plain words
    Demo(DemoOptions),
    /// Run a parameter sweep (the built-in headline sweep when no file is given) and write
    /// runs.csv, points.csv, failures.csv and metadata.json
    Sweep(SweepOptions),
    /// Join the output directories of a sharded sweep (or sensitivity analysis, or national run)
    /// into the files of the whole
    Merge(MergeOptions),
    /// Run a national scenario (England when no file is given), one patch per task in parallel,
    /// and write localities.csv, national.csv, failures.csv and metadata.json
    National(NationalOptions),
    /// Suggest a warm-up by Welch's method: run replicates with no warm-up over a long horizon,
    /// smooth the weekly series and find where each settles; writes warmup.csv and warmup.png
    Warmup(WarmupOptions),
    /// Global sensitivity analysis (Sobol' indices or Morris screening) of measures over
    /// scenario parameters, from a sensitivity file; writes samples.csv, runs.csv, indices.csv,
    /// report.html and plots/
    Sensitivity(SensitivityOptions),
    /// Fit scenario parameters to observed measures by ABC-SMC, from a calibration file; writes
    /// particles.csv, posterior.csv, generations.csv, metadata.json, report.html and plots/
    ///
    /// Every accepted particle is journaled as it comes in, so a calibration killed at any moment
    /// carries on with --resume to the same bytes. There is no --shard: each generation draws
    /// from the whole of the one before, so a calibration runs on one machine, its particles in
    /// parallel over --threads.
    Calibrate(CalibrateOptions),
    /// Where in the assumption parameters' plausible region each of the twelve patterns holds,
    /// and which parameters decide it (Latin hypercube, paired replicates, PRCC); writes
    /// samples.csv, effects.csv, robustness.csv, prcc.csv and report.html
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

    /// Worker threads; 0 uses every logical CPU (results never depend on it)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,

    /// Override a scenario key, e.g. --set coordination.mode=team (repeatable)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,

    /// Weeks (from 0, before the horizon) at whose end replicate 0's network is recorded and
    /// drawn, e.g. 52,75,103 [default: the first measured week, the week before each timeline
    /// event, the last week; at most 6]
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
    /// Scenario file (TOML); by default a consultation team with a minder who leaves in term
    /// four of the second school year
    #[arg(value_name = "SCENARIO")]
    pub scenario_path: Option<PathBuf>,

    /// Directory for timeline.md [default: output/demo/]
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

    /// Seconds to pause after each week with news, for reading aloud (0 = no pause; no pause
    /// either when output is not a terminal)
    #[arg(long, value_name = "SECONDS", default_value_t = 0.5)]
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

    /// Scenario B (TOML): compared with A
    #[arg(value_name = "B")]
    pub scenario_b: PathBuf,

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

    /// Weeks (from 0, before the horizon) at whose end replicate 0's network is recorded and
    /// drawn, the same for both scenarios [default: the first measured week, the week
    /// before each timeline event of either, the last week; at most 6]
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
    /// Output directory of `patchwork run` or `patchwork compare`
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

/// A progress bar over replicates on stderr, hidden when quiet or when stderr is not a terminal.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    pub fn new(replicates: u64, quiet: bool) -> Progress {
        let visible = !quiet && std::io::stderr().is_terminal();
        let draw_target = if visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(replicates), draw_target);
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} replicates {pos}/{len} [{bar:40}] {elapsed_precise} eta {eta}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        Progress { bar }
    }

    /// A progress bar over the runs of a sweep, with their rate and the time left.
    pub fn runs(runs: u64, quiet: bool) -> Progress {
        Progress::counting("runs", runs, quiet)
    }

    /// A progress bar over `total` units named `noun`, with their rate and the time left.
    pub fn counting(noun: &str, total: u64, quiet: bool) -> Progress {
        let progress = Progress::new(total, quiet);
        if let Ok(style) = ProgressStyle::with_template(&format!(
            "{{spinner}} {noun} {{pos}}/{{len}} [{{bar:40}}] {{per_sec}} {{elapsed_precise}} eta {{eta}}"
        )) {
            progress.bar.set_style(style.progress_chars("=> "));
        }
        progress
    }

    /// A spinner counting units named `noun` with no known total (a calibration's runs), with
    /// their rate and the time so far.
    pub fn open_ended(noun: &str, quiet: bool) -> Progress {
        let progress = Progress::new(0, quiet);
        progress.bar.unset_length();
        if let Ok(style) = ProgressStyle::with_template(&format!(
            "{{spinner}} {noun} {{pos}} {{per_sec}} {{elapsed_precise}}"
        )) {
            progress.bar.set_style(style);
        }
        progress
    }

    /// Runs `print` with the bar cleared, so that lines printed meanwhile are not overdrawn.
    pub fn suspend<R>(&self, print: impl FnOnce() -> R) -> R {
        self.bar.suspend(print)
    }

    /// One more replicate finished (callable from any thread).
    pub fn advance(&self) {
        self.bar.inc(1);
    }

    /// `done` units finished so far (callable from any thread).
    pub fn set(&self, done: u64) {
        self.bar.set_position(done);
    }

    /// Starts the rate and the time left afresh (after the runs a resumed sweep had done).
    pub fn reset_rate(&self) {
        self.bar.reset_eta();
    }

    /// Removes the bar so later output starts on a clean line.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// The table of headline measures (mean and 95% CI across replicates) printed after a run.
pub fn headline_table(summaries: &[MeasureSummary], replicates: u32) -> String {
    let printed = || RUN_TABLE.iter().filter_map(|name| catalogue::entry(name));
    let label_width = printed().map(|entry| entry.short.len()).max().unwrap_or(0);
    let mut table = format!(
        "{:label_width$}  {:>8}  {}\n",
        format!("measure ({replicates} replicates)"),
        "mean",
        "95% CI"
    );
    for entry in printed() {
        let (label, shown) = (entry.short, entry.shown);
        let Some(measure) = summaries
            .iter()
            .find(|summary| summary.name == entry.measure)
        else {
            continue;
        };
        let summary = measure.summary;
        let interval = if summary.n == 0 {
            "n/a".to_string()
        } else {
            format!(
                "{} to {}",
                shown.brief(summary.ci_low),
                shown.brief(summary.ci_high)
            )
        };
        table.push_str(&format!(
            "{label:label_width$}  {:>8}  {interval}\n",
            shown.brief(summary.mean)
        ));
    }
    table
}

/// One warning line for each weekly series of `settling` that has not settled (of the arm named
/// `arm` in a comparison); none when all have.
pub fn settling_warnings(settling: &Settling, arm: Option<&str>) -> Vec<String> {
    let whose = arm.map(|arm| format!(" in {arm}")).unwrap_or_default();
    settling
        .not_settled()
        .map(|series| {
            format!(
                "warning: not settled{whose}: {}; {}",
                series.describe(),
                patchwork_sim::output::export::settling::ADVICE
            )
        })
        .collect()
}

/// Points of a sweep named in its warning at most.
const NAMED_POINTS: usize = 3;

/// The warning lines of a sweep whose points did not all settle: how many points, which series,
/// and the first few points by their swept values; none when every point settled.
pub fn sweep_settling_warnings(
    settling: &patchwork_sim::batch::sweep::SweepSettling,
) -> Vec<String> {
    if settling.settled {
        return Vec::new();
    }
    let series: Vec<String> = settling
        .series_not_settled
        .iter()
        .filter(|(_, points)| **points > 0)
        .map(|(series, points)| format!("{series} at {points}"))
        .collect();
    let mut lines = vec![format!(
        "warning: {} of {} points not settled ({}); see settling.csv, and lengthen \
         run.warmup_weeks or see docs/model.md",
        settling.points_not_settled,
        settling.points,
        series.join(", ")
    )];
    for point in settling.not_settled.iter().take(NAMED_POINTS) {
        let values = if point.values.is_empty() {
            String::new()
        } else {
            format!(" ({})", point.values)
        };
        lines.push(format!(
            "  point {}{values}: {}",
            point.point,
            point.series.join(", ")
        ));
    }
    if settling.points_not_settled > NAMED_POINTS as u64 {
        lines.push(format!(
            "  ... and {} more",
            settling.points_not_settled - NAMED_POINTS as u64
        ));
    }
    lines
}

/// `patchwork warmup`'s table: each series' steady level and suggested warm-up, then the warm-up
/// to use (the longest, and rounded up to whole school years).
pub fn warmup_table(
    series: &[patchwork_sim::metrics::welch::WelchSeries],
    replicates: u32,
    horizon_weeks: u32,
) -> String {
    let first = format!("series ({replicates} replicates, {horizon_weeks} weeks)");
    let width = first.len().max(24);
    let mut table = format!("{first:width$}  {:>10}  suggested warm-up\n", "level");
    let mut longest = Some(0);
    for item in series {
        let decimals = if item.level.abs() < 5.0 { 3 } else { 1 };
        let warmup = match item.warmup_weeks {
            Some(weeks) => format!("{weeks} weeks"),
            None => format!(
                "none: not within ±{:.0}% by week {}",
                patchwork_sim::metrics::welch::BAND * 100.0,
                item.smoothed.len().saturating_sub(1)
            ),
        };
        longest = longest.zip(item.warmup_weeks).map(|(a, b)| a.max(b));
        table.push_str(&format!(
            "{:width$}  {:>10.decimals$}  {warmup}\n",
            item.series.name(),
            item.level
        ));
    }
    match longest {
        Some(weeks) => table.push_str(&format!(
            "suggested run.warmup_weeks: {weeks} (the longest), or {} in whole school years\n",
            weeks.div_ceil(52) * 52
        )),
        None => table.push_str(
            "no warm-up suggested: a series has not settled within the horizon; try a longer \
             --horizon-weeks, or the model does not settle (see docs/model.md)\n",
        ),
    }
    table
}

/// Where `patchwork warmup` writes when `--out` is not given: `output/warmup-<name>/`.
pub fn default_warmup_dir(scenario_name: &str) -> PathBuf {
    default_output_dir(&format!("warmup-{scenario_name}"))
}

/// `robustness`'s table: per pattern, where it holds and the parameter with the largest PRCC.
pub fn robustness_table(
    spec: &patchwork_sim::robustness::RobustnessSpec,
    analysis: &patchwork_sim::robustness::Analysis,
) -> String {
    let keys: Vec<&str> = spec.space.parameters().iter().map(|p| p.key()).collect();
    let mut out = format!(
        "{:<8} {:>6}  {:<11} {:>8}  {}\n",
        "pattern", "holds", "95% CI", "point", "largest PRCC (p)"
    );
    let percent = |x: f64| format!("{:.0}%", x * 100.0);
    for summary in &analysis.summaries {
        let top = summary
            .top(1)
            .first()
            .map(|(j, p)| format!("{} {:+.2} ({:.3})", keys[*j], p.coefficient, p.p_value))
            .unwrap_or_else(|| "-".into());
        out.push_str(&format!(
            "{:<8} {:>6}  {:<11} {:>8}  {top}\n",
            summary.number,
            percent(summary.holds.share),
            format!(
                "{}-{}",
                percent(summary.holds.low),
                percent(summary.holds.high)
            ),
            percent(summary.point_holds.share),
        ));
    }
    out
}

/// Where `compare` writes when `--out` is not given: `output/compare-<a>-vs-<b>/`.
pub fn default_compare_dir(a_name: &str, b_name: &str) -> PathBuf {
    default_output_dir(&format!("compare-{a_name}-vs-{b_name}"))
}

/// The line naming the posterior a run's replicates drew from.
pub fn posterior_line(posterior: &patchwork_sim::posterior::PosteriorMetadata) -> String {
    format!(
        "parameters {} drawn from {} ({} rows, {} distinct drawn)",
        posterior.parameters.join(", "),
        posterior.file,
        posterior.rows,
        posterior.rows_drawn
    )
}

/// The line saying where the files went: each file by name, and a subdirectory (`plots/`) once.
pub fn written_files_message(output_dir: &Path, written: &[PathBuf]) -> String {
    let mut names: Vec<String> = Vec::new();
    for path in written {
        let relative = path.strip_prefix(output_dir).unwrap_or(path);
        let mut components = relative.components();
        let name = match (components.next(), components.next()) {
            (Some(directory), Some(_)) => {
                format!("{}/", directory.as_os_str().to_string_lossy())
            }
            _ => match path.file_name() {
                Some(file_name) => file_name.to_string_lossy().into_owned(),
                None => continue,
            },
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    format!("wrote {} to {}", names.join(", "), output_dir.display())
}

#[cfg(test)]
mod tests {
    use super::*;
    use patchwork_sim::metrics::{Measures, summarise_measures};

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
    fn unsettled_series_get_a_warning_line_each() {
        use patchwork_sim::metrics::settle::Trend;
        let trend = |relative_drift| Trend {
            level: 10.0,
            slope_per_week: 0.0,
            relative_drift,
        };
        let drifting = Settling::of_trends(&[[trend(0.34); 4], [trend(0.36); 4]]);
        let lines = settling_warnings(&drifting, None);
        assert_eq!(lines.len(), 4);
        assert!(
            lines[0].starts_with(
                "warning: not settled: waiting_for_help rises 35% across the measured weeks (95% CI "
            ) && lines[0].ends_with("; lengthen run.warmup_weeks (`patchwork warmup` suggests one) or see docs/model.md"),
            "{}",
            lines[0]
        );
        assert!(
            settling_warnings(&drifting, Some("b"))[3]
                .starts_with("warning: not settled in b: social_worker_caseload")
        );
        let flat = Settling::of_trends(&[[trend(0.01); 4], [trend(-0.01); 4]]);
        assert!(settling_warnings(&flat, None).is_empty());
    }

    #[test]
    fn warmup_table_names_each_series_and_the_longest() {
        use patchwork_sim::metrics::settle::Series;
        use patchwork_sim::metrics::welch::WelchSeries;
        let item = |series, warmup_weeks| WelchSeries {
            series,
            mean: vec![1.0; 100],
            smoothed: vec![1.0; 74],
            level: 12.5,
            warmup_weeks,
        };
        let table = warmup_table(
            &[
                item(Series::WaitingForHelp, Some(60)),
                item(Series::OpenCases, Some(110)),
            ],
            30,
            520,
        );
        let lines: Vec<&str> = table.lines().collect();
        assert!(lines[0].starts_with("series (30 replicates, 520 weeks)"));
        assert!(lines[1].starts_with("waiting_for_help") && lines[1].ends_with("12.5  60 weeks"));
        assert_eq!(
            lines[3],
            "suggested run.warmup_weeks: 110 (the longest), or 156 in whole school years"
        );
        let table = warmup_table(&[item(Series::OpenCases, None)], 30, 520);
        assert!(table.contains("none: not within ±5% by week 73"), "{table}");
        assert!(table.contains("no warm-up suggested"));
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
    fn headline_table_shows_means_and_intervals() {
        let measures = |median: f64, inertia: f64| Measures {
            median_weeks_to_help: median,
            inertia,
            social_worker_caseload: 16.0,
            ..Measures::undefined()
        };
        let summaries = summarise_measures(&[measures(10.0, 0.25), measures(12.0, 0.35)]);
        let table = headline_table(&summaries, 2);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 1 + RUN_TABLE.len());
        assert!(lines[0].starts_with("measure (2 replicates)"));
        // Mean 11, sd √2, half-width 12.706205.
        assert!(
            lines[1].starts_with("median weeks to help")
                && lines[1].ends_with("11.0  -1.7 to 23.7"),
            "{}",
            lines[1]
        );
        assert!(lines[3].contains("30.0%"), "{}", lines[3]);
        assert!(lines[4].ends_with("n/a  n/a"), "{}", lines[4]);
        assert!(table.contains("16.0  16.0 to 16.0"));
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
                scenario_b: PathBuf::from("b.toml"),
                output_dir: Some(PathBuf::from("cmp")),
                replicates: Some(5),
                seed: Some(3),
                threads: 0,
                sets: vec!["run.horizon_weeks=104".to_string()],
                network_weeks: Vec::new(),
                posterior: None,
                force: true,
                quiet: true,
            })
        );
        assert!(parse(&["compare", "a.toml"]).unwrap_err().is_error());
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

    #[test]
    fn a_subdirectory_is_named_once() {
        let out = Path::new("out");
        let message = written_files_message(
            out,
            &[
                out.join("report.html"),
                out.join("plots").join("survival.png"),
                out.join("plots").join("survival.svg"),
            ],
        );
        assert_eq!(
            message,
            format!("wrote report.html, plots/ to {}", out.display())
        );
    }

    #[test]
    fn written_files_message_names_files_and_directory() {
        let message = written_files_message(
            Path::new("out"),
            &[
                PathBuf::from("out/runs.csv"),
                PathBuf::from("out/summary.csv"),
            ],
        );
        assert_eq!(
            message,
            format!(
                "wrote runs.csv, summary.csv to {}",
                Path::new("out").display()
            )
        );
    }
}
