//! The real `rigshift` binary as an operator runs it: killed with SIGKILL mid-write (every
//! acknowledged write must survive), stopped with SIGTERM (graceful, within 10 s), and backed
//! up while it runs then restored (identical API answers).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_rigshift");
const TODAY: &str = "2026-11-25";

/// A free loopback port (bound, read, released).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn db_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("rigshift.db").display())
}

/// `rigshift token create` on the database file: the token it prints.
fn token(dir: &Path, role: &str) -> String {
    let out = Command::new(BIN)
        .args(["token", "create", "--role", role, "--name", role])
        .args(["--database-url", &db_url(dir)])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    async fn start(dir: &Path, simulator: bool) -> Server {
        let db = db_url(dir);
        let sim = if simulator { "true" } else { "false" };
        Server::spawn(&[
            "--metrics-addr",
            "off",
            "--database-url",
            &db,
            "--simulator",
            sim,
            "--simulated-asics",
            "20",
            "--simulated-gpu-nodes",
            "1",
        ])
        .await
    }

    /// `rigshift` on a free port with `args` (plus a fixed day, 1-s polls, no API rate limit),
    /// once its health check answers.
    async fn spawn(args: &[&str]) -> Server {
        let port = free_port();
        let child = Command::new(BIN)
            .args(["--addr", &format!("127.0.0.1:{port}"), "--today", TODAY])
            .args(["--poll-interval-secs", "1", "--api-rate", "0"])
            .args(args)
            .env("RIGSHIFT_ADMIN_PASSWORD", "admin-password-for-tests")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::new();
        for _ in 0..400 {
            if let Ok(r) = client.get(server.url("/api/v1/health")).send().await {
                if r.status().is_success() {
                    return server;
                }
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("rigshift did not become healthy");
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    fn signal(&self, name: &str) {
        let ok = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{name}");
    }

    /// Waits for the process to end; its exit status and how long that took.
    fn wait(mut self, limit: Duration) -> (std::process::ExitStatus, Duration, String) {
        let t = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let mut err = String::new();
                use std::io::Read;
                self.child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut err)
                    .ok();
                return (status, t.elapsed(), err);
            }
            if t.elapsed() > limit {
                self.child.kill().ok();
                panic!("rigshift still running after {limit:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// A test that fails midway leaves no server running.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A tiny deterministic generator for kill moments (seed printed, so a failure replays).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_write_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    // Creates and migrates the database, and gives us an operator token.
    let token = token(dir.path(), "operator");
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    eprintln!("crash test seed {seed}");
    let mut rng = Lcg(seed);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let milestone = "musk-retrofit-c";
    // What the server acknowledged: annotation texts, and the milestone's last version+title.
    let mut acked_notes: Vec<String> = Vec::new();
    let mut acked_milestone: Option<(i64, String)> = None;
    let kills = 24;
    let mut attempted = 0usize;
    for round in 0..kills {
        let server = Server::start(dir.path(), false).await;
        let deadline = Instant::now() + Duration::from_millis(40 + rng.next(400));
        let notes = {
            let (client, base, token) = (client.clone(), server.base.clone(), token.clone());
            tokio::spawn(async move {
                let mut acked = Vec::new();
                let mut n = 0;
                loop {
                    let text = format!("round {round} note {n}");
                    n += 1;
                    let r = client
                        .post(format!("{base}/api/v1/annotations"))
                        .bearer_auth(&token)
                        .json(&json!({ "target": "pecos-ridge", "text": text }))
                        .send()
                        .await;
                    match r {
                        Ok(r) if r.status() == 201 => acked.push(text),
                        Ok(r) => panic!("annotation refused: {}", r.status()),
                        Err(_) => return (acked, n), // the server died under us
                    }
                }
            })
        };
        let edits = {
            let (client, base, token) = (client.clone(), server.base.clone(), token.clone());
            tokio::spawn(async move {
                let mut last = None;
                let mut n = 0;
                loop {
                    let Ok(r) = client
                        .get(format!("{base}/api/v1/timeline"))
                        .bearer_auth(&token)
                        .send()
                        .await
                    else {
                        return (last, n);
                    };
                    let Ok(t) = r.json::<Value>().await else {
                        return (last, n);
                    };
                    let m = t["milestones"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|m| m["id"] == milestone)
                        .unwrap()
                        .clone();
                    let title = format!("Building C retrofit (round {round}, edit {n})");
                    n += 1;
                    let r = client
                        .patch(format!("{base}/api/v1/milestones/{milestone}"))
                        .bearer_auth(&token)
                        .json(&json!({
                            "planned_start": m["planned_start"], "planned_end": m["planned_end"],
                            "actual_start": m["actual_start"], "actual_end": m["actual_end"],
                            "mw": m["mw"], "title": title, "version": m["version"],
                        }))
                        .send()
                        .await;
                    match r {
                        Ok(r) if r.status() == 200 => {
                            let body: Value = r.json().await.unwrap_or(Value::Null);
                            if let Some(v) = body["version"].as_i64() {
                                last = Some((v, title));
                            }
                        }
                        Ok(r) => panic!(
                            "milestone edit refused: {} {}",
                            r.status(),
                            r.text().await.unwrap_or_default()
                        ),
                        Err(_) => return (last, n),
                    }
                }
            })
        };
        tokio::time::sleep_until(deadline.into()).await;
        server.signal("KILL");
        let (status, _, _) = server.wait(Duration::from_secs(5));
        assert!(!status.success(), "SIGKILL must end the process");
        let (notes, tried) = notes.await.unwrap();
        attempted += tried;
        acked_notes.extend(notes);
        let (edit, tried) = edits.await.unwrap();
        attempted += tried;
        if edit.is_some() {
            acked_milestone = edit;
        }
    }

    // Everything acknowledged is there, and the file is sound.
    let db = sqlx::SqlitePool::connect(&db_url(dir.path()))
        .await
        .unwrap();
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    let stored: std::collections::HashSet<String> =
        sqlx::query_scalar("SELECT text FROM annotations")
            .fetch_all(&db)
            .await
            .unwrap()
            .into_iter()
            .collect();
    let lost: Vec<&String> = acked_notes
        .iter()
        .filter(|t| !stored.contains(*t))
        .collect();
    assert!(lost.is_empty(), "acknowledged annotations lost: {lost:?}");
    let (version, title) = acked_milestone.expect("at least one milestone edit acknowledged");
    let (v, t): (i64, String) =
        sqlx::query_as("SELECT version, title FROM milestones WHERE id = ?")
            .bind(milestone)
            .fetch_one(&db)
            .await
            .unwrap();
    assert!(v >= version, "milestone version went back: {v} < {version}");
    if v == version {
        assert_eq!(t, title);
    }
    assert!(
        acked_notes.len() >= kills,
        "too few writes to mean anything: {}",
        acked_notes.len()
    );
    eprintln!(
        "crash test: {kills} SIGKILLs, {} writes attempted, {} annotations and {version} milestone versions acknowledged and found",
        attempted,
        acked_notes.len()
    );
}

#[tokio::test]
async fn sigterm_ends_streams_finishes_and_exits_within_ten_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let token = token(dir.path(), "viewer");
    let server = Server::start(dir.path(), true).await;
    let client = reqwest::Client::new();
    let mut stream = client
        .get(server.url("/api/v1/stream"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let first = stream.chunk().await.unwrap().expect("a first event");
    assert!(!first.is_empty());
    let sent = Instant::now();
    server.signal("TERM");
    // The stream ends (the body completes) instead of holding the shutdown open.
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        while let Ok(Some(_)) = stream.chunk().await {}
    })
    .await;
    assert!(ended.is_ok(), "the live stream was not closed on SIGTERM");
    let (status, _, log) = server.wait(Duration::from_secs(10));
    let took = sent.elapsed();
    assert!(status.success(), "exit status {status}: {log}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert!(!log.contains("exiting anyway"), "{log}");
}

fn rigshift(args: &[&str]) -> (bool, String) {
    let out = Command::new(BIN).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// The answers that must survive a backup, a restore or a copy: the standard routes and `extra`.
async fn answers(server: &Server, token: &str, extra: &[&str]) -> Vec<Value> {
    let client = reqwest::Client::new();
    let mut out = Vec::new();
    let standard = [
        "/api/v1/sites",
        "/api/v1/timeline",
        "/api/v1/users",
        "/api/v1/tokens",
        "/api/v1/embeds",
        "/api/v1/revenue?from=2026-01-01&to=2026-12-31",
    ];
    for path in standard.iter().chain(extra) {
        let r = client
            .get(server.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let mut v: Value = r.json().await.unwrap();
        // When a token was last used moves with every call; everything else must not.
        if let Some(tokens) = v["tokens"].as_array_mut() {
            for t in tokens {
                t["last_used_at"] = Value::Null;
            }
        }
        out.push(v);
    }
    out
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_to_identical_answers() {
    let dir = tempfile::tempdir().unwrap();
    let token = token(dir.path(), "admin");
    let url = db_url(dir.path());
    let server = Server::start(dir.path(), false).await;
    let client = reqwest::Client::new();
    let post = |path: &'static str, body: Value| {
        client
            .post(server.url(path))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    assert_eq!(
        post(
            "/api/v1/annotations",
            json!({ "target": "pecos-ridge", "text": "before the backup" })
        )
        .await
        .unwrap()
        .status(),
        201
    );
    assert_eq!(
        post("/api/v1/embeds", json!({ "name": "IR site", "view": "revenue_mix", "origins": ["https://ir.example.com"] }))
            .await
            .unwrap()
            .status(),
        201
    );
    let before = answers(&server, &token, &[]).await;
    let backup = dir.path().join("backup.db");
    let (ok, err) = rigshift(&["backup", backup.to_str().unwrap(), "--database-url", &url]);
    assert!(ok, "{err}");
    assert!(err.contains("annotations"), "{err}");
    // A second backup to the same name is refused rather than overwriting it.
    let (ok, err) = rigshift(&["backup", backup.to_str().unwrap(), "--database-url", &url]);
    assert!(!ok && err.contains("exists"), "{err}");
    // Restoring over a running server is refused, even with --force.
    let (ok, err) = rigshift(&[
        "restore",
        backup.to_str().unwrap(),
        "--force",
        "--database-url",
        &url,
    ]);
    assert!(!ok && err.contains("running"), "{err}");
    // A write after the backup is not in it.
    assert_eq!(
        post(
            "/api/v1/annotations",
            json!({ "target": "pecos-ridge", "text": "after the backup" })
        )
        .await
        .unwrap()
        .status(),
        201
    );
    server.signal("TERM");
    server.wait(Duration::from_secs(10));

    // Not a database: refused, nothing touched.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not sqlite at all").unwrap();
    let (ok, err) = rigshift(&[
        "restore",
        junk.to_str().unwrap(),
        "--force",
        "--database-url",
        &url,
    ]);
    assert!(!ok, "{err}");
    let (ok, err) = rigshift(&["restore", backup.to_str().unwrap(), "--database-url", &url]);
    assert!(!ok && err.contains("--force"), "{err}");
    let (ok, err) = rigshift(&[
        "restore",
        backup.to_str().unwrap(),
        "--force",
        "--database-url",
        &url,
    ]);
    assert!(ok, "{err}");

    let server = Server::start(dir.path(), false).await;
    let after = answers(&server, &token, &[]).await;
    assert_eq!(before, after);
    assert!(!after[1].to_string().contains("after the backup"));
    server.signal("TERM");
    server.wait(Duration::from_secs(10));
    // Into a fresh location too (a new machine).
    let fresh = tempfile::tempdir().unwrap();
    let (ok, err) = rigshift(&[
        "restore",
        backup.to_str().unwrap(),
        "--database-url",
        &db_url(fresh.path()),
    ]);
    assert!(ok, "{err}");
    let server = Server::start(fresh.path(), false).await;
    assert_eq!(answers(&server, &token, &[]).await, before);
    server.signal("TERM");
    server.wait(Duration::from_secs(10));
}

/// The devices a replica's `/metrics` reports polling (`rigshift_device_up` series).
async fn polled_by(client: &reqwest::Client, metrics: &str) -> std::collections::BTreeSet<String> {
    let Ok(r) = client.get(metrics).send().await else {
        return Default::default();
    };
    let body = r.text().await.unwrap_or_default();
    body.lines()
        .filter(|l| l.starts_with("rigshift_device_up{"))
        .filter_map(|l| {
            l.split("device=\"")
                .nth(1)?
                .split('"')
                .next()
                .map(String::from)
        })
        .collect()
}

/// The `devices` count of the first live-stream event.
async fn streamed_devices(client: &reqwest::Client, base: &str, token: &str) -> u64 {
    let mut stream = client
        .get(format!("{base}/api/v1/stream"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let mut text = String::new();
    while let Ok(Some(chunk)) = stream.chunk().await {
        text.push_str(&String::from_utf8_lossy(&chunk));
        if let Some(data) = text.lines().find_map(|l| l.strip_prefix("data:")) {
            let v: Value = serde_json::from_str(data.trim()).unwrap();
            return v["devices"].as_u64().unwrap();
        }
    }
    panic!("no stream event: {text}");
}

#[tokio::test]
async fn two_replicas_on_postgresql_share_the_fleet_and_take_over_from_a_dead_one() {
    let Some(db) = server::testing::postgres_database().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // The simulated fleet runs as its own process, as it would beside real replicas.
    let fleet = dir.path().join("fleet.toml");
    let simulator = Command::new(BIN)
        .args([
            "simulate",
            "--asics",
            "40",
            "--gpu-nodes",
            "1",
            "--listen",
            "127.0.0.1",
        ])
        .arg("--fleet-out")
        .arg(&fleet)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _simulator = Server {
        child: simulator,
        base: String::new(),
    };
    for _ in 0..400 {
        if fleet.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let fleet_arg = fleet.display().to_string();
    let (ma, mb) = (free_port(), free_port());
    let replica = |name: &'static str, metrics_port: u16| {
        let (db, fleet) = (db.clone(), fleet_arg.clone());
        async move {
            let metrics = format!("127.0.0.1:{metrics_port}");
            Server::spawn(&[
                "--database-url",
                &db,
                "--simulator",
                "false",
                "--fleet",
                &fleet,
                "--metrics-addr",
                &metrics,
                "--replica-name",
                name,
                "--replica-round-secs",
                "1",
            ])
            .await
        }
    };
    let a = replica("replica-a", ma).await;
    let b = replica("replica-b", mb).await;
    let token = {
        let out = Command::new(BIN)
            .args([
                "token",
                "create",
                "--role",
                "operator",
                "--name",
                "ops",
                "--database-url",
                &db,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    let client = reqwest::Client::new();
    let (metrics_a, metrics_b) = (
        format!("http://127.0.0.1:{ma}/metrics"),
        format!("http://127.0.0.1:{mb}/metrics"),
    );
    let all_devices = 40 + 8;

    // Both replicas poll, every device exactly once between them.
    let t = Instant::now();
    let (pa, pb) = loop {
        let (pa, pb) = (
            polled_by(&client, &metrics_a).await,
            polled_by(&client, &metrics_b).await,
        );
        if !pa.is_empty() && !pb.is_empty() && pa.len() + pb.len() == all_devices {
            break (pa, pb);
        }
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "not shared: A {} B {}",
            pa.len(),
            pb.len()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert!(
        pa.is_disjoint(&pb),
        "polled twice: {:?}",
        pa.intersection(&pb).collect::<Vec<_>>()
    );
    assert_eq!(pa.union(&pb).count(), all_devices);

    // A device registered through A is polled by whichever replica holds its shard.
    let added = client
        .post(a.url("/api/v1/devices"))
        .bearer_auth(&token)
        .json(&json!({ "kind": "asic", "address": "127.0.0.1:9", "site": "pecos-ridge", "model": "S21" }))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 201);
    let all_devices = all_devices + 1;
    let t = Instant::now();
    loop {
        let (pa, pb) = (
            polled_by(&client, &metrics_a).await,
            polled_by(&client, &metrics_b).await,
        );
        if pa.len() + pb.len() == all_devices && pa.is_disjoint(&pb) {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "the new device is not polled: A {} B {}",
            pa.len(),
            pb.len()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // What one replica writes, the other reads.
    let created = client
        .post(a.url("/api/v1/annotations"))
        .bearer_auth(&token)
        .json(&json!({ "target": "pecos-ridge", "text": "written through replica A" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let listed: Value = client
        .get(b.url("/api/v1/timeline"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        listed.to_string().contains("written through replica A"),
        "{listed}"
    );

    // A dies without a word; B polls everything within 30 seconds and streams the whole fleet.
    a.signal("KILL");
    let killed = Instant::now();
    loop {
        let pb = polled_by(&client, &metrics_b).await;
        if pb.len() == all_devices {
            break;
        }
        assert!(
            killed.elapsed() < Duration::from_secs(30),
            "B polls {} of {all_devices} after 30 s",
            pb.len()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let took = killed.elapsed();
    // And keeps them: no handing shards back and forth while A's last heartbeat is fresh.
    for _ in 0..8 {
        let body = client
            .get(&metrics_b)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let shards = body
            .lines()
            .find_map(|l| l.strip_prefix("rigshift_replica_shards{replica=\"replica-b\"} "))
            .unwrap_or("?")
            .to_string();
        assert_eq!(shards, "64", "B's shards after A died");
        assert_eq!(polled_by(&client, &metrics_b).await.len(), all_devices);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(
        streamed_devices(&client, &b.base, &token).await,
        all_devices as u64
    );
    eprintln!("replica B took over every device {took:?} after replica A was killed");
    b.signal("TERM");
    let _ = a.wait(Duration::from_secs(5));
    let (status, _, log) = b.wait(Duration::from_secs(10));
    assert!(status.success(), "{log}");
}

#[tokio::test]
async fn an_installation_copied_to_postgresql_answers_as_before() {
    let Some(pg) = server::testing::postgres_database().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let token = token(dir.path(), "admin");
    let url = db_url(dir.path());
    let server = Server::start(dir.path(), true).await;
    let client = reqwest::Client::new();
    let created: Value = client
        .post(server.url("/api/v1/annotations"))
        .bearer_auth(&token)
        .json(&json!({ "target": "pecos-ridge", "text": "first words" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let edited = client
        .patch(server.url(&format!("/api/v1/annotations/{}", created["id"])))
        .bearer_auth(&token)
        .json(&json!({ "text": "second words", "version": 1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(edited.status(), 200);
    let embed = client
        .post(server.url("/api/v1/embeds"))
        .bearer_auth(&token)
        .json(&json!({ "name": "IR site", "view": "revenue_mix", "origins": ["https://ir.example.com"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(embed.status(), 201);
    // The simulated fleet polled (its samples are written when the server stops).
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let fleet: Value = client
            .get(server.url("/api/v1/fleet"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let polled = fleet["devices"]
            .as_array()
            .is_some_and(|d| d.iter().filter(|d| !d["last_seen"].is_null()).count() >= 10);
        if polled {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the simulated fleet was not polled: {fleet}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let history = format!("/api/v1/annotations/{}/history", created["id"]);
    let before = answers(&server, &token, &[&history]).await;
    server.signal("TERM");
    server.wait(Duration::from_secs(10));

    let (ok, err) = rigshift(&["db", "copy", "--from", &url, "--to", &pg, "--samples"]);
    assert!(ok, "{err}");
    for table in [
        "annotation_versions",
        "audit_log",
        "embed_tokens",
        "samples",
    ] {
        let line = err
            .lines()
            .find(|l| l.split_whitespace().next() == Some(table))
            .unwrap_or_else(|| panic!("{table}: {err}"));
        let counts: Vec<&str> = line
            .split_whitespace()
            .filter(|w| w.parse::<i64>().is_ok())
            .collect();
        assert!(
            counts.len() == 2 && counts[0] == counts[1] && counts[0] != "0",
            "{line}"
        );
    }
    // Into a database that already holds an installation: refused.
    let (ok, err) = rigshift(&["db", "copy", "--from", &url, "--to", &pg]);
    assert!(!ok && err.contains("empty database"), "{err}");

    let server = Server::spawn(&[
        "--metrics-addr",
        "off",
        "--database-url",
        &pg,
        "--simulator",
        "false",
    ])
    .await;
    let after = answers(&server, &token, &[&history]).await;
    assert_eq!(before, after);
    // New rows continue after the copied ids.
    let next: Value = client
        .post(server.url("/api/v1/annotations"))
        .bearer_auth(&token)
        .json(&json!({ "target": "pecos-ridge", "text": "on PostgreSQL" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(next["id"].as_i64() > created["id"].as_i64(), "{next}");
}
