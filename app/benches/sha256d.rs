//! SHA-256d throughput per core, every path in one run, as ratios of the hardware limit:
//! the compression function alone (one chain, and two independent chains — the fair limit for a
//! loop that interleaves two nonces), the midstate nonce loop (SHA extensions when the CPU has
//! them, and the portable path), a plain double `Sha256::digest`, and the browser's wasm paths
//! when their build is there (run under node: `node app/benches/sha256d-wasm.mjs`).
//!
//! `cargo bench -p app --bench sha256d`. Each figure is the best of seven ~0.3 s runs.

use std::hint::black_box;
use std::time::{Duration, Instant};

use sha2::block_api::compress256;

use app::model::mining::sha256d::{scan, scan_portable, sha256d, BlockHeader, Midstate, SHA256_IV};

const NONCES: u32 = 1 << 14;

/// Hashes per second of `run` (which does `per_call` hashes), best of seven runs of ~0.3 s.
fn rate(per_call: u64, mut run: impl FnMut()) -> f64 {
    let mut best = 0f64;
    for _ in 0..7 {
        let start = Instant::now();
        let mut calls = 0u64;
        while start.elapsed() < Duration::from_millis(300) {
            run();
            calls += 1;
        }
        best = best.max((calls * per_call) as f64 / start.elapsed().as_secs_f64());
    }
    best
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this quickly as a smoke test.
    if std::env::args().any(|a| a == "--test") {
        return;
    }
    let header = BlockHeader::genesis().to_bytes();
    let mid = Midstate::new(&header);
    let impossible = [0u8; 32];
    let block = [0x5au8; 64];

    // Two compressions make one hash: the limits are compressions per second halved.
    let one_chain = rate(NONCES as u64, || {
        let mut s = SHA256_IV;
        for _ in 0..NONCES {
            compress256(&mut s, black_box(&[block]));
        }
        black_box(s);
    }) / 2.0;
    let two_chains = rate(2 * NONCES as u64, || {
        let mut s = [SHA256_IV; 2];
        for _ in 0..NONCES {
            for state in s.iter_mut() {
                compress256(state, black_box(&[block]));
            }
        }
        black_box(s);
    }) / 2.0;
    // The same limit without the block API's byte/word conversions: what the SHA extensions
    // themselves can do.
    #[cfg(target_arch = "x86_64")]
    let word_level = app::model::mining::sha256d::shani::available().then(|| {
        rate(2 * NONCES as u64, || {
            // SAFETY: the extensions were detected just above.
            black_box(unsafe {
                app::model::mining::sha256d::shani::compress_pairs(NONCES, black_box([7; 16]))
            });
        }) / 2.0
    });
    #[cfg(not(target_arch = "x86_64"))]
    let word_level: Option<f64> = None;
    let limit = word_level.unwrap_or(two_chains).max(two_chains);
    let mut start = 0u32;
    let fast = rate(NONCES as u64, || {
        black_box(scan(&mid, start, NONCES, &impossible));
        start = start.wrapping_add(NONCES);
    });
    let portable = rate(NONCES as u64, || {
        black_box(scan_portable(&mid, start, NONCES, &impossible));
        start = start.wrapping_add(NONCES);
    });
    let mut h = header;
    let plain = rate(NONCES as u64, || {
        for nonce in 0..NONCES {
            h[76..80].copy_from_slice(&nonce.to_le_bytes());
            black_box(sha256d(black_box(&h)));
        }
    });

    #[cfg(target_arch = "x86_64")]
    let path = if app::model::mining::sha256d::shani::available() {
        "SHA extensions, word-level, 2 nonces interleaved"
    } else {
        "portable (no SHA extensions on this CPU)"
    };
    #[cfg(not(target_arch = "x86_64"))]
    let path = "portable";
    println!("SHA-256d per core (MH/s, and as a share of the fastest two-chain compression limit)");
    let row = |name: &str, r: f64| {
        println!(
            "  {name:<58} {:>8.2} MH/s  {:>6.1} %",
            r / 1e6,
            100.0 * r / limit
        )
    };
    row("compression limit, one chain (sha2 block API)", one_chain);
    row("compression limit, two chains (sha2 block API)", two_chains);
    if let Some(w) = word_level {
        row(
            "compression limit, two chains (SHA extensions, word-level)",
            w,
        );
    }
    row(&format!("midstate loop: {path}"), fast);
    row("midstate loop: portable (sha2 block API)", portable);
    row("plain double Sha256::digest", plain);
    match wasm_rates() {
        Some(rows) => {
            for (name, r) in rows {
                row(&name, r);
            }
        }
        None => {
            println!("  wasm: not measured (needs node and the worker build from scripts/build.sh)")
        }
    }
}

/// The browser's paths, measured by node on the built worker module (one thread each).
fn wasm_rates() -> Option<Vec<(String, f64)>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = std::process::Command::new("node")
        .arg(root.join("app/benches/sha256d-wasm.mjs"))
        .current_dir(&root)
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    // Lines of `name<TAB>hashes per second`.
    let rows: Vec<(String, f64)> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let (name, rate) = l.split_once('\t')?;
            Some((format!("wasm in node: {name}"), rate.trim().parse().ok()?))
        })
        .collect();
    (!rows.is_empty()).then_some(rows)
}
