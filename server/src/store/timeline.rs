//! Milestones and annotations. Every change is one transaction that also writes the audit log;
//! edits carry the version they were made against and a stale one is refused (409).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{Row, Transaction};

use app::api::error::ApiError;
use app::api::ports::TimelineStore;
use app::model::timeline::annotation::{Annotation, AnnotationTarget, AnnotationVersion};
use app::model::timeline::milestones::{Milestone, MilestoneEdit, MilestoneKind};

use super::audit::record;
use super::{Db, DbRow, Engine, StoreError};
use crate::store::rows::NewAnnotationRow;

pub(super) fn milestone_from_row(r: &DbRow) -> Result<Milestone, StoreError> {
    let id: String = r.get("id");
    let kind: String = r.get("kind");
    let depends_on: Vec<String> = serde_json::from_str(r.get::<&str, _>("depends_on"))
        .map_err(|e| StoreError::Corrupt(format!("milestone {id}: depends_on: {e}")))?;
    Ok(Milestone {
        kind: MilestoneKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("milestone {id}: kind {kind:?}")))?,
        site_id: r.get("site_id"),
        title: r.get("title"),
        planned_start: r.get("planned_start"),
        planned_end: r.get("planned_end"),
        actual_start: r.get("actual_start"),
        actual_end: r.get("actual_end"),
        mw: r.get("mw"),
        depends_on,
        contract_id: r.get("contract_id"),
        version: r.get("version"),
        id,
    })
}

fn annotation_from_row(r: &DbRow) -> Result<Annotation, StoreError> {
    let id: i64 = r.get("id");
    let kind: String = r.get("target_kind");
    let key: String = r.get("target");
    Ok(Annotation {
        target: AnnotationTarget::from_parts(&kind, &key)
            .ok_or_else(|| StoreError::Corrupt(format!("annotation {id}: target {kind}:{key}")))?,
        site_id: r.get("site_id"),
        on_date: r.get("on_date"),
        version: r.get("version"),
        text: r.get("text"),
        author: r.get("author"),
        created_at: r.get("created_at"),
        updated_at: r.get("updated_at"),
        id,
    })
}

/// `SELECT <every milestone column> FROM milestones <rest>` (sqlx wants static SQL).
macro_rules! select_milestones {
    ($rest:literal) => {
        concat!(
            "SELECT id, site_id, kind, title, planned_start, planned_end, actual_start, actual_end, mw, depends_on, contract_id, version FROM milestones ",
            $rest
        )
    };
}

/// `SELECT <every annotation column> FROM annotations <rest>`.
macro_rules! select_annotations {
    ($rest:literal) => {
        concat!(
            "SELECT id, target_kind, target, site_id, on_date, version, text, author, created_at, updated_at FROM annotations ",
            $rest
        )
    };
}

/// Inserts one milestone inside `tx` (seeding and site import).
pub(super) async fn insert_milestone(
    tx: &mut Transaction<'_, Db>,
    m: &Milestone,
    position: i64,
) -> Result<(), StoreError> {
    let depends =
        serde_json::to_string(&m.depends_on).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    sqlx::query(
        "INSERT INTO milestones (id, site_id, kind, title, planned_start, planned_end, actual_start, actual_end, mw, depends_on, contract_id, version, position)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(&m.id)
    .bind(&m.site_id)
    .bind(m.kind.as_str())
    .bind(&m.title)
    .bind(m.planned_start)
    .bind(m.planned_end)
    .bind(m.actual_start)
    .bind(m.actual_end)
    .bind(m.mw)
    .bind(depends)
    .bind(&m.contract_id)
    .bind(m.version)
    .bind(position)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Engine {
    /// Every milestone, by site and start.
    pub async fn milestones(&self) -> Result<Vec<Milestone>, StoreError> {
        sqlx::query(select_milestones!(
            "ORDER BY site_id, planned_start, position, id"
        ))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(milestone_from_row)
        .collect()
    }

    /// Inserts milestones (seed); ids already present are skipped.
    pub async fn insert_milestones(&self, all: &[Milestone]) -> Result<usize, StoreError> {
        let mut tx = self.write_tx().await?;
        let mut added = 0;
        for (i, m) in all.iter().enumerate() {
            let exists: Option<String> =
                sqlx::query_scalar("SELECT id FROM milestones WHERE id = $1")
                    .bind(&m.id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if exists.is_none() {
                insert_milestone(&mut tx, m, i as i64).await?;
                added += 1;
            }
        }
        tx.commit().await?;
        Ok(added)
    }

    async fn update_milestone_tx(
        &self,
        id: &str,
        edit: &MilestoneEdit,
        actor: &str,
    ) -> Result<Result<Milestone, ApiError>, StoreError> {
        let mut tx = self.write_tx().await?;
        let Some(row) = sqlx::query(select_milestones!("WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(Err(ApiError::NotFound(format!("milestone {id}"))));
        };
        let mut m = milestone_from_row(&row)?;
        if m.version != edit.version {
            return Ok(Err(ApiError::Conflict {
                current_version: m.version,
                current_text: milestone_summary(&m),
                current_author: last_actor(&mut tx, id).await?,
            }));
        }
        let before = milestone_summary(&m);
        edit.apply_to(&mut m);
        m.version += 1;
        sqlx::query(
            "UPDATE milestones SET title = $1, planned_start = $2, planned_end = $3, actual_start = $4, actual_end = $5, mw = $6, version = $7
             WHERE id = $8 AND version = $9",
        )
        .bind(&m.title)
        .bind(m.planned_start)
        .bind(m.planned_end)
        .bind(m.actual_start)
        .bind(m.actual_end)
        .bind(m.mw)
        .bind(m.version)
        .bind(id)
        .bind(edit.version)
        .execute(&mut *tx)
        .await?;
        record(
            &mut tx,
            actor,
            "milestone.update",
            id,
            &format!("{before} -> {}", milestone_summary(&m)),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(m))
    }

    /// Every annotation's current version, by date.
    pub async fn annotations(&self) -> Result<Vec<Annotation>, StoreError> {
        sqlx::query(select_annotations!("ORDER BY on_date, id"))
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(annotation_from_row)
            .collect()
    }

    pub async fn insert_annotation(
        &self,
        new: &NewAnnotationRow,
        actor: &str,
    ) -> Result<Annotation, StoreError> {
        let now = crate::store::rows::now();
        let mut tx = self.write_tx().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO annotations (target_kind, target, site_id, on_date, version, text, author, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8) RETURNING id",
        )
        .bind(new.target.kind())
        .bind(new.target.key())
        .bind(&new.site_id)
        .bind(new.on_date)
        .bind(&new.text)
        .bind(actor)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        insert_version(&mut tx, id, 1, &new.text, actor, now).await?;
        record(
            &mut tx,
            actor,
            "annotation.create",
            &id.to_string(),
            &new.text,
        )
        .await?;
        tx.commit().await?;
        Ok(Annotation {
            id,
            target: new.target.clone(),
            site_id: new.site_id.clone(),
            on_date: new.on_date,
            version: 1,
            text: new.text.clone(),
            author: actor.to_string(),
            created_at: now,
            updated_at: now,
        })
    }

    async fn edit_annotation_tx(
        &self,
        id: i64,
        text: &str,
        base_version: i64,
        actor: &str,
    ) -> Result<Result<Annotation, ApiError>, StoreError> {
        let now = crate::store::rows::now();
        let mut tx = self.write_tx().await?;
        let Some(row) = sqlx::query(select_annotations!("WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(Err(ApiError::NotFound(format!("annotation {id}"))));
        };
        let mut a = annotation_from_row(&row)?;
        if a.version != base_version {
            // The refused text is kept in the audit log, so neither writer's words are lost
            // even if the second writer closes the page.
            record(
                &mut tx,
                actor,
                "annotation.edit_conflict",
                &id.to_string(),
                &format!("based on version {base_version}: {text}"),
            )
            .await?;
            tx.commit().await?;
            return Ok(Err(ApiError::Conflict {
                current_version: a.version,
                current_text: a.text,
                current_author: a.author,
            }));
        }
        a.version += 1;
        a.text = text.to_string();
        a.author = actor.to_string();
        a.updated_at = now;
        sqlx::query("UPDATE annotations SET version = $1, text = $2, author = $3, updated_at = $4 WHERE id = $5 AND version = $6")
            .bind(a.version)
            .bind(&a.text)
            .bind(&a.author)
            .bind(now)
            .bind(id)
            .bind(base_version)
            .execute(&mut *tx)
            .await?;
        insert_version(&mut tx, id, a.version, text, actor, now).await?;
        record(&mut tx, actor, "annotation.edit", &id.to_string(), text).await?;
        tx.commit().await?;
        Ok(Ok(a))
    }

    pub async fn annotation_versions(&self, id: i64) -> Result<Vec<AnnotationVersion>, StoreError> {
        Ok(sqlx::query(
            "SELECT version, text, author, at FROM annotation_versions WHERE annotation_id = $1 ORDER BY version",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| AnnotationVersion {
            version: r.get("version"),
            text: r.get("text"),
            author: r.get("author"),
            at: r.get("at"),
        })
        .collect())
    }
}

async fn insert_version(
    tx: &mut Transaction<'_, Db>,
    id: i64,
    version: i64,
    text: &str,
    author: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO annotation_versions (annotation_id, version, text, author, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id)
        .bind(version)
        .bind(text)
        .bind(author)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Who last changed a milestone, from the audit log ("seed" if nobody has).
async fn last_actor(tx: &mut Transaction<'_, Db>, id: &str) -> Result<String, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT actor FROM audit_log WHERE action = 'milestone.update' AND target = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .unwrap_or_else(|| "seed".to_string()))
}

/// One line describing a milestone's editable fields (audit log, conflict display).
fn milestone_summary(m: &Milestone) -> String {
    let opt = |d: Option<NaiveDate>| d.map_or("-".to_string(), |d| d.to_string());
    format!(
        "{} | planned {}..{} | actual {}..{} | {} MW",
        m.title,
        m.planned_start,
        m.planned_end,
        opt(m.actual_start),
        opt(m.actual_end),
        m.mw
    )
}

#[async_trait]
impl TimelineStore for Engine {
    async fn milestones(&self) -> Result<Vec<Milestone>, ApiError> {
        Ok(Engine::milestones(self).await?)
    }

    async fn create_milestone(&self, milestone: &Milestone, actor: &str) -> Result<(), ApiError> {
        let mut tx = self.write_tx().await.map_err(StoreError::from)?;
        let position: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(position), 0) + 1 FROM milestones")
                .fetch_one(&mut *tx)
                .await
                .map_err(StoreError::from)?;
        insert_milestone(&mut tx, milestone, position).await?;
        record(
            &mut tx,
            actor,
            "milestone.create",
            &milestone.id,
            &milestone_summary(milestone),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    async fn update_milestone(
        &self,
        id: &str,
        edit: &MilestoneEdit,
        actor: &str,
    ) -> Result<Milestone, ApiError> {
        self.update_milestone_tx(id, edit, actor).await?
    }

    async fn annotations(&self) -> Result<Vec<Annotation>, ApiError> {
        Ok(Engine::annotations(self).await?)
    }

    async fn create_annotation(
        &self,
        target: AnnotationTarget,
        site_id: Option<String>,
        on_date: NaiveDate,
        text: &str,
        actor: &str,
    ) -> Result<Annotation, ApiError> {
        let row = NewAnnotationRow {
            target,
            site_id,
            on_date,
            text: text.to_string(),
        };
        Ok(self.insert_annotation(&row, actor).await?)
    }

    async fn edit_annotation(
        &self,
        id: i64,
        text: &str,
        base_version: i64,
        actor: &str,
    ) -> Result<Annotation, ApiError> {
        self.edit_annotation_tx(id, text, base_version, actor)
            .await?
    }

    async fn annotation_history(&self, id: i64) -> Result<Vec<AnnotationVersion>, ApiError> {
        let versions = self.annotation_versions(id).await?;
        if versions.is_empty() {
            return Err(ApiError::NotFound(format!("annotation {id}")));
        }
        Ok(versions)
    }
}
