//! Daily revenue per site: mining (hashrate × the day's economics) and AI leases.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::market::{MarketDay, MarketSource};
use super::mining::{expected_btc_per_day, power_cost_usd_per_day, THS};
use super::site::Site;

/// One site's revenue and cost on one day (API.md `/revenue` row, plus context).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevenueDay {
    pub date: NaiveDate,
    pub site: String,
    pub mining_usd: f64,
    pub ai_lease_usd: f64,
    pub power_cost_usd: f64,
    pub btc_mined: f64,
    pub hashrate_ths: f64,
    pub mining_mw: f64,
    pub ai_mw: f64,
    /// True when the day's market figures are a scenario projection.
    pub projected: bool,
}

/// `site`'s revenue on the market day `m`.
pub fn site_day(site: &Site, m: &MarketDay) -> RevenueDay {
    let hashrate_ths = site.mining_hashrate_ths(m.date);
    let net = 1.0 - site.pool_fee_pct / 100.0;
    let btc_mined = expected_btc_per_day(hashrate_ths * THS, m.difficulty, m.reward_btc()) * net;
    let mining_mw = site.mining_mw(m.date) * site.mining_uptime;
    // Tenants on pass-through pay their own power; otherwise the operator pays IT load × PUE.
    let ai_power_mw: f64 = site
        .contracts
        .iter()
        .filter(|c| !c.power_pass_through)
        .map(|c| c.it_load_mw(m.date) * site.pue_ai)
        .sum();
    RevenueDay {
        date: m.date,
        site: site.id.clone(),
        mining_usd: btc_mined * m.btc_usd,
        ai_lease_usd: site.contracts.iter().map(|c| c.revenue_usd(m.date)).sum(),
        power_cost_usd: power_cost_usd_per_day(
            (mining_mw + ai_power_mw) * 1e6,
            site.power_usd_per_kwh,
        ),
        btc_mined,
        hashrate_ths,
        mining_mw: site.mining_mw(m.date),
        ai_mw: site.ai_mw(m.date),
        projected: m.source == MarketSource::Projected,
    }
}

/// Every site's revenue on every market day, ordered by date then site.
pub fn site_series(sites: &[Site], days: &[MarketDay]) -> Vec<RevenueDay> {
    days.iter()
        .flat_map(|m| sites.iter().map(move |s| site_day(s, m)))
        .collect()
}

/// All sites' revenue on one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DailyTotal {
    pub date: NaiveDate,
    pub mining_usd: f64,
    pub ai_lease_usd: f64,
    pub power_cost_usd: f64,
    pub btc_mined: f64,
    pub projected: bool,
}

/// Sums a date-ordered per-site series into one row per date.
pub fn totals(series: &[RevenueDay]) -> Vec<DailyTotal> {
    let mut out: Vec<DailyTotal> = Vec::new();
    for r in series {
        match out.last_mut() {
            Some(t) if t.date == r.date => {
                t.mining_usd += r.mining_usd;
                t.ai_lease_usd += r.ai_lease_usd;
                t.power_cost_usd += r.power_cost_usd;
                t.btc_mined += r.btc_mined;
            }
            _ => out.push(DailyTotal {
                date: r.date,
                mining_usd: r.mining_usd,
                ai_lease_usd: r.ai_lease_usd,
                power_cost_usd: r.power_cost_usd,
                btc_mined: r.btc_mined,
                projected: r.projected,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::site::tests::{day, example_site};

    fn market(d: NaiveDate) -> MarketDay {
        MarketDay {
            date: d,
            btc_usd: 100_000.0,
            difficulty: 100e12,
            fees_btc_per_block: 0.0,
            source: MarketSource::Bundled,
        }
    }

    #[test]
    fn a_100_mw_s21_site_mines_what_the_hashprice_says() {
        let s = example_site();
        let r = site_day(&s, &market(day(2025, 1, 1)));
        // 5.714 EH/s × $62.86/PH/day = $359,2xx/day; 100 MW × 24 h × $0.04 = $96,000/day.
        let expected = 100e6 / 17.5 / 1000.0 * 62.8653;
        assert!(
            (r.mining_usd - expected).abs() / expected < 1e-4,
            "{}",
            r.mining_usd
        );
        assert!((r.power_cost_usd - 96_000.0).abs() < 1e-6);
        assert_eq!(r.ai_lease_usd, 0.0);
        assert!(!r.projected);
    }

    #[test]
    fn conversion_moves_revenue_from_mining_to_ai() {
        let s = example_site();
        let before = site_day(&s, &market(day(2025, 6, 1)));
        let after = site_day(&s, &market(day(2026, 6, 1)));
        assert!((after.mining_usd / before.mining_usd - 0.6).abs() < 1e-9);
        // 30 MW × 1000 × $120 / 30.4375 days
        assert!((after.ai_lease_usd - 30_000.0 * 120.0 / 30.4375).abs() < 1e-6);
        let t = totals(&site_series(&[s.clone(), s], &[market(day(2026, 6, 1))]));
        assert_eq!(t.len(), 1);
        assert!((t[0].ai_lease_usd - 2.0 * after.ai_lease_usd).abs() < 1e-6);
    }
}
