//! Runs the replicates of one scenario in parallel and measures each.
//!
//! Replicate `r` runs from `replicate_seed(master_seed, r)`, so its output depends only on the
//! parameters, the master seed and `r`: never on the number of threads or which thread ran it.
//! Work is spread with `par_iter` over replicate indices on a local rayon pool and collected in
//! index order; nothing is aggregated across threads. Progress is a callback so that the library
//! knows nothing of progress bars.
//!
//! Replicate 0 can also record the first patch's professional network at chosen weeks (for
//! `network_posts.csv`, `network_ties.csv` and the network plot): `run_replicates_recording`.
//! Recording draws no random numbers, so replicate 0 is the same run either way, and which thread
//! runs it does not matter. The weeks are chosen here too: `default_network_weeks` (the first
//! measured week, the weeks just before and a term after each event that reaches the first patch
//! in the measured period, the last week; at most `DEFAULT_NETWORK_WEEKS`) or the user's, checked by
//! `chosen_network_weeks`.

use rayon::prelude::*;

use crate::metrics::measures;
use crate::model::{Params, Simulation, rng};

pub use crate::metrics::ReplicateResult;

/// Runs and measures one replicate, recording the first patch's network at the end of each of
/// `network_weeks` (`RunOutput::network`; nothing when empty). The run is the same either way.
pub fn run_replicate_recording(
    params: &Params,
    master_seed: u64,
    replicate: u32,
    network_weeks: &[u32],
) -> ReplicateResult {
    let seed = rng::replicate_seed(master_seed, u64::from(replicate));
    run_seeded(params, seed, replicate, network_weeks)
}

/// Runs and measures replicate `replicate` from the run seed `seed` itself (a posterior draw's
/// twin runs from a seed of its own), recording the network at `network_weeks`.
pub fn run_seeded(
    params: &Params,
    seed: u64,
    replicate: u32,
    network_weeks: &[u32],
) -> ReplicateResult {
    let mut simulation = Simulation::with_network_weeks(params, seed, network_weeks);
    while simulation.step() {}
    let output = simulation.finish();
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
    run_replicates_recording(params, master_seed, replicates, &[], threads, on_done)
}

/// As `run_replicates`, replicate 0 also recording the first patch's network at the end of each
/// of `network_weeks` (the other replicates record nothing).
pub fn run_replicates_recording(
    params: &Params,
    master_seed: u64,
    replicates: u32,
    network_weeks: &[u32],
    threads: usize,
    on_done: &(dyn Fn() + Sync),
) -> Vec<ReplicateResult> {
    run_replicates_varying(
        &|_| params,
        master_seed,
        replicates,
        network_weeks,
        threads,
        on_done,
    )
}

/// As `run_replicates_recording`, replicate `r` with the parameters `params_of(r)` (under
/// `--posterior`, those of the row it drew).
pub fn run_replicates_varying<'p>(
    params_of: &(dyn Fn(u32) -> &'p Params + Sync),
    master_seed: u64,
    replicates: u32,
    network_weeks: &[u32],
    threads: usize,
    on_done: &(dyn Fn() + Sync),
) -> Vec<ReplicateResult> {
    run_each_replicate(replicates, threads, on_done, &|replicate| {
        let weeks = if replicate == 0 { network_weeks } else { &[] };
        run_replicate_recording(params_of(replicate), master_seed, replicate, weeks)
    })
}

/// Calls `run_one` for replicates `0..replicates` on `threads` threads and returns the results
/// in replicate order; `on_done` is called as each finishes. `run_one` decides the parameters
/// and seed of each replicate (a posterior's draws, their twins).
pub fn run_each_replicate(
    replicates: u32,
    threads: usize,
    on_done: &(dyn Fn() + Sync),
    run_one: &(dyn Fn(u32) -> ReplicateResult + Sync),
) -> Vec<ReplicateResult> {
    let run_one = |replicate: u32| {
        let result = run_one(replicate);
        on_done();
        result
    };
    let run_all =
        || -> Vec<ReplicateResult> { (0..replicates).into_par_iter().map(run_one).collect() };
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(run_all),
        // A pool that cannot be built (no threads left to spawn) runs the same work on this
        // thread: the results are identical by construction, only slower.
        Err(_) => (0..replicates).map(run_one).collect(),
    }
}

/// Calls `work` on a rayon pool of `threads` threads, so that what it does in parallel (drawing the
/// pictures of a run, comparison or sweep) uses the threads the command was given rather than
/// every CPU. A pool that cannot be built leaves `work` on rayon's global pool.
pub fn on_threads<T: Send>(threads: usize, work: impl FnOnce() -> T + Send) -> T {
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    }
}

/// Network weeks chosen by default at most.
pub const DEFAULT_NETWORK_WEEKS: usize = 6;

pub use crate::scenario::limits::NETWORK_WEEKS as MAX_NETWORK_WEEKS;

/// The index of the locality whose first copy is the run's first patch.
fn first_locality(params: &Params) -> Option<u32> {
    params
        .localities
        .iter()
        .position(|locality| locality.count > 0)
        .map(|index| index as u32)
}

/// How long after an event the default weeks look again: a term (13 weeks), long enough for the
/// event's effect on ties to show and short enough to be before it has healed.
pub const WEEKS_AFTER_EVENT: u32 = 13;

/// The weeks at whose end replicate 0 records its network when none are chosen, for one scenario
/// or the arms of a comparison (which share the weeks, so their panels line up): the first
/// measured week (the warm-up's length), for each timeline event that reaches the first patch
/// (every locality, or the first patch's own) in the measured period the week before it and the
/// week `WEEKS_AFTER_EVENT` after it (when that is still in the run), and the last week; sorted,
/// without repeats, at most `DEFAULT_NETWORK_WEEKS` (the first, the last, then the earliest
/// events' before-and-after pairs, so that a reader sees each event's effect rather than only the
/// network it hit). With several arms, the earliest warm-up and horizon count.
pub fn default_network_weeks(arms: &[&Params]) -> Vec<u32> {
    let Some(horizon) = arms.iter().map(|params| params.horizon_weeks).min() else {
        return Vec::new();
    };
    let Some(last) = horizon.checked_sub(1) else {
        return Vec::new();
    };
    let first = arms
        .iter()
        .map(|params| params.warmup_weeks)
        .min()
        .unwrap_or(0)
        .min(last);
    let mut event_weeks: Vec<u32> = arms
        .iter()
        .flat_map(|params| {
            let first_locality = first_locality(params);
            params
                .events
                .iter()
                .filter(move |event| event.locality.is_none() || event.locality == first_locality)
                .filter(move |event| event.week >= params.warmup_weeks && event.week < horizon)
                .map(|event| event.week)
        })
        .collect();
    event_weeks.sort_unstable();
    event_weeks.dedup();
    let mut weeks = vec![first, last];
    for event_week in event_weeks {
        let around = [
            event_week.checked_sub(1),
            Some(event_week + WEEKS_AFTER_EVENT).filter(|week| *week < last),
        ];
        for week in around.into_iter().flatten() {
            if !weeks.contains(&week) && weeks.len() < DEFAULT_NETWORK_WEEKS {
                weeks.push(week);
            }
        }
    }
    weeks.sort_unstable();
    weeks
}

/// Weeks asked for with `--network-weeks` that cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetworkWeeksError {
    #[error(
        "week {week} is not in the run: choose weeks from 0 to {} (the horizon is {horizon} weeks)",
        horizon.saturating_sub(1)
    )]
    BeyondHorizon { week: u32, horizon: u32 },

    #[error("at most {MAX_NETWORK_WEEKS} different weeks, found {found}")]
    TooMany { found: usize },
}

/// The weeks to record: `requested` sorted and without repeats, each before every arm's horizon,
/// at most `MAX_NETWORK_WEEKS` of them; the default weeks when nothing is requested.
pub fn chosen_network_weeks(
    requested: &[u32],
    arms: &[&Params],
) -> Result<Vec<u32>, NetworkWeeksError> {
    if requested.is_empty() {
        return Ok(default_network_weeks(arms));
    }
    let horizon = arms
        .iter()
        .map(|params| params.horizon_weeks)
        .min()
        .unwrap_or(0);
    let mut weeks = requested.to_vec();
    weeks.sort_unstable();
    weeks.dedup();
    if let Some(&week) = weeks.iter().find(|week| **week >= horizon) {
        return Err(NetworkWeeksError::BeyondHorizon { week, horizon });
    }
    if weeks.len() > MAX_NETWORK_WEEKS {
        return Err(NetworkWeeksError::TooMany { found: weeks.len() });
    }
    Ok(weeks)
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
    use crate::model;
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
        assert_eq!(one_thread[2], run_replicate_recording(&params, 3, 2, &[]));
    }

    #[test]
    fn replicate_zero_records_its_network_and_is_otherwise_the_same_run() {
        let params = short_baseline();
        let plain = run_replicates(&params, 3, 3, 2, &|| {});
        let recording = run_replicates_recording(&params, 3, 3, &[8, 59], 2, &|| {});
        let weeks: Vec<u32> = recording[0]
            .output
            .network
            .iter()
            .map(|frame| frame.week)
            .collect();
        assert_eq!(weeks, vec![8, 59]);
        assert!(
            recording[1..]
                .iter()
                .all(|result| result.output.network.is_empty())
        );
        let mut without_network = recording.clone();
        without_network[0].output.network.clear();
        assert_eq!(without_network, plain);
        assert_eq!(
            recording,
            run_replicates_recording(&params, 3, 3, &[8, 59], 1, &|| {})
        );
    }

    fn with_events(mut params: Params, weeks: &[(u32, Option<u32>)]) -> Params {
        params.events = weeks
            .iter()
            .map(|&(week, locality)| model::Event {
                week,
                locality,
                kind: model::EventKind::MinderWithdrawn,
            })
            .collect();
        params
    }

    #[test]
    fn default_network_weeks_are_the_first_and_last_weeks_and_the_weeks_around_events() {
        let params = short_baseline();
        assert_eq!(default_network_weeks(&[&params]), vec![8, 59]);
        // Events in the warm-up, elsewhere or after the horizon are left out; the week before
        // an event in the first measured week is in the warm-up.
        let eventful = with_events(
            params.clone(),
            &[
                (30, None),
                (20, Some(0)),
                (4, None),
                (25, Some(1)),
                (8, None),
            ],
        );
        // Each event brings the week before it and the week a term after it, earliest events
        // first, six weeks at most (the event in week 30 finds no room).
        assert_eq!(
            default_network_weeks(&[&eventful]),
            vec![7, 8, 19, 21, 33, 59]
        );
        let one = with_events(params.clone(), &[(30, None)]);
        assert_eq!(default_network_weeks(&[&one]), vec![8, 29, 43, 59]);
        // A term after an event near the end is past the run: only the week before it.
        let late = with_events(params.clone(), &[(50, None)]);
        assert_eq!(default_network_weeks(&[&late]), vec![8, 49, 59]);
        // At most six: the first, the last and the earliest events' weeks.
        let busy = with_events(
            params.clone(),
            &[
                (50, None),
                (40, None),
                (30, None),
                (20, None),
                (10, None),
                (21, None),
            ],
        );
        assert_eq!(default_network_weeks(&[&busy]), vec![8, 9, 19, 23, 33, 59]);
        // Arms share their weeks: the earliest warm-up and horizon, both arms' events.
        let mut shorter = with_events(params.clone(), &[(40, None)]);
        shorter.horizon_weeks = 50;
        shorter.warmup_weeks = 10;
        assert_eq!(
            default_network_weeks(&[&eventful, &shorter]),
            vec![7, 8, 19, 21, 33, 49]
        );
        assert!(default_network_weeks(&[]).is_empty());
    }

    #[test]
    fn chosen_network_weeks_must_be_in_the_run() {
        let params = short_baseline();
        assert_eq!(
            chosen_network_weeks(&[30, 0, 30, 59], &[&params]),
            Ok(vec![0, 30, 59])
        );
        assert_eq!(chosen_network_weeks(&[], &[&params]), Ok(vec![8, 59]));
        let beyond = chosen_network_weeks(&[3, 60], &[&params]).unwrap_err();
        assert_eq!(
            beyond.to_string(),
            "week 60 is not in the run: choose weeks from 0 to 59 (the horizon is 60 weeks)"
        );
        let many: Vec<u32> = (0..13).collect();
        assert_eq!(
            chosen_network_weeks(&many, &[&params]),
            Err(NetworkWeeksError::TooMany { found: 13 })
        );
    }

    #[test]
    fn thread_count_resolves_to_at_least_one() {
        assert_eq!(resolved_thread_count(5), 5);
        assert!(resolved_thread_count(0) >= 1);
    }
}
