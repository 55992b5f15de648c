//! Login rate limit: failed attempts per user name and per client address in a sliding
//! window. While a key is over its limit every attempt is refused before the password is
//! checked, so guessing costs the attacker time, not the server argon2 work. The failures are
//! kept in the database, so replicas behind one load balancer share the limit.

use chrono::{DateTime, Duration, Utc};

use crate::store::{Store, StoreError};

pub struct LoginLimiter {
    window: Duration,
    per_user: i64,
    per_address: i64,
}

impl Default for LoginLimiter {
    /// 5 failures per user name and 20 per address in 15 minutes.
    fn default() -> Self {
        Self::new(Duration::minutes(15), 5, 20)
    }
}

impl LoginLimiter {
    pub fn new(window: Duration, per_user: i64, per_address: i64) -> Self {
        Self {
            window,
            per_user,
            per_address,
        }
    }

    fn keys(user: &str, address: &str) -> [String; 2] {
        [format!("u:{}", user.to_lowercase()), format!("a:{address}")]
    }

    /// Seconds to wait, if a key is over its limit: until its oldest failure leaves the window.
    /// `failures`: (key, failures in the window, the oldest of them).
    fn wait(
        &self,
        keys: &[String; 2],
        failures: &[(String, i64, DateTime<Utc>)],
        now: DateTime<Utc>,
    ) -> Option<u64> {
        failures
            .iter()
            .filter(|(key, n, _)| {
                let limit = if *key == keys[0] {
                    self.per_user
                } else {
                    self.per_address
                };
                *n >= limit
            })
            .map(|(_, _, oldest)| (self.window - (now - *oldest)).num_seconds().max(1) as u64)
            .max()
    }

    /// `Ok(Err(seconds to wait))` while either key is over its limit.
    pub async fn check(
        &self,
        store: &Store,
        user: &str,
        address: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<(), u64>, StoreError> {
        let keys = Self::keys(user, address);
        let failures = store.login_failures(&keys, now - self.window).await?;
        Ok(match self.wait(&keys, &failures, now) {
            Some(wait) => Err(wait),
            None => Ok(()),
        })
    }

    pub async fn fail(
        &self,
        store: &Store,
        user: &str,
        address: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        store
            .record_login_failure(&Self::keys(user, address), now, now - self.window)
            .await
    }

    /// A successful login clears the user's failures (not the address's).
    pub async fn succeed(
        &self,
        store: &Store,
        user: &str,
        address: &str,
    ) -> Result<(), StoreError> {
        let [u, _] = Self::keys(user, address);
        store.clear_login_failures(&u).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = Store::connect(&url).await.unwrap();
        (dir, store)
    }

    #[tokio::test]
    async fn the_sixth_attempt_waits_until_the_first_leaves_the_window() {
        let (_dir, s) = store().await;
        let l = LoginLimiter::new(Duration::seconds(60), 5, 20);
        let t0 = DateTime::parse_from_rfc3339("2026-11-25T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        for i in 0..5 {
            assert!(
                l.check(&s, "ops", "10.0.0.1", t0).await.unwrap().is_ok(),
                "attempt {i}"
            );
            l.fail(&s, "ops", "10.0.0.1", t0 + Duration::seconds(i))
                .await
                .unwrap();
        }
        let wait = l
            .check(&s, "OPS", "10.0.0.2", t0 + Duration::seconds(10))
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(wait, 50);
        assert!(l
            .check(&s, "ops", "10.0.0.1", t0 + Duration::seconds(61))
            .await
            .unwrap()
            .is_ok());
        // Another user from the same address is not blocked by the user limit.
        assert!(l
            .check(&s, "admin", "10.0.0.1", t0 + Duration::seconds(10))
            .await
            .unwrap()
            .is_ok());
        // A success clears the user's count.
        l.succeed(&s, "ops", "10.0.0.1").await.unwrap();
        assert!(l
            .check(&s, "ops", "10.0.0.2", t0 + Duration::seconds(10))
            .await
            .unwrap()
            .is_ok());
    }

    #[tokio::test]
    async fn an_address_is_limited_across_user_names() {
        let (_dir, s) = store().await;
        let l = LoginLimiter::new(Duration::seconds(60), 5, 20);
        let t0 = Utc::now();
        for i in 0..20 {
            l.fail(&s, &format!("user{i}"), "10.0.0.9", t0)
                .await
                .unwrap();
        }
        assert!(l.check(&s, "fresh", "10.0.0.9", t0).await.unwrap().is_err());
        assert!(l.check(&s, "fresh", "10.0.0.8", t0).await.unwrap().is_ok());
    }
}
