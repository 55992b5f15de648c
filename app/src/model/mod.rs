//! Pure domain model: every figure Rigshift shows is computed here.
//!
//! Rule: nothing in this module does IO or reads a clock or randomness, and nothing here
//! imports leptos, tokio, sqlx or web-sys. Callers pass "today" and data in; functions return
//! values. It compiles natively and to wasm so the browser can recompute without a round trip.

pub mod alerts;
pub mod annotation;
pub mod asic_economics;
pub mod catalogue;
pub mod chain;
pub mod contract_register;
pub mod conversion;
pub mod conversion_risk;
pub mod curtailment;
pub mod daily_series;
pub mod diagnosis;
pub mod discovery;
pub mod embed;
pub mod fleet;
pub mod forwards;
pub mod gpu_health;
pub mod lease;
pub mod mark_to_market;
pub mod markdown;
pub mod market;
pub mod measured;
pub mod mining;
pub mod monthly_close;
pub mod overview;
pub mod pool;
pub mod portfolio;
pub mod power;
pub mod power_credit;
pub mod power_days;
pub mod power_json;
pub mod price_file;
pub mod projection;
pub mod range;
pub mod reason;
pub mod reported;
pub mod revenue;
pub mod risk;
pub mod risk_inputs;
pub mod risk_report;
pub mod roofline;
pub mod sector_kpis;
pub mod sha256d;
pub mod site;
pub mod sla;
pub mod timeline;
pub mod validate;
