//! One cell per device, grouped by site, coloured by status: problems stand out at fleet scale
//! (drawn on canvas, so 100,000 cells stay smooth).

use charming::component::{Axis, Grid, VisualMap, VisualMapPiece, VisualMapType};
use charming::datatype::{DataFrame, DataPoint};
use charming::element::{AxisLabel, AxisType, Tooltip};
use charming::series::Heatmap;
use charming::Chart;

use super::palette::Palette;
use crate::model::fleet::{DeviceStatus, SiteStatuses};

/// Cells per row.
pub const COLUMNS: usize = 100;

fn code(s: DeviceStatus) -> i64 {
    match s {
        DeviceStatus::Online => 0,
        DeviceStatus::Degraded => 1,
        DeviceStatus::Offline => 2,
    }
}

/// Rows the heatmap needs (each site starts a new row).
pub fn rows(grid: &[SiteStatuses]) -> usize {
    grid.iter()
        .map(|s| s.statuses.len().div_ceil(COLUMNS).max(1))
        .sum()
}

pub fn status_heatmap(grid: &[SiteStatuses], palette: &Palette) -> Chart {
    let mut labels = Vec::new();
    let mut data: Vec<Vec<i64>> = Vec::new();
    for site in grid {
        let first_row = labels.len();
        let site_rows = site.statuses.len().div_ceil(COLUMNS).max(1);
        for r in 0..site_rows {
            // Category values must be unique; only a site's first row shows its name.
            labels.push(if r == 0 {
                site.site.clone()
            } else {
                format!("{} ·{}", site.site, r + 1)
            });
        }
        for (i, s) in site.statuses.iter().enumerate() {
            data.push(vec![
                (i % COLUMNS) as i64,
                (first_row + i / COLUMNS) as i64,
                code(*s),
            ]);
        }
    }
    let piece = |v: f64, label: &str, color: &'static str| {
        VisualMapPiece::new()
            .min(v)
            .max(v)
            .label(label)
            .color(color)
    };
    Chart::new()
        .tooltip(Tooltip::new())
        .grid(Grid::new().left("110").right("16").top("8").bottom("40"))
        .x_axis(
            Axis::new()
                .type_(AxisType::Category)
                .data((0..COLUMNS).map(|c| c.to_string()).collect())
                .show(false),
        )
        .y_axis(
            Axis::new()
                .type_(AxisType::Category)
                .data(labels)
                .inverse(true)
                .axis_label(AxisLabel::new().interval(0)),
        )
        .visual_map(
            VisualMap::new()
                .type_(VisualMapType::Piecewise)
                .orient(charming::element::Orient::Horizontal)
                .left("center")
                .bottom("0")
                .text_style(charming::element::TextStyle::new().color(palette.text_muted))
                .pieces(vec![
                    piece(0.0, "online", palette.online),
                    piece(1.0, "degraded", palette.degraded),
                    piece(2.0, "offline", palette.offline),
                ]),
        )
        .series(
            Heatmap::new().name("Device status").data(
                data.into_iter()
                    .map(|cell| cell.into_iter().map(DataPoint::from).collect::<DataFrame>())
                    .collect::<Vec<_>>(),
            ),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_cell_per_device_and_sites_start_new_rows() {
        let grid = vec![
            SiteStatuses {
                site: "a".into(),
                statuses: vec![DeviceStatus::Online; 150],
            },
            SiteStatuses {
                site: "b".into(),
                statuses: vec![DeviceStatus::Offline, DeviceStatus::Degraded],
            },
        ];
        assert_eq!(rows(&grid), 3);
        let o = serde_json::to_value(status_heatmap(&grid, &Palette::DARK)).unwrap();
        let data = o["series"][0]["data"].as_array().unwrap();
        assert_eq!(data.len(), 152);
        assert_eq!(data[149], serde_json::json!([49, 1, 0]));
        assert_eq!(data[150], serde_json::json!([0, 2, 2]));
        assert_eq!(o["yAxis"]["data"], serde_json::json!(["a", "a ·2", "b"]));
        assert_eq!(
            o["visualMap"][0]["pieces"][2]["color"],
            Palette::DARK.offline
        );
    }
}
