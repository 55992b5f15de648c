//! Closed months over real HTTP, on both engines: a month closes once it has ended, its
//! figures never move with later data, and a restatement adds a version naming what changed.

use app::model::fleet::devices::{Device, DeviceKind, DeviceStatus};
use app::model::mining::pool::PoolDay;
use serde_json::{json, Value};

use super::support::{day, TestApp};

#[tokio::test]
async fn a_closed_month_stays_put_and_a_restatement_names_its_changes_on_both_engines() {
    for engine in super::support::engines().await {
        let label = super::support::engine_label(&engine);
        let app = TestApp::on(day(2025, 10, 5))
            .simulator(false)
            .engine(engine)
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
        // Where the market figures came from, day by day.
        let market_days: u64 = v1["figures"]["market_days_by_source"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(
            market_days, 30,
            "{label}: {}",
            v1["figures"]["market_days_by_source"]
        );
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
        // The pages' server functions answer with the error's own status, not 500.
        let form = "application/x-www-form-urlencoded";
        let (s, _) = app
            .post_raw("/api/get_report", form, "month=2025-07".into())
            .await;
        assert_eq!(s, 404, "{label}: a month not closed");
        let (s, _) = app
            .post_raw("/api/close_report", form, "month=2025-13".into())
            .await;
        assert_eq!(s, 422, "{label}: not a month");
        let (s, _) = app
            .post_raw("/api/close_report", form, "month=2025-09".into())
            .await;
        assert_eq!(s, 409, "{label}: closed already");
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

/// What investors are told beyond production, through the API on both engines: a site's
/// operating cost and a contract's register (written through the portfolio), a power credit
/// recorded before the close and one that arrives after it (moving the month only when it is
/// restated), the CSV of each version, and the `production` embed publishing closed months only.
#[tokio::test]
async fn credits_opex_and_the_register_close_with_the_month_and_publish_on_both_engines() {
    for engine in super::support::engines().await {
        let label = super::support::engine_label(&engine);
        let app = TestApp::on(day(2025, 10, 5))
            .simulator(false)
            .engine(engine)
            .start()
            .await;
        // The portfolio gains an opex figure and a contract's register.
        let (_, mut doc) = app.get_json("/api/v1/portfolio").await;
        let sites = doc["sites"].as_array_mut().unwrap();
        let muskogee = sites.iter_mut().find(|s| s["id"] == "muskogee").unwrap();
        muskogee["opex_usd_per_mw_month"] = json!(12_000.0);
        let (site_id, contract_id) = sites
            .iter_mut()
            .find_map(|s| {
                let id = s["id"].as_str().unwrap().to_string();
                let capacity = s["capacity_mw"].as_f64().unwrap();
                let c = s["contracts"]
                    .as_array_mut()?
                    .iter_mut()
                    .find(|c| c["end_on"].is_string() && c["terms"]["kind"] == "colocation")?;
                let critical = c["terms"]["critical_mw"].as_f64().unwrap();
                c["register"] = json!({
                    "gross_mw": (critical * 1.3).min(capacity),
                    "extensions": [{ "months": 24, "price": 140.0 }],
                    "credit_support": "Letter of credit, 6 months"
                });
                Some((id, c["id"].as_str().unwrap().to_string()))
            })
            .expect("a colocation contract with an end");
        let r = app
            .request_as(
                Some(app::api::auth::Role::Admin),
                reqwest::Method::PUT,
                "/api/v1/portfolio",
            )
            .json(&doc)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{label}");
        let (_, after) = app.get_json("/api/v1/portfolio").await;
        let stored = after["sites"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == "muskogee")
            .cloned()
            .unwrap();
        assert_eq!(
            stored["opex_usd_per_mw_month"], 12_000.0,
            "{label}: reads back"
        );
        // Credits: checked, then recorded.
        for (bad, want) in [
            (
                json!({ "site": "nowhere", "month": "2025-09", "kind": "demand_response", "usd": 1.0 }),
                404,
            ),
            (
                json!({ "site": "muskogee", "month": "2025-13", "kind": "demand_response", "usd": 1.0 }),
                422,
            ),
            (
                json!({ "site": "muskogee", "month": "2025-09", "kind": "rebate", "usd": 1.0 }),
                422,
            ),
            (
                json!({ "site": "muskogee", "month": "2025-09", "kind": "four_cp", "usd": 0.0 }),
                422,
            ),
        ] {
            let (s, b) = app.post_json("/api/v1/power-credits", &bad).await;
            assert_eq!(s, want, "{label}: {bad} → {b}");
        }
        let (s, credit) = app
            .post_json(
                "/api/v1/power-credits",
                &json!({ "site": "muskogee", "month": "2025-09", "kind": "demand_response", "usd": 25_000.0, "note": "ERS statement 09/25" }),
            )
            .await;
        assert_eq!(s, 201, "{label}: {credit}");
        let (s, v1) = app
            .post_json("/api/v1/reports/2025-09/close", &json!({}))
            .await;
        assert_eq!(s, 201, "{label}: {v1}");
        let site = |v: &Value, id: &str| -> Value {
            v["figures"]["sites"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["site"] == id)
                .cloned()
                .unwrap()
        };
        let m = site(&v1, "muskogee");
        let f = |v: &Value, k: &str| v[k].as_f64().unwrap_or_else(|| panic!("{k} in {v}"));
        assert_eq!(
            m["power_credits_usd"]["demand_response"], 25_000.0,
            "{label}: {m}"
        );
        assert!((f(&m, "net_power_cost_usd") - (f(&m, "power_cost_usd") - 25_000.0)).abs() < 1e-6);
        // $12,000 per MW-month over its mining MW for the whole of September.
        assert!(
            (f(&m, "mining_opex_usd") - 12_000.0 * f(&m, "mining_mw")).abs() < 1e-6,
            "{m}"
        );
        assert!(
            m["mining_margin_all_in_pct"].as_f64().unwrap()
                < m["hardware_margin_pct"].as_f64().unwrap()
        );
        let register = &v1["figures"]["register"];
        let line = register["contracts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["contract"] == contract_id.as_str())
            .cloned()
            .unwrap_or_else(|| panic!("{register}"));
        assert_eq!(
            (line["site"].as_str(), line["credit_support"].as_str()),
            (Some(site_id.as_str()), Some("Letter of credit, 6 months"))
        );
        assert!(
            f(&line, "remaining_with_extensions_usd") > f(&line, "remaining_usd"),
            "{line}"
        );
        // Telemetry for a September day arrives after the close (a backfill): the month holds.
        let store = app.store().await;
        store
            .upsert_device(
                &server::store::DeviceSpec {
                    id: "late-1".into(),
                    kind: DeviceKind::Asic,
                    model: "S21".into(),
                    site: "muskogee".into(),
                    address: "10.9.9.9:4028".into(),
                    credentials_env: None,
                    protocol: Default::default(),
                },
                "api",
            )
            .await
            .unwrap();
        for hour in 0..24 {
            let at = day(2025, 9, 15).and_hms_opt(hour, 30, 0).unwrap().and_utc();
            let polled = Device {
                status: DeviceStatus::Online,
                hashrate_ths: Some(150.0),
                power_w: Some(3_500.0),
                ..Device::offline(
                    "late-1",
                    DeviceKind::Asic,
                    "S21",
                    "muskogee",
                    "10.9.9.9:4028",
                )
            };
            store.insert_samples(at, &[polled]).await.unwrap();
        }
        store
            .roll_up_samples(chrono::Utc::now(), chrono::Duration::hours(48))
            .await
            .unwrap();
        let (_, measured) = app
            .get_json("/api/v1/revenue?from=2025-09-15&to=2025-09-15&site=muskogee")
            .await;
        assert_eq!(
            measured["days"][0]["hashrate_source"], "measured",
            "{label}: {measured}"
        );
        let (_, after_telemetry) = app.get_json("/api/v1/reports/2025-09").await;
        assert_eq!(
            after_telemetry["figures"], v1["figures"],
            "{label}: telemetry after the close"
        );
        // A congestion credit arrives in November for September: the closed month holds until
        // it is restated, and the restatement names the moved credit lines.
        let (s, _) = app
            .post_json(
                "/api/v1/power-credits",
                &json!({ "site": "muskogee", "month": "2025-09", "kind": "congestion", "usd": 7_500.0 }),
            )
            .await;
        assert_eq!(s, 201);
        let (_, again) = app.get_json("/api/v1/reports/2025-09").await;
        assert_eq!(again["figures"], v1["figures"], "{label}: frozen");
        let (_, v2) = app
            .post_json(
                "/api/v1/reports/2025-09/restate",
                &json!({ "reason": "congestion credits arrived" }),
            )
            .await;
        let moved = v2["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["site"] == "muskogee" && c["figure"] == "power_credits_total_usd")
            .cloned()
            .unwrap_or_else(|| panic!("{v2}"));
        assert_eq!(
            (moved["before"].as_f64(), moved["after"].as_f64()),
            (Some(25_000.0), Some(32_500.0))
        );
        let (_, listed) = app.get_json("/api/v1/power-credits?month=2025-09").await;
        assert_eq!(listed.as_array().unwrap().len(), 2, "{listed}");
        // The CSV of each version says which it is and holds its own figures.
        for (version, credits) in [(1, "25000"), (2, "32500")] {
            let r = app
                .request_as(
                    Some(app::api::auth::Role::Viewer),
                    reqwest::Method::GET,
                    &format!("/api/v1/reports/2025-09/csv?version={version}"),
                )
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            assert!(r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv"));
            let text = r.text().await.unwrap();
            assert!(
                text.starts_with("month,site,figure,value,prior_month,"),
                "{text}"
            );
            assert!(
                text.contains(&format!(
                    "2025-09,muskogee,power_credits_total_usd,{credits},"
                )),
                "{label} v{version}"
            );
            assert!(text
                .trim_end()
                .ends_with(&format!("# version {version}; unaudited, estimated")));
        }
        // The production embed: a month not closed is refused; the closed one is published,
        // its newest version, in either language.
        let (s, e) = app
            .post_json(
                "/api/v1/embeds",
                &json!({ "name": "IR production", "view": "production", "origins": ["https://ir.example.com"] }),
            )
            .await;
        assert_eq!(s, 201, "{e}");
        let token = e["embed"]["token"].as_str().unwrap();
        let embed = |q: String| {
            let url = app.url(&format!("/embed/production?token={token}{q}"));
            async move {
                let r = reqwest::get(url).await.unwrap();
                (r.status().as_u16(), r.text().await.unwrap())
            }
        };
        let (s, body) = embed("&month=2025-08&lang=en".into()).await;
        assert_eq!(s, 404, "{body}");
        assert!(body.contains("has not been closed"), "{body}");
        let (s, body) = embed("&month=2025-09&lang=en".into()).await;
        assert_eq!(s, 200, "{body}");
        assert!(
            body.contains("data-version=\"2\"") && body.contains("Unaudited, estimated."),
            "{body}"
        );
        assert!(body.contains("BTC produced"));
        let (_, it) = embed("&lang=it".into()).await;
        assert!(
            it.contains("data-month=\"2025-09\"") && it.contains("Dati non sottoposti a revisione"),
            "{it}"
        );
        app.stop().await;
    }
}
