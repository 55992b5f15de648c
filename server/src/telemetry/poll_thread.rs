//! Where polls run: a thread of their own with a single-threaded runtime. A poll is a few
//! system calls and a parse; on the server's work-stealing runtime each one also woke idle
//! workers to steal it and moved between threads (futex wakes, context switches: about a tenth
//! of a poll's CPU). Here a tick's polls arrive as one batch — one wake-up — and every poll
//! stays on the thread that started it. The HTTP side keeps the server's other threads.

use std::sync::Arc;

use chrono::Utc;
use tokio::sync::{mpsc, Semaphore};
use tokio::time::Instant;

use app::model::fleet::devices::DeviceKind;

use super::firmware::Family;
use super::io::ExchangeLimits;
use super::poll::{poll_endpoint, PollResult};
use super::PollError;
use crate::metrics::Metrics;
use crate::store::DeviceSpec;

/// One device to poll, as the poller knows it.
pub(super) type Job = (Arc<DeviceSpec>, Option<Family>);

/// The polling thread; it ends when this is dropped (polls under way are abandoned).
pub(super) struct PollThread {
    jobs: mpsc::UnboundedSender<Vec<Job>>,
}

impl PollThread {
    /// Starts the thread: at most `concurrency` polls at once, each result sent to `done`.
    pub fn start(
        concurrency: usize,
        limits: ExchangeLimits,
        metrics: Arc<Metrics>,
        done: mpsc::UnboundedSender<PollResult>,
    ) -> std::io::Result<Self> {
        let (jobs, mut batches) = mpsc::unbounded_channel::<Vec<Job>>();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        std::thread::Builder::new()
            .name("rigshift-poll".into())
            .spawn(move || {
                let permits = Arc::new(Semaphore::new(concurrency.max(1)));
                runtime.block_on(async move {
                    while let Some(batch) = batches.recv().await {
                        for (spec, family) in batch {
                            let (permits, done) = (permits.clone(), done.clone());
                            let metrics = metrics.clone();
                            tokio::spawn(async move {
                                let _permit = permits.acquire_owned().await.ok();
                                let polling = Instant::now();
                                let result = poll_endpoint(&spec, family, limits).await;
                                let protocol = match spec.kind {
                                    DeviceKind::Asic => "cgminer",
                                    DeviceKind::Gpu => "dcgm",
                                };
                                let outcome =
                                    result.as_ref().map_or_else(PollError::kind, |_| "ok");
                                metrics
                                    .polls
                                    .observe(&[protocol, outcome], polling.elapsed().as_secs_f64());
                                let _ = done.send((spec, result, Utc::now()));
                            });
                        }
                    }
                });
            })?;
        Ok(Self { jobs })
    }

    /// Hands a tick's due polls to the thread.
    pub fn dispatch(&self, batch: Vec<Job>) {
        if !batch.is_empty() {
            // Fails only once the thread has ended, when nothing is polled any more anyway.
            let _ = self.jobs.send(batch);
        }
    }
}
