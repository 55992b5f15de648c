//! IR embeds and exports over real HTTP: framing headers, token checks, caching, what embed
//! data may never contain, and CSV exports that match the charts they come from.

mod support;

use app::api::auth::Role;
use app::api::economics::OverviewPage;
use app::charts::csv::option_csv;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{day, TestApp};

const IR: &str = "https://ir.example.com";

async fn create_embed(app: &TestApp, view: &str, sites: Value) -> (i64, String) {
    let (s, e) = app
        .post_json(
            "/api/v1/embeds",
            &json!({ "name": format!("IR {view}"), "view": view, "sites": sites, "origins": [IR, "http://127.0.0.1:3101/"] }),
        )
        .await;
    assert_eq!(s, 201, "{e}");
    (
        e["embed"]["id"].as_i64().unwrap(),
        e["embed"]["token"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn an_embed_is_framed_only_by_its_origins_and_the_dashboard_by_nobody() {
    let app = TestApp::on(day(2026, 11, 25)).asics(20).start().await;
    let (id, token) = create_embed(&app, "revenue_mix", json!([])).await;
    let url = app.url(&format!("/embed/revenue-mix?token={token}"));
    let r = app.anon.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.starts_with(&format!("frame-ancestors {IR} http://127.0.0.1:3101;")),
        "{csp}"
    );
    assert!(
        r.headers().get("x-frame-options").is_none(),
        "an embed must not send X-Frame-Options"
    );
    assert_eq!(r.headers()["cache-control"], "public, max-age=60");
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    let html = r.text().await.unwrap();
    assert!(html.contains("Monthly revenue: bitcoin mining and AI leases"));
    assert!(html.contains("forward-looking"));
    assert!(html.contains("SIMULATED DATA"));
    assert!(html.contains(r#"<script type="application/json" id="chart-option">"#));

    // Unchanged data: a conditional request costs a 304 and no body.
    let again = app
        .anon
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    // The dashboard, its API and an embed with a bad token may not be framed by anyone.
    for path in ["/", "/timeline", "/api/v1/sites"] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.headers()["x-frame-options"], "DENY", "{path}");
        let csp = r.headers()["content-security-policy"].to_str().unwrap();
        assert!(
            csp.split(';').any(|d| d.trim() == "frame-ancestors 'none'"),
            "{path}: {csp}"
        );
    }
    for (path, status) in [
        (format!("/embed/revenue-mix?token={token}x"), 403),
        ("/embed/revenue-mix".to_string(), 403),
        (format!("/embed/timeline?token={token}"), 403),
        (format!("/embed/device-table?token={token}"), 404),
    ] {
        let r = app.anon.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), status, "{path}");
        assert_eq!(
            r.headers()["content-security-policy"],
            "frame-ancestors 'none'",
            "{path}"
        );
    }

    // An embed token opens no API, and revoking it closes the embed at once.
    let api = app
        .anon
        .get(app.url("/api/v1/sites"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 401);
    let r = app
        .request_as(
            Some(Role::Admin),
            Method::DELETE,
            &format!("/api/v1/embeds/{id}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let gone = app.anon.get(&url).send().await.unwrap();
    assert_eq!(gone.status(), 403);
    assert_eq!(
        gone.headers()["content-security-policy"],
        "frame-ancestors 'none'"
    );
}

#[tokio::test]
async fn embed_data_never_holds_an_address_an_annotation_or_a_user() {
    let app = TestApp::on(day(2026, 11, 25)).asics(20).start().await;
    // Devices with live state (their addresses in the fleet), and a note with a marker text.
    app.first_poll().await;
    let secret = "INTERNAL-NOTE-7f3a: tenant pricing under NDA";
    let (s, _) = app
        .post_json(
            "/api/v1/annotations",
            &json!({ "target": "pecos-retrofit-h2", "text": secret }),
        )
        .await;
    assert_eq!(s, 201);
    let (_, fleet) = app.get_json("/api/v1/fleet").await;
    let addresses: Vec<String> = fleet["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["address"].as_str().unwrap().to_string())
        .collect();
    assert!(addresses.len() > 20);

    for view in [
        "revenue_mix",
        "mw_converted",
        "timeline",
        "fleet_summary",
        "kpis",
    ] {
        let (_, token) = create_embed(&app, view, json!([])).await;
        let slug = view.replace('_', "-");
        for file in [format!("{slug}.json"), slug.clone()] {
            let r = app
                .anon
                .get(app.url(&format!("/embed/{file}?token={token}")))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{file}");
            let body = r.text().await.unwrap();
            for a in &addresses {
                assert!(
                    !body.contains(a.as_str()),
                    "{file} leaks device address {a}"
                );
            }
            assert!(
                !body.contains("127.0.0.1"),
                "{file} leaks a loopback address"
            );
            assert!(
                !body.contains("INTERNAL-NOTE"),
                "{file} leaks an annotation"
            );
            assert!(
                !body.contains("test-admin") && !body.contains("\"admin\""),
                "{file} leaks a user"
            );
            assert!(!body.contains("sim-asic"), "{file} leaks device ids");
        }
    }

    // The timeline embed shows the milestones of its sites only.
    let (_, token) = create_embed(&app, "timeline", json!(["baie-comeau"])).await;
    let r = app
        .anon
        .get(app.url(&format!("/embed/timeline.json?token={token}")))
        .send()
        .await
        .unwrap();
    let data: Value = r.json().await.unwrap();
    let sites: Vec<&str> = data["payload"]["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["site"].as_str().unwrap())
        .collect();
    assert_eq!(sites.len(), 3);
    assert!(sites.iter().all(|s| *s == "Baie-Comeau"), "{sites:?}");

    // The kpis embed: the same figures as /api/v1/kpis for every site; its sites only when
    // limited (Pecos Ridge's two dated colocation contracts, none open-ended).
    let kpis_of = |token: String| {
        let app = &app;
        async move {
            let r = app
                .anon
                .get(app.url(&format!("/embed/kpis.json?token={token}")))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.unwrap()["payload"]["kpis"].clone()
        }
    };
    let (_, api) = app.get_json("/api/v1/kpis").await;
    let all = kpis_of(create_embed(&app, "kpis", json!([])).await.1).await;
    assert_eq!(all, api);
    assert_eq!(all["open_ended_contracts"], 2, "Muskogee's two GPU clouds");
    let pecos = kpis_of(create_embed(&app, "kpis", json!(["pecos-ridge"])).await.1).await;
    assert_eq!(pecos["open_ended_contracts"], 0);
    let (p, a) = (
        pecos["ai_backlog_usd"].as_f64().unwrap(),
        all["ai_backlog_usd"].as_f64().unwrap(),
    );
    assert!(p > 0.0 && p < a, "{p} of {a}");
}

#[tokio::test]
async fn embed_specs_are_validated() {
    let app = TestApp::on(day(2026, 11, 25))
        .simulator(false)
        .start()
        .await;
    for (spec, field) in [
        (
            json!({ "name": "x", "view": "timeline", "origins": ["ir.example.com"] }),
            "origins",
        ),
        (
            json!({ "name": "x", "view": "timeline", "origins": ["https://a.example; script-src *"] }),
            "origins",
        ),
        (
            json!({ "name": "x", "view": "timeline", "origins": [] }),
            "origins",
        ),
        (
            json!({ "name": "x", "view": "timeline", "sites": ["atlantis"], "origins": [IR] }),
            "sites",
        ),
        (
            json!({ "name": "", "view": "timeline", "origins": [IR] }),
            "name",
        ),
    ] {
        let (s, b) = app.post_json("/api/v1/embeds", &spec).await;
        assert_eq!(s, 422, "{spec}: {b}");
        assert!(b["error"].as_str().unwrap().contains(field), "{b}");
    }
    let (s, _) = app
        .post_json(
            "/api/v1/embeds",
            &json!({ "name": "x", "view": "device_table", "origins": [IR] }),
        )
        .await;
    assert_eq!(s, 422);
}

#[tokio::test]
async fn chart_csv_matches_the_chart_and_large_ranges_stream() {
    let app = TestApp::on(day(2026, 11, 25))
        .simulator(false)
        .start()
        .await;
    let (s, _) = app
        .post_json(
            "/api/v1/annotations",
            &json!({ "target": "2026-06-01", "text": "mid-year review" }),
        )
        .await;
    assert_eq!(s, 201);
    // The chart as the page gets it (server function, built on the server)…
    let r = app
        .client
        .post(app.url("/api/get_overview"))
        .form(&[("range", "1y")])
        .send()
        .await
        .unwrap();
    let page: OverviewPage = r.json().await.unwrap();
    let drawn = page.revenue_mix.value();
    let days = drawn["xAxis"]["data"].as_array().unwrap().len();
    // One year each way is drawn day by day, with the note on its day.
    assert_eq!(page.overview.bucket_days, 1);
    assert!(page.revenue_mix.json().contains("mid-year review"));
    // …and the export of that chart hold the same table.
    let r = app
        .client
        .get(app.url("/api/v1/export/revenue-mix.csv?range=1y"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("rigshift-revenue-mix-2026-11-25.csv"));
    let csv = r.text().await.unwrap();
    assert_eq!(csv, option_csv(&drawn, "date"));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), days + 1);
    assert_eq!(
        lines[0],
        "date,Mining revenue,Mining (projected),AI lease revenue,AI lease (projected)"
    );

    // Ten years of daily rows for three sites (history from the snapshot's start), streamed.
    let r = app
        .client
        .get(app.url("/api/v1/export/revenue.csv?from=2023-01-01&to=2032-12-31"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers().get("content-length").is_none(),
        "a large export is streamed, not buffered"
    );
    let body = r.text().await.unwrap();
    let days = (day(2032, 12, 31) - day(2023, 1, 1)).num_days() + 1;
    assert_eq!(body.lines().count() as i64, 1 + 3 * days);

    // The timeline export lists every milestone; exports need a signed-in viewer.
    let r = app
        .client
        .get(app.url("/api/v1/export/timeline.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.text().await.unwrap().lines().count(), 1 + 19);
    let anon = app
        .anon
        .get(app.url("/api/v1/export/timeline.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status(), 401);
    let bad = app
        .client
        .get(app.url("/api/v1/export/revenue-mix.csv?range=forever"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
}

/// Italian where the dashboard's pages are not: the sign-in page, every embed view, and every
/// CSV export — headed in Italian, with the same figures as in English.
#[tokio::test]
async fn sign_in_embeds_and_exports_speak_italian_when_asked() {
    use app::i18n::{EN, IT};
    use app::model::investor::embed::EmbedView;
    let app = TestApp::on(day(2026, 11, 25)).asics(12).start().await;
    let login = app
        .anon
        .get(app.url("/login"))
        .header("accept-language", "it-IT,it;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(login.contains(r#"<html lang="it""#), "{login}");
    assert!(
        login.contains(IT.login.heading) && !login.contains(EN.login.heading),
        "{login}"
    );
    assert!(
        login.contains(IT.login.submit) && !login.contains(EN.login.submit),
        "{login}"
    );

    // The production view publishes closed months only: one is closed for it.
    let (s, b) = app
        .post_json("/api/v1/reports/2025-09/close", &json!({}))
        .await;
    assert_eq!(s, 201, "{b}");
    for view in EmbedView::ALL {
        let name = serde_json::to_value(view).unwrap();
        let (_, token) = create_embed(&app, name.as_str().unwrap(), json!([])).await;
        let html = app
            .anon
            .get(app.url(&format!("/embed/{}?token={token}&lang=it", view.slug())))
            .header("origin", IR)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains(r#"<html lang="it""#), "{view:?}: {html}");
        let html_text = |s: &str| s.replace('&', "&amp;").replace('\'', "&#39;");
        let (it, en) = ((IT.embed.view_title)(view), (EN.embed.view_title)(view));
        assert!(
            html.contains(&html_text(it)) && !html.contains(&html_text(en)),
            "{view:?}: {html}"
        );
    }

    app.first_poll().await;
    let app = &app;
    let export = |path: String| async move {
        let r = app
            .request_as(Some(Role::Viewer), Method::GET, &path)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        r.text().await.unwrap()
    };
    for file in [
        "revenue-mix.csv?range=1y",
        "site-revenue.csv?range=1y",
        "mw-mix.csv",
        "timeline.csv",
        "device-work.csv?id=sim-asic-00000&hours=24",
        "device-thermals.csv?id=sim-asic-00000&hours=24",
    ] {
        let sep = if file.contains('?') { '&' } else { '?' };
        let it = export(format!("/api/v1/export/{file}{sep}lang=it")).await;
        let en = export(format!("/api/v1/export/{file}")).await;
        let (head_it, head_en) = (it.lines().next().unwrap(), en.lines().next().unwrap());
        assert_ne!(head_it, head_en, "{file}: the header is not translated");
        // The figures are the same in both languages (text columns aside).
        let numbers = |csv: &str| -> Vec<String> {
            csv.lines()
                .skip(1)
                .flat_map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>())
                .filter(|c| c.parse::<f64>().is_ok())
                .collect()
        };
        assert_eq!(numbers(&it), numbers(&en), "{file}");
    }
}
