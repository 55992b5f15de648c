//! Revenue per MW per site today: mining against AI lease, side by side.

use charming::element::ItemStyle;
use charming::series::Bar;
use charming::Chart;

use super::palette::Palette;
use super::simulated_marker;
use crate::i18n::Lang;
use crate::model::investor::overview::SiteRevenuePerMw;

/// Grouped bars per site; a site without MW of a kind shows no bar for it.
pub fn revenue_per_mw(
    sites: &[SiteRevenuePerMw],
    simulated: bool,
    palette: &Palette,
    lang: Lang,
) -> Chart {
    let c = &lang.texts().charts;
    let names: Vec<String> = sites.iter().map(|s| s.site_name.clone()).collect();
    let round = |v: Option<f64>| v.map(|v| v.round());
    let bar = |name: &str, color: &'static str, data: Vec<Option<f64>>| {
        Bar::new()
            .name(name)
            .item_style(ItemStyle::new().color(color))
            .data(data)
    };
    let mut chart = super::category_chart(names, "${value}")
        .series(bar(
            c.mining_per_mw,
            palette.mining,
            sites
                .iter()
                .map(|s| round(s.mining_usd_per_mw_day))
                .collect(),
        ))
        .series(bar(
            c.ai_per_mw,
            palette.ai_lease,
            sites.iter().map(|s| round(s.ai_usd_per_mw_day)).collect(),
        ));
    if simulated {
        chart = chart.title(simulated_marker(palette, lang));
    }
    chart
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::company::site::SitePhase;
    use serde_json::json;

    #[test]
    fn one_bar_pair_per_site_and_missing_kinds_are_null() {
        let sites = vec![
            SiteRevenuePerMw {
                site_id: "a".into(),
                site_name: "A".into(),
                phase: SitePhase::Mining,
                mining_mw: 10.0,
                ai_mw: 0.0,
                mining_usd_per_mw_day: Some(1234.4),
                ai_usd_per_mw_day: None,
            },
            SiteRevenuePerMw {
                site_id: "b".into(),
                site_name: "B".into(),
                phase: SitePhase::AiLive,
                mining_mw: 0.0,
                ai_mw: 5.0,
                mining_usd_per_mw_day: None,
                ai_usd_per_mw_day: Some(3945.0),
            },
        ];
        let o =
            serde_json::to_value(revenue_per_mw(&sites, true, &Palette::DARK, Lang::En)).unwrap();
        assert_eq!(o["xAxis"]["data"], json!(["A", "B"]));
        assert_eq!(o["series"][0]["type"], "bar");
        assert_eq!(o["series"][0]["data"], json!([1234.0, null]));
        assert_eq!(o["series"][1]["data"], json!([null, 3945.0]));
        assert_eq!(o["title"][0]["text"], crate::i18n::EN.charts.simulated);
    }
}
