//! `/device?id=…&hours=…`: one device's state and its history (reported vs share-proven
//! hashrate or GPU utilisation; temperature and power) over a chosen range.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::fleet::{get_device_history, HISTORY_HOURS};
use crate::charts::device_history::{device_thermals, device_work};
use crate::charts::palette::Palette;
use crate::components::chart_panel::ChartPanel;
use crate::components::error_panel::ErrorPanel;
use crate::model::fleet::devices::DeviceKind;
use crate::state::live_fleet;

/// Percent-encodes a device id for a query value.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
pub fn DeviceDetailPage() -> impl IntoView {
    let query = use_query_map();
    let id = Memo::new(move |_| query.with(|q| q.get("id").unwrap_or_default()));
    let hours = Memo::new(move |_| {
        query.with(|q| {
            q.get("hours")
                .and_then(|h| h.parse().ok())
                .filter(|h| HISTORY_HOURS.contains(h))
                .unwrap_or(1)
        })
    });
    let live = live_fleet();
    let tick = Memo::new(move |_| {
        live.and_then(|l| l.get())
            .and_then(|s| s.at)
            .map(|t| t.timestamp() / 10)
    });
    let history = Resource::new(
        move || (id.get(), hours.get(), tick.get()),
        |(id, hours, _)| get_device_history(id, hours),
    );
    let lang = crate::locale::use_lang();
    let tx = &crate::locale::t().device;
    let f = &crate::locale::t().fleet;
    let latest = move || history.get().and_then(Result::ok);
    let kind = move || {
        latest()
            .and_then(|h| h.device.map(|d| d.kind))
            .unwrap_or(DeviceKind::Asic)
    };
    let work = Signal::derive(move || {
        latest().map(|h| device_work(&h.points, kind(), &Palette::DARK, lang).into())
    });
    let thermals = Signal::derive(move || {
        latest().map(|h| device_thermals(&h.points, &Palette::DARK, lang).into())
    });
    view! {
        <section class="page">
            <div class="page-head">
                <h1>{move || (tx.title)(&id.get())}</h1>
                <nav class="range-picker" aria-label=tx.history_range>
                    {HISTORY_HOURS.into_iter().map(|h| view! {
                        <a href=move || format!("/device?id={}&hours={h}", id.get()) class:active=move || hours.get() == h>{(tx.range)(h)}</a>
                    }).collect_view()}
                </nav>
            </div>
            <Transition fallback=|| view! { <p class="loading">{tx.loading}</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                    {move || Suspend::new(async move {
                        history.await.map(|h| h.device.map(|d| view! {
                            <super::device_health::ReasonPanel device=d.clone() />
                            <table class="data-table" tabindex="0" data-testid="device-state">
                                <tbody>
                                    <tr><th>{f.status}</th><td>{status_word(d.status)}{d.problem.filter(|_| d.status == crate::model::fleet::devices::DeviceStatus::Offline).map(|p| format!(" — {p}")).unwrap_or_default()}</td></tr>
                                    <tr><th>{tx.site_model}</th><td>{format!("{} / {}", d.site, d.model)}</td></tr>
                                    <tr><th>{f.address}</th><td>{d.address}</td></tr>
                                    <tr><th>{tx.last_seen}</th><td>{d.last_seen.map(|t| crate::i18n::numbers::utc_minute(lang, t)).unwrap_or_else(|| tx.never.into())}</td></tr>
                                    <tr><th>{tx.points}</th><td>{crate::i18n::numbers::number(lang, h.points.len() as f64, 0)}</td></tr>
                                </tbody>
                            </table>
                            {d.gpu_health.map(|g| view! { <super::device_health::GpuHealthTable health=*g /> })}
                        }))
                    })}
                </ErrorBoundary>
            </Transition>
            <ChartPanel title=tx.work id="chart-device-work" chart=work height_px=280 csv_href=Signal::derive(move || format!("/api/v1/export/device-work.csv?id={}&hours={}", encode(&id.get()), hours.get())) label=tx.work_label note=tx.work_note.to_string() />
            <ChartPanel title=tx.thermals id="chart-device-thermals" chart=thermals height_px=240 csv_href=Signal::derive(move || format!("/api/v1/export/device-thermals.csv?id={}&hours={}", encode(&id.get()), hours.get())) label=tx.thermals_label />
        </section>
    }
}

fn status_word(s: crate::model::fleet::devices::DeviceStatus) -> &'static str {
    let c = &crate::locale::t().common;
    match s {
        crate::model::fleet::devices::DeviceStatus::Online => c.online,
        crate::model::fleet::devices::DeviceStatus::Degraded => c.degraded,
        crate::model::fleet::devices::DeviceStatus::Offline => c.offline,
    }
}
