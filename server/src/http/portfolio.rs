//! `/api/v1/portfolio`, `/sites…`, `/contracts…` and `/history`: the company's own sites and
//! contracts, read, edited and imported. Handlers translate; `app::api::portfolio::service`
//! validates and applies.

use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use app::api::auth::Principal;
use app::api::error::ApiError;
use app::api::portfolio::{service, ApplyOptions, ContractPatch, SiteDetail, SitePatch};
use app::api::ports::Services;
use app::model::company::portfolio::{ContractDoc, Plan, Portfolio, SiteDoc};

use super::HttpError;
use crate::portfolio::{self as document, Format};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// `json` (default) or `toml`.
    format: Option<String>,
}

/// The whole portfolio as one document (the same `rigshift portfolio export` prints).
#[utoipa::path(get, path = "/portfolio", tag = "portfolio", params(ExportQuery),
    responses((status = 200, description = "Every site, fleet line, power terms, contract and milestone", body = Portfolio)))]
pub async fn export(
    State(svc): State<Services>,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Response, HttpError> {
    let Query(q) = query?;
    let doc = service::export(&svc).await?;
    match q.format.as_deref() {
        None | Some("json") => Ok(Json(doc).into_response()),
        Some("toml") => {
            let text = document::to_toml(&doc).map_err(|e| {
                HttpError::from(ApiError::Internal {
                    id: format!("portfolio-toml: {e}"),
                })
            })?;
            Ok((
                [(header::CONTENT_TYPE, "application/toml; charset=utf-8")],
                text,
            )
                .into_response())
        }
        Some(other) => {
            Err(ApiError::InvalidInput(format!("format: json or toml, got {other:?}")).into())
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// Say what would change; change nothing.
    #[serde(default)]
    dry_run: bool,
    /// Retire stored sites the document does not list.
    #[serde(default)]
    replace: bool,
}

/// Applies a whole portfolio document (JSON, or TOML with `Content-Type: application/toml`).
#[utoipa::path(put, path = "/portfolio", tag = "portfolio", params(ImportQuery),
    request_body(content = Portfolio, description = "The document, JSON or TOML"),
    responses((status = 200, description = "What was (or, dry, would be) added, changed and retired", body = Plan),
              (status = 422, description = "Refused whole, with the line and field; nothing changed")))]
pub async fn import(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    query: Result<Query<ImportQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Plan>, HttpError> {
    let Query(q) = query?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::InvalidInput("the document is not UTF-8 text".into()))?;
    let format = Format::of_content_type(
        headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
    );
    let doc = document::parse(text, format).map_err(|e| ApiError::InvalidInput(e.to_string()))?;
    let options = ApplyOptions {
        replace: q.replace,
        dry_run: q.dry_run,
        expect: None,
    };
    Ok(Json(
        service::import(&svc, &doc, options, &me.actor()).await?,
    ))
}

/// One site as stored, with its versions and warnings.
#[utoipa::path(get, path = "/sites/{id}", tag = "portfolio",
    params(("id" = String, Path, description = "The site's id")),
    responses((status = 200, description = "The site, its version and its contracts' versions", body = SiteDetail)))]
pub async fn site(
    State(svc): State<Services>,
    Path(id): Path<String>,
) -> Result<Json<SiteDetail>, HttpError> {
    Ok(Json(service::site_detail(&svc, &id).await?))
}

/// Adds a site.
#[utoipa::path(post, path = "/sites", tag = "portfolio", request_body = SiteDoc,
    responses((status = 201, description = "Added (audited `site.add`)", body = SiteDetail)))]
pub async fn add_site(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    body: Result<Json<SiteDoc>, JsonRejection>,
) -> Result<(StatusCode, Json<SiteDetail>), HttpError> {
    let Json(site) = body?;
    Ok((
        StatusCode::CREATED,
        Json(service::add_site(&svc, site, &me.actor()).await?),
    ))
}

/// Changes a site's figures, against the version the editor saw (409 with the current site
/// when it moved).
#[utoipa::path(patch, path = "/sites/{id}", tag = "portfolio", request_body = SitePatch,
    params(("id" = String, Path, description = "The site's id")),
    responses((status = 200, description = "Changed (version + 1)", body = SiteDetail),
              (status = 409, description = "Changed by someone else since")))]
pub async fn patch_site(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    Path(id): Path<String>,
    body: Result<Json<SitePatch>, JsonRejection>,
) -> Result<Json<SiteDetail>, HttpError> {
    let Json(patch) = body?;
    Ok(Json(
        service::patch_site(&svc, &id, patch, &me.actor()).await?,
    ))
}

/// Retires a site from today: it stops operating, its open contracts end, its history stays.
#[utoipa::path(delete, path = "/sites/{id}", tag = "portfolio",
    params(("id" = String, Path, description = "The site's id")),
    responses((status = 200, description = "Retired", body = SiteDetail)))]
pub async fn retire_site(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<SiteDetail>, HttpError> {
    Ok(Json(service::retire_site(&svc, &id, &me.actor()).await?))
}

/// Signs a lease contract at a site.
#[utoipa::path(post, path = "/sites/{id}/contracts", tag = "portfolio", request_body = ContractDoc,
    params(("id" = String, Path, description = "The site's id")),
    responses((status = 201, description = "Added (audited `contract.add`)", body = SiteDetail)))]
pub async fn add_contract(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    Path(id): Path<String>,
    body: Result<Json<ContractDoc>, JsonRejection>,
) -> Result<(StatusCode, Json<SiteDetail>), HttpError> {
    let Json(contract) = body?;
    Ok((
        StatusCode::CREATED,
        Json(service::add_contract(&svc, &id, contract, &me.actor()).await?),
    ))
}

/// Changes a contract, against the version the editor saw.
#[utoipa::path(patch, path = "/contracts/{id}", tag = "portfolio", request_body = ContractPatch,
    params(("id" = String, Path, description = "The contract's id")),
    responses((status = 200, description = "Changed (version + 1); the contract's site", body = SiteDetail),
              (status = 409, description = "Changed by someone else since")))]
pub async fn patch_contract(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    Path(id): Path<String>,
    body: Result<Json<ContractPatch>, JsonRejection>,
) -> Result<Json<SiteDetail>, HttpError> {
    let Json(patch) = body?;
    Ok(Json(
        service::patch_contract(&svc, &id, patch, &me.actor()).await?,
    ))
}

/// Ends a contract yesterday; its history stays.
#[utoipa::path(delete, path = "/contracts/{id}", tag = "portfolio",
    params(("id" = String, Path, description = "The contract's id")),
    responses((status = 200, description = "Ended; the contract's site", body = SiteDetail)))]
pub async fn end_contract(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<SiteDetail>, HttpError> {
    Ok(Json(service::end_contract(&svc, &id, &me.actor()).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryImported {
    /// Site-months stored.
    imported: usize,
}

/// Imports monthly actuals from before Rigshift (CSV:
/// `site,month,btc_produced,mining_revenue_usd,power_cost_usd,energy_mwh,ai_revenue_usd,hashrate_ths_avg`).
#[utoipa::path(post, path = "/history", tag = "portfolio",
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, description = "Stored whole; the revenue history shows them as `reported`", body = HistoryImported),
              (status = 422, description = "Refused whole with the line; nothing stored")))]
pub async fn import_history(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    body: Bytes,
) -> Result<Json<HistoryImported>, HttpError> {
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::InvalidInput("the file is not UTF-8 text".into()))?;
    let imported = service::import_history(&svc, text, "api", &me.actor()).await?;
    Ok(Json(HistoryImported { imported }))
}
