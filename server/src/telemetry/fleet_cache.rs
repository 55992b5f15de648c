//! The latest state of every device, shared by the poller (its one writer) and every reader
//! (pages, the live stream, `/metrics`), with exact running totals kept beside it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::RwLock;

use app::model::fleet::devices::{
    page, status_grid, Device, DevicePage, DeviceQuery, DeviceStatus, FleetSummary, FleetTotals,
    StatusGrid, MAX_STATUS_CELLS,
};

/// A fleet-wide summary pushed to the live stream after every cycle.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CycleReport {
    pub at: DateTime<Utc>,
    pub polled: usize,
    pub lag_ms: u64,
    pub duration_ms: u64,
    pub online: usize,
    pub degraded: usize,
    pub offline: usize,
    pub asic_hashrate_ths: f64,
    pub gpu_util_avg_pct: Option<f64>,
    pub power_kw: f64,
}

/// Every device's latest state with the running totals over them, changed together.
#[derive(Default)]
pub struct CacheState {
    pub(super) devices: HashMap<String, Device>,
    pub(super) totals: FleetTotals,
}

impl CacheState {
    /// Replaces (or adds) a device, keeping the totals in step.
    pub fn put(&mut self, d: Device) {
        self.totals.add(&d);
        if let Some(old) = self.devices.insert(d.id.clone(), d) {
            self.totals.remove(&old);
        }
    }

    /// Changes a cached device in place (added from `blank` first when it is new), keeping the
    /// totals in step; strings it keeps are reused, not copied per poll.
    pub fn upsert_with<R>(
        &mut self,
        id: &str,
        blank: impl FnOnce() -> Device,
        change: impl FnOnce(&mut Device) -> R,
    ) -> R {
        match self.devices.get_mut(id) {
            Some(d) => {
                self.totals.remove(d);
                let r = change(d);
                self.totals.add(d);
                r
            }
            None => {
                let mut d = blank();
                let r = change(&mut d);
                self.put(d);
                r
            }
        }
    }

    /// Marks a cached device offline with `problem` (added from `blank` when it is not cached
    /// and `blank` gives one); the device as it now is.
    pub fn mark_offline(
        &mut self,
        id: &str,
        blank: impl FnOnce() -> Option<Device>,
        problem: &str,
        reason: app::model::fleet::reason::Reason,
    ) -> Option<&Device> {
        if !self.devices.contains_key(id) {
            self.put(blank()?);
        }
        let d = self.devices.get_mut(id)?;
        self.totals.remove(d);
        d.status = DeviceStatus::Offline;
        d.reason = Some(reason);
        match &mut d.problem {
            Some(p) => p.replace_range(.., problem),
            None => d.problem = Some(problem.to_string()),
        }
        self.totals.add(d);
        Some(d)
    }

    pub fn remove(&mut self, id: &str) {
        if let Some(old) = self.devices.remove(id) {
            self.totals.remove(&old);
        }
    }

    pub fn get(&self, id: &str) -> Option<&Device> {
        self.devices.get(id)
    }
}

/// The latest state of every device, shared by the poller (writer) and readers.
#[derive(Default)]
pub struct FleetCache {
    pub(super) state: RwLock<CacheState>,
    pub(super) last_report: RwLock<Option<CycleReport>>,
    /// Bumped by every write above: what the shared summary was computed from.
    pub(super) generation: AtomicU64,
    summary: tokio::sync::Mutex<Option<SharedSummary>>,
    grid: tokio::sync::Mutex<Option<(u64, Arc<StatusGrid>)>>,
}

/// The fleet summary of one cache generation, computed once and handed to every reader (each
/// live-stream client, each page): readers never copy the devices.
#[derive(Clone)]
pub struct SharedSummary {
    pub generation: u64,
    pub summary: Arc<FleetSummary>,
    /// The summary as the stream sends it.
    pub json: Arc<str>,
}

impl FleetCache {
    pub(super) fn changed(&self) {
        self.generation.fetch_add(1, Ordering::Release);
    }

    /// The summary of the current state; computed by the first reader after a change, under a
    /// lock, so concurrent readers wait for that one computation instead of repeating it.
    pub async fn shared_summary(&self) -> SharedSummary {
        let mut slot = self.summary.lock().await;
        let generation = self.generation.load(Ordering::Acquire);
        if let Some(s) = slot.as_ref().filter(|s| s.generation == generation) {
            return s.clone();
        }
        let report = self.last_report.read().await.clone();
        // From the running totals: a pass over the sites, not the devices.
        let summary = self.state.read().await.totals.summary(
            report.as_ref().map(|r| r.at),
            report.map(|r| r.lag_ms).unwrap_or(0),
        );
        let json: Arc<str> = serde_json::to_string(&summary)
            .unwrap_or_else(|_| "{}".into())
            .into();
        let shared = SharedSummary {
            generation,
            summary: Arc::new(summary),
            json,
        };
        *slot = Some(shared.clone());
        shared
    }

    /// The status map of the current generation; computed by the first reader after a change.
    pub async fn status_grid(&self) -> Arc<StatusGrid> {
        let mut slot = self.grid.lock().await;
        let generation = self.generation.load(Ordering::Acquire);
        if let Some((_, grid)) = slot.as_ref().filter(|(g, _)| *g == generation) {
            return grid.clone();
        }
        let grid = {
            let state = self.state.read().await;
            let mut refs: Vec<&Device> = state.devices.values().collect();
            refs.sort_unstable_by(|a, b| a.id.cmp(&b.id));
            Arc::new(status_grid(refs, MAX_STATUS_CELLS))
        };
        *slot = Some((generation, grid.clone()));
        grid
    }

    /// A page of the device table, sorted and filtered over references: only the page's rows
    /// are copied.
    pub async fn page(&self, query: &DeviceQuery) -> DevicePage {
        let state = self.state.read().await;
        let mut refs: Vec<&Device> = state.devices.values().collect();
        // Id order first, so every sort is stable and paging is deterministic.
        refs.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        page(refs, query)
    }

    pub async fn device(&self, id: &str) -> Option<Device> {
        self.state.read().await.get(id).cloned()
    }

    pub async fn snapshot(&self) -> Vec<Device> {
        let mut v: Vec<Device> = self.state.read().await.devices.values().cloned().collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    }

    pub async fn last_report(&self) -> Option<CycleReport> {
        self.last_report.read().await.clone()
    }

    /// Drops the devices an endpoint produced (`ids`, plus the endpoint's own id).
    pub(super) async fn remove_endpoint(&self, endpoint_id: &str, ids: &[String]) {
        let mut state = self.state.write().await;
        state.remove(endpoint_id);
        for id in ids {
            state.remove(id);
        }
        drop(state);
        self.changed();
    }

    /// Devices another replica polls, as it published them; `gone` are dropped.
    pub async fn put_remote(&self, devices: Vec<Device>, gone: &[String]) {
        if devices.is_empty() && gone.is_empty() {
            return;
        }
        let mut state = self.state.write().await;
        for id in gone {
            state.remove(id);
        }
        for d in devices {
            state.put(d);
        }
        drop(state);
        self.changed();
    }

    /// How many cached devices match `pred` (by id).
    pub async fn count_where(&self, pred: impl Fn(&str) -> bool) -> usize {
        self.state
            .read()
            .await
            .devices
            .keys()
            .filter(|id| pred(id))
            .count()
    }

    /// Writes devices (as the poller does); for tests and benches that fill a cache.
    pub async fn put_all(&self, devices: impl IntoIterator<Item = Device>) {
        let mut state = self.state.write().await;
        for d in devices {
            state.put(d);
        }
        drop(state);
        self.changed();
    }
}

#[cfg(test)]
mod tests {
    use app::model::fleet::devices::DeviceKind;

    use super::*;

    fn device(id: &str, site: &str, status: DeviceStatus, ths: f64) -> Device {
        Device {
            status,
            hashrate_ths: Some(ths),
            power_w: Some(3_500.0),
            ..Device::offline(id, DeviceKind::Asic, "S21", site, "127.0.0.1:4028")
        }
    }

    #[tokio::test]
    async fn the_summary_is_computed_once_per_change_and_shared() {
        let cache = FleetCache::default();
        cache
            .put_all([
                device("a", "north", DeviceStatus::Online, 200.0),
                device("b", "south", DeviceStatus::Offline, 190.0),
            ])
            .await;
        let first = cache.shared_summary().await;
        let again = cache.shared_summary().await;
        // No change: the very same summary and JSON, not a recomputed copy.
        assert!(Arc::ptr_eq(&first.summary, &again.summary));
        assert!(Arc::ptr_eq(&first.json, &again.json));
        assert_eq!(first.summary.devices, 2);
        assert_eq!(first.summary.asic_hashrate_ths, 200.0);
        assert_eq!(first.summary.sites.len(), 2);
        cache
            .put_all([device("b", "south", DeviceStatus::Online, 190.0)])
            .await;
        let after = cache.shared_summary().await;
        assert!(after.generation > first.generation);
        assert_eq!(after.summary.online, 2);
        assert_eq!(after.summary.asic_hashrate_ths, 390.0);
        let json: serde_json::Value = serde_json::from_str(&after.json).unwrap();
        assert_eq!(json["online"], 2);
    }
}
