//! Runs the replicates of one scenario in parallel and measures each.
//!
//! Replicate `r` runs from `replicate_seed(master_seed, r)`, so its output depends only on the
//! parameters, the master seed and `r`: never on the number of threads or which thread ran it.
//! Work is spread with `par_iter` over replicate indices on a local rayon pool and collected in
//! index order; nothing is aggregated across threads. Progress is a callback so that the library
//! knows nothing of progress bars.

use rayon::prelude::*;

use crate::metrics::{Measures, measures};
use crate::model::{self, Params, RunOutput, rng};

/// One finished replicate: its index, seed, full output (kept for `weekly.csv`) and measures.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicateResult {
    pub replicate: u32,
    pub seed: u64,
    pub output: RunOutput,
    pub measures: Measures,
}

/// Runs and measures one replicate.
pub fn run_replicate(params: &Params, master_seed: u64, replicate: u32) -> ReplicateResult {
    let seed = rng::replicate_seed(master_seed, u64::from(replicate));
    let output = model::simulate(params, seed);
    let measures = measures(&output);
    ReplicateResult {
        replicate,
        seed,
        output,
        measures,
    }
}

/// Runs replicates `0..replicates` on `threads` threads (0: rayon's default, which honours
/// `RAYON_NUM_THREADS`) and returns them in replicate order. `on_done` is called once as each
/// replicate finishes, from whichever thread ran it.
pub fn run_replicates(
    params: &Params,
    master_seed: u64,
    replicates: u32,
    threads: usize,
    on_done: &(dyn Fn() + Sync),
) -> Vec<ReplicateResult> {
    let run_all = || -> Vec<ReplicateResult> {
        (0..replicates)
            .into_par_iter()
            .map(|replicate| {
                let result = run_replicate(params, master_seed, replicate);
                on_done();
                result
            })
            .collect()
    };
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(run_all),
        // A pool that cannot be built (no threads left to spawn) runs the same work on this
        // thread: the results are identical by construction, only slower.
        Err(_) => (0..replicates)
            .map(|replicate| {
                let result = run_replicate(params, master_seed, replicate);
                on_done();
                result
            })
            .collect(),
    }
}

/// The number of threads `run_replicates` uses for a requested count: the count itself, or for 0
/// rayon's default rule (`RAYON_NUM_THREADS` when set to a positive number, else the number of
/// logical CPUs). Recorded in `metadata.json`.
pub fn resolved_thread_count(threads: usize) -> usize {
    if threads > 0 {
        return threads;
    }
    let from_environment = std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|value| value.trim().parse::<usize>().ok())
        .filter(|count| *count > 0);
    from_environment.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn short_baseline() -> Params {
        let mut params = crate::scenario::load(None, &[])
            .expect("the built-in baseline loads")
            .params;
        params.horizon_weeks = 60;
        params.warmup_weeks = 8;
        params
    }

    #[test]
    fn replicates_come_back_in_order_with_their_seeds() {
        let params = short_baseline();
        let finished = AtomicU32::new(0);
        let results = run_replicates(&params, 99, 5, 2, &|| {
            finished.fetch_add(1, Ordering::Relaxed);
        });
        assert_eq!(finished.load(Ordering::Relaxed), 5);
        let replicates: Vec<u32> = results.iter().map(|result| result.replicate).collect();
        assert_eq!(replicates, vec![0, 1, 2, 3, 4]);
        for result in &results {
            assert_eq!(
                result.seed,
                rng::replicate_seed(99, u64::from(result.replicate))
            );
            assert_eq!(result.measures, measures(&result.output));
        }
    }

    #[test]
    fn results_do_not_depend_on_thread_count() {
        let params = short_baseline();
        let one_thread = run_replicates(&params, 3, 4, 1, &|| {});
        let three_threads = run_replicates(&params, 3, 4, 3, &|| {});
        let default_threads = run_replicates(&params, 3, 4, 0, &|| {});
        assert_eq!(one_thread, three_threads);
        assert_eq!(one_thread, default_threads);
        assert_eq!(one_thread[2], run_replicate(&params, 3, 2));
    }

    #[test]
    fn thread_count_resolves_to_at_least_one() {
        assert_eq!(resolved_thread_count(5), 5);
        assert!(resolved_thread_count(0) >= 1);
    }
}
