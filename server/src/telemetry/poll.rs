//! One poll of one endpoint over its protocol: the ASIC's API (the CGMiner family's, FluxOS's,
//! Whatsminer v3, Braiins OS REST, AxeOS), DCGM exporter's Prometheus text for a GPU node.
//! What the polling thread runs.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use app::model::fleet::devices::{AsicReading, DeviceKind, GpuReading};

use super::firmware::Family;
use super::io::ExchangeLimits;
use super::{axeos, braiins_rest, cgminer, dcgm, whatsminer_v3, PollError};
use crate::store::DeviceSpec;
use app::model::fleet::protocol::Protocol;

/// What one endpoint poll produced.
pub enum Outcome {
    /// A reading, and the CGMiner family it answered as (on the CGMiner-style APIs).
    Asic(AsicReading, Option<Family>),
    Gpus(Vec<GpuReading>),
}

pub async fn poll_endpoint(
    spec: &DeviceSpec,
    family: Option<Family>,
    limits: ExchangeLimits,
) -> Result<Outcome, PollError> {
    let asic = |r: AsicReading| Outcome::Asic(r, None);
    match (spec.kind, spec.protocol) {
        (DeviceKind::Gpu, _) => dcgm::scrape(&spec.address, limits).await.map(Outcome::Gpus),
        (DeviceKind::Asic, Protocol::Cgminer) => cgminer::poll(&spec.address, family, limits)
            .await
            .map(|(r, f)| Outcome::Asic(r, Some(f))),
        (DeviceKind::Asic, Protocol::Fluxos) => {
            cgminer::poll(&spec.address, Some(Family::FluxOs), limits)
                .await
                .map(|(r, f)| Outcome::Asic(r, Some(f)))
        }
        (DeviceKind::Asic, Protocol::WhatsminerV3) => {
            whatsminer_v3::poll(&spec.address, limits).await.map(asic)
        }
        (DeviceKind::Asic, Protocol::Axeos) => axeos::poll(&spec.address, limits).await.map(asic),
        (DeviceKind::Asic, Protocol::BraiinsRest) => {
            // Read at each poll, so a changed secret needs no restart; never logged.
            let login = braiins_rest::Login::from_env(spec.credentials_env.as_deref(), |k| {
                std::env::var(k).ok()
            });
            braiins_rest::poll(&spec.address, &login, limits)
                .await
                .map(asic)
        }
    }
}

/// A finished poll: the endpoint, what it answered, when.
pub type PollResult = (Arc<DeviceSpec>, Result<Outcome, PollError>, DateTime<Utc>);
