//! The bounded pool CPU-heavy computations run on (the risk Monte Carlo: up to 10,000 paths ×
//! 36 months): on tokio's blocking threads, never on the async runtime that answers requests,
//! at most `workers` at a time with at most `queue` more waiting. A request beyond the queue is
//! refused at once with 503 and `Retry-After` rather than piling up behind the others.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::Semaphore;

use app::api::error::ApiError;
use app::api::ports::HeavyWork;

/// What a refused caller is told to wait, seconds: about one computation.
const RETRY_AFTER_SECS: u64 = 2;

pub struct Workers {
    running: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
    /// Jobs run since start (exported to `/metrics`).
    pub jobs: AtomicU64,
    /// Jobs refused because the queue was full.
    pub refused: AtomicU64,
}

impl Workers {
    pub fn new(workers: usize, queue: usize) -> Self {
        Self {
            running: Arc::new(Semaphore::new(workers.max(1))),
            waiting: AtomicUsize::new(0),
            max_waiting: queue,
            jobs: AtomicU64::new(0),
            refused: AtomicU64::new(0),
        }
    }

    /// Worker count for this machine: all cores but one for the runtime, at least one.
    pub fn default_count() -> usize {
        std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1).max(1))
    }
}

/// Counts a caller in the queue until it leaves it (served, or gone: a client that hangs up
/// while waiting frees its place).
struct InQueue<'a>(&'a AtomicUsize);

impl Drop for InQueue<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[async_trait]
impl HeavyWork for Workers {
    async fn run(&self, job: Box<dyn FnOnce() + Send>) -> Result<(), ApiError> {
        let permit = match self.running.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
                    self.waiting.fetch_sub(1, Ordering::SeqCst);
                    self.refused.fetch_add(1, Ordering::Relaxed);
                    return Err(ApiError::Busy {
                        retry_after_secs: RETRY_AFTER_SECS,
                    });
                }
                let _queued = InQueue(&self.waiting);
                self.running
                    .clone()
                    .acquire_owned()
                    .await
                    .map_err(|_| ApiError::Internal {
                        id: "workers-closed".into(),
                    })?
            }
        };
        self.jobs.fetch_add(1, Ordering::Relaxed);
        tokio::task::spawn_blocking(move || {
            let _held = permit;
            job()
        })
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "a heavy computation panicked");
            ApiError::Internal {
                id: "heavy-work-panicked".into(),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn beyond_the_queue_a_job_is_refused_at_once_and_the_pool_recovers() {
        let pool = Arc::new(Workers::new(1, 1));
        // Job A holds the only worker until released.
        let (release, hold) = mpsc::channel::<()>();
        let (started_tx, started) = tokio::sync::oneshot::channel();
        let a = tokio::spawn({
            let pool = pool.clone();
            async move {
                pool.run(Box::new(move || {
                    let _ = started_tx.send(());
                    let _ = hold.recv();
                }))
                .await
            }
        });
        started.await.unwrap();
        // B waits in the queue's one place.
        let b = tokio::spawn({
            let pool = pool.clone();
            async move { app::api::ports::compute(pool.as_ref(), || 41 + 1).await }
        });
        while pool.waiting.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        // C finds the worker busy and the queue full.
        let c = app::api::ports::compute(pool.as_ref(), || 0).await;
        assert_eq!(
            c,
            Err(ApiError::Busy {
                retry_after_secs: 2
            })
        );
        assert_eq!(pool.refused.load(Ordering::Relaxed), 1);
        release.send(()).unwrap();
        a.await.unwrap().unwrap();
        assert_eq!(b.await.unwrap(), Ok(42));
        // Free again.
        assert_eq!(app::api::ports::compute(pool.as_ref(), || 7).await, Ok(7));
        assert_eq!(pool.jobs.load(Ordering::Relaxed), 3);
        assert_eq!(pool.waiting.load(Ordering::SeqCst), 0);
    }
}
