//! `/api/v1` account handlers: users, sessions, passwords, API tokens, embed tokens, the audit
//! log.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use app::api::admin::{
    AuditEntry, CreatedToken, PasswordChange, SessionRow, TokenRow, UserPatch, UserRow,
};
use app::api::auth::{Principal, Role};
use app::api::embeds::{service as embeds, CreatedEmbed, EmbedRow};
use app::api::ports::Services;
use app::model::investor::embed::EmbedSpec;

use super::HttpError;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    name: String,
    role: Role,
}

/// List API tokens.
#[utoipa::path(get, path = "/tokens", tag = "accounts",
    responses((status = 200, description = "Every API token (never its secret)", body = TokenList)))]
pub async fn tokens(State(svc): State<Services>) -> Result<Json<TokenList>, HttpError> {
    Ok(Json(TokenList {
        tokens: svc.accounts.tokens().await?,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenList {
    tokens: Vec<TokenRow>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditLog {
    entries: Vec<AuditEntry>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EmbedList {
    embeds: Vec<EmbedRow>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    users: Vec<UserRow>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionList {
    sessions: Vec<SessionRow>,
}

/// Create an API token.
#[utoipa::path(post, path = "/tokens", tag = "accounts", request_body = NewToken,
    responses((status = 201, description = "Created; the secret is shown this once", body = CreatedToken)))]
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

/// Revoke an API token.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "accounts",
    params(("id" = i64, Path, description = "The token's id")),
    responses((status = 204, description = "Revoked at once")))]
pub async fn revoke_token(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    Path(id): Path<i64>,
) -> Result<StatusCode, HttpError> {
    svc.accounts.revoke_token(id, &me.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The audit log.
#[utoipa::path(get, path = "/audit", tag = "accounts",
    responses((status = 200, description = "The newest 500 audit entries", body = AuditLog)))]
pub async fn audit(State(svc): State<Services>) -> Result<Json<AuditLog>, HttpError> {
    Ok(Json(AuditLog {
        entries: svc.accounts.audit(500).await?,
    }))
}

/// List embed tokens.
#[utoipa::path(get, path = "/embeds", tag = "accounts",
    responses((status = 200, description = "Every embed token (never its secret)", body = EmbedList)))]
pub async fn list_embeds(State(svc): State<Services>) -> Result<Json<EmbedList>, HttpError> {
    Ok(Json(EmbedList {
        embeds: svc.embeds.list().await?,
    }))
}

/// Create an embed token.
#[utoipa::path(post, path = "/embeds", tag = "accounts", request_body = EmbedSpec,
    responses((status = 201, description = "Created; the iframe URL with its token is shown this once", body = CreatedEmbed)))]
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

/// Revoke an embed token.
#[utoipa::path(delete, path = "/embeds/{id}", tag = "accounts",
    params(("id" = i64, Path, description = "The embed's id")),
    responses((status = 204, description = "Revoked; its iframes stop at once")))]
pub async fn revoke_embed(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    Path(id): Path<i64>,
) -> Result<StatusCode, HttpError> {
    svc.embeds.revoke(id, &me.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List users.
#[utoipa::path(get, path = "/users", tag = "accounts",
    responses((status = 200, description = "Every user", body = UserList)))]
pub async fn users(State(svc): State<Services>) -> Result<Json<UserList>, HttpError> {
    Ok(Json(UserList {
        users: svc.accounts.users().await?,
    }))
}

/// Disable, enable or reset a user.
#[utoipa::path(patch, path = "/users/{name}", tag = "accounts", request_body = UserPatch,
    params(("name" = String, Path, description = "The user's name")),
    responses((status = 200, description = "The user as saved; disabling or a new password ends their sessions and tokens", body = UserRow)))]
pub async fn update_user(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    Path(name): Path<String>,
    body: Result<Json<UserPatch>, JsonRejection>,
) -> Result<Json<UserRow>, HttpError> {
    let Json(patch) = body?;
    Ok(Json(svc.accounts.update_user(&me, &name, &patch).await?))
}

/// Change your password.
#[utoipa::path(post, path = "/me/password", tag = "accounts", request_body = PasswordChange,
    responses((status = 204, description = "Changed; the caller's other sessions end")))]
pub async fn change_password(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    body: Result<Json<PasswordChange>, JsonRejection>,
) -> Result<StatusCode, HttpError> {
    let Json(change) = body?;
    svc.accounts.change_password(&me, &change).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List sessions.
#[utoipa::path(get, path = "/sessions", tag = "accounts",
    responses((status = 200, description = "The caller's sessions (an admin: everyone's)", body = SessionList)))]
pub async fn sessions(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
) -> Result<Json<SessionList>, HttpError> {
    Ok(Json(SessionList {
        sessions: svc.accounts.sessions(&me).await?,
    }))
}

/// End a session.
#[utoipa::path(delete, path = "/sessions/{id}", tag = "accounts",
    params(("id" = i64, Path, description = "The session's id")),
    responses((status = 204, description = "Ended at once")))]
pub async fn revoke_session(
    State(svc): State<Services>,
    Extension(me): Extension<Principal>,
    Path(id): Path<i64>,
) -> Result<StatusCode, HttpError> {
    svc.accounts.revoke_session(&me, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
