//! The device page's reason panel (the one reason, in the reader's language, with its runbook
//! line) and a GPU's DCGM health fields.

use leptos::prelude::*;

use crate::i18n::numbers;
use crate::locale::{t, use_lang};
use crate::model::ai::gpu_health::GpuHealth;
use crate::model::fleet::devices::Device;

/// The reason first, then what to do; nothing when the device has none.
#[component]
pub fn ReasonPanel(device: Device) -> impl IntoView {
    let rx = &t().reasons;
    device.reason.map(|reason| {
        let code = reason.code();
        view! {
            <div class="panel reason-panel" data-testid="device-reason" data-reason=code.as_str()>
                <h2>{(rx.describe)(&reason)}</h2>
                <p><strong>{rx.runbook_title}": "</strong>{(rx.runbook)(code)}</p>
            </div>
        }
    })
}

/// Every health field the exporter gave, "not exported" for the ones it did not.
#[component]
pub fn GpuHealthTable(health: GpuHealth) -> impl IntoView {
    let lang = use_lang();
    let rx = &t().reasons;
    let missing = || rx.not_exported.to_string();
    let count =
        move |v: Option<u64>| v.map_or_else(missing, |v| numbers::number(lang, v as f64, 0));
    let xid = health.xid.map_or_else(missing, |x| {
        if x == 0 {
            rx.no_xid.to_string()
        } else {
            x.to_string()
        }
    });
    let ecc = match (health.ecc_dbe, health.ecc_sbe) {
        (None, None) => missing(),
        (d, s) => (rx.ecc_counts)(d.unwrap_or(0), s.unwrap_or(0)),
    };
    let remap = match (health.row_remap_failure, health.row_remap_pending) {
        (Some(true), _) => rx.remap_failed.to_string(),
        (_, Some(true)) => rx.remap_pending.to_string(),
        (None, None) => missing(),
        _ => rx.remap_ok.to_string(),
    };
    let clocks = health.clock_events.map_or_else(missing, |m| {
        let events = m.decode();
        if events.is_empty() && m.unknown_bits() == 0 {
            return rx.clocks_full.to_string();
        }
        let mut words: Vec<String> = events
            .iter()
            .map(|e| (rx.clock_event)(*e).to_string())
            .collect();
        if m.unknown_bits() != 0 {
            words.push(format!("{:#x}", m.unknown_bits()));
        }
        format!("{} ({:#x})", words.join(", "), m.0)
    });
    let tensor = health.tensor_active.map_or_else(missing, |r| {
        format!("{} %", numbers::number(lang, r * 100.0, 1))
    });
    let energy = health
        .energy_kwh
        .map_or_else(missing, |e| format!("{} kWh", numbers::number(lang, e, 1)));
    let rows = [
        (rx.last_xid, xid),
        (rx.ecc, ecc),
        (rx.row_remap, remap),
        (rx.clock_events, clocks),
        (rx.nvlink_crc, count(health.nvlink_crc_errors)),
        (rx.pcie_replays, count(health.pcie_replays)),
        (rx.tensor_active, tensor),
        (rx.energy, energy),
    ];
    view! {
        <div class="panel">
            <div class="panel-head"><h2>{rx.health_title}</h2></div>
            <table class="data-table" tabindex="0" data-testid="gpu-health">
                <tbody>
                    {rows.into_iter().map(|(k, v)| view! { <tr><th>{k}</th><td>{v}</td></tr> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
