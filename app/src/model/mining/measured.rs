//! Revenue history from what polled machines delivered, instead of what a site's capacity should
//! deliver. A site is rarely polled whole (a pilot, a sample, the simulator's few hundred
//! devices); so the polled devices' realisation — delivered over their nameplate — is applied to
//! the site's capacity that day, and the share of capacity polled is reported as coverage.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::company::site::Site;
use crate::model::fleet::catalogue;
use crate::model::fleet::devices::DeviceKind;

/// Where a day's hashrate figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HashrateSource {
    /// Realisation measured by polled devices, applied to the site's capacity.
    Measured,
    /// Site capacity (mining MW ÷ J/TH) times its assumed uptime.
    Modelled,
    /// A scenario day after today.
    Projected,
    /// The company's own monthly actuals from before Rigshift (`model::investor::reported`).
    Reported,
}

impl HashrateSource {
    pub fn as_str(self) -> &'static str {
        match self {
            HashrateSource::Measured => "measured",
            HashrateSource::Modelled => "modelled",
            HashrateSource::Projected => "projected",
            HashrateSource::Reported => "reported",
        }
    }
}

/// What the devices of one kind and model at one site delivered on one day, as the store
/// aggregates it (each device's daily mean, summed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TelemetryGroup {
    /// The site as devices were registered with it (id or name).
    pub site: String,
    pub date: NaiveDate,
    pub kind: DeviceKind,
    pub model: String,
    /// Devices (ASICs) or GPUs seen that day.
    pub devices: u32,
    /// Sum over devices of their mean delivered hashrate, TH/s (ASICs).
    pub delivered_ths: f64,
    /// Mean GPU utilisation over the GPUs, % (GPUs).
    pub gpu_util_pct: Option<f64>,
}

/// One site's polled telemetry on one day.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SiteTelemetryDay {
    pub asics: u32,
    pub delivered_ths: f64,
    /// Catalogue nameplate of the polled ASICs of known models, TH/s.
    pub polled_nameplate_ths: f64,
    pub gpus: u32,
    pub gpu_util_pct: Option<f64>,
}

/// Telemetry per (date, site id).
pub type SiteTelemetry = BTreeMap<(NaiveDate, String), SiteTelemetryDay>;

/// Folds the store's groups into per-site days. Devices registered under a site's id or name
/// count for it; other sites, and ASICs of models the catalogue does not know (no nameplate to
/// measure against), are left out.
pub fn by_site(groups: &[TelemetryGroup], sites: &[Site]) -> SiteTelemetry {
    let mut out = SiteTelemetry::new();
    let mut gpu_util_sum: BTreeMap<(NaiveDate, String), f64> = BTreeMap::new();
    for g in groups {
        let Some(site) = sites
            .iter()
            .find(|s| s.id == g.site || s.name.eq_ignore_ascii_case(&g.site))
        else {
            continue;
        };
        let key = (g.date, site.id.clone());
        match g.kind {
            DeviceKind::Asic => {
                let Some(model) = catalogue::asic_by_any_name(&g.model) else {
                    continue;
                };
                let e = out.entry(key).or_default();
                e.asics += g.devices;
                e.delivered_ths += g.delivered_ths;
                e.polled_nameplate_ths += model.hashrate_ths * g.devices as f64;
            }
            DeviceKind::Gpu => {
                let Some(util) = g.gpu_util_pct else { continue };
                let e = out.entry(key.clone()).or_default();
                e.gpus += g.devices;
                *gpu_util_sum.entry(key).or_default() += util * g.devices as f64;
            }
        }
    }
    for (key, sum) in gpu_util_sum {
        if let Some(e) = out.get_mut(&key) {
            if e.gpus > 0 {
                e.gpu_util_pct = Some(sum / e.gpus as f64);
            }
        }
    }
    out
}

/// The measured hashrate of a site with `capacity_ths` of hashing capacity, and the share of
/// that capacity the polled devices cover. A whole fleet polled gives exactly what it delivered;
/// a part gives its realisation times the capacity. `None` without ASIC telemetry.
pub fn measured_hashrate(capacity_ths: f64, t: &SiteTelemetryDay) -> Option<(f64, f64)> {
    if t.polled_nameplate_ths <= 0.0 {
        return None;
    }
    if t.polled_nameplate_ths >= capacity_ths {
        return Some((t.delivered_ths, 1.0));
    }
    let realisation = t.delivered_ths / t.polled_nameplate_ths;
    Some((
        capacity_ths * realisation,
        t.polled_nameplate_ths / capacity_ths,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::company::site::tests::{day, example_site};

    fn asic_group(site: &str, model: &str, devices: u32, delivered: f64) -> TelemetryGroup {
        TelemetryGroup {
            site: site.into(),
            date: day(2026, 3, 1),
            kind: DeviceKind::Asic,
            model: model.into(),
            devices,
            delivered_ths: delivered,
            gpu_util_pct: None,
        }
    }

    #[test]
    fn a_partly_polled_site_applies_its_sample_realisation_to_capacity() {
        // 10 S21 (200 TH/s nameplate each) delivered 1,800 TH/s: 90 % realisation.
        let t = by_site(
            &[asic_group("tx", "Antminer S21", 10, 1800.0)],
            &[example_site()],
        );
        let d = &t[&(day(2026, 3, 1), "tx".to_string())];
        assert_eq!(d.polled_nameplate_ths, 2000.0);
        let (ths, coverage) = measured_hashrate(100_000.0, d).unwrap();
        assert!((ths - 90_000.0).abs() < 1e-9);
        assert!((coverage - 0.02).abs() < 1e-12);
    }

    #[test]
    fn a_wholly_polled_site_shows_exactly_what_it_delivered() {
        let t = by_site(
            &[asic_group("Example TX", "S21", 10, 1800.0)],
            &[example_site()],
        );
        let d = &t[&(day(2026, 3, 1), "tx".to_string())];
        assert_eq!(measured_hashrate(1500.0, d), Some((1800.0, 1.0)));
    }

    #[test]
    fn unknown_models_and_sites_are_not_measured() {
        let t = by_site(
            &[
                asic_group("tx", "unknown", 5, 900.0),
                asic_group("elsewhere", "S21", 5, 900.0),
            ],
            &[example_site()],
        );
        assert!(t.is_empty());
        assert_eq!(measured_hashrate(100.0, &SiteTelemetryDay::default()), None);
    }

    #[test]
    fn gpu_utilisation_is_weighted_by_gpus() {
        let g = |devices, util| TelemetryGroup {
            site: "tx".into(),
            date: day(2026, 3, 1),
            kind: DeviceKind::Gpu,
            model: "H100".into(),
            devices,
            delivered_ths: 0.0,
            gpu_util_pct: Some(util),
        };
        let t = by_site(&[g(8, 90.0), g(24, 50.0)], &[example_site()]);
        let d = &t[&(day(2026, 3, 1), "tx".to_string())];
        assert_eq!(d.gpus, 32);
        assert!((d.gpu_util_pct.unwrap() - 60.0).abs() < 1e-12);
    }
}
