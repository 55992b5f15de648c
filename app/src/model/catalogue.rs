//! Hardware catalogue: nameplate figures of ASIC models, as published by their makers.

use serde::{Deserialize, Serialize};

/// One ASIC model's nameplate (stock firmware, normal mode).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AsicModel {
    /// Stable id used in fleet files and the database, e.g. `"S21"`.
    pub id: &'static str,
    pub maker: &'static str,
    pub name: &'static str,
    /// Nameplate hashrate, TH/s.
    pub hashrate_ths: f64,
    /// Wall power at nameplate hashrate, W.
    pub power_w: f64,
    /// Where the figures come from.
    pub source: &'static str,
}

impl AsicModel {
    /// Efficiency in J/TH (= W per TH/s).
    pub fn efficiency_j_per_th(&self) -> f64 {
        self.power_w / self.hashrate_ths
    }
}

/// The ASIC catalogue. Figures: Bitmain and MicroBT product pages / spec sheets.
pub const ASICS: &[AsicModel] = &[
    AsicModel { id: "S19jPro", maker: "Bitmain", name: "Antminer S19j Pro", hashrate_ths: 104.0, power_w: 3068.0, source: "Bitmain spec sheet (104 TH/s, 29.5 J/TH)" },
    AsicModel { id: "S19XP", maker: "Bitmain", name: "Antminer S19 XP", hashrate_ths: 140.0, power_w: 3010.0, source: "Bitmain spec sheet (140 TH/s, 21.5 J/TH)" },
    AsicModel { id: "S21", maker: "Bitmain", name: "Antminer S21", hashrate_ths: 200.0, power_w: 3500.0, source: "Bitmain spec sheet (200 TH/s, 17.5 J/TH)" },
    AsicModel { id: "S21Pro", maker: "Bitmain", name: "Antminer S21 Pro", hashrate_ths: 234.0, power_w: 3510.0, source: "Bitmain spec sheet (234 TH/s, 15 J/TH)" },
    AsicModel { id: "S21XP", maker: "Bitmain", name: "Antminer S21 XP", hashrate_ths: 270.0, power_w: 3645.0, source: "Bitmain spec sheet (270 TH/s, 13.5 J/TH)" },
    AsicModel { id: "M50S", maker: "MicroBT", name: "Whatsminer M50S", hashrate_ths: 126.0, power_w: 3276.0, source: "MicroBT spec sheet (126 TH/s, 26 J/TH)" },
    AsicModel { id: "M60S", maker: "MicroBT", name: "Whatsminer M60S", hashrate_ths: 186.0, power_w: 3441.0, source: "MicroBT spec sheet (186 TH/s, 18.5 J/TH)" },
    AsicModel { id: "M66S", maker: "MicroBT", name: "Whatsminer M66S (immersion)", hashrate_ths: 298.0, power_w: 5513.0, source: "MicroBT spec sheet (298 TH/s, 18.5 J/TH)" },
];

/// Looks a model up by id.
pub fn asic(id: &str) -> Option<&'static AsicModel> {
    ASICS.iter().find(|m| m.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn efficiencies_match_the_published_j_per_th() {
        let cases = [("S19jPro", 29.5), ("S19XP", 21.5), ("S21", 17.5), ("S21Pro", 15.0), ("S21XP", 13.5), ("M50S", 26.0), ("M60S", 18.5), ("M66S", 18.5)];
        for (id, j_th) in cases {
            let m = asic(id).unwrap();
            assert!((m.efficiency_j_per_th() - j_th).abs() < 0.05, "{id}: {}", m.efficiency_j_per_th());
        }
        assert!(asic("S9").is_none());
    }

    #[test]
    fn catalogue_ids_are_unique() {
        let mut ids: Vec<_> = ASICS.iter().map(|m| m.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), ASICS.len());
    }
}
