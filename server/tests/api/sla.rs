//! The tenants' SLA ledger end to end: samples through the store, rolled up as the server does,
//! measured per contract month and priced by the contract's credit schedule.

use app::model::fleet::devices::DeviceStatus;
use chrono::{Duration, TimeZone, Utc};
use server::store::{DeviceSpec, SampleRow, Store};

use crate::support::{day, TestApp};

/// A hall of one 8-GPU node under a 99.9 % SLA, offline 50 minutes in November (30 days).
/// By hand: 8 × 50 = 400 unavailable GPU-minutes of 8 × 43,200 → 99.884259 % < 99.9 % → the
/// 10 % step. Fee 8 GPUs × $2.50 × 24 h × 30 days = $14,400; credit $1,440; net $12,960.
#[tokio::test]
async fn fifty_minutes_offline_in_november_cost_the_hand_worked_credit() {
    let app = TestApp::on(day(2026, 12, 4)).simulator(false).start().await;
    let store = Store::connect(&app.database_url).await.unwrap();
    let contract = serde_json::json!({
        "id": "hall-a", "site_id": "muskogee", "tenant": "Acme AI",
        "terms": { "kind": "gpu_hours", "gpus": 8, "usd_per_gpu_hour": 2.5, "utilisation": 1.0, "server_kw_per_gpu": 1.275 },
        "start_on": "2026-01-01", "ramp_months": 0, "end_on": null, "power_pass_through": false,
        "sla": { "availability_pct": 99.9, "credits": [
            { "below_pct": 99.9, "credit_pct": 10.0 }, { "below_pct": 99.0, "credit_pct": 25.0 }, { "below_pct": 95.0, "credit_pct": 100.0 } ] },
        "devices": ["hall-a-node"]
    });
    store
        .add_contract(&serde_json::from_value(contract).unwrap())
        .await
        .unwrap();
    store
        .upsert_device(
            &DeviceSpec {
                id: "hall-a-node".into(),
                kind: app::model::fleet::devices::DeviceKind::Gpu,
                model: "H100-SXM".into(),
                site: "muskogee".into(),
                address: "http://127.0.0.1:9/metrics".into(),
                credentials_env: None,
                protocol: Default::default(),
            },
            "api",
        )
        .await
        .unwrap();
    // Every 10 minutes of November for 8 GPUs; 03:10–03:50 on the 14th offline (5 of the
    // hour's 6 samples: 50 minutes). GPU 0 of another node at the site is out of scope.
    let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let down_from = Utc.with_ymd_and_hms(2026, 11, 14, 3, 10, 0).unwrap();
    let down_to = Utc.with_ymd_and_hms(2026, 11, 14, 4, 0, 0).unwrap();
    let mut rows = Vec::new();
    for step in 0..30 * 144 {
        let at = start + Duration::minutes(10 * step);
        let down = at >= down_from && at < down_to;
        for g in 0..8 {
            rows.push(SampleRow {
                device_id: format!("hall-a-node/gpu{g}"),
                at,
                status: if down {
                    DeviceStatus::Offline
                } else {
                    DeviceStatus::Online
                },
                hashrate_ths: None,
                share_hashrate_ths: None,
                gpu_util_pct: Some(90.0),
                temp_c: Some(60.0),
                power_w: Some(690.0),
                reason: down.then_some("offline"),
            });
        }
    }
    store.write_tick(start, &[], rows, &[]).await.unwrap();
    store.flush_samples().await.unwrap();
    store
        .roll_up_samples(
            Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap(),
            Duration::days(400),
        )
        .await
        .unwrap();

    let (status, ledger) = app.get_json("/api/v1/sla?month=2026-11").await;
    assert_eq!(status, 200, "{ledger}");
    let row = ledger["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["contract_id"] == "hall-a")
        .expect("hall-a in the ledger")
        .clone();
    let availability = 100.0 * (1.0 - 400.0 / 345_600.0);
    assert!(
        (row["availability_pct"].as_f64().unwrap() - availability).abs() < 1e-9,
        "{row}"
    );
    assert_eq!(row["gpus"], 8);
    assert!((row["unavailable_gpu_minutes"].as_f64().unwrap() - 400.0).abs() < 1e-9);
    assert!((row["fee_usd"].as_f64().unwrap() - 14_400.0).abs() < 1e-6);
    assert_eq!(row["credit_pct"], 10.0);
    assert!((row["credit_usd"].as_f64().unwrap() - 1_440.0).abs() < 1e-6);
    assert!((row["net_usd"].as_f64().unwrap() - 12_960.0).abs() < 1e-6);
    assert_eq!(row["source"], "measured");
    assert!((row["observed_share"].as_f64().unwrap() - 1.0).abs() < 1e-12);

    // The revenue history takes the month's credits out of AI revenue: at Muskogee, the sum of
    // the ledger's credits there, spread over November's days. Only hall-a's: the H100 cloud
    // names its own nodes, so hall-a's outage is not also charged to it.
    let site_credits: f64 = ledger["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["site_id"] == "muskogee")
        .map(|r| r["credit_usd"].as_f64().unwrap())
        .sum();
    assert!((site_credits - 1_440.0).abs() < 1e-9, "{site_credits}");
    let (status, revenue) = app
        .get_json("/api/v1/revenue?from=2026-11-01&to=2026-11-30&site=muskogee")
        .await;
    assert_eq!(status, 200, "{revenue}");
    let days = revenue["days"].as_array().expect("days");
    assert_eq!(days.len(), 30);
    let credited: f64 = days
        .iter()
        .map(|d| d["sla_credit_usd"].as_f64().unwrap())
        .sum();
    assert!(
        (credited - site_credits).abs() < 1e-6,
        "{credited} vs {site_credits}"
    );

    // The CSV carries the same row; a bad month is refused by name.
    let csv = app
        .client
        .get(app.url("/api/v1/sla.csv?month=2026-11"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let line = csv.lines().find(|l| l.contains("hall-a")).expect("csv row");
    assert!(
        line.contains("14400.00") && line.contains("1440.00") && line.contains("12960.00"),
        "{line}"
    );
    assert!(line.contains("99.884259"), "{line}");
    let (status, err) = app.get_json("/api/v1/sla?month=2026-13").await;
    assert_eq!(status, 422, "{err}");
    let (status, _) = app.get_json("/api/v1/sla?month=2027-01").await;
    assert_eq!(status, 422, "a month that has not started");
}
