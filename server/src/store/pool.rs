//! Pool payouts per site and day.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use app::api::error::ApiError;
use app::api::ports::PoolRewards;
use app::model::mining::pool::PoolDay;

use super::{Engine, StoreError};

impl Engine {
    /// Writes payouts; a day already stored takes the pool's newer figure (pools revise the
    /// current day until it closes).
    pub async fn upsert_pool_days(
        &self,
        days: &[PoolDay],
        fetched_at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut tx = self.write_tx().await?;
        let mut n = 0;
        for d in days {
            n += sqlx::query(
                "INSERT INTO pool_rewards (day, site, pool, btc, fetched_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT(day, site, pool) DO UPDATE SET btc = excluded.btc, fetched_at = excluded.fetched_at",
            )
            .bind(d.date)
            .bind(&d.site)
            .bind(&d.pool)
            .bind(d.btc)
            .bind(fetched_at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(n)
    }

    /// The newest day stored for a site's pool account.
    pub async fn last_pool_day(
        &self,
        site: &str,
        pool: &str,
    ) -> Result<Option<NaiveDate>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT MAX(day) FROM pool_rewards WHERE site = $1 AND pool = $2")
                .bind(site)
                .bind(pool)
                .fetch_one(self.pool())
                .await?,
        )
    }
}

#[async_trait]
impl PoolRewards for Engine {
    async fn rewards(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        site: Option<&str>,
    ) -> Result<Vec<PoolDay>, ApiError> {
        let rows: Vec<(NaiveDate, String, String, f64)> = sqlx::query_as(
            "SELECT day, site, pool, btc FROM pool_rewards
             WHERE day BETWEEN $1 AND $2 AND ($3 IS NULL OR site = $4) ORDER BY day, site, pool",
        )
        .bind(from)
        .bind(to)
        .bind(site)
        .bind(site)
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::from)?;
        Ok(rows
            .into_iter()
            .map(|(date, site, pool, btc)| PoolDay {
                date,
                site,
                pool,
                btc,
            })
            .collect())
    }
}
