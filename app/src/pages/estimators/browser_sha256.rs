//! (hydrate) "Measure in this browser": one Web Worker per core, each running the SIMD module
//! (`app/sha256-worker`, served as `/vendor/sha256-worker.wasm`, fetched only when the button
//! is pressed); where workers or wasm SIMD are missing, the model's portable kernel on the page's
//! own thread, in short slices so the page stays responsive.

use wasm_bindgen::{JsCast, JsValue};

use crate::api::estimators::Sha256Measurement;
use crate::model::mining::sha256d::{scan, BlockHeader, Midstate};

/// Work between yields to the event loop, ms.
const SLICE_MS: f64 = 20.0;

fn now_ms() -> f64 {
    js_sys::Date::now()
}

async fn yield_to_browser() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

async fn measure_here(millis: u32) -> Sha256Measurement {
    let mid = Midstate::new(&BlockHeader::genesis().to_bytes());
    let impossible = [0u8; 32];
    let start = now_ms();
    let (mut hashes, mut nonce, mut busy_ms) = (0u64, 0u32, 0.0);
    while now_ms() - start < millis as f64 {
        let slice_start = now_ms();
        while now_ms() - slice_start < SLICE_MS {
            hashes += scan(&mid, nonce, 1024, &impossible).hashes;
            nonce = nonce.wrapping_add(1024);
        }
        busy_ms += now_ms() - slice_start;
        yield_to_browser().await;
    }
    // The rate counts the time spent hashing, not the time the page was given back.
    let seconds = busy_ms / 1000.0;
    Sha256Measurement {
        hashes,
        seconds,
        hashes_per_s: hashes as f64 / seconds.max(1e-9),
        threads: 1,
    }
}

/// How the browser was measured, for the page to say.
pub const WORKERS_SIMD: &str = "Web Workers, wasm SIMD (4 nonces per vector)";
pub const ONE_THREAD: &str = "this page's thread, portable wasm (no workers or wasm SIMD here)";

/// What the page reports: the total, the threads that produced it, and how.
pub async fn measure(millis: u32) -> (Sha256Measurement, &'static str) {
    if simd_supported() {
        match measure_in_workers(millis).await {
            Ok(m) => return (m, WORKERS_SIMD),
            Err(e) => leptos::logging::warn!("SHA-256d workers: {e}; measuring on one thread"),
        }
    }
    (measure_here(millis).await, ONE_THREAD)
}

/// A minimal module whose one function uses a SIMD instruction: engines without wasm SIMD
/// refuse to validate it.
const SIMD_PROBE: [u8; 29] = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // types: () -> v128
    0x03, 0x02, 0x01, 0x00, // one function of type 0
    0x0a, 0x08, 0x01, 0x06, 0x00, // code: one body of 6 bytes, no locals
    0x41, 0x00, 0xfd, 0x0f, 0x0b, // i32.const 0, i8x16.splat, end
];

fn simd_supported() -> bool {
    let global = js_sys::global();
    let has_worker = js_sys::Reflect::has(&global, &JsValue::from_str("Worker")).unwrap_or(false);
    let probe = js_sys::Uint8Array::from(SIMD_PROBE.as_slice());
    has_worker && js_sys::WebAssembly::validate(&probe.into()).unwrap_or(false)
}

#[derive(serde::Serialize)]
struct Check {
    start: u32,
    count: u32,
    nonce: u32,
}

#[derive(serde::Serialize)]
struct Job {
    wasm: &'static str,
    mid: [u32; 8],
    tail: [u32; 3],
    check: Check,
    millis: u32,
    first: u32,
}

#[derive(serde::Deserialize)]
struct Report {
    hashes: Option<f64>,
    seconds: Option<f64>,
    error: Option<String>,
}

/// Starts one worker per core on the genesis header (disjoint nonce ranges) and sums their rates.
async fn measure_in_workers(millis: u32) -> Result<Sha256Measurement, String> {
    let window = web_sys::window().ok_or("no window")?;
    let threads = (window.navigator().hardware_concurrency() as u32).clamp(1, 64);
    let genesis = BlockHeader::genesis();
    let mid = Midstate::new(&genesis.to_bytes());
    let mut running = Vec::new();
    for i in 0..threads {
        let worker =
            web_sys::Worker::new("/vendor/sha256-worker.js").map_err(|e| format!("{e:?}"))?;
        // The worker's first message settles the promise.
        let worker_for_promise = worker.clone();
        let reply = js_sys::Promise::new(&mut |resolve, _| {
            worker_for_promise.set_onmessage(Some(resolve.unchecked_ref()));
        });
        let job = Job {
            wasm: "/vendor/sha256-worker.wasm",
            mid: mid.state(),
            tail: mid.tail_words(),
            check: Check {
                start: genesis.nonce - 5,
                count: 12,
                nonce: genesis.nonce,
            },
            millis,
            first: i.wrapping_mul(u32::MAX / threads),
        };
        let text = serde_json::to_string(&job).map_err(|e| e.to_string())?;
        worker
            .post_message(&JsValue::from_str(&text))
            .map_err(|e| format!("{e:?}"))?;
        running.push((worker, reply));
    }
    let (mut hashes, mut rate, mut seconds) = (0u64, 0f64, 0f64);
    for (worker, reply) in running {
        let event = wasm_bindgen_futures::JsFuture::from(reply).await;
        worker.terminate();
        let data = event
            .map_err(|e| format!("{e:?}"))?
            .dyn_into::<web_sys::MessageEvent>()
            .map_err(|_| "not a message")?
            .data()
            .as_string()
            .ok_or("not text")?;
        let report: Report = serde_json::from_str(&data).map_err(|e| e.to_string())?;
        if let Some(e) = report.error {
            return Err(e);
        }
        let (h, s) = (report.hashes.unwrap_or(0.0), report.seconds.unwrap_or(0.0));
        hashes += h as u64;
        rate += h / s.max(1e-9);
        seconds = seconds.max(s);
    }
    Ok(Sha256Measurement {
        hashes,
        seconds,
        hashes_per_s: rate,
        threads,
    })
}
