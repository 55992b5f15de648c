//! The overview's daily revenue rows as the page charts them: at most [`MAX_ROWS`] rows, long
//! ranges becoming weekly or monthly averages, so a chart carries ~2,000 points at most.

use crate::model::company::revenue::DailyTotal;

/// Rows per chart the page receives; with two series drawn per row that is ~2,000 points.
pub const MAX_ROWS: usize = 1_000;

/// Bucket widths tried in order, in days: a day, a week, a month of 30 days.
const BUCKETS: [usize; 3] = [1, 7, 30];

/// The smallest bucket width that fits `len` days into [`MAX_ROWS`] rows.
pub fn bucket_days(len: usize) -> usize {
    BUCKETS
        .into_iter()
        .find(|b| len.div_ceil(*b) <= MAX_ROWS)
        .unwrap_or(BUCKETS[BUCKETS.len() - 1])
}

/// Averages consecutive days into rows of `bucket` days, each dated by its first day. Money,
/// bitcoin and hashrate become per-day averages, so the chart's "per day" axis stays true. A
/// bucket never mixes history with projection: each part is bucketed on its own.
pub fn downsample(days: &[DailyTotal], bucket: usize) -> Vec<DailyTotal> {
    if bucket <= 1 {
        return days.to_vec();
    }
    let split = days.iter().position(|d| d.projected).unwrap_or(days.len());
    let (history, projection) = days.split_at(split);
    history
        .chunks(bucket)
        .chain(projection.chunks(bucket))
        .map(average)
        .collect()
}

fn average(days: &[DailyTotal]) -> DailyTotal {
    let n = days.len() as f64;
    let mean = |f: fn(&DailyTotal) -> f64| days.iter().map(f).sum::<f64>() / n;
    let paid: Vec<(f64, Option<f64>)> = days
        .iter()
        .filter_map(|d| d.pool_paid_btc.map(|b| (b, d.pool_paid_usd)))
        .collect();
    let paid_n = paid.len() as f64;
    DailyTotal {
        date: days[0].date,
        mining_usd: mean(|d| d.mining_usd),
        ai_lease_usd: mean(|d| d.ai_lease_usd),
        power_cost_usd: mean(|d| d.power_cost_usd),
        btc_mined: mean(|d| d.btc_mined),
        projected: days[0].projected,
        hashrate_ths: mean(|d| d.hashrate_ths),
        measured: days.iter().any(|d| d.measured),
        // Averaged over the days a pool reported, like the other per-day figures.
        pool_paid_btc: (!paid.is_empty()).then(|| paid.iter().map(|p| p.0).sum::<f64>() / paid_n),
        pool_paid_usd: (!paid.is_empty() && paid.iter().all(|p| p.1.is_some()))
            .then(|| paid.iter().filter_map(|p| p.1).sum::<f64>() / paid_n),
        forward: days.iter().any(|d| d.forward),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, NaiveDate};

    fn days(n: usize, projected_from: usize) -> Vec<DailyTotal> {
        let start = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
        (0..n)
            .map(|i| DailyTotal {
                date: start + Duration::days(i as i64),
                mining_usd: 1000.0 + i as f64,
                ai_lease_usd: 2.0 * i as f64,
                power_cost_usd: 500.25,
                btc_mined: 0.123456789,
                projected: i >= projected_from,
                hashrate_ths: 1e6 + 0.4,
                measured: i % 10 == 0 && i < projected_from,
                pool_paid_btc: (i == 3).then_some(0.5),
                pool_paid_usd: (i == 3).then_some(50_000.0),
                forward: false,
            })
            .collect()
    }

    #[test]
    fn bucket_width_keeps_rows_within_the_budget() {
        assert_eq!(bucket_days(731), 1);
        assert_eq!(bucket_days(1_000), 1);
        assert_eq!(bucket_days(1_001), 7);
        // 2023 through 2029 is 2,557 days: weekly.
        assert_eq!(bucket_days(2_557), 7);
        assert_eq!(bucket_days(20_000), 30);
    }

    #[test]
    fn weekly_rows_average_per_day_and_never_straddle_the_projection() {
        let d = days(20, 10);
        let w = downsample(&d, 7);
        // History 10 days → 7 + 3; projection 10 days → 7 + 3.
        assert_eq!(w.len(), 4);
        assert_eq!(
            w.iter().map(|r| r.projected).collect::<Vec<_>>(),
            [false, false, true, true]
        );
        assert_eq!(w[1].date, d[7].date);
        assert_eq!(w[2].date, d[10].date);
        // Days 0..7 of mining: mean of 1000..1006.
        assert_eq!(w[0].mining_usd, 1003.0);
        assert_eq!(w[1].mining_usd, 1008.0);
        assert!(w[0].measured && !w[2].measured);
        // One pool day in the first week: its figure is the average over reported days.
        assert_eq!(w[0].pool_paid_btc, Some(0.5));
        assert_eq!(w[1].pool_paid_btc, None);
        // The average over a period equals the sum over it divided by its days.
        let total: f64 = d.iter().map(|r| r.ai_lease_usd).sum();
        let lens = [7.0, 3.0, 7.0, 3.0];
        let back: f64 = w.iter().zip(lens).map(|(r, n)| r.ai_lease_usd * n).sum();
        assert!((total - back).abs() < 1e-9);
    }
}
