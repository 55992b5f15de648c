//! The company's own portfolio end to end, on an install started without the demo: a TOML
//! document imported and exported byte for byte, refused whole by line, edited with versions,
//! retired with its history kept, reported monthly history read back, devices refused at a
//! site that does not exist, and two GPU tenants in one hall each seeing only their own GPUs.

use std::path::Path;

use app::api::auth::Role;
use serde_json::{json, Value};
use server::portfolio::cli;

use super::support::{day, TestApp};

/// Two sites and three contracts: a colocation tenant at North, two GPU-hour tenants at
/// South, each naming its node.
const PORTFOLIO: &str = r#"
[[sites]]
id = "north"
name = "North Hall"
location = "Ward County, Texas"
capacity_mw = 100.0
initial_mining_mw = 80.0
power_usd_per_kwh = 0.04
pue_ai = 1.25
mining_uptime = 0.95
pool_fee_pct = 1.0

[[sites.fleet]]
model_id = "S21"
count = 20000

[[sites.contracts]]
id = "north-colo"
tenant = "Hyperscaler"
start_on = "2026-01-01"
ramp_months = 0
power_pass_through = true

[sites.contracts.terms]
kind = "colocation"
critical_mw = 16.0
usd_per_kw_month = 130.0
escalator_pct_per_year = 0.0

[[sites]]
id = "south"
name = "South GPU Campus"
location = "Oklahoma"
capacity_mw = 50.0
initial_mining_mw = 0.0
power_usd_per_kwh = 0.05
pue_ai = 1.3
mining_uptime = 1.0
pool_fee_pct = 0.0

[[sites.contracts]]
id = "south-a"
tenant = "Lab A"
start_on = "2026-06-01"
devices = ["sim-gpu-node-001"]

[sites.contracts.terms]
kind = "gpu_hours"
gpus = 8
usd_per_gpu_hour = 2.5
utilisation = 0.9
server_kw_per_gpu = 1.275

[[sites.contracts]]
id = "south-b"
tenant = "Lab B"
start_on = "2026-06-01"
devices = ["sim-gpu-node-003"]

[sites.contracts.terms]
kind = "gpu_hours"
gpus = 8
usd_per_gpu_hour = 3.0
utilisation = 0.8
server_kw_per_gpu = 1.275
"#;

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn site_ids(v: &Value) -> Vec<String> {
    v["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

async fn empty_install() -> TestApp {
    TestApp::on(day(2026, 12, 7))
        .simulator(false)
        .args(|a| a.demo = false)
        .start()
        .await
}

#[tokio::test]
async fn an_empty_install_takes_its_own_portfolio_and_exports_it_byte_for_byte() {
    let app = empty_install().await;
    let dir = tempfile::tempdir().unwrap();
    let (s, sites) = app.get_json("/api/v1/sites").await;
    assert_eq!(s, 200);
    assert!(site_ids(&sites).is_empty(), "no demo: {sites}");

    let file = write(dir.path(), "portfolio.toml", PORTFOLIO);
    let dry = cli::import(&app.database_url, &file, true, false)
        .await
        .unwrap();
    assert_eq!(dry.changes.len(), 5, "2 sites + 3 contracts");
    assert!(
        site_ids(&app.get_json("/api/v1/sites").await.1).is_empty(),
        "a dry run stores nothing"
    );
    let plan = cli::import(&app.database_url, &file, false, false)
        .await
        .unwrap();
    assert_eq!(plan.changes.len(), 5);
    let (_, sites) = app.get_json("/api/v1/sites").await;
    assert_eq!(site_ids(&sites), ["north", "south"]);
    assert!(sites["sites"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["demo"] == false));

    // The overview names these sites and no illustrative one.
    let page = app
        .request_as(Some(Role::Viewer), reqwest::Method::GET, "/")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("North Hall") && page.contains("South GPU Campus"));
    assert!(!page.contains("Pecos Ridge") && !page.contains("Muskogee"));

    // Export → import → export is the identity, through the CLI and the API.
    let once = cli::export(&app.database_url, false).await.unwrap();
    let exported = write(dir.path(), "exported.toml", &once);
    let again = cli::import(&app.database_url, &exported, false, false)
        .await
        .unwrap();
    assert!(again.is_empty(), "{:?}", again.changes);
    assert_eq!(cli::export(&app.database_url, false).await.unwrap(), once);
    let r = app
        .request_as(
            Some(Role::Admin),
            reqwest::Method::PUT,
            "/api/v1/portfolio?dry_run=true",
        )
        .header("content-type", "application/toml")
        .body(once.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["changes"], json!([]));
    let r = app
        .request_as(
            Some(Role::Admin),
            reqwest::Method::GET,
            "/api/v1/portfolio?format=toml",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.text().await.unwrap(), once);
}

#[tokio::test]
async fn a_bad_document_is_refused_whole_by_line_and_field() {
    let app = empty_install().await;
    let dir = tempfile::tempdir().unwrap();
    // The second site is sound; the first has a negative capacity: nothing is stored.
    let bad = PORTFOLIO.replacen("capacity_mw = 100.0", "capacity_mw = -100.0", 1);
    let e = cli::import(
        &app.database_url,
        &write(dir.path(), "bad.toml", &bad),
        false,
        false,
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        e.ends_with("line 6, sites[0].capacity_mw: must be above 0 and at most 10000, got -100"),
        "{e}"
    );
    let unknown = PORTFOLIO.replace("model_id = \"S21\"", "model_id = \"S21\"\nwatts = 3500");
    let e = cli::import(
        &app.database_url,
        &write(dir.path(), "u.toml", &unknown),
        false,
        false,
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(e.contains("line 15: unknown field `watts`"), "{e}");
    let too_big = PORTFOLIO.replace("critical_mw = 16.0", "critical_mw = 96.0");
    let r = app
        .request_as(Some(Role::Admin), reqwest::Method::PUT, "/api/v1/portfolio")
        .header("content-type", "application/toml")
        .body(too_big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("sites[0].contracts[0].terms: 96.0 MW of IT load"),
        "{body}"
    );
    assert!(site_ids(&app.get_json("/api/v1/sites").await.1).is_empty());
    // Only an admin replaces the portfolio.
    let r = app
        .request_as(
            Some(Role::Operator),
            reqwest::Method::PUT,
            "/api/v1/portfolio",
        )
        .header("content-type", "application/toml")
        .body(PORTFOLIO)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn an_empty_install_says_what_to_do_and_refuses_devices_at_unknown_sites() {
    let app = empty_install().await;
    // Every page says what to do instead of drawing empty charts.
    let first = app
        .request_as(Some(Role::Viewer), reqwest::Method::GET, "/")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        first.contains("data-testid=\"first-run\"") && first.contains("rigshift portfolio import"),
        "{first}"
    );
    assert!(!first.contains("data-testid=\"demo-banner\""));
    let (s, body) = app
        .post_json(
            "/api/v1/devices",
            &json!({"kind": "asic", "address": "10.0.0.5:4028", "site": "my-real-site"}),
        )
        .await;
    assert_eq!(s, 422, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("no site \"my-real-site\""),
        "{body}"
    );
    let (_, fleet) = app.get_json("/api/v1/fleet").await;
    assert_eq!(fleet["devices"], json!([]));
}

async fn revenue_on(app: &TestApp, site: &str, date: &str) -> Value {
    let (s, r) = app
        .get_json(&format!(
            "/api/v1/revenue?from={date}&to={date}&site={site}"
        ))
        .await;
    assert_eq!(s, 200, "{r}");
    r["days"][0].clone()
}

#[tokio::test]
async fn edits_change_the_figures_at_once_and_a_stale_edit_gets_409() {
    let app = empty_install().await;
    let r = app
        .request_as(Some(Role::Admin), reqwest::Method::PUT, "/api/v1/portfolio")
        .header("content-type", "application/toml")
        .body(PORTFOLIO)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let before = revenue_on(&app, "north", "2026-12-01").await;
    // 16 MW × $130/kW-month: a month of 30.4375 days.
    let daily = 16_000.0 * 130.0 / 30.4375;
    assert!(
        (before["ai_lease_usd"].as_f64().unwrap() - daily).abs() < 1e-6,
        "{before}"
    );

    let (_, site) = app.get_json("/api/v1/sites/north").await;
    assert_eq!(site["version"], 1);
    assert_eq!(site["contract_versions"]["north-colo"], 1);
    let patch = |body: Value, path: &'static str, role: Role| {
        let app = &app;
        async move { app.patch_json(role, path, &body).await }
    };
    let terms = json!({"kind": "colocation", "critical_mw": 16.0, "usd_per_kw_month": 150.0, "escalator_pct_per_year": 0.0});
    let (s, body) = patch(
        json!({"version": 1, "terms": terms}),
        "/api/v1/contracts/north-colo",
        Role::Operator,
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["contract_versions"]["north-colo"], 2);
    let after = revenue_on(&app, "north", "2026-12-01").await;
    let ratio = after["ai_lease_usd"].as_f64().unwrap() / before["ai_lease_usd"].as_f64().unwrap();
    assert!(
        (ratio - 150.0 / 130.0).abs() < 1e-12,
        "the cached figures moved at once: {ratio}"
    );

    // The same version again is stale: 409 with the current contract.
    let (s, body) = patch(
        json!({"version": 1, "tenant": "Someone else"}),
        "/api/v1/contracts/north-colo",
        Role::Operator,
    )
    .await;
    assert_eq!(s, 409, "{body}");
    assert!(
        body.to_string().contains("150"),
        "the current terms travel with the 409: {body}"
    );

    // A site's capacity: a viewer may not, an operator may; a bound is a 422 naming the field.
    let (s, _) = patch(
        json!({"version": 1, "capacity_mw": 120.0}),
        "/api/v1/sites/north",
        Role::Viewer,
    )
    .await;
    assert_eq!(s, 403);
    let (s, body) = patch(
        json!({"version": 1, "pue_ai": 1e307}),
        "/api/v1/sites/north",
        Role::Operator,
    )
    .await;
    assert_eq!(s, 422, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("sites[0].pue_ai"),
        "{body}"
    );
    let (s, body) = patch(
        json!({"version": 1, "initial_mining_mw": 40.0}),
        "/api/v1/sites/north",
        Role::Operator,
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["version"], 2);
    let mined = revenue_on(&app, "north", "2026-12-01").await;
    assert!(
        (mined["mining_mw"].as_f64().unwrap() - 40.0).abs() < 1e-9,
        "{mined}"
    );

    // Retiring keeps history: a past day still reads back, a day after earns nothing.
    let r = app
        .request_as(
            Some(Role::Operator),
            reqwest::Method::DELETE,
            "/api/v1/sites/north",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let past = revenue_on(&app, "north", "2026-12-01").await;
    assert!(
        past["ai_lease_usd"].as_f64().unwrap() > 0.0 && past["mining_usd"].as_f64().unwrap() > 0.0
    );
    let later = revenue_on(&app, "north", "2027-01-15").await;
    assert_eq!(later["ai_lease_usd"], 0.0);
    assert_eq!(later["mining_mw"], 0.0);
    let (_, sites) = app.get_json("/api/v1/sites").await;
    assert_eq!(sites["sites"][0]["retired_on"], "2026-12-07");
    // Every change is in the audit log.
    let (_, audit) = app.get_json("/api/v1/audit").await;
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .or_else(|| audit.as_array())
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "site.add",
        "contract.add",
        "contract.change",
        "site.change",
        "site.retire",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
}

#[tokio::test]
async fn a_reported_month_reads_back_exactly_as_imported() {
    let app = empty_install().await;
    let r = app
        .request_as(Some(Role::Admin), reqwest::Method::PUT, "/api/v1/portfolio")
        .header("content-type", "application/toml")
        .body(PORTFOLIO)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let csv = "site,month,btc_produced,mining_revenue_usd,power_cost_usd,energy_mwh,ai_revenue_usd,hashrate_ths_avg\n\
               north,2025-03,412.5,34125000.75,-250000,55000,,7800000\n";
    let (s, body) = app
        .post_raw("/api/v1/history", "text/csv", csv.into())
        .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["imported"], 1);
    let (s, r) = app
        .get_json("/api/v1/revenue?from=2025-03-01&to=2025-03-31&site=north")
        .await;
    assert_eq!(s, 200);
    let days = r["days"].as_array().unwrap();
    assert_eq!(days.len(), 31);
    assert!(
        days.iter().all(|d| d["hashrate_source"] == "reported"),
        "{r}"
    );
    let sum = |k: &str| days.iter().map(|d| d[k].as_f64().unwrap()).sum::<f64>();
    assert!(
        (sum("btc_mined") - 412.5).abs() < 1e-9,
        "{}",
        sum("btc_mined")
    );
    assert!((sum("mining_usd") - 34_125_000.75).abs() < 1e-6);
    assert!(
        (sum("power_cost_usd") + 250_000.0).abs() < 1e-6,
        "credits make it negative"
    );
    // April was not reported: modelled.
    let april = revenue_on(&app, "north", "2025-04-01").await;
    assert_eq!(april["hashrate_source"], "modelled");
    // A bad line refuses the file, nothing stored.
    let bad = "site,month,btc_produced,mining_revenue_usd,power_cost_usd,energy_mwh,ai_revenue_usd,hashrate_ths_avg\n\
               north,2025-04,1,,,,,\nnowhere,2025-04,1,,,,,\n";
    let (s, body) = app
        .post_raw("/api/v1/history", "text/csv", bad.into())
        .await;
    assert_eq!(s, 422);
    assert_eq!(
        body["error"],
        "line 3: no site \"nowhere\" in the portfolio"
    );
    assert_eq!(
        revenue_on(&app, "north", "2025-04-01").await["hashrate_source"],
        "modelled"
    );
}

/// Two GPU tenants in one hall, each contract naming its node: each sees only its own GPUs and
/// its own ledger line, through the API and the fleet page.
#[tokio::test]
async fn two_tenants_in_one_hall_see_only_their_own_gpus() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("rigshift.db").display());
    // The portfolio is in the database before the server (and its simulator) starts.
    let file = write(dir.path(), "portfolio.toml", PORTFOLIO);
    server::store::Store::connect(&url).await.unwrap();
    cli::import(&url, &file, false, false).await.unwrap();
    let app = TestApp::on(day(2026, 12, 7))
        .database_in(dir.path())
        .asics(4)
        .args(|a| {
            a.demo = false;
            a.simulated_gpu_nodes = 4
        })
        .start()
        .await;
    app.first_poll().await;
    let store = std::sync::Arc::new(server::store::Store::connect(&url).await.unwrap());
    let auth = server::auth::Auth::new(store, false);
    for (user, tenant) in [("lab-a", "Lab A"), ("lab-b", "Lab B")] {
        auth.add_user(
            user,
            Role::Tenant,
            Some(tenant),
            "tenant-password-1",
            "test",
        )
        .await
        .unwrap();
    }
    let origin = format!("http://{}", app.addr);
    let cookie = |user: &'static str| {
        let (app, origin) = (&app, origin.clone());
        async move {
            let r = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap()
                .post(app.url("/auth/login"))
                .header("origin", origin)
                .form(&[
                    ("username", user),
                    ("password", "tenant-password-1"),
                    ("next", "/fleet"),
                ])
                .send()
                .await
                .unwrap();
            let c = r.headers()["set-cookie"].to_str().unwrap();
            c.split(';').next().unwrap().to_string()
        }
    };
    for (user, own, other, contract) in [
        ("lab-a", "sim-gpu-node-001/", "sim-gpu-node-003/", "south-a"),
        ("lab-b", "sim-gpu-node-003/", "sim-gpu-node-001/", "south-b"),
    ] {
        let c = cookie(user).await;
        // A tenant's own pages and routes answer 200 (the banner and nav included).
        let get = |path: &'static str| {
            let (app, c) = (&app, c.clone());
            async move {
                let r = app
                    .anon
                    .get(app.url(path))
                    .header("cookie", c)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200, "{path}");
                r.text().await.unwrap()
            }
        };
        let ids_in = |v: &Value, list: &str, key: &str| -> Vec<String> {
            v[list]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d[key].as_str().unwrap().to_string())
                .collect()
        };
        let fleet: Value = serde_json::from_str(&get("/api/v1/fleet").await).unwrap();
        let ids = ids_in(&fleet, "devices", "id");
        assert_eq!(ids.len(), 8, "{user}: {ids:?}");
        assert!(ids.iter().all(|id| id.starts_with(own)), "{user}: {ids:?}");
        let ledger: Value = serde_json::from_str(&get("/api/v1/sla?month=2026-12").await).unwrap();
        assert_eq!(ids_in(&ledger, "rows", "contract_id"), [contract], "{user}");
        let page = get("/fleet").await;
        assert!(
            page.contains(own.trim_end_matches('/')),
            "{user}'s page shows its node"
        );
        assert!(
            !page.contains(other.trim_end_matches('/')),
            "{user}'s page hides the other's"
        );
    }
}

/// The README's run command shows every capability: the demo's index site has a year of
/// simulated prices to curtail against, a forward curve and GPU quotes price and mark its
/// leases, a tenant can sign in — all labelled `simulated` — and none of it overwrites what
/// the company set: terms changed by an operator survive a restart.
#[tokio::test]
async fn the_demo_company_has_simulated_markets_and_keeps_what_operators_change() {
    let dir = tempfile::tempdir().unwrap();
    let start = || {
        TestApp::on(day(2026, 12, 7))
            .database_in(dir.path())
            .asics(4)
            .args(|a| a.demo_markets = true)
            .start()
    };
    let app = start().await;
    let (_, terms) = app.get_json("/api/v1/power/sites").await;
    let pecos = terms
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["site"] == "pecos-ridge")
        .expect("pecos-ridge has terms");
    assert_eq!(pecos["terms"]["contract"]["point"], "HB_WEST");
    assert_eq!(pecos["terms"]["demand_response"]["committed_mw"], 50.0);
    let (s, prices) = app
        .get_json("/api/v1/power/prices?site=pecos-ridge&from=2026-06-01&to=2026-06-02")
        .await;
    assert_eq!(s, 200, "{prices}");
    assert_eq!(prices["source"], "simulated");
    assert_eq!(prices["intervals"].as_array().unwrap().len(), 2 * 96);
    let (s, c) = app
        .get_json("/api/v1/curtailment?site=pecos-ridge&from=2026-07-01&to=2026-07-31&group=month")
        .await;
    assert_eq!(s, 200, "{c}");
    assert!(c["flexibility_value_usd"].as_f64().unwrap() > 0.0, "{c}");
    let (_, marks) = app.get_json("/api/v1/leases/mark-to-market").await;
    assert!(marks.to_string().contains("simulated"), "{marks}");
    let (_, users) = app.get_json("/api/v1/users").await;
    assert!(users.to_string().contains("\"tenant\""), "{users}");

    // An operator puts Pecos Ridge on a fixed price; a restart keeps it.
    let r = app
        .request_as(
            Some(Role::Operator),
            reqwest::Method::PUT,
            "/api/v1/sites/pecos-ridge/power",
        )
        .json(&json!({"contract": {"kind": "fixed", "usd_per_mwh": 41.0}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    app.stop().await;
    let app = start().await;
    let (_, terms) = app.get_json("/api/v1/power/sites").await;
    assert!(terms.to_string().contains("\"fixed\""), "{terms}");
    let (_, users) = app.get_json("/api/v1/users").await;
    assert_eq!(
        users.to_string().matches("\"role\":\"tenant\"").count(),
        1,
        "one tenant login: {users}"
    );
}
