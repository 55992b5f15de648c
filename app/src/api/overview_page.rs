//! What the overview page receives: the headline figures and its two charts, built on the
//! server. Its own module so the overview cache (held by the ports' `Services`) needs nothing
//! from the server functions.

use serde::{Deserialize, Serialize};

use crate::charts::option::ChartOption;
use crate::model::investor::overview::Overview;

/// The overview page's data: the headline figures and the two charts, built on the server so
/// the overview's wasm carries no chart builder. Daily rows, sites and notes stay behind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverviewPage {
    pub overview: Overview,
    pub revenue_mix: ChartOption,
    pub revenue_per_mw: ChartOption,
    /// The first index-priced site's last week: price against strike, curtailment shaded.
    #[serde(default)]
    pub power: Option<PowerPanel>,
    /// The next 36 months' risk bands as a fan; `None` without enough market history.
    #[serde(default)]
    pub risk: Option<RiskPanel>,
    /// The sector's KPIs over the last 30 days.
    #[serde(default)]
    pub kpis: Option<crate::model::investor::sector_kpis::SectorKpis>,
    /// GPU-hour leases marked to the rental index, and the alert threshold (%).
    #[serde(default)]
    pub leases: Vec<crate::model::ai::mark_to_market::LeaseMark>,
    #[serde(default)]
    pub below_market_alert_pct: f64,
    /// Sites in the portfolio: none shows the first-run panel instead of empty charts.
    #[serde(default)]
    pub sites: usize,
}

/// The overview's risk fan: total revenue and mining margin, P10–P90 with the P50.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskPanel {
    pub chart: ChartOption,
    pub paths: usize,
    pub dynamics: crate::model::investor::risk::Dynamics,
    /// Where the dynamics come from (the report's `source`).
    pub source: String,
    /// Sum over the next 12 months of each month's 95 % revenue-at-risk, USD.
    pub revenue_at_risk_12m_usd: f64,
    /// The highest monthly chance that mining's margin is negative.
    pub worst_p_margin_negative: f64,
    /// The forward curve's label when the projection is priced on one.
    pub forward: Option<String>,
}

/// What the risk report says, as the panel takes it (the report's own type lives with the
/// server functions, which need the ports).
pub struct RiskFigures<'a> {
    pub months: &'a [crate::model::investor::risk::MonthBand],
    pub paths: usize,
    pub dynamics: crate::model::investor::risk::Dynamics,
    pub source: &'a str,
}

impl RiskPanel {
    pub fn new(
        report: RiskFigures,
        forward: Option<String>,
        simulated: bool,
        lang: crate::i18n::Lang,
    ) -> Self {
        use crate::charts::{palette::Palette, risk_fan};
        let r = &lang.texts().risk;
        let months: Vec<_> = report.months.iter().map(|m| m.month).collect();
        let fans = [
            risk_fan::Fan {
                name: r.total_revenue,
                color: Palette::DARK.ai_lease,
                bands: report.months.iter().map(|m| m.total_usd).collect(),
            },
            risk_fan::Fan {
                name: r.mining_margin,
                color: Palette::DARK.mining,
                bands: report.months.iter().map(|m| m.mining_margin_usd).collect(),
            },
        ];
        Self {
            chart: risk_fan::fan_chart(&months, &fans, &Palette::DARK, lang, simulated).into(),
            paths: report.paths,
            dynamics: report.dynamics,
            source: report.source.to_string(),
            revenue_at_risk_12m_usd: report
                .months
                .iter()
                .take(12)
                .map(|m| m.revenue_at_risk_95_usd)
                .sum(),
            worst_p_margin_negative: report
                .months
                .iter()
                .map(|m| m.p_mining_margin_negative)
                .fold(0.0, f64::max),
            forward,
        }
    }
}

/// The overview's power panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PowerPanel {
    pub site: String,
    pub point: String,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub chart: ChartOption,
    pub hours_curtailed: f64,
    /// Curtailment + 4CP + demand response over the week, $: what a conversion gives up.
    pub flexibility_value_usd: f64,
    /// Where the prices came from.
    pub price_source: String,
}

impl OverviewPage {
    #[cfg(feature = "ssr")]
    pub fn new(o: Overview, lang: crate::i18n::Lang) -> Self {
        use crate::charts::{palette::Palette, revenue_mix, site_revenue};
        // Long ranges as weekly averages: a few thousand points per chart at most.
        let mut overview = o.for_chart();
        let revenue_mix = revenue_mix::revenue_mix(
            &overview.daily,
            overview.simulated,
            &overview.annotations,
            &Palette::DARK,
            lang,
        )
        .into();
        let revenue_per_mw = site_revenue::revenue_per_mw(
            &overview.per_site,
            overview.simulated,
            &Palette::DARK,
            lang,
        )
        .into();
        overview.daily = Vec::new();
        overview.per_site = Vec::new();
        overview.annotations = Vec::new();
        OverviewPage {
            overview,
            revenue_mix,
            revenue_per_mw,
            power: None,
            risk: None,
            kpis: None,
            leases: Vec::new(),
            below_market_alert_pct: 0.0,
            sites: 0,
        }
    }
}
