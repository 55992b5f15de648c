//! SHA-256d throughput per core: the compression-function limit, the midstate nonce loop, and
//! a plain double `Sha256::digest` of the 80-byte header, measured in the same run.
//! `cargo bench -p app --bench sha256d` (report hashes/s = elements/s).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sha2::block_api::compress256;

use app::model::sha256d::{scan, sha256d, BlockHeader, Midstate, SHA256_IV};

const NONCES: u32 = 4096;

fn bench(c: &mut Criterion) {
    let header = BlockHeader::genesis();
    let bytes = header.to_bytes();
    let mid = Midstate::new(&bytes);
    let impossible = [0u8; 32];
    let mut g = c.benchmark_group("sha256d");
    g.throughput(Throughput::Elements(NONCES as u64));

    // The limit: two compressions per hash and nothing else, on two independent chains (the
    // nonce loop interleaves two nonces, so the fair limit is throughput, not one chain's latency).
    g.bench_function("compression_limit", |b| {
        let block = [0x5au8; 64];
        b.iter(|| {
            let mut s = [SHA256_IV; 2];
            for _ in 0..NONCES {
                for state in s.iter_mut() {
                    compress256(state, std::hint::black_box(&[block]));
                }
            }
            s
        })
    });
    g.bench_function("midstate_loop", |b| {
        let mut start = 0u32;
        b.iter(|| {
            let r = scan(&mid, start, NONCES, &impossible);
            start = start.wrapping_add(NONCES);
            r
        })
    });
    g.bench_function("plain_double_digest", |b| {
        let mut h = bytes;
        b.iter(|| {
            let mut last = [0u8; 32];
            for nonce in 0..NONCES {
                h[76..80].copy_from_slice(&nonce.to_le_bytes());
                last = sha256d(std::hint::black_box(&h));
            }
            last
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
