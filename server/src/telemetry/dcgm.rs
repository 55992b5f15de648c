//! NVIDIA DCGM exporter: one HTTP scrape of `/metrics` gives every GPU of a node.

use std::collections::BTreeMap;

use app::model::ai::gpu_health::{count, flag, ClockEvents, MJ_PER_KWH};
use app::model::fleet::devices::GpuReading;

use super::error::PollError;
use super::http::{self, BaseUrl};
use super::io::ExchangeLimits;
use super::prometheus;

/// Scrapes `http://host:port/path` (plain HTTP/1.0, so the answer is never chunked).
pub async fn scrape(url: &str, limits: ExchangeLimits) -> Result<Vec<GpuReading>, PollError> {
    let base = BaseUrl::parse(url)?;
    // The exporter's URL is the page itself: `/metrics` when it names no path.
    let (base, path) = if base.prefix.is_empty() {
        (base, "/metrics".to_string())
    } else {
        let path = base.prefix.clone();
        (
            BaseUrl {
                prefix: String::new(),
                ..base
            },
            path,
        )
    };
    let answer = http::request(&base, "GET", &path, &[], None, limits).await?;
    extract(&http::ok_body(answer)?)
}

/// GPUs from an exposition, keyed by their `gpu` label.
pub fn extract(text: &str) -> Result<Vec<GpuReading>, PollError> {
    let samples =
        prometheus::parse_borrowed(text).map_err(|e| PollError::Malformed(e.to_string()))?;
    let mut gpus: BTreeMap<u32, GpuReading> = BTreeMap::new();
    for s in samples.iter().filter(|s| s.name.starts_with("DCGM_FI_")) {
        let Some(index) = s.label("gpu").and_then(|g| g.parse::<u32>().ok()) else {
            continue;
        };
        let g = gpus.entry(index).or_insert_with(|| GpuReading {
            gpu: index,
            ..Default::default()
        });
        // Every sample of a GPU repeats its identity: copied once.
        if g.uuid.is_empty() {
            if let Some(u) = s.label("UUID") {
                g.uuid = u.to_string();
            }
        }
        if g.model_name.is_empty() {
            if let Some(m) = s.label("modelName") {
                g.model_name = m.to_string();
            }
        }
        if g.hostname.is_empty() {
            if let Some(h) = s.label("Hostname") {
                g.hostname = h.to_string();
            }
        }
        let v = Some(s.value).filter(|v| v.is_finite());
        let h = &mut g.health;
        match s.name {
            "DCGM_FI_DEV_GPU_UTIL" => g.util_pct = v,
            "DCGM_FI_DEV_POWER_USAGE" => g.power_w = v,
            "DCGM_FI_DEV_GPU_TEMP" => g.temp_c = v,
            "DCGM_FI_DEV_FB_USED" => g.fb_used_mib = v,
            "DCGM_FI_DEV_FB_FREE" => g.fb_free_mib = v,
            "DCGM_FI_DEV_SM_CLOCK" => g.sm_clock_mhz = v,
            "DCGM_FI_DEV_XID_ERRORS" => h.xid = count(s.value).and_then(|x| u32::try_from(x).ok()),
            "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL" => h.ecc_dbe = count(s.value),
            "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL" => h.ecc_sbe = count(s.value),
            "DCGM_FI_DEV_ROW_REMAP_PENDING" => h.row_remap_pending = flag(s.value),
            "DCGM_FI_DEV_ROW_REMAP_FAILURE" => h.row_remap_failure = flag(s.value),
            "DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL" => h.nvlink_crc_errors = count(s.value),
            // DCGM 3.3 renamed the throttle reasons to clock events; the bits did not change.
            "DCGM_FI_DEV_CLOCKS_EVENT_REASONS" | "DCGM_FI_DEV_CLOCK_THROTTLE_REASONS" => {
                h.clock_events = ClockEvents::from_sample(s.value)
            }
            "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE" => {
                h.tensor_active = v.filter(|v| (0.0..=1.0).contains(v))
            }
            "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION" => {
                h.energy_kwh = v.filter(|v| *v >= 0.0).map(|mj| mj / MJ_PER_KWH)
            }
            "DCGM_FI_DEV_PCIE_REPLAY_COUNTER" => h.pcie_replays = count(s.value),
            _ => {}
        }
    }
    if gpus.is_empty() {
        return Err(PollError::Malformed(
            "no DCGM GPU metrics in the answer".into(),
        ));
    }
    Ok(gpus.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_metrics_by_gpu() {
        let text = "# TYPE DCGM_FI_DEV_GPU_UTIL gauge\n\
DCGM_FI_DEV_GPU_UTIL{gpu=\"0\",UUID=\"GPU-a\",modelName=\"NVIDIA H100 80GB HBM3\",Hostname=\"n1\"} 95\n\
DCGM_FI_DEV_GPU_UTIL{gpu=\"1\",UUID=\"GPU-b\",modelName=\"NVIDIA H100 80GB HBM3\",Hostname=\"n1\"} 12\n\
DCGM_FI_DEV_POWER_USAGE{gpu=\"0\",UUID=\"GPU-a\"} 690.1\n\
DCGM_FI_DEV_GPU_TEMP{gpu=\"1\",UUID=\"GPU-b\"} NaN\n\
DCGM_FI_DEV_XID_ERRORS{gpu=\"1\",UUID=\"GPU-b\"} 79\n\
go_goroutines 12\n";
        let g = extract(text).unwrap();
        assert_eq!(g.len(), 2);
        assert_eq!(
            (g[0].uuid.as_str(), g[0].util_pct, g[0].power_w),
            ("GPU-a", Some(95.0), Some(690.1))
        );
        assert_eq!(g[1].temp_c, None, "NaN is unknown, not a temperature");
        assert_eq!(g[1].health.xid, Some(79));
        assert!(extract("go_goroutines 12\n").is_err());
    }

    /// Exporter answers in the exporter's own layout (HELP/TYPE lines, its labels), older and
    /// newer field names, with and without the profiling module.
    #[test]
    fn exporter_answers_parse_to_their_figures() {
        use app::model::ai::gpu_health::ClockEvent::*;
        use app::model::fleet::diagnosis::gpu_status;
        use app::model::fleet::reason::Reason;
        let older = extract(include_str!(
            "../../tests/fixtures/dcgm/exporter-3.1-h100-throttle-reasons.prom"
        ))
        .unwrap();
        assert_eq!(older.len(), 8);
        assert_eq!(older[0].model_name, "NVIDIA H100 80GB HBM3");
        assert_eq!(older[0].hostname, "gpu-node-a01");
        let h = &older[0].health;
        assert_eq!((h.xid, h.ecc_dbe, h.ecc_sbe), (Some(0), Some(0), Some(0)));
        assert_eq!(h.tensor_active, Some(0.612345));
        let kwh = 8_123_456_789_012.0 / 3.6e9;
        assert!(
            (h.energy_kwh.unwrap() - kwh).abs() < 1e-9,
            "{:?}",
            h.energy_kwh
        );
        assert_eq!(
            older[2].health.clock_events.unwrap().decode(),
            [SwThermalSlowdown, HwThermalSlowdown]
        );
        assert_eq!(gpu_status(&older[2]).1, Some(Reason::ThermalThrottle));
        let remap = &older[5].health;
        assert_eq!(
            (remap.ecc_dbe, remap.ecc_sbe, remap.row_remap_pending),
            (Some(2), Some(17), Some(true))
        );
        assert_eq!(gpu_status(&older[5]).1, Some(Reason::FatalXid { xid: 48 }));
        assert_eq!(older[7].health.clock_events.unwrap().decode(), [SwPowerCap]);
        assert_eq!(gpu_status(&older[7]).1, Some(Reason::PowerCap));
        assert_eq!(
            (
                older[4].health.nvlink_crc_errors,
                older[4].health.pcie_replays
            ),
            (Some(12), Some(3))
        );
        assert_eq!(gpu_status(&older[0]).1, None);

        let newer = extract(include_str!(
            "../../tests/fixtures/dcgm/exporter-3.3-h200-clocks-event-reasons.prom"
        ))
        .unwrap();
        assert_eq!(newer.len(), 8);
        assert_eq!(gpu_status(&newer[3]).1, Some(Reason::FatalXid { xid: 79 }));
        assert_eq!(newer[6].health.clock_events.unwrap().decode(), [GpuIdle]);
        assert_eq!(gpu_status(&newer[6]).1, None, "an idle GPU is not a fault");
        assert_eq!(newer[1].health.clock_events.map(|c| c.0), Some(0));

        let no_dcp = extract(include_str!(
            "../../tests/fixtures/dcgm/exporter-no-profiling-a100.prom"
        ))
        .unwrap();
        assert_eq!(no_dcp.len(), 4);
        assert!(no_dcp.iter().all(|g| g.health.tensor_active.is_none()));
        assert!(no_dcp.iter().all(|g| g.util_pct == Some(88.0)));
        assert_eq!(no_dcp[1].health.row_remap_failure, Some(true));
        assert_eq!(gpu_status(&no_dcp[1]).1, Some(Reason::FatalXid { xid: 64 }));
    }
}
