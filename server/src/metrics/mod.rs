//! `/metrics`: Rigshift's own Prometheus endpoint, on its own listener (loopback by default), so
//! the Grafana a site already runs can scrape the fleet as Rigshift sees it — every device's
//! state, hashrate, temperature and power, the poller's lag and per-protocol poll latency, and
//! request latency per route — without a login and without exposing the dashboard's port.

pub mod exposition;
mod health;
pub mod histogram;
mod labels;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use app::api::ports::Services;
use app::model::fleet::devices::{Device, DeviceKind, DeviceStatus, FleetSummary};
use app::model::timeline::milestones::{statuses, Milestone, MilestoneStatus};
use chrono::NaiveDate;

use exposition::{Exposition, Kind};
use histogram::HistogramFamily;
use labels::device_labels;

/// Latency bucket bounds in seconds: a millisecond up to a device's whole read timeout.
static LATENCY_BOUNDS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// What the server records as it runs; fleet state is read from the poller's cache at scrape.
pub struct Metrics {
    pub http: HistogramFamily,
    pub polls: HistogramFamily,
    pub poll_cycles: HistogramFamily,
    sse_clients: AtomicI64,
    started: chrono::DateTime<chrono::Utc>,
    shards: std::sync::OnceLock<Arc<crate::shards::Shards>>,
    workers: std::sync::OnceLock<Arc<crate::workers::Workers>>,
    store: std::sync::OnceLock<Arc<crate::store::Store>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            http: HistogramFamily::new(
                "rigshift_http_request_duration_seconds",
                "Time from request to response headers, by method, route pattern and status.",
                &["method", "route", "status"],
                &LATENCY_BOUNDS,
            ),
            polls: HistogramFamily::new(
                "rigshift_poll_duration_seconds",
                "One device poll (connect, ask, read the whole answer), by protocol and outcome.",
                &["protocol", "outcome"],
                &LATENCY_BOUNDS,
            ),
            poll_cycles: HistogramFamily::new(
                "rigshift_poll_cycle_duration_seconds",
                "One poller tick: apply finished polls, dispatch due ones, store samples.",
                &[],
                &LATENCY_BOUNDS,
            ),
            sse_clients: AtomicI64::new(0),
            shards: Default::default(),
            workers: Default::default(),
            store: Default::default(),
            started: chrono::Utc::now(),
        }
    }
}

/// Held by a live-stream response while its client is connected.
pub struct SseClient(Arc<Metrics>);

impl Drop for SseClient {
    fn drop(&mut self) {
        self.0.sse_clients.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Metrics {
    pub fn sse_client(self: &Arc<Self>) -> SseClient {
        self.sse_clients.fetch_add(1, Ordering::Relaxed);
        SseClient(self.clone())
    }

    /// The store, for its sample backlog; set once at start.
    pub fn set_store(&self, store: Arc<crate::store::Store>) {
        let _ = self.store.set(store);
    }

    /// The heavy-computation pool; set once at start.
    pub fn set_workers(&self, workers: Arc<crate::workers::Workers>) {
        let _ = self.workers.set(workers);
    }

    /// The shards this process polls; set once at start.
    pub fn set_shards(&self, shards: Arc<crate::shards::Shards>) {
        let _ = self.shards.set(shards);
    }

    /// The whole exposition for this fleet state. A replica reports the devices it polls
    /// (Prometheus scrapes every replica; the union is the fleet, without double counting).
    pub fn render(&self, devices: &[Device], summary: &FleetSummary) -> String {
        let mut out = Exposition::default();
        match self.shards.get().filter(|s| s.replicated) {
            Some(shards) => {
                let local: Vec<Device> = devices
                    .iter()
                    .filter(|d| shards.owns(&d.id))
                    .cloned()
                    .collect();
                let local_summary =
                    app::model::fleet::devices::summarize(&local, summary.at, summary.poll_lag_ms);
                write_fleet(&mut out, &local, &local_summary);
                let replica = [("replica", shards.name.as_str())];
                out.family(
                    "rigshift_replica_shards",
                    "Device shards (of 64) this replica polls.",
                    Kind::Gauge,
                )
                .sample("rigshift_replica_shards", &replica, shards.owned() as f64)
                .family(
                    "rigshift_replica_polled_devices",
                    "Devices (GPUs counted one by one) this replica polls.",
                    Kind::Gauge,
                )
                .sample(
                    "rigshift_replica_polled_devices",
                    &replica,
                    local.len() as f64,
                );
            }
            None => write_fleet(&mut out, devices, summary),
        }
        if let Some(store) = self.store.get() {
            let (pending, dropped) = store.sample_backlog();
            out.family(
                "rigshift_samples_pending",
                "Raw samples waiting in memory to be written to the store.",
                Kind::Gauge,
            )
            .sample("rigshift_samples_pending", &[], pending as f64)
            .family(
                "rigshift_samples_dropped_total",
                "Raw samples dropped, oldest first, because the store could not take them (full disk, unreachable database).",
                Kind::Counter,
            )
            .sample("rigshift_samples_dropped_total", &[], dropped as f64);
        }
        if let Some(w) = self.workers.get() {
            out.family(
                "rigshift_compute_jobs_total",
                "Heavy computations (risk Monte Carlo) run on the bounded pool.",
                Kind::Counter,
            )
            .sample(
                "rigshift_compute_jobs_total",
                &[],
                w.jobs.load(Ordering::Relaxed) as f64,
            )
            .family(
                "rigshift_compute_refused_total",
                "Heavy computations refused (503) because every worker was busy and the queue full.",
                Kind::Counter,
            )
            .sample(
                "rigshift_compute_refused_total",
                &[],
                w.refused.load(Ordering::Relaxed) as f64,
            );
        }
        out.family(
            "rigshift_sse_clients",
            "Browsers connected to the live stream.",
            Kind::Gauge,
        )
        .sample(
            "rigshift_sse_clients",
            &[],
            self.sse_clients.load(Ordering::Relaxed) as f64,
        )
        .family(
            "rigshift_start_time_seconds",
            "When this server process started, Unix time.",
            Kind::Gauge,
        )
        .sample(
            "rigshift_start_time_seconds",
            &[],
            self.started.timestamp() as f64,
        );
        self.poll_cycles.write(&mut out);
        self.polls.write(&mut out);
        self.http.write(&mut out);
        out.finish()
    }
}

fn write_fleet(out: &mut Exposition, devices: &[Device], summary: &FleetSummary) {
    out.family(
        "rigshift_devices",
        "Devices by kind and status (every combination, zeros included).",
        Kind::Gauge,
    );
    for kind in [DeviceKind::Asic, DeviceKind::Gpu] {
        for status in [
            DeviceStatus::Online,
            DeviceStatus::Degraded,
            DeviceStatus::Offline,
        ] {
            let n = devices
                .iter()
                .filter(|d| d.kind == kind && d.status == status)
                .count();
            out.sample(
                "rigshift_devices",
                &[("kind", kind.as_str()), ("status", status.as_str())],
                n as f64,
            );
        }
    }
    out.family(
        "rigshift_poll_lag_seconds",
        "How late the last poll cycle started the most overdue device.",
        Kind::Gauge,
    )
    .sample(
        "rigshift_poll_lag_seconds",
        &[],
        summary.poll_lag_ms as f64 / 1000.0,
    );
    if let Some(at) = summary.at {
        out.family(
            "rigshift_last_poll_cycle_timestamp_seconds",
            "When the last poll cycle that polled anything ended, Unix time.",
            Kind::Gauge,
        )
        .sample(
            "rigshift_last_poll_cycle_timestamp_seconds",
            &[],
            at.timestamp_millis() as f64 / 1000.0,
        );
    }
    out.family(
        "rigshift_site_hashrate_ths",
        "Reported ASIC hashrate of a site's devices that are not offline, TH/s.",
        Kind::Gauge,
    );
    for s in &summary.sites {
        out.sample(
            "rigshift_site_hashrate_ths",
            &[("site", &s.site)],
            s.asic_hashrate_ths,
        );
    }
    write_devices(out, devices);
    health::write_reasons(out, devices);
    health::write_gpu_health(out, devices);
}

type Reading = fn(&Device) -> Option<f64>;

fn write_devices(out: &mut Exposition, devices: &[Device]) {
    out.family(
        "rigshift_device_up",
        "1 when the device answered its last poll (online or degraded), 0 when offline.",
        Kind::Gauge,
    );
    for d in devices {
        let up = if d.status == DeviceStatus::Offline {
            0.0
        } else {
            1.0
        };
        out.sample("rigshift_device_up", &device_labels(d), up);
    }
    let readings: [(&str, &str, Reading); 5] = [
        (
            "rigshift_device_hashrate_ths",
            "Hashrate the device reports, TH/s.",
            |d| d.hashrate_ths,
        ),
        (
            "rigshift_device_share_hashrate_ths",
            "Hashrate proven by accepted share difficulty over at least two minutes, TH/s.",
            |d| d.share_hashrate_ths,
        ),
        (
            "rigshift_device_temperature_celsius",
            "Hottest chip or GPU temperature the device reports.",
            |d| d.temp_c,
        ),
        (
            "rigshift_device_power_watts",
            "Power the device reports.",
            |d| d.power_w,
        ),
        (
            "rigshift_device_gpu_utilization_percent",
            "GPU utilisation (DCGM_FI_DEV_GPU_UTIL).",
            |d| d.gpu_util_pct,
        ),
    ];
    for (name, help, read) in readings {
        out.family(name, help, Kind::Gauge);
        // An offline device's last figures are history, not state: leave the series absent.
        for d in devices.iter().filter(|d| d.status != DeviceStatus::Offline) {
            if let Some(v) = read(d) {
                out.sample(name, &device_labels(d), v);
            }
        }
    }
}

/// Middleware recording every request's latency under its route *pattern* (never the raw path,
/// so a scanner cannot mint unbounded series).
pub async fn record_http(State(m): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let route = match req.extensions().get::<MatchedPath>() {
        Some(p) => p.as_str().to_owned(),
        None => unmatched_route(req.uri().path()).to_owned(),
    };
    let method: &'static str = match req.method().as_str() {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    };
    let started = Instant::now();
    let response = next.run(req).await;
    m.http.observe(
        &[method, &route, response.status().as_str()],
        started.elapsed().as_secs_f64(),
    );
    response
}

/// Paths served by the static-file fallback, grouped.
fn unmatched_route(path: &str) -> &'static str {
    ["/pkg/", "/vendor/", "/embed-assets/"]
        .into_iter()
        .find(|p| path.starts_with(p))
        .map(|p| match p {
            "/pkg/" => "/pkg/*",
            "/vendor/" => "/vendor/*",
            _ => "/embed-assets/*",
        })
        .unwrap_or("unmatched")
}

/// The metrics listener's router: `GET /metrics` and nothing else.
pub fn router(metrics: Arc<Metrics>, services: Services) -> Router {
    Router::new().route(
        "/metrics",
        get(move || {
            let (metrics, services) = (metrics.clone(), services.clone());
            async move {
                let devices = services.fleet.devices().await;
                let summary = services.fleet.summary().await;
                let mut body = metrics.render(&devices, &summary);
                // The roadmap's state, for alerting on slipped milestones.
                match services.timeline.milestones().await {
                    Ok(ms) => body.push_str(&milestone_exposition(&ms, services.clock.today())),
                    Err(e) => tracing::warn!(error = %e, "metrics: reading milestones"),
                }
                // GPU-hour leases against the rental index, for the renewal alert.
                match app::api::risk::service::lease_marks(&services).await {
                    Ok(m) => body.push_str(&lease_exposition(&m.marks)),
                    Err(e) => tracing::warn!(error = %e, "metrics: marking leases"),
                }
                (
                    [(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
                    )],
                    body,
                )
                    .into_response()
            }
        }),
    )
}

/// `rigshift_lease_vs_market_pct` per GPU-hour lease the index quotes, and
/// `rigshift_lease_below_market` (0/1: ending within 90 days, below the market by more than
/// the threshold — the same flag the webhook alerts on).
pub fn lease_exposition(marks: &[app::model::ai::mark_to_market::LeaseMark]) -> String {
    let mut out = Exposition::default();
    let quoted: Vec<_> = marks
        .iter()
        .filter_map(|m| Some((m, m.vs_market_pct?, m.index.as_ref()?)))
        .collect();
    out.family(
        "rigshift_lease_vs_market_pct",
        "A GPU-hour lease's price against its GPU model's rental index, % (negative: below the market).",
        Kind::Gauge,
    );
    for (m, pct, q) in &quoted {
        out.sample(
            "rigshift_lease_vs_market_pct",
            &lease_labels(m, &q.gpu_model),
            *pct,
        );
    }
    out.family(
        "rigshift_lease_below_market",
        "1 when a GPU-hour lease ending within 90 days is priced below its index by more than the alert threshold.",
        Kind::Gauge,
    );
    for (m, _, q) in &quoted {
        out.sample(
            "rigshift_lease_below_market",
            &lease_labels(m, &q.gpu_model),
            if m.alert { 1.0 } else { 0.0 },
        );
    }
    out.finish()
}

fn lease_labels<'a>(
    m: &'a app::model::ai::mark_to_market::LeaseMark,
    gpu_model: &'a str,
) -> [(&'static str, &'a str); 3] {
    [
        ("contract", m.contract_id.as_str()),
        ("gpu_model", gpu_model),
        ("site", m.site_id.as_str()),
    ]
}

fn milestone_labels(m: &Milestone) -> [(&'static str, &str); 3] {
    [
        ("kind", m.kind.as_str()),
        ("milestone", m.id.as_str()),
        ("site", m.site_id.as_str()),
    ]
}

/// `rigshift_milestone_slipped` (0/1, as the timeline page shows it) and
/// `rigshift_milestone_slip_days` for every milestone not yet done.
pub fn milestone_exposition(milestones: &[Milestone], today: NaiveDate) -> String {
    let mut out = Exposition::default();
    let open: Vec<(&Milestone, MilestoneStatus)> = milestones
        .iter()
        .zip(statuses(milestones, today))
        .filter(|(_, s)| *s != MilestoneStatus::Done)
        .collect();
    out.family(
        "rigshift_milestone_slipped",
        "1 when a conversion milestone not yet done has slipped (late, or waiting on a late dependency).",
        Kind::Gauge,
    );
    for (m, s) in &open {
        out.sample(
            "rigshift_milestone_slipped",
            &milestone_labels(m),
            if *s == MilestoneStatus::Slipped {
                1.0
            } else {
                0.0
            },
        );
    }
    out.family(
        "rigshift_milestone_slip_days",
        "Days a milestone's forecast end lies past its planned end.",
        Kind::Gauge,
    );
    for (m, _) in &open {
        out.sample(
            "rigshift_milestone_slip_days",
            &milestone_labels(m),
            m.slip_days(today) as f64,
        );
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telemetry::prometheus::parse;
    use app::model::fleet::devices::summarize;

    fn device(id: &str, kind: DeviceKind, status: DeviceStatus, site: &str) -> Device {
        let model = if kind == DeviceKind::Asic {
            "S21"
        } else {
            "H100"
        };
        Device {
            status,
            hashrate_ths: (kind == DeviceKind::Asic).then_some(200.0),
            gpu_util_pct: (kind == DeviceKind::Gpu).then_some(91.0),
            temp_c: Some(70.0),
            power_w: Some(3500.0),
            ..Device::offline(id, kind, model, site, "10.0.0.9:4028")
        }
    }

    #[test]
    fn fleet_state_is_exposed_per_device_and_by_status_without_addresses() {
        let devices = vec![
            device("a1", DeviceKind::Asic, DeviceStatus::Online, "North \"1\""),
            device(
                "a2",
                DeviceKind::Asic,
                DeviceStatus::Degraded,
                "North \"1\"",
            ),
            device("a3", DeviceKind::Asic, DeviceStatus::Offline, "South"),
            device("g1", DeviceKind::Gpu, DeviceStatus::Online, "South"),
        ];
        let summary = summarize(&devices, None, 1500);
        let m = Metrics::default();
        m.polls.observe(&["cgminer", "ok"], 0.004);
        let text = m.render(&devices, &summary);
        assert!(!text.contains("10.0.0.9"), "addresses stay out of labels");
        let samples = parse(&text).unwrap();
        let value = |name: &str, labels: &[(&str, &str)]| {
            samples
                .iter()
                .find(|s| s.name == name && labels.iter().all(|(k, v)| s.label(k) == Some(*v)))
                .map(|s| s.value)
        };
        let devices_by =
            |kind, status| value("rigshift_devices", &[("kind", kind), ("status", status)]);
        assert_eq!(devices_by("asic", "online"), Some(1.0));
        assert_eq!(devices_by("asic", "degraded"), Some(1.0));
        assert_eq!(devices_by("asic", "offline"), Some(1.0));
        assert_eq!(devices_by("gpu", "online"), Some(1.0));
        assert_eq!(devices_by("gpu", "offline"), Some(0.0));
        assert_eq!(value("rigshift_poll_lag_seconds", &[]), Some(1.5));
        assert_eq!(value("rigshift_device_up", &[("device", "a3")]), Some(0.0));
        assert_eq!(value("rigshift_device_up", &[("device", "a2")]), Some(1.0));
        // The offline device's stale hashrate is not presented as current.
        assert_eq!(
            value("rigshift_device_hashrate_ths", &[("device", "a3")]),
            None
        );
        assert_eq!(
            value(
                "rigshift_device_hashrate_ths",
                &[("device", "a1"), ("site", "North \"1\"")]
            ),
            Some(200.0)
        );
        assert_eq!(
            value(
                "rigshift_device_gpu_utilization_percent",
                &[("device", "g1")]
            ),
            Some(91.0)
        );
        assert_eq!(
            value("rigshift_site_hashrate_ths", &[("site", "North \"1\"")]),
            Some(400.0)
        );
        assert_eq!(
            value(
                "rigshift_poll_duration_seconds_count",
                &[("protocol", "cgminer"), ("outcome", "ok")]
            ),
            Some(1.0)
        );
        // Every family is declared once.
        let types = text.lines().filter(|l| l.starts_with("# TYPE ")).count();
        let mut names: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# TYPE "))
            .map(|l| l.split(' ').next().unwrap())
            .collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), types);
    }

    #[test]
    fn raw_paths_never_become_route_labels() {
        assert_eq!(unmatched_route("/pkg/rigshift.wasm"), "/pkg/*");
        assert_eq!(unmatched_route("/wp-admin/../../etc/passwd"), "unmatched");
        assert_eq!(unmatched_route("/vendor/echarts.min.js"), "/vendor/*");
    }
}
