//! Risk fans: per month, a shaded P10–P90 band and the P50 line of one or more figures (the
//! overview's total revenue and mining margin; the calculator's "keep mining" and "convert"
//! cash), in $M. The band is two stacked series: an invisible P10 floor and the P90 − P10
//! width filled above it, so ECharts draws the fan without a custom series.

use charming::element::{AreaStyle, LineStyle};
use charming::series::Line;
use charming::Chart;
use chrono::NaiveDate;

use super::palette::Palette;
use crate::i18n::Lang;
use crate::model::investor::risk::Band;

/// One figure's fan: its name, colour and band per month.
pub struct Fan<'a> {
    pub name: &'a str,
    pub color: &'static str,
    pub bands: Vec<Band>,
}

fn millions(v: f64) -> Option<f64> {
    Some((v / 1e6 * 100.0).round() / 100.0)
}

/// The fans over `months` (one band per month in each fan).
pub fn fan_chart(
    months: &[NaiveDate],
    fans: &[Fan],
    palette: &Palette,
    lang: Lang,
    simulated: bool,
) -> Chart {
    let r = &lang.texts().risk;
    let labels: Vec<String> = months
        .iter()
        .map(|m| m.format("%Y-%m").to_string())
        .collect();
    // The legend names the bands and medians; the invisible floors stay out of it.
    let legend: Vec<String> = fans
        .iter()
        .flat_map(|f| [(r.band)(f.name), (r.median)(f.name)])
        .collect();
    let mut chart = super::category_chart(labels, "${value}M").legend(
        charming::component::Legend::new()
            .top("0")
            .left("0")
            .data(legend),
    );
    if simulated {
        chart = chart.title(super::simulated_marker(palette, lang));
    }
    for (i, fan) in fans.iter().enumerate() {
        let stack = format!("fan{i}");
        let floor = Line::new()
            .name(format!("{} · P10", fan.name))
            .stack(stack.as_str())
            .show_symbol(false)
            .line_style(LineStyle::new().opacity(0.0))
            .data(
                fan.bands
                    .iter()
                    .map(|b| millions(b.p10))
                    .collect::<Vec<_>>(),
            );
        let width = Line::new()
            .name((r.band)(fan.name))
            .stack(stack.as_str())
            .show_symbol(false)
            .line_style(LineStyle::new().opacity(0.0))
            .area_style(AreaStyle::new().color(fan.color).opacity(0.25))
            .data(
                fan.bands
                    .iter()
                    .map(|b| millions(b.p90 - b.p10))
                    .collect::<Vec<_>>(),
            );
        let median = super::series_line(
            &(r.median)(fan.name),
            fan.color,
            fan.bands.iter().map(|b| millions(b.p50)).collect(),
            false,
        );
        chart = chart.series(floor).series(width).series(median);
    }
    chart
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fan_is_a_floor_a_stacked_width_and_a_median_in_millions() {
        let months = [
            NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2027, 2, 1).unwrap(),
        ];
        let band = |p10: f64, p50: f64, p90: f64| Band {
            p5: p10,
            p10,
            p50,
            p90,
            mean: p50,
        };
        let fans = [Fan {
            name: "Total",
            color: Palette::DARK.ai_lease,
            bands: vec![band(8e6, 10e6, 12.5e6), band(7e6, 10e6, 14e6)],
        }];
        let o = serde_json::to_value(fan_chart(&months, &fans, &Palette::DARK, Lang::It, false))
            .unwrap();
        let s = o["series"].as_array().unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(s[0]["data"], serde_json::json!([8.0, 7.0]));
        assert_eq!(
            s[1]["data"],
            serde_json::json!([4.5, 7.0]),
            "P90 − P10 above the floor"
        );
        assert_eq!(s[0]["stack"], s[1]["stack"]);
        assert_eq!(s[2]["data"], serde_json::json!([10.0, 10.0]));
        assert_eq!(s[1]["name"], (crate::i18n::IT.risk.band)("Total"));
        assert_eq!(o["xAxis"]["data"][1], "2027-02");
        assert_eq!(
            o["legend"]["data"].as_array().unwrap().len(),
            2,
            "bands and medians only"
        );
    }
}
