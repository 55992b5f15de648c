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
