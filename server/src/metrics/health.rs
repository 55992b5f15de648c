//! `/metrics` for why devices are not earning and what DCGM says about each GPU: the devices
//! per reason (zeros included, so a dashboard's panel never goes blank), each device's reason
//! as a series an alert rule can match, and the GPU health fields as gauges and counters.

use app::model::ai::gpu_health::GpuHealth;
use app::model::fleet::devices::{Device, DeviceKind, DeviceStatus};
use app::model::fleet::reason::ReasonCode;

use super::exposition::{Exposition, Kind};
use super::labels::device_labels;

pub(super) fn write_reasons(out: &mut Exposition, devices: &[Device]) {
    out.family(
        "rigshift_devices_by_reason",
        "Devices by kind and the one reason they are not earning in full (every combination).",
        Kind::Gauge,
    );
    let mut counts = [[0usize; ReasonCode::ALL.len()]; 2];
    for d in devices {
        if let Some(r) = &d.reason {
            let code = r.code();
            let i = ReasonCode::ALL.iter().position(|c| *c == code).unwrap_or(0);
            counts[usize::from(d.kind == DeviceKind::Gpu)][i] += 1;
        }
    }
    for (k, kind) in [DeviceKind::Asic, DeviceKind::Gpu].into_iter().enumerate() {
        for (i, code) in ReasonCode::ALL.iter().enumerate() {
            out.sample(
                "rigshift_devices_by_reason",
                &[("kind", kind.as_str()), ("reason", code.as_str())],
                counts[k][i] as f64,
            );
        }
    }
    out.family(
        "rigshift_device_reason",
        "1 for a device's current reason (absent when nothing is wrong); the label names it.",
        Kind::Gauge,
    );
    for d in devices {
        if let Some(r) = &d.reason {
            let [a, b, c, e] = device_labels(d);
            out.sample(
                "rigshift_device_reason",
                &[a, b, c, e, ("reason", r.code().as_str())],
                1.0,
            );
        }
    }
}

type Field = fn(&GpuHealth) -> Option<f64>;

pub(super) fn write_gpu_health(out: &mut Exposition, devices: &[Device]) {
    let gpus: Vec<(&Device, &GpuHealth)> = devices
        .iter()
        .filter(|d| d.status != DeviceStatus::Offline)
        .filter_map(|d| d.gpu_health.as_deref().map(|h| (d, h)))
        .collect();
    let fields: [(&str, &str, Kind, Field); 9] = [
        (
            "rigshift_gpu_last_xid",
            "The last Xid the GPU raised (DCGM_FI_DEV_XID_ERRORS; 0 = none).",
            Kind::Gauge,
            |h| h.xid.map(f64::from),
        ),
        (
            "rigshift_gpu_ecc_uncorrectable_total",
            "Volatile double-bit ECC errors since the driver loaded.",
            Kind::Counter,
            |h| h.ecc_dbe.map(|v| v as f64),
        ),
        (
            "rigshift_gpu_ecc_corrected_total",
            "Volatile single-bit ECC errors since the driver loaded.",
            Kind::Counter,
            |h| h.ecc_sbe.map(|v| v as f64),
        ),
        (
            "rigshift_gpu_row_remap_pending",
            "1 while a row remap waits for a GPU reset.",
            Kind::Gauge,
            |h| h.row_remap_pending.map(|b| f64::from(u8::from(b))),
        ),
        (
            "rigshift_gpu_row_remap_failure",
            "1 when a row could not be remapped (no spare rows left).",
            Kind::Gauge,
            |h| h.row_remap_failure.map(|b| f64::from(u8::from(b))),
        ),
        (
            "rigshift_gpu_nvlink_crc_errors_total",
            "NVLink flow-control CRC errors over all links.",
            Kind::Counter,
            |h| h.nvlink_crc_errors.map(|v| v as f64),
        ),
        (
            "rigshift_gpu_clock_events",
            "Why the clocks are held down: NVML's clocks-event bitmask.",
            Kind::Gauge,
            |h| h.clock_events.map(|m| m.0 as f64),
        ),
        (
            "rigshift_gpu_tensor_active_ratio",
            "Share of cycles the tensor pipes were active (profiling field).",
            Kind::Gauge,
            |h| h.tensor_active,
        ),
        (
            "rigshift_gpu_pcie_replays_total",
            "PCIe link retries.",
            Kind::Counter,
            |h| h.pcie_replays.map(|v| v as f64),
        ),
    ];
    for (name, help, kind, read) in fields {
        out.family(name, help, kind);
        for (d, h) in &gpus {
            if let Some(v) = read(h) {
                out.sample(name, &device_labels(d), v);
            }
        }
    }
    // Energy per site (hall): the sum of its GPUs' counters; `increase()` over a window is the
    // energy the hall's GPUs drew in it.
    out.family(
        "rigshift_site_gpu_energy_kwh_total",
        "Energy the site's polled GPUs report since their drivers loaded, kWh (DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION).",
        Kind::Counter,
    );
    let mut sites: std::collections::BTreeMap<&str, f64> = Default::default();
    for (d, h) in &gpus {
        if let Some(e) = h.energy_kwh {
            *sites.entry(d.site.as_str()).or_default() += e;
        }
    }
    for (site, kwh) in sites {
        out.sample("rigshift_site_gpu_energy_kwh_total", &[("site", site)], kwh);
    }
}
