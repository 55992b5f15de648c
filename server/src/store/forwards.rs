//! Forward inputs: hashprice forward curves and the GPU rental index, each row with its source
//! and when it was fetched.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;

use app::model::mining::forwards::{
    model_key, ForwardCurve, ForwardRow, ForwardTenor, GpuIndexQuote,
};

use super::{Engine, StoreError};

impl Engine {
    /// Stores a curve file in one transaction: each curve date in it replaces whatever tenors
    /// that date had, so a re-import never leaves stale tenors behind. Returns the rows written.
    pub async fn replace_forward_curves(
        &self,
        rows: &[ForwardRow],
        source: &str,
        fetched_at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut tx = self.write_tx().await?;
        let dates: std::collections::BTreeSet<NaiveDate> = rows.iter().map(|r| r.as_of).collect();
        for d in dates {
            sqlx::query("DELETE FROM forward_curves WHERE as_of = $1")
                .bind(d)
                .execute(&mut *tx)
                .await?;
        }
        let mut written = 0;
        for r in rows {
            written += sqlx::query(
                "INSERT INTO forward_curves (as_of, month, usd_per_ph_day, source, fetched_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(r.as_of)
            .bind(r.tenor.month)
            .bind(r.tenor.usd_per_ph_day)
            .bind(source)
            .bind(fetched_at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(written)
    }

    /// The newest curve stored, tenors month-ordered.
    pub async fn newest_forward_curve(&self) -> Result<Option<ForwardCurve>, StoreError> {
        let rows = sqlx::query(
            "SELECT as_of, month, usd_per_ph_day, source FROM forward_curves
             WHERE as_of = (SELECT MAX(as_of) FROM forward_curves) ORDER BY month",
        )
        .fetch_all(self.pool())
        .await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        Ok(Some(ForwardCurve {
            as_of: first.get("as_of"),
            source: first.get("source"),
            tenors: rows
                .iter()
                .map(|r| ForwardTenor {
                    month: r.get("month"),
                    usd_per_ph_day: r.get("usd_per_ph_day"),
                })
                .collect(),
        }))
    }

    /// Stores index quotes in one transaction (a model's day already stored takes the new
    /// price). Returns the rows written.
    pub async fn upsert_gpu_index(
        &self,
        quotes: &[GpuIndexQuote],
        source: &str,
        fetched_at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut tx = self.write_tx().await?;
        let mut written = 0;
        for q in quotes {
            written += sqlx::query(
                "INSERT INTO gpu_index (day, model_key, gpu_model, usd_per_gpu_hour, source, fetched_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (model_key, day) DO UPDATE SET gpu_model = excluded.gpu_model,
                   usd_per_gpu_hour = excluded.usd_per_gpu_hour, source = excluded.source,
                   fetched_at = excluded.fetched_at",
            )
            .bind(q.date)
            .bind(model_key(&q.gpu_model))
            .bind(&q.gpu_model)
            .bind(q.usd_per_gpu_hour)
            .bind(source)
            .bind(fetched_at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(written)
    }

    /// Each model's newest quote on or before `on`, by model.
    pub async fn gpu_index_latest(&self, on: NaiveDate) -> Result<Vec<GpuIndexQuote>, StoreError> {
        let rows = sqlx::query(
            "SELECT g.day, g.gpu_model, g.usd_per_gpu_hour, g.source FROM gpu_index g
             WHERE g.day = (SELECT MAX(h.day) FROM gpu_index h WHERE h.model_key = g.model_key AND h.day <= $1)
             ORDER BY g.model_key",
        )
        .bind(on)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| GpuIndexQuote {
                date: r.get("day"),
                gpu_model: r.get("gpu_model"),
                usd_per_gpu_hour: r.get("usd_per_gpu_hour"),
                source: r.get("source"),
            })
            .collect())
    }
}
