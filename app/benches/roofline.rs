//! The roofline and conversion models are recomputed on every slider move in the browser; this
//! keeps their cost visible. `cargo bench -p app --bench roofline`.

use criterion::{criterion_group, criterion_main, Criterion};

use app::model::ai::roofline::{estimate, GpuQuery, Precision, Workload};
use app::model::timeline::conversion::{compare, AiOffer, ConversionInputs};

fn bench(c: &mut Criterion) {
    let q = GpuQuery {
        gpu: "H100-SXM".into(),
        count: 8,
        model_params_b: 70.0,
        workload: Workload::Decode,
        precision: Precision::Fp8,
        batch: 64,
        mfu: 0.4,
        context_tokens: 2048,
        pue: 1.3,
        kv_bytes_per_token: None,
    };
    c.bench_function("roofline_estimate", |b| {
        b.iter(|| estimate(std::hint::black_box(&q)))
    });
    let i = ConversionInputs {
        start: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        horizon_months: 180,
        site_mw: 100.0,
        power_usd_per_kwh: 0.04,
        asic_id: "S21",
        mining_pue: 1.05,
        btc_price_usd: 100_000.0,
        btc_price_change_pct_per_year: 0.0,
        difficulty: 150e12,
        difficulty_growth_pct_per_month: 2.0,
        fees_btc_per_block: 0.02,
        ai: AiOffer::Colocation {
            usd_per_kw_month: 130.0,
        },
        ai_pue: 1.25,
        conversion_capex_usd_per_mw: 3e6,
        build_months: 12,
        ramp_months: 6,
    };
    c.bench_function("conversion_compare_15y", |b| {
        b.iter(|| compare(std::hint::black_box(&i)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
