//! How loading market history fails.

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum MarketError {
    #[error("bundled market snapshot is invalid: {0}")]
    Snapshot(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}
