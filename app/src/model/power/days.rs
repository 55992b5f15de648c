//! The overview's power cost at interval prices: for a site whose power follows an index, each
//! history day with all 96 intervals priced is costed interval by interval — mining curtailed
//! where it does not pay (its revenue scaled by the share of intervals mined), AI halls as a
//! firm load — instead of at the site's flat $/kWh. Pure.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::company::revenue::RevenueDay;
use crate::model::company::site::Site;
use crate::model::power::contract::{IntervalPrice, INTERVAL_MINUTES};
use crate::model::power::curtailment::{backtest, firm_cost_usd, MiningLoad, SitePower};

/// Intervals in a UTC day.
pub const DAY_INTERVALS: usize = (24 * 60 / INTERVAL_MINUTES) as usize;

/// One site-day costed at interval prices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PowerDay {
    /// Mining and AI power paid, $.
    pub cost_usd: f64,
    /// Of it, what the AI halls paid as the firm load, $.
    pub firm_cost_usd: f64,
    /// Share of the day's intervals mined (the rest curtailed).
    pub mined_share: f64,
    /// Energy bought: the intervals mined at the miners' MW, the firm halls every interval.
    pub energy_mwh: f64,
}

/// Where a site's power cost comes from, for the overview's footnote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PowerNote {
    pub site: String,
    pub kind: super::contract::ContractKind,
    pub point: Option<String>,
    /// Intervals priced in the overview's history window.
    pub intervals: u32,
}

/// `site`'s days costed at `prices` (one point, the window's intervals) under `terms`;
/// `hashprice` gives $/TH/day per date. The window is backtested whole — a curtailment running
/// through midnight UTC (19:00 Central, inside ERCOT's evening peak) is one run, its ramp paid
/// once — and then split by day; days not fully priced are left out. Mining pays its own share
/// of each interval's bill, the AI halls theirs as a firm load: the two add up to the site's
/// bill, a hedge block counted once.
pub fn power_days(
    site: &Site,
    terms: &SitePower,
    prices: &[IntervalPrice],
    hashprice: impl Fn(NaiveDate) -> f64,
) -> BTreeMap<NaiveDate, PowerDay> {
    let j_per_th = site.fleet_efficiency_j_per_th().unwrap_or(0.0);
    let load = |date: NaiveDate| MiningLoad {
        mw: site.mining_mw(date) * site.mining_uptime,
        j_per_th,
        firm_mw: site.firm_power_mw(date),
    };
    let rows = backtest(prices, load, &terms.contract, &terms.policy, &hashprice);
    // Per day: intervals, intervals mined, then the day's figures being summed.
    let mut by_day: BTreeMap<NaiveDate, (usize, usize, PowerDay)> = BTreeMap::new();
    for r in &rows {
        let day = by_day.entry(r.interval_start.date_naive()).or_insert((
            0,
            0,
            PowerDay {
                cost_usd: 0.0,
                firm_cost_usd: 0.0,
                mined_share: 0.0,
                energy_mwh: 0.0,
            },
        ));
        day.0 += 1;
        day.1 += usize::from(r.mined);
        let firm = firm_cost_usd(&terms.contract, r.firm_mw, r.price_usd_per_mwh);
        day.2.cost_usd += r.cost_usd + r.ramp_usd + firm;
        day.2.firm_cost_usd += firm;
        let drawn = if r.mined { r.mining_mw } else { 0.0 } + r.firm_mw;
        day.2.energy_mwh += drawn * INTERVAL_MINUTES as f64 / 60.0;
    }
    by_day
        .into_iter()
        .filter(|(_, (n, _, _))| *n == DAY_INTERVALS)
        .map(|(date, (_, mined, day))| {
            (
                date,
                PowerDay {
                    mined_share: mined as f64 / DAY_INTERVALS as f64,
                    ..day
                },
            )
        })
        .collect()
}

/// Puts interval-priced days into revenue rows: power cost replaced, mining scaled by the share
/// mined. Projected rows keep the flat model.
pub fn apply(rows: &mut [RevenueDay], days: &BTreeMap<(NaiveDate, String), PowerDay>) {
    for r in rows.iter_mut().filter(|r| !r.projected) {
        if let Some(d) = days.get(&(r.date, r.site.clone())) {
            r.power_cost_usd = d.cost_usd;
            r.ai_power_cost_usd = d.firm_cost_usd;
            r.energy_mwh = d.energy_mwh;
            r.mining_usd *= d.mined_share;
            r.btc_mined *= d.mined_share;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::company::revenue::site_day;
    use crate::model::mining::market::{MarketDay, MarketSource};
    use crate::model::power::contract::PowerContract;
    use crate::model::power::curtailment::CurtailmentPolicy;
    use chrono::{Duration, TimeZone, Utc};

    fn site() -> Site {
        let mut s: Site =
            serde_json::from_str(include_str!("../../../../server/data/seed_sites.json"))
                .map(|v: Vec<Site>| v.into_iter().next().unwrap())
                .unwrap();
        s.contracts.clear();
        s
    }

    fn day_prices(date: NaiveDate, f: impl Fn(usize) -> f64) -> Vec<IntervalPrice> {
        let start = Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0).unwrap());
        (0..DAY_INTERVALS)
            .map(|i| IntervalPrice {
                point: "HB_WEST".into(),
                point_type: String::new(),
                interval_start: start + Duration::minutes(15 * i as i64),
                usd_per_mwh: f(i),
            })
            .collect()
    }

    #[test]
    fn a_flat_index_day_costs_what_the_flat_rate_would_and_a_spike_is_curtailed() {
        let s = site();
        let date = NaiveDate::from_ymd_opt(2025, 8, 1).unwrap();
        let terms = SitePower {
            contract: PowerContract::Index {
                point: "HB_WEST".into(),
                settles_on: None,
                adder_usd_per_mwh: 0.0,
                cap_usd_per_mwh: None,
            },
            policy: CurtailmentPolicy::default(),
            demand_response: None,
            four_cp_usd_per_kw_year: None,
        };
        // The site's flat $0.037/kWh as an index of $37/MWh all day: the same cost as the model.
        let flat = power_days(&s, &terms, &day_prices(date, |_| 37.0), |_| 0.05)[&date];
        let market = MarketDay {
            date,
            btc_usd: 115_000.0,
            difficulty: 1.27e14,
            fees_btc_per_block: 0.02,
            height: None,
            source: MarketSource::Bundled,
        };
        let modelled = site_day(&s, &market);
        assert!((flat.cost_usd - modelled.power_cost_usd).abs() < 1e-6 * modelled.power_cost_usd);
        assert_eq!(flat.mined_share, 1.0);
        // The energy bought prices at the index: $37 a MWh, as the flat model's own energy.
        assert!((flat.cost_usd / flat.energy_mwh - 37.0).abs() < 1e-9);
        assert!((flat.energy_mwh - modelled.energy_mwh).abs() < 1e-6 * modelled.energy_mwh);
        // Eight intervals at $5,000: curtailed, 88 of 96 mined, cost 88/96 of the flat day's at $37.
        let spiky = power_days(
            &s,
            &terms,
            &day_prices(date, |i| if (60..68).contains(&i) { 5_000.0 } else { 37.0 }),
            |_| 0.05,
        )[&date];
        assert_eq!(spiky.mined_share, 88.0 / 96.0);
        assert!(
            (spiky.energy_mwh - flat.energy_mwh * 88.0 / 96.0).abs() < 1e-6,
            "curtailed energy is not bought"
        );
        assert!((spiky.cost_usd - flat.cost_usd * 88.0 / 96.0).abs() < 1e-6 * flat.cost_usd);
        let mut rows = vec![modelled.clone()];
        apply(
            &mut rows,
            &[((date, s.id.clone()), spiky)].into_iter().collect(),
        );
        assert!((rows[0].mining_usd - modelled.mining_usd * 88.0 / 96.0).abs() < 1e-6);
        // A partly priced day is left to the flat model.
        assert!(power_days(&s, &terms, &day_prices(date, |_| 37.0)[..95], |_| 0.05).is_empty());
    }

    #[test]
    fn a_site_with_halls_and_miners_pays_its_hedge_block_once_and_a_run_spans_midnight() {
        let mut s: Site =
            serde_json::from_str(include_str!("../../../../server/data/seed_sites.json"))
                .map(|v: Vec<Site>| v.into_iter().next().unwrap())
                .unwrap();
        s.contracts
            .iter_mut()
            .for_each(|c| c.power_pass_through = false);
        let date = NaiveDate::from_ymd_opt(2027, 8, 1).unwrap();
        let firm = s.firm_power_mw(date);
        let mining = s.mining_mw(date) * s.mining_uptime;
        assert!(firm > 0.0 && mining > 0.0, "{firm} {mining}");
        let hedge = PowerContract::IndexWithHedge {
            point: "HB_WEST".into(),
            settles_on: None,
            adder_usd_per_mwh: 0.0,
            cap_usd_per_mwh: None,
            hedge_mw: firm + 10.0,
            hedge_usd_per_mwh: 40.0,
        };
        let terms = SitePower {
            contract: hedge.clone(),
            policy: CurtailmentPolicy::default(),
            demand_response: None,
            four_cp_usd_per_kw_year: None,
        };
        // Nothing curtailed at $30: the day's bill is the site's whole draw under the hedge.
        let day = power_days(&s, &terms, &day_prices(date, |_| 30.0), |_| 0.05)[&date];
        let bill: f64 = (0..DAY_INTERVALS)
            .map(|_| hedge.interval_cost_usd(mining + firm, 30.0))
            .sum();
        assert_eq!(day.mined_share, 1.0);
        assert!(
            (day.cost_usd - bill).abs() < 1e-6 * bill,
            "{} vs {bill}",
            day.cost_usd
        );
        // Two days with a $2,000 run from 23:00 to 01:00 UTC and a ramp of a third of what the
        // whole run saves: curtailed as one run, its ramp paid once (on the first day).
        let next = date.succ_opt().unwrap();
        let mut prices = day_prices(date, |i| if i >= 92 { 2_000.0 } else { 30.0 });
        prices.extend(day_prices(next, |i| if i < 4 { 2_000.0 } else { 30.0 }));
        let revenue = crate::model::power::curtailment::hashprice_usd_per_mwh(
            0.05,
            s.fleet_efficiency_j_per_th().unwrap(),
        );
        let run_saves = 8.0 * (2_000.0 - revenue) * mining * 0.25;
        let terms = SitePower {
            policy: CurtailmentPolicy {
                ramp_cost_usd: run_saves / 1.5,
                ..Default::default()
            },
            ..terms
        };
        let days = power_days(&s, &terms, &prices, |_| 0.05);
        assert_eq!(days[&date].mined_share, 92.0 / 96.0);
        assert_eq!(days[&next].mined_share, 92.0 / 96.0);
    }
}
