//! `cargo bench -p server --bench power [-- POINTS DAYS]`: writes a year of 15-minute prices for
//! POINTS (8) settlement points in ERCOT's report layout, parses and imports it (one transaction)
//! into a fresh SQLite file and, when `RIGSHIFT_TEST_POSTGRES_URL` names a cluster, a fresh
//! PostgreSQL database; then backtests curtailment over the year for one point. Prints times;
//! targets are an import under 5 s and a backtest answer under 200 ms.

use std::time::Instant;

use chrono::{Datelike, Duration, NaiveDate};

use app::model::power::contract::PowerContract;
use app::model::power::curtailment::{backtest, CurtailmentPolicy, MiningLoad};
use app::model::power::price_file::parse_prices;
use server::store::Store;

fn ercot_year(points: usize, days: i64) -> String {
    let mut out = String::from("Delivery Date,Delivery Hour,Delivery Interval,Repeated Hour Flag,Settlement Point Name,Settlement Point Type,Settlement Point Price\n");
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for d in 0..days {
        let date = start + Duration::days(d);
        // The fall-back day repeats hour ending 02; spring skips hour ending 03.
        let fall = date == NaiveDate::from_ymd_opt(2025, 11, 2).unwrap();
        let spring = date == NaiveDate::from_ymd_opt(2025, 3, 9).unwrap();
        for hour in 1..=24u32 {
            if spring && hour == 3 {
                continue;
            }
            for repeat in if fall && hour == 2 {
                &["N", "Y"][..]
            } else {
                &["N"][..]
            } {
                for interval in 1..=4 {
                    for p in 0..points {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        let spike = seed % 400 == 0;
                        let price = if spike {
                            900.0 + (seed % 4000) as f64
                        } else {
                            20.0 + (seed % 3000) as f64 / 100.0
                        };
                        out.push_str(&format!(
                            "{:02}/{:02}/{},{hour},{interval},{repeat},HB_P{p},HU,{price:.2}\n",
                            date.month(),
                            date.day(),
                            date.year()
                        ));
                    }
                }
            }
        }
    }
    out
}

async fn run(label: &str, url: &str, text: &str) {
    let store = Store::connect(url).await.unwrap();
    let t = Instant::now();
    let rows = parse_prices(text).unwrap();
    let parsed = t.elapsed();
    let n = store
        .upsert_power_prices(&rows, "import:bench.csv", chrono::Utc::now())
        .await
        .unwrap();
    let imported = t.elapsed();
    let from = rows.iter().map(|r| r.interval_start).min().unwrap();
    let to = rows.iter().map(|r| r.interval_start).max().unwrap() + Duration::minutes(15);
    let contract = PowerContract::Index {
        point: "HB_P0".into(),
        settles_on: None,
        adder_usd_per_mwh: 3.0,
        cap_usd_per_mwh: None,
    };
    let mut best = f64::MAX;
    let mut curtailed = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let prices = store.power_prices("HB_P0", false, from, to).await.unwrap();
        let out = backtest(
            &prices,
            MiningLoad {
                mw: 200.0,
                j_per_th: 17.5,
                firm_mw: 0.0,
            },
            &contract,
            &CurtailmentPolicy {
                min_intervals: 2,
                ramp_cost_usd: 500.0,
                ..Default::default()
            },
            |_| 0.045,
        );
        best = best.min(t.elapsed().as_secs_f64() * 1000.0);
        curtailed = out.iter().filter(|r| !r.mined).count();
    }
    println!(
        "{label}: {n} rows; parse {:.2} s, parse + import {:.2} s; backtest of one point's year (read + model, best of 5): {best:.1} ms, {curtailed} intervals curtailed",
        parsed.as_secs_f64(),
        imported.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let points = args.first().and_then(|a| a.parse().ok()).unwrap_or(8);
    let days = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(365);
    let text = ercot_year(points, days);
    println!(
        "{points} points × {days} days: {:.1} MB of ERCOT-layout CSV",
        text.len() as f64 / 1e6
    );
    let dir = tempfile::tempdir().unwrap();
    run(
        "SQLite",
        &format!("sqlite://{}", dir.path().join("bench.db").display()),
        &text,
    )
    .await;
    if std::env::var("RIGSHIFT_TEST_POSTGRES_URL").is_ok() {
        let url = server::testing::postgres_database()
            .await
            .expect("a PostgreSQL database");
        run("PostgreSQL", &url, &text).await;
    } else {
        println!("PostgreSQL: set RIGSHIFT_TEST_POSTGRES_URL (scripts/postgres.sh start DIR) to measure it too");
    }
}
