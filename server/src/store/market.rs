//! Daily market figures.

use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::Row;

use app::api::error::ApiError;
use app::api::ports::MarketHistory;
use app::model::market::{MarketDay, MarketSource};

use super::{SqliteStore, StoreError};

fn source_name(s: MarketSource) -> &'static str {
    match s {
        MarketSource::Bundled => "bundled",
        MarketSource::Simulated => "simulated",
        MarketSource::Live => "live",
        // Projections are computed on read and never stored.
        MarketSource::Projected => "projected",
    }
}

fn parse_source(s: &str) -> Result<MarketSource, StoreError> {
    match s {
        "bundled" => Ok(MarketSource::Bundled),
        "simulated" => Ok(MarketSource::Simulated),
        "live" => Ok(MarketSource::Live),
        other => Err(StoreError::Corrupt(format!("market source {other:?}"))),
    }
}

impl SqliteStore {
    /// Inserts days that are not stored yet (existing days are kept: a live figure is never
    /// overwritten by a bundled or simulated one). Returns how many rows were added.
    pub async fn insert_market_days(&self, days: &[MarketDay]) -> Result<u64, StoreError> {
        let mut tx = self.pool().begin().await?;
        let mut added = 0;
        for d in days {
            if d.source == MarketSource::Projected {
                continue;
            }
            added += sqlx::query("INSERT OR IGNORE INTO market_days (day, btc_usd, difficulty, fees_btc_per_block, source) VALUES (?, ?, ?, ?, ?)")
                .bind(d.date)
                .bind(d.btc_usd)
                .bind(d.difficulty)
                .bind(d.fees_btc_per_block)
                .bind(source_name(d.source))
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
        sqlx::query("SELECT day, btc_usd, difficulty, fees_btc_per_block, source FROM market_days WHERE day BETWEEN ? AND ? ORDER BY day")
            .bind(from)
            .bind(to)
            .fetch_all(self.pool())
            .await?
            .into_iter()
            .map(|r| {
                Ok(MarketDay {
                    date: r.get("day"),
                    btc_usd: r.get("btc_usd"),
                    difficulty: r.get("difficulty"),
                    fees_btc_per_block: r.get("fees_btc_per_block"),
                    source: parse_source(r.get("source"))?,
                })
            })
            .collect()
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
impl MarketHistory for SqliteStore {
    async fn days(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<MarketDay>, ApiError> {
        Ok(self.market_days(from, to).await?)
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
