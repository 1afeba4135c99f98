//! Ordered parallel work: chunks computed on a rayon pool, a few at a time, and handed in order
//! to a writer.
//!
//! Up to `CHUNKS_AHEAD` chunks are spawned on the pool at once (each spreading its own work over
//! the threads), so a thread that has nothing left of one chunk takes work from the next instead
//! of waiting for the slowest run of the chunk. The calling thread, which is not one of the
//! pool's, receives finished chunks, puts them back in order and writes them (and syncs them to
//! disk) while the pool computes: the writer sees chunk `k` before chunk `k + 1`, whatever the
//! number of threads, so files written by it are the same bytes with 1 thread or 16. At most
//! `CHUNKS_AHEAD` chunks are held, computed or waiting, however many there are. A writer error
//! stops the spawning of chunks and is returned once those under way have finished.

use std::collections::BTreeMap;
use std::ops::Range;
use std::panic::AssertUnwindSafe;
use std::sync::mpsc;

/// Chunks computed or waiting to be written at any moment.
const CHUNKS_AHEAD: usize = 3;

/// Computes every chunk with `compute` on `threads` threads (0: rayon's default) and passes each
/// result to `write`, in order, on the calling thread.
pub(crate) fn run_chunks<C, E>(
    chunks: impl Iterator<Item = Range<u64>>,
    threads: usize,
    compute: impl Fn(Range<u64>) -> C + Sync,
    mut write: impl FnMut(C) -> Result<(), E>,
) -> Result<(), E>
where
    C: Send,
{
    let Ok(pool) = rayon::ThreadPoolBuilder::new().num_threads(threads).build() else {
        // A pool that cannot be built (no threads left to spawn): the same work on this thread,
        // with the same results by construction, only slower.
        for range in chunks {
            write(compute(range))?;
        }
        return Ok(());
    };
    let compute = &compute;
    let (sender, receiver) = mpsc::channel::<(usize, std::thread::Result<C>)>();
    let mut chunks = chunks.enumerate();
    let mut outcome = Ok(());
    pool.in_place_scope_fifo(|scope| {
        let mut spawn_next = || match chunks.next() {
            Some((index, range)) => {
                let sender = sender.clone();
                scope.spawn_fifo(move |_| {
                    let computed = std::panic::catch_unwind(AssertUnwindSafe(|| compute(range)));
                    // The receiver outlives the scope, so this cannot fail.
                    let _ = sender.send((index, computed));
                });
                true
            }
            None => false,
        };
        let mut under_way = 0;
        while under_way < CHUNKS_AHEAD && spawn_next() {
            under_way += 1;
        }
        let mut waiting: BTreeMap<usize, C> = BTreeMap::new();
        let mut next_to_write = 0;
        while under_way > 0 {
            let (index, computed) = receiver.recv().expect("a spawned chunk always reports");
            under_way -= 1;
            match computed {
                Ok(computed) => {
                    waiting.insert(index, computed);
                }
                // Not a run's panic (those are caught per run): a bug in the chunk's own code.
                Err(payload) => std::panic::resume_unwind(payload),
            }
            while let Some(computed) = waiting.remove(&next_to_write) {
                next_to_write += 1;
                if outcome.is_ok() {
                    outcome = write(computed);
                }
            }
            while outcome.is_ok() && under_way + waiting.len() < CHUNKS_AHEAD && spawn_next() {
                under_way += 1;
            }
        }
    });
    outcome
}

/// Runs `work`, turning a panic into an error holding its message.
pub(crate) fn catch_panic<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(AssertUnwindSafe(work)).map_err(|payload| {
        if let Some(text) = payload.downcast_ref::<&str>() {
            format!("panicked: {text}")
        } else if let Some(text) = payload.downcast_ref::<String>() {
            format!("panicked: {text}")
        } else {
            "panicked".to_string()
        }
    })
}

/// Contiguous ranges of `units` of at most `size` each (at least 1).
pub(crate) fn chunk_ranges(units: Range<u64>, size: u64) -> impl Iterator<Item = Range<u64>> {
    let size = size.max(1);
    let end = units.end;
    (units.start..end)
        .step_by(usize::try_from(size).unwrap_or(usize::MAX))
        .map(move |start| start..(start.saturating_add(size)).min(end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;

    #[test]
    fn chunks_arrive_in_order_whatever_the_threads() {
        for threads in [1, 2, 4] {
            let mut seen = Vec::new();
            let result: Result<(), ()> = run_chunks(
                chunk_ranges(3..50, 7),
                threads,
                |range| {
                    range
                        .into_par_iter()
                        .map(|unit| unit * 2)
                        .collect::<Vec<u64>>()
                },
                |chunk| {
                    seen.extend(chunk);
                    Ok(())
                },
            );
            assert!(result.is_ok());
            assert_eq!(seen, (3..50).map(|unit| unit * 2).collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_writer_error_stops_the_work() {
        let computed = std::sync::atomic::AtomicU64::new(0);
        let result = run_chunks(
            chunk_ranges(0..100, 1),
            1,
            |range| {
                computed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                range.start
            },
            |start| if start == 3 { Err(start) } else { Ok(()) },
        );
        assert_eq!(result, Err(3));
        assert!(computed.load(std::sync::atomic::Ordering::Relaxed) < 100);
    }

    #[test]
    fn panics_become_errors() {
        assert_eq!(catch_panic(|| 5), Ok(5));
        let message = catch_panic(|| -> u32 { panic!("boom {}", 1) }).unwrap_err();
        assert_eq!(message, "panicked: boom 1");
    }

    #[test]
    fn chunk_ranges_cover_the_units() {
        let ranges: Vec<Range<u64>> = chunk_ranges(0..10, 4).collect();
        assert_eq!(ranges, [0..4, 4..8, 8..10]);
        assert_eq!(chunk_ranges(5..5, 4).count(), 0);
    }
}
