//! The AI halls: lease contracts and their register, SLAs and credits, GPU health, the
//! roofline throughput estimator and marking GPU leases to market.

pub mod contract_register;
pub mod gpu_health;
pub mod lease;
pub mod mark_to_market;
pub mod roofline;
pub mod sla;
