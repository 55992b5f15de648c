//! Where the data on screen comes from (drives the SIMULATED DATA banner on every page).

use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::ApiError;

/// Data provenance shown on every page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataStatus {
    /// True while the simulator or the bundled snapshot is a source of what is shown.
    pub simulated: bool,
    pub simulator_on: bool,
    /// Last day of real (bundled or live) market figures.
    pub market_as_of: Option<NaiveDate>,
    pub today: NaiveDate,
}

/// (ssr) Provenance from the services; shared with the JSON API.
#[cfg(feature = "ssr")]
pub async fn data_status(svc: &super::ports::Services) -> Result<DataStatus, ApiError> {
    let today = svc.clock.today();
    let days = svc.market.days(today, today).await?;
    let live_today = days
        .iter()
        .any(|d| d.source == crate::model::market::MarketSource::Live);
    Ok(DataStatus {
        simulated: svc.simulator_on || !live_today,
        simulator_on: svc.simulator_on,
        market_as_of: svc.market.last_real_day().await?,
        today,
    })
}

/// Provenance of the data behind every page.
#[server(endpoint = "get_data_status")]
pub async fn get_data_status() -> Result<DataStatus, ApiError> {
    super::auth::require(super::auth::Role::Viewer)?;
    data_status(&super::ports::services()?).await
}
