// Where the main thread's time goes during a call's setup: a CPU profile (Chromium's sampling profiler, 0.1 ms)
// from the Call click to the first remote frame, for our page and the plain-JS reference in the same run.
// Prints, per page, the median busy time (every sample that is not idle) and the functions with the most self
// time. Run-to-run noise in t_call is larger than the page's own work; this shows the work itself.
//
//   node bench/profile-call.mjs [--dist dist] [--calls 7]
//
// Function names of the wasm need a build that keeps them (the release build's wasm-opt strips them): for
// example `cargo build --profile wasm-release --target wasm32-unknown-unknown` and `wasm-bindgen --target web`.
import { chromium } from '../e2e/node_modules/playwright-core/index.mjs';
import { serveDir } from '../e2e/serve.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from '../e2e/browser.mjs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = Object.fromEntries(process.argv.slice(2).join(' ').split('--').filter(Boolean).map((a) => a.trim().split(/\s+/)));
const dist = resolve(process.cwd(), args.dist ?? 'dist');
const calls = Number(args.calls ?? 7);
const IDLE = new Set(['(idle)', '(program)', '(garbage collector)']);

async function profile(browser, dir) {
  const server = await serveDir(dir);
  const busy = [];
  const self = new Map();
  for (let i = 0; i < calls; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    await page.click('#startButton');
    await page.waitForFunction(() => document.getElementById('localVideo')?.videoWidth > 0, null, { timeout: 30_000 });
    await page.waitForTimeout(1000);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    await cdp.send('Profiler.start');
    await page.click('#callButton');
    await page.waitForFunction(() => document.getElementById('remoteVideo')?.videoWidth > 0, null, { timeout: 30_000 });
    const { profile } = await cdp.send('Profiler.stop');
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    let total = 0;
    profile.samples.forEach((id, k) => {
      const frame = nodes.get(id).callFrame;
      const name = frame.functionName || `(anonymous ${frame.url.split('/').pop()}:${frame.lineNumber})`;
      const ms = (profile.timeDeltas[k] ?? 0) / 1000;
      self.set(name, (self.get(name) ?? 0) + ms / calls);
      if (!IDLE.has(name)) total += ms;
    });
    busy.push(total);
    await context.close();
  }
  await server.close();
  busy.sort((a, b) => a - b);
  const top = [...self.entries()].filter(([name]) => !IDLE.has(name)).sort((a, b) => b[1] - a[1]).slice(0, 12);
  return { busy: busy[busy.length >> 1], top, native: self.get('(program)') ?? 0 };
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
const ours = await profile(browser, dist);
const reference = await profile(browser, resolve(repo, 'bench/reference'));
await browser.close();
console.log(`Main thread from Call to the first remote frame, median of ${calls} calls (ms):`);
console.log(`  script (JS and wasm):  ours ${ours.busy.toFixed(1)}   reference ${reference.busy.toFixed(1)}   ratio ${(ours.busy / reference.busy).toFixed(2)}`);
console.log(`  browser's own (style, layout, media; mean):  ours ${ours.native.toFixed(1)}   reference ${reference.native.toFixed(1)}`);
for (const [label, result] of [['ours', ours], ['reference', reference]]) {
  console.log(`\nMost self time, ${label} (mean ms per call):`);
  for (const [name, ms] of result.top) console.log(`  ${ms.toFixed(2).padStart(7)}  ${name.slice(0, 110)}`);
}
