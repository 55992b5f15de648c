//! Each firmware family's own fault reports, placed in the fleet's one vocabulary
//! (`reason::FaultKind`). The firmware's code and words travel with the kind; only the kind is
//! ours.

use crate::model::fleet::reason::FaultKind;

/// MicroBT's Whatsminer error codes (btminer v2 `get_error_code`, API v3 `get.device.info`):
/// the hundreds say the subsystem — 1xx fans, 2xx power supply, 3xx temperature sensors,
/// 4xx EEPROM, 5xx hashboards and chips, 6xx environment temperature (protection), 7xx–8xx
/// control board and firmware.
pub fn whatsminer(code: u32) -> FaultKind {
    match code {
        200..=299 => FaultKind::Psu,
        300..=399 => FaultKind::Sensor,
        600..=699 => FaultKind::Protection,
        _ => FaultKind::Hashing,
    }
}

/// LuxOS `events` codes (`NOPIC_PROTECTION`, `REBOOT_NOT_HASHING`, `PSU_…`, `…_OVERHEAT`).
pub fn luxos(code: &str) -> FaultKind {
    let c = code.to_ascii_uppercase();
    if c.contains("PSU") || c.contains("POWER_SUPPLY") {
        FaultKind::Psu
    } else if c.contains("PROTECTION") || c.contains("OVERHEAT") || c.contains("SHUTDOWN") {
        FaultKind::Protection
    } else if c.contains("SENSOR") {
        FaultKind::Sensor
    } else {
        FaultKind::Hashing
    }
}

/// Braiins OS `miner/errors`: free text (its `error_codes` are often empty), placed by what it
/// names.
pub fn braiins(message: &str) -> FaultKind {
    let m = message.to_ascii_lowercase();
    if m.contains("psu") || m.contains("power supply") {
        FaultKind::Psu
    } else if m.contains("sensor") {
        FaultKind::Sensor
    } else if m.contains("overheat") || m.contains("protection") || m.contains("too hot") {
        FaultKind::Protection
    } else {
        FaultKind::Hashing
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_family_places_its_codes() {
        // Whatsminer: 264–270 are power-supply faults, 110 a fan, 300 a sensor.
        assert_eq!(whatsminer(264), FaultKind::Psu);
        assert_eq!(whatsminer(218), FaultKind::Psu);
        assert_eq!(whatsminer(110), FaultKind::Hashing);
        assert_eq!(whatsminer(300), FaultKind::Sensor);
        assert_eq!(whatsminer(651), FaultKind::Protection);
        assert_eq!(luxos("NOPIC_PROTECTION"), FaultKind::Protection);
        assert_eq!(luxos("REBOOT_NOT_HASHING"), FaultKind::Hashing);
        assert_eq!(luxos("psu_fault"), FaultKind::Psu);
        assert_eq!(
            braiins("Sensor hb2.1[TMP451]: Too many sensor errors, disabling sensor"),
            FaultKind::Sensor
        );
        assert_eq!(braiins("PSU failed to start"), FaultKind::Psu);
        assert_eq!(braiins("Hashboard 2 not hashing"), FaultKind::Hashing);
    }
}
