//! Fleet state shared by telemetry, the API and the UI: device readings, status rules, and the
//! share-based hashrate that catches firmware which over-reports.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::chain::HASHES_PER_DIFFICULTY;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    Asic,
    Gpu,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceStatus {
    Online,
    Degraded,
    Offline,
}

/// One hashboard (chain) of an ASIC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hashboard {
    pub index: u32,
    pub chips: Option<u32>,
    pub rate_ths: Option<f64>,
    pub temp_c: Option<f64>,
}

/// What one CGMiner-family poll tells (summary + stats).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
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
}

/// What one DCGM scrape tells about one GPU.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
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
    pub xid_errors: Option<f64>,
}

/// A device as the fleet view shows it (API.md `/fleet` row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    pub last_seen: Option<DateTime<Utc>>,
    /// Why the device is degraded or offline, in words.
    pub problem: Option<String>,
}

/// Hottest board or chip temperature an ASIC may run at before it counts as degraded, °C.
pub const ASIC_MAX_TEMP_C: f64 = 85.0;
/// GPU core temperature above which a GPU counts as degraded, °C.
pub const GPU_MAX_TEMP_C: f64 = 87.0;
/// Share of nameplate hashrate below which an ASIC counts as degraded.
pub const MIN_NAMEPLATE_SHARE: f64 = 0.8;

/// Status of an ASIC from its reading: degraded when a hashboard is down, the hashrate is under
/// 80 % of nameplate, or it runs too hot; the reason comes along.
pub fn asic_status(r: &AsicReading, nameplate_ths: Option<f64>) -> (DeviceStatus, Option<String>) {
    if let Some(b) = r.boards.iter().find(|b| b.chips == Some(0) || b.rate_ths == Some(0.0)) {
        return (DeviceStatus::Degraded, Some(format!("hashboard {} down", b.index)));
    }
    let hottest = r.temps_c.iter().chain(r.boards.iter().filter_map(|b| b.temp_c.as_ref())).copied().fold(f64::NEG_INFINITY, f64::max);
    if hottest > ASIC_MAX_TEMP_C {
        return (DeviceStatus::Degraded, Some(format!("over temperature ({hottest:.0} °C)")));
    }
    if let Some(np) = nameplate_ths.filter(|n| *n > 0.0) {
        if r.hashrate_ths < MIN_NAMEPLATE_SHARE * np {
            return (DeviceStatus::Degraded, Some(format!("hashrate {:.0} % of nameplate", r.hashrate_ths / np * 100.0)));
        }
    }
    (DeviceStatus::Online, None)
}

/// Status of a GPU: degraded when too hot or when it has raised XID errors.
pub fn gpu_status(r: &GpuReading) -> (DeviceStatus, Option<String>) {
    if let Some(t) = r.temp_c.filter(|t| *t > GPU_MAX_TEMP_C) {
        return (DeviceStatus::Degraded, Some(format!("over temperature ({t:.0} °C)")));
    }
    if let Some(x) = r.xid_errors.filter(|x| *x > 0.0) {
        return (DeviceStatus::Degraded, Some(format!("XID error {x:.0}")));
    }
    (DeviceStatus::Online, None)
}

/// Hashrate proven by accepted shares between two polls: Δ(difficulty accepted) × 2^32 / Δt,
/// in TH/s. `None` if time did not advance or the counter went backwards (a restart).
pub fn share_hashrate_ths(earlier: (DateTime<Utc>, f64), later: (DateTime<Utc>, f64)) -> Option<f64> {
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

    fn reading() -> AsicReading {
        AsicReading {
            hashrate_ths: 200.0,
            boards: (0..3).map(|i| Hashboard { index: i, chips: Some(108), rate_ths: Some(66.7), temp_c: Some(65.0) }).collect(),
            temps_c: vec![70.0, 71.0],
            ..Default::default()
        }
    }

    #[test]
    fn degraded_for_a_dead_board_heat_or_low_hashrate() {
        assert_eq!(asic_status(&reading(), Some(200.0)), (DeviceStatus::Online, None));
        let mut dead = reading();
        dead.boards[1].chips = Some(0);
        assert_eq!(asic_status(&dead, Some(200.0)).1.as_deref(), Some("hashboard 1 down"));
        let mut hot = reading();
        hot.temps_c.push(92.0);
        assert_eq!(asic_status(&hot, Some(200.0)).0, DeviceStatus::Degraded);
        let mut slow = reading();
        slow.hashrate_ths = 150.0;
        assert_eq!(asic_status(&slow, Some(200.0)).1.as_deref(), Some("hashrate 75 % of nameplate"));
        assert_eq!(asic_status(&slow, None).0, DeviceStatus::Online);
    }

    #[test]
    fn share_hashrate_from_accepted_difficulty() {
        let t0 = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().with_timezone(&Utc);
        let t1 = t0 + chrono::Duration::seconds(600);
        // 200 TH/s for 600 s = 1.2e17 hashes = 27,939,677 difficulty.
        let d = 200e12 * 600.0 / HASHES_PER_DIFFICULTY;
        let h = share_hashrate_ths((t0, 1000.0), (t1, 1000.0 + d)).unwrap();
        assert!((h - 200.0).abs() < 1e-9);
        assert_eq!(share_hashrate_ths((t1, 5.0), (t0, 9.0)), None);
        assert_eq!(share_hashrate_ths((t0, 9.0), (t1, 5.0)), None, "a restart resets the counter");
        assert!(over_reports(240.0, 200.0));
        assert!(!over_reports(210.0, 200.0));
    }

    #[test]
    fn gpu_status_flags_heat_and_xid() {
        let ok = GpuReading { temp_c: Some(70.0), xid_errors: Some(0.0), ..Default::default() };
        assert_eq!(gpu_status(&ok).0, DeviceStatus::Online);
        assert_eq!(gpu_status(&GpuReading { xid_errors: Some(79.0), ..ok.clone() }).1.as_deref(), Some("XID error 79"));
        assert_eq!(gpu_status(&GpuReading { temp_c: Some(90.0), ..ok }).0, DeviceStatus::Degraded);
    }
}
