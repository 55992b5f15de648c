//! The store: SQLite through sqlx (file created on first start, WAL, migrations applied).
//! One file per aggregate; `StoreError` is the only error that leaves this module.

mod accounts;
mod audit;
mod devices;
mod embeds;
mod market;
mod pool;
mod seed;
mod sites;
mod timeline;

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use app::api::error::ApiError;

pub use accounts::{SessionUser, StoredUser};
pub use devices::DeviceSpec;
pub use seed::{example_sites, seed_if_empty};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL {0:?}: use sqlite://FILE (PostgreSQL support is planned)")]
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

/// The SQLite-backed store.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// Bumped by every change to the device registry made through this store, so the poller
    /// re-reads the registry only when it changed.
    registry: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` and applies migrations.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        if !url.starts_with("sqlite:") {
            return Err(StoreError::UnsupportedUrl(url.to_string()));
        }
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self {
            pool,
            registry: Default::default(),
        })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub fn registry_generation(&self) -> u64 {
        self.registry.load(std::sync::atomic::Ordering::Acquire)
    }

    pub(crate) fn registry_changed(&self) {
        self.registry
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    /// A transaction that takes SQLite's write lock at its start. A plain (deferred) one
    /// that reads first and writes later cannot wait for the lock: if another connection
    /// wrote in between, its upgrade fails at once with "database is locked" however long
    /// the busy timeout, so concurrent versioned edits would turn into 500s.
    pub async fn write_tx(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }
}
