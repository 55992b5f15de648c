//! The demo company's markets (`--demo` with the simulator, the README's run command): so a
//! newcomer sees every capability, Pecos Ridge buys power at the HB_WEST index with a
//! demand-response programme and 4CP, over a year of simulated 15-minute prices (solar dip,
//! evening ramp, negative noons, scarcity spikes); a simulated hashprice forward curve and GPU
//! rental index quotes price the projection and mark the GPU leases; a tenant can sign in. All
//! of it is stored with source `simulated`, and nothing here touches data the company entered:
//! terms are set only on a demo site without terms, prices only at a point no real source
//! feeds, a curve and quotes only when none is stored.

use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc};

use app::api::auth::Role;
use app::model::mining::forwards::{ForwardRow, ForwardTenor, GpuIndexQuote};
use app::model::power::contract::{IntervalPrice, PowerContract};
use app::model::power::curtailment::{CurtailmentPolicy, DemandResponse, SitePower};

use crate::store::Store;

/// The source every demo figure is stored with.
pub const SOURCE: &str = "simulated";
/// The demo's index site and the settlement point it buys at.
pub const INDEX_SITE: &str = "pecos-ridge";
pub const POINT: &str = "HB_WEST";
/// Days of prices kept simulated behind today.
const HISTORY_DAYS: i64 = 365;

/// SplitMix64, seeded by the interval, so every start and every replica draws the same prices.
fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A uniform draw in [0, 1).
fn uniform(seed: u64) -> f64 {
    (splitmix(seed) >> 11) as f64 / (1u64 << 53) as f64
}

/// A roughly normal draw (Irwin–Hall of 12 uniforms), mean 0, deviation 1.
fn normal(seed: u64) -> f64 {
    (0..12u64)
        .map(|k| uniform(seed.wrapping_mul(31).wrapping_add(k)))
        .sum::<f64>()
        - 6.0
}

/// The simulated real-time price of the 15-minute interval starting `at`, $/MWh, within
/// ERCOT's offer floor and cap (−250 to 5,000): West Texas's shape — cheap, sometimes negative
/// noons under solar, an evening ramp, hotter summers — with day-level weather, interval noise
/// and rare scarcity spikes clustered in the evening.
pub fn price(at: DateTime<Utc>) -> f64 {
    let interval = at.timestamp().div_euclid(900) as u64;
    let day = at.date_naive().num_days_from_ce() as u64;
    // Central time is UTC−6 (−5 in summer); an hour off in summer does not matter to a demo.
    let hour = (at.hour() + 18) % 24;
    let summer = (6..=9).contains(&at.month());
    let shape = match hour {
        0..=5 => 24.0,
        6..=9 => 30.0,
        10..=15 => 14.0,
        16..=17 => 34.0,
        18..=21 => 55.0 + if summer { 35.0 } else { 0.0 },
        _ => 32.0,
    };
    let weather = 9.0 * normal(day ^ 0xDA7);
    let noise = 5.0 * normal(interval ^ 0x1A7E);
    let mut p = shape + weather + noise;
    // Negative noons: a windy, sunny spring or autumn day.
    if (10..=15).contains(&hour) && uniform(day ^ 0x50A) < 0.12 {
        p = -5.0 - 25.0 * uniform(interval ^ 0x5E6);
    }
    // Scarcity: a few intervals a month, mostly in the evening ramp.
    let odds = if (17..=21).contains(&hour) {
        0.012
    } else {
        0.002
    };
    if uniform(interval ^ 0x5B1CE) < odds {
        p = 180.0 + 1_800.0 * uniform(interval ^ 0xBEEF).powi(2);
    }
    p.clamp(-250.0, 5_000.0)
}

/// The demo's Pecos Ridge terms: the HB_WEST index plus delivery, curtailed at breakeven, in
/// a 50 MW demand-response programme, paying 4CP.
pub fn index_terms() -> SitePower {
    SitePower {
        contract: PowerContract::Index {
            point: POINT.into(),
            settles_on: None,
            adder_usd_per_mwh: 3.5,
            cap_usd_per_mwh: None,
        },
        policy: CurtailmentPolicy::default(),
        demand_response: Some(DemandResponse {
            committed_mw: 50.0,
            usd_per_mw_month: 4_500.0,
        }),
        four_cp_usd_per_kw_year: Some(60.0),
    }
}

/// Every interval of the UTC days `[from, to]`.
pub fn prices(from: NaiveDate, to: NaiveDate) -> Vec<IntervalPrice> {
    let mut out = Vec::new();
    let mut day = from;
    while day <= to {
        let start = Utc.from_utc_datetime(&day.and_time(chrono::NaiveTime::MIN));
        for i in 0..96 {
            let at = start + Duration::minutes(15 * i);
            out.push(IntervalPrice {
                point: POINT.into(),
                point_type: String::new(),
                interval_start: at,
                usd_per_mwh: price(at),
            });
        }
        day = day + Duration::days(1);
    }
    out
}

/// A 12-month curve from today's hashprice, falling with difficulty's growth (2 % a month).
pub fn forward_curve(today: NaiveDate, hashprice_usd_per_ph_day: f64) -> Vec<ForwardRow> {
    let first = today.with_day(1).unwrap_or(today);
    (1..=12u32)
        .filter_map(|k| {
            let month = first.checked_add_months(chrono::Months::new(k))?;
            Some(ForwardRow {
                as_of: today,
                tenor: ForwardTenor {
                    month,
                    usd_per_ph_day: hashprice_usd_per_ph_day / 1.02f64.powi(k as i32),
                },
            })
        })
        .collect()
}

/// Today's rental quotes for the GPUs the demo's leases rent, moving a little day by day.
pub fn gpu_quotes(today: NaiveDate) -> Vec<GpuIndexQuote> {
    let day = today.num_days_from_ce() as u64;
    [("H100 SXM", 2.25), ("B200", 3.55)]
        .into_iter()
        .enumerate()
        .map(|(i, (model, base))| GpuIndexQuote {
            date: today,
            gpu_model: model.into(),
            usd_per_gpu_hour: (base * (1.0 + 0.04 * normal(day ^ (i as u64 + 7)))).max(0.5),
            source: SOURCE.into(),
        })
        .collect()
}

/// Fills in whatever of the demo's markets is missing (see the module note).
pub async fn enrich(store: &Arc<Store>, today: NaiveDate) -> anyhow::Result<()> {
    let portfolio = store.stored_portfolio().await?;
    let demo_site = portfolio
        .portfolio
        .site(INDEX_SITE)
        .filter(|_| portfolio.demo_sites.iter().any(|d| d == INDEX_SITE));
    let Some(site) = demo_site else {
        return Ok(());
    };
    if site.power.is_none() {
        store
            .set_site_power(INDEX_SITE, Some(&index_terms()), "demo")
            .await?;
    }
    let coverage = store.power_coverage().await?;
    let fed = coverage.iter().find(|c| c.point == POINT);
    if fed.is_none_or(|c| c.source.as_deref() == Some(SOURCE)) {
        let have_through = fed.and_then(|c| c.last).map(|l| l.date_naive());
        let from = have_through.map_or(today - Duration::days(HISTORY_DAYS), |d| {
            d + Duration::days(1)
        });
        if from <= today {
            let rows = prices(from, today);
            store.upsert_power_prices(&rows, SOURCE, Utc::now()).await?;
            tracing::info!(
                rows = rows.len(),
                point = POINT,
                "demo: simulated power prices"
            );
        }
    }
    if store.newest_forward_curve().await?.is_none() {
        if let Some(m) = store.last_market_day().await? {
            let rows = forward_curve(today, m.hashprice_usd_per_ph_day());
            store
                .replace_forward_curves(&rows, SOURCE, Utc::now())
                .await?;
        }
    }
    if store.gpu_index_latest(today).await?.is_empty() {
        store
            .upsert_gpu_index(&gpu_quotes(today), SOURCE, Utc::now())
            .await?;
    }
    Ok(())
}

/// The demo's tenant login (the H100 cloud's tenant), created once with a password printed in
/// the log like the first admin's.
pub async fn tenant_login(
    auth: &crate::auth::Auth,
    store: &Store,
) -> anyhow::Result<Option<String>> {
    const TENANT: &str = "Own GPU cloud (H100 SXM)";
    let users = store.users().await?;
    if users.iter().any(|u| u.role == Role::Tenant) {
        return Ok(None);
    }
    let portfolio = store.stored_portfolio().await?;
    let leased = portfolio
        .portfolio
        .sites
        .iter()
        .filter(|s| portfolio.demo_sites.contains(&s.id))
        .any(|s| s.contracts.iter().any(|c| c.tenant == TENANT));
    if !leased {
        return Ok(None);
    }
    let password = crate::auth::secrets::random_password()?;
    auth.add_user("tenant", Role::Tenant, Some(TENANT), &password, "demo")
        .await
        .map_err(|e| anyhow::anyhow!("creating the demo tenant: {e}"))?;
    Ok(Some(password))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_year_of_prices_has_the_shape_of_west_texas() {
        let rows = prices(day(2025, 12, 8), day(2026, 12, 7));
        assert_eq!(rows.len(), 365 * 96);
        assert_eq!(
            prices(day(2026, 7, 1), day(2026, 7, 1)),
            prices(day(2026, 7, 1), day(2026, 7, 1)),
            "deterministic"
        );
        let p: Vec<f64> = rows.iter().map(|r| r.usd_per_mwh).collect();
        let mean = p.iter().sum::<f64>() / p.len() as f64;
        assert!((20.0..60.0).contains(&mean), "mean {mean}");
        let spikes = p.iter().filter(|v| **v > 150.0).count();
        let negative = p.iter().filter(|v| **v < 0.0).count();
        // A few intervals a month spike; some noons go negative; all within ERCOT's bounds.
        assert!((100..1_500).contains(&spikes), "{spikes} spikes");
        assert!(negative > 200, "{negative} negative");
        assert!(p.iter().all(|v| (-250.0..=5_000.0).contains(v)));
        // Evenings cost more than noons.
        let at_hour = |h: u32| {
            let v: Vec<f64> = rows
                .iter()
                .filter(|r| (r.interval_start.hour() + 18) % 24 == h)
                .map(|r| r.usd_per_mwh)
                .collect();
            v.iter().sum::<f64>() / v.len() as f64
        };
        assert!(at_hour(19) > at_hour(12) + 20.0);
        index_terms().validate().unwrap();
    }

    #[test]
    fn the_forward_curve_starts_next_month_and_falls_with_difficulty() {
        let rows = forward_curve(day(2026, 12, 7), 50.0);
        assert_eq!(rows.len(), 12);
        assert_eq!(rows[0].tenor.month, day(2027, 1, 1));
        assert!((rows[0].tenor.usd_per_ph_day - 50.0 / 1.02).abs() < 1e-12);
        assert!(rows
            .windows(2)
            .all(|w| w[1].tenor.usd_per_ph_day < w[0].tenor.usd_per_ph_day));
        let q = gpu_quotes(day(2026, 12, 7));
        assert_eq!(q.len(), 2);
        assert!(q
            .iter()
            .all(|q| q.source == SOURCE && q.usd_per_gpu_hour > 0.5));
    }
}
