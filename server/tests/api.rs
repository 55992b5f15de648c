//! `/api/v1` and the server functions over real HTTP against a real SQLite file.

#[path = "api/exports.rs"]
mod exports;
#[path = "figures/mod.rs"]
mod figures;
#[path = "api/forwards.rs"]
mod forwards;
#[path = "api/openapi.rs"]
mod openapi;
#[path = "api/portfolio.rs"]
mod portfolio;
#[path = "api/power.rs"]
mod power;
#[path = "api/reports.rs"]
mod reports;
#[path = "api/sla.rs"]
mod sla;
#[path = "api/storage.rs"]
mod storage;
mod support;

use std::io::Read;

use app::api::auth::Role;
use serde_json::{json, Value};
use support::{day, TestApp};

/// Error bodies are API.md's `{"error", "code"}` and nothing else.
/// POSTs `bytes` of form data in 8 KB chunks (no Content-Length) over a raw connection; the
/// response's status code.
async fn chunked_post(app: &TestApp, path: &str, bytes: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut c = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        app.tokens[&Role::Viewer]
    );
    c.write_all(head.as_bytes()).await.unwrap();
    let mut left = bytes;
    while left > 0 {
        let n = left.min(8 * 1024);
        let chunk = format!("{n:x}\r\n{}\r\n", "a".repeat(n));
        if c.write_all(chunk.as_bytes()).await.is_err() {
            break; // the server answered and closed early
        }
        left -= n;
    }
    let _ = c.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = c.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer)
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_string()
}

fn assert_error(body: &Value, code: &str, mentions: &str) {
    assert_eq!(body["code"], code, "{body}");
    let msg = body["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no error text: {body}"));
    assert!(
        msg.contains(mentions),
        "{msg:?} should mention {mentions:?}"
    );
    assert_eq!(body.as_object().unwrap().len(), 2, "{body}");
}

#[tokio::test]
async fn health_reports_ok_and_version() {
    let app = TestApp::on(day(2025, 6, 15)).start().await;
    let (status, body) = app.get_json("/api/v1/health").await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") })
    );
}

#[tokio::test]
async fn sites_follow_their_conversion_schedule() {
    let before = TestApp::on(day(2025, 6, 15)).start().await;
    let (_, body) = before.get_json("/api/v1/sites").await;
    let sites = body["sites"].as_array().unwrap();
    assert_eq!(sites.len(), 3);
    let pecos = sites.iter().find(|s| s["id"] == "pecos-ridge").unwrap();
    assert_eq!(
        (pecos["mining_mw"].as_f64(), pecos["ai_mw"].as_f64()),
        (Some(280.0), Some(0.0))
    );
    assert_eq!(pecos["phase"], "mining");

    let after = TestApp::on(day(2026, 11, 25)).start().await;
    let (_, body) = after.get_json("/api/v1/sites").await;
    let pecos = body["sites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "pecos-ridge")
        .unwrap()
        .clone();
    // Two 60 MW steps have happened; tenant A (96 MW critical, 9-month ramp from 2026-01-15) is fully live.
    assert_eq!(pecos["mining_mw"].as_f64(), Some(160.0));
    assert_eq!(pecos["ai_mw"].as_f64(), Some(96.0));
    assert_eq!(pecos["phase"], "converting");
}

#[tokio::test]
async fn revenue_rows_are_computed_from_the_days_market_figures() {
    let app = TestApp::on(day(2025, 6, 15)).start().await;
    let (status, body) = app
        .get_json("/api/v1/revenue?from=2025-06-01&to=2025-06-10&site=pecos-ridge")
        .await;
    assert_eq!(status, 200, "{body}");
    let days = body["days"].as_array().unwrap();
    assert_eq!(days.len(), 10);
    let first = &days[0];
    assert_eq!(first["date"], "2025-06-01");
    assert_eq!(first["site"], "pecos-ridge");
    assert_eq!(first["projected"], false);
    assert_eq!(first["ai_lease_usd"].as_f64(), Some(0.0));
    // 280 MW × 93 % uptime × 24 h × 1000 kWh/MWh × $0.037 = $231,235.20
    assert!((first["power_cost_usd"].as_f64().unwrap() - 231_235.2).abs() < 1e-6);
    // Revenue ÷ BTC = the bundled BTC price of 2025-06-01 ($104,600).
    let implied_price =
        first["mining_usd"].as_f64().unwrap() / first["btc_mined"].as_f64().unwrap();
    assert!((implied_price - 104_600.0).abs() < 1e-6, "{implied_price}");
}

#[tokio::test]
async fn revenue_after_today_is_a_projection() {
    let app = TestApp::on(day(2025, 6, 15)).start().await;
    let (_, body) = app
        .get_json("/api/v1/revenue?from=2025-06-14&to=2025-06-17&site=muskogee")
        .await;
    let flags: Vec<bool> = body["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["projected"].as_bool().unwrap())
        .collect();
    assert_eq!(flags, vec![false, false, true, true]);
}

#[tokio::test]
async fn revenue_rejects_bad_ranges_and_unknown_sites() {
    let app = TestApp::on(day(2025, 6, 15)).start().await;
    let (s, b) = app
        .get_json("/api/v1/revenue?from=2025-06-10&to=2025-06-01")
        .await;
    assert_eq!(s, 422);
    assert_error(&b, "invalid_input", "after");
    let (s, b) = app
        .get_json("/api/v1/revenue?from=2000-01-01&to=2025-06-01")
        .await;
    assert_eq!(s, 422);
    assert_error(&b, "invalid_input", "at most");
    let (s, b) = app.get_json("/api/v1/revenue?site=atlantis").await;
    assert_eq!(s, 404);
    assert_error(&b, "not_found", "atlantis");
    let (s, b) = app.get_json("/api/v1/revenue?from=June").await;
    assert_eq!(s, 400);
    assert_error(&b, "invalid_query", "");
    let (s, _) = app.get_json("/api/v1/revenue?form=2025-01-01").await;
    assert_eq!(s, 400);
}

fn s21() -> Value {
    json!({ "hashrate_ths": 200.0, "difficulty": 100e12, "btc_price_usd": 100000.0, "power_w": 3500.0, "power_cost_usd_per_kwh": 0.05 })
}

#[tokio::test]
async fn mining_estimate_matches_hand_figures_and_echoes_defaults() {
    let app = TestApp::on(day(2025, 6, 15)).start().await;
    let (status, b) = app.post_json("/api/v1/estimate/mining", &s21()).await;
    assert_eq!(status, 200, "{b}");
    assert!((b["btc_per_day"].as_f64().unwrap() - 1.2572e-4).abs() < 1e-8);
    assert!((b["network_hashrate_ehs"].as_f64().unwrap() - 715.83).abs() < 0.01);
    assert!((b["margin_usd_per_day"].as_f64().unwrap() - (12.5729 - 4.2)).abs() < 1e-3);
    assert_eq!(b["efficiency_j_per_th"].as_f64(), Some(17.5));
    assert_eq!(b["subsidy_btc"].as_f64(), Some(3.125));
    assert_eq!(b["fees_btc_per_block"].as_f64(), Some(0.0));
    assert_eq!(b["pool_fee_pct"].as_f64(), Some(0.0));
    // Default height: the chain height estimated for the server's today (mid-June 2025 ≈ 901k).
    let h = b["block_height"].as_u64().unwrap();
    assert!((895_000..905_000).contains(&h), "{h}");

    let mut after_halving = s21();
    after_halving["block_height"] = json!(1_050_000);
    let (_, b2) = app
        .post_json("/api/v1/estimate/mining", &after_halving)
        .await;
    assert_eq!(b2["subsidy_btc"].as_f64(), Some(1.5625));
}

#[tokio::test]
async fn mining_estimate_refuses_bad_input_with_json_errors() {
    let app = TestApp::on(day(2025, 6, 15)).start().await;
    let mut negative = s21();
    negative["hashrate_ths"] = json!(-5);
    let (s, b) = app.post_json("/api/v1/estimate/mining", &negative).await;
    assert_eq!(s, 422);
    assert_error(&b, "invalid_input", "hashrate_ths");

    let (s, b) = app
        .post_json("/api/v1/estimate/mining", &json!({ "hashrate_ths": 100 }))
        .await;
    assert_eq!(s, 422);
    assert_error(&b, "invalid_input", "difficulty");

    let (s, b) = app
        .post_raw(
            "/api/v1/estimate/mining",
            "application/json",
            r#"{"hashrate_ths": NaN, "difficulty": 1, "btc_price_usd": 1}"#.into(),
        )
        .await;
    assert_eq!(s, 400);
    assert_error(&b, "malformed_json", "");

    let mut unknown = s21();
    unknown["hashrate_phs"] = json!(1);
    let (s, b) = app.post_json("/api/v1/estimate/mining", &unknown).await;
    assert_eq!(s, 422);
    assert_error(&b, "invalid_input", "hashrate_phs");

    let (s, b) = app
        .post_raw("/api/v1/estimate/mining", "text/plain", s21().to_string())
        .await;
    assert_eq!(s, 415);
    assert_error(&b, "unsupported_media_type", "");

    let huge = format!(
        r#"{{"hashrate_ths": 1, "difficulty": 1, "btc_price_usd": 1, "pad": "{}"}}"#,
        "x".repeat(10 * 1024 * 1024)
    );
    let (s, b) = app
        .post_raw("/api/v1/estimate/mining", "application/json", huge)
        .await;
    assert_eq!(s, 413);
    assert_error(&b, "body_too_large", "bytes");

    // A server function's body is bounded the same way, before the function (and its role
    // check: a viewer may not patch a site) reads it: declared too large, and sent in chunks
    // with no length.
    let anon = app
        .request_as(Some(Role::Viewer), reqwest::Method::POST, "/api/patch_site")
        .header("content-type", "application/json")
        .body("x".repeat(10 * 1024 * 1024))
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status(), 413);
    assert_error(&anon.json().await.unwrap(), "body_too_large", "bytes");
    let status = chunked_post(&app, "/api/get_sites", 200 * 1024).await;
    assert_eq!(status, "413", "an undeclared length is cut at the limit");
    let status = chunked_post(&app, "/api/get_sites", 10).await;
    assert_ne!(status, "413", "a small chunked body goes through");

    // The server is still answering after all of that.
    let (s, _) = app.post_json("/api/v1/estimate/mining", &s21()).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn unknown_endpoints_and_methods_answer_json() {
    let app = TestApp::on(day(2025, 6, 15)).start().await;
    let (s, b) = app.get_json("/api/v1/nope").await;
    assert_eq!(s, 404);
    assert_error(&b, "not_found", "endpoint");
    let (s, b) = app.get_json("/api/v1/estimate/mining").await;
    assert_eq!(s, 405);
    assert_error(&b, "method_not_allowed", "method");
}

#[tokio::test]
async fn overview_server_function_returns_the_range_asked_for() {
    let app = TestApp::on(day(2025, 6, 15)).start().await;
    let resp = app
        .client
        .post(app.url("/api/get_overview"))
        .form(&[("range", "all")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let page: Value = resp.json().await.unwrap();
    let o = &page["overview"];
    // The page gets both charts built and no daily rows; 2023–2029 comes as weekly averages.
    assert_eq!(o["daily"].as_array().unwrap().len(), 0);
    assert_eq!(o["bucket_days"], 7);
    let dates = page["revenue_mix"]["xAxis"]["data"].as_array().unwrap();
    assert_eq!(dates.first().unwrap(), "2023-01-01");
    assert!(dates.len() <= 1000 && dates.len() > 300, "{}", dates.len());
    // Weekly rows from the first day; the last one starts within the final week of 2029.
    let last = dates.last().unwrap().as_str().unwrap();
    assert!(last > "2029-12-24" && last <= "2029-12-31", "{last}");
    for series in page["revenue_mix"]["series"].as_array().unwrap() {
        assert_eq!(series["data"].as_array().unwrap().len(), dates.len());
    }
    assert_eq!(
        page["revenue_per_mw"]["xAxis"]["data"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(o["kpis"]["as_of"], "2025-06-15");
    // Bundled public figures drawn over a history without telemetry: nothing charted is
    // simulated, though the fleet on the page is.
    assert_eq!(o["simulated"], false);
    assert_eq!(o["fleet_simulated"], true);
    assert_eq!(o["kpis"]["market_source"], "bundled");
    assert_eq!(o["kpis"]["hashrate_source"], "modelled");
    // KPIs are the sum of the sites' revenue rows for today.
    let (_, rev) = app
        .get_json("/api/v1/revenue?from=2025-06-15&to=2025-06-15")
        .await;
    let mining: f64 = rev["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["mining_usd"].as_f64().unwrap())
        .sum();
    assert!((o["kpis"]["mining_usd_per_day"].as_f64().unwrap() - mining).abs() < 1e-6);

    let bad = app
        .client
        .post(app.url("/api/get_overview"))
        .form(&[("range", "10y")])
        .send()
        .await
        .unwrap();
    assert!(!bad.status().is_success());
}

#[tokio::test]
async fn overview_page_is_server_rendered_with_numbers_and_the_simulated_marker() {
    let app = TestApp::on(day(2025, 6, 15)).start().await;
    let resp = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["x-frame-options"], "DENY");
    let csp = resp.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self' 'nonce-"),
        "{csp}"
    );
    let html = resp.text().await.unwrap();
    assert!(html.contains("SIMULATED DATA"));
    assert!(html.contains("As of 15 Jun 2025"), "{html}");
    assert!(html.contains(" EH/s</div>"), "KPI missing");
    assert!(html.contains(r#"id="chart-revenue-mix""#));
    let missing = app
        .client
        .get(app.url("/definitely/not/here"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

/// The overview for a crowd (issue 36): the same caller's second request is answered from
/// memory, each answer with a nonce of its own in its CSP and in every inline script, gzip
/// spliced around the nonce decodes to the page; another caller, and a write through the
/// server, render again.
#[tokio::test]
async fn the_overview_is_kept_and_every_answer_has_its_own_nonce() {
    let app = TestApp::on(day(2025, 6, 15)).simulator(false).start().await;
    let get = |role: Role, gzip: bool| {
        let mut r = app.request_as(Some(role), reqwest::Method::GET, "/");
        if gzip {
            r = r.header("accept-encoding", "gzip");
        }
        async move { r.send().await.unwrap() }
    };
    let nonce_of = |r: &reqwest::Response| {
        let csp = r.headers()["content-security-policy"].to_str().unwrap();
        let start = csp.find("'nonce-").unwrap() + 7;
        csp[start..start + csp[start..].find('\'').unwrap()].to_string()
    };
    let first = get(Role::Viewer, false).await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["x-page-cache"], "miss");
    let first_nonce = nonce_of(&first);
    let first_html = first.text().await.unwrap();
    let scripts = first_html
        .matches(&format!("nonce=\"{first_nonce}\""))
        .count();
    assert!(scripts >= 2, "the inline hydration scripts carry the nonce");

    let second = get(Role::Viewer, true).await;
    assert_eq!(second.status(), 200);
    assert_eq!(second.headers()["x-page-cache"], "hit");
    assert_eq!(second.headers()["content-encoding"], "gzip");
    let second_nonce = nonce_of(&second);
    assert_ne!(second_nonce, first_nonce);
    let mut second_html = String::new();
    flate2::read::GzDecoder::new(&second.bytes().await.unwrap()[..])
        .read_to_string(&mut second_html)
        .unwrap();
    assert_eq!(
        second_html
            .matches(&format!("nonce=\"{second_nonce}\""))
            .count(),
        scripts
    );
    assert!(!second_html.contains(&first_nonce));
    assert_eq!(
        second_html.replace(&second_nonce, "N"),
        first_html.replace(&first_nonce, "N")
    );

    // Another caller is not given the viewer's page.
    assert_eq!(
        get(Role::Admin, false).await.headers()["x-page-cache"],
        "miss"
    );
    // A write through the server shows at once.
    let (status, _) = app
        .post_json(
            "/api/v1/annotations",
            &json!({ "target": "pecos-ridge", "text": "kept?" }),
        )
        .await;
    assert_eq!(status, 201);
    let after = get(Role::Viewer, false).await;
    assert_eq!(after.headers()["x-page-cache"], "miss");
    assert_eq!(
        get(Role::Viewer, false).await.headers()["x-page-cache"],
        "hit"
    );
}

#[tokio::test]
async fn restart_keeps_data_without_reseeding_and_simulator_off_adds_no_days() {
    let dir = tempfile::tempdir().unwrap();
    let first = TestApp::on(day(2026, 1, 10))
        .simulator(false)
        .database_in(dir.path())
        .start()
        .await;
    // Without the simulator, days after the bundled snapshot (ends 2025-11-01) are projections.
    let (_, b) = first
        .get_json("/api/v1/revenue?from=2025-11-01&to=2025-11-02&site=baie-comeau")
        .await;
    let flags: Vec<bool> = b["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["projected"].as_bool().unwrap())
        .collect();
    assert_eq!(flags, vec![false, true]);
    first.stop().await;

    let second = TestApp::on(day(2026, 1, 10))
        .simulator(true)
        .database_in(dir.path())
        .start()
        .await;
    let (_, sites) = second.get_json("/api/v1/sites").await;
    assert_eq!(sites["sites"].as_array().unwrap().len(), 3, "seeded twice?");
    let (_, b) = second
        .get_json("/api/v1/revenue?from=2025-11-01&to=2025-11-02&site=baie-comeau")
        .await;
    let flags: Vec<bool> = b["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["projected"].as_bool().unwrap())
        .collect();
    assert_eq!(
        flags,
        vec![false, false],
        "simulated days fill the gap once the simulator runs"
    );
    second.stop().await;
}

/// The page language: `Accept-Language` when nothing else says, `?lang=` over it; numbers and
/// dates follow it in the server-rendered HTML.
#[tokio::test]
async fn pages_speak_the_language_the_request_asks_for() {
    let app = TestApp::on(day(2025, 6, 15)).start().await;
    let page = |path: &'static str, accept: &'static str| {
        app.request_as(
            Some(app::api::auth::Role::Viewer),
            reqwest::Method::GET,
            path,
        )
        .header("accept-language", accept)
        .send()
    };
    let html = page("/", "it-IT,it;q=0.9,en;q=0.5")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"<html lang="it""#), "{html}");
    assert!(html.contains("Panoramica") && html.contains("DATI SIMULATI"));
    assert!(html.contains("Aggiornato al 15 giu 2025"), "{html}");
    assert!(!html.contains("Fleet hashrate"));
    let html = page("/?lang=en", "it").await.unwrap().text().await.unwrap();
    assert!(html.contains(r#"<html lang="en""#) && html.contains("Fleet hashrate"));
    let html = page("/fleet", "fr, de;q=0.8")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"<html lang="en""#) && html.contains("Devices online"));

    // Every page in Italian carries none of the English page chrome.
    let english = [
        "Loading",
        "Overview",
        "Sign out",
        "Fleet hashrate",
        "Status map",
        "Devices online",
        "Conversion timeline",
        "Milestones done",
        "Estimators",
        "Conversion calculator",
        "Administration",
        "Audit log",
        "Your account",
        "Change password",
        "SIMULATED DATA",
        "not for investment decisions",
        "As of",
        "Device ",
        "Not found",
    ];
    for path in [
        "/",
        "/fleet",
        "/timeline",
        "/estimators",
        "/admin",
        "/account",
        "/device?id=x",
        "/nowhere",
    ] {
        let html = app
            .request_as(
                Some(app::api::auth::Role::Admin),
                reqwest::Method::GET,
                path,
            )
            .header("accept-language", "it")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains(r#"<html lang="it""#),
            "{path}: {}",
            html.chars().take(400).collect::<String>()
        );
        // Only what the page shows: script blocks (hydration data) may quote stored text.
        let shown = without_scripts(&html);
        assert!(shown.len() > 400, "{path}: {shown}");
        for phrase in english {
            assert!(
                !shown.contains(phrase),
                "{path} shows {phrase:?} in Italian"
            );
        }
    }
}

fn without_scripts(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        out.push_str(&rest[..start]);
        rest = rest[start..]
            .find("</script>")
            .map_or("", |end| &rest[start + end + "</script>".len()..]);
    }
    out.push_str(rest);
    out
}

/// CSV exports follow `?lang=`: chart series and data columns named in Italian, numbers still
/// machine-readable; without it, the API's English names.
#[tokio::test]
async fn exports_name_their_columns_in_the_language_asked_for() {
    let app = TestApp::on(day(2025, 6, 15)).start().await;
    let app = &app;
    let csv = |path: &'static str| async move {
        app.request_as(
            Some(app::api::auth::Role::Viewer),
            reqwest::Method::GET,
            path,
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
    };
    let it = csv("/api/v1/export/revenue-mix.csv?lang=it").await;
    let head = it.lines().next().unwrap();
    assert!(
        head.starts_with("data,") && head.contains("Ricavi da mining"),
        "{head}"
    );
    let en = csv("/api/v1/export/revenue-mix.csv").await;
    assert!(en.lines().next().unwrap().contains("Mining revenue"));
    // The same figures either way.
    assert_eq!(it.lines().nth(1), en.lines().nth(1));
    let timeline = csv("/api/v1/export/timeline.csv?lang=it").await;
    assert!(
        timeline.starts_with("sito,milestone,tipo,stato,inizio_pianificato"),
        "{timeline}"
    );
    let revenue = csv("/api/v1/export/revenue.csv").await;
    assert!(revenue.starts_with("date,site,mining_usd"), "{revenue}");
}
