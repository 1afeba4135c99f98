//! The `patchwork` binary: parse the command line (`args`), load the scenario, run it through the
//! library with a progress bar (`progress`), write the files, print the result (`print` formats it)
//! or the error chain. The binary is the only part of patchwork that knows the terminal. The only place that knows exit codes: 0 on success, 1 on
//! any error (a bad scenario or command line, an output directory that exists without `--force`,
//! an I/O failure), in which case nothing has been written, and 3 when a sweep finished but some
//! of its runs failed (they are listed in its failures.csv).

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;

mod args;
mod print;
mod progress;

use crate::args::{CheckOptions, Command, MergeOptions, NationalOptions, RunOptions, SweepOptions};
use patchwork_sim::batch::compare::{ComparePlan, CompareRequest};
use patchwork_sim::batch::demo::Demo;
use patchwork_sim::batch::national;
use patchwork_sim::batch::replicates as runner;
use patchwork_sim::batch::sweep::{self, Shard, Sweep};
use patchwork_sim::estimate::{self, Estimate, Job, RunCost};
use patchwork_sim::metrics::{Measures, Settling, summarise_measures};
use patchwork_sim::output::OutputDir;
use patchwork_sim::output::export::compare;
use patchwork_sim::output::export::{self, RunReport};
use patchwork_sim::output::plot;
use patchwork_sim::posterior::{Posterior, PosteriorDraws};
use patchwork_sim::scenario;

/// `println!` that does not panic when stdout is closed early (`patchwork check FILE | head`):
/// what is printed is for reading, the files are the product, so a reader that stops reading
/// does not stop the command. Other write errors are ignored for the same reason.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// `print!` in the manner of `say!`.
macro_rules! say_part {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut stdout = std::io::stdout();
        let _ = write!(stdout, $($arg)*).and_then(|()| stdout.flush());
    }};
}

/// Warnings on stderr, after whatever stdout holds so far.
fn warn_lines(lines: &[String]) {
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    for line in lines {
        eprintln!("{line}");
    }
}

/// Estimates `job` and refuses it when its peak memory exceeds what the machine has available
/// (or `PATCHWORK_MAX_MEMORY`), before anything is written.
fn check_memory(what: &str, job: &Job) -> anyhow::Result<Estimate> {
    let estimate = job.estimate();
    let limit = estimate::Limit::of_machine().map_err(anyhow::Error::msg)?;
    limit.check(what, &estimate).map_err(anyhow::Error::msg)?;
    Ok(estimate)
}

/// Exit status of a sweep (or merge) that finished with failed runs.
const SOME_RUNS_FAILED: u8 = 3;

fn main() -> ExitCode {
    let command = match args::parse_args() {
        Ok(command) => command,
        Err(usage) => {
            usage.print();
            return if usage.is_error() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(command) {
        Ok(Finished::Complete) => ExitCode::SUCCESS,
        Ok(Finished::SomeRunsFailed) => ExitCode::from(SOME_RUNS_FAILED),
        Err(error) => {
            eprintln!("error: {error:#}");
            // Stopped by Ctrl-C or SIGTERM (`sweep`, `sensitivity`): 130 or 143, as a shell says.
            match patchwork_sim::batch::interrupt::received() {
                Some(signal) => ExitCode::from(signal.exit_code()),
                None => ExitCode::FAILURE,
            }
        }
    }
}

/// A long job's error; when a signal stopped it, with the exact command that carries on from
/// where it stopped (this one, with `--out` and `--resume`, without `--force`).
fn resumable(error: impl Into<anyhow::Error>, output_dir: &std::path::Path) -> anyhow::Error {
    let error = error.into();
    if patchwork_sim::batch::interrupt::received().is_none() {
        return error;
    }
    let mut arguments: Vec<String> = std::env::args().collect();
    arguments.retain(|argument| argument != "--force");
    if !arguments
        .iter()
        .any(|argument| argument == "--out" || argument.starts_with("--out="))
    {
        arguments.push("--out".to_string());
        arguments.push(output_dir.display().to_string());
    }
    if !arguments.iter().any(|argument| argument == "--resume") {
        arguments.push("--resume".to_string());
    }
    let command: Vec<String> = arguments
        .iter()
        .map(|argument| shell_word(argument))
        .collect();
    anyhow::anyhow!(
        "{error:#}; to carry on from there, run:\n  {}",
        command.join(" ")
    )
}

/// `argument` as one word for a POSIX shell: as it is when that is safe, else in single quotes.
fn shell_word(argument: &str) -> String {
    let safe = !argument.is_empty()
        && argument
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if safe {
        argument.to_string()
    } else {
        format!("'{}'", argument.replace('\'', "'\\''"))
    }
}

/// How a command that did not fail ended.
enum Finished {
    Complete,
    /// A sweep or merge whose output records failed runs.
    SomeRunsFailed,
}

fn run(command: Command) -> anyhow::Result<Finished> {
    match command {
        Command::Run(options) => run_scenario(options).map(|()| Finished::Complete),
        Command::Check(options) => check_scenario(options).map(|()| Finished::Complete),
        Command::Init(options) => init_scenario(options).map(|()| Finished::Complete),
        Command::Compare(options) => compare_scenarios(options).map(|()| Finished::Complete),
        Command::Plot(options) => plot_directory(options).map(|()| Finished::Complete),
        Command::Sweep(options) => run_sweep(options),
        Command::Merge(options) => merge_shards(options),
        Command::National(options) => run_national(options),
        Command::Demo(options) => run_demo(options).map(|()| Finished::Complete),
        Command::Warmup(options) => suggest_warmup(options).map(|()| Finished::Complete),
        Command::Sensitivity(options) => run_sensitivity(options).map(|()| Finished::Complete),
        Command::Calibrate(options) => run_calibration(options).map(|()| Finished::Complete),
        Command::Robustness(options) => run_robustness(options).map(|()| Finished::Complete),
    }
}

fn finished(runs_failed: u64) -> Finished {
    if runs_failed > 0 {
        Finished::SomeRunsFailed
    } else {
        Finished::Complete
    }
}

/// The default output directory of `name`: output/<name>/, or output/<name>/shard-I-of-N/ for a
/// shard.
fn shard_output_dir(name: &str, shard: Shard) -> std::path::PathBuf {
    let directory = args::default_output_dir(name);
    if shard == Shard::WHOLE {
        directory
    } else {
        directory.join(format!("shard-{}-of-{}", shard.index, shard.count))
    }
}

/// The estimate of a sweep's shard (`sweep::job`), refused when it needs more memory than the
/// machine has.
fn sweep_estimate(sweep: &Sweep, shard: Shard, threads: usize) -> anyhow::Result<Estimate> {
    check_memory("the sweep", &sweep::job(sweep, shard, threads))
}

/// What `sweep --dry-run` and `check` of a sweep file print after their first line: the
/// estimated memory, then the size of the sweep and its time from timed runs (the a-priori time
/// only when no run could be timed, so that one time is printed, not two).
fn print_sweep_dry_run(sweep: &Sweep, shard: Shard, threads: usize, estimated: &Estimate) {
    let dry_run = sweep::dry_run(sweep, shard, threads);
    let part = if shard == Shard::WHOLE {
        "the whole sweep".to_string()
    } else {
        format!("shard {shard}")
    };
    if dry_run.timed_points == 0 {
        say!("{estimated} for {part} on {threads} thread(s)");
    } else {
        say!(
            "{} for {part} on {threads} thread(s)",
            estimated.memory_text()
        );
    }
    say_part!("{dry_run}");
}

/// `patchwork sweep`: sweep file → points × replicates on a rayon pool → files streamed in run
/// order (or, with `--dry-run`, only the size and an estimate).
fn run_sweep(options: SweepOptions) -> anyhow::Result<Finished> {
    let mut sweep = Sweep::load(options.sweep_path.as_deref(), &options.sets)?;
    if let Some(path) = options.posterior.as_deref() {
        sweep = sweep.with_posterior(Posterior::load(path)?, &options.sets)?;
    }
    let threads = runner::resolved_thread_count(options.threads);
    let shard = options.shard.unwrap_or(Shard::WHOLE);
    let estimated = sweep_estimate(&sweep, shard, threads)?;
    if options.dry_run {
        print_sweep_dry_run(&sweep, shard, threads, &estimated);
        return Ok(Finished::Complete);
    }
    let output_dir = options
        .output_dir
        .unwrap_or_else(|| shard_output_dir(&sweep.name, shard));
    let sweep_options = sweep::SweepOptions {
        output_dir: output_dir.clone(),
        threads,
        shard,
        resume: options.resume,
        force: options.force,
    };
    let runs = shard.points(sweep.points()).count() as u64 * u64::from(sweep.replicates);
    patchwork_sim::batch::interrupt::install().context("cannot watch for Ctrl-C and SIGTERM")?;
    let progress = progress::Progress::runs(runs, options.quiet);
    let first_report = std::sync::Once::new();
    let outcome = sweep::run_sweep(&sweep, &sweep_options, &|done| {
        progress.set(done);
        first_report.call_once(|| progress.reset_rate());
    });
    progress.finish();
    let outcome = outcome.map_err(|error| resumable(error, &output_dir))?;
    if !options.quiet {
        if outcome.already_finished {
            say!(
                "nothing to resume: {} holds the finished sweep",
                output_dir.display()
            );
        } else {
            let resumed = if outcome.runs_resumed > 0 {
                format!(" ({} done before resuming)", outcome.runs_resumed)
            } else {
                String::new()
            };
            say!(
                "{} runs{resumed} of {} points in {:.1} s, {} failed",
                outcome.runs,
                shard.points(sweep.points()).count(),
                outcome.wall_time_seconds,
                outcome.runs_failed
            );
            say!(
                "{}",
                print::written_files_message(&output_dir, &outcome.written)
            );
        }
        if let Some(settling) = &outcome.settling {
            warn_lines(&print::sweep_settling_warnings(settling));
        }
    }
    if shard == Shard::WHOLE {
        runner::on_threads(threads, || write_sweep_pictures(&output_dir, options.quiet))?;
    }
    if outcome.runs_failed > 0 {
        eprintln!(
            "warning: {} run{} failed; see {}",
            outcome.runs_failed,
            if outcome.runs_failed == 1 { "" } else { "s" },
            output_dir.join(sweep::FAILURES_CSV).display()
        );
    }
    Ok(finished(outcome.runs_failed))
}

/// `patchwork national`: a national scenario → one run per patch on a rayon pool → one row per
/// patch streamed to localities.csv, then the national summary.
fn run_national(options: NationalOptions) -> anyhow::Result<Finished> {
    let scenario = national::load(options.scenario_path.as_deref(), &options.sets)?;
    let threads = runner::resolved_thread_count(options.threads);
    let patch_count: u64 = scenario
        .params
        .localities
        .iter()
        .map(|locality| u64::from(locality.count))
        .sum();
    let shard = options.shard.unwrap_or(Shard::WHOLE);
    let own = shard.points(patch_count);
    let estimated = check_memory(
        "the national run",
        &Job {
            run: RunCost::of_patches(&scenario.params, own.clone()),
            runs: (own.end - own.start) as f64,
            threads: threads as f64,
            kept: 0.0,
            frames: 0.0,
        },
    )?;
    if options.dry_run {
        let part = if shard == Shard::WHOLE {
            "the whole run".to_string()
        } else {
            format!("shard {shard}")
        };
        if own.is_empty() {
            say!("{patch_count} patches; {part}: none of them");
        } else {
            say!(
                "{patch_count} patches; {part}: {} patches ({} to {} in the fixed order)",
                own.end - own.start,
                own.start,
                own.end - 1
            );
        }
        say!("{estimated} for these patches on {threads} thread(s)");
        return Ok(Finished::Complete);
    }
    let output_dir = options
        .output_dir
        .unwrap_or_else(|| shard_output_dir(&scenario.name, shard));
    let progress = progress::Progress::counting("patches", own.end - own.start, options.quiet);
    let national_options = national::NationalOptions {
        output_dir: output_dir.clone(),
        threads,
        force: options.force,
        shard,
    };
    let outcome = national::run_national(&scenario, &national_options, &|done| progress.set(done));
    progress.finish();
    let outcome = outcome?;
    if !options.quiet {
        // A shard's schools are the whole run's; its patches and pupils its own.
        let part = if shard == Shard::WHOLE {
            String::new()
        } else {
            format!("shard {shard} of a run of {} schools: ", outcome.schools)
        };
        let schools = if shard == Shard::WHOLE {
            format!("{} schools, ", outcome.schools)
        } else {
            String::new()
        };
        say!(
            "{part}{} patches, {schools}{} pupils {}, {} failed",
            outcome.patches,
            outcome.pupils,
            print::took(outcome.wall_time_seconds, threads),
            outcome.patches_failed
        );
        say!(
            "{}",
            print::written_files_message(&output_dir, &outcome.written)
        );
    }
    if shard == Shard::WHOLE {
        write_national_report(&output_dir, options.quiet)?;
    }
    Ok(finished(outcome.patches_failed))
}

/// A finished national run's summary, printed, and its report.html, drawn from its national.csv
/// (so merged shards get the same as one run).
fn write_national_report(directory: &std::path::Path, quiet: bool) -> anyhow::Result<()> {
    use patchwork_sim::output::html::national_html;
    let national_path = directory.join(national::NATIONAL_CSV);
    let national_csv = std::fs::read(&national_path)
        .with_context(|| format!("cannot read {}", national_path.display()))?;
    let metadata: Option<serde_json::Value> =
        std::fs::read(directory.join(national::METADATA_JSON))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok());
    let report = national_html::render_national_report(&national_csv, metadata.as_ref())?;
    let written = OutputDir::new(directory, true)?.add_files(&[report])?;
    if !quiet {
        let rows = national_html::read_national_csv(&national_csv)?;
        say_part!("{}", print::national_table(&rows));
        say!("{}", print::written_files_message(directory, &written));
    }
    Ok(())
}

/// `patchwork sensitivity`: sensitivity file → design → runs streamed to samples.csv, runs.csv →
/// indices.csv, report.html, plots/ (or, with `--dry-run`, only the size and an estimate).
fn run_sensitivity(options: args::SensitivityOptions) -> anyhow::Result<()> {
    use patchwork_sim::sensitivity::{self, run};
    let spec = sensitivity::load(&options.spec_path)?;
    let threads = runner::resolved_thread_count(options.threads);
    let shard = options.shard.unwrap_or(Shard::WHOLE);
    if options.dry_run {
        say_part!("{}", run::dry_run(&spec, shard, threads)?);
        return Ok(());
    }
    let output_dir = options
        .output_dir
        .unwrap_or_else(|| shard_output_dir(&spec.name, shard));
    let run_options = sweep::SweepOptions {
        output_dir: output_dir.clone(),
        threads,
        shard,
        resume: options.resume,
        force: options.force,
    };
    let runs = shard.points(spec.points() as u64).count() as u64 * spec.replicates;
    patchwork_sim::batch::interrupt::install().context("cannot watch for Ctrl-C and SIGTERM")?;
    let progress = progress::Progress::runs(runs, options.quiet);
    let outcome = run::run(&spec, &run_options, &|done| progress.set(done));
    progress.finish();
    let outcome = outcome.map_err(|error| resumable(error, &output_dir))?;
    if !options.quiet {
        if outcome.already_finished {
            say!(
                "{} holds the finished analysis already",
                output_dir.display()
            );
            return Ok(());
        }
        say!(
            "{} runs ({} resumed) {}",
            outcome.runs,
            outcome.runs_resumed,
            print::took(outcome.wall_time_seconds, threads)
        );
        say!(
            "{}",
            print::written_files_message(&output_dir, &outcome.written)
        );
    }
    Ok(())
}

/// `patchwork calibrate`: calibration file → ABC-SMC generations, each particle journaled in
/// particles.csv → posterior.csv, generations.csv, metadata.json, report.html, plots/ (or, with
/// `--dry-run`, only the count of simulations and an estimate of the time).
fn run_calibration(options: args::CalibrateOptions) -> anyhow::Result<()> {
    use patchwork_sim::calibrate;
    let spec = calibrate::load(&options.spec_path)?;
    let threads = runner::resolved_thread_count(options.threads);
    if options.dry_run {
        say_part!("{}\n", calibrate::dry_run(&spec, threads)?);
        return Ok(());
    }
    let output_dir = options
        .output_dir
        .unwrap_or_else(|| args::default_output_dir(&spec.name));
    let run_options = calibrate::run::RunOptions {
        output_dir: output_dir.clone(),
        threads,
        resume: options.resume,
        force: options.force,
    };
    let progress = progress::Progress::open_ended("runs", options.quiet);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("cannot start the worker threads")?;
    let outcome = pool.install(|| {
        calibrate::run::run(
            &spec,
            &run_options,
            &|done| progress.set(done),
            &|generation| {
                if !options.quiet {
                    progress.suspend(|| {
                        say!(
                            "generation {}: tolerance {:.4}, {} particles run, acceptance rate {:.3}, ESS {:.0}",
                            generation.index,
                            generation.tolerance,
                            generation.runs,
                            generation.acceptance_rate(),
                            generation.ess()
                        )
                    });
                }
            },
        )
    });
    progress.finish();
    let outcome = outcome?;
    if !options.quiet {
        if outcome.already_finished {
            say!(
                "nothing to resume: {} holds the finished calibration",
                output_dir.display()
            );
            return Ok(());
        }
        let resumed = if outcome.particles_resumed > 0 {
            format!(
                " ({} done before resuming, {} particles read back)",
                outcome.simulations_resumed, outcome.particles_resumed
            )
        } else {
            String::new()
        };
        say!(
            "{} simulations{resumed} {}",
            outcome.simulations,
            print::took(outcome.wall_time_seconds, threads)
        );
        say!(
            "{}",
            print::written_files_message(&output_dir, &outcome.written)
        );
    }
    Ok(())
}

/// `patchwork robustness`: robustness file → Latin-hypercube samples × pattern arms ×
/// replicates → samples.csv, effects.csv, robustness.csv, prcc.csv, report.html (or, with
/// `--dry-run`, only the number of runs and an estimate of the time).
fn run_robustness(options: args::RobustnessOptions) -> anyhow::Result<()> {
    use patchwork_sim::robustness;
    let spec = robustness::load(&options.spec_path)?;
    let threads = runner::resolved_thread_count(options.threads);
    if options.dry_run {
        say_part!("{}", robustness::dry_run(&spec, threads)?);
        return Ok(());
    }
    let output_dir = options
        .output_dir
        .unwrap_or_else(|| args::default_output_dir(&spec.name));
    let started = Instant::now();
    let jobs = robustness::Plan::new(&spec)?.jobs.len();
    let progress = progress::Progress::counting("sample arms", jobs as u64, options.quiet);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("cannot start the worker threads")?;
    let done = std::sync::atomic::AtomicU64::new(0);
    let result = pool.install(|| {
        robustness::analyse_and_write(&spec, &output_dir, options.force, &|| {
            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            progress.set(n);
        })
    });
    progress.finish();
    let (analysis, written) = result?;
    if !options.quiet {
        say_part!(
            "{}",
            match spec.design {
                robustness::Design::LatinHypercube => print::robustness_table(&spec, &analysis),
                robustness::Design::Ends => robustness::ends::table(&spec, &analysis),
            }
        );
        say!(
            "{} {}",
            analysis.plan.size(&spec),
            print::took(started.elapsed().as_secs_f64(), threads)
        );
        say!("{}", print::written_files_message(&output_dir, &written));
    }
    Ok(())
}

/// `patchwork merge`: shard directories → the whole sweep's (or sensitivity analysis's) files.
fn merge_shards(options: MergeOptions) -> anyhow::Result<Finished> {
    use patchwork_sim::sensitivity::run as sensitivity;
    if let Some(first) = options.shard_dirs.first()
        && national::is_national_dir(first)
    {
        let outcome =
            sweep::merge_national(&options.shard_dirs, &options.output_dir, options.force)?;
        if !options.quiet {
            say!(
                "merged {} shards, {} patches ({} failed)",
                outcome.shards,
                outcome.patches,
                outcome.patches_failed
            );
            say!(
                "{}",
                print::written_files_message(&options.output_dir, &outcome.written)
            );
        }
        write_national_report(&options.output_dir, options.quiet)?;
        return Ok(finished(outcome.patches_failed));
    }
    if let Some(first) = options.shard_dirs.first()
        && sensitivity::is_sensitivity_dir(first)
    {
        let outcome = sensitivity::merge(&options.shard_dirs, &options.output_dir, options.force)?;
        if !options.quiet {
            say!("merged {} shards, {} runs", outcome.shards, outcome.runs);
            say!(
                "{}",
                print::written_files_message(&options.output_dir, &outcome.written)
            );
        }
        return Ok(Finished::Complete);
    }
    let outcome = sweep::merge(&options.shard_dirs, &options.output_dir, options.force)?;
    if !options.quiet {
        say!(
            "merged {} shards, {} runs ({} failed)",
            outcome.shards,
            outcome.runs,
            outcome.runs_failed
        );
        say!(
            "{}",
            print::written_files_message(&options.output_dir, &outcome.written)
        );
        warn_lines(&print::sweep_settling_warnings(&outcome.settling));
    }
    // The pictures after the data files' lines, as `sweep` does.
    write_sweep_pictures(&options.output_dir, options.quiet)?;
    Ok(finished(outcome.runs_failed))
}

/// `patchwork run`: scenario → replicates (each with its posterior draw, under `--posterior`) →
/// measures → files → headline table.
fn run_scenario(options: RunOptions) -> anyhow::Result<()> {
    let scenario_path = options.scenario_path.as_deref();
    refuse_sweep_file(scenario_path, "run")?;
    let scenario = scenario::load(scenario_path, &options.sets)?;
    let posterior = options
        .posterior
        .as_deref()
        .map(|path| Posterior::load_for(path, scenario_path, &options.sets))
        .transpose()?;
    let network_weeks = runner::chosen_network_weeks(&options.network_weeks, &[&scenario.params])
        .context("--network-weeks")?;
    // `--replicate R`: one run, replicate R of the master seed, as a full run makes it.
    let replicates = match options.replicate {
        Some(_) => 1,
        None => options.replicates.unwrap_or(scenario.replicates),
    };
    let master_seed = options.seed.unwrap_or(scenario.seed);
    let drawn = posterior
        .as_ref()
        .map(|posterior| {
            posterior.arm(
                scenario_path,
                &options.sets,
                &posterior.draws(master_seed, replicates),
            )
        })
        .transpose()?;
    let threads = runner::resolved_thread_count(options.threads);
    check_memory(
        "the run",
        &Job {
            run: RunCost::of(&scenario.params),
            runs: f64::from(replicates),
            threads: threads as f64,
            kept: f64::from(replicates),
            frames: network_weeks.len() as f64,
        },
    )?;
    let output_path = options
        .output_dir
        .unwrap_or_else(|| args::default_output_dir(&scenario.name));
    // Refuse an occupied directory before spending time on the run.
    let output_dir = OutputDir::new(output_path, options.force)?;
    let resolved_scenario = serde_json::to_value(&scenario.resolved)
        .context("cannot record the resolved scenario as JSON")?;

    let progress = progress::Progress::new(u64::from(replicates), options.quiet);
    let started = Instant::now();
    let results = match options.replicate {
        Some(replicate) => {
            let weeks: &[u32] = if replicate == 0 { &network_weeks } else { &[] };
            let result =
                runner::run_replicate_recording(&scenario.params, master_seed, replicate, weeks);
            progress.advance();
            vec![result]
        }
        None => runner::run_replicates_varying(
            &|replicate| drawn.as_ref().map_or(&scenario.params, |d| d.of(replicate)),
            master_seed,
            replicates,
            &network_weeks,
            threads,
            &|| progress.advance(),
        ),
    };
    let wall_time_seconds = started.elapsed().as_secs_f64();
    progress.finish();

    let report = RunReport {
        scenario_name: &scenario.name,
        resolved_scenario: &resolved_scenario,
        master_seed,
        replicates,
        threads,
        wall_time_seconds,
        results: &results,
        posterior: posterior
            .as_ref()
            .zip(drawn.as_ref())
            .map(|(posterior, drawn)| PosteriorDraws {
                posterior,
                rows: &drawn.draws,
            }),
    };
    let written = runner::on_threads(threads, || export::write_run_report(&output_dir, &report))?;

    if !options.quiet {
        let replicate_measures: Vec<Measures> =
            results.iter().map(|result| result.measures).collect();
        say_part!(
            "{}",
            print::headline_table(&summarise_measures(&replicate_measures), replicates)
        );
        if let Some(draws) = &report.posterior {
            say!("{}", print::posterior_line(&draws.metadata()));
        }
        let settling = Settling::of_runs(results.iter().map(|result| &result.output));
        warn_lines(&print::settling_warnings(&settling, None));
        say!(
            "{}",
            print::written_files_message(output_dir.path(), &written)
        );
    }
    Ok(())
}

/// `patchwork warmup`: scenario with no warm-up over a long horizon → replicates → Welch's method
/// on each weekly series → warmup.csv, warmup.png and the suggested warm-up.
fn suggest_warmup(options: args::WarmupOptions) -> anyhow::Result<()> {
    use patchwork_sim::metrics::welch;
    let mut sets = options.sets.clone();
    sets.push("run.warmup_weeks=0".to_string());
    sets.push(format!("run.horizon_weeks={}", options.horizon_weeks));
    let scenario = scenario::load(options.scenario_path.as_deref(), &sets)?;
    let master_seed = options.seed.unwrap_or(scenario.seed);
    let output_path = options
        .output_dir
        .unwrap_or_else(|| args::default_warmup_dir(&scenario.name));
    // Refuse an occupied directory before spending time on the runs.
    let output_dir = OutputDir::new(output_path, options.force)?;
    let threads = runner::resolved_thread_count(options.threads);

    let progress = progress::Progress::new(u64::from(options.replicates), options.quiet);
    let results = runner::run_replicates(
        &scenario.params,
        master_seed,
        options.replicates,
        threads,
        &|| progress.advance(),
    );
    progress.finish();
    let outputs: Vec<patchwork_sim::model::RunOutput> =
        results.into_iter().map(|result| result.output).collect();
    let series = welch::welch_of_runs(&outputs);
    let files = vec![
        patchwork_sim::output::RenderedFile {
            file_name: export::warmup_csv::WARMUP_CSV,
            bytes: export::warmup_csv::warmup_csv(&series)?,
        },
        plot::render_warmup_png(&series, options.replicates, welch::WINDOW_WEEKS)?,
    ];
    let written = output_dir.write_files(&files)?;
    if !options.quiet {
        say_part!(
            "{}",
            print::warmup_table(&series, options.replicates, options.horizon_weeks)
        );
        say!(
            "{}",
            print::written_files_message(output_dir.path(), &written)
        );
    }
    Ok(())
}

/// `patchwork compare`: A and B (and each in silos) on the same seeds (and, under
/// `--posterior`, the same drawn rows, each also run from its twin seed) → paired statistics →
/// comparison.csv, advantage.csv, report.md, report.html, the plots and their CSV files.
fn compare_scenarios(options: args::CompareOptions) -> anyhow::Result<()> {
    refuse_sweep_file(Some(&options.scenario_a), "compare")?;
    refuse_sweep_file(options.scenario_b.as_deref(), "compare")?;
    let request = CompareRequest {
        scenario_a: &options.scenario_a,
        // Without B, A is compared with itself as --set-a and --set-b change it.
        scenario_b: options.scenario_b.as_deref().unwrap_or(&options.scenario_a),
        sets: &options.sets,
        sets_a: &options.sets_a,
        sets_b: &options.sets_b,
        posterior: options.posterior.as_deref(),
        network_weeks: &options.network_weeks,
        replicates: options.replicates,
        seed: options.seed,
        threads: options.threads,
    };
    let plan = ComparePlan::load(&request)?;
    check_memory("the comparison", &plan.job())?;
    let output_path = options
        .output_dir
        .unwrap_or_else(|| args::default_compare_dir(&plan.a.scenario.name, &plan.b.scenario.name));
    // Refuse an occupied directory before spending time on the runs.
    let output_dir = OutputDir::new(output_path, options.force)?;
    let progress = progress::Progress::new(plan.runs(), options.quiet);
    let runs = plan.run(&|| progress.advance());
    progress.finish();
    let report = plan.report(&runs, &request);
    let (name_a, name_b, replicates) = (&plan.a.name, &plan.b.name, plan.replicates);
    let threads = runner::resolved_thread_count(options.threads);
    let files = runner::on_threads(threads, || compare::render_compare_report(&report))?;
    let written = output_dir.write_files(&files)?;

    if !options.quiet {
        let comparison = compare::Comparison::of(&report);
        for line in compare::difference_lines(&report) {
            say!("{line}");
        }
        if !report.differences.is_empty() {
            say!(
                "Bottom line: {}",
                compare::bottom_line(&report, &comparison)
            );
        }
        say!(
            "{name_b} against {name_a}, {replicates} replicates on the same seeds (B minus A, 95% CI):"
        );
        for sentence in compare::headline_sentences(&report, &comparison) {
            say!("- {sentence}");
        }
        if let Some(posterior) = &report.posterior {
            say!("{}", print::posterior_line(&posterior.draws.metadata()));
            say!(
                "share of each difference's variance from the drawn parameters and from the random draws (twin runs of each draw):"
            );
            for sentence in compare::split_sentences(&comparison) {
                say!("- {sentence}");
            }
        }
        for arm in [&report.a, &report.b] {
            warn_lines(&print::settling_warnings(&arm.settling(), Some(arm.name)));
        }
        say!(
            "{}",
            print::written_files_message(output_dir.path(), &written)
        );
    }
    Ok(())
}

/// A finished sweep's report.html and plots/, drawn from its points.csv (replacing earlier ones).
fn write_sweep_pictures(directory: &std::path::Path, quiet: bool) -> anyhow::Result<()> {
    let points_path = directory.join(sweep::POINTS_CSV);
    let points = std::fs::read(&points_path)
        .with_context(|| format!("cannot read {}", points_path.display()))?;
    let metadata: Option<serde_json::Value> = std::fs::read(directory.join(sweep::METADATA_JSON))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok());
    let files =
        patchwork_sim::output::html::sweep_html::render_sweep_pictures(&points, metadata.as_ref())?;
    let written = OutputDir::new(directory, true)?.add_files(&files)?;
    if !quiet {
        say!("{}", print::written_files_message(directory, &written));
    }
    Ok(())
}

/// `patchwork plot`: an output directory's CSV files → its plots, redrawn into DIR/plots (for a
/// sweep, with its report.html).
fn plot_directory(options: args::PlotOptions) -> anyhow::Result<()> {
    if options.directory.join(sweep::POINTS_CSV).exists() {
        // A sweep: its plots and report.html from points.csv; existing plots need --force.
        OutputDir::new(options.directory.join(plot::PLOTS_DIR), options.force)?;
        return write_sweep_pictures(&options.directory, options.quiet);
    }
    let inputs = plot::DirectoryInputs::read(&options.directory)?;
    let data = inputs.plot_data(&options.directory)?;
    let plots_dir = OutputDir::new(options.directory.join(plot::PLOTS_DIR), options.force)?;
    let files: Vec<patchwork_sim::output::RenderedFile> = plot::render_plots(&data)?
        .into_iter()
        .map(|file| patchwork_sim::output::RenderedFile {
            file_name: file
                .file_name
                .strip_prefix("plots/")
                .unwrap_or(file.file_name),
            bytes: file.bytes,
        })
        .collect();
    let written = plots_dir.write_files(&files)?;
    if !options.quiet {
        say!(
            "{}",
            print::written_files_message(plots_dir.path(), &written)
        );
    }
    Ok(())
}

/// `patchwork init`: the template scenario, every key with its default, unit and source; an
/// existing file is replaced only with `--force`.
fn init_scenario(options: args::InitOptions) -> anyhow::Result<()> {
    patchwork_sim::output::template::write_template(&options.path, options.force)?;
    let path = options.path.display();
    say!("wrote {path}: every key with its default, unit and source");
    say!("change what you need, delete the rest, then: patchwork check {path}");
    Ok(())
}

/// `patchwork check`: validate the scenario and print it fully resolved.
fn check_scenario(options: CheckOptions) -> anyhow::Result<()> {
    if sweep::sweep_table_line(&options.scenario_path).is_some() {
        return check_sweep(&options);
    }
    let scenario = scenario::load(Some(&options.scenario_path), &options.sets)?;
    let resolved = toml::to_string_pretty(&scenario.resolved)
        .context("cannot print the resolved scenario as TOML")?;
    say_part!("{resolved}");
    Ok(())
}

/// `patchwork check` given a sweep file: loads it as `sweep` would (every axis and value checked)
/// and says how big it is and how long it would take, as `sweep --dry-run` does.
fn check_sweep(options: &CheckOptions) -> anyhow::Result<()> {
    let sweep = Sweep::load(Some(&options.scenario_path), &options.sets)?;
    let threads = runner::resolved_thread_count(0);
    let estimated = sweep_estimate(&sweep, Shard::WHOLE, threads)?;
    say!(
        "{} is a valid sweep file; run it with `patchwork sweep {}`",
        options.scenario_path.display(),
        options.scenario_path.display()
    );
    print_sweep_dry_run(&sweep, Shard::WHOLE, threads, &estimated);
    Ok(())
}

/// Refuses a sweep file given to `command` (`run`, `compare`, `demo`), naming its `[sweep]` line
/// and the command that runs it, rather than letting the scenario loader call `sweep` an unknown
/// key.
fn refuse_sweep_file(path: Option<&std::path::Path>, command: &str) -> anyhow::Result<()> {
    let Some(path) = path else {
        return Ok(());
    };
    match sweep::sweep_table_line(path) {
        Some(line) => anyhow::bail!(
            "{}:{line}: sweep: this is a sweep file, which `patchwork {command}` does not take; \
             run it with `patchwork sweep {}` (or check it with `patchwork check {}`)",
            path.display(),
            path.display(),
            path.display()
        ),
        None => Ok(()),
    }
}

/// `patchwork demo`: a narrated run (and, with `--compare`, the same seed without the minder),
/// written to timeline.md and the GIF, then told week by week at a pace a room can read and summed
/// up in a few lines. The pause is `--speed` seconds a printed line, so a busy week stays up longer
/// than a quiet one, and a week with an event is held for `EVENT_HOLD_LINES` lines more.
fn run_demo(options: args::DemoOptions) -> anyhow::Result<()> {
    use patchwork_sim::output::demo::{EVENT_PREFIX, one_run_note, summary_lines, told_week};
    use std::io::{IsTerminal, Write};

    /// Extra lines' worth of pause after a week with an event, for the room to take it in.
    const EVENT_HOLD_LINES: f64 = 5.0;

    refuse_sweep_file(options.scenario_path.as_deref(), "demo")?;
    let demo = Demo::load(
        options.scenario_path.as_deref(),
        &options.sets,
        options.compare,
        options.weeks,
        options.seed,
    )?;
    check_memory("the demo", &demo.job())?;
    let output_dir = OutputDir::new(
        options.output_dir.clone().unwrap_or_else(|| {
            // The story told side by side goes to its own directory, so that the two README
            // commands run one after the other without --force.
            args::default_output_dir(if options.compare {
                "demo-compare"
            } else {
                "demo"
            })
        }),
        options.force,
    )?;
    let runs = demo.run();
    let (with_story, without_story) = demo.stories(&runs);
    // The files first: a room that has seen enough stops the story (Ctrl-C) and keeps them.
    let written = output_dir.write_files(&demo.files(&runs)?)?;

    // No pause when nobody is watching (a pipe, a file, a test).
    let per_line = if std::io::stdout().is_terminal() && options.speed > 0.0 {
        options.speed.min(60.0)
    } else {
        0.0
    };
    if !options.quiet {
        // A reader who stops reading (`| head`) stops the story, not the files.
        let told = (|| -> std::io::Result<()> {
            let mut out = std::io::stdout().lock();
            for week in 0..demo.weeks {
                let lines = told_week(&with_story, without_story.as_ref(), week);
                if lines.is_empty() {
                    continue;
                }
                for line in &lines {
                    writeln!(out, "{line}")?;
                }
                writeln!(out)?;
                out.flush()?;
                let event = lines
                    .iter()
                    .any(|line| line.trim_start().starts_with(EVENT_PREFIX));
                let held = lines.len() as f64 + if event { EVENT_HOLD_LINES } else { 0.0 };
                std::thread::sleep(std::time::Duration::from_secs_f64(per_line * held));
            }
            for line in summary_lines(&with_story, without_story.as_ref(), demo.weeks) {
                writeln!(out, "{line}")?;
            }
            writeln!(out)?;
            let told = options
                .scenario_path
                .as_deref()
                .map(|path| path.display().to_string());
            let note = one_run_note(&with_story, told.as_deref());
            for line in &note {
                writeln!(out, "{line}")?;
            }
            if !note.is_empty() {
                writeln!(out)?;
            }
            Ok(())
        })();
        match told {
            Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other?,
        }
    }
    if !options.quiet {
        say!(
            "{}",
            print::written_files_message(output_dir.path(), &written)
        );
    }
    Ok(())
}
