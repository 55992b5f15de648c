//! Market figures: the bundled snapshot of public figures and the market simulator that fills
//! the days after it. Both write into the store; readers never know which produced a day except
//! through its `source`.

pub mod bundled;
mod error;
pub mod feed;
pub mod mempool;
pub mod simulated;

use chrono::NaiveDate;

use crate::store::Store;

pub use error::MarketError;

/// Loads the bundled snapshot into the store and, when `simulate` is on, simulated days from the
/// snapshot's end through `today`. Idempotent: stored days are kept.
pub async fn ensure_history(
    store: &Store,
    today: NaiveDate,
    simulate: bool,
) -> Result<u64, MarketError> {
    let snapshot = bundled::daily()?;
    let mut added = store.insert_market_days(&snapshot).await?;
    if simulate {
        if let Some(last) = store.last_market_day().await? {
            added += store
                .insert_market_days(&simulated::extend(&last, today))
                .await?;
        }
    }
    Ok(added)
}
