//! One cell per device (or per block of devices in a large fleet: `model::fleet::devices::status_grid`
//! keeps the map within 12,000 cells), grouped by site, coloured by status, so problems stand
//! out at fleet scale. Drawn on canvas.

use charming::component::{Axis, Grid, VisualMap, VisualMapPiece, VisualMapType};
use charming::datatype::{DataFrame, DataPoint};
use charming::element::{AxisLabel, AxisType, Tooltip};
use charming::series::Heatmap;
use charming::Chart;

use super::palette::Palette;
use crate::i18n::Lang;
use crate::model::fleet::devices::{status_of_cell, DeviceStatus, StatusGrid};

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
pub fn rows(grid: &StatusGrid) -> usize {
    grid.sites
        .iter()
        .map(|s| s.cells.chars().count().div_ceil(COLUMNS).max(1))
        .sum()
}

/// What one cell stands for, in words (the panel's note).
pub fn legend(grid: &StatusGrid, lang: Lang) -> String {
    let f = &lang.texts().fleet;
    if grid.block <= 1 {
        (f.map_one_per_device)(COLUMNS)
    } else {
        (f.map_one_per_block)(grid.block, COLUMNS)
    }
}

pub fn status_heatmap(grid: &StatusGrid, palette: &Palette, lang: Lang) -> Chart {
    let common = &lang.texts().common;
    let mut labels = Vec::new();
    let mut data: Vec<Vec<i64>> = Vec::new();
    for site in &grid.sites {
        let first_row = labels.len();
        let site_rows = site.cells.chars().count().div_ceil(COLUMNS).max(1);
        for r in 0..site_rows {
            // Only a site's first row is labelled; category values must stay unique, so the
            // other rows carry invisible zero-width spaces instead of a pile of names.
            labels.push(if r == 0 {
                site.site.clone()
            } else {
                "\u{200b}".repeat(labels.len())
            });
        }
        for (i, c) in site.cells.chars().enumerate() {
            data.push(vec![
                (i % COLUMNS) as i64,
                (first_row + i / COLUMNS) as i64,
                code(status_of_cell(c)),
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
                    piece(0.0, common.online, palette.online),
                    piece(1.0, common.degraded, palette.degraded),
                    piece(2.0, common.offline, palette.offline),
                ]),
        )
        .series(
            // Drawn in one frame: progressive rendering (ECharts' default past 3,000 cells)
            // restarts on every live update and would leave the map half drawn.
            Heatmap::new()
                .name(lang.texts().charts.device_status)
                .progressive(0)
                .data(
                    data.into_iter()
                        .map(|cell| cell.into_iter().map(DataPoint::from).collect::<DataFrame>())
                        .collect::<Vec<_>>(),
                ),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fleet::devices::SiteStatuses;

    #[test]
    fn one_cell_per_block_and_sites_start_new_rows() {
        let grid = StatusGrid {
            block: 1,
            sites: vec![
                SiteStatuses {
                    site: "a".into(),
                    devices: 150,
                    cells: "0".repeat(150),
                },
                SiteStatuses {
                    site: "b".into(),
                    devices: 2,
                    cells: "21".into(),
                },
            ],
        };
        assert_eq!(rows(&grid), 3);
        let o = serde_json::to_value(status_heatmap(&grid, &Palette::DARK, Lang::En)).unwrap();
        let data = o["series"][0]["data"].as_array().unwrap();
        assert_eq!(data.len(), 152);
        assert_eq!(data[149], serde_json::json!([49, 1, 0]));
        assert_eq!(data[150], serde_json::json!([0, 2, 2]));
        assert_eq!(data[151], serde_json::json!([1, 2, 1]));
        // One frame: progressive rendering would restart at every live update.
        assert_eq!(o["series"][0]["progressive"], serde_json::json!(0.0));
        // Continuation rows are unlabelled (and still distinct categories).
        let labels: Vec<String> = o["yAxis"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap().to_string())
            .collect();
        assert_eq!(labels[0], "a");
        assert_eq!(labels[2], "b");
        assert!(labels[1].chars().all(|c| c == '\u{200b}') && !labels[1].is_empty());
        assert_eq!(
            o["visualMap"][0]["pieces"][2]["color"],
            Palette::DARK.offline
        );
        assert!(legend(&grid, Lang::En).starts_with("One cell per device"));
        assert!(legend(&StatusGrid { block: 10, ..grid }, Lang::En)
            .starts_with("One cell per 10 devices"));
    }
}
