//! Administration over the seam: users, API tokens and the audit log (admin role only).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::auth::Role;
use super::error::ApiError;
pub use super::types::{
    AuditEntry, CreatedToken, PasswordChange, SessionRow, TokenRow, UserPatch, UserRow,
};

/// Everything the admin page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AdminView {
    pub users: Vec<UserRow>,
    pub tokens: Vec<TokenRow>,
    pub sessions: Vec<SessionRow>,
    pub audit: Vec<AuditEntry>,
}

/// A user or token name: 1–64 characters of letters, digits, `.`, `_`, `-`.
/// A tenant user names its tenant (1 to 100 characters); no other role does.
pub fn validate_tenant(role: Role, tenant: Option<&str>) -> Result<(), ApiError> {
    let tenant = tenant.map(str::trim).filter(|t| !t.is_empty());
    match (role, tenant) {
        (Role::Tenant, None) => Err(ApiError::InvalidInput(
            "tenant: a tenant user names its tenant (as its contracts spell it)".into(),
        )),
        (Role::Tenant, Some(t)) if t.chars().count() > 100 || t.chars().any(char::is_control) => {
            Err(ApiError::InvalidInput(
                "tenant: at most 100 characters, no control characters".into(),
            ))
        }
        (Role::Tenant, Some(_)) | (_, None) => Ok(()),
        (_, Some(_)) => Err(ApiError::InvalidInput(format!(
            "tenant: only a tenant user is bound to a tenant, not a {}",
            role.as_str()
        ))),
    }
}

pub fn validate_name(field: &str, name: &str) -> Result<(), ApiError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::InvalidInput(format!(
            "{field}: 1 to 64 letters, digits, '.', '_' or '-'"
        )))
    }
}

/// Passwords: at least 10 characters, at most 256.
pub fn validate_password(password: &str) -> Result<(), ApiError> {
    let n = password.chars().count();
    if !(10..=256).contains(&n) {
        return Err(ApiError::InvalidInput(
            "password: 10 to 256 characters".into(),
        ));
    }
    Ok(())
}

#[server(endpoint = "get_admin")]
pub async fn get_admin() -> Result<AdminView, ApiError> {
    super::server_fn::run(super::auth::Role::Admin, move |svc, me| async move {
        let accounts = svc.accounts;
        Ok(AdminView {
            users: accounts.users().await?,
            tokens: accounts.tokens().await?,
            sessions: accounts.sessions(&me).await?,
            audit: accounts.audit(200).await?,
        })
    })
    .await
}

#[server(endpoint = "add_user")]
pub async fn add_user(
    name: String,
    role: Role,
    password: String,
    tenant: Option<String>,
) -> Result<UserRow, ApiError> {
    super::server_fn::run(super::auth::Role::Admin, move |svc, me| async move {
        validate_name("name", &name)?;
        validate_password(&password)?;
        let accounts = svc.accounts;
        accounts
            .add_user(&name, role, tenant.as_deref(), &password, &me.actor())
            .await?;
        accounts
            .users()
            .await?
            .into_iter()
            .find(|u| u.name == name)
            .ok_or_else(|| ApiError::NotFound(format!("user {name}")))
    })
    .await
}

#[server(endpoint = "create_token")]
pub async fn create_token(name: String, role: Role) -> Result<CreatedToken, ApiError> {
    super::server_fn::run(super::auth::Role::Admin, move |svc, me| async move {
        validate_name("name", &name)?;
        svc.accounts.create_token(&name, role, &me.actor()).await
    })
    .await
}

#[server(endpoint = "revoke_token")]
pub async fn revoke_token(id: i64) -> Result<(), ApiError> {
    super::server_fn::run(super::auth::Role::Admin, move |svc, me| async move {
        svc.accounts.revoke_token(id, &me.actor()).await
    })
    .await
}

/// An admin disables, enables or resets the password of a user.
#[server(endpoint = "update_user")]
pub async fn update_user(
    name: String,
    disabled: Option<bool>,
    password: Option<String>,
) -> Result<UserRow, ApiError> {
    super::server_fn::run(super::auth::Role::Admin, move |svc, me| async move {
        svc.accounts
            .update_user(&me, &name, &UserPatch { disabled, password })
            .await
    })
    .await
}

/// What the account page shows: who you are and your live sessions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AccountView {
    pub name: String,
    pub role: Role,
    pub sessions: Vec<SessionRow>,
}

// Every signed-in user, a tenant too, manages their own password and sessions.
#[server(endpoint = "get_account")]
pub async fn get_account() -> Result<AccountView, ApiError> {
    super::server_fn::run(super::auth::Role::Tenant, move |svc, me| async move {
        let accounts = svc.accounts;
        let mut sessions = accounts.sessions(&me).await?;
        // The account page is about you, even for an admin (who sees everyone's on /admin).
        sessions.retain(|s| s.user == me.name);
        Ok(AccountView {
            name: me.name.clone(),
            role: me.role,
            sessions,
        })
    })
    .await
}

#[server(endpoint = "change_password")]
pub async fn change_password(current: String, new: String) -> Result<(), ApiError> {
    super::server_fn::run(super::auth::Role::Tenant, move |svc, me| async move {
        svc.accounts
            .change_password(&me, &PasswordChange { current, new })
            .await
    })
    .await
}

#[server(endpoint = "revoke_session")]
pub async fn revoke_session(id: i64) -> Result<(), ApiError> {
    super::server_fn::run(super::auth::Role::Tenant, move |svc, me| async move {
        svc.accounts.revoke_session(&me, id).await
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_passwords_are_checked() {
        assert!(validate_name("name", "ops-1.b_c").is_ok());
        assert!(validate_name("name", "").is_err());
        assert!(validate_name("name", "<script>").is_err());
        assert!(validate_name("name", &"a".repeat(65)).is_err());
        assert!(validate_password("short").is_err());
        assert!(validate_password("long enough pass").is_ok());
    }
}
