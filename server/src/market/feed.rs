//! The live market feed from a mempool-compatible API: a backfill of the days after the bundled
//! snapshot, today's row refreshed every few minutes, history re-checked daily. Everything goes
//! into the store; pages read the store and never wait on the remote.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, Utc};

use app::api::ports::Clock;
use app::model::mining::market::{MarketDay, MarketSource};

use super::mempool::{self, ParseError};
use crate::remote::{Remote, RemoteError, RemoteLimits};
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error(transparent)]
    Remote(#[from] RemoteError),
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the market source has no difficulty history")]
    NoDifficulty,
}

/// A mempool instance.
#[derive(Clone)]
pub struct MempoolFeed {
    remote: Remote,
}

impl MempoolFeed {
    pub fn new(base_url: &str, limits: RemoteLimits) -> Result<Self, FeedError> {
        Ok(Self {
            remote: Remote::new(base_url, limits)?,
        })
    }

    /// The host, for "live · mempool · host" provenance notes.
    pub fn host(&self) -> String {
        crate::remote::host_of(self.remote.base())
    }

    async fn get<T>(
        &self,
        path: &str,
        parse: fn(&str) -> Result<T, ParseError>,
    ) -> Result<T, FeedError> {
        Ok(parse(&self.remote.get_text(path).await?)?)
    }

    pub async fn price_now(&self) -> Result<mempool::Price, FeedError> {
        self.get("/api/v1/prices", mempool::parse_prices).await
    }

    /// The close of `day`: the instance's price nearest the day's last second.
    pub async fn close(&self, day: NaiveDate) -> Result<Option<f64>, FeedError> {
        let path = format!(
            "/api/v1/historical-price?currency=USD&timestamp={}",
            mempool::day_end(day)
        );
        Ok(self
            .get(&path, mempool::parse_historical_price)
            .await?
            .map(|p| p.usd))
    }

    pub async fn hashrate(&self, period: &str) -> Result<mempool::HashrateHistory, FeedError> {
        self.get(
            &format!("/api/v1/mining/hashrate/{period}"),
            mempool::parse_hashrate,
        )
        .await
    }

    pub async fn block_fees(&self, period: &str) -> Result<Vec<mempool::FeeBucket>, FeedError> {
        self.get(
            &format!("/api/v1/mining/blocks/fees/{period}"),
            mempool::parse_block_fees,
        )
        .await
    }

    pub async fn tip_height(&self) -> Result<u64, FeedError> {
        self.get("/api/blocks/tip/height", mempool::parse_tip_height)
            .await
    }

    /// Average fees per block over the last day's 144 blocks.
    pub async fn recent_fees(&self) -> Result<f64, FeedError> {
        Ok(self
            .get(
                "/api/v1/mining/reward-stats/144",
                mempool::parse_reward_stats,
            )
            .await?
            .0)
    }

    /// Fetches and stores live rows for the days in `[from, to]` that hold none yet. Returns
    /// the rows written. Days the instance cannot price stay as they were.
    pub async fn backfill(
        &self,
        store: &Store,
        from: NaiveDate,
        to: NaiveDate,
        today: NaiveDate,
    ) -> Result<u64, FeedError> {
        let missing = store.days_without_live(from, to).await?;
        let Some(first) = missing.first().copied() else {
            return Ok(0);
        };
        let period = mempool::period_covering((today - first).num_days() + 1);
        let history = self.hashrate(period).await?;
        if history.difficulty.is_empty() {
            return Err(FeedError::NoDifficulty);
        }
        let fees = self.block_fees(period).await?;
        let mut closes = BTreeMap::new();
        let mut written = 0;
        // One request per day: stored in batches so an interrupted backfill keeps its progress.
        for chunk in missing.chunks(30) {
            for day in chunk {
                if let Some(usd) = self.close(*day).await? {
                    closes.insert(*day, usd);
                }
            }
            let rows = mempool::daily_rows(
                chunk[0],
                *chunk.last().expect("non-empty chunk"),
                &closes,
                &history.difficulty,
                &fees,
            );
            written += store.upsert_live_days(&rows, Utc::now()).await?;
        }
        Ok(written)
    }

    /// Refreshes today's row from the current figures: price now, the current difficulty,
    /// the last 144 blocks' fees, the tip height.
    pub async fn refresh_today(
        &self,
        store: &Store,
        today: NaiveDate,
    ) -> Result<MarketDay, FeedError> {
        let price = self.price_now().await?;
        let history = self.hashrate("1m").await?;
        let difficulty = history
            .current_difficulty
            .or_else(|| history.difficulty.last().map(|p| p.difficulty))
            .ok_or(FeedError::NoDifficulty)?;
        let row = MarketDay {
            date: today,
            btc_usd: price.usd,
            difficulty,
            fees_btc_per_block: self.recent_fees().await?,
            height: Some(self.tip_height().await?),
            source: MarketSource::Live,
        };
        store.upsert_live_days(&[row], Utc::now()).await?;
        Ok(row)
    }
}

/// Schedule of the feed.
#[derive(Debug, Clone)]
pub struct FeedSchedule {
    /// Today's row.
    pub refresh: Duration,
    /// Missing history days.
    pub backfill: Duration,
}

impl Default for FeedSchedule {
    fn default() -> Self {
        Self {
            refresh: Duration::from_secs(10 * 60),
            backfill: Duration::from_secs(24 * 3600),
        }
    }
}

/// Runs the feed: a backfill from `backfill_from` through yesterday, today's row, then
/// refreshes on the schedule. A failed round is logged and leaves the stored figures in
/// place (pages flag them stale after two hours).
pub fn spawn(
    feed: MempoolFeed,
    store: Arc<Store>,
    clock: Arc<dyn Clock>,
    backfill_from: NaiveDate,
    schedule: FeedSchedule,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut last_backfill: Option<std::time::Instant> = None;
        loop {
            let today = clock.today();
            match feed.refresh_today(&store, today).await {
                Ok(row) => {
                    tracing::info!(btc_usd = row.btc_usd, height = ?row.height, "live market figures refreshed")
                }
                Err(e) => {
                    tracing::warn!(error = %e, "live market refresh failed; keeping the last figures")
                }
            }
            if last_backfill.is_none_or(|t| t.elapsed() >= schedule.backfill) {
                let yesterday = today.pred_opt().unwrap_or(today);
                match feed.backfill(&store, backfill_from, yesterday, today).await {
                    Ok(n) => {
                        tracing::info!(days = n, "live market history backfilled");
                        last_backfill = Some(std::time::Instant::now());
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "live market backfill failed; retrying later")
                    }
                }
            }
            tokio::time::sleep(schedule.refresh).await;
        }
    })
}
