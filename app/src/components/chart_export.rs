//! Export buttons under a chart: its data as CSV (from the server's export endpoint when the
//! chart's data lives there, else from the chart's own option in the browser) and the drawing
//! as a PNG (ECharts' `getDataURL`, so the SIMULATED marker and annotations come along).

use crate::charts::option::ChartOption;
use leptos::prelude::*;

#[cfg(feature = "hydrate")]
mod js {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        pub type Instance;

        #[wasm_bindgen(catch, js_namespace = echarts, js_name = getInstanceByDom)]
        pub fn instance_by_dom(el: &web_sys::Element) -> Result<Option<Instance>, JsValue>;

        #[wasm_bindgen(method, js_name = getDataURL)]
        pub fn data_url(this: &Instance, options: &JsValue) -> String;
    }
}

/// Starts a download of `href` named `filename` (a data: or blob: URL, or a same-origin path).
#[cfg(feature = "hydrate")]
fn download(href: &str, filename: &str) {
    use wasm_bindgen::JsCast;
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(a) = doc.create_element("a") else {
        return;
    };
    let Ok(a) = a.dyn_into::<web_sys::HtmlAnchorElement>() else {
        return;
    };
    a.set_href(href);
    a.set_download(filename);
    a.click();
}

#[cfg(feature = "hydrate")]
fn download_text(text: &str, filename: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    if let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) {
        if let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) {
            download(&url, filename);
            web_sys::Url::revoke_object_url(&url).ok();
        }
    }
}

#[component]
pub fn ChartExport(
    /// The chart's DOM id (also the file name stem).
    id: &'static str,
    /// The chart being shown (for the in-browser CSV when there is no `csv_href`).
    #[prop(into)]
    chart: Signal<Option<ChartOption>>,
    /// Server CSV of this chart's data, with the page's current parameters.
    #[prop(default = None)]
    csv_href: Option<Signal<String>>,
) -> impl IntoView {
    let stem = id.trim_start_matches("chart-");
    // The server's CSV in the page's language (English, the API's default, needs no parameter).
    let lang = crate::locale::use_lang();
    let csv_href = csv_href.map(|href| {
        Signal::derive(move || {
            let href = href.get();
            if lang == crate::i18n::Lang::En {
                href
            } else {
                let sep = if href.contains('?') { '&' } else { '?' };
                format!("{href}{sep}lang={}", lang.code())
            }
        })
    });
    let png = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let Some(el) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(id))
            else {
                return;
            };
            if let Ok(Some(inst)) = js::instance_by_dom(&el) {
                let opts = serde_json::json!({ "type": "png", "pixelRatio": 2, "backgroundColor": "#121a2e" });
                if let Ok(o) = js_sys::JSON::parse(&opts.to_string()) {
                    download(&inst.data_url(&o), &format!("rigshift-{stem}.png"));
                }
            }
        }
    };
    let local_csv = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(c) = chart.get_untracked() {
            download_text(
                &crate::charts::csv::option_csv(&c.value(), "x"),
                &format!("rigshift-{stem}.csv"),
            );
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = chart;
    };
    view! {
        <div class="chart-export no-print">
            {match csv_href {
                Some(href) => view! { <a class="link-button" href=href download data-testid=format!("csv-{stem}")>"CSV"</a> }.into_any(),
                None => view! { <button type="button" class="link-button" on:click=local_csv data-testid=format!("csv-{stem}")>"CSV"</button> }.into_any(),
            }}
            <button type="button" class="link-button" on:click=png data-testid=format!("png-{stem}")>"PNG"</button>
        </div>
    }
}
