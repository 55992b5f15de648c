//! What the risk bands are run on, from the product's own data: each month's fleet and
//! contracts from the sites (their conversion schedules included), and the dynamics estimated
//! from the stored market history. Pure.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::model::ai::lease::LeaseTerms;
use crate::model::company::site::Site;
use crate::model::investor::risk::{Dynamics, MonthInputs};
use crate::model::mining::chain::{estimated_height, subsidy_btc, HASHES_PER_DIFFICULTY};
use crate::model::mining::forwards::ForwardCurve;
use crate::model::mining::market::MarketDay;
use crate::model::mining::rewards::power_cost_usd_per_day;
use crate::model::power::days::PowerDay;

/// A site's power as its interval-priced days paid for it: $ per kWh drawn (credits and
/// curtailment's savings included) and the share of the time it mined.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SitePowerCost {
    pub usd_per_kwh: f64,
    pub mined_share: f64,
    /// Days of interval prices behind the figures.
    pub days: u32,
}

/// Per site, from costed site-days (`model::power::days`): Σ cost ÷ Σ energy drawn (mining at
/// its uptime and mined share, AI halls whose power the operator pays, at their PUE), and the
/// mean mined share. Sites without costed days are left out (they keep their flat rate).
pub fn power_costs(
    sites: &[Site],
    days: &BTreeMap<(NaiveDate, String), PowerDay>,
) -> BTreeMap<String, SitePowerCost> {
    let mut out = BTreeMap::new();
    for s in sites {
        let (mut cost, mut mwh, mut mined, mut n) = (0.0, 0.0, 0.0, 0u32);
        for ((d, _), p) in days.iter().filter(|((_, id), _)| *id == s.id) {
            let ai_mw = s.firm_power_mw(*d);
            cost += p.cost_usd;
            mwh += (s.mining_mw(*d) * s.mining_uptime * p.mined_share + ai_mw) * 24.0;
            mined += p.mined_share;
            n += 1;
        }
        if n > 0 && mwh > 0.0 {
            out.insert(
                s.id.clone(),
                SitePowerCost {
                    usd_per_kwh: cost / (mwh * 1_000.0),
                    mined_share: mined / f64::from(n),
                    days: n,
                },
            );
        }
    }
    out
}

/// What the months are priced on besides the sites: a hashprice forward curve, and the power
/// each site's interval prices imply.
#[derive(Debug, Clone, Copy, Default)]
pub struct Pricing<'a> {
    pub forward: Option<&'a ForwardCurve>,
    pub power: Option<&'a BTreeMap<String, SitePowerCost>>,
}

/// `count` calendar months from the month after `today`, for every site together (the paths
/// start at the last market day, `market_day`, which may lie before today), net of each
/// site's pool fee. Fees per block stay at `fees_btc_per_block`; the subsidy follows the height
/// estimated for each day (the 2028 halving included). Days a forward curve prices take their
/// mining revenue from it (hashrate in PH/s × $/PH/day), as the overview's projection does; a
/// site with interval-priced history pays its $/kWh drawn and mines its share of the time.
pub fn months(
    sites: &[Site],
    today: NaiveDate,
    market_day: NaiveDate,
    count: u32,
    fees_btc_per_block: f64,
    pricing: Pricing,
) -> Vec<MonthInputs> {
    let first = today.with_day(1).expect("day 1") + chrono::Months::new(1);
    (0..count)
        .map(|i| {
            let month = first + chrono::Months::new(i);
            let next = month + chrono::Months::new(1);
            let days: Vec<NaiveDate> = month.iter_days().take_while(|d| *d < next).collect();
            let (mut btc, mut forward_usd) = (0.0, 0.0);
            let (mut power, mut firm, mut gpu) = (0.0, 0.0, 0.0);
            for d in &days {
                let reward = subsidy_btc(estimated_height(*d)) + fees_btc_per_block;
                let priced = pricing.forward.and_then(|f| f.usd_per_ph_day(*d));
                for s in sites {
                    let cost = pricing.power.and_then(|p| p.get(&s.id));
                    let share = cost.map_or(1.0, |c| c.mined_share);
                    let net = (1.0 - s.pool_fee_pct / 100.0) * share;
                    let ths = s.mining_hashrate_ths(*d);
                    match priced {
                        Some(usd_per_ph_day) => forward_usd += ths / 1_000.0 * usd_per_ph_day * net,
                        None => btc += ths * 1e12 * 86_400.0 / HASHES_PER_DIFFICULTY * reward * net,
                    }
                    power += power_cost_usd_per_day(
                        s.mining_mw(*d) * s.mining_uptime * share * 1e6,
                        cost.map_or(s.power_usd_per_kwh, |c| c.usd_per_kwh),
                    );
                    for c in &s.contracts {
                        match c.terms {
                            LeaseTerms::Colocation { .. } => firm += c.revenue_usd(*d),
                            LeaseTerms::GpuHours { .. } => gpu += c.revenue_usd(*d),
                        }
                    }
                }
            }
            MonthInputs {
                month,
                // From the market's last day to the month's end.
                years: (next - market_day).num_days() as f64 / 365.25,
                btc_at_unit_difficulty: btc,
                forward_mining_usd: forward_usd,
                mining_power_usd: power,
                ai_firm_usd: firm,
                ai_gpu_hours_usd: gpu,
            }
        })
        .collect()
}

/// Drift and volatility of BTC (daily log-returns, annualised) and difficulty (its log growth
/// per year, and the volatility of its log changes over about 14 days) over `history`, which
/// must span at least 60 days. μ is the mean log-return plus half the variance, so the expected
/// price grows at μ. A gap in the history (days without a figure) is one change over several
/// days: it counts for its days in the mean and is scaled by them in the variance (a k-day log
/// change has k times a day's variance), so missing days neither hide nor inflate volatility.
pub fn estimate(history: &[MarketDay], gpu_utilisation_vol: f64) -> Option<Dynamics> {
    let days: Vec<&MarketDay> = history
        .iter()
        .filter(|d| d.btc_usd > 0.0 && d.difficulty > 0.0)
        .collect();
    let (first, last) = (*days.first()?, *days.last()?);
    let span = (last.date - first.date).num_days();
    if span < 60 {
        return None;
    }
    let returns: Vec<(f64, f64)> = days
        .windows(2)
        .map(|w| {
            (
                (w[1].btc_usd / w[0].btc_usd).ln(),
                (w[1].date - w[0].date).num_days() as f64,
            )
        })
        .collect();
    let (mean, var) = per_day_mean_var(&returns);
    let years = span as f64 / 365.25;
    // Difficulty retargets every ~14 days: its changes between figures at least 14 days apart.
    let mut diff_changes = Vec::new();
    let mut from = first;
    for d in &days[1..] {
        if (d.date - from.date).num_days() >= 14 {
            diff_changes.push((
                (d.difficulty / from.difficulty).ln(),
                (d.date - from.date).num_days() as f64,
            ));
            from = d;
        }
    }
    let (_, diff_var) = per_day_mean_var(&diff_changes);
    Some(Dynamics {
        btc_usd: last.btc_usd,
        difficulty: last.difficulty,
        btc_drift_per_year: mean * 365.25 + var * 365.25 / 2.0,
        btc_vol_per_year: (var * 365.25).sqrt(),
        difficulty_growth_per_year: (last.difficulty / first.difficulty).ln() / years,
        difficulty_vol_per_year: (diff_var * 365.25).sqrt(),
        gpu_utilisation_vol,
    })
}

/// Per-day mean and variance of log changes each over `days` days: the mean is Σ change ÷
/// Σ days; a change over k days deviates from k × the mean with k times a day's variance.
fn per_day_mean_var(changes: &[(f64, f64)]) -> (f64, f64) {
    let changes: Vec<&(f64, f64)> = changes.iter().filter(|(_, k)| *k > 0.0).collect();
    if changes.len() < 2 {
        return (0.0, 0.0);
    }
    let n = changes.len() as f64;
    let mean =
        changes.iter().map(|(x, _)| x).sum::<f64>() / changes.iter().map(|(_, k)| k).sum::<f64>();
    let var = changes
        .iter()
        .map(|(x, k)| (x - k * mean).powi(2) / k)
        .sum::<f64>()
        / (n - 1.0);
    (mean, var)
}

/// The window the dynamics are estimated over, ending `today`.
pub fn estimation_window(today: NaiveDate, days: i64) -> (NaiveDate, NaiveDate) {
    (today - Duration::days(days), today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::mining::market::MarketSource;

    fn day(i: i64, btc: f64, difficulty: f64) -> MarketDay {
        MarketDay {
            date: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Duration::days(i),
            btc_usd: btc,
            difficulty,
            height: None,
            fees_btc_per_block: 0.03,
            source: MarketSource::Bundled,
        }
    }

    /// A site whose interval prices paid $0.02/kWh drawn and mined 90 % of the time: its
    /// months pay that rate on 90 % of the mining draw and mine 90 % of the BTC.
    #[test]
    fn interval_priced_history_sets_a_sites_power_and_mined_share() {
        use crate::model::company::site::tests::example_site;
        let mut site = example_site();
        site.contracts.clear();
        site.pool_fee_pct = 0.0;
        let today = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let mut days = BTreeMap::new();
        for i in 0..10 {
            let d = today - Duration::days(i);
            let mwh = site.mining_mw(d) * site.mining_uptime * 0.9 * 24.0;
            days.insert(
                (d, site.id.clone()),
                PowerDay {
                    firm_cost_usd: 0.0,
                    cost_usd: mwh * 20.0,
                    mined_share: 0.9,
                    energy_mwh: mwh,
                },
            );
        }
        let costs = power_costs(std::slice::from_ref(&site), &days);
        let c = costs[&site.id];
        assert!((c.usd_per_kwh - 0.02).abs() < 1e-12, "{c:?}");
        assert!((c.mined_share - 0.9).abs() < 1e-12 && c.days == 10, "{c:?}");
        let flat = months(
            std::slice::from_ref(&site),
            today,
            today,
            1,
            0.0,
            Pricing::default(),
        );
        let priced = months(
            std::slice::from_ref(&site),
            today,
            today,
            1,
            0.0,
            Pricing {
                forward: None,
                power: Some(&costs),
            },
        );
        let (f, p) = (flat[0], priced[0]);
        assert!((p.btc_at_unit_difficulty / f.btc_at_unit_difficulty - 0.9).abs() < 1e-12);
        let expected = f.mining_power_usd * 0.9 * 0.02 / site.power_usd_per_kwh;
        assert!(
            (p.mining_power_usd - expected).abs() < 1e-6,
            "{p:?} vs {f:?}"
        );
    }

    #[test]
    fn a_steady_history_has_its_growth_and_no_volatility() {
        // BTC +0.1 % a day and difficulty +0.2 % a day, exactly: drift 0.1 %×365.25, σ 0.
        let h: Vec<MarketDay> = (0..=180)
            .map(|i| {
                day(
                    i,
                    50_000.0 * 1.001f64.powi(i as i32),
                    1e14 * 1.002f64.powi(i as i32),
                )
            })
            .collect();
        let d = estimate(&h, 0.05).unwrap();
        assert!(
            (d.btc_drift_per_year - 1.001f64.ln() * 365.25).abs() < 1e-9,
            "{d:?}"
        );
        assert!(d.btc_vol_per_year < 1e-9);
        assert!((d.difficulty_growth_per_year - 1.002f64.ln() * 365.25).abs() < 1e-9);
        assert!(d.difficulty_vol_per_year < 1e-9);
        assert_eq!(d.btc_usd, h[180].btc_usd);
        // Alternating ±2 % days: a daily σ of about 2 %, annualised by √365.25.
        let zig: Vec<MarketDay> = (0..=180)
            .map(|i| day(i, if i % 2 == 0 { 50_000.0 } else { 51_000.0 }, 1e14))
            .collect();
        let z = estimate(&zig, 0.0).unwrap();
        let daily = (51_000.0f64 / 50_000.0).ln();
        assert!(
            (z.btc_vol_per_year / (daily * 365.25f64.sqrt()) - 1.0).abs() < 0.01,
            "{z:?}"
        );
        assert!(estimate(&h[..30], 0.0).is_none(), "too short to estimate");
    }

    #[test]
    fn gaps_in_the_history_neither_inflate_volatility_nor_bend_the_drift() {
        // The steady history with a week missing every month and single days dropped: still
        // exactly its growth, still no volatility.
        let gappy: Vec<MarketDay> = (0..=180)
            .filter(|i| i % 30 >= 7 && i % 11 != 5)
            .map(|i| {
                day(
                    i,
                    50_000.0 * 1.001f64.powi(i as i32),
                    1e14 * 1.002f64.powi(i as i32),
                )
            })
            .collect();
        let d = estimate(&gappy, 0.05).unwrap();
        assert!(d.btc_vol_per_year < 1e-9, "{d:?}");
        assert!(d.difficulty_vol_per_year < 1e-9, "{d:?}");
        assert!((d.btc_drift_per_year - 1.001f64.ln() * 365.25).abs() < 1e-9);
        // A noisy history (±2 % a day around a trend) loses half its days: σ stays within 15 %.
        let noisy = |i: i64| {
            let wiggle = if (i * 7919) % 13 < 6 {
                1.02
            } else {
                1.0 / 1.02
            };
            day(i, 50_000.0 * 1.001f64.powi(i as i32) * wiggle, 1e14)
        };
        let full: Vec<MarketDay> = (0..=360).map(noisy).collect();
        let half: Vec<MarketDay> = (0..=360).filter(|i| i % 4 < 2).map(noisy).collect();
        let (a, b) = (estimate(&full, 0.0).unwrap(), estimate(&half, 0.0).unwrap());
        assert!(
            (b.btc_vol_per_year / a.btc_vol_per_year - 1.0).abs() < 0.15,
            "{} vs {}",
            b.btc_vol_per_year,
            a.btc_vol_per_year
        );
    }
}
