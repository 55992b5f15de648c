//! What the overview page receives: the headline figures and its two charts, built on the
//! server. Its own module so the overview cache (held by the ports' `Services`) needs nothing
//! from the server functions.

use serde::{Deserialize, Serialize};

use crate::charts::option::ChartOption;
use crate::model::overview::Overview;

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
        }
    }
}
