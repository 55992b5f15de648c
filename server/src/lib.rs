//! Rigshift's server: wires the edges (store, market, HTTP) to the Leptos app.
//!
//! `launch_with_listener` takes a bound listener and a shutdown signal so tests start the real
//! server on `127.0.0.1:0` against a temporary SQLite file.

pub mod clock;
pub mod config;
pub mod http;
pub mod market;
mod router;
pub mod sha256_bench;
pub mod simulator;
pub mod store;
pub mod telemetry;

use std::future::Future;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use app::api::ports::{Clock, Services};
use config::ServeArgs;
use store::SqliteStore;

/// Opens the store, seeds and tops up data, and builds the services the app runs on.
pub async fn services(args: &ServeArgs) -> anyhow::Result<Services> {
    let store = Arc::new(SqliteStore::connect(&args.database_url).await.with_context(|| format!("opening {}", args.database_url))?);
    let seeded = store::seed_if_empty(&store).await?;
    if seeded > 0 {
        tracing::info!(sites = seeded, "seeded example sites into an empty database");
    }
    let clock: Arc<dyn Clock> = match args.today {
        Some(d) => Arc::new(clock::FixedClock(d)),
        None => Arc::new(clock::SystemClock),
    };
    let added = market::ensure_history(&store, clock.today(), args.simulator).await?;
    tracing::info!(days = added, simulator = args.simulator, "market history ready");
    Ok(Services {
        sites: store.clone(),
        market: store,
        clock,
        sha256: Arc::new(sha256_bench::CpuSha256Bench::new()),
        simulator_on: args.simulator,
    })
}

/// Binds `args.addr` and serves until Ctrl-C.
pub async fn launch(args: ServeArgs) -> anyhow::Result<()> {
    let listener = TcpListener::bind(args.addr).await.with_context(|| format!("binding {}", args.addr))?;
    tracing::info!("Rigshift listening on http://{}", listener.local_addr()?);
    launch_with_listener(args, listener, async {
        tokio::signal::ctrl_c().await.ok();
    })
    .await
}

/// Serves on `listener` until `shutdown` completes.
pub async fn launch_with_listener(args: ServeArgs, listener: TcpListener, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
    let services = services(&args).await?;
    let app = router::build(&args, listener.local_addr()?, services);
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await?;
    Ok(())
}
