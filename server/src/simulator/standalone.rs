//! `rigshift simulate`: the fleet simulator as its own process, for fleets larger than one
//! process's open-file limit (one process per ~15,000 devices) and for multi-replica setups. It
//! binds its devices over several loopback addresses, writes a fleet file the server polls
//! (`rigshift serve --fleet FILE --simulator=false`), and runs until SIGTERM or Ctrl-C.

use std::fmt::Write as _;
use std::net::Ipv4Addr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use app::model::fleet::devices::DeviceKind;

use super::{start, SimulatorConfig};
use crate::store::DeviceSpec;

#[derive(Debug, Clone, Args)]
pub struct SimulateArgs {
    /// Simulated ASICs in this process.
    #[arg(long, default_value_t = 1_000)]
    pub asics: usize,
    /// Simulated 8-GPU DCGM nodes in this process.
    #[arg(long, default_value_t = 0)]
    pub gpu_nodes: usize,
    /// Loopback addresses to listen on: one (`127.0.0.2`), a range (`127.0.0.2-127.0.0.9`) or a
    /// comma list.
    #[arg(long, default_value = "127.0.0.1", value_parser = parse_addresses)]
    pub listen: Addresses,
    /// Number of the first device (run several processes with distinct ranges).
    #[arg(long, default_value_t = 0)]
    pub first_index: usize,
    /// Where to write the fleet file for `rigshift serve --fleet`.
    #[arg(long, default_value = "simulated-fleet.toml")]
    pub fleet_out: PathBuf,
}

#[derive(Debug, Clone)]
pub struct Addresses(pub Vec<Ipv4Addr>);

fn parse_addresses(s: &str) -> Result<Addresses, String> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (Ipv4Addr, Ipv4Addr) = (
                    a.trim().parse().map_err(|e| format!("{a}: {e}"))?,
                    b.trim().parse().map_err(|e| format!("{b}: {e}"))?,
                );
                let (a, b) = (u32::from(a), u32::from(b));
                if b < a || b - a > 255 {
                    return Err(format!("{part}: at most 256 addresses, low to high"));
                }
                out.extend((a..=b).map(Ipv4Addr::from));
            }
            None => out.push(part.parse().map_err(|e| format!("{part}: {e}"))?),
        }
    }
    if out.is_empty() {
        return Err("no address".into());
    }
    if let Some(a) = out.iter().find(|a| !a.is_loopback()) {
        return Err(format!(
            "{a} is not a loopback address: simulated devices stay on this machine"
        ));
    }
    Ok(Addresses(out))
}

/// The fleet file naming every simulated device (ids, addresses, sites, models).
pub fn fleet_file(devices: &[DeviceSpec]) -> String {
    let mut out = String::from(
        "# Written by `rigshift simulate`: simulated devices for `rigshift serve --fleet`.\n",
    );
    for d in devices {
        let (table, key) = match d.kind {
            DeviceKind::Asic => ("asic", "address"),
            DeviceKind::Gpu => ("gpu", "url"),
        };
        let _ = write!(
            out,
            "\n[[{table}]]\nid = \"{}\"\n{key} = \"{}\"\nsite = \"{}\"\nmodel = \"{}\"\n",
            d.id, d.address, d.site, d.model
        );
    }
    out
}

pub async fn run(args: SimulateArgs) -> anyhow::Result<()> {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(n) if (n as usize) < args.asics + args.gpu_nodes + 64 => tracing::warn!(
            limit = n,
            "the open-file limit is below the device count: run several processes"
        ),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "could not raise the open file limit"),
    }
    let sites = crate::store::example_sites()?;
    let sim = start(
        SimulatorConfig {
            asics: args.asics,
            gpu_nodes: args.gpu_nodes,
            listen: args.listen.0.clone(),
            first_index: args.first_index,
        },
        &sites,
    )
    .await
    .context("starting the simulated devices (is the open-file limit high enough?)")?;
    // Written whole, then renamed: a server never reads half a file.
    let tmp = args.fleet_out.with_extension("toml.tmp");
    std::fs::write(&tmp, fleet_file(&sim.devices))
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, &args.fleet_out)
        .with_context(|| format!("writing {}", args.fleet_out.display()))?;
    tracing::info!(
        devices = sim.devices.len(),
        fleet = %args.fleet_out.display(),
        "simulated fleet listening; serve it with `rigshift serve --fleet {} --simulator=false`",
        args.fleet_out.display()
    );
    crate::signals::termination().await;
    drop(sim);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_ranges_stay_on_loopback() {
        assert_eq!(parse_addresses("127.0.0.2-127.0.0.4").unwrap().0.len(), 3);
        assert_eq!(parse_addresses("127.0.0.1,127.0.0.9").unwrap().0.len(), 2);
        assert!(parse_addresses("10.0.0.1").is_err());
        assert!(parse_addresses("127.0.0.9-127.0.0.2").is_err());
        assert!(parse_addresses("").is_err());
    }

    #[test]
    fn the_fleet_file_reads_back_as_the_same_devices() {
        let devices = vec![
            DeviceSpec {
                id: "sim-asic-00007".into(),
                kind: DeviceKind::Asic,
                model: "S21".into(),
                site: "pecos-ridge".into(),
                address: "127.0.0.3:40001".into(),
                credentials_env: None,
                protocol: Default::default(),
            },
            DeviceSpec {
                id: "sim-gpu-node-000".into(),
                kind: DeviceKind::Gpu,
                model: "H100-SXM".into(),
                site: "muskogee".into(),
                address: "http://127.0.0.2:40002/metrics".into(),
                credentials_env: None,
                protocol: Default::default(),
            },
        ];
        let back = crate::fleet_file::parse("sim.toml", &fleet_file(&devices)).unwrap();
        assert_eq!(back, devices);
    }
}
