//! Pool payouts: what each site's pool account was paid per day. One `PoolSource` per pool
//! kind (one file each); `sync` fetches the days not stored yet (and the last few again, since
//! pools revise the current day) and writes them to the store.

pub mod braiins;
mod source;

pub use source::{PoolError, PoolSource};

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;

use app::model::mining::pool::PoolDay;

use crate::remote::{Remote, RemoteLimits};
use crate::store::Store;

/// A pool account whose payouts count for a site. The token is read from `token_env` when the
/// payouts are fetched, so it lives only in the environment.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolAccount {
    pub kind: PoolKind,
    pub site: String,
    pub url: String,
    pub token_env: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolKind {
    Braiins,
}

impl PoolKind {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "braiins" => Some(PoolKind::Braiins),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PoolKind::Braiins => "braiins",
        }
    }

    pub fn default_url(self) -> &'static str {
        match self {
            PoolKind::Braiins => "https://pool.braiins.com",
        }
    }
}

/// The source for an account, with its token read from the environment now.
pub fn source_for(
    account: &PoolAccount,
    limits: RemoteLimits,
) -> Result<Box<dyn PoolSource>, PoolError> {
    let token = std::env::var(&account.token_env)
        .map_err(|_| PoolError::NoToken(account.token_env.clone()))?;
    match account.kind {
        PoolKind::Braiins => Ok(Box::new(braiins::Braiins::new(
            Remote::new(&account.url, limits)?,
            &token,
        ))),
    }
}

/// How far back the first sync of an account reaches.
pub const FIRST_SYNC_DAYS: i64 = 365;
/// Days re-fetched on every sync: the pool revises the current day until it closes.
pub const REVISED_DAYS: i64 = 2;

/// Fetches and stores the days of `account` up to `today`. Returns the rows written.
pub async fn sync(
    store: &Store,
    account: &PoolAccount,
    source: &dyn PoolSource,
    today: NaiveDate,
) -> Result<u64, PoolError> {
    let kind = account.kind.as_str();
    let from = match store.last_pool_day(&account.site, kind).await {
        Ok(Some(last)) => last - chrono::Duration::days(REVISED_DAYS),
        _ => today - chrono::Duration::days(FIRST_SYNC_DAYS),
    };
    let days = source.daily_rewards(from, today).await?;
    let rows: Vec<PoolDay> = days
        .into_iter()
        .filter(|(d, _)| *d >= from && *d <= today)
        .map(|(date, btc)| PoolDay {
            date,
            site: account.site.clone(),
            pool: kind.to_string(),
            btc,
        })
        .collect();
    store
        .upsert_pool_days(&rows, chrono::Utc::now())
        .await
        .map_err(|e| PoolError::Parse(e.to_string()))
}

/// Syncs every account now and then every `every`, logging failures (a pool that is down
/// leaves the stored days as they were).
pub fn spawn(
    store: Arc<Store>,
    accounts: Vec<PoolAccount>,
    clock: Arc<dyn app::api::ports::Clock>,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            for account in &accounts {
                let result = match source_for(account, RemoteLimits::default()) {
                    Ok(source) => sync(&store, account, source.as_ref(), clock.today()).await,
                    Err(e) => Err(e),
                };
                match result {
                    Ok(n) => {
                        tracing::info!(site = %account.site, pool = account.kind.as_str(), rows = n, "pool payouts synced")
                    }
                    Err(e) => {
                        tracing::warn!(site = %account.site, pool = account.kind.as_str(), error = %e, "pool payouts not synced")
                    }
                }
            }
            tokio::time::sleep(every).await;
        }
    })
}
