//! `/api/v1/estimate/{gpu,sha256}`, the catalogues, and the SHA-256d server function over HTTP.

mod support;

use serde_json::json;
use support::{day, TestApp};

#[tokio::test]
async fn gpu_estimate_follows_the_api_contract() {
    let app = TestApp::on(day(2025, 6, 15)).start().await;
    let (s, b) = app
        .post_json(
            "/api/v1/estimate/gpu",
            &json!({ "gpu": "H100-SXM", "count": 8, "model_params_b": 70, "workload": "prefill" }),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    // 8 × 989.4 TFLOPS × 0.4 / (2 × 70e9)
    assert!((b["tokens_per_s"].as_f64().unwrap() - 22_615.0).abs() < 5.0);
    assert_eq!(b["bound"], "compute");
    assert_eq!(b["power_kw"].as_f64(), Some(10.2));
    assert_eq!(b["fits_in_memory"], true);
    assert_eq!(b["gpu"]["memory_tb_s"].as_f64(), Some(3.35));
    assert_eq!(b["query"]["precision"], "bf16");

    let (s, b) = app.post_json("/api/v1/estimate/gpu", &json!({ "gpu": "A100-80GB", "model_params_b": 7, "workload": "decode", "precision": "fp8" })).await;
    assert_eq!(s, 422);
    assert!(b["error"].as_str().unwrap().contains("FP8"), "{b}");
    let (s, b) = app
        .post_json(
            "/api/v1/estimate/gpu",
            &json!({ "gpu": "TPU-v9", "model_params_b": 7, "workload": "decode" }),
        )
        .await;
    assert_eq!(s, 422);
    assert!(b["error"].as_str().unwrap().contains("gpu"), "{b}");
    let (s, _) = app
        .post_json(
            "/api/v1/estimate/gpu",
            &json!({ "gpu": "H100-SXM", "model_params_b": 7, "workload": "mining" }),
        )
        .await;
    assert_eq!(s, 422);
}

#[tokio::test]
async fn catalogues_list_every_part_with_its_figures() {
    let app = TestApp::on(day(2025, 6, 15)).start().await;
    let (_, b) = app.get_json("/api/v1/catalogue/gpus").await;
    let ids: Vec<&str> = b["gpus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap())
        .collect();
    for id in [
        "H100-SXM",
        "H100-PCIe",
        "H200",
        "B200",
        "A100-80GB",
        "L40S",
        "MI300X",
    ] {
        assert!(ids.contains(&id), "{id}");
    }
    let (_, b) = app.get_json("/api/v1/catalogue/asics").await;
    let s21 = b["asics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "S21")
        .unwrap()
        .clone();
    assert_eq!(s21["efficiency_j_per_th"].as_f64(), Some(17.5));
}

#[tokio::test]
async fn sha256_measures_real_hashes_for_the_requested_time() {
    let app = TestApp::on(day(2025, 6, 15)).start().await;
    let (s, b) = app
        .post_json("/api/v1/estimate/sha256", &json!({ "millis": 200 }))
        .await;
    assert_eq!(s, 200, "{b}");
    let (hashes, secs, rate) = (
        b["hashes"].as_u64().unwrap(),
        b["seconds"].as_f64().unwrap(),
        b["hashes_per_s"].as_f64().unwrap(),
    );
    assert!(secs >= 0.2 && secs < 1.0, "{secs}");
    assert!(hashes > 10_000, "{hashes}");
    assert!((rate - hashes as f64 / secs).abs() / rate < 1e-9);
    assert!(b["threads"].as_u64().unwrap() >= 1);

    for bad in [
        json!({ "millis": 5000 }),
        json!({ "millis": 0 }),
        json!({ "millis": "fast" }),
        json!({}),
    ] {
        let (s, b) = app.post_json("/api/v1/estimate/sha256", &bad).await;
        assert_eq!(s, 422, "{bad} -> {b}");
    }
}

#[tokio::test]
async fn sha256_server_function_answers_the_browser() {
    let app = TestApp::on(day(2025, 6, 15)).start().await;
    let resp = app
        .client
        .post(app.url("/api/estimate_sha256"))
        .form(&[("millis", "50")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let m: serde_json::Value = resp.json().await.unwrap();
    assert!(m["hashes"].as_u64().unwrap() > 0);
    let bad = app
        .client
        .post(app.url("/api/estimate_sha256"))
        .form(&[("millis", "99999")])
        .send()
        .await
        .unwrap();
    assert!(!bad.status().is_success());
    let body: serde_json::Value = bad.json().await.unwrap();
    assert_eq!(body["code"], "invalid_input", "{body}");
}
