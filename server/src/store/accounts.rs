//! Users, browser sessions and API tokens. Secrets never reach this module: it stores and
//! looks up argon2 password hashes and SHA-256 digests of session and token secrets.

use chrono::{DateTime, Utc};
use sqlx::Row;

use app::api::admin::{TokenRow, UserRow};
use app::api::auth::Role;

use super::audit::record;
use super::{SqliteStore, StoreError};

/// A user as the login check needs it.
#[derive(Debug, Clone)]
pub struct StoredUser {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
}

fn role_of(s: &str) -> Result<Role, StoreError> {
    Role::parse(s).ok_or_else(|| StoreError::Corrupt(format!("role {s:?}")))
}

impl SqliteStore {
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
        password_hash: &str,
        actor: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO NOTHING",
        )
        .bind(name)
        .bind(role.as_str())
        .bind(password_hash)
        .bind(Utc::now())
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
        sqlx::query("SELECT id, name, role, password_hash FROM users WHERE name = ? AND disabled_at IS NULL")
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

    pub async fn create_session(
        &self,
        secret_hash: &str,
        user_id: i64,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        sqlx::query("DELETE FROM sessions WHERE expires_at < ?")
            .bind(now)
            .execute(self.pool())
            .await?;
        sqlx::query("INSERT INTO sessions (secret_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
            .bind(secret_hash)
            .bind(user_id)
            .bind(now)
            .bind(expires_at)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The (name, role) behind an unexpired session of an enabled user.
    pub async fn session_user(
        &self,
        secret_hash: &str,
    ) -> Result<Option<(String, Role)>, StoreError> {
        sqlx::query(
            "SELECT u.name, u.role FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.secret_hash = ? AND s.expires_at > ? AND u.disabled_at IS NULL",
        )
        .bind(secret_hash)
        .bind(Utc::now())
        .fetch_optional(self.pool())
        .await?
        .map(|r| Ok((r.get("name"), role_of(r.get("role"))?)))
        .transpose()
    }

    pub async fn delete_session(&self, secret_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE secret_hash = ?")
            .bind(secret_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Stores a new token's digest; returns its id.
    pub async fn create_token(
        &self,
        name: &str,
        role: Role,
        secret_hash: &str,
        actor: &str,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool().begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (name, role, secret_hash, created_at, created_by) VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(name)
        .bind(role.as_str())
        .bind(secret_hash)
        .bind(Utc::now())
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
        let mut tx = self.pool().begin().await?;
        let done =
            sqlx::query("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
                .bind(Utc::now())
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                == 1;
        if done {
            record(&mut tx, actor, "token.revoke", &id.to_string(), "").await?;
        }
        tx.commit().await?;
        Ok(done)
    }

    /// The (name, role) of an unrevoked token; notes its use at most once a minute.
    pub async fn token_user(
        &self,
        secret_hash: &str,
    ) -> Result<Option<(String, Role)>, StoreError> {
        let Some(r) = sqlx::query(
            "SELECT id, name, role FROM api_tokens WHERE secret_hash = ? AND revoked_at IS NULL",
        )
        .bind(secret_hash)
        .fetch_optional(self.pool())
        .await?
        else {
            return Ok(None);
        };
        let now = Utc::now();
        sqlx::query("UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)")
            .bind(now)
            .bind(r.get::<i64, _>("id"))
            .bind(now - chrono::Duration::minutes(1))
            .execute(self.pool())
            .await?;
        Ok(Some((r.get("name"), role_of(r.get("role"))?)))
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
}
