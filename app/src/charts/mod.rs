//! Pure chart builders: domain data in, a `charming::Chart` (ECharts option) out.
//!
//! Rule: no leptos, no web-sys; builders are unit-tested natively. Semantic colours (mining,
//! AI lease, simulated) are set here because they carry meaning; the rest comes from the theme.

pub mod conversion;
pub mod palette;
pub mod revenue_mix;
pub mod site_revenue;

use charming::component::Title;
use charming::element::TextStyle;

/// The label every chart built from simulated or bundled data carries.
pub const SIMULATED_LABEL: &str = "SIMULATED DATA";

/// A corner title marking simulated data (part of the chart, so it survives image export).
pub(crate) fn simulated_marker(palette: &palette::Palette) -> Title {
    Title::new()
        .text(SIMULATED_LABEL)
        .right("8")
        .top("0")
        .text_style(TextStyle::new().color(palette.simulated).font_size(11).font_weight("bold"))
}
