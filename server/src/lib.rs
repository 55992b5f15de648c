//! Rigshift's server: wires the edges (store, market, HTTP) to the Leptos app.
//!
//! `launch_with_listeners` takes bound listeners and a shutdown signal so tests start the real
//! server on `127.0.0.1:0` against a temporary SQLite file.

pub mod admin_cli;
pub mod alerts;
pub mod auth;
pub mod backup;
pub mod clock;
pub mod config;
pub mod csp;
pub mod db_copy;
pub mod demo;
pub mod embed;
pub mod fleet_file;
pub mod forwards;
pub mod http;
pub mod http_error;
pub mod limits;
pub mod market;
pub mod metrics;
pub mod page_cache;
pub mod pool;
pub mod portfolio;
pub mod power;
pub mod remote;
pub mod replica;
mod router;
pub mod serve;
pub mod sha256_bench;
pub mod shards;
pub mod signals;
pub mod simulator;
pub mod static_files;
pub mod store;
pub mod telemetry;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod workers;

use std::future::Future;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use app::api::ports::{Clock, Services};
use config::ServeArgs;
use store::Store;

/// Everything running behind the HTTP surface; dropping it stops the poller and the simulator.
pub struct Runtime {
    pub services: Services,
    pub store: Arc<Store>,
    pub auth: Arc<auth::Auth>,
    pub metrics: Arc<metrics::Metrics>,
    _simulator: Option<simulator::Simulator>,
    poller: tokio::task::JoinHandle<()>,
    stop_poller: tokio::sync::watch::Sender<bool>,
    /// The market feed and pool syncs, when configured.
    background: Vec<tokio::task::JoinHandle<()>>,
    /// Held while serving: a restore (or a second server) on the same file is refused.
    _lock: Option<backup::DatabaseLock>,
}

impl Runtime {
    /// Stops the poller after its current cycle (its samples written), waiting up to `grace`.
    pub async fn shut_down(mut self, grace: std::time::Duration) {
        self.stop_poller.send_replace(true);
        let poller = &mut self.poller;
        if tokio::time::timeout(grace, poller).await.is_err() {
            tracing::warn!("the poller's last cycle did not finish in time");
        }
        // The tokens' last uses noted since the last batch.
        self.auth.flush_token_uses().await;
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.poller.abort();
        for task in &self.background {
            task.abort();
        }
    }
}

/// Opens the store, seeds and tops up data, starts the simulator and the poller, and builds the
/// The hourly power-price feed, when `--power-prices-url` names one (its key from the
/// environment variable `--power-prices-key-env` names).
fn start_power_feed(
    store: &Arc<store::Store>,
    args: &ServeArgs,
    background: &mut Vec<tokio::task::JoinHandle<()>>,
) -> anyhow::Result<()> {
    let Some(url) = &args.power_prices_url else {
        return Ok(());
    };
    tracing::info!(url = %remote::redact(url), "power prices fetched hourly");
    let key = match &args.power_prices_key_env {
        Some(name) => Some(std::env::var(name).map_err(|_| {
            anyhow::anyhow!("--power-prices-key-env names {name}, which is not set")
        })?),
        None => None,
    };
    background.push(power::spawn_feed(
        url.clone(),
        key,
        store.clone(),
        std::time::Duration::from_secs(3600),
    )?);
    Ok(())
}

/// services the app runs on.
pub async fn start(args: &ServeArgs) -> anyhow::Result<Runtime> {
    let lock = match backup::sqlite_path(&args.database_url) {
        Ok(path) => Some(backup::DatabaseLock::acquire(&path)?),
        Err(_) => None,
    };
    let store = open_store(&args.database_url, args.demo).await?;
    let auth = open_auth(&store, args).await?;
    let clock: Arc<dyn Clock> = match args.today {
        Some(d) => Arc::new(clock::FixedClock(d)),
        None => Arc::new(clock::SystemClock),
    };
    let mut background = Vec::new();
    background.push(auth.spawn_token_use_flusher(std::time::Duration::from_secs(30)));
    let market_feed = start_market(&store, &clock, args, &mut background).await?;
    start_demo_markets(&store, &auth, &clock, args).await?;
    start_power_feed(&store, args, &mut background)?;
    let overview_cache: Arc<app::api::overview_cache::OverviewCache> = Default::default();
    start_forward_feeds(&store, args, &overview_cache, &mut background)?;
    let sim = start_simulator(&store, args).await?;
    register_fleet_file(&store, &clock, args, &mut background).await?;
    let keep: Vec<String> = sim
        .as_ref()
        .map(|s| s.devices.iter().map(|d| d.id.clone()).collect())
        .unwrap_or_default();
    store.retire_source_except("simulator", &keep).await?;

    store.set_sample_hold(std::time::Duration::from_secs(args.sample_flush_secs));
    let cache = Arc::new(telemetry::fleet_cache::FleetCache::default());
    let metrics = Arc::new(metrics::Metrics::default());
    let (stop_poller, stop) = tokio::sync::watch::channel(false);
    let shards = join_shards(&store, &cache, args, &stop, &mut background).await?;
    metrics.set_shards(shards.clone());
    metrics.set_store(store.clone());
    let (updates, _) = tokio::sync::broadcast::channel(16);
    let config = telemetry::poller::PollerConfig {
        interval: std::time::Duration::from_secs(args.poll_interval_secs.max(1)),
        concurrency: args.poll_concurrency.max(1),
        ..Default::default()
    };
    let curtailed = Arc::new(telemetry::curtailed::CurtailedSites::default());
    let zones = Arc::new(telemetry::site_zones::SiteZones::default());
    let poller = tokio::spawn(
        telemetry::poller::Poller::new(config, store.clone(), cache.clone(), updates)
            .with_metrics(metrics.clone())
            .with_shards(shards)
            .with_curtailed(curtailed.clone())
            .with_zones(zones.clone())
            .run_until(stop),
    );
    let services = Services {
        sites: store.clone(),
        market: store.clone(),
        clock,
        sha256: Arc::new(sha256_bench::CpuSha256Bench::new()),
        fleet: Arc::new(telemetry::fleet_hub::FleetHub {
            store: store.clone(),
            cache,
        }),
        timeline: store.clone(),
        accounts: auth.clone(),
        embeds: auth.clone(),
        pools: store.clone(),
        power: store.clone(),
        workers: {
            let workers = Arc::new(workers::Workers::new(
                args.compute_workers
                    .unwrap_or_else(workers::Workers::default_count),
                args.compute_queue,
            ));
            metrics.set_workers(workers.clone());
            workers
        },
        fleet_simulated: args.simulator,
        market_feed,
        overview_cache,
        below_market_alert_pct: args.below_market_alert_pct,
    };
    background.push(power::watch_curtailment(
        services.clone(),
        curtailed,
        zones,
        std::time::Duration::from_secs(args.curtailment_check_secs),
    ));
    if let Some(url) = &args.webhook_url {
        background.push(
            alerts::WebhookAlerts {
                url: url.clone(),
                interval: std::time::Duration::from_secs(args.alert_interval_secs),
                services: services.clone(),
                store: store.clone(),
            }
            .spawn(),
        );
        tracing::info!(
            "alerts go to the webhook every {} s",
            args.alert_interval_secs
        );
    }
    Ok(Runtime {
        services,
        store,
        auth,
        metrics,
        _simulator: sim,
        poller,
        stop_poller,
        background,
        _lock: lock,
    })
}

/// The daily forward-curve and GPU-index feeds, when configured; each stored answer
/// invalidates the cached overview priced on the previous one.
fn start_forward_feeds(
    store: &Arc<Store>,
    args: &ServeArgs,
    cache: &Arc<app::api::overview_cache::OverviewCache>,
    background: &mut Vec<tokio::task::JoinHandle<()>>,
) -> anyhow::Result<()> {
    use forwards::ForwardInput;
    let day = std::time::Duration::from_secs(24 * 3600);
    for (input, url) in [
        (ForwardInput::HashpriceCurve, &args.forwards_url),
        (ForwardInput::GpuIndex, &args.gpu_index_url),
    ] {
        if let Some(url) = url {
            tracing::info!(url = %remote::redact(url), ?input, "fetched daily");
            let cache = cache.clone();
            background.push(forwards::spawn_feed(
                input,
                url.clone(),
                store.clone(),
                day,
                move || cache.invalidate(),
            )?);
        }
    }
    Ok(())
}

/// The demo company's simulated markets and tenant login (`--demo-markets`, with `--demo` and
/// the simulator); see `demo.rs`.
async fn start_demo_markets(
    store: &Arc<Store>,
    auth: &Arc<auth::Auth>,
    clock: &Arc<dyn Clock>,
    args: &ServeArgs,
) -> anyhow::Result<()> {
    if !(args.demo && args.simulator && args.demo_markets) {
        return Ok(());
    }
    demo::enrich(store, clock.today()).await?;
    if let Some(pw) = demo::tenant_login(auth, store).await? {
        tracing::warn!(
            "created the demo tenant user \"tenant\" with password {pw} - it sees only its H100 \
             cloud's GPUs and SLA ledger"
        );
    }
    Ok(())
}

/// The store at `url`, migrated; with `demo`, the illustrative company in an empty database.
async fn open_store(url: &str, demo: bool) -> anyhow::Result<Arc<Store>> {
    let store = Arc::new(
        Store::connect(url)
            .await
            .with_context(|| format!("opening {url}"))?,
    );
    if !demo {
        if store.sites().await?.is_empty() {
            tracing::info!(
                "no sites yet: add them on /sites or with `rigshift portfolio import FILE`"
            );
        }
        return Ok(store);
    }
    let seeded = store::seed_if_empty(&store).await?;
    if seeded > 0 {
        tracing::info!(
            sites = seeded,
            "seeded the illustrative demo company into an empty database (--demo=false starts empty)"
        );
    }
    Ok(store)
}

/// Sign-in and sessions; the first start of an empty database creates the admin account.
async fn open_auth(store: &Arc<Store>, args: &ServeArgs) -> anyhow::Result<Arc<auth::Auth>> {
    let auth = Arc::new(
        auth::Auth::new(store.clone(), args.cookie_secure).with_sessions(auth::SessionPolicy {
            idle: chrono::Duration::minutes(args.session_idle_minutes.into()),
            lifetime: chrono::Duration::hours(args.session_lifetime_hours.into()),
        }),
    );
    if let Some(pw) = auth.bootstrap_admin(args.admin_password.as_deref()).await? {
        // Logged once, on the first start of an empty database, so a fresh install can sign in.
        tracing::warn!(
            "created user \"admin\" with password {pw} - sign in at /login and keep it safe \
             (set RIGSHIFT_ADMIN_PASSWORD to choose it; `rigshift user add` adds more users)"
        );
    }
    Ok(auth)
}

/// The market history through today, and the live feed when a URL is given (its host).
async fn start_market(
    store: &Arc<Store>,
    clock: &Arc<dyn Clock>,
    args: &ServeArgs,
    background: &mut Vec<tokio::task::JoinHandle<()>>,
) -> anyhow::Result<Option<String>> {
    // With a live feed, the days after the snapshot come from it, never from the simulator.
    let simulate_market = args.simulator && args.market_url.is_none();
    let added = market::ensure_history(store, clock.today(), simulate_market).await?;
    tracing::info!(
        days = added,
        simulated = simulate_market,
        "market history ready"
    );
    let Some(url) = &args.market_url else {
        return Ok(None);
    };
    let feed = market::feed::MempoolFeed::new(url, remote::RemoteLimits::default())?;
    let host = feed.host();
    let from = market::bundled::daily()?
        .last()
        .map(|d| d.date + chrono::Duration::days(1))
        .unwrap_or_else(|| clock.today());
    tracing::info!(url = %remote::redact(url), from = %from, "live market feed");
    background.push(market::feed::spawn(
        feed,
        store.clone(),
        clock.clone(),
        from,
        market::feed::FeedSchedule::default(),
    ));
    Ok(Some(host))
}

/// The simulated fleet on loopback, registered like any device (when `--simulator` is on).
async fn start_simulator(
    store: &Arc<Store>,
    args: &ServeArgs,
) -> anyhow::Result<Option<simulator::Simulator>> {
    if !args.simulator {
        return Ok(None);
    }
    raise_open_file_limit();
    let sites = store.sites().await?;
    let sim = simulator::start(
        simulator::SimulatorConfig::new(args.simulated_asics, args.simulated_gpu_nodes),
        &sites,
    )
    .await
    .context("starting the fleet simulator")?;
    store.upsert_devices(&sim.devices, "simulator").await?;
    tracing::info!(
        devices = sim.devices.len(),
        "fleet simulator listening on loopback"
    );
    Ok(Some(sim))
}

/// The fleet file's devices (those it no longer lists retired) and its pool accounts' sync.
async fn register_fleet_file(
    store: &Arc<Store>,
    clock: &Arc<dyn Clock>,
    args: &ServeArgs,
    background: &mut Vec<tokio::task::JoinHandle<()>>,
) -> anyhow::Result<()> {
    let site_ids: Vec<String> = store.sites().await?.into_iter().map(|s| s.id).collect();
    let (from_file, pools) = match &args.fleet {
        Some(path) => (
            fleet_file::load(path, &site_ids)?,
            fleet_file::load_pools(path)?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    if !pools.is_empty() {
        tracing::info!(accounts = pools.len(), "pool accounts from the fleet file");
        background.push(pool::spawn(
            store.clone(),
            pools,
            clock.clone(),
            std::time::Duration::from_secs(3600),
        ));
    }
    store.upsert_devices(&from_file, "fleet_file").await?;
    let file_ids: Vec<String> = from_file.iter().map(|d| d.id.clone()).collect();
    store.retire_source_except("fleet_file", &file_ids).await?;
    if !from_file.is_empty() {
        tracing::info!(devices = from_file.len(), "devices from the fleet file");
    }
    Ok(())
}

/// The device shards this process polls: on PostgreSQL every process is one of possibly
/// several replicas and polls its share; alone (SQLite) it polls them all.
async fn join_shards(
    store: &Arc<Store>,
    cache: &Arc<telemetry::fleet_cache::FleetCache>,
    args: &ServeArgs,
    stop: &tokio::sync::watch::Receiver<bool>,
    background: &mut Vec<tokio::task::JoinHandle<()>>,
) -> anyhow::Result<Arc<shards::Shards>> {
    if store.kind() != store::EngineKind::Postgres {
        return Ok(shards::Shards::single());
    }
    let name = args
        .replica_name
        .clone()
        .unwrap_or_else(replica::default_name);
    store.set_replica_name(&name);
    let shards = shards::Shards::replica(&name);
    let coordinator = replica::Coordinator::join(
        &args.database_url,
        store.clone(),
        shards.clone(),
        cache.clone(),
    )
    .await
    .context("joining the replicas on PostgreSQL")?;
    tracing::info!(replica = %name, shards = shards.owned(), "replica joined");
    background.push(coordinator.spawn(
        std::time::Duration::from_secs(args.replica_round_secs.max(1)),
        stop.clone(),
    ));
    Ok(shards)
}

/// Each simulated device holds a listening socket; large simulated fleets need more than the
/// usual 1,024 descriptors.
fn raise_open_file_limit() {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(n) => tracing::debug!(limit = n, "open file limit"),
        Err(e) => tracing::warn!(error = %e, "could not raise the open file limit"),
    }
}

/// Binds `args.addr` (and `args.metrics_addr`) and serves until Ctrl-C.
pub async fn launch(args: ServeArgs) -> anyhow::Result<()> {
    let listener = TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("binding {}", args.addr))?;
    tracing::info!("Rigshift listening on http://{}", listener.local_addr()?);
    let metrics_listener = match args.metrics_addr {
        // The dashboard matters more than its metrics: a taken port is a warning, not an exit.
        Some(addr) => match TcpListener::bind(addr).await {
            Ok(l) => {
                tracing::info!("Prometheus metrics on http://{addr}/metrics");
                Some(l)
            }
            Err(e) => {
                tracing::warn!(%addr, error = %e, "metrics listener not started");
                None
            }
        },
        None => None,
    };
    launch_with_listeners(args, listener, metrics_listener, signals::termination()).await
}

/// How long in-flight requests get to finish after a shutdown signal; the poller's last cycle
/// gets the rest of the 10 seconds a supervisor usually waits before SIGKILL.
const REQUEST_GRACE: std::time::Duration = std::time::Duration::from_secs(7);
const POLLER_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

pub use serve::ShuttingDown;

/// Serves the dashboard on `listener` and `/metrics` on `metrics_listener` until `shutdown`.
pub async fn launch_with_listeners(
    args: ServeArgs,
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let runtime = start(&args).await?;
    let (closing, closing_rx) = tokio::sync::watch::channel(false);
    let app = router::build(
        &args,
        listener.local_addr()?,
        runtime.services.clone(),
        runtime.auth.clone(),
        runtime.metrics.clone(),
        ShuttingDown(closing_rx.clone()),
    );
    let metrics_server = metrics_listener.map(|l| {
        let app = metrics::router(runtime.metrics.clone(), runtime.services.clone());
        tokio::spawn(async move { axum::serve(l, app).await })
    });
    let all_done = serve::serve(
        listener,
        app,
        std::time::Duration::from_secs(args.header_timeout_secs),
        async move {
            shutdown.await;
            tracing::info!(
                "shutting down: no new connections; finishing requests, closing streams"
            );
            closing.send_replace(true);
        },
        REQUEST_GRACE,
    )
    .await;
    if !all_done {
        tracing::warn!("requests still running after {REQUEST_GRACE:?}; exiting anyway");
    }
    if let Some(task) = metrics_server {
        task.abort();
    }
    runtime.shut_down(POLLER_GRACE).await;
    tracing::info!("stopped");
    Ok(())
}
