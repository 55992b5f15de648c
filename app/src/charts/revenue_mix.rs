//! Daily mining revenue against AI lease revenue: history solid, projection dashed and shaded.

use charming::element::{
    ItemStyle, Label, LineStyle, LineStyleType, MarkArea, MarkAreaData, MarkLine, MarkLineData,
    MarkLineVariant, Symbol,
};
use charming::Chart;

use super::palette::Palette;
use super::simulated_marker;
use crate::i18n::Lang;
use crate::model::company::revenue::DailyTotal;
use crate::model::timeline::annotation::AnnotationMarker;

/// Splits a value series at the first projected day: (history, projection). The projection
/// repeats the last history point so the dashed line continues from the solid one.
fn split(
    days: &[DailyTotal],
    value: impl Fn(&DailyTotal) -> f64,
) -> (Vec<Option<f64>>, Vec<Option<f64>>) {
    let first_projected = days.iter().position(|d| d.projected).unwrap_or(days.len());
    let thousands = |d: &DailyTotal| Some((value(d) / 1000.0 * 10.0).round() / 10.0);
    let history = days
        .iter()
        .enumerate()
        .map(|(i, d)| (i < first_projected).then(|| thousands(d)).flatten())
        .collect();
    let projection = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            (i + 1 >= first_projected && first_projected < days.len())
                .then(|| thousands(d))
                .flatten()
        })
        .collect();
    (history, projection)
}

/// Vertical markers for operators' notes on the days they are dated (as Grafana draws
/// annotations); notes outside the charted days are left out.
fn annotation_lines(
    days: &[DailyTotal],
    notes: &[AnnotationMarker],
    palette: &Palette,
) -> Option<MarkLine> {
    // Rows may be weekly or monthly averages: a note sits on the row whose period holds its day.
    let step = match days {
        [a, b, ..] => (b.date - a.date).num_days().max(1),
        _ => 1,
    };
    let row_of = |date: chrono::NaiveDate| {
        let i = days.partition_point(|d| d.date <= date).checked_sub(1)?;
        let end = days
            .get(i + 1)
            .map_or(days[i].date + chrono::Duration::days(step), |d| d.date);
        (date < end).then_some(days[i].date)
    };
    let data: Vec<MarkLineVariant> = notes
        .iter()
        .filter_map(|n| row_of(n.date).map(|row| (n, row)))
        .map(|(n, row)| {
            MarkLineVariant::Simple(
                MarkLineData::new()
                    .name(n.label.clone())
                    .x_axis(row.to_string()),
            )
        })
        .collect();
    (!data.is_empty()).then(|| {
        MarkLine::new()
            .symbol(vec![Symbol::None, Symbol::Pin])
            .line_style(
                LineStyle::new()
                    .color(palette.annotation)
                    .type_(LineStyleType::Dotted),
            )
            .label(Label::new().formatter("{b}").color(palette.annotation))
            .data(data)
    })
}

/// The revenue-mix chart; `simulated` adds the SIMULATED DATA marker, `notes` the operators'
/// annotations.
pub fn revenue_mix(
    days: &[DailyTotal],
    simulated: bool,
    notes: &[AnnotationMarker],
    palette: &Palette,
    lang: Lang,
) -> Chart {
    let c = &lang.texts().charts;
    let dates: Vec<String> = days.iter().map(|d| d.date.to_string()).collect();
    let (mining, mining_proj) = split(days, |d| d.mining_usd);
    let (ai, ai_proj) = split(days, |d| d.ai_lease_usd);
    let line = super::series_line;
    let mut mining_projected = line(c.mining_projected, palette.mining, mining_proj, true);
    if let (Some(start), Some(end)) = (days.iter().find(|d| d.projected), days.last()) {
        mining_projected = mining_projected.mark_area(
            MarkArea::new()
                .silent(true)
                .item_style(ItemStyle::new().color(palette.projection_band))
                .label(Label::new().color(palette.text_muted))
                .data(vec![(
                    MarkAreaData::new()
                        .name(c.projection)
                        .x_axis(start.date.to_string()),
                    MarkAreaData::new().x_axis(end.date.to_string()),
                )]),
        );
    }
    let mut ai_history = line(c.ai_revenue, palette.ai_lease, ai, false);
    if let Some(marks) = annotation_lines(days, notes, palette) {
        ai_history = ai_history.mark_line(marks);
    }
    let mut chart = super::category_chart(dates, "${value}k")
        .series(line(c.mining_revenue, palette.mining, mining, false))
        .series(mining_projected)
        .series(ai_history)
        .series(line(c.ai_projected, palette.ai_lease, ai_proj, true));
    // What pools actually paid, beside the mining revenue expected from the hashrate.
    if days.iter().any(|d| d.pool_paid_usd.is_some()) {
        let paid = days
            .iter()
            .map(|d| {
                d.pool_paid_usd
                    .map(|usd| (usd / 1000.0 * 10.0).round() / 10.0)
            })
            .collect();
        chart = chart.series(line(c.pool_paid, palette.text_muted, paid, false));
    }
    if simulated {
        chart = chart.title(simulated_marker(palette, lang));
    }
    chart
}

#[cfg(test)]
mod tests {
    use super::*;
    const EN: &crate::i18n::ChartTexts = &crate::i18n::EN.charts;
    use chrono::NaiveDate;
    use serde_json::{json, Value};

    fn days() -> Vec<DailyTotal> {
        (0..4)
            .map(|i| DailyTotal {
                date: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Duration::days(i),
                mining_usd: 1000.0 * (i + 1) as f64,
                ai_lease_usd: 500.0,
                power_cost_usd: 100.0,
                btc_mined: 0.01,
                projected: i >= 2,
                hashrate_ths: 0.0,
                measured: false,
                pool_paid_btc: None,
                pool_paid_usd: None,
                forward: false,
            })
            .collect()
    }

    fn option(simulated: bool) -> Value {
        serde_json::to_value(revenue_mix(
            &days(),
            simulated,
            &[],
            &Palette::DARK,
            Lang::En,
        ))
        .unwrap()
    }

    #[test]
    fn pool_payouts_draw_a_series_only_when_a_pool_reported() {
        let without =
            serde_json::to_value(revenue_mix(&days(), false, &[], &Palette::DARK, Lang::En))
                .unwrap();
        assert!(!without.to_string().contains(EN.pool_paid));
        let mut d = days();
        d[1].pool_paid_usd = Some(950.0);
        let with =
            serde_json::to_value(revenue_mix(&d, false, &[], &Palette::DARK, Lang::En)).unwrap();
        let series = with["series"].as_array().unwrap();
        let paid = series.iter().find(|s| s["name"] == EN.pool_paid).unwrap();
        assert_eq!(paid["data"][1], json!(1.0));
        assert_eq!(paid["data"][0], Value::Null);
    }

    #[test]
    fn history_is_solid_and_projection_dashed_from_the_last_known_day() {
        let o = option(false);
        let series = o["series"].as_array().unwrap();
        assert_eq!(series.len(), 4);
        assert_eq!(series[0]["name"], EN.mining_revenue);
        assert_eq!(series[0]["data"], json!([1.0, 2.0, null, null]));
        assert_eq!(series[1]["data"], json!([null, 2.0, 3.0, 4.0]));
        assert_eq!(series[1]["lineStyle"]["type"], "dashed");
        assert_eq!(series[1]["markArea"]["data"][0][0]["xAxis"], "2026-01-03");
        assert_eq!(series[0]["itemStyle"]["color"], Palette::DARK.mining);
        assert_eq!(series[2]["itemStyle"]["color"], Palette::DARK.ai_lease);
        assert_eq!(o["xAxis"]["data"].as_array().unwrap().len(), 4);
        assert!(o.get("title").is_none());
    }

    #[test]
    fn notes_in_range_become_markers_on_their_day() {
        let notes = vec![
            AnnotationMarker {
                id: 1,
                date: NaiveDate::from_ymd_opt(2026, 1, 2).unwrap(),
                label: "Hall 2 energised".into(),
            },
            AnnotationMarker {
                id: 2,
                date: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
                label: "outside".into(),
            },
        ];
        let o = serde_json::to_value(revenue_mix(
            &days(),
            false,
            &notes,
            &Palette::DARK,
            Lang::En,
        ))
        .unwrap();
        let marks = o["series"][2]["markLine"]["data"].as_array().unwrap();
        assert_eq!(marks.len(), 1);
        assert_eq!(marks[0]["xAxis"], "2026-01-02");
        assert_eq!(marks[0]["name"], "Hall 2 energised");
        assert!(option(false)["series"][2].get("markLine").is_none());
    }

    #[test]
    fn on_weekly_rows_a_note_sits_on_the_week_that_holds_its_day() {
        let weekly: Vec<DailyTotal> = days()
            .into_iter()
            .enumerate()
            .map(|(i, mut d)| {
                d.date = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
                    + chrono::Duration::days(7 * i as i64);
                d
            })
            .collect();
        let note = |id, date| AnnotationMarker {
            id,
            date,
            label: format!("n{id}"),
        };
        let notes = vec![
            note(1, NaiveDate::from_ymd_opt(2026, 1, 10).unwrap()),
            // The last week runs 22 Jan through 28 Jan; 29 Jan is past the chart.
            note(2, NaiveDate::from_ymd_opt(2026, 1, 28).unwrap()),
            note(3, NaiveDate::from_ymd_opt(2026, 1, 29).unwrap()),
            note(4, NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()),
        ];
        let o = serde_json::to_value(revenue_mix(
            &weekly,
            false,
            &notes,
            &Palette::DARK,
            Lang::En,
        ))
        .unwrap();
        let marks = o["series"][2]["markLine"]["data"].as_array().unwrap();
        let at: Vec<&str> = marks.iter().map(|m| m["xAxis"].as_str().unwrap()).collect();
        assert_eq!(at, ["2026-01-08", "2026-01-22"]);
    }

    #[test]
    fn simulated_data_carries_the_marker() {
        let o = option(true);
        assert_eq!(o["title"][0]["text"], EN.simulated);
    }

    #[test]
    fn all_history_has_no_projection_band() {
        let mut d = days();
        d.iter_mut().for_each(|d| d.projected = false);
        let o =
            serde_json::to_value(revenue_mix(&d, false, &[], &Palette::DARK, Lang::En)).unwrap();
        assert!(o["series"][1].get("markArea").is_none());
        assert_eq!(o["series"][1]["data"], json!([null, null, null, null]));
    }
}
