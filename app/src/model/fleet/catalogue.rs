//! Hardware catalogue: nameplate figures of ASIC models, as published by their makers.

use serde::Serialize;

/// One ASIC model's nameplate (stock firmware, normal mode).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
    AsicModel {
        id: "S19jPro",
        maker: "Bitmain",
        name: "Antminer S19j Pro",
        hashrate_ths: 104.0,
        power_w: 3068.0,
        source: "Bitmain spec sheet (104 TH/s, 29.5 J/TH)",
    },
    AsicModel {
        id: "S19XP",
        maker: "Bitmain",
        name: "Antminer S19 XP",
        hashrate_ths: 140.0,
        power_w: 3010.0,
        source: "Bitmain spec sheet (140 TH/s, 21.5 J/TH)",
    },
    AsicModel {
        id: "S21",
        maker: "Bitmain",
        name: "Antminer S21",
        hashrate_ths: 200.0,
        power_w: 3500.0,
        source: "Bitmain spec sheet (200 TH/s, 17.5 J/TH)",
    },
    AsicModel {
        id: "S21Pro",
        maker: "Bitmain",
        name: "Antminer S21 Pro",
        hashrate_ths: 234.0,
        power_w: 3510.0,
        source: "Bitmain spec sheet (234 TH/s, 15 J/TH)",
    },
    AsicModel {
        id: "S21XP",
        maker: "Bitmain",
        name: "Antminer S21 XP",
        hashrate_ths: 270.0,
        power_w: 3645.0,
        source: "Bitmain spec sheet (270 TH/s, 13.5 J/TH)",
    },
    AsicModel {
        id: "M50S",
        maker: "MicroBT",
        name: "Whatsminer M50S",
        hashrate_ths: 126.0,
        power_w: 3276.0,
        source: "MicroBT spec sheet (126 TH/s, 26 J/TH)",
    },
    AsicModel {
        id: "M60S",
        maker: "MicroBT",
        name: "Whatsminer M60S",
        hashrate_ths: 186.0,
        power_w: 3441.0,
        source: "MicroBT spec sheet (186 TH/s, 18.5 J/TH)",
    },
    AsicModel {
        id: "M66S",
        maker: "MicroBT",
        name: "Whatsminer M66S (immersion)",
        hashrate_ths: 298.0,
        power_w: 5513.0,
        source: "MicroBT spec sheet (298 TH/s, 18.5 J/TH)",
    },
    AsicModel {
        id: "A1566",
        maker: "Canaan",
        name: "Avalon A1566",
        hashrate_ths: 185.0,
        power_w: 3420.0,
        source: "Canaan spec sheet (185 TH/s, 18.5 J/TH)",
    },
    AsicModel {
        id: "AT2880",
        maker: "Auradine",
        name: "Teraflux AT2880",
        hashrate_ths: 260.0,
        power_w: 4160.0,
        source: "Auradine product page (260 TH/s, 16 J/TH)",
    },
    AsicModel {
        id: "BitaxeGamma",
        maker: "Bitaxe",
        name: "Bitaxe Gamma",
        hashrate_ths: 1.2,
        power_w: 18.0,
        source: "Bitaxe Gamma 601 open-hardware board (BM1370, ~1.2 TH/s at ~15 J/TH)",
    },
];

/// Looks a model up by id.
pub fn asic(id: &str) -> Option<&'static AsicModel> {
    ASICS.iter().find(|m| m.id == id)
}

/// Lower-case letters and digits only, with the vendor's brand names dropped, so "Antminer
/// S19j Pro", "S19jPro" and "S19J PRO" compare equal.
fn model_key(s: &str) -> String {
    let lower = s.to_ascii_lowercase();
    let stripped = [
        "antminer",
        "whatsminer",
        "bitmain",
        "microbt",
        "avalonminer",
        "avalon",
        "canaan",
        "auradine",
        "teraflux",
        "(immersion)",
    ]
    .iter()
    .fold(lower, |acc, brand| acc.replace(brand, ""));
    stripped
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '+')
        .collect()
}

/// The catalogue model a device's own answer names (`Type` in Antminer `stats`, `Model` in
/// Whatsminer and Braiins answers), by id or name; firmware suffixes such as " (88)" or a
/// trailing "+" variant do not match a different model. `None` for models we do not know.
pub fn identify_asic(reported: &str) -> Option<&'static AsicModel> {
    let key = model_key(reported.split('(').next().unwrap_or(reported));
    if key.is_empty() {
        return None;
    }
    ASICS.iter().find(|m| {
        model_key(m.id) == key || model_key(m.name.split('(').next().unwrap_or(m.name)) == key
    })
}

/// An ASIC model by catalogue id, else by what a device calls itself.
pub fn asic_by_any_name(name: &str) -> Option<&'static AsicModel> {
    asic(name).or_else(|| identify_asic(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_are_identified_by_what_they_call_themselves() {
        assert_eq!(identify_asic("Antminer S19j Pro").unwrap().id, "S19jPro");
        assert_eq!(identify_asic("Antminer S21 XP").unwrap().id, "S21XP");
        assert_eq!(identify_asic("S21").unwrap().id, "S21");
        assert_eq!(identify_asic("WhatsMiner M60S").unwrap().id, "M60S");
        assert_eq!(identify_asic("M66S").unwrap().id, "M66S");
        // Near names are different machines, not a loose match.
        assert!(identify_asic("Antminer S21+").is_none());
        assert!(identify_asic("Antminer S19").is_none());
        assert!(identify_asic("").is_none());
        assert!(identify_asic("unknown").is_none());
    }

    #[test]
    fn efficiencies_match_the_published_j_per_th() {
        let cases = [
            ("S19jPro", 29.5),
            ("S19XP", 21.5),
            ("S21", 17.5),
            ("S21Pro", 15.0),
            ("S21XP", 13.5),
            ("M50S", 26.0),
            ("M60S", 18.5),
            ("M66S", 18.5),
        ];
        for (id, j_th) in cases {
            let m = asic(id).unwrap();
            assert!(
                (m.efficiency_j_per_th() - j_th).abs() < 0.05,
                "{id}: {}",
                m.efficiency_j_per_th()
            );
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

/// One accelerator's datasheet figures (dense, i.e. without structured sparsity).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct GpuModel {
    /// Stable id used by the API, e.g. `"H100-SXM"`.
    pub id: &'static str,
    pub vendor: &'static str,
    pub name: &'static str,
    /// Dense BF16 tensor throughput, TFLOPS.
    pub bf16_tflops: f64,
    /// Dense FP8 tensor throughput, TFLOPS; `None` where the chip has no FP8 tensor cores.
    pub fp8_tflops: Option<f64>,
    pub memory_gb: f64,
    /// Memory bandwidth, TB/s.
    pub memory_tb_s: f64,
    /// Board power, W.
    pub tdp_w: f64,
    /// Whole-server power divided by GPUs per server (CPUs, NICs, fans included), W.
    pub server_w_per_gpu: f64,
    pub source: &'static str,
}

/// The GPU catalogue. Figures: vendor datasheets; server power from the vendors' reference
/// 8-GPU systems (DGX H100 10.2 kW, DGX B200 14.3 kW, DGX A100 6.5 kW) or, where marked, estimates.
pub const GPUS: &[GpuModel] = &[
    GpuModel {
        id: "H100-SXM",
        vendor: "NVIDIA",
        name: "H100 SXM 80GB",
        bf16_tflops: 989.4,
        fp8_tflops: Some(1978.9),
        memory_gb: 80.0,
        memory_tb_s: 3.35,
        tdp_w: 700.0,
        server_w_per_gpu: 1275.0,
        source: "NVIDIA H100 datasheet; DGX H100 10.2 kW / 8",
    },
    GpuModel {
        id: "H100-PCIe",
        vendor: "NVIDIA",
        name: "H100 PCIe 80GB",
        bf16_tflops: 756.5,
        fp8_tflops: Some(1513.0),
        memory_gb: 80.0,
        memory_tb_s: 2.0,
        tdp_w: 350.0,
        server_w_per_gpu: 700.0,
        source: "NVIDIA H100 datasheet; server power estimated (8 × 350 W + 2.8 kW host)",
    },
    GpuModel {
        id: "H200",
        vendor: "NVIDIA",
        name: "H200 SXM 141GB",
        bf16_tflops: 989.4,
        fp8_tflops: Some(1978.9),
        memory_gb: 141.0,
        memory_tb_s: 4.8,
        tdp_w: 700.0,
        server_w_per_gpu: 1275.0,
        source: "NVIDIA H200 datasheet; HGX H200 ≈ DGX H100 power",
    },
    GpuModel {
        id: "B200",
        vendor: "NVIDIA",
        name: "B200 (HGX, 180GB)",
        bf16_tflops: 2250.0,
        fp8_tflops: Some(4500.0),
        memory_gb: 180.0,
        memory_tb_s: 8.0,
        tdp_w: 1000.0,
        server_w_per_gpu: 1787.5,
        source: "NVIDIA HGX B200 datasheet; DGX B200 14.3 kW / 8",
    },
    GpuModel {
        id: "A100-80GB",
        vendor: "NVIDIA",
        name: "A100 SXM 80GB",
        bf16_tflops: 312.0,
        fp8_tflops: None,
        memory_gb: 80.0,
        memory_tb_s: 2.039,
        tdp_w: 400.0,
        server_w_per_gpu: 812.5,
        source: "NVIDIA A100 datasheet; DGX A100 6.5 kW / 8",
    },
    GpuModel {
        id: "L40S",
        vendor: "NVIDIA",
        name: "L40S 48GB",
        bf16_tflops: 362.05,
        fp8_tflops: Some(733.0),
        memory_gb: 48.0,
        memory_tb_s: 0.864,
        tdp_w: 350.0,
        server_w_per_gpu: 625.0,
        source: "NVIDIA L40S datasheet; server power estimated (8 × 350 W + 2.2 kW host)",
    },
    GpuModel {
        id: "MI300X",
        vendor: "AMD",
        name: "Instinct MI300X 192GB",
        bf16_tflops: 1307.4,
        fp8_tflops: Some(2614.9),
        memory_gb: 192.0,
        memory_tb_s: 5.3,
        tdp_w: 750.0,
        server_w_per_gpu: 1400.0,
        source: "AMD MI300X datasheet; server power estimated (8 × 750 W + 5.2 kW host)",
    },
];

/// Looks a GPU up by id.
pub fn gpu(id: &str) -> Option<&'static GpuModel> {
    GPUS.iter().find(|g| g.id == id)
}

#[cfg(test)]
mod gpu_tests {
    use super::*;

    #[test]
    fn gpu_catalogue_has_the_required_parts_with_sane_figures() {
        for id in [
            "H100-SXM",
            "H100-PCIe",
            "H200",
            "B200",
            "A100-80GB",
            "L40S",
            "MI300X",
        ] {
            let g = gpu(id).unwrap_or_else(|| panic!("{id} missing"));
            assert!(
                g.server_w_per_gpu > g.tdp_w,
                "{id}: server power must exceed the board's"
            );
            if let Some(fp8) = g.fp8_tflops {
                assert!(
                    (fp8 / g.bf16_tflops - 2.0).abs() < 0.05,
                    "{id}: FP8 is twice BF16 on these parts"
                );
            }
        }
        assert!(gpu("A100-80GB").unwrap().fp8_tflops.is_none());
    }
}
