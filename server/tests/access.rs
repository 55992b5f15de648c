//! Accounts and access over real HTTP against a real SQLite file: the authorisation matrix
//! (every role against every write endpoint and server function), sessions and CSRF, the
//! login rate limit, token revocation, versioned annotations and the timeline driving revenue.

mod support;

use app::api::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{day, wait_until, TestApp, ADMIN_PASSWORD};

/// Who may call an endpoint.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Needs {
    /// Anyone, signed in or not.
    Public,
    /// At least this role (a tenant: only tenant-level routes).
    Role(Role),
    /// A signed-in person of at least this role: an API token has no password.
    Session(Role),
    /// A session of one's own (a tenant ending its session), or an admin's any; another staff
    /// token finds none of its own (404).
    OwnSessionOrAdmin,
}

/// Who calls: nobody, a tenant signed in (session cookie, our Origin), or a role's API token.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Caller {
    Anonymous,
    TenantSession,
    Token(Role),
}

const CALLERS: [Caller; 5] = [
    Caller::Anonymous,
    Caller::TenantSession,
    Caller::Token(Role::Viewer),
    Caller::Token(Role::Operator),
    Caller::Token(Role::Admin),
];

/// The status class a caller must get: success, or this refusal.
fn expected(caller: Caller, needs: Needs) -> Option<StatusCode> {
    let forbidden = Some(StatusCode::FORBIDDEN);
    match (caller, needs) {
        (_, Needs::Public) => None,
        (Caller::Anonymous, _) => Some(StatusCode::UNAUTHORIZED),
        (Caller::TenantSession, Needs::Role(r) | Needs::Session(r)) => {
            (r != Role::Tenant).then_some(StatusCode::FORBIDDEN)
        }
        (Caller::TenantSession, Needs::OwnSessionOrAdmin) => None,
        (Caller::Token(t), Needs::Role(r)) => (t < r).then_some(StatusCode::FORBIDDEN),
        (Caller::Token(_), Needs::Session(_)) => forbidden,
        (Caller::Token(t), Needs::OwnSessionOrAdmin) => {
            (t != Role::Admin).then_some(StatusCode::NOT_FOUND)
        }
    }
}

/// Every route of `/api/v1` and every server function, with who may call it. The test below
/// reads the routes from the router's own OpenAPI document and the server functions from their
/// registry: one missing here, or here and gone there, fails it; an API route's role must be
/// the one the router enforces (`x-rigshift-role`).
const MATRIX: &[(&str, Needs)] = &[
    ("GET /health", Needs::Public),
    ("GET /health/ready", Needs::Public),
    ("GET /openapi.json", Needs::Public),
    // Tenants (their own contracts) and staff.
    ("GET /fleet", Needs::Role(Role::Tenant)),
    ("GET /sla", Needs::Role(Role::Tenant)),
    ("GET /sla.csv", Needs::Role(Role::Tenant)),
    ("GET /sessions", Needs::Role(Role::Tenant)),
    ("POST /me/password", Needs::Session(Role::Tenant)),
    ("DELETE /sessions/{id}", Needs::OwnSessionOrAdmin),
    ("fn get_fleet", Needs::Role(Role::Tenant)),
    ("fn get_device_history", Needs::Role(Role::Tenant)),
    ("fn get_sla_ledger", Needs::Role(Role::Tenant)),
    ("fn get_me", Needs::Role(Role::Tenant)),
    ("fn get_data_status", Needs::Role(Role::Tenant)),
    ("fn get_account", Needs::Role(Role::Tenant)),
    ("fn change_password", Needs::Session(Role::Tenant)),
    ("fn revoke_session", Needs::OwnSessionOrAdmin),
    // Viewers.
    ("GET /sites", Needs::Role(Role::Viewer)),
    ("GET /sites/{id}", Needs::Role(Role::Viewer)),
    ("GET /revenue", Needs::Role(Role::Viewer)),
    ("GET /risk", Needs::Role(Role::Viewer)),
    ("GET /leases/mark-to-market", Needs::Role(Role::Viewer)),
    ("GET /kpis", Needs::Role(Role::Viewer)),
    ("GET /market", Needs::Role(Role::Viewer)),
    ("GET /market/latest", Needs::Role(Role::Viewer)),
    ("GET /pool-rewards", Needs::Role(Role::Viewer)),
    ("GET /power/prices", Needs::Role(Role::Viewer)),
    ("GET /curtailment", Needs::Role(Role::Viewer)),
    ("GET /power/sites", Needs::Role(Role::Viewer)),
    ("POST /estimate/mining", Needs::Role(Role::Viewer)),
    ("POST /estimate/gpu", Needs::Role(Role::Viewer)),
    ("POST /estimate/sha256", Needs::Role(Role::Viewer)),
    ("GET /catalogue/gpus", Needs::Role(Role::Viewer)),
    ("GET /catalogue/asics", Needs::Role(Role::Viewer)),
    ("GET /stream", Needs::Role(Role::Viewer)),
    ("GET /timeline", Needs::Role(Role::Viewer)),
    ("GET /export/{file}", Needs::Role(Role::Viewer)),
    ("GET /annotations/{id}/history", Needs::Role(Role::Viewer)),
    ("GET /reports", Needs::Role(Role::Viewer)),
    ("GET /reports/{month}", Needs::Role(Role::Viewer)),
    ("GET /reports/{month}/csv", Needs::Role(Role::Viewer)),
    ("GET /power-credits", Needs::Role(Role::Viewer)),
    ("fn get_timeline", Needs::Role(Role::Viewer)),
    ("fn get_site_flexibility", Needs::Role(Role::Viewer)),
    ("fn get_overview", Needs::Role(Role::Viewer)),
    ("fn get_annotation_history", Needs::Role(Role::Viewer)),
    ("fn get_sites", Needs::Role(Role::Viewer)),
    ("fn get_reports", Needs::Role(Role::Viewer)),
    ("fn get_report", Needs::Role(Role::Viewer)),
    ("fn get_market_now", Needs::Role(Role::Viewer)),
    ("fn estimate_sha256", Needs::Role(Role::Viewer)),
    // Operators.
    ("POST /devices", Needs::Role(Role::Operator)),
    ("DELETE /devices/{id}", Needs::Role(Role::Operator)),
    ("POST /devices/scan", Needs::Role(Role::Operator)),
    ("fn scan_devices", Needs::Role(Role::Operator)),
    ("fn register_device", Needs::Role(Role::Operator)),
    ("PUT /sites/{id}/power", Needs::Role(Role::Operator)),
    ("PATCH /milestones/{id}", Needs::Role(Role::Operator)),
    ("POST /milestones", Needs::Role(Role::Operator)),
    ("fn create_milestone", Needs::Role(Role::Operator)),
    ("POST /annotations", Needs::Role(Role::Operator)),
    ("PATCH /annotations/{id}", Needs::Role(Role::Operator)),
    ("fn update_milestone", Needs::Role(Role::Operator)),
    ("fn create_annotation", Needs::Role(Role::Operator)),
    ("fn edit_annotation", Needs::Role(Role::Operator)),
    ("POST /sites", Needs::Role(Role::Operator)),
    ("PATCH /sites/{id}", Needs::Role(Role::Operator)),
    ("DELETE /sites/{id}", Needs::Role(Role::Operator)),
    ("POST /sites/{id}/contracts", Needs::Role(Role::Operator)),
    ("PATCH /contracts/{id}", Needs::Role(Role::Operator)),
    ("DELETE /contracts/{id}", Needs::Role(Role::Operator)),
    ("fn add_site", Needs::Role(Role::Operator)),
    ("fn add_contract", Needs::Role(Role::Operator)),
    ("fn patch_site", Needs::Role(Role::Operator)),
    ("fn patch_contract", Needs::Role(Role::Operator)),
    ("fn retire_site", Needs::Role(Role::Operator)),
    ("fn end_contract", Needs::Role(Role::Operator)),
    // Admins.
    ("GET /tokens", Needs::Role(Role::Admin)),
    ("POST /tokens", Needs::Role(Role::Admin)),
    ("DELETE /tokens/{id}", Needs::Role(Role::Admin)),
    ("GET /audit", Needs::Role(Role::Admin)),
    ("GET /embeds", Needs::Role(Role::Admin)),
    ("POST /embeds", Needs::Role(Role::Admin)),
    ("DELETE /embeds/{id}", Needs::Role(Role::Admin)),
    ("GET /users", Needs::Role(Role::Admin)),
    ("PATCH /users/{name}", Needs::Role(Role::Admin)),
    ("GET /portfolio", Needs::Role(Role::Admin)),
    ("PUT /portfolio", Needs::Role(Role::Admin)),
    ("POST /history", Needs::Role(Role::Admin)),
    ("POST /reports/{month}/close", Needs::Role(Role::Admin)),
    ("POST /reports/{month}/restate", Needs::Role(Role::Admin)),
    ("POST /power-credits", Needs::Role(Role::Admin)),
    ("DELETE /power-credits/{id}", Needs::Role(Role::Admin)),
    ("fn get_embeds", Needs::Role(Role::Admin)),
    ("fn create_embed", Needs::Role(Role::Admin)),
    ("fn revoke_embed", Needs::Role(Role::Admin)),
    ("fn get_admin", Needs::Role(Role::Admin)),
    ("fn update_user", Needs::Role(Role::Admin)),
    ("fn add_user", Needs::Role(Role::Admin)),
    ("fn create_token", Needs::Role(Role::Admin)),
    ("fn revoke_token", Needs::Role(Role::Admin)),
    ("fn close_report", Needs::Role(Role::Admin)),
    ("fn restate_report", Needs::Role(Role::Admin)),
];

/// The tenant whose user the matrix signs in as (a contract of the seed at Muskogee).
const TENANT: &str = "Own GPU cloud (H100 SXM)";
const TENANT_PASSWORD: &str = "tenant-password-1";

async fn version_of_milestone(app: &TestApp, id: &str) -> i64 {
    let (_, t) = app.get_json("/api/v1/timeline").await;
    t["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id)
        .unwrap()["version"]
        .as_i64()
        .unwrap()
}

async fn new_annotation(app: &TestApp, text: &str) -> (i64, i64) {
    let (s, a) = app
        .post_json(
            "/api/v1/annotations",
            &json!({ "target": "pecos-ridge", "text": text }),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    (a["id"].as_i64().unwrap(), a["version"].as_i64().unwrap())
}

async fn new_token_id(app: &TestApp) -> i64 {
    let (s, t) = app
        .post_json(
            "/api/v1/tokens",
            &json!({ "name": "victim", "role": "viewer" }),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    t["id"].as_i64().unwrap()
}

async fn new_embed_id(app: &TestApp) -> i64 {
    let (s, e) = app
        .post_json(
            "/api/v1/embeds",
            &json!({ "name": "victim", "view": "timeline", "origins": ["https://ir.example.com"] }),
        )
        .await;
    assert_eq!(s, 201, "{e}");
    e["embed"]["id"].as_i64().unwrap()
}

async fn new_device_id(app: &TestApp, port: u16) -> String {
    let (s, d) = app
        .post_json(
            "/api/v1/devices",
            &json!({ "kind": "asic", "address": format!("127.0.0.1:{port}"), "site": "pecos-ridge" }),
        )
        .await;
    assert_eq!(s, 201, "{d}");
    d["id"].as_str().unwrap().to_string()
}

/// One call of the matrix: method, path, form or JSON body, prepared fresh for each caller
/// (versions and ids change as authorised callers succeed).
struct Call {
    method: Method,
    path: String,
    json: Option<Value>,
    form: Option<Vec<(String, String)>>,
    /// A CSV body.
    csv: Option<String>,
    /// The session the tenant caller uses for this call (its own fresh one), when not the
    /// matrix's shared one.
    tenant_cookie: Option<String>,
}

fn json_call(method: Method, path: impl Into<String>, body: Option<Value>) -> Call {
    Call {
        method,
        path: path.into(),
        json: body,
        form: None,
        csv: None,
        tenant_cookie: None,
    }
}

/// A site of the portfolio's own to edit or retire, added by the admin.
async fn new_site(app: &TestApp, id: &str) {
    let (s, b) = app
        .post_json(
            "/api/v1/sites",
            &json!({ "id": id, "name": format!("Site {id}"), "capacity_mw": 20.0, "initial_mining_mw": 10.0,
                     "power_usd_per_kwh": 0.04, "pue_ai": 1.3, "mining_uptime": 0.95, "pool_fee_pct": 1.0 }),
        )
        .await;
    assert_eq!(s, 201, "{b}");
}

/// A colocation contract at Baie-Comeau, added by the admin.
fn colocation(id: &str) -> Value {
    json!({ "id": id, "tenant": "Tenant", "start_on": "2027-01-01",
            "terms": { "kind": "colocation", "critical_mw": 1.0, "usd_per_kw_month": 120.0, "escalator_pct_per_year": 0.0 } })
}

async fn version_of(app: &TestApp, site: &str, contract: Option<&str>) -> i64 {
    let (_, d) = app.get_json(&format!("/api/v1/sites/{site}")).await;
    match contract {
        Some(c) => d["contract_versions"][c].as_i64().unwrap(),
        None => d["version"].as_i64().unwrap(),
    }
}

fn server_fn(name: &str, form: &[(&str, String)]) -> Call {
    Call {
        method: Method::POST,
        path: format!("/api/{name}"),
        json: None,
        form: Some(
            form.iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        ),
        csv: None,
        tenant_cookie: None,
    }
}

/// A month of its own for each call that closes one (closing is once per month), from
/// January 2023: every one over and within the bundled market history.
/// The closed month the read calls share (the bundled history's last whole month).
const READ_MONTH: &str = "2025-10";

fn old_month(fixture: &Fixture) -> String {
    let m = u32::from(
        fixture
            .months
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst),
    );
    assert!(
        m < 33,
        "the bundled history has 34 whole months, the last kept for reads"
    );
    format!("{}-{:02}", 2023 + m / 12, 1 + m % 12)
}

/// What the matrix's calls need besides the app: accounts to make tenant users, a GPU to ask
/// the history of.
struct Fixture {
    auth: server::auth::Auth,
    gpu: String,
    /// Months closed so far (`old_month`).
    months: std::sync::atomic::AtomicU16,
}

/// Builds the call `name` against the app's current state.
async fn prepare(app: &TestApp, fixture: &Fixture, name: &str, n: u16) -> Call {
    let milestone = "musk-retrofit-c";
    match name {
        "POST /devices" => json_call(
            Method::POST,
            "/api/v1/devices",
            Some(
                json!({ "kind": "asic", "address": format!("127.0.0.1:{}", 40_000 + n), "site": "muskogee" }),
            ),
        ),
        "DELETE /devices/{id}" => {
            let id = new_device_id(app, 41_000 + n).await;
            json_call(Method::DELETE, format!("/api/v1/devices/{id}"), None)
        }
        "PATCH /milestones/{id}" => {
            let v = version_of_milestone(app, milestone).await;
            json_call(
                Method::PATCH,
                format!("/api/v1/milestones/{milestone}"),
                Some(
                    json!({ "planned_start": "2026-12-15", "planned_end": "2027-02-01", "actual_start": null,
                              "actual_end": null, "mw": 40.0, "title": format!("Building C retrofit ({n})"), "version": v }),
                ),
            )
        }
        "POST /milestones" => json_call(
            Method::POST,
            "/api/v1/milestones",
            Some(
                json!({ "site_id": "baie-comeau", "kind": "retrofit", "title": format!("Extra works {n}"),
                          "planned_start": "2028-02-01", "planned_end": "2028-03-01", "mw": 5.0 }),
            ),
        ),
        "fn create_milestone" => server_fn(
            "create_milestone",
            &[
                ("new[site_id]", "muskogee".into()),
                ("new[kind]", "retrofit".into()),
                ("new[title]", format!("Fn works {n}")),
                ("new[planned_start]", "2027-04-01".into()),
                ("new[planned_end]", "2027-05-01".into()),
                ("new[mw]", "2".into()),
            ],
        ),
        "POST /annotations" => json_call(
            Method::POST,
            "/api/v1/annotations",
            Some(json!({ "target": milestone, "text": format!("note {n}") })),
        ),
        "PATCH /annotations/{id}" => {
            let (id, v) = new_annotation(app, "to be edited").await;
            json_call(
                Method::PATCH,
                format!("/api/v1/annotations/{id}"),
                Some(json!({ "text": format!("edited {n}"), "version": v })),
            )
        }
        // The one write that opens TCP connections to hosts the caller names: a /32 on loopback
        // at a closed port answers at once.
        "POST /devices/scan" => json_call(
            Method::POST,
            "/api/v1/devices/scan",
            Some(json!({ "cidr": "127.0.0.1/32", "port": 9, "add": false })),
        ),
        "fn register_device" => server_fn(
            "register_device",
            &[
                ("device[kind]", "asic".into()),
                ("device[address]", format!("http://127.0.0.1:{}", 42_000 + n)),
                ("device[site]", "muskogee".into()),
                ("device[protocol]", "axeos".into()),
            ],
        ),
        "fn scan_devices" => server_fn(
            "scan_devices",
            &[
                ("req[cidr]", "127.0.0.1/32".into()),
                ("req[port]", "9".into()),
                ("req[add]", "false".into()),
            ],
        ),
        "PUT /sites/{id}/power" => json_call(
            Method::PUT,
            "/api/v1/sites/baie-comeau/power",
            Some(json!({ "contract": { "kind": "fixed", "usd_per_mwh": 30.0 + n as f64 } })),
        ),
        "GET /tokens" => json_call(Method::GET, "/api/v1/tokens", None),
        "POST /tokens" => json_call(
            Method::POST,
            "/api/v1/tokens",
            Some(json!({ "name": format!("made-{n}"), "role": "viewer" })),
        ),
        "DELETE /tokens/{id}" => {
            let id = new_token_id(app).await;
            json_call(Method::DELETE, format!("/api/v1/tokens/{id}"), None)
        }
        "GET /audit" => json_call(Method::GET, "/api/v1/audit", None),
        "POST /embeds" => json_call(
            Method::POST,
            "/api/v1/embeds",
            Some(
                json!({ "name": format!("ir-{n}"), "view": "revenue_mix", "origins": ["https://ir.example.com"] }),
            ),
        ),
        "DELETE /embeds/{id}" => {
            let id = new_embed_id(app).await;
            json_call(Method::DELETE, format!("/api/v1/embeds/{id}"), None)
        }
        "fn get_embeds" => server_fn("get_embeds", &[]),
        "fn create_embed" => server_fn(
            "create_embed",
            &[
                ("spec[name]", format!("fn-ir-{n}")),
                ("spec[view]", "timeline".into()),
                ("spec[origins][0]", "https://ir.example.com".into()),
            ],
        ),
        "fn revoke_embed" => {
            let id = new_embed_id(app).await;
            server_fn("revoke_embed", &[("id", id.to_string())])
        }
        "fn update_milestone" => {
            let v = version_of_milestone(app, milestone).await;
            server_fn(
                "update_milestone",
                &[
                    ("id", milestone.to_string()),
                    ("edit[planned_start]", "2026-12-15".into()),
                    ("edit[planned_end]", "2027-02-01".into()),
                    ("edit[mw]", "40".into()),
                    ("edit[title]", format!("Building C retrofit (fn {n})")),
                    ("edit[version]", v.to_string()),
                ],
            )
        }
        "fn create_annotation" => server_fn(
            "create_annotation",
            &[
                ("new[target]", "muskogee".into()),
                ("new[text]", format!("fn note {n}")),
            ],
        ),
        "fn edit_annotation" => {
            let (id, v) = new_annotation(app, "fn to be edited").await;
            server_fn(
                "edit_annotation",
                &[
                    ("id", id.to_string()),
                    ("edit[text]", format!("fn edited {n}")),
                    ("edit[version]", v.to_string()),
                ],
            )
        }
        "fn get_admin" => server_fn("get_admin", &[]),
        "GET /users" => json_call(Method::GET, "/api/v1/users", None),
        "GET /sessions" => json_call(Method::GET, "/api/v1/sessions", None),
        "PATCH /users/{name}" => json_call(
            Method::PATCH,
            "/api/v1/users/admin",
            Some(json!({ "disabled": false })),
        ),
        "fn update_user" => server_fn(
            "update_user",
            &[("name", "admin".into()), ("disabled", "false".into())],
        ),
        "fn get_account" => server_fn("get_account", &[]),
        "fn add_user" => server_fn(
            "add_user",
            &[
                ("name", format!("user{n}")),
                ("role", "viewer".into()),
                ("password", "a long password".into()),
            ],
        ),
        "fn create_token" => server_fn(
            "create_token",
            &[("name", format!("fn-{n}")), ("role", "viewer".into())],
        ),
        "fn revoke_token" => {
            let id = new_token_id(app).await;
            server_fn("revoke_token", &[("id", id.to_string())])
        }
        "fn get_timeline" => server_fn("get_timeline", &[]),
        "fn get_site_flexibility" => server_fn("get_site_flexibility", &[]),
        "fn get_overview" => server_fn("get_overview", &[("range", "1y".into())]),
        "GET /sites/{id}" => json_call(Method::GET, "/api/v1/sites/muskogee", None),
        "POST /sites" => {
            let mut site = json!({ "id": format!("new-{n}"), "name": "New", "capacity_mw": 10.0, "initial_mining_mw": 0.0,
                                   "power_usd_per_kwh": 0.05, "pue_ai": 1.2, "mining_uptime": 1.0, "pool_fee_pct": 0.0 });
            site["location"] = json!("Somewhere");
            json_call(Method::POST, "/api/v1/sites", Some(site))
        }
        "PATCH /sites/{id}" => {
            let v = version_of(app, "baie-comeau", None).await;
            json_call(
                Method::PATCH,
                "/api/v1/sites/baie-comeau",
                Some(json!({ "version": v, "pool_fee_pct": 1.0 + f64::from(n) / 1000.0 })),
            )
        }
        "DELETE /sites/{id}" => {
            let id = format!("gone-{n}");
            new_site(app, &id).await;
            json_call(Method::DELETE, format!("/api/v1/sites/{id}"), None)
        }
        "POST /sites/{id}/contracts" => json_call(
            Method::POST,
            "/api/v1/sites/baie-comeau/contracts",
            Some(colocation(&format!("colo-{n}"))),
        ),
        "PATCH /contracts/{id}" => {
            let v = version_of(app, "baie-comeau", Some("baie-colo-1")).await;
            json_call(
                Method::PATCH,
                "/api/v1/contracts/baie-colo-1",
                Some(json!({ "version": v, "tenant": format!("Tenant {n}") })),
            )
        }
        "DELETE /contracts/{id}" => {
            let id = format!("ending-{n}");
            let (s, b) = app.post_json("/api/v1/sites/baie-comeau/contracts", &colocation(&id)).await;
            assert_eq!(s, 201, "{b}");
            json_call(Method::DELETE, format!("/api/v1/contracts/{id}"), None)
        }
        "GET /portfolio" => json_call(Method::GET, "/api/v1/portfolio", None),
        "PUT /portfolio" => {
            let (_, doc) = app.get_json("/api/v1/portfolio").await;
            json_call(Method::PUT, "/api/v1/portfolio?dry_run=true", Some(doc))
        }
        "POST /history" => Call {
            csv: Some(format!(
                "site,month,btc_produced,mining_revenue_usd,power_cost_usd,energy_mwh,ai_revenue_usd,hashrate_ths_avg\nmuskogee,2024-{:02},{n},,,,,\n",
                1 + n % 12
            )),
            ..json_call(Method::POST, "/api/v1/history", None)
        },
        "fn get_sites" => server_fn("get_sites", &[]),
        "fn patch_site" => {
            let v = version_of(app, "muskogee", None).await;
            json_call(
                Method::POST,
                "/api/patch_site",
                Some(json!({ "id": "muskogee", "patch": { "version": v, "pool_fee_pct": 1.5 + f64::from(n) / 1000.0 } })),
            )
        }
        // What the sites page sends: a tagged enum of terms, numbers as numbers.
        "fn patch_contract" => {
            let v = version_of(app, "baie-comeau", Some("baie-colo-1")).await;
            json_call(
                Method::POST,
                "/api/patch_contract",
                Some(json!({ "id": "baie-colo-1", "patch": { "version": v, "terms": {
                    "kind": "colocation", "critical_mw": 36.0, "usd_per_kw_month": 120.0 + f64::from(n), "escalator_pct_per_year": 2.5 } } })),
            )
        }
        "fn retire_site" => {
            let id = format!("fn-gone-{n}");
            new_site(app, &id).await;
            server_fn("retire_site", &[("id", id)])
        }
        "fn end_contract" => {
            let id = format!("fn-ending-{n}");
            let (s, b) = app.post_json("/api/v1/sites/baie-comeau/contracts", &colocation(&id)).await;
            assert_eq!(s, 201, "{b}");
            server_fn("end_contract", &[("id", id)])
        }
        "fn get_annotation_history" => {
            let (id, _) = new_annotation(app, "history").await;
            server_fn("get_annotation_history", &[("id", id.to_string())])
        }
        "GET /health" => json_call(Method::GET, "/api/v1/health", None),
        "GET /health/ready" => json_call(Method::GET, "/api/v1/health/ready", None),
        "GET /openapi.json" => json_call(Method::GET, "/api/v1/openapi.json", None),
        "GET /fleet" => json_call(Method::GET, "/api/v1/fleet", None),
        "GET /sla" => json_call(Method::GET, "/api/v1/sla?month=2026-11", None),
        "GET /sla.csv" => json_call(Method::GET, "/api/v1/sla.csv?month=2026-11", None),
        "POST /me/password" | "fn change_password" => {
            // A tenant user of its own: changing a password ends that user's other sessions.
            let user = format!("pw{n}");
            fixture
                .auth
                .add_user(&user, Role::Tenant, Some(TENANT), TENANT_PASSWORD, "test")
                .await
                .unwrap();
            let cookie = Browser::sign_in(app, &user, TENANT_PASSWORD).await.cookie;
            let new = format!("another password {n}");
            let call = if name.starts_with("fn") {
                server_fn(
                    "change_password",
                    &[("current", TENANT_PASSWORD.into()), ("new", new)],
                )
            } else {
                json_call(
                    Method::POST,
                    "/api/v1/me/password",
                    Some(json!({ "current": TENANT_PASSWORD, "new": new })),
                )
            };
            Call {
                tenant_cookie: Some(cookie),
                ..call
            }
        }
        "DELETE /sessions/{id}" | "fn revoke_session" => {
            // A second session of the matrix's tenant, found by its own list.
            let second = Browser::sign_in(app, "tenant", TENANT_PASSWORD).await;
            let (_, list) = second.json(Method::GET, "/api/v1/sessions", None).await;
            let id = list["sessions"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["current"] == true)
                .unwrap_or_else(|| panic!("{list}"))["id"]
                .as_i64()
                .unwrap();
            if name.starts_with("fn") {
                server_fn("revoke_session", &[("id", id.to_string())])
            } else {
                json_call(Method::DELETE, format!("/api/v1/sessions/{id}"), None)
            }
        }
        "fn get_fleet" => server_fn(
            "get_fleet",
            &[
                ("query[page]", "0".into()),
                ("query[per_page]", "10".into()),
                ("query[sort]", "status".into()),
            ],
        ),
        "fn get_device_history" => server_fn(
            "get_device_history",
            &[("id", fixture.gpu.clone()), ("hours", "1".into())],
        ),
        "fn get_sla_ledger" => server_fn("get_sla_ledger", &[("month", "2026-11".into())]),
        "fn get_me" => server_fn("get_me", &[]),
        "fn get_data_status" => server_fn("get_data_status", &[]),
        "GET /sites" => json_call(Method::GET, "/api/v1/sites", None),
        "GET /revenue" => json_call(Method::GET, "/api/v1/revenue?from=2026-11-01&to=2026-11-20", None),
        "GET /risk" => json_call(Method::GET, "/api/v1/risk?range=12m&paths=100", None),
        "GET /leases/mark-to-market" => json_call(Method::GET, "/api/v1/leases/mark-to-market", None),
        "GET /kpis" => json_call(Method::GET, "/api/v1/kpis", None),
        "GET /market" => json_call(Method::GET, "/api/v1/market?from=2026-11-01&to=2026-11-20", None),
        "GET /market/latest" => json_call(Method::GET, "/api/v1/market/latest", None),
        "GET /pool-rewards" => json_call(Method::GET, "/api/v1/pool-rewards?from=2026-11-01&to=2026-11-20", None),
        "GET /power/prices" => json_call(
            Method::GET,
            "/api/v1/power/prices?site=pecos-ridge&from=2026-11-01&to=2026-11-02",
            None,
        ),
        "GET /curtailment" => json_call(
            Method::GET,
            "/api/v1/curtailment?site=pecos-ridge&from=2026-11-01&to=2026-11-02",
            None,
        ),
        "GET /power/sites" => json_call(Method::GET, "/api/v1/power/sites", None),
        "POST /estimate/mining" => json_call(
            Method::POST,
            "/api/v1/estimate/mining",
            Some(json!({ "hashrate_ths": 200.0, "difficulty": 100e12, "btc_price_usd": 100000.0 })),
        ),
        "POST /estimate/gpu" => json_call(
            Method::POST,
            "/api/v1/estimate/gpu",
            Some(json!({ "gpu": "H100-SXM", "count": 8, "model_params_b": 70, "workload": "prefill" })),
        ),
        "POST /estimate/sha256" => json_call(
            Method::POST,
            "/api/v1/estimate/sha256",
            Some(json!({ "millis": 10 })),
        ),
        "GET /catalogue/gpus" => json_call(Method::GET, "/api/v1/catalogue/gpus", None),
        "GET /catalogue/asics" => json_call(Method::GET, "/api/v1/catalogue/asics", None),
        "GET /stream" => json_call(Method::GET, "/api/v1/stream", None),
        "GET /timeline" => json_call(Method::GET, "/api/v1/timeline", None),
        "GET /export/{file}" => json_call(
            Method::GET,
            "/api/v1/export/revenue.csv?range=1y",
            None,
        ),
        "GET /annotations/{id}/history" => {
            let (id, _) = new_annotation(app, "a history").await;
            json_call(Method::GET, format!("/api/v1/annotations/{id}/history"), None)
        }
        "fn get_market_now" => server_fn("get_market_now", &[]),
        "fn estimate_sha256" => server_fn("estimate_sha256", &[("millis", "10".into())]),
        "fn add_site" => json_call(
            Method::POST,
            "/api/add_site",
            Some(json!({ "site": { "id": format!("fn-new-{n}"), "name": "New", "capacity_mw": 10.0,
                "initial_mining_mw": 0.0, "power_usd_per_kwh": 0.05, "pue_ai": 1.2,
                "mining_uptime": 1.0, "pool_fee_pct": 0.0 } })),
        ),
        "fn add_contract" => json_call(
            Method::POST,
            "/api/add_contract",
            Some(json!({ "site_id": "baie-comeau", "contract": colocation(&format!("fn-colo-{n}")) })),
        ),
        "GET /embeds" => json_call(Method::GET, "/api/v1/embeds", None),
        // A month of its own per call (closing is once per month), all long over.
        "GET /reports" => json_call(Method::GET, "/api/v1/reports", None),
        "POST /reports/{month}/close" => {
            json_call(Method::POST, format!("/api/v1/reports/{}/close", old_month(fixture)), None)
        }
        "GET /power-credits" => json_call(Method::GET, "/api/v1/power-credits?month=2026-11", None),
        "POST /power-credits" => json_call(
            Method::POST,
            "/api/v1/power-credits",
            Some(json!({ "site": "baie-comeau", "month": "2026-11", "kind": "demand_response",
                "usd": 1000.0 + n as f64, "note": format!("statement {n}") })),
        ),
        "DELETE /power-credits/{id}" => {
            let (s, b) = app
                .post_json(
                    "/api/v1/power-credits",
                    &json!({ "site": "baie-comeau", "month": "2026-10", "kind": "four_cp", "usd": 50.0 }),
                )
                .await;
            assert_eq!(s, 201, "{b}");
            json_call(Method::DELETE, format!("/api/v1/power-credits/{}", b["id"].as_str().unwrap()), None)
        }
        "fn get_reports" => server_fn("get_reports", &[]),
        "fn close_report" => server_fn("close_report", &[("month", old_month(fixture))]),
        // The reads share one month, closed by the first of them.
        "GET /reports/{month}" | "GET /reports/{month}/csv" | "fn get_report" => {
            let (s, b) = app
                .post_json(&format!("/api/v1/reports/{READ_MONTH}/close"), &json!({}))
                .await;
            assert!(s == 201 || s == 409, "{s} {b}");
            match name {
                "GET /reports/{month}" => json_call(Method::GET, format!("/api/v1/reports/{READ_MONTH}"), None),
                "GET /reports/{month}/csv" => json_call(Method::GET, format!("/api/v1/reports/{READ_MONTH}/csv"), None),
                _ => server_fn("get_report", &[("month", READ_MONTH.to_string())]),
            }
        }
        "POST /reports/{month}/restate" | "fn restate_report" => {
            let month = old_month(fixture);
            let (s, b) = app
                .post_json(&format!("/api/v1/reports/{month}/close"), &json!({}))
                .await;
            assert_eq!(s, 201, "{b}");
            if name.starts_with("fn") {
                server_fn("restate_report", &[("month", month), ("reason", format!("restated {n}"))])
            } else {
                json_call(
                    Method::POST,
                    format!("/api/v1/reports/{month}/restate"),
                    Some(json!({ "reason": format!("restated {n}") })),
                )
            }
        }
        other => panic!("unknown call {other}"),
    }
}

/// The matrix is the router: its names are exactly the router's operations (read from the
/// OpenAPI document the router builds) and the registered server functions, and each API
/// route's role is the one the router enforces.
#[tokio::test]
async fn the_access_matrix_names_every_route_and_server_function_the_router_has() {
    let app = TestApp::on(day(2026, 11, 25))
        .simulator(false)
        .start()
        .await;
    let (s, doc) = app.get_json("/api/v1/openapi.json").await;
    assert_eq!(s, 200);
    let mut routed = std::collections::BTreeMap::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let role = op["x-rigshift-role"].as_str().map(str::to_string);
            routed.insert(format!("{} {path}", method.to_uppercase()), role);
        }
    }
    for (path, _) in leptos::server_fn::axum::server_fn_paths() {
        let name = path.trim_start_matches("/api/");
        // Each server function has its own entry, whatever its role.
        routed.insert(format!("fn {name}"), Some("?".into()));
    }
    let listed: std::collections::BTreeMap<&str, Needs> = MATRIX.iter().copied().collect();
    assert_eq!(listed.len(), MATRIX.len(), "a name listed twice");
    let missing: Vec<&String> = routed
        .keys()
        .filter(|k| !listed.contains_key(k.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "routes with no access entry (add them to MATRIX): {missing:?}"
    );
    let gone: Vec<&&str> = listed
        .keys()
        .filter(|k| !routed.contains_key(**k))
        .collect();
    assert!(
        gone.is_empty(),
        "entries for routes the router does not have: {gone:?}"
    );
    for (name, role) in &routed {
        if name.starts_with("fn ") {
            continue;
        }
        let needs = listed[name.as_str()];
        let want = match needs {
            Needs::Public => None,
            Needs::Role(r) | Needs::Session(r) => Some(r.as_str().to_string()),
            Needs::OwnSessionOrAdmin => Some(Role::Tenant.as_str().to_string()),
        };
        assert_eq!(
            role, &want,
            "{name}: the router enforces {role:?}, the matrix says {needs:?}"
        );
    }
}

#[tokio::test]
async fn every_caller_against_every_route_and_server_function() {
    let app = TestApp::on(day(2026, 11, 25)).asics(2).start().await;
    app.first_poll().await;
    let store = std::sync::Arc::new(
        server::store::Store::connect(&app.database_url)
            .await
            .unwrap(),
    );
    let auth = server::auth::Auth::new(store, false);
    auth.add_user(
        "tenant",
        Role::Tenant,
        Some(TENANT),
        TENANT_PASSWORD,
        "test",
    )
    .await
    .unwrap();
    let tenant = Browser::sign_in(&app, "tenant", TENANT_PASSWORD).await;
    // A GPU in the tenant's halls, and power terms for the price and curtailment reads.
    let (_, fleet) = tenant.json(Method::GET, "/api/v1/fleet", None).await;
    let gpu = fleet["devices"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["kind"] == "gpu"))
        .unwrap_or_else(|| panic!("no GPU for the tenant: {fleet}"))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, b) = app
        .request_as(
            Some(Role::Operator),
            Method::PUT,
            "/api/v1/sites/pecos-ridge/power",
        )
        .json(&json!({ "contract": { "kind": "fixed", "usd_per_mwh": 40.0 } }))
        .send()
        .await
        .map(|r| (r.status(), ()))
        .unwrap();
    assert!(s.is_success(), "{s} {b:?}");
    let fixture = Fixture {
        auth,
        gpu,
        months: Default::default(),
    };
    let mut n = 0u16;
    let mut checked = 0;
    for (name, needs) in MATRIX {
        for caller in CALLERS {
            n += 1;
            let call = prepare(&app, &fixture, name, n).await;
            let mut req = match caller {
                Caller::Anonymous => app.request_as(None, call.method.clone(), &call.path),
                Caller::Token(r) => app.request_as(Some(r), call.method.clone(), &call.path),
                Caller::TenantSession => app
                    .anon
                    .request(call.method.clone(), app.url(&call.path))
                    .header(
                        "cookie",
                        call.tenant_cookie.as_deref().unwrap_or(&tenant.cookie),
                    )
                    .header("origin", &tenant.origin),
            };
            if let Some(j) = &call.json {
                req = req.json(j);
            }
            if let Some(f) = &call.form {
                req = req.form(f);
            }
            if let Some(csv) = &call.csv {
                req = req.header("content-type", "text/csv").body(csv.clone());
            }
            let resp = req.send().await.unwrap();
            let status = resp.status();
            // A live stream never ends: its status is the answer.
            let streaming = resp
                .headers()
                .get("content-type")
                .is_some_and(|c| c.as_bytes().starts_with(b"text/event-stream"));
            let body: Value = if streaming {
                Value::Null
            } else {
                resp.json().await.unwrap_or(Value::Null)
            };
            match expected(caller, *needs) {
                None => assert!(status.is_success(), "{name} as {caller:?}: {status} {body}"),
                Some(refused) => {
                    assert_eq!(status, refused, "{name} as {caller:?}: {body}");
                    if refused == StatusCode::FORBIDDEN {
                        assert!(body.to_string().contains("forbidden"), "{name}: {body}");
                    }
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, MATRIX.len() * CALLERS.len());
    // Writes were audited with their actor.
    let (_, audit) = app.get_json("/api/v1/audit").await;
    let actions: Vec<String> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["actor"].as_str().unwrap(),
                e["action"].as_str().unwrap()
            )
        })
        .collect();
    for expected in [
        "token:test-operator milestone.update",
        "token:test-operator milestone.create",
        "token:test-operator annotation.create",
        "token:test-operator device.add",
        "token:test-operator device.remove",
        "token:test-operator site.power",
        "token:test-operator site.add",
        "token:test-operator site.change",
        "token:test-operator site.retire",
        "token:test-operator contract.add",
        "token:test-operator contract.change",
        "token:test-operator contract.retire",
        "token:test-admin history.import",
        "token:test-admin token.revoke",
        "token:test-admin user.add",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "audit lacks {expected}: {actions:?}"
        );
    }
}

#[tokio::test]
async fn anonymous_visitors_get_the_login_page_and_nothing_else() {
    let app = TestApp::on(day(2026, 11, 25))
        .simulator(false)
        .start()
        .await;
    let no_redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for page in ["/", "/timeline", "/fleet", "/admin", "/device?id=x&hours=1"] {
        let r = no_redirect.get(app.url(page)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{page}");
        let location = r.headers()["location"].to_str().unwrap();
        assert!(location.starts_with("/login?next=/"), "{page}: {location}");
    }
    let login = no_redirect.get(app.url("/login")).send().await.unwrap();
    assert_eq!(login.status(), 200);
    let html = login.text().await.unwrap();
    assert!(
        html.contains(r#"action="/auth/login""#),
        "login form missing"
    );
    assert!(
        !html.contains("pecos-ridge"),
        "site data leaked to the login page"
    );
    for api in [
        "/api/v1/sites",
        "/api/v1/timeline",
        "/api/v1/fleet",
        "/api/v1/stream",
    ] {
        let r = no_redirect.get(app.url(api)).send().await.unwrap();
        assert_eq!(r.status(), 401, "{api}");
    }
    assert_eq!(
        no_redirect
            .get(app.url("/api/v1/health"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // A wrong or revoked token is refused outright, not treated as anonymous.
    let r = no_redirect
        .get(app.url("/api/v1/sites"))
        .bearer_auth("rsk_0000")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

/// Logs in through the HTML form; returns the session cookie's `name=value`.
async fn login(
    app: &TestApp,
    user: &str,
    password: &str,
    origin: &str,
) -> (StatusCode, String, Option<String>) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = client
        .post(app.url("/auth/login"))
        .header("origin", origin)
        .form(&[
            ("username", user),
            ("password", password),
            ("next", "/timeline"),
        ])
        .send()
        .await
        .unwrap();
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    let cookie = r
        .headers()
        .get("set-cookie")
        .map(|c| c.to_str().unwrap().to_string())
        .filter(|c| !c.starts_with("rigshift_session=;"));
    (r.status(), location, cookie)
}

#[tokio::test]
async fn a_session_cookie_works_from_our_pages_and_is_refused_cross_site() {
    let app = TestApp::on(day(2026, 11, 25))
        .simulator(false)
        .start()
        .await;
    let origin = format!("http://{}", app.addr);
    let (status, location, cookie) = login(&app, "admin", ADMIN_PASSWORD, &origin).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/timeline");
    let set_cookie = cookie.expect("session cookie");
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    assert!(
        !set_cookie.contains("Secure"),
        "plain-HTTP loopback must not get a Secure cookie"
    );
    let session = set_cookie.split(';').next().unwrap().to_string();

    let post = |origin: Option<&str>| {
        let mut r = app
            .anon
            .post(app.url("/api/v1/annotations"))
            .header("cookie", &session)
            .json(&json!({ "target": "pecos-ridge", "text": "from a page" }));
        if let Some(o) = origin {
            r = r.header("origin", o);
        }
        r.send()
    };
    assert_eq!(post(Some(&origin)).await.unwrap().status(), 201);
    let forged = post(Some("http://evil.example")).await.unwrap();
    assert_eq!(forged.status(), 403);
    let body: Value = forged.json().await.unwrap();
    assert_eq!(body["code"], "csrf_rejected");
    assert_eq!(post(None).await.unwrap().status(), 403);
    // The same for a server function.
    let forged_fn = app
        .anon
        .post(app.url("/api/create_annotation"))
        .header("cookie", &session)
        .header("origin", "http://evil.example")
        .form(&[("new[target]", "muskogee"), ("new[text]", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged_fn.status(), 403);
    let (_, t) = app.get_json("/api/v1/timeline").await;
    let texts: Vec<&str> = t["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        vec!["from a page"],
        "a refused write must change nothing"
    );

    // Logging out ends the session server-side.
    let out = app
        .anon
        .post(app.url("/auth/logout"))
        .header("cookie", &session)
        .header("origin", &origin)
        .send()
        .await
        .unwrap();
    assert!(out.status().is_success() || out.status().is_redirection());
    let after = app
        .anon
        .get(app.url("/api/v1/sites"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 401);
}

#[tokio::test]
async fn login_attempts_are_rate_limited_even_with_the_right_password() {
    let app = TestApp::on(day(2026, 11, 25))
        .simulator(false)
        .start()
        .await;
    let origin = format!("http://{}", app.addr);
    for _ in 0..5 {
        let (status, location, cookie) = login(&app, "admin", "wrong password!", &origin).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.starts_with("/login?error=invalid"), "{location}");
        assert!(cookie.is_none());
    }
    let (_, location, cookie) = login(&app, "admin", ADMIN_PASSWORD, &origin).await;
    assert!(
        location.starts_with("/login?error=rate_limited&retry="),
        "{location}"
    );
    assert!(cookie.is_none(), "a limited login must not open a session");
    // Login CSRF: a form posted from another site is refused before the password is checked.
    let (status, _, _) = login(&app, "other", "whatever pass", "http://evil.example").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_revoked_token_stops_working_at_once() {
    let app = TestApp::on(day(2026, 11, 25))
        .simulator(false)
        .start()
        .await;
    let (s, created) = app
        .post_json(
            "/api/v1/tokens",
            &json!({ "name": "ir-script", "role": "viewer" }),
        )
        .await;
    assert_eq!(s, 201);
    let token = created["token"].as_str().unwrap();
    let id = created["id"].as_i64().unwrap();
    let sites = || {
        app.anon
            .get(app.url("/api/v1/sites"))
            .bearer_auth(token)
            .send()
    };
    assert_eq!(sites().await.unwrap().status(), 200);
    let (_, list) = app.get_json("/api/v1/tokens").await;
    assert!(
        !list.to_string().contains(token),
        "token list must not hold secrets"
    );
    let r = app
        .request_as(
            Some(Role::Admin),
            Method::DELETE,
            &format!("/api/v1/tokens/{id}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(sites().await.unwrap().status(), 401);
}

#[tokio::test]
async fn a_stale_annotation_edit_gets_409_and_both_versions_are_kept() {
    let app = TestApp::on(day(2026, 11, 25))
        .simulator(false)
        .start()
        .await;
    let (id, v1) = new_annotation(&app, "Transformer delivery **confirmed** for March").await;
    let edit = |role: Role, text: &str, version: i64| {
        app.request_as(
            Some(role),
            Method::PATCH,
            &format!("/api/v1/annotations/{id}"),
        )
        .json(&json!({ "text": text, "version": version }))
        .send()
    };
    // Two operators open version 1; the first saves.
    let first = edit(Role::Operator, "Transformer slipped to April", v1)
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    let second = edit(Role::Admin, "Transformer confirmed, crane booked", v1)
        .await
        .unwrap();
    assert_eq!(second.status(), 409);
    let body: Value = second.json().await.unwrap();
    assert_eq!(body["code"], "conflict");
    assert_eq!(body["current"]["version"], 2);
    assert_eq!(body["current"]["text"], "Transformer slipped to April");
    assert_eq!(body["current"]["author"], "token:test-operator");

    let (s, h) = app
        .get_json(&format!("/api/v1/annotations/{id}/history"))
        .await;
    assert_eq!(s, 200);
    let versions: Vec<(i64, &str)> = h["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["version"].as_i64().unwrap(), v["text"].as_str().unwrap()))
        .collect();
    assert_eq!(
        versions,
        vec![
            (1, "Transformer delivery **confirmed** for March"),
            (2, "Transformer slipped to April")
        ]
    );
    // The refused text is not lost: the audit log holds it.
    let (_, audit) = app.get_json("/api/v1/audit").await;
    assert!(
        audit.to_string().contains("crane booked"),
        "refused text not kept"
    );
    // Re-applied on top of the current version, it becomes version 3.
    let third = edit(Role::Admin, "Transformer confirmed, crane booked", 2)
        .await
        .unwrap();
    assert_eq!(third.status(), 200);
    let (_, h) = app
        .get_json(&format!("/api/v1/annotations/{id}/history"))
        .await;
    assert_eq!(h["versions"].as_array().unwrap().len(), 3);
}

/// Notes are operator-written and shown to every viewer: in the HTML the server renders (before
/// any script runs) markup stays text, and a markdown link cannot carry `javascript:`.
#[tokio::test]
async fn hostile_annotation_text_is_inert_in_the_server_rendered_pages() {
    let app = TestApp::on(day(2026, 11, 25))
        .simulator(false)
        .start()
        .await;
    let hostile = [
        "<script>alert('s1')</script>",
        "\"><img src=x onerror=alert('s2')>",
        "see [the plan](javascript:alert('s3')) and [this](JaVaScRiPt:alert('s4'))",
    ];
    for (i, text) in hostile.iter().enumerate() {
        for target in ["pecos-retrofit-h2", "2026-11-20"] {
            let (s, b) = app
                .post_json(
                    "/api/v1/annotations",
                    &json!({ "target": target, "text": format!("{text} #{i}") }),
                )
                .await;
            assert_eq!(s, 201, "{b}");
        }
    }
    for path in ["/timeline", "/?range=1y", "/timeline?lang=it"] {
        let r = app
            .request_as(Some(Role::Viewer), Method::GET, path)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let html = r.text().await.unwrap();
        let lower = html.to_ascii_lowercase();
        for raw in ["<script>alert(", "<img src=x", "href=\"javascript:"] {
            assert!(!lower.contains(raw), "{path} holds {raw:?}");
        }
        // Every script element the page opens is its own (the note did not open one).
        assert_eq!(
            lower.matches("<script").count(),
            lower.matches("</script>").count(),
            "{path}"
        );
        if path.starts_with("/timeline") {
            // Rendered, as text.
            assert!(
                html.contains("&lt;script&gt;alert('s1')&lt;/script&gt; #0"),
                "{path}"
            );
            assert!(
                html.contains("&lt;img src=x onerror=alert('s2')&gt; #1"),
                "{path}"
            );
            assert!(!lower.contains("javascript:alert('s3')\""), "{path}");
        }
    }
}

#[tokio::test]
async fn hostile_annotation_input_is_refused_and_markup_is_stored_as_text() {
    let app = TestApp::on(day(2026, 11, 25))
        .simulator(false)
        .start()
        .await;
    let (s, b) = app
        .post_json(
            "/api/v1/annotations",
            &json!({ "target": "nowhere", "text": "x" }),
        )
        .await;
    assert_eq!((s, b["code"].as_str()), (422, Some("invalid_input")));
    let (s, _) = app
        .post_json(
            "/api/v1/annotations",
            &json!({ "target": "pecos-ridge", "text": "x".repeat(5_000) }),
        )
        .await;
    assert_eq!(s, 422);
    let (s, _) = app
        .post_json(
            "/api/v1/annotations",
            &json!({ "target": "pecos-ridge", "text": "   " }),
        )
        .await;
    assert_eq!(s, 422);
    let (s, a) = app
        .post_json(
            "/api/v1/annotations",
            &json!({ "target": "2026-12-01", "text": "<script>alert(1)</script>" }),
        )
        .await;
    assert_eq!(s, 201);
    assert_eq!(a["text"], "<script>alert(1)</script>");
    assert_eq!(a["target"], json!({ "kind": "date", "id": "2026-12-01" }));
    // A milestone note sits at the milestone's forecast end unless dated.
    let (_, m) = app
        .post_json(
            "/api/v1/annotations",
            &json!({ "target": "baie-ramp-1", "text": "tenant LOI signed" }),
        )
        .await;
    assert_eq!(m["on_date"], "2028-09-30");
    assert_eq!(m["site_id"], "baie-comeau");
}

fn projected_ai_total(days: &Value) -> f64 {
    days["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["ai_lease_usd"].as_f64().unwrap())
        .sum()
}

fn projected_mining_total(days: &Value) -> f64 {
    days["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["mining_usd"].as_f64().unwrap())
        .sum()
}

#[tokio::test]
async fn moving_a_milestone_moves_the_projected_revenue() {
    let app = TestApp::on(day(2026, 11, 25))
        .simulator(false)
        .start()
        .await;
    let window = "/api/v1/revenue?from=2027-06-01&to=2028-12-31&site=baie-comeau";
    let (_, before) = app.get_json(window).await;

    // Baie-Comeau's tenant ramp slips six months (operator edit through the API).
    let v = version_of_milestone(&app, "baie-ramp-1").await;
    let r = app
        .request_as(Some(Role::Operator), Method::PATCH, "/api/v1/milestones/baie-ramp-1")
        .json(&json!({ "planned_start": "2028-07-01", "planned_end": "2029-03-31", "actual_start": null,
                       "actual_end": null, "mw": 36.0, "title": "Colocation tenant ramp to 36 MW", "version": v }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (_, after) = app.get_json(window).await;
    let (b, a) = (projected_ai_total(&before), projected_ai_total(&after));
    assert!(
        b > 0.0 && a < b * 0.6,
        "AI lease revenue should fall when the ramp slips: {b} -> {a}"
    );
    let first_ai = |d: &Value| {
        d["days"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["ai_lease_usd"].as_f64().unwrap() > 0.0)
            .map(|x| x["date"].as_str().unwrap().to_string())
    };
    assert_eq!(first_ai(&before).as_deref(), Some("2028-01-01"));
    assert_eq!(first_ai(&after).as_deref(), Some("2028-07-01"));

    // Decommissioning later keeps miners running longer: more mining revenue in the window.
    let v = version_of_milestone(&app, "baie-decom-north").await;
    let r = app
        .request_as(Some(Role::Operator), Method::PATCH, "/api/v1/milestones/baie-decom-north")
        .json(&json!({ "planned_start": "2028-03-01", "planned_end": "2028-04-15", "actual_start": null,
                       "actual_end": null, "mw": 45.0, "title": "North hall: decommission miners", "version": v }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (_, later) = app.get_json(window).await;
    assert!(projected_mining_total(&later) > projected_mining_total(&after) * 1.05);

    // A stale milestone edit is refused and changes nothing.
    let r = app
        .request_as(Some(Role::Operator), Method::PATCH, "/api/v1/milestones/baie-decom-north")
        .json(&json!({ "planned_start": "2027-01-01", "planned_end": "2027-02-01", "actual_start": null,
                       "actual_end": null, "mw": 45.0, "title": "stale", "version": v }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let (_, unchanged) = app.get_json(window).await;
    assert_eq!(
        projected_mining_total(&unchanged),
        projected_mining_total(&later)
    );
    // And an impossible one is a 422.
    let r = app
        .request_as(Some(Role::Operator), Method::PATCH, "/api/v1/milestones/baie-decom-north")
        .json(&json!({ "planned_start": "2028-05-01", "planned_end": "2028-04-01", "actual_start": null,
                       "actual_end": null, "mw": 45.0, "title": "x", "version": v + 1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
}

#[tokio::test]
async fn an_added_decommissioning_milestone_takes_its_mw_out_of_mining() {
    let app = TestApp::on(day(2026, 11, 25))
        .simulator(false)
        .start()
        .await;
    let window = "/api/v1/revenue?from=2027-01-01&to=2027-06-30&site=baie-comeau";
    let (_, before) = app.get_json(window).await;
    let r = app
        .request_as(Some(Role::Operator), Method::POST, "/api/v1/milestones")
        .json(&json!({ "site_id": "baie-comeau", "kind": "decommission", "title": "South hall: early decommissioning",
                       "planned_start": "2027-01-01", "planned_end": "2027-02-01", "mw": 20.0,
                       "depends_on": [] }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let m: Value = r.json().await.unwrap();
    assert_eq!(m["id"], "baie-comeau-south-hall-early-decommissioning");
    assert_eq!(m["version"], 1);
    let (_, after) = app.get_json(window).await;
    let mw = |d: &Value| d["days"][10]["mining_mw"].as_f64().unwrap();
    // 20 of Baie-Comeau's 85 MW leave mining; revenue falls by about the same share.
    assert!(
        (mw(&before) - mw(&after) - 20.0 * 0.97).abs() < 1.0,
        "{} -> {}",
        mw(&before),
        mw(&after)
    );
    let ratio = projected_mining_total(&after) / projected_mining_total(&before);
    assert!((ratio - 65.0 / 85.0).abs() < 0.01, "{ratio}");
    // It shows on the timeline, and a contract can only be driven by a ramp of its own site.
    let (_, t) = app.get_json("/api/v1/timeline").await;
    assert!(t["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["id"] == m["id"]));
    let r = app
        .request_as(Some(Role::Operator), Method::POST, "/api/v1/milestones")
        .json(
            &json!({ "site_id": "baie-comeau", "kind": "ai_ramp", "title": "Borrowed contract",
                       "planned_start": "2027-01-01", "planned_end": "2027-02-01", "mw": 1.0,
                       "contract_id": "pecos-colo-a" }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
}

/// A signed-in browser: the session cookie plus our Origin on every call.
struct Browser<'a> {
    app: &'a TestApp,
    cookie: String,
    origin: String,
}

impl<'a> Browser<'a> {
    async fn sign_in(app: &'a TestApp, user: &str, password: &str) -> Browser<'a> {
        let origin = format!("http://{}", app.addr);
        let (_, location, cookie) = login(app, user, password, &origin).await;
        let cookie = cookie.unwrap_or_else(|| panic!("{user} could not sign in: {location}"));
        Browser {
            app,
            cookie: cookie.split(';').next().unwrap().to_string(),
            origin,
        }
    }

    fn call(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.app
            .anon
            .request(method, self.app.url(path))
            .header("cookie", &self.cookie)
            .header("origin", &self.origin)
    }

    async fn status_of(&self, path: &str) -> u16 {
        self.call(Method::GET, path)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    async fn json(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut r = self.call(method, path);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let r = r.send().await.unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    let (_, audit) = app.get_json("/api/v1/audit").await;
    audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {} {}",
                e["actor"].as_str().unwrap(),
                e["action"].as_str().unwrap(),
                e["target"].as_str().unwrap()
            )
        })
        .collect()
}

async fn add_user(app: &TestApp, name: &str, role: &str, password: &str) {
    let r = app
        .request_as(Some(Role::Admin), Method::POST, "/api/add_user")
        .form(&[("name", name), ("role", role), ("password", password)])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "adding {name}: {}", r.status());
}

#[tokio::test]
async fn changing_your_password_ends_your_other_sessions_only() {
    let app = TestApp::on(day(2026, 11, 25))
        .simulator(false)
        .start()
        .await;
    add_user(&app, "vera", "viewer", "vera-first-password").await;
    let laptop = Browser::sign_in(&app, "vera", "vera-first-password").await;
    let phone = Browser::sign_in(&app, "vera", "vera-first-password").await;
    let admin = Browser::sign_in(&app, "admin", ADMIN_PASSWORD).await;

    // Each user sees their own sessions, the current one marked; an admin sees everyone's.
    let (s, mine) = laptop.json(Method::GET, "/api/v1/sessions", None).await;
    assert_eq!(s, 200);
    let rows = mine["sessions"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{mine}");
    assert!(rows.iter().all(|r| r["user"] == "vera"));
    assert_eq!(rows.iter().filter(|r| r["current"] == true).count(), 1);
    assert!(
        !mine
            .to_string()
            .contains(laptop.cookie.split('=').nth(1).unwrap()),
        "a session list must not hold secrets"
    );
    let (_, all) = admin.json(Method::GET, "/api/v1/sessions", None).await;
    let users: Vec<&str> = all["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["user"].as_str().unwrap())
        .collect();
    assert!(users.contains(&"admin") && users.iter().filter(|u| **u == "vera").count() == 2);

    // A wrong current password changes nothing and is audited.
    let (s, e) = laptop
        .json(
            Method::POST,
            "/api/v1/me/password",
            Some(json!({ "current": "not my password", "new": "vera-second-password" })),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    assert!(e["error"].as_str().unwrap().contains("current"), "{e}");
    assert_eq!(phone.status_of("/api/v1/sites").await, 200);
    // A too-short new password is refused before anything changes.
    let (s, _) = laptop
        .json(
            Method::POST,
            "/api/v1/me/password",
            Some(json!({ "current": "vera-first-password", "new": "short" })),
        )
        .await;
    assert_eq!(s, 422);

    let (s, _) = laptop
        .json(
            Method::POST,
            "/api/v1/me/password",
            Some(json!({ "current": "vera-first-password", "new": "vera-second-password" })),
        )
        .await;
    assert_eq!(s, 204);
    assert_eq!(
        laptop.status_of("/api/v1/sites").await,
        200,
        "this session stays"
    );
    assert_eq!(
        phone.status_of("/api/v1/sites").await,
        401,
        "the other one ends at once"
    );
    assert_eq!(
        admin.status_of("/api/v1/sites").await,
        200,
        "other users' sessions stay"
    );
    let origin = format!("http://{}", app.addr);
    let (_, _, old) = login(&app, "vera", "vera-first-password", &origin).await;
    assert!(old.is_none(), "the old password no longer opens a session");
    Browser::sign_in(&app, "vera", "vera-second-password").await;

    // An API token has no password to change.
    let r = app
        .request_as(Some(Role::Admin), Method::POST, "/api/v1/me/password")
        .json(&json!({ "current": "x", "new": "yyyyyyyyyyyy" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    let actions = audit_actions(&app).await;
    for expected in [
        "user:vera password.change_failed vera",
        "user:vera password.change vera",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "audit lacks {expected}: {actions:?}"
        );
    }
}

#[tokio::test]
async fn revoking_a_session_signs_that_browser_out_and_only_its_owner_or_an_admin_may() {
    let app = TestApp::on(day(2026, 11, 25))
        .simulator(false)
        .start()
        .await;
    add_user(&app, "olga", "operator", "olga-password-1").await;
    add_user(&app, "vic", "viewer", "vic-password-12").await;
    let olga = Browser::sign_in(&app, "olga", "olga-password-1").await;
    let olga2 = Browser::sign_in(&app, "olga", "olga-password-1").await;
    let vic = Browser::sign_in(&app, "vic", "vic-password-12").await;
    let (_, list) = olga.json(Method::GET, "/api/v1/sessions", None).await;
    let other_id = list["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["current"] == false)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    // Someone else's session is not theirs to see or end.
    let (s, _) = vic
        .json(
            Method::DELETE,
            &format!("/api/v1/sessions/{other_id}"),
            None,
        )
        .await;
    assert_eq!(s, 404);
    assert_eq!(olga2.status_of("/api/v1/sites").await, 200);
    let (s, _) = olga
        .json(
            Method::DELETE,
            &format!("/api/v1/sessions/{other_id}"),
            None,
        )
        .await;
    assert_eq!(s, 204);
    assert_eq!(olga2.status_of("/api/v1/sites").await, 401);
    assert_eq!(olga.status_of("/api/v1/sites").await, 200);
    // An admin ends anyone's (the admin's API token here).
    let (_, list) = vic.json(Method::GET, "/api/v1/sessions", None).await;
    let vic_id = list["sessions"][0]["id"].as_i64().unwrap();
    let r = app
        .request_as(
            Some(Role::Admin),
            Method::DELETE,
            &format!("/api/v1/sessions/{vic_id}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(vic.status_of("/api/v1/sites").await, 401);
    let actions = audit_actions(&app).await;
    assert!(
        actions.contains(&format!("user:olga session.revoke {other_id}")),
        "{actions:?}"
    );
    assert!(
        actions.contains(&format!("token:test-admin session.revoke {vic_id}")),
        "{actions:?}"
    );
}

#[tokio::test]
async fn an_admin_disables_enables_and_resets_users_and_their_access_ends_at_once() {
    let app = TestApp::on(day(2026, 11, 25))
        .simulator(false)
        .start()
        .await;
    add_user(&app, "carol", "admin", "carol-password-1").await;
    let carol = Browser::sign_in(&app, "carol", "carol-password-1").await;
    // Carol mints a token while signed in: it is hers and ends with her access.
    let (s, created) = carol
        .json(
            Method::POST,
            "/api/v1/tokens",
            Some(json!({ "name": "carol-script", "role": "viewer" })),
        )
        .await;
    assert_eq!(s, 201, "{created}");
    let token = created["token"].as_str().unwrap().to_string();
    let with_token = || {
        app.anon
            .get(app.url("/api/v1/sites"))
            .bearer_auth(&token)
            .send()
    };
    assert_eq!(with_token().await.unwrap().status(), 200);

    // Nobody below admin may; an admin cannot lock themselves out.
    for role in [Role::Viewer, Role::Operator] {
        let r = app
            .request_as(Some(role), Method::PATCH, "/api/v1/users/carol")
            .json(&json!({ "disabled": true }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
    }
    let (s, e) = carol
        .json(
            Method::PATCH,
            "/api/v1/users/carol",
            Some(json!({ "disabled": true })),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let r = app
        .request_as(Some(Role::Admin), Method::PATCH, "/api/v1/users/nobody")
        .json(&json!({ "disabled": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = app
        .request_as(Some(Role::Admin), Method::PATCH, "/api/v1/users/carol")
        .json(&json!({ "disabled": true, "role": "viewer" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "unknown fields are refused, not ignored");
    assert_eq!(carol.status_of("/api/v1/sites").await, 200);

    let r = app
        .request_as(Some(Role::Admin), Method::PATCH, "/api/v1/users/carol")
        .json(&json!({ "disabled": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let user: Value = r.json().await.unwrap();
    assert_eq!(user["name"], "carol");
    assert_eq!(user["disabled"], true);
    assert_eq!(
        carol.status_of("/api/v1/sites").await,
        401,
        "session ends at once"
    );
    assert_eq!(
        with_token().await.unwrap().status(),
        401,
        "her token ends at once"
    );
    let origin = format!("http://{}", app.addr);
    assert!(login(&app, "carol", "carol-password-1", &origin)
        .await
        .2
        .is_none());

    let r = app
        .request_as(Some(Role::Admin), Method::PATCH, "/api/v1/users/carol")
        .json(&json!({ "disabled": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let carol = Browser::sign_in(&app, "carol", "carol-password-1").await;

    // A reset: a too-short password changes nothing; a good one ends her sessions.
    let r = app
        .request_as(Some(Role::Admin), Method::PATCH, "/api/v1/users/carol")
        .json(&json!({ "password": "short" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(carol.status_of("/api/v1/sites").await, 200);
    let r = app
        .request_as(Some(Role::Admin), Method::PATCH, "/api/v1/users/carol")
        .json(&json!({ "password": "carol-password-2" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(carol.status_of("/api/v1/sites").await, 401);
    assert!(login(&app, "carol", "carol-password-1", &origin)
        .await
        .2
        .is_none());
    Browser::sign_in(&app, "carol", "carol-password-2").await;

    let actions = audit_actions(&app).await;
    for expected in [
        "token:test-admin user.disable carol",
        "token:test-admin user.enable carol",
        "token:test-admin user.password_reset carol",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "audit lacks {expected}: {actions:?}"
        );
    }
}

#[tokio::test]
async fn sessions_end_when_idle_or_past_their_lifetime_and_slide_while_used() {
    let app = TestApp::on(day(2026, 11, 25))
        .simulator(false)
        .start()
        .await;
    let a = Browser::sign_in(&app, "admin", ADMIN_PASSWORD).await;
    let b = Browser::sign_in(&app, "admin", ADMIN_PASSWORD).await;
    let c = Browser::sign_in(&app, "admin", ADMIN_PASSWORD).await;
    let db = sqlx::SqlitePool::connect(&app.database_url).await.unwrap();
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM sessions ORDER BY id")
        .fetch_all(&db)
        .await
        .unwrap();
    let now = chrono::Utc::now();
    let set = |sql: &'static str, at: chrono::DateTime<chrono::Utc>, id: i64| {
        let db = db.clone();
        async move {
            sqlx::query(sql)
                .bind(at)
                .bind(id)
                .execute(&db)
                .await
                .unwrap();
        }
    };
    // a: used 5 minutes ago (within the 12 h idle window) — works and slides forward.
    set(
        "UPDATE sessions SET last_seen_at = ? WHERE id = ?",
        now - chrono::Duration::minutes(5),
        ids[0],
    )
    .await;
    // b: idle for 13 h.
    set(
        "UPDATE sessions SET last_seen_at = ? WHERE id = ?",
        now - chrono::Duration::hours(13),
        ids[1],
    )
    .await;
    // c: busy, but past its absolute lifetime.
    set(
        "UPDATE sessions SET expires_at = ? WHERE id = ?",
        now - chrono::Duration::seconds(1),
        ids[2],
    )
    .await;
    assert_eq!(a.status_of("/api/v1/sites").await, 200);
    assert_eq!(b.status_of("/api/v1/sites").await, 401);
    assert_eq!(c.status_of("/api/v1/sites").await, 401);
    let seen: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT last_seen_at FROM sessions WHERE id = ?")
            .bind(ids[0])
            .fetch_one(&db)
            .await
            .unwrap();
    assert!(
        seen > now - chrono::Duration::seconds(5),
        "use slides the idle window: {seen}"
    );
}

/// The `nonce="…"` values in an HTML page.
fn nonces(html: &str) -> Vec<String> {
    html.split("nonce=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn every_page_carries_a_strict_csp_whose_nonce_matches_its_scripts() {
    let app = TestApp::on(day(2026, 11, 25))
        .simulator(false)
        .start()
        .await;
    let admin = Browser::sign_in(&app, "admin", ADMIN_PASSWORD).await;
    let mut seen = std::collections::HashSet::new();
    for path in [
        "/",
        "/fleet",
        "/device?id=nope",
        "/timeline",
        "/estimators",
        "/admin",
        "/account",
        "/no-such-page",
    ] {
        let r = admin.call(Method::GET, path).send().await.unwrap();
        let h = r.headers().clone();
        let html = r.text().await.unwrap();
        let csp = h["content-security-policy"].to_str().unwrap().to_string();
        for part in [
            "default-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "worker-src 'self'",
        ] {
            assert!(csp.contains(part), "{path}: {csp}");
        }
        let script_src = csp
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap();
        assert!(
            !script_src.contains("unsafe-inline") && !script_src.contains("'unsafe-eval'"),
            "{path}: {script_src}"
        );
        let nonce = script_src
            .split("'nonce-")
            .nth(1)
            .and_then(|r| r.split('\'').next())
            .unwrap_or_else(|| panic!("{path}: no nonce in {csp}"));
        assert!(nonce.len() >= 16, "{path}: weak nonce {nonce}");
        assert!(seen.insert(nonce.to_string()), "{path}: nonce reused");
        // Every inline script carries this response's nonce; others load from this server.
        for tag in html.split("<script").skip(1) {
            let head = tag.split('>').next().unwrap();
            let inline = !head.contains("src=");
            if inline {
                assert!(
                    head.contains(&format!("nonce=\"{nonce}\"")),
                    "{path}: <script{head}>"
                );
            } else {
                assert!(
                    head.contains("src=\"/"),
                    "{path}: foreign script <script{head}>"
                );
            }
        }
        assert!(nonces(&html).iter().all(|n| n == nonce), "{path}");
        // No inline event handlers (they would need 'unsafe-inline').
        let lower = html.to_ascii_lowercase();
        for handler in [
            " onclick=",
            " onload=",
            " onerror=",
            " onsubmit=",
            " onchange=",
        ] {
            assert!(!lower.contains(handler), "{path}: inline {handler}");
        }
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        assert!(
            h["permissions-policy"]
                .to_str()
                .unwrap()
                .contains("camera=()"),
            "{path}"
        );
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
    }
    // The login page too, for anonymous visitors.
    let r = app.anon.get(app.url("/login")).send().await.unwrap();
    assert!(r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("'nonce-"));
    // The API answers carry the framing policy and the same referrer/permissions policies.
    let r = admin
        .call(Method::GET, "/api/v1/sites")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["content-security-policy"],
        "frame-ancestors 'none'"
    );
    assert_eq!(r.headers()["referrer-policy"], "same-origin");
}

#[tokio::test]
async fn api_rate_and_stream_limits_answer_429_with_retry_after() {
    let app = TestApp::on(day(2026, 11, 25))
        .simulator(false)
        .args(|a| {
            a.api_rate = 5;
            a.max_streams_per_client = 2;
        })
        .start()
        .await;
    // A burst of four seconds' worth (20) passes, then 429 until tokens refill. However slow
    // this machine is, what passes is the burst plus what refilled while the requests ran.
    let mut statuses = Vec::new();
    let started = std::time::Instant::now();
    for _ in 0..24 {
        let r = app
            .request_as(Some(Role::Viewer), Method::GET, "/api/v1/sites")
            .send()
            .await
            .unwrap();
        statuses.push((r.status().as_u16(), r.headers().get("retry-after").cloned()));
        if r.status() == 429 {
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["code"], "rate_limited", "{body}");
        }
    }
    let refilled = (started.elapsed().as_secs_f64() * 5.0).ceil() as usize;
    let ok = statuses.iter().filter(|(s, _)| *s == 200).count();
    assert!((20..=20 + refilled).contains(&ok), "{statuses:?}");
    let limited: Vec<_> = statuses.iter().filter(|(s, _)| *s == 429).collect();
    assert!(!limited.is_empty());
    assert!(
        limited
            .iter()
            .all(|(_, ra)| ra.as_ref().is_some_and(|v| v == "1")),
        "{limited:?}"
    );
    // Another client has its own budget; health checks are never limited.
    let r = app
        .request_as(Some(Role::Operator), Method::GET, "/api/v1/sites")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    for _ in 0..30 {
        assert_eq!(
            app.anon
                .get(app.url("/api/v1/health"))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
    }
    // Tokens come back (a refused request spends none): the viewer is served again.
    wait_until(
        "a token to come back",
        std::time::Duration::from_secs(5),
        || async {
            let r = app
                .request_as(Some(Role::Viewer), Method::GET, "/api/v1/sites")
                .send()
                .await
                .unwrap();
            (r.status() == 200).then_some(())
        },
    )
    .await;

    // Streams: two per client at once; a third is refused until one closes.
    let open = || {
        app.request_as(Some(Role::Admin), Method::GET, "/api/v1/stream")
            .send()
    };
    let a = open().await.unwrap();
    let b = open().await.unwrap();
    assert_eq!((a.status(), b.status()), (StatusCode::OK, StatusCode::OK));
    let c = open().await.unwrap();
    assert_eq!(c.status(), 429);
    assert!(c.headers().contains_key("retry-after"));
    drop(a);
    let mut reopened = StatusCode::TOO_MANY_REQUESTS;
    for _ in 0..40 {
        reopened = open().await.unwrap().status();
        if reopened == StatusCode::OK {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(reopened, StatusCode::OK, "a closed stream frees its slot");
    drop(b);
}

#[tokio::test]
async fn a_client_that_trickles_its_request_head_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::on(day(2026, 11, 25))
        .simulator(false)
        .args(|a| a.header_timeout_secs = 1)
        .start()
        .await;
    let mut slow = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    slow.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut buf = Vec::new();
    // The server answers 408 or just closes; either way the socket ends within the timeout.
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        slow.read_to_end(&mut buf),
    )
    .await;
    assert!(read.is_ok(), "the server kept a slow client's socket open");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    // A prompt client on the same server is served.
    assert_eq!(
        app.anon
            .get(app.url("/api/v1/health"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

/// A tenant sees its own contract's GPUs and ledger, and nothing else: another tenant's
/// device is not found, every staff route is forbidden, and its totals are its own.
#[tokio::test]
async fn a_tenant_sees_only_its_own_halls_devices_and_ledger() {
    let app = TestApp::on(day(2026, 12, 4))
        .asics(20)
        .args(|a| a.simulated_gpu_nodes = 5)
        .start()
        .await;
    app.first_poll().await;
    let store = std::sync::Arc::new(
        server::store::Store::connect(&app.database_url)
            .await
            .unwrap(),
    );
    let auth = server::auth::Auth::new(store, false);
    // Nodes 1 and 4 are at Muskogee (the H100 cloud's tenant); node 2 at Baie-Comeau.
    let password = "tenant-password-1";
    auth.add_user(
        "acme",
        Role::Tenant,
        Some("Own GPU cloud (H100 SXM)"),
        password,
        "test",
    )
    .await
    .unwrap();
    auth.add_user(
        "lab",
        Role::Tenant,
        Some("AI lab tenant B (signed LOI)"),
        password,
        "test",
    )
    .await
    .unwrap();
    // A tenant user names its tenant; no staff user does.
    assert!(auth
        .add_user("nobody", Role::Tenant, None, password, "test")
        .await
        .is_err());
    assert!(auth
        .add_user("staff", Role::Viewer, Some("Acme"), password, "test")
        .await
        .is_err());

    let origin = format!("http://{}", app.addr);
    let session = |cookie: Option<String>| {
        cookie
            .expect("session cookie")
            .split(';')
            .next()
            .unwrap()
            .to_string()
    };
    // Signing in on the way to a staff page (/timeline) lands a tenant on its SLA ledger.
    let (_, landed, acme) = login(&app, "acme", password, &origin).await;
    assert_eq!(landed, "/sla", "a tenant lands on its ledger");
    let acme = session(acme);
    let lab = session(login(&app, "lab", password, &origin).await.2);
    let get = |cookie: String, path: &'static str| {
        let app = &app;
        async move {
            let r = app
                .anon
                .get(app.url(path))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            (status, r.text().await.unwrap())
        }
    };

    let (status, body) = get(acme.clone(), "/api/v1/fleet").await;
    assert_eq!(status, 200, "{body}");
    let fleet: Value = serde_json::from_str(&body).unwrap();
    let ids: Vec<&str> = fleet["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 16, "{ids:?}");
    assert!(
        ids.iter()
            .all(|id| id.starts_with("sim-gpu-node-001/") || id.starts_with("sim-gpu-node-004/")),
        "{ids:?}"
    );
    assert_eq!(fleet["summary"]["devices"], 16);
    assert_eq!(fleet["summary"]["asic_hashrate_ths"], 0.0);

    let (status, body) = get(acme.clone(), "/api/v1/sla?month=2026-12").await;
    assert_eq!(status, 200, "{body}");
    let ledger: Value = serde_json::from_str(&body).unwrap();
    let contracts: Vec<&str> = ledger["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["contract_id"].as_str().unwrap())
        .collect();
    assert_eq!(contracts, ["muskogee-gpu-1"]);
    let (_, body) = get(lab.clone(), "/api/v1/sla.csv?month=2026-12").await;
    // Its contract starts after this month (a signed LOI): a header and no one else's rows.
    assert!(
        body.starts_with("month,contract") && !body.contains("muskogee"),
        "{body}"
    );
    let (_, body) = get(lab.clone(), "/api/v1/fleet").await;
    let lab_fleet: Value = serde_json::from_str(&body).unwrap();
    assert!(lab_fleet["devices"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["id"].as_str().unwrap().starts_with("sim-gpu-node-002/")));

    // Every staff route: forbidden.
    for path in [
        "/api/v1/sites",
        "/api/v1/revenue",
        "/api/v1/market",
        "/api/v1/timeline",
        "/api/v1/power/sites",
        "/api/v1/export/fleet.csv",
        "/api/v1/users",
    ] {
        let (status, body) = get(acme.clone(), path).await;
        assert_eq!(status, 403, "{path}: {body}");
    }
    // A tenant manages its own account: its sessions (no one else's), its password, its page.
    let (status, body) = get(acme.clone(), "/api/v1/sessions").await;
    assert_eq!(status, 200, "{body}");
    let sessions: Value = serde_json::from_str(&body).unwrap();
    let owners: Vec<&str> = sessions["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["user"].as_str().unwrap())
        .collect();
    assert!(
        !owners.is_empty() && owners.iter().all(|u| *u == "acme"),
        "{owners:?}"
    );
    let changed = app
        .anon
        .post(app.url("/api/v1/me/password"))
        .header("cookie", acme.clone())
        .header("origin", origin.clone())
        .json(&json!({ "current": password, "new": "a brand new tenant password" }))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(changed, 204);
    let (status, body) = get(acme.clone(), "/account").await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("acme"),
        "the account page renders for a tenant"
    );
    // Another tenant's device is not found; its own is.
    let history = |cookie: String, id: &'static str| {
        let (app, origin) = (&app, origin.clone());
        async move {
            app.anon
                .post(app.url("/api/get_device_history"))
                .header("cookie", cookie)
                .header("origin", origin)
                .form(&[("id", id), ("hours", "1")])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(history(acme.clone(), "sim-gpu-node-002/gpu0").await, 404);
    assert_eq!(history(acme.clone(), "sim-asic-00001").await, 404);
    assert_eq!(history(acme.clone(), "sim-gpu-node-001/gpu3").await, 200);
    assert_eq!(history(lab.clone(), "sim-gpu-node-001/gpu3").await, 404);
    // Staff see every contract.
    let (status, all) = app.get_json("/api/v1/sla?month=2026-12").await;
    assert_eq!(status, 200);
    let every: Vec<&str> = all["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["contract_id"].as_str().unwrap())
        .collect();
    assert!(
        every.contains(&"muskogee-gpu-1") && every.contains(&"pecos-colo-a"),
        "{every:?}"
    );
}

/// A burst with a token never used before: 1,000 requests in one second, open loop, while
/// another writer holds the database's write lock. Checking the token writes nothing on the
/// request path, so none is refused as unauthenticated (401), as unavailable (503
/// `storage_unavailable`) or left to time out (408); the rate limiter (429) and the admission cap
/// (503 `busy`) may refuse some, at once. Counts, not times.
#[tokio::test]
async fn a_burst_with_a_fresh_token_gets_no_401_and_no_408() {
    use app::api::ports::Accounts;
    let app = TestApp::on(day(2026, 11, 25))
        .simulator(false)
        .start()
        .await;
    let store = std::sync::Arc::new(app.store().await);
    let token = server::auth::Auth::new(store, false)
        .create_token("burst", Role::Viewer, "test")
        .await
        .unwrap()
        .token;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .unwrap();
    // Another writer holds the database's write lock through the burst (a backup, a long
    // import): reads go on, a write would wait. Checking a credential must not need one.
    use sqlx::Connection;
    let mut writer = sqlx::SqliteConnection::connect(&app.database_url)
        .await
        .unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut writer)
        .await
        .unwrap();
    let start = tokio::time::Instant::now();
    let requests: Vec<_> = (0..1_000u64)
        .map(|i| {
            let (client, token, url) = (client.clone(), token.clone(), app.url("/api/v1/sites"));
            tokio::spawn(async move {
                tokio::time::sleep_until(start + std::time::Duration::from_millis(i)).await;
                match client.get(url).bearer_auth(token).send().await {
                    // A 503 says why: the server at capacity (`busy`, refused before any work)
                    // is fine under a crowd; the store refusing a credential is not.
                    Ok(r) if r.status() == 503 => {
                        let body: Value = r.json().await.unwrap_or(Value::Null);
                        if body["code"] == "busy" {
                            5031
                        } else {
                            503
                        }
                    }
                    Ok(r) => r.status().as_u16(),
                    Err(_) => 0,
                }
            })
        })
        .collect();
    let mut counts: std::collections::BTreeMap<u16, u32> = std::collections::BTreeMap::new();
    for r in requests {
        *counts.entry(r.await.unwrap()).or_insert(0u32) += 1;
    }
    sqlx::query("ROLLBACK").execute(&mut writer).await.unwrap();
    assert_eq!(counts.get(&401), None, "{counts:?}");
    assert_eq!(counts.get(&408), None, "{counts:?}");
    assert_eq!(counts.get(&0), None, "connections failed: {counts:?}");
    // 5031: refused at capacity (503 `busy`), the one 503 a crowd may see.
    assert!(
        counts.keys().all(|s| [200, 429, 5031].contains(s)),
        "{counts:?}"
    );
    assert!(counts.get(&200).copied().unwrap_or(0) > 0, "{counts:?}");
    println!("a burst of 1,000 with a fresh token: {counts:?}");
    // The use is noted (in a batch, flushed when tokens are listed).
    let (_, tokens) = app.get_json("/api/v1/tokens").await;
    let burst = tokens["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "burst")
        .unwrap()
        .clone();
    assert!(!burst["last_used_at"].is_null(), "{burst}");
}
