//! The `patchwork` binary: parse the command line, load the scenario, run it, write the files,
//! print the result or the error chain. The only place that knows exit codes: 0 on success, 1 on
//! any error (a bad scenario or command line, an output directory that exists without `--force`,
//! an I/O failure), in which case nothing has been written.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;

use patchwork_sim::cli::{self, CheckOptions, Command, RunOptions};
use patchwork_sim::metrics::{Measures, summarise_measures};
use patchwork_sim::report::{self, OutputDir, RunReport};
use patchwork_sim::{runner, scenario};

fn main() -> ExitCode {
    let command = match cli::parse_args() {
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
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Run(options) => run_scenario(options),
        Command::Check(options) => check_scenario(options),
    }
}

/// `patchwork run`: scenario → replicates → measures → files → headline table.
fn run_scenario(options: RunOptions) -> anyhow::Result<()> {
    let scenario = scenario::load(options.scenario_path.as_deref(), &options.sets)?;
    let replicates = options.replicates.unwrap_or(scenario.replicates);
    let master_seed = options.seed.unwrap_or(scenario.seed);
    let output_path = options
        .output_dir
        .unwrap_or_else(|| cli::default_output_dir(&scenario.name));
    // Refuse an occupied directory before spending time on the run.
    let output_dir = OutputDir::new(output_path, options.force)?;
    let resolved_scenario = serde_json::to_value(&scenario.resolved)
        .context("cannot record the resolved scenario as JSON")?;
    let threads = runner::resolved_thread_count(options.threads);

    let progress = cli::Progress::new(u64::from(replicates), options.quiet);
    let started = Instant::now();
    let results =
        runner::run_replicates(&scenario.params, master_seed, replicates, threads, &|| {
            progress.advance()
        });
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
    };
    let written = report::write_run_report(&output_dir, &report)?;

    if !options.quiet {
        let replicate_measures: Vec<Measures> =
            results.iter().map(|result| result.measures).collect();
        print!(
            "{}",
            cli::headline_table(&summarise_measures(&replicate_measures), replicates)
        );
        println!(
            "{}",
            cli::written_files_message(output_dir.path(), &written)
        );
    }
    Ok(())
}

/// `patchwork check`: validate the scenario and print it fully resolved.
fn check_scenario(options: CheckOptions) -> anyhow::Result<()> {
    let scenario = scenario::load(Some(&options.scenario_path), &options.sets)?;
    let resolved = toml::to_string_pretty(&scenario.resolved)
        .context("cannot print the resolved scenario as TOML")?;
    print!("{resolved}");
    Ok(())
}
