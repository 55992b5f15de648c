//! One file per route.

pub mod account;
pub mod admin;
pub mod admin_embeds;
pub mod device;
mod device_health;
pub mod estimators;
pub mod fleet;
pub mod fleet_scan;
pub mod login;
pub mod not_found;
pub mod overview;
mod overview_risk;
pub mod reports;
pub mod sites;
pub mod sla;
pub mod timeline;
