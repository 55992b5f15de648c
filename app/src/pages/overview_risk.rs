//! The overview's risk fan: the next 36 months of total revenue and mining margin, P10–P90
//! with the P50, and the two figures an investor asks first (revenue at risk, the chance
//! mining loses money).

use leptos::prelude::*;

use crate::api::overview_page::RiskPanel;
use crate::components::chart_panel::ChartPanel;
use crate::components::kpi_card::KpiCard;
use crate::i18n::numbers;
use crate::locale::{t, use_lang};

#[component]
pub fn RiskPanelView(panel: RiskPanel) -> impl IntoView {
    let r = &t().risk;
    let lang = use_lang();
    let pct = move |v: f64| format!("{} %", numbers::number(lang, v * 100.0, 1));
    let d = panel.dynamics;
    let mut note = (r.note)(
        &numbers::number(lang, panel.paths as f64, 0),
        &pct(d.btc_vol_per_year),
        &pct(d.btc_drift_per_year),
        &panel.source,
    );
    if let Some(f) = &panel.forward {
        note = format!("{note} {}.", (r.forward)(f));
    }
    let chart = panel.chart;
    view! {
        <div class="kpis" data-testid="risk-kpis">
            <KpiCard label=r.revenue_at_risk value=numbers::usd(lang, panel.revenue_at_risk_12m_usd) source=panel.source.clone() test_id="kpi-revenue-at-risk" />
            <KpiCard label=r.margin_negative value=pct(panel.worst_p_margin_negative) source=panel.source.clone() test_id="kpi-margin-negative" accent="mining" />
        </div>
        <ChartPanel title=r.title id="chart-risk-fan" chart=Signal::derive(move || Some(chart.clone())) height_px=300
            label=r.title note=note />
    }
}

/// The KPIs the sector reports, over the last 30 days.
#[component]
pub fn SectorKpisView(k: crate::model::investor::sector_kpis::SectorKpis) -> impl IntoView {
    let r = &t().risk;
    let lang = use_lang();
    let usd = move |v: f64| numbers::usd(lang, v);
    let per_ph = move |v: f64| format!("{}/PH", usd(v));
    let dash = || "—".to_string();
    let realised = k
        .realised_hashrate_ths
        .map_or_else(dash, |v| numbers::hashrate_ths(lang, v));
    let realised_note = if k.realised_hashrate_ths.is_some() {
        (r.realised_source)(k.pool_days)
    } else {
        r.no_payouts.to_string()
    };
    let hashprice = k.hashprice_usd_per_ph_day.map_or_else(dash, per_ph);
    let margin = move |m: Option<f64>| (r.margin_note)(&m.map_or_else(dash, usd));
    view! {
        <div class="panel kpi-panel" data-testid="sector-kpis">
            <div class="panel-head">
                <h2>{r.kpis_title}</h2>
                <span class="panel-note">{(r.kpis_note)(&numbers::date(lang, k.from), &numbers::date(lang, k.to))}</span>
            </div>
            <div class="kpis">
                <KpiCard label=r.realised_hashrate value=realised note=realised_note test_id="kpi-realised-hashrate" accent="mining" />
                <KpiCard label=r.hashcost value=k.hashcost_usd_per_ph_day.map_or_else(dash, per_ph) note=(r.hashcost_note)(&hashprice) test_id="kpi-hashcost" accent="mining" />
                <KpiCard label=r.mining_per_mw value=k.mining_revenue_usd_per_mw_day.map_or_else(dash, usd) note=margin(k.mining_margin_usd_per_mw_day) test_id="kpi-mining-per-mw" accent="mining" />
                <KpiCard label=r.ai_per_mw value=k.ai_revenue_usd_per_mw_day.map_or_else(dash, usd) note=margin(k.ai_margin_usd_per_mw_day) test_id="kpi-ai-per-mw" accent="ai" />
                <KpiCard label=r.backlog value=usd(k.ai_backlog_usd) note=(r.backlog_note)(k.open_ended_contracts) test_id="kpi-backlog" accent="ai" />
                <KpiCard label=r.uptime_mw value=numbers::mw(lang, k.uptime_weighted_mw) note=r.uptime_note.to_string() test_id="kpi-uptime-mw" />
            </div>
        </div>
    }
}

/// Each GPU-hour lease against the rental index for its model.
#[component]
pub fn LeaseMarksView(
    marks: Vec<crate::model::ai::mark_to_market::LeaseMark>,
    threshold_pct: f64,
) -> impl IntoView {
    let r = &t().risk;
    let lang = use_lang();
    let pct = move |v: f64| format!("{} %", numbers::number(lang, v, 1));
    // GPU-hour prices keep their cents: `$2.40/h`, `2,40 $/h`.
    let rate = move |v: f64| {
        let n = numbers::number(lang, v, 2);
        match lang {
            crate::i18n::Lang::En => format!("${n}/h"),
            crate::i18n::Lang::It => format!("{n} $/h"),
        }
    };
    let rows = marks
        .into_iter()
        .map(|m| {
            let index = m.index.as_ref().map_or_else(
                || r.no_index.to_string(),
                |q| {
                    format!(
                        "{} · {} · {}",
                        rate(q.usd_per_gpu_hour),
                        numbers::date(lang, q.date),
                        q.source
                    )
                },
            );
            let vs = match (m.vs_market_usd_per_month, m.vs_market_pct) {
                (Some(usd), Some(p)) => {
                    let sign = if p >= 0.0 { "+" } else { "" };
                    format!("{} ({sign}{})", numbers::usd(lang, usd), pct(p))
                }
                _ => "—".to_string(),
            };
            let renews = m
                .renews_in_days
                .map_or_else(|| r.open_ended.to_string(), r.renews_in);
            view! {
                <tr data-contract=m.contract_id.clone() class:alert=m.alert>
                    <td>{m.contract_id.clone()}<div class="muted">{m.tenant.clone()}</div></td>
                    <td>{m.gpu_model.clone().unwrap_or_else(|| "—".into())}" × "{numbers::number(lang, f64::from(m.gpus), 0)}</td>
                    <td>{rate(m.contract_usd_per_gpu_hour)}</td>
                    <td>{index}</td>
                    <td class="num">{vs}</td>
                    <td>{renews}{m.alert.then(|| view! { <div class="badge badge-alert">{r.below_market}</div> })}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="panel" data-testid="lease-marks">
            <div class="panel-head">
                <h2>{r.leases_title}</h2>
                <span class="panel-note">{(r.leases_note)(&pct(threshold_pct))}</span>
            </div>
            <table class="data-table" tabindex="0">
                <thead><tr>
                    <th>{r.col_contract}</th><th>{r.col_gpu}</th><th>{r.col_rate}</th>
                    <th>{r.col_index}</th><th>{r.col_vs_market}</th><th>{r.col_renews}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
