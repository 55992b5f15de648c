//! Registered devices and their telemetry samples.

use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};
use sqlx::Row;

use app::model::fleet::devices::{Device, DeviceKind, SamplePoint};
use app::model::fleet::protocol::Protocol;
use app::model::mining::measured::TelemetryGroup;

use super::{Engine, StoreError};
use crate::store::rows::{DeviceSpec, Retention};
use crate::store::sample_buffer::SampleRow;

fn parse_kind(s: &str) -> Result<DeviceKind, StoreError> {
    DeviceKind::parse(s).ok_or_else(|| StoreError::Corrupt(format!("device kind {s:?}")))
}

impl Engine {
    /// Adds or re-activates a device (same id: address, model and site are updated).
    pub async fn upsert_device(&self, d: &DeviceSpec, source: &str) -> Result<(), StoreError> {
        self.upsert_devices(std::slice::from_ref(d), source).await
    }

    /// Registers (or updates) many devices in one transaction: a 100,000-device fleet file is
    /// one commit at start-up, not 100,000.
    pub async fn upsert_devices(
        &self,
        devices: &[DeviceSpec],
        source: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let now = crate::store::rows::now();
        for d in devices {
            sqlx::query(
                "INSERT INTO devices (id, kind, model, site, address, source, added_at, removed_at, protocol, credentials_env) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9)
                 ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, model = excluded.model, site = excluded.site,
                   address = excluded.address, source = excluded.source, removed_at = NULL,
                   protocol = excluded.protocol, credentials_env = excluded.credentials_env",
            )
            .bind(&d.id)
            .bind(d.kind.as_str())
            .bind(&d.model)
            .bind(&d.site)
            .bind(&d.address)
            .bind(source)
            .bind(now)
            .bind(d.protocol.as_str())
            .bind(&d.credentials_env)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.registry_changed();
        Ok(())
    }

    /// Stops polling a device; its samples stay. Returns false if it was not active.
    pub async fn remove_device(&self, id: &str) -> Result<bool, StoreError> {
        let r =
            sqlx::query("UPDATE devices SET removed_at = $1 WHERE id = $2 AND removed_at IS NULL")
                .bind(crate::store::rows::now())
                .bind(id)
                .execute(self.pool())
                .await?;
        self.registry_changed();
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
            sqlx::query_scalar("SELECT id FROM devices WHERE source = $1 AND removed_at IS NULL")
                .bind(source)
                .fetch_all(self.pool())
                .await?;
        let keep: std::collections::HashSet<&str> = keep.iter().map(String::as_str).collect();
        let mut tx = self.write_tx().await?;
        let now = crate::store::rows::now();
        let mut retired = 0;
        for id in active.iter().filter(|id| !keep.contains(id.as_str())) {
            retired += sqlx::query(
                "UPDATE devices SET removed_at = $1 WHERE id = $2 AND removed_at IS NULL",
            )
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        self.registry_changed();
        Ok(retired)
    }

    /// Every active device.
    pub async fn active_devices(&self) -> Result<Vec<DeviceSpec>, StoreError> {
        sqlx::query("SELECT id, kind, model, site, address, protocol, credentials_env FROM devices WHERE removed_at IS NULL ORDER BY id")
            .fetch_all(self.pool())
            .await?
            .into_iter()
            .map(|r| {
                let kind = parse_kind(r.get("kind"))?;
                let protocol: String = r.get("protocol");
                let protocol = Protocol::parse(&protocol)
                    .ok_or_else(|| StoreError::Corrupt(format!("device protocol {protocol:?}")))?;
                Ok(DeviceSpec {
                    id: r.get("id"),
                    kind,
                    model: r.get("model"),
                    site: r.get("site"),
                    address: r.get("address"),
                    protocol,
                    credentials_env: r.get("credentials_env"),
                })
            })
            .collect()
    }

    /// One poller tick's record in one transaction: the identities learned — (id, reported
    /// model, firmware, model adopted by a device registered without one) — and, where other
    /// replicas read them, the devices' states. The samples go through the store's buffer.
    pub async fn write_tick_state(
        &self,
        at: DateTime<Utc>,
        devices: &[Device],
        identities: &[(&str, Option<&str>, Option<&str>, Option<&str>)],
    ) -> Result<(), StoreError> {
        if identities.is_empty() && (devices.is_empty() || !Self::PUBLISHES_STATES) {
            return Ok(());
        }
        let mut tx = self.append_tx().await?;
        for (id, reported, firmware, adopt) in identities {
            sqlx::query(
                "UPDATE devices SET reported_model = COALESCE($1, reported_model), firmware = COALESCE($2, firmware),
                   model = COALESCE($3, model) WHERE id = $4",
            )
            .bind(reported)
            .bind(firmware)
            .bind(adopt)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        if identities.iter().any(|i| i.3.is_some()) {
            self.registry_changed();
        }
        self.publish_states(&mut tx, at, devices).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Writes raw samples (sorted by device and time: the index's order) in one transaction.
    pub async fn insert_sample_rows(&self, rows: &[SampleRow]) -> Result<(), StoreError> {
        // Many rows per statement: each statement is a round trip to sqlx's SQLite thread, which
        // costs more than the insert itself at thousands of polls a second.
        const ROWS: usize = 200;
        const COLUMNS: usize = 9;
        if rows.is_empty() {
            return Ok(());
        }
        let mut days: Vec<NaiveDate> = rows.iter().map(|r| r.at.date_naive()).collect();
        days.sort_unstable();
        days.dedup();
        self.ensure_sample_partitions(&days).await?;
        let mut tx = self.append_tx().await?;
        for chunk in rows.chunks(ROWS) {
            let mut sql = String::with_capacity(160 + chunk.len() * 20);
            sql.push_str("INSERT INTO samples (device_id, at, status, hashrate_ths, share_hashrate_ths, gpu_util_pct, temp_c, power_w, reason) VALUES ");
            for i in 0..chunk.len() {
                let p = i * COLUMNS;
                sql.push_str(if i == 0 { "(" } else { ",(" });
                for c in 0..COLUMNS {
                    if c > 0 {
                        sql.push(',');
                    }
                    super::push_param(&mut sql, p + c + 1);
                }
                sql.push(')');
            }
            // Only the full-size statement is worth keeping prepared; the remainder varies.
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(chunk.len() == ROWS);
            for r in chunk {
                q = q
                    .bind(&r.device_id)
                    .bind(r.at)
                    .bind(r.status.as_str())
                    .bind(r.hashrate_ths)
                    .bind(r.share_hashrate_ths)
                    .bind(r.gpu_util_pct)
                    .bind(r.temp_c)
                    .bind(r.power_w)
                    .bind(r.reason);
            }
            q.execute(&mut *tx).await?;
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
                 FROM samples_hourly WHERE device_id = $1 AND hour >= $2 ORDER BY hour",
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
        let rows = sqlx::query(concat!(
            "SELECT (", epoch_of!("at"), " / $1) * $2 AS bucket, COUNT(*) AS n,
                    SUM(CASE WHEN status = 'online' THEN 1 ELSE 0 END) AS online,
                    AVG(hashrate_ths) AS hashrate_ths, AVG(share_hashrate_ths) AS share_hashrate_ths, AVG(gpu_util_pct) AS gpu_util_pct,
                    AVG(temp_c) AS temp_c, AVG(power_w) AS power_w
             FROM samples WHERE device_id = $3 AND at >= $4 GROUP BY bucket ORDER BY bucket"
        ))
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

    /// What devices delivered per site, day, kind and model in `[from, to]`: each device's mean
    /// over the hours it was polled (rolled-up hours, plus the current hour's raw samples), then
    /// summed (hashrate) or averaged (GPU utilisation) per group. GPU samples are per GPU
    /// (`node/gpuN`) and count under their node's registration.
    pub async fn site_days(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Vec<TelemetryGroup>, StoreError> {
        let hour_start = now
            .date_naive()
            .and_hms_opt(now.hour(), 0, 0)
            .expect("valid hour")
            .and_utc();
        let rows = sqlx::query(concat!(
            "WITH hours AS (
               SELECT device_id, hour,
                      COALESCE(delivered_ths, hashrate_ths * online_samples / samples) AS delivered, gpu_util_pct
               FROM samples_hourly WHERE hour >= $1 AND hour < $2
               UNION ALL
               SELECT device_id, ", hour_of!("at"), " AS hour,
                      AVG(CASE WHEN status = 'offline' THEN 0 ELSE COALESCE(share_hashrate_ths, hashrate_ths, 0) END),
                      AVG(gpu_util_pct)
               FROM samples WHERE at >= $3 GROUP BY device_id, hour
             ),
             per_device AS (
               SELECT device_id, substr(hour, 1, 10) AS day, AVG(delivered) AS delivered, AVG(gpu_util_pct) AS util
               FROM hours GROUP BY device_id, day
             )
             SELECT d.site AS site, p.day AS day, d.kind AS kind,
                    CASE WHEN d.model = 'unknown' THEN COALESCE(d.reported_model, d.model) ELSE d.model END AS model,
                    COUNT(*) AS n, SUM(p.delivered) AS delivered, AVG(p.util) AS util
             FROM per_device p
             JOIN devices d ON d.id = ", node_of!("p.device_id"), "
             WHERE p.day BETWEEN $4 AND $5
             GROUP BY d.site, p.day, d.kind, 4
             ORDER BY p.day, d.site"
        ))
        .bind(format!("{from}T00:00:00"))
        .bind(format!("{}T00:00:00", to + Duration::days(1)))
        .bind(hour_start)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                let day: String = r.get("day");
                Ok(TelemetryGroup {
                    site: r.get("site"),
                    date: day
                        .parse()
                        .map_err(|_| StoreError::Corrupt(format!("sample day {day:?}")))?,
                    kind: parse_kind(r.get("kind"))?,
                    model: r.get("model"),
                    devices: r.get::<i64, _>("n") as u32,
                    delivered_ths: r.get::<Option<f64>, _>("delivered").unwrap_or(0.0),
                    gpu_util_pct: r.get("util"),
                })
            })
            .collect()
    }

    /// Rolls raw samples older than the current hour into hourly rows, then removes raw samples
    /// older than `keep_raw` (whole day partitions where the engine has them, rows otherwise).
    pub async fn roll_up_samples(
        &self,
        now: DateTime<Utc>,
        keep_raw: Duration,
    ) -> Result<Retention, StoreError> {
        let hour_start = now.format("%Y-%m-%dT%H:00:00").to_string();
        // Only hours not rolled up yet (and the last rolled one again, for samples a replica
        // with a slower clock wrote late): a full pass over 48 hours of raw samples every ten
        // minutes would be hundreds of millions of rows at 100,000 devices.
        let newest: Option<String> = sqlx::query_scalar("SELECT MAX(hour) FROM samples_hourly")
            .fetch_one(self.pool())
            .await?;
        let from = newest
            .and_then(|h| chrono::NaiveDateTime::parse_from_str(&h, "%Y-%m-%dT%H:%M:%S").ok())
            .map(|h| h.and_utc() - Duration::hours(1))
            .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
        let written = sqlx::query(concat!(
            "INSERT INTO samples_hourly (device_id, hour, samples, online_samples, hashrate_ths, share_hashrate_ths, gpu_util_pct, temp_c, power_w, delivered_ths, unavailable_samples)
             SELECT device_id, ", hour_of!("at"), " AS hour, COUNT(*), SUM(CASE WHEN status = 'online' THEN 1 ELSE 0 END),
                    AVG(hashrate_ths), AVG(share_hashrate_ths), AVG(gpu_util_pct), AVG(temp_c), AVG(power_w),
                    AVG(CASE WHEN status = 'offline' THEN 0 ELSE COALESCE(share_hashrate_ths, hashrate_ths, 0) END),
                    ", unavailable_sum!(), "
             FROM samples WHERE at >= $2 AND ", hour_of!("at"), " < $1
             GROUP BY device_id, hour
             ON CONFLICT(device_id, hour) DO UPDATE SET samples = excluded.samples, online_samples = excluded.online_samples,
               hashrate_ths = excluded.hashrate_ths, share_hashrate_ths = excluded.share_hashrate_ths,
               gpu_util_pct = excluded.gpu_util_pct, temp_c = excluded.temp_c, power_w = excluded.power_w,
               delivered_ths = excluded.delivered_ths, unavailable_samples = excluded.unavailable_samples"
        ))
        .bind(&hour_start)
        .bind(from)
        .execute(self.pool())
        .await?
        .rows_affected();
        let partitions_dropped = self.drop_sample_partitions_before(now - keep_raw).await?;
        let rows_deleted = sqlx::query("DELETE FROM samples WHERE at < $1")
            .bind(now - keep_raw)
            .execute(self.pool())
            .await?
            .rows_affected();
        Ok(Retention {
            hours_written: written,
            rows_deleted,
            partitions_dropped,
        })
    }
}
