//! Telemetry over real sockets: the CGMiner client against hostile peers, and the poller against
//! the simulator through the public API. Every wait is bounded.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::time::timeout;

use server::telemetry::cgminer;
use server::telemetry::io::ExchangeLimits;
use server::telemetry::PollError;
use support::{day, TestApp};

const TIGHT: ExchangeLimits = ExchangeLimits {
    connect: Duration::from_millis(500),
    read: Duration::from_millis(400),
    max_bytes: 64 * 1024,
};

/// A one-connection peer that reads the request and then behaves as `act` says.
async fn peer<F, Fut>(act: F) -> String
where
    F: FnOnce(tokio::net::TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        if let Ok((mut s, _)) = listener.accept().await {
            let mut buf = [0u8; 256];
            let _ = s.read(&mut buf).await;
            act(s).await;
        }
    });
    addr
}

async fn poll(addr: &str) -> Result<app::model::fleet::devices::AsicReading, PollError> {
    timeout(Duration::from_secs(5), cgminer::poll(addr, None, TIGHT))
        .await
        .expect("the client must give up by itself")
        .map(|(r, _)| r)
}

#[tokio::test]
async fn a_peer_that_never_answers_times_out() {
    let addr = peer(|s| async move {
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(s);
    })
    .await;
    assert_eq!(poll(&addr).await.unwrap_err(), PollError::ReadTimeout);
}

#[tokio::test]
async fn a_peer_that_trickles_bytes_times_out() {
    let addr = peer(|mut s| async move {
        for _ in 0..300 {
            if s.write_all(b" ").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert_eq!(poll(&addr).await.unwrap_err(), PollError::ReadTimeout);
}

#[tokio::test]
async fn an_oversized_answer_is_cut_off() {
    let addr = peer(|mut s| async move {
        let chunk = vec![b'x'; 64 * 1024];
        for _ in 0..64 {
            if s.write_all(&chunk).await.is_err() {
                break;
            }
        }
    })
    .await;
    assert_eq!(
        poll(&addr).await.unwrap_err(),
        PollError::TooLarge(64 * 1024)
    );
}

#[tokio::test]
async fn garbage_and_error_status_are_clear_errors() {
    let addr = peer(|mut s| async move {
        let _ = s.write_all(b"\xff\xfe not json at all").await;
    })
    .await;
    assert!(matches!(poll(&addr).await, Err(PollError::Malformed(_))));
    let addr = peer(|mut s| async move {
        let _ = s
            .write_all(br#"{"STATUS":[{"STATUS":"E","Msg":"Invalid command"}],"id":1}"#)
            .await;
    })
    .await;
    assert_eq!(
        poll(&addr).await.unwrap_err(),
        PollError::DeviceError("Invalid command".into())
    );
}

#[tokio::test]
async fn a_sloppy_but_valid_antminer_answer_parses() {
    let addr = peer(|mut s| async move {
        let body = concat!(
            r#"{"summary":[{"STATUS":[{"STATUS":"S"}],"SUMMARY":[{"GHS 5s":"200123.4","Accepted":"10.0000","Difficulty Accepted":"655360"}]}],"#,
            r#""stats":[{"STATUS":[{"STATUS":"S"}],"STATS":[{"Type":"Antminer S21"},{"temp1":60,"temp1":61,"chain_acn1":108}]}]}"#,
            "\0"
        );
        let _ = s.write_all(body.as_bytes()).await;
    })
    .await;
    let r = poll(&addr).await.unwrap();
    assert!((r.hashrate_ths - 200.1234).abs() < 1e-9);
    assert_eq!(r.accepted, 10);
    assert_eq!(r.difficulty_accepted, Some(655_360.0));
    assert_eq!(r.temps_c, vec![60.0, 61.0]);
}

#[tokio::test]
async fn a_closed_port_is_a_connect_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    drop(listener);
    assert!(matches!(poll(&addr).await, Err(PollError::Connect(_))));
}

async fn fleet_until(app: &TestApp, ok: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..100 {
        let (_, body) = app.get_json("/api/v1/fleet").await;
        if ok(&body) {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("fleet never reached the expected state");
}

/// The models of every device in a fleet answer, sorted.
fn sorted_models(fleet: &Value) -> Vec<&str> {
    let mut models: Vec<&str> = fleet["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["model"].as_str().unwrap())
        .collect();
    models.sort();
    models
}

fn device<'a>(fleet: &'a Value, id: &str) -> &'a Value {
    fleet["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .unwrap_or_else(|| panic!("{id} missing"))
}

#[tokio::test]
async fn the_poller_sees_the_simulated_faults_through_sockets() {
    let app = TestApp::on(day(2026, 11, 25)).asics(60).start().await;
    // Device 31 accepts connections and never answers: it must go offline without holding up
    // the others (the rest are polled and online long before its timeout).
    let fleet = fleet_until(&app, |f| {
        f["devices"].as_array().is_some_and(|d| {
            d.iter()
                .any(|d| d["id"] == "sim-asic-00031" && d["status"] == "offline")
        })
    })
    .await;
    let d = |id| device(&fleet, id);
    assert_eq!(d("sim-asic-00007")["status"], "degraded");
    // A device that answered carries its reason as a code and figures, no English words.
    assert_eq!(d("sim-asic-00007")["reason"]["code"], "hashboard_down");
    assert!(d("sim-asic-00007")["problem"].is_null());
    assert_eq!(d("sim-asic-00019")["status"], "degraded");
    assert_eq!(d("sim-asic-00019")["reason"]["code"], "over_temperature");
    assert_eq!(d("sim-asic-00000")["status"], "online");
    assert!(d("sim-asic-00000")["hashrate_ths"].as_f64().unwrap() > 50.0);
    assert!(d("sim-asic-00031")["problem"]
        .as_str()
        .unwrap()
        .contains("no complete answer"));
    // Two 8-GPU nodes; node 1's GPU 3 raised XID 79.
    let gpus: Vec<&Value> = fleet["devices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == "gpu")
        .collect();
    assert_eq!(gpus.len(), 16);
    assert_eq!(d("sim-gpu-node-001/gpu3")["status"], "degraded");
    assert!(gpus.iter().all(|g| g["gpu_util_pct"].as_f64().is_some()));
    assert!(fleet["summary"]["asic_hashrate_ths"].as_f64().unwrap() > 1000.0);
}

#[tokio::test]
async fn devices_are_registered_and_removed_over_the_api() {
    let app = TestApp::on(day(2026, 11, 25))
        .simulator(false)
        .start()
        .await;
    let dead = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = dead.local_addr().unwrap().to_string();
    drop(dead);
    let (s, body) = app
        .post_json(
            "/api/v1/devices",
            &json!({ "kind": "asic", "address": addr, "site": "pecos-ridge", "model": "S21" }),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    let fleet = fleet_until(&app, |f| {
        f["devices"]
            .as_array()
            .is_some_and(|d| d.iter().any(|d| d["id"] == id.as_str()))
    })
    .await;
    assert_eq!(device(&fleet, &id)["status"], "offline");

    let r = app
        .client
        .delete(app.url(&format!("/api/v1/devices/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    fleet_until(&app, |f| {
        f["devices"]
            .as_array()
            .is_some_and(|d| d.iter().all(|d| d["id"] != id.as_str()))
    })
    .await;
    let again = app
        .client
        .delete(app.url(&format!("/api/v1/devices/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 404);

    let (s, b) = app
        .post_json(
            "/api/v1/devices",
            &json!({ "kind": "gpu", "address": "10.0.0.1:9400", "site": "x" }),
        )
        .await;
    assert_eq!(s, 422);
    assert!(b["error"].as_str().unwrap().contains("http://"));
}

#[tokio::test]
async fn the_stream_sends_fleet_events() {
    let app = TestApp::on(day(2026, 11, 25)).asics(10).start().await;
    let mut resp = app
        .client
        .get(app.url("/api/v1/stream"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    let mut seen = String::new();
    let got = timeout(Duration::from_secs(15), async {
        while let Ok(Some(chunk)) = resp.chunk().await {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if seen.contains("event: fleet") && seen.contains("\"devices\":") {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(got, Ok(true), "{seen}");
}

#[tokio::test]
async fn a_polled_device_has_a_history() {
    let app = TestApp::on(day(2026, 11, 25)).asics(10).start().await;
    for _ in 0..100 {
        let resp = app
            .client
            .post(app.url("/api/get_device_history"))
            .form(&[("id", "sim-asic-00000"), ("hours", "1")])
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let h: Value = resp.json().await.unwrap();
        // Until the first poll lands the device is unknown: 404, never a 500.
        assert!(
            status == 200 || (status == 404 && h["code"] == "not_found"),
            "{status} {h}"
        );
        if h["points"].as_array().is_some_and(|p| !p.is_empty()) {
            assert_eq!(h["device"]["id"], "sim-asic-00000");
            assert!(h["points"][0]["hashrate_ths"].as_f64().unwrap() > 50.0);
            let bad = app
                .client
                .post(app.url("/api/get_device_history"))
                .form(&[("id", "nope"), ("hours", "1")])
                .send()
                .await
                .unwrap();
            assert_eq!(bad.status(), 404);
            let body: Value = bad.json().await.unwrap();
            assert_eq!(body["code"], "not_found", "{body}");
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("no history recorded");
}

#[tokio::test]
async fn devices_in_the_fleet_file_are_polled_and_a_bad_file_stops_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let dead = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = dead.local_addr().unwrap().port();
    drop(dead);
    let file = dir.path().join("fleet.toml");
    std::fs::write(&file, format!("[[asic]]\naddress = \"127.0.0.1:{port}\"\nsite = \"baie-comeau\"\nmodel = \"M66S\"\nid = \"rack-a1\"\n")).unwrap();
    let app = TestApp::on(day(2026, 11, 25))
        .simulator(false)
        .fleet_file(&file)
        .start()
        .await;
    let fleet = fleet_until(&app, |f| {
        f["devices"]
            .as_array()
            .is_some_and(|d| d.iter().any(|d| d["id"] == "rack-a1"))
    })
    .await;
    assert_eq!(device(&fleet, "rack-a1")["status"], "offline");
    assert_eq!(device(&fleet, "rack-a1")["site"], "baie-comeau");

    std::fs::write(&file, "[[asic]]\naddress = \"no-port\"\nsite = \"x\"\n").unwrap();
    let mut args = server::config::ServeArgs {
        fleet: Some(file.clone()),
        ..<server::config::Cli as clap::Parser>::parse_from(["rigshift"]).serve_args()
    };
    args.database_url = format!("sqlite://{}", dir.path().join("other.db").display());
    args.simulator = false;
    let err = server::start(&args)
        .await
        .err()
        .expect("a bad fleet file must stop start-up");
    assert!(format!("{err:#}").contains("entry 1 (no-port)"), "{err:#}");
}

/// Scrapes the metrics listener and parses the exposition with the DCGM parser.
async fn scrape(app: &TestApp) -> Vec<server::telemetry::prometheus::Sample> {
    let resp = reqwest::get(format!("http://{}/metrics", app.metrics_addr))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    server::telemetry::prometheus::parse(&resp.text().await.unwrap()).expect("valid exposition")
}

fn metric(
    samples: &[server::telemetry::prometheus::Sample],
    name: &str,
    labels: &[(&str, &str)],
) -> f64 {
    samples
        .iter()
        .filter(|s| s.name == name && labels.iter().all(|(k, v)| s.label(k) == Some(*v)))
        .map(|s| s.value)
        .sum()
}

#[tokio::test]
async fn metrics_show_the_fleet_the_api_shows_and_the_latency_of_polls_and_requests() {
    let app = TestApp::on(day(2026, 11, 25)).asics(40).start().await;
    // Wait until the silent device has timed out, so every status is settled.
    fleet_until(&app, |f| {
        f["devices"].as_array().is_some_and(|d| {
            d.iter()
                .any(|d| d["id"] == "sim-asic-00031" && d["status"] == "offline")
        })
    })
    .await;
    for _ in 0..3 {
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
    // The fleet moves between polls: compare a scrape with API reads on both sides of it.
    let mut tries = 0;
    let (before, samples, after) = loop {
        tries += 1;
        assert!(tries < 50, "the fleet never held still across a scrape");
        let (_, before) = app.get_json("/api/v1/fleet").await;
        let samples = scrape(&app).await;
        let (_, after) = app.get_json("/api/v1/fleet").await;
        let statuses = |f: &Value| {
            f["devices"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["status"].clone())
                .collect::<Vec<_>>()
        };
        if statuses(&before) == statuses(&after) {
            break (before, samples, after);
        }
    };
    drop(after);
    let devices = before["devices"].as_array().unwrap();
    for status in ["online", "degraded", "offline"] {
        for kind in ["asic", "gpu"] {
            let api = devices
                .iter()
                .filter(|d| d["status"] == status && d["kind"] == kind)
                .count();
            assert_eq!(
                metric(
                    &samples,
                    "rigshift_devices",
                    &[("kind", kind), ("status", status)]
                ),
                api as f64,
                "{kind} {status}"
            );
        }
    }
    assert_eq!(
        metric(
            &samples,
            "rigshift_device_up",
            &[("device", "sim-asic-00031")]
        ),
        0.0
    );
    assert_eq!(
        metric(
            &samples,
            "rigshift_device_up",
            &[("device", "sim-asic-00000")]
        ),
        1.0
    );
    let reported = device(&before, "sim-asic-00000")["hashrate_ths"]
        .as_f64()
        .unwrap();
    assert!(
        metric(
            &samples,
            "rigshift_device_hashrate_ths",
            &[("device", "sim-asic-00000")]
        ) > 0.5 * reported
    );
    // Polls over both protocols, and the silent device's timeouts, are timed by outcome.
    let polls = |protocol, outcome| {
        metric(
            &samples,
            "rigshift_poll_duration_seconds_count",
            &[("protocol", protocol), ("outcome", outcome)],
        )
    };
    assert!(polls("cgminer", "ok") >= 39.0, "{}", polls("cgminer", "ok"));
    assert!(polls("dcgm", "ok") >= 2.0);
    assert!(polls("cgminer", "read_timeout") >= 1.0);
    // Requests are labelled by route pattern.
    assert!(
        metric(
            &samples,
            "rigshift_http_request_duration_seconds_count",
            &[
                ("method", "GET"),
                ("route", "/api/v1/health"),
                ("status", "200")
            ]
        ) >= 3.0
    );
    assert!(
        metric(
            &samples,
            "rigshift_http_request_duration_seconds_count",
            &[("route", "/api/v1/fleet"), ("status", "200")]
        ) >= 1.0
    );
    // /metrics lives on its own listener only: the dashboard's port does not serve it.
    let on_main = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert!(!on_main.text().await.unwrap().contains("rigshift_devices"));
}

#[tokio::test]
async fn metrics_count_live_stream_clients_while_connected() {
    let app = TestApp::on(day(2026, 11, 25)).asics(4).start().await;
    let clients =
        |s: Vec<server::telemetry::prometheus::Sample>| metric(&s, "rigshift_sse_clients", &[]);
    assert_eq!(clients(scrape(&app).await), 0.0);
    let mut resp = app
        .client
        .get(app.url("/api/v1/stream"))
        .send()
        .await
        .unwrap();
    let _ = timeout(Duration::from_secs(5), resp.chunk()).await;
    assert_eq!(clients(scrape(&app).await), 1.0);
    drop(resp);
    let mut gone = false;
    // The server notices a closed stream at its next write (an event, or the 15 s keep-alive).
    for _ in 0..250 {
        if clients(scrape(&app).await) == 0.0 {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(gone, "a closed stream must stop counting");
}

/// A peer on `ip:port` answering every connection with `answer` (a recorded miner reply, or
/// garbage).
async fn listen_on(ip: &str, port: u16, answer: &'static str) -> u16 {
    let listener = TcpListener::bind((ip, port)).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 256];
                let _ = s.read(&mut buf).await;
                let _ = s.write_all(answer.as_bytes()).await;
            });
        }
    });
    port
}

const ANTMINER: &str = concat!(
    r#"{"summary":[{"STATUS":[{"STATUS":"S"}],"SUMMARY":[{"GHS 5s":"200123.4","Accepted":10}]}],"#,
    r#""stats":[{"STATUS":[{"STATUS":"S"}],"STATS":[{"BMMiner":"1.0.0","Type":"Antminer S21"},{"temp1":60}]}]}"#
);
/// Hashrate in MH/s, as some firmware report it.
const S19XP_IN_MHS: &str = concat!(
    r#"{"summary":[{"STATUS":[{"STATUS":"S"}],"SUMMARY":[{"MHS 5s":182000000.5,"Accepted":12,"Temperature":71.5}]}],"#,
    r#""stats":[{"STATUS":[{"STATUS":"S"}],"STATS":[{"Type":"Antminer S19 XP"}]}]}"#
);

#[tokio::test]
async fn a_range_scan_finds_exactly_the_miners_and_registers_them_on_request() {
    // Three loopback hosts of 127.0.0.0/29 on one port: two miners, one that answers garbage.
    let port = listen_on("127.0.0.2", 0, ANTMINER).await;
    listen_on("127.0.0.5", port, S19XP_IN_MHS).await;
    listen_on(
        "127.0.0.3",
        port,
        "HTTP/1.1 400 Bad Request\r\n\r\nnot a miner",
    )
    .await;
    let app = TestApp::on(day(2026, 11, 25))
        .simulator(false)
        .start()
        .await;
    let scan =
        |add: bool| json!({ "cidr": "127.0.0.0/29", "port": port, "site": "muskogee", "add": add });
    let (s, body) = app.post_json("/api/v1/devices/scan", &scan(false)).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["scanned"], 6);
    let found: Vec<(&str, &str)> = body["found"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["address"].as_str().unwrap(), f["model"].as_str().unwrap()))
        .collect();
    let a = format!("127.0.0.2:{port}");
    let b = format!("127.0.0.5:{port}");
    assert_eq!(found, [(a.as_str(), "S21"), (b.as_str(), "S19XP")]);
    assert_eq!(body["found"][0]["firmware"], "BMMiner 1.0.0");
    assert_eq!(body["found"][0]["already_registered"], false);
    assert_eq!(body["unidentified"], json!([format!("127.0.0.3:{port}")]));
    assert!(body["seconds"].as_f64().unwrap() < 10.0);

    // With `add` the new ones are registered (and audited); a second scan knows them.
    let (s, body) = app.post_json("/api/v1/devices/scan", &scan(true)).await;
    assert_eq!(s, 200, "{body}");
    assert!(body["found"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["added"] == true));
    let fleet = fleet_until(&app, |f| {
        f["devices"]
            .as_array()
            .is_some_and(|d| d.iter().filter(|d| d["status"] == "online").count() == 2)
    })
    .await;
    assert_eq!(sorted_models(&fleet), ["S19XP", "S21"]);
    let (_, audit) = app.get_json("/api/v1/audit").await;
    let adds = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "device.add")
        .count();
    assert_eq!(adds, 2);
    let (_, again) = app.post_json("/api/v1/devices/scan", &scan(true)).await;
    assert!(again["found"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["already_registered"] == true && f["added"] == false));

    // Too large a range, or adding without a site, is refused with the reason.
    let (s, body) = app
        .post_json("/api/v1/devices/scan", &json!({ "cidr": "10.0.0.0/8" }))
        .await;
    assert_eq!(s, 422);
    assert!(body["error"].as_str().unwrap().contains("/16"), "{body}");
    let (s, _) = app
        .post_json(
            "/api/v1/devices/scan",
            &json!({ "cidr": "127.0.0.0/29", "add": true }),
        )
        .await;
    assert_eq!(s, 422);
}

/// Every `rigshift_*` series name in `text` (PromQL or YAML).
fn series_names(text: &str) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find("rigshift_") {
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        out.insert(tail[..end].to_string());
        rest = &tail[end..];
    }
    out
}

#[tokio::test]
async fn the_shipped_grafana_dashboard_and_alert_rules_use_only_series_metrics_exports() {
    let app = TestApp::on(day(2026, 11, 25)).asics(10).start().await;
    fleet_until(&app, |f| f["summary"]["at"].is_string()).await;
    app.get_json("/api/v1/sites").await;
    let text = app.metrics_text().await;
    // Families as declared (a family may have no sample at a given moment: still exported).
    let mut exported = std::collections::BTreeSet::new();
    for line in text.lines().filter_map(|l| l.strip_prefix("# TYPE ")) {
        let mut parts = line.split_whitespace();
        let (name, kind) = (parts.next().unwrap(), parts.next().unwrap());
        exported.insert(name.to_string());
        if kind == "histogram" {
            for suffix in ["_bucket", "_sum", "_count"] {
                exported.insert(format!("{name}{suffix}"));
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dashboard: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("deploy/grafana/rigshift.json")).unwrap(),
    )
    .expect("the Grafana dashboard is valid JSON");
    assert!(dashboard["uid"].is_string() && dashboard["title"].is_string());
    let panels: Vec<&Value> = dashboard["panels"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["type"] != "row")
        .collect();
    assert!(panels.len() >= 10, "{} panels", panels.len());
    let mut used = std::collections::BTreeSet::new();
    for p in &panels {
        let targets = p["targets"].as_array().unwrap();
        assert!(!targets.is_empty(), "panel {} has no query", p["title"]);
        assert!(
            p["datasource"]["uid"].is_string(),
            "panel {} has no datasource",
            p["title"]
        );
        let g = &p["gridPos"];
        assert!(g["x"].as_u64().unwrap() + g["w"].as_u64().unwrap() <= 24);
        for t in targets {
            let expr = t["expr"].as_str().unwrap();
            let names = series_names(expr);
            assert!(!names.is_empty(), "panel {}: {expr}", p["title"]);
            used.extend(names);
        }
    }
    let rules = std::fs::read_to_string(root.join("deploy/prometheus/rules.yml")).unwrap();
    let from_rules = series_names(&rules);
    assert!(from_rules.len() >= 7, "{from_rules:?}");
    used.extend(from_rules);
    let missing: Vec<&String> = used.iter().filter(|n| !exported.contains(*n)).collect();
    assert!(
        missing.is_empty(),
        "not exported by /metrics: {missing:?}\nexported: {exported:?}"
    );

    // The roadmap series agree with the timeline page's statuses.
    let (_, timeline) = app.get_json("/api/v1/timeline").await;
    let samples = server::telemetry::prometheus::parse(&text).unwrap();
    let mut checked = 0;
    for m in timeline["milestones"].as_array().unwrap() {
        let id = m["id"].as_str().unwrap();
        let slipped = metric(&samples, "rigshift_milestone_slipped", &[("milestone", id)]);
        let days = metric(
            &samples,
            "rigshift_milestone_slip_days",
            &[("milestone", id)],
        );
        match m["status"].as_str().unwrap() {
            "done" => continue,
            "slipped" => assert_eq!(slipped, 1.0, "{id}"),
            _ => assert_eq!(slipped, 0.0, "{id}"),
        }
        assert_eq!(days, m["slip_days"].as_f64().unwrap(), "{id}");
        checked += 1;
    }
    assert!(checked >= 3, "{checked} open milestones checked");
}

/// A Slack-style webhook receiver: records every JSON body; answers 500 to the first
/// `fail_first` posts.
async fn webhook_receiver(
    fail_first: usize,
) -> (
    std::net::SocketAddr,
    std::sync::Arc<std::sync::Mutex<Vec<Value>>>,
) {
    use axum::routing::post;
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::<Value>::new()));
    let app = axum::Router::new().route(
        "/hooks/T000/SECRET",
        post({
            let got = got.clone();
            move |axum::Json(body): axum::Json<Value>| {
                let got = got.clone();
                async move {
                    let mut g = got.lock().unwrap();
                    g.push(body);
                    if g.len() <= fail_first {
                        axum::http::StatusCode::INTERNAL_SERVER_ERROR
                    } else {
                        axum::http::StatusCode::OK
                    }
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, got)
}

#[tokio::test]
async fn webhook_alerts_are_sent_once_retried_on_failure_resolved_and_audited() {
    let (hook, got) = webhook_receiver(1).await;
    let url = format!("http://{hook}/hooks/T000/SECRET");
    let app = TestApp::on(day(2026, 11, 25))
        .simulator(false)
        .args(move |a| {
            a.webhook_url = Some(url);
            a.alert_interval_secs = 1;
        })
        .start()
        .await;
    // Make one milestone slip: planned to end before "today", not finished.
    let (_, t) = app.get_json("/api/v1/timeline").await;
    let m = t["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["status"] != "done" && m["status"] != "slipped")
        .expect("an on-time milestone")
        .clone();
    let id = m["id"].as_str().unwrap().to_string();
    let patch = |end: Option<&str>, version: i64| {
        let body = serde_json::json!({
            "planned_start": "2026-10-01", "planned_end": "2026-11-01",
            "actual_start": "2026-10-01", "actual_end": end,
            "mw": m["mw"], "title": m["title"], "version": version,
        });
        app.request_as(
            Some(app::api::auth::Role::Operator),
            reqwest::Method::PATCH,
            &format!("/api/v1/milestones/{id}"),
        )
        .json(&body)
        .send()
    };
    let r = patch(None, m["version"].as_i64().unwrap()).await.unwrap();
    assert_eq!(r.status(), 200);
    let version = r.json::<Value>().await.unwrap()["version"]
        .as_i64()
        .unwrap();
    let title = m["title"].as_str().unwrap().to_string();
    let mentions = |v: &Value, what: &str| {
        v["text"]
            .as_str()
            .unwrap()
            .lines()
            .any(|l| l.contains(&title) && l.contains(what))
    };
    let wait_for = |what: &'static str, pred: Box<dyn Fn(&[Value]) -> bool + Send>| {
        let got = got.clone();
        async move {
            let deadline = std::time::Instant::now() + Duration::from_secs(20);
            loop {
                if pred(&got.lock().unwrap()) {
                    return;
                }
                assert!(
                    std::time::Instant::now() < deadline,
                    "{what}: {:?}",
                    got.lock().unwrap()
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    // The first delivery fails (500); its alerts are sent again with the next evaluation.
    wait_for("no retry", Box::new(|g: &[Value]| g.len() >= 2)).await;
    {
        let g = got.lock().unwrap();
        let first: Vec<&str> = g[0]["text"].as_str().unwrap().lines().skip(1).collect();
        let second = g[1]["text"].as_str().unwrap();
        assert!(
            !first.is_empty() && first.iter().all(|l| second.contains(l)),
            "{g:?}"
        );
    }
    let t2 = title.clone();
    wait_for(
        "the slip was not sent",
        Box::new(move |g: &[Value]| {
            g.iter().skip(1).any(|v| {
                v["text"]
                    .as_str()
                    .unwrap()
                    .lines()
                    .any(|l| l.contains(&t2) && l.contains("slipped, 24 days late"))
            })
        }),
    )
    .await;
    // Deduplicated: the slips hold, but the next message is the resolution, not a repeat.
    let n = got.lock().unwrap().len();
    // Finished: one "resolved" message.
    let r = patch(Some("2026-11-20"), version).await.unwrap();
    assert_eq!(r.status(), 200);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while got.lock().unwrap().len() <= n {
        assert!(std::time::Instant::now() < deadline, "no resolved message");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    {
        let g = got.lock().unwrap();
        assert_eq!(n, 2, "a held slip was sent again: {g:?}");
        assert!(mentions(&g[2], "resolved"), "{:?}", g[2]);
        let lines: Vec<&str> = g[2]["text"].as_str().unwrap().lines().skip(1).collect();
        assert!(
            !lines.is_empty() && lines.iter().all(|l| l.contains("resolved")),
            "{:?}",
            g[2]
        );
    }
    let (_, audit) = app.get_json("/api/v1/audit").await;
    let entries: Vec<String> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["actor"] == "alerts")
        .map(|e| {
            format!(
                "{} {} {}",
                e["action"].as_str().unwrap(),
                e["target"].as_str().unwrap(),
                e["detail"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        entries
            .iter()
            .any(|e| e.starts_with(&format!("webhook.failed {hook} HTTP 500"))),
        "{entries:?}"
    );
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.starts_with("webhook.delivered"))
            .count(),
        2,
        "{entries:?}"
    );
    assert!(
        !audit.to_string().contains("SECRET"),
        "the webhook's secret path must not be logged"
    );
}

/// The simulator's four faulty GPU nodes each show their one reason through the API (and its
/// filter), in `/metrics`, and on the device's own record with its DCGM health.
#[tokio::test]
async fn each_faulty_gpu_node_shows_its_reason_in_the_api_and_metrics() {
    let app = TestApp::on(day(2026, 11, 25))
        .asics(0)
        .args(|a| a.simulated_gpu_nodes = 5)
        .start()
        .await;
    let fleet = fleet_until(&app, |f| {
        f["devices"]
            .as_array()
            .is_some_and(|d| d.iter().filter(|d| d["kind"] == "gpu").count() == 40)
    })
    .await;
    let reason = |id: &str| device(&fleet, id)["reason"]["code"].clone();
    assert_eq!(reason("sim-gpu-node-000/gpu6"), "thermal_throttle");
    assert_eq!(reason("sim-gpu-node-001/gpu3"), "fatal_xid");
    assert_eq!(device(&fleet, "sim-gpu-node-001/gpu3")["reason"]["xid"], 79);
    assert_eq!(reason("sim-gpu-node-002/gpu5"), "row_remap_pending");
    assert_eq!(reason("sim-gpu-node-003/gpu1"), "power_cap");
    let with_reason: Vec<&str> = fleet["devices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| !d["reason"].is_null())
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        with_reason.len(),
        4,
        "the rest are healthy: {with_reason:?}"
    );
    let gpu3 = device(&fleet, "sim-gpu-node-001/gpu3");
    assert_eq!(gpu3["gpu_health"]["xid"], 79);
    assert!(gpu3["gpu_health"]["energy_kwh"].as_f64().unwrap() > 0.0);

    // The filter: only the fatal Xid; an unknown reason is refused (422, the API's invalid input) by name.
    let (_, only) = app.get_json("/api/v1/fleet?reason=fatal_xid").await;
    let ids: Vec<&str> = only["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["sim-gpu-node-001/gpu3"]);
    let (status, bad) = app.get_json("/api/v1/fleet?reason=haunted").await;
    assert_eq!(status, 422);
    assert!(bad.to_string().contains("haunted"), "{bad}");

    let metrics = app.metrics_text().await;
    for (code, n) in [
        ("fatal_xid", 1),
        ("row_remap_pending", 1),
        ("power_cap", 1),
        ("thermal_throttle", 1),
        ("offline", 0),
    ] {
        let line = format!("rigshift_devices_by_reason{{kind=\"gpu\",reason=\"{code}\"}} {n}");
        assert!(metrics.contains(&line), "{line} missing");
    }
    assert!(metrics.contains("rigshift_device_reason{device=\"sim-gpu-node-001/gpu3\""));
    assert!(metrics.contains("rigshift_gpu_row_remap_pending{device=\"sim-gpu-node-002/gpu5\""));
    assert!(metrics.contains("rigshift_site_gpu_energy_kwh_total{site="));
}

/// How a hostile device behaves on every connection it accepts.
#[derive(Clone, Copy)]
enum Hostile {
    Hang,
    Trickle,
    Garbage,
    Flood,
}

/// A peer that reads each request, then misbehaves as `how` says, for every connection (the
/// newer APIs open several per poll).
async fn hostile(how: Hostile) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                let _ = s.read(&mut buf).await;
                match how {
                    Hostile::Hang => tokio::time::sleep(Duration::from_secs(30)).await,
                    Hostile::Trickle => {
                        for _ in 0..300 {
                            if s.write_all(b"H").await.is_err() {
                                break;
                            }
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    }
                    Hostile::Garbage => {
                        let _ = s
                            .write_all(b"\xff\xfe\x00\x00\x00garbage, not an answer")
                            .await;
                    }
                    Hostile::Flood => {
                        let chunk = vec![b'{'; 64 * 1024];
                        for _ in 0..64 {
                            if s.write_all(&chunk).await.is_err() {
                                break;
                            }
                        }
                    }
                }
            });
        }
    });
    addr
}

#[tokio::test]
async fn every_protocol_gives_up_on_a_hostile_device_with_a_clear_error() {
    use app::model::fleet::devices::DeviceKind;
    use app::model::fleet::protocol::Protocol;
    use server::telemetry::poll::{poll_endpoint, Outcome};
    for protocol in [
        Protocol::WhatsminerV3,
        Protocol::BraiinsRest,
        Protocol::Axeos,
        Protocol::Fluxos,
    ] {
        for (how, expect) in [
            (Hostile::Hang, "read_timeout"),
            (Hostile::Trickle, "read_timeout"),
            (Hostile::Garbage, "malformed"),
            (Hostile::Flood, "too_large"),
        ] {
            let addr = hostile(how).await;
            let address = match protocol.address_form() {
                app::model::fleet::protocol::AddressForm::BaseUrl => format!("http://{addr}"),
                _ => addr,
            };
            let spec = server::store::DeviceSpec {
                id: "hostile".into(),
                kind: DeviceKind::Asic,
                model: "unknown".into(),
                site: "x".into(),
                address,
                protocol,
                credentials_env: None,
            };
            let started = std::time::Instant::now();
            let got = timeout(Duration::from_secs(5), poll_endpoint(&spec, None, TIGHT))
                .await
                .expect("the client must give up by itself");
            let err = match got {
                Err(e) => e,
                Ok(Outcome::Asic(r, _)) => panic!("{protocol:?} {expect}: read {r:?}"),
                Ok(Outcome::Gpus(_)) => panic!("{protocol:?}: GPUs"),
            };
            assert_eq!(err.kind(), expect, "{protocol:?}: {err}");
            // Never longer than one exchange's connect and read limits.
            assert!(
                started.elapsed() < Duration::from_secs(2),
                "{protocol:?} {expect}"
            );
        }
    }
}

#[tokio::test]
async fn every_protocol_of_the_simulated_fleet_reads_its_figures_and_its_reason() {
    // 70 machines: device 11 speaks Whatsminer API v3, 27 Braiins OS REST, 35 FluxOS, 39 AxeOS;
    // 51 is a Whatsminer v3 with a PSU fault, 65 a LuxOS miner stopped by NOPIC protection.
    let app = TestApp::on(day(2026, 11, 25)).asics(70).start().await;
    let fleet = fleet_until(&app, |f| {
        ["sim-asic-00011", "sim-asic-00027", "sim-asic-00035", "sim-asic-00039", "sim-asic-00051", "sim-asic-00065"]
            .iter()
            .all(|id| {
                f["devices"].as_array().is_some_and(|d| {
                    d.iter().any(|d| d["id"] == *id && !d["firmware"].is_null())
                })
            })
            // LuxOS reports its events from its own command on, the second poll.
            && f["devices"].as_array().is_some_and(|d| {
                d.iter().any(|d| d["id"] == "sim-asic-00065" && d["reason"]["code"] == "protection_stop")
            })
    })
    .await;
    let d = |id| device(&fleet, id);
    for (id, model, firmware, power_source) in [
        (
            "sim-asic-00011",
            "M60S",
            "Whatsminer 20251209.16.Rel2 (API 3.0.2)",
            "miner",
        ),
        (
            "sim-asic-00027",
            "S21Pro",
            "Braiins OS 2026-04-14-0-sim-26.04-plus",
            "miner",
        ),
        ("sim-asic-00035", "AT2880", "FluxOS 2025-06.18", "psu"),
        ("sim-asic-00039", "BitaxeGamma", "AxeOS v2.9.0-sim", "miner"),
    ] {
        let dev = d(id);
        let np = app::model::fleet::catalogue::asic(model).unwrap();
        assert_eq!(dev["model"], model, "{id}");
        assert_eq!(dev["firmware"], firmware, "{id}");
        assert_eq!(dev["status"], "online", "{id}: {dev}");
        let ths = dev["hashrate_ths"].as_f64().unwrap();
        assert!(
            (ths / np.hashrate_ths - 1.0).abs() < 0.03,
            "{id}: {ths} TH/s"
        );
        let w = dev["power_w"].as_f64().unwrap();
        assert!((w / np.power_w - 1.0).abs() < 0.06, "{id}: {w} W");
        assert_eq!(dev["power_source"], power_source, "{id}");
    }
    let psu = d("sim-asic-00051");
    assert_eq!(psu["reason"]["code"], "psu_fault", "{psu}");
    assert_eq!(psu["reason"]["report"]["code"], "264");
    assert_eq!(psu["reason"]["report"]["message"], "Power xfer error.");
    let nopic = d("sim-asic-00065");
    assert_eq!(nopic["reason"]["code"], "protection_stop", "{nopic}");
    assert_eq!(nopic["reason"]["report"]["code"], "NOPIC_PROTECTION");
    assert!(nopic["reason"]["report"]["doc_url"]
        .as_str()
        .unwrap()
        .starts_with("https://docs.luxor.tech/"));
}

#[tokio::test]
async fn a_whatsminer_error_time_is_read_in_its_sites_zone() {
    let app = TestApp::on(day(2026, 11, 25))
        .asics(60)
        .args(|a| a.curtailment_check_secs = 1)
        .start()
        .await;
    let psu_at = || async {
        let (_, f) = app.get_json("/api/v1/fleet").await;
        let dev = f["devices"]
            .as_array()?
            .iter()
            .find(|d| d["id"] == "sim-asic-00051")?
            .clone();
        dev["reason"]["report"]["at"]
            .as_str()
            .map(|s| (dev["site"].as_str().unwrap().to_string(), s.to_string()))
    };
    let (site, at) = support::wait_until("a PSU report", Duration::from_secs(20), psu_at).await;
    // No zone yet: the miner's local "2026-12-07 09:19:10" is read as UTC.
    assert_eq!(at, "2026-12-07T09:19:10Z");
    let (_, s) = app.get_json(&format!("/api/v1/sites/{site}")).await;
    let path = format!("/api/v1/sites/{site}");
    let patch = |body: Value| {
        let (app, path) = (&app, &path);
        async move {
            app.patch_json(app::api::auth::Role::Operator, path, &body)
                .await
        }
    };
    let version = s["version"].as_i64().unwrap();
    // A name the zone database does not know is refused, naming the field.
    let (status, body) = patch(json!({"version": version, "timezone": "America/Atlantis"})).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("timezone"),
        "{body}"
    );
    let (status, body) = patch(json!({"version": version, "timezone": "../etc/passwd"})).await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = patch(json!({"version": version, "timezone": "America/Chicago"})).await;
    assert_eq!(status, 200, "{body}");
    // December in Chicago is CST, UTC−6: the same local time is 15:19:10 UTC.
    support::wait_until(
        "the zone to reach the poller",
        Duration::from_secs(20),
        || async {
            psu_at()
                .await
                .filter(|(_, at)| at == "2026-12-07T15:19:10Z")
                .map(|_| ())
        },
    )
    .await;
}

#[tokio::test]
async fn a_scan_finds_and_registers_a_miner_of_each_newer_api() {
    use app::model::fleet::protocol::Protocol;
    let app = TestApp::on(day(2026, 11, 25))
        .simulator(false)
        .start()
        .await;
    let mut held = Vec::new();
    for (n, (protocol, model, firmware)) in [
        (Protocol::WhatsminerV3, "M60S", "Whatsminer"),
        (Protocol::BraiinsRest, "S21Pro", "Braiins OS"),
        (Protocol::Axeos, "BitaxeGamma", "AxeOS"),
        (Protocol::Fluxos, "AT2880", "FluxOS"),
    ]
    .into_iter()
    .enumerate()
    {
        let m = app::model::fleet::catalogue::asic(model).unwrap();
        let (spec, task) =
            server::simulator::start_one(n, m, protocol, server::simulator::Fault::None)
                .await
                .unwrap();
        held.push(task);
        let port: u16 = spec.address.rsplit(':').next().unwrap().parse().unwrap();
        // Not the CGMiner port: every API is asked on it, and the one that answers names it.
        let scan = json!({ "cidr": "127.0.0.1/32", "port": port, "site": "muskogee", "add": true });
        let (s, body) = app.post_json("/api/v1/devices/scan", &scan).await;
        assert_eq!(s, 200, "{body}");
        let found = &body["found"][0];
        assert_eq!(found["protocol"], protocol.as_str(), "{body}");
        assert_eq!(found["address"], spec.address.as_str(), "{body}");
        assert_eq!(found["model"], model, "{body}");
        assert!(
            found["firmware"].as_str().unwrap().starts_with(firmware),
            "{body}"
        );
        assert_eq!(found["added"], true);
    }
    // Registered over their own APIs, they are polled and online.
    let fleet = fleet_until(&app, |f| {
        f["devices"]
            .as_array()
            .is_some_and(|d| d.len() == 4 && d.iter().all(|d| d["status"] == "online"))
    })
    .await;
    assert_eq!(
        sorted_models(&fleet),
        ["AT2880", "BitaxeGamma", "M60S", "S21Pro"]
    );
    drop(held);
}

/// Real answers recorded from real miners by another project (`../shared/data/miners`, beside
/// the repository, never copied into it): each newer API's parser reads what that project's
/// own tests assert.
mod real_answers {
    use app::model::fleet::devices::PowerSource;
    use app::model::fleet::reason::FaultKind;

    fn read(path: &str) -> String {
        let full = format!(
            "{}/../../shared/data/miners/{path}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&full)
            .unwrap_or_else(|e| panic!("{full}: {e} (../shared must sit beside the repository)"))
    }

    #[test]
    fn a_whatsminer_m60s_on_api_v3() {
        let v3 = |f: &str| read(&format!("asic-rs/whatsminer/v3/{f}"));
        let r = server::telemetry::whatsminer_v3::extract(
            &v3("get_miner_status_summary.json"),
            Some(&v3("get_miner_status_edevs.json")),
            Some(&v3("get_miner_status_pools.json")),
            Some(&v3("get_device_info_with_errors.json")),
        )
        .unwrap();
        assert_eq!(r.hashrate_ths, 171.259);
        assert_eq!(r.nameplate_ths, Some(181.051));
        assert_eq!((r.power_w, r.power_limit_w), (Some(3156.0), Some(3600.0)));
        assert_eq!(r.power_source, Some(PowerSource::Miner));
        assert_eq!(r.uptime_s, 50_000);
        assert_eq!(r.fans_rpm, vec![5400.0, 5280.0]);
        assert_eq!(r.temps_c.iter().copied().fold(f64::MIN, f64::max), 82.0);
        assert!((r.power_w.unwrap() / r.hashrate_ths - 18.43).abs() < 0.005);
        assert_eq!(r.model.as_deref(), Some("Whatsminer M60S"));
        assert_eq!(
            r.firmware.as_deref(),
            Some("Whatsminer 20251209.16.Rel2 (API 3.0.2)")
        );
        assert_eq!(
            r.pool.as_deref(),
            Some("stratum+tcp://btc.example.pool:3333")
        );
        let codes: Vec<&str> = r.faults.iter().map(|f| f.report.code.as_str()).collect();
        assert_eq!(codes, ["264", "265", "266", "267", "270"]);
        assert!(r.faults.iter().all(|f| f.kind == FaultKind::Psu));
        // Local time without a zone, kept for the site's zone to place.
        assert_eq!(
            r.faults[0].local_time.unwrap().to_string(),
            "2026-05-23 09:19:10"
        );
    }

    #[test]
    fn an_antminer_on_braiins_os_rest() {
        let bos = |f: &str| read(&format!("asic-rs/braiins/v26_04/{f}"));
        let (stats, details, cooling, boards, errors, tuner, pools) = (
            bos("miner_stats.json"),
            bos("miner_details.json"),
            bos("cooling_state.json"),
            bos("miner_hw_hashboards.json"),
            bos("miner_errors.json"),
            bos("performance_tuner_state.json"),
            bos("pools.json"),
        );
        let r =
            server::telemetry::braiins_rest::extract(&server::telemetry::braiins_rest::Answers {
                stats: &stats,
                details: Some(&details),
                cooling: Some(&cooling),
                hashboards: Some(&boards),
                errors: Some(&errors),
                tuner: Some(&tuner),
                pools: Some(&pools),
            })
            .unwrap();
        assert_eq!((r.power_w, r.power_limit_w), (Some(3480.0), Some(3500.0)));
        assert!(
            (r.hashrate_ths - 248.19).abs() < 0.005,
            "{}",
            r.hashrate_ths
        );
        assert!((r.nameplate_ths.unwrap() - 252.60).abs() < 0.005);
        // Under a day up: its `last_24h` (19.71 TH/s) is not the day's average.
        assert!(r.uptime_s < 86_400);
        assert!(
            r.hashrate_avg_ths.unwrap() > 240.0,
            "{:?}",
            r.hashrate_avg_ths
        );
        assert_eq!((r.boards.len(), r.fans_rpm.len()), (3, 4));
        assert_eq!(r.model.as_deref(), Some("Antminer S21 Pro"));
        // A long log: the newest 32 reports are kept, each with its time; the PSU shutdown and
        // the NoPIC board are placed, with bosminer's own codes.
        assert_eq!(r.faults.len(), 32);
        assert!(r.faults.iter().all(|f| f.report.at.is_some()));
        let psu = r.faults.iter().find(|f| f.kind == FaultKind::Psu).unwrap();
        assert_eq!(psu.report.code, "V2");
        assert!(psu.report.message.contains("LOW VOLTAGE"));
        assert!(psu
            .report
            .message
            .contains("(Overcurrent protection triggered or short circuit)"));
        let board = r.faults.iter().find(|f| f.report.code == "H1").unwrap();
        assert_eq!(board.kind, FaultKind::Hashing);
        // Without `error_codes`, the code bosminer wrote into its message.
        assert!(r.faults.iter().any(|f| f.report.code == "HB:1"));
        assert!(r.faults.iter().any(|f| f.kind == FaultKind::Sensor));
    }

    #[test]
    fn a_bitaxe_on_axeos() {
        let r = server::telemetry::axeos::extract(&read("asic-rs/bitaxe/v2_0_0/system_info.json"))
            .unwrap();
        assert_eq!(r.hashrate_ths, 1.0);
        assert!((r.power_w.unwrap() - 2.65).abs() < 1e-6);
        assert_eq!(r.temps_c, vec![59.875, 78.0]);
        assert_eq!(r.fans_rpm, vec![3517.0]);
        assert_eq!(r.uptime_s, 4);
        assert_eq!(r.model.as_deref(), Some("Bitaxe Supra"));
    }

    /// The separate command answers joined as the poller reads a joined command.
    fn joined(dir: &str, files: &[&str]) -> String {
        let parts: Vec<String> = files
            .iter()
            .map(|f| read(&format!("{dir}/{f}.json")))
            .collect();
        format!("[{}]", parts.join(","))
    }

    #[test]
    fn an_auradine_on_fluxos_that_is_not_mining() {
        use server::telemetry::firmware::Family;
        let text = joined(
            "asic-rs/auradine/v1",
            &[
                "summary",
                "devs",
                "psu",
                "fan",
                "mode",
                "ipreport",
                "pools",
                "temperature",
            ],
        );
        let (r, family) =
            server::telemetry::cgminer::extract_as(&text, Some(Family::FluxOs)).unwrap();
        assert_eq!(family, Family::FluxOs);
        // The PSU's input, 58.94 W; its output is 0 W: not mining now, whatever `MHS av` says.
        assert_eq!(r.power_w, Some(58.94));
        assert_eq!(r.power_source, Some(PowerSource::Psu));
        assert_eq!(r.hashrate_ths, 0.0);
        assert_eq!(r.faults[0].report.code, "PSU_OUTPUT_0W");
        assert_eq!(
            (r.power_limit_w, r.nameplate_ths),
            (Some(2000.0), Some(160.0))
        );
        assert_eq!(r.uptime_s, 56_696);
        assert_eq!(r.boards.len(), 3);
        assert_eq!(r.fans_rpm.len(), 4);
        assert_eq!(r.firmware.as_deref(), Some("FluxOS 2023-12.27"));
        assert_eq!(r.model.as_deref(), Some("Auradine AT1500"));
    }

    #[test]
    fn a_luxos_s19k_pro_says_why_it_stopped_and_has_three_boards() {
        use server::telemetry::firmware::Family;
        let text = joined(
            "asic-rs/luxminer/v1",
            &["version", "summary", "stats", "power", "events"],
        );
        let (r, family) = server::telemetry::cgminer::extract_as(&text, None).unwrap();
        assert_eq!(family, Family::LuxOs);
        assert_eq!(r.power_w, Some(1051.0));
        assert!((r.hashrate_ths - 59.75606).abs() < 1e-9);
        // `chain_acn4: 0` is an empty slot of a three-chain machine (`miner_count: 3`).
        assert_eq!(r.boards.len(), 3);
        assert!(r.boards.iter().all(|b| b.chips == Some(77)));
        let events: Vec<(&str, FaultKind)> = r
            .faults
            .iter()
            .map(|f| (f.report.code.as_str(), f.kind))
            .collect();
        assert_eq!(
            events,
            [
                ("NOPIC_PROTECTION", FaultKind::Protection),
                ("REBOOT_NOT_HASHING", FaultKind::Hashing)
            ]
        );
        assert!(r.faults[0]
            .report
            .doc_url
            .as_deref()
            .unwrap()
            .contains("nopic-protection"));
    }
}
