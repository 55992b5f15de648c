//! Double SHA-256 over 80-byte block headers, the way miners do it: the first 64 bytes are
//! compressed once (the midstate), and each nonce then costs two compressions — the header's
//! second block and the second hash — instead of three.
//!
//! On x86-64 CPUs with the SHA extensions `scan` runs [`shani`] (word-level, two nonces
//! interleaved); elsewhere (including wasm) it uses the `sha2` crate's compression function.
//! No clock here: callers time `scan`.

mod constants;
#[cfg(target_arch = "x86_64")]
pub mod shani;
#[cfg(target_arch = "wasm32")]
pub mod simd;

use sha2::block_api::compress256;
use sha2::{Digest, Sha256};

pub use constants::SHA256_IV;

/// A block header's fields; hashes are in internal (little-endian) byte order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockHeader {
    pub version: i32,
    pub prev_block: [u8; 32],
    pub merkle_root: [u8; 32],
    pub time: u32,
    pub bits: u32,
    pub nonce: u32,
}

impl BlockHeader {
    /// The 80 serialised bytes that are hashed.
    pub fn to_bytes(&self) -> [u8; 80] {
        let mut b = [0u8; 80];
        b[0..4].copy_from_slice(&self.version.to_le_bytes());
        b[4..36].copy_from_slice(&self.prev_block);
        b[36..68].copy_from_slice(&self.merkle_root);
        b[68..72].copy_from_slice(&self.time.to_le_bytes());
        b[72..76].copy_from_slice(&self.bits.to_le_bytes());
        b[76..80].copy_from_slice(&self.nonce.to_le_bytes());
        b
    }

    /// The genesis block's header (block 0, 3 January 2009).
    pub fn genesis() -> Self {
        Self {
            version: 1,
            prev_block: [0; 32],
            merkle_root: hash_from_display(
                "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b",
            )
            .expect("valid hex"),
            time: 1_231_006_505,
            bits: 0x1d00_ffff,
            nonce: 2_083_236_893,
        }
    }
}

/// Reference double SHA-256 with the plain digest API (three compressions for 80 bytes).
pub fn sha256d(data: &[u8]) -> [u8; 32] {
    Sha256::digest(Sha256::digest(data)).into()
}

fn state_to_bytes(state: &[u32; 8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (chunk, word) in out.chunks_exact_mut(4).zip(state) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// The header's first 64 bytes compressed once, plus the padded second blocks ready for nonces.
#[derive(Debug, Clone)]
pub struct Midstate {
    state: [u32; 8],
    /// Header bytes 64..80 followed by SHA-256 padding for an 80-byte message.
    tail_block: [u8; 64],
}

impl Midstate {
    pub fn new(header: &[u8; 80]) -> Self {
        let mut state = SHA256_IV;
        let mut first = [0u8; 64];
        first.copy_from_slice(&header[..64]);
        compress256(&mut state, &[first]);
        let mut tail_block = [0u8; 64];
        tail_block[..16].copy_from_slice(&header[64..80]);
        tail_block[16] = 0x80;
        tail_block[56..64].copy_from_slice(&(80u64 * 8).to_be_bytes());
        Self { state, tail_block }
    }

    /// Header bytes 64..76 (the end of the merkle root, time, bits) as big-endian words.
    pub fn tail_words(&self) -> [u32; 3] {
        let w = |i: usize| {
            u32::from_be_bytes([
                self.tail_block[4 * i],
                self.tail_block[4 * i + 1],
                self.tail_block[4 * i + 2],
                self.tail_block[4 * i + 3],
            ])
        };
        [w(0), w(1), w(2)]
    }

    /// The state after the header's first 64 bytes.
    pub fn state(&self) -> [u32; 8] {
        self.state
    }

    /// Double SHA-256 of the header with `nonce`, in two compressions.
    #[inline]
    pub fn hash(&self, nonce: u32) -> [u8; 32] {
        let mut tail = self.tail_block;
        let mut second = SECOND_BLOCK_TEMPLATE;
        state_to_bytes(&self.hash_state(nonce, &mut tail, &mut second))
    }

    /// The final state words for `nonce`, reusing the caller's buffers so the nonce loop does no
    /// copying beyond the four nonce bytes and the 32-byte intermediate hash.
    #[inline(always)]
    fn hash_state(&self, nonce: u32, tail: &mut [u8; 64], second: &mut [u8; 64]) -> [u32; 8] {
        tail[12..16].copy_from_slice(&nonce.to_le_bytes());
        let mut s1 = self.state;
        compress256(&mut s1, std::slice::from_ref(tail));
        write_be(&s1, second);
        let mut s2 = SHA256_IV;
        compress256(&mut s2, std::slice::from_ref(second));
        s2
    }

    /// Two consecutive nonces with their compressions interleaved: the second hash of a nonce
    /// depends on its first, so a lone nonce leaves the SHA unit waiting on latency; a second,
    /// independent chain fills the gap. (Measured on a 2-core SHA-NI VM: one nonce at a time ran
    /// at 70 % of the two-chain compression throughput, this pair at 87 %; a generic 4-lane loop
    /// was slower than the pair.)
    #[inline(always)]
    fn hash_state_pair(&self, nonce: u32, bufs: &mut [[u8; 64]; 4]) -> ([u32; 8], [u32; 8]) {
        let [tail_a, tail_b, second_a, second_b] = bufs;
        tail_a[12..16].copy_from_slice(&nonce.to_le_bytes());
        tail_b[12..16].copy_from_slice(&nonce.wrapping_add(1).to_le_bytes());
        let (mut a, mut b) = (self.state, self.state);
        compress256(&mut a, std::slice::from_ref(tail_a));
        compress256(&mut b, std::slice::from_ref(tail_b));
        write_be(&a, second_a);
        write_be(&b, second_b);
        let (mut a2, mut b2) = (SHA256_IV, SHA256_IV);
        compress256(&mut a2, std::slice::from_ref(second_a));
        compress256(&mut b2, std::slice::from_ref(second_b));
        (a2, b2)
    }
}

#[inline(always)]
fn write_be(state: &[u32; 8], block: &mut [u8; 64]) {
    for (chunk, word) in block[..32].chunks_exact_mut(4).zip(state) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
}

/// The second hash's single block: 32 bytes of first hash, then padding for a 256-bit message.
const SECOND_BLOCK_TEMPLATE: [u8; 64] = {
    let mut b = [0u8; 64];
    b[32] = 0x80;
    b[62] = 0x01; // 256 bits, big-endian, in the last 8 bytes
    b
};

/// The 256-bit target encoded by compact `bits`, as big-endian bytes.
pub fn target_from_bits(bits: u32) -> [u8; 32] {
    let exponent = (bits >> 24) as usize;
    let mantissa = bits & 0x007f_ffff;
    let mut target = [0u8; 32];
    if exponent == 0 || exponent > 32 || mantissa == 0 {
        return target;
    }
    let m = mantissa.to_be_bytes(); // [0, b1, b2, b3]
    for (i, byte) in m[1..].iter().enumerate() {
        // Byte i of the mantissa sits at position (exponent - 1 - i) from the least significant end.
        if let Some(pos_from_lsb) = exponent.checked_sub(1 + i) {
            if pos_from_lsb < 32 {
                target[31 - pos_from_lsb] = *byte;
            }
        }
    }
    target
}

/// True when `hash` (internal byte order, i.e. little-endian number) is at or below `target`.
pub fn meets_target(hash: &[u8; 32], target_be: &[u8; 32]) -> bool {
    let mut be = *hash;
    be.reverse();
    be <= *target_be
}

/// The hash as block explorers print it (byte-reversed hex).
pub fn display_hash(hash: &[u8; 32]) -> String {
    hash.iter().rev().map(|b| format!("{b:02x}")).collect()
}

/// Parses an explorer-order hex hash into internal byte order.
pub fn hash_from_display(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, slot) in out.iter_mut().rev().enumerate() {
        *slot = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// What a scan did: hashes computed and the first nonce meeting the target, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanResult {
    pub hashes: u64,
    pub found: Option<u32>,
}

/// Hashes `count` nonces from `start` (wrapping) against `target_be`, on the fastest path this
/// CPU has.
pub fn scan(mid: &Midstate, start: u32, count: u32, target_be: &[u8; 32]) -> ScanResult {
    #[cfg(target_arch = "x86_64")]
    if shani::available() {
        // SAFETY: the SHA extensions were just detected.
        return unsafe { scan_shani(mid, start, count, target_be) };
    }
    scan_portable(mid, start, count, target_be)
}

/// [`scan`] with the SHA extensions.
///
/// # Safety
/// The CPU must have them ([`shani::available`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
pub unsafe fn scan_shani(
    mid: &Midstate,
    start: u32,
    count: u32,
    target_be: &[u8; 32],
) -> ScanResult {
    let mut found = None;
    let state = shani::State::from_words(&mid.state);
    let tail = mid.tail_words();
    let mut check = |nonce: u32, s: shani::State| {
        if s.h() & 0xff == 0
            && found.is_none()
            && meets_target(&state_to_bytes(&s.to_words()), target_be)
        {
            found = Some(nonce);
        }
    };
    let mut i = 0;
    while i + 1 < count {
        let nonce = start.wrapping_add(i);
        // SAFETY: this function's own target features are the ones `double_pair` needs.
        let [a, b] = unsafe { shani::double_pair(state, tail, nonce) };
        check(nonce, a);
        check(nonce.wrapping_add(1), b);
        i += 2;
    }
    if i < count {
        let nonce = start.wrapping_add(i);
        let [a, _] = unsafe { shani::double_pair(state, tail, nonce) };
        check(nonce, a);
    }
    ScanResult {
        hashes: count as u64,
        found,
    }
}

/// [`scan`] on `sha2`'s compression function (any CPU, wasm included).
pub fn scan_portable(mid: &Midstate, start: u32, count: u32, target_be: &[u8; 32]) -> ScanResult {
    let mut found = None;
    // A hash meeting any real target has its most significant byte (the last byte in internal
    // order, the low byte of the last state word) zero: a cheap filter before the full compare.
    let mut check = |nonce: u32, state: &[u32; 8]| {
        if state[7] & 0xff == 0
            && found.is_none()
            && meets_target(&state_to_bytes(state), target_be)
        {
            found = Some(nonce);
        }
    };
    let mut bufs = [
        mid.tail_block,
        mid.tail_block,
        SECOND_BLOCK_TEMPLATE,
        SECOND_BLOCK_TEMPLATE,
    ];
    let mut i = 0;
    while i + 1 < count {
        let nonce = start.wrapping_add(i);
        let (a, b) = mid.hash_state_pair(nonce, &mut bufs);
        check(nonce, &a);
        check(nonce.wrapping_add(1), &b);
        i += 2;
    }
    if i < count {
        let nonce = start.wrapping_add(i);
        let [tail, _, second, _] = &mut bufs;
        check(nonce, &mid.hash_state(nonce, tail, second));
    }
    ScanResult {
        hashes: count as u64,
        found,
    }
}

/// Expected hashes to find a block at `difficulty` (difficulty × 2^32).
pub fn expected_hashes_per_block(difficulty: f64) -> f64 {
    difficulty * super::chain::HASHES_PER_DIFFICULTY
}

#[cfg(test)]
mod tests {
    use super::*;

    const GENESIS_HASH: &str = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f";

    #[test]
    fn genesis_header_hashes_to_the_genesis_block_hash() {
        let header = BlockHeader::genesis().to_bytes();
        assert_eq!(display_hash(&sha256d(&header)), GENESIS_HASH);
        let mid = Midstate::new(&header);
        assert_eq!(
            display_hash(&mid.hash(BlockHeader::genesis().nonce)),
            GENESIS_HASH
        );
    }

    #[test]
    fn the_genesis_nonce_meets_its_target_and_its_neighbours_do_not() {
        let g = BlockHeader::genesis();
        let target = target_from_bits(g.bits);
        // 0x1d00ffff = 0x00ffff × 256^(0x1d − 3): the famous difficulty-1 target.
        assert_eq!(
            display_hash(&{
                let mut t = target;
                t.reverse();
                t
            }),
            "00000000ffff0000000000000000000000000000000000000000000000000000"
        );
        let mid = Midstate::new(&g.to_bytes());
        let r = scan(&mid, g.nonce - 5, 10, &target);
        assert_eq!(
            r,
            ScanResult {
                hashes: 10,
                found: Some(g.nonce)
            }
        );
        // Found in the first and in the second lane of a pair, and in an odd count's last nonce.
        assert_eq!(scan(&mid, g.nonce - 4, 10, &target).found, Some(g.nonce));
        assert_eq!(
            scan(&mid, g.nonce - 6, 7, &target),
            ScanResult {
                hashes: 7,
                found: Some(g.nonce)
            }
        );
        assert_eq!(scan(&mid, g.nonce + 1, 9, &target).found, None);
        assert!(!meets_target(&mid.hash(g.nonce + 1), &target));
    }

    #[test]
    fn midstate_hash_equals_plain_double_sha256_for_any_nonce() {
        let mut header = BlockHeader::genesis();
        let mid = Midstate::new(&header.to_bytes());
        for nonce in [0u32, 1, 0xdead_beef, u32::MAX] {
            header.nonce = nonce;
            assert_eq!(
                mid.hash(nonce),
                sha256d(&header.to_bytes()),
                "nonce {nonce}"
            );
        }
    }

    /// A fixed xorshift stream: random-looking inputs that are the same on every run.
    fn xorshift(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    fn random_header(seed: &mut u64) -> [u8; 80] {
        let mut h = [0u8; 80];
        for chunk in h.chunks_mut(8) {
            chunk.copy_from_slice(&xorshift(seed).to_le_bytes()[..chunk.len()]);
        }
        h
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_sha_extension_path_equals_the_plain_double_digest_on_random_headers() {
        if !shani::available() {
            eprintln!("no SHA extensions on this CPU: the portable path is what runs");
            return;
        }
        let mut seed = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..200 {
            let mut header = random_header(&mut seed);
            let mid = Midstate::new(&header);
            let nonce = xorshift(&mut seed) as u32;
            let state = unsafe { shani::State::from_words(&mid.state()) };
            let [a, b] = unsafe { shani::double_pair(state, mid.tail_words(), nonce) };
            for (n, s) in [(nonce, a), (nonce.wrapping_add(1), b)] {
                header[76..80].copy_from_slice(&n.to_le_bytes());
                assert_eq!(
                    state_to_bytes(&unsafe { s.to_words() }),
                    sha256d(&header),
                    "nonce {n}"
                );
            }
        }
        // And the layout round-trips.
        let words = [1, 2, 3, 4, 5, 6, 7, 8];
        assert_eq!(
            unsafe { shani::State::from_words(&words).to_words() },
            words
        );
    }

    #[test]
    fn both_scan_paths_find_the_genesis_nonce_and_agree_on_random_headers() {
        let g = BlockHeader::genesis();
        let mid = Midstate::new(&g.to_bytes());
        let target = target_from_bits(g.bits);
        assert_eq!(
            scan_portable(&mid, g.nonce - 3, 8, &target).found,
            Some(g.nonce)
        );
        #[cfg(target_arch = "x86_64")]
        if shani::available() {
            for (start, count) in [(g.nonce - 3, 8), (g.nonce - 4, 5), (g.nonce, 1)] {
                let fast = unsafe { scan_shani(&mid, start, count, &target) };
                assert_eq!(fast.found, Some(g.nonce), "from {start}, {count}");
            }
        }
        // An easy target (any hash below 2^248): both paths find the same first nonce.
        let mut easy = [0u8; 32];
        easy[1..].fill(0xff);
        let mut seed = 42;
        for _ in 0..20 {
            let mid = Midstate::new(&random_header(&mut seed));
            let start = xorshift(&mut seed) as u32;
            let portable = scan_portable(&mid, start, 2_000, &easy);
            assert_eq!(scan(&mid, start, 2_000, &easy), portable);
            assert!(portable.found.is_some(), "1 in 256 hashes meets it");
        }
    }

    #[test]
    fn bits_decode_known_targets() {
        // Block 840,000: bits 0x17034219.
        let t = target_from_bits(0x1703_4219);
        let mut le = t;
        le.reverse();
        assert_eq!(
            display_hash(&le),
            "0000000000000000000342190000000000000000000000000000000000000000"
        );
        assert_eq!(target_from_bits(0), [0u8; 32]);
        assert!(hash_from_display("zz").is_none());
    }

    #[test]
    fn a_block_at_difficulty_100t_takes_4_3e23_hashes() {
        assert!((expected_hashes_per_block(100e12) / 4.294967296e23 - 1.0).abs() < 1e-12);
    }
}
