//! Reusable views. `e_chart` is the only chart code that touches the browser.

pub mod chart_export;
pub mod chart_panel;
pub mod e_chart;
pub mod error_panel;
pub mod hydration_marker;
pub mod kpi_card;
pub mod nav;
pub mod note_text;
pub mod sessions_table;
pub mod sim_banner;
