//! The conversion timeline: a Gantt chart of milestones per site on a time axis (one thick
//! line segment per milestone, coloured by status; slipped ones show their planned dates as a
//! dashed baseline; today marked; annotations pinned), and the MW mix stacked over time.

use charming::component::{Axis, Grid, Legend};
use charming::datatype::{CompositeValue, DataPoint, DataPointItem};
use charming::element::{
    AreaStyle, AxisLabel, AxisType, ItemStyle, Label, LineStyle, LineStyleType, MarkLine,
    MarkLineData, MarkLineVariant, Symbol, Tooltip, Trigger,
};
use charming::series::{Line, Scatter};
use charming::Chart;
use chrono::NaiveDate;

use super::palette::Palette;
use crate::i18n::Lang;
use crate::model::timeline::annotation::{Annotation, AnnotationTarget};
use crate::model::timeline::milestones::{
    MilestoneKind, MilestoneRow, MilestoneStatus, MwMix, SiteBrief,
};

/// The y-axis label of a milestone row.
pub fn row_label(row: &MilestoneRow, sites: &[SiteBrief]) -> String {
    let site = sites
        .iter()
        .find(|s| s.id == row.milestone.site_id)
        .map_or(row.milestone.site_id.as_str(), |s| s.name.as_str());
    let mut title: String = row.milestone.title.chars().take(36).collect();
    if row.milestone.title.chars().count() > 36 {
        title.push('…');
    }
    // Tooltips are HTML: no angle bracket from an operator's text reaches them.
    format!("{site} · {title}")
        .replace('<', "‹")
        .replace('>', "›")
}

fn point(date: NaiveDate, category: &str) -> DataPoint {
    DataPoint::from(CompositeValue::from(vec![
        CompositeValue::from(date.to_string()),
        CompositeValue::from(category.to_string()),
    ]))
}

fn today_line(today: NaiveDate, palette: &Palette, lang: Lang) -> MarkLine {
    let c = &lang.texts().charts;
    MarkLine::new()
        .silent(true)
        .symbol(vec![Symbol::None, Symbol::None])
        .line_style(
            LineStyle::new()
                .color(palette.today)
                .type_(LineStyleType::Dashed),
        )
        .label(Label::new().formatter(c.today).color(palette.today))
        .data(vec![MarkLineVariant::Simple(
            MarkLineData::new().name(c.today).x_axis(today.to_string()),
        )])
}

/// The Gantt chart. `rows` in display order (top to bottom).
pub fn gantt(
    rows: &[MilestoneRow],
    sites: &[SiteBrief],
    annotations: &[Annotation],
    today: NaiveDate,
    palette: &Palette,
    lang: Lang,
) -> Chart {
    let c = &lang.texts().charts;
    let labels: Vec<String> = rows.iter().map(|r| row_label(r, sites)).collect();
    let mut chart = Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Item))
        .legend(Legend::new().top("0").left("0"))
        .grid(
            Grid::new()
                .left("24")
                .right("24")
                .top("40")
                .bottom("32")
                .contain_label(true),
        )
        .x_axis(Axis::new().type_(AxisType::Time))
        .y_axis(
            Axis::new()
                .type_(AxisType::Category)
                .inverse(true)
                .data(labels.clone())
                .axis_label(AxisLabel::new().font_size(11)),
        );
    let mut first = true;
    for (row, label) in rows.iter().zip(&labels) {
        let m = &row.milestone;
        let color = palette.status(row.status);
        let end = if row.status == MilestoneStatus::Slipped && m.actual_end.is_none() {
            row.forecast_end.max(today)
        } else {
            row.forecast_end
        };
        let is_point = m.kind == MilestoneKind::AiLive || m.start() == end;
        let mut series = Line::new()
            .name((c.milestone_status)(row.status))
            .item_style(ItemStyle::new().color(color))
            .line_style(LineStyle::new().color(color).width(12))
            .data(if is_point {
                vec![point(m.start(), label)]
            } else {
                vec![point(m.start(), label), point(end, label)]
            });
        series = if is_point {
            series.symbol(Symbol::Diamond).symbol_size(16)
        } else {
            series.show_symbol(false)
        };
        if first {
            series = series.mark_line(today_line(today, palette, lang));
            first = false;
        }
        chart = chart.series(series);
    }
    // Planned dates of slipped milestones, drawn over their bars as a thin dashed line.
    for (row, label) in rows.iter().zip(&labels) {
        if row.status == MilestoneStatus::Slipped {
            let m = &row.milestone;
            chart = chart.series(
                Line::new()
                    .name(c.baseline)
                    .show_symbol(false)
                    .silent(true)
                    .z(3)
                    .item_style(ItemStyle::new().color(palette.today))
                    .line_style(
                        LineStyle::new()
                            .color(palette.today)
                            .width(2)
                            .type_(LineStyleType::Dashed),
                    )
                    .data(vec![
                        point(m.planned_start, label),
                        point(m.planned_end, label),
                    ]),
            );
        }
    }
    // Pins: a milestone note on its row, a site note on the site's first row, a date note on
    // the top row.
    let pins: Vec<DataPoint> = annotations
        .iter()
        .filter_map(|a| {
            let row = match &a.target {
                AnnotationTarget::Milestone(id) => rows.iter().position(|r| &r.milestone.id == id),
                AnnotationTarget::Site(id) => rows.iter().position(|r| &r.milestone.site_id == id),
                AnnotationTarget::Date(_) => (!rows.is_empty()).then_some(0),
            }?;
            Some(DataPoint::from(
                DataPointItem::new(vec![
                    CompositeValue::from(a.on_date.to_string()),
                    CompositeValue::from(labels[row].clone()),
                ])
                .name(crate::model::timeline::annotation::headline(&a.text, 60)),
            ))
        })
        .collect();
    if !pins.is_empty() {
        chart = chart.series(
            Scatter::new()
                .name(c.annotations)
                .symbol(Symbol::Pin)
                .symbol_size(22)
                .item_style(ItemStyle::new().color(palette.annotation))
                .data(pins),
        );
    }
    chart
}

/// MW mining, converting and AI stacked by month.
pub fn mw_mix(mix: &[MwMix], today: NaiveDate, palette: &Palette, lang: Lang) -> Chart {
    let c = &lang.texts().charts;
    let months: Vec<String> = mix
        .iter()
        .map(|m| m.date.format("%Y-%m").to_string())
        .collect();
    let area = |name: &str, color: &'static str, values: Vec<f64>| {
        Line::new()
            .name(name)
            .stack("mw")
            .show_symbol(false)
            .item_style(ItemStyle::new().color(color))
            .line_style(LineStyle::new().color(color).width(1))
            .area_style(AreaStyle::new().color(color).opacity(0.55))
            .data(
                values
                    .into_iter()
                    .map(|v| (v * 10.0).round() / 10.0)
                    .collect(),
            )
    };
    let today_month = today.format("%Y-%m").to_string();
    Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(Legend::new().top("0").left("0"))
        .grid(Grid::new().left("64").right("16").top("40").bottom("32"))
        .x_axis(Axis::new().type_(AxisType::Category).data(months))
        .y_axis(
            Axis::new()
                .type_(AxisType::Value)
                .axis_label(AxisLabel::new().formatter("{value} MW")),
        )
        .series(area(
            c.mining_mw,
            palette.mining,
            mix.iter().map(|m| m.mining_mw).collect(),
        ))
        .series(area(
            c.converting_mw,
            palette.converting,
            mix.iter().map(|m| m.converting_mw).collect(),
        ))
        .series(
            area(
                c.ai_mw,
                palette.ai_lease,
                mix.iter().map(|m| m.ai_mw).collect(),
            )
            .mark_line(
                MarkLine::new()
                    .silent(true)
                    .symbol(vec![Symbol::None, Symbol::None])
                    .line_style(
                        LineStyle::new()
                            .color(palette.today)
                            .type_(LineStyleType::Dashed),
                    )
                    .label(Label::new().formatter(c.today).color(palette.today))
                    .data(vec![MarkLineVariant::Simple(
                        MarkLineData::new().x_axis(today_month),
                    )]),
            ),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::timeline::milestones::Milestone;
    use serde_json::{json, Value};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn row(
        id: &str,
        kind: MilestoneKind,
        status: MilestoneStatus,
        start: NaiveDate,
        end: NaiveDate,
    ) -> MilestoneRow {
        MilestoneRow {
            milestone: Milestone {
                id: id.into(),
                site_id: "tx".into(),
                kind,
                title: format!("{id} <b>"),
                planned_start: start,
                planned_end: end,
                actual_start: None,
                actual_end: None,
                mw: 10.0,
                depends_on: vec![],
                contract_id: None,
                version: 1,
            },
            status,
            slip_days: 0,
            forecast_end: end,
        }
    }

    fn sites() -> Vec<SiteBrief> {
        vec![SiteBrief {
            id: "tx".into(),
            name: "Texas".into(),
            capacity_mw: 100.0,
        }]
    }

    #[test]
    fn each_milestone_is_a_bar_coloured_by_status_with_today_and_baselines() {
        let rows = vec![
            row(
                "a",
                MilestoneKind::Retrofit,
                MilestoneStatus::Done,
                d(2026, 1, 1),
                d(2026, 3, 1),
            ),
            row(
                "b",
                MilestoneKind::Retrofit,
                MilestoneStatus::Slipped,
                d(2026, 3, 1),
                d(2026, 6, 1),
            ),
            row(
                "c",
                MilestoneKind::AiLive,
                MilestoneStatus::Planned,
                d(2026, 9, 1),
                d(2026, 9, 1),
            ),
        ];
        let o: Value = serde_json::to_value(gantt(
            &rows,
            &sites(),
            &[],
            d(2026, 7, 1),
            &Palette::DARK,
            Lang::En,
        ))
        .unwrap();
        let series = o["series"].as_array().unwrap();
        // Three bars, then the slipped one's planned dates as a baseline.
        assert_eq!(series.len(), 4);
        assert_eq!(series[3]["name"], crate::i18n::EN.charts.baseline);
        assert_eq!(
            series[3]["data"],
            json!([
                ["2026-03-01", "Texas · b ‹b›"],
                ["2026-06-01", "Texas · b ‹b›"]
            ])
        );
        assert_eq!(series[0]["name"], "Done");
        assert_eq!(series[0]["itemStyle"]["color"], Palette::DARK.done);
        assert_eq!(series[0]["markLine"]["data"][0]["xAxis"], "2026-07-01");
        // A slipped, unfinished bar runs to today at least.
        assert_eq!(series[1]["data"][1][0], "2026-07-01");
        assert_eq!(series[1]["itemStyle"]["color"], Palette::DARK.slipped);
        // A go-live is a single diamond.
        assert_eq!(series[2]["data"].as_array().unwrap().len(), 1);
        assert_eq!(series[2]["symbol"], "diamond");
        assert_eq!(o["yAxis"]["inverse"], true);
        assert_eq!(o["xAxis"]["type"], "time");
    }

    #[test]
    fn annotations_are_pinned_to_their_row_with_tag_free_names() {
        let rows = vec![
            row(
                "a",
                MilestoneKind::Retrofit,
                MilestoneStatus::Done,
                d(2026, 1, 1),
                d(2026, 3, 1),
            ),
            row(
                "b",
                MilestoneKind::Retrofit,
                MilestoneStatus::Planned,
                d(2026, 3, 1),
                d(2026, 6, 1),
            ),
        ];
        let now = chrono::DateTime::from_timestamp(0, 0).unwrap();
        let note = Annotation {
            id: 1,
            target: AnnotationTarget::Milestone("b".into()),
            site_id: Some("tx".into()),
            on_date: d(2026, 4, 1),
            version: 1,
            text: "<script>alert(1)</script>".into(),
            author: "ops".into(),
            created_at: now,
            updated_at: now,
        };
        let o: Value = serde_json::to_value(gantt(
            &rows,
            &sites(),
            &[note],
            d(2026, 7, 1),
            &Palette::DARK,
            Lang::En,
        ))
        .unwrap();
        let pins = o["series"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(pins["name"], crate::i18n::EN.charts.annotations);
        assert_eq!(
            pins["data"][0]["value"],
            json!(["2026-04-01", "Texas · b ‹b›"])
        );
        assert_eq!(pins["data"][0]["name"], "‹script›alert(1)‹/script›");
    }

    #[test]
    fn mw_mix_stacks_three_areas_by_month() {
        let mix = vec![
            MwMix {
                date: d(2026, 1, 1),
                mining_mw: 100.0,
                converting_mw: 0.0,
                ai_mw: 0.0,
            },
            MwMix {
                date: d(2026, 2, 1),
                mining_mw: 60.0,
                converting_mw: 25.04,
                ai_mw: 15.0,
            },
        ];
        let o: Value =
            serde_json::to_value(mw_mix(&mix, d(2026, 2, 10), &Palette::DARK, Lang::En)).unwrap();
        assert_eq!(o["xAxis"]["data"], json!(["2026-01", "2026-02"]));
        assert_eq!(o["series"][1]["data"], json!([0.0, 25.0]));
        assert_eq!(o["series"][2]["stack"], "mw");
        assert_eq!(o["series"][2]["markLine"]["data"][0]["xAxis"], "2026-02");
    }
}
