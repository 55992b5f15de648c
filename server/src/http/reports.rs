//! `/api/v1/reports`: closing a month, restating it, reading its versions.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;
use utoipa::IntoParams;

use app::api::auth::Principal;
use app::api::ports::Services;
use app::api::reports::{service, ClosedMonth, ClosedMonths, Restatement};

use super::error::HttpError;

/// Which version of a closed month.
#[derive(Debug, Deserialize, IntoParams)]
pub struct VersionQuery {
    /// An older version (default: the newest).
    pub version: Option<i64>,
}

/// Closes a month that has ended: its figures per site and in total, with their sources, frozen
/// as version 1. Later data never changes it.
#[utoipa::path(post, path = "/reports/{month}/close", tag = "reports",
    params(("month" = String, Path, description = "YYYY-MM")),
    responses((status = 201, description = "Closed (audited `report.close`)", body = ClosedMonth),
              (status = 409, description = "Already closed: restate it")))]
pub async fn close(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    Path(month): Path<String>,
) -> Result<(StatusCode, Json<ClosedMonth>), HttpError> {
    Ok((
        StatusCode::CREATED,
        Json(service::close(&svc, &me, &month).await?),
    ))
}

/// Restates a closed month: a new version from the data now, with the figures that changed
/// against the version before, and why. Every version stays readable.
#[utoipa::path(post, path = "/reports/{month}/restate", tag = "reports", request_body = Restatement,
    params(("month" = String, Path, description = "YYYY-MM")),
    responses((status = 201, description = "Restated (audited `report.restate`)", body = ClosedMonth)))]
pub async fn restate(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    Path(month): Path<String>,
    body: Result<Json<Restatement>, JsonRejection>,
) -> Result<(StatusCode, Json<ClosedMonth>), HttpError> {
    let Json(r) = body?;
    Ok((
        StatusCode::CREATED,
        Json(service::restate(&svc, &me, &month, &r).await?),
    ))
}

/// A closed month: the newest version, or `?version=N`; "unaudited, estimated".
#[utoipa::path(get, path = "/reports/{month}", tag = "reports",
    params(("month" = String, Path, description = "YYYY-MM"), VersionQuery),
    responses((status = 200, description = "The closed month's figures (frozen)", body = ClosedMonth)))]
pub async fn month(
    State(svc): State<Services>,
    Path(month): Path<String>,
    query: Result<Query<VersionQuery>, QueryRejection>,
) -> Result<Json<ClosedMonth>, HttpError> {
    let Query(q) = query?;
    Ok(Json(service::read(&svc, &month, q.version).await?))
}

/// Every closed month and its versions.
#[utoipa::path(get, path = "/reports", tag = "reports",
    responses((status = 200, description = "Closed months, newest first, each version with who closed or restated it, when and why", body = ClosedMonths)))]
pub async fn list(State(svc): State<Services>) -> Result<Json<ClosedMonths>, HttpError> {
    Ok(Json(service::list(&svc).await?))
}
