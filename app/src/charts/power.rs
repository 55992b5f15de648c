//! A site's interval prices against its strike, with the intervals the backtest curtails
//! shaded: where flexibility earns, and what a firm AI load would pay instead.

use charming::element::{ItemStyle, MarkArea, MarkAreaData};
use charming::Chart;

use super::palette::Palette;
use crate::i18n::Lang;
use crate::model::power::curtailment::CurtailmentRow;

/// `price vs strike` over `rows` (time-ordered); a shaded band per run of curtailed intervals.
/// Categories are the intervals' UTC starts, `YYYY-MM-DD HH:MM`.
pub fn price_vs_strike(
    rows: &[CurtailmentRow],
    point: &str,
    palette: &Palette,
    lang: Lang,
) -> Chart {
    let c = &lang.texts().charts;
    let times: Vec<String> = rows
        .iter()
        .map(|r| r.interval_start.format("%Y-%m-%d %H:%M").to_string())
        .collect();
    let round = |v: f64| Some((v * 100.0).round() / 100.0);
    let mut bands = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        if rows[i].mined {
            i += 1;
            continue;
        }
        let start = i;
        while i < rows.len() && !rows[i].mined {
            i += 1;
        }
        bands.push((
            MarkAreaData::new()
                .name(c.curtailed)
                .x_axis(times[start].clone()),
            MarkAreaData::new().x_axis(times[i - 1].clone()),
        ));
    }
    let mut price = super::series_line(
        &(c.power_price)(point),
        palette.power_cost,
        rows.iter().map(|r| round(r.price_usd_per_mwh)).collect(),
        false,
    );
    if !bands.is_empty() {
        price = price.mark_area(
            MarkArea::new()
                .silent(true)
                .item_style(ItemStyle::new().color(palette.projection_band))
                .data(bands),
        );
    }
    super::category_chart(times, "${value}")
        .series(price)
        .series(super::series_line(
            c.strike,
            palette.mining,
            rows.iter().map(|r| round(r.strike_usd_per_mwh)).collect(),
            true,
        ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::csv::category_csv;
    use chrono::{Duration, TimeZone, Utc};

    fn row(i: i64, price: f64, mined: bool) -> CurtailmentRow {
        CurtailmentRow {
            interval_start: Utc.with_ymd_and_hms(2025, 8, 1, 20, 0, 0).unwrap()
                + Duration::minutes(15 * i),
            price_usd_per_mwh: price,
            hashprice_usd_per_mwh: 100.0,
            strike_usd_per_mwh: 100.0,
            mining_mw: 100.0,
            firm_mw: 0.0,
            mined,
            cost_usd: 0.0,
            avoided_usd: 0.0,
            forgone_usd: 0.0,
            ramp_usd: 0.0,
            net_usd: 0.0,
        }
    }

    #[test]
    fn curtailed_runs_are_shaded_and_the_csv_holds_price_and_strike() {
        let rows = vec![
            row(0, 25.0, true),
            row(1, 5_000.0, false),
            row(2, 4_000.0, false),
            row(3, 30.0, true),
            row(4, 900.0, false),
        ];
        let chart = price_vs_strike(&rows, "HB_WEST", &Palette::DARK, Lang::It);
        let o = serde_json::to_value(&chart).unwrap();
        let bands = o["series"][0]["markArea"]["data"].as_array().unwrap();
        assert_eq!(bands.len(), 2);
        assert_eq!(bands[0][0]["xAxis"], "2025-08-01 20:15");
        assert_eq!(bands[0][1]["xAxis"], "2025-08-01 20:30");
        assert_eq!(bands[1][0]["xAxis"], "2025-08-01 21:00");
        assert_eq!(
            o["series"][0]["name"],
            (crate::i18n::IT.charts.power_price)("HB_WEST")
        );
        let csv = category_csv(&chart, "t");
        assert_eq!(csv.lines().nth(2).unwrap(), "2025-08-01 20:15,5000.0,100.0");
    }
}
