//! The OpenAPI document against the router it describes, the OpenAPI 3.1 schema, and real
//! answers.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Method, Request};
use clap::Parser;
use serde_json::{json, Value};
use tower::ServiceExt;

use server::config::Cli;

use super::support::{day, TestApp};

const METHODS: [Method; 5] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
];

/// (method, path) of every operation the document names.
fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for m in METHODS {
            if item.get(m.as_str().to_lowercase()).is_some() {
                out.insert((m.to_string(), path.clone()));
            }
        }
    }
    out
}

/// The paths in the router's own route table. axum has no public accessor for it; its `Debug`
/// prints the path router's table first (`Node { paths: {RouteId(n): "/sites", …} }`), then the
/// fallback router's, which is what we read.
fn router_paths(router: &axum::Router) -> BTreeSet<String> {
    let debug = format!("{router:?}");
    let mut out = BTreeSet::new();
    if let Some(table) = debug.split("Node { paths: {").nth(1) {
        let table = &table[..table.find('}').map_or(table.len(), |i| {
            // Path parameters contain braces; the table ends at the first "}}" or "} }".
            table[i..].find(" }").map_or(table.len(), |j| i + j)
        })];
        for quoted in table.split('"').skip(1).step_by(2) {
            if quoted.starts_with('/') {
                out.insert(quoted.to_string());
            }
        }
    }
    out
}

#[tokio::test]
async fn the_document_names_exactly_the_routes_the_router_serves() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = Cli::parse_from(["rigshift"]).serve_args();
    args.database_url = format!("sqlite://{}", dir.path().join("r.db").display());
    args.simulator = false;
    args.today = Some(day(2025, 6, 15));
    let runtime = server::start(&args).await.unwrap();
    let (router, document) = server::http::router_and_document(runtime.services.clone());
    let doc = serde_json::to_value(&document).unwrap();

    let paths = router_paths(&router);
    assert!(
        paths.len() > 20,
        "read {} paths from the router",
        paths.len()
    );
    // Ask the router which methods each path takes: with no caller, a routed method answers 401
    // (its role layer) or 200 (public), an unrouted one 405; nothing reaches a handler's writes.
    let mut served = BTreeSet::new();
    for path in &paths {
        let concrete = path
            .split('/')
            .map(|s| if s.starts_with('{') { "1" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        for m in METHODS {
            let request = Request::builder()
                .method(m.clone())
                .uri(&concrete)
                .body(Body::empty())
                .unwrap();
            let status = router.clone().oneshot(request).await.unwrap().status();
            assert_ne!(status, 404, "{m} {concrete} fell through to not-found");
            if status != 405 {
                served.insert((m.to_string(), path.clone()));
            }
        }
    }
    let named = documented(&doc);
    let undocumented: Vec<_> = served.difference(&named).collect();
    let phantom: Vec<_> = named.difference(&served).collect();
    assert!(
        undocumented.is_empty(),
        "served but not in the document: {undocumented:?}"
    );
    assert!(
        phantom.is_empty(),
        "in the document but not served: {phantom:?}"
    );
    assert!(served.len() >= 36, "{} operations", served.len());
    runtime.shut_down(std::time::Duration::from_secs(2)).await;
}

/// The served document is valid OpenAPI 3.1, and every schema in it compiles as JSON Schema
/// 2020-12. The fixture is the OpenAPI Initiative's schema for 3.1 (id 2022-10-07, Apache-2.0),
/// as shipped in the `openapi-spec-validator` 0.9.0 wheel on PyPI.
#[tokio::test]
async fn the_document_is_valid_openapi_3_1() {
    let app = TestApp::on(day(2025, 6, 15)).simulator(false).start().await;
    let r = app
        .anon
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "public, without a session");
    let doc: Value = r.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1."));

    let meta: Value =
        serde_json::from_str(include_str!("../fixtures/openapi-3.1.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&meta).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    let schemas = doc["components"]["schemas"].as_object().unwrap();
    assert!(schemas.len() > 40, "{} schemas", schemas.len());
    for (name, _) in schemas {
        schema_of(&doc, &format!("#/components/schemas/{name}"));
    }
    // Both credentials are described, and each guarded operation names its role.
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["session"]["in"], "cookie");
    assert_eq!(doc["paths"]["/tokens"]["post"]["x-rigshift-role"], "admin");
    assert_eq!(
        doc["paths"]["/annotations/{id}"]["patch"]["x-rigshift-role"],
        "operator"
    );
    // A tenant reads the fleet and the ledger too (scoped to its own contracts).
    assert_eq!(doc["paths"]["/fleet"]["get"]["x-rigshift-role"], "tenant");
    assert_eq!(doc["paths"]["/sla"]["get"]["x-rigshift-role"], "tenant");
    assert_eq!(doc["paths"]["/sites"]["get"]["x-rigshift-role"], "viewer");
    assert!(doc["paths"]["/health"]["get"].get("security").is_none());
    // The error body lists every code the server sends.
    let codes = doc["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .unwrap();
    for code in [
        "conflict",
        "invalid_input",
        "unauthenticated",
        "rate_limited",
        "body_too_large",
        "csrf_rejected",
    ] {
        assert!(
            codes.contains(&json!(code)),
            "{code} missing from {codes:?}"
        );
    }
    assert!(doc["paths"]["/annotations/{id}"]["patch"]["responses"]["409"].is_object());
}

/// A validator for the schema at `pointer` inside the document (its `$ref`s resolve there).
fn schema_of(doc: &Value, pointer: &str) -> jsonschema::Validator {
    let mut root = json!({ "$schema": "https://json-schema.org/draft/2020-12/schema" });
    root["$ref"] = json!(pointer);
    root["components"] = doc["components"].clone();
    jsonschema::validator_for(&root).unwrap_or_else(|e| panic!("{pointer}: {e}"))
}

/// The schema of `method path`'s answer with `status`, as a `$ref`-able pointer.
fn response_pointer(doc: &Value, method: &str, path: &str, status: u16) -> String {
    let escaped = path.replace('~', "~0").replace('/', "~1");
    let pointer =
        format!("#/paths/{escaped}/{method}/responses/{status}/content/application~1json/schema");
    assert!(
        doc.pointer(&pointer[1..]).is_some(),
        "{method} {path} declares no JSON {status} answer"
    );
    pointer
}

fn validate(doc: &Value, pointer: &str, answer: &Value) {
    let errors = violations(doc, pointer, answer);
    assert!(errors.is_empty(), "{pointer}: {errors:#?}");
}

fn violations(doc: &Value, pointer: &str, answer: &Value) -> Vec<String> {
    let mut root = json!({ "$schema": "https://json-schema.org/draft/2020-12/schema" });
    root["$ref"] = json!(pointer);
    root["components"] = doc["components"].clone();
    root["paths"] = doc["paths"].clone();
    let v = jsonschema::validator_for(&root).unwrap_or_else(|e| panic!("{pointer}: {e}"));
    v.iter_errors(answer)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Real answers of the read routes (and the estimators) match the schemas the document gives.
#[tokio::test]
async fn real_answers_validate_against_their_response_schemas() {
    let app = TestApp::on(day(2025, 6, 15)).asics(12).start().await;
    let doc: Value = app
        .anon
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // Device rows as the poller fills them.
    app.first_poll().await;
    for path in [
        "/health",
        "/sites",
        "/revenue",
        "/market",
        "/market/latest",
        "/pool-rewards",
        "/catalogue/gpus",
        "/catalogue/asics",
        "/fleet",
        "/timeline",
        "/tokens",
        "/embeds",
        "/audit",
        "/users",
        "/sessions",
    ] {
        let (status, body) = app.get_json(&format!("/api/v1{path}")).await;
        assert_eq!(status, 200, "{path}: {body}");
        validate(&doc, &response_pointer(&doc, "get", path, 200), &body);
        if path == "/fleet" {
            assert!(
                body["devices"].as_array().is_some_and(|d| !d.is_empty()),
                "{body}"
            );
            // The schemas have teeth: a figure of the wrong type or a missing field is caught.
            let pointer = response_pointer(&doc, "get", path, 200);
            let mut wrong = body.clone();
            wrong["devices"][0]["temp_c"] = json!("hot");
            assert!(!violations(&doc, &pointer, &wrong).is_empty());
            let mut missing = body.clone();
            missing["summary"].as_object_mut().unwrap().clear();
            assert!(!violations(&doc, &pointer, &missing).is_empty());
        }
    }
    let (status, body) = app
        .post_json(
            "/api/v1/estimate/mining",
            &json!({ "hashrate_ths": 200.0, "difficulty": 100e12, "btc_price_usd": 100000.0, "power_w": 3500.0, "power_cost_usd_per_kwh": 0.05 }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    validate(
        &doc,
        &response_pointer(&doc, "post", "/estimate/mining", 200),
        &body,
    );
    let (status, body) = app
        .post_json(
            "/api/v1/estimate/gpu",
            &json!({ "gpu": "H100-SXM", "count": 8, "model_params_b": 70, "workload": "prefill" }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    validate(
        &doc,
        &response_pointer(&doc, "post", "/estimate/gpu", 200),
        &body,
    );
    // An error answer fits the error schema.
    let (status, body) = app
        .post_json("/api/v1/estimate/gpu", &json!({ "gpu": 7 }))
        .await;
    assert_eq!(status, 422, "{body}");
    validate(
        &doc,
        &response_pointer(&doc, "post", "/estimate/gpu", 422),
        &body,
    );
}
