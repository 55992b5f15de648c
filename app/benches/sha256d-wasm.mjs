// The browser's SHA-256d paths measured under node, one thread: the SIMD worker module
// (public/vendor/sha256-worker.wasm, built by scripts/build.sh). Prints `name<TAB>hashes/s`
// lines for the sha256d bench. Refuses to report a rate if the module does not find the
// genesis block's nonce.
import fs from "node:fs";
import { createHash } from "node:crypto";

const wasmPath = process.argv[2] ?? "public/vendor/sha256-worker.wasm";
const { instance } = await WebAssembly.instantiate(fs.readFileSync(wasmPath), {});
const { job, scan, found } = instance.exports;

// The genesis header: its midstate is computed here with node's own SHA-256 as a cross-check
// of the module's inputs (the first 64 bytes' compression, via a raw state export is not
// available in node, so the midstate comes from the known constants below).
const header = Buffer.from(
  "01000000" + "00".repeat(32) +
    "3ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a" +
    "29ab5f49" + "ffff001d" + "1dac2b7c",
  "hex",
);
const expected = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f";
const double = createHash("sha256").update(createHash("sha256").update(header).digest()).digest();
if (Buffer.from(double).reverse().toString("hex") !== expected) throw new Error("header wrong");
const mid = midstate(header.subarray(0, 64));
const tail = [0, 4, 8].map((o) => header.readUInt32BE(64 + o));
job(...mid, ...tail);
const nonce = header.readUInt32LE(76);
if (scan(nonce - 6, 12) !== 1 || found() >>> 0 !== nonce) throw new Error("the SIMD module missed the genesis nonce");

let hashes = 0;
let start = 0;
const t0 = performance.now();
while (performance.now() - t0 < 1000) {
  scan(start, 1 << 16);
  start = (start + (1 << 16)) >>> 0;
  hashes += 1 << 16;
}
const seconds = (performance.now() - t0) / 1000;
console.log(`simd128, 4 nonces per vector, one thread\t${hashes / seconds}`);

/** SHA-256 compression of one block from the initial values (FIPS 180-4), for the midstate. */
function midstate(block) {
  const K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ];
  const H = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
  const rotr = (x, n) => (x >>> n) | (x << (32 - n));
  const w = new Array(64);
  for (let t = 0; t < 16; t++) w[t] = block.readUInt32BE(4 * t);
  for (let t = 16; t < 64; t++) {
    const s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >>> 3);
    const s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >>> 10);
    w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
  }
  let [a, b, c, d, e, f, g, h] = H;
  for (let t = 0; t < 64; t++) {
    const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t]) | 0;
    const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    [h, g, f, e, d, c, b, a] = [g, f, e, (d + t1) | 0, c, b, a, (t1 + t2) | 0];
  }
  return [a, b, c, d, e, f, g, h].map((v, i) => (v + H[i]) >>> 0);
}
