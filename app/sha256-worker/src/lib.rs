//! The module each measurement Web Worker instantiates (`public/sha256-worker.js`): plain
//! exports, no JS glue, no allocator. It holds only the SIMD hashing of `app`'s
//! `model::mining::sha256d::simd`, so the dashboard's main wasm stays free of SIMD instructions.
//!
//! Protocol: `job(m0..m7, t0..t2)` sets the midstate and header tail; `scan(start, count)`
//! returns 1 and remembers the nonce (`found()`) when a hash has its top 32 bits zero.
#![cfg_attr(target_arch = "wasm32", no_std)]

#[cfg(target_arch = "wasm32")]
#[path = "../../src/model/mining/sha256d/constants.rs"]
mod constants;

#[cfg(target_arch = "wasm32")]
#[path = "../../src/model/mining/sha256d/simd.rs"]
#[allow(dead_code)] // double4 is for the tests in app
mod simd;

#[cfg(target_arch = "wasm32")]
mod exports {
    use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

    // One job per worker and one thread per instance: atomics only to avoid `static mut`.
    static MID: [AtomicU32; 8] = [const { AtomicU32::new(0) }; 8];
    static TAIL: [AtomicU32; 3] = [const { AtomicU32::new(0) }; 3];
    static FOUND: AtomicU32 = AtomicU32::new(0);

    #[allow(clippy::too_many_arguments)]
    #[no_mangle]
    pub extern "C" fn job(
        m0: u32,
        m1: u32,
        m2: u32,
        m3: u32,
        m4: u32,
        m5: u32,
        m6: u32,
        m7: u32,
        t0: u32,
        t1: u32,
        t2: u32,
    ) {
        for (slot, v) in MID.iter().zip([m0, m1, m2, m3, m4, m5, m6, m7]) {
            slot.store(v, Relaxed);
        }
        for (slot, v) in TAIL.iter().zip([t0, t1, t2]) {
            slot.store(v, Relaxed);
        }
    }

    #[no_mangle]
    pub extern "C" fn scan(start: u32, count: u32) -> u32 {
        let mid = core::array::from_fn(|i| MID[i].load(Relaxed));
        let tail = core::array::from_fn(|i| TAIL[i].load(Relaxed));
        // An engine without SIMD rejects this whole module at instantiation, so this code only
        // ever runs where the instructions exist.
        match super::simd::scan4(&mid, &tail, start, count) {
            Some(n) => {
                FOUND.store(n, Relaxed);
                1
            }
            None => 0,
        }
    }

    #[no_mangle]
    pub extern "C" fn found() -> u32 {
        FOUND.load(Relaxed)
    }
}

#[cfg(all(target_arch = "wasm32", not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
