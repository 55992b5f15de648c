//! One poll of one endpoint over its protocol: CGMiner's API for an ASIC, DCGM exporter's
//! Prometheus text for a GPU node. What the polling thread runs.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use app::model::fleet::devices::{AsicReading, DeviceKind, GpuReading};

use super::firmware::Family;
use super::io::ExchangeLimits;
use super::{cgminer, dcgm, PollError};
use crate::store::DeviceSpec;

/// What one endpoint poll produced.
pub enum Outcome {
    Asic(AsicReading, Family),
    Gpus(Vec<GpuReading>),
}

pub async fn poll_endpoint(
    spec: &DeviceSpec,
    family: Option<Family>,
    limits: ExchangeLimits,
) -> Result<Outcome, PollError> {
    match spec.kind {
        DeviceKind::Asic => cgminer::poll(&spec.address, family, limits)
            .await
            .map(|(r, f)| Outcome::Asic(r, f)),
        DeviceKind::Gpu => dcgm::scrape(&spec.address, limits).await.map(Outcome::Gpus),
    }
}

/// A finished poll: the endpoint, what it answered, when.
pub type PollResult = (Arc<DeviceSpec>, Result<Outcome, PollError>, DateTime<Utc>);
