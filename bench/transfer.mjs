// Benchmark: a file sent over the data channel, the Rust page against plain JavaScript.
//
//   node bench/transfer.mjs [--dist dist] [--mb 50]
//
// One run, in Debian's headless Chromium (fake camera) through playwright-core, nothing but 127.0.0.1:
//
// - **Ours**: the built demo page (dist/, copied first): Start, Call, then the same generated file put in pc1's
//   file input; timed in the page from the `change` event to pc2's row showing "verified" (offer, chunks,
//   SHA-256 on both sides, end, Blob and download link).
// - **Plain JS**: two RTCPeerConnections in a page, a negotiated data channel, the same chunking and
//   backpressure (16 KiB chunks, 256 KiB reads, bufferedAmount under 1 MiB, bufferedamountlow at 256 KiB), the
//   receiver keeping ArrayBuffers and making a Blob at the end; no hashing. Timed from the first read to the Blob.
//   Run with the camera sent pc1 to pc2, as in our demo's call, and without.
//
// Memory, each time after forced garbage collection: the V8 heap in use (CDP Performance.getMetrics
// JSHeapUsedSize), the wasm memory (the instance's exported memory), and the resident memory of the renderer
// processes (all of them: Playwright does not say which is the page's) and of the browser process (where
// Chromium keeps Blob data), read from /proc; plus the renderers' peak, sampled every 50 ms during the transfer. Before: the file made, nothing sent. After: the
// receiver holds the file (its download link). Freed: after the row is removed (the link revoked).

import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '../e2e/node_modules/playwright-core/index.mjs';
import { serveDir } from '../e2e/serve.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from '../e2e/browser.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const options = { dist: join(repo, 'dist'), mb: 50 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--dist') options.dist = resolve(process.cwd(), argv[++i]);
    else if (argv[i] === '--mb') options.mb = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]} (use --dist DIR, --mb N)`);
  }
  return options;
}

// The plain-JS page, written next to the copied dist/ so both come from one server.
const REFERENCE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Data channel transfer, plain JS</title></head>
<body><script type="module">
const CHUNK = 16 * 1024, READ = 16 * CHUNK, HIGH = 1024 * 1024, LOW = 256 * 1024;
window.setup = async (video) => {
  const pc1 = new RTCPeerConnection(), pc2 = new RTCPeerConnection();
  pc1.onicecandidate = (e) => pc2.addIceCandidate(e.candidate);
  pc2.onicecandidate = (e) => pc1.addIceCandidate(e.candidate);
  if (video) {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    for (const track of stream.getTracks()) pc1.addTrack(track, stream);
    pc2.ontrack = (e) => {
      const v = document.querySelector('video') ?? document.body.appendChild(document.createElement('video'));
      v.autoplay = v.muted = true;
      v.srcObject = e.streams[0];
    };
  }
  const dc1 = pc1.createDataChannel('chat', { negotiated: true, id: 0, ordered: true });
  const dc2 = pc2.createDataChannel('chat', { negotiated: true, id: 0, ordered: true });
  dc1.binaryType = dc2.binaryType = 'arraybuffer';
  await pc1.setLocalDescription();
  await pc2.setRemoteDescription(pc1.localDescription);
  await pc2.setLocalDescription();
  await pc1.setRemoteDescription(pc2.localDescription);
  await Promise.all([dc1, dc2].map((dc) => dc.readyState === 'open' || new Promise((r) => (dc.onopen = r))));
  window.channels = [dc1, dc2];
};
window.transfer = (file) => new Promise((resolve, reject) => {
  const [dc1, dc2] = window.channels;
  const parts = [];
  const started = performance.now();
  dc2.onmessage = (e) => {
    if (typeof e.data !== 'string') { parts.push(new Uint8Array(e.data)); return; }
    const blob = new Blob(parts, { type: file.type });
    parts.length = 0;
    window.receivedUrl = URL.createObjectURL(blob);
    resolve({ ms: performance.now() - started, size: blob.size });
  };
  dc1.bufferedAmountLowThreshold = LOW;
  (async () => {
    for (let start = 0; start < file.size; start += READ) {
      const bytes = new Uint8Array(await file.slice(start, Math.min(start + READ, file.size)).arrayBuffer());
      for (let a = 0; a < bytes.length; a += CHUNK) {
        while (dc1.bufferedAmount + CHUNK > HIGH) {
          await new Promise((r) => dc1.addEventListener('bufferedamountlow', r, { once: true }));
        }
        dc1.send(bytes.subarray(a, Math.min(a + CHUNK, bytes.length)));
      }
    }
    dc1.send('end');
  })().catch(reject);
});
window.forget = () => { URL.revokeObjectURL(window.receivedUrl); window.receivedUrl = null; };
</script></body></html>
`;

// Runs before the page's scripts: keeps the wasm instance's memory, and defines makeFile(size), which builds
// the test file (pseudo-random, the same for the same size) and keeps only the File, not the bytes.
function instrumentPage() {
  window.__wasmMemory = null;
  const keep = (result) => {
    const instance = result instanceof WebAssembly.Instance ? result : result?.instance;
    if (instance?.exports?.memory instanceof WebAssembly.Memory) window.__wasmMemory = instance.exports.memory;
    return result;
  };
  const { instantiate, instantiateStreaming } = WebAssembly;
  WebAssembly.instantiate = function (...args) {
    return instantiate.apply(this, args).then(keep);
  };
  if (instantiateStreaming) {
    WebAssembly.instantiateStreaming = function (...args) {
      return instantiateStreaming.apply(this, args).then(keep);
    };
  }
  window.makeFile = (size) => {
    const bytes = new Uint8Array(size);
    const words = new Uint32Array(bytes.buffer, 0, size >> 2);
    let x = 0x9e3779b9;
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x;
    }
    window.benchFile = new File([bytes], 'bench.bin', { type: 'application/octet-stream' });
  };
}

/** Resident memory of a process, from /proc (0 if it is gone). */
async function rss(pid) {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** The browser's processes: [{type, id}], from CDP SystemInfo.getProcessInfo. */
async function processes(browserCdp) {
  const { processInfo } = await browserCdp.send('SystemInfo.getProcessInfo');
  return processInfo;
}

/** Resident memory of the browser's renderer processes together (Playwright does not say which renderer is
 * the page's, and Chromium keeps spares), and of the browser process. */
async function processMemory(browserCdp) {
  const all = await processes(browserCdp);
  let renderer = 0;
  for (const p of all.filter((p) => p.type === 'renderer')) renderer += await rss(p.id);
  const browser = await rss(all.find((p) => p.type === 'browser')?.id);
  return { renderer, browser };
}

async function measure(page, cdp, browserCdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
  const wasm = await page.evaluate(() => window.__wasmMemory?.buffer.byteLength ?? 0);
  return { heap, wasm, ...(await processMemory(browserCdp)) };
}

/** Samples the renderers' resident memory every 50 ms until `stop()`; returns the peak. */
function samplePeak(browserCdp) {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      peak = Math.max(peak, (await processMemory(browserCdp)).renderer);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return async () => {
    running = false;
    await loop;
    return peak;
  };
}

/** Opens a page in its own context, instrumented, with a CDP session. */
async function openPage(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (error) => console.log(`  page error: ${error.message}`));
  await page.addInitScript(instrumentPage);
  await page.goto(url);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  return { context, page, cdp };
}

async function ours(browser, browserCdp, url, size) {
  const { context, page, cdp } = await openPage(browser, url);
  await page.click('#startButton');
  await page.waitForFunction(() => !document.getElementById('callButton').disabled, null, { timeout: 20000 });
  await page.click('#callButton');
  await page.waitForFunction(() => !document.getElementById('chat-pc1-file').disabled, null, { timeout: 20000 });
  await page.evaluate((size) => window.makeFile(size), size);
  const before = await measure(page, cdp, browserCdp);
  const stop = samplePeak(browserCdp);
  const result = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const rows = document.getElementById('chat-pc2-transfers');
        const done = () => {
          const row = rows.querySelector('li:last-of-type');
          const state = row?.dataset.state;
          if (state === 'verified' || state === 'failed' || state === 'cancelled') {
            observer.disconnect();
            resolve({
              ms: performance.now() - started,
              state,
              figures: row.querySelector('.chat-transfer-figures').textContent,
              size: Number(row.querySelector('progress').getAttribute('value')),
            });
          }
        };
        const observer = new MutationObserver(done);
        observer.observe(rows, { subtree: true, childList: true, attributes: true, characterData: true });
        const transfer = new DataTransfer();
        transfer.items.add(window.benchFile);
        const input = document.getElementById('chat-pc1-file');
        input.files = transfer.files;
        const started = performance.now();
        input.dispatchEvent(new Event('change', { bubbles: true }));
      }),
  );
  const peak = await stop();
  const after = await measure(page, cdp, browserCdp);
  await page.click('#chat-pc2-transfers li:last-of-type .chat-remove');
  await page.click('#chat-pc1-transfers li:last-of-type .chat-remove');
  const freed = await measure(page, cdp, browserCdp);
  await context.close();
  return { ...result, before, after, freed, peak };
}

async function reference(browser, browserCdp, url, size, video) {
  const { context, page, cdp } = await openPage(browser, url);
  await page.evaluate((video) => window.setup(video), video);
  await page.evaluate((size) => window.makeFile(size), size);
  const before = await measure(page, cdp, browserCdp);
  const stop = samplePeak(browserCdp);
  const result = await page.evaluate(() => window.transfer(window.benchFile));
  const peak = await stop();
  const after = await measure(page, cdp, browserCdp);
  await page.evaluate(() => window.forget());
  const freed = await measure(page, cdp, browserCdp);
  await context.close();
  return { ...result, state: result.size === size ? 'complete' : `short: ${result.size} bytes`, before, after, freed, peak };
}

const MB = 1e6;
const mb = (bytes) => (bytes / MB).toFixed(1);
const signed = (bytes) => `${bytes >= 0 ? '+' : ''}${mb(bytes)}`;

function report(name, r, size) {
  console.log(`\n== ${name} ==`);
  console.log(`  ${mb(size)} MB in ${r.ms.toFixed(0)} ms: ${(size / MB / (r.ms / 1000)).toFixed(1)} MB/s (${r.state})`);
  if (r.figures) console.log(`  the page says: ${r.figures}`);
  console.log('  memory, MB            before    after  (growth)    freed  (vs before)');
  for (const [label, key] of [
    ['JS heap used', 'heap'],
    ['wasm memory', 'wasm'],
    ['renderers RSS', 'renderer'],
    ['browser RSS', 'browser'],
  ]) {
    const { before, after, freed } = r;
    console.log(
      `  ${label.padEnd(18)} ${mb(before[key]).padStart(9)} ${mb(after[key]).padStart(8)} ${signed(after[key] - before[key]).padStart(9)} ${mb(freed[key]).padStart(8)} ${signed(freed[key] - before[key]).padStart(9)}`,
    );
  }
  console.log(`  renderers RSS peak during the transfer: ${mb(r.peak)} MB (${signed(r.peak - r.before.renderer)} over before)`);
}

const options = parseArgs(process.argv.slice(2));
const size = Math.round(options.mb * MB);
const work = await mkdtemp(join(tmpdir(), 'bench-transfer-'));
await cp(options.dist, join(work, 'app'), { recursive: true });
await writeFile(join(work, 'app', 'reference-transfer.html'), REFERENCE);
const server = await serveDir(join(work, 'app'));
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  const browserCdp = await browser.newBrowserCDPSession();
  console.log(`File: ${mb(size)} MB (${size} bytes); chunks 16 KiB, reads 256 KiB, high water 1 MiB, low 256 KiB`);
  const rust = await ours(browser, browserCdp, server.url, size);
  report('Rust page (demo: Start, Call, file on pc1, until pc2 shows verified; SHA-256 both sides)', rust, size);
  const withVideo = await reference(browser, browserCdp, `${server.url}reference-transfer.html`, size, true);
  report('Plain JS, camera sent pc1 to pc2 as in the demo (no hashing)', withVideo, size);
  const bare = await reference(browser, browserCdp, `${server.url}reference-transfer.html`, size, false);
  report('Plain JS, data channel only (no hashing)', bare, size);
} finally {
  await browser.close();
  await server.close();
  await rm(work, { recursive: true, force: true });
}
