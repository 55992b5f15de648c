//! `/api/v1` timeline and annotation handlers. The role each needs is set where the
//! routes are grouped (`http::router`); handlers take the caller from the request extensions.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};

use app::api::auth::{Principal, Role};
use app::api::ports::Services;
use app::api::timeline::{service, AnnotationEdit, NewAnnotation, TimelineView};
use app::model::timeline::annotation::{Annotation, AnnotationVersion};
use app::model::timeline::milestones::{Milestone, MilestoneEdit, NewMilestone};

use super::{openapi, HttpError};

/// The conversion timeline.
#[utoipa::path(get, path = "/timeline", tag = "timeline",
    responses((status = 200, description = "Every site's phases, milestones and annotations (drafts only for operators)", body = TimelineView)))]
pub async fn timeline(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
) -> Result<Json<TimelineView>, HttpError> {
    Ok(Json(
        service::load_timeline(&svc, me.may(Role::Operator)).await?,
    ))
}

/// Edit a milestone (versioned).
#[utoipa::path(patch, path = "/milestones/{id}", tag = "timeline", request_body = MilestoneEdit,
    params(("id" = String, Path, description = "The milestone's id")),
    responses((status = 200, description = "The milestone as saved, with its new version", body = Milestone),
        (status = 409, description = "Changed since the version sent (`conflict`)", body = openapi::ErrorBody)))]
pub async fn update_milestone(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    Path(id): Path<String>,
    body: Result<Json<MilestoneEdit>, JsonRejection>,
) -> Result<Json<Milestone>, HttpError> {
    let Json(edit) = body?;
    Ok(Json(
        service::update_milestone(&svc, &me.actor(), &id, edit).await?,
    ))
}

/// Add a milestone.
#[utoipa::path(post, path = "/milestones", tag = "timeline", request_body = NewMilestone,
    responses((status = 201, description = "Created", body = Milestone),
        (status = 409, description = "A milestone with this id exists (`conflict`)", body = openapi::ErrorBody)))]
pub async fn create_milestone(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    body: Result<Json<NewMilestone>, JsonRejection>,
) -> Result<(StatusCode, Json<Milestone>), HttpError> {
    let Json(new) = body?;
    let m = service::create_milestone(&svc, &me.actor(), new).await?;
    Ok((StatusCode::CREATED, Json(m)))
}

/// Add a note.
#[utoipa::path(post, path = "/annotations", tag = "timeline", request_body = NewAnnotation,
    responses((status = 201, description = "Created (version 1)", body = Annotation)))]
pub async fn create_annotation(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    body: Result<Json<NewAnnotation>, JsonRejection>,
) -> Result<(StatusCode, Json<Annotation>), HttpError> {
    let Json(new) = body?;
    let a = service::create_annotation(&svc, &me.actor(), new).await?;
    Ok((StatusCode::CREATED, Json(a)))
}

/// Edit a note (versioned).
#[utoipa::path(patch, path = "/annotations/{id}", tag = "timeline", request_body = AnnotationEdit,
    params(("id" = i64, Path, description = "The annotation's id")),
    responses((status = 200, description = "Saved as the next version", body = Annotation),
        (status = 409, description = "Edited by someone else since the version sent; the body's `current` holds their text (`conflict`)", body = openapi::ErrorBody)))]
pub async fn edit_annotation(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    Path(id): Path<i64>,
    body: Result<Json<AnnotationEdit>, JsonRejection>,
) -> Result<Json<Annotation>, HttpError> {
    let Json(edit) = body?;
    Ok(Json(
        service::edit_annotation(&svc, &me.actor(), id, edit).await?,
    ))
}

/// Every version of a note.
#[utoipa::path(get, path = "/annotations/{id}/history", tag = "timeline",
    params(("id" = i64, Path, description = "The annotation's id")),
    responses((status = 200, description = "Every version, oldest first", body = AnnotationHistory)))]
pub async fn annotation_history(
    State(svc): State<Services>,
    Path(id): Path<i64>,
) -> Result<Json<AnnotationHistory>, HttpError> {
    let versions = svc.timeline.annotation_history(id).await?;
    Ok(Json(AnnotationHistory { id, versions }))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AnnotationHistory {
    id: i64,
    versions: Vec<AnnotationVersion>,
}

/// Records a device registry change in the audit log (the registry itself does not know who).
pub async fn audit_device(svc: &Services, me: &Principal, action: &str, target: &str) {
    if let Err(e) = svc.accounts.record(&me.actor(), action, target, "").await {
        tracing::warn!(error = %e, "audit log write failed");
    }
}
