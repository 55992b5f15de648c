//! `/api/v1/reports`: closing a month, restating it, reading its versions (JSON and CSV); and
//! `/api/v1/power-credits`, the credits a month closes with.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;
use utoipa::IntoParams;

use app::api::auth::Principal;
use app::api::ports::Services;
use app::api::reports::{service, ClosedMonth, ClosedMonths, Restatement};
use app::model::power::credit::{NewPowerCredit, PowerCredit};

use crate::http_error::HttpError;

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

/// A closed month as CSV: one row per site and figure, with the version and the footnote.
#[utoipa::path(get, path = "/reports/{month}/csv", tag = "reports",
    params(("month" = String, Path, description = "YYYY-MM"), VersionQuery),
    responses((status = 200, description = "The production update as CSV (site, figure, value, prior month, change %, year before, change %)", content_type = "text/csv", body = String)))]
pub async fn month_csv(
    State(svc): State<Services>,
    Path(month): Path<String>,
    query: Result<Query<VersionQuery>, QueryRejection>,
) -> Result<impl axum::response::IntoResponse, HttpError> {
    let Query(q) = query?;
    let closed = service::read(&svc, &month, q.version).await?;
    let file = format!(
        "attachment; filename=\"rigshift-production-{}-v{}.csv\"",
        closed.month, closed.version
    );
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_string(),
            ),
            (axum::http::header::CONTENT_DISPOSITION, file),
        ],
        app::api::reports::csv(&closed),
    ))
}

/// Which month's power credits.
#[derive(Debug, Deserialize, IntoParams)]
pub struct CreditQuery {
    /// `YYYY-MM` (default: every month).
    pub month: Option<String>,
}

/// Power credits recorded (demand response, 4CP, power sold back, congestion).
#[utoipa::path(get, path = "/power-credits", tag = "reports", params(CreditQuery),
    responses((status = 200, description = "Credits, oldest month first", body = Vec<PowerCredit>)))]
pub async fn credits(
    State(svc): State<Services>,
    query: Result<Query<CreditQuery>, QueryRejection>,
) -> Result<Json<Vec<PowerCredit>>, HttpError> {
    let Query(q) = query?;
    Ok(Json(service::credits(&svc, q.month.as_deref()).await?))
}

/// Records a power credit for a site's month, as the statement gives it. A closed month takes
/// it only when restated.
#[utoipa::path(post, path = "/power-credits", tag = "reports", request_body = NewPowerCredit,
    responses((status = 201, description = "Recorded (audited `power_credit.add`)", body = PowerCredit),
              (status = 404, description = "No such site")))]
pub async fn add_credit(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    body: Result<Json<NewPowerCredit>, JsonRejection>,
) -> Result<(StatusCode, Json<PowerCredit>), HttpError> {
    let Json(new) = body?;
    Ok((
        StatusCode::CREATED,
        Json(service::add_credit(&svc, &me, &new).await?),
    ))
}

/// Removes a credit recorded in error.
#[utoipa::path(delete, path = "/power-credits/{id}", tag = "reports",
    params(("id" = String, Path, description = "The credit's id")),
    responses((status = 204, description = "Removed (audited `power_credit.remove`)")))]
pub async fn remove_credit(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<StatusCode, HttpError> {
    service::remove_credit(&svc, &me, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
