//! Where the data on screen comes from (drives the SIMULATED DATA banner on every page and the
//! stale-market warning).

use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use crate::model::investor::overview::MarketFeedStatus;
use crate::model::mining::market::MarketSource;

/// Data provenance shown on every page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DataStatus {
    /// True when something shown is simulated (the market, the fleet, or both).
    pub simulated: bool,
    /// The fleet is the built-in simulator's.
    pub fleet_simulated: bool,
    /// Today's market figures (or the latest before today) are the simulator's.
    pub market_simulated: bool,
    /// Source of the market figures of today (or the latest day before it).
    pub market_source: Option<MarketSource>,
    /// Last day of real (bundled or live) market figures.
    pub market_as_of: Option<NaiveDate>,
    /// The live feed, when configured, and how fresh it is.
    pub market_feed: Option<MarketFeedStatus>,
    pub today: NaiveDate,
    /// Sites in operation today that belong to the illustrative demo company.
    #[serde(default)]
    pub demo_sites: usize,
    /// Sites in the portfolio (0 on a fresh install started with `--demo=false`).
    #[serde(default)]
    pub sites: usize,
}

/// (ssr) Provenance from the services; shared with the JSON API.
#[cfg(feature = "ssr")]
pub async fn data_status(svc: &super::ports::Services) -> Result<DataStatus, ApiError> {
    let today = svc.clock.today();
    let recent = svc
        .market
        .days(today - chrono::Duration::days(7), today)
        .await?;
    let market_source = recent.last().map(|d| d.source);
    let market_simulated = market_source == Some(MarketSource::Simulated);
    let stored = svc.sites.portfolio().await?;
    let demo_sites = stored
        .portfolio
        .sites
        .iter()
        .filter(|s| s.retired_on.is_none_or(|r| r > today))
        .filter(|s| stored.demo_sites.contains(&s.id))
        .count();
    Ok(DataStatus {
        demo_sites,
        sites: stored.portfolio.sites.len(),
        simulated: svc.fleet_simulated || market_simulated,
        fleet_simulated: svc.fleet_simulated,
        market_simulated,
        market_source,
        market_as_of: svc.market.last_real_day().await?,
        market_feed: super::economics::service::market_feed_status(svc).await?,
        today,
    })
}

/// Provenance of the data behind every page.
#[server(endpoint = "get_data_status")]
pub async fn get_data_status() -> Result<DataStatus, ApiError> {
    // Every page's banner, a tenant's pages too: it says what is simulated, nothing private.
    super::server_fn::run(super::auth::Role::Tenant, |svc, _| async move {
        data_status(&svc).await
    })
    .await
}
