//! The SQLite engine, the embedded default: one file, WAL, one writer at a time. The query
//! modules are shared with the PostgreSQL engine (compiled once per engine through `#[path]`);
//! what differs in SQL between the two lives in the fragment macros below.

use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::error::StoreError;

type Db = sqlx::Sqlite;
type DbRow = sqlx::sqlite::SqliteRow;

/// `'YYYY-MM-DDTHH:00:00'` of a timestamp column (the hourly rollups' key).
macro_rules! hour_of {
    ($col:literal) => {
        concat!("strftime('%Y-%m-%dT%H:00:00', ", $col, ")")
    };
}
/// Unix seconds of a timestamp column, as an integer.
macro_rules! epoch_of {
    ($col:literal) => {
        concat!("CAST(strftime('%s', ", $col, ") AS INTEGER)")
    };
}
/// The part of a device id before its first `/` (a GPU `node/gpu3` belongs to `node`).
macro_rules! node_of {
    ($col:literal) => {
        concat!(
            "CASE WHEN instr(",
            $col,
            ", '/') > 0 THEN substr(",
            $col,
            ", 1, instr(",
            $col,
            ", '/') - 1) ELSE ",
            $col,
            " END"
        )
    };
}

/// Appends the `n`th bind parameter to generated SQL. Anonymous `?` here: SQLite looks a
/// numbered parameter's name up in a list, which made a 1,600-parameter insert quadratic.
fn push_param(sql: &mut String, _n: usize) {
    sql.push('?');
}

#[path = "accounts.rs"]
mod accounts;
#[path = "audit.rs"]
mod audit;
#[path = "closed_months.rs"]
mod closed_months;
#[path = "devices.rs"]
mod devices;
#[path = "embeds.rs"]
mod embeds;
#[path = "forwards.rs"]
mod forwards;
#[path = "market.rs"]
mod market;
#[path = "pool.rs"]
mod pool;
#[path = "portfolio.rs"]
mod portfolio;
#[path = "power.rs"]
mod power;
#[path = "sites.rs"]
mod sites;
#[path = "sla.rs"]
pub(super) mod sla;
#[path = "timeline.rs"]
mod timeline;

#[derive(Clone, Debug)]
pub struct Engine {
    pool: SqlitePool,
    /// Bumped by every change to the device registry made through this store, so the poller
    /// re-reads the registry only when it changed.
    registry: Arc<AtomicU64>,
}

/// The URL without our `max_mb` parameter, and its value.
fn take_max_mb(url: &str) -> Result<(String, Option<f64>), StoreError> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_string(), None));
    };
    let mut max_mb = None;
    let rest: Vec<&str> = query
        .split('&')
        .filter(|kv| match kv.strip_prefix("max_mb=") {
            Some(v) => {
                max_mb = v.parse::<f64>().ok().filter(|v| v.is_finite() && *v > 0.0);
                false
            }
            None => true,
        })
        .collect();
    if query.contains("max_mb=") && max_mb.is_none() {
        return Err(StoreError::UnsupportedUrl(format!(
            "{url}: max_mb must be a number of megabytes above 0"
        )));
    }
    let url = if rest.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    Ok((url, max_mb))
}

impl Engine {
    /// Opens (creating if missing) the database at `url` and applies migrations. `max_mb=N` in
    /// the URL's query caps the file (SQLite's `max_page_count`): past it every write is
    /// refused as on a full disk, and reads go on.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let (url, max_mb) = take_max_mb(url)?;
        let mut options = SqliteConnectOptions::from_str(&url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        if let Some(mb) = max_mb {
            // Pages of SQLite's default 4 KiB.
            options = options.pragma("max_page_count", ((mb * 256.0).ceil() as u64).to_string());
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(5))
            // A connection whose transaction failed to commit (a full disk: SQLite rolls it back
            // itself, sqlx still counts it open) is closed, never handed out again half-open.
            .before_acquire(|conn, _| {
                Box::pin(async move { Ok(!sqlx::Connection::is_in_transaction(&*conn)) })
            })
            .after_release(|conn, _| {
                Box::pin(async move { Ok(!sqlx::Connection::is_in_transaction(&*conn)) })
            })
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Self {
            pool,
            registry: Default::default(),
        })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub fn registry_generation(&self) -> u64 {
        self.registry.load(Ordering::Acquire)
    }

    pub(super) fn registry_changed(&self) {
        self.registry.fetch_add(1, Ordering::AcqRel);
    }

    /// A transaction that takes SQLite's write lock at its start. A plain (deferred) one
    /// that reads first and writes later cannot wait for the lock: if another connection
    /// wrote in between, its upgrade fails at once with "database is locked" however long
    /// the busy timeout, so concurrent versioned edits would turn into 500s.
    async fn write_tx(&self) -> Result<sqlx::Transaction<'static, Db>, sqlx::Error> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }

    /// Telemetry appends take the same single write lock: SQLite has no other kind.
    async fn append_tx(&self) -> Result<sqlx::Transaction<'static, Db>, sqlx::Error> {
        self.write_tx().await
    }

    /// One process polls everything here: no other replica reads device states.
    pub(super) const PUBLISHES_STATES: bool = false;

    /// One table holds every sample here: nothing to prepare.
    pub(super) async fn ensure_sample_partitions(
        &self,
        _days: &[chrono::NaiveDate],
    ) -> Result<(), StoreError> {
        Ok(())
    }

    /// One process polls everything here: no other replica reads device state.
    async fn publish_states(
        &self,
        _tx: &mut sqlx::Transaction<'static, Db>,
        _at: DateTime<Utc>,
        _devices: &[app::model::fleet::devices::Device],
    ) -> Result<(), StoreError> {
        Ok(())
    }

    /// Raw samples live in one table here: retention is a plain delete (`roll_up_samples`).
    async fn drop_sample_partitions_before(
        &self,
        _cutoff: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        Ok(0)
    }
}

#[cfg(test)]
mod migration_tests {
    use std::str::FromStr;

    use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};

    /// Migration 0010 rebuilds `users` with foreign keys off: a database from before it keeps
    /// its users and their sessions (dropping `users` with the keys on would cascade).
    #[tokio::test]
    async fn the_users_rebuild_keeps_users_and_their_sessions() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("old.db").display());
        let options = SqliteConnectOptions::from_str(&url)
            .unwrap()
            .create_if_missing(true)
            .foreign_keys(true);
        let pool = SqlitePool::connect_with(options).await.unwrap();
        let mut before = sqlx::migrate!("./migrations/sqlite");
        before.migrations = before
            .migrations
            .iter()
            .filter(|m| m.version <= 9)
            .cloned()
            .collect::<Vec<_>>()
            .into();
        before.run(&pool).await.unwrap();
        sqlx::query("INSERT INTO users (name, role, password_hash, created_at, language) VALUES ('ada', 'admin', 'h', '2026-01-01T00:00:00Z', 'it')")
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query("INSERT INTO sessions (secret_hash, user_id, created_at, last_seen_at, expires_at) VALUES ('d', 1, '2026-01-01T00:00:00Z', '2099-01-01T00:00:00Z', '2099-01-02T00:00:00Z')")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
        let engine = super::Engine::connect(&url).await.unwrap();
        let s = engine
            .session_user("d", chrono::Duration::days(365 * 100), "x")
            .await
            .unwrap()
            .expect("the session survived the rebuild");
        assert_eq!(
            (s.name.as_str(), s.language),
            ("ada", Some(app::i18n::Lang::It))
        );
        assert_eq!(s.tenant, None);
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&engine.pool)
            .await
            .unwrap();
        assert_eq!(fk, 1, "foreign keys are back on");
    }
}
