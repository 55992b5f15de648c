//! The SHA-256d measurement behind `/estimate/sha256`: the model's midstate kernel on every
//! core for a requested time, one measurement at a time so requests cannot stack CPU load.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use tokio::sync::Semaphore;

use app::api::error::ApiError;
use app::api::estimators::Sha256Measurement;
use app::api::ports::Sha256Bench;
use app::model::mining::sha256d::{display_hash, scan, BlockHeader, Midstate};

/// Nonces per deadline check: ~1 ms of work, so the overshoot stays small.
const CHUNK: u32 = 4096;
const GENESIS_HASH: &str = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f";

pub struct CpuSha256Bench {
    threads: usize,
    one_at_a_time: Arc<Semaphore>,
}

impl CpuSha256Bench {
    pub fn new() -> Self {
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        Self {
            threads,
            one_at_a_time: Arc::new(Semaphore::new(1)),
        }
    }
}

impl Default for CpuSha256Bench {
    fn default() -> Self {
        Self::new()
    }
}

/// Runs the kernel on `threads` threads until `duration` has passed.
pub fn measure_blocking(duration: Duration, threads: usize) -> Sha256Measurement {
    let start = Instant::now();
    let deadline = start + duration;
    let hashes: u64 = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    // Each thread works on its own header so no two hash the same thing.
                    let mut header = BlockHeader::genesis();
                    header.time = header.time.wrapping_add(t as u32);
                    let mid = Midstate::new(&header.to_bytes());
                    let impossible = [0u8; 32];
                    let (mut done, mut nonce) = (0u64, 0u32);
                    while Instant::now() < deadline {
                        done += scan(&mid, nonce, CHUNK, &impossible).hashes;
                        nonce = nonce.wrapping_add(CHUNK);
                    }
                    done
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or(0)).sum()
    });
    let seconds = start.elapsed().as_secs_f64();
    Sha256Measurement {
        hashes,
        seconds,
        hashes_per_s: hashes as f64 / seconds,
        threads: threads as u32,
    }
}

#[async_trait]
impl Sha256Bench for CpuSha256Bench {
    async fn measure(&self, millis: u32) -> Result<Sha256Measurement, ApiError> {
        // A kernel that hashes wrongly must not report a rate.
        let g = BlockHeader::genesis();
        if display_hash(&Midstate::new(&g.to_bytes()).hash(g.nonce)) != GENESIS_HASH {
            return Err(ApiError::Internal {
                id: "sha256d-selftest".into(),
            });
        }
        let _permit = self
            .one_at_a_time
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| ApiError::Unavailable)?;
        let threads = self.threads;
        tokio::task::spawn_blocking(move || {
            measure_blocking(Duration::from_millis(millis as u64), threads)
        })
        .await
        .map_err(|_| ApiError::Internal {
            id: "sha256d-worker".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_for_about_the_requested_time_on_the_requested_threads() {
        let m = measure_blocking(Duration::from_millis(100), 2);
        assert_eq!(m.threads, 2);
        assert!(m.seconds >= 0.1 && m.seconds < 0.5, "{}", m.seconds);
        assert!(m.hashes >= CHUNK as u64 * 2);
        assert!((m.hashes_per_s - m.hashes as f64 / m.seconds).abs() < 1e-6);
    }
}
