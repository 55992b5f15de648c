//! Pure chart builders: domain data in, a `charming::Chart` (ECharts option) out.
//!
//! Rule: no leptos, no web-sys; builders are unit-tested natively. Semantic colours (mining,
//! AI lease, simulated) are set here because they carry meaning; the rest comes from the theme.

pub mod conversion;
pub mod csv;
pub mod device_history;
pub mod embed;
pub mod option;
pub mod palette;
pub mod power;
pub mod revenue_mix;
pub mod risk_fan;
pub mod site_revenue;
pub mod status_heatmap;
pub mod timeline;

use charming::component::{Axis, Grid, Legend, Title};
use charming::element::{
    AxisLabel, AxisType, ItemStyle, LineStyle, LineStyleType, TextStyle, Tooltip, Trigger,
};
use charming::series::Line;
use charming::Chart;

use crate::i18n::Lang;

/// A corner title marking simulated data (part of the chart, so it survives image export).
pub(crate) fn simulated_marker(palette: &palette::Palette, lang: Lang) -> Title {
    Title::new()
        .text(lang.texts().charts.simulated)
        .right("8")
        .top("0")
        .text_style(
            TextStyle::new()
                .color(palette.simulated)
                .font_size(11)
                .font_weight("bold"),
        )
}

/// The chrome every Rigshift category chart shares: axis tooltip, legend top-left, a grid that
/// leaves room for the legend, `categories` on x and values on y labelled with `y_format`
/// (an ECharts template such as `"${value}k"`).
pub(crate) fn category_chart(categories: Vec<String>, y_format: &str) -> Chart {
    Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(Legend::new().top("0").left("0"))
        .grid(Grid::new().left("64").right("16").top("40").bottom("32"))
        .x_axis(Axis::new().type_(AxisType::Category).data(categories))
        .y_axis(
            Axis::new()
                .type_(AxisType::Value)
                .axis_label(AxisLabel::new().formatter(y_format)),
        )
}

/// A line series in a semantic colour, without symbols; `dashed` marks projected or derived
/// values. `None` points leave gaps.
pub(crate) fn series_line(
    name: &str,
    color: &'static str,
    data: Vec<Option<f64>>,
    dashed: bool,
) -> Line {
    let style = LineStyle::new().color(color).width(2);
    Line::new()
        .name(name)
        .show_symbol(false)
        .item_style(ItemStyle::new().color(color))
        .line_style(if dashed {
            style.type_(LineStyleType::Dashed)
        } else {
            style
        })
        .data(data)
}
