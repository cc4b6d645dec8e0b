//! Batches on every core (feature `batch`): the only place the core starts threads,
//! and only when a caller asks for it. Results come back in input order.
//!
//! ```
//! use dashrisk::{batch, AssessOptions, Assessment, Scorer};
//! let scorer = Scorer::default();
//! let records = vec![Assessment::default(); 1000];
//! let results = batch::assess(&scorer, &records, &AssessOptions::default(), batch::threads());
//! assert_eq!(results.len(), 1000);
//! assert_eq!(results[0], scorer.assess(&records[0]));
//! ```

use crate::{AssessOptions, Assessment, AssessmentResult, CompactResult, InputError, Scorer};

/// The threads a batch uses by default: the cores this process may run on
/// (`std::thread::available_parallelism`), at least 1.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `f` applied to consecutive slices of `items`, one slice per thread (`threads`,
/// at least 1; the calling thread takes one), and the outputs in input order. A
/// panic in `f` is re-raised on the calling thread.
pub fn map_slices<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&[T]) -> R + Sync,
) -> Vec<R> {
    let threads = threads.clamp(1, items.len().max(1));
    if threads == 1 {
        return vec![f(items)];
    }
    let per = items.len().div_ceil(threads);
    let parts: Vec<&[T]> = items.chunks(per).collect();
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = parts[1..]
            .iter()
            .map(|part| s.spawn(move || f(part)))
            .collect();
        let mut out = Vec::with_capacity(parts.len());
        out.push(f(parts[0]));
        for h in handles {
            match h.join() {
                Ok(r) => out.push(r),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

/// `f` of each of `items` on `threads` threads (at least 1; the calling thread is
/// one), the outputs in input order. Threads take items in turn, so one slow item
/// does not hold the others back (for a few items of unequal cost, where
/// [`map_slices`] suits many of equal cost). A panic in `f` is re-raised on the
/// calling thread.
///
/// ```
/// let squares = dashrisk::batch::map_each(&[1, 2, 3, 4, 5], 3, |x| x * x);
/// assert_eq!(squares, vec![1, 4, 9, 16, 25]);
/// ```
pub fn map_each<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    map_each_after(items, threads, || (), f).1
}

/// [`map_each`], with the calling thread running `first` before it takes items
/// (the other threads start on the items at once): for a pipeline whose calling
/// thread writes the last chunk's output and reads the next chunk while this one is
/// worked on. Returns what `first` gave and the outputs in input order.
///
/// ```
/// let (read, lengths) =
///     dashrisk::batch::map_each_after(&["a", "bb", "ccc"], 2, || "next chunk", |s| s.len());
/// assert_eq!((read, lengths), ("next chunk", vec![1, 2, 3]));
/// ```
pub fn map_each_after<T: Sync, R: Send, A>(
    items: &[T],
    threads: usize,
    first: impl FnOnce() -> A,
    f: impl Fn(&T) -> R + Sync,
) -> (A, Vec<R>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let threads = threads.clamp(1, items.len().max(1));
    if threads == 1 {
        let a = first();
        return (a, items.iter().map(f).collect());
    }
    let out: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let run = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(item) = items.get(i) else { break };
        let r = f(item);
        *out[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
    };
    let a = std::thread::scope(|s| {
        let handles: Vec<_> = (1..threads).map(|_| s.spawn(run)).collect();
        let a = first();
        run();
        for h in handles {
            if let Err(panic) = h.join() {
                std::panic::resume_unwind(panic);
            }
        }
        a
    });
    let outs = out
        .into_iter()
        .map(|o| {
            o.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .expect("every item was taken")
        })
        .collect();
    (a, outs)
}

/// Assesses `records` on `threads` threads; the results in input order, equal to
/// [`Scorer::assess_with`] on each.
pub fn assess(
    scorer: &Scorer,
    records: &[Assessment],
    options: &AssessOptions,
    threads: usize,
) -> Vec<Result<AssessmentResult, InputError>> {
    map_slices(records, threads, |part| {
        part.iter()
            .map(|a| scorer.assess_with(a, options))
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect()
}

/// Assesses `records` on `threads` threads into [`CompactResult`]s, in input
/// order, equal to [`Scorer::assess_compact`] on each. The allocations are per
/// batch (one result list per thread, and the output), never per record; a test
/// counts them with a counting allocator (`tests/no_alloc.rs`).
///
/// ```
/// use dashrisk::{batch, Assessment, Scorer};
/// let scorer = Scorer::default();
/// let records = vec![Assessment::default(); 1000];
/// let results = batch::assess_compact(&scorer, &records, batch::threads());
/// assert_eq!(results[999], scorer.assess_compact(&records[999]));
/// ```
pub fn assess_compact(
    scorer: &Scorer,
    records: &[Assessment],
    threads: usize,
) -> Vec<Result<CompactResult, InputError>> {
    let parts = map_slices(records, threads, |part| {
        part.iter()
            .map(|a| scorer.assess_compact(a))
            .collect::<Vec<_>>()
    });
    let mut out = Vec::with_capacity(records.len());
    for p in parts {
        out.extend(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_item_comes_back_in_order_and_first_runs_once() {
        let items: Vec<u64> = (0..1_000).collect();
        for threads in [1, 2, 3, 8] {
            let mut calls = 0;
            let (a, out) = map_each_after(
                &items,
                threads,
                || {
                    calls += 1;
                    "first"
                },
                |&x| x * 3,
            );
            assert_eq!((a, calls), ("first", 1));
            assert_eq!(out, items.iter().map(|x| x * 3).collect::<Vec<_>>());
        }
        assert!(map_each(&[] as &[u8], 4, |&x| x).is_empty());
    }

    #[test]
    fn a_panic_in_any_thread_is_raised_on_the_caller() {
        let items: Vec<u32> = (0..64).collect();
        for threads in [1, 2, 4] {
            let r = std::panic::catch_unwind(|| {
                map_each(&items, threads, |&x| assert_ne!(x, 37, "item 37"))
            });
            assert!(r.is_err(), "{threads} threads");
            let r = std::panic::catch_unwind(|| {
                map_each_after(&items, threads, || panic!("in first"), |&x| x)
            });
            assert!(r.is_err(), "{threads} threads");
        }
    }

    #[test]
    fn slices_come_back_in_order_whatever_the_thread_count() {
        let items: Vec<u32> = (0..1001).collect();
        for t in [1, 2, 3, 7, 2000] {
            let out: Vec<u32> = map_slices(&items, t, |s| s.to_vec())
                .into_iter()
                .flatten()
                .collect();
            assert_eq!(out, items, "{t} threads");
        }
        assert_eq!(map_slices(&[] as &[u32], 4, |s| s.len()), vec![0]);
    }

    #[test]
    fn a_batch_equals_one_at_a_time() {
        let scorer = Scorer::default();
        let records: Vec<Assessment> = crate::synth::generate(300, 3, &Default::default())
            .into_iter()
            .map(|r| r.assessment)
            .collect();
        let opts = AssessOptions::default();
        let one: Vec<_> = records
            .iter()
            .map(|a| scorer.assess_with(a, &opts))
            .collect();
        assert_eq!(assess(&scorer, &records, &opts, 3), one);
    }
}
