//! The model in wasm: the browser must get the same numbers as the server.
//! Run: `cargo test -p app --target wasm32-unknown-unknown --features hydrate --test wasm_model`
//! (runner: wasm-bindgen-test-runner under node).
#![cfg(target_arch = "wasm32")]

use app::model::ai::roofline::{estimate, GpuQuery, Precision, Workload};
use app::model::mining::sha256d::{
    display_hash, meets_target, sha256d, simd, target_from_bits, BlockHeader, Midstate,
};
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn genesis_block_hashes_and_meets_its_target_in_wasm() {
    let g = BlockHeader::genesis();
    let expected = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f";
    assert_eq!(display_hash(&sha256d(&g.to_bytes())), expected);
    let h = Midstate::new(&g.to_bytes()).hash(g.nonce);
    assert_eq!(display_hash(&h), expected);
    assert!(meets_target(&h, &target_from_bits(g.bits)));
}

#[wasm_bindgen_test]
fn roofline_prefill_figure_is_the_same_in_wasm() {
    let e = estimate(&GpuQuery {
        gpu: "H100-SXM".into(),
        count: 8,
        model_params_b: 70.0,
        workload: Workload::Prefill,
        precision: Precision::Bf16,
        batch: 1,
        mfu: 0.4,
        context_tokens: 2048,
        pue: 1.3,
        kv_bytes_per_token: None,
    })
    .unwrap();
    assert!((e.tokens_per_s - 22_615.0).abs() < 5.0);
}

fn state_bytes(words: &[u32; 8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (chunk, w) in out.chunks_exact_mut(4).zip(words) {
        chunk.copy_from_slice(&w.to_be_bytes());
    }
    out
}

#[wasm_bindgen_test]
fn the_simd_path_hashes_the_genesis_header_and_finds_its_nonce() {
    let g = BlockHeader::genesis();
    let mid = Midstate::new(&g.to_bytes());
    let lanes = simd::double4(&mid.state(), &mid.tail_words(), g.nonce - 2);
    assert_eq!(
        display_hash(&state_bytes(&lanes[2])),
        "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"
    );
    assert_eq!(
        simd::scan4(&mid.state(), &mid.tail_words(), g.nonce - 7, 12),
        Some(g.nonce)
    );
    assert_eq!(
        simd::scan4(&mid.state(), &mid.tail_words(), g.nonce + 1, 64),
        None
    );
}

#[wasm_bindgen_test]
fn the_simd_path_agrees_with_the_plain_digest_on_random_headers() {
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..50 {
        let mut header = [0u8; 80];
        for chunk in header.chunks_mut(8) {
            chunk.copy_from_slice(&next().to_le_bytes());
        }
        let mid = Midstate::new(&header);
        let nonce = next() as u32;
        let lanes = simd::double4(&mid.state(), &mid.tail_words(), nonce);
        for (i, lane) in lanes.iter().enumerate() {
            header[76..80].copy_from_slice(&nonce.wrapping_add(i as u32).to_le_bytes());
            assert_eq!(state_bytes(lane), sha256d(&header), "lane {i}");
        }
    }
}

/// The Monte Carlo in wasm: 10,000 paths × 36 months, its year-3 price mean S₀·e^{μT} within
/// 1 % (as natively), the same bands for the same seed; the time it took is printed (a figure
/// for the note, not a timed test).
#[wasm_bindgen_test]
fn the_risk_monte_carlo_runs_in_wasm_with_the_lognormal_mean() {
    use app::model::investor::risk::{simulate, Dynamics, MonthInputs};
    let start = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
    let months: Vec<MonthInputs> = (0..36u32)
        .map(|i| MonthInputs {
            month: start.checked_add_months(chrono::Months::new(i)).unwrap(),
            years: f64::from(i + 1) / 12.0,
            btc_at_unit_difficulty: MonthInputs::btc_at_unit_difficulty(
                20_000_000.0,
                (0..30).map(|_| 3.155),
            ),
            forward_mining_usd: 0.0,
            mining_power_usd: 6_000_000.0,
            ai_firm_usd: 15_000_000.0,
            ai_gpu_hours_usd: 8_000_000.0,
        })
        .collect();
    let d = Dynamics {
        btc_usd: 95_000.0,
        difficulty: 1.5e14,
        btc_drift_per_year: 0.2,
        btc_vol_per_year: 0.5,
        difficulty_growth_per_year: 0.35,
        difficulty_vol_per_year: 0.13,
        gpu_utilisation_vol: 0.08,
    };
    let t0 = js_sys::Date::now();
    let bands = simulate(&months, &d, 10_000, 7);
    let ms = js_sys::Date::now() - t0;
    wasm_bindgen_test::console_log!("risk: 10,000 paths x 36 months in wasm: {ms} ms");
    let mean = bands[35].btc_usd.mean;
    let expected = 95_000.0 * (0.2f64 * 3.0).exp();
    assert!((mean / expected - 1.0).abs() < 0.01, "{mean} vs {expected}");
    assert_eq!(bands, simulate(&months, &d, 10_000, 7));
}
