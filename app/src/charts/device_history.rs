//! A device's history: its work (reported vs share-proven hashrate, or GPU utilisation) and its
//! temperature and power.

use charming::Chart;

use super::palette::Palette;
use crate::i18n::Lang;
use crate::model::fleet::devices::{DeviceKind, SamplePoint};

/// Time labels: seconds when the points span under two hours, dates otherwise.
fn labels(points: &[SamplePoint]) -> Vec<String> {
    let short = match (points.first(), points.last()) {
        (Some(a), Some(b)) => (b.at - a.at).num_hours() < 2,
        _ => true,
    };
    let format = if short { "%H:%M:%S" } else { "%m-%d %H:%M" };
    points
        .iter()
        .map(|p| p.at.format(format).to_string())
        .collect()
}

use super::series_line as line;

fn round1(v: Option<f64>) -> Option<f64> {
    v.map(|v| (v * 10.0).round() / 10.0)
}

/// Work done over time: for an ASIC what it reports against what its shares prove.
pub fn device_work(
    points: &[SamplePoint],
    kind: DeviceKind,
    palette: &Palette,
    lang: Lang,
) -> Chart {
    let c = &lang.texts().charts;
    let chart = super::category_chart(labels(points), "{value}");
    match kind {
        DeviceKind::Asic => chart
            .series(line(
                c.reported_ths,
                palette.mining,
                points.iter().map(|p| round1(p.hashrate_ths)).collect(),
                false,
            ))
            .series(line(
                c.by_shares_ths,
                palette.online,
                points
                    .iter()
                    .map(|p| round1(p.share_hashrate_ths))
                    .collect(),
                true,
            )),
        DeviceKind::Gpu => chart.series(line(
            c.gpu_util_pct,
            palette.ai_lease,
            points.iter().map(|p| round1(p.gpu_util_pct)).collect(),
            false,
        )),
    }
}

/// Temperature and power over time.
pub fn device_thermals(points: &[SamplePoint], palette: &Palette, lang: Lang) -> Chart {
    let c = &lang.texts().charts;
    super::category_chart(labels(points), "{value}")
        .series(line(
            c.temp_c,
            palette.offline,
            points.iter().map(|p| round1(p.temp_c)).collect(),
            false,
        ))
        .series(line(
            c.power_kw,
            palette.power_cost,
            points
                .iter()
                .map(|p| round1(p.power_w.map(|w| w / 1000.0)))
                .collect(),
            false,
        ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn points() -> Vec<SamplePoint> {
        (0..3)
            .map(|i| SamplePoint {
                at: Utc.with_ymd_and_hms(2026, 11, 25, 10, i, 0).unwrap(),
                hashrate_ths: Some(260.04),
                share_hashrate_ths: if i == 0 { None } else { Some(200.0) },
                gpu_util_pct: None,
                temp_c: Some(70.0),
                power_w: Some(3500.0),
                online_share: 1.0,
            })
            .collect()
    }

    #[test]
    fn asic_work_sets_reported_against_shares() {
        let o = serde_json::to_value(device_work(
            &points(),
            DeviceKind::Asic,
            &Palette::DARK,
            Lang::En,
        ))
        .unwrap();
        assert_eq!(o["xAxis"]["data"][1], "10:01:00");
        assert_eq!(o["series"][0]["name"], crate::i18n::EN.charts.reported_ths);
        assert_eq!(
            o["series"][0]["data"],
            serde_json::json!([260.0, 260.0, 260.0])
        );
        assert_eq!(
            o["series"][1]["data"],
            serde_json::json!([null, 200.0, 200.0])
        );
        let t = serde_json::to_value(device_thermals(&points(), &Palette::DARK, Lang::En)).unwrap();
        assert_eq!(t["series"][1]["data"][0], 3.5);
        let g = serde_json::to_value(device_work(
            &points(),
            DeviceKind::Gpu,
            &Palette::DARK,
            Lang::En,
        ))
        .unwrap();
        assert_eq!(g["series"].as_array().unwrap().len(), 1);
    }
}
