//! Power markets: settlement point prices per interval, each site's power terms, the summer's
//! coincident peaks.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;

use app::api::error::ApiError;
use app::api::ports::PowerMarket;
use app::model::power::contract::{IntervalPrice, ENERGY_WEIGHTED};
use app::model::power::curtailment::SitePower;

use super::{Engine, StoreError};
use crate::store::rows::PriceCoverage;

/// Rows per multi-row insert (6 parameters each, well under either engine's limit).
const ROWS: usize = 500;

impl Engine {
    /// Writes prices in one transaction (a point's interval already stored takes the new
    /// figure): a file is stored whole or not at all. Returns the rows written.
    pub async fn upsert_power_prices(
        &self,
        rows: &[IntervalPrice],
        source: &str,
        fetched_at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut tx = self.write_tx().await?;
        let mut written = 0;
        for chunk in rows.chunks(ROWS) {
            let mut sql = String::with_capacity(120 + chunk.len() * 24);
            sql.push_str("INSERT INTO power_prices (point, point_type, interval_start, usd_per_mwh, source, fetched_at) VALUES ");
            for i in 0..chunk.len() {
                sql.push_str(if i == 0 { "(" } else { ",(" });
                for c in 0..6 {
                    if c > 0 {
                        sql.push(',');
                    }
                    super::push_param(&mut sql, i * 6 + c + 1);
                }
                sql.push(')');
            }
            sql.push_str(" ON CONFLICT (point, point_type, interval_start) DO UPDATE SET usd_per_mwh = excluded.usd_per_mwh, source = excluded.source, fetched_at = excluded.fetched_at");
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(chunk.len() == ROWS);
            for r in chunk {
                q = q
                    .bind(&r.point)
                    .bind(&r.point_type)
                    .bind(r.interval_start)
                    .bind(r.usd_per_mwh)
                    .bind(source)
                    .bind(fetched_at);
            }
            written += q.execute(&mut *tx).await?.rows_affected();
        }
        tx.commit().await?;
        Ok(written)
    }

    /// A point's prices with intervals starting in `[from, to)`, time-ordered: its
    /// energy-weighted zone price (`LZEW`) or, with `energy_weighted` false, its own price — a
    /// typed row before an untyped one for the same interval (a plain file that named no type).
    pub async fn power_prices(
        &self,
        point: &str,
        energy_weighted: bool,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<IntervalPrice>, StoreError> {
        let types = if energy_weighted {
            "point_type = 'LZEW'"
        } else {
            "point_type <> 'LZEW'"
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT point_type, interval_start, usd_per_mwh FROM power_prices
             WHERE point = $1 AND {types} AND interval_start >= $2 AND interval_start < $3
             ORDER BY interval_start, point_type DESC"
        )))
        .bind(point)
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        let mut out: Vec<IntervalPrice> = Vec::with_capacity(rows.len());
        for r in &rows {
            let start: DateTime<Utc> = r.get("interval_start");
            if out.last().is_some_and(|p| p.interval_start == start) {
                continue;
            }
            out.push(IntervalPrice {
                point: point.to_string(),
                point_type: r.get("point_type"),
                interval_start: start,
                usd_per_mwh: r.get("usd_per_mwh"),
            });
        }
        Ok(out)
    }

    /// Every point's coverage, by point.
    pub async fn power_coverage(&self) -> Result<Vec<PriceCoverage>, StoreError> {
        let rows = sqlx::query(
            "SELECT p.point, p.point_type, COUNT(*) AS n, MIN(p.interval_start) AS first, MAX(p.interval_start) AS last,
                    MAX(p.fetched_at) AS fetched_at,
                    (SELECT q.source FROM power_prices q WHERE q.point = p.point AND q.point_type = p.point_type
                     ORDER BY q.fetched_at DESC LIMIT 1) AS source
             FROM power_prices p GROUP BY p.point, p.point_type ORDER BY p.point, p.point_type",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| PriceCoverage {
                point: r.get("point"),
                point_type: r.get("point_type"),
                intervals: r.get("n"),
                first: r.get("first"),
                last: r.get("last"),
                source: r.get("source"),
                fetched_at: r.get("fetched_at"),
            })
            .collect())
    }

    /// Sets (or with `None` removes) a site's power terms; audited with the change.
    pub async fn set_site_power(
        &self,
        site_id: &str,
        terms: Option<&SitePower>,
        actor: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let known: Option<String> = sqlx::query_scalar("SELECT id FROM sites WHERE id = $1")
            .bind(site_id)
            .fetch_optional(&mut *tx)
            .await?;
        if known.is_none() {
            return Ok(false);
        }
        let now = crate::store::rows::now();
        let detail = match terms {
            Some(t) => {
                let json =
                    serde_json::to_string(t).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                sqlx::query(
                    "INSERT INTO site_power (site_id, terms, updated_at, updated_by) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (site_id) DO UPDATE SET terms = excluded.terms, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                )
                .bind(site_id)
                .bind(&json)
                .bind(now)
                .bind(actor)
                .execute(&mut *tx)
                .await?;
                json
            }
            None => {
                sqlx::query("DELETE FROM site_power WHERE site_id = $1")
                    .bind(site_id)
                    .execute(&mut *tx)
                    .await?;
                "removed".to_string()
            }
        };
        sqlx::query("INSERT INTO audit_log (at, actor, action, target, detail) VALUES ($1, $2, 'site.power', $3, $4)")
            .bind(now)
            .bind(actor)
            .bind(site_id)
            .bind(detail)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Every site's power terms, by site id.
    pub async fn site_power(&self) -> Result<Vec<(String, SitePower)>, StoreError> {
        sqlx::query("SELECT site_id, terms FROM site_power ORDER BY site_id")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                let terms: String = r.get("terms");
                serde_json::from_str(&terms)
                    .map(|t| (r.get("site_id"), t))
                    .map_err(|e| StoreError::Corrupt(format!("site_power: {e}")))
            })
            .collect()
    }

    /// What a site's ASICs drew per completed hour in `[from, to)`, MW (each device's mean power
    /// over its answering samples, offline samples counting zero).
    pub async fn site_drawn_mw(
        &self,
        site: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(DateTime<Utc>, f64)>, StoreError> {
        let key = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:00:00").to_string();
        let rows = sqlx::query(concat!(
            "SELECT h.hour AS hour, SUM(COALESCE(h.power_w, 0) * h.online_samples / h.samples) AS watts
             FROM samples_hourly h JOIN devices d ON d.id = ", node_of!("h.device_id"), "
             WHERE d.site = $1 AND d.kind = 'asic' AND h.hour >= $2 AND h.hour < $3
             GROUP BY h.hour ORDER BY h.hour"
        ))
        .bind(site)
        .bind(key(from))
        .bind(key(to))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let hour: String = r.get("hour");
                let at = chrono::NaiveDateTime::parse_from_str(&hour, "%Y-%m-%dT%H:%M:%S")
                    .map_err(|e| StoreError::Corrupt(format!("samples_hourly hour {hour:?}: {e}")))?
                    .and_utc();
                let watts: Option<f64> = r.get("watts");
                Ok((at, watts.unwrap_or(0.0) / 1e6))
            })
            .collect()
    }

    /// Replaces the coincident-peak intervals of the years the list covers.
    pub async fn set_coincident_peaks(&self, peaks: &[DateTime<Utc>]) -> Result<u64, StoreError> {
        let mut tx = self.write_tx().await?;
        let mut n = 0;
        for p in peaks {
            n += sqlx::query("INSERT INTO coincident_peaks (interval_start) VALUES ($1) ON CONFLICT (interval_start) DO NOTHING")
                .bind(p)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        tx.commit().await?;
        Ok(n)
    }

    pub async fn coincident_peaks(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT interval_start FROM coincident_peaks WHERE interval_start >= $1 AND interval_start < $2 ORDER BY interval_start",
        )
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?)
    }
}

#[async_trait]
impl PowerMarket for Engine {
    async fn drawn_mw(
        &self,
        site: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(DateTime<Utc>, f64)>, ApiError> {
        Ok(self.site_drawn_mw(site, from, to).await?)
    }

    async fn prices(
        &self,
        point: &str,
        energy_weighted: bool,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<IntervalPrice>, ApiError> {
        Ok(self.power_prices(point, energy_weighted, from, to).await?)
    }

    async fn site_terms(&self) -> Result<Vec<(String, SitePower)>, ApiError> {
        Ok(self.site_power().await?)
    }

    async fn peaks(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>, ApiError> {
        Ok(self.coincident_peaks(from, to).await?)
    }

    async fn price_source(
        &self,
        point: &str,
        energy_weighted: bool,
    ) -> Result<Option<(String, DateTime<Utc>, i64)>, ApiError> {
        // The series read: the energy-weighted one, or the point's own (typed before untyped).
        let mut series: Vec<PriceCoverage> = self
            .power_coverage()
            .await?
            .into_iter()
            .filter(|c| c.point == point && (c.point_type == ENERGY_WEIGHTED) == energy_weighted)
            .collect();
        series.sort_by_key(|c| c.point_type.is_empty());
        Ok(series
            .into_iter()
            .next()
            .and_then(|c| Some((c.source?, c.fetched_at?, c.intervals))))
    }

    async fn set_terms(
        &self,
        site_id: &str,
        terms: Option<&SitePower>,
        actor: &str,
    ) -> Result<bool, ApiError> {
        Ok(self.set_site_power(site_id, terms, actor).await?)
    }
}
