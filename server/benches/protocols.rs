//! The poll path's cost per device for each protocol the poller speaks.
//!
//! `cargo bench -p server --bench protocols -- [POLLS]` (default 2,000 per protocol). For each
//! protocol, one simulated machine on loopback is polled POLLS times through the real client
//! (`telemetry::poll::poll_endpoint`: connect, request(s), bounded read, parse), one poll at a
//! time; printed per poll: wall time, and this process's CPU time — which includes the
//! simulated device answering in the same process, so it is an upper bound on the poller's own.

use std::time::{Duration, Instant};

use app::model::fleet::catalogue;
use app::model::fleet::protocol::Protocol;
use server::simulator::{self, Fault};
use server::telemetry::io::ExchangeLimits;
use server::telemetry::poll::{poll_endpoint, Outcome};

fn cpu_seconds() -> f64 {
    let (user, system) = server::testing::process_cpu_seconds();
    user + system
}

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let polls: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .and_then(|a| a.parse().ok())
        .unwrap_or(2_000);
    let limits = ExchangeLimits::default();
    println!("protocol          model        polls  wall µs/poll  CPU µs/poll (incl. device)");
    for (protocol, model, index) in [
        (Protocol::Cgminer, "S21", 0),
        (Protocol::Cgminer, "S19XP", 5),
        (Protocol::Fluxos, "AT2880", 35),
        (Protocol::WhatsminerV3, "M60S", 11),
        (Protocol::BraiinsRest, "S21Pro", 27),
        (Protocol::Axeos, "BitaxeGamma", 39),
    ] {
        let m = catalogue::asic(model).expect("catalogue model");
        let (spec, task) = simulator::start_one(index, m, protocol, Fault::None).await?;
        // Warm-up: the first poll identifies the family (CGMiner) or logs in (Braiins OS).
        let mut family = None;
        for _ in 0..3 {
            if let Ok(Outcome::Asic(_, f)) = poll_endpoint(&spec, family, limits).await {
                family = f.or(family);
            }
        }
        let (wall, cpu) = (Instant::now(), cpu_seconds());
        let mut failed = 0;
        for _ in 0..polls {
            match poll_endpoint(&spec, family, limits).await {
                Ok(Outcome::Asic(r, _)) => assert!(r.hashrate_ths > 0.0),
                _ => failed += 1,
            }
        }
        let per = |d: f64| d / polls as f64 * 1e6;
        println!(
            "{:<17} {:<12} {:>5}  {:>12.0}  {:>12.0}{}",
            protocol.as_str(),
            model,
            polls,
            per(wall.elapsed().as_secs_f64()),
            per(cpu_seconds() - cpu),
            if failed > 0 {
                format!("  ({failed} failed)")
            } else {
                String::new()
            }
        );
        task.abort();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}
