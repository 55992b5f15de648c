//! Power markets over real HTTP: ERCOT files imported into the store, a site's terms set
//! through the API, the curtailment backtest and the value of flexibility it reports.

use std::path::PathBuf;
use std::time::Duration;

use app::api::auth::Role;
use reqwest::Method;
use serde_json::{json, Value};

use super::support::{day, wait_until, TestApp};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(format!(
        "{}/tests/fixtures/ercot/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
}

async fn set_terms(app: &TestApp, site: &str, terms: Value) -> (u16, Value) {
    let r = app
        .request_as(
            Some(Role::Operator),
            Method::PUT,
            &format!("/api/v1/sites/{site}/power"),
        )
        .json(&terms)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The power-weighted J/TH of the seeded Pecos Ridge fleet, from the catalogue the API serves.
async fn pecos_j_per_th(app: &TestApp) -> f64 {
    let (_, cat) = app.get_json("/api/v1/catalogue/asics").await;
    let model = |id: &str| {
        cat["asics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id)
            .unwrap_or_else(|| panic!("{id} in {cat}"))
            .clone()
    };
    let (mut w, mut ths) = (0.0, 0.0);
    for (id, count) in [("S19XP", 30_000.0), ("S21", 40_000.0), ("S21Pro", 14_000.0)] {
        let m = model(id);
        w += m["power_w"].as_f64().unwrap() * count;
        ths += m["hashrate_ths"].as_f64().unwrap() * count;
    }
    w / ths
}

#[tokio::test]
async fn an_ercot_price_spike_is_curtailed_exactly_and_valued_by_hand() {
    let app = TestApp::on(day(2025, 8, 20)).simulator(false).start().await;
    let store = app.store().await;
    let n = server::power::import_file(&store, &fixture("rtm-spp-2025-08-01.csv"))
        .await
        .unwrap();
    assert_eq!(n, 192, "96 intervals at two hubs");
    let (s, body) = set_terms(
        &app,
        "pecos-ridge",
        json!({ "contract": { "kind": "index", "point": "HB_WEST", "adder_usd_per_mwh": 0.0 } }),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    let (s, r) = app
        .get_json("/api/v1/curtailment?site=pecos-ridge&from=2025-08-01&to=2025-08-02")
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        (r["point"].as_str(), r["price_source"].as_str()),
        (Some("HB_WEST"), Some("import:rtm-spp-2025-08-01.csv"))
    );
    // The file's Central day runs 05:00 UTC to 05:00 UTC: two UTC days hold its 96 intervals.
    let rows = r["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 96);
    // Intervals 64–71 of the Central day: hour ending 16 interval 4 (15:45 CDT = 20:45 UTC)
    // through hour ending 18 interval 3 (17:30 CDT = 22:30 UTC).
    let off: Vec<&str> = rows
        .iter()
        .filter(|r| r["mined"] == false)
        .map(|r| r["interval_start"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (0..8)
        .map(|i| {
            let t = chrono::DateTime::parse_from_rfc3339("2025-08-01T20:45:00Z").unwrap()
                + chrono::Duration::minutes(15 * i);
            t.to_utc()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        })
        .collect();
    assert_eq!(off, expected);
    // By hand: MW mining × ¼ h per interval. Breakeven = hashprice ($/PH/day ÷ 1,000 → $/TH/day)
    // × 10⁶ ÷ (24 × J/TH); avoided = ¼ × MW × $5,000; forgone = ¼ × MW × breakeven.
    // No conversion step has taken effect by then: all 280 MW mine (seed and timeline).
    let mw = 280.0;
    assert_eq!(r["load"]["mining_mw"].as_f64().unwrap(), mw);
    let (_, market) = app
        .get_json("/api/v1/market?from=2025-08-01&to=2025-08-01")
        .await;
    let hashprice = market["days"][0]["hashprice_usd_per_ph_day"]
        .as_f64()
        .unwrap()
        / 1_000.0;
    let breakeven = hashprice * 1e6 / (24.0 * pecos_j_per_th(&app).await);
    assert!((rows[0]["hashprice_usd_per_mwh"].as_f64().unwrap() - breakeven).abs() < 1e-6);
    let sum = |k: &str| rows.iter().map(|r| r[k].as_f64().unwrap()).sum::<f64>();
    let close = |a: f64, b: f64| (a - b).abs() < 1e-6 * b.abs().max(1.0);
    assert!(close(sum("avoided_usd"), 8.0 * 0.25 * mw * 5_000.0));
    assert!(close(sum("forgone_usd"), 8.0 * 0.25 * mw * breakeven));
    assert!(close(sum("cost_usd"), 88.0 * 0.25 * mw * 25.0));
    assert!(close(
        r["curtailment_value_usd"].as_f64().unwrap(),
        8.0 * 0.25 * mw * (5_000.0 - breakeven)
    ));
    // The same MW as a firm load pays the spike.
    assert!(close(
        r["firm_power_cost_usd"].as_f64().unwrap(),
        0.25 * mw * (88.0 * 25.0 + 8.0 * 5_000.0)
    ));
    // The month's total says the same.
    let (_, by_day) = app
        .get_json("/api/v1/curtailment?site=pecos-ridge&from=2025-08-01&to=2025-08-02&group=month")
        .await;
    assert_eq!(by_day["totals"][0]["hours_curtailed"], 2.0);
    assert!(close(
        by_day["totals"][0]["energy_avoided_mwh"].as_f64().unwrap(),
        2.0 * mw
    ));
    // A strike above the spike: nothing curtailed.
    let (_, high) = app
        .get_json("/api/v1/curtailment?site=pecos-ridge&from=2025-08-01&to=2025-08-02&strike=6000")
        .await;
    assert!(high["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["mined"] == true));

    // The overview's power cost comes from the interval prices, and it says so (both languages).
    for (lang, words) in [
        ("en", "pecos-ridge: index · HB_WEST · 96 intervals"),
        ("it", "pecos-ridge: indice · HB_WEST · 96 intervalli"),
    ] {
        let html = app
            .request_as(
                Some(Role::Viewer),
                Method::GET,
                &format!("/?range=6m&lang={lang}"),
            )
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains(words), "{lang}: {words:?} missing");
    }

    // A fixed-price site has nothing to gain from flexibility.
    let (s, _) = set_terms(
        &app,
        "muskogee",
        json!({ "contract": { "kind": "fixed", "usd_per_mwh": 45.0 } }),
    )
    .await;
    assert_eq!(s, 200);
    let (_, fixed) = app
        .get_json("/api/v1/curtailment?site=muskogee&from=2025-08-01&to=2025-08-01")
        .await;
    assert_eq!(fixed["flexibility_value_usd"], 0.0);
    assert_eq!(fixed["price_source"], "fixed");
    assert!(r["flexibility_value_usd"].as_f64().unwrap() > 0.0);

    // The risk bands price each site's power as its terms paid over the last year.
    let (s, risk) = app.get_json("/api/v1/risk?range=12m&paths=200").await;
    assert_eq!(s, 200, "{risk}");
    let m = &risk["power"]["muskogee"];
    assert!(
        (m["usd_per_kwh"].as_f64().unwrap() - 0.045).abs() < 1e-9,
        "{m}"
    );
    assert_eq!(m["mined_share"], 1.0);
    assert!(
        risk["power"]["baie-comeau"].is_null(),
        "no terms: its flat rate"
    );
    assert!(
        risk["source"]
            .as_str()
            .unwrap()
            .ends_with("power at its terms' prices for muskogee"),
        "{}",
        risk["source"]
    );
}

#[tokio::test]
async fn a_dst_day_and_bad_files_are_handled_and_a_bad_file_stores_nothing() {
    let app = TestApp::on(day(2025, 11, 20))
        .simulator(false)
        .start()
        .await;
    let store = app.store().await;
    // The fall-back day has 25 hours: 100 distinct intervals.
    let n = server::power::import_file(&store, &fixture("rtm-spp-2025-11-02-dst.csv"))
        .await
        .unwrap();
    assert_eq!(n, 100);
    let (s, _) = set_terms(
        &app,
        "pecos-ridge",
        json!({ "contract": { "kind": "index_with_hedge", "point": "HB_WEST", "adder_usd_per_mwh": 2.5,
                              "hedge_mw": 50.0, "hedge_usd_per_mwh": 40.0 },
                "policy": { "min_intervals": 4, "ramp_cost_usd": 1500.0 } }),
    )
    .await;
    assert_eq!(s, 200);
    let (_, prices) = app
        .get_json("/api/v1/power/prices?site=pecos-ridge&from=2025-11-02&to=2025-11-03")
        .await;
    let starts: Vec<&str> = prices["intervals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["interval_start"].as_str().unwrap())
        .collect();
    assert_eq!(starts.len(), 100);
    // The repeated hour ending 02 is 06:00–07:00 UTC (CDT) and again 07:00–08:00 UTC (CST).
    let at = |t: &str| {
        prices["intervals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["interval_start"] == t)
            .unwrap()["usd_per_mwh"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(at("2025-11-02T06:00:00Z"), 20.01);
    assert_eq!(at("2025-11-02T07:00:00Z"), 21.01);

    let before = store.power_coverage().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let header = "\"DeliveryDate\",\"DeliveryHour\",\"DeliveryInterval\",\"SettlementPointName\",\"SettlementPointType\",\"SettlementPointPrice\",\"DSTFlag\"";
    for (name, text, line) in [
        ("missing-column.csv", "\"DeliveryDate\",\"DeliveryHour\",\"SettlementPointName\",\"SettlementPointPrice\"\n\"11/03/2025\",\"01\",\"HB_WEST\",\"20\"\n".to_string(), 1),
        ("text-price.csv", format!("{header}\n\"11/03/2025\",\"01\",\"1\",\"HB_WEST\",\"HU\",\"20\",\"N\"\n\"11/03/2025\",\"01\",\"2\",\"HB_WEST\",\"HU\",\"twenty\",\"N\"\n"), 3),
        ("duplicate.csv", format!("{header}\n\"11/03/2025\",\"01\",\"1\",\"HB_WEST\",\"HU\",\"20\",\"N\"\n\"11/03/2025\",\"01\",\"1\",\"HB_WEST\",\"HU\",\"21\",\"N\"\n"), 3),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let err = format!("{:#}", server::power::import_file(&store, &path).await.unwrap_err());
        assert!(err.contains(&format!("line {line}:")) && err.contains("nothing stored"), "{name}: {err}");
    }
    assert_eq!(
        store.power_coverage().await.unwrap(),
        before,
        "the store is unchanged"
    );

    // Terms are checked before they are stored; only operators set them.
    let (s, body) = set_terms(
        &app,
        "pecos-ridge",
        json!({ "contract": { "kind": "index", "point": "<b>", "adder_usd_per_mwh": 0 } }),
    )
    .await;
    assert_eq!(
        (s, body["code"].as_str()),
        (422, Some("invalid_input")),
        "{body}"
    );
    let r = app
        .request_as(
            Some(Role::Viewer),
            Method::PUT,
            "/api/v1/sites/pecos-ridge/power",
        )
        .json(&json!({ "contract": { "kind": "fixed", "usd_per_mwh": 1.0 } }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

/// `--power-prices-url`: the CSV an operator's exporter serves is fetched and stored with its
/// host as the source.
#[tokio::test]
async fn prices_from_a_url_are_stored_with_their_source() {
    let csv = "settlement_point,interval_start_utc,usd_per_mwh\nHB_WEST,2025-08-01T20:45:00Z,4100.5\nHB_WEST,2025-08-01T21:00:00Z,38.25\n";
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = axum::Router::new().route(
        "/prices.csv",
        axum::routing::get(move || async move { csv }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await });
    let url = format!("http://{addr}/prices.csv");
    let app = TestApp::on(day(2025, 8, 20))
        .simulator(false)
        .args(move |a| a.power_prices_url = Some(url))
        .start()
        .await;
    let store = app.store().await;
    let coverage = wait_until("the first fetch", Duration::from_secs(20), || async {
        let c = store.power_coverage().await.unwrap();
        (!c.is_empty()).then_some(c)
    })
    .await;
    assert_eq!(coverage[0].intervals, 2);
    assert_eq!(
        coverage[0].source.as_deref(),
        Some(format!("feed:{addr}").as_str())
    );
}

/// A feed that answers badly — a year that cannot be, a page that is not one — stores nothing
/// that time and goes on: its next fetch stores the good answer.
#[tokio::test]
async fn a_price_feed_survives_bad_answers() {
    let good = "settlement_point,interval_start_utc,usd_per_mwh\nHB_WEST,2025-08-01T20:45:00Z,41\n";
    let answers = [
        "settlement_point,interval_start_utc,usd_per_mwh\nHB_WEST,+262142-12-31T23:45:00Z,41\n",
        r#"{"fields":[{"name":"deliveryDate"}],"data":[["-262143-01-01"]]}"#,
        "Delivery Date,Delivery Hour,Delivery Interval,Settlement Point Name,Settlement Point Price\n12/31/262142,24,4,HB_WEST,41\n",
        good,
    ];
    let served = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let counter = served.clone();
    let router = axum::Router::new().route(
        "/prices",
        axum::routing::get(move || {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            async move { answers[n.min(answers.len() - 1)] }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await });
    let db = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(
        server::store::Store::connect(&format!(
            "sqlite://{}?mode=rwc",
            db.path().join("f.db").display()
        ))
        .await
        .unwrap(),
    );
    let feed = server::power::spawn_feed(
        format!("http://{addr}/prices"),
        None,
        store.clone(),
        Duration::from_millis(50),
    )
    .unwrap();
    let coverage = wait_until(
        "a good answer after bad ones",
        Duration::from_secs(20),
        || async {
            let c = store.power_coverage().await.unwrap();
            (!c.is_empty()).then_some(c)
        },
    )
    .await;
    assert_eq!(coverage[0].intervals, 1);
    assert!(served.load(std::sync::atomic::Ordering::SeqCst) >= 4);
    assert!(!feed.is_finished(), "the feed goes on");
    feed.abort();
}

/// The operator's strike is the rule, on both engines: over two days whose evening runs price
/// 97–114 and 100–340 $/MWh, with a run crossing midnight UTC, exactly the intervals above the
/// $100 strike are curtailed, and the midnight run is one run (one ramp).
#[tokio::test]
async fn at_a_strike_exactly_the_intervals_above_it_are_curtailed_on_both_engines() {
    let first = [97.0, 101.71, 106.95, 110.09, 113.85, 99.5, 100.0, 114.0];
    let second = [100.0, 150.0, 340.0, 220.0, 100.01, 100.0, 180.0, 101.0];
    let start = chrono::DateTime::parse_from_rfc3339("2026-07-14T00:00:00Z")
        .unwrap()
        .to_utc();
    let mut csv = String::from("settlement_point,interval_start_utc,usd_per_mwh\n");
    let mut expected = Vec::new();
    for n in 0..192usize {
        let price = match n {
            80..=87 => first[n - 80],
            // 23:00–01:00 UTC: the second run straddles midnight.
            92..=99 => second[n - 92],
            _ => 30.0,
        };
        let at = start + chrono::Duration::minutes(15 * n as i64);
        if price > 100.0 {
            expected.push(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        }
        csv.push_str(&format!(
            "HB_WEST,{},{price}\n",
            at.format("%Y-%m-%dT%H:%M:%SZ")
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("july.csv");
    std::fs::write(&file, &csv).unwrap();
    for engine in super::support::engines().await {
        let label = super::support::engine_label(&engine);
        let app = TestApp::on(day(2026, 7, 20))
            .simulator(false)
            .engine(engine)
            .start()
            .await;
        let store = app.store().await;
        assert_eq!(
            server::power::import_file(&store, &file).await.unwrap(),
            192
        );
        let (s, body) = set_terms(
            &app,
            "pecos-ridge",
            json!({ "contract": { "kind": "index", "point": "HB_WEST", "adder_usd_per_mwh": 0.0 },
                    "policy": { "strike_usd_per_mwh": 100.0, "min_intervals": 1, "ramp_cost_usd": 1.0 } }),
        )
        .await;
        assert_eq!(s, 200, "{label}: {body}");
        let (s, r) = app
            .get_json("/api/v1/curtailment?site=pecos-ridge&from=2026-07-14&to=2026-07-16")
            .await;
        assert_eq!(s, 200, "{label}: {r}");
        let rows = r["rows"].as_array().unwrap();
        let curtailed: Vec<String> = rows
            .iter()
            .filter(|r| r["mined"] == false)
            .map(|r| {
                chrono::DateTime::parse_from_rfc3339(r["interval_start"].as_str().unwrap())
                    .unwrap()
                    .to_utc()
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            })
            .collect();
        assert_eq!(curtailed, expected, "{label}");
        // Runs: 81–84 (101.71–113.85), 87 (114), then 93–96 and 98–99 across midnight.
        let ramps = rows
            .iter()
            .filter(|r| r["ramp_usd"].as_f64() == Some(1.0))
            .count();
        assert_eq!(ramps, 4, "{label}: the run across midnight pays one ramp");
        app.stop().await;
    }
}

/// ERCOT's own posting (every load zone as `LZ` and `LZEW`, resource nodes first, whole-dollar
/// prices, CRLF) imports whole; a site on LZ_HOUSTON reads the zone's `LZ` price unless its terms
/// say `LZEW`; the API's JSON pages, fetched with the subscription key, store the same rows; the
/// spring-forward day has 92 intervals and the fall-back day 100.
#[tokio::test]
async fn ercot_postings_import_as_published_and_a_zone_site_reads_its_own_price() {
    let app = TestApp::on(day(2026, 10, 1)).simulator(false).start().await;
    let store = app.store().await;
    let n = server::power::import_file(&store, &fixture("rtm-spp-2026-09-29-zones.csv"))
        .await
        .unwrap();
    assert_eq!(n, 28 * 96, "every series of the posting");
    let text = std::fs::read_to_string(fixture("rtm-spp-2026-09-29-zones.csv")).unwrap();
    // The file's own LZ_HOUSTON prices, by type, in posting order (one per interval).
    let posted = |kind: &str| -> Vec<f64> {
        text.lines()
            .filter(|l| l.contains("\"LZ_HOUSTON\"") && l.contains(&format!("\"{kind}\"")))
            .map(|l| {
                l.split(',')
                    .nth(5)
                    .unwrap()
                    .trim_matches('"')
                    .parse()
                    .unwrap()
            })
            .collect()
    };
    let read = |terms: Value| {
        let app = &app;
        async move {
            let (s, body) = set_terms(app, "pecos-ridge", terms).await;
            assert_eq!(s, 200, "{body}");
            let (s, r) = app
                .get_json("/api/v1/power/prices?site=pecos-ridge&from=2026-09-29&to=2026-09-30")
                .await;
            assert_eq!(s, 200, "{r}");
            r["intervals"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["usd_per_mwh"].as_f64().unwrap())
                .collect::<Vec<f64>>()
        }
    };
    let lz = read(
        json!({ "contract": { "kind": "index", "point": "LZ_HOUSTON", "adder_usd_per_mwh": 0.0 } }),
    )
    .await;
    assert_eq!(lz.len(), 96);
    assert_eq!(lz, posted("LZ"));
    let lzew = read(json!({ "contract": { "kind": "index", "point": "LZ_HOUSTON", "settles_on": "LZEW", "adder_usd_per_mwh": 0.0 } })).await;
    assert_eq!(lzew, posted("LZEW"));
    assert_ne!(lz, lzew);
    // Only a load zone has two prices.
    let (s, body) = set_terms(
        &app,
        "pecos-ridge",
        json!({ "contract": { "kind": "index", "point": "HB_WEST", "settles_on": "LZEW", "adder_usd_per_mwh": 0.0 } }),
    )
    .await;
    assert_eq!(s, 422, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("settles_on"),
        "{body}"
    );

    // The same report from ERCOT's API: two pages, served only with the subscription key.
    let pages: Vec<String> = (1..=2)
        .map(|n| {
            std::fs::read_to_string(fixture(&format!("api-spp-2026-09-29-page{n}.json"))).unwrap()
        })
        .collect();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = axum::Router::new().route(
        "/np6-905-cd/spp_node_zone_hub",
        axum::routing::get(
            move |headers: axum::http::HeaderMap,
                  q: axum::extract::Query<std::collections::HashMap<String, String>>| {
                let pages = pages.clone();
                async move {
                    if headers
                        .get("ocp-apim-subscription-key")
                        .map(|v| v.as_bytes())
                        != Some(b"k-123")
                    {
                        return (axum::http::StatusCode::UNAUTHORIZED, String::new());
                    }
                    let page: usize = q.get("page").map_or(1, |p| p.parse().unwrap());
                    (axum::http::StatusCode::OK, pages[page - 1].clone())
                }
            },
        ),
    );
    tokio::spawn(async move { axum::serve(listener, router).await });
    let db = tempfile::tempdir().unwrap();
    let fresh = server::store::Store::connect(&format!(
        "sqlite://{}?mode=rwc",
        db.path().join("api.db").display()
    ))
    .await
    .unwrap();
    let url = format!("http://{addr}/np6-905-cd/spp_node_zone_hub?deliveryDateFrom=2026-09-29&deliveryDateTo=2026-09-29");
    let bare = server::remote::Remote::new(&url, Default::default()).unwrap();
    assert!(
        server::power::fetch_once(&bare, &fresh, "api")
            .await
            .is_err(),
        "no key, no prices"
    );
    let keyed = bare.with_secret_header("ocp-apim-subscription-key", "k-123");
    assert_eq!(
        server::power::fetch_once(&keyed, &fresh, "api")
            .await
            .unwrap(),
        288
    );
    for (point, weighted) in [
        ("LZ_HOUSTON", false),
        ("LZ_HOUSTON", true),
        ("HB_WEST", false),
    ] {
        let (from, to) = (
            chrono::DateTime::parse_from_rfc3339("2026-09-29T05:00:00Z")
                .unwrap()
                .to_utc(),
            chrono::DateTime::parse_from_rfc3339("2026-09-30T05:00:00Z")
                .unwrap()
                .to_utc(),
        );
        assert_eq!(
            fresh.power_prices(point, weighted, from, to).await.unwrap(),
            store.power_prices(point, weighted, from, to).await.unwrap(),
            "{point} (weighted: {weighted}) from the API as from the posting"
        );
    }

    // The days the clocks change.
    let spring = server::power::import_file(&store, &fixture("rtm-spp-2026-03-08-spring.csv"))
        .await
        .unwrap();
    assert_eq!(spring, 3 * 92);
    let fall = server::power::import_file(&store, &fixture("rtm-spp-2025-11-02-dst.csv"))
        .await
        .unwrap();
    assert_eq!(fall, 100);
}

/// A miner that has gone dark at a site whose power schedule curtails now reads "curtailed by
/// schedule", not offline; the same dark miner at a site without terms stays offline.
#[tokio::test]
async fn a_dark_miner_at_a_curtailed_site_is_curtailed_not_offline() {
    let app = TestApp::on(day(2026, 12, 4))
        .simulator(false)
        .args(|a| a.curtailment_check_secs = 1)
        .start()
        .await;
    let store = app.store().await;
    // Every interval of today and tomorrow (UTC, wall clock) at $5,000/MWh at HB_WEST.
    let today = chrono::Utc::now().date_naive();
    let mut csv = String::from("settlement_point,interval_start_utc,usd_per_mwh\n");
    for i in 0..2 * 96 {
        let at = today.and_hms_opt(0, 0, 0).unwrap().and_utc() + chrono::Duration::minutes(15 * i);
        csv.push_str(&format!(
            "HB_WEST,{},5000\n",
            at.format("%Y-%m-%dT%H:%M:%SZ")
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("spike.csv");
    std::fs::write(&file, csv).unwrap();
    assert_eq!(
        server::power::import_file(&store, &file).await.unwrap(),
        192
    );
    let (s, body) = set_terms(
        &app,
        "pecos-ridge",
        json!({ "contract": { "kind": "index", "point": "HB_WEST", "adder_usd_per_mwh": 0.0 },
                "policy": { "strike_usd_per_mwh": 200.0 } }),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    // Two miners nobody answers for (a closed port): one at Pecos Ridge, one at Muskogee.
    for (site, port) in [("pecos-ridge", 9), ("muskogee", 7)] {
        let (s, body) = app
            .post_json(
                "/api/v1/devices",
                &json!({ "kind": "asic", "address": format!("127.0.0.1:{port}"), "site": site, "model": "S21" }),
            )
            .await;
        assert_eq!(s, 201, "{body}");
    }
    let fleet = wait_until(
        "both miners polled with the schedule known",
        Duration::from_secs(20),
        || async {
            let (_, f) = app.get_json("/api/v1/fleet").await;
            let reason = |site: &str| {
                f["devices"]
                    .as_array()?
                    .iter()
                    .find(|d| d["site"] == site)?["reason"]["code"]
                    .as_str()
                    .map(str::to_string)
            };
            (reason("pecos-ridge").as_deref() == Some("curtailed") && reason("muskogee").is_some())
                .then_some(f)
        },
    )
    .await;
    let muskogee = fleet["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["site"] == "muskogee")
        .unwrap();
    assert_eq!(muskogee["reason"]["code"], "offline");
    assert_eq!(muskogee["status"], "offline");
}

/// The risk bands: same seed, same bands; ordered percentiles; the colocation revenue firm;
/// bad parameters refused by name.
#[tokio::test]
async fn risk_bands_are_seeded_ordered_and_validated() {
    let app = TestApp::on(day(2026, 6, 15)).simulator(false).start().await;
    let (s, a) = app
        .get_json("/api/v1/risk?range=24m&paths=500&seed=3")
        .await;
    assert_eq!(s, 200, "{a}");
    let (_, b) = app
        .get_json("/api/v1/risk?range=24m&paths=500&seed=3")
        .await;
    assert_eq!(a, b, "the same seed gives the same bands");
    let (_, c) = app
        .get_json("/api/v1/risk?range=24m&paths=500&seed=4")
        .await;
    assert_ne!(a["months"], c["months"]);
    // The repeated query came from the cache: two simulations ran on the pool, not three.
    let metrics = app.metrics_text().await;
    assert!(
        metrics
            .lines()
            .any(|l| l == "rigshift_compute_jobs_total 2"),
        "{}",
        metrics
            .lines()
            .filter(|l| l.contains("compute"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let months = a["months"].as_array().unwrap();
    assert_eq!(months.len(), 24);
    assert!(
        a["source"]
            .as_str()
            .unwrap()
            .starts_with("modelled: Monte Carlo over"),
        "{}",
        a["source"]
    );
    assert!(a["dynamics"]["btc_vol_per_year"].as_f64().unwrap() > 0.0);
    for m in months {
        for band in ["mining_usd", "ai_usd", "total_usd", "btc_usd"] {
            let (p10, p50, p90) = (
                m[band]["p10"].as_f64().unwrap(),
                m[band]["p50"].as_f64().unwrap(),
                m[band]["p90"].as_f64().unwrap(),
            );
            assert!(p10 <= p50 && p50 <= p90, "{band}: {m}");
        }
        let p = m["p_mining_margin_negative"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&p));
    }
    // Uncertainty grows with time: the price band's log-width grows as √t, t from the last
    // market day (`as_of`, which may lie months before today) to each month's end. The mining
    // band's absolute width need not grow: the sites convert to AI and the subsidy halves in 2028.
    let log_spread = |m: &Value| {
        (m["btc_usd"]["p90"].as_f64().unwrap() / m["btc_usd"]["p10"].as_f64().unwrap()).ln()
    };
    let as_of: chrono::NaiveDate = a["as_of"].as_str().unwrap().parse().unwrap();
    let t = |m: &Value| {
        let month: chrono::NaiveDate = m["month"].as_str().unwrap().parse().unwrap();
        (month + chrono::Months::new(1) - as_of).num_days() as f64
    };
    let growth = log_spread(&months[23]) / log_spread(&months[0]);
    let root_t = (t(&months[23]) / t(&months[0])).sqrt();
    assert!(
        (growth / root_t - 1.0).abs() < 0.15,
        "{growth} vs √t {root_t}"
    );
    assert_eq!(months[0]["month"], "2026-07-01", "the month after today");
    // A scenario's volatility replaces the history's.
    let (s, v) = app
        .get_json("/api/v1/risk?range=12m&paths=500&btc_vol=0.6")
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["dynamics"]["btc_vol_per_year"], 0.6);
    let wide = log_spread(&v["months"][11]);
    assert!(wide > log_spread(&months[11]) * 3.0, "{wide}");
    for (query, word) in [
        ("paths=50", "paths"),
        ("paths=20000", "paths"),
        ("range=5y", "range"),
        ("btc_vol=9", "btc_vol"),
    ] {
        let (s, e) = app.get_json(&format!("/api/v1/risk?{query}")).await;
        assert_eq!(s, 422, "{query}: {e}");
        assert!(e.to_string().contains(word), "{e}");
    }
}
