//! What a pool's API answers (`PoolSource`) and how it fails (`PoolError`): apart from
//! `pool/mod.rs`, so each pool's file names them without importing the module that holds it.

use async_trait::async_trait;
use chrono::NaiveDate;

use crate::remote::RemoteError;

#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    #[error(transparent)]
    Remote(#[from] RemoteError),
    #[error("unexpected answer from the pool: {0}")]
    Parse(String),
    #[error("environment variable {0} holding the pool token is not set")]
    NoToken(String),
}

/// A pool's API for one account.
#[async_trait]
pub trait PoolSource: Send + Sync {
    /// BTC paid per day in `[from, to]` (the days the pool reports).
    async fn daily_rewards(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, f64)>, PoolError>;
}
