//! Accounts and access: password logins with session cookies, API tokens, the login rate
//! limit, the request middleware (authentication, CSRF, who may see which path) and the
//! `Accounts` port the admin page uses.
//!
//! Anonymous visitors see the login page, static assets, `/api/v1/health` and (later) public
//! embeds; every other page redirects to `/login`, every other API call answers 401.

mod limiter;
pub mod middleware;
pub mod routes;
pub mod secrets;

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use chrono::Utc;

use app::api::admin::{AuditEntry, CreatedToken, TokenRow, UserRow};
use app::api::auth::{Credential, Principal, Role};
use app::api::embeds::{CreatedEmbed, EmbedGrant, EmbedRow};
use app::api::error::ApiError;
use app::api::ports::{Accounts, Embeds};
use app::model::embed::EmbedSpec;

use crate::store::SqliteStore;
pub use limiter::LoginLimiter;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "rigshift_session";
/// How long a browser session lasts.
pub const SESSION_DAYS: i64 = 7;

pub struct Auth {
    pub store: Arc<SqliteStore>,
    pub limiter: LoginLimiter,
    /// Mark cookies `Secure` even when the request does not say it came over HTTPS.
    pub cookie_secure: bool,
}

/// Why a login failed.
#[derive(Debug, PartialEq)]
pub enum LoginError {
    Invalid,
    RateLimited(u64),
    Internal,
}

impl Auth {
    pub fn new(store: Arc<SqliteStore>, cookie_secure: bool) -> Self {
        Self {
            store,
            limiter: LoginLimiter::default(),
            cookie_secure,
        }
    }

    /// Checks a password and opens a session; returns the session secret for the cookie.
    pub async fn login(
        &self,
        name: &str,
        password: &str,
        address: &str,
    ) -> Result<String, LoginError> {
        if let Err(wait) = self.limiter.check(name, address, Instant::now()) {
            self.store
                .audit(&format!("user:{name}"), "login.rate_limited", address, "")
                .await
                .ok();
            return Err(LoginError::RateLimited(wait));
        }
        let user = self.store.user_by_name(name).await.map_err(|e| {
            tracing::error!(error = %e, "login lookup");
            LoginError::Internal
        })?;
        let hash = user.as_ref().map(|u| u.password_hash.clone());
        let pw = password.to_string();
        // argon2 takes tens of milliseconds of CPU: keep it off the async workers. An unknown
        // user still pays one verification, so timing does not reveal which names exist.
        let ok = tokio::task::spawn_blocking(move || match hash {
            Some(h) => secrets::verify_password(&pw, &h),
            None => {
                secrets::verify_password(&pw, dummy_hash());
                false
            }
        })
        .await
        .unwrap_or(false);
        let Some(user) = user.filter(|_| ok) else {
            self.limiter.fail(name, address, Instant::now());
            self.store
                .audit(&format!("user:{name}"), "login.failed", address, "")
                .await
                .ok();
            return Err(LoginError::Invalid);
        };
        self.limiter.succeed(name, address);
        let secret = secrets::random_secret().map_err(|_| LoginError::Internal)?;
        self.store
            .create_session(
                &secrets::digest(&secret),
                user.id,
                Utc::now() + chrono::Duration::days(SESSION_DAYS),
            )
            .await
            .map_err(|_| LoginError::Internal)?;
        self.store
            .audit(&format!("user:{}", user.name), "login", address, "")
            .await
            .ok();
        Ok(secret)
    }

    pub async fn logout(&self, session_secret: &str) {
        if let Err(e) = self
            .store
            .delete_session(&secrets::digest(session_secret))
            .await
        {
            tracing::warn!(error = %e, "deleting a session");
        }
    }

    pub async fn session_principal(&self, secret: &str) -> Option<Principal> {
        let found = self.store.session_user(&secrets::digest(secret)).await;
        principal(found, Credential::Session)
    }

    pub async fn token_principal(&self, token: &str) -> Option<Principal> {
        if !token.starts_with(secrets::TOKEN_PREFIX) || token.len() > 200 {
            return None;
        }
        let found = self.store.token_user(&secrets::digest(token)).await;
        principal(found, Credential::Token)
    }

    /// Creates a user with an argon2id hash of `password`.
    pub async fn add_user(
        &self,
        name: &str,
        role: Role,
        password: &str,
        actor: &str,
    ) -> Result<(), ApiError> {
        app::api::admin::validate_name("name", name)?;
        app::api::admin::validate_password(password)?;
        let pw = password.to_string();
        let hash = tokio::task::spawn_blocking(move || secrets::hash_password(&pw))
            .await
            .map_err(|_| ApiError::Internal {
                id: "hash-task".into(),
            })?
            .map_err(|_| ApiError::Internal { id: "hash".into() })?;
        if self.store.add_user(name, role, &hash, actor).await? {
            Ok(())
        } else {
            Err(ApiError::InvalidInput(format!(
                "name: user {name} exists already"
            )))
        }
    }

    /// On a database without users, creates `admin` with `password` (or a random one, logged
    /// once) so a fresh install can be signed into. Returns the password if it was generated.
    pub async fn bootstrap_admin(&self, password: Option<&str>) -> anyhow::Result<Option<String>> {
        if self.store.user_count().await? > 0 {
            return Ok(None);
        }
        let (pw, generated) = match password {
            Some(p) => (p.to_string(), false),
            None => (secrets::random_password()?, true),
        };
        self.add_user("admin", Role::Admin, &pw, "bootstrap")
            .await
            .map_err(|e| anyhow::anyhow!("creating the first admin: {e}"))?;
        Ok(generated.then_some(pw))
    }
}

/// The caller behind a session or token lookup; a store failure counts as no caller (logged),
/// so an outage fails closed.
fn principal(
    found: Result<Option<(String, Role)>, crate::store::StoreError>,
    via: Credential,
) -> Option<Principal> {
    match found {
        Ok(found) => found.map(|(name, role)| Principal { name, role, via }),
        Err(e) => {
            tracing::error!(error = %e, ?via, "credential lookup");
            None
        }
    }
}

/// A real argon2id hash (same parameters as users'), verified against when the user does
/// not exist.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| secrets::hash_password("no such user").unwrap_or_default())
}

/// Prefix of embed tokens (distinct from API tokens: an embed token opens no API).
pub const EMBED_TOKEN_PREFIX: &str = "rse_";

#[async_trait]
impl Embeds for Auth {
    async fn list(&self) -> Result<Vec<EmbedRow>, ApiError> {
        Ok(self.store.embeds().await?)
    }

    async fn create(&self, spec: &EmbedSpec, actor: &str) -> Result<CreatedEmbed, ApiError> {
        let secret = secrets::random_secret().map_err(|_| ApiError::Internal {
            id: "random".into(),
        })?;
        let token = format!("{EMBED_TOKEN_PREFIX}{secret}");
        let embed = self
            .store
            .create_embed(spec, &token, &secrets::digest(&token), actor)
            .await?;
        Ok(CreatedEmbed { embed })
    }

    async fn revoke(&self, id: i64, actor: &str) -> Result<(), ApiError> {
        if self.store.revoke_embed(id, actor).await? {
            Ok(())
        } else {
            Err(ApiError::NotFound(format!("active embed {id}")))
        }
    }

    async fn resolve(&self, token: &str) -> Result<Option<EmbedGrant>, ApiError> {
        if !token.starts_with(EMBED_TOKEN_PREFIX) || token.len() > 200 {
            return Ok(None);
        }
        Ok(self.store.embed_grant(&secrets::digest(token)).await?)
    }
}

#[async_trait]
impl Accounts for Auth {
    async fn users(&self) -> Result<Vec<UserRow>, ApiError> {
        Ok(self.store.users().await?)
    }

    async fn add_user(
        &self,
        name: &str,
        role: Role,
        password: &str,
        actor: &str,
    ) -> Result<(), ApiError> {
        Auth::add_user(self, name, role, password, actor).await
    }

    async fn tokens(&self) -> Result<Vec<TokenRow>, ApiError> {
        Ok(self.store.tokens().await?)
    }

    async fn create_token(
        &self,
        name: &str,
        role: Role,
        actor: &str,
    ) -> Result<CreatedToken, ApiError> {
        app::api::admin::validate_name("name", name)?;
        let token = secrets::new_token().map_err(|_| ApiError::Internal {
            id: "random".into(),
        })?;
        let id = self
            .store
            .create_token(name, role, &secrets::digest(&token), actor)
            .await?;
        Ok(CreatedToken {
            id,
            name: name.to_string(),
            role,
            token,
        })
    }

    async fn revoke_token(&self, id: i64, actor: &str) -> Result<(), ApiError> {
        if self.store.revoke_token(id, actor).await? {
            Ok(())
        } else {
            Err(ApiError::NotFound(format!("active token {id}")))
        }
    }

    async fn audit(&self, limit: u32) -> Result<Vec<AuditEntry>, ApiError> {
        Ok(self.store.audit_entries(limit.min(1_000)).await?)
    }

    async fn record(
        &self,
        actor: &str,
        action: &str,
        target: &str,
        detail: &str,
    ) -> Result<(), ApiError> {
        Ok(self.store.audit(actor, action, target, detail).await?)
    }
}
