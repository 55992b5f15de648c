//! `/api/v1/sla` and `/api/v1/sla.csv`: the tenants' SLA ledger of a month. A tenant gets its own
//! contracts; staff get every contract.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::{Extension, Json};
use serde::Deserialize;
use utoipa::IntoParams;

use app::api::auth::Principal;
use app::api::ports::Services;
use app::api::sla::{service, SlaLedger};
use app::charts::csv::line;

use crate::http_error::HttpError;

#[derive(Debug, Deserialize, IntoParams)]
pub struct SlaQuery {
    /// `YYYY-MM` (default: this month, counted through today).
    month: Option<String>,
}

/// The SLA ledger of a month.
#[utoipa::path(get, path = "/sla", tag = "sla", params(SlaQuery),
    responses((status = 200, description = "Per contract: fee, availability measured from telemetry (offline or fatal-error GPU time is unavailable), credit owed by the credit schedule, net revenue; a tenant sees its own contracts", body = SlaLedger)))]
pub async fn ledger(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    query: Result<Query<SlaQuery>, QueryRejection>,
) -> Result<Json<SlaLedger>, HttpError> {
    let Query(q) = query?;
    Ok(Json(
        service::ledger(&svc, &me, q.month.as_deref().unwrap_or("")).await?,
    ))
}

/// The SLA ledger of a month as CSV.
#[utoipa::path(get, path = "/sla.csv", tag = "sla", params(SlaQuery),
    responses((status = 200, description = "The ledger's rows as CSV (cells that a spreadsheet would run as a formula are defused)", content_type = "text/csv", body = String)))]
pub async fn ledger_csv(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    query: Result<Query<SlaQuery>, QueryRejection>,
) -> Result<Response, HttpError> {
    let Query(q) = query?;
    let l = service::ledger(&svc, &me, q.month.as_deref().unwrap_or("")).await?;
    let mut body = line(
        [
            "month",
            "contract",
            "tenant",
            "site",
            "fee_usd",
            "sla_pct",
            "availability_pct",
            "observed_share",
            "gpus",
            "unavailable_gpu_minutes",
            "credit_pct",
            "credit_usd",
            "net_usd",
            "source",
        ]
        .map(String::from),
    );
    let opt = |v: Option<f64>, d: usize| v.map(|v| format!("{v:.d$}")).unwrap_or_default();
    for r in &l.rows {
        body.push_str(&line([
            r.month.clone(),
            r.contract_id.clone(),
            r.tenant.clone(),
            r.site_id.clone(),
            format!("{:.2}", r.fee_usd),
            opt(r.sla_pct, 3),
            opt(r.availability_pct, 6),
            format!("{:.4}", r.observed_share),
            r.gpus.to_string(),
            format!("{:.1}", r.unavailable_gpu_minutes),
            format!("{}", r.credit_pct),
            format!("{:.2}", r.credit_usd),
            format!("{:.2}", r.net_usd),
            r.source.as_str().to_string(),
        ]));
    }
    // Named for the last day it counts: rigshift-sla-YYYY-MM-DD.csv.
    Ok(super::export::csv_response("sla", l.through, body.into()))
}
