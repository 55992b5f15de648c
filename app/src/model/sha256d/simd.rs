//! SHA-256d of four nonces at once with wasm's 128-bit SIMD (`simd128`): each vector holds one
//! state or message word of four headers that differ only in their nonce.
//!
//! This file has no dependency but `core`: the browser's measurement worker (`app/sha256-worker`)
//! compiles it into its own small module, so the dashboard's main wasm carries no SIMD
//! instruction and still runs where SIMD is missing. The functions are `#[target_feature]`:
//! callers run them only where the engine validated a SIMD module.

use core::arch::wasm32::*;

const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

const IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

#[inline]
#[target_feature(enable = "simd128")]
fn rotr<const N: u32, const M: u32>(x: v128) -> v128 {
    // M = 32 - N: const generics cannot compute it here.
    v128_or(u32x4_shr(x, N), u32x4_shl(x, M))
}

/// One compression of four states (word-major: `s[i]` is word i of all four). (Measured under
/// node: this rolling 16-word schedule ran at 6.2 MH/s per thread, a fully expanded 64-word
/// schedule with renamed working words at 5.7.)
#[inline]
#[target_feature(enable = "simd128")]
fn compress4(s: [v128; 8], mut w: [v128; 16]) -> [v128; 8] {
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = s;
    for t in 0..64 {
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
    [
        u32x4_add(s[0], a),
        u32x4_add(s[1], b),
        u32x4_add(s[2], c),
        u32x4_add(s[3], d),
        u32x4_add(s[4], e),
        u32x4_add(s[5], f),
        u32x4_add(s[6], g),
        u32x4_add(s[7], h),
    ]
}

/// Final states (word-major) of the double hash for nonces `nonce..nonce + 4`, given the
/// midstate (the state after the header's first 64 bytes) and header bytes 64..76 as big-endian
/// words.
#[inline]
#[target_feature(enable = "simd128")]
fn final4(mid: &[u32; 8], tail: &[u32; 3], nonce: u32) -> [v128; 8] {
    let zero = u32x4_splat(0);
    // The nonce is little-endian in the header; as a message word it reads byte-swapped.
    let nonces = u32x4(
        nonce.swap_bytes(),
        nonce.wrapping_add(1).swap_bytes(),
        nonce.wrapping_add(2).swap_bytes(),
        nonce.wrapping_add(3).swap_bytes(),
    );
    let mut inner_w = [zero; 16];
    inner_w[0] = u32x4_splat(tail[0]);
    inner_w[1] = u32x4_splat(tail[1]);
    inner_w[2] = u32x4_splat(tail[2]);
    inner_w[3] = nonces;
    inner_w[4] = u32x4_splat(0x8000_0000);
    inner_w[15] = u32x4_splat(640);
    let inner = compress4(mid.map(|w| u32x4_splat(w)), inner_w);
    let mut outer_w = [zero; 16];
    outer_w[..8].copy_from_slice(&inner);
    outer_w[8] = u32x4_splat(0x8000_0000);
    outer_w[15] = u32x4_splat(256);
    compress4(IV.map(|w| u32x4_splat(w)), outer_w)
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
    let out = final4(mid, tail, nonce);
    [lane(&out, 0), lane(&out, 1), lane(&out, 2), lane(&out, 3)]
}

/// Hashes `count` nonces from `start` (a multiple of four are done; the rest is rounded up) and
/// returns the first whose hash has its top 32 bits zero (final state word 7 = 0: every real
/// target is below 2^224), for the caller to check against its target.
#[target_feature(enable = "simd128")]
pub fn scan4(mid: &[u32; 8], tail: &[u32; 3], start: u32, count: u32) -> Option<u32> {
    let zero = u32x4_splat(0);
    let mut i = 0;
    while i < count {
        let nonce = start.wrapping_add(i);
        let out = final4(mid, tail, nonce);
        if v128_any_true(u32x4_eq(out[7], zero)) {
            let hit = (0..4).find(|l| lane(&out, *l)[7] == 0).unwrap_or(0);
            return Some(nonce.wrapping_add(hit as u32));
        }
        i += 4;
    }
    None
}
