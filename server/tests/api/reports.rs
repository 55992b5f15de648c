//! Closed months over real HTTP, on both engines: a month closes once it has ended, its
//! figures never move with later data, and a restatement adds a version naming what changed.

use app::model::pool::PoolDay;
use serde_json::{json, Value};

use super::support::{day, TestApp};

#[tokio::test]
async fn a_closed_month_stays_put_and_a_restatement_names_its_changes_on_both_engines() {
    for engine in super::support::engines().await {
        let label = if engine.is_some() {
            "postgresql"
        } else {
            "sqlite"
        };
        let app = TestApp::on(day(2025, 10, 5))
            .simulator(false)
            .args(move |a| {
                if let Some(url) = engine {
                    a.database_url = url;
                }
            })
            .start()
            .await;
        let (s, _) = app.get_json("/api/v1/reports/2025-09").await;
        assert_eq!(s, 404, "{label}: not closed yet");
        let (s, b) = app
            .post_json("/api/v1/reports/2025-10/close", &json!({}))
            .await;
        assert_eq!(s, 422, "{label}: October has not ended: {b}");
        // Muskogee's modelled BTC on 10 November, before any pool reports it.
        let (_, before) = app
            .get_json("/api/v1/revenue?from=2025-09-10&to=2025-09-10&site=muskogee")
            .await;
        let modelled = before["days"][0]["btc_mined"].as_f64().unwrap();
        let (s, v1) = app
            .post_json("/api/v1/reports/2025-09/close", &json!({}))
            .await;
        assert_eq!(s, 201, "{label}: {v1}");
        assert_eq!(
            (v1["version"].as_i64(), v1["footnote"].as_str()),
            (Some(1), Some("unaudited, estimated"))
        );
        let sites = v1["figures"]["sites"].as_array().unwrap();
        assert_eq!(sites.len(), 3, "{label}: {v1}");
        let total: f64 = sites
            .iter()
            .map(|s| s["btc_produced"].as_f64().unwrap())
            .sum();
        assert!((v1["figures"]["total"]["btc_produced"].as_f64().unwrap() - total).abs() < 1e-9);
        assert!(sites.iter().all(|s| s["days"] == 30), "{v1}");
        // A month before any history has nothing to close.
        let (s, b) = app
            .post_json("/api/v1/reports/2001-01/close", &json!({}))
            .await;
        assert_eq!(s, 422, "{label}: {b}");
        let (s, _) = app
            .post_json("/api/v1/reports/2025-09/close", &json!({}))
            .await;
        assert_eq!(s, 409, "{label}: closed once");
        // A pool payout arrives after the close: the closed month does not move.
        let store = app.store().await;
        store
            .upsert_pool_days(
                &[PoolDay {
                    date: day(2025, 9, 10),
                    site: "muskogee".into(),
                    pool: "braiins".into(),
                    btc: 0.5,
                }],
                chrono::Utc::now(),
            )
            .await
            .unwrap();
        let (_, again) = app.get_json("/api/v1/reports/2025-09").await;
        assert_eq!(
            again["figures"], v1["figures"],
            "{label}: a closed month is frozen"
        );
        // Restated with a reason: version 2 from the data now, the changed lines named.
        let (s, b) = app
            .post_json("/api/v1/reports/2025-09/restate", &json!({ "reason": " " }))
            .await;
        assert_eq!(s, 422, "{label}: a restatement says why: {b}");
        let (s, v2) = app
            .post_json(
                "/api/v1/reports/2025-09/restate",
                &json!({ "reason": "Braiins revised its payouts" }),
            )
            .await;
        assert_eq!(s, 201, "{label}: {v2}");
        assert_eq!(v2["version"], 2);
        assert_eq!(v2["versions"], json!([1, 2]));
        let changed = |site: &str, figure: &str| -> Option<Value> {
            v2["changes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["site"] == site && c["figure"] == figure)
                .cloned()
        };
        let line = changed("muskogee", "btc_produced").unwrap_or_else(|| panic!("{v2}"));
        let moved = line["after"].as_f64().unwrap() - line["before"].as_f64().unwrap();
        assert!(
            (moved - (0.5 - modelled)).abs() < 1e-9,
            "{label}: {line} vs {modelled}"
        );
        assert!(changed("total", "btc_produced").is_some());
        assert!(changed("pecos-ridge", "btc_produced").is_none(), "{v2}");
        let (_, old) = app.get_json("/api/v1/reports/2025-09?version=1").await;
        assert_eq!(
            old["figures"], v1["figures"],
            "{label}: version 1 readable as it was"
        );
        let (_, list) = app.get_json("/api/v1/reports").await;
        let versions: Vec<(String, i64)> = list["months"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["month"].as_str().unwrap().to_string(),
                    r["version"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            versions,
            vec![("2025-09".to_string(), 1), ("2025-09".to_string(), 2)]
        );
        let (s, _) = app
            .post_json("/api/v1/reports/2025-08/restate", &json!({ "reason": "x" }))
            .await;
        assert_eq!(s, 404, "{label}: only a closed month restates");
        // Deployed hashrate at the month's end and the fleet's J/TH come with every site.
        for site in v2["figures"]["sites"].as_array().unwrap() {
            assert!(
                site["deployed_hashrate_ths"].as_f64().unwrap() > 0.0,
                "{site}"
            );
            assert!(site["fleet_j_per_th"].as_f64().unwrap() > 10.0, "{site}");
        }
        // Flat-priced sites buy every MWh at their $/kWh: the all-in price says so.
        let (_, listed) = app.get_json("/api/v1/sites").await;
        for site in v2["figures"]["sites"].as_array().unwrap() {
            let kwh = listed["sites"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["id"] == site["site"])
                .unwrap()["power_usd_per_kwh"]
                .as_f64()
                .unwrap();
            let per_mwh = site["power_usd_per_mwh"].as_f64().unwrap();
            assert!((per_mwh - kwh * 1000.0).abs() < 1e-6, "{label}: {site}");
            assert!(site["energy_mwh"].as_f64().unwrap() > 0.0);
        }
        // Month on month, once the month before is closed: each figure against it.
        assert!(
            v2["month_on_month"].is_null(),
            "{label}: August is not closed yet"
        );
        let (s, aug) = app
            .post_json("/api/v1/reports/2025-08/close", &json!({}))
            .await;
        assert_eq!(s, 201, "{aug}");
        let (_, sep) = app.get_json("/api/v1/reports/2025-09").await;
        assert_eq!(sep["month_on_month"]["month"], "2025-08");
        let line = sep["month_on_month"]["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["site"] == "total" && l["figure"] == "btc_produced")
            .cloned()
            .unwrap_or_else(|| panic!("{sep}"));
        let (this, prior) = (
            sep["figures"]["total"]["btc_produced"].as_f64().unwrap(),
            aug["figures"]["total"]["btc_produced"].as_f64().unwrap(),
        );
        assert!(
            (line["change_pct"].as_f64().unwrap() - 100.0 * (this - prior) / prior).abs() < 1e-9
        );
        assert!(
            sep["year_on_year"].is_null(),
            "{label}: September 2024 is not closed"
        );
        let (_, audit) = app.get_json("/api/v1/audit").await;
        let actions: Vec<&str> = audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["target"] == "2025-09")
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert!(
            actions.contains(&"report.close") && actions.contains(&"report.restate"),
            "{actions:?}"
        );
        app.stop().await;
    }
}
