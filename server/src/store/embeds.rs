//! Embed tokens: stored as SHA-256 digests with their view, sites and allowed origins.

use sqlx::Row;

use app::api::embeds::{EmbedGrant, EmbedRow};
use app::model::investor::embed::{EmbedSpec, EmbedView};

use super::audit::record;
use super::{DbRow, Engine, StoreError};

fn view_name(v: EmbedView) -> &'static str {
    match v {
        EmbedView::RevenueMix => "revenue_mix",
        EmbedView::MwConverted => "mw_converted",
        EmbedView::Timeline => "timeline",
        EmbedView::FleetSummary => "fleet_summary",
        EmbedView::Kpis => "kpis",
        EmbedView::Production => "production",
    }
}

fn parse_view(s: &str) -> Result<EmbedView, StoreError> {
    EmbedView::ALL
        .into_iter()
        .find(|v| view_name(*v) == s)
        .ok_or_else(|| StoreError::Corrupt(format!("embed view {s:?}")))
}

fn json_list(r: &DbRow, column: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(r.get::<&str, _>(column))
        .map_err(|e| StoreError::Corrupt(format!("embed {column}: {e}")))
}

fn row(r: &DbRow) -> Result<EmbedRow, StoreError> {
    Ok(EmbedRow {
        id: r.get("id"),
        name: r.get("name"),
        view: parse_view(r.get("view"))?,
        sites: json_list(r, "sites")?,
        origins: json_list(r, "origins")?,
        token: r.get("token"),
        created_at: r.get("created_at"),
        created_by: r.get("created_by"),
        revoked_at: r.get("revoked_at"),
    })
}

impl Engine {
    pub async fn embeds(&self) -> Result<Vec<EmbedRow>, StoreError> {
        sqlx::query("SELECT id, name, view, sites, origins, token, created_at, created_by, revoked_at FROM embed_tokens ORDER BY id DESC")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(row)
            .collect()
    }

    /// Stores a validated spec under the token's digest; returns the new row.
    pub async fn create_embed(
        &self,
        spec: &EmbedSpec,
        token: &str,
        secret_hash: &str,
        actor: &str,
    ) -> Result<EmbedRow, StoreError> {
        let to_json = |v: &Vec<String>| {
            serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
        };
        let mut tx = self.write_tx().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO embed_tokens (name, view, sites, origins, secret_hash, token, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(&spec.name)
        .bind(view_name(spec.view))
        .bind(to_json(&spec.sites)?)
        .bind(to_json(&spec.origins)?)
        .bind(secret_hash)
        .bind(token)
        .bind(crate::store::rows::now())
        .bind(actor)
        .fetch_one(&mut *tx)
        .await?;
        record(
            &mut tx,
            actor,
            "embed.create",
            &format!("{id} {}", spec.name),
            &format!("{} for {}", spec.view.slug(), spec.origins.join(" ")),
        )
        .await?;
        let created = sqlx::query("SELECT id, name, view, sites, origins, token, created_at, created_by, revoked_at FROM embed_tokens WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        row(&created)
    }

    pub async fn revoke_embed(&self, id: i64, actor: &str) -> Result<bool, StoreError> {
        self.revoke(super::accounts::Revocable::EmbedToken, id, actor)
            .await
    }

    pub async fn embed_grant(&self, secret_hash: &str) -> Result<Option<EmbedGrant>, StoreError> {
        sqlx::query("SELECT id, view, sites, origins FROM embed_tokens WHERE secret_hash = $1 AND revoked_at IS NULL")
            .bind(secret_hash)
            .fetch_optional(self.pool())
            .await?
            .map(|r| {
                Ok(EmbedGrant {
                    id: r.get("id"),
                    view: parse_view(r.get("view"))?,
                    sites: json_list(&r, "sites")?,
                    origins: json_list(&r, "origins")?,
                })
            })
            .transpose()
    }
}
