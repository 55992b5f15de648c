//! Network discovery: every host of a range asked what it is over each API a miner may speak —
//! the CGMiner family's (and FluxOS's) on 4028, Whatsminer API v3 on 4433, AxeOS and Braiins
//! OS REST over HTTP on 80 — with bounded concurrency and short timeouts, like the poller (a
//! host that hangs costs its timeouts and nothing more). A scan on another port asks every API
//! on that port. A host that answers as a miner is identified from its own answer; one that
//! answers anything else is reported as unidentified, never as a miner.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};

use std::net::Ipv4Addr;

use app::model::fleet::devices::AsicReading;
use app::model::fleet::discovery::{Cidr, FoundMiner, ScanReport};
use app::model::fleet::protocol::Protocol;

use super::firmware::Family;
use super::io::ExchangeLimits;
use super::poller::{resolve_model, UNKNOWN_MODEL};
use super::{axeos, braiins_rest, cgminer, whatsminer_v3, PollError};

/// The CGMiner port: a scan on it asks every well-known port.
const DEFAULT_PORT: u16 = 4028;

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
        address: String,
        protocol: Protocol,
        model: String,
        firmware: Option<String>,
    },
    Garbage(String),
    Nothing,
}

/// The APIs to ask on `port`, in order: the well-known port's own, every one elsewhere.
fn protocols_on(port: u16, default_port: bool) -> Vec<Protocol> {
    if default_port {
        return Protocol::ALL
            .into_iter()
            .filter(|p| *p != Protocol::Fluxos && p.default_port() == port)
            .collect();
    }
    vec![
        Protocol::Cgminer,
        Protocol::WhatsminerV3,
        Protocol::Axeos,
        Protocol::BraiinsRest,
    ]
}

/// Asks `ip:port` over one API. FluxOS answers the CGMiner probe and is told by its answer.
async fn ask(
    ip: Ipv4Addr,
    port: u16,
    protocol: Protocol,
    limits: ExchangeLimits,
) -> (String, Result<(AsicReading, Protocol), PollError>) {
    let tcp = format!("{ip}:{port}");
    let url = format!("http://{ip}:{port}");
    match protocol {
        Protocol::Cgminer | Protocol::Fluxos => {
            let mut r = cgminer::poll(&tcp, None, limits).await;
            // Some families name their model only in their own commands (btminer, Braiins OS,
            // FluxOS): asked once more as what they said they are.
            if let Ok((first, family)) = &r {
                if first.model.is_none() {
                    if let Ok(again) = cgminer::poll(&tcp, Some(*family), limits).await {
                        r = Ok(again);
                    }
                }
            }
            let r = r.map(|(r, family)| {
                let p = if family == Family::FluxOs {
                    Protocol::Fluxos
                } else {
                    Protocol::Cgminer
                };
                (r, p)
            });
            (tcp, r)
        }
        Protocol::WhatsminerV3 => {
            let r = whatsminer_v3::poll(&tcp, limits)
                .await
                .map(|r| (r, protocol));
            (tcp, r)
        }
        Protocol::Axeos => {
            let r = axeos::poll(&url, limits).await.map(|r| (r, protocol));
            (url, r)
        }
        Protocol::BraiinsRest => {
            let login = braiins_rest::Login::from_env(None, |k| std::env::var(k).ok());
            let r = braiins_rest::poll(&url, &login, limits)
                .await
                .map(|r| (r, protocol));
            (url, r)
        }
    }
}

async fn probe(ip: Ipv4Addr, port: u16, limits: ExchangeLimits) -> Vec<Answer> {
    let ports: Vec<(u16, Vec<Protocol>)> = if port == DEFAULT_PORT {
        [4028u16, 4433, 80]
            .into_iter()
            .map(|p| (p, protocols_on(p, true)))
            .collect()
    } else {
        vec![(port, protocols_on(port, false))]
    };
    let mut out = Vec::new();
    for (port, protocols) in ports {
        let mut garbage = None;
        for protocol in protocols {
            match ask(ip, port, protocol, limits).await {
                (address, Ok((r, protocol))) => {
                    let (model, _) = resolve_model(UNKNOWN_MODEL, r.model.as_deref());
                    out.push(Answer::Miner {
                        address,
                        protocol,
                        model,
                        firmware: r.firmware,
                    });
                    garbage = None;
                    break;
                }
                // Nobody listens on this port: no other API will answer there either.
                (_, Err(PollError::ConnectTimeout | PollError::Connect(_))) => break,
                // Something answered, but not as a miner on this API: try the next one.
                (address, Err(_)) => {
                    garbage.get_or_insert(address);
                }
            }
        }
        if let Some(address) = garbage {
            out.push(Answer::Garbage(address));
        }
    }
    if out.is_empty() {
        out.push(Answer::Nothing);
    }
    out
}

/// Scans `range` on `port`. `registered` holds the addresses already in the registry.
pub async fn scan(
    range: Cidr,
    port: u16,
    registered: &HashSet<String>,
    limits: ExchangeLimits,
) -> ScanReport {
    let started = Instant::now();
    let answers: Vec<Answer> = stream::iter(range.hosts())
        .map(|ip| probe(ip, port, limits))
        .buffer_unordered(CONCURRENCY)
        .flat_map(stream::iter)
        .collect()
        .await;
    let mut found = Vec::new();
    let mut unidentified = Vec::new();
    for answer in answers {
        match answer {
            Answer::Miner {
                address,
                protocol,
                model,
                firmware,
            } => found.push(FoundMiner {
                already_registered: registered.contains(&address),
                address,
                protocol,
                model,
                firmware,
                added: false,
            }),
            Answer::Garbage(address) => unidentified.push(address),
            Answer::Nothing => {}
        }
    }
    let order = |a: &str| {
        let a = a.trim_start_matches("http://");
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
