//! The index workers: a fixed number of threads that take index work (searches, exports,
//! documents, facets) from one bounded queue in arrival order.
//!
//! A worker that finishes takes the next job itself, with no hand-over through the async
//! runtime: with a semaphore in front of tokio's blocking pool, each search waited for a permit
//! to wake a runtime task, which then woke a blocking thread, and a core idled meanwhile. A job
//! whose request stopped waiting (timed out, client gone) is skipped; a job that panics costs its
//! request an error, not the worker. A full queue is refused at once ([`Busy`]).
//!
//! A worker may yield its core after each job (`yield_after_job` in `config/server.toml`): the
//! HTTP thread its answer just woke then writes the response at once, instead of waiting for the
//! worker's time slice to end while the worker starts the next search.

use std::panic::{catch_unwind, AssertUnwindSafe};

use crossbeam_channel::{Receiver, Sender, TrySendError};
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send + 'static>;

/// The queue is full: the server has more index work waiting than it is configured to keep.
#[derive(Debug)]
pub(crate) struct Busy;

pub(crate) struct WorkerPool {
    queue: Sender<Job>,
}

impl WorkerPool {
    /// Starts `threads` workers (at least one) over a queue of `queue` jobs; with `yield_after`,
    /// each worker yields its core after every job.
    pub(crate) fn new(threads: usize, queue: usize, yield_after: bool) -> WorkerPool {
        let (tx, rx) = crossbeam_channel::bounded::<Job>(queue.max(1));
        let mut started = 0;
        for i in 0..threads.max(1) {
            let rx = rx.clone();
            match std::thread::Builder::new()
                .name(format!("plansok-index-{i}"))
                .spawn(move || work(rx, yield_after))
            {
                Ok(_) => started += 1,
                Err(e) => tracing::error!("index worker {i} could not start: {e}"),
            }
        }
        tracing::debug!("{started} index workers");
        WorkerPool { queue: tx }
    }

    /// Queues `job` and gives the channel of its answer, which closes without one when the job
    /// panicked; [`Busy`] when the queue is full.
    pub(crate) fn submit<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<oneshot::Receiver<T>, Busy> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move || {
            if !tx.is_closed() {
                let _ = tx.send(job());
            }
        });
        match self.queue.try_send(job) {
            Ok(()) => Ok(rx),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => Err(Busy),
        }
    }
}

fn work(jobs: Receiver<Job>, yield_after: bool) {
    for job in jobs.iter() {
        // The job's answer channel is dropped with it, so its request gets an error.
        let _ = catch_unwind(AssertUnwindSafe(job));
        if yield_after {
            // Lets a thread this job's answer woke run now; returns at once when none waits.
            std::thread::yield_now();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{mpsc, Arc, Mutex};
    use std::time::Duration;

    #[test]
    fn jobs_run_in_arrival_order_and_a_panic_costs_only_its_job() {
        let pool = WorkerPool::new(1, 16, true);
        let order = Arc::new(Mutex::new(Vec::new()));
        let answers: Vec<_> = (0..5)
            .map(|i| {
                let order = order.clone();
                pool.submit(move || {
                    std::thread::sleep(Duration::from_millis(2));
                    order.lock().unwrap().push(i);
                    i
                })
                .unwrap()
            })
            .collect();
        let got: Vec<i32> = answers
            .into_iter()
            .map(|a| a.blocking_recv().unwrap())
            .collect();
        assert_eq!(got, [0, 1, 2, 3, 4]);
        assert_eq!(*order.lock().unwrap(), [0, 1, 2, 3, 4]);
        let panicked = pool.submit(|| -> u32 { panic!("a broken job") }).unwrap();
        assert!(panicked.blocking_recv().is_err(), "no answer from a panic");
        let after = pool.submit(|| 7).unwrap();
        assert_eq!(after.blocking_recv().unwrap(), 7, "the worker lives on");
    }

    #[test]
    fn a_full_queue_is_refused_at_once_and_an_abandoned_job_is_skipped() {
        let pool = WorkerPool::new(1, 1, false);
        let (release, hold) = mpsc::channel::<()>();
        let (started, running) = mpsc::channel::<()>();
        // One job holds the worker, one waits in the queue, the third finds the queue full.
        let first = pool
            .submit(move || {
                started.send(()).unwrap();
                hold.recv().unwrap();
            })
            .unwrap();
        running.recv_timeout(Duration::from_secs(5)).unwrap();
        let ran = Arc::new(Mutex::new(false));
        let abandoned = pool.submit({
            let ran = ran.clone();
            move || *ran.lock().unwrap() = true
        });
        assert!(matches!(pool.submit(|| 2), Err(Busy)));
        drop(abandoned);
        release.send(()).unwrap();
        first.blocking_recv().unwrap();
        // The worker takes the abandoned job out of the queue (and drops it) next.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        let last = loop {
            match pool.submit(|| 3) {
                Ok(answer) => break answer,
                Err(Busy) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(1))
                }
                Err(Busy) => panic!("the queue never emptied"),
            }
        };
        assert_eq!(last.blocking_recv().unwrap(), 3);
        assert!(!*ran.lock().unwrap(), "a job nobody waits for is not run");
    }
}
