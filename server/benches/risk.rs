//! The risk bands' Monte Carlo natively: `cargo bench -p server --bench risk` times 10,000 paths
//! × 36 months (the target: under 150 ms on this 2-core machine), best of five.

use std::time::Instant;

use app::model::investor::risk::{simulate, Dynamics, MonthInputs};
use chrono::NaiveDate;

fn main() {
    let start = NaiveDate::from_ymd_opt(2027, 1, 1).expect("date");
    let months: Vec<MonthInputs> = (0..36u32)
        .map(|i| MonthInputs {
            month: start
                .checked_add_months(chrono::Months::new(i))
                .expect("month"),
            years: f64::from(i + 1) / 12.0,
            btc_at_unit_difficulty: MonthInputs::btc_at_unit_difficulty(
                20_000_000.0,
                (0..30).map(|_| 3.155),
            ),
            // Half the horizon on a forward curve: both pricing branches timed.
            forward_mining_usd: if i < 18 { 4_000_000.0 } else { 0.0 },
            mining_power_usd: 6_000_000.0,
            ai_firm_usd: 15_000_000.0,
            ai_gpu_hours_usd: 8_000_000.0,
        })
        .collect();
    let d = Dynamics {
        btc_usd: 95_000.0,
        difficulty: 1.5e14,
        btc_drift_per_year: 0.2,
        btc_vol_per_year: 0.55,
        difficulty_growth_per_year: 0.35,
        difficulty_vol_per_year: 0.12,
        gpu_utilisation_vol: 0.08,
    };
    let mut best = f64::INFINITY;
    for seed in 0..5 {
        let t = Instant::now();
        let bands = simulate(&months, &d, 10_000, seed);
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        best = best.min(ms);
        println!(
            "seed {seed}: {ms:.1} ms; month 36 total P10 ${:.1}M P50 ${:.1}M P90 ${:.1}M",
            bands[35].total_usd.p10 / 1e6,
            bands[35].total_usd.p50 / 1e6,
            bands[35].total_usd.p90 / 1e6
        );
    }
    println!("10,000 paths x 36 months: best {best:.1} ms (target < 150 ms)");
}
