//! Fleet state shared by telemetry, the API and the UI: device readings, status rules, and the
//! share-based hashrate that catches firmware which over-reports.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::ai::gpu_health::GpuHealth;
use crate::model::fleet::reason::{Reason, ReasonCode};
use crate::model::mining::chain::HASHES_PER_DIFFICULTY;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    Asic,
    Gpu,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeviceStatus {
    Online,
    Degraded,
    Offline,
}

impl DeviceKind {
    pub const ALL: [DeviceKind; 2] = [DeviceKind::Asic, DeviceKind::Gpu];

    /// The name the API, the store, metrics labels and exports use.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceKind::Asic => "asic",
            DeviceKind::Gpu => "gpu",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl DeviceStatus {
    pub const ALL: [DeviceStatus; 3] = [
        DeviceStatus::Online,
        DeviceStatus::Degraded,
        DeviceStatus::Offline,
    ];

    /// The name the API, the store, metrics labels and the fleet page's filter use.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceStatus::Online => "online",
            DeviceStatus::Degraded => "degraded",
            DeviceStatus::Offline => "offline",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One hashboard (chain) of an ASIC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Hashboard {
    pub index: u32,
    pub chips: Option<u32>,
    pub rate_ths: Option<f64>,
    pub temp_c: Option<f64>,
}

/// Where an ASIC's power figure comes from: the miner's own estimate, its power supply's
/// meter, or the catalogue's nameplate when the device reports none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PowerSource {
    Miner,
    Psu,
    Nameplate,
}

impl PowerSource {
    pub fn as_str(self) -> &'static str {
        match self {
            PowerSource::Miner => "miner",
            PowerSource::Psu => "psu",
            PowerSource::Nameplate => "nameplate",
        }
    }
}

/// What one poll of an ASIC tells, whatever its protocol: units normalised (TH/s, W, °C, rpm),
/// sentinel values (−273 °C, blanks) left out.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AsicReading {
    pub hashrate_ths: f64,
    pub hashrate_avg_ths: Option<f64>,
    pub boards: Vec<Hashboard>,
    pub temps_c: Vec<f64>,
    pub fans_rpm: Vec<f64>,
    pub accepted: u64,
    pub rejected: u64,
    pub difficulty_accepted: Option<f64>,
    pub hw_errors: u64,
    pub uptime_s: u64,
    pub pool: Option<String>,
    pub model: Option<String>,
    pub firmware: Option<String>,
    pub power_w: Option<f64>,
    /// Where `power_w` comes from (`None`: the firmware did not say).
    #[serde(default)]
    pub power_source: Option<PowerSource>,
    /// The power limit or target the firmware runs to, W.
    #[serde(default)]
    pub power_limit_w: Option<f64>,
    /// The hashrate the machine's own firmware rates it at (factory or nominal), TH/s.
    #[serde(default)]
    pub nameplate_ths: Option<f64>,
    /// What the firmware itself says is wrong (LuxOS events, Braiins OS errors, Whatsminer
    /// error codes, …).
    #[serde(default)]
    pub faults: Vec<crate::model::fleet::reason::FirmwareFault>,
}

/// What one DCGM scrape tells about one GPU.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct GpuReading {
    pub gpu: u32,
    pub uuid: String,
    pub model_name: String,
    pub hostname: String,
    pub util_pct: Option<f64>,
    pub power_w: Option<f64>,
    pub temp_c: Option<f64>,
    pub fb_used_mib: Option<f64>,
    pub fb_free_mib: Option<f64>,
    pub sm_clock_mhz: Option<f64>,
    /// Xid, ECC, row remap, link errors, clock events, tensor activity, energy.
    #[serde(default)]
    pub health: GpuHealth,
}

/// A device as the fleet view shows it (API.md `/fleet` row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Device {
    pub id: String,
    pub kind: DeviceKind,
    pub model: String,
    pub site: String,
    pub address: String,
    pub status: DeviceStatus,
    pub hashrate_ths: Option<f64>,
    pub share_hashrate_ths: Option<f64>,
    pub gpu_util_pct: Option<f64>,
    pub temp_c: Option<f64>,
    pub power_w: Option<f64>,
    /// Where `power_w` comes from: the miner's estimate, its PSU's meter, or the catalogue's
    /// nameplate for firmware that reports none (GPUs: DCGM's measurement, `None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power_source: Option<PowerSource>,
    pub last_seen: Option<DateTime<Utc>>,
    /// The one reason it is not earning in full, worst first (`None`: nothing wrong).
    #[serde(default)]
    pub reason: Option<Reason>,
    /// The transport's detail of an offline device's last poll error (`connect timed out`, …);
    /// `None` for a device that answered. The reason itself is `reason`, worded in the reader's
    /// language where it is shown (pages, CSV, webhooks).
    pub problem: Option<String>,
    /// Firmware the device reports (e.g. `BMMiner 2.0.0`, `btminer 20230912`).
    #[serde(default)]
    pub firmware: Option<String>,
    /// The model the device reports when it differs from the one it was registered with.
    #[serde(default)]
    pub model_mismatch: Option<String>,
    /// A GPU's DCGM health fields as last scraped (`None` for ASICs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu_health: Option<Box<GpuHealth>>,
}

impl Device {
    /// A device known only by its registration: offline, nothing measured yet. Other states
    /// start from it (`Device { status, .., ..Device::offline(..) }`).
    pub fn offline(
        id: impl Into<String>,
        kind: DeviceKind,
        model: impl Into<String>,
        site: impl Into<String>,
        address: impl Into<String>,
    ) -> Self {
        Device {
            id: id.into(),
            kind,
            model: model.into(),
            site: site.into(),
            address: address.into(),
            status: DeviceStatus::Offline,
            hashrate_ths: None,
            share_hashrate_ths: None,
            gpu_util_pct: None,
            temp_c: None,
            power_w: None,
            power_source: None,
            last_seen: None,
            reason: None,
            problem: None,
            firmware: None,
            model_mismatch: None,
            gpu_health: None,
        }
    }
}

/// Hottest board or chip temperature an ASIC may run at before it counts as degraded, °C.
pub const ASIC_MAX_TEMP_C: f64 = 85.0;
/// GPU core temperature above which a GPU counts as degraded, °C.
pub const GPU_MAX_TEMP_C: f64 = 87.0;
/// Share of nameplate hashrate below which an ASIC counts as degraded.
pub const MIN_NAMEPLATE_SHARE: f64 = 0.8;

/// Hashrate proven by accepted shares between two polls: Δ(difficulty accepted) × 2^32 / Δt,
/// in TH/s. `None` if time did not advance or the counter went backwards (a restart).
pub fn share_hashrate_ths(
    earlier: (DateTime<Utc>, f64),
    later: (DateTime<Utc>, f64),
) -> Option<f64> {
    let secs = (later.0 - earlier.0).num_milliseconds() as f64 / 1000.0;
    let delta = later.1 - earlier.1;
    (secs > 0.0 && delta >= 0.0).then(|| delta * HASHES_PER_DIFFICULTY / secs / 1e12)
}

/// True when the device reports clearly more than its shares prove (over 15 % above).
pub fn over_reports(reported_ths: f64, share_ths: f64) -> bool {
    share_ths > 0.0 && reported_ths > share_ths * 1.15
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_hashrate_from_accepted_difficulty() {
        let t0 = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let t1 = t0 + chrono::Duration::seconds(600);
        // 200 TH/s for 600 s = 1.2e17 hashes = 27,939,677 difficulty.
        let d = 200e12 * 600.0 / HASHES_PER_DIFFICULTY;
        let h = share_hashrate_ths((t0, 1000.0), (t1, 1000.0 + d)).unwrap();
        assert!((h - 200.0).abs() < 1e-9);
        assert_eq!(share_hashrate_ths((t1, 5.0), (t0, 9.0)), None);
        assert_eq!(
            share_hashrate_ths((t0, 9.0), (t1, 5.0)),
            None,
            "a restart resets the counter"
        );
        assert!(over_reports(240.0, 200.0));
        assert!(!over_reports(210.0, 200.0));
    }
}

/// Fleet totals for the KPIs and the live stream.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FleetSummary {
    pub at: Option<DateTime<Utc>>,
    pub devices: usize,
    pub online: usize,
    pub degraded: usize,
    pub offline: usize,
    pub asic_hashrate_ths: f64,
    pub share_hashrate_ths: f64,
    pub gpus: usize,
    pub gpu_util_avg_pct: Option<f64>,
    pub power_kw: f64,
    /// How late the last poll cycle started, ms.
    pub poll_lag_ms: u64,
    pub sites: Vec<SiteFleet>,
}

/// One site's fleet totals.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SiteFleet {
    pub site: String,
    pub asics: usize,
    pub gpus: usize,
    pub online: usize,
    pub degraded: usize,
    pub offline: usize,
    pub asic_hashrate_ths: f64,
}

/// Totals over `devices`; offline devices contribute no hashrate, utilisation or power.
pub fn summarize<'a, I>(devices: I, at: Option<DateTime<Utc>>, poll_lag_ms: u64) -> FleetSummary
where
    I: IntoIterator<Item = &'a Device>,
{
    let mut totals = FleetTotals::default();
    for d in devices {
        totals.add(d);
    }
    totals.summary(at, poll_lag_ms)
}

/// Fixed-point millionths: sums that a device can be added to and taken out of again exactly,
/// however many times (floating-point running sums would drift).
fn micros(v: Option<f64>) -> i64 {
    v.filter(|v| v.is_finite())
        .map_or(0, |v| (v * 1e6).round() as i64)
}

#[derive(Debug, Clone, Default, PartialEq)]
struct SiteTotals {
    asics: usize,
    gpus: usize,
    online: usize,
    degraded: usize,
    offline: usize,
    hashrate: i64,
    share_hashrate: i64,
    power: i64,
    util: i64,
    util_n: usize,
}

/// The fleet summary kept up to date device by device: the poller adds a device's new state
/// and takes out its old one, so a summary costs one pass over the sites, not over 100,000
/// devices.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FleetTotals {
    sites: std::collections::BTreeMap<String, SiteTotals>,
}

impl FleetTotals {
    pub fn add(&mut self, d: &Device) {
        self.apply(d, 1);
    }

    pub fn remove(&mut self, d: &Device) {
        self.apply(d, -1);
    }

    fn apply(&mut self, d: &Device, sign: i64) {
        let s = match self.sites.get_mut(&d.site) {
            Some(s) => s,
            None => self.sites.entry(d.site.clone()).or_default(),
        };
        let step = |n: &mut usize| {
            *n = if sign > 0 {
                *n + 1
            } else {
                n.saturating_sub(1)
            };
        };
        match d.kind {
            DeviceKind::Asic => step(&mut s.asics),
            DeviceKind::Gpu => step(&mut s.gpus),
        }
        match d.status {
            DeviceStatus::Online => step(&mut s.online),
            DeviceStatus::Degraded => step(&mut s.degraded),
            DeviceStatus::Offline => step(&mut s.offline),
        }
        if d.status != DeviceStatus::Offline {
            s.hashrate += sign * micros(d.hashrate_ths);
            s.share_hashrate += sign * micros(d.share_hashrate_ths);
            s.power += sign * micros(d.power_w);
            if d.kind == DeviceKind::Gpu && d.gpu_util_pct.is_some() {
                s.util += sign * micros(d.gpu_util_pct);
                step(&mut s.util_n);
            }
        }
        if s.asics + s.gpus == 0 {
            self.sites.remove(&d.site);
        }
    }

    pub fn summary(&self, at: Option<DateTime<Utc>>, poll_lag_ms: u64) -> FleetSummary {
        let mut total = FleetSummary {
            at,
            poll_lag_ms,
            ..Default::default()
        };
        let (mut share, mut power, mut util, mut util_n) = (0i64, 0i64, 0i64, 0usize);
        let mut hashrate = 0i64;
        for (site, s) in &self.sites {
            total.devices += s.asics + s.gpus;
            total.gpus += s.gpus;
            total.online += s.online;
            total.degraded += s.degraded;
            total.offline += s.offline;
            hashrate += s.hashrate;
            share += s.share_hashrate;
            power += s.power;
            util += s.util;
            util_n += s.util_n;
            total.sites.push(SiteFleet {
                site: site.clone(),
                asics: s.asics,
                gpus: s.gpus,
                online: s.online,
                degraded: s.degraded,
                offline: s.offline,
                asic_hashrate_ths: s.hashrate as f64 / 1e6,
            });
        }
        total.asic_hashrate_ths = hashrate as f64 / 1e6;
        total.share_hashrate_ths = share as f64 / 1e6;
        total.power_kw = power as f64 / 1e9;
        total.gpu_util_avg_pct = (util_n > 0).then(|| util as f64 / 1e6 / util_n as f64);
        total
    }
}

/// Sort keys of the device table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeviceSort {
    #[default]
    Status,
    Id,
    Hashrate,
    Temp,
    Power,
}

/// A page request of the device table.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DeviceQuery {
    pub page: usize,
    pub per_page: usize,
    pub sort: DeviceSort,
    pub status: Option<DeviceStatus>,
    pub site: Option<String>,
    /// Case-insensitive substring of id, model or address.
    pub search: Option<String>,
    /// Only devices whose one reason is this.
    #[serde(default)]
    pub reason: Option<ReasonCode>,
}

/// One page of devices and how many match in all.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DevicePage {
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub rows: Vec<Device>,
    /// How many devices match the other filters per reason, worst first (the reason filter's
    /// choices).
    #[serde(default)]
    pub reasons: Vec<ReasonCount>,
}

/// Devices with one reason.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReasonCount {
    pub reason: ReasonCode,
    pub devices: usize,
}

/// Filters, sorts (problems first by default) and pages `devices`; `per_page` is capped at 500.
pub fn page<'a>(devices: impl IntoIterator<Item = &'a Device>, q: &DeviceQuery) -> DevicePage {
    let needle = q
        .search
        .as_deref()
        .map(str::to_lowercase)
        .filter(|s| !s.is_empty());
    let matching = devices
        .into_iter()
        .filter(|d| q.status.is_none_or(|s| d.status == s))
        .filter(|d| q.site.as_deref().is_none_or(|s| d.site == s))
        .filter(|d| {
            needle.as_deref().is_none_or(|n| {
                d.id.to_lowercase().contains(n)
                    || d.model.to_lowercase().contains(n)
                    || d.address.contains(n)
            })
        });
    let mut counts: std::collections::BTreeMap<ReasonCode, usize> = Default::default();
    let mut rows: Vec<&Device> = Vec::new();
    for d in matching {
        let code = d.reason.as_ref().map(Reason::code);
        if let Some(c) = code {
            *counts.entry(c).or_default() += 1;
        }
        if q.reason.is_none() || code == q.reason {
            rows.push(d);
        }
    }
    let desc = |a: Option<f64>, b: Option<f64>| {
        b.unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&a.unwrap_or(f64::NEG_INFINITY))
    };
    match q.sort {
        // Worst status first, then the worst reason (devices with none last), then by id.
        DeviceSort::Status => rows.sort_by(|a, b| {
            let reason = |d: &Device| {
                d.reason
                    .as_ref()
                    .map_or(ReasonCode::ALL.len(), |r| r.code() as usize)
            };
            b.status
                .cmp(&a.status)
                .then_with(|| reason(a).cmp(&reason(b)))
                .then_with(|| a.id.cmp(&b.id))
        }),
        DeviceSort::Id => rows.sort_by(|a, b| a.id.cmp(&b.id)),
        DeviceSort::Hashrate => rows.sort_by(|a, b| desc(a.hashrate_ths, b.hashrate_ths)),
        DeviceSort::Temp => rows.sort_by(|a, b| desc(a.temp_c, b.temp_c)),
        DeviceSort::Power => rows.sort_by(|a, b| desc(a.power_w, b.power_w)),
    }
    let per_page = q.per_page.clamp(1, 500);
    DevicePage {
        total: rows.len(),
        page: q.page,
        per_page,
        rows: rows
            .into_iter()
            .skip(q.page * per_page)
            .take(per_page)
            .cloned()
            .collect(),
        reasons: counts
            .into_iter()
            .map(|(reason, devices)| ReasonCount { reason, devices })
            .collect(),
    }
}

#[cfg(test)]
mod summary_tests {
    use super::*;

    fn dev(id: &str, site: &str, status: DeviceStatus, ths: f64) -> Device {
        Device {
            status,
            hashrate_ths: Some(ths),
            temp_c: Some(60.0),
            power_w: Some(3500.0),
            ..Device::offline(id, DeviceKind::Asic, "S21", site, "127.0.0.1:1")
        }
    }

    #[test]
    fn summary_counts_by_status_and_excludes_offline_hashrate() {
        let d = vec![
            dev("a", "x", DeviceStatus::Online, 200.0),
            dev("b", "x", DeviceStatus::Degraded, 120.0),
            dev("c", "y", DeviceStatus::Offline, 200.0),
        ];
        let s = summarize(&d, None, 12);
        assert_eq!((s.online, s.degraded, s.offline, s.devices), (1, 1, 1, 3));
        assert_eq!(s.asic_hashrate_ths, 320.0);
        assert_eq!(s.power_kw, 7.0);
        assert_eq!(s.sites.len(), 2);
        assert_eq!(s.sites[0].asic_hashrate_ths, 320.0);
        assert_eq!(s.poll_lag_ms, 12);
    }

    #[test]
    fn pages_put_problems_first_and_filter() {
        let d: Vec<Device> = (0..25)
            .map(|i| {
                dev(
                    &format!("d{i:02}"),
                    "x",
                    if i % 10 == 3 {
                        DeviceStatus::Offline
                    } else {
                        DeviceStatus::Online
                    },
                    i as f64,
                )
            })
            .collect();
        let p = page(
            &d,
            &DeviceQuery {
                per_page: 10,
                ..Default::default()
            },
        );
        assert_eq!(p.total, 25);
        assert_eq!(p.rows.len(), 10);
        assert_eq!(p.rows[0].status, DeviceStatus::Offline);
        let last = page(
            &d,
            &DeviceQuery {
                per_page: 10,
                page: 2,
                ..Default::default()
            },
        );
        assert_eq!(last.rows.len(), 5);
        let off = page(
            &d,
            &DeviceQuery {
                per_page: 10,
                status: Some(DeviceStatus::Offline),
                ..Default::default()
            },
        );
        assert_eq!(off.total, 3);
        let hr = page(
            &d,
            &DeviceQuery {
                per_page: 3,
                sort: DeviceSort::Hashrate,
                ..Default::default()
            },
        );
        assert_eq!(hr.rows[0].id, "d24");
        assert_eq!(
            page(
                &d,
                &DeviceQuery {
                    per_page: 10,
                    search: Some("D1".into()),
                    ..Default::default()
                }
            )
            .total,
            10
        );
        assert_eq!(
            page(
                &d,
                &DeviceQuery {
                    per_page: 0,
                    ..Default::default()
                }
            )
            .per_page,
            1
        );
    }
}

/// A site's row of the status map: one character per cell, `0` online, `1` degraded, `2`
/// offline — the worst status of the cell's devices. Compact on the wire (100,000 devices
/// are 100 KB before compression and a few KB after; aggregated, far less).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SiteStatuses {
    pub site: String,
    /// Devices at the site.
    pub devices: usize,
    pub cells: String,
}

/// The status map: every device (`block` = 1) or, for large fleets, blocks of `block`
/// consecutive devices (in id order within a site) showing their worst status.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StatusGrid {
    pub block: usize,
    pub sites: Vec<SiteStatuses>,
}

/// Cells the status map draws at most: beyond that a cell stands for a block of devices.
pub const MAX_STATUS_CELLS: usize = 12_000;

fn status_char(s: DeviceStatus) -> char {
    match s {
        DeviceStatus::Online => '0',
        DeviceStatus::Degraded => '1',
        DeviceStatus::Offline => '2',
    }
}

/// The status of a cell character (online for anything unexpected).
pub fn status_of_cell(c: char) -> DeviceStatus {
    match c {
        '1' => DeviceStatus::Degraded,
        '2' => DeviceStatus::Offline,
        _ => DeviceStatus::Online,
    }
}

/// The smallest block size (1, 2, 5, 10, 20, 50, …) that keeps `devices` within `max_cells`.
pub fn block_size(devices: usize, max_cells: usize) -> usize {
    let mut step = 1usize;
    loop {
        for m in [1, 2, 5] {
            let b = step * m;
            if devices.div_ceil(b) <= max_cells.max(1) {
                return b;
            }
        }
        step *= 10;
    }
}

/// Groups `devices` (already id-ordered) by site, sites in name order, in blocks small enough
/// that the map stays within `max_cells`.
pub fn status_grid<'a>(
    devices: impl IntoIterator<Item = &'a Device>,
    max_cells: usize,
) -> StatusGrid {
    let mut by_site: std::collections::BTreeMap<&str, Vec<DeviceStatus>> = Default::default();
    let mut count = 0;
    for d in devices {
        by_site.entry(&d.site).or_default().push(d.status);
        count += 1;
    }
    // Sites start new rows, so count their blocks, not devices alone.
    let block = block_size(count, max_cells.saturating_sub(by_site.len()).max(1));
    let sites = by_site
        .into_iter()
        .map(|(site, statuses)| SiteStatuses {
            site: site.to_string(),
            devices: statuses.len(),
            cells: statuses
                .chunks(block)
                .map(|c| status_char(c.iter().copied().max().unwrap_or(DeviceStatus::Online)))
                .collect(),
        })
        .collect();
    StatusGrid { block, sites }
}

#[cfg(test)]
mod status_grid_tests {
    use super::*;

    fn device(i: usize, site: &str, status: DeviceStatus) -> Device {
        Device {
            status,
            ..Device::offline(
                format!("d{i:06}"),
                DeviceKind::Asic,
                "S21",
                site,
                String::new(),
            )
        }
    }

    #[test]
    fn small_fleets_get_a_cell_per_device_large_ones_blocks_with_the_worst_status() {
        let mut devices: Vec<Device> = (0..150)
            .map(|i| device(i, if i < 100 { "b" } else { "a" }, DeviceStatus::Online))
            .collect();
        devices[3].status = DeviceStatus::Offline;
        devices[120].status = DeviceStatus::Degraded;
        let g = status_grid(&devices, MAX_STATUS_CELLS);
        assert_eq!(g.block, 1);
        assert_eq!(
            g.sites.iter().map(|s| s.site.as_str()).collect::<Vec<_>>(),
            vec!["a", "b"]
        );
        assert_eq!(g.sites[1].cells.len(), 100);
        assert_eq!(&g.sites[1].cells[..5], "00020");
        assert_eq!(g.sites[0].cells.chars().nth(20), Some('1'));

        let mut big: Vec<Device> = (0..100_000)
            .map(|i| device(i, ["x", "y", "z"][i % 3], DeviceStatus::Online))
            .collect();
        big.sort_by(|a, b| a.id.cmp(&b.id));
        big[30].status = DeviceStatus::Offline; // site x, its 11th device
        let g = status_grid(&big, MAX_STATUS_CELLS);
        assert_eq!(g.block, 10);
        let cells: usize = g.sites.iter().map(|s| s.cells.len()).sum();
        assert!(cells <= MAX_STATUS_CELLS, "{cells}");
        assert_eq!(g.sites.iter().map(|s| s.devices).sum::<usize>(), 100_000);
        assert_eq!(
            &g.sites[0].cells[..3],
            "020",
            "the block holding the offline device shows it"
        );
    }

    #[test]
    fn totals_kept_device_by_device_equal_a_fresh_summary() {
        // 3,000 devices change state 50,000 times; the running totals must equal a summary
        // computed from scratch over the final states, exactly.
        let mut state: Vec<Device> = (0..3_000)
            .map(|i| {
                let mut d = device(i, ["a", "b", "c", "d"][i % 4], DeviceStatus::Online);
                d.hashrate_ths = Some(100.0 + i as f64 * 0.37);
                d.power_w = Some(3_000.0 + i as f64);
                if i % 10 == 0 {
                    d.kind = DeviceKind::Gpu;
                    d.gpu_util_pct = Some(50.0);
                }
                d
            })
            .collect();
        let mut totals = FleetTotals::default();
        for d in &state {
            totals.add(d);
        }
        let mut x: u64 = 12345;
        for step in 0..50_000u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let i = (x >> 33) as usize % state.len();
            let mut next = state[i].clone();
            next.status = [
                DeviceStatus::Online,
                DeviceStatus::Degraded,
                DeviceStatus::Offline,
            ][(x >> 20) as usize % 3];
            next.hashrate_ths = Some(90.0 + (x >> 40) as f64 / 7.0);
            next.share_hashrate_ths = (step % 3 == 0).then_some(88.125);
            next.gpu_util_pct = next.gpu_util_pct.map(|_| (x % 100) as f64 + 0.5);
            totals.remove(&state[i]);
            totals.add(&next);
            state[i] = next;
        }
        let fresh = summarize(&state, None, 7);
        assert_eq!(totals.summary(None, 7), fresh);
        assert_eq!(fresh.devices, 3_000);
        // Removing everything leaves nothing behind.
        for d in &state {
            totals.remove(d);
        }
        assert_eq!(totals, FleetTotals::default());
    }

    #[test]
    fn block_sizes_are_round_numbers() {
        assert_eq!(block_size(12_000, 12_000), 1);
        assert_eq!(block_size(12_001, 12_000), 2);
        assert_eq!(block_size(50_000, 12_000), 5);
        assert_eq!(block_size(1_000_000, 12_000), 100);
        assert_eq!(block_size(0, 12_000), 1);
    }
}

/// One point of a device's history (averaged over its bucket).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SamplePoint {
    pub at: DateTime<Utc>,
    pub hashrate_ths: Option<f64>,
    pub share_hashrate_ths: Option<f64>,
    pub gpu_util_pct: Option<f64>,
    pub temp_c: Option<f64>,
    pub power_w: Option<f64>,
    /// Share of the bucket's polls that found the device online.
    pub online_share: f64,
}
