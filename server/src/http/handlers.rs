//! `/api/v1` handlers.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use app::api::auth::Principal;
use app::api::economics::{service, MiningEstimateRequest, MiningEstimateResponse};
use app::api::error::ApiError;
use app::api::estimators::{Sha256Measurement, Sha256Request};
use app::api::fleet::NewDevice;
use app::api::ports::Services;
use app::model::ai::roofline::{self, GpuEstimate, GpuQuery};
use app::model::company::revenue::RevenueDay;
use app::model::company::site::SitePhase;
use app::model::fleet::catalogue;

use super::{ErrorCode, HttpError};

/// Whether the server answers, and its version.
#[utoipa::path(get, path = "/health", tag = "system",
    responses((status = 200, description = "The server answers", body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// Whether this server can serve: the database answers a query within 2 s. A load balancer
/// takes a replica out while this is 503 (`/health` says only that the process answers).
#[utoipa::path(get, path = "/health/ready", tag = "system",
    responses((status = 200, description = "The database answers", body = Health),
              (status = 503, description = "The database does not answer (`storage_unavailable`)")))]
pub async fn ready(State(svc): State<Services>) -> Result<Json<Health>, HttpError> {
    svc.sites.ping().await?;
    Ok(Json(Health {
        status: "ready",
        version: env!("CARGO_PKG_VERSION"),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` when the server answers; `ready` when its database does too (`/health/ready`).
    status: &'static str,
    version: &'static str,
}

/// `/sites` row (API.md) plus location and power price.
#[derive(Debug, Serialize, ToSchema)]
pub struct SiteSummary {
    id: String,
    name: String,
    location: String,
    capacity_mw: f64,
    mining_mw: f64,
    ai_mw: f64,
    phase: SitePhase,
    power_usd_per_kwh: f64,
    /// First day the site no longer operates, when retired.
    retired_on: Option<NaiveDate>,
    /// True for a site of the illustrative demo company.
    demo: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SitesResponse {
    sites: Vec<SiteSummary>,
}

/// Every site and today's split of its megawatts.
#[utoipa::path(get, path = "/sites", tag = "revenue",
    responses((status = 200, description = "Every site with today's split of its megawatts", body = SitesResponse)))]
pub async fn sites(State(svc): State<Services>) -> Result<Json<SitesResponse>, HttpError> {
    let today = svc.clock.today();
    let sites = svc.sites.list_sites().await?;
    let demo = svc.sites.portfolio().await?.demo_sites;
    Ok(Json(SitesResponse {
        sites: sites
            .into_iter()
            .map(|s| SiteSummary {
                demo: demo.contains(&s.id),
                retired_on: s.retired_on,
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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RevenueQuery {
    /// First day (default: 29 days before `to`).
    from: Option<NaiveDate>,
    /// Last day (default: today); days after today are projections.
    to: Option<NaiveDate>,
    /// One site's id (default: every site).
    site: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevenueResponse {
    from: NaiveDate,
    to: NaiveDate,
    days: Vec<RevenueDay>,
}

/// Daily rows per site; defaults to the last 30 days. Days after today are projections.
#[utoipa::path(summary = "Daily mining and AI revenue per site", get, path = "/revenue", tag = "revenue", params(RevenueQuery),
    responses((status = 200, description = "Daily mining and AI revenue per site, each row with its source", body = RevenueResponse)))]
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

/// Mining economics for a hashrate.
#[utoipa::path(post, path = "/estimate/mining", tag = "estimators", request_body = MiningEstimateRequest,
    responses((status = 200, description = "BTC and dollars per day, hashprice, margin", body = MiningEstimateResponse)))]
pub async fn estimate_mining(
    State(svc): State<Services>,
    body: Result<Json<MiningEstimateRequest>, JsonRejection>,
) -> Result<Json<MiningEstimateResponse>, HttpError> {
    let Json(req) = body?;
    Ok(Json(service::estimate_mining(&svc, &req)?))
}

/// GPU throughput by the roofline model.
#[utoipa::path(post, path = "/estimate/gpu", tag = "estimators", request_body = GpuQuery,
    responses((status = 200, description = "Roofline tokens/s per GPU and per MW", body = GpuEstimate)))]
pub async fn estimate_gpu(
    body: Result<Json<GpuQuery>, JsonRejection>,
) -> Result<Json<GpuEstimate>, HttpError> {
    let Json(q) = body?;
    Ok(Json(roofline::estimate(&q).map_err(ApiError::from)?))
}

/// Measure SHA-256d hashes per second on this server.
#[utoipa::path(post, path = "/estimate/sha256", tag = "estimators", request_body = Sha256Request,
    responses((status = 200, description = "Measured SHA-256d hashes/s on this server, scaled to the fleet", body = Sha256Measurement)))]
pub async fn estimate_sha256(
    State(svc): State<Services>,
    body: Result<Json<Sha256Request>, JsonRejection>,
) -> Result<Json<Sha256Measurement>, HttpError> {
    let Json(req) = body?;
    let millis = req.validate()?;
    Ok(Json(svc.sha256.measure(millis).await?))
}

/// The GPU catalogue.
#[utoipa::path(get, path = "/catalogue/gpus", tag = "estimators",
    responses((status = 200, description = "The accelerators the GPU estimator knows, with datasheet sources", body = GpuCatalogue)))]
pub async fn catalogue_gpus() -> Json<GpuCatalogue> {
    Json(GpuCatalogue {
        gpus: catalogue::GPUS,
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GpuCatalogue {
    gpus: &'static [catalogue::GpuModel],
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AsicCatalogue {
    asics: Vec<AsicRow>,
}

/// A catalogue ASIC with its efficiency worked out.
#[derive(Debug, Serialize, ToSchema)]
pub struct AsicRow {
    id: &'static str,
    maker: &'static str,
    name: &'static str,
    hashrate_ths: f64,
    power_w: f64,
    efficiency_j_per_th: f64,
    /// Where the figures come from (datasheet).
    source: &'static str,
}

/// The ASIC catalogue.
#[utoipa::path(get, path = "/catalogue/asics", tag = "estimators",
    responses((status = 200, description = "The ASIC models the estimators and the poller know", body = AsicCatalogue)))]
pub async fn catalogue_asics() -> Json<AsicCatalogue> {
    let asics = catalogue::ASICS
        .iter()
        .map(|m| AsicRow {
            id: m.id,
            maker: m.maker,
            name: m.name,
            hashrate_ths: m.hashrate_ths,
            power_w: m.power_w,
            efficiency_j_per_th: m.efficiency_j_per_th(),
            source: m.source,
        })
        .collect();
    Json(AsicCatalogue { asics })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FleetResponse {
    devices: Vec<app::model::fleet::devices::Device>,
    summary: app::model::fleet::devices::FleetSummary,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct FleetFilter {
    /// Only devices whose one reason is this (`fatal_xid`, `row_remap_pending`, `offline`, …).
    reason: Option<String>,
    /// Only devices at this site.
    site: Option<String>,
}

/// Every device's latest state (or those with one reason, at one site) and the fleet summary.
#[utoipa::path(get, path = "/fleet", tag = "fleet", params(FleetFilter),
    responses((status = 200, description = "Every device's latest state and the fleet summary", body = FleetResponse)))]
pub async fn fleet(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    filter: Result<Query<FleetFilter>, QueryRejection>,
) -> Result<Json<FleetResponse>, HttpError> {
    let Query(filter) = filter?;
    let scope = app::api::tenant::TenantScope::of(&svc, &me).await?;
    let reason = match filter.reason.as_deref().filter(|r| !r.is_empty()) {
        Some(r) => Some(
            app::model::fleet::reason::ReasonCode::parse(r)
                .ok_or_else(|| ApiError::InvalidInput(format!("reason: no reason {r:?}")))?,
        ),
        None => None,
    };
    let mut devices = svc.fleet.devices().await;
    app::api::tenant::visible(scope.as_ref(), &mut devices);
    devices.retain(|d| {
        reason.is_none_or(|c| d.reason.as_ref().map(|r| r.code()) == Some(c))
            && filter.site.as_deref().is_none_or(|s| d.site == s)
    });
    // A tenant's totals are of its own GPUs.
    let summary = match scope {
        Some(_) => app::model::fleet::devices::summarize(&devices, svc.fleet.summary().await.at, 0),
        None => svc.fleet.summary().await,
    };
    Ok(Json(FleetResponse { devices, summary }))
}

/// Register a device by address.
#[utoipa::path(post, path = "/devices", tag = "fleet", request_body = NewDevice,
    responses((status = 201, description = "Registered; polled from the next cycle", body = AddedDevice)))]
pub async fn add_device(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    body: Result<Json<NewDevice>, JsonRejection>,
) -> Result<(StatusCode, Json<AddedDevice>), HttpError> {
    let Json(d) = body?;
    let (kind, address, site) = (d.kind, d.address.clone(), d.site.clone());
    let model = d.model.clone().unwrap_or_else(|| "unknown".into());
    let id = svc.fleet.add_device(d).await?;
    super::timeline::audit_device(&svc, &me, "device.add", &id).await;
    Ok((
        StatusCode::CREATED,
        Json(AddedDevice {
            id,
            kind,
            address,
            site,
            model,
            status: "pending",
        }),
    ))
}

/// A device just registered: what was asked for, until the first poll identifies it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AddedDevice {
    id: String,
    kind: app::model::fleet::devices::DeviceKind,
    address: String,
    site: String,
    /// `unknown` until the first poll reads it, unless given.
    model: String,
    /// Always `pending`: nothing has been polled yet.
    status: &'static str,
}

/// Scan an address range for miners.
#[utoipa::path(post, path = "/devices/scan", tag = "fleet", request_body = app::model::fleet::discovery::ScanRequest,
    responses((status = 200, description = "What answered on the range, identified; with `add`, the new ones registered", body = app::model::fleet::discovery::ScanReport)))]
pub async fn scan_devices(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    body: Result<Json<app::model::fleet::discovery::ScanRequest>, JsonRejection>,
) -> Result<Json<app::model::fleet::discovery::ScanReport>, HttpError> {
    let Json(req) = body?;
    Ok(Json(
        app::api::fleet::service::scan(&svc, &me.actor(), req).await?,
    ))
}

/// Stop polling a device.
#[utoipa::path(delete, path = "/devices/{id}", tag = "fleet",
    params(("id" = String, Path, description = "The device's node id")),
    responses((status = 204, description = "Retired; its history stays")))]
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
    HttpError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "no such API endpoint",
    )
}

pub async fn method_not_allowed() -> HttpError {
    HttpError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        "method not allowed on this endpoint",
    )
}
