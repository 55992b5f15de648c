//! A simulated 8-GPU node serving DCGM exporter metrics over HTTP.

use std::fmt::Write;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const GPUS: u32 = 8;

/// What is wrong with a simulated node: one GPU of each of the first four nodes of every fifty
/// (so a fresh install shows each reason DCGM can give, and a large fleet stays mostly healthy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GpuFault {
    None,
    /// GPU 6 runs hot enough that its clocks are held down (thermal slowdown bits).
    ThermalThrottle,
    /// GPU 3 has fallen off the bus (Xid 79): it reads zero and does no work.
    FellOffTheBus,
    /// GPU 5 logged an uncorrectable ECC error and waits for a reset to remap the row.
    RowRemapPending,
    /// GPU 1 sits at its power limit with the software power cap holding its clocks.
    PowerCapped,
}

impl GpuFault {
    pub fn of_node(node: usize) -> Self {
        match node % 50 {
            0 => GpuFault::ThermalThrottle,
            1 => GpuFault::FellOffTheBus,
            2 => GpuFault::RowRemapPending,
            3 => GpuFault::PowerCapped,
            _ => GpuFault::None,
        }
    }

    /// The GPU of the node that carries the fault.
    fn gpu(self) -> Option<u32> {
        match self {
            GpuFault::None => None,
            GpuFault::ThermalThrottle => Some(6),
            GpuFault::FellOffTheBus => Some(3),
            GpuFault::RowRemapPending => Some(5),
            GpuFault::PowerCapped => Some(1),
        }
    }
}

/// One GPU's figures at one moment.
struct GpuFigures {
    util: f64,
    power_w: f64,
    temp_c: f64,
    sm_clock: f64,
    xid: u32,
    ecc_dbe: u64,
    row_remap_pending: bool,
    clock_events: u64,
    tensor_active: f64,
}

fn figures(node: usize, g: u32, t: f64) -> GpuFigures {
    let phase = t / 45.0 + node as f64 * 1.3 + g as f64 * 0.4;
    let util = (80.0 + 18.0 * phase.sin()).round();
    let mut f = GpuFigures {
        util,
        power_w: (120.0 + 5.8 * util).round(),
        temp_c: (45.0 + 0.3 * util).round(),
        sm_clock: 1980.0,
        xid: 0,
        ecc_dbe: 0,
        row_remap_pending: false,
        clock_events: 0,
        tensor_active: (util / 100.0 * 0.62 * 1000.0).round() / 1000.0,
    };
    let fault = GpuFault::of_node(node);
    if fault.gpu() != Some(g) {
        return f;
    }
    match fault {
        GpuFault::None => {}
        GpuFault::ThermalThrottle => {
            f.temp_c = 84.0;
            f.sm_clock = 1410.0;
            f.clock_events = 0x20 | 0x40;
        }
        GpuFault::FellOffTheBus => {
            f = GpuFigures {
                util: 0.0,
                power_w: 0.0,
                sm_clock: 0.0,
                xid: 79,
                tensor_active: 0.0,
                ..f
            };
        }
        GpuFault::RowRemapPending => {
            f.xid = 63;
            f.ecc_dbe = 1;
            f.row_remap_pending = true;
        }
        GpuFault::PowerCapped => {
            f.power_w = 700.0;
            f.sm_clock = 1755.0;
            f.clock_events = 0x4;
        }
    }
    f
}

/// One exported field: name, Prometheus type, help, and its value for (GPU, figures, t).
type Field = (
    &'static str,
    &'static str,
    &'static str,
    fn(u32, &GpuFigures, f64) -> f64,
);

/// The fields every simulated exporter serves, in the exporter's own order and words.
const FIELDS: [Field; 14] = [
    (
        "DCGM_FI_DEV_GPU_UTIL",
        "gauge",
        "GPU utilization (in %).",
        |_, f, _| f.util,
    ),
    (
        "DCGM_FI_DEV_POWER_USAGE",
        "gauge",
        "Power draw (in W).",
        |_, f, _| f.power_w,
    ),
    (
        "DCGM_FI_DEV_GPU_TEMP",
        "gauge",
        "GPU temperature (in C).",
        |_, f, _| f.temp_c,
    ),
    (
        "DCGM_FI_DEV_SM_CLOCK",
        "gauge",
        "SM clock frequency (in MHz).",
        |_, f, _| f.sm_clock,
    ),
    (
        "DCGM_FI_DEV_FB_USED",
        "gauge",
        "Framebuffer memory used (in MiB).",
        |_, f, _| (60_000.0 + 100.0 * f.util).round(),
    ),
    (
        "DCGM_FI_DEV_FB_FREE",
        "gauge",
        "Framebuffer memory free (in MiB).",
        |_, f, _| (81_559.0 - 60_000.0 - 100.0 * f.util).round(),
    ),
    (
        "DCGM_FI_DEV_XID_ERRORS",
        "gauge",
        "Value of the last XID error encountered.",
        |_, f, _| f64::from(f.xid),
    ),
    (
        "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL",
        "counter",
        "Total number of single-bit volatile ECC errors.",
        |g, _, _| f64::from(g % 3),
    ),
    (
        "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL",
        "counter",
        "Total number of double-bit volatile ECC errors.",
        |_, f, _| f.ecc_dbe as f64,
    ),
    (
        "DCGM_FI_DEV_ROW_REMAP_PENDING",
        "gauge",
        "Whether remapping of rows is pending.",
        |_, f, _| f64::from(u8::from(f.row_remap_pending)),
    ),
    (
        "DCGM_FI_DEV_ROW_REMAP_FAILURE",
        "gauge",
        "Whether remapping of rows has failed.",
        |_, _, _| 0.0,
    ),
    (
        "DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL",
        "counter",
        "Total number of NVLink flow-control CRC errors.",
        |g, _, _| f64::from(g / 4),
    ),
    (
        "DCGM_FI_DEV_PCIE_REPLAY_COUNTER",
        "counter",
        "Total number of PCIe retries.",
        |_, _, _| 0.0,
    ),
    // Energy since the driver loaded (mJ): a day's worth before the simulator started, then
    // the power drawn since (W × s × 1000).
    (
        "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION",
        "counter",
        "Total energy consumption since boot (in mJ).",
        |g, f, t| ((86_400.0 * (600.0 + 10.0 * f64::from(g)) + t * f.power_w) * 1000.0).round(),
    ),
];

const CLOCKS_EVENT_REASONS: Field = (
    "DCGM_FI_DEV_CLOCKS_EVENT_REASONS",
    "gauge",
    "Current clock event reasons (bitmask).",
    |_, f, _| f.clock_events as f64,
);
const CLOCK_THROTTLE_REASONS: Field = (
    "DCGM_FI_DEV_CLOCK_THROTTLE_REASONS",
    "gauge",
    "Current clock throttle reasons (bitmask).",
    |_, f, _| f.clock_events as f64,
);
const TENSOR_ACTIVE: Field = (
    "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE",
    "gauge",
    "Ratio of cycles the tensor (HMMA) pipe is active.",
    |_, f, _| f.tensor_active,
);

/// The exposition for node `node` at `t` seconds. Even nodes speak a DCGM 3.3+ exporter
/// (clocks-event reasons, `err_code` on Xid); odd ones an older one (throttle reasons); every
/// fourth node has no profiling module (no `DCGM_FI_PROF_*`).
pub fn metrics(node: usize, t: f64) -> String {
    let newer = node % 2 == 0;
    let gpus: Vec<GpuFigures> = (0..GPUS).map(|g| figures(node, g, t)).collect();
    let events = if newer {
        CLOCKS_EVENT_REASONS
    } else {
        CLOCK_THROTTLE_REASONS
    };
    let profiling = (node % 4 != 3).then_some(TENSOR_ACTIVE);
    let mut out = String::with_capacity(24 * 1024);
    for (name, kind, help, value) in FIELDS.into_iter().chain([events]).chain(profiling) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for (g, f) in (0..GPUS).zip(&gpus) {
            let _ = write!(
                out,
                "{name}{{gpu=\"{g}\",UUID=\"GPU-sim-{node:03}-{g}\",device=\"nvidia{g}\",modelName=\"NVIDIA H100 80GB HBM3\",Hostname=\"sim-gpu-node-{node:03}\""
            );
            if newer && name == "DCGM_FI_DEV_XID_ERRORS" {
                let _ = write!(out, ",err_code=\"{}\"", f.xid);
            }
            let _ = writeln!(out, "}} {}", value(g, f, t));
        }
    }
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
    use app::model::fleet::diagnosis::gpu_status;
    use app::model::fleet::reason::Reason;

    use crate::telemetry::dcgm::extract;

    #[test]
    fn each_faulty_node_shows_its_reason_and_the_rest_are_healthy() {
        let reasons = |node| -> Vec<Option<Reason>> {
            extract(&super::metrics(node, 10.0))
                .unwrap()
                .iter()
                .map(|g| gpu_status(g).1)
                .collect()
        };
        let expect = [
            (0, 6, Reason::ThermalThrottle),
            (1, 3, Reason::FatalXid { xid: 79 }),
            (2, 5, Reason::RowRemapPending),
            (3, 1, Reason::PowerCap),
        ];
        for (node, gpu, reason) in expect {
            let r = reasons(node);
            assert_eq!(r.len(), 8);
            for (g, got) in r.iter().enumerate() {
                let want = (g == gpu).then(|| reason.clone());
                assert_eq!(got, &want, "node {node} gpu {g}");
            }
        }
        assert!(reasons(4).iter().all(Option::is_none));
        // Node 3 speaks an exporter without profiling; node 2 the newer field names.
        let no_dcp = extract(&super::metrics(3, 10.0)).unwrap();
        assert!(no_dcp.iter().all(|g| g.health.tensor_active.is_none()));
        let newer = extract(&super::metrics(2, 10.0)).unwrap();
        assert!(newer
            .iter()
            .all(|g| g.health.tensor_active.is_some() && g.health.clock_events.is_some()));
        // The energy counter grows with the power drawn.
        let e = |t| {
            extract(&super::metrics(4, t)).unwrap()[0]
                .health
                .energy_kwh
                .unwrap()
        };
        assert!(e(3600.0) > e(0.0));
    }
}
