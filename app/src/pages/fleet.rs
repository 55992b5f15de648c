//! `/fleet`: live state of every ASIC and GPU — totals, sites, and a server-paged, sortable,
//! filterable device table that refreshes as the stream reports new poll results.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::fleet::get_fleet;
use crate::charts::{palette::Palette, status_heatmap::status_heatmap};
use crate::components::chart_panel::ChartPanel;
use crate::components::error_panel::ErrorPanel;
use crate::components::kpi_card::KpiCard;
use crate::i18n::numbers;
use crate::locale::{t, use_lang};
use crate::model::fleet::devices::{
    Device, DeviceQuery, DeviceSort, DeviceStatus, FleetSummary, ReasonCount,
};
use crate::model::fleet::reason::ReasonCode;
use crate::state::live_fleet;

const PER_PAGE: usize = 50;

fn parse_sort(s: &str) -> DeviceSort {
    match s {
        "id" => DeviceSort::Id,
        "hashrate" => DeviceSort::Hashrate,
        "temp" => DeviceSort::Temp,
        "power" => DeviceSort::Power,
        _ => DeviceSort::Status,
    }
}

#[component]
pub fn FleetPage() -> impl IntoView {
    let query = use_query_map();
    let device_query = Memo::new(move |_| {
        query.with(|q| DeviceQuery {
            page: q.get("page").and_then(|p| p.parse().ok()).unwrap_or(0),
            per_page: PER_PAGE,
            sort: q.get("sort").map(|s| parse_sort(&s)).unwrap_or_default(),
            status: q.get("status").and_then(|s| DeviceStatus::parse(&s)),
            site: q.get("site").filter(|s| !s.is_empty()),
            search: q.get("q").filter(|s| !s.is_empty()),
            reason: q.get("reason").and_then(|r| ReasonCode::parse(&r)),
        })
    });
    let live = live_fleet();
    // Refetch the table whenever the stream reports a new poll cycle.
    let tick = Memo::new(move |_| live.and_then(|l| l.get()).and_then(|s| s.at));
    let fleet = Resource::new(
        move || (device_query.get(), tick.get()),
        |(q, _)| get_fleet(q),
    );
    let lang = use_lang();
    // Outside the Suspense so refetches update the drawing in place instead of re-creating it.
    let heatmap = Signal::derive(move || {
        fleet
            .get()
            .and_then(Result::ok)
            .map(|v| status_heatmap(&v.grid, &Palette::DARK, lang).into())
    });

    let tx = &t().fleet;
    let heatmap_note = Signal::derive(move || {
        fleet
            .get()
            .and_then(Result::ok)
            .map(|v| crate::charts::status_heatmap::legend(&v.grid, lang))
    });

    view! {
        <section class="page">
            <div class="page-head">
                <h1>{tx.title}</h1>
                <span class="panel-note">{tx.polled_over}</span>
            </div>
            <Transition fallback=|| view! { <p class="loading">{tx.loading}</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                    {move || Suspend::new(async move {
                        fleet.await.map(|view| {
                            let ssr_summary = view.summary;
                            let summary = Signal::derive(move || live.and_then(|l| l.get()).unwrap_or_else(|| ssr_summary.clone()));
                            view! { <Totals summary /> }
                        })
                    })}
                </ErrorBoundary>
            </Transition>
            <ChartPanel title=tx.status_map id="chart-fleet-status" chart=heatmap height_px=320 csv_href=Signal::stored("/api/v1/export/fleet.csv".to_string()) label=tx.status_map_label note=heatmap_note />
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    fleet.await.ok().map(|view| view! {
                        <Sites summary=view.summary.clone() />
                        <DeviceTable rows=view.page.rows.clone() total=view.page.total page=view.page.page reasons=view.page.reasons.clone() />
                    })
                })}
            </Transition>
            <super::fleet_scan::ScanPanel />
        </section>
    }
}

#[component]
fn Totals(summary: Signal<FleetSummary>) -> impl IntoView {
    let lang = use_lang();
    let tx = &t().fleet;
    let s = move |f: Box<dyn Fn(&FleetSummary) -> String + Send + Sync>| {
        Signal::derive(move || summary.with(|v| f(v)))
    };
    view! {
        <div class="kpis">
            <KpiCard label=tx.asic_hashrate test_id="live-hashrate" accent="mining" value=s(Box::new(move |s| numbers::hashrate_ths(lang, s.asic_hashrate_ths))) />
            <KpiCard label=tx.proven test_id="live-share-hashrate" accent="mining" value=s(Box::new(move |s| if s.share_hashrate_ths > 0.0 { numbers::hashrate_ths(lang, s.share_hashrate_ths) } else { tx.measuring.into() })) note=s(Box::new(|_| tx.proven_note.into())) />
            <KpiCard label=tx.devices_online test_id="live-online" value=s(Box::new(move |s| format!("{} / {}", numbers::number(lang, s.online as f64, 0), numbers::number(lang, s.devices as f64, 0)))) note=s(Box::new(|s| (tx.degraded_offline)(s.degraded, s.offline))) />
            <KpiCard label=tx.gpu_util test_id="live-gpu-util" accent="ai" value=s(Box::new(|s| s.gpu_util_avg_pct.map(|u| format!("{u:.0} %")).unwrap_or_else(|| "—".into()))) note=s(Box::new(|s| (tx.gpus)(s.gpus))) />
            <KpiCard label=tx.power_draw test_id="live-power" value=s(Box::new(move |s| format!("{} MW", numbers::number(lang, s.power_kw / 1000.0, 2)))) />
            <KpiCard label=tx.poll_lag test_id="live-lag" value=s(Box::new(|s| format!("{} ms", s.poll_lag_ms))) note=s(Box::new(|s| s.at.map(|at| (tx.last_cycle)(&at.format("%H:%M:%S UTC").to_string())).unwrap_or_default())) />
        </div>
    }
}

#[component]
fn Sites(summary: FleetSummary) -> impl IntoView {
    let lang = use_lang();
    let (tx, c) = (&t().fleet, &t().common);
    let count = move |n: usize| numbers::number(lang, n as f64, 0);
    view! {
        <div class="panel">
            <div class="panel-head"><h2>{tx.by_site}</h2></div>
            <table class="data-table" tabindex="0">
                <thead><tr><th>{tx.site}</th><th>{tx.asics}</th><th>{tx.gpus_col}</th><th>{capitalised(c.online)}</th><th>{capitalised(c.degraded)}</th><th>{capitalised(c.offline)}</th><th>{tx.hashrate}</th></tr></thead>
                <tbody>
                    {summary.sites.into_iter().map(|s| view! {
                        <tr>
                            <td><a href=format!("/fleet?site={}", s.site)>{s.site.clone()}</a></td>
                            <td>{count(s.asics)}</td><td>{count(s.gpus)}</td>
                            <td class="st-online">{count(s.online)}</td>
                            <td class="st-degraded">{count(s.degraded)}</td>
                            <td class="st-offline">{count(s.offline)}</td>
                            <td>{numbers::hashrate_ths(lang, s.asic_hashrate_ths)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Links keep every filter in the URL, so views can be shared and work before hydration.
fn link_with(key: &'static str, value: String) -> impl Fn() -> String {
    let query = use_query_map();
    move || {
        let mut pairs: Vec<(String, String)> = query.with(|q| {
            ["status", "site", "sort", "q", "reason"]
                .iter()
                .filter_map(|k| q.get(k).map(|v| (k.to_string(), v)))
                .collect()
        });
        pairs.retain(|(k, _)| k != key);
        if !value.is_empty() {
            pairs.push((key.to_string(), value.clone()));
        }
        let qs: Vec<String> = pairs.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("/fleet?{}", qs.join("&"))
    }
}

#[component]
fn DeviceTable(
    rows: Vec<Device>,
    total: usize,
    page: usize,
    reasons: Vec<ReasonCount>,
) -> impl IntoView {
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page_link = move |p: usize| {
        let base = link_with("page", String::new())();
        format!("{base}&page={p}")
    };
    let lang = use_lang();
    let (tx, c, rx) = (&t().fleet, &t().common, &t().reasons);
    let opt = move |v: Option<f64>, decimals: usize, unit: &str| {
        v.map(|v| format!("{} {unit}", numbers::number(lang, v, decimals)))
            .unwrap_or_else(|| "—".into())
    };
    let shown = move |s: DeviceStatus| match s {
        DeviceStatus::Online => c.online,
        DeviceStatus::Degraded => c.degraded,
        DeviceStatus::Offline => c.offline,
    };
    view! {
        <div class="panel">
            <div class="panel-head">
                <h2>{(tx.devices)(&numbers::number(lang, total as f64, 0))}</h2>
                <nav class="range-picker" aria-label=tx.status_filter>
                    <a href=link_with("status", String::new())>{tx.all}</a>
                    <a href=link_with("status", "degraded".into())>{capitalised(c.degraded)}</a>
                    <a href=link_with("status", "offline".into())>{capitalised(c.offline)}</a>
                    <a href=link_with("status", "online".into())>{capitalised(c.online)}</a>
                </nav>
                <nav class="range-picker reason-filter" aria-label=rx.column data-testid="reason-filter">
                    <a href=link_with("reason", String::new())>{rx.any}</a>
                    {reasons.into_iter().map(|r| view! {
                        <a href=link_with("reason", r.reason.as_str().into()) data-reason=r.reason.as_str()>
                            {format!("{} ({})", (rx.label)(r.reason), numbers::number(lang, r.devices as f64, 0))}
                        </a>
                    }).collect_view()}
                </nav>
                <nav class="range-picker" aria-label=tx.sort>
                    <a href=link_with("sort", "status".into())>{tx.problems_first}</a>
                    <a href=link_with("sort", "hashrate".into())>{tx.hashrate}</a>
                    <a href=link_with("sort", "temp".into())>{tx.temperature}</a>
                    <a href=link_with("sort", "id".into())>{tx.id}</a>
                </nav>
            </div>
            <table class="data-table" tabindex="0" data-testid="device-table">
                <thead>
                    <tr><th>{tx.device}</th><th>{rx.column}</th><th>{tx.site}</th><th>{tx.model}</th><th>{tx.status}</th><th>{tx.reported}</th><th>{tx.by_shares}</th><th>{tx.gpu_util_col}</th><th>{tx.temp}</th><th>{tx.power}</th></tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|d| {
                        let status = d.status.as_str();
                        view! {
                            <tr data-status=status>
                                <td title=d.address.clone()><a href=format!("/device?id={}", d.id)>{d.id.clone()}</a></td>
                                <ReasonCell device=&d />
                                <td>{d.site.clone()}</td>
                                <td>{d.model.clone()}</td>
                                <td><span class=format!("badge st-{status}")>{shown(d.status)}</span></td>
                                <td>{opt(d.hashrate_ths, 1, "TH/s")}</td>
                                <td>{opt(d.share_hashrate_ths, 1, "TH/s")}</td>
                                <td>{opt(d.gpu_util_pct, 0, "%")}</td>
                                <td>{opt(d.temp_c, 0, "°C")}</td>
                                <td title=d.power_source.map(rx.power_from) data-power-source=d.power_source.map(crate::model::fleet::devices::PowerSource::as_str)>{opt(d.power_w, 0, "W")}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <nav class="pager" aria-label=tx.pages>
                {(page > 0).then(|| view! { <a href=page_link(page - 1)>{tx.previous}</a> })}
                <span>{(tx.page_of)(page + 1, &numbers::number(lang, pages as f64, 0))}</span>
                {(page + 1 < pages).then(|| view! { <a href=page_link(page + 1)>{tx.next}</a> })}
            </nav>
        </div>
    }
}

/// The one reason, in the reader's language, with its runbook line on hover; an offline
/// device's poll error (English, from the transport) follows as detail.
#[component]
fn ReasonCell<'a>(device: &'a Device) -> impl IntoView {
    let rx = &t().reasons;
    let Some(reason) = device.reason.clone() else {
        return view! { <td class="reason"></td> }.into_any();
    };
    let code = reason.code();
    let detail = (code == ReasonCode::Offline)
        .then(|| device.problem.clone())
        .flatten()
        .map(|p| view! { <span class="reason-detail">{p}</span> });
    // The firmware maker's page for its own code, where the firmware named one (https only).
    let docs = reason
        .firmware_report()
        .and_then(|r| r.doc_url.clone())
        .filter(|u| u.starts_with("https://"))
        .map(|u| view! { " " <a class="reason-docs" href=u target="_blank" rel="noopener noreferrer">{rx.firmware_docs}</a> });
    view! {
        <td class="reason" data-reason=code.as_str() title=(rx.runbook)(code)>
            {(rx.describe)(&reason)}
            {docs}
            {detail}
        </td>
    }
    .into_any()
}

/// `online` → `Online`, for headers and filters.
fn capitalised(word: &str) -> String {
    let mut c = word.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
