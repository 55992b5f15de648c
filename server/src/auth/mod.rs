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

use async_trait::async_trait;
use chrono::Utc;

use app::api::admin::{
    AuditEntry, CreatedToken, PasswordChange, SessionRow, TokenRow, UserPatch, UserRow,
};
use app::api::auth::{Credential, Principal, Role};
use app::api::embeds::{CreatedEmbed, EmbedGrant, EmbedRow};
use app::api::error::ApiError;
use app::api::ports::{Accounts, Embeds};
use app::model::investor::embed::EmbedSpec;

use crate::store::Store;
pub use limiter::LoginLimiter;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "rigshift_session";

/// How long a browser session lives: it ends after `idle` without a request, and after
/// `lifetime` however busy it is.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub idle: chrono::Duration,
    pub lifetime: chrono::Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle: chrono::Duration::hours(12),
            lifetime: chrono::Duration::days(7),
        }
    }
}

pub struct Auth {
    pub store: Arc<Store>,
    pub limiter: LoginLimiter,
    /// Mark cookies `Secure` even when the request does not say it came over HTTPS.
    pub cookie_secure: bool,
    pub sessions: SessionPolicy,
    /// When each API token was last used, not yet written: noted in memory on the request
    /// path and written in batches (`flush_token_uses`), so a burst with a new token costs the
    /// database no write per request.
    token_uses: std::sync::Mutex<std::collections::HashMap<i64, chrono::DateTime<chrono::Utc>>>,
}

/// Why a login failed.
#[derive(Debug, PartialEq)]
pub enum LoginError {
    Invalid,
    RateLimited(u64),
    Internal,
}

impl Auth {
    pub fn new(store: Arc<Store>, cookie_secure: bool) -> Self {
        Self {
            store,
            limiter: LoginLimiter::default(),
            cookie_secure,
            sessions: SessionPolicy::default(),
            token_uses: Default::default(),
        }
    }

    /// Writes the token uses noted since the last flush (one transaction). A write that fails
    /// puts them back for the next flush: bookkeeping, never a condition of access.
    pub async fn flush_token_uses(&self) {
        let uses: Vec<(i64, chrono::DateTime<chrono::Utc>)> = match self.token_uses.lock() {
            Ok(mut m) => m.drain().collect(),
            Err(_) => return,
        };
        if let Err(e) = self.store.note_token_uses(&uses).await {
            tracing::warn!(error = %e, "could not note tokens' last use; tried again later");
            if let Ok(mut m) = self.token_uses.lock() {
                for (id, at) in uses {
                    let t = m.entry(id).or_insert(at);
                    *t = (*t).max(at);
                }
            }
        }
    }

    /// Flushes token uses every `every` until the task is aborted.
    pub fn spawn_token_use_flusher(
        self: &Arc<Self>,
        every: std::time::Duration,
    ) -> tokio::task::JoinHandle<()> {
        let auth = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                auth.flush_token_uses().await;
            }
        })
    }

    pub fn with_sessions(mut self, sessions: SessionPolicy) -> Self {
        self.sessions = sessions;
        self
    }

    /// Checks a password and opens a session; returns the session secret for the cookie.
    pub async fn login(
        &self,
        name: &str,
        password: &str,
        address: &str,
        user_agent: &str,
    ) -> Result<String, LoginError> {
        let limited = self
            .limiter
            .check(&self.store, name, address, Utc::now())
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "login limiter");
                LoginError::Internal
            })?;
        if let Err(wait) = limited {
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
        let ok = verify(password, hash).await;
        let Some(user) = user.filter(|_| ok) else {
            if let Err(e) = self
                .limiter
                .fail(&self.store, name, address, Utc::now())
                .await
            {
                tracing::error!(error = %e, "login limiter");
            }
            self.store
                .audit(&format!("user:{name}"), "login.failed", address, "")
                .await
                .ok();
            return Err(LoginError::Invalid);
        };
        if let Err(e) = self.limiter.succeed(&self.store, name, address).await {
            tracing::error!(error = %e, "login limiter");
        }
        let secret = secrets::random_secret().map_err(|_| LoginError::Internal)?;
        self.store
            .create_session(
                &secrets::digest(&secret),
                user.id,
                Utc::now() + self.sessions.lifetime,
                address,
                user_agent,
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

    pub async fn session_principal(
        &self,
        secret: &str,
        address: &str,
    ) -> Result<Option<Principal>, ApiError> {
        let found = self
            .store
            .session_user(&secrets::digest(secret), self.sessions.idle, address)
            .await;
        let language = found.as_ref().ok().and_then(|o| o.as_ref()?.language);
        let tenant = found.as_ref().ok().and_then(|o| o.as_ref()?.tenant.clone());
        Ok(principal(
            found.map(|o| o.map(|s| (s.name, s.role, Some(s.session_id)))),
            Credential::Session,
        )?
        .map(|p| Principal {
            language,
            tenant,
            ..p
        }))
    }

    pub async fn token_principal(&self, token: &str) -> Result<Option<Principal>, ApiError> {
        if !token.starts_with(secrets::TOKEN_PREFIX) || token.len() > 200 {
            return Ok(None);
        }
        let found = self.store.token_user(&secrets::digest(token)).await;
        if let Ok(Some((id, _, _))) = &found {
            if let Ok(mut m) = self.token_uses.lock() {
                m.insert(*id, chrono::Utc::now());
            }
        }
        principal(
            found.map(|o| o.map(|(_, name, role)| (name, role, None))),
            Credential::Token,
        )
    }

    /// An argon2id hash of a new password, checked for length first.
    async fn new_hash(password: &str) -> Result<String, ApiError> {
        app::api::admin::validate_password(password)?;
        let pw = password.to_string();
        tokio::task::spawn_blocking(move || secrets::hash_password(&pw))
            .await
            .map_err(|_| ApiError::Internal {
                id: "hash-task".into(),
            })?
            .map_err(|_| ApiError::Internal { id: "hash".into() })
    }

    /// Creates a user with an argon2id hash of `password`.
    pub async fn add_user(
        &self,
        name: &str,
        role: Role,
        tenant: Option<&str>,
        password: &str,
        actor: &str,
    ) -> Result<(), ApiError> {
        app::api::admin::validate_name("name", name)?;
        app::api::admin::validate_tenant(role, tenant)?;
        let hash = Self::new_hash(password).await?;
        if self
            .store
            .add_user(name, role, tenant, &hash, actor)
            .await?
        {
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
        self.add_user("admin", Role::Admin, None, &pw, "bootstrap")
            .await
            .map_err(|e| anyhow::anyhow!("creating the first admin: {e}"))?;
        Ok(generated.then_some(pw))
    }
}

/// Checks `password` against `hash` off the async workers (argon2 takes tens of milliseconds
/// of CPU). Without a hash (no such user) one verification is still paid, so timing does not
/// reveal which names exist.
async fn verify(password: &str, hash: Option<String>) -> bool {
    let pw = password.to_string();
    tokio::task::spawn_blocking(move || match hash {
        Some(h) => secrets::verify_password(&pw, &h),
        None => {
            secrets::verify_password(&pw, dummy_hash());
            false
        }
    })
    .await
    .unwrap_or(false)
}

/// The caller behind a session or token lookup; a store failure counts as no caller (logged),
/// so an outage fails closed.
/// The principal a lookup found; a store that could not answer is `ApiError::Unavailable`
/// (503), never "no such credential" (401): a valid token must not read as revoked.
fn principal(
    found: Result<Option<(String, Role, Option<i64>)>, crate::store::StoreError>,
    via: Credential,
) -> Result<Option<Principal>, ApiError> {
    match found {
        Ok(found) => Ok(found.map(|(name, role, session_id)| Principal {
            name,
            role,
            via,
            session_id,
            language: None,
            tenant: None,
        })),
        Err(e) => {
            tracing::error!(error = %e, ?via, "credential lookup failed: the store did not answer");
            Err(ApiError::from(e))
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
        tenant: Option<&str>,
        password: &str,
        actor: &str,
    ) -> Result<(), ApiError> {
        Auth::add_user(self, name, role, tenant, password, actor).await
    }

    async fn tokens(&self) -> Result<Vec<TokenRow>, ApiError> {
        // The list shows last use as of now: what is noted in memory is written first.
        self.flush_token_uses().await;
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

    async fn change_password(
        &self,
        me: &Principal,
        change: &PasswordChange,
    ) -> Result<(), ApiError> {
        if me.via != Credential::Session {
            return Err(ApiError::Forbidden(
                "an API token has no password; sign in to change yours".into(),
            ));
        }
        // Guessing the current password through this form is as limited as at the login.
        let limiter_key = "change-password";
        if let Err(wait) = self
            .limiter
            .check(&self.store, &me.name, limiter_key, Utc::now())
            .await?
        {
            return Err(ApiError::RateLimited {
                retry_after_secs: wait,
            });
        }
        if change.current.len() > 256 {
            return Err(ApiError::InvalidInput("current: wrong password".into()));
        }
        let hash = self.store.password_hash(&me.name).await?;
        if !verify(&change.current, hash).await {
            self.limiter
                .fail(&self.store, &me.name, limiter_key, Utc::now())
                .await?;
            self.store
                .audit(&me.actor(), "password.change_failed", &me.name, "")
                .await?;
            return Err(ApiError::InvalidInput("current: wrong password".into()));
        }
        if change.new == change.current {
            return Err(ApiError::InvalidInput(
                "new: choose a password different from the current one".into(),
            ));
        }
        let hash = Self::new_hash(&change.new).await?;
        self.limiter
            .succeed(&self.store, &me.name, limiter_key)
            .await?;
        self.store
            .set_password(
                &me.name,
                &hash,
                me.session_id,
                false,
                &me.actor(),
                "password.change",
            )
            .await?;
        Ok(())
    }

    async fn update_user(
        &self,
        me: &Principal,
        name: &str,
        patch: &UserPatch,
    ) -> Result<UserRow, ApiError> {
        if patch.disabled.is_none() && patch.password.is_none() {
            return Err(ApiError::InvalidInput(
                "body: give \"disabled\" and/or \"password\"".into(),
            ));
        }
        if patch.disabled == Some(true) && me.via == Credential::Session && me.name == name {
            return Err(ApiError::InvalidInput(
                "disabled: you cannot disable your own account (ask another admin)".into(),
            ));
        }
        // Hash first: a too-short password changes nothing.
        let hash = match &patch.password {
            Some(p) => Some(Self::new_hash(p).await?),
            None => None,
        };
        if self.store.user_row(name).await?.is_none() {
            return Err(ApiError::NotFound(format!("user {name}")));
        }
        if let Some(hash) = hash {
            self.store
                .set_password(name, &hash, None, true, &me.actor(), "user.password_reset")
                .await?;
        }
        if let Some(disabled) = patch.disabled {
            self.store.set_disabled(name, disabled, &me.actor()).await?;
        }
        self.store
            .user_row(name)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("user {name}")))
    }

    async fn sessions(&self, me: &Principal) -> Result<Vec<SessionRow>, ApiError> {
        let owner = (!me.may(Role::Admin)).then_some(me.name.as_str());
        let mut rows = self.store.sessions(owner, self.sessions.idle).await?;
        for r in &mut rows {
            r.current = me.session_id == Some(r.id);
        }
        Ok(rows)
    }

    async fn revoke_session(&self, me: &Principal, id: i64) -> Result<(), ApiError> {
        let owner = (!me.may(Role::Admin)).then_some(me.name.as_str());
        if self.store.revoke_session(id, owner, &me.actor()).await? {
            Ok(())
        } else {
            Err(ApiError::NotFound(format!("session {id}")))
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
