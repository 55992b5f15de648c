//! Fleet-scale polling: the simulator on loopback, the real poller, a real SQLite file.
//!
//! `cargo bench -p server --bench poller -- 10000 30 [CYCLES]` polls 10,000 ASICs on a 30-second
//! cycle for CYCLES cycles (2) after one of warm-up and reports polls per second, cycle lag, CPU
//! time and peak memory of this process (simulator and poller together, as on a 2-core machine
//! running the demo).
//!
//! `--gpu-nodes N` adds N simulated 8-GPU DCGM exporter nodes (`-- 0 10 2 --gpu-nodes 200`
//! measures the GPU poll path alone: one HTTP scrape, parse and device build per node).
//!
//! `cargo bench -p server --bench poller -- 100000 30 --fleet a.toml --fleet b.toml …` polls the
//! devices of fleet files written by `rigshift simulate` processes: the simulator's CPU is then
//! spent in those processes, and this process's CPU is the poller's own — per poll, the figure
//! to compare with other pollers (pyasic) on the same devices. `--postgres` stores on a new
//! database of the PostgreSQL cluster `RIGSHIFT_TEST_POSTGRES_URL` names (CPU then excludes
//! the PostgreSQL server's own). `--sample-flush-secs S` holds samples as the server does (30);
//! every sample polled in the measured window is written in it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use server::simulator::{self, SimulatorConfig};
use server::store::Store;
use server::telemetry::poller::{FleetCache, Poller, PollerConfig};

/// This process's CPU time so far, (user, system) in seconds.
fn cpu_seconds() -> (f64, f64) {
    server::testing::process_cpu_seconds()
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

// The allocator the shipped server uses (server/src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

// The server's runtime; the poller starts its own polling thread, as in the server.
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let all: Vec<String> = std::env::args().skip(1).collect();
    let mut args = Vec::new();
    let mut fleets = Vec::new();
    let mut postgres = false;
    // As the server by default (`--sample-flush-secs`).
    let mut hold = 30u64;
    let mut gpu_nodes = 0usize;
    let mut it = all.iter();
    while let Some(a) = it.next() {
        if a == "--fleet" {
            fleets.extend(it.next().cloned());
        } else if a == "--postgres" {
            postgres = true;
        } else if a == "--gpu-nodes" {
            gpu_nodes = it.next().and_then(|v| v.parse().ok()).unwrap_or(0);
        } else if a == "--sample-flush-secs" {
            hold = it.next().and_then(|v| v.parse().ok()).unwrap_or(hold);
        } else if !a.starts_with("--") {
            args.push(a.clone());
        }
    }
    let asics: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(2_000);
    let interval = Duration::from_secs(args.get(1).and_then(|a| a.parse().ok()).unwrap_or(30));
    rlimit::increase_nofile_limit(u64::MAX)?;
    let dir = tempfile::tempdir()?;
    // `--postgres`: a new database on the cluster RIGSHIFT_TEST_POSTGRES_URL names.
    let url = if postgres {
        server::testing::postgres_database()
            .await
            .ok_or_else(|| anyhow::anyhow!("--postgres needs RIGSHIFT_TEST_POSTGRES_URL"))?
    } else {
        format!("sqlite://{}", dir.path().join("bench.db").display())
    };
    println!("store: {url}");
    let store = Arc::new(Store::connect(&url).await?);
    store.set_sample_hold(Duration::from_secs(hold));
    server::store::seed_if_empty(&store).await?;
    let sites = store.sites().await?;
    let t0 = Instant::now();
    let (_sim, devices) = if fleets.is_empty() {
        let sim = simulator::start(SimulatorConfig::new(asics, gpu_nodes), &sites).await?;
        println!(
            "simulator in this process: {asics} ASICs and {gpu_nodes} 8-GPU nodes listening in {:.1} s",
            t0.elapsed().as_secs_f64()
        );
        let devices = sim.devices.clone();
        (Some(sim), devices)
    } else {
        let mut devices = Vec::new();
        for f in &fleets {
            let text = std::fs::read_to_string(f)?;
            devices.extend(server::fleet_file::parse(f, &text)?);
        }
        devices.truncate(asics);
        println!(
            "simulator in other processes: {} devices from {} fleet file(s)",
            devices.len(),
            fleets.len()
        );
        (None, devices)
    };
    let asics = devices.len();
    store.upsert_devices(&devices, "simulator").await?;
    let cache = Arc::new(FleetCache::default());
    let (tx, _) = tokio::sync::broadcast::channel(4);
    let config = PollerConfig {
        interval,
        concurrency: 1024,
        ..Default::default()
    };
    let metrics = Arc::new(server::metrics::Metrics::default());
    let mut poller =
        Poller::new(config, store.clone(), cache.clone(), tx).with_metrics(metrics.clone());

    // One cycle of warm-up: first polls identify every device (recorded once) and fill the
    // cache; the figures below are the steady state.
    let warm = Instant::now();
    while warm.elapsed() < interval {
        poller.run_cycle().await;
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // Every sample polled in the window is written in it (none from before, all from it).
    store.flush_samples().await?;
    let (cpu0, start) = (cpu_seconds(), Instant::now());
    let mut polled = 0usize;
    let mut max_lag = 0u64;
    let mut busiest = Duration::ZERO;
    let cycles: u32 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(2);
    while start.elapsed() < interval * cycles {
        let r = poller.run_cycle().await;
        polled += r.polled;
        max_lag = max_lag.max(r.lag_ms);
        busiest = busiest.max(Duration::from_millis(r.duration_ms));
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let pending = store.pending_samples();
    store.flush_samples().await?;
    let wall = start.elapsed().as_secs_f64();
    let (user, system) = {
        let (u, s) = cpu_seconds();
        (u - cpu0.0, s - cpu0.1)
    };
    let cpu = user + system;
    let devices = cache.snapshot().await;
    let offline = devices
        .iter()
        .filter(|d| d.status == app::model::fleet::devices::DeviceStatus::Offline)
        .count();
    println!(
        "devices: {asics}, cycle: {} s, wall: {wall:.1} s, samples written every {hold} s ({pending} pending at the end, written in the window)",
        interval.as_secs()
    );
    println!(
        "polls: {polled} ({:.0} polls/s; target {:.0} polls/s for one poll per device per cycle)",
        polled as f64 / wall,
        asics as f64 / interval.as_secs_f64()
    );
    println!(
        "max poll lag: {max_lag} ms, longest cycle: {} ms",
        busiest.as_millis()
    );
    println!(
        "offline (faulty or timed out): {offline} of {}",
        devices.len()
    );
    let per_poll = |s: f64| s * 1000.0 / polled.max(1) as f64;
    println!(
        "cpu: {cpu:.1} s over {wall:.1} s = {:.0} % of one core; {:.3} ms per poll{} (user {:.3}, system {:.3})",
        cpu / wall * 100.0,
        per_poll(cpu),
        if fleets.is_empty() {
            " (simulator included)"
        } else {
            " (poller only)"
        },
        per_poll(user),
        per_poll(system),
    );
    // What a Prometheus scrape of this fleet costs (render only; the HTTP hop is loopback).
    let summary = app::model::fleet::devices::summarize(&devices, None, max_lag);
    let scrapes = 20;
    let t = Instant::now();
    let mut bytes = 0;
    for _ in 0..scrapes {
        bytes = metrics.render(&devices, &summary).len();
    }
    println!(
        "/metrics render: {:.1} ms per scrape, {:.0} KiB for {} devices",
        t.elapsed().as_secs_f64() * 1000.0 / scrapes as f64,
        bytes as f64 / 1024.0,
        devices.len()
    );
    println!("peak RSS: {:.0} MiB", peak_rss_mib());
    Ok(())
}
