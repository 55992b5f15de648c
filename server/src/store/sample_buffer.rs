//! Raw samples wait here, in memory, before they are written: the poller's samples are flushed
//! once every `hold` (`--sample-flush-secs`), sorted by device, instead of once per tick.
//!
//! Why: the samples' per-device index takes each new sample at the tail of that device's own
//! range, so in a database of any size every sample of a tick dirties a B-tree page of its own
//! (4 KB written to SQLite's WAL, copied into the statement journal, checkpointed again) — most
//! of the store's cost per poll. Held for a few poll cycles, a device's samples share one page
//! write. Every reader of raw samples flushes first (`Store::flush_samples`), so nothing a page
//! or the API shows is older than what was polled; what a crash can lose is at most `hold` of
//! raw samples (the cache is re-filled by the next poll; hourly rollups are recomputed).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use app::model::fleet::devices::{Device, DeviceStatus};

/// One raw sample as it is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleRow {
    pub device_id: String,
    pub at: DateTime<Utc>,
    pub status: DeviceStatus,
    pub hashrate_ths: Option<f64>,
    pub share_hashrate_ths: Option<f64>,
    pub gpu_util_pct: Option<f64>,
    pub temp_c: Option<f64>,
    pub power_w: Option<f64>,
    /// The device's one reason then (`ReasonCode::as_str`).
    pub reason: Option<&'static str>,
}

impl SampleRow {
    pub fn of(d: &Device, at: DateTime<Utc>) -> Self {
        Self {
            device_id: d.id.clone(),
            at,
            status: d.status,
            hashrate_ths: d.hashrate_ths,
            share_hashrate_ths: d.share_hashrate_ths,
            gpu_util_pct: d.gpu_util_pct,
            temp_c: d.temp_c,
            power_w: d.power_w,
            reason: d.reason.as_ref().map(|r| r.code().as_str()),
        }
    }
}

/// More rows than this are flushed whatever `hold` says.
const MAX_ROWS: usize = 1_000_000;
/// Most rows kept while the store cannot write them (a full disk, a database that does not
/// answer): about 200 MB. Beyond it the oldest are dropped, and counted.
const MAX_KEPT: usize = 2 * MAX_ROWS;

#[derive(Debug)]
pub struct SampleBuffer {
    pending: Mutex<Pending>,
    /// Rows kept at most (`MAX_KEPT`; smaller in tests).
    limit: usize,
    /// Rows dropped because the store could not take them in time (`/metrics`).
    dropped: AtomicU64,
    /// One flush at a time: a reader that flushes waits until a flush under way has
    /// committed, so it never reads around rows that are neither pending nor stored.
    pub(super) flushing: tokio::sync::Mutex<()>,
}

#[derive(Debug, Default)]
struct Pending {
    rows: Vec<SampleRow>,
    /// When the oldest pending row arrived.
    since: Option<Instant>,
    hold: Duration,
}

impl Default for SampleBuffer {
    fn default() -> Self {
        Self::with_limit(MAX_KEPT)
    }
}

impl SampleBuffer {
    pub fn with_limit(limit: usize) -> Self {
        Self {
            pending: Mutex::default(),
            limit,
            dropped: AtomicU64::new(0),
            flushing: tokio::sync::Mutex::const_new(()),
        }
    }

    /// Rows dropped since start because the store could not write them.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Drops the oldest rows beyond the limit.
    fn bound(&self, p: &mut Pending) {
        if p.rows.len() <= self.limit {
            return;
        }
        let over = p.rows.len() - self.limit;
        p.rows.sort_by_key(|r| r.at);
        p.rows.drain(..over);
        self.dropped.fetch_add(over as u64, Ordering::Relaxed);
        tracing::error!(
            dropped = over,
            kept = p.rows.len(),
            "the store cannot take raw samples: the oldest are dropped"
        );
    }

    /// How long samples may wait (zero: written with the tick that produced them).
    pub fn set_hold(&self, hold: Duration) {
        self.lock().hold = hold;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Pending> {
        // A panic while holding this lock cannot leave the rows half-written: keep going.
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues `rows`; true when the buffer is due for a flush.
    pub fn push(&self, rows: Vec<SampleRow>) -> bool {
        let mut p = self.lock();
        if !rows.is_empty() {
            p.since.get_or_insert_with(Instant::now);
            if p.rows.is_empty() {
                p.rows = rows;
            } else {
                p.rows.extend(rows);
            }
            self.bound(&mut p);
        }
        !p.rows.is_empty()
            && (p.rows.len() >= MAX_ROWS || p.since.is_some_and(|s| s.elapsed() >= p.hold))
    }

    /// Takes every pending row, sorted by device then time (the index's order).
    pub fn take(&self) -> Vec<SampleRow> {
        let mut rows = {
            let mut p = self.lock();
            p.since = None;
            std::mem::take(&mut p.rows)
        };
        rows.sort_by(|a, b| a.device_id.cmp(&b.device_id).then(a.at.cmp(&b.at)));
        rows
    }

    /// Puts back rows a failed flush took, to be written with the next one.
    pub fn put_back(&self, rows: Vec<SampleRow>) {
        let mut p = self.lock();
        p.since.get_or_insert_with(Instant::now);
        let newer = std::mem::replace(&mut p.rows, rows);
        p.rows.extend(newer);
        self.bound(&mut p);
    }

    pub fn len(&self) -> usize {
        self.lock().rows.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(id: &str) -> Device {
        Device {
            status: DeviceStatus::Online,
            hashrate_ths: Some(200.0),
            temp_c: Some(70.0),
            power_w: Some(3_500.0),
            ..Device::offline(
                id,
                app::model::fleet::devices::DeviceKind::Asic,
                "S21",
                "north",
                "127.0.0.1:4028",
            )
        }
    }

    fn samples(at: DateTime<Utc>, devices: &[Device]) -> Vec<SampleRow> {
        devices.iter().map(|d| SampleRow::of(d, at)).collect()
    }

    #[test]
    fn rows_wait_for_their_hold_and_leave_in_index_order() {
        let buffer = SampleBuffer::default();
        buffer.set_hold(Duration::from_secs(3600));
        let t0 = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let t1 = t0 + chrono::Duration::seconds(10);
        assert!(!buffer.push(samples(t0, &[device("b"), device("a")])));
        assert!(!buffer.push(samples(t1, &[device("a")])));
        assert_eq!(buffer.len(), 3);
        let rows = buffer.take();
        let order: Vec<(&str, DateTime<Utc>)> =
            rows.iter().map(|r| (r.device_id.as_str(), r.at)).collect();
        assert_eq!(order, vec![("a", t0), ("a", t1), ("b", t0)]);
        assert_eq!(buffer.len(), 0);
        // Put back after a failed write: kept, ahead of what arrived since.
        assert!(!buffer.push(samples(t1, &[device("c")])));
        buffer.put_back(rows);
        assert_eq!(buffer.len(), 4);
        // Without a hold, every push is due.
        buffer.set_hold(Duration::ZERO);
        assert!(buffer.push(samples(t1, &[])));
        assert!(
            !SampleBuffer::default().push(samples(t1, &[])),
            "nothing pending"
        );
    }

    #[test]
    fn while_the_store_cannot_write_the_oldest_rows_go_first_and_are_counted() {
        let buffer = SampleBuffer::with_limit(4);
        buffer.set_hold(Duration::from_secs(3600));
        let t = |s: i64| DateTime::from_timestamp(1_700_000_000 + s, 0).unwrap();
        buffer.push(samples(t(0), &[device("a"), device("b")]));
        buffer.push(samples(t(10), &[device("a"), device("b")]));
        // A flush that failed puts its rows back while newer ones arrived: six rows, four kept.
        let failed = buffer.take();
        buffer.push(samples(t(20), &[device("a"), device("b")]));
        buffer.put_back(failed);
        assert_eq!(buffer.len(), 4);
        assert_eq!(buffer.dropped(), 2);
        let kept: Vec<DateTime<Utc>> = buffer.take().iter().map(|r| r.at).collect();
        assert!(kept.iter().all(|at| *at >= t(10)), "{kept:?}");
    }
}
