//! The poller: every device on a jittered schedule, bounded concurrency, per-device timeouts
//! and size caps (in `io`), exponential backoff for dead devices. A device that hangs, trickles
//! or lies costs its own timeout and nothing else. Results land in the `FleetCache`, which the
//! API and the live stream read, and in the store once per cycle.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{broadcast, RwLock};
use tokio::time::Instant;

use app::model::catalogue;
use app::model::fleet::{
    asic_status, gpu_status, over_reports, page, share_hashrate_ths, status_grid, AsicReading,
    Device, DeviceKind, DevicePage, DeviceQuery, DeviceStatus, FleetSummary, FleetTotals,
    GpuReading, StatusGrid, MAX_STATUS_CELLS,
};

use super::firmware::Family;
use super::io::ExchangeLimits;
use super::poll_thread::PollThread;
use super::{cgminer, dcgm, PollError};
use crate::metrics::Metrics;
use crate::store::{DeviceSpec, SampleRow, Store};

/// Poller settings.
#[derive(Debug, Clone, Copy)]
pub struct PollerConfig {
    pub interval: Duration,
    pub concurrency: usize,
    pub limits: ExchangeLimits,
    /// Longest wait between tries of a dead device.
    pub max_backoff: Duration,
}

impl Default for PollerConfig {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(10),
            concurrency: 512,
            limits: ExchangeLimits::default(),
            max_backoff: Duration::from_secs(300),
        }
    }
}

/// Per-endpoint state between polls.
#[derive(Debug, Clone)]
struct Endpoint {
    /// Shared with the poll task (an `Arc`: nothing is copied per poll).
    spec: Arc<DeviceSpec>,
    next_poll: Instant,
    failures: u32,
    /// First accepted-difficulty reading of the current uptime, for the share-based rate.
    share_base: Option<(DateTime<Utc>, f64)>,
    /// The (model, firmware) last seen, queued for the store once per change.
    identity: Option<(Option<String>, Option<String>)>,
    /// The firmware family the device last answered as (`None`: ask it what it is).
    family: Option<Family>,
    /// Ids of the devices its last answer produced (a GPU node's GPUs; an ASIC itself).
    produced: Vec<String>,
    resolved: Option<Resolved>,
    /// A poll of it is under way (not dispatched again until it has come back).
    in_flight: bool,
}

/// An endpoint's turn in the schedule; the spec is shared with the endpoint (nothing copied).
#[derive(Debug)]
struct Due {
    at: Instant,
    spec: Arc<DeviceSpec>,
}

impl PartialEq for Due {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Due {}

impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Due {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.at
            .cmp(&other.at)
            .then_with(|| self.spec.id.cmp(&other.spec.id))
    }
}

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
    devices: HashMap<String, Device>,
    totals: FleetTotals,
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
    ) -> Option<&Device> {
        if !self.devices.contains_key(id) {
            self.put(blank()?);
        }
        let d = self.devices.get_mut(id)?;
        self.totals.remove(d);
        d.status = DeviceStatus::Offline;
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
    state: RwLock<CacheState>,
    last_report: RwLock<Option<CycleReport>>,
    /// Bumped by every write above: what the shared summary was computed from.
    generation: AtomicU64,
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
    fn changed(&self) {
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
    async fn remove_endpoint(&self, endpoint_id: &str, ids: &[String]) {
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

/// Deterministic jitter in [-10 %, +10 %] of `base`, varied per device and attempt.
fn jitter(base: Duration, id: &str, salt: u64) -> Duration {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
    }
    h ^= salt.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let unit = (h % 2001) as f64 / 1000.0 - 1.0; // -1..=1
    base.mul_f64(1.0 + 0.1 * unit)
}

/// What one endpoint poll produced.
pub(super) enum Outcome {
    Asic(AsicReading, Family),
    Gpus(Vec<GpuReading>),
}

pub(super) async fn poll_endpoint(
    spec: &DeviceSpec,
    family: Option<Family>,
    limits: ExchangeLimits,
) -> Result<Outcome, PollError> {
    match spec.kind {
        DeviceKind::Asic => cgminer::poll(&spec.address, family, limits)
            .await
            .map(|(r, f)| Outcome::Asic(r, f)),
        DeviceKind::Gpu => dcgm::scrape(&spec.address, limits).await.map(Outcome::Gpus),
    }
}

/// What a device registered as `registered` is, given what it reports: the registered model
/// when one was given (with the reported one as a mismatch when they differ), else the reported
/// model — identified against the catalogue when it can be, verbatim otherwise.
pub fn resolve_model(registered: &str, reported: Option<&str>) -> (String, Option<String>) {
    let reported = reported.map(str::trim).filter(|r| !r.is_empty());
    if registered == UNKNOWN_MODEL {
        return match reported {
            Some(r) => (
                catalogue::identify_asic(r).map_or_else(|| r.to_string(), |m| m.id.to_string()),
                None,
            ),
            None => (registered.to_string(), None),
        };
    }
    let mismatch = reported.filter(|r| {
        match (
            catalogue::asic_by_any_name(registered),
            catalogue::identify_asic(r),
        ) {
            (Some(a), Some(b)) => a.id != b.id,
            // A model we cannot place is not evidence of a mismatch.
            _ => false,
        }
    });
    (registered.to_string(), mismatch.map(str::to_string))
}

/// The model a device registered by address alone carries until it answers.
pub const UNKNOWN_MODEL: &str = "unknown";

/// What a device is, resolved from its registered and reported models; kept per endpoint and
/// recomputed only when either changes (catalogue matching normalises strings: not per poll).
#[derive(Debug, Clone)]
struct Resolved {
    registered: String,
    reported: Option<String>,
    model: String,
    mismatch: Option<String>,
    catalogue: Option<&'static catalogue::AsicModel>,
}

impl Resolved {
    fn of(registered: &str, reported: Option<&str>) -> Self {
        let (model, mismatch) = resolve_model(registered, reported);
        Self {
            registered: registered.to_string(),
            reported: reported.map(str::to_string),
            catalogue: catalogue::asic_by_any_name(&model),
            model,
            mismatch,
        }
    }

    fn matches(&self, registered: &str, reported: Option<&str>) -> bool {
        self.registered == registered && self.reported.as_deref() == reported
    }
}

/// A device as it is shown before its first answer.
fn blank_device(spec: &DeviceSpec) -> Device {
    Device {
        id: spec.id.clone(),
        kind: spec.kind,
        model: spec.model.clone(),
        site: spec.site.clone(),
        address: spec.address.clone(),
        status: DeviceStatus::Offline,
        hashrate_ths: None,
        share_hashrate_ths: None,
        gpu_util_pct: None,
        temp_c: None,
        power_w: None,
        last_seen: None,
        problem: None,
        firmware: None,
        model_mismatch: None,
    }
}

/// Sets `d` (the ASIC's cached device) from its reading `r`.
fn fill_asic_device(
    d: &mut Device,
    spec: &DeviceSpec,
    resolved: &Resolved,
    r: &AsicReading,
    share: Option<f64>,
    at: DateTime<Utc>,
) {
    let catalogue_model = resolved.catalogue;
    let (mut status, mut problem) = asic_status(r, catalogue_model.map(|m| m.hashrate_ths));
    if let Some(s) = share.filter(|s| over_reports(r.hashrate_ths, *s)) {
        status = status.max(DeviceStatus::Degraded);
        problem.get_or_insert_with(|| {
            format!(
                "reports {:.0} TH/s, shares prove {:.0} TH/s",
                r.hashrate_ths, s
            )
        });
    }
    if let Some(reported) = &resolved.mismatch {
        problem.get_or_insert_with(|| {
            format!(
                "registered as {}, the device reports {reported}",
                spec.model
            )
        });
    }
    d.kind = DeviceKind::Asic;
    d.model.clone_from(&resolved.model);
    d.site.clone_from(&spec.site);
    d.address.clone_from(&spec.address);
    d.status = status;
    d.hashrate_ths = Some(r.hashrate_ths);
    d.share_hashrate_ths = share;
    d.gpu_util_pct = None;
    d.temp_c = r
        .temps_c
        .iter()
        .chain(r.boards.iter().filter_map(|b| b.temp_c.as_ref()))
        .copied()
        .reduce(f64::max);
    // Antminer firmware does not report power; the nameplate draw stands in (hashrate-scaled
    // figures would reward firmware that over-reports).
    d.power_w = r.power_w.or_else(|| catalogue_model.map(|m| m.power_w));
    d.last_seen = Some(at);
    d.problem = problem;
    d.firmware.clone_from(&r.firmware);
    d.model_mismatch.clone_from(&resolved.mismatch);
}

fn gpu_device(spec: &DeviceSpec, g: &GpuReading, at: DateTime<Utc>) -> Device {
    let (status, problem) = gpu_status(g);
    Device {
        id: format!("{}/gpu{}", spec.id, g.gpu),
        kind: DeviceKind::Gpu,
        model: if g.model_name.is_empty() {
            spec.model.clone()
        } else {
            g.model_name.clone()
        },
        site: spec.site.clone(),
        address: spec.address.clone(),
        status,
        hashrate_ths: None,
        share_hashrate_ths: None,
        gpu_util_pct: g.util_pct,
        temp_c: g.temp_c,
        power_w: g.power_w,
        last_seen: Some(at),
        problem,
        firmware: None,
        model_mismatch: None,
    }
}

/// Minimum window before the share-based rate is trusted (shares arrive as a Poisson process).
const SHARE_WINDOW_SECS: i64 = 120;

/// A finished poll: the endpoint, what it answered, when.
pub(super) type PollResult = (Arc<DeviceSpec>, Result<Outcome, PollError>, DateTime<Utc>);

/// The registry as a read beside the ticks found it: the devices this process polls.
struct RegistryRead {
    /// The registry and shard generations the read started at.
    generation: (u64, u64),
    wanted: HashMap<String, DeviceSpec>,
}

/// What one tick's polls leave for the store.
struct TickRecord {
    samples: Vec<SampleRow>,
    /// The devices as they now are, kept only for a store that publishes them
    /// (`Store::publishes_states`).
    published: Vec<Device>,
    publish: bool,
}

impl TickRecord {
    fn new(publish: bool) -> Self {
        Self {
            samples: Vec::new(),
            published: Vec::new(),
            publish,
        }
    }

    /// Records a device as a poll left it, taken `at`.
    fn add(&mut self, d: &Device, at: DateTime<Utc>) {
        self.samples.push(SampleRow::of(d, at));
        if self.publish {
            self.published.push(d.clone());
        }
    }
}

/// A device identity to record (model, firmware, adopted model) and what to remember once it is.
struct IdentityChange {
    id: String,
    reported_model: Option<String>,
    firmware: Option<String>,
    adopt: Option<String>,
}

/// The poller, owning the endpoint schedule. Polls run as independent tasks: a tick dispatches
/// whatever is due and applies whatever has finished, so a device that hangs until its timeout
/// holds up nobody else's schedule.
pub struct Poller {
    config: PollerConfig,
    store: Arc<Store>,
    cache: Arc<FleetCache>,
    updates: broadcast::Sender<CycleReport>,
    endpoints: HashMap<String, Endpoint>,
    /// Where the polls run (started with the first tick, when the metrics are known).
    polls: Option<PollThread>,
    done_tx: tokio::sync::mpsc::UnboundedSender<PollResult>,
    done_rx: tokio::sync::mpsc::UnboundedReceiver<PollResult>,
    cycle: u64,
    metrics: Arc<Metrics>,
    /// When each endpoint is due, earliest first; entries whose time no longer matches the
    /// endpoint's are stale and skipped. A tick looks at what is due, not at every endpoint.
    schedule: std::collections::BinaryHeap<std::cmp::Reverse<Due>>,
    /// Identities learned this tick, written in one transaction with the samples.
    identities: Vec<IdentityChange>,
    /// The registry and shard generations last synced, and when (a full re-read at least
    /// every minute catches changes made by other processes).
    synced: Option<((u64, u64), Instant)>,
    /// A re-read of the registry under way, beside the ticks (at 100,000 devices it takes
    /// ~0.3 s, which inside a tick made every due device that much late).
    reading: Option<tokio::sync::oneshot::Receiver<RegistryRead>>,
    /// The shards this process polls (all of them unless it is one of several replicas).
    shards: Arc<crate::replica::Shards>,
}

impl Poller {
    pub fn new(
        config: PollerConfig,
        store: Arc<Store>,
        cache: Arc<FleetCache>,
        updates: broadcast::Sender<CycleReport>,
    ) -> Self {
        let (done_tx, done_rx) = tokio::sync::mpsc::unbounded_channel();
        Self {
            config,
            store,
            cache,
            updates,
            endpoints: HashMap::new(),
            polls: None,
            done_tx,
            done_rx,
            cycle: 0,
            metrics: Arc::new(Metrics::default()),
            schedule: Default::default(),
            identities: Vec::new(),
            synced: None,
            reading: None,
            shards: crate::replica::Shards::single(),
        }
    }

    /// Polls only the devices of the shards `shards` holds.
    pub fn with_shards(mut self, shards: Arc<crate::replica::Shards>) -> Self {
        self.shards = shards;
        self
    }

    /// Records poll and cycle latency into `metrics` (the server's `/metrics`).
    pub fn with_metrics(mut self, metrics: Arc<Metrics>) -> Self {
        self.metrics = metrics;
        self
    }

    /// Re-reads the device list from the store (new devices polled at once, removed ones
    /// dropped) when it has changed, and at least once a minute: the read runs beside the
    /// ticks, and a later tick takes in what it found.
    fn start_registry_read(&mut self) {
        let generation = (self.store.registry_generation(), self.shards.generation());
        if self.reading.is_some()
            || self
                .synced
                .is_some_and(|(g, at)| g == generation && at.elapsed() < Duration::from_secs(60))
        {
            return;
        }
        let (tx, rx) = tokio::sync::oneshot::channel();
        let (store, shards) = (self.store.clone(), self.shards.clone());
        tokio::spawn(async move {
            match store.active_devices().await {
                Ok(specs) => {
                    let wanted = specs
                        .into_iter()
                        .filter(|s| shards.owns(&s.id))
                        .map(|s| (s.id.clone(), s))
                        .collect();
                    let _ = tx.send(RegistryRead { generation, wanted });
                }
                // Dropping `tx` ends the read; the next tick starts another.
                Err(e) => tracing::warn!(error = %e, "could not read the device registry"),
            }
        });
        self.reading = Some(rx);
    }

    /// Takes in a finished registry read, if there is one.
    async fn apply_registry_read(&mut self) {
        let Some(reading) = &mut self.reading else {
            return;
        };
        let read = match reading.try_recv() {
            Ok(read) => read,
            Err(tokio::sync::oneshot::error::TryRecvError::Empty) => return,
            Err(tokio::sync::oneshot::error::TryRecvError::Closed) => {
                self.reading = None;
                return;
            }
        };
        self.reading = None;
        self.synced = Some((read.generation, Instant::now()));
        let now = Instant::now();
        let wanted = read.wanted;
        let gone: Vec<String> = self
            .endpoints
            .keys()
            .filter(|id| !wanted.contains_key(*id))
            .cloned()
            .collect();
        for id in gone {
            if let Some(e) = self.endpoints.remove(&id) {
                self.cache.remove_endpoint(&id, &e.produced).await;
            }
        }
        for (id, spec) in wanted {
            match self.endpoints.get_mut(&id) {
                Some(e) => {
                    if *e.spec != spec {
                        e.spec = Arc::new(spec);
                    }
                }
                None => {
                    // Spread first polls over the interval so a large fleet does not arrive at once.
                    let next_poll = now + jitter(self.config.interval, &id, 0).mul_f64(0.05);
                    let spec = Arc::new(spec);
                    self.schedule.push(std::cmp::Reverse(Due {
                        at: next_poll,
                        spec: spec.clone(),
                    }));
                    self.endpoints.insert(
                        id,
                        Endpoint {
                            next_poll,
                            spec,
                            failures: 0,
                            share_base: None,
                            identity: None,
                            family: None,
                            produced: Vec::new(),
                            resolved: None,
                            in_flight: false,
                        },
                    );
                }
            }
        }
    }

    /// One tick: applies finished polls, dispatches due ones, stores samples, reports.
    pub async fn run_cycle(&mut self) -> CycleReport {
        let started = Instant::now();
        self.cycle += 1;
        self.apply_registry_read().await;
        if self.cycle % 8 == 1 {
            self.start_registry_read();
        }
        let mut polled = 0;
        let mut record = TickRecord::new(self.store.publishes_states());
        let mut finished = Vec::new();
        while let Ok(result) = self.done_rx.try_recv() {
            finished.push(result);
        }
        if !finished.is_empty() {
            polled = finished.len();
            // One write lock per tick, not per poll.
            let cache = self.cache.clone();
            let mut state = cache.state.write().await;
            for (spec, result, at) in finished {
                self.apply(&mut state, &spec.id, result, at, &mut record);
            }
        }
        // Started with the first tick (the metrics are set by then). Without it nothing is
        // taken off the schedule, so no device is marked in flight for a poll that never runs.
        if self.polls.is_none() {
            match PollThread::start(
                self.config.concurrency,
                self.config.limits,
                self.metrics.clone(),
                self.done_tx.clone(),
            ) {
                Ok(t) => self.polls = Some(t),
                Err(e) => tracing::error!(error = %e, "could not start the polling thread"),
            }
        }
        let mut lag_ms = 0;
        let mut due: Vec<(Arc<DeviceSpec>, Option<Family>)> = Vec::new();
        while let Some(std::cmp::Reverse(next)) = self.schedule.peek() {
            if self.polls.is_none() || next.at > started {
                break;
            }
            let Some(std::cmp::Reverse(Due { at, spec })) = self.schedule.pop() else {
                break;
            };
            let Some(e) = self.endpoints.get_mut(&spec.id) else {
                continue;
            };
            if e.next_poll != at || e.in_flight {
                continue;
            }
            lag_ms = lag_ms.max(started.saturating_duration_since(at).as_millis() as u64);
            due.push((e.spec.clone(), e.family));
            e.in_flight = true;
        }
        if let Some(polls) = &self.polls {
            polls.dispatch(due);
        }
        if !record.samples.is_empty() || !self.identities.is_empty() {
            self.write_tick(record).await;
        }
        let report = self.report(polled, lag_ms, started.elapsed()).await;
        self.metrics
            .poll_cycles
            .observe(&[], started.elapsed().as_secs_f64());
        if polled > 0 {
            *self.cache.last_report.write().await = Some(report.clone());
            self.cache.changed();
            let _ = self.updates.send(report.clone());
        }
        report
    }

    /// One tick's record: identities learned (and, on PostgreSQL, device states) in one
    /// transaction; the samples into the store's buffer, written when it is due.
    async fn write_tick(&mut self, record: TickRecord) {
        let identities = std::mem::take(&mut self.identities);
        let rows: Vec<(&str, Option<&str>, Option<&str>, Option<&str>)> = identities
            .iter()
            .map(|c| {
                (
                    c.id.as_str(),
                    c.reported_model.as_deref(),
                    c.firmware.as_deref(),
                    c.adopt.as_deref(),
                )
            })
            .collect();
        let written = self
            .store
            .write_tick(Utc::now(), &record.published, record.samples, &rows)
            .await;
        match written {
            Ok(()) => {
                for c in identities {
                    if let Some(e) = self.endpoints.get_mut(&c.id) {
                        if let Some(m) = c.adopt {
                            // A device registered by address alone keeps the model it reported.
                            let mut spec = DeviceSpec::clone(&e.spec);
                            spec.model = m;
                            e.spec = Arc::new(spec);
                        }
                        e.identity = Some((c.reported_model, c.firmware));
                    }
                }
            }
            Err(err) => tracing::warn!(error = %err, "could not store samples"),
        }
    }

    /// Takes one finished poll into the endpoint's schedule, the cache (`state`) and the
    /// tick's record.
    fn apply(
        &mut self,
        state: &mut CacheState,
        id: &str,
        result: Result<Outcome, PollError>,
        at: DateTime<Utc>,
        record: &mut TickRecord,
    ) {
        let Some(e) = self.endpoints.get_mut(id) else {
            return;
        };
        e.in_flight = false;
        let now = Instant::now();
        let outcome = match result {
            Ok(outcome) => {
                e.failures = 0;
                e.next_poll = now + jitter(self.config.interval, &e.spec.id, self.cycle);
                outcome
            }
            Err(err) => {
                e.failures += 1;
                // An answer that no longer parses may be new firmware: ask what it is again.
                if matches!(err, PollError::Malformed(_) | PollError::DeviceError(_)) {
                    e.family = None;
                }
                let backoff = self
                    .config
                    .interval
                    .saturating_mul(1u32 << e.failures.min(6))
                    .min(self.config.max_backoff);
                e.next_poll = now + jitter(backoff, &e.spec.id, self.cycle);
                self.schedule.push(std::cmp::Reverse(Due {
                    at: e.next_poll,
                    spec: e.spec.clone(),
                }));
                e.share_base = None;
                tracing::debug!(device = %e.spec.id, error = %err, failures = e.failures, "poll failed");
                let problem = err.to_string();
                // Only this endpoint's devices: no scan of the whole fleet per failure.
                let mut marked = 0;
                for id in &e.produced {
                    if let Some(d) = state.mark_offline(id, || None, &problem) {
                        marked += 1;
                        record.add(d, at);
                    }
                }
                if marked == 0 {
                    // Never answered (or its devices are gone): the endpoint itself is shown.
                    e.produced = vec![e.spec.id.clone()];
                    let blank = || Some(blank_device(&e.spec));
                    if let Some(d) = state.mark_offline(&e.spec.id, blank, &problem) {
                        record.add(d, at);
                    }
                }
                return;
            }
        };
        self.schedule.push(std::cmp::Reverse(Due {
            at: e.next_poll,
            spec: e.spec.clone(),
        }));
        match outcome {
            Outcome::Asic(r, family) => {
                e.family = Some(family);
                let share = match (e.share_base, r.difficulty_accepted) {
                    (Some(base), Some(d)) if d >= base.1 => ((at - base.0).num_seconds()
                        >= SHARE_WINDOW_SECS)
                        .then(|| share_hashrate_ths(base, (at, d)))
                        .flatten(),
                    (_, Some(d)) => {
                        e.share_base = Some((at, d));
                        None
                    }
                    _ => None,
                };
                if !e
                    .resolved
                    .as_ref()
                    .is_some_and(|x| x.matches(&e.spec.model, r.model.as_deref()))
                {
                    e.resolved = Some(Resolved::of(&e.spec.model, r.model.as_deref()));
                }
                let resolved = e.resolved.as_ref().expect("just resolved");
                let spec = &e.spec;
                // Updated in place: the cached device's strings are reused, not copied per poll.
                state.upsert_with(
                    &spec.id,
                    || blank_device(spec),
                    |d| {
                        fill_asic_device(d, spec, resolved, &r, share, at);
                        record.add(d, at);
                    },
                );
                let known = e.identity.as_ref().is_some_and(|(model, firmware)| {
                    model.as_deref() == r.model.as_deref()
                        && firmware.as_deref() == r.firmware.as_deref()
                });
                if !known {
                    // Once per change, not per poll, and written with the tick's samples.
                    let adopt = (e.spec.model == UNKNOWN_MODEL && resolved.model != UNKNOWN_MODEL)
                        .then(|| resolved.model.clone());
                    // Remembered now so a failed write is not retried every poll; the next
                    // change writes again.
                    e.identity = Some((r.model.clone(), r.firmware.clone()));
                    self.identities.push(IdentityChange {
                        id: e.spec.id.clone(),
                        reported_model: r.model,
                        firmware: r.firmware,
                        adopt,
                    });
                }
                if !(e.produced.len() == 1 && e.produced[0] == e.spec.id) {
                    e.produced = vec![e.spec.id.clone()];
                }
            }
            Outcome::Gpus(gpus) => {
                e.produced.clear();
                for g in &gpus {
                    let d = gpu_device(&e.spec, g, at);
                    record.add(&d, at);
                    e.produced.push(d.id.clone());
                    state.put(d);
                }
            }
        }
    }

    async fn report(&self, polled: usize, lag_ms: u64, took: Duration) -> CycleReport {
        // From the running totals: no pass over the devices per tick.
        let t = self.cache.state.read().await.totals.summary(None, lag_ms);
        CycleReport {
            at: Utc::now(),
            polled,
            lag_ms,
            duration_ms: took.as_millis() as u64,
            online: t.online,
            degraded: t.degraded,
            offline: t.offline,
            asic_hashrate_ths: t.asic_hashrate_ths,
            gpu_util_avg_pct: t.gpu_util_avg_pct,
            power_kw: t.power_kw,
        }
    }

    /// Runs until the process ends.
    pub async fn run(self) {
        let (_keep, stop) = tokio::sync::watch::channel(false);
        self.run_until(stop).await
    }

    /// Runs until `stop` turns true: a cycle every quarter second picks up whatever is due, and
    /// raw samples are rolled up every ten minutes. A cycle under way when `stop` turns is
    /// finished, and every sample held in memory written, before this returns.
    pub async fn run_until(mut self, mut stop: tokio::sync::watch::Receiver<bool>) {
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_rollup = Instant::now();
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.wait_for(|s| *s) => break,
            }
            self.run_cycle().await;
            if last_rollup.elapsed() > Duration::from_secs(600) {
                last_rollup = Instant::now();
                if let Err(e) = self
                    .store
                    .roll_up_samples(Utc::now(), chrono::Duration::hours(48))
                    .await
                {
                    tracing::warn!(error = %e, "sample rollup failed");
                }
            }
        }
        // Samples held in memory are written before the process ends.
        if let Err(e) = self.store.flush_samples().await {
            tracing::warn!(error = %e, "could not write the last samples");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(id: &str, site: &str, status: DeviceStatus, ths: f64) -> Device {
        Device {
            id: id.into(),
            kind: DeviceKind::Asic,
            model: "S21".into(),
            site: site.into(),
            address: "127.0.0.1:4028".into(),
            status,
            hashrate_ths: Some(ths),
            share_hashrate_ths: None,
            gpu_util_pct: None,
            temp_c: None,
            power_w: Some(3_500.0),
            last_seen: None,
            problem: None,
            firmware: None,
            model_mismatch: None,
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

    #[test]
    fn a_device_names_its_model_and_a_registered_one_is_checked_against_it() {
        assert_eq!(
            resolve_model(UNKNOWN_MODEL, Some("Antminer S21 XP")),
            ("S21XP".into(), None)
        );
        assert_eq!(
            resolve_model(UNKNOWN_MODEL, Some("Antminer S23")),
            ("Antminer S23".into(), None)
        );
        assert_eq!(
            resolve_model(UNKNOWN_MODEL, None),
            (UNKNOWN_MODEL.into(), None)
        );
        assert_eq!(
            resolve_model("S21", Some("Antminer S21")),
            ("S21".into(), None)
        );
        assert_eq!(
            resolve_model("M60S", Some("Antminer S21")),
            ("M60S".into(), Some("Antminer S21".into()))
        );
        // An unplaceable answer is not evidence against the registration.
        assert_eq!(resolve_model("S21", Some("weird")), ("S21".into(), None));
    }

    #[test]
    fn jitter_stays_within_ten_percent_and_varies() {
        let base = Duration::from_secs(10);
        let values: Vec<Duration> = (0..50).map(|i| jitter(base, "dev-1", i)).collect();
        assert!(values
            .iter()
            .all(|d| *d >= Duration::from_secs(9) && *d <= Duration::from_secs(11)));
        assert!(values.iter().any(|d| *d != values[0]));
    }
}
