//! Several `rigshift serve` processes on one PostgreSQL database, interchangeable behind a load
//! balancer. Devices are hashed into 64 shards; a replica polls the shards it holds, each held
//! through a PostgreSQL advisory lock on a connection of its own, so a replica that dies (even
//! by SIGKILL) loses its shards the moment its connection closes. Every few seconds each
//! replica beats its heart, takes its share (64 / live replicas, rounded up; live = a recent
//! heartbeat and its lock connection still open), gives back what is above it so a newcomer
//! gets a share, and takes shards nobody has held for two rounds (a safety net).
//! It also reads the states the other replicas publish, so its pages and live stream show
//! the whole fleet, and notices devices registered through them.

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::{Connection, PgConnection, PgPool, Row};

use app::model::fleet::devices::Device;

pub use crate::shards::{shard_of, Shards, SHARDS};
use crate::store::Store;
use crate::telemetry::fleet_cache::FleetCache;

/// The advisory locks' first key ('RIGS'); the second is the shard.
const LOCK_CLASS: i32 = 0x5249_4753;
/// A replica whose heartbeat is older than this is not counted as alive.
const ALIVE_WITHIN_SECS: i64 = 15;

/// The default replica name: host and process id, unique on a machine and across machines.
pub fn default_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "host".into());
    format!("{host}-{}", std::process::id())
}

pub struct Coordinator {
    url: String,
    pool: PgPool,
    store: Arc<Store>,
    shards: Arc<Shards>,
    cache: Arc<FleetCache>,
    locks: Option<PgConnection>,
    /// Shards seen free (held by nobody) in the previous round.
    free_before: u64,
    registry_version: i64,
    /// Newest published state read, and the devices whose state came from other replicas.
    state_since: Option<DateTime<Utc>>,
    remote: HashSet<String>,
    full_read: Option<Instant>,
}

impl Coordinator {
    /// Joins the replica set and takes a first share before the poller starts.
    pub async fn join(
        url: &str,
        store: Arc<Store>,
        shards: Arc<Shards>,
        cache: Arc<FleetCache>,
    ) -> anyhow::Result<Self> {
        let pool = store
            .postgres_pool()
            .ok_or_else(|| anyhow::anyhow!("replicas need PostgreSQL"))?
            .clone();
        let mut c = Self {
            url: url.to_string(),
            pool,
            store,
            shards,
            cache,
            locks: None,
            free_before: 0,
            registry_version: 0,
            state_since: None,
            remote: HashSet::new(),
            full_read: None,
        };
        c.round().await?;
        Ok(c)
    }

    /// Runs rounds every `every` until `stop`; the shards go with the lock connection.
    pub fn spawn(
        mut self,
        every: Duration,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = stop.wait_for(|s| *s) => break,
                }
                if let Err(e) = self.round().await {
                    tracing::warn!(error = %e, "replica round failed");
                }
            }
            self.shards.set_mask(0);
            let _ = sqlx::query("DELETE FROM replicas WHERE name = $1")
                .bind(&self.shards.name)
                .execute(&self.pool)
                .await;
            if let Some(conn) = self.locks.take() {
                let _ = conn.close().await;
            }
        })
    }

    async fn round(&mut self) -> anyhow::Result<()> {
        if let Err(e) = self.balance().await {
            // The lock connection may be gone, and its locks with it: hold nothing until a
            // new connection has taken shards again.
            self.shards.set_mask(0);
            self.locks = None;
            return Err(e);
        }
        self.follow_registry().await?;
        self.read_states().await?;
        Ok(())
    }

    async fn balance(&mut self) -> anyhow::Result<()> {
        let name = self.shards.name.clone();
        if self.locks.is_none() {
            self.locks = Some(PgConnection::connect(&self.url).await?);
        }
        let locks = self.locks.as_mut().expect("lock connection");
        let lock_pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&mut *locks)
            .await?;
        let polled = self.cache.count_where(|id| self.shards.owns(id)).await as i64;
        sqlx::query(
            "INSERT INTO replicas (name, started_at, heartbeat_at, shards, devices, lock_pid) VALUES ($1, now(), now(), $2, $3, $4)
             ON CONFLICT (name) DO UPDATE SET heartbeat_at = now(), shards = excluded.shards,
               devices = excluded.devices, lock_pid = excluded.lock_pid",
        )
        .bind(&name)
        .bind(self.shards.owned() as i64)
        .bind(polled)
        .bind(lock_pid as i64)
        .execute(&self.pool)
        .await?;
        // Alive: a recent heartbeat and the lock connection still there. A killed replica's
        // connection goes at once, so its share is redistributed in the next round.
        let alive: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM replicas r WHERE r.heartbeat_at > now() - make_interval(secs => $1)
               AND EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = r.lock_pid)",
        )
        .bind(ALIVE_WITHIN_SECS as f64)
        .fetch_one(&self.pool)
        .await?;
        let target = SHARDS.div_ceil(alive.max(1) as u32);
        let mut mine = self.shards.mask.load(Ordering::Acquire);
        // Above the share: give back the highest shards, for a replica that joined.
        while mine.count_ones() > target {
            let shard = 63 - mine.leading_zeros();
            sqlx::query("SELECT pg_advisory_unlock($1, $2)")
                .bind(LOCK_CLASS)
                .bind(shard as i32)
                .execute(&mut *locks)
                .await?;
            mine &= !(1 << shard);
        }
        let held: Vec<i64> = sqlx::query_scalar(
            "SELECT objid::int8 FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2
               AND classid::int8 = $1 AND granted
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        )
        .bind(LOCK_CLASS as i64)
        .fetch_all(&mut *locks)
        .await?;
        let held = held
            .iter()
            .filter(|s| (0..SHARDS as i64).contains(s))
            .fold(0u64, |m, s| m | 1 << s);
        let free = !held & !mine;
        // Start each replica's search somewhere else, so two joining at once rarely collide.
        let start = shard_of(&name);
        for i in 0..SHARDS {
            let shard = (start + i) % SHARDS;
            let bit = 1u64 << shard;
            let wanted = mine.count_ones() < target || self.free_before & bit != 0;
            if free & bit == 0 || !wanted {
                continue;
            }
            let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1, $2)")
                .bind(LOCK_CLASS)
                .bind(shard as i32)
                .fetch_one(&mut *locks)
                .await?;
            if got {
                mine |= bit;
            }
        }
        self.free_before = free & !mine;
        if mine != self.shards.mask.load(Ordering::Acquire) {
            tracing::info!(
                replica = %name,
                shards = mine.count_ones(),
                alive,
                "replica shards changed"
            );
        }
        self.shards.set_mask(mine);
        Ok(())
    }

    /// A device added or removed through another replica reaches this poller within a round.
    async fn follow_registry(&mut self) -> anyhow::Result<()> {
        let version: i64 = sqlx::query_scalar("SELECT version FROM registry_version WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        if version != self.registry_version {
            self.registry_version = version;
            self.store.note_registry_changed();
        }
        Ok(())
    }

    /// The states other replicas published since the last read (all of them once a minute,
    /// which also drops devices that were removed or moved here).
    async fn read_states(&mut self) -> anyhow::Result<()> {
        let full = self
            .full_read
            .is_none_or(|at| at.elapsed() > Duration::from_secs(60));
        // Replicas' clocks differ a little: read back a margin.
        let since = match (full, self.state_since) {
            (false, Some(at)) => at - chrono::Duration::seconds(30),
            _ => DateTime::<Utc>::UNIX_EPOCH,
        };
        let rows = sqlx::query(
            "SELECT s.body, s.at FROM device_state s JOIN devices d ON d.id = split_part(s.device_id, '/', 1)
             WHERE d.removed_at IS NULL AND s.at > $1",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        let mut seen = HashSet::new();
        let mut devices = Vec::with_capacity(rows.len());
        for r in rows {
            let at: DateTime<Utc> = r.get("at");
            self.state_since = Some(self.state_since.map_or(at, |s| s.max(at)));
            let Ok(d) = serde_json::from_str::<Device>(r.get("body")) else {
                continue;
            };
            if self.shards.owns(&d.id) {
                continue;
            }
            seen.insert(d.id.clone());
            devices.push(d);
        }
        let mut gone = Vec::new();
        if full {
            self.full_read = Some(Instant::now());
            gone = self
                .remote
                .iter()
                .filter(|id| !seen.contains(*id) && !self.shards.owns(id))
                .cloned()
                .collect();
            self.remote = seen;
        } else {
            self.remote.extend(seen);
        }
        // Devices this replica took over since are its poller's now.
        self.remote.retain(|id| !self.shards.owns(id));
        self.cache.put_remote(devices, &gone).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gpu_goes_with_its_node_and_shards_spread_evenly() {
        assert_eq!(shard_of("node-7/gpu3"), shard_of("node-7"));
        let mut counts = [0u32; SHARDS as usize];
        for i in 0..64_000 {
            counts[shard_of(&format!("sim-asic-{i:05}")) as usize] += 1;
        }
        // 1,000 expected per shard; a poor hash would leave some near empty.
        assert!(
            counts.iter().all(|&c| (850..1150).contains(&c)),
            "{counts:?}"
        );
    }

    #[test]
    fn a_single_process_polls_everything_and_a_replica_nothing_until_it_holds_shards() {
        assert!(Shards::single().owns("anything"));
        let r = Shards::replica("a");
        assert!(!r.owns("anything"));
        let g = r.generation();
        r.set_mask(1 << shard_of("anything"));
        assert!(r.owns("anything") && r.owned() == 1 && r.generation() == g + 1);
        r.set_mask(1 << shard_of("anything"));
        assert_eq!(r.generation(), g + 1, "an unchanged set is not a change");
    }
}
