//! The hardware: devices and their state, why a machine is not hashing, discovery, alerts
//! and the ASIC and GPU catalogue.

pub mod alerts;
pub mod catalogue;
pub mod devices;
pub mod diagnosis;
pub mod discovery;
pub mod fault_codes;
pub mod protocol;
pub mod reason;
