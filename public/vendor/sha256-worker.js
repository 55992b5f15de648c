// Rigshift's SHA-256d measurement, one per Web Worker (one worker per core). Loads the SIMD
// module (sha256-worker.wasm, no JS glue), checks that it finds the genesis block's nonce, then
// hashes nonces of the genesis header for the time asked and reports what it did.
// Message in: JSON {wasm, mid: [8 words], tail: [3 words], check: {start, count, nonce}, millis, first}
// Message out: JSON {hashes, seconds} or {error}.
self.onmessage = async (event) => {
  try {
    const job = JSON.parse(event.data);
    const response = await fetch(job.wasm);
    const { instance } = await WebAssembly.instantiate(await response.arrayBuffer(), {});
    const { job: setJob, scan, found } = instance.exports;
    setJob(...job.mid, ...job.tail);
    if (scan(job.check.start, job.check.count) !== 1 || found() >>> 0 !== job.check.nonce) {
      throw new Error("the SIMD module did not find the genesis block's nonce");
    }
    const batch = 1 << 14;
    let nonce = job.first >>> 0;
    let hashes = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < job.millis) {
      scan(nonce, batch);
      nonce = (nonce + batch) >>> 0;
      hashes += batch;
    }
    self.postMessage(JSON.stringify({ hashes, seconds: (performance.now() - t0) / 1000 }));
  } catch (e) {
    self.postMessage(JSON.stringify({ error: String(e && e.message ? e.message : e) }));
  }
};
