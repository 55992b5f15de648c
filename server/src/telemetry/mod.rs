//! Live telemetry: device protocols (CGMiner JSON over TCP, DCGM Prometheus over HTTP), the
//! bounded socket exchange they share, and the poller. Parsers are pure; IO is in `io`,
//! `cgminer::poll`, `dcgm::scrape` and the poller.

pub mod axeos;
pub mod braiins_rest;
pub mod cgminer;
pub mod curtailed;
pub mod dcgm;
mod device_build;
pub mod discovery;
pub mod error;
pub mod firmware;
pub mod fleet_cache;
pub mod fleet_hub;
pub mod http;
pub mod io;
pub mod lenient_json;
pub mod poll;
mod poll_thread;
pub mod poller;
pub mod prometheus;
#[cfg(test)]
mod proptests;
pub mod schedule;
pub mod site_zones;
pub mod whatsminer_v3;

pub use error::PollError;
