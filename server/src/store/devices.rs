//! Registered devices and their telemetry samples.

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

use app::model::fleet::{Device, DeviceKind, DeviceStatus, SamplePoint};

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
        let r =
            sqlx::query("UPDATE devices SET removed_at = ? WHERE id = ? AND removed_at IS NULL")
                .bind(Utc::now())
                .bind(id)
                .execute(self.pool())
                .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Retires every active device of `source` whose id is not in `keep` (e.g. simulated
    /// devices of an earlier, larger run, or all of them when the simulator is off).
    pub async fn retire_source_except(
        &self,
        source: &str,
        keep: &[String],
    ) -> Result<u64, StoreError> {
        let active: Vec<String> =
            sqlx::query_scalar("SELECT id FROM devices WHERE source = ? AND removed_at IS NULL")
                .bind(source)
                .fetch_all(self.pool())
                .await?;
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
    pub async fn insert_samples(
        &self,
        at: DateTime<Utc>,
        devices: &[Device],
    ) -> Result<(), StoreError> {
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

    /// A device's history over the last `hours` before `now`: raw samples averaged into
    /// buckets (about 240 of them) while they are kept, hourly rollups beyond.
    pub async fn device_history(
        &self,
        id: &str,
        now: DateTime<Utc>,
        hours: u32,
    ) -> Result<Vec<SamplePoint>, StoreError> {
        let from = now - Duration::hours(hours as i64);
        let bucket_secs = ((hours as i64 * 3600) / 240).max(10);
        let mut points: Vec<SamplePoint> = Vec::new();
        if hours > 48 {
            let rows = sqlx::query(
                "SELECT hour, samples, online_samples, hashrate_ths, share_hashrate_ths, gpu_util_pct, temp_c, power_w
                 FROM samples_hourly WHERE device_id = ? AND hour >= ? ORDER BY hour",
            )
            .bind(id)
            .bind(from.format("%Y-%m-%dT%H:00:00").to_string())
            .fetch_all(self.pool())
            .await?;
            for r in rows {
                let hour: String = r.get("hour");
                let Ok(at) = chrono::NaiveDateTime::parse_from_str(&hour, "%Y-%m-%dT%H:%M:%S")
                else {
                    continue;
                };
                let samples: i64 = r.get("samples");
                points.push(SamplePoint {
                    at: at.and_utc(),
                    hashrate_ths: r.get("hashrate_ths"),
                    share_hashrate_ths: r.get("share_hashrate_ths"),
                    gpu_util_pct: r.get("gpu_util_pct"),
                    temp_c: r.get("temp_c"),
                    power_w: r.get("power_w"),
                    online_share: r.get::<i64, _>("online_samples") as f64 / samples.max(1) as f64,
                });
            }
        }
        // Raw samples fill the window the rollups do not (yet) cover.
        let raw_from = points
            .last()
            .map(|p| p.at + Duration::hours(1))
            .unwrap_or(from)
            .max(from);
        let rows = sqlx::query(
            "SELECT (CAST(strftime('%s', at) AS INTEGER) / ?) * ? AS bucket, COUNT(*) AS n, SUM(status = 'online') AS online,
                    AVG(hashrate_ths) AS hashrate_ths, AVG(share_hashrate_ths) AS share_hashrate_ths, AVG(gpu_util_pct) AS gpu_util_pct,
                    AVG(temp_c) AS temp_c, AVG(power_w) AS power_w
             FROM samples WHERE device_id = ? AND at >= ? GROUP BY bucket ORDER BY bucket",
        )
        .bind(bucket_secs)
        .bind(bucket_secs)
        .bind(id)
        .bind(raw_from)
        .fetch_all(self.pool())
        .await?;
        for r in rows {
            let Some(at) = DateTime::from_timestamp(r.get::<i64, _>("bucket"), 0) else {
                continue;
            };
            points.push(SamplePoint {
                at,
                hashrate_ths: r.get("hashrate_ths"),
                share_hashrate_ths: r.get("share_hashrate_ths"),
                gpu_util_pct: r.get("gpu_util_pct"),
                temp_c: r.get("temp_c"),
                power_w: r.get("power_w"),
                online_share: r.get::<i64, _>("online") as f64 / r.get::<i64, _>("n").max(1) as f64,
            });
        }
        Ok(points)
    }

    /// Rolls raw samples older than the current hour into hourly rows, then deletes raw samples
    /// older than `keep_raw`. Returns (hours written, raw rows deleted).
    pub async fn roll_up_samples(
        &self,
        now: DateTime<Utc>,
        keep_raw: Duration,
    ) -> Result<(u64, u64), StoreError> {
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
        let deleted = sqlx::query("DELETE FROM samples WHERE at < ?")
            .bind(now - keep_raw)
            .execute(self.pool())
            .await?
            .rows_affected();
        Ok((written, deleted))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(id: &str, status: DeviceStatus, ths: f64) -> Device {
        Device {
            id: id.into(),
            kind: DeviceKind::Asic,
            model: "S21".into(),
            site: "s".into(),
            address: "a:1".into(),
            status,
            hashrate_ths: Some(ths),
            share_hashrate_ths: None,
            gpu_util_pct: None,
            temp_c: Some(60.0),
            power_w: Some(3500.0),
            last_seen: None,
            problem: None,
        }
    }

    #[tokio::test]
    async fn samples_roll_up_hourly_and_old_raw_rows_go() {
        let dir = tempfile::tempdir().unwrap();
        let store =
            SqliteStore::connect(&format!("sqlite://{}", dir.path().join("t.db").display()))
                .await
                .unwrap();
        let now = DateTime::parse_from_rfc3339("2026-11-25T10:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        // Three days ago, two polls in one hour (one offline); and one poll now.
        let old = now - Duration::days(3);
        store
            .insert_samples(old, &[sample("d1", DeviceStatus::Online, 200.0)])
            .await
            .unwrap();
        store
            .insert_samples(
                old + Duration::minutes(10),
                &[sample("d1", DeviceStatus::Offline, 100.0)],
            )
            .await
            .unwrap();
        store
            .insert_samples(now, &[sample("d1", DeviceStatus::Online, 210.0)])
            .await
            .unwrap();
        let (hours, deleted) = store
            .roll_up_samples(now, Duration::hours(48))
            .await
            .unwrap();
        assert_eq!((hours, deleted), (1, 2));
        let week = store.device_history("d1", now, 168).await.unwrap();
        assert_eq!(week.len(), 2, "{week:?}");
        assert_eq!(week[0].hashrate_ths, Some(150.0));
        assert_eq!(week[0].online_share, 0.5);
        assert_eq!(week[1].hashrate_ths, Some(210.0));
        let hour = store.device_history("d1", now, 1).await.unwrap();
        assert_eq!(hour.len(), 1);
        // Rolling up again changes nothing and keeps the hour.
        store
            .roll_up_samples(now, Duration::hours(48))
            .await
            .unwrap();
        assert_eq!(store.device_history("d1", now, 168).await.unwrap().len(), 2);
    }
}
