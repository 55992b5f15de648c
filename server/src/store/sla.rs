//! What telemetry measured of GPUs for tenants' SLAs: per GPU and month, the minutes it was
//! unavailable (offline or held by a fatal error) and the hours it was observed.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::Row;

use super::{Engine, StoreError};
use crate::store::rows::GpuMonth;

impl Engine {
    /// Every GPU of `site` with samples in the months `[from, to]`: rolled-up hours, then the
    /// raw samples of the hours not rolled up yet (the current one, and any the last rollup
    /// has not reached). An hour's unavailable minutes are 60 × its unavailable share of
    /// samples.
    pub async fn gpu_months(
        &self,
        site: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<GpuMonth>, StoreError> {
        let newest: Option<String> = sqlx::query_scalar("SELECT MAX(hour) FROM samples_hourly")
            .fetch_one(self.pool())
            .await?;
        let raw_from = newest
            .and_then(|h| chrono::NaiveDateTime::parse_from_str(&h, "%Y-%m-%dT%H:%M:%S").ok())
            .map(|h| h.and_utc() + Duration::hours(1))
            .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
        let end = to + Duration::days(1);
        let rows = sqlx::query(concat!(
            "WITH hours AS (
               SELECT device_id, hour, samples, unavailable_samples FROM samples_hourly
               WHERE hour >= $1 AND hour < $2
               UNION ALL
               SELECT device_id, ", hour_of!("at"), " AS hour, COUNT(*), ", unavailable_sum!(), "
               FROM samples WHERE at >= $3 AND at < $4 GROUP BY device_id, 2
             )
             SELECT h.device_id AS device_id, substr(h.hour, 1, 7) AS month,
                    CAST(SUM(60.0 * h.unavailable_samples / h.samples) AS DOUBLE PRECISION) AS unavailable,
                    COUNT(*) AS hours
             FROM hours h JOIN devices d ON d.id = ", node_of!("h.device_id"), "
             WHERE d.site = $5 AND d.kind = 'gpu' AND h.samples > 0
             GROUP BY h.device_id, 2 ORDER BY 2, h.device_id"
        ))
        .bind(format!("{from}T00:00:00"))
        .bind(format!("{end}T00:00:00"))
        .bind(raw_from.max(app::model::company::range::start_of_day(from)))
        .bind(app::model::company::range::start_of_day(end))
        .bind(site)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                let month: String = r.get("month");
                Ok(GpuMonth {
                    device_id: r.get("device_id"),
                    month: app::model::ai::sla::parse_month(&month)
                        .ok_or_else(|| StoreError::Corrupt(format!("sample month {month:?}")))?,
                    unavailable_minutes: r.get::<Option<f64>, _>("unavailable").unwrap_or(0.0),
                    observed_hours: r.get::<i64, _>("hours") as f64,
                })
            })
            .collect()
    }
}
