//! Market figures with their provenance (`/api/v1/market`, `/market/latest`) and pool payouts
//! (`/api/v1/pool-rewards`).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::model::mining::market::{MarketDay, MarketSource};

/// One day of market figures as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MarketRow {
    pub date: NaiveDate,
    pub btc_usd: f64,
    pub difficulty: f64,
    /// Reported by the source for live days; estimated from the date otherwise.
    pub height: u64,
    pub fees_btc_per_block: f64,
    pub hashprice_usd_per_ph_day: f64,
    pub source: MarketSource,
}

impl From<&MarketDay> for MarketRow {
    fn from(d: &MarketDay) -> Self {
        Self {
            date: d.date,
            btc_usd: d.btc_usd,
            difficulty: d.difficulty,
            height: d.height(),
            fees_btc_per_block: d.fees_btc_per_block,
            hashprice_usd_per_ph_day: d.hashprice_usd_per_ph_day(),
            source: d.source,
        }
    }
}

/// Today's figures, how old they are, and whether they are stale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MarketLatest {
    #[serde(flatten)]
    pub row: MarketRow,
    /// When a live figure was fetched; the day's start for bundled and simulated figures.
    pub as_of: DateTime<Utc>,
    /// True when a live feed is configured and its newest figure is over two hours old.
    pub stale: bool,
    /// The live feed's host, when configured.
    pub feed: Option<String>,
}

/// (ssr) Shared by the JSON handlers.
#[cfg(feature = "ssr")]
pub mod service {
    use super::*;
    use crate::api::economics::service::check_window;
    use crate::api::error::ApiError;
    use crate::api::ports::Services;
    use crate::model::mining::pool::PoolRewardRow;
    use crate::model::mining::projection::Scenario;

    /// Stored days through today, then the scenario's projection.
    pub async fn load_market(
        svc: &Services,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<MarketRow>, ApiError> {
        check_window(from, to)?;
        let today = svc.clock.today();
        let history = svc.market.days(from.min(today), today).await?;
        let anchor = match history.last() {
            Some(_) => history,
            None => match svc.market.last_real_day().await? {
                Some(d) => svc.market.days(d, d).await?,
                None => Vec::new(),
            },
        };
        let window = crate::model::investor::overview::market_window(
            &anchor,
            today,
            from,
            to,
            &Scenario::default(),
        );
        Ok(window.iter().map(MarketRow::from).collect())
    }

    pub async fn load_latest(svc: &Services) -> Result<MarketLatest, ApiError> {
        let today = svc.clock.today();
        // The newest stored day, however old: a stale figure is shown as stale, not hidden.
        let recent = svc
            .market
            .days(today - chrono::Duration::days(31), today)
            .await?
            .pop();
        let day = match recent {
            Some(d) => d,
            None => match svc.market.last_real_day().await?.filter(|d| *d <= today) {
                Some(last) => svc.market.days(last, last).await?.pop(),
                None => None,
            }
            .ok_or_else(|| ApiError::NotFound("no market figures up to today".into()))?,
        };
        let feed = crate::api::economics::service::market_feed_status(svc).await?;
        let fetched = match day.source {
            MarketSource::Live => svc
                .market
                .newest_live()
                .await?
                .filter(|(d, _)| *d == day.date)
                .map(|(_, at)| at),
            _ => None,
        };
        Ok(MarketLatest {
            row: MarketRow::from(&day),
            as_of: fetched.unwrap_or_else(|| crate::model::company::range::start_of_day(day.date)),
            stale: feed.as_ref().is_some_and(|f| f.stale_since.is_some()),
            feed: feed.map(|f| f.host),
        })
    }

    /// Pool payouts valued at each day's BTC price.
    pub async fn load_pool_rewards(
        svc: &Services,
        from: NaiveDate,
        to: NaiveDate,
        site: Option<&str>,
    ) -> Result<Vec<PoolRewardRow>, ApiError> {
        check_window(from, to)?;
        let paid = svc.pools.rewards(from, to, site).await?;
        let prices: std::collections::BTreeMap<NaiveDate, f64> = svc
            .market
            .days(from, to)
            .await?
            .into_iter()
            .map(|d| (d.date, d.btc_usd))
            .collect();
        Ok(paid
            .into_iter()
            .map(|p| PoolRewardRow {
                usd: prices.get(&p.date).map(|usd| usd * p.btc),
                date: p.date,
                site: p.site,
                pool: p.pool,
                btc: p.btc,
            })
            .collect())
    }
}
