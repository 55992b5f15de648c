//! The overview's power cost at interval prices: for a site whose power follows an index, each
//! history day with all 96 intervals priced is costed interval by interval — mining curtailed
//! where it does not pay (its revenue scaled by the share of intervals mined), AI halls as a
//! firm load — instead of at the site's flat $/kWh. Pure.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::curtailment::{backtest, MiningLoad, SitePower};
use super::power::{IntervalPrice, INTERVAL_MINUTES};
use super::revenue::RevenueDay;
use super::site::Site;

/// Intervals in a UTC day.
pub const DAY_INTERVALS: usize = (24 * 60 / INTERVAL_MINUTES) as usize;

/// One site-day costed at interval prices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PowerDay {
    /// Mining and AI power paid, $.
    pub cost_usd: f64,
    /// Share of the day's intervals mined (the rest curtailed).
    pub mined_share: f64,
}

/// Where a site's power cost comes from, for the overview's footnote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PowerNote {
    pub site: String,
    /// `fixed`, `index` or `index_with_hedge`; `flat` for a site without terms.
    pub kind: String,
    pub point: Option<String>,
    /// Intervals priced in the overview's history window.
    pub intervals: u32,
}

/// `site`'s days costed at `prices` (one point, the window's intervals) under `terms`;
/// `hashprice` gives $/TH/day per date. Days not fully priced are left out.
pub fn power_days(
    site: &Site,
    terms: &SitePower,
    prices: &[IntervalPrice],
    hashprice: impl Fn(NaiveDate) -> f64,
) -> BTreeMap<NaiveDate, PowerDay> {
    let mut by_day: BTreeMap<NaiveDate, Vec<IntervalPrice>> = BTreeMap::new();
    for p in prices {
        by_day
            .entry(p.interval_start.date_naive())
            .or_default()
            .push(p.clone());
    }
    let j_per_th = site.fleet_efficiency_j_per_th().unwrap_or(0.0);
    by_day
        .into_iter()
        .filter(|(_, day)| day.len() == DAY_INTERVALS)
        .map(|(date, day)| {
            let load = MiningLoad {
                mw: site.mining_mw(date) * site.mining_uptime,
                j_per_th,
            };
            let rows = backtest(&day, load, &terms.contract, &terms.policy, &hashprice);
            let ai_mw: f64 = site
                .contracts
                .iter()
                .filter(|c| !c.power_pass_through)
                .map(|c| c.it_load_mw(date) * site.pue_ai)
                .sum();
            let mining: f64 = rows.iter().map(|r| r.cost_usd + r.ramp_usd).sum();
            let ai: f64 = day
                .iter()
                .map(|p| terms.contract.interval_cost_usd(ai_mw, p.usd_per_mwh))
                .sum();
            let mined = rows.iter().filter(|r| r.mined).count();
            (
                date,
                PowerDay {
                    cost_usd: mining + ai,
                    mined_share: mined as f64 / DAY_INTERVALS as f64,
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
            r.mining_usd *= d.mined_share;
            r.btc_mined *= d.mined_share;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::curtailment::CurtailmentPolicy;
    use crate::model::market::{MarketDay, MarketSource};
    use crate::model::power::PowerContract;
    use crate::model::revenue::site_day;
    use chrono::{Duration, TimeZone, Utc};

    fn site() -> Site {
        let mut s: Site =
            serde_json::from_str(include_str!("../../../server/data/seed_sites.json"))
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
        // Eight intervals at $5,000: curtailed, 88 of 96 mined, cost 88/96 of the flat day's at $37.
        let spiky = power_days(
            &s,
            &terms,
            &day_prices(date, |i| if (60..68).contains(&i) { 5_000.0 } else { 37.0 }),
            |_| 0.05,
        )[&date];
        assert_eq!(spiky.mined_share, 88.0 / 96.0);
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
}
