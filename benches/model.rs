//! Criterion benchmarks of the model (the goal: "a cluster run of three school years in a
//! couple of milliseconds; sweeps of thousands of runs in seconds on two cores").
//!
//! - `baseline_run`: one full run of the built-in baseline (one secondary and five primaries,
//!   416 weeks: five warm-up years and three measured), from `Simulation::new` to `finish`.
//! - `baseline_run_208_weeks`: the same cut to 208 weeks, to compare with figures measured before
//!   the warm-up grew (per 208 weeks).
//! - `baseline_step_steady_state`: one weekly step of the baseline once it has settled. A
//!   `Simulation` is not `Clone`, so each measured stretch starts from a fresh simulation advanced
//!   260 weeks outside the timer (the warm-up), then times the 52 steps of weeks 260 to 311 (the
//!   sixth school year, term and holiday weeks alike); the figure is the mean time of one step.
//!   Timing a single week per rebuilt simulation (`iter_batched`) would spend a hundred times
//!   longer building than measuring, for the same number.
//! - `run_replicates_20`: 20 replicates of the baseline through `runner::run_replicates` (measures
//!   included, a fresh rayon pool per call, as the CLI does) on 1 and on 2 threads.
//!
//! Run with `cargo bench --bench model`; CI only builds them (`cargo bench --no-run`). The
//! machine's load moves these figures by tens of percent: compare builds in alternation, and
//! count instructions (`valgrind --tool=callgrind`) for a figure that does not move.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};

use patchwork_sim::batch::replicates as runner;
use patchwork_sim::model::{Params, Simulation, simulate};
use patchwork_sim::scenario;

/// The built-in baseline scenario's parameters (416 weeks).
fn baseline() -> Params {
    scenario::load(None, &[])
        .expect("the built-in baseline loads")
        .params
}

/// Weeks run before the measured steps: the five-year warm-up, by which the world has settled.
const SETTLED_WEEK: u32 = 260;
/// Steps measured per freshly built simulation (one school year).
const MEASURED_STEPS: u32 = 52;

fn baseline_run(c: &mut Criterion) {
    let params = baseline();
    c.bench_function("baseline_run", |b| {
        b.iter(|| simulate(black_box(&params), black_box(20260101)))
    });
}

fn baseline_run_208_weeks(c: &mut Criterion) {
    let params = Params {
        horizon_weeks: 208,
        warmup_weeks: 52,
        ..baseline()
    };
    c.bench_function("baseline_run_208_weeks", |b| {
        b.iter(|| simulate(black_box(&params), black_box(20260101)))
    });
}

fn baseline_step_steady_state(c: &mut Criterion) {
    let params = baseline();
    assert!(
        params.horizon_weeks >= SETTLED_WEEK + MEASURED_STEPS,
        "the baseline runs long enough to measure its sixth year"
    );
    c.bench_function("baseline_step_steady_state", |b| {
        b.iter_custom(|iterations| {
            let mut measured = Duration::ZERO;
            let mut stepped = 0u64;
            let mut seed = 0u64;
            while stepped < iterations {
                let mut simulation = Simulation::new(&params, seed);
                seed += 1;
                for _ in 0..SETTLED_WEEK {
                    simulation.step();
                }
                let steps = (iterations - stepped).min(u64::from(MEASURED_STEPS));
                let started = Instant::now();
                for _ in 0..steps {
                    black_box(simulation.step());
                }
                measured += started.elapsed();
                stepped += steps;
                // Dropped outside the timer.
                black_box(simulation);
            }
            measured
        })
    });
}

fn run_replicates_20(c: &mut Criterion) {
    let params = baseline();
    let mut group = c.benchmark_group("run_replicates_20");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(8));
    for threads in [1usize, 2] {
        group.bench_function(format!("threads_{threads}"), |b| {
            b.iter(|| runner::run_replicates(black_box(&params), 20260101, 20, threads, &|| {}))
        });
    }
    group.finish();
}

/// Criterion without its plots: its plotters backend needs system fonts and panics without them
/// (`FontUnavailable`), as on servers with no fonts installed. The figures are the same.
fn config() -> Criterion {
    Criterion::default().without_plots()
}

criterion_group! {
    name = benches;
    config = config();
    targets = baseline_run, baseline_run_208_weeks, baseline_step_steady_state, run_replicates_20
}
criterion_main!(benches);
