//! The fleet simulator: ASICs speaking the CGMiner JSON API and GPU nodes serving DCGM
//! Prometheus text, each on its own loopback port. The poller reaches them exactly as it reaches
//! real hardware — through sockets — and does not know they are simulated.
//!
//! Faults are built in so a fresh install shows what the dashboard is for: a failed hashboard,
//! over-temperature, a device gone dark (accepts, never answers), firmware that over-reports
//! (its shares prove less), and a slow responder.

mod asic;
mod fluxos;
mod frame;
mod gpu;
mod modern;
pub mod standalone;

use std::time::Instant;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use app::model::company::site::Site;
use app::model::fleet::catalogue;
use app::model::fleet::devices::DeviceKind;
use app::model::fleet::protocol::Protocol;

use crate::store::DeviceSpec;

pub use asic::{Fault, SimAsic};

/// Simulator size and where its devices listen.
#[derive(Debug, Clone)]
pub struct SimulatorConfig {
    pub asics: usize,
    pub gpu_nodes: usize,
    /// Loopback addresses the devices are spread over (each address has its own ~28,000
    /// ephemeral ports, so large fleets need several).
    pub listen: Vec<std::net::Ipv4Addr>,
    /// Index of the first device: several simulator processes number their devices apart.
    pub first_index: usize,
}

impl SimulatorConfig {
    pub fn new(asics: usize, gpu_nodes: usize) -> Self {
        Self {
            asics,
            gpu_nodes,
            listen: vec![std::net::Ipv4Addr::LOCALHOST],
            first_index: 0,
        }
    }

    fn address(&self, n: usize) -> std::net::SocketAddr {
        let ip = self.listen[n % self.listen.len().max(1)];
        std::net::SocketAddr::from((ip, 0))
    }
}

/// Running simulated devices; dropping it stops them.
pub struct Simulator {
    pub devices: Vec<DeviceSpec>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Simulator {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Which fault device `i` of the fleet carries (a fixed, readable pattern: about 5 % faulty).
pub fn fault_for(i: usize) -> Fault {
    match i % 100 {
        7 => Fault::DeadBoard,
        19 => Fault::OverTemp,
        31 => Fault::Dark,
        43 => Fault::OverReport,
        57 => Fault::Slow,
        // On the machines `machine_for` puts there: a Whatsminer on API v3 and a LuxOS miner.
        51 if i % 200 == 51 => Fault::PsuError,
        65 if i % 200 == 65 => Fault::Nopic,
        _ => Fault::None,
    }
}

/// What machine device `i` is, given the model its site's fleet mix gives it: a few slots hold
/// the machines that speak the newer APIs (so a fresh install shows every protocol the poller
/// reads) and a Canaan Avalon; the sites' modelled fleets are unchanged.
pub fn machine_for(
    i: usize,
    fleet_model: &'static catalogue::AsicModel,
) -> (&'static catalogue::AsicModel, Protocol) {
    let pick = |id: &str| catalogue::asic(id).unwrap_or(fleet_model);
    match (i % 40, i % 80) {
        (_, 39) => (pick("BitaxeGamma"), Protocol::Axeos),
        (11, _) => (pick("M60S"), Protocol::WhatsminerV3),
        (23, _) => (pick("A1566"), Protocol::Cgminer),
        (27, _) => (pick("S21Pro"), Protocol::BraiinsRest),
        (35, _) => (pick("AT2880"), Protocol::Fluxos),
        // The LuxOS slot of a NOPIC-protected miner runs an Antminer whatever the mix.
        _ if i % 200 == 65 && fleet_model.maker != "Bitmain" => (pick("S19XP"), Protocol::Cgminer),
        _ => (fleet_model, Protocol::Cgminer),
    }
}

/// Starts one simulated ASIC of `model` speaking `protocol` on a loopback port (benches and
/// tests of a single protocol); its `DeviceSpec` and the task serving it.
pub async fn start_one(
    index: usize,
    model: &'static catalogue::AsicModel,
    protocol: Protocol,
    fault: Fault,
) -> std::io::Result<(DeviceSpec, JoinHandle<()>)> {
    let listener = TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0)).await?;
    let addr = listener.local_addr()?;
    let sim = SimAsic {
        index,
        model,
        fault,
        epoch: Instant::now(),
        family: if protocol == Protocol::Fluxos {
            crate::telemetry::firmware::Family::FluxOs
        } else {
            asic::family_for(index, model)
        },
        protocol,
    };
    let (task, address) = match protocol {
        Protocol::Cgminer | Protocol::Fluxos => {
            (tokio::spawn(asic::serve(listener, sim)), addr.to_string())
        }
        Protocol::WhatsminerV3 => (tokio::spawn(modern::serve(listener, sim)), addr.to_string()),
        Protocol::BraiinsRest | Protocol::Axeos => (
            tokio::spawn(modern::serve(listener, sim)),
            format!("http://{addr}"),
        ),
    };
    let spec = DeviceSpec {
        id: format!("sim-asic-{index:05}"),
        kind: DeviceKind::Asic,
        model: model.id.to_string(),
        site: "bench".into(),
        address,
        protocol,
        credentials_env: None,
    };
    Ok((spec, task))
}

/// Starts `config.asics` ASICs spread over `sites` in proportion to their fleets' models, and
/// `config.gpu_nodes` 8-GPU nodes at sites with AI contracts.
pub async fn start(config: SimulatorConfig, sites: &[Site]) -> std::io::Result<Simulator> {
    let epoch = Instant::now();
    // (site id, model id, weight)
    let lines: Vec<(String, &'static catalogue::AsicModel, f64)> = sites
        .iter()
        .flat_map(|s| {
            s.fleet.iter().filter_map(move |l| {
                catalogue::asic(&l.model_id).map(|m| (s.id.clone(), m, l.count as f64))
            })
        })
        .collect();
    let total: f64 = lines.iter().map(|l| l.2).sum();
    let mut devices = Vec::new();
    let mut tasks = Vec::new();
    if total > 0.0 {
        for n in 0..config.asics {
            let i = config.first_index + n;
            // Walk the cumulative weights so the mix follows the fleets.
            let mut target = (n as f64 + 0.5) / config.asics as f64 * total;
            let (site, model, _) = lines
                .iter()
                .find(|l| {
                    target -= l.2;
                    target <= 0.0
                })
                .unwrap_or(&lines[lines.len() - 1]);
            let (model, protocol) = machine_for(i, model);
            let listener = TcpListener::bind(config.address(n)).await?;
            let addr = listener.local_addr()?;
            let sim = SimAsic {
                index: i,
                model,
                fault: fault_for(i),
                epoch,
                family: asic::family_for(i, model),
                protocol,
            };
            let address = match protocol {
                Protocol::Cgminer | Protocol::Fluxos => {
                    tasks.push(tokio::spawn(asic::serve(listener, sim)));
                    addr.to_string()
                }
                Protocol::WhatsminerV3 => {
                    tasks.push(tokio::spawn(modern::serve(listener, sim)));
                    addr.to_string()
                }
                Protocol::BraiinsRest | Protocol::Axeos => {
                    tasks.push(tokio::spawn(modern::serve(listener, sim)));
                    format!("http://{addr}")
                }
            };
            devices.push(DeviceSpec {
                id: format!("sim-asic-{i:05}"),
                kind: DeviceKind::Asic,
                model: model.id.to_string(),
                site: site.clone(),
                address,
                protocol,
                credentials_env: None,
            });
        }
    }
    let ai_sites: Vec<&Site> = sites.iter().filter(|s| !s.contracts.is_empty()).collect();
    for n in 0..config.gpu_nodes {
        let Some(site) = ai_sites.get(n % ai_sites.len().max(1)) else {
            break;
        };
        let listener = TcpListener::bind(config.address(n)).await?;
        let addr = listener.local_addr()?;
        tasks.push(tokio::spawn(gpu::serve(listener, n, epoch)));
        devices.push(DeviceSpec {
            id: format!("sim-gpu-node-{:03}", config.first_index + n),
            kind: DeviceKind::Gpu,
            model: "H100-SXM".into(),
            site: site.id.clone(),
            address: format!("http://{addr}/metrics"),
            protocol: Protocol::Cgminer,
            credentials_env: None,
        });
    }
    Ok(Simulator { devices, tasks })
}
