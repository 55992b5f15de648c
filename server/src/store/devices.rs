//! Registered devices and their telemetry samples.

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

use app::model::fleet::{Device, DeviceKind, DeviceStatus};

use super::{SqliteStore, StoreError};

/// A device to poll.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceSpec {
    pub id: String,
    pub kind: DeviceKind,
    pub model: String,
    pub site: String,
    pub address: String,
}

fn kind_name(k: DeviceKind) -> &'static str {
    match k {
        DeviceKind::Asic => "asic",
        DeviceKind::Gpu => "gpu",
    }
}

fn status_name(s: DeviceStatus) -> &'static str {
    match s {
        DeviceStatus::Online => "online",
        DeviceStatus::Degraded => "degraded",
        DeviceStatus::Offline => "offline",
    }
}

impl SqliteStore {
    /// Adds or re-activates a device (same id: address, model and site are updated).
    pub async fn upsert_device(&self, d: &DeviceSpec, source: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO devices (id, kind, model, site, address, source, added_at, removed_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)
             ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, model = excluded.model, site = excluded.site,
               address = excluded.address, source = excluded.source, removed_at = NULL",
        )
        .bind(&d.id)
        .bind(kind_name(d.kind))
        .bind(&d.model)
        .bind(&d.site)
        .bind(&d.address)
        .bind(source)
        .bind(Utc::now())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Stops polling a device; its samples stay. Returns false if it was not active.
    pub async fn remove_device(&self, id: &str) -> Result<bool, StoreError> {
        let r = sqlx::query("UPDATE devices SET removed_at = ? WHERE id = ? AND removed_at IS NULL").bind(Utc::now()).bind(id).execute(self.pool()).await?;
        Ok(r.rows_affected() > 0)
    }

    /// Retires every active device of `source` whose id is not in `keep` (e.g. simulated
    /// devices of an earlier, larger run, or all of them when the simulator is off).
    pub async fn retire_source_except(&self, source: &str, keep: &[String]) -> Result<u64, StoreError> {
        let active: Vec<String> = sqlx::query_scalar("SELECT id FROM devices WHERE source = ? AND removed_at IS NULL").bind(source).fetch_all(self.pool()).await?;
        let mut retired = 0;
        for id in active.iter().filter(|id| !keep.contains(id)) {
            retired += self.remove_device(id).await? as u64;
        }
        Ok(retired)
    }

    /// Every active device.
    pub async fn active_devices(&self) -> Result<Vec<DeviceSpec>, StoreError> {
        sqlx::query("SELECT id, kind, model, site, address FROM devices WHERE removed_at IS NULL ORDER BY id")
            .fetch_all(self.pool())
            .await?
            .into_iter()
            .map(|r| {
                let kind = match r.get::<&str, _>("kind") {
                    "asic" => DeviceKind::Asic,
                    "gpu" => DeviceKind::Gpu,
                    other => return Err(StoreError::Corrupt(format!("device kind {other:?}"))),
                };
                Ok(DeviceSpec { id: r.get("id"), kind, model: r.get("model"), site: r.get("site"), address: r.get("address") })
            })
            .collect()
    }

    /// Writes one poll cycle's samples in a single transaction.
    pub async fn insert_samples(&self, at: DateTime<Utc>, devices: &[Device]) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        for d in devices {
            sqlx::query("INSERT INTO samples (device_id, at, status, hashrate_ths, share_hashrate_ths, gpu_util_pct, temp_c, power_w) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                .bind(&d.id)
                .bind(at)
                .bind(status_name(d.status))
                .bind(d.hashrate_ths)
                .bind(d.share_hashrate_ths)
                .bind(d.gpu_util_pct)
                .bind(d.temp_c)
                .bind(d.power_w)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Rolls raw samples older than the current hour into hourly rows, then deletes raw samples
    /// older than `keep_raw`. Returns (hours written, raw rows deleted).
    pub async fn roll_up_samples(&self, now: DateTime<Utc>, keep_raw: Duration) -> Result<(u64, u64), StoreError> {
        let hour_start = now.format("%Y-%m-%dT%H:00:00").to_string();
        let written = sqlx::query(
            "INSERT INTO samples_hourly (device_id, hour, samples, online_samples, hashrate_ths, share_hashrate_ths, gpu_util_pct, temp_c, power_w)
             SELECT device_id, strftime('%Y-%m-%dT%H:00:00', at) AS hour, COUNT(*), SUM(status = 'online'),
                    AVG(hashrate_ths), AVG(share_hashrate_ths), AVG(gpu_util_pct), AVG(temp_c), AVG(power_w)
             FROM samples WHERE strftime('%Y-%m-%dT%H:00:00', at) < ?
             GROUP BY device_id, hour
             ON CONFLICT(device_id, hour) DO UPDATE SET samples = excluded.samples, online_samples = excluded.online_samples,
               hashrate_ths = excluded.hashrate_ths, share_hashrate_ths = excluded.share_hashrate_ths,
               gpu_util_pct = excluded.gpu_util_pct, temp_c = excluded.temp_c, power_w = excluded.power_w",
        )
        .bind(&hour_start)
        .execute(self.pool())
        .await?
        .rows_affected();
        let deleted = sqlx::query("DELETE FROM samples WHERE at < ?").bind(now - keep_raw).execute(self.pool()).await?.rows_affected();
        Ok((written, deleted))
    }
}
