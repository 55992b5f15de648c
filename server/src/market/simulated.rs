//! The market simulator: plausible days after the last known one, deterministic per date so a
//! restart or a second server produces the same figures.

use chrono::{Datelike, NaiveDate};

use app::model::mining::market::{MarketDay, MarketSource};

/// SplitMix64: a tiny, well-distributed generator; seeded by the day so output is reproducible.
fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A roughly normal draw (sum of uniforms, Irwin–Hall) with mean 0 and standard deviation 1.
fn normal(seed: u64) -> f64 {
    let mut s = seed;
    let mut sum = 0.0;
    for _ in 0..12 {
        s = splitmix(s);
        sum += (s >> 11) as f64 / (1u64 << 53) as f64;
    }
    sum - 6.0
}

/// BTC daily log-return volatility (≈ 2.5 %, near the 2024–2025 realised figure).
const DAILY_VOL: f64 = 0.025;
/// Difficulty drift per retarget (≈ 2 % per month at two retargets a month).
const RETARGET_DRIFT: f64 = 0.0095;
const RETARGET_VOL: f64 = 0.025;
const RETARGET_DAYS: i64 = 14;

/// Simulated days after `last` through `today` (none if `last` is today or later).
pub fn extend(last: &MarketDay, today: NaiveDate) -> Vec<MarketDay> {
    let mut out = Vec::new();
    let mut prev = *last;
    let mut date = last.date.succ_opt();
    while let Some(d) = date.filter(|d| *d <= today) {
        let seed = d.num_days_from_ce() as u64;
        let btc_usd = prev.btc_usd * (DAILY_VOL * normal(seed)).exp();
        let days_since = (d - last.date).num_days();
        let difficulty = if days_since % RETARGET_DAYS == 0 {
            prev.difficulty
                * (1.0 + RETARGET_DRIFT + RETARGET_VOL * normal(seed ^ 0xD1FF)).max(0.75)
        } else {
            prev.difficulty
        };
        let fees = (last.fees_btc_per_block * (1.0 + 0.3 * normal(seed ^ 0xFEE5))).max(0.005);
        prev = MarketDay {
            date: d,
            btc_usd,
            difficulty,
            fees_btc_per_block: fees,
            height: None,
            source: MarketSource::Simulated,
        };
        out.push(prev);
        date = d.succ_opt();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn last() -> MarketDay {
        MarketDay {
            date: NaiveDate::from_ymd_opt(2025, 11, 1).unwrap(),
            btc_usd: 100_000.0,
            difficulty: 150e12,
            fees_btc_per_block: 0.02,
            height: None,
            source: MarketSource::Bundled,
        }
    }

    #[test]
    fn fills_every_day_reproducibly_and_marks_them_simulated() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let a = extend(&last(), today);
        assert_eq!(a.len() as i64, (today - last().date).num_days());
        assert_eq!(a, extend(&last(), today));
        assert!(a.iter().all(|d| d.source == MarketSource::Simulated
            && d.btc_usd > 0.0
            && d.fees_btc_per_block > 0.0));
        // Difficulty changes only on retarget days and trends upward over a year.
        let changes = a
            .windows(2)
            .filter(|w| w[0].difficulty != w[1].difficulty)
            .count();
        assert!(changes <= a.len() / 13, "{changes}");
        assert!(a.last().unwrap().difficulty > last().difficulty);
        assert!(extend(&last(), last().date).is_empty());
    }
}
