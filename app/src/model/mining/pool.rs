//! What mining pools paid: the ground truth of mining revenue, next to what the hashrate was
//! expected to earn (the gap is luck, the pool's fee and downtime).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A pool's payout to one site's account for one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PoolDay {
    pub date: NaiveDate,
    /// Site id.
    pub site: String,
    /// Pool kind and account label, e.g. `braiins`.
    pub pool: String,
    pub btc: f64,
}

/// `/api/v1/pool-rewards` row: the payout valued at the day's BTC price.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PoolRewardRow {
    pub date: NaiveDate,
    pub site: String,
    pub pool: String,
    pub btc: f64,
    /// `None` when no market figure exists for the day.
    pub usd: Option<f64>,
}

/// Total BTC paid per (date, site), for joining onto revenue rows.
pub fn paid_by_site_day(days: &[PoolDay]) -> std::collections::BTreeMap<(NaiveDate, String), f64> {
    let mut out = std::collections::BTreeMap::new();
    for d in days {
        *out.entry((d.date, d.site.clone())).or_insert(0.0) += d.btc;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payouts_of_several_pools_add_up_per_site_and_day() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 2).unwrap();
        let row = |site: &str, pool: &str, btc| PoolDay {
            date: d,
            site: site.into(),
            pool: pool.into(),
            btc,
        };
        let m = paid_by_site_day(&[
            row("tx", "braiins", 0.5),
            row("tx", "luxor", 0.25),
            row("nd", "braiins", 1.0),
        ]);
        assert_eq!(m[&(d, "tx".to_string())], 0.75);
        assert_eq!(m[&(d, "nd".to_string())], 1.0);
    }
}
