//! `/api/v1` account handlers: users, sessions, passwords, API tokens, embed tokens, the audit
//! log.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;

use app::api::admin::{AuditEntry, CreatedToken, PasswordChange, TokenRow, UserPatch, UserRow};
use app::api::auth::{Principal, Role};
use app::api::embeds::{service as embeds, CreatedEmbed};
use app::api::ports::Services;
use app::model::embed::EmbedSpec;

use super::HttpError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    name: String,
    role: Role,
}

pub async fn tokens(State(svc): State<Services>) -> Result<Json<serde_json::Value>, HttpError> {
    let tokens: Vec<TokenRow> = svc.accounts.tokens().await?;
    Ok(Json(serde_json::json!({ "tokens": tokens })))
}

pub async fn create_token(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    body: Result<Json<NewToken>, JsonRejection>,
) -> Result<(StatusCode, Json<CreatedToken>), HttpError> {
    let Json(t) = body?;
    let created = svc
        .accounts
        .create_token(&t.name, t.role, &me.actor())
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn revoke_token(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    Path(id): Path<i64>,
) -> Result<StatusCode, HttpError> {
    svc.accounts.revoke_token(id, &me.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn audit(State(svc): State<Services>) -> Result<Json<serde_json::Value>, HttpError> {
    let entries: Vec<AuditEntry> = svc.accounts.audit(500).await?;
    Ok(Json(serde_json::json!({ "entries": entries })))
}

pub async fn list_embeds(
    State(svc): State<Services>,
) -> Result<Json<serde_json::Value>, HttpError> {
    Ok(Json(
        serde_json::json!({ "embeds": svc.embeds.list().await? }),
    ))
}

pub async fn create_embed(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    body: Result<Json<EmbedSpec>, JsonRejection>,
) -> Result<(StatusCode, Json<CreatedEmbed>), HttpError> {
    let Json(spec) = body?;
    Ok((
        StatusCode::CREATED,
        Json(embeds::create(&svc, spec, &me.actor()).await?),
    ))
}

pub async fn revoke_embed(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    Path(id): Path<i64>,
) -> Result<StatusCode, HttpError> {
    svc.embeds.revoke(id, &me.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn users(State(svc): State<Services>) -> Result<Json<serde_json::Value>, HttpError> {
    Ok(Json(
        serde_json::json!({ "users": svc.accounts.users().await? }),
    ))
}

pub async fn update_user(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    Path(name): Path<String>,
    body: Result<Json<UserPatch>, JsonRejection>,
) -> Result<Json<UserRow>, HttpError> {
    let Json(patch) = body?;
    Ok(Json(svc.accounts.update_user(&me, &name, &patch).await?))
}

pub async fn change_password(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    body: Result<Json<PasswordChange>, JsonRejection>,
) -> Result<StatusCode, HttpError> {
    let Json(change) = body?;
    svc.accounts.change_password(&me, &change).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn sessions(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
) -> Result<Json<serde_json::Value>, HttpError> {
    Ok(Json(
        serde_json::json!({ "sessions": svc.accounts.sessions(&me).await? }),
    ))
}

pub async fn revoke_session(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    Path(id): Path<i64>,
) -> Result<StatusCode, HttpError> {
    svc.accounts.revoke_session(&me, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
