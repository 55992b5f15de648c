//! Network discovery: every host of a range asked `summary+stats` on the CGMiner port, with
//! bounded concurrency and short timeouts, like the poller (a host that hangs costs its timeout
//! and nothing more). A host that answers as a miner is identified from its own answer; one that
//! answers anything else is reported as unidentified, never as a miner.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};

use app::model::fleet::discovery::{Cidr, FoundMiner, ScanReport};

use super::io::ExchangeLimits;
use super::poller::{resolve_model, UNKNOWN_MODEL};
use super::{cgminer, PollError};

/// Hosts asked at once. A /16 at this width with nobody home takes ~65,534 / 256 × the connect
/// timeout; real racks answer in milliseconds.
pub const CONCURRENCY: usize = 256;

/// Short limits: discovery should not wait on hosts that are not miners.
pub fn limits() -> ExchangeLimits {
    ExchangeLimits {
        connect: Duration::from_millis(700),
        read: Duration::from_secs(2),
        ..ExchangeLimits::default()
    }
}

/// What one host did.
enum Answer {
    Miner {
        model: String,
        firmware: Option<String>,
    },
    Garbage,
    Nothing,
}

async fn probe(address: &str, limits: ExchangeLimits) -> Answer {
    match cgminer::poll(address, None, limits).await {
        Ok((r, _)) => {
            let (model, _) = resolve_model(UNKNOWN_MODEL, r.model.as_deref());
            Answer::Miner {
                model,
                firmware: r.firmware,
            }
        }
        // Nobody listens there.
        Err(PollError::ConnectTimeout) | Err(PollError::Connect(_)) => Answer::Nothing,
        // Something accepted the connection but did not answer as a miner: garbage, an error
        // status, silence, too much.
        Err(_) => Answer::Garbage,
    }
}

/// Scans `range` on `port`. `registered` holds the addresses already in the registry.
pub async fn scan(
    range: Cidr,
    port: u16,
    registered: &HashSet<String>,
    limits: ExchangeLimits,
) -> ScanReport {
    let started = Instant::now();
    let answers: Vec<(String, Answer)> = stream::iter(range.hosts())
        .map(|ip| async move {
            let address = format!("{ip}:{port}");
            let answer = probe(&address, limits).await;
            (address, answer)
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let mut found = Vec::new();
    let mut unidentified = Vec::new();
    for (address, answer) in answers {
        match answer {
            Answer::Miner { model, firmware } => found.push(FoundMiner {
                already_registered: registered.contains(&address),
                address,
                model,
                firmware,
                added: false,
            }),
            Answer::Garbage => unidentified.push(address),
            Answer::Nothing => {}
        }
    }
    let order = |a: &str| {
        a.split(':')
            .next()
            .and_then(|ip| ip.parse::<std::net::Ipv4Addr>().ok())
            .map(u32::from)
    };
    found.sort_by_key(|f| order(&f.address));
    unidentified.sort_by_key(|a| order(a));
    ScanReport {
        found,
        unidentified,
        scanned: range.host_count(),
        seconds: started.elapsed().as_secs_f64(),
    }
}
