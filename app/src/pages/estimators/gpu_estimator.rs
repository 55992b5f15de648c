//! GPU throughput: the roofline model over the catalogue, recomputed locally on every change.

use leptos::prelude::*;

use crate::model::ai::roofline::{estimate, Bound, GpuQuery, Precision, Workload};
use crate::model::fleet::catalogue::GPUS;

#[component]
pub fn GpuEstimator() -> impl IntoView {
    let gpu = RwSignal::new("H100-SXM".to_string());
    let count = RwSignal::new(8u32);
    let params_b = RwSignal::new(70.0f64);
    let workload = RwSignal::new(Workload::Decode);
    let precision = RwSignal::new(Precision::Fp8);
    let batch = RwSignal::new(64u32);
    let mfu = RwSignal::new(0.4f64);
    let context = RwSignal::new(2048u32);
    let result = Memo::new(move |_| {
        estimate(&GpuQuery {
            gpu: gpu.get(),
            count: count.get(),
            model_params_b: params_b.get(),
            workload: workload.get(),
            precision: precision.get(),
            batch: batch.get(),
            mfu: mfu.get(),
            context_tokens: context.get(),
            pue: 1.3,
            kv_bytes_per_token: None,
        })
    });
    let lang = crate::locale::use_lang();
    let tx = &crate::locale::t().estimators;
    let n = move |v: f64, d: usize| crate::i18n::numbers::number(lang, v, d);
    let number = |label: &'static str, key: &'static str, sig: RwSignal<f64>| {
        view! {
            <label class="field">
                <span>{label}</span>
                <input type="number" name=key step="any" prop:value=move || sig.get().to_string()
                    on:input=move |ev| if let Ok(v) = event_target_value(&ev).parse() { sig.set(v) } />
            </label>
        }
    };
    let integer = |label: &'static str, key: &'static str, sig: RwSignal<u32>| {
        view! {
            <label class="field">
                <span>{label}</span>
                <input type="number" name=key min="1" step="1" prop:value=move || sig.get().to_string()
                    on:input=move |ev| if let Ok(v) = event_target_value(&ev).parse() { sig.set(v) } />
            </label>
        }
    };
    view! {
        <div class="panel" id="gpu-estimator">
            <div class="panel-head">
                <h2>{tx.gpu_title}</h2>
                <span class="panel-note">{tx.gpu_note}</span>
            </div>
            <div class="calc">
                <div class="calc-inputs">
                    <label class="field">
                        <span>"GPU"</span>
                        <select name="gpu" on:change=move |ev| gpu.set(event_target_value(&ev))>
                            {GPUS.iter().map(|g| view! { <option value=g.id selected=g.id == "H100-SXM">{g.name}</option> }).collect_view()}
                        </select>
                    </label>
                    {integer(tx.gpu_count, "count", count)}
                    {number(tx.model_size, "params", params_b)}
                    <label class="field">
                        <span>{tx.workload}</span>
                        <select name="workload" on:change=move |ev| workload.set(match event_target_value(&ev).as_str() { "training" => Workload::Training, "prefill" => Workload::Prefill, _ => Workload::Decode })>
                            <option value="decode" selected=true>{tx.decode}</option>
                            <option value="prefill">{tx.prefill}</option>
                            <option value="training">{tx.training}</option>
                        </select>
                    </label>
                    <label class="field">
                        <span>{tx.precision}</span>
                        <select name="precision" on:change=move |ev| precision.set(if event_target_value(&ev) == "bf16" { Precision::Bf16 } else { Precision::Fp8 })>
                            <option value="fp8" selected=true>"FP8"</option>
                            <option value="bf16">"BF16"</option>
                        </select>
                    </label>
                    {integer(tx.batch, "batch", batch)}
                    {number(tx.mfu, "mfu", mfu)}
                    {integer(tx.context, "context", context)}
                </div>
                <div class="calc-outputs">
                    {move || match result.get() {
                        Ok(e) => view! {
                            <table class="data-table" tabindex="0" data-testid="gpu-result">
                                <tbody>
                                    <tr><th>{tx.tokens_all}</th><td>{n(e.tokens_per_s, 0)}</td></tr>
                                    <tr><th>{tx.tokens_gpu}</th><td>{n(e.tokens_per_s_per_gpu, 1)}</td></tr>
                                    <tr><th>{tx.bound_by}</th><td>{if e.bound == Bound::Memory { tx.memory_bw } else { tx.compute }}</td></tr>
                                    <tr><th>{tx.fits}</th><td>{if e.fits_in_memory { tx.yes } else { tx.no }}{(tx.gb_needed)(&n(e.memory_needed_gb, 0), &n(e.gpu.memory_gb * e.query.count as f64, 0))}</td></tr>
                                    <tr><th>{tx.server_power}</th><td>{format!("{} kW", n(e.power_kw, 1))}</td></tr>
                                    <tr><th>{tx.tokens_mw}</th><td>{n(e.tokens_per_s_per_mw, 0)}</td></tr>
                                    <tr><th>{tx.gpus_mw}</th><td>{n(e.gpus_per_mw, 0)}</td></tr>
                                    <tr><th>{tx.peak}</th><td>{(tx.peak_value)(&n(e.peak_tflops, 0), &n(e.gpu.memory_tb_s, 2), &n(e.gpu.memory_gb, 0))}</td></tr>
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(err) => view! { <p class="error-panel" role="alert">{err.to_string()}</p> }.into_any(),
                    }}
                </div>
            </div>
        </div>
    }
}
