//! The conversion timeline and annotations over the seam. Reads need a viewer; writes an
//! operator. The `service` functions are shared with `/api/v1` so both validate alike.

use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use crate::model::timeline::annotation::{Annotation, AnnotationVersion};
use crate::model::timeline::milestones::{Milestone, MilestoneEdit, MwMix, NewMilestone};
pub use crate::model::timeline::milestones::{MilestoneRow, SiteBrief};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TimelineView {
    pub today: NaiveDate,
    pub sites: Vec<SiteBrief>,
    pub milestones: Vec<MilestoneRow>,
    pub annotations: Vec<Annotation>,
    /// MW mining / converting / AI at each month start, all sites.
    pub mix: Vec<MwMix>,
    /// True when the caller may edit (operator or admin).
    pub can_edit: bool,
}

/// `POST /annotations` body (API.md): `target` is a site id, a milestone id or a date
/// (`YYYY-MM-DD`); `date` places a site or milestone note on the time axis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewAnnotation {
    pub target: String,
    pub text: String,
    #[serde(default)]
    pub date: Option<NaiveDate>,
}

/// `PATCH /annotations/{id}` body: the new text and the version it was written against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AnnotationEdit {
    pub text: String,
    pub version: i64,
}

#[cfg(feature = "ssr")]
pub mod service {
    use super::*;
    use crate::api::ports::Services;
    use crate::model::timeline::annotation::{validate_text, AnnotationTarget};
    use crate::model::timeline::milestones;

    /// Months shown before the first and after the last milestone.
    const MARGIN_MONTHS: u32 = 6;

    pub async fn load_timeline(svc: &Services, can_edit: bool) -> Result<TimelineView, ApiError> {
        let today = svc.clock.today();
        let sites = svc.sites.list_sites().await?;
        let milestones = svc.timeline.milestones().await?;
        let statuses = milestones::statuses(&milestones, today);
        let first = milestones
            .iter()
            .map(|m| m.start())
            .min()
            .unwrap_or(today)
            .min(today);
        let last = milestones
            .iter()
            .map(|m| m.forecast_end())
            .max()
            .unwrap_or(today)
            .max(today);
        let dates = milestones::month_starts(
            first - chrono::Months::new(MARGIN_MONTHS),
            last + chrono::Months::new(MARGIN_MONTHS),
        );
        Ok(TimelineView {
            today,
            mix: milestones::mw_mix(&sites, &dates),
            sites: sites
                .iter()
                .map(|s| SiteBrief {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    capacity_mw: s.capacity_mw,
                })
                .collect(),
            milestones: {
                // Sites in their display order, then by start: the Gantt reads top to bottom.
                let position =
                    |id: &str| sites.iter().position(|s| s.id == id).unwrap_or(usize::MAX);
                let mut rows: Vec<MilestoneRow> = milestones
                    .into_iter()
                    .zip(statuses)
                    .map(|(m, status)| MilestoneRow {
                        status,
                        slip_days: m.slip_days(today),
                        forecast_end: m.forecast_end(),
                        milestone: m,
                    })
                    .collect();
                rows.sort_by(|a, b| {
                    (
                        position(&a.milestone.site_id),
                        a.milestone.start(),
                        &a.milestone.id,
                    )
                        .cmp(&(
                            position(&b.milestone.site_id),
                            b.milestone.start(),
                            &b.milestone.id,
                        ))
                });
                rows
            },
            annotations: svc.timeline.annotations().await?,
            can_edit,
        })
    }

    pub async fn create_milestone(
        svc: &Services,
        actor: &str,
        new: NewMilestone,
    ) -> Result<Milestone, ApiError> {
        let sites = svc.sites.list_sites().await?;
        let existing = svc.timeline.milestones().await?;
        new.validate(sites.iter().find(|s| s.id == new.site_id), &existing)?;
        let milestone = new.clone().into_milestone(new.id(&existing));
        svc.timeline.create_milestone(&milestone, actor).await?;
        svc.overview_cache.invalidate();
        Ok(milestone)
    }

    pub async fn update_milestone(
        svc: &Services,
        actor: &str,
        id: &str,
        edit: MilestoneEdit,
    ) -> Result<Milestone, ApiError> {
        edit.validate()?;
        let m = svc.timeline.update_milestone(id, &edit, actor).await?;
        svc.overview_cache.invalidate();
        Ok(m)
    }

    pub async fn create_annotation(
        svc: &Services,
        actor: &str,
        new: NewAnnotation,
    ) -> Result<Annotation, ApiError> {
        let text = validate_text(&new.text)?;
        let key = new.target.trim();
        if key.is_empty() || key.len() > 100 {
            return Err(ApiError::InvalidInput(
                "target: a site id, a milestone id or a date (YYYY-MM-DD)".into(),
            ));
        }
        let (target, site_id, on_date) = if let Ok(date) = key.parse::<NaiveDate>() {
            (AnnotationTarget::Date(date), None, date)
        } else if let Some(m) = svc
            .timeline
            .milestones()
            .await?
            .into_iter()
            .find(|m| m.id == key)
        {
            let on = new.date.unwrap_or_else(|| m.forecast_end());
            (AnnotationTarget::Milestone(m.id), Some(m.site_id), on)
        } else if svc.sites.list_sites().await?.iter().any(|s| s.id == key) {
            let on = new.date.unwrap_or_else(|| svc.clock.today());
            (
                AnnotationTarget::Site(key.to_string()),
                Some(key.to_string()),
                on,
            )
        } else {
            return Err(ApiError::InvalidInput(format!(
                "target: no site or milestone {key:?} (or give a date, YYYY-MM-DD)"
            )));
        };
        let a = svc
            .timeline
            .create_annotation(target, site_id, on_date, &text, actor)
            .await?;
        svc.overview_cache.invalidate();
        Ok(a)
    }

    pub async fn edit_annotation(
        svc: &Services,
        actor: &str,
        id: i64,
        edit: AnnotationEdit,
    ) -> Result<Annotation, ApiError> {
        let text = validate_text(&edit.text)?;
        let a = svc
            .timeline
            .edit_annotation(id, &text, edit.version, actor)
            .await?;
        svc.overview_cache.invalidate();
        Ok(a)
    }
}

#[server(endpoint = "get_timeline")]
pub async fn get_timeline() -> Result<TimelineView, ApiError> {
    super::server_fn::run(super::auth::Role::Viewer, move |svc, me| async move {
        service::load_timeline(&svc, me.may(super::auth::Role::Operator)).await
    })
    .await
}

#[server(endpoint = "create_milestone")]
pub async fn create_milestone(new: NewMilestone) -> Result<Milestone, ApiError> {
    super::server_fn::run(super::auth::Role::Operator, move |svc, me| async move {
        service::create_milestone(&svc, &me.actor(), new).await
    })
    .await
}

#[server(endpoint = "update_milestone")]
pub async fn update_milestone(id: String, edit: MilestoneEdit) -> Result<Milestone, ApiError> {
    super::server_fn::run(super::auth::Role::Operator, move |svc, me| async move {
        service::update_milestone(&svc, &me.actor(), &id, edit).await
    })
    .await
}

#[server(endpoint = "create_annotation")]
pub async fn create_annotation(new: NewAnnotation) -> Result<Annotation, ApiError> {
    super::server_fn::run(super::auth::Role::Operator, move |svc, me| async move {
        service::create_annotation(&svc, &me.actor(), new).await
    })
    .await
}

#[server(endpoint = "edit_annotation")]
pub async fn edit_annotation(id: i64, edit: AnnotationEdit) -> Result<Annotation, ApiError> {
    super::server_fn::run(super::auth::Role::Operator, move |svc, me| async move {
        service::edit_annotation(&svc, &me.actor(), id, edit).await
    })
    .await
}

#[server(endpoint = "get_annotation_history")]
pub async fn get_annotation_history(id: i64) -> Result<Vec<AnnotationVersion>, ApiError> {
    super::server_fn::run(super::auth::Role::Viewer, move |svc, _| async move {
        svc.timeline.annotation_history(id).await
    })
    .await
}

/// The signed-in user (the nav shows it; pages hide edit controls from viewers).
#[server(endpoint = "get_me")]
pub async fn get_me() -> Result<super::auth::Principal, ApiError> {
    super::auth::require(super::auth::Role::Tenant)
}
