//! `/api/v1` handlers.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use app::api::auth::Principal;
use app::api::economics::{service, MiningEstimateRequest, MiningEstimateResponse};
use app::api::error::ApiError;
use app::api::estimators::{Sha256Measurement, Sha256Request};
use app::api::fleet::NewDevice;
use app::api::ports::Services;
use app::model::catalogue;
use app::model::revenue::RevenueDay;
use app::model::roofline::{self, GpuEstimate, GpuQuery};
use app::model::site::SitePhase;

use super::HttpError;

pub async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

/// `/sites` row (API.md) plus location and power price.
#[derive(Debug, Serialize)]
pub struct SiteSummary {
    id: String,
    name: String,
    location: String,
    capacity_mw: f64,
    mining_mw: f64,
    ai_mw: f64,
    phase: SitePhase,
    power_usd_per_kwh: f64,
}

#[derive(Debug, Serialize)]
pub struct SitesResponse {
    sites: Vec<SiteSummary>,
}

pub async fn sites(State(svc): State<Services>) -> Result<Json<SitesResponse>, HttpError> {
    let today = svc.clock.today();
    let sites = svc.sites.list_sites().await?;
    Ok(Json(SitesResponse {
        sites: sites
            .into_iter()
            .map(|s| SiteSummary {
                mining_mw: s.mining_mw(today),
                ai_mw: s.ai_mw(today),
                phase: s.phase(today),
                id: s.id,
                name: s.name,
                location: s.location,
                capacity_mw: s.capacity_mw,
                power_usd_per_kwh: s.power_usd_per_kwh,
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevenueQuery {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    site: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct RevenueResponse {
    from: NaiveDate,
    to: NaiveDate,
    days: Vec<RevenueDay>,
}

/// Daily rows per site; defaults to the last 30 days. Days after today are projections.
pub async fn revenue(
    State(svc): State<Services>,
    query: Result<Query<RevenueQuery>, QueryRejection>,
) -> Result<Json<RevenueResponse>, HttpError> {
    let Query(q) = query?;
    let today = svc.clock.today();
    let to = q.to.unwrap_or(today);
    let from = q.from.unwrap_or(to - chrono::Duration::days(29));
    let days = service::load_revenue(&svc, from, to, q.site.as_deref()).await?;
    Ok(Json(RevenueResponse { from, to, days }))
}

pub async fn estimate_mining(
    State(svc): State<Services>,
    body: Result<Json<MiningEstimateRequest>, JsonRejection>,
) -> Result<Json<MiningEstimateResponse>, HttpError> {
    let Json(req) = body?;
    Ok(Json(service::estimate_mining(&svc, &req)?))
}

pub async fn estimate_gpu(
    body: Result<Json<GpuQuery>, JsonRejection>,
) -> Result<Json<GpuEstimate>, HttpError> {
    let Json(q) = body?;
    Ok(Json(roofline::estimate(&q).map_err(ApiError::from)?))
}

pub async fn estimate_sha256(
    State(svc): State<Services>,
    body: Result<Json<Sha256Request>, JsonRejection>,
) -> Result<Json<Sha256Measurement>, HttpError> {
    let Json(req) = body?;
    let millis = req.validate()?;
    Ok(Json(svc.sha256.measure(millis).await?))
}

pub async fn catalogue_gpus() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "gpus": catalogue::GPUS }))
}

pub async fn catalogue_asics() -> Json<serde_json::Value> {
    let asics: Vec<_> = catalogue::ASICS
        .iter()
        .map(|m| serde_json::json!({ "id": m.id, "maker": m.maker, "name": m.name, "hashrate_ths": m.hashrate_ths, "power_w": m.power_w, "efficiency_j_per_th": m.efficiency_j_per_th(), "source": m.source }))
        .collect();
    Json(serde_json::json!({ "asics": asics }))
}

#[derive(Debug, Serialize)]
pub struct FleetResponse {
    devices: Vec<app::model::fleet::Device>,
    summary: app::model::fleet::FleetSummary,
}

pub async fn fleet(State(svc): State<Services>) -> Json<FleetResponse> {
    Json(FleetResponse {
        devices: svc.fleet.devices().await,
        summary: svc.fleet.summary().await,
    })
}

pub async fn add_device(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    body: Result<Json<NewDevice>, JsonRejection>,
) -> Result<(StatusCode, Json<serde_json::Value>), HttpError> {
    let Json(d) = body?;
    let echo = serde_json::json!({ "kind": d.kind, "address": d.address, "site": d.site, "model": d.model.clone().unwrap_or_else(|| "unknown".into()) });
    let id = svc.fleet.add_device(d).await?;
    super::timeline::audit_device(&svc, &me, "device.add", &id).await;
    let mut device = echo;
    device["id"] = serde_json::Value::String(id);
    device["status"] = serde_json::Value::String("pending".into());
    Ok((StatusCode::CREATED, Json(device)))
}

pub async fn scan_devices(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    body: Result<Json<app::model::discovery::ScanRequest>, JsonRejection>,
) -> Result<Json<app::model::discovery::ScanReport>, HttpError> {
    let Json(req) = body?;
    Ok(Json(
        app::api::fleet::service::scan(&svc, &me.actor(), req).await?,
    ))
}

pub async fn remove_device(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<StatusCode, HttpError> {
    svc.fleet.remove_device(&id).await?;
    super::timeline::audit_device(&svc, &me, "device.remove", &id).await;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn not_found() -> HttpError {
    HttpError::new(StatusCode::NOT_FOUND, "not_found", "no such API endpoint")
}

pub async fn method_not_allowed() -> HttpError {
    HttpError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "method not allowed on this endpoint",
    )
}
