//! English words for reasons, runbooks and GPU health.

use super::reasons_words::firmware_words;
use super::texts::ReasonTexts;
use crate::model::ai::gpu_health::ClockEvent;
use crate::model::fleet::devices::PowerSource;
use crate::model::fleet::reason::{Reason, ReasonCode};

/// What a fatal Xid means (NVIDIA's Xid catalogue).
fn xid_meaning(xid: u32) -> &'static str {
    match xid {
        48 => "double-bit ECC error",
        62 => "internal micro-controller halt",
        64 => "row remap failure",
        74 => "NVLink error",
        79 => "fallen off the bus",
        95 => "uncontained ECC error",
        119 => "GSP RPC timeout",
        120 => "GSP error",
        140 => "unrecovered ECC error",
        _ => "GPU needs a reset",
    }
}

pub(super) const REASONS: ReasonTexts = ReasonTexts {
    column: "Reason",
    any: "Any reason",
    none: "Nothing wrong",
    label: |c| match c {
        ReasonCode::Offline => "Offline",
        ReasonCode::PsuFault => "PSU fault",
        ReasonCode::ProtectionStop => "Stopped by protection",
        ReasonCode::FirmwareFault => "Firmware fault",
        ReasonCode::SensorFault => "Sensor fault",
        ReasonCode::FatalXid => "Fatal Xid",
        ReasonCode::RowRemapFailure => "Row remap failed",
        ReasonCode::RowRemapPending => "Needs reset (row remap)",
        ReasonCode::EccUncorrectable => "Uncorrectable ECC",
        ReasonCode::HashboardDown => "Hashboard down",
        ReasonCode::FanFailure => "Fan failure",
        ReasonCode::OverTemperature => "Over temperature",
        ReasonCode::ThermalThrottle => "Thermal throttle",
        ReasonCode::HwSlowdown => "Hardware slowdown",
        ReasonCode::PowerCap => "Power cap",
        ReasonCode::Curtailed => "Curtailed by schedule",
        ReasonCode::OverReporting => "Over-reporting firmware",
        ReasonCode::LowHashrate => "Low hashrate",
        ReasonCode::Xid => "Application Xid",
        ReasonCode::ModelMismatch => "Model mismatch",
    },
    describe: |r| match r {
        Reason::Offline => "offline: not answering its poll".into(),
        Reason::PsuFault { report } => format!("power supply fault — {}", firmware_words(report)),
        Reason::ProtectionStop { report } => {
            format!(
                "stopped by the firmware's protection — {}",
                firmware_words(report)
            )
        }
        Reason::FirmwareFault { report } => {
            format!("firmware reports — {}", firmware_words(report))
        }
        Reason::SensorFault { report } => format!("sensor failed — {}", firmware_words(report)),
        Reason::FatalXid { xid } => format!("fatal Xid {xid}: {}", xid_meaning(*xid)),
        Reason::RowRemapFailure => "row remap failed: no spare memory rows left".into(),
        Reason::RowRemapPending => "needs reset: a row remap is pending".into(),
        Reason::EccUncorrectable { errors } => {
            format!("{errors} uncorrectable ECC error(s) since the driver loaded")
        }
        Reason::HashboardDown { board } => format!("hashboard {board} down"),
        Reason::FanFailure { fan } => format!("fan {fan} stopped"),
        Reason::OverTemperature { celsius } => format!("over temperature ({celsius:.0} °C)"),
        Reason::ThermalThrottle => "thermal throttle: clocks held down by heat".into(),
        Reason::HwSlowdown => "hardware slowdown: the board or PSU slows the GPU".into(),
        Reason::PowerCap => "power cap: clocks held down by the power limit".into(),
        Reason::Curtailed => "curtailed by the site's power schedule".into(),
        Reason::OverReporting {
            reported_ths,
            proven_ths,
        } => format!("reports {reported_ths:.0} TH/s, shares prove {proven_ths:.0} TH/s"),
        Reason::LowHashrate { percent } => format!("hashrate {percent:.0} % of nameplate"),
        Reason::Xid { xid } => format!("Xid {xid}: an application fault, the GPU goes on"),
        Reason::ModelMismatch {
            registered,
            reported,
        } => format!("registered as {registered}, the device reports {reported}"),
    },
    runbook: |c| {
        match c {
        ReasonCode::Offline => "Check power and network to the machine (ping, switch port, PDU outlet); if it answers ping but not its API port, restart the miner software or the exporter.",
        ReasonCode::PsuFault => "Check the PSU's input voltage and its cable and breaker; power-cycle the machine; if the PSU error returns, swap the power supply.",
        ReasonCode::ProtectionStop => "The firmware stopped the machine to protect it: read the firmware's code (linked) before restarting; for NOPIC, check the hashboards' power and data cables, then restart.",
        ReasonCode::FirmwareFault => "Read the firmware's code and its documentation (linked); reboot the miner, and if a board keeps failing, reseat or swap it.",
        ReasonCode::SensorFault => "A temperature sensor stopped answering: the machine hashes on but its cooling cannot see that board; reseat the board at the next visit.",
        ReasonCode::FatalXid => "Drain the node's jobs, then reset the GPU (nvidia-smi -r) or reboot the node; if the Xid returns within a day, open an RMA with the GPU's serial.",
        ReasonCode::RowRemapFailure => "The GPU's memory has no spare rows left: drain the node and replace the GPU (RMA).",
        ReasonCode::RowRemapPending => "Drain the node and reset the GPU at the next maintenance window so the spare row takes effect.",
        ReasonCode::EccUncorrectable => "Drain the node, reset the GPU and run DCGM diagnostics (dcgmi diag -r 3); errors that repeat mean an RMA.",
        ReasonCode::HashboardDown => "Reseat the hashboard's data cable and power connector; if it still reads no chips, swap the board.",
        ReasonCode::FanFailure => "Replace the fan; until then run the machine on a low-power profile.",
        ReasonCode::OverTemperature => "Check the intake temperature, airflow and filters; lower the power profile until it cools.",
        ReasonCode::ThermalThrottle => "Check the rack's inlet temperature and the node's fans or coolant flow: the GPU slows itself down to survive.",
        ReasonCode::HwSlowdown => "The board or a power supply asked the GPU to slow down: check the PSUs and the node's power feed.",
        ReasonCode::PowerCap => "The power limit holds the clocks: compare nvidia-smi -q -d POWER with the hall's power budget and raise the limit if the contract allows.",
        ReasonCode::Curtailed => "Curtailed by the site's power schedule: it resumes by itself when the price falls below the strike.",
        ReasonCode::OverReporting => "The firmware reports more than the pool credits: check the pool's worker figures and flash the maker's firmware.",
        ReasonCode::LowHashrate => "Check each hashboard's rate and chip count, then the power profile and the pool's reject rate.",
        ReasonCode::Xid => "An application's fault, not the GPU's: tell the tenant; reset only if it repeats without a change of workload.",
        ReasonCode::ModelMismatch => "Correct the registration (fleet file or API), or check what is installed at this address.",
    }
    },
    runbook_title: "What to do",
    firmware_docs: "maker's page",
    power_from: |s| match s {
        PowerSource::Miner => "reported by the miner",
        PowerSource::Psu => "measured by its power supply",
        PowerSource::Nameplate => "nameplate: the firmware reports no power",
    },
    health_title: "GPU health (DCGM)",
    last_xid: "Last Xid",
    no_xid: "none since the driver loaded",
    ecc: "ECC errors",
    ecc_counts: |dbe, sbe| format!("{dbe} uncorrectable, {sbe} corrected"),
    row_remap: "Row remap",
    remap_failed: "failed",
    remap_pending: "pending (needs reset)",
    remap_ok: "none pending",
    nvlink_crc: "NVLink CRC errors",
    pcie_replays: "PCIe replays",
    clock_events: "Clock events",
    clocks_full: "none: full clocks",
    clock_event: |e| match e {
        ClockEvent::GpuIdle => "idle",
        ClockEvent::ApplicationsClocks => "applications clocks",
        ClockEvent::SwPowerCap => "software power cap",
        ClockEvent::HwSlowdown => "hardware slowdown",
        ClockEvent::SyncBoost => "sync boost",
        ClockEvent::SwThermalSlowdown => "software thermal slowdown",
        ClockEvent::HwThermalSlowdown => "hardware thermal slowdown",
        ClockEvent::HwPowerBrakeSlowdown => "power brake",
        ClockEvent::DisplayClocks => "display clocks",
    },
    tensor_active: "Tensor cores active",
    energy: "Energy since the driver loaded",
    not_exported: "not exported",
};
