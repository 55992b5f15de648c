//! (ssr only) The capabilities server functions need, implemented by the server crate.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::NaiveDate;

use super::error::ApiError;
use crate::model::market::MarketDay;
use crate::model::site::Site;

/// Sites with their fleets, conversion steps and contracts.
#[async_trait]
pub trait SiteStore: Send + Sync {
    async fn list_sites(&self) -> Result<Vec<Site>, ApiError>;
}

/// Daily market figures.
#[async_trait]
pub trait MarketHistory: Send + Sync {
    /// Days in `[from, to]`, date-ordered.
    async fn days(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<MarketDay>, ApiError>;
    /// Last day of real (bundled or live) figures, if any.
    async fn last_real_day(&self) -> Result<Option<NaiveDate>, ApiError>;
}

/// Measures SHA-256d throughput on the server's CPU.
#[async_trait]
pub trait Sha256Bench: Send + Sync {
    /// Hashes for `millis` ms on every core (one measurement at a time; callers queue).
    async fn measure(&self, millis: u32) -> Result<super::estimators::Sha256Measurement, ApiError>;
}

/// Live fleet state and the device registry.
#[async_trait]
pub trait FleetService: Send + Sync {
    /// Every device's latest state.
    async fn devices(&self) -> Vec<crate::model::fleet::Device>;
    async fn summary(&self) -> crate::model::fleet::FleetSummary;
    /// Registers a device; it is polled from the next cycle on. Returns its id.
    async fn add_device(&self, device: super::fleet::NewDevice) -> Result<String, ApiError>;
    /// Stops polling a device; its history stays.
    async fn remove_device(&self, id: &str) -> Result<(), ApiError>;
    /// A device's samples over the last `hours`, averaged into at most a few hundred buckets.
    async fn history(
        &self,
        id: &str,
        hours: u32,
    ) -> Result<Vec<crate::model::fleet::SamplePoint>, ApiError>;
}

/// The current date; behind a port so tests can pin it.
pub trait Clock: Send + Sync {
    fn today(&self) -> NaiveDate;
}

/// Everything the server provides to server functions, through Leptos context.
#[derive(Clone)]
pub struct Services {
    pub sites: Arc<dyn SiteStore>,
    pub market: Arc<dyn MarketHistory>,
    pub clock: Arc<dyn Clock>,
    pub sha256: Arc<dyn Sha256Bench>,
    pub fleet: Arc<dyn FleetService>,
    /// True while the built-in simulator feeds the fleet or the market.
    pub simulator_on: bool,
}

/// The `Services` of this request.
pub fn services() -> Result<Services, ApiError> {
    leptos::prelude::use_context::<Services>().ok_or_else(|| ApiError::Internal {
        id: "no-services-context".into(),
    })
}
