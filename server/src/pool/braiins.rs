//! Braiins Pool: `GET /accounts/rewards/json/btc?from=YYYY-MM-DD&to=YYYY-MM-DD` with the
//! account's access-profile token in `Pool-Auth-Token`. The answer is
//! `{"btc":{"daily_rewards":[{"date": unix seconds (day start), "total_reward": "0.00…", …}]}}`
//! with amounts as decimal strings in BTC.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate};
use serde_json::Value;

use super::source::{PoolError, PoolSource};
use crate::remote::Remote;

pub struct Braiins {
    remote: Remote,
}

impl Braiins {
    pub fn new(remote: Remote, token: &str) -> Self {
        Self {
            remote: remote.with_secret_header("pool-auth-token", token),
        }
    }
}

/// Parses the daily rewards answer into (day, BTC) pairs.
pub fn parse_daily_rewards(body: &str) -> Result<Vec<(NaiveDate, f64)>, PoolError> {
    let bad = |why: &str| PoolError::Parse(format!("braiins rewards: {why}"));
    let v: Value = serde_json::from_str(body).map_err(|_| bad("not JSON"))?;
    let list = v
        .pointer("/btc/daily_rewards")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("no btc.daily_rewards list"))?;
    list.iter()
        .map(|r| {
            let date = r
                .get("date")
                .and_then(Value::as_i64)
                .and_then(|t| DateTime::from_timestamp(t, 0))
                .ok_or_else(|| bad("a reward without a date"))?
                .date_naive();
            let btc = match r.get("total_reward") {
                Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
                Some(Value::Number(n)) => n.as_f64(),
                _ => None,
            }
            .filter(|b| b.is_finite() && *b >= 0.0)
            .ok_or_else(|| bad("a reward without a valid total_reward"))?;
            Ok((date, btc))
        })
        .collect()
}

#[async_trait]
impl PoolSource for Braiins {
    async fn daily_rewards(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, f64)>, PoolError> {
        let body = self
            .remote
            .get_text(&format!("/accounts/rewards/json/btc?from={from}&to={to}"))
            .await?;
        parse_daily_rewards(&body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_rewards_read_back_exactly() {
        let body = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/braiins/rewards.json"
        ))
        .unwrap();
        let days = parse_daily_rewards(&body).unwrap();
        assert_eq!(days.len(), 3);
        assert_eq!(days[0].0, NaiveDate::from_ymd_opt(2023, 2, 23).unwrap());
        assert_eq!(days[0].1, 0.00071383);
        assert_eq!(days[2].1, 0.00069946);
    }

    #[test]
    fn malformed_rewards_are_errors() {
        for body in [
            "",
            "{}",
            r#"{"btc":{"daily_rewards":[{"date":1}]}}"#,
            r#"{"btc":{"daily_rewards":[{"date":1,"total_reward":"-1"}]}}"#,
        ] {
            assert!(parse_daily_rewards(body).is_err(), "{body}");
        }
    }
}
