//! GPU throughput estimator: a roofline over the GPU catalogue.
//!
//! - Training: 6·N FLOPs per token (forward + backward), at a model-FLOPs utilisation (MFU).
//! - Prefill: 2·N FLOPs per token, compute-bound, at the same MFU.
//! - Decode: each step reads all weights plus every sequence's KV cache once and does 2·N FLOPs
//!   per sequence; the step takes the longer of the memory time and the compute time, so a
//!   single stream is bandwidth-bound and large batches move toward the compute bound.
//! Weights and KV cache are assumed sharded evenly over the GPUs (tensor parallelism).

use serde::{Deserialize, Serialize};

use crate::model::ai::lease::gpus_per_mw;
use crate::model::company::validate::{positive, within, InputError};
use crate::model::fleet::catalogue::{gpu, GpuModel};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Workload {
    Training,
    Prefill,
    Decode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    #[default]
    Bf16,
    Fp8,
}

impl Precision {
    pub fn bytes_per_param(self) -> f64 {
        match self {
            Precision::Bf16 => 2.0,
            Precision::Fp8 => 1.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    Compute,
    Memory,
}

/// `POST /estimate/gpu` request (API.md); optional fields default as documented.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GpuQuery {
    pub gpu: String,
    #[serde(default = "one")]
    pub count: u32,
    pub model_params_b: f64,
    pub workload: Workload,
    #[serde(default)]
    pub precision: Precision,
    /// Decode: concurrent sequences.
    #[serde(default = "one")]
    pub batch: u32,
    /// Training and prefill: model FLOPs utilisation; decode uses it for its compute bound.
    #[serde(default = "default_mfu")]
    pub mfu: f64,
    #[serde(default = "default_context")]
    pub context_tokens: u32,
    /// Facility power over IT power, for tokens per facility MW.
    #[serde(default = "default_pue")]
    pub pue: f64,
    /// KV-cache bytes per token at this precision; default from `kv_bytes_per_token`.
    #[serde(default)]
    pub kv_bytes_per_token: Option<f64>,
}

fn one() -> u32 {
    1
}
fn default_mfu() -> f64 {
    0.4
}
fn default_context() -> u32 {
    2048
}
fn default_pue() -> f64 {
    1.3
}

/// The estimate, with the catalogue figures it used.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct GpuEstimate {
    pub tokens_per_s: f64,
    pub tokens_per_s_per_gpu: f64,
    pub bound: Bound,
    /// Whole servers (not only the GPUs), kW.
    pub power_kw: f64,
    /// Per MW of facility power (IT × PUE).
    pub tokens_per_s_per_mw: f64,
    pub fits_in_memory: bool,
    /// Bytes the workload needs across all GPUs (weights, KV cache or optimizer state).
    pub memory_needed_gb: f64,
    pub gpus_per_mw: f64,
    pub peak_tflops: f64,
    pub gpu: GpuModel,
    pub query: GpuQuery,
}

/// KV-cache bytes per token for a GQA transformer of `params_b` billion parameters at BF16:
/// Llama-3 8B needs 128 KiB (32 layers × 8 KV heads × 128 × 2 × 2 B) and 70B 320 KiB; a power law
/// through those two (exponent 0.42) stands in when the architecture is not given.
pub fn kv_bytes_per_token(params_b: f64, precision: Precision) -> f64 {
    131_072.0 * (params_b / 8.0).powf(0.42) * precision.bytes_per_param() / 2.0
}

/// Bytes per parameter held during mixed-precision training with Adam: BF16 weights and
/// gradients, FP32 master weights and two moments (2 + 2 + 4 + 4 + 4).
pub const TRAINING_BYTES_PER_PARAM: f64 = 16.0;

pub fn estimate(q: &GpuQuery) -> Result<GpuEstimate, InputError> {
    let g = *gpu(&q.gpu).ok_or_else(|| {
        InputError::new(
            "gpu",
            format!("unknown GPU {:?}; see /api/v1/catalogue/gpus", q.gpu),
        )
    })?;
    if q.count == 0 || q.count > 1_000_000 {
        return Err(InputError::new("count", "must be between 1 and 1,000,000"));
    }
    if q.batch == 0 || q.batch > 1_000_000 {
        return Err(InputError::new("batch", "must be between 1 and 1,000,000"));
    }
    within("model_params_b", q.model_params_b, 0.001, 100_000.0)?;
    within("mfu", q.mfu, 0.01, 1.0)?;
    within("pue", q.pue, 1.0, 3.0)?;
    if q.context_tokens == 0 || q.context_tokens > 10_000_000 {
        return Err(InputError::new(
            "context_tokens",
            "must be between 1 and 10,000,000",
        ));
    }
    let kv_per_token = match q.kv_bytes_per_token {
        Some(v) => positive("kv_bytes_per_token", v)?,
        None => kv_bytes_per_token(q.model_params_b, q.precision),
    };
    let peak_tflops = match q.precision {
        Precision::Bf16 => g.bf16_tflops,
        Precision::Fp8 => g.fp8_tflops.ok_or_else(|| {
            InputError::new("precision", format!("{} has no FP8 tensor cores", g.name))
        })?,
    };
    let n = q.model_params_b * 1e9;
    let gpus = q.count as f64;
    let flops = gpus * peak_tflops * 1e12 * q.mfu;
    let weights = n * q.precision.bytes_per_param();
    let kv_total = q.batch as f64 * q.context_tokens as f64 * kv_per_token;

    let (tokens_per_s, bound, memory_needed) = match q.workload {
        Workload::Training => (
            flops / (6.0 * n),
            Bound::Compute,
            n * TRAINING_BYTES_PER_PARAM,
        ),
        Workload::Prefill => (
            flops / (2.0 * n),
            Bound::Compute,
            weights + q.context_tokens as f64 * kv_per_token,
        ),
        Workload::Decode => {
            let memory_s = (weights + kv_total) / (gpus * g.memory_tb_s * 1e12);
            let compute_s = q.batch as f64 * 2.0 * n / flops;
            let bound = if memory_s >= compute_s {
                Bound::Memory
            } else {
                Bound::Compute
            };
            (
                q.batch as f64 / memory_s.max(compute_s),
                bound,
                weights + kv_total,
            )
        }
    };
    let power_kw = gpus * g.server_w_per_gpu / 1000.0;
    let facility_mw = power_kw * q.pue / 1000.0;
    Ok(GpuEstimate {
        tokens_per_s,
        tokens_per_s_per_gpu: tokens_per_s / gpus,
        bound,
        power_kw,
        tokens_per_s_per_mw: tokens_per_s / facility_mw,
        fits_in_memory: memory_needed <= gpus * g.memory_gb * 1e9,
        memory_needed_gb: memory_needed / 1e9,
        gpus_per_mw: gpus_per_mw(g.server_w_per_gpu, q.pue),
        peak_tflops,
        gpu: g,
        query: q.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(gpu: &str, count: u32, params_b: f64, workload: Workload) -> GpuQuery {
        GpuQuery {
            gpu: gpu.into(),
            count,
            model_params_b: params_b,
            workload,
            precision: Precision::Bf16,
            batch: 1,
            mfu: 0.4,
            context_tokens: 2048,
            pue: 1.3,
            kv_bytes_per_token: None,
        }
    }

    #[test]
    fn llama3_405b_training_matches_metas_reported_400_tflops_per_gpu() {
        // Meta, "The Llama 3 Herd of Models" (2024), Table 4: 405B pre-training on H100s in BF16
        // ran at 38–43 % MFU, about 400 TFLOPS per GPU. Tokens/s per GPU = achieved FLOPs / 6N.
        let e = estimate(&GpuQuery {
            mfu: 0.41,
            ..query("H100-SXM", 16_384, 405.0, Workload::Training)
        })
        .unwrap();
        let achieved_tflops = e.tokens_per_s_per_gpu * 6.0 * 405e9 / 1e12;
        assert!(
            (achieved_tflops - 400.0).abs() / 400.0 < 0.05,
            "{achieved_tflops}"
        );
        assert!(
            (e.tokens_per_s_per_gpu - 166.9).abs() < 0.5,
            "{}",
            e.tokens_per_s_per_gpu
        );
        // 405B × 16 B = 6.5 TB of training state fits in 16,384 × 80 GB, not in 64 GPUs.
        assert!(e.fits_in_memory);
        assert!(
            !estimate(&query("H100-SXM", 64, 405.0, Workload::Training))
                .unwrap()
                .fits_in_memory
        );
    }

    #[test]
    fn single_stream_decode_is_bandwidth_bound() {
        // Llama-2 7B, BF16, batch 1 on one H100 SXM: 13.4 GB weights + 1.1 GB KV per step at
        // 3.35 TB/s ≈ 4.3 ms → ≈ 231 tokens/s; the compute bound is far higher.
        let e = estimate(&query("H100-SXM", 1, 6.7, Workload::Decode)).unwrap();
        assert_eq!(e.bound, Bound::Memory);
        assert!(
            (200.0..250.0).contains(&e.tokens_per_s),
            "{}",
            e.tokens_per_s
        );
        // Large batches become compute-bound.
        let big = estimate(&GpuQuery {
            batch: 4096,
            context_tokens: 256,
            ..query("H100-SXM", 1, 6.7, Workload::Decode)
        })
        .unwrap();
        assert_eq!(big.bound, Bound::Compute);
    }

    #[test]
    fn mlperf_v4_llama2_70b_offline_h200_over_h100_ratio_and_roofline_bound() {
        // MLCommons MLPerf Inference v4.0 (March 2024), closed, Llama 2 70B Offline, 8 GPUs, FP8,
        // NVIDIA TensorRT-LLM: H100 SXM 21,806 tokens/s; H200 31,712 tokens/s (ratio 1.454).
        // Offline serving at this batch is bandwidth-bound, so the roofline's ratio is the
        // bandwidth ratio; the measured figures must sit below the roofline (an upper bound) and
        // above half of it.
        let run = |gpu: &str| {
            estimate(&GpuQuery {
                precision: Precision::Fp8,
                batch: 128,
                ..query(gpu, 8, 70.0, Workload::Decode)
            })
            .unwrap()
        };
        let (h100, h200) = (run("H100-SXM"), run("H200"));
        assert_eq!(h100.bound, Bound::Memory);
        let ratio = h200.tokens_per_s / h100.tokens_per_s;
        assert!((ratio / 1.454 - 1.0).abs() < 0.05, "ratio {ratio}");
        for (e, measured) in [(&h100, 21_806.0), (&h200, 31_712.0)] {
            assert!(
                e.tokens_per_s >= measured && measured >= 0.5 * e.tokens_per_s,
                "{} vs {measured}",
                e.tokens_per_s
            );
        }
    }

    #[test]
    fn power_and_tokens_per_mw_use_whole_servers_and_pue() {
        let e = estimate(&query("H100-SXM", 8, 70.0, Workload::Prefill)).unwrap();
        assert!((e.power_kw - 10.2).abs() < 1e-9);
        assert!((e.tokens_per_s_per_mw - e.tokens_per_s / (10.2 * 1.3 / 1000.0)).abs() < 1e-6);
        // Prefill at 40 % MFU: 8 × 989.4 TFLOPS × 0.4 / (2 × 70e9) = 22,615 tokens/s.
        assert!(
            (e.tokens_per_s - 22_615.0).abs() < 5.0,
            "{}",
            e.tokens_per_s
        );
        assert!((e.gpus_per_mw - 603.3).abs() < 0.1);
    }

    #[test]
    fn rejects_unknown_gpus_fp8_on_a100_and_nonsense() {
        assert_eq!(
            estimate(&query("RTX-9090", 1, 7.0, Workload::Decode))
                .unwrap_err()
                .field,
            "gpu"
        );
        let fp8 = GpuQuery {
            precision: Precision::Fp8,
            ..query("A100-80GB", 1, 7.0, Workload::Decode)
        };
        assert_eq!(estimate(&fp8).unwrap_err().field, "precision");
        assert_eq!(
            estimate(&GpuQuery {
                count: 0,
                ..query("H100-SXM", 1, 7.0, Workload::Decode)
            })
            .unwrap_err()
            .field,
            "count"
        );
        assert_eq!(
            estimate(&GpuQuery {
                mfu: 1.5,
                ..query("H100-SXM", 1, 7.0, Workload::Decode)
            })
            .unwrap_err()
            .field,
            "mfu"
        );
        assert_eq!(
            estimate(&query("H100-SXM", 1, f64::NAN, Workload::Decode))
                .unwrap_err()
                .field,
            "model_params_b"
        );
    }

    #[test]
    fn request_defaults_follow_the_api_contract() {
        let q: GpuQuery =
            serde_json::from_str(r#"{"gpu":"H100-SXM","model_params_b":70,"workload":"decode"}"#)
                .unwrap();
        assert_eq!(
            (q.count, q.batch, q.precision, q.mfu, q.context_tokens),
            (1, 1, Precision::Bf16, 0.4, 2048)
        );
        assert!(serde_json::from_str::<GpuQuery>(
            r#"{"gpu":"H100-SXM","model_params_b":70,"workload":"sleep"}"#
        )
        .is_err());
    }
}
