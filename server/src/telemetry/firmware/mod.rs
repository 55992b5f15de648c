//! Firmware families that speak the CGMiner-style API on TCP 4028, each with its quirks in one
//! module: how it is recognised, which command reads it fully, and what it says differently.
//! `cgminer::extract` reads what all share (summary, stats, devs); `refine` adds the rest.
//!
//! Recognised from the answer itself (a `version` section where there is one), so a device
//! registered by address alone is read correctly from its first poll on.

mod answer;
mod antminer;
mod avalon;
mod braiins;
mod fluxos;
mod luxos;
mod vnish;
mod whatsminer;

use app::model::fleet::devices::AsicReading;

pub use answer::{board, Answer};
pub use whatsminer::machine as whatsminer_machine;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// Bitmain's own firmware (bmminer / cgminer).
    Antminer,
    /// MicroBT's btminer. Its privileged (token-protected, encrypted) API is never used.
    Whatsminer,
    /// Braiins OS: bosminer's CGMiner-compatible API.
    BraiinsOs,
    /// Luxor's LuxOS: luxminer.
    LuxOs,
    /// VNish aftermarket firmware for Antminers (bmminer-compatible API).
    Vnish,
    /// Canaan AvalonMiner (cgminer with `MM ID` status strings).
    Avalon,
    /// Auradine FluxOS (GCMiner): values as strings with their units.
    FluxOs,
}

impl Family {
    pub const ALL: [Family; 7] = [
        Family::Antminer,
        Family::Whatsminer,
        Family::BraiinsOs,
        Family::LuxOs,
        Family::Vnish,
        Family::Avalon,
        Family::FluxOs,
    ];

    /// The read-only commands (joined with `+`) that give this family's full reading.
    pub fn command(self) -> &'static str {
        match self {
            Family::Antminer | Family::Vnish | Family::Avalon => "summary+stats",
            Family::LuxOs => luxos::COMMAND,
            Family::BraiinsOs => braiins::COMMAND,
            Family::Whatsminer => whatsminer::COMMAND,
            Family::FluxOs => fluxos::COMMAND,
        }
    }

    /// The first word of the firmware string this family's devices are recorded with.
    fn firmware_prefixes(self) -> &'static [&'static str] {
        match self {
            Family::Antminer => &["BMMiner", "CGMiner", "bmminer", "cgminer"],
            Family::Whatsminer => &["btminer"],
            Family::BraiinsOs => &["BOSminer"],
            Family::LuxOs => &["LUXminer"],
            Family::Vnish => &["VNish"],
            Family::Avalon => &["Avalon"],
            Family::FluxOs => &["FluxOS"],
        }
    }

    /// The family of a recorded firmware string (`None` when unknown).
    pub fn from_firmware(firmware: &str) -> Option<Family> {
        let first = firmware.split_whitespace().next()?;
        Family::ALL
            .into_iter()
            .find(|f| f.firmware_prefixes().contains(&first))
    }
}

/// What to ask a device whose family is not known yet: what it is, and a reading.
pub const IDENTIFY_COMMAND: &str = "version+summary+stats";

/// Recognises the family from an answer. A family's own command need not carry the evidence
/// (Braiins OS' set has no `version`): then the family it was asked as (`known`) stands, and
/// plain Antminer firmware when there is none.
pub fn identify(a: &Answer, known: Option<Family>) -> Family {
    if fluxos::matches(a) {
        Family::FluxOs
    } else if braiins::matches(a) {
        Family::BraiinsOs
    } else if luxos::matches(a) {
        Family::LuxOs
    } else if vnish::matches(a) {
        Family::Vnish
    } else if avalon::matches(a) {
        Family::Avalon
    } else if whatsminer::matches(a) {
        Family::Whatsminer
    } else {
        known.unwrap_or(Family::Antminer)
    }
}

/// Adds what `family` reports in its own way to a reading of the shared fields.
pub fn refine(family: Family, a: &Answer, r: &mut AsicReading) {
    match family {
        Family::Antminer => antminer::refine(a, r),
        Family::Whatsminer => whatsminer::refine(a, r),
        Family::BraiinsOs => braiins::refine(a, r),
        Family::LuxOs => luxos::refine(a, r),
        Family::Vnish => vnish::refine(a, r),
        Family::Avalon => avalon::refine(a, r),
        Family::FluxOs => fluxos::refine(a, r),
    }
}

#[cfg(test)]
mod tests {
    use super::Family;
    use crate::telemetry::cgminer::{extract_as, extract_family};
    use app::model::fleet::catalogue::identify_asic;

    macro_rules! fixture {
        ($name:literal) => {
            include_str!(concat!("../../../tests/fixtures/firmware/", $name))
        };
    }

    struct Expect {
        family: Family,
        firmware: &'static str,
        model: Option<&'static str>,
        ths: f64,
        power_w: Option<f64>,
        boards: usize,
        hottest: f64,
    }

    fn check(name: &str, text: &str, e: Expect) {
        let (r, family) = extract_family(text).unwrap_or_else(|err| panic!("{name}: {err}"));
        assert_eq!(family, e.family, "{name}");
        assert_eq!(r.firmware.as_deref(), Some(e.firmware), "{name}");
        assert_eq!(
            r.model.as_deref().and_then(identify_asic).map(|m| m.id),
            e.model,
            "{name}: model {:?}",
            r.model
        );
        assert!(
            (r.hashrate_ths - e.ths).abs() < 1e-6,
            "{name}: {} TH/s",
            r.hashrate_ths
        );
        assert_eq!(r.power_w, e.power_w, "{name}");
        assert_eq!(r.boards.len(), e.boards, "{name}: {:?}", r.boards);
        let hottest = r
            .temps_c
            .iter()
            .chain(r.boards.iter().filter_map(|b| b.temp_c.as_ref()))
            .copied()
            .fold(f64::MIN, f64::max);
        assert_eq!(hottest, e.hottest, "{name}");
        // The recorded firmware string names the family again (how the poller remembers it).
        assert_eq!(Family::from_firmware(e.firmware), Some(e.family), "{name}");
    }

    #[test]
    fn every_family_is_recognised_and_read_from_its_own_answer() {
        check(
            "antminer",
            fixture!("antminer-bmminer.json"),
            Expect {
                family: Family::Antminer,
                firmware: "BMMiner 2.0.0",
                model: Some("S21"),
                ths: 201.31422,
                power_w: None,
                boards: 3,
                hottest: 73.0,
            },
        );
        check(
            "vnish",
            fixture!("vnish.json"),
            Expect {
                family: Family::Vnish,
                firmware: "VNish 1.2.6",
                model: Some("S19jPro"),
                ths: 112.4106,
                power_w: None,
                boards: 3,
                hottest: 72.0,
            },
        );
        check(
            "luxos",
            fixture!("luxos.json"),
            Expect {
                family: Family::LuxOs,
                firmware: "LUXminer 2024.10.2.134812-3d5b6c31",
                model: Some("S19XP"),
                ths: 141.10255,
                power_w: Some(3018.0),
                boards: 3,
                hottest: 76.0,
            },
        );
        check(
            "braiins",
            fixture!("braiins-os.json"),
            Expect {
                family: Family::BraiinsOs,
                firmware: "BOSminer 0.1.0-1a4c0ee3",
                model: Some("S19jPro"),
                ths: 104.00231766,
                power_w: Some(3042.0),
                boards: 3,
                hottest: 72.5,
            },
        );
        check(
            "whatsminer",
            fixture!("whatsminer-btminer.json"),
            Expect {
                family: Family::Whatsminer,
                firmware: "btminer 20230912.22.REL",
                model: Some("M50S"),
                ths: 127.80126452,
                power_w: Some(3298.0),
                boards: 3,
                hottest: 78.25,
            },
        );
        check(
            "whatsminer identify",
            fixture!("whatsminer-identify.json"),
            Expect {
                family: Family::Whatsminer,
                firmware: "btminer 20240521.16.REL",
                model: None,
                ths: 186.4027719,
                power_w: Some(3436.0),
                boards: 0,
                hottest: 68.0,
            },
        );
        check(
            "avalon",
            fixture!("avalon.json"),
            Expect {
                family: Family::Avalon,
                firmware: "Avalon 24102401_25462b2_9ddf522",
                model: Some("A1566"),
                ths: 184.24107,
                power_w: Some(3431.0),
                boards: 3,
                hottest: 78.0,
            },
        );
    }

    #[test]
    fn board_details_come_from_each_familys_own_sections() {
        let (r, _) = extract_family(fixture!("braiins-os.json")).unwrap();
        let chips: Vec<Option<u32>> = r.boards.iter().map(|b| b.chips).collect();
        assert_eq!(chips, vec![Some(126); 3]);
        assert_eq!(r.fans_rpm.len(), 4);
        let (r, _) = extract_family(fixture!("avalon.json")).unwrap();
        let rates: Vec<f64> = r.boards.iter().map(|b| b.rate_ths.unwrap()).collect();
        assert!((rates[0] - 60.45952).abs() < 1e-9, "{rates:?}");
        assert_eq!(r.fans_rpm, vec![4275.0, 4282.0]);
        let (r, _) = extract_family(fixture!("whatsminer-btminer.json")).unwrap();
        assert_eq!(
            r.boards.iter().map(|b| b.chips).collect::<Vec<_>>(),
            vec![Some(156); 3]
        );
    }

    #[test]
    fn fluxos_reads_values_with_units_and_knows_unpowered_boards() {
        use app::model::fleet::devices::PowerSource;
        let (r, family) = extract_family(fixture!("fluxos.json")).unwrap();
        assert_eq!(family, Family::FluxOs);
        assert!((r.hashrate_ths - 251.8704425).abs() < 1e-9);
        assert_eq!(r.power_w, Some(4102.37));
        assert_eq!(r.power_source, Some(PowerSource::Psu));
        assert_eq!(
            (r.power_limit_w, r.nameplate_ths),
            (Some(4160.0), Some(260.0))
        );
        assert_eq!(r.fans_rpm, vec![6810.0, 6790.0, 6840.0, 6775.0]);
        let temps: Vec<Option<f64>> = r.boards.iter().map(|b| b.temp_c).collect();
        // Board 3's sensors say −273 °C: no reading.
        assert_eq!(temps, vec![Some(73.5), Some(72.0), None]);
        assert_eq!(r.boards[0].rate_ths, Some(84.12));
        assert_eq!(
            r.model.as_deref().and_then(identify_asic).map(|m| m.id),
            Some("AT2880")
        );
        assert_eq!(r.firmware.as_deref(), Some("FluxOS 2025-06.18"));
        assert_eq!(
            Family::from_firmware("FluxOS 2025-06.18"),
            Some(Family::FluxOs)
        );
        assert!(r.faults.is_empty());
        // The PSU's output at 0 W: the hashrate fields are stale averages.
        let off =
            fixture!("fluxos.json").replace(r#""PowerOut":"3963.05W""#, r#""PowerOut":"0.00W""#);
        let (r, _) = extract_family(&off).unwrap();
        assert_eq!(r.hashrate_ths, 0.0);
        assert_eq!(r.faults[0].report.code, "PSU_OUTPUT_0W");
        // …unless the operator put it to sleep.
        let asleep = off.replace(r#""Sleep":"off""#, r#""Sleep":"on""#);
        assert!(extract_family(&asleep).unwrap().0.faults.is_empty());
    }

    #[test]
    fn a_luxos_miner_stopped_by_nopic_protection_says_so() {
        use app::model::fleet::diagnosis::asic_status;
        use app::model::fleet::reason::{FaultKind, ReasonCode};
        let (r, family) = extract_as(fixture!("luxos-nopic.json"), Some(Family::LuxOs)).unwrap();
        assert_eq!(family, Family::LuxOs);
        assert_eq!(r.hashrate_ths, 0.0);
        assert_eq!(r.power_w, Some(96.0));
        let events: Vec<(&str, FaultKind)> = r
            .faults
            .iter()
            .map(|f| (f.report.code.as_str(), f.kind))
            .collect();
        assert_eq!(
            events,
            vec![
                ("NOPIC_PROTECTION", FaultKind::Protection),
                ("REBOOT_NOT_HASHING", FaultKind::Hashing)
            ]
        );
        let nopic = &r.faults[0].report;
        assert_eq!(
            nopic.doc_url.as_deref(),
            Some("https://docs.luxor.tech/firmware/kb/eventstroubleshooting#nopic-protection")
        );
        assert_eq!(nopic.at.unwrap().to_rfc3339(), "2026-12-07T06:12:40+00:00");
        // Dead boards too, but the protection stop is the reason to fix first.
        let (_, why) = asic_status(&r, Some(140.0));
        assert_eq!(why.map(|w| w.code()), Some(ReasonCode::ProtectionStop));
    }

    #[test]
    fn whatsminer_revisions_name_the_machine() {
        use super::whatsminer::machine;
        assert_eq!(machine("M50S.VH20"), "M50S");
        assert_eq!(machine("M30S+VE40"), "M30S+");
        assert_eq!(machine("M60SVK30"), "M60S");
        assert_eq!(machine("M66S"), "M66S");
    }

    #[test]
    fn families_round_trip_through_their_firmware_string() {
        for f in Family::ALL {
            let recorded = format!("{} 1.0", f.firmware_prefixes()[0]);
            assert_eq!(Family::from_firmware(&recorded), Some(f));
        }
        assert_eq!(Family::from_firmware("sim-bmminer"), None);
    }
}
