//! SHA-256d of four nonces at once with wasm's 128-bit SIMD (`simd128`): each vector holds one
//! state or message word of four headers that differ only in their nonce.
//!
//! This file has no dependency but `core` and `constants.rs`: the browser's measurement worker (`app/sha256-worker`)
//! compiles it into its own small module, so the dashboard's main wasm carries no SIMD
//! instruction and still runs where SIMD is missing. The functions are `#[target_feature]`:
//! callers run them only where the engine validated a SIMD module.

use core::arch::wasm32::*;

use super::constants::{K, SHA256_IV as IV};

#[inline]
#[target_feature(enable = "simd128")]
fn rotr<const N: u32, const M: u32>(x: v128) -> v128 {
    // M = 32 - N: const generics cannot compute it here.
    v128_or(u32x4_shr(x, N), u32x4_shl(x, M))
}

/// Rounds `rounds` of four states (word-major: `s[i]` is word i of all four) over the block `w`
/// (a rolling 16-word schedule). A compression is `add(s, rounds4(s, w, 0..64))`; split, the
/// rounds whose words are the same for every nonce run once per job instead of once per nonce.
/// (Measured under node: this rolling schedule ran at 6.2 MH/s per thread, a fully expanded
/// 64-word schedule with renamed working words at 5.7.)
#[inline]
#[target_feature(enable = "simd128")]
fn rounds4(s: [v128; 8], w: &mut [v128; 16], rounds: core::ops::Range<usize>) -> [v128; 8] {
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = s;
    for t in rounds {
        let wt = if t < 16 {
            w[t]
        } else {
            let w15 = w[(t + 1) % 16];
            let w2 = w[(t + 14) % 16];
            let s0 = v128_xor(
                v128_xor(rotr::<7, 25>(w15), rotr::<18, 14>(w15)),
                u32x4_shr(w15, 3),
            );
            let s1 = v128_xor(
                v128_xor(rotr::<17, 15>(w2), rotr::<19, 13>(w2)),
                u32x4_shr(w2, 10),
            );
            let next = u32x4_add(u32x4_add(w[t % 16], s0), u32x4_add(w[(t + 9) % 16], s1));
            w[t % 16] = next;
            next
        };
        let s1 = v128_xor(
            v128_xor(rotr::<6, 26>(e), rotr::<11, 21>(e)),
            rotr::<25, 7>(e),
        );
        let ch = v128_xor(v128_and(e, f), v128_andnot(g, e));
        let t1 = u32x4_add(
            u32x4_add(h, s1),
            u32x4_add(ch, u32x4_add(u32x4_splat(K[t]), wt)),
        );
        let s0 = v128_xor(
            v128_xor(rotr::<2, 30>(a), rotr::<13, 19>(a)),
            rotr::<22, 10>(a),
        );
        let maj = v128_or(v128_and(a, b), v128_and(c, v128_or(a, b)));
        let t2 = u32x4_add(s0, maj);
        h = g;
        g = f;
        f = e;
        e = u32x4_add(d, t1);
        d = c;
        c = b;
        b = a;
        a = u32x4_add(t1, t2);
    }
    [a, b, c, d, e, f, g, h]
}

#[inline]
#[target_feature(enable = "simd128")]
fn add8(x: [v128; 8], y: [v128; 8]) -> [v128; 8] {
    core::array::from_fn(|i| u32x4_add(x[i], y[i]))
}

/// The header's second block for nonces `nonce..nonce + 4`: bytes 64..76 (`tail`), the nonce,
/// the padding of an 80-byte message.
#[inline]
#[target_feature(enable = "simd128")]
fn inner_block(tail: &[u32; 3], nonce: u32) -> [v128; 16] {
    let mut w = [u32x4_splat(0); 16];
    w[0] = u32x4_splat(tail[0]);
    w[1] = u32x4_splat(tail[1]);
    w[2] = u32x4_splat(tail[2]);
    // The nonce is little-endian in the header; as a message word it reads byte-swapped.
    w[3] = u32x4(
        nonce.swap_bytes(),
        nonce.wrapping_add(1).swap_bytes(),
        nonce.wrapping_add(2).swap_bytes(),
        nonce.wrapping_add(3).swap_bytes(),
    );
    w[4] = u32x4_splat(0x8000_0000);
    w[15] = u32x4_splat(640);
    w
}

/// What every nonce of a job shares: the midstate, and the state after the second block's first
/// three rounds (their words — the end of the merkle root, the time, the bits — do not change).
struct Job {
    mid: [v128; 8],
    after3: [v128; 8],
}

#[inline]
#[target_feature(enable = "simd128")]
fn job(mid: &[u32; 8], tail: &[u32; 3]) -> Job {
    let mid = mid.map(|w| u32x4_splat(w));
    let after3 = rounds4(mid, &mut inner_block(tail, 0), 0..3);
    Job { mid, after3 }
}

/// The outer hash's block for four inner hashes: their words, then the padding of a 256-bit
/// message.
#[inline]
#[target_feature(enable = "simd128")]
fn outer_block(job: &Job, tail: &[u32; 3], nonce: u32) -> [v128; 16] {
    let inner = add8(
        job.mid,
        rounds4(job.after3, &mut inner_block(tail, nonce), 3..64),
    );
    let mut w = [u32x4_splat(0); 16];
    w[..8].copy_from_slice(&inner);
    w[8] = u32x4_splat(0x8000_0000);
    w[15] = u32x4_splat(256);
    w
}

/// Final states (word-major) of the double hash for nonces `nonce..nonce + 4`.
#[inline]
#[target_feature(enable = "simd128")]
fn final4(job: &Job, tail: &[u32; 3], nonce: u32) -> [v128; 8] {
    let iv = IV.map(|w| u32x4_splat(w));
    add8(iv, rounds4(iv, &mut outer_block(job, tail, nonce), 0..64))
}

/// Only the final word h of the four hashes (the one the target filter reads): h after 64
/// rounds is e after 61, so the last three rounds are skipped.
#[inline]
#[target_feature(enable = "simd128")]
fn final_h4(job: &Job, tail: &[u32; 3], nonce: u32) -> v128 {
    let iv = IV.map(|w| u32x4_splat(w));
    let after61 = rounds4(iv, &mut outer_block(job, tail, nonce), 0..61);
    u32x4_add(iv[7], after61[4])
}

/// Lane `l` of word-major states.
#[target_feature(enable = "simd128")]
fn lane(out: &[v128; 8], l: usize) -> [u32; 8] {
    out.map(|v| match l {
        0 => u32x4_extract_lane::<0>(v),
        1 => u32x4_extract_lane::<1>(v),
        2 => u32x4_extract_lane::<2>(v),
        _ => u32x4_extract_lane::<3>(v),
    })
}

/// The double hash's final state words for nonces `nonce..nonce + 4`.
#[target_feature(enable = "simd128")]
pub fn double4(mid: &[u32; 8], tail: &[u32; 3], nonce: u32) -> [[u32; 8]; 4] {
    let out = final4(&job(mid, tail), tail, nonce);
    [lane(&out, 0), lane(&out, 1), lane(&out, 2), lane(&out, 3)]
}

/// Hashes `count` nonces from `start` (a multiple of four are done; the rest is rounded up) and
/// returns the first whose hash has its top 32 bits zero (final state word 7 = 0: every real
/// target is below 2^224), for the caller to check against its target.
#[target_feature(enable = "simd128")]
pub fn scan4(mid: &[u32; 8], tail: &[u32; 3], start: u32, count: u32) -> Option<u32> {
    let zero = u32x4_splat(0);
    let job = job(mid, tail);
    let mut i = 0;
    while i < count {
        let nonce = start.wrapping_add(i);
        if v128_any_true(u32x4_eq(final_h4(&job, tail, nonce), zero)) {
            let out = final4(&job, tail, nonce);
            let hit = (0..4).find(|l| lane(&out, *l)[7] == 0).unwrap_or(0);
            return Some(nonce.wrapping_add(hit as u32));
        }
        i += 4;
    }
    None
}
