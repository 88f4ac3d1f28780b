// What the end-to-end tests share (room.mjs, failover.mjs, netfaults.mjs, ...): PASS/FAIL checks, people (one headless
// Chromium process each, with an init script that records every RTCPeerConnection in window.__pcs and counts each
// remote video's loadstart events in window.__loads), and readers of what the page shows.
//
// Over 300 lines: the room tests' shared toolbox (checks, people, waits, the run's watchdog), each part small.

import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { CHROMIUM, CHROMIUM_ARGS } from './browser.mjs';
import { closeBrowser, killNow, launchChromium } from './harness.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const shots = join(root, 'target', 'e2e');
const VIEWPORT = { width: 1100, height: 900 };

// ---------------------------------------------------------------------------------------------------------------
// Checks

let failures = 0;
/** How many checks failed so far. */
export const failureCount = () => failures;
export function check(condition, what) {
  console.log(`${condition ? 'PASS' : 'FAIL'} ${what}`);
  if (!condition) failures += 1;
  return condition;
}
/** A check the rest of the step depends on: a failure ends the step. */
export function require_(condition, what) {
  if (!check(condition, what)) throw new StepFailed(what);
}
export class StepFailed extends Error {}

/**
 * Waits for `fn(arg)` to be truthy in the page; on timeout a FAIL naming `what`, and the step ends. By default
 * there is no timeout (0): a busy machine only makes the wait longer, and the script's watchdog ends a run that
 * never gets there. Pass a timeout only where the time is what is tested.
 */
export async function waitIn(person, what, fn, arg, timeout = 0, { fatal = true } = {}) {
  try {
    await person.page.waitForFunction(fn, arg, { timeout, polling: 100 });
    return check(true, `${person.name}: ${what}`);
  } catch (error) {
    check(false, `${person.name}: ${what} (not within ${timeout} ms: ${firstLine(error)})`);
    if (fatal) throw new StepFailed(what);
    return false;
  }
}
export const firstLine = (error) => String(error?.message ?? error).split('\n')[0];
export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

// ---------------------------------------------------------------------------------------------------------------
// People: one Chromium process each.

/** Records every RTCPeerConnection the page makes in `window.__pcs`; `instanceof` and the prototype still work. */
export function recordPeerConnections() {
  const Native = window.RTCPeerConnection;
  if (!Native || window.__pcs) return;
  const pcs = [];
  Object.defineProperty(window, '__pcs', { value: pcs });
  class RTCPeerConnection extends Native {
    constructor(...args) {
      super(...args);
      pcs.push(this);
    }
  }
  window.RTCPeerConnection = RTCPeerConnection;
  // How often each remote video (re)started loading: a new srcObject, or the same one assigned again.
  const loads = {};
  Object.defineProperty(window, '__loads', { value: loads });
  document.addEventListener(
    'loadstart',
    (event) => {
      const peer = event.target?.dataset?.peer;
      if (peer) loads[peer] = (loads[peer] ?? 0) + 1;
    },
    true,
  );
}

/**
 * A person: a new Chromium process (or `executablePath`, for example a wrapper that starts it in a network
 * namespace, with `args` added; a switch in `args` replaces the default of the same name), on `url`.
 */
export async function enter(name, url, { executablePath = CHROMIUM, args = [] } = {}) {
  const switchOf = (arg) => arg.split('=')[0];
  const defaults = CHROMIUM_ARGS.filter((arg) => !args.some((a) => switchOf(a) === switchOf(arg)));
  const launched = await launchChromium({ executablePath, args: [...defaults, ...args] });
  const person = { name, browser: launched.browser, launched, errors: [], closed: false };
  people.push(person);
  const context = await person.browser.newContext({ viewport: VIEWPORT });
  await context.addInitScript(recordPeerConnections);
  person.page = await context.newPage();
  person.page.on('pageerror', (e) => person.errors.push(`pageerror: ${e.message}`));
  person.page.on('console', (m) => {
    if (m.type() === 'error' && /panic|unreachable|RuntimeError/i.test(m.text())) {
      person.errors.push(`console: ${m.text()}`);
    }
  });
  await load(person, url);
  return person;
}

/** Closes a person's browser (killing it if it hangs); never throws. */
/**
 * Opens `url`. Chromium fails a load in flight with ERR_NETWORK_CHANGED when the machine's addresses or routes
 * change (a test's network namespaces coming up): that is a wait for the network to settle, so it loads again.
 */
export async function load(person, url) {
  for (;;) {
    try {
      await person.page.goto(url, { timeout: 0 });
      return;
    } catch (error) {
      if (!/ERR_NETWORK_CHANGED/.test(error.message)) throw error;
      console.log(`     ${person.name}: the network changed while ${url} loaded; loading it again`);
      await sleep(100);
    }
  }
}

export async function close(person) {
  if (person.closed) return;
  person.closed = true;
  await closeBrowser(person.launched);
}

export const people = [];

// ---------------------------------------------------------------------------------------------------------------
// Reading the page

export const logLines = (person) => person.page.$$eval('#log li span', (spans) => spans.map((s) => s.textContent));
export const text = (person, selector) =>
  person.page.evaluate((s) => document.querySelector(s)?.textContent ?? null, selector);

/** Our own id's first 6 characters, from the local tile's caption "You (abc123)". */
export async function ownShortId(person) {
  const caption = await person.page.evaluate(
    () => document.getElementById('localVideo')?.closest('figure')?.querySelector('figcaption')?.textContent ?? '',
  );
  return /^You \(([0-9a-f]{6})\)$/.exec(caption.trim())?.[1] ?? null;
}

/** Every remote tile: its data-peer and how its video is doing. */
export const tiles = (person) =>
  person.page.$$eval('video[data-peer]', (videos) =>
    videos.map((v) => ({
      peer: v.dataset.peer,
      width: v.videoWidth,
      height: v.videoHeight,
      time: v.currentTime,
      paused: v.paused,
      readyState: v.readyState,
      hasStream: v.srcObject !== null,
      loads: window.__loads?.[v.dataset.peer] ?? 0,
      caption: v.closest('figure')?.querySelector('figcaption')?.textContent ?? '',
    })),
  );

/** The peer connections the page ever made: their count, and the states of those not closed. */
export const pcs = (person) =>
  person.page.evaluate(() =>
    (window.__pcs ?? []).map((pc) => ({
      connection: pc.connectionState,
      signaling: pc.signalingState,
      ice: pc.iceConnectionState,
    })),
  );
export const openPcs = (list) => list.filter((pc) => pc.connection !== 'closed' && pc.signaling !== 'closed');

/**
 * Asserts there are `expected` remote videos, each with frames and its clock advancing over ~1 s (waits for
 * frames up to `timeout`; by default for as long as the watchdog lets it). Failures are reported, and the step
 * goes on.
 */
export async function checkPlaying(person, label, expected, timeout = 0) {
  await waitIn(
    person,
    `${label}: ${expected} remote video(s) with frames`,
    (n) => {
      const videos = [...document.querySelectorAll('video[data-peer]')];
      return videos.length === n && videos.every((v) => v.videoWidth > 0);
    },
    expected,
    timeout,
    { fatal: false },
  );
  const before = await tiles(person);
  await sleep(1000);
  const after = await tiles(person);
  for (const tile of after) {
    const was = before.find((t) => t.peer === tile.peer);
    const advanced = was ? tile.time - was.time : NaN;
    if (!(was && tile.width > 0 && advanced > 0.3 && !tile.paused)) {
      console.log(`     ${person.name}: the video from ${tile.peer.slice(0, 6)}: ${await mediaDiagnosis(person, tile.peer)}`);
    }
    check(
      was && tile.width > 0 && advanced > 0.3 && !tile.paused,
      `${person.name}: ${label}: video from ${tile.peer.slice(0, 6)} plays (${tile.width}x${tile.height}, ` +
        `readyState ${tile.readyState}, currentTime +${advanced.toFixed(2)} s in 1 s; loadstart ${tile.loads}x so far)`,
    );
  }
}

/** For a video that does not play: is its track live, and does its connection still decode frames? */
export function mediaDiagnosis(person, peer) {
  return person.page.evaluate(async (peer) => {
    const video = document.querySelector(`video[data-peer="${peer}"]`);
    const track = video?.srcObject?.getVideoTracks?.()[0];
    if (!track) return `no video track in srcObject (${video?.srcObject ? 'stream without video' : 'srcObject null'})`;
    const pc = window.__pcs.find((pc) => pc.getReceivers().some((r) => r.track === track));
    if (!pc) return `track ${track.readyState}, muted=${track.muted}; no RTCPeerConnection receives it`;
    const decoded = async () => {
      let frames = 0;
      (await pc.getStats(track)).forEach((s) => {
        if (s.type === 'inbound-rtp') frames = s.framesDecoded ?? 0;
      });
      return frames;
    };
    const first = await decoded();
    await new Promise((done) => setTimeout(done, 1000));
    const second = await decoded();
    return (
      `track ${track.readyState}, muted=${track.muted}; its connection is ${pc.connectionState} and decoded ` +
      `${second - first} frames in 1 s (${second} in all); element readyState ${video.readyState}, ` +
      `networkState ${video.networkState}, paused=${video.paused}, error=${video.error?.message ?? null}`
    );
  }, peer);
}

export async function screenshot(person, file) {
  const path = join(shots, file);
  await person.page.screenshot({ path, fullPage: true });
  console.log(`     screenshot: ${path} (${person.name})`);
}

export function countLines(lines, needle) {
  return lines.filter((l) => l.includes(needle)).length;
}

export async function noProblem(person, label) {
  const problem = await text(person, '#problem');
  check(problem === null, `${person.name}: ${label}: no alert banner${problem === null ? '' : `: "${problem}"`}`);
}


/**
 * Runs `steps` ([name, async fn] pairs) in order, timing each; a failing step ends the run after `onFailure()`.
 * Then checks that no page had an uncaught error or a panic.
 */
export async function runSteps(steps, onFailure, who = people) {
  for (const [name, run] of steps) {
    console.log(`--- ${name}`);
    const started = Date.now();
    try {
      await run();
    } catch (error) {
      if (!(error instanceof StepFailed)) check(false, `${name}: ${error.stack ?? error}`);
      console.log(`--- ${name}: stopped; the remaining steps are skipped`);
      await onFailure();
      break;
    }
    console.log(`    (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  for (const p of who) {
    check(p.errors.length === 0, `${p.name}: no uncaught errors or panics${p.errors.length ? ': ' + p.errors.join(' | ') : ''}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// A whole test script: its servers, what to print on a failure, and an end that always kills everything.

/** The servers a script started (each with `kill`, `killNow` and `stderr`): killed at the end, whatever happens. */
export const servers = [];

/**
 * On a failure: what each page shows, the end of its log (screenshots `<prefix>-failure-<name>.png`), and the
 * servers' last words. By default this script's `people` and `servers`.
 */
export async function dumpState({ who = people, running = servers, prefix = 'room' } = {}) {
  for (const p of who) {
    if (p.closed) continue;
    try {
      const connection = await text(p, '#connection');
      const notice = await text(p, '#notice');
      const problem = await text(p, '#problem');
      console.log(`     ${p.name}: #connection="${connection}" #notice="${notice}" #problem=${JSON.stringify(problem)}`);
      console.log(`     ${p.name}: tiles ${JSON.stringify(await tiles(p))}`);
      console.log(`     ${p.name}: pcs ${JSON.stringify(await pcs(p))}`);
      for (const l of (await logLines(p)).slice(-25)) console.log(`       ${p.name} log: ${l}`);
      await screenshot(p, `${prefix}-failure-${p.name}.png`);
    } catch (error) {
      console.log(`     ${p.name}: could not read the page: ${firstLine(error)}`);
    }
  }
  for (const s of running) {
    if (s.stderr().trim()) console.log(`     server ${s.pid} stderr (end):\n${s.stderr().slice(-2000)}`);
  }
}

/**
 * Runs `main` under a watchdog of `watchdogMs`, then closes every browser and kills every server, runs `after`,
 * prints `<title>: all checks passed` or how many failed, and exits 1 on any failure. `onExit` runs on every
 * exit, even a killed one (synchronous: kill what else the script started).
 */
export function runTest(title, main, { watchdogMs = 240_000, after = async () => {}, onExit = () => {} } = {}) {
  process.on('exit', () => {
    onExit();
    for (const s of servers) s.killNow();
    for (const p of people) killNow(p.launched);
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130)); // runs the 'exit' handler
  const began = Date.now();
  const watchdog = setTimeout(async () => {
    console.log(`FAIL the whole run took longer than ${watchdogMs / 1000} s; killing everything`);
    await Promise.race([dumpState().catch(() => {}), sleep(15_000)]);
    process.exit(1); // the 'exit' handler kills the servers and the browsers
  }, watchdogMs);
  mkdir(shots, { recursive: true })
    .then(main)
    .catch((error) => check(false, `unexpected error: ${error.stack ?? error}`))
    .finally(async () => {
      await Promise.all(people.map(close));
      await Promise.all(servers.map((s) => s.kill()));
      await after().catch((error) => check(false, `after the run: ${error.stack ?? error}`));
      clearTimeout(watchdog);
      const seconds = ((Date.now() - began) / 1000).toFixed(1);
      console.log(failureCount() ? `${title}: ${failureCount()} check(s) FAILED (${seconds} s)` : `${title}: all checks passed (${seconds} s)`);
      console.log(`screenshots: ${shots}/`);
      process.exit(failureCount() ? 1 : 0);
    });
}

/** A TCP port that is free on 127.0.0.1 right now (for a helper such as Redis, HAProxy or coturn). */
export function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}
