//! GPU throughput: the roofline model over the catalogue, recomputed locally on every change.

use leptos::prelude::*;

use crate::model::catalogue::GPUS;
use crate::model::roofline::{estimate, Bound, GpuQuery, Precision, Workload};

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
                <h2>"GPU throughput (roofline)"</h2>
                <span class="panel-note">"Training 6·N FLOPs/token, prefill 2·N at the MFU; decode is the slower of reading weights + KV cache and 2·N FLOPs per sequence."</span>
            </div>
            <div class="calc">
                <div class="calc-inputs">
                    <label class="field">
                        <span>"GPU"</span>
                        <select name="gpu" on:change=move |ev| gpu.set(event_target_value(&ev))>
                            {GPUS.iter().map(|g| view! { <option value=g.id selected=g.id == "H100-SXM">{g.name}</option> }).collect_view()}
                        </select>
                    </label>
                    {integer("GPUs", "count", count)}
                    {number("Model size (billion parameters)", "params", params_b)}
                    <label class="field">
                        <span>"Workload"</span>
                        <select name="workload" on:change=move |ev| workload.set(match event_target_value(&ev).as_str() { "training" => Workload::Training, "prefill" => Workload::Prefill, _ => Workload::Decode })>
                            <option value="decode" selected=true>"Decode (serving)"</option>
                            <option value="prefill">"Prefill"</option>
                            <option value="training">"Training"</option>
                        </select>
                    </label>
                    <label class="field">
                        <span>"Precision"</span>
                        <select name="precision" on:change=move |ev| precision.set(if event_target_value(&ev) == "bf16" { Precision::Bf16 } else { Precision::Fp8 })>
                            <option value="fp8" selected=true>"FP8"</option>
                            <option value="bf16">"BF16"</option>
                        </select>
                    </label>
                    {integer("Batch (concurrent sequences)", "batch", batch)}
                    {number("MFU (0–1)", "mfu", mfu)}
                    {integer("Context (tokens)", "context", context)}
                </div>
                <div class="calc-outputs">
                    {move || match result.get() {
                        Ok(e) => view! {
                            <table class="data-table" tabindex="0" data-testid="gpu-result">
                                <tbody>
                                    <tr><th>"Tokens/s (all GPUs)"</th><td>{format!("{:.0}", e.tokens_per_s)}</td></tr>
                                    <tr><th>"Tokens/s per GPU"</th><td>{format!("{:.1}", e.tokens_per_s_per_gpu)}</td></tr>
                                    <tr><th>"Bound by"</th><td>{if e.bound == Bound::Memory { "memory bandwidth" } else { "compute" }}</td></tr>
                                    <tr><th>"Fits in memory"</th><td>{if e.fits_in_memory { "yes" } else { "no" }}{format!(" ({:.0} GB needed of {:.0} GB)", e.memory_needed_gb, e.gpu.memory_gb * e.query.count as f64)}</td></tr>
                                    <tr><th>"Server power"</th><td>{format!("{:.1} kW", e.power_kw)}</td></tr>
                                    <tr><th>"Tokens/s per facility MW (PUE 1.3)"</th><td>{format!("{:.0}", e.tokens_per_s_per_mw)}</td></tr>
                                    <tr><th>"GPUs per facility MW"</th><td>{format!("{:.0}", e.gpus_per_mw)}</td></tr>
                                    <tr><th>"Peak used"</th><td>{format!("{:.0} TFLOPS, {} TB/s, {} GB per GPU", e.peak_tflops, e.gpu.memory_tb_s, e.gpu.memory_gb)}</td></tr>
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
