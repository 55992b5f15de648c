//! `/api/v1/risk`: the risk bands of the next 12–36 months.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;

use app::api::ports::Services;
use app::api::risk::{service, LeaseMarks, RiskQuery, RiskReport};

use crate::http_error::HttpError;

/// Monthly P10/P50/P90 of mining revenue and margin, AI revenue and the total, from a seeded
/// Monte Carlo of BTC price and difficulty (drift and volatility estimated from a year of
/// stored market days) and GPU-hour utilisation; 95 % revenue-at-risk and the chance mining's
/// margin goes negative.
#[utoipa::path(get, path = "/risk", tag = "revenue", params(RiskQuery),
    responses((status = 200, description = "Risk bands per month (modelled; the dynamics and their source are in the answer)", body = RiskReport)))]
pub async fn risk(
    State(svc): State<Services>,
    query: Result<Query<RiskQuery>, QueryRejection>,
) -> Result<Json<RiskReport>, HttpError> {
    let Query(q) = query?;
    Ok(Json(service::risk(&svc, &q).await?))
}

/// Each GPU-hour lease against the GPU rental index for its model: above or below the market,
/// by how much a month, and whether it alerts (ending within 90 days, below the market by more
/// than the threshold).
#[utoipa::path(get, path = "/leases/mark-to-market", tag = "revenue",
    responses((status = 200, description = "GPU-hour leases marked to the newest index quote (each quote names its source and day)", body = LeaseMarks)))]
pub async fn lease_marks(State(svc): State<Services>) -> Result<Json<LeaseMarks>, HttpError> {
    Ok(Json(service::lease_marks(&svc).await?))
}

/// The KPIs miners report, over the last 30 days: realised hashrate (pool payouts ÷ the
/// network's BTC per TH/s-day; `null` without payouts), hashcost (power ÷ PH/s-days), revenue
/// and margin per MW-day for mining and AI, the contracted AI backlog, uptime-weighted MW.
#[utoipa::path(get, path = "/kpis", tag = "revenue",
    responses((status = 200, description = "The sector's KPIs over the last 30 days (measured where telemetry and pool payouts exist, modelled elsewhere)", body = app::model::investor::sector_kpis::SectorKpis)))]
pub async fn kpis(
    State(svc): State<Services>,
) -> Result<Json<app::model::investor::sector_kpis::SectorKpis>, HttpError> {
    Ok(Json(
        app::api::economics::service::sector_kpis(&svc, None).await?,
    ))
}
