//! Closed months over the seam: closing a month freezes its figures as version 1, a
//! restatement adds a version with what changed; the figures of a closed month never move
//! with later data. Admins close and restate; viewers read.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::ApiError;

pub use super::types::{ClosedMonth, ClosedMonthRow};
#[cfg(feature = "ssr")]
use crate::model::investor::monthly_close::MonthFigures;

/// The words every closed month carries: these are management figures.
pub const FOOTNOTE: &str = "unaudited, estimated";

/// `GET /api/v1/reports`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ClosedMonths {
    pub months: Vec<ClosedMonthRow>,
}

/// `POST /api/v1/reports/{month}/restate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Restatement {
    /// Why (late congestion credits, a pool's revised payouts, …): 1 to 500 characters.
    pub reason: String,
}

/// Closed months and their versions (the `/reports` page).
#[server(endpoint = "get_reports")]
pub async fn get_reports() -> Result<ClosedMonths, ApiError> {
    super::server_fn::run(super::auth::Role::Viewer, move |svc, _| async move {
        service::list(&svc).await
    })
    .await
}

/// A closed month's newest version, or `version` (the `/reports/{month}` page).
#[server(endpoint = "get_report")]
pub async fn get_report(month: String, version: Option<i64>) -> Result<ClosedMonth, ApiError> {
    super::server_fn::run(super::auth::Role::Viewer, move |svc, _| async move {
        service::read(&svc, &month, version).await
    })
    .await
}

/// Closes `month` (admin).
#[server(endpoint = "close_report")]
pub async fn close_report(month: String) -> Result<ClosedMonth, ApiError> {
    super::server_fn::run(super::auth::Role::Admin, move |svc, me| async move {
        service::close(&svc, &me, &month).await
    })
    .await
}

/// Restates `month` with a reason (admin).
#[server(endpoint = "restate_report")]
pub async fn restate_report(month: String, reason: String) -> Result<ClosedMonth, ApiError> {
    super::server_fn::run(super::auth::Role::Admin, move |svc, me| async move {
        service::restate(&svc, &me, &month, &Restatement { reason }).await
    })
    .await
}

/// The production update's lines of a closed month, with its comparisons.
pub fn rows(closed: &ClosedMonth) -> Vec<crate::model::investor::monthly_close::ProductionRow> {
    let lines = |c: &Option<super::types::ComparedMonth>| {
        c.as_ref().map(|c| c.lines.clone()).unwrap_or_default()
    };
    crate::model::investor::monthly_close::production_rows(
        &closed.figures,
        &lines(&closed.month_on_month),
        &lines(&closed.year_on_year),
    )
}

/// A closed month as CSV (`GET /api/v1/reports/{month}/csv`): a header, one line per figure
/// (numbers plain, empty where none), and the version and footnote as a last comment line.
pub fn csv(closed: &ClosedMonth) -> String {
    use crate::charts::csv::line;
    let num = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let mut out = line(
        [
            "month",
            "site",
            "figure",
            "value",
            "prior_month",
            "month_on_month_pct",
            "year_before",
            "year_on_year_pct",
        ]
        .map(String::from),
    );
    for r in rows(closed) {
        out.push_str(&line([
            closed.month.clone(),
            r.site,
            r.figure,
            num(r.value),
            num(r.prior_month),
            num(r.month_on_month_pct),
            num(r.year_before),
            num(r.year_on_year_pct),
        ]));
    }
    out.push_str(&format!(
        "# version {}; {}\n",
        closed.version, closed.footnote
    ));
    out
}

/// (ssr) Closing, restating and reading months.
#[cfg(feature = "ssr")]
pub mod service {
    use super::*;
    use crate::api::auth::Principal;
    use crate::api::ports::Services;
    use crate::model::investor::monthly_close::{
        changes, close as close_figures, compare, is_over, month_bounds, parse_month,
    };
    use crate::model::power::credit::{NewPowerCredit, PowerCredit};

    fn month_of(text: &str) -> Result<chrono::NaiveDate, ApiError> {
        parse_month(text).ok_or_else(|| {
            ApiError::InvalidInput(format!(
                "month: YYYY-MM between 2000 and 2200, not {text:?}"
            ))
        })
    }

    /// The month's figures from the data as it is now (never from a cache).
    async fn figures_now(
        svc: &Services,
        month: chrono::NaiveDate,
    ) -> Result<MonthFigures, ApiError> {
        let (first, last) = month_bounds(month);
        let rows =
            crate::api::economics::service::revenue_rows(svc, first, last, svc.clock.today())
                .await?;
        let key = first.format("%Y-%m").to_string();
        let credits = svc.sites.power_credits(Some(&key)).await?;
        let sites = svc.sites.list_sites().await?;
        let mut figures = close_figures(&rows, &sites, &credits, month);
        for d in svc.market.days(first, last).await? {
            *figures
                .market_days_by_source
                .entry(d.source.as_str().to_string())
                .or_insert(0) += 1;
        }
        Ok(figures)
    }

    /// Closes `month` as version 1. Only a month that has ended closes, and only once.
    pub async fn close(
        svc: &Services,
        who: &Principal,
        month: &str,
    ) -> Result<ClosedMonth, ApiError> {
        let first = month_of(month)?;
        let today = svc.clock.today();
        if !is_over(first, today) {
            return Err(ApiError::InvalidInput(format!(
                "month: {month} has not ended (today is {today})"
            )));
        }
        if let Some(current) = svc
            .sites
            .closed_month(&first.format("%Y-%m").to_string(), None)
            .await?
        {
            return Err(ApiError::Conflict {
                current_version: current.version,
                current_text: format!("{month} is closed; restate it with a reason"),
                current_author: current.closed_by,
            });
        }
        let figures = figures_now(svc, first).await?;
        if figures.sites.is_empty() {
            return Err(ApiError::InvalidInput(format!(
                "month: {month} has no history to close (no site operated, or the market history does not cover it)"
            )));
        }
        let key = figures.month.clone();
        svc.sites
            .save_closed_month(&figures, &[], "close", &who.actor(), 0)
            .await?;
        read(svc, &key, None).await
    }

    /// Restates a closed `month`: a new version from the data now, with what changed.
    pub async fn restate(
        svc: &Services,
        who: &Principal,
        month: &str,
        r: &Restatement,
    ) -> Result<ClosedMonth, ApiError> {
        let first = month_of(month)?;
        let reason = r.reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 || reason.chars().any(char::is_control)
        {
            return Err(ApiError::InvalidInput(
                "reason: 1 to 500 printable characters".into(),
            ));
        }
        let key = first.format("%Y-%m").to_string();
        let Some(current) = svc.sites.closed_month(&key, None).await? else {
            return Err(ApiError::NotFound(format!("closed month {key}")));
        };
        let figures = figures_now(svc, first).await?;
        let changed = changes(&current.figures, &figures);
        svc.sites
            .save_closed_month(&figures, &changed, reason, &who.actor(), current.version)
            .await?;
        read(svc, &key, None).await
    }

    /// A closed month's newest version, or `version`.
    pub async fn read(
        svc: &Services,
        month: &str,
        version: Option<i64>,
    ) -> Result<ClosedMonth, ApiError> {
        let key = month_of(month)?.format("%Y-%m").to_string();
        let mut found =
            svc.sites
                .closed_month(&key, version)
                .await?
                .ok_or_else(|| match version {
                    Some(v) => ApiError::NotFound(format!("version {v} of closed month {key}")),
                    None => ApiError::NotFound(format!("closed month {key}")),
                })?;
        found.versions = svc
            .sites
            .closed_months()
            .await?
            .into_iter()
            .filter(|r| r.month == key)
            .map(|r| r.version)
            .collect();
        found.footnote = FOOTNOTE.into();
        let first = month_of(month)?;
        let earlier = |months: u32| first.checked_sub_months(chrono::Months::new(months));
        found.month_on_month = compared(svc, &found, earlier(1)).await?;
        found.year_on_year = compared(svc, &found, earlier(12)).await?;
        Ok(found)
    }

    /// `found` against the newest version of the closed month starting `prior`, if closed.
    async fn compared(
        svc: &Services,
        found: &ClosedMonth,
        prior: Option<chrono::NaiveDate>,
    ) -> Result<Option<crate::api::types::ComparedMonth>, ApiError> {
        let Some(prior) = prior else {
            return Ok(None);
        };
        let key = prior.format("%Y-%m").to_string();
        Ok(svc
            .sites
            .closed_month(&key, None)
            .await?
            .map(|p| crate::api::types::ComparedMonth {
                month: key,
                version: p.version,
                lines: compare(&found.figures, &p.figures),
            }))
    }

    pub async fn list(svc: &Services) -> Result<ClosedMonths, ApiError> {
        Ok(ClosedMonths {
            months: svc.sites.closed_months().await?,
        })
    }

    /// Records a power credit for a site's month (a month already closed moves only when it is
    /// restated).
    static NEXT_CREDIT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

    pub async fn add_credit(
        svc: &Services,
        who: &Principal,
        new: &NewPowerCredit,
    ) -> Result<PowerCredit, ApiError> {
        new.validate().map_err(ApiError::InvalidInput)?;
        let now = svc.clock.now();
        let month = month_of(&new.month)?.format("%Y-%m").to_string();
        let credit = PowerCredit {
            // Time, then a counter: two credits recorded in one microsecond keep apart.
            id: format!(
                "pc-{}-{}",
                now.format("%Y%m%d%H%M%S%6f"),
                NEXT_CREDIT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            ),
            site: new.site.clone(),
            month,
            kind: new.kind,
            usd: new.usd,
            note: new.note.trim().to_string(),
            recorded_by: who.actor(),
            recorded_at: now,
        };
        svc.sites.add_power_credit(&credit).await?;
        Ok(credit)
    }

    /// Credits of `month`, or of every month.
    pub async fn credits(
        svc: &Services,
        month: Option<&str>,
    ) -> Result<Vec<PowerCredit>, ApiError> {
        let month = month
            .map(|m| month_of(m).map(|d| d.format("%Y-%m").to_string()))
            .transpose()?;
        svc.sites.power_credits(month.as_deref()).await
    }

    pub async fn remove_credit(svc: &Services, who: &Principal, id: &str) -> Result<(), ApiError> {
        if svc.sites.remove_power_credit(id, &who.actor()).await? {
            Ok(())
        } else {
            Err(ApiError::NotFound(format!("power credit {id}")))
        }
    }
}
