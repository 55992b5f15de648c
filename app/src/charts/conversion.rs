//! Cumulative cash of staying on mining against converting to AI.

use charming::Chart;

use super::palette::Palette;
use crate::i18n::Lang;
use crate::model::timeline::conversion::ConversionMonth;

pub fn cumulative_cash(months: &[ConversionMonth], palette: &Palette, lang: Lang) -> Chart {
    let c = &lang.texts().charts;
    let labels: Vec<String> = months
        .iter()
        .map(|m| m.month.format("%Y-%m").to_string())
        .collect();
    let millions = |v: f64| (v / 1e6 * 10.0).round() / 10.0;
    let line = |name: &str, color: &'static str, data: Vec<f64>| {
        super::series_line(name, color, data.into_iter().map(Some).collect(), false)
    };
    super::category_chart(labels, "${value}M")
        .series(line(
            c.mining_path,
            palette.mining,
            months
                .iter()
                .map(|m| millions(m.cumulative_mining_usd))
                .collect(),
        ))
        .series(line(
            c.ai_path,
            palette.ai_lease,
            months
                .iter()
                .map(|m| millions(m.cumulative_ai_usd))
                .collect(),
        ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn two_paths_in_millions_per_month() {
        let months: Vec<ConversionMonth> = (0..3)
            .map(|i| ConversionMonth {
                month: NaiveDate::from_ymd_opt(2026, 1 + i, 1).unwrap(),
                mining_cash_usd: 1e6,
                ai_cash_usd: 0.0,
                cumulative_mining_usd: 1e6 * (i + 1) as f64,
                cumulative_ai_usd: -300e6,
                mining_revenue_usd: 2e6,
                ai_revenue_usd: 0.0,
            })
            .collect();
        let o = serde_json::to_value(cumulative_cash(&months, &Palette::DARK, Lang::En)).unwrap();
        assert_eq!(o["xAxis"]["data"][2], "2026-03");
        assert_eq!(o["series"][0]["data"], serde_json::json!([1.0, 2.0, 3.0]));
        assert_eq!(o["series"][1]["data"][0], -300.0);
        assert_eq!(o["series"][1]["itemStyle"]["color"], Palette::DARK.ai_lease);
    }
}
