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

impl StoreError {
    /// True when the storage, not the request, is at fault and may recover by itself: the pool
    /// found no connection in time, the server cannot be reached, the disk is full, the file
    /// or the database is read-only, or the engine reports an I/O error. Such a write is
    /// refused with 503 (`storage_unavailable`) and tried again later; nothing else is lost.
    pub fn is_storage_fault(&self) -> bool {
        let StoreError::Database(e) = self else {
            return false;
        };
        match e {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => true,
            sqlx::Error::Database(db) => db.code().is_some_and(|c| storage_code(&c)),
            _ => false,
        }
    }
}

/// Engine error codes that mean the storage, not the statement: SQLite's primary result codes
/// (extended codes carry them in their low byte) FULL 13, READONLY 8, IOERR 10, CANTOPEN 14,
/// BUSY 5, LOCKED 6; PostgreSQL's classes 53 (insufficient resources: disk full, out of
/// memory, too many connections), 08 (connection exception), 57P (operator intervention,
/// e.g. shutting down), 58 (system error: I/O), 25006 (read-only transaction) and 55000 as a
/// connection meets it (the database is not accepting connections).
fn storage_code(code: &str) -> bool {
    if let Ok(n) = code.parse::<u32>() {
        if code.len() != 5 || n < 10_000 {
            return matches!(n & 0xff, 5 | 6 | 8 | 10 | 13 | 14);
        }
    }
    code.starts_with("53")
        || code.starts_with("08")
        || code.starts_with("57P")
        || code.starts_with("58")
        || code == "25006"
        || code == "55000"
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            fault if fault.is_storage_fault() => {
                tracing::error!(error = %fault, "storage unavailable: the write is refused (503) until the store recovers");
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
