//! The audit log: who changed what, written in the same transaction as the change.

use chrono::{DateTime, Utc};
use sqlx::{Row, Transaction};

use app::api::admin::AuditEntry;

use super::{Db, Engine, StoreError};

/// Appends one entry inside `tx`; details are cut to 2,000 characters.
pub(super) async fn record(
    tx: &mut Transaction<'_, Db>,
    actor: &str,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<(), StoreError> {
    let detail: String = detail.chars().take(2_000).collect();
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(crate::store::rows::now())
    .bind(actor)
    .bind(action)
    .bind(target)
    .bind(detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Engine {
    /// Appends one entry on its own (events with no other write, such as a login).
    pub async fn audit(
        &self,
        actor: &str,
        action: &str,
        target: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        record(&mut tx, actor, action, target, detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The newest `limit` entries, newest first.
    pub async fn audit_entries(&self, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        Ok(sqlx::query(
            "SELECT id, at, actor, action, target, detail FROM audit_log ORDER BY id DESC LIMIT $1",
        )
        .bind(limit as i64)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| AuditEntry {
            id: r.get("id"),
            at: r.get::<DateTime<Utc>, _>("at"),
            actor: r.get("actor"),
            action: r.get("action"),
            target: r.get("target"),
            detail: r.get("detail"),
        })
        .collect())
    }
}
