//! Bitcoin chain parameters: subsidy schedule, network hashrate, block-height estimates.

use chrono::NaiveDate;

/// Blocks between halvings.
pub const HALVING_INTERVAL: u64 = 210_000;
/// Subsidy of the first epoch, in satoshis (50 BTC).
pub const INITIAL_SUBSIDY_SATS: u64 = 50 * SATS_PER_BTC;
/// Satoshis per bitcoin.
pub const SATS_PER_BTC: u64 = 100_000_000;
/// Target block interval in seconds.
pub const TARGET_BLOCK_SECS: f64 = 600.0;
/// Expected hashes per unit of difficulty (2^32).
pub const HASHES_PER_DIFFICULTY: f64 = 4_294_967_296.0;
/// Expected blocks per day at the target interval.
pub const BLOCKS_PER_DAY: f64 = 86_400.0 / TARGET_BLOCK_SECS;

/// Block subsidy in satoshis at `height`: 50 BTC shifted right once per 210,000 blocks.
pub fn subsidy_sats(height: u64) -> u64 {
    let epoch = height / HALVING_INTERVAL;
    if epoch >= 64 {
        0
    } else {
        INITIAL_SUBSIDY_SATS >> epoch
    }
}

/// Block subsidy in BTC at `height`.
pub fn subsidy_btc(height: u64) -> f64 {
    subsidy_sats(height) as f64 / SATS_PER_BTC as f64
}

/// First height of the next halving epoch after `height`.
pub fn next_halving_height(height: u64) -> u64 {
    (height / HALVING_INTERVAL + 1) * HALVING_INTERVAL
}

/// Network hashrate in H/s implied by `difficulty`: difficulty × 2^32 / 600 s.
pub fn network_hashrate_hs(difficulty: f64) -> f64 {
    difficulty * HASHES_PER_DIFFICULTY / TARGET_BLOCK_SECS
}

/// Observed (date, height) anchors used to estimate the height of a day.
/// Sources: block explorers (first block of 2023 and 2024, the 2024 halving block, first block of 2025).
const HEIGHT_ANCHORS: [(i32, u32, u32, u64); 4] = [
    (2023, 1, 1, 769_786),
    (2024, 1, 1, 823_786),
    (2024, 4, 20, 840_000),
    (2025, 1, 1, 877_260),
];

fn anchor(i: usize) -> (NaiveDate, u64) {
    let (y, m, d, h) = HEIGHT_ANCHORS[i];
    (
        NaiveDate::from_ymd_opt(y, m, d).expect("anchor dates are valid"),
        h,
    )
}

/// Estimated block height at the start of `date`: interpolated between observed anchors, and
/// extrapolated at 144 blocks per day outside them. Good to a few hundred blocks, which is all
/// the subsidy schedule needs (the halving date moves by a day or two at most).
pub fn estimated_height(date: NaiveDate) -> u64 {
    let (first_date, first_h) = anchor(0);
    if date <= first_date {
        let days = (first_date - date).num_days() as f64;
        return (first_h as f64 - days * BLOCKS_PER_DAY).max(0.0) as u64;
    }
    for i in 1..HEIGHT_ANCHORS.len() {
        let (d1, h1) = anchor(i);
        if date <= d1 {
            let (d0, h0) = anchor(i - 1);
            let span = (d1 - d0).num_days() as f64;
            let t = (date - d0).num_days() as f64 / span;
            return h0 + ((h1 - h0) as f64 * t).round() as u64;
        }
    }
    let (last_date, last_h) = anchor(HEIGHT_ANCHORS.len() - 1);
    last_h + ((date - last_date).num_days() as f64 * BLOCKS_PER_DAY).round() as u64
}

/// Estimated date on which `height` is reached (at 144 blocks per day after the last anchor).
pub fn estimated_date_of_height(height: u64) -> NaiveDate {
    let (last_date, last_h) = anchor(HEIGHT_ANCHORS.len() - 1);
    let days = (height as f64 - last_h as f64) / BLOCKS_PER_DAY;
    last_date + chrono::Duration::days(days.round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn subsidy_halves_at_each_epoch_boundary() {
        assert_eq!(subsidy_sats(0), 5_000_000_000);
        assert_eq!(subsidy_sats(209_999), 5_000_000_000);
        assert_eq!(subsidy_sats(210_000), 2_500_000_000);
        assert_eq!(subsidy_btc(839_999), 6.25);
        assert_eq!(subsidy_btc(840_000), 3.125);
        assert_eq!(subsidy_btc(1_049_999), 3.125);
        assert_eq!(subsidy_btc(1_050_000), 1.5625);
        assert_eq!(subsidy_sats(64 * HALVING_INTERVAL), 0);
        // The 33rd epoch is the last with a non-zero subsidy (1 sat).
        assert_eq!(subsidy_sats(32 * HALVING_INTERVAL), 1);
        assert_eq!(subsidy_sats(33 * HALVING_INTERVAL), 0);
    }

    #[test]
    fn difficulty_100t_is_715_8_ehs() {
        let ehs = network_hashrate_hs(100e12) / 1e18;
        assert!((ehs - 715.8).abs() < 0.05, "got {ehs}");
    }

    #[test]
    fn height_estimate_hits_anchors_and_the_2028_halving_lands_in_spring_2028() {
        assert_eq!(estimated_height(day(2024, 4, 20)), 840_000);
        assert_eq!(subsidy_btc(estimated_height(day(2024, 4, 21))), 3.125);
        assert_eq!(subsidy_btc(estimated_height(day(2024, 4, 18))), 6.25);
        let halving = estimated_date_of_height(1_050_000);
        assert!(
            halving >= day(2028, 3, 1) && halving <= day(2028, 5, 31),
            "{halving}"
        );
        assert_eq!(next_halving_height(877_260), 1_050_000);
        assert_eq!(subsidy_btc(estimated_height(day(2028, 12, 1))), 1.5625);
    }
}
