//! Login rate limit: failed attempts per user name and per client address in a sliding
//! window. While a key is over its limit every attempt is refused before the password is
//! checked, so guessing costs the attacker time, not the server argon2 work.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct LoginLimiter {
    window: Duration,
    per_user: usize,
    per_address: usize,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Default for LoginLimiter {
    /// 5 failures per user name and 20 per address in 15 minutes.
    fn default() -> Self {
        Self::new(Duration::from_secs(15 * 60), 5, 20)
    }
}

impl LoginLimiter {
    pub fn new(window: Duration, per_user: usize, per_address: usize) -> Self {
        Self {
            window,
            per_user,
            per_address,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(user: &str, address: &str) -> [String; 2] {
        [format!("u:{}", user.to_lowercase()), format!("a:{address}")]
    }

    /// `Err(seconds to wait)` while either key is over its limit.
    pub fn check(&self, user: &str, address: &str, now: Instant) -> Result<(), u64> {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let [u, a] = Self::keys(user, address);
        let mut wait = 0u64;
        for (key, limit) in [(u, self.per_user), (a, self.per_address)] {
            if let Some(q) = map.get_mut(&key) {
                while q
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= self.window)
                {
                    q.pop_front();
                }
                if q.len() >= limit {
                    let oldest = *q.front().unwrap_or(&now);
                    let left = self.window.saturating_sub(now.duration_since(oldest));
                    wait = wait.max(left.as_secs().max(1));
                }
            }
        }
        if wait > 0 {
            Err(wait)
        } else {
            Ok(())
        }
    }

    pub fn fail(&self, user: &str, address: &str, now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        // Forget idle keys so a scan of many names cannot grow the map without bound.
        if map.len() > 10_000 {
            let window = self.window;
            map.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        for key in Self::keys(user, address) {
            map.entry(key).or_default().push_back(now);
        }
    }

    /// A successful login clears the user's failures (not the address's).
    pub fn succeed(&self, user: &str, address: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let [u, _] = Self::keys(user, address);
        map.remove(&u);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_attempt_waits_until_the_first_leaves_the_window() {
        let l = LoginLimiter::new(Duration::from_secs(60), 5, 20);
        let t0 = Instant::now();
        for i in 0..5 {
            assert!(l.check("ops", "10.0.0.1", t0).is_ok(), "attempt {i}");
            l.fail("ops", "10.0.0.1", t0 + Duration::from_secs(i));
        }
        let wait = l
            .check("OPS", "10.0.0.2", t0 + Duration::from_secs(10))
            .unwrap_err();
        assert_eq!(wait, 50);
        assert!(l
            .check("ops", "10.0.0.1", t0 + Duration::from_secs(61))
            .is_ok());
        // Another user from the same address is not blocked by the user limit.
        assert!(l
            .check("admin", "10.0.0.1", t0 + Duration::from_secs(10))
            .is_ok());
    }

    #[test]
    fn an_address_is_limited_across_user_names() {
        let l = LoginLimiter::new(Duration::from_secs(60), 5, 20);
        let t0 = Instant::now();
        for i in 0..20 {
            l.fail(&format!("user{i}"), "10.0.0.9", t0);
        }
        assert!(l.check("fresh", "10.0.0.9", t0).is_err());
        assert!(l.check("fresh", "10.0.0.8", t0).is_ok());
    }
}
