//! `/api/v1/market`, `/market/latest` and `/pool-rewards`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use app::api::market::{service, MarketLatest, MarketRow};
use app::api::ports::Services;
use app::model::mining::pool::PoolRewardRow;

use super::HttpError;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WindowQuery {
    /// First day (default: 29 days before `to`).
    from: Option<NaiveDate>,
    /// Last day (default: today).
    to: Option<NaiveDate>,
    /// One site's id (pool rewards only; default: every site).
    site: Option<String>,
}

impl WindowQuery {
    /// Defaults to the 30 days through today.
    fn window(&self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        let to = self.to.unwrap_or(today);
        (self.from.unwrap_or(to - chrono::Duration::days(29)), to)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarketResponse {
    from: NaiveDate,
    to: NaiveDate,
    days: Vec<MarketRow>,
}

/// Daily market figures.
#[utoipa::path(get, path = "/market", tag = "revenue", params(WindowQuery),
    responses((status = 200, description = "Daily market figures (price, difficulty, fees, hashprice), each with its source", body = MarketResponse)))]
pub async fn market(
    State(svc): State<Services>,
    query: Result<Query<WindowQuery>, QueryRejection>,
) -> Result<Json<MarketResponse>, HttpError> {
    let Query(q) = query?;
    let (from, to) = q.window(svc.clock.today());
    let days = service::load_market(&svc, from, to).await?;
    Ok(Json(MarketResponse { from, to, days }))
}

/// Today's market figures.
#[utoipa::path(get, path = "/market/latest", tag = "revenue",
    responses((status = 200, description = "The newest market figures and how old they are", body = MarketLatest)))]
pub async fn latest(State(svc): State<Services>) -> Result<Json<MarketLatest>, HttpError> {
    Ok(Json(service::load_latest(&svc).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PoolRewardsResponse {
    from: NaiveDate,
    to: NaiveDate,
    rewards: Vec<PoolRewardRow>,
}

/// Daily pool payouts.
#[utoipa::path(get, path = "/pool-rewards", tag = "revenue", params(WindowQuery),
    responses((status = 200, description = "Daily pool payouts per site", body = PoolRewardsResponse)))]
pub async fn pool_rewards(
    State(svc): State<Services>,
    query: Result<Query<WindowQuery>, QueryRejection>,
) -> Result<Json<PoolRewardsResponse>, HttpError> {
    let Query(q) = query?;
    let (from, to) = q.window(svc.clock.today());
    let rewards = service::load_pool_rewards(&svc, from, to, q.site.as_deref()).await?;
    Ok(Json(PoolRewardsResponse { from, to, rewards }))
}
