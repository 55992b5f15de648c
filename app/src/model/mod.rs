//! Pure domain model: every figure Rigshift shows is computed here.
//!
//! Rule: nothing in this module does IO or reads a clock or randomness, and nothing here
//! imports leptos, tokio, sqlx or web-sys. Callers pass "today" and data in; functions return
//! values. It compiles natively and to wasm so the browser can recompute without a round trip.

pub mod ai;
pub mod company;
pub mod fleet;
pub mod investor;
pub mod mining;
pub mod power;
pub mod timeline;
