#![allow(dead_code)] // shared by several test binaries; each uses a subset
//! `TestApp`: the real server on 127.0.0.1:0 with a fresh SQLite file; dropped, it shuts down
//! and the temporary directory (database, WAL, SHM) is removed.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use clap::Parser;
use tokio::sync::oneshot;

use app::api::auth::Role;
use app::api::ports::Accounts;
use server::config::{Cli, ServeArgs};

pub struct TestApp {
    pub addr: SocketAddr,
    /// The Prometheus `/metrics` listener.
    pub metrics_addr: SocketAddr,
    /// Sends the admin's API token with every request.
    pub client: reqwest::Client,
    /// Sends no credentials.
    pub anon: reqwest::Client,
    /// An API token per role, created on start (`get_json` and friends send the admin's).
    pub tokens: HashMap<Role, String>,
    pub database_url: String,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _dir: Option<tempfile::TempDir>,
}

/// The databases a test runs on: SQLite (`None`), and a fresh PostgreSQL database of its own
/// when the test cluster is there.
#[allow(dead_code)]
pub async fn engines() -> Vec<Option<String>> {
    let mut engines = vec![None];
    if let Some(pg) = server::testing::postgres_database().await {
        engines.push(Some(pg));
    }
    engines
}

/// A test's engine as it names it in messages.
#[allow(dead_code)]
pub fn engine_label(engine: &Option<String>) -> &'static str {
    if engine.is_some() {
        "postgresql"
    } else {
        "sqlite"
    }
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub struct TestAppBuilder {
    today: NaiveDate,
    simulator: bool,
    asics: usize,
    db_dir: Option<PathBuf>,
    fleet: Option<PathBuf>,
    market_url: Option<String>,
    tweak: Option<Box<dyn FnOnce(&mut ServeArgs) + Send>>,
}

impl TestAppBuilder {
    /// Sets any other flag.
    pub fn args(mut self, f: impl FnOnce(&mut ServeArgs) + Send + 'static) -> Self {
        self.tweak = Some(Box::new(f));
        self
    }

    /// Runs on `engine` (from [`engines`]): PostgreSQL at its URL, else the default SQLite.
    #[allow(dead_code)]
    pub fn engine(self, engine: Option<String>) -> Self {
        match engine {
            Some(url) => self.args(move |a| a.database_url = url),
            None => self,
        }
    }

    /// Read live market figures from this mempool-compatible URL.
    pub fn market_url(mut self, url: &str) -> Self {
        self.market_url = Some(url.to_string());
        self
    }

    pub fn simulator(mut self, on: bool) -> Self {
        self.simulator = on;
        self
    }

    /// Size of the simulated fleet (default 60 ASICs, 2 GPU nodes).
    pub fn asics(mut self, n: usize) -> Self {
        self.asics = n;
        self
    }

    /// Poll the devices of this TOML fleet file.
    pub fn fleet_file(mut self, path: &Path) -> Self {
        self.fleet = Some(path.to_path_buf());
        self
    }

    /// Reuse a database directory (to test restarts); the caller owns the directory.
    pub fn database_in(mut self, dir: &Path) -> Self {
        self.db_dir = Some(dir.to_path_buf());
        self
    }

    pub async fn start(self) -> TestApp {
        let (dir, owned) = match self.db_dir {
            Some(d) => (d, None),
            None => {
                let t = tempfile::tempdir().unwrap();
                (t.path().to_path_buf(), Some(t))
            }
        };
        let mut args: ServeArgs = Cli::parse_from(["rigshift"]).serve_args();
        args.database_url = format!("sqlite://{}", dir.join("rigshift.db").display());
        args.admin_password = Some(ADMIN_PASSWORD.into());
        args.simulator = self.simulator;
        args.simulated_asics = self.asics;
        args.simulated_gpu_nodes = 2;
        args.poll_interval_secs = 2;
        args.fleet = self.fleet;
        args.market_url = self.market_url;
        args.today = Some(self.today);
        // The demo's simulated markets change the figures tests work by hand; tests that
        // want them turn them on.
        args.demo_markets = false;
        args.site_root = PathBuf::from("target/site");
        if let Some(f) = self.tweak {
            f(&mut args);
        }
        let database_url = args.database_url.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let metrics = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let metrics_addr = metrics.local_addr().unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(server::launch_with_listeners(
            args,
            listener,
            Some(metrics),
            async {
                rx.await.ok();
            },
        ));
        let mut app = TestApp {
            addr,
            metrics_addr,
            client: reqwest::Client::new(),
            anon: reqwest::Client::new(),
            tokens: HashMap::new(),
            database_url,
            shutdown: Some(tx),
            task: Some(task),
            _dir: owned,
        };
        // The listener is bound before start-up work; wait until the app answers.
        for _ in 0..200 {
            if let Ok(r) = app.anon.get(app.url("/api/v1/health")).send().await {
                if r.status().is_success() {
                    app.tokens = create_tokens(&app.database_url).await;
                    let mut headers = reqwest::header::HeaderMap::new();
                    headers.insert(
                        reqwest::header::AUTHORIZATION,
                        format!("Bearer {}", app.tokens[&Role::Admin])
                            .parse()
                            .unwrap(),
                    );
                    app.client = reqwest::Client::builder()
                        .default_headers(headers)
                        .build()
                        .unwrap();
                    return app;
                }
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("server did not become healthy");
    }
}

/// Calls `check` until it gives a value, at most `within`: tests wait for a condition, never for
/// a fixed time. Panics naming `what` when the deadline passes.
pub async fn wait_until<T, F, Fut>(what: &str, within: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "waited {within:?} and {what} did not happen"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl TestApp {
    /// Waits until the poller has answered for at least one device (its fleet row has a
    /// `last_seen`).
    pub async fn first_poll(&self) {
        wait_until("the first poll", Duration::from_secs(20), || async {
            let (_, fleet) = self.get_json("/api/v1/fleet").await;
            fleet["devices"]
                .as_array()
                .is_some_and(|d| d.iter().any(|d| !d["last_seen"].is_null()))
                .then_some(())
        })
        .await
    }
}

/// Password of the `admin` user every test server starts with.
pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";

/// One token per role, written through a second connection to the server's database file
/// (exactly what `rigshift token create` does).
async fn create_tokens(database_url: &str) -> HashMap<Role, String> {
    let store = Arc::new(server::store::Store::connect(database_url).await.unwrap());
    let auth = server::auth::Auth::new(store, false);
    let mut out = HashMap::new();
    for role in Role::ALL {
        let t = auth
            .create_token(&format!("test-{}", role.as_str()), role, "test")
            .await
            .unwrap();
        out.insert(role, t.token);
    }
    out
}

impl TestApp {
    /// A server whose "today" is `today`.
    pub fn on(today: NaiveDate) -> TestAppBuilder {
        TestAppBuilder {
            today,
            simulator: true,
            asics: 60,
            db_dir: None,
            fleet: None,
            market_url: None,
            tweak: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A request builder carrying the API token of `role` (none for `None`: anonymous).
    pub fn request_as(
        &self,
        role: Option<Role>,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        let b = self.anon.request(method, self.url(path));
        match role {
            Some(r) => b.bearer_auth(&self.tokens[&r]),
            None => b,
        }
    }

    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let r = self
            .request_as(Some(Role::Admin), reqwest::Method::GET, path)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn post_json(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> (u16, serde_json::Value) {
        self.post_raw(path, "application/json", body.to_string())
            .await
    }

    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: String,
    ) -> (u16, serde_json::Value) {
        let r = self
            .request_as(Some(Role::Admin), reqwest::Method::POST, path)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// `PATCH path` with a JSON body as `role`: the status and the JSON answer (null if none).
    pub async fn patch_json(
        &self,
        role: Role,
        path: &str,
        body: &serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let r = self
            .request_as(Some(role), reqwest::Method::PATCH, path)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// A second connection to the server's database (what the CLI would open).
    pub async fn store(&self) -> server::store::Store {
        server::store::Store::connect(&self.database_url)
            .await
            .unwrap()
    }

    /// The Prometheus exposition `/metrics` serves now.
    pub async fn metrics_text(&self) -> String {
        reqwest::get(format!("http://{}/metrics", self.metrics_addr))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            tx.send(()).ok();
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            tx.send(()).ok();
        }
    }
}
