//! SHA-256d of a nonce pair with the x86-64 SHA extensions, word-level end to end.
//!
//! The portable path goes through `sha2`'s block API, which takes bytes: the intermediate hash
//! is written out as 32 big-endian bytes and read back as words before the second compression.
//! Here the state stays in the two registers the SHA instructions use (`ABEF`, `CDGH`), the
//! second block's first eight words are built from them by two shuffles, and its padding words
//! are constants. Two nonces run interleaved so one chain's round latency hides behind the other.
//!
//! Everything is `unsafe` only because the instructions may be missing: callers check
//! [`available`] first (the functions are `#[target_feature]`).

use std::arch::x86_64::*;

use super::constants::{K, SHA256_IV};

/// True when this CPU has the SHA extensions (and the SSE4.1 the shuffles need).
pub fn available() -> bool {
    std::arch::is_x86_feature_detected!("sha")
        && std::arch::is_x86_feature_detected!("sse4.1")
        && std::arch::is_x86_feature_detected!("ssse3")
}

/// A SHA-256 state in the SHA instructions' layout.
#[derive(Clone, Copy)]
pub struct State {
    abef: __m128i,
    cdgh: __m128i,
}

impl State {
    /// From the eight words a..h.
    #[target_feature(enable = "sse2,sse4.1")]
    pub fn from_words(s: &[u32; 8]) -> Self {
        let w = |i: usize| s[i] as i32;
        State {
            abef: _mm_set_epi32(w(0), w(1), w(4), w(5)),
            cdgh: _mm_set_epi32(w(2), w(3), w(6), w(7)),
        }
    }

    /// Back to the eight words a..h.
    #[target_feature(enable = "sse2,sse4.1")]
    pub fn to_words(self) -> [u32; 8] {
        let (abef, cdgh) = (self.abef, self.cdgh);
        [
            _mm_extract_epi32::<3>(abef) as u32,
            _mm_extract_epi32::<2>(abef) as u32,
            _mm_extract_epi32::<3>(cdgh) as u32,
            _mm_extract_epi32::<2>(cdgh) as u32,
            _mm_extract_epi32::<1>(abef) as u32,
            _mm_extract_epi32::<0>(abef) as u32,
            _mm_extract_epi32::<1>(cdgh) as u32,
            _mm_extract_epi32::<0>(cdgh) as u32,
        ]
    }

    /// Word h: its low byte is the hash's most significant byte (the cheap target filter).
    #[target_feature(enable = "sse2")]
    pub fn h(self) -> u32 {
        _mm_cvtsi128_si32(self.cdgh) as u32
    }
}

/// Four message words in lanes 0..3.
#[inline]
#[target_feature(enable = "sse2")]
fn words(w0: u32, w1: u32, w2: u32, w3: u32) -> __m128i {
    _mm_set_epi32(w3 as i32, w2 as i32, w1 as i32, w0 as i32)
}

/// `W[t..t+4]` from the four message groups before it (`w0` oldest).
#[inline]
#[target_feature(enable = "sha,sse2,ssse3")]
fn schedule(w0: __m128i, w1: __m128i, w2: __m128i, w3: __m128i) -> __m128i {
    _mm_sha256msg2_epu32(
        _mm_add_epi32(_mm_sha256msg1_epu32(w0, w1), _mm_alignr_epi8::<4>(w3, w2)),
        w3,
    )
}

/// One compression each of two independent states, written out round group by round group so
/// the message words stay in registers and the two chains' instructions interleave.
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
fn compress_x2(s: [State; 2], w: [[__m128i; 4]; 2]) -> [State; 2] {
    let (mut a0, mut c0, mut a1, mut c1) = (s[0].abef, s[0].cdgh, s[1].abef, s[1].cdgh);
    let [mut x0, mut x1, mut x2, mut x3] = w[0];
    let [mut y0, mut y1, mut y2, mut y3] = w[1];
    // Rounds 4g..4g+4 on the current group ($x0 / $y0); for g < 12 that register then becomes
    // group g + 4.
    macro_rules! group {
        ($g:literal, $x0:ident $x1:ident $x2:ident $x3:ident, $y0:ident $y1:ident $y2:ident $y3:ident) => {
            group!($g, $x0, $y0);
            $x0 = schedule($x0, $x1, $x2, $x3);
            $y0 = schedule($y0, $y1, $y2, $y3);
        };
        ($g:literal, $x0:ident, $y0:ident) => {
            let k = words(K[4 * $g], K[4 * $g + 1], K[4 * $g + 2], K[4 * $g + 3]);
            let mx = _mm_add_epi32($x0, k);
            let my = _mm_add_epi32($y0, k);
            c0 = _mm_sha256rnds2_epu32(c0, a0, mx);
            c1 = _mm_sha256rnds2_epu32(c1, a1, my);
            a0 = _mm_sha256rnds2_epu32(a0, c0, _mm_shuffle_epi32::<0x0E>(mx));
            a1 = _mm_sha256rnds2_epu32(a1, c1, _mm_shuffle_epi32::<0x0E>(my));
        };
    }
    group!(0, x0 x1 x2 x3, y0 y1 y2 y3);
    group!(1, x1 x2 x3 x0, y1 y2 y3 y0);
    group!(2, x2 x3 x0 x1, y2 y3 y0 y1);
    group!(3, x3 x0 x1 x2, y3 y0 y1 y2);
    group!(4, x0 x1 x2 x3, y0 y1 y2 y3);
    group!(5, x1 x2 x3 x0, y1 y2 y3 y0);
    group!(6, x2 x3 x0 x1, y2 y3 y0 y1);
    group!(7, x3 x0 x1 x2, y3 y0 y1 y2);
    group!(8, x0 x1 x2 x3, y0 y1 y2 y3);
    group!(9, x1 x2 x3 x0, y1 y2 y3 y0);
    group!(10, x2 x3 x0 x1, y2 y3 y0 y1);
    group!(11, x3 x0 x1 x2, y3 y0 y1 y2);
    group!(12, x0, y0);
    group!(13, x1, y1);
    group!(14, x2, y2);
    group!(15, x3, y3);
    let finish = |start: State, abef, cdgh| State {
        abef: _mm_add_epi32(abef, start.abef),
        cdgh: _mm_add_epi32(cdgh, start.cdgh),
    };
    [finish(s[0], a0, c0), finish(s[1], a1, c1)]
}

/// The second block of the outer hash: the inner hash's words a..h, then the padding of a
/// 256-bit message (constant).
#[inline]
#[target_feature(enable = "sse2,ssse3")]
fn outer_block(inner: State) -> [__m128i; 4] {
    // abef lanes (0..3) = f e b a; cdgh = h g d c.
    let abcd = _mm_shuffle_epi32::<0xB1>(_mm_unpackhi_epi64(inner.abef, inner.cdgh));
    let efgh = _mm_shuffle_epi32::<0xB1>(_mm_unpacklo_epi64(inner.abef, inner.cdgh));
    [abcd, efgh, words(0x8000_0000, 0, 0, 0), words(0, 0, 0, 256)]
}

/// The header's second block as words: bytes 64..76 of the header (`tail`, as big-endian
/// words), the nonce, and the padding of an 80-byte message.
#[inline]
#[target_feature(enable = "sse2")]
fn inner_block(tail: [u32; 3], nonce: u32) -> [__m128i; 4] {
    [
        // The nonce is little-endian in the header; as a message word it reads byte-swapped.
        words(tail[0], tail[1], tail[2], nonce.swap_bytes()),
        words(0x8000_0000, 0, 0, 0),
        words(0, 0, 0, 0),
        words(0, 0, 0, 640),
    ]
}

/// Double SHA-256 of the header for `nonce` and `nonce + 1`: the final states.
///
/// # Safety
/// The CPU must have SHA, SSSE3 and SSE4.1 ([`available`]).
#[inline]
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
pub unsafe fn double_pair(mid: State, tail: [u32; 3], nonce: u32) -> [State; 2] {
    let inner = compress_x2(
        [mid, mid],
        [
            inner_block(tail, nonce),
            inner_block(tail, nonce.wrapping_add(1)),
        ],
    );
    let iv = State::from_words(&SHA256_IV);
    compress_x2([iv, iv], [outer_block(inner[0]), outer_block(inner[1])])
}

/// The hardware limit for the bench: `n` compressions of two independent states on a fixed
/// message, nothing else. Returns the states so the work cannot be optimised away.
///
/// # Safety
/// The CPU must have SHA, SSSE3 and SSE4.1 ([`available`]).
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
pub unsafe fn compress_pairs(n: u32, message: [u32; 16]) -> [[u32; 8]; 2] {
    let m = |i: usize| words(message[i], message[i + 1], message[i + 2], message[i + 3]);
    let block = [m(0), m(4), m(8), m(12)];
    let mut s = [State::from_words(&SHA256_IV); 2];
    for _ in 0..n {
        s = compress_x2(s, [block, block]);
    }
    [s[0].to_words(), s[1].to_words()]
}
