// Benchmark: the Rust/wasm page (dist/) against a plain-JavaScript reference of the same demo (bench/reference/),
// in Debian's headless Chromium with the fake camera, both served from 127.0.0.1.
//
// Over 300 lines: one benchmark run end to end (build both pages, measure each figure, print one table).
//
//   node bench/run.mjs [--runs 5] [--cycles 100] [--dist dist]
//
// Measures, per page: the bytes it loads (raw and gzip -9), the time to a usable Start button, to local video,
// to a playing call, and over many Call / Hang Up cycles the JS heap, the wasm memory and the peer connections
// left open. Prints tables, PASS/MISS against the targets, and one `JSON: {...}` line with everything.
//
// Exit status: 0 when everything ran (even if targets are missed), 1 when something broke (a video that never
// plays, a wrong button state, an uncaught page error, a timeout).

import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from '../e2e/node_modules/playwright-core/index.mjs';
import { serveDir } from '../e2e/serve.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from '../e2e/browser.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TIMEOUT = 30_000; // per wait
const VIEWPORT = { width: 1200, height: 900 };

// Disabled state of [Start, Call, Hang Up], the page contract's button table.
const AFTER_LOAD = [false, true, true];
const AFTER_START = [true, false, true];
const AFTER_CALL = [true, true, false];

// ---------------------------------------------------------------------------------------------------------------
// Command line

function parseArgs(argv) {
  const options = { runs: 5, cycles: 100, dist: 'dist' };
  for (let i = 0; i < argv.length; i++) {
    let [name, value] = argv[i].split('=', 2);
    if (!['--runs', '--cycles', '--dist'].includes(name)) {
      throw new Error(`unknown argument ${argv[i]}; usage: node bench/run.mjs [--runs 5] [--cycles 100] [--dist dist]`);
    }
    if (value === undefined) value = argv[++i];
    if (value === undefined) throw new Error(`${name} needs a value`);
    options[name.slice(2)] = value;
  }
  for (const key of ['runs', 'cycles']) {
    const n = Number(options[key]);
    if (!Number.isInteger(n) || n < (key === 'runs' ? 1 : 0)) throw new Error(`--${key} must be a whole number, got ${options[key]}`);
    options[key] = n;
  }
  options.dist = resolve(process.cwd(), options.dist);
  return options;
}

// ---------------------------------------------------------------------------------------------------------------
// In-page instrumentation. Runs before any script of the page (addInitScript), so it sees everything from the
// start. It must be self-contained: Playwright sends its source text to the page.

function instrumentPage() {
  const bench = (window.__bench = { readyAt: null, pcsMade: 0, pcs: [], wasmMemory: null });

  // t_ready: the first moment #startButton exists and is enabled. Both pages create or enable it from script,
  // and every such change is a DOM mutation, so the observer fires right after it (in the same task).
  const checkReady = () => {
    const button = document.getElementById('startButton');
    if (bench.readyAt === null && button && !button.disabled) {
      bench.readyAt = performance.now();
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(checkReady);
  observer.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['disabled'] });

  // Every RTCPeerConnection ever made: counted, and held weakly so their state can be read at the end. Weakly,
  // because a strong array would keep closed connections alive: they would count against Chromium's limit of
  // 500 connections per page (a strong array made call 251 fail), and inflate the heap figures.
  // A connection that is not closed stays alive on its own (the browser keeps it), so none is missed.
  // A Proxy rather than a subclass: `instanceof` and the prototype stay the browser's own.
  const NativePeerConnection = window.RTCPeerConnection;
  if (NativePeerConnection) {
    window.RTCPeerConnection = new Proxy(NativePeerConnection, {
      construct(target, args, newTarget) {
        const pc = Reflect.construct(target, args, newTarget);
        bench.pcsMade += 1;
        bench.pcs.push(new WeakRef(pc));
        return pc;
      },
    });
  }

  // The wasm module's memory: whichever way the glue instantiates it, keep the instance's exported memory.
  const keepMemory = (result) => {
    const instance = result instanceof WebAssembly.Instance ? result : result?.instance;
    const memory = instance?.exports?.memory;
    if (memory instanceof WebAssembly.Memory) bench.wasmMemory = memory;
    return result;
  };
  const { instantiate, instantiateStreaming } = WebAssembly;
  WebAssembly.instantiate = function (...args) {
    return instantiate.apply(this, args).then(keepMemory);
  };
  if (instantiateStreaming) {
    WebAssembly.instantiateStreaming = function (...args) {
      return instantiateStreaming.apply(this, args).then(keepMemory);
    };
  }

  // Clicks a button and resolves once the video shows frames (videoWidth > 0) and, if `advance`, once its
  // currentTime has moved past the first value seen with frames. All times are performance.now() in the page,
  // so Playwright's round trips are not in the figures. Checked on every media event, every video frame and a
  // ~4 ms timer, whichever comes first.
  bench.clickAndWatch = (buttonId, videoId, advance, timeoutMs) =>
    new Promise((resolve, reject) => {
      const button = document.getElementById(buttonId);
      if (!button) return reject(new Error(`#${buttonId} is missing`));
      if (button.disabled) return reject(new Error(`#${buttonId} is disabled`));
      const result = { clickAt: 0, framesAt: null, playingAt: null, firstTime: null, size: null };
      const events = ['loadedmetadata', 'loadeddata', 'resize', 'playing', 'timeupdate'];
      let done = false;
      const finish = (error) => {
        if (done) return;
        done = true;
        clearInterval(timer);
        clearTimeout(deadline);
        for (const type of events) document.removeEventListener(type, check, true);
        error ? reject(error) : resolve(result);
      };
      const check = () => {
        if (done) return;
        const video = document.getElementById(videoId);
        if (!video || !(video.videoWidth > 0)) return;
        const now = performance.now();
        if (result.framesAt === null) {
          result.framesAt = now;
          result.firstTime = video.currentTime;
          result.size = `${video.videoWidth}x${video.videoHeight}`;
          if (!advance) finish();
        } else if (video.currentTime > result.firstTime) {
          result.playingAt = now;
          finish();
        }
      };
      const onFrame = () => {
        if (done) return;
        check();
        document.getElementById(videoId)?.requestVideoFrameCallback?.(onFrame);
      };
      const deadline = setTimeout(() => {
        const v = document.getElementById(videoId);
        const state = v
          ? `videoWidth=${v.videoWidth} currentTime=${v.currentTime} readyState=${v.readyState} srcObject=${v.srcObject ? 'set' : 'null'}`
          : 'element missing';
        finish(new Error(`#${videoId} did not ${advance ? 'play' : 'show frames'} within ${timeoutMs} ms of clicking #${buttonId} (${state})`));
      }, timeoutMs);
      const timer = setInterval(check, 1);
      for (const type of events) document.addEventListener(type, check, true); // capture: these do not bubble
      result.clickAt = performance.now();
      button.click();
      check();
      onFrame();
    });
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

const median = (values) => {
  const sorted = values.filter((v) => typeof v === 'number').sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const round = (v, digits = 1) => (v === null || v === undefined ? null : Number(v.toFixed(digits)));
const kib = (bytes) => round(bytes / 1024, 1);
const passMiss = (ok) => (ok ? 'PASS' : 'MISS');

/** Formats rows of cells as left-aligned text columns (numbers right-aligned). */
function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => String(row[c] ?? '').length)));
  return rows
    .map((row) =>
      row
        .map((cell, c) => {
          const text = String(cell ?? '');
          return typeof cell === 'number' ? text.padStart(widths[c]) : text.padEnd(widths[c]);
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function buttonStates(page) {
  return page.evaluate(() =>
    ['startButton', 'callButton', 'hangupButton'].map((id) => document.getElementById(id)?.disabled ?? 'missing'),
  );
}

async function expectButtons(page, expected, when, label) {
  const actual = await buttonStates(page);
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    const show = (states) => ['Start', 'Call', 'Hang Up'].map((n, i) => `${n} ${states[i] === false ? 'enabled' : states[i] === true ? 'disabled' : states[i]}`).join(', ');
    throw new Error(`${label}: ${when}, expected ${show(expected)}; got ${show(actual)}`);
  }
}

/** Clicks and measures in the page; see bench.clickAndWatch. Errors keep only the page's message. */
async function clickAndWatch(page, button, video, advance) {
  try {
    return await page.evaluate(([b, v, a, t]) => window.__bench.clickAndWatch(b, v, a, t), [button, video, advance, TIMEOUT]);
  } catch (error) {
    throw new Error(error.message.split('\n')[0].replace(/^page\.evaluate: (Error: )?/, ''));
  }
}

/** Hang Up, then wait until Call is enabled again and the remote video is empty. */
async function hangUp(page, label) {
  await page.evaluate(() => document.getElementById('hangupButton').click());
  try {
    await page.waitForFunction(
      () => {
        const call = document.getElementById('callButton');
        const remote = document.getElementById('remoteVideo');
        return call && !call.disabled && remote.srcObject === null && remote.videoWidth === 0;
      },
      null,
      { timeout: TIMEOUT },
    );
  } catch (error) {
    throw new Error(`${label}: after Hang Up, Call was not enabled with the remote video cleared within ${TIMEOUT} ms (${error.message.split('\n')[0]})`);
  }
}

/** Waits until #log has at least `n` "Setup time: X ms" lines; returns the last X. */
async function setupTime(page, n, label) {
  try {
    await page.waitForFunction(
      (n) => [...document.querySelectorAll('#log li')].filter((li) => li.textContent.includes('Setup time:')).length >= n,
      n,
      { timeout: TIMEOUT },
    );
  } catch {
    throw new Error(`${label}: no "Setup time: X ms" line in #log within ${TIMEOUT} ms of the remote video playing`);
  }
  const text = await page.evaluate(() =>
    [...document.querySelectorAll('#log li')].map((li) => li.textContent).filter((t) => t.includes('Setup time:')).at(-1),
  );
  return parseFloat(text.split('Setup time:')[1]);
}

/** Forces garbage collection, then reads the JS heap, the wasm memory and the peer connections. */
async function memory(page, cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = await cdp.send('Runtime.getHeapUsage');
  const inPage = await page.evaluate(() => ({
    wasmBytes: window.__bench.wasmMemory?.buffer.byteLength ?? 0,
    pcs: window.__bench.pcsMade,
    unclosed: window.__bench.pcs.filter((ref) => ref.deref() && ref.deref().connectionState !== 'closed').length,
    logLines: document.querySelectorAll('#log li').length,
  }));
  return { heapUsed: heap.usedSize, ...inPage };
}

/** Maps a served URL to its file under `root` (as serveDir does) and returns raw and gzip -9 sizes. */
async function fileBytes(root, url, response) {
  const path = decodeURIComponent(new URL(url).pathname);
  let file = normalize(join(root, path));
  if (path.endsWith('/')) file = join(file, 'index.html');
  let body;
  try {
    if (!file.startsWith(normalize(root + sep))) throw new Error('outside the root');
    body = await readFile(file);
  } catch {
    body = await response.body(); // e.g. the SPA fallback: whatever the server sent
  }
  return { path, raw: body.length, gzip: gzipSync(body, { level: 9 }).length };
}

// ---------------------------------------------------------------------------------------------------------------
// One run of one page, in a fresh browser context (own cache, own renderer process).

async function runPage(browser, target, { cycles, collectBytes, runIndex }) {
  const label = `${target.name} run ${runIndex + 1}`;
  const context = await browser.newContext({ viewport: VIEWPORT });
  await context.addInitScript(instrumentPage);
  const page = await context.newPage();
  const pageErrors = [];
  const consoleErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  const responses = [];
  if (collectBytes) {
    page.on('response', (r) => {
      if (r.url().startsWith(target.url)) responses.push(r);
    });
  }
  const result = { run: runIndex + 1 };
  try {
    await page.goto(target.url);
    try {
      await page.waitForFunction(() => window.__bench.readyAt !== null, null, { timeout: TIMEOUT });
    } catch {
      throw new Error(`${label}: #startButton was not enabled within ${TIMEOUT} ms of loading ${target.url}`);
    }
    const ready = await page.evaluate(() => ({
      readyAt: window.__bench.readyAt,
      htmlAt: performance.getEntriesByType('navigation')[0]?.responseEnd ?? 0,
    }));
    result.t_ready_ms = ready.readyAt;
    // The same, from the end of the HTML response: leaves out the renderer start-up and the server's latency.
    result.t_ready_after_html_ms = ready.readyAt - ready.htmlAt;
    await expectButtons(page, AFTER_LOAD, 'after load', label);

    // Start: click to local frames.
    const start = await clickAndWatch(page, 'startButton', 'localVideo', false).catch((e) => {
      throw new Error(`${label}: Start: ${e.message}`);
    });
    result.t_start_ms = start.framesAt - start.clickAt;
    result.localSize = start.size;
    await page.waitForFunction(() => !document.getElementById('callButton').disabled, null, { timeout: TIMEOUT }).catch(() => {
      throw new Error(`${label}: Call was not enabled within ${TIMEOUT} ms of the local video showing frames`);
    });
    await expectButtons(page, AFTER_START, 'after Start', label);

    // Call: click to remote video playing (frames and a moving clock).
    const call = await clickAndWatch(page, 'callButton', 'remoteVideo', true).catch((e) => {
      throw new Error(`${label}: Call: ${e.message}`);
    });
    result.t_call_ms = call.playingAt - call.clickAt;
    result.t_call_frames_ms = call.framesAt - call.clickAt;
    result.remoteSize = call.size;
    await expectButtons(page, AFTER_CALL, 'after Call', label);
    result.setup_logged_ms = await setupTime(page, 1, label);
    await hangUp(page, `${label}, call 1`);
    await expectButtons(page, AFTER_START, 'after Hang Up', label);

    // Call / Hang Up cycles, with memory read before and after.
    if (cycles > 0) {
      const cdp = await context.newCDPSession(page);
      const before = await memory(page, cdp);
      const callTimes = [];
      let wasmBytes = before.wasmBytes;
      const wasmGrewAt = []; // the cycles after which the wasm memory had grown
      const startedAt = Date.now();
      for (let i = 1; i <= cycles; i++) {
        const cycleLabel = `${label}, cycle ${i}`;
        const c = await clickAndWatch(page, 'callButton', 'remoteVideo', true).catch((e) => {
          throw new Error(`${cycleLabel}: Call: ${e.message}`);
        });
        callTimes.push(c.playingAt - c.clickAt);
        await expectButtons(page, AFTER_CALL, 'after Call', cycleLabel);
        await hangUp(page, cycleLabel);
        await expectButtons(page, AFTER_START, 'after Hang Up', cycleLabel);
        const nowBytes = await page.evaluate(() => window.__bench.wasmMemory?.buffer.byteLength ?? 0);
        if (nowBytes !== wasmBytes) {
          wasmBytes = nowBytes;
          wasmGrewAt.push(i);
        }
      }
      const elapsedMs = Date.now() - startedAt;
      const after = await memory(page, cdp);
      result.cycles = {
        count: cycles,
        elapsed_ms: elapsedMs,
        call_median_ms: round(median(callTimes)),
        before,
        after,
        heap_growth: after.heapUsed - before.heapUsed,
        wasm_growth: after.wasmBytes - before.wasmBytes,
        wasm_grew_in_cycles: wasmGrewAt,
      };
      await cdp.detach();
    }

    if (collectBytes) {
      const files = new Map();
      for (const response of responses) {
        if (response.status() !== 200) continue;
        const path = decodeURIComponent(new URL(response.url()).pathname);
        const known = files.get(path);
        if (known) known.requests += 1;
        else files.set(path, { ...(await fileBytes(target.root, response.url(), response)), requests: 1 });
      }
      result.files = [...files.values()].sort((a, b) => a.path.localeCompare(b.path));
    }
    if (pageErrors.length) throw new Error(`${label}: uncaught error in the page: ${pageErrors.join(' | ')}`);
    result.consoleErrors = consoleErrors;
    return result;
  } finally {
    await context.close();
  }
}

/**
 * Warms the browser up before anything is measured: each page once through Start, Call and Hang Up, so the first
 * measured run does not pay for starting the fake capture device or the WebRTC stack. Nothing is recorded.
 */
async function warmUp(browser, targets) {
  for (const target of targets) {
    const label = `warm-up ${target.name}`;
    const context = await browser.newContext({ viewport: VIEWPORT });
    await context.addInitScript(instrumentPage);
    const page = await context.newPage();
    try {
      await page.goto(target.url);
      await page.waitForFunction(() => window.__bench.readyAt !== null, null, { timeout: TIMEOUT }).catch(() => {
        throw new Error(`${label}: #startButton was not enabled within ${TIMEOUT} ms`);
      });
      await clickAndWatch(page, 'startButton', 'localVideo', false).catch((e) => {
        throw new Error(`${label}: Start: ${e.message}`);
      });
      await page.waitForFunction(() => !document.getElementById('callButton').disabled, null, { timeout: TIMEOUT });
      await clickAndWatch(page, 'callButton', 'remoteVideo', true).catch((e) => {
        throw new Error(`${label}: Call: ${e.message}`);
      });
      await hangUp(page, label);
    } finally {
      await context.close();
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Report

function report(options, targets, results) {
  const [ours, ref] = targets.map((t) => results[t.name]);
  const out = { runs: options.runs, cycles: options.cycles, pages: {}, ratios: {}, targets: {} };

  // Bytes (deterministic: from the first run).
  console.log('\n== Bytes loaded (first run) ==');
  for (const target of targets) {
    const files = results[target.name][0].files;
    const total = { raw: files.reduce((s, f) => s + f.raw, 0), gzip: files.reduce((s, f) => s + f.gzip, 0) };
    console.log(`\n${target.name} (${target.source})`);
    console.log(
      table([
        ['file', 'raw B', 'gzip-9 B', 'requests'],
        ...files.map((f) => [f.path, f.raw, f.gzip, f.requests]),
        ['total', total.raw, total.gzip, ''],
        ['total KiB', kib(total.raw), kib(total.gzip), ''],
      ]),
    );
    out.pages[target.name] = { files: files.map(({ path, raw, gzip, requests }) => ({ path, raw, gzip, requests })), total_raw: total.raw, total_gzip: total.gzip };
  }
  const oursGzip = out.pages.ours.total_gzip;
  out.targets.total_gzip_le_150KiB = oursGzip <= 150 * 1024;
  console.log(`\nours total gzip ${kib(oursGzip)} KiB (target <= 150 KiB): ${passMiss(out.targets.total_gzip_le_150KiB)}`);

  // Timings.
  const figures = ['t_ready_ms', 't_ready_after_html_ms', 't_start_ms', 't_call_ms', 't_call_frames_ms', 'setup_logged_ms'];
  const med = {};
  for (const target of targets) {
    med[target.name] = Object.fromEntries(figures.map((f) => [f, round(median(results[target.name].map((r) => r[f])))]));
    out.pages[target.name].median = med[target.name];
    out.pages[target.name].runs = Object.fromEntries(figures.map((f) => [f, results[target.name].map((r) => round(r[f]))]));
  }
  console.log(`\n== Timings, median of ${options.runs} run(s), ms ==`);
  console.log(
    table([
      ['figure', 'ours', 'reference', 'ours/ref', 'ours runs', 'reference runs'],
      ...figures.map((f) => [
        f,
        med.ours[f],
        med.reference[f],
        med.reference[f] ? round(med.ours[f] / med.reference[f], 2) : '',
        out.pages.ours.runs[f].join(' '),
        out.pages.reference.runs[f].join(' '),
      ]),
    ]),
  );
  console.log('  t_ready: navigation start to #startButton enabled (t_ready_after_html: from the end of the HTML response);');
  console.log('  t_start: Start click to local videoWidth > 0;');
  console.log('  t_call: Call click to remote videoWidth > 0 and currentTime advancing (t_call_frames: to videoWidth > 0);');
  console.log('  setup_logged: the page\'s own "Setup time" log line.');

  console.log('\n== Ratios ours/reference (medians) ==');
  const ratio = (f) => round(med.ours[f] / med.reference[f], 3);
  out.ratios = { t_ready: ratio('t_ready_ms'), t_start: ratio('t_start_ms'), t_call: ratio('t_call_ms') };
  out.targets.t_ready_ratio_le_1_1 = out.ratios.t_ready <= 1.1;
  out.targets.t_call_ratio_le_1_05 = out.ratios.t_call <= 1.05;
  console.log(
    table([
      ['ratio', 'value', 'target', ''],
      ['t_ready', out.ratios.t_ready, '<= 1.1', passMiss(out.targets.t_ready_ratio_le_1_1)],
      ['t_start', out.ratios.t_start, '(none)', ''],
      ['t_call', out.ratios.t_call, '<= 1.05', passMiss(out.targets.t_call_ratio_le_1_05)],
    ]),
  );

  // Cycles and memory.
  if (options.cycles > 0) {
    const oc = ours[0].cycles;
    const rc = ref[0].cycles;
    out.pages.ours.cycles = oc;
    out.pages.reference.cycles = rc;
    console.log(`\n== ${options.cycles} Call / Hang Up cycles (first run of each page; memory after forced GC) ==`);
    const row = (name, pick, unit = (v) => v) => [name, unit(pick(oc)), unit(pick(rc))];
    console.log(
      table([
        ['', 'ours', 'reference'],
        row('cycles took, s', (c) => round(c.elapsed_ms / 1000, 1)),
        row('call median, ms', (c) => c.call_median_ms),
        row('JS heap before, KiB', (c) => kib(c.before.heapUsed)),
        row('JS heap after, KiB', (c) => kib(c.after.heapUsed)),
        row('JS heap growth, KiB', (c) => kib(c.heap_growth)),
        row('wasm memory before, KiB', (c) => kib(c.before.wasmBytes)),
        row('wasm memory after, KiB', (c) => kib(c.after.wasmBytes)),
        row('wasm memory growth, KiB', (c) => kib(c.wasm_growth)),
        row('wasm memory grew in cycles', (c) => c.wasm_grew_in_cycles.join(' ') || '-'),
        row('peer connections made', (c) => c.after.pcs),
        row('peer connections not closed', (c) => c.after.unclosed),
        row('log lines', (c) => c.after.logLines),
      ]),
    );
    out.targets.no_unclosed_connections = oc.after.unclosed === 0;
    out.targets.heap_growth_le_ref_plus_32KiB = oc.heap_growth <= rc.heap_growth + 32 * 1024;
    // The log keeps its last 300 lines, about 8 calls' worth: until it is full, the wasm memory may grow. Over
    // the second half of the cycles it is long full, and the memory must not grow at all.
    const settled = Math.floor(options.cycles / 2);
    out.targets.wasm_flat_once_log_full = oc.wasm_grew_in_cycles.every((cycle) => cycle <= settled);
    console.log(
      table([
        ['target', 'value', ''],
        ['0 unclosed connections after the cycles', oc.after.unclosed, passMiss(out.targets.no_unclosed_connections)],
        [`JS heap growth <= reference's + 32 KiB (${kib(rc.heap_growth + 32 * 1024)} KiB)`, `${kib(oc.heap_growth)} KiB`, passMiss(out.targets.heap_growth_le_ref_plus_32KiB)],
        [`wasm memory flat after cycle ${settled} (the log long full)`, `grew in ${oc.wasm_grew_in_cycles.join(' ') || 'none'}`, passMiss(out.targets.wasm_flat_once_log_full)],
      ]),
    );
  }

  for (const target of targets) {
    const errors = results[target.name].flatMap((r) => r.consoleErrors);
    if (errors.length) console.log(`\nnote: ${target.name} logged ${errors.length} console error(s): ${[...new Set(errors)].join(' | ')}`);
  }
  const missed = Object.entries(out.targets).filter(([, ok]) => !ok).map(([name]) => name);
  console.log(`\ntargets: ${Object.keys(out.targets).length - missed.length} PASS, ${missed.length} MISS${missed.length ? ` (${missed.join(', ')})` : ''}`);
  console.log(`JSON: ${JSON.stringify(out)}`);
}

// ---------------------------------------------------------------------------------------------------------------

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const sources = { ours: options.dist, reference: join(repo, 'bench', 'reference') };
  for (const [name, root] of Object.entries(sources)) {
    await readFile(join(root, 'index.html')).catch(() => {
      throw new Error(`${name}: no index.html in ${root}${name === 'ours' ? ' (build it: trunk build --release)' : ''}`);
    });
  }
  const html = await readFile(join(sources.ours, 'index.html'), 'utf8');
  if (/__trunk_address__/i.test(html)) {
    console.log(`warning: ${sources.ours}/index.html has Trunk's live-reload script (a \`trunk serve\` build?); its bytes count, and its WebSocket fails`);
  }
  const [load1] = loadavg();
  if (load1 > cpus().length) {
    console.log(`warning: load average ${load1.toFixed(1)} on ${cpus().length} CPUs: other work is running, timings will be noisy`);
  }
  // Serve a snapshot of each page, so a rebuild of dist/ during the run cannot mix two builds.
  const snapshot = await mkdtemp(join(tmpdir(), 'webrtc-bench-'));
  const servers = [];
  let browser;
  try {
    const roots = {};
    for (const [name, root] of Object.entries(sources)) {
      roots[name] = join(snapshot, name);
      await cp(root, roots[name], { recursive: true, filter: (src) => !src.split(sep).includes('.stage') });
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const targets = [];
    for (const name of ['ours', 'reference']) {
      const server = await serveDir(roots[name]);
      servers.push(server);
      targets.push({ name, root: roots[name], source: sources[name], url: server.url });
    }
    console.log(`chromium ${browser.version()}; runs ${options.runs}; cycles ${options.cycles} (first run of each page)`);
    for (const t of targets) console.log(`${t.name}: ${t.source} at ${t.url}`);

    await warmUp(browser, targets);
    const results = { ours: [], reference: [] };
    for (let run = 0; run < options.runs; run++) {
      for (const target of targets) {
        const first = run === 0;
        const r = await runPage(browser, target, { cycles: first ? options.cycles : 0, collectBytes: first, runIndex: run });
        results[target.name].push(r);
        const extra = r.cycles ? `; ${r.cycles.count} cycles in ${round(r.cycles.elapsed_ms / 1000, 1)} s` : '';
        console.log(
          `run ${run + 1} ${target.name.padEnd(9)} ready ${round(r.t_ready_ms)} ms, start ${round(r.t_start_ms)} ms (${r.localSize}), ` +
            `call ${round(r.t_call_ms)} ms (${r.remoteSize}), logged setup ${r.setup_logged_ms} ms${extra}`,
        );
      }
    }
    report(options, targets, results);
  } finally {
    await browser?.close();
    for (const server of servers) await server.close();
    await rm(snapshot, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`bench: failed: ${error.message ?? error}`);
  process.exit(1);
});
