//! What the risk bands are run on, from the product's own data: each month's fleet and
//! contracts from the sites (their conversion schedules included), and the dynamics estimated
//! from the stored market history. Pure.

use chrono::{Datelike, Duration, NaiveDate};

use super::chain::{estimated_height, subsidy_btc, HASHES_PER_DIFFICULTY};
use super::forwards::ForwardCurve;
use super::lease::LeaseTerms;
use super::market::MarketDay;
use super::mining::power_cost_usd_per_day;
use super::risk::{Dynamics, MonthInputs};
use super::site::Site;

/// `count` calendar months from the month after `today`, for every site together (the paths
/// start at the last market day, `market_day`, which may lie before today), net of each
/// site's pool fee. Fees per block stay at `fees_btc_per_block`; the subsidy follows the height
/// estimated for each day (the 2028 halving included). Days a `forward` curve prices take their
/// mining revenue from it (hashrate in PH/s × $/PH/day), as the overview's projection does.
pub fn months(
    sites: &[Site],
    today: NaiveDate,
    market_day: NaiveDate,
    count: u32,
    fees_btc_per_block: f64,
    forward: Option<&ForwardCurve>,
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
                let priced = forward.and_then(|f| f.usd_per_ph_day(*d));
                for s in sites {
                    let net = 1.0 - s.pool_fee_pct / 100.0;
                    let ths = s.mining_hashrate_ths(*d);
                    match priced {
                        Some(usd_per_ph_day) => forward_usd += ths / 1_000.0 * usd_per_ph_day * net,
                        None => btc += ths * 1e12 * 86_400.0 / HASHES_PER_DIFFICULTY * reward * net,
                    }
                    power += power_cost_usd_per_day(
                        s.mining_mw(*d) * s.mining_uptime * 1e6,
                        s.power_usd_per_kwh,
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
/// per year, and the volatility of its 14-day log changes) over `history`, which must span at
/// least 60 days. μ is the mean log-return plus half the variance, so the expected price grows
/// at μ.
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
    let returns: Vec<f64> = days
        .windows(2)
        .map(|w| (w[1].btc_usd / w[0].btc_usd).ln())
        .collect();
    let (mean, var) = mean_var(&returns);
    let years = span as f64 / 365.25;
    let diff_changes: Vec<f64> = days
        .iter()
        .step_by(14)
        .collect::<Vec<_>>()
        .windows(2)
        .map(|w| (w[1].difficulty / w[0].difficulty).ln())
        .collect();
    let (_, diff_var) = mean_var(&diff_changes);
    Some(Dynamics {
        btc_usd: last.btc_usd,
        difficulty: last.difficulty,
        btc_drift_per_year: mean * 365.25 + var * 365.25 / 2.0,
        btc_vol_per_year: (var * 365.25).sqrt(),
        difficulty_growth_per_year: (last.difficulty / first.difficulty).ln() / years,
        difficulty_vol_per_year: (diff_var * 365.25 / 14.0).sqrt(),
        gpu_utilisation_vol,
    })
}

fn mean_var(v: &[f64]) -> (f64, f64) {
    if v.len() < 2 {
        return (0.0, 0.0);
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    (
        mean,
        v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0),
    )
}

/// The window the dynamics are estimated over, ending `today`.
pub fn estimation_window(today: NaiveDate, days: i64) -> (NaiveDate, NaiveDate) {
    (today - Duration::days(days), today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::market::MarketSource;

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
}
