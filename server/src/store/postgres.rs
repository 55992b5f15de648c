//! The PostgreSQL engine, for installations that outgrow one file: several replicas on one
//! database. Same query modules as SQLite (see `sqlite.rs`); raw samples are partitioned by day.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::Row;

use super::error::StoreError;

type Db = sqlx::Postgres;
type DbRow = sqlx::postgres::PgRow;

/// Every write transaction that reads before it writes takes this transaction-scoped lock
/// first: the same one-writer-at-a-time guarantee SQLite gives (versioned edits → 409, never a
/// lost update), across every replica.
const WRITE_LOCK: i64 = 0x5249_4753_0001;

macro_rules! hour_of {
    ($col:literal) => {
        concat!(
            "to_char(",
            $col,
            " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:00:00')"
        )
    };
}
macro_rules! epoch_of {
    ($col:literal) => {
        concat!("CAST(EXTRACT(EPOCH FROM ", $col, ") AS BIGINT)")
    };
}
macro_rules! node_of {
    ($col:literal) => {
        concat!("split_part(", $col, ", '/', 1)")
    };
}

/// Appends the `n`th bind parameter to generated SQL.
fn push_param(sql: &mut String, n: usize) {
    use std::fmt::Write;
    let _ = write!(sql, "${n}");
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
    pool: PgPool,
    registry: Arc<AtomicU64>,
    /// Days whose sample partition is known to exist.
    partitions: Arc<Mutex<HashSet<NaiveDate>>>,
    /// This replica's name, written with the device states it publishes.
    replica: Arc<std::sync::OnceLock<String>>,
}

fn partition_name(day: NaiveDate) -> String {
    format!("samples_p{}", day.format("%Y%m%d"))
}

impl Engine {
    /// Connects and applies migrations (sqlx serialises concurrent migrators with an advisory
    /// lock, so replicas may start together).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            // A connection left inside a transaction that failed to end is closed, never
            // handed out again half-open.
            .before_acquire(|conn, _| {
                Box::pin(async move { Ok(!sqlx::Connection::is_in_transaction(&*conn)) })
            })
            .after_release(|conn, _| {
                Box::pin(async move { Ok(!sqlx::Connection::is_in_transaction(&*conn)) })
            })
            .connect(url)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Self {
            pool,
            registry: Default::default(),
            partitions: Default::default(),
            replica: Default::default(),
        })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub fn registry_generation(&self) -> u64 {
        self.registry.load(Ordering::Acquire)
    }

    pub(super) fn registry_changed(&self) {
        self.registry.fetch_add(1, Ordering::AcqRel);
    }

    async fn write_tx(&self) -> Result<sqlx::Transaction<'static, Db>, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITE_LOCK)
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }

    /// Telemetry appends only insert rows and set identity columns: no read-then-write to
    /// protect, so replicas write their samples side by side.
    async fn append_tx(&self) -> Result<sqlx::Transaction<'static, Db>, sqlx::Error> {
        self.pool.begin().await
    }

    pub fn set_replica_name(&self, name: &str) {
        let _ = self.replica.set(name.to_string());
    }

    /// Each polled device's latest state, for the other replicas' pages and streams.
    async fn publish_states(
        &self,
        tx: &mut sqlx::Transaction<'static, Db>,
        at: DateTime<Utc>,
        devices: &[app::model::fleet::devices::Device],
    ) -> Result<(), StoreError> {
        const ROWS: usize = 500;
        let replica = self.replica.get().map(String::as_str).unwrap_or("");
        for chunk in devices.chunks(ROWS) {
            let ids: Vec<&str> = chunk.iter().map(|d| d.id.as_str()).collect();
            let bodies = chunk
                .iter()
                .map(serde_json::to_string)
                .collect::<Result<Vec<String>, _>>()
                .map_err(|e| StoreError::Corrupt(format!("device state: {e}")))?;
            sqlx::query(
                "INSERT INTO device_state (device_id, at, replica, body)
                 SELECT id, $2, $3, body FROM UNNEST($1::text[], $4::text[]) AS s(id, body)
                 ON CONFLICT (device_id) DO UPDATE SET at = excluded.at, replica = excluded.replica, body = excluded.body",
            )
            .bind(&ids)
            .bind(at)
            .bind(replica)
            .bind(&bodies)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    /// Replicas read each other's device states from the database.
    pub(super) const PUBLISHES_STATES: bool = true;

    /// Makes sure the partitions holding `days` exist.
    pub(super) async fn ensure_sample_partitions(
        &self,
        days: &[NaiveDate],
    ) -> Result<(), StoreError> {
        let missing: Vec<NaiveDate> = {
            let known = self.partitions.lock().expect("partition set");
            days.iter()
                .copied()
                .filter(|d| !known.contains(d))
                .collect()
        };
        if missing.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        // Two replicas creating the same partition would collide in the catalogue.
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITE_LOCK + 1)
            .execute(&mut *tx)
            .await?;
        for day in &missing {
            let next = *day + chrono::Duration::days(1);
            let sql = format!(
                "CREATE TABLE IF NOT EXISTS {} PARTITION OF samples FOR VALUES FROM ('{day} 00:00:00+00') TO ('{next} 00:00:00+00')",
                partition_name(*day)
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        self.partitions
            .lock()
            .expect("partition set")
            .extend(missing);
        Ok(())
    }

    /// Drops the day partitions that end at or before `cutoff`; returns how many.
    async fn drop_sample_partitions_before(
        &self,
        cutoff: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let names: Vec<String> = sqlx::query(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'samples'",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| r.get("relname"))
        .collect();
        let mut dropped = 0;
        for name in names {
            let Some(day) = name
                .strip_prefix("samples_p")
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y%m%d").ok())
            else {
                continue;
            };
            let end = app::model::company::range::start_of_day(day + chrono::Duration::days(1));
            if end <= cutoff {
                let mut tx = self.pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(WRITE_LOCK + 1)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP TABLE IF EXISTS {}",
                    partition_name(day)
                )))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                self.partitions.lock().expect("partition set").remove(&day);
                dropped += 1;
            }
        }
        Ok(dropped)
    }
}
