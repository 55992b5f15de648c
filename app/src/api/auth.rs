//! Who is asking: roles, the authenticated principal, and the role check every server function
//! and `/api/v1` handler makes. Authentication (sessions, tokens) happens in the server crate's
//! middleware, which puts a `Principal` into the request's extensions; this module only reads it.

use serde::{Deserialize, Serialize};

use super::error::ApiError;

/// Roles in increasing power: each includes everything the previous one may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A colocation tenant: reads only its own contracts' halls, devices and SLA ledger
    /// (`Principal::tenant` names it). Below every staff role, so every staff route refuses it.
    Tenant,
    /// Executives: read everything.
    Viewer,
    /// Plus edit the timeline and annotations, register devices.
    Operator,
    /// Plus users, tokens and embeds.
    Admin,
}

impl Role {
    /// The staff roles (API tokens and the admin page's choices).
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Operator, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Tenant => "tenant",
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [Role::Tenant]
            .into_iter()
            .chain(Role::ALL)
            .find(|r| r.as_str() == s)
    }
}

/// How the request proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Credential {
    Session,
    Token,
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Principal {
    /// User name, or the API token's name.
    pub name: String,
    pub role: Role,
    pub via: Credential,
    /// The browser session's id (to tell "this session" from the others); `None` for tokens.
    #[serde(default)]
    pub session_id: Option<i64>,
    /// The user's saved language; `None` for tokens and users who never chose one.
    #[serde(default)]
    pub language: Option<crate::i18n::Lang>,
    /// The tenant a `Tenant` principal is bound to (a contract's `tenant`).
    #[serde(default)]
    pub tenant: Option<String>,
}

impl Principal {
    /// How the audit log names this caller.
    pub fn actor(&self) -> String {
        match self.via {
            Credential::Session => format!("user:{}", self.name),
            Credential::Token => format!("token:{}", self.name),
        }
    }

    pub fn may(&self, role: Role) -> bool {
        self.role >= role
    }
}

/// `principal` if it holds at least `role`: 401 without one, 403 with too little.
pub fn check(principal: Option<&Principal>, role: Role) -> Result<Principal, ApiError> {
    match principal {
        None => Err(ApiError::Unauthenticated),
        Some(p) if p.may(role) => Ok(p.clone()),
        Some(p) => Err(ApiError::Forbidden(format!(
            "this needs the {} role; {} has {}",
            role.as_str(),
            p.name,
            p.role.as_str()
        ))),
    }
}

/// (ssr) The caller of the current server function or page render, if authenticated.
#[cfg(feature = "ssr")]
pub fn current_principal() -> Option<Principal> {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Principal>().cloned())
}

/// (ssr) The caller if it holds `role`; sets the response status (401/403) otherwise.
#[cfg(feature = "ssr")]
pub fn require(role: Role) -> Result<Principal, ApiError> {
    super::error::with_status(check(current_principal().as_ref(), role))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_and_checked() {
        let op = Principal {
            name: "ops".into(),
            role: Role::Operator,
            via: Credential::Session,
            session_id: Some(1),
            language: None,
            tenant: None,
        };
        assert!(check(Some(&op), Role::Viewer).is_ok());
        assert!(check(Some(&op), Role::Operator).is_ok());
        assert_eq!(check(Some(&op), Role::Admin).unwrap_err().status(), 403);
        assert_eq!(check(None, Role::Viewer).unwrap_err().status(), 401);
        let tenant = Principal {
            role: Role::Tenant,
            tenant: Some("Acme".into()),
            ..op.clone()
        };
        assert_eq!(
            check(Some(&tenant), Role::Viewer).unwrap_err().status(),
            403
        );
        assert!(check(Some(&tenant), Role::Tenant).is_ok());
        assert_eq!(Role::parse("tenant"), Some(Role::Tenant));
        assert_eq!(Role::parse("admin"), Some(Role::Admin));
        assert_eq!(Role::parse("root"), None);
        assert_eq!(op.actor(), "user:ops");
    }
}
