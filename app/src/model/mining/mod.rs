//! Bitcoin mining: the chain and market, what a hash earns, pools, forward curves, the
//! SHA-256d estimator and hashrate measured from telemetry.

pub mod asic_economics;
pub mod chain;
pub mod forwards;
pub mod market;
pub mod measured;
pub mod pool;
pub mod projection;
pub mod rewards;
pub mod sha256d;
