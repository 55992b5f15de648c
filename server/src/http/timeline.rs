//! `/api/v1` timeline and annotation handlers. The role each needs is set where the
//! routes are grouped (`http::router`); handlers take the caller from the request extensions.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};

use app::api::auth::{Principal, Role};
use app::api::ports::Services;
use app::api::timeline::{service, AnnotationEdit, NewAnnotation, TimelineView};
use app::model::annotation::{Annotation, AnnotationVersion};
use app::model::timeline::{Milestone, MilestoneEdit, NewMilestone};

use super::HttpError;

pub async fn timeline(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
) -> Result<Json<TimelineView>, HttpError> {
    Ok(Json(
        service::load_timeline(&svc, me.may(Role::Operator)).await?,
    ))
}

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

pub async fn create_milestone(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    body: Result<Json<NewMilestone>, JsonRejection>,
) -> Result<(StatusCode, Json<Milestone>), HttpError> {
    let Json(new) = body?;
    let m = service::create_milestone(&svc, &me.actor(), new).await?;
    Ok((StatusCode::CREATED, Json(m)))
}

pub async fn create_annotation(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    body: Result<Json<NewAnnotation>, JsonRejection>,
) -> Result<(StatusCode, Json<Annotation>), HttpError> {
    let Json(new) = body?;
    let a = service::create_annotation(&svc, &me.actor(), new).await?;
    Ok((StatusCode::CREATED, Json(a)))
}

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

pub async fn annotation_history(
    State(svc): State<Services>,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, HttpError> {
    let versions: Vec<AnnotationVersion> = svc.timeline.annotation_history(id).await?;
    Ok(Json(serde_json::json!({ "id": id, "versions": versions })))
}

/// Records a device registry change in the audit log (the registry itself does not know who).
pub async fn audit_device(svc: &Services, me: &Principal, action: &str, target: &str) {
    if let Err(e) = svc.accounts.record(&me.actor(), action, target, "").await {
        tracing::warn!(error = %e, "audit log write failed");
    }
}
