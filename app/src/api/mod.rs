//! The seam between browser and server: server functions and the DTOs they carry.
//!
//! Server functions are thin: they take `Services` from context (ssr only), call a port, and
//! hand the data to `model`. The `ssr`-only helpers here are shared with the `/api/v1` handlers
//! in the server crate so both paths compute the same figures.

pub mod admin;
pub mod auth;
pub mod economics;
pub mod embeds;
pub mod error;
pub mod estimators;
pub mod fleet;
pub mod interval_power;
pub mod market;
#[cfg(feature = "ssr")]
pub mod overview_cache;
pub mod overview_page;
pub mod portfolio;
#[cfg(feature = "ssr")]
pub mod ports;
pub mod power;
pub mod reports;
pub mod risk;
#[cfg(feature = "ssr")]
pub mod server_fn;
pub mod sla;
pub mod status;
#[cfg(feature = "ssr")]
pub mod tenant;
pub mod timeline;
pub mod types;
