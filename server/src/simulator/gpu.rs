//! A simulated 8-GPU node serving DCGM exporter metrics over HTTP.

use std::fmt::Write;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const GPUS: u32 = 8;

/// The exposition for node `node` at `t` seconds.
pub fn metrics(node: usize, t: f64) -> String {
    let mut out = String::new();
    let metric = |out: &mut String, name: &str, help: &str, values: &dyn Fn(u32) -> f64| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
        for g in 0..GPUS {
            let _ = writeln!(
                out,
                "{name}{{gpu=\"{g}\",UUID=\"GPU-sim-{node:03}-{g}\",device=\"nvidia{g}\",modelName=\"NVIDIA H100 80GB HBM3\",Hostname=\"sim-gpu-node-{node:03}\"}} {}",
                values(g)
            );
        }
    };
    let phase = |g: u32| t / 45.0 + node as f64 * 1.3 + g as f64 * 0.4;
    let util = |g: u32| (80.0 + 18.0 * phase(g).sin()).round();
    metric(
        &mut out,
        "DCGM_FI_DEV_GPU_UTIL",
        "GPU utilization (in %).",
        &|g| util(g),
    );
    metric(
        &mut out,
        "DCGM_FI_DEV_POWER_USAGE",
        "Power draw (in W).",
        &|g| (120.0 + 5.8 * util(g)).round(),
    );
    metric(
        &mut out,
        "DCGM_FI_DEV_GPU_TEMP",
        "GPU temperature (in C).",
        &|g| (45.0 + 0.3 * util(g)).round(),
    );
    metric(
        &mut out,
        "DCGM_FI_DEV_SM_CLOCK",
        "SM clock frequency (in MHz).",
        &|_| 1980.0,
    );
    metric(
        &mut out,
        "DCGM_FI_DEV_FB_USED",
        "Framebuffer memory used (in MiB).",
        &|g| (60_000.0 + 100.0 * util(g)).round(),
    );
    metric(
        &mut out,
        "DCGM_FI_DEV_FB_FREE",
        "Framebuffer memory free (in MiB).",
        &|g| (81_559.0 - 60_000.0 - 100.0 * util(g)).round(),
    );
    // Node 1, GPU 3 has raised XID 79 (fallen off the bus): it must show as degraded.
    metric(
        &mut out,
        "DCGM_FI_DEV_XID_ERRORS",
        "Value of the last XID error encountered.",
        &|g| if node == 1 && g == 3 { 79.0 } else { 0.0 },
    );
    out
}

pub async fn serve(listener: TcpListener, node: usize, epoch: Instant) {
    while let Ok((stream, _)) = listener.accept().await {
        tokio::spawn(answer(stream, node, epoch));
    }
}

async fn answer(mut stream: TcpStream, node: usize, epoch: Instant) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    let read = tokio::time::timeout(Duration::from_secs(2), async {
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 8192 {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await;
    if read.is_err() {
        return;
    }
    let ok = buf.starts_with(b"GET /metrics");
    let body = if ok {
        metrics(node, epoch.elapsed().as_secs_f64())
    } else {
        "not found\n".into()
    };
    let head = if ok { "200 OK" } else { "404 Not Found" };
    let _ = stream.write_all(format!("HTTP/1.0 {head}\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\n\r\n{body}", body.len()).as_bytes()).await;
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    #[test]
    fn exposition_parses_into_eight_gpus_with_one_xid_on_node_1() {
        let g = crate::telemetry::dcgm::extract(&super::metrics(1, 10.0)).unwrap();
        assert_eq!(g.len(), 8);
        assert_eq!(g[3].xid_errors, Some(79.0));
        assert!(g
            .iter()
            .all(|g| g.util_pct.is_some() && g.power_w.is_some()));
        assert_eq!(
            crate::telemetry::dcgm::extract(&super::metrics(0, 10.0)).unwrap()[3].xid_errors,
            Some(0.0)
        );
    }
}
