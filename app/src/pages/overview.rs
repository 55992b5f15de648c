//! `/`: the executive overview — today's KPIs, revenue mix over a range, revenue per MW by site.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::economics::get_overview;
use crate::components::chart_panel::ChartPanel;
use crate::components::error_panel::ErrorPanel;
use crate::components::kpi_card::KpiCard;
use crate::format;
use crate::model::overview::Overview;
use crate::model::range::TimeRange;

#[component]
pub fn OverviewPage() -> impl IntoView {
    let query = use_query_map();
    let range = Memo::new(move |_| {
        query
            .read()
            .get("range")
            .and_then(|r| TimeRange::parse(&r))
            .unwrap_or_default()
    });
    let overview = Resource::new(move || range.get(), get_overview);
    // Charts read the latest successful overview; on a range change they keep the old drawing
    // until the new data arrives, then replace it in place.
    let latest = move || overview.get().and_then(Result::ok);
    let mix = Signal::derive(move || latest().map(|p| p.revenue_mix));
    let per_mw = Signal::derive(move || latest().map(|p| p.revenue_per_mw));

    view! {
        <section class="page">
            <div class="page-head">
                <h1>"Overview"</h1>
                <div class="page-actions">
                    <RangePicker current=range />
                    // The print stylesheet lays the page out for a board pack (print to PDF).
                    <button type="button" class="no-print" data-testid="print" on:click=move |_| {
                        #[cfg(feature = "hydrate")]
                        if let Some(w) = web_sys::window() { w.print().ok(); }
                    }>"Print / PDF"</button>
                </div>
            </div>
            <Transition fallback=|| view! { <p class="loading">"Loading figures…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                    {move || Suspend::new(async move { overview.await.map(|p| view! { <Kpis o=p.overview /> }) })}
                </ErrorBoundary>
            </Transition>
            <ChartPanel title="Daily revenue: mining vs AI lease (USD thousands per day)" id="chart-revenue-mix" chart=mix height_px=340 csv_href=Signal::derive(move || format!("/api/v1/export/revenue-mix.csv?range={}", range.get().as_str())) label="Daily mining and AI lease revenue, history then projection" note="Solid: history. Dashed, shaded: projection (difficulty +2 %/month, flat BTC price)." />
            <ChartPanel title="Revenue per MW by site, today (USD per MW per day)" id="chart-site-revenue" chart=per_mw height_px=280 csv_href=Signal::derive(move || format!("/api/v1/export/site-revenue.csv?range={}", range.get().as_str())) label="Revenue per MW per day by site, mining against AI lease" />
        </section>
    }
}

/// Links rather than a select: they work before hydration and leave a shareable URL.
#[component]
fn RangePicker(current: Memo<TimeRange>) -> impl IntoView {
    view! {
        <nav class="range-picker" aria-label="Time range">
            {TimeRange::ALL
                .into_iter()
                .map(|r| {
                    view! {
                        <a
                            href=format!("/?range={}", r.as_str())
                            class:active=move || current.get() == r
                            aria-current=move || (current.get() == r).then_some("true")
                            data-range=r.as_str()
                        >
                            {r.label()}
                        </a>
                    }
                })
                .collect_view()}
        </nav>
    }
}

#[component]
fn Kpis(o: Overview) -> impl IntoView {
    let market = o.market_note();
    let hashrate = o.hashrate_note();
    let k = o.kpis.clone();
    let margin = k.mining_usd_per_day + k.ai_lease_usd_per_day - k.power_cost_usd_per_day;
    let mining_source = format!("{} · hashrate {}", market, k.hashrate_source.as_str());
    let timeline = "site MW from the conversion timeline".to_string();
    view! {
    <div class="kpis">
        <KpiCard label="Fleet hashrate" value=format::hashrate_ths(k.fleet_hashrate_ths) source=hashrate test_id="kpi-hashrate" accent="mining" />
        <KpiCard label="BTC mined / day" value=format::btc(k.btc_per_day) note=format!("at {} per BTC", format::usd(k.btc_usd)) source=mining_source.clone() test_id="kpi-btc" accent="mining" />
        <KpiCard label="Hashprice" value=format!("${:.2}", k.hashprice_usd_per_ph_day) note=format!("USD per PH/s per day · block {}", k.height) source=market.clone() test_id="kpi-hashprice" />
        <KpiCard label="Mining revenue / day" value=format::usd(k.mining_usd_per_day) source=mining_source test_id="kpi-mining-usd" accent="mining" />
        <KpiCard label="AI lease revenue / day" value=format::usd(k.ai_lease_usd_per_day) source="contracts on the timeline (GPU-hours at measured utilisation where DCGM covers them)".to_string() test_id="kpi-ai-usd" accent="ai" />
        <KpiCard label="Margin / day" value=format::usd(margin) note=format!("after {} power", format::usd(k.power_cost_usd_per_day)) source="computed from the figures beside it".to_string() test_id="kpi-margin" />
        <KpiCard label="MW mining" value=format::mw(k.mining_mw) source=timeline.clone() test_id="kpi-mining-mw" accent="mining" />
        <KpiCard label="MW AI (IT load)" value=format::mw(k.ai_mw) source=timeline test_id="kpi-ai-mw" accent="ai" />
        {o.pool.clone().map(|p| {
            let gap = p.gap().map(|g| format!(" · gap {:+.1} % (luck, pool fee, downtime)", g * 100.0)).unwrap_or_default();
            view! {
                <KpiCard label="Paid by pool (range)" value=format::btc(p.paid_btc) note=format!("expected {} from hashrate over {} days{gap}", format::btc(p.expected_btc), p.days) source="reported by the pool's API".to_string() test_id="kpi-pool" accent="mining" />
            }
        })}
        {o.telemetry.clone().map(|t| {
            // The stream replaces the server-rendered figure as poll cycles land.
            let live = crate::state::live_fleet();
            let summary = Signal::derive(move || live.and_then(|l| l.get()).unwrap_or_else(|| t.clone()));
            let sim = if o.fleet_simulated { "simulated devices on loopback · " } else { "" };
            view! {
                <KpiCard label="Polled fleet (live)" test_id="kpi-polled"
                    value=Signal::derive(move || format::hashrate_ths(summary.with(|s| s.asic_hashrate_ths)))
                    note=Signal::derive(move || summary.with(|s| format!("{} of {} devices up · shares prove {}", s.online + s.degraded, s.devices, if s.share_hashrate_ths > 0.0 { format::hashrate_ths(s.share_hashrate_ths) } else { "(measuring)".into() })))
                    source=format!("{sim}what the polled devices deliver now; their availability measures the fleet hashrate") />
            }
        })}
    </div>
    <p class="as-of" data-testid="history-provenance">{format!(
        "As of {} · range {} to {} · history: {} measured from telemetry, {} modelled from site capacity; after today: projected{}",
        k.as_of, o.from, o.to, format::days(o.measured_days), format::days(o.modelled_days),
        match o.bucket_days {
            1 => "",
            7 => " · chart: weekly averages",
            _ => " · chart: monthly averages",
        }
    )}</p>
        }
}
