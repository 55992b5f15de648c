//! The model in wasm: the browser must get the same numbers as the server.
//! Run: `cargo test -p app --target wasm32-unknown-unknown --features hydrate --test wasm_model`
//! (runner: wasm-bindgen-test-runner under node).
#![cfg(target_arch = "wasm32")]

use app::model::roofline::{estimate, GpuQuery, Precision, Workload};
use app::model::sha256d::{
    display_hash, meets_target, sha256d, target_from_bits, BlockHeader, Midstate,
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
