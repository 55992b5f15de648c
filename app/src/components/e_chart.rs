//! `EChart`: mounts an ECharts instance on a div after hydration and feeds it options.
//!
//! The server renders only the sized, empty container (so the layout does not shift); the browser
//! initialises ECharts once and then replaces the option whenever the `chart` signal changes.
//! We bind the few ECharts calls we need ourselves (init with `catch`, setOption with
//! `notMerge`, resize, dispose) instead of charming's `WasmRenderer`, whose `init` would abort
//! the wasm module if the `echarts` script failed to load and which cannot dispose.

use crate::charts::option::ChartOption;
use leptos::html::Div;
use leptos::prelude::*;

#[cfg(feature = "hydrate")]
mod js {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        pub type EchartsInstance;

        #[wasm_bindgen(catch, js_namespace = echarts, js_name = init)]
        pub fn init(
            el: &web_sys::HtmlElement,
            theme: &str,
            opts: &JsValue,
        ) -> Result<EchartsInstance, JsValue>;

        /// From echarts-theme-rigshift.js: number formatters for the page's language.
        #[wasm_bindgen(catch, js_name = rigshiftLocalize)]
        pub fn localize(option: &JsValue, lang: &str) -> Result<JsValue, JsValue>;

        #[wasm_bindgen(method, js_name = setOption)]
        pub fn set_option(this: &EchartsInstance, option: &JsValue, not_merge: bool);

        #[wasm_bindgen(method)]
        pub fn resize(this: &EchartsInstance);

        #[wasm_bindgen(method)]
        pub fn dispose(this: &EchartsInstance);
    }
}

/// A chart container; `id` is stable across SSR and hydration and is the e2e handle.
#[component]
pub fn EChart(
    id: &'static str,
    /// `None` while there is nothing to draw yet.
    #[prop(into)]
    chart: Signal<Option<ChartOption>>,
    #[prop(default = 320)] height_px: u32,
    /// Accessible description of what the chart shows.
    label: &'static str,
) -> impl IntoView {
    let el = NodeRef::<Div>::new();
    let error = RwSignal::new(None::<String>);
    #[cfg(feature = "hydrate")]
    let common = &crate::locale::t().common;
    #[cfg(feature = "hydrate")]
    let lang = crate::locale::use_lang();
    #[cfg(not(feature = "hydrate"))]
    let _ = chart;
    #[cfg(feature = "hydrate")]
    {
        let instance = StoredValue::new_local(None::<js::EchartsInstance>);
        Effect::new(move |_| {
            let Some(chart) = chart.get() else { return };
            let Some(div) = el.get() else { return };
            let option = match js_sys::JSON::parse(chart.json()) {
                Ok(o) => js::localize(&o, lang.code()).unwrap_or(o),
                Err(_) => {
                    error.set(Some(common.chart_not_encoded.into()));
                    return;
                }
            };
            instance.update_value(|slot| {
                if slot.is_none() {
                    let opts = js_sys::Object::new();
                    let locale = if lang == crate::i18n::Lang::It {
                        "IT"
                    } else {
                        "EN"
                    };
                    js_sys::Reflect::set(&opts, &"locale".into(), &locale.into()).ok();
                    match js::init(&div, "rigshift", &opts) {
                        Ok(i) => *slot = Some(i),
                        Err(_) => error.set(Some(common.chart_library_missing.into())),
                    }
                }
                if let Some(i) = slot {
                    i.set_option(&option, true);
                    div.set_attribute("data-chart-ready", "true").ok();
                }
            });
        });
        let resize = window_event_listener(leptos::ev::resize, move |_| {
            instance.with_value(|slot| {
                if let Some(i) = slot {
                    i.resize();
                }
            })
        });
        on_cleanup(move || {
            resize.remove();
            instance.update_value(|slot| {
                if let Some(i) = slot.take() {
                    i.dispose();
                }
            });
        });
    }
    view! {
        <div class="chart-wrap">
            <div id=id node_ref=el class="chart" role="img" aria-label=label style:height=format!("{height_px}px")></div>
            {move || error.get().map(|e| view! { <p class="chart-error" role="alert">{e}</p> })}
        </div>
    }
}
