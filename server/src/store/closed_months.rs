//! Closed months: versions of a month's figures, written once and never updated. Compiled once
//! per engine.

use sqlx::Row;

use app::api::error::ApiError;
use app::api::types::{ClosedMonth, ClosedMonthRow};
use app::model::investor::monthly_close::{ChangedLine, MonthFigures};
use app::model::power::credit::{PowerCredit, PowerCreditKind};

use super::audit::record;
use super::{Engine, StoreError};

fn corrupt(e: serde_json::Error) -> StoreError {
    StoreError::Corrupt(format!("closed month: {e}"))
}

impl Engine {
    pub async fn closed_month_rows(&self) -> Result<Vec<ClosedMonthRow>, StoreError> {
        Ok(sqlx::query(
            "SELECT month, version, reason, closed_by, closed_at FROM closed_months
             ORDER BY month DESC, version",
        )
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| ClosedMonthRow {
            month: r.get("month"),
            version: r.get("version"),
            reason: r.get("reason"),
            closed_by: r.get("closed_by"),
            closed_at: r.get("closed_at"),
        })
        .collect())
    }

    pub async fn read_closed_month(
        &self,
        month: &str,
        version: Option<i64>,
    ) -> Result<Option<ClosedMonth>, StoreError> {
        let row = sqlx::query(
            "SELECT month, version, figures, changes, reason, closed_by, closed_at FROM closed_months
             WHERE month = $1 AND ($2 IS NULL OR version = $2) ORDER BY version DESC LIMIT 1",
        )
        .bind(month)
        .bind(version)
        .fetch_optional(self.pool())
        .await?;
        let Some(r) = row else {
            return Ok(None);
        };
        Ok(Some(ClosedMonth {
            month: r.get("month"),
            version: r.get("version"),
            figures: serde_json::from_str(r.get::<&str, _>("figures")).map_err(corrupt)?,
            changes: serde_json::from_str(r.get::<&str, _>("changes")).map_err(corrupt)?,
            reason: r.get("reason"),
            closed_by: r.get("closed_by"),
            closed_at: r.get("closed_at"),
            versions: Vec::new(),
            footnote: String::new(),
            month_on_month: None,
            year_on_year: None,
        }))
    }

    /// Writes version `after + 1` of the month, unless another writer got there first.
    pub async fn write_closed_month(
        &self,
        figures: &MonthFigures,
        changes: &[ChangedLine],
        reason: &str,
        actor: &str,
        after: i64,
    ) -> Result<Result<i64, i64>, StoreError> {
        let mut tx = self.write_tx().await?;
        let newest: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM closed_months WHERE month = $1")
                .bind(&figures.month)
                .fetch_one(&mut *tx)
                .await?;
        let newest = newest.unwrap_or(0);
        if newest != after {
            return Ok(Err(newest));
        }
        let version = after + 1;
        sqlx::query(
            "INSERT INTO closed_months (month, version, figures, changes, reason, closed_by, closed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&figures.month)
        .bind(version)
        .bind(serde_json::to_string(figures).map_err(corrupt)?)
        .bind(serde_json::to_string(changes).map_err(corrupt)?)
        .bind(reason)
        .bind(actor)
        .bind(crate::store::rows::now())
        .execute(&mut *tx)
        .await?;
        let (action, detail) = if version == 1 {
            (
                "report.close",
                format!("version 1; BTC {:.4}", figures.total.btc_produced),
            )
        } else {
            (
                "report.restate",
                format!(
                    "version {version}: {reason}; {} figures changed",
                    changes.len()
                ),
            )
        };
        record(&mut tx, actor, action, &figures.month, &detail).await?;
        tx.commit().await?;
        Ok(Ok(version))
    }

    /// The port's answer: a lost race is a conflict naming the version that won.
    pub(super) async fn save_closed_month_checked(
        &self,
        figures: &MonthFigures,
        changes: &[ChangedLine],
        reason: &str,
        actor: &str,
        after: i64,
    ) -> Result<i64, ApiError> {
        match self
            .write_closed_month(figures, changes, reason, actor, after)
            .await?
        {
            Ok(v) => Ok(v),
            Err(newest) => Err(ApiError::Conflict {
                current_version: newest,
                current_text: format!("{} changed while this was computed", figures.month),
                current_author: String::new(),
            }),
        }
    }
}

fn credit_from_row(r: &<super::Db as sqlx::Database>::Row) -> Result<PowerCredit, StoreError> {
    let kind: String = r.get("kind");
    Ok(PowerCredit {
        id: r.get("id"),
        site: r.get("site_id"),
        month: r.get("month"),
        kind: PowerCreditKind::from_key(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("power credit kind {kind:?}")))?,
        usd: r.get("usd"),
        note: r.get("note"),
        recorded_by: r.get("recorded_by"),
        recorded_at: r.get("recorded_at"),
    })
}

/// Power credits: what a closed month's credits come from; a credit recorded after the close
/// moves the month only through a restatement.
impl Engine {
    pub async fn read_power_credits(
        &self,
        month: Option<&str>,
    ) -> Result<Vec<PowerCredit>, StoreError> {
        sqlx::query(
            "SELECT id, site_id, month, kind, usd, note, recorded_by, recorded_at FROM power_credits
             WHERE ($1 IS NULL OR month = $1) ORDER BY month, site_id, recorded_at, id",
        )
        .bind(month)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(credit_from_row)
        .collect()
    }

    /// Records `c`; false when its site does not exist.
    pub async fn write_power_credit(&self, c: &PowerCredit) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let site: Option<String> = sqlx::query_scalar("SELECT id FROM sites WHERE id = $1")
            .bind(&c.site)
            .fetch_optional(&mut *tx)
            .await?;
        if site.is_none() {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO power_credits (id, site_id, month, kind, usd, note, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&c.id)
        .bind(&c.site)
        .bind(&c.month)
        .bind(c.kind.key())
        .bind(c.usd)
        .bind(&c.note)
        .bind(&c.recorded_by)
        .bind(c.recorded_at)
        .execute(&mut *tx)
        .await?;
        let detail = format!("{} {} {} ${:.2}", c.site, c.month, c.kind.key(), c.usd);
        record(&mut tx, &c.recorded_by, "power_credit.add", &c.id, &detail).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn delete_power_credit(&self, id: &str, actor: &str) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let gone = sqlx::query("DELETE FROM power_credits WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if gone == 0 {
            return Ok(false);
        }
        record(&mut tx, actor, "power_credit.remove", id, "removed").await?;
        tx.commit().await?;
        Ok(true)
    }
}
