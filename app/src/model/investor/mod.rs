//! What investors read: the overview, closed months, reported history, sector KPIs, risk
//! and the public embeds.

pub mod embed;
pub mod monthly_close;
pub mod overview;
pub mod reported;
pub mod risk;
pub mod risk_inputs;
pub mod risk_report;
pub mod sector_kpis;
