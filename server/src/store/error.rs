//! What the store can fail with, and how each failure reaches an API caller. Its own module so
//! the engines (sqlite.rs, postgres.rs) name it without importing the store that holds them.

use app::api::error::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL {0:?}: use sqlite://FILE or postgres://USER@HOST/DATABASE")]
    UnsupportedUrl(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Database(sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed) => {
                ApiError::Unavailable
            }
            other => {
                let id = format!("{:08x}", rand_id());
                tracing::error!(error = %other, id, "store error");
                ApiError::Internal { id }
            }
        }
    }
}

/// A short reference to correlate a user's error with the log line (not security relevant).
fn rand_id() -> u32 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    nanos ^ std::process::id().rotate_left(16)
}
