//! Daily revenue per site: mining (hashrate × the day's economics) and AI leases.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::company::site::Site;
use crate::model::mining::market::{MarketDay, MarketSource};
use crate::model::mining::measured::{
    measured_hashrate, HashrateSource, SiteTelemetry, SiteTelemetryDay,
};
use crate::model::mining::rewards::{expected_btc_per_day, power_cost_usd_per_day, THS};

/// One site's revenue and cost on one day (API.md `/revenue` row, plus context).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
    pub hashrate_source: HashrateSource,
    /// Share of the site's hashing capacity polled that day (0 when modelled or projected).
    pub telemetry_coverage: f64,
    /// Mean GPU utilisation measured by DCGM that day (0–1), used for GPU-hour contracts.
    #[serde(default)]
    pub gpu_utilisation_measured: Option<f64>,
    /// What the site's pool accounts paid that day, BTC, where a pool is configured.
    #[serde(default)]
    pub pool_paid_btc: Option<f64>,
    /// SLA credits owed to tenants for the day (the month's credit spread over its days),
    /// already taken out of `ai_lease_usd`.
    #[serde(default)]
    pub sla_credit_usd: f64,
    /// Mining revenue priced on a hashprice forward curve (`model::mining::forwards`), not the model.
    #[serde(default)]
    pub forward: bool,
    /// Energy the site bought that day, MWh: its miners at their uptime (the intervals mined,
    /// where interval-priced) and the AI halls whose power it pays.
    #[serde(default)]
    pub energy_mwh: f64,
    /// The part of `power_cost_usd` the operator pays for the AI halls it powers (contracts
    /// without pass-through): what the AI margin is taken from, not the hardware margin.
    #[serde(default)]
    pub ai_power_cost_usd: f64,
}

/// `site`'s revenue on the market day `m`, modelled from its capacity.
pub fn site_day(site: &Site, m: &MarketDay) -> RevenueDay {
    site_day_with(site, m, None)
}

/// `site`'s revenue on the market day `m`, from telemetry `t` where the day has it (history
/// only: a projected day never is).
pub fn site_day_with(site: &Site, m: &MarketDay, t: Option<&SiteTelemetryDay>) -> RevenueDay {
    let projected = m.source == MarketSource::Projected;
    let t = t.filter(|_| !projected);
    let measured = t.and_then(|t| measured_hashrate(site.mining_capacity_ths(m.date), t));
    let (hashrate_ths, hashrate_source, telemetry_coverage) = match measured {
        Some((ths, coverage)) => (ths, HashrateSource::Measured, coverage),
        None if projected => (
            site.mining_hashrate_ths(m.date),
            HashrateSource::Projected,
            0.0,
        ),
        None => (
            site.mining_hashrate_ths(m.date),
            HashrateSource::Modelled,
            0.0,
        ),
    };
    let gpu_utilisation_measured = t
        .filter(|t| t.gpus > 0)
        .and_then(|t| t.gpu_util_pct)
        .map(|pct| pct / 100.0);
    let net = 1.0 - site.pool_fee_pct / 100.0;
    let btc_mined = expected_btc_per_day(hashrate_ths * THS, m.difficulty, m.reward_btc()) * net;
    let mining_mw = site.mining_mw(m.date) * site.mining_uptime;
    // Tenants on pass-through pay their own power; otherwise the operator pays IT load × PUE.
    let ai_power_mw = site.firm_power_mw(m.date);
    RevenueDay {
        date: m.date,
        site: site.id.clone(),
        mining_usd: btc_mined * m.btc_usd,
        ai_lease_usd: site
            .contracts
            .iter()
            .map(|c| c.revenue_usd_at(m.date, gpu_utilisation_measured))
            .sum(),
        power_cost_usd: power_cost_usd_per_day(
            (mining_mw + ai_power_mw) * 1e6,
            site.power_usd_per_kwh,
        ),
        btc_mined,
        hashrate_ths,
        mining_mw: site.mining_mw(m.date),
        ai_mw: site.ai_mw(m.date),
        projected,
        hashrate_source,
        telemetry_coverage,
        gpu_utilisation_measured,
        pool_paid_btc: None,
        sla_credit_usd: 0.0,
        forward: false,
        energy_mwh: (mining_mw + ai_power_mw) * 24.0,
        ai_power_cost_usd: power_cost_usd_per_day(ai_power_mw * 1e6, site.power_usd_per_kwh),
    }
}

/// Every site's revenue on every market day, ordered by date then site; days with telemetry
/// are measured.
pub fn site_series(
    sites: &[Site],
    days: &[MarketDay],
    telemetry: &SiteTelemetry,
) -> Vec<RevenueDay> {
    days.iter()
        .flat_map(|m| {
            sites
                .iter()
                .map(move |s| site_day_with(s, m, telemetry.get(&(m.date, s.id.clone()))))
        })
        .collect()
}

/// Sets what pools paid on the rows they cover.
pub fn attach_pool_payouts(
    rows: &mut [RevenueDay],
    paid: &std::collections::BTreeMap<(NaiveDate, String), f64>,
) {
    for r in rows {
        r.pool_paid_btc = paid.get(&(r.date, r.site.clone())).copied();
    }
}

/// Takes the SLA credits owed per (date, site) out of the rows' AI revenue: the overview
/// shows AI revenue net of credits where telemetry measured a breach.
pub fn apply_sla_credits(
    rows: &mut [RevenueDay],
    credits: &std::collections::BTreeMap<(NaiveDate, String), f64>,
) {
    for r in rows {
        if let Some(c) = credits.get(&(r.date, r.site.clone())) {
            r.sla_credit_usd = *c;
            r.ai_lease_usd -= c;
        }
    }
}

/// All sites' revenue on one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DailyTotal {
    pub date: NaiveDate,
    pub mining_usd: f64,
    pub ai_lease_usd: f64,
    pub power_cost_usd: f64,
    pub btc_mined: f64,
    pub projected: bool,
    pub hashrate_ths: f64,
    /// True when any site's hashrate that day is measured.
    pub measured: bool,
    /// Paid by pools, BTC and USD at the day's price; `None` where no pool reported.
    pub pool_paid_btc: Option<f64>,
    pub pool_paid_usd: Option<f64>,
    /// True when any site's mining revenue that day is priced on the forward curve.
    #[serde(default)]
    pub forward: bool,
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
                t.hashrate_ths += r.hashrate_ths;
                t.measured |= r.hashrate_source == HashrateSource::Measured;
                t.forward |= r.forward;
                if let Some(p) = r.pool_paid_btc {
                    *t.pool_paid_btc.get_or_insert(0.0) += p;
                }
            }
            _ => out.push(DailyTotal {
                date: r.date,
                mining_usd: r.mining_usd,
                ai_lease_usd: r.ai_lease_usd,
                power_cost_usd: r.power_cost_usd,
                btc_mined: r.btc_mined,
                projected: r.projected,
                hashrate_ths: r.hashrate_ths,
                measured: r.hashrate_source == HashrateSource::Measured,
                pool_paid_btc: r.pool_paid_btc,
                pool_paid_usd: None,
                forward: r.forward,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::company::site::tests::{day, example_site};

    fn market(d: NaiveDate) -> MarketDay {
        MarketDay {
            date: d,
            btc_usd: 100_000.0,
            difficulty: 100e12,
            fees_btc_per_block: 0.0,
            height: None,
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
        let t = totals(&site_series(
            &[s.clone(), s],
            &[market(day(2026, 6, 1))],
            &Default::default(),
        ));
        assert_eq!(t.len(), 1);
        assert!((t[0].ai_lease_usd - 2.0 * after.ai_lease_usd).abs() < 1e-6);
    }
}
