//! Ordered parallel work: chunks computed one after another on a rayon pool (each chunk spread
//! over the pool's threads) and handed, in order, to a writer thread.
//!
//! The writer sees chunk `k` before chunk `k + 1`, whatever the number of threads, so files
//! written by it are the same bytes with 1 thread or 16; while it writes (and syncs) one chunk,
//! the pool computes the next. At most one finished chunk waits for the writer, so memory holds
//! two chunks at most, however many there are. A writer error stops the work and is returned.

use std::ops::Range;
use std::panic::AssertUnwindSafe;
use std::sync::mpsc;

/// Computes every chunk in order with `compute` on `threads` threads (0: rayon's default) and
/// passes each result to `write`, in order, on another thread.
pub(crate) fn run_chunks<C, E>(
    chunks: impl Iterator<Item = Range<u64>>,
    threads: usize,
    compute: impl Fn(Range<u64>) -> C + Sync,
    write: impl FnMut(C) -> Result<(), E> + Send,
) -> Result<(), E>
where
    C: Send,
    E: Send,
{
    // A pool that cannot be built (no threads left to spawn) runs the same work on rayon's global
    // pool: the results are identical by construction.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .ok();
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::sync_channel::<C>(1);
        let writer = scope.spawn(move || {
            let mut write = write;
            for chunk in receiver {
                write(chunk)?;
            }
            Ok(())
        });
        for range in chunks {
            let computed = match &pool {
                Some(pool) => pool.install(|| compute(range)),
                None => compute(range),
            };
            if sender.send(computed).is_err() {
                // The writer stopped on an error, returned below.
                break;
            }
        }
        drop(sender);
        match writer.join() {
            Ok(result) => result,
            Err(payload) => std::panic::resume_unwind(payload),
        }
    })
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
