//! Users, browser sessions and API tokens. Secrets never reach this module: it stores and
//! looks up argon2 password hashes and SHA-256 digests of session and token secrets.

use chrono::{DateTime, Utc};
use sqlx::Row;

use app::api::admin::{SessionRow, TokenRow, UserRow};
use app::api::auth::Role;

use super::audit::record;
use super::{Db, Engine, StoreError};
use crate::store::rows::{SessionUser, StoredUser};

async fn end_sessions(
    tx: &mut sqlx::Transaction<'_, Db>,
    user_id: i64,
    keep: Option<i64>,
) -> Result<u64, StoreError> {
    Ok(
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND ($2 IS NULL OR id <> $3)")
            .bind(user_id)
            .bind(keep)
            .bind(keep)
            .execute(&mut **tx)
            .await?
            .rows_affected(),
    )
}

/// Revokes the unrevoked API tokens `name` created (signed in, so the audit actor `user:NAME`).
async fn revoke_tokens_of(
    tx: &mut sqlx::Transaction<'_, Db>,
    name: &str,
) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE created_by = $2 AND revoked_at IS NULL",
    )
    .bind(crate::store::rows::now())
    .bind(format!("user:{name}"))
    .execute(&mut **tx)
    .await?
    .rows_affected())
}

fn role_of(s: &str) -> Result<Role, StoreError> {
    Role::parse(s).ok_or_else(|| StoreError::Corrupt(format!("role {s:?}")))
}

impl Engine {
    pub async fn user_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(self.pool())
            .await?)
    }

    /// Creates a user; `Ok(false)` if the name is taken.
    pub async fn add_user(
        &self,
        name: &str,
        role: Role,
        tenant: Option<&str>,
        password_hash: &str,
        actor: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "INSERT INTO users (name, role, password_hash, created_at, tenant) VALUES ($1, $2, $3, $4, $5) ON CONFLICT(name) DO NOTHING",
        )
        .bind(name)
        .bind(role.as_str())
        .bind(password_hash)
        .bind(crate::store::rows::now())
        .bind(tenant)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if done {
            record(&mut tx, actor, "user.add", name, role.as_str()).await?;
        }
        tx.commit().await?;
        Ok(done)
    }

    /// An enabled user by name.
    pub async fn user_by_name(&self, name: &str) -> Result<Option<StoredUser>, StoreError> {
        sqlx::query("SELECT id, name, role, password_hash FROM users WHERE name = $1 AND disabled_at IS NULL")
            .bind(name)
            .fetch_optional(self.pool())
            .await?
            .map(|r| {
                Ok(StoredUser {
                    id: r.get("id"),
                    name: r.get("name"),
                    role: role_of(r.get("role"))?,
                    password_hash: r.get("password_hash"),
                })
            })
            .transpose()
    }

    pub async fn users(&self) -> Result<Vec<UserRow>, StoreError> {
        sqlx::query("SELECT id, name, role, created_at, disabled_at FROM users ORDER BY name")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(UserRow {
                    id: r.get("id"),
                    name: r.get("name"),
                    role: role_of(r.get("role"))?,
                    created_at: r.get("created_at"),
                    disabled: r.get::<Option<DateTime<Utc>>, _>("disabled_at").is_some(),
                })
            })
            .collect()
    }

    /// Opens a session; returns its public id. Expired sessions are swept on the way.
    pub async fn create_session(
        &self,
        secret_hash: &str,
        user_id: i64,
        expires_at: DateTime<Utc>,
        address: &str,
        user_agent: &str,
    ) -> Result<i64, StoreError> {
        let now = crate::store::rows::now();
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(now)
            .execute(self.pool())
            .await?;
        let agent: String = user_agent.chars().take(200).collect();
        Ok(sqlx::query_scalar(
            "INSERT INTO sessions (secret_hash, user_id, created_at, last_seen_at, expires_at, address, user_agent)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(secret_hash)
        .bind(user_id)
        .bind(now)
        .bind(now)
        .bind(expires_at)
        .bind(address)
        .bind(agent)
        .fetch_one(self.pool())
        .await?)
    }

    /// The session behind `secret_hash` if it is within its lifetime, was used within `idle`,
    /// and belongs to an enabled user. Use is noted (sliding the idle window) at most once a
    /// minute, so a busy page does not write on every request.
    pub async fn session_user(
        &self,
        secret_hash: &str,
        idle: chrono::Duration,
        address: &str,
    ) -> Result<Option<SessionUser>, StoreError> {
        let now = crate::store::rows::now();
        let Some(r) = sqlx::query(
            "SELECT s.id, s.last_seen_at, u.name, u.role, u.language, u.tenant FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.secret_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND u.disabled_at IS NULL",
        )
        .bind(secret_hash)
        .bind(now)
        .bind(now - idle)
        .fetch_optional(self.pool())
        .await?
        else {
            return Ok(None);
        };
        let id: i64 = r.get("id");
        let last: DateTime<Utc> = r.get("last_seen_at");
        if now - last > chrono::Duration::minutes(1) {
            // Bookkeeping (the idle clock): a store that cannot write still lets the session read.
            if let Err(e) =
                sqlx::query("UPDATE sessions SET last_seen_at = $1, address = $2 WHERE id = $3")
                    .bind(now)
                    .bind(address)
                    .bind(id)
                    .execute(self.pool())
                    .await
            {
                tracing::warn!(error = %e, "could not note a session's last use; access goes on");
            }
        }
        Ok(Some(SessionUser {
            session_id: id,
            name: r.get("name"),
            role: role_of(r.get("role"))?,
            language: r
                .get::<Option<String>, _>("language")
                .and_then(|l| app::i18n::Lang::parse(&l)),
            tenant: r.get("tenant"),
        }))
    }

    /// Saves a user's language (`None`: follow the browser); false when no such user.
    pub async fn set_user_language(
        &self,
        name: &str,
        language: Option<app::i18n::Lang>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE users SET language = $1 WHERE name = $2")
            .bind(language.map(|l| l.code()))
            .bind(name)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn delete_session(&self, secret_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE secret_hash = $1")
            .bind(secret_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Live sessions, newest use first: of `user` only, or everyone's with `None`.
    pub async fn sessions(
        &self,
        user: Option<&str>,
        idle: chrono::Duration,
    ) -> Result<Vec<SessionRow>, StoreError> {
        let now = crate::store::rows::now();
        sqlx::query(
            "SELECT s.id, u.name, s.created_at, s.last_seen_at, s.expires_at, s.address, s.user_agent
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.expires_at > $1 AND s.last_seen_at > $2 AND ($3 IS NULL OR u.name = $4)
             ORDER BY s.last_seen_at DESC, s.id DESC",
        )
        .bind(now)
        .bind(now - idle)
        .bind(user)
        .bind(user)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            let last_seen_at: DateTime<Utc> = r.get("last_seen_at");
            let expires_at: DateTime<Utc> = r.get("expires_at");
            Ok(SessionRow {
                id: r.get("id"),
                user: r.get("name"),
                created_at: r.get("created_at"),
                last_seen_at,
                expires_at: expires_at.min(last_seen_at + idle),
                address: r.get("address"),
                user_agent: r.get("user_agent"),
                current: false,
            })
        })
        .collect()
    }

    /// Ends session `id` (of `owner` only, unless `None`: an admin); audited. `Ok(false)` if
    /// there is no such session the caller may end.
    pub async fn revoke_session(
        &self,
        id: i64,
        owner: Option<&str>,
        actor: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let user: Option<String> = sqlx::query_scalar(
            "DELETE FROM sessions WHERE id = $1 AND ($2 IS NULL OR user_id = (SELECT id FROM users WHERE name = $3))
             RETURNING (SELECT name FROM users WHERE users.id = sessions.user_id)",
        )
        .bind(id)
        .bind(owner)
        .bind(owner)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(user) = &user {
            record(&mut tx, actor, "session.revoke", &id.to_string(), user).await?;
        }
        tx.commit().await?;
        Ok(user.is_some())
    }

    /// The password hash of an enabled user.
    pub async fn password_hash(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT password_hash FROM users WHERE name = $1 AND disabled_at IS NULL",
        )
        .bind(name)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Sets `name`'s password hash and ends their sessions except `keep` (the caller's own,
    /// when users change their own password). `end_tokens` also revokes the API tokens the
    /// user created (an admin reset: whoever held the old password may have minted some).
    /// Audited as `action`. `Ok(false)` if there is no such user.
    pub async fn set_password(
        &self,
        name: &str,
        hash: &str,
        keep: Option<i64>,
        end_tokens: bool,
        actor: &str,
        action: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let Some(user_id) = sqlx::query_scalar::<_, i64>(
            "UPDATE users SET password_hash = $1 WHERE name = $2 RETURNING id",
        )
        .bind(hash)
        .bind(name)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(false);
        };
        let ended = end_sessions(&mut tx, user_id, keep).await?;
        let revoked = if end_tokens {
            revoke_tokens_of(&mut tx, name).await?
        } else {
            0
        };
        record(
            &mut tx,
            actor,
            action,
            name,
            &format!("{ended} sessions ended, {revoked} tokens revoked"),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Disables (ending every session and revoking the tokens the user created) or enables
    /// `name`; audited. `None` if there is no such user.
    pub async fn set_disabled(
        &self,
        name: &str,
        disabled: bool,
        actor: &str,
    ) -> Result<Option<UserRow>, StoreError> {
        let mut tx = self.write_tx().await?;
        let Some(user_id) = sqlx::query_scalar::<_, i64>(
            "UPDATE users SET disabled_at = CASE WHEN $1 THEN COALESCE(disabled_at, $2) ELSE NULL END
             WHERE name = $3 RETURNING id",
        )
        .bind(disabled)
        .bind(crate::store::rows::now())
        .bind(name)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(None);
        };
        if disabled {
            let ended = end_sessions(&mut tx, user_id, None).await?;
            let revoked = revoke_tokens_of(&mut tx, name).await?;
            let detail = format!("{ended} sessions ended, {revoked} tokens revoked");
            record(&mut tx, actor, "user.disable", name, &detail).await?;
        } else {
            record(&mut tx, actor, "user.enable", name, "").await?;
        }
        tx.commit().await?;
        Ok(self.user_row(name).await?)
    }

    /// One user as the admin page lists them.
    pub async fn user_row(&self, name: &str) -> Result<Option<UserRow>, StoreError> {
        Ok(self.users().await?.into_iter().find(|u| u.name == name))
    }

    /// Stores a new token's digest; returns its id.
    pub async fn create_token(
        &self,
        name: &str,
        role: Role,
        secret_hash: &str,
        actor: &str,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write_tx().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (name, role, secret_hash, created_at, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(name)
        .bind(role.as_str())
        .bind(secret_hash)
        .bind(crate::store::rows::now())
        .bind(actor)
        .fetch_one(&mut *tx)
        .await?;
        record(
            &mut tx,
            actor,
            "token.create",
            &format!("{id} {name}"),
            role.as_str(),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Revokes a token; `Ok(false)` if there is no such unrevoked token.
    pub async fn revoke_token(&self, id: i64, actor: &str) -> Result<bool, StoreError> {
        self.revoke(Revocable::ApiToken, id, actor).await
    }

    /// Marks a credential revoked now, audited, in one transaction; `Ok(false)` if there is no
    /// such unrevoked one.
    pub(super) async fn revoke(
        &self,
        what: Revocable,
        id: i64,
        actor: &str,
    ) -> Result<bool, StoreError> {
        let (table, action) = match what {
            Revocable::ApiToken => ("api_tokens", "token.revoke"),
            Revocable::EmbedToken => ("embed_tokens", "embed.revoke"),
        };
        let mut tx = self.write_tx().await?;
        // The table name comes from the closed set above, never from input.
        let done = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL"
        )))
        .bind(crate::store::rows::now())
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if done {
            record(&mut tx, actor, action, &id.to_string(), "").await?;
        }
        tx.commit().await?;
        Ok(done)
    }

    /// The (id, name, role) of an unrevoked token: a read only. Its use is noted apart, in
    /// batches (`note_token_uses`), so checking a credential never writes on the request path.
    pub async fn token_user(
        &self,
        secret_hash: &str,
    ) -> Result<Option<(i64, String, Role)>, StoreError> {
        let Some(r) = sqlx::query(
            "SELECT id, name, role FROM api_tokens WHERE secret_hash = $1 AND revoked_at IS NULL",
        )
        .bind(secret_hash)
        .fetch_optional(self.pool())
        .await?
        else {
            return Ok(None);
        };
        Ok(Some((r.get("id"), r.get("name"), role_of(r.get("role"))?)))
    }

    /// Notes when tokens were last used, in one transaction; an earlier time never replaces a
    /// later one.
    pub async fn note_token_uses(&self, uses: &[(i64, DateTime<Utc>)]) -> Result<(), StoreError> {
        if uses.is_empty() {
            return Ok(());
        }
        let mut tx = self.write_tx().await?;
        for (id, at) in uses {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $1)")
                .bind(at)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn tokens(&self) -> Result<Vec<TokenRow>, StoreError> {
        sqlx::query("SELECT id, name, role, created_at, created_by, revoked_at, last_used_at FROM api_tokens ORDER BY id DESC")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(TokenRow {
                    id: r.get("id"),
                    name: r.get("name"),
                    role: role_of(r.get("role"))?,
                    created_at: r.get("created_at"),
                    created_by: r.get("created_by"),
                    revoked_at: r.get("revoked_at"),
                    last_used_at: r.get("last_used_at"),
                })
            })
            .collect()
    }

    /// Failed sign-ins since `since` for each of `keys` that has any: (key, count, oldest).
    pub async fn login_failures(
        &self,
        keys: &[String; 2],
        since: DateTime<Utc>,
    ) -> Result<Vec<(String, i64, DateTime<Utc>)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT key, COUNT(*), MIN(at) FROM login_failures
             WHERE (key = $1 OR key = $2) AND at > $3 GROUP BY key",
        )
        .bind(&keys[0])
        .bind(&keys[1])
        .bind(since)
        .fetch_all(self.pool())
        .await?)
    }

    /// Records one failure under each key; failures older than `forget_before` go.
    pub async fn record_login_failure(
        &self,
        keys: &[String; 2],
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.append_tx().await?;
        sqlx::query("DELETE FROM login_failures WHERE at < $1")
            .bind(forget_before)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $3), ($2, $3)")
            .bind(&keys[0])
            .bind(&keys[1])
            .bind(at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn clear_login_failures(&self, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM login_failures WHERE key = $1")
            .bind(key)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

/// The credentials that are revoked rather than deleted (their rows stay for the audit).
#[derive(Debug, Clone, Copy)]
pub(super) enum Revocable {
    ApiToken,
    EmbedToken,
}
