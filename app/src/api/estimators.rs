//! Estimators over the seam. GPU and conversion estimates are pure and run in the browser; only
//! the SHA-256d measurement needs the server (it measures the server's own CPU).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
pub use super::types::Sha256Measurement;

/// Longest measurement a caller may ask for (API.md: at most 2000 ms).
pub const MAX_SHA256_MILLIS: u32 = 2000;

/// `POST /estimate/sha256` body.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Sha256Request {
    pub millis: u32,
}

impl Sha256Request {
    pub fn validate(&self) -> Result<u32, ApiError> {
        if self.millis == 0 || self.millis > MAX_SHA256_MILLIS {
            return Err(ApiError::InvalidInput(format!(
                "millis: must be between 1 and {MAX_SHA256_MILLIS}"
            )));
        }
        Ok(self.millis)
    }
}

/// Measures this server's SHA-256d rate for `millis` milliseconds on all cores.
#[server(endpoint = "estimate_sha256")]
pub async fn estimate_sha256(millis: u32) -> Result<Sha256Measurement, ApiError> {
    super::server_fn::run(super::auth::Role::Viewer, move |svc, _| async move {
        let millis = Sha256Request { millis }.validate()?;
        svc.sha256.measure(millis).await
    })
    .await
}

/// Today's market figures, the defaults of the estimators.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MarketNow {
    pub today: chrono::NaiveDate,
    pub btc_usd: f64,
    pub difficulty: f64,
    pub fees_btc_per_block: f64,
    pub subsidy_btc: f64,
    /// True when these figures are simulated.
    pub simulated: bool,
    /// BTC's volatility a year estimated from the last year of stored days (`None` with less
    /// than 60 days): the calculator's default for its risk fan.
    #[serde(default)]
    pub btc_vol_per_year: Option<f64>,
}

/// The latest market day up to today.
#[server(endpoint = "get_market_now")]
pub async fn get_market_now() -> Result<MarketNow, ApiError> {
    super::server_fn::run(super::auth::Role::Viewer, move |svc, _| async move {
        let today = svc.clock.today();
        let year = svc
            .market
            .days(today - chrono::Duration::days(365), today)
            .await?;
        let last = year
            .last()
            .filter(|d| d.date >= today - chrono::Duration::days(30))
            .ok_or_else(|| ApiError::NotFound("no market figures in the last 30 days".into()))?;
        let btc_vol_per_year =
            crate::model::investor::risk_inputs::estimate(&year, 0.0).map(|d| d.btc_vol_per_year);
        Ok(MarketNow {
            today,
            btc_usd: last.btc_usd,
            difficulty: last.difficulty,
            fees_btc_per_block: last.fees_btc_per_block,
            subsidy_btc: last.subsidy_btc(),
            simulated: last.source == crate::model::mining::market::MarketSource::Simulated,
            btc_vol_per_year,
        })
    })
    .await
}
