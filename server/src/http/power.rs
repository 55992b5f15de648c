//! `/api/v1/power/prices`, `/curtailment`, `/power/sites` and `PUT /sites/{id}/power`.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::{Extension, Json};

use app::api::auth::Principal;
use app::api::ports::Services;
use app::api::power::{service, CurtailmentReport, PowerPrices, PowerQuery, SitePowerRow};
use app::model::power::curtailment::SitePower;

use crate::http_error::HttpError;

/// A site's settlement point prices.
#[utoipa::path(get, path = "/power/prices", tag = "power", params(PowerQuery),
    responses((status = 200, description = "The site's 15-minute prices in the window, with their source (`import:FILE`, `feed:HOST`, `simulated`; `fixed` for a fixed-price site)", body = PowerPrices)))]
pub async fn prices(
    State(svc): State<Services>,
    query: Result<Query<PowerQuery>, QueryRejection>,
) -> Result<Json<PowerPrices>, HttpError> {
    let Query(q) = query?;
    Ok(Json(service::load_prices(&svc, &q).await?))
}

/// A site's curtailment backtest.
#[utoipa::path(get, path = "/curtailment", tag = "power", params(PowerQuery),
    responses((status = 200, description = "Per interval (or day, month): price, hashprice per MWh, mined or curtailed, cost, avoided, forgone, net; with 4CP, demand response, the flexibility value and the same MW as firm load (modelled from the stored prices)", body = CurtailmentReport)))]
pub async fn curtailment(
    State(svc): State<Services>,
    query: Result<Query<PowerQuery>, QueryRejection>,
) -> Result<Json<CurtailmentReport>, HttpError> {
    let Query(q) = query?;
    Ok(Json(service::load_curtailment(&svc, &q).await?))
}

/// Every site's power terms.
#[utoipa::path(get, path = "/power/sites", tag = "power",
    responses((status = 200, description = "Each site's contract, curtailment policy, demand response and 4CP rate", body = Vec<SitePowerRow>)))]
pub async fn sites(State(svc): State<Services>) -> Result<Json<Vec<SitePowerRow>>, HttpError> {
    Ok(Json(service::site_terms(&svc).await?))
}

/// Sets a site's power terms.
#[utoipa::path(put, path = "/sites/{id}/power", tag = "power", request_body = SitePower,
    params(("id" = String, Path, description = "The site's id")),
    responses((status = 200, description = "Stored (audited `site.power`)", body = SitePowerRow)))]
pub async fn set_site(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    Path(id): Path<String>,
    body: Result<Json<SitePower>, JsonRejection>,
) -> Result<Json<SitePowerRow>, HttpError> {
    let Json(terms) = body?;
    Ok(Json(
        service::set_site_terms(&svc, &id, terms, &me.actor()).await?,
    ))
}
