//! The poller: every device on a jittered schedule, bounded concurrency, per-device timeouts
//! and size caps (in `io`), exponential backoff for dead devices. A device that hangs, trickles
//! or lies costs its own timeout and nothing else. Results land in the `FleetCache`, which the
//! API and the live stream read, and in the store once per cycle.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::broadcast;
use tokio::time::Instant;

use app::model::fleet::devices::{share_hashrate_ths, Device};

use app::model::fleet::diagnosis::settle_faults;
use app::model::fleet::reason::Reason;

use super::device_build::{blank_device, fill_asic_device, gpu_device, Resolved};
pub use super::device_build::{resolve_model, UNKNOWN_MODEL};
pub use super::fleet_cache::{CacheState, CycleReport, FleetCache, SharedSummary};
use super::io::ExchangeLimits;
use super::poll::{Outcome, PollResult};
use super::poll_thread::PollThread;
use super::schedule::{Schedule, Timing};
use super::PollError;
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

/// Minimum window before the share-based rate is trusted (shares arrive as a Poisson process).
const SHARE_WINDOW_SECS: i64 = 120;

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
    /// Every endpoint polled and when each is due next.
    schedule: Schedule,
    /// Where the polls run (started with the first tick, when the metrics are known).
    polls: Option<PollThread>,
    done_tx: tokio::sync::mpsc::UnboundedSender<PollResult>,
    done_rx: tokio::sync::mpsc::UnboundedReceiver<PollResult>,
    cycle: u64,
    metrics: Arc<Metrics>,
    /// Identities learned this tick, written in one transaction with the samples.
    identities: Vec<IdentityChange>,
    /// The registry and shard generations last synced, and when (a full re-read at least
    /// every minute catches changes made by other processes).
    synced: Option<((u64, u64), Instant)>,
    /// A re-read of the registry under way, beside the ticks (at 100,000 devices it takes
    /// ~0.3 s, which inside a tick made every due device that much late).
    reading: Option<tokio::sync::oneshot::Receiver<RegistryRead>>,
    /// The shards this process polls (all of them unless it is one of several replicas).
    shards: Arc<crate::shards::Shards>,
    /// Sites curtailed by their power schedule now.
    curtailed: Arc<super::curtailed::CurtailedSites>,
    /// Each site's time zone, for miners' zoneless local times.
    zones: Arc<super::site_zones::SiteZones>,
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
            polls: None,
            done_tx,
            done_rx,
            cycle: 0,
            metrics: Arc::new(Metrics::default()),
            schedule: Schedule::default(),
            identities: Vec::new(),
            synced: None,
            reading: None,
            shards: crate::shards::Shards::single(),
            curtailed: Arc::default(),
            zones: Arc::default(),
        }
    }

    /// Reads the sites' time zones from `zones` (kept fresh by the caller).
    pub fn with_zones(mut self, zones: Arc<super::site_zones::SiteZones>) -> Self {
        self.zones = zones;
        self
    }

    /// Reads which sites are curtailed by schedule from `sites` (kept fresh by the caller).
    pub fn with_curtailed(mut self, sites: Arc<super::curtailed::CurtailedSites>) -> Self {
        self.curtailed = sites;
        self
    }

    /// Polls only the devices of the shards `shards` holds.
    pub fn with_shards(mut self, shards: Arc<crate::shards::Shards>) -> Self {
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
        let gone = self
            .schedule
            .sync(read.wanted, Instant::now(), self.config.interval);
        for (id, produced) in gone {
            self.cache.remove_endpoint(&id, &produced).await;
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
        // Nothing is taken off the schedule without a thread to poll it.
        let (due, lag_ms) = if self.polls.is_some() {
            self.schedule.take_due(started)
        } else {
            (Vec::new(), 0)
        };
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
                    if let Some(e) = self.schedule.get_mut(&c.id) {
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
        let timing = Timing {
            interval: self.config.interval,
            max_backoff: self.config.max_backoff,
        };
        let failed = result.as_ref().err();
        let Some(e) = self
            .schedule
            .finish(id, failed, Instant::now(), timing, self.cycle)
        else {
            return;
        };
        let outcome = match result {
            Ok(outcome) => outcome,
            Err(err) => {
                tracing::debug!(device = %e.spec.id, error = %err, failures = e.failures, "poll failed");
                let problem = err.to_string();
                // A site curtailed by schedule explains a silent miner.
                let reason = if self.curtailed.contains(&e.spec.site) {
                    Reason::Curtailed
                } else {
                    Reason::Offline
                };
                // Only this endpoint's devices: no scan of the whole fleet per failure.
                let mut marked = 0;
                for id in &e.produced {
                    if let Some(d) = state.mark_offline(id, || None, &problem, reason.clone()) {
                        marked += 1;
                        record.add(d, at);
                    }
                }
                if marked == 0 {
                    // Never answered (or its devices are gone): the endpoint itself is shown.
                    e.produced = vec![e.spec.id.clone()];
                    let blank = || Some(blank_device(&e.spec));
                    if let Some(d) = state.mark_offline(&e.spec.id, blank, &problem, reason) {
                        record.add(d, at);
                    }
                }
                return;
            }
        };
        match outcome {
            Outcome::Asic(mut r, family) => {
                e.family = family;
                // The firmware's fault reports: placed in time, and kept while still a reason.
                if !r.faults.is_empty() {
                    let (zones, site) = (&self.zones, &e.spec.site);
                    settle_faults(&mut r, |local| zones.to_utc(site, local), at);
                }
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
                let curtailed = self.curtailed.contains(&spec.site);
                // Updated in place: the cached device's strings are reused, not copied per poll.
                state.upsert_with(
                    &spec.id,
                    || blank_device(spec),
                    |d| {
                        fill_asic_device(d, spec, resolved, &r, share, at, curtailed);
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
