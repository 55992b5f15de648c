//! What a device's reading says is wrong with it, and so its status: every reason found, the
//! worst one shown. Pure: the reading in, reasons out.

use crate::model::ai::gpu_health::{xid_is_fatal, ClockEvent};
use crate::model::fleet::devices::{
    AsicReading, DeviceStatus, GpuReading, ASIC_MAX_TEMP_C, GPU_MAX_TEMP_C, MIN_NAMEPLATE_SHARE,
};
use crate::model::fleet::reason::{worst, Reason};

/// Status of an ASIC from its reading: degraded when a hashboard or a fan is down, it runs too
/// hot or the hashrate is under 80 % of nameplate; the worst reason comes along.
pub fn asic_status(r: &AsicReading, nameplate_ths: Option<f64>) -> (DeviceStatus, Option<Reason>) {
    status_of(asic_reasons(r, nameplate_ths))
}

/// Status of a GPU: degraded on any reason DCGM gives (an Xid, a pending or failed row remap,
/// uncorrectable ECC, heat, throttled clocks); the worst reason comes along.
pub fn gpu_status(r: &GpuReading) -> (DeviceStatus, Option<Reason>) {
    status_of(gpu_reasons(r))
}

fn status_of(reasons: Vec<Reason>) -> (DeviceStatus, Option<Reason>) {
    match worst(reasons) {
        Some(r) => (DeviceStatus::Degraded, Some(r)),
        None => (DeviceStatus::Online, None),
    }
}

/// A fan at 0 rpm while another turns: the first such fan. (All fans at 0 is an immersion-
/// cooled machine or one that does not report fans, not a failure.)
fn stopped_fan(fans_rpm: &[f64]) -> Option<u32> {
    if !fans_rpm.iter().any(|f| *f > 0.0) {
        return None;
    }
    fans_rpm.iter().position(|f| *f <= 0.0).map(|i| i as u32)
}

/// How long a firmware's fault report stays a reason on a machine that hashes again: a day.
/// (On a machine that does not hash, the report is the reason however old it is.)
pub const FAULT_MEMORY_S: i64 = 24 * 3600;

/// Places each fault's time (a time without a zone through `local_to_utc`, the site's zone)
/// and keeps what is still a reason at `now`: every report while the machine does not hash;
/// on a hashing machine only those raised within `FAULT_MEMORY_S` (or with no time at all).
pub fn settle_faults(
    r: &mut AsicReading,
    local_to_utc: impl Fn(chrono::NaiveDateTime) -> Option<chrono::DateTime<chrono::Utc>>,
    now: chrono::DateTime<chrono::Utc>,
) {
    for f in &mut r.faults {
        if let Some(local) = f.local_time.take() {
            f.report.at = local_to_utc(local);
        }
    }
    if r.hashrate_ths > 0.0 {
        r.faults.retain(|f| {
            f.report
                .at
                .is_none_or(|at| (now - at).num_seconds() <= FAULT_MEMORY_S)
        });
    }
}

/// Everything an ASIC's reading says is wrong with it, in no order.
pub fn asic_reasons(r: &AsicReading, nameplate_ths: Option<f64>) -> Vec<Reason> {
    let mut out: Vec<Reason> = r
        .faults
        .iter()
        .map(|f| f.kind.reason(f.report.clone()))
        .collect();
    if let Some(b) = r
        .boards
        .iter()
        .find(|b| b.chips == Some(0) || b.rate_ths == Some(0.0))
    {
        out.push(Reason::HashboardDown { board: b.index });
    }
    if let Some(fan) = stopped_fan(&r.fans_rpm) {
        out.push(Reason::FanFailure { fan });
    }
    let hottest = r
        .temps_c
        .iter()
        .chain(r.boards.iter().filter_map(|b| b.temp_c.as_ref()))
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    if hottest > ASIC_MAX_TEMP_C {
        out.push(Reason::OverTemperature { celsius: hottest });
    }
    if let Some(np) = nameplate_ths.filter(|n| *n > 0.0) {
        if r.hashrate_ths < MIN_NAMEPLATE_SHARE * np {
            out.push(Reason::LowHashrate {
                percent: r.hashrate_ths / np * 100.0,
            });
        }
    }
    out
}

/// Everything a GPU's reading says is wrong with it, in no order.
pub fn gpu_reasons(g: &GpuReading) -> Vec<Reason> {
    let h = &g.health;
    let mut out = Vec::new();
    match h.xid.filter(|x| *x > 0) {
        Some(xid) if xid_is_fatal(xid) => out.push(Reason::FatalXid { xid }),
        Some(xid) => out.push(Reason::Xid { xid }),
        None => {}
    }
    if h.row_remap_failure == Some(true) {
        out.push(Reason::RowRemapFailure);
    }
    if h.row_remap_pending == Some(true) {
        out.push(Reason::RowRemapPending);
    }
    if let Some(errors) = h.ecc_dbe.filter(|e| *e > 0) {
        out.push(Reason::EccUncorrectable { errors });
    }
    if let Some(t) = g.temp_c.filter(|t| *t > GPU_MAX_TEMP_C) {
        out.push(Reason::OverTemperature { celsius: t });
    }
    if let Some(m) = h.clock_events {
        if m.thermal() {
            out.push(Reason::ThermalThrottle);
        }
        if m.has(ClockEvent::HwSlowdown) {
            out.push(Reason::HwSlowdown);
        }
        if m.power_capped() {
            out.push(Reason::PowerCap);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ai::gpu_health::{ClockEvents, GpuHealth};
    use crate::model::fleet::devices::DeviceStatus;
    use crate::model::fleet::devices::Hashboard;

    #[test]
    fn the_worst_reason_wins() {
        let g = GpuReading {
            temp_c: Some(91.0),
            health: GpuHealth {
                xid: Some(79),
                row_remap_pending: Some(true),
                clock_events: Some(ClockEvents(0x44)),
                ..Default::default()
            },
            ..Default::default()
        };
        let all = gpu_reasons(&g);
        assert_eq!(all.len(), 5, "{all:?}");
        assert_eq!(worst(all), Some(Reason::FatalXid { xid: 79 }));
        let capped = GpuReading {
            health: GpuHealth {
                xid: Some(0),
                clock_events: Some(ClockEvents(0x4)),
                ..Default::default()
            },
            ..Default::default()
        };
        assert_eq!(worst(gpu_reasons(&capped)), Some(Reason::PowerCap));
        let app_fault = GpuReading {
            health: GpuHealth {
                xid: Some(13),
                clock_events: Some(ClockEvents(0x1)),
                ..Default::default()
            },
            ..Default::default()
        };
        assert_eq!(
            worst(gpu_reasons(&app_fault)),
            Some(Reason::Xid { xid: 13 })
        );
        assert_eq!(worst(gpu_reasons(&GpuReading::default())), None);
    }

    #[test]
    fn an_asic_with_a_dead_board_and_a_stopped_fan_shows_the_board() {
        let r = AsicReading {
            hashrate_ths: 130.0,
            boards: (0..3)
                .map(|i| Hashboard {
                    index: i,
                    chips: Some(if i == 2 { 0 } else { 108 }),
                    rate_ths: Some(65.0),
                    temp_c: Some(66.0),
                })
                .collect(),
            fans_rpm: vec![5400.0, 0.0, 5460.0, 5380.0],
            ..Default::default()
        };
        let all = asic_reasons(&r, Some(200.0));
        assert_eq!(
            all,
            vec![
                Reason::HashboardDown { board: 2 },
                Reason::FanFailure { fan: 1 },
                Reason::LowHashrate { percent: 65.0 }
            ]
        );
        assert_eq!(worst(all), Some(Reason::HashboardDown { board: 2 }));
        // Fans that all read 0 are not reporting (or immersion-cooled): not a failure.
        let quiet = AsicReading {
            fans_rpm: vec![0.0; 4],
            hashrate_ths: 200.0,
            ..Default::default()
        };
        assert_eq!(asic_reasons(&quiet, Some(200.0)), vec![]);
    }

    fn reading() -> AsicReading {
        AsicReading {
            hashrate_ths: 200.0,
            boards: (0..3)
                .map(|i| Hashboard {
                    index: i,
                    chips: Some(108),
                    rate_ths: Some(66.7),
                    temp_c: Some(65.0),
                })
                .collect(),
            temps_c: vec![70.0, 71.0],
            ..Default::default()
        }
    }

    #[test]
    fn degraded_for_a_dead_board_heat_or_low_hashrate() {
        assert_eq!(
            asic_status(&reading(), Some(200.0)),
            (DeviceStatus::Online, None)
        );
        let mut dead = reading();
        dead.boards[1].chips = Some(0);
        assert_eq!(
            asic_status(&dead, Some(200.0)).1,
            Some(Reason::HashboardDown { board: 1 })
        );
        let mut hot = reading();
        hot.temps_c.push(92.0);
        assert_eq!(asic_status(&hot, Some(200.0)).0, DeviceStatus::Degraded);
        let mut slow = reading();
        slow.hashrate_ths = 150.0;
        assert_eq!(
            asic_status(&slow, Some(200.0)).1,
            Some(Reason::LowHashrate { percent: 75.0 })
        );
        assert_eq!(asic_status(&slow, None).0, DeviceStatus::Online);
    }

    #[test]
    fn gpu_status_flags_heat_and_xid() {
        let ok = GpuReading {
            temp_c: Some(70.0),
            health: GpuHealth {
                xid: Some(0),
                ..Default::default()
            },
            ..Default::default()
        };
        assert_eq!(gpu_status(&ok).0, DeviceStatus::Online);
        assert_eq!(
            gpu_status(&GpuReading {
                health: GpuHealth {
                    xid: Some(79),
                    ..Default::default()
                },
                ..ok.clone()
            }),
            (DeviceStatus::Degraded, Some(Reason::FatalXid { xid: 79 }))
        );
        assert_eq!(
            gpu_status(&GpuReading {
                temp_c: Some(90.0),
                ..ok
            })
            .0,
            DeviceStatus::Degraded
        );
    }
}
