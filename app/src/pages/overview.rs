//! `/`: the executive overview — today's KPIs, revenue mix over a range, revenue per MW by site.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::economics::get_overview;
use crate::components::chart_panel::ChartPanel;
use crate::components::error_panel::ErrorPanel;
use crate::components::kpi_card::KpiCard;
use crate::i18n::{numbers, Lang};
use crate::locale::{t, use_lang};
use crate::model::company::range::TimeRange;
use crate::model::investor::overview::Overview;
use crate::model::mining::market::MarketSource;
use crate::model::mining::measured::HashrateSource;

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
    let lang = use_lang();
    let overview = Resource::new(move || range.get(), move |r| get_overview(r, lang));
    // Charts read the latest successful overview; on a range change they keep the old drawing
    // until the new data arrives, then replace it in place.
    let latest = move || overview.get().and_then(Result::ok);
    let mix = Signal::derive(move || latest().map(|p| p.revenue_mix));
    let per_mw = Signal::derive(move || latest().map(|p| p.revenue_per_mw));
    let tx = t();

    view! {
        <section class="page">
            <div class="page-head">
                <h1>{tx.overview.title}</h1>
                <div class="page-actions">
                    <RangePicker current=range />
                    // The print stylesheet lays the page out for a board pack (print to PDF).
                    <button type="button" class="no-print" data-testid="print" on:click=move |_| {
                        #[cfg(feature = "hydrate")]
                        if let Some(w) = web_sys::window() { w.print().ok(); }
                    }>{tx.overview.print}</button>
                </div>
            </div>
            <Transition fallback=|| view! { <p class="loading">{tx.overview.loading}</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                    {move || Suspend::new(async move { overview.await.map(|p| if p.sites == 0 {
                        view! { <super::sites::FirstRun /> }.into_any()
                    } else { view! {
                        <Kpis o=p.overview.clone() />
                        {p.power.map(|panel| view! { <PowerPanelView panel /> })}
                        {p.kpis.map(|k| view! { <super::overview_risk::SectorKpisView k /> })}
                        {p.risk.map(|panel| view! { <super::overview_risk::RiskPanelView panel /> })}
                        {(!p.leases.is_empty()).then(|| view! { <super::overview_risk::LeaseMarksView marks=p.leases threshold_pct=p.below_market_alert_pct /> })}
                    }.into_any() }) })}
                </ErrorBoundary>
            </Transition>
            // An empty portfolio has nothing to chart: the first-run panel says what to do.
            <div style:display=move || if latest().is_some_and(|p| p.sites == 0) { "none" } else { "contents" }>
            <ChartPanel title=tx.overview.mix_title id="chart-revenue-mix" chart=mix height_px=340 csv_href=Signal::derive(move || format!("/api/v1/export/revenue-mix.csv?range={}", range.get().as_str())) label=tx.overview.mix_label note=tx.overview.mix_note.to_string() />
            <ChartPanel title=tx.overview.per_mw_title id="chart-site-revenue" chart=per_mw height_px=280 csv_href=Signal::derive(move || format!("/api/v1/export/site-revenue.csv?range={}", range.get().as_str())) label=tx.overview.per_mw_label />
            </div>
        </section>
    }
}

/// Price against strike at the first index-priced site, curtailed intervals shaded.
#[component]
fn PowerPanelView(panel: crate::api::overview_page::PowerPanel) -> impl IntoView {
    let tx = &t().overview;
    let lang = use_lang();
    let note = (tx.power_note)(
        &panel.site,
        &numbers::number(lang, panel.hours_curtailed, 2),
        &numbers::usd(lang, panel.flexibility_value_usd),
        &panel.price_source,
    );
    let csv = format!(
        "/api/v1/export/curtailment.csv?site={}&from={}&to={}",
        panel.site, panel.from, panel.to
    );
    let chart = panel.chart;
    view! {
        <ChartPanel title=tx.power_title id="chart-power" chart=Signal::derive(move || Some(chart.clone())) height_px=280
            csv_href=Signal::derive(move || csv.clone()) label=tx.power_label note=note />
    }
}

/// Links rather than a select: they work before hydration and leave a shareable URL.
#[component]
fn RangePicker(current: Memo<TimeRange>) -> impl IntoView {
    let o = &t().overview;
    let label = move |r: TimeRange| match r {
        TimeRange::SixMonths => o.range_6m,
        TimeRange::OneYear => o.range_1y,
        TimeRange::ThreeYears => o.range_3y,
        // The years themselves: the same in every language.
        TimeRange::All => r.label(),
    };
    view! {
        <nav class="range-picker" aria-label=o.range>
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
                            {label(r)}
                        </a>
                    }
                })
                .collect_view()}
        </nav>
    }
}

#[component]
fn Kpis(o: Overview) -> impl IntoView {
    let lang = use_lang();
    let tx = &t().overview;
    let market = market_note(&o, lang);
    let hashrate = hashrate_note(&o, lang);
    let k = o.kpis.clone();
    let margin = k.mining_usd_per_day + k.ai_lease_usd_per_day - k.power_cost_usd_per_day;
    let source = match k.hashrate_source {
        HashrateSource::Measured => tx.source_measured,
        HashrateSource::Modelled => tx.source_modelled,
        HashrateSource::Projected => tx.source_projected,
        HashrateSource::Reported => tx.source_reported,
    };
    let mining_source = format!("{} · {} {}", market, tx.hashrate_word, source);
    let timeline = tx.mw_source.to_string();
    let usd = move |v: f64| numbers::usd(lang, v);
    view! {
    <div class="kpis">
        <KpiCard label=tx.fleet_hashrate value=numbers::hashrate_ths(lang, k.fleet_hashrate_ths) source=hashrate test_id="kpi-hashrate" accent="mining" />
        <KpiCard label=tx.btc_per_day value=numbers::btc(lang, k.btc_per_day) note=(tx.at_price)(&usd(k.btc_usd)) source=mining_source.clone() test_id="kpi-btc" accent="mining" />
        <KpiCard label=tx.hashprice value=hashprice(lang, k.hashprice_usd_per_ph_day) note=(tx.hashprice_note)(k.height) source=market.clone() test_id="kpi-hashprice" />
        <KpiCard label=tx.mining_revenue value=usd(k.mining_usd_per_day) source=mining_source test_id="kpi-mining-usd" accent="mining" />
        <KpiCard label=tx.ai_revenue value=usd(k.ai_lease_usd_per_day) source=tx.ai_source.to_string() test_id="kpi-ai-usd" accent="ai" />
        <KpiCard label=tx.margin value=usd(margin) note=(tx.after_power)(&usd(k.power_cost_usd_per_day)) source=tx.margin_source.to_string() test_id="kpi-margin" />
        <KpiCard label=tx.mw_mining value=numbers::mw(lang, k.mining_mw) source=timeline.clone() test_id="kpi-mining-mw" accent="mining" />
        <KpiCard label=tx.mw_ai value=numbers::mw(lang, k.ai_mw) source=timeline test_id="kpi-ai-mw" accent="ai" />
        {o.pool.clone().map(|p| {
            let gap = p.gap().map(|g| (tx.pool_gap)(&signed_percent(lang, g))).unwrap_or_default();
            view! {
                <KpiCard label=tx.pool_paid value=numbers::btc(lang, p.paid_btc) note=(tx.pool_expected)(&numbers::btc(lang, p.expected_btc), p.days, &gap) source=tx.pool_source.to_string() test_id="kpi-pool" accent="mining" />
            }
        })}
        {o.telemetry.clone().map(|t| {
            // The stream replaces the server-rendered figure as poll cycles land.
            let live = crate::state::live_fleet();
            let summary = Signal::derive(move || live.and_then(|l| l.get()).unwrap_or_else(|| t.clone()));
            let sim = if o.fleet_simulated { tx.polled_source_sim } else { "" };
            view! {
                <KpiCard label=tx.polled test_id="kpi-polled"
                    value=Signal::derive(move || numbers::hashrate_ths(lang, summary.with(|s| s.asic_hashrate_ths)))
                    note=Signal::derive(move || summary.with(|s| (tx.polled_note)(s.online + s.degraded, s.devices, &if s.share_hashrate_ths > 0.0 { numbers::hashrate_ths(lang, s.share_hashrate_ths) } else { tx.measuring.into() })))
                    source=format!("{sim}{}", tx.polled_source) />
            }
        })}
    </div>
    <p class="as-of" data-testid="history-provenance">{(tx.provenance)(
        &numbers::date(lang, k.as_of), &numbers::date(lang, o.from), &numbers::date(lang, o.to),
        o.measured_days, o.modelled_days,
        match o.bucket_days {
            1 => "",
            7 => tx.weekly,
            _ => tx.monthly,
        }
    )}</p>
    <p class="as-of" data-testid="power-provenance">{power_note(&o, lang)}</p>
    {o.forward.clone().map(|f| view! { <p class="as-of" data-testid="forward-provenance">{(lang.texts().risk.forward_provenance)(&f)}</p> })}
        }
}

/// Where each site's power cost comes from: interval prices at a point, a fixed price, or the
/// flat rate of sites without terms.
fn power_note(o: &Overview, lang: Lang) -> String {
    use crate::model::power::contract::ContractKind;
    let tx = &t().overview;
    let mut parts: Vec<String> = o
        .power_notes
        .iter()
        .filter_map(|n| match (n.kind, &n.point) {
            (ContractKind::Fixed, _) => Some((tx.power_fixed)(&n.site)),
            (ContractKind::Flat, _) => None,
            (kind, Some(point)) => Some((tx.power_interval)(
                &n.site,
                if kind == ContractKind::Index {
                    tx.contract_index
                } else {
                    tx.contract_hedged
                },
                point,
                &numbers::number(lang, n.intervals as f64, 0),
            )),
            _ => None,
        })
        .collect();
    if parts.is_empty() {
        return tx.power_flat_all.to_string();
    }
    if o.power_notes.iter().any(|n| n.kind == ContractKind::Flat) {
        parts.push(tx.power_flat.to_string());
    }
    parts.join("; ")
}

/// `$52.31` / `52,31 $`: hashprice keeps its cents.
fn hashprice(lang: Lang, usd_per_ph_day: f64) -> String {
    let n = numbers::number(lang, usd_per_ph_day, 2);
    match lang {
        Lang::En => format!("${n}"),
        Lang::It => format!("{n} $"),
    }
}

/// `+3.2 %` / `+3,2 %`.
fn signed_percent(lang: Lang, share: f64) -> String {
    let sign = if share >= 0.0 { "+" } else { "" };
    format!("{sign}{} %", numbers::number(lang, share * 100.0, 1))
}

/// Where today's market figures come from, as a KPI footnote.
fn market_note(o: &Overview, lang: Lang) -> String {
    let tx = &lang.texts().overview;
    match o.kpis.market_source {
        MarketSource::Live => {
            let feed = o.market_feed.as_ref();
            let host = feed.map_or("mempool", |f| f.host.as_str());
            let at = feed
                .and_then(|f| f.fetched_at)
                .map(|t| format!(" · {}", t.format("%H:%M UTC")))
                .unwrap_or_default();
            let stale = feed.is_some_and(|f| f.stale_since.is_some());
            (tx.market_live)(host, &at, stale)
        }
        MarketSource::Bundled => (tx.market_bundled)(&numbers::date(lang, o.kpis.as_of)),
        MarketSource::Simulated => match o.market_as_of {
            Some(d) => (tx.market_simulated_after)(&numbers::date(lang, d)),
            None => tx.market_simulated.into(),
        },
        MarketSource::Projected => tx.market_projected.into(),
    }
}

/// How today's fleet hashrate was obtained, as a KPI footnote.
fn hashrate_note(o: &Overview, lang: Lang) -> String {
    let tx = &lang.texts().overview;
    let k = &o.kpis;
    match k.hashrate_source {
        HashrateSource::Measured => {
            let pct = k.telemetry_coverage * 100.0;
            let coverage = if pct >= 99.95 {
                tx.whole_fleet.to_string()
            } else {
                (tx.of_capacity)(&numbers::number(lang, pct, if pct >= 1.0 { 1 } else { 2 }))
            };
            (tx.hashrate_measured)(
                &numbers::number(lang, k.polled_asics as f64, 0),
                o.fleet_simulated,
                &coverage,
            )
        }
        HashrateSource::Modelled | HashrateSource::Projected | HashrateSource::Reported => {
            tx.hashrate_modelled.into()
        }
    }
}
