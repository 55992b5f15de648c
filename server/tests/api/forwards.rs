//! Forward inputs over real HTTP: a hashprice forward curve and a GPU rental index imported by
//! CSV into the store, the projection and the leases' mark-to-market they change, checked
//! against figures worked by hand; malformed files refused with their line, nothing stored.

use std::path::PathBuf;

use app::model::ai::lease::{LeaseContract, LeaseTerms};
use app::model::mining::forwards::model_key;
use serde_json::Value;
use server::forwards::{import_file, ForwardInput};

use super::support::{day, TestApp};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(format!(
        "{}/tests/fixtures/forwards/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// The curve's newest date (2026-06-12) prices July at $43.80 and August at $41.25 per PH/day;
/// its older date (with a September tenor) is not used. Each projected site-day in those months
/// earns hashrate ÷ 1,000 × forward × (1 − pool fee); September keeps the model.
#[tokio::test]
async fn a_forward_curve_prices_the_projection_as_worked_by_hand() {
    let app = TestApp::on(day(2026, 6, 15)).simulator(false).start().await;
    let store = app.store().await;
    let n = import_file(
        &store,
        ForwardInput::HashpriceCurve,
        &fixture("hashprice-curve.csv"),
    )
    .await
    .unwrap();
    assert_eq!(n, 4);
    let fees: std::collections::HashMap<String, f64> = store
        .sites()
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.id, s.pool_fee_pct))
        .collect();
    let (s, r) = app
        .get_json("/api/v1/revenue?from=2026-07-30&to=2026-09-02")
        .await;
    assert_eq!(s, 200, "{r}");
    let mut checked = 0;
    for row in r["days"].as_array().unwrap() {
        let date = row["date"].as_str().unwrap();
        let forward = match &date[..7] {
            "2026-07" => Some(43.80),
            "2026-08" => Some(41.25),
            _ => None,
        };
        assert_eq!(row["forward"], forward.is_some(), "{row}");
        if let Some(price) = forward {
            let fee = fees[row["site"].as_str().unwrap()];
            let by_hand = f(&row["hashrate_ths"]) / 1_000.0 * price * (1.0 - fee / 100.0);
            assert!((f(&row["mining_usd"]) - by_hand).abs() < 1e-6, "{row}");
            checked += usize::from(f(&row["hashrate_ths"]) > 0.0);
        }
    }
    assert!(checked >= 10, "mining site-days checked: {checked}");

    // The overview names the curve beside the projection.
    let page: Value = app
        .client
        .post(app.url("/api/get_overview"))
        .form(&[("range", "1y")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        page["overview"]["forward"],
        "forward · import:hashprice-curve.csv · as of 2026-06-12"
    );

    // The risk bands' July is centred on the same forward-priced revenue (the price held still,
    // only difficulty's volatility left: E[D̂/D] = e^{σ²t}, well under 1 %).
    let july: f64 = r["days"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["date"].as_str().unwrap().starts_with("2026-07"))
        .map(|d| f(&d["mining_usd"]))
        .sum();
    let (_, jul_only) = app
        .get_json("/api/v1/revenue?from=2026-07-01&to=2026-07-31")
        .await;
    let july_total: f64 = jul_only["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| f(&d["mining_usd"]))
        .sum();
    assert!(july > 0.0 && july_total > july);
    let (s, risk) = app
        .get_json("/api/v1/risk?range=12m&paths=2000&btc_vol=0&btc_drift=0")
        .await;
    assert_eq!(s, 200, "{risk}");
    let m0 = &risk["months"][0];
    assert_eq!(m0["month"], "2026-07-01");
    let mean = f(&m0["mining_usd"]["mean"]);
    assert!(
        (mean / july_total - 1.0).abs() < 0.01,
        "{mean} vs {july_total}"
    );

    // A malformed file is refused by its line and leaves the stored curve as it was.
    let before = store.newest_forward_curve().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (name, text, line) in [
        (
            "bad-price.csv",
            "as_of,month,usd_per_ph_day\n2026-06-20,2026-07,40\n2026-06-20,2026-08,forty\n",
            3,
        ),
        (
            "bad-month.csv",
            "as_of,month,usd_per_ph_day\n2026-06-20,2026-07,40\n\n2026-06-20,2026-7x,40\n",
            4,
        ),
        ("no-as-of.csv", "month,usd_per_ph_day\n2026-07,40\n", 1),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let err = format!(
            "{:#}",
            import_file(&store, ForwardInput::HashpriceCurve, &path)
                .await
                .unwrap_err()
        );
        assert!(
            err.contains(&format!("line {line}:")) && err.contains("nothing stored"),
            "{name}: {err}"
        );
    }
    assert_eq!(store.newest_forward_curve().await.unwrap(), before);
}

/// Each GPU-hour lease against its model's newest quote on or before today (a later quote is
/// ignored), worked by hand; a lease ending within 90 days 14.9 % below the market alerts on
/// the API and in /metrics.
#[tokio::test]
async fn gpu_leases_are_marked_to_the_index_as_worked_by_hand() {
    let app = TestApp::on(day(2026, 6, 15)).simulator(false).start().await;
    let store = app.store().await;
    let (_, empty) = app.get_json("/api/v1/leases/mark-to-market").await;
    assert!(
        empty["marks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["index"].is_null()),
        "no index imported yet: {empty}"
    );
    assert_eq!(
        import_file(&store, ForwardInput::GpuIndex, &fixture("gpu-index.csv"))
            .await
            .unwrap(),
        5
    );
    store
        .add_contract(&LeaseContract {
            register: Default::default(),
            id: "lab-h100-renewal".into(),
            site_id: "muskogee".into(),
            tenant: "Lab C".into(),
            terms: LeaseTerms::GpuHours {
                gpus: 512,
                usd_per_gpu_hour: 2.0,
                utilisation: 0.9,
                server_kw_per_gpu: 1.275,
                gpu_model: Some("h100-sxm".into()),
            },
            start_on: day(2025, 9, 1),
            ramp_months: 0,
            end_on: Some(day(2026, 8, 31)),
            power_pass_through: false,
            sla: None,
            devices: Vec::new(),
        })
        .await
        .unwrap();
    let (s, m) = app.get_json("/api/v1/leases/mark-to-market").await;
    assert_eq!(s, 200, "{m}");
    assert_eq!(m["threshold_pct"], 10.0);
    let mark = |id: &str| {
        m["marks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["contract_id"] == id)
            .unwrap_or_else(|| panic!("{id} in {m}"))
            .clone()
    };
    // Hours in an average month: 24 × 30.4375 = 730.5.
    // muskogee-gpu-1: (2.10 − 2.35) × 4,096 × 0.82 × 730.5 = −$613,386.24; 2.10/2.35 − 1.
    let g1 = mark("muskogee-gpu-1");
    assert_eq!(g1["index"]["usd_per_gpu_hour"], 2.35);
    assert_eq!(g1["index"]["date"], "2026-06-14");
    assert_eq!(g1["index"]["source"], "import:gpu-index.csv");
    assert!(
        (f(&g1["vs_market_usd_per_month"]) + 613_386.24).abs() < 1e-6,
        "{g1}"
    );
    assert!((f(&g1["vs_market_pct"]) - (2.10 / 2.35 - 1.0) * 100.0).abs() < 1e-9);
    assert_eq!(g1["alert"], false, "no end date: nothing to renew");
    // muskogee-gpu-2 (B200, from 2027): (3.40 − 3.10) × 8,192 × 0.78 × 730.5 = +$1,400,315.904.
    let g2 = mark("muskogee-gpu-2");
    assert!(
        (f(&g2["vs_market_usd_per_month"]) - 1_400_315.904).abs() < 1e-6,
        "{g2}"
    );
    // The renewal: (2.00 − 2.35) × 512 × 0.9 × 730.5 = −$117,815.04, −14.89 %, 77 days left.
    let lab = mark("lab-h100-renewal");
    assert!(
        (f(&lab["vs_market_usd_per_month"]) + 117_815.04).abs() < 1e-6,
        "{lab}"
    );
    assert_eq!(lab["renews_in_days"], 77);
    assert_eq!(lab["alert"], true);
    // Colocation is not marked.
    assert!(m["marks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["contract_id"] != "pecos-colo-a"));

    let metrics = app.metrics_text().await;
    assert!(
        metrics.contains(
            "rigshift_lease_below_market{contract=\"lab-h100-renewal\",gpu_model=\"H100 SXM\",site=\"muskogee\"} 1"
        ),
        "{}",
        metrics.lines().filter(|l| l.contains("lease")).collect::<Vec<_>>().join("\n")
    );
    assert!(metrics.contains(
        "rigshift_lease_below_market{contract=\"muskogee-gpu-1\",gpu_model=\"H100 SXM\",site=\"muskogee\"} 0"
    ));

    // A malformed index is refused by its line; the stored quotes are unchanged.
    let before = store.gpu_index_latest(day(2026, 6, 30)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    std::fs::write(
        &path,
        "date,gpu_model,usd_per_gpu_hour\n2026-06-15,H100 SXM,1.00\n2026-06-15,B200,-4\n",
    )
    .unwrap();
    let err = format!(
        "{:#}",
        import_file(&store, ForwardInput::GpuIndex, &path)
            .await
            .unwrap_err()
    );
    assert!(
        err.contains("line 3:") && err.contains("nothing stored"),
        "{err}"
    );
    let after = store.gpu_index_latest(day(2026, 6, 30)).await.unwrap();
    assert_eq!(after, before);
    // The latest by 2026-06-30 includes the 20th's quote; model names keyed as one model.
    assert!(after
        .iter()
        .any(|q| model_key(&q.gpu_model) == "h100sxm" && q.usd_per_gpu_hour == 9.99));
}

/// `--forwards-url` and `--gpu-index-url`: the CSVs a provider serves are fetched at start and
/// stored with their host as the source; a malformed answer stores nothing.
#[tokio::test]
async fn forward_inputs_from_urls_are_stored_with_their_source() {
    let curve = "as_of,month,usd_per_ph_day\n2026-06-12,2026-07,44\n";
    let index =
        "date,gpu_model,usd_per_gpu_hour\n2026-06-14,H100 SXM,2.2\n2026-06-14,B200,not-a-price\n";
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = axum::Router::new()
        .route(
            "/curve.csv",
            axum::routing::get(move || async move { curve }),
        )
        .route(
            "/index.csv",
            axum::routing::get(move || async move { index }),
        );
    tokio::spawn(async move { axum::serve(listener, router).await });
    let app = TestApp::on(day(2026, 6, 15))
        .simulator(false)
        .args(move |a| {
            a.forwards_url = Some(format!("http://{addr}/curve.csv"));
            a.gpu_index_url = Some(format!("http://{addr}/index.csv"));
        })
        .start()
        .await;
    let store = app.store().await;
    let curve = super::support::wait_until(
        "the curve's first fetch",
        std::time::Duration::from_secs(20),
        || async { store.newest_forward_curve().await.unwrap() },
    )
    .await;
    assert_eq!(curve.source, format!("feed:{addr}"));
    assert_eq!(curve.usd_per_ph_day(day(2026, 7, 9)), Some(44.0));
    // The index's bad line refused the whole answer: no H100 quote either.
    let (_, m) = app.get_json("/api/v1/leases/mark-to-market").await;
    assert!(
        m["marks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["index"].is_null()),
        "{m}"
    );
}
