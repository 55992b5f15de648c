//! What DCGM says about a GPU's health beyond utilisation and temperature: the last Xid, ECC and
//! row-remap state, NVLink and PCIe link errors, why its clocks are held down, tensor-core
//! activity and its energy counter. Pure: the exporter's figures in, verdicts out.

use serde::{Deserialize, Serialize};

/// One reason NVML gives for running the clocks below their maximum
/// (`nvmlClocksEventReasons`; DCGM exports the bitmask as `DCGM_FI_DEV_CLOCKS_EVENT_REASONS`,
/// formerly `DCGM_FI_DEV_CLOCK_THROTTLE_REASONS` — the bits are the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ClockEvent {
    /// Nothing is running: clocks idle down. Not a fault.
    GpuIdle,
    /// Clocks held at the applications-clocks setting.
    ApplicationsClocks,
    /// The software power cap (the configured power limit) holds the clocks down.
    SwPowerCap,
    /// Hardware slowdown: the GPU or the board asked for it (thermal or power-brake signals).
    HwSlowdown,
    /// Sync boost: clocks matched to the slowest GPU of a sync-boost group.
    SyncBoost,
    /// The driver slows the clocks because the GPU or its memory is too hot.
    SwThermalSlowdown,
    /// The hardware itself slows the clocks on temperature.
    HwThermalSlowdown,
    /// The external power-brake signal (the PSU or the rack asked for less power).
    HwPowerBrakeSlowdown,
    /// Display clock setting.
    DisplayClocks,
}

impl ClockEvent {
    pub const ALL: [ClockEvent; 9] = [
        ClockEvent::GpuIdle,
        ClockEvent::ApplicationsClocks,
        ClockEvent::SwPowerCap,
        ClockEvent::HwSlowdown,
        ClockEvent::SyncBoost,
        ClockEvent::SwThermalSlowdown,
        ClockEvent::HwThermalSlowdown,
        ClockEvent::HwPowerBrakeSlowdown,
        ClockEvent::DisplayClocks,
    ];

    /// The NVML bit (`nvmlClocksEventReasonGpuIdle` = 0x1 … `DisplayClockSetting` = 0x100).
    pub fn bit(self) -> u64 {
        match self {
            ClockEvent::GpuIdle => 0x1,
            ClockEvent::ApplicationsClocks => 0x2,
            ClockEvent::SwPowerCap => 0x4,
            ClockEvent::HwSlowdown => 0x8,
            ClockEvent::SyncBoost => 0x10,
            ClockEvent::SwThermalSlowdown => 0x20,
            ClockEvent::HwThermalSlowdown => 0x40,
            ClockEvent::HwPowerBrakeSlowdown => 0x80,
            ClockEvent::DisplayClocks => 0x100,
        }
    }

    /// Snake-case code (API, CSV, metrics labels).
    pub fn code(self) -> &'static str {
        match self {
            ClockEvent::GpuIdle => "gpu_idle",
            ClockEvent::ApplicationsClocks => "applications_clocks",
            ClockEvent::SwPowerCap => "sw_power_cap",
            ClockEvent::HwSlowdown => "hw_slowdown",
            ClockEvent::SyncBoost => "sync_boost",
            ClockEvent::SwThermalSlowdown => "sw_thermal_slowdown",
            ClockEvent::HwThermalSlowdown => "hw_thermal_slowdown",
            ClockEvent::HwPowerBrakeSlowdown => "hw_power_brake_slowdown",
            ClockEvent::DisplayClocks => "display_clocks",
        }
    }
}

/// A clock-events bitmask as DCGM reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ClockEvents(pub u64);

impl ClockEvents {
    /// The exporter writes the mask as a float; a negative, fractional or non-finite value is
    /// not a mask.
    pub fn from_sample(v: f64) -> Option<Self> {
        (v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < 2f64.powi(53))
            .then_some(ClockEvents(v as u64))
    }

    pub fn has(self, e: ClockEvent) -> bool {
        self.0 & e.bit() != 0
    }

    /// Every reason set, in bit order.
    pub fn decode(self) -> Vec<ClockEvent> {
        ClockEvent::ALL
            .into_iter()
            .filter(|e| self.has(*e))
            .collect()
    }

    /// Bits NVML has not defined (yet): kept, shown as a number.
    pub fn unknown_bits(self) -> u64 {
        self.0 & !ClockEvent::ALL.iter().fold(0, |m, e| m | e.bit())
    }

    pub fn thermal(self) -> bool {
        self.has(ClockEvent::SwThermalSlowdown) || self.has(ClockEvent::HwThermalSlowdown)
    }

    pub fn power_capped(self) -> bool {
        self.has(ClockEvent::SwPowerCap) || self.has(ClockEvent::HwPowerBrakeSlowdown)
    }
}

/// Xid codes after which the GPU does no useful work until it is reset or replaced (NVIDIA's
/// Xid catalogue: the ones whose action is a GPU reset, a node reboot or an RMA).
/// 48 double-bit ECC; 62 internal micro-controller halt; 64 row remap failure; 74 NVLink error;
/// 79 fallen off the bus; 95 uncontained ECC; 119/120 GSP timeout/error; 140 unrecovered ECC.
const FATAL_XIDS: [u32; 9] = [48, 62, 64, 74, 79, 95, 119, 120, 140];

/// True when Xid `code` takes the GPU out of service (13, 31, 43 and their kind are an
/// application's fault: the GPU goes on).
pub fn xid_is_fatal(code: u32) -> bool {
    FATAL_XIDS.contains(&code)
}

/// DCGM's health fields of one GPU, as last scraped (`None`: the exporter does not export it).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct GpuHealth {
    /// The last Xid raised (`DCGM_FI_DEV_XID_ERRORS`; 0 = none since the driver loaded).
    pub xid: Option<u32>,
    /// Volatile double-bit (uncorrectable) ECC errors since the driver loaded.
    pub ecc_dbe: Option<u64>,
    /// Volatile single-bit (corrected) ECC errors.
    pub ecc_sbe: Option<u64>,
    /// A row remap waits for a GPU reset (`DCGM_FI_DEV_ROW_REMAP_PENDING`).
    pub row_remap_pending: Option<bool>,
    /// A row could not be remapped: the memory is out of spare rows (`…_ROW_REMAP_FAILURE`).
    pub row_remap_failure: Option<bool>,
    /// NVLink flow-control CRC errors over all links.
    pub nvlink_crc_errors: Option<u64>,
    /// Why the clocks are held down (bitmask).
    pub clock_events: Option<ClockEvents>,
    /// Share of cycles the tensor pipes were active, 0–1 (profiling field: absent on exporters
    /// without DCP).
    pub tensor_active: Option<f64>,
    /// Energy since the driver loaded, kWh (`DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION`, mJ).
    pub energy_kwh: Option<f64>,
    /// PCIe replays (link retries).
    pub pcie_replays: Option<u64>,
}

/// Millijoules in a kilowatt-hour.
pub const MJ_PER_KWH: f64 = 3.6e9;

/// A counter or gauge read as a non-negative whole number.
pub fn count(v: f64) -> Option<u64> {
    (v.is_finite() && v >= 0.0).then(|| v.round() as u64)
}

/// A 0/1 gauge as a flag.
pub fn flag(v: f64) -> Option<bool> {
    v.is_finite().then_some(v > 0.5)
}

/// Energy across GPUs, kWh; `None` when no GPU reports its counter.
pub fn total_energy_kwh<'a>(gpus: impl IntoIterator<Item = &'a GpuHealth>) -> Option<f64> {
    gpus.into_iter()
        .filter_map(|g| g.energy_kwh)
        .fold(None, |sum, e| Some(sum.unwrap_or(0.0) + e))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each row: the mask DCGM reported → the reasons NVML's header defines for it.
    #[test]
    fn clock_event_masks_decode_bit_by_bit() {
        use ClockEvent::*;
        let table: [(f64, &[ClockEvent], u64); 8] = [
            (0.0, &[], 0),
            (1.0, &[GpuIdle], 0),
            (4.0, &[SwPowerCap], 0),
            (0x20 as f64, &[SwThermalSlowdown], 0),
            (0x48 as f64, &[HwSlowdown, HwThermalSlowdown], 0),
            (0x84 as f64, &[SwPowerCap, HwPowerBrakeSlowdown], 0),
            (0x1ff as f64, &ClockEvent::ALL, 0),
            (0x1204 as f64, &[SwPowerCap], 0x1200),
        ];
        for (raw, reasons, unknown) in table {
            let m = ClockEvents::from_sample(raw).unwrap();
            assert_eq!(m.decode(), reasons, "mask {raw}");
            assert_eq!(m.unknown_bits(), unknown, "mask {raw}");
        }
        assert!(ClockEvents(0x40).thermal() && !ClockEvents(0x40).power_capped());
        assert!(ClockEvents(0x80).power_capped() && !ClockEvents(0x80).thermal());
        assert!(!ClockEvents(0x1).thermal() && !ClockEvents(0x1).power_capped());
        for bad in [-1.0, 2.5, f64::NAN, f64::INFINITY] {
            assert_eq!(ClockEvents::from_sample(bad), None, "{bad}");
        }
    }

    #[test]
    fn fatal_xids_are_the_ones_that_take_the_gpu_out() {
        for x in [48, 79, 64, 95, 119] {
            assert!(xid_is_fatal(x), "{x}");
        }
        for x in [0, 13, 31, 43, 63, 94] {
            assert!(!xid_is_fatal(x), "{x}");
        }
    }

    #[test]
    fn energy_sums_what_is_reported() {
        let g = |e| GpuHealth {
            energy_kwh: e,
            ..Default::default()
        };
        assert_eq!(total_energy_kwh(&[g(None), g(None)]), None);
        assert_eq!(
            total_energy_kwh(&[g(Some(1.5)), g(None), g(Some(2.0))]),
            Some(3.5)
        );
        assert_eq!(count(3.0e6), Some(3_000_000));
        assert_eq!(count(-1.0), None);
        assert_eq!(flag(1.0), Some(true));
        assert_eq!(flag(0.0), Some(false));
        assert_eq!(flag(f64::NAN), None);
    }
}
