//! The fleet simulator: ASICs speaking the CGMiner JSON API and GPU nodes serving DCGM
//! Prometheus text, each on its own loopback port. The poller reaches them exactly as it reaches
//! real hardware — through sockets — and does not know they are simulated.
//!
//! Faults are built in so a fresh install shows what the dashboard is for: a failed hashboard,
//! over-temperature, a device gone dark (accepts, never answers), firmware that over-reports
//! (its shares prove less), and a slow responder.

mod asic;
mod gpu;
pub mod standalone;

use std::time::Instant;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use app::model::company::site::Site;
use app::model::fleet::catalogue;
use app::model::fleet::devices::DeviceKind;

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
        _ => Fault::None,
    }
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
            // One machine in forty is a Canaan Avalon, so a fresh install shows every firmware
            // family the poller reads (the site's modelled fleet is unchanged).
            let model: &'static catalogue::AsicModel = if i % 40 == 23 {
                catalogue::asic("A1566").unwrap_or(model)
            } else {
                model
            };
            let listener = TcpListener::bind(config.address(n)).await?;
            let addr = listener.local_addr()?;
            let sim = SimAsic {
                index: i,
                model,
                fault: fault_for(i),
                epoch,
                family: asic::family_for(i, model),
            };
            tasks.push(tokio::spawn(asic::serve(listener, sim)));
            devices.push(DeviceSpec {
                id: format!("sim-asic-{i:05}"),
                kind: DeviceKind::Asic,
                model: model.id.to_string(),
                site: site.clone(),
                address: addr.to_string(),
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
        });
    }
    Ok(Simulator { devices, tasks })
}
