//! The KPIs miners report in their monthly updates, from the product's own rows: realised
//! hashrate (what pools paid ÷ the network's BTC per TH/s-day), hashcost (power ÷ PH/s-days),
//! revenue and margin per MW for mining and AI, the contracted AI backlog and uptime-weighted
//! MW. Pure.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::model::company::revenue::RevenueDay;
use crate::model::company::site::Site;
use crate::model::mining::chain::HASHES_PER_DIFFICULTY;
use crate::model::mining::market::MarketDay;

/// The window's KPIs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SectorKpis {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// BTC paid by pools ÷ Σ the network's BTC per TH/s-day over the days they paid, TH/s;
    /// `None` when no pool paid in the window.
    pub realised_hashrate_ths: Option<f64>,
    /// Days with pool payouts behind the realised hashrate.
    pub pool_days: u32,
    /// Mining's power cost ÷ PH/s-days hashed, $/PH/day (power only: no opex is entered).
    pub hashcost_usd_per_ph_day: Option<f64>,
    /// The network's hashprice averaged over the window, $/PH/day.
    pub hashprice_usd_per_ph_day: Option<f64>,
    /// Per MW-day of mining MW and of AI MW (critical IT), USD.
    pub mining_revenue_usd_per_mw_day: Option<f64>,
    pub mining_margin_usd_per_mw_day: Option<f64>,
    pub ai_revenue_usd_per_mw_day: Option<f64>,
    pub ai_margin_usd_per_mw_day: Option<f64>,
    /// Revenue still to bill on contracts with an end date, from tomorrow, USD.
    pub ai_backlog_usd: f64,
    /// Contracts without an end date (not in the backlog).
    pub open_ended_contracts: u32,
    /// Mining MW weighted by hashrate realised ÷ capacity, plus AI MW energised, averaged
    /// over the window.
    pub uptime_weighted_mw: f64,
}

/// BTC one TH/s earns on `m` (subsidy + fees, at its difficulty).
fn btc_per_th_day(m: &MarketDay) -> f64 {
    1e12 * 86_400.0 * m.reward_btc() / (m.difficulty * HASHES_PER_DIFFICULTY)
}

fn per(numerator: f64, denominator: f64) -> Option<f64> {
    (denominator > 0.0).then(|| numerator / denominator)
}

/// KPIs over the history `rows` (one per site and day, projected rows ignored) with the
/// window's market days; the backlog from `today`.
pub fn sector_kpis(
    sites: &[Site],
    rows: &[RevenueDay],
    market: &[MarketDay],
    today: NaiveDate,
) -> SectorKpis {
    let rows: Vec<&RevenueDay> = rows.iter().filter(|r| !r.projected).collect();
    let day_of = |d: NaiveDate| market.iter().find(|m| m.date == d);
    let site_of = |id: &str| sites.iter().find(|s| s.id == id);
    let (mut paid, mut network_per_th, mut pool_days) =
        (0.0, 0.0, std::collections::BTreeSet::new());
    let (mut mining_power, mut ph_days) = (0.0, 0.0);
    let (mut mining_usd, mut mining_mw_days, mut ai_usd, mut ai_mw_days, mut ai_power) =
        (0.0, 0.0, 0.0, 0.0, 0.0);
    let mut weighted_mw = 0.0;
    for r in &rows {
        let Some(site) = site_of(&r.site) else {
            continue;
        };
        if let (Some(p), Some(m)) = (r.pool_paid_btc, day_of(r.date)) {
            paid += p;
            network_per_th += btc_per_th_day(m);
            pool_days.insert(r.date);
        }
        // The day's power bill as the row splits it (interval-priced days included).
        mining_power += r.power_cost_usd - r.ai_power_cost_usd;
        ai_power += r.ai_power_cost_usd;
        ph_days += r.hashrate_ths / 1_000.0;
        mining_usd += r.mining_usd;
        mining_mw_days += r.mining_mw;
        ai_usd += r.ai_lease_usd;
        ai_mw_days += r.ai_mw;
        let capacity = site.mining_capacity_ths(r.date);
        weighted_mw +=
            r.mining_mw * per(r.hashrate_ths, capacity).unwrap_or(0.0).min(1.0) + r.ai_mw;
    }
    let days: std::collections::BTreeSet<NaiveDate> = rows.iter().map(|r| r.date).collect();
    let window: Vec<&MarketDay> = market.iter().filter(|m| days.contains(&m.date)).collect();
    let (backlog, open_ended) = backlog(sites, today);
    SectorKpis {
        from: days.first().copied().unwrap_or(today),
        to: days.last().copied().unwrap_or(today),
        // Σ paid ÷ Σ per-TH: the hashrate that, held every paid day, earns what was paid.
        realised_hashrate_ths: per(paid, network_per_th),
        pool_days: pool_days.len() as u32,
        hashcost_usd_per_ph_day: per(mining_power, ph_days),
        hashprice_usd_per_ph_day: per(
            window.iter().map(|m| m.hashprice_usd_per_ph_day()).sum(),
            window.len() as f64,
        ),
        mining_revenue_usd_per_mw_day: per(mining_usd, mining_mw_days),
        mining_margin_usd_per_mw_day: per(mining_usd - mining_power, mining_mw_days),
        ai_revenue_usd_per_mw_day: per(ai_usd, ai_mw_days),
        ai_margin_usd_per_mw_day: per(ai_usd - ai_power, ai_mw_days),
        ai_backlog_usd: backlog,
        open_ended_contracts: open_ended,
        uptime_weighted_mw: per(weighted_mw, days.len() as f64).unwrap_or(0.0),
    }
}

/// Σ of each dated contract's daily revenue from tomorrow to its end; and how many contracts
/// have no end.
fn backlog(sites: &[Site], today: NaiveDate) -> (f64, u32) {
    let mut total = 0.0;
    let mut open = 0;
    for c in sites.iter().flat_map(|s| &s.contracts) {
        let Some(end) = c.end_on else {
            open += 1;
            continue;
        };
        let mut d = today + Duration::days(1);
        while d <= end {
            total += c.revenue_usd(d);
            d += Duration::days(1);
        }
    }
    (total, open)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ai::lease::{LeaseContract, LeaseTerms};
    use crate::model::company::site::tests::{day, example_site};
    use crate::model::mining::market::MarketSource;
    use crate::model::mining::measured::HashrateSource;

    fn row(site: &Site, date: NaiveDate, paid: Option<f64>) -> RevenueDay {
        RevenueDay {
            // The halls draw 8 MW × PUE 1.25 = 10 MW beside mining's 40: a fifth of the bill.
            ai_power_cost_usd: 6_000.0,
            date,
            site: site.id.clone(),
            mining_usd: 50_000.0,
            ai_lease_usd: 20_000.0,
            power_cost_usd: 30_000.0,
            btc_mined: 0.5,
            hashrate_ths: 2_000_000.0,
            mining_mw: 40.0,
            ai_mw: 10.0,
            projected: false,
            hashrate_source: HashrateSource::Measured,
            telemetry_coverage: 1.0,
            gpu_utilisation_measured: None,
            pool_paid_btc: paid,
            sla_credit_usd: 0.0,
            forward: false,
            energy_mwh: 0.0,
        }
    }

    #[test]
    fn the_kpis_are_the_ratios_miners_report_worked_by_hand() {
        let mut site = example_site();
        site.mining_uptime = 1.0;
        site.pue_ai = 1.25;
        site.contracts = vec![LeaseContract {
            register: Default::default(),
            id: "c".into(),
            site_id: site.id.clone(),
            tenant: "t".into(),
            terms: LeaseTerms::Colocation {
                critical_mw: 8.0,
                usd_per_kw_month: 100.0,
                escalator_pct_per_year: 0.0,
            },
            start_on: day(2020, 1, 1),
            ramp_months: 0,
            end_on: Some(day(2026, 1, 10)),
            power_pass_through: false,
            sla: None,
            devices: Vec::new(),
        }];
        let market: Vec<MarketDay> = (1..=2)
            .map(|d| MarketDay {
                date: day(2026, 1, d),
                btc_usd: 100_000.0,
                difficulty: 100e12,
                fees_btc_per_block: 0.0,
                height: Some(930_000),
                source: MarketSource::Live,
            })
            .collect();
        let rows = [
            row(&site, day(2026, 1, 1), Some(0.4)),
            row(&site, day(2026, 1, 2), None),
        ];
        let k = sector_kpis(std::slice::from_ref(&site), &rows, &market, day(2026, 1, 2));
        // BTC per TH-day at D = 1e14, 3.125 BTC: 1e12 × 86,400 × 3.125 ÷ (1e14 × 2³²).
        let per_th = 1e12 * 86_400.0 * 3.125 / (100e12 * 4_294_967_296.0);
        assert!((k.realised_hashrate_ths.unwrap() - 0.4 / per_th).abs() < 1e-6);
        assert_eq!(k.pool_days, 1);
        // The row's split: mining pays $24,000 of the $30,000 a day, the halls $6,000.
        assert!((k.hashcost_usd_per_ph_day.unwrap() - 24_000.0 / 2_000.0).abs() < 1e-9);
        assert!((k.mining_revenue_usd_per_mw_day.unwrap() - 50_000.0 / 40.0).abs() < 1e-9);
        assert!((k.mining_margin_usd_per_mw_day.unwrap() - 26_000.0 / 40.0).abs() < 1e-9);
        assert!((k.ai_margin_usd_per_mw_day.unwrap() - 14_000.0 / 10.0).abs() < 1e-9);
        // 8 MW × $100/kW-month ÷ 30.4375 a day, 8 days (Jan 3–10).
        assert!((k.ai_backlog_usd - 8.0 * 8_000.0 * 100.0 / 30.4375).abs() < 1e-6);
        assert_eq!(k.open_ended_contracts, 0);
        let capacity = site.mining_capacity_ths(day(2026, 1, 1));
        let weighted = 40.0 * (2_000_000.0 / capacity).min(1.0) + 10.0;
        assert!((k.uptime_weighted_mw - weighted).abs() < 1e-9);
        assert!(k.hashprice_usd_per_ph_day.unwrap() > 0.0);
        // No payouts: no realised hashrate rather than a made-up one.
        let none = sector_kpis(&[site], &rows[1..], &market, day(2026, 1, 2));
        assert_eq!(none.realised_hashrate_ths, None);
    }
}
