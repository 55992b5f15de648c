//! `/api/v1/export/{name}.csv`: every dashboard chart's data as CSV, built by the same chart
//! builder as the chart on screen and read back from its option (`charts::csv`), so the file
//! and the picture agree. `revenue.csv` (daily rows per site, up to ten years) streams.

use std::convert::Infallible;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use app::api::economics::service as economics;
use app::api::error::ApiError;
use app::api::ports::Services;
use app::api::timeline::service as timeline;
use app::charts::csv::{category_csv, line};
use app::charts::palette::Palette;
use app::charts::{device_history, revenue_mix, site_revenue, timeline as timeline_charts};
use app::i18n::Lang;
use app::model::company::range::TimeRange;
use app::model::fleet::devices::DeviceKind;

use super::HttpError;

/// Rows per chunk of a streamed export.
const CHUNK_ROWS: usize = 512;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// Chart range for `revenue-mix`, `site-revenue`, `mw-mix`: `6m` (default), `1y`, `3y` or `all`.
    range: Option<String>,
    /// The device, for `device-work` and `device-thermals`.
    id: Option<String>,
    /// Hours of device history (default 24).
    hours: Option<u32>,
    /// First day of `revenue` (default: 29 days before `to`) and `curtailment` (6 days before).
    from: Option<NaiveDate>,
    /// Last day of `revenue` and `curtailment` (default: today).
    to: Option<NaiveDate>,
    /// One site's id, for `revenue` and `curtailment` (required there).
    site: Option<String>,
    /// `en` or `it`: column names and chart series in that language (default: the caller's
    /// `Accept-Language`, else English). Numbers stay machine-readable either way.
    lang: Option<String>,
}

/// A data export's header row: the API's column names, or their translation.
fn header<const N: usize>(lang: Lang, columns: [&'static str; N]) -> String {
    let name = lang.texts().charts.csv_column;
    line(columns.map(|c| name(c).to_string()))
}

pub(super) fn csv_response(name: &str, today: NaiveDate, body: Body) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"rigshift-{name}-{today}.csv\""
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    r
}

fn range(q: &ExportQuery) -> Result<TimeRange, ApiError> {
    match &q.range {
        None => Ok(TimeRange::default()),
        Some(r) => TimeRange::parse(r)
            .ok_or_else(|| ApiError::InvalidInput(format!("range: unknown {r:?}"))),
    }
}

/// A chart's data as CSV.
#[utoipa::path(get, path = "/export/{file}", tag = "exports",
    params(("file" = String, Path, description = "`revenue-mix.csv`, `site-revenue.csv`, `mw-mix.csv`, `timeline.csv`, `fleet.csv`, `device-work.csv`, `device-thermals.csv`, `curtailment.csv` (a site's interval prices against its strike) or `revenue.csv` (streamed, up to ten years)"), ExportQuery),
    responses((status = 200, description = "The chart's data as CSV, headed by the figures' sources", content_type = "text/csv", body = String)))]
pub async fn export(
    State(svc): State<Services>,
    Path(file): Path<String>,
    headers: axum::http::HeaderMap,
    query: Result<Query<ExportQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, HttpError> {
    let Query(q) = query?;
    let lang = app::locale::asked_or_accepted(q.lang.as_deref(), &headers);
    let c = &lang.texts().charts;
    let today = svc.clock.today();
    let palette = Palette::DARK;
    let name = file
        .strip_suffix(".csv")
        .ok_or_else(|| ApiError::NotFound(format!("export {file} (exports end in .csv)")))?;
    let csv = match name {
        "revenue-mix" => {
            let o = economics::load_overview(&svc, range(&q)?).await?;
            category_csv(
                &revenue_mix::revenue_mix(&o.daily, o.simulated, &o.annotations, &palette, lang),
                c.col_date,
            )
        }
        "site-revenue" => {
            let o = economics::load_overview(&svc, range(&q)?).await?;
            category_csv(
                &site_revenue::revenue_per_mw(&o.per_site, o.simulated, &palette, lang),
                c.col_site,
            )
        }
        "mw-mix" => {
            let t = timeline::load_timeline(&svc, false).await?;
            category_csv(
                &timeline_charts::mw_mix(&t.mix, t.today, &palette, lang),
                c.col_month,
            )
        }
        "timeline" => timeline_csv(&svc, lang).await?,
        "fleet" => fleet_csv(&svc, lang).await,
        "device-work" | "device-thermals" => device_csv(&svc, &q, name, lang).await?,
        "curtailment" => curtailment_csv(&svc, &q, lang).await?,
        "revenue" => return revenue(&svc, &q, today, lang).await,
        other => return Err(ApiError::NotFound(format!("export {other}")).into()),
    };
    Ok(csv_response(name, today, Body::from(csv)))
}

/// The roadmap's milestones, one row each.
async fn timeline_csv(svc: &Services, lang: Lang) -> Result<String, HttpError> {
    let c = &lang.texts().charts;
    let t = timeline::load_timeline(svc, false).await?;
    let mut out = header(
        lang,
        [
            "site",
            "milestone",
            "kind",
            "status",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "forecast_end",
            "slip_days",
            "mw",
        ],
    );
    for r in &t.milestones {
        let m = &r.milestone;
        let opt = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        out.push_str(&line([
            m.site_id.clone(),
            m.title.clone(),
            m.kind.as_str().into(),
            (c.milestone_status)(r.status).into(),
            m.planned_start.to_string(),
            m.planned_end.to_string(),
            opt(m.actual_start),
            opt(m.actual_end),
            r.forecast_end.to_string(),
            r.slip_days.to_string(),
            m.mw.to_string(),
        ]));
    }
    Ok(out)
}

/// Every device's latest state, one row each.
async fn fleet_csv(svc: &Services, lang: Lang) -> String {
    let mut out = header(
        lang,
        [
            "id",
            "kind",
            "model",
            "site",
            "address",
            "status",
            "hashrate_ths",
            "share_hashrate_ths",
            "gpu_util_pct",
            "temp_c",
            "power_w",
            "last_seen",
            "problem",
        ],
    );
    let num = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    for d in svc.fleet.devices().await {
        out.push_str(&line([
            d.id,
            d.kind.as_str().into(),
            d.model,
            d.site,
            d.address,
            format!("{:?}", d.status).to_lowercase(),
            num(d.hashrate_ths),
            num(d.share_hashrate_ths),
            num(d.gpu_util_pct),
            num(d.temp_c),
            num(d.power_w),
            d.last_seen.map(|t| t.to_rfc3339()).unwrap_or_default(),
            // The reason in the export's language; an offline device's poll error after it.
            [
                d.reason.as_ref().map(lang.texts().reasons.describe),
                d.problem,
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(": "),
        ]));
    }
    out
}

/// A site's interval prices against its strike, as the overview's power panel draws them.
async fn curtailment_csv(svc: &Services, q: &ExportQuery, lang: Lang) -> Result<String, HttpError> {
    let today = svc.clock.today();
    let to = q.to.unwrap_or(today);
    let query = app::api::power::PowerQuery {
        site: q
            .site
            .clone()
            .ok_or_else(|| ApiError::InvalidInput("site: required".into()))?,
        from: q.from.unwrap_or(to - chrono::Duration::days(6)),
        to,
        strike: None,
        group: None,
    };
    let report = app::api::power::service::load_curtailment(svc, &query).await?;
    let chart = app::charts::power::price_vs_strike(
        &report.rows,
        report.point.as_deref().unwrap_or("fixed"),
        &Palette::DARK,
        lang,
    );
    Ok(category_csv(&chart, lang.texts().charts.col_time))
}

/// One device's history as its work or thermals chart shows it.
async fn device_csv(
    svc: &Services,
    q: &ExportQuery,
    name: &str,
    lang: Lang,
) -> Result<String, HttpError> {
    let c = &lang.texts().charts;
    let palette = Palette::DARK;
    let id =
        q.id.clone()
            .ok_or_else(|| ApiError::InvalidInput("id: required".into()))?;
    let hours = q.hours.unwrap_or(24);
    if !app::api::fleet::HISTORY_HOURS.contains(&hours) {
        return Err(ApiError::InvalidInput(format!(
            "hours: one of {:?}",
            app::api::fleet::HISTORY_HOURS
        ))
        .into());
    }
    let points = svc.fleet.history(&id, hours).await?;
    let kind = svc
        .fleet
        .devices()
        .await
        .into_iter()
        .find(|d| d.id == id)
        .map_or(DeviceKind::Asic, |d| d.kind);
    Ok(if name == "device-work" {
        category_csv(
            &device_history::device_work(&points, kind, &palette, lang),
            c.col_time,
        )
    } else {
        category_csv(
            &device_history::device_thermals(&points, &palette, lang),
            c.col_time,
        )
    })
}

/// Daily rows per site, streamed in chunks (a ten-year range of three sites is ~11,000 rows).
async fn revenue(
    svc: &Services,
    q: &ExportQuery,
    today: NaiveDate,
    lang: Lang,
) -> Result<Response, HttpError> {
    let to = q.to.unwrap_or(today);
    let from = q.from.unwrap_or(to - chrono::Duration::days(29));
    let days = economics::load_revenue(svc, from, to, q.site.as_deref()).await?;
    let header = header(
        lang,
        [
            "date",
            "site",
            "mining_usd",
            "ai_lease_usd",
            "power_cost_usd",
            "btc_mined",
            "hashrate_ths",
            "mining_mw",
            "ai_mw",
            "projected",
        ],
    );
    let chunks: Vec<String> = std::iter::once(header)
        .chain(days.chunks(CHUNK_ROWS).map(|rows| {
            rows.iter()
                .map(|d| {
                    line([
                        d.date.to_string(),
                        d.site.clone(),
                        format!("{:.2}", d.mining_usd),
                        format!("{:.2}", d.ai_lease_usd),
                        format!("{:.2}", d.power_cost_usd),
                        format!("{:.8}", d.btc_mined),
                        format!("{:.1}", d.hashrate_ths),
                        format!("{:.3}", d.mining_mw),
                        format!("{:.3}", d.ai_mw),
                        d.projected.to_string(),
                    ])
                })
                .collect()
        }))
        .collect();
    let stream = futures_util::stream::iter(chunks.into_iter().map(Ok::<_, Infallible>));
    Ok(csv_response("revenue", today, Body::from_stream(stream)))
}
