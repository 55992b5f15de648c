//! Daily market figures.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;

use app::api::error::ApiError;
use app::api::ports::MarketHistory;
use app::model::mining::market::{MarketDay, MarketSource};

use super::{DbRow, Engine, StoreError};

fn parse_source(s: &str) -> Result<MarketSource, StoreError> {
    MarketSource::parse(s)
        .filter(|m| *m != MarketSource::Projected)
        .ok_or_else(|| StoreError::Corrupt(format!("market source {s:?}")))
}

fn day_from_row(r: &DbRow) -> Result<MarketDay, StoreError> {
    Ok(MarketDay {
        date: r.get("day"),
        btc_usd: r.get("btc_usd"),
        difficulty: r.get("difficulty"),
        fees_btc_per_block: r.get("fees_btc_per_block"),
        height: r.get::<Option<i64>, _>("height").map(|h| h.max(0) as u64),
        source: parse_source(r.get("source"))?,
    })
}

impl Engine {
    /// Inserts days that are not stored yet (existing days are kept: a live figure is never
    /// overwritten by a bundled or simulated one). Returns how many rows were added.
    pub async fn insert_market_days(&self, days: &[MarketDay]) -> Result<u64, StoreError> {
        let mut tx = self.write_tx().await?;
        let mut added = 0;
        for d in days {
            if d.source == MarketSource::Projected {
                continue;
            }
            added += sqlx::query("INSERT INTO market_days (day, btc_usd, difficulty, fees_btc_per_block, height, source) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (day) DO NOTHING")
                .bind(d.date)
                .bind(d.btc_usd)
                .bind(d.difficulty)
                .bind(d.fees_btc_per_block)
                .bind(d.height.map(|h| h as i64))
                .bind(d.source.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        tx.commit().await?;
        Ok(added)
    }

    /// Days in `[from, to]`, date-ordered.
    pub async fn market_days(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<MarketDay>, StoreError> {
        sqlx::query("SELECT day, btc_usd, difficulty, fees_btc_per_block, height, source FROM market_days WHERE day BETWEEN $1 AND $2 ORDER BY day")
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(day_from_row)
        .collect()
    }

    /// Writes live rows, replacing whatever the day held (a simulated stand-in, an older live
    /// fetch), with the time they were fetched.
    pub async fn upsert_live_days(
        &self,
        days: &[MarketDay],
        fetched_at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut tx = self.write_tx().await?;
        let mut written = 0;
        for d in days.iter().filter(|d| d.source == MarketSource::Live) {
            written += sqlx::query(
                "INSERT INTO market_days (day, btc_usd, difficulty, fees_btc_per_block, height, source, fetched_at)
                 VALUES ($1, $2, $3, $4, $5, 'live', $6)
                 ON CONFLICT(day) DO UPDATE SET btc_usd = excluded.btc_usd, difficulty = excluded.difficulty,
                   fees_btc_per_block = excluded.fees_btc_per_block, height = excluded.height,
                   source = 'live', fetched_at = excluded.fetched_at",
            )
            .bind(d.date)
            .bind(d.btc_usd)
            .bind(d.difficulty)
            .bind(d.fees_btc_per_block)
            .bind(d.height.map(|h| h as i64))
            .bind(fetched_at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(written)
    }

    /// Days in `[from, to]` that hold no live row yet.
    pub async fn days_without_live(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<NaiveDate>, StoreError> {
        let live: Vec<NaiveDate> = sqlx::query_scalar(
            "SELECT day FROM market_days WHERE source = 'live' AND day BETWEEN $1 AND $2",
        )
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::new();
        let mut d = from;
        while d <= to {
            if !live.contains(&d) {
                out.push(d);
            }
            d = d.succ_opt().expect("date in range");
        }
        Ok(out)
    }

    /// The most recent stored day of any source.
    pub async fn last_market_day(&self) -> Result<Option<MarketDay>, StoreError> {
        let last: Option<NaiveDate> = sqlx::query_scalar("SELECT MAX(day) FROM market_days")
            .fetch_one(self.pool())
            .await?;
        match last {
            Some(d) => Ok(self.market_days(d, d).await?.into_iter().next()),
            None => Ok(None),
        }
    }
}

#[async_trait]
impl MarketHistory for Engine {
    async fn days(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<MarketDay>, ApiError> {
        Ok(self.market_days(from, to).await?)
    }

    async fn newest_live(&self) -> Result<Option<(NaiveDate, DateTime<Utc>)>, ApiError> {
        let row: Option<(NaiveDate, Option<DateTime<Utc>>)> = sqlx::query_as(
            "SELECT day, fetched_at FROM market_days WHERE source = 'live' ORDER BY day DESC LIMIT 1",
        )
        .fetch_optional(self.pool())
        .await
        .map_err(StoreError::from)?;
        Ok(row.and_then(|(d, at)| Some((d, at?))))
    }

    async fn forward_curve(
        &self,
    ) -> Result<Option<app::model::mining::forwards::ForwardCurve>, ApiError> {
        Ok(self.newest_forward_curve().await?)
    }

    async fn gpu_quotes(
        &self,
        on: NaiveDate,
    ) -> Result<Vec<app::model::mining::forwards::GpuIndexQuote>, ApiError> {
        Ok(self.gpu_index_latest(on).await?)
    }

    async fn last_real_day(&self) -> Result<Option<NaiveDate>, ApiError> {
        let d: Option<NaiveDate> = sqlx::query_scalar(
            "SELECT MAX(day) FROM market_days WHERE source IN ('bundled', 'live')",
        )
        .fetch_one(self.pool())
        .await
        .map_err(StoreError::from)?;
        Ok(d)
    }
}
