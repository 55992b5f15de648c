//! Charts of the public embeds, built from `EmbedData` only (never from internal types), so an
//! embed's option can hold nothing the payload does not.

use charming::element::{ItemStyle, Tooltip, Trigger};
use charming::series::Bar;
use charming::Chart;

use super::palette::Palette;
use super::simulated_marker;
use crate::i18n::Lang;
use crate::model::investor::embed::{EmbedData, EmbedPayload, MonthRevenue};
use crate::model::timeline::milestones::{Milestone, MilestoneRow, MilestoneStatus};

/// Monthly revenue in USD millions, mining and AI stacked; projected months in their own,
/// lighter series so the split is visible in print and in the legend.
pub fn revenue_months(
    months: &[MonthRevenue],
    simulated: bool,
    palette: &Palette,
    lang: Lang,
) -> Chart {
    let c = &lang.texts().charts;
    let labels: Vec<String> = months
        .iter()
        .map(|m| m.month.format("%Y-%m").to_string())
        .collect();
    let millions = |v: f64| (v / 1e6 * 100.0).round() / 100.0;
    let pick = |projected: bool, f: fn(&MonthRevenue) -> f64| -> Vec<Option<f64>> {
        months
            .iter()
            .map(|m| (m.projected == projected).then(|| millions(f(m))))
            .collect()
    };
    let bar = |name: &str, color: &'static str, opacity: f64, data: Vec<Option<f64>>| {
        Bar::new()
            .name(name)
            .stack("revenue")
            .item_style(ItemStyle::new().color(color).opacity(opacity))
            .data(data)
    };
    let mut chart = super::category_chart(labels, "${value}M")
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .series(bar(
            c.embed_mining,
            palette.mining,
            1.0,
            pick(false, |m| m.mining_usd),
        ))
        .series(bar(
            c.embed_ai,
            palette.ai_lease,
            1.0,
            pick(false, |m| m.ai_lease_usd),
        ))
        .series(bar(
            c.embed_mining_projected,
            palette.mining,
            0.45,
            pick(true, |m| m.mining_usd),
        ))
        .series(bar(
            c.embed_ai_projected,
            palette.ai_lease,
            0.45,
            pick(true, |m| m.ai_lease_usd),
        ));
    if simulated {
        chart = chart.title(simulated_marker(palette, lang));
    }
    chart
}

/// The chart of an embed, if its view has one (the fleet summary is figures only).
pub fn embed_chart(data: &EmbedData, palette: &Palette, lang: Lang) -> Option<Chart> {
    match &data.payload {
        // The embed's footer carries the SIMULATED note; in the chart it would crowd the legend
        // at IR-page widths.
        EmbedPayload::RevenueMix { months } => Some(revenue_months(months, false, palette, lang)),
        EmbedPayload::MwConverted { mix } => {
            Some(super::timeline::mw_mix(mix, data.today, palette, lang))
        }
        EmbedPayload::Timeline { milestones, today } => {
            let rows: Vec<MilestoneRow> = milestones
                .iter()
                .enumerate()
                .map(|(i, m)| MilestoneRow {
                    milestone: Milestone {
                        id: i.to_string(),
                        site_id: m.site.clone(),
                        kind: m.kind,
                        title: m.title.clone(),
                        planned_start: m.start,
                        planned_end: m.end,
                        actual_start: None,
                        actual_end: None,
                        mw: m.mw,
                        depends_on: Vec::new(),
                        contract_id: None,
                        version: 0,
                    },
                    // The public view shows no planned-vs-actual baseline.
                    status: if m.status == MilestoneStatus::Slipped {
                        MilestoneStatus::InProgress
                    } else {
                        m.status
                    },
                    slip_days: 0,
                    forecast_end: m.end,
                })
                .collect();
            Some(super::timeline::gantt(
                &rows,
                &[],
                &[],
                *today,
                palette,
                lang,
            ))
        }
        EmbedPayload::FleetSummary { .. }
        | EmbedPayload::Kpis { .. }
        | EmbedPayload::Production { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use serde_json::{json, Value};

    #[test]
    fn months_split_into_actual_and_projected_stacks() {
        let m = |mo: u32, projected| MonthRevenue {
            month: NaiveDate::from_ymd_opt(2026, mo, 1).unwrap(),
            mining_usd: 12_345_678.0,
            ai_lease_usd: 2_000_000.0,
            projected,
        };
        let o: Value = serde_json::to_value(revenue_months(
            &[m(11, false), m(12, true)],
            true,
            &Palette::LIGHT,
            Lang::En,
        ))
        .unwrap();
        assert_eq!(o["xAxis"]["data"], json!(["2026-11", "2026-12"]));
        assert_eq!(o["series"][0]["data"], json!([12.35, null]));
        assert_eq!(o["series"][2]["data"], json!([null, 12.35]));
        assert_eq!(
            o["series"][3]["name"],
            crate::i18n::EN.charts.embed_ai_projected
        );
        assert_eq!(o["series"][0]["stack"], "revenue");
        assert_eq!(o["title"][0]["text"], crate::i18n::EN.charts.simulated);
    }
}
