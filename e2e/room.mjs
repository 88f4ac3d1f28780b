// End-to-end test of a room call: the real signaling server and the built page, with each person in their own
// headless Chromium process (fake camera), all on 127.0.0.1.
//
//   node e2e/room.mjs <dist dir> <server binary>
//
// 1. Two people join: one tile each, for the other, playing; prints join → first remote frame.
// 2. Forced glare: both restart ICE at the same instant; perfect negotiation resolves it on the same connections.
// 3. The server is killed (SIGKILL) and restarted on the same port: calls keep playing, both rejoin with the same
//    ids, and no connection is rebuilt.
// 4. A third person joins: everyone sees the two others, and the call already running does not restart.
// 5. One leaves (Leave button), one closes the browser: the others are told and drop the tile, and the
//    remaining video does not restart.
//
// An init script records every RTCPeerConnection (window.__pcs) and counts each remote video's `loadstart`
// events (window.__loads, by data-peer): a loadstart on a video that was already playing means it was reloaded.
//
// Prints PASS/FAIL per check; exits non-zero on any failure. Screenshots go to target/e2e/room-*.png.

import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from './browser.mjs';
import { startServer } from './signaling.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Run as a script (not imported for its helpers, as e2e/turn.mjs and e2e/https.mjs do). */
const isMain = resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url);
if (isMain && process.argv.length < 4) {
  console.error('usage: node e2e/room.mjs <dist dir> <server binary>');
  process.exit(2);
}
const dist = isMain ? resolve(process.argv[2]) : null;
const serverBinary = isMain ? resolve(process.argv[3]) : null;
export const shots = join(root, 'target', 'e2e');

/** The whole run may take no longer than this; then everything is killed and the run fails. */
const WATCHDOG_MS = 240_000;
const VIEWPORT = { width: 1100, height: 900 };

// ---------------------------------------------------------------------------------------------------------------
// Checks

let failures = 0;
/** How many checks failed so far (for scripts that import these helpers). */
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

/** Waits for `fn(arg)` to be truthy in the page; on timeout a FAIL naming `what`, and the step ends. */
export async function waitIn(person, what, fn, arg, timeout = 15_000, { fatal = true } = {}) {
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
function recordPeerConnections() {
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
 * A person: their own Chromium process at `url`. `launch` overrides playwright's launch options (another
 * executable, more arguments).
 */
export async function enter(name, url, launch = {}) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, ...launch });
  const person = { name, browser, errors: [], closed: false };
  people.push(person);
  const context = await browser.newContext({ viewport: VIEWPORT });
  await context.addInitScript(recordPeerConnections);
  person.page = await context.newPage();
  person.page.on('pageerror', (e) => person.errors.push(`pageerror: ${e.message}`));
  person.page.on('console', (m) => {
    if (m.type() === 'error' && /panic|unreachable|RuntimeError/i.test(m.text())) {
      person.errors.push(`console: ${m.text()}`);
    }
  });
  await person.page.goto(url, { timeout: 15_000 });
  return person;
}

export async function close(person) {
  if (person.closed) return;
  person.closed = true;
  await Promise.race([person.browser.close(), sleep(10_000)]).catch(() => {});
  try {
    person.browser.process()?.kill('SIGKILL');
  } catch {}
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
 * Asserts there are `expected` remote videos, each with frames and its clock advancing over ~1 s (waits up to
 * `timeout` for frames). Failures are reported, and the step goes on.
 */
export async function checkPlaying(person, label, expected, timeout = 15_000) {
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

// ---------------------------------------------------------------------------------------------------------------
// The test

async function main() {
  await mkdir(shots, { recursive: true });
  let server = await startServer(serverBinary, dist, '127.0.0.1:0');
  servers.push(server);
  const room = randomBytes(16).toString('hex');
  const url = `${server.url}room/${room}`;
  console.log(`server: ${server.url} (pid ${server.pid}); room link: ${url}`);

  const ids = {}; // name -> { short, full }
  let A, B, C;

  const steps = [
    [
      '1. two people join',
      async () => {
        [A, B] = await Promise.all([enter('A', url), enter('B', url)]);
        for (const p of [A, B]) {
          await waitIn(p, 'shows "In the room"', () => document.querySelector('#connection')?.textContent === 'In the room');
        }
        for (const p of [A, B]) ids[p.name] = { short: await ownShortId(p) };
        require_(ids.A.short && ids.B.short, `own ids from the captions: A=${ids.A.short} B=${ids.B.short}`);
        require_(ids.A.short !== ids.B.short, 'A and B have different ids');
        for (const [p, other] of [[A, B], [B, A]]) {
          await checkPlaying(p, 'after joining', 1);
          const list = await tiles(p);
          check(list.length === 1, `${p.name}: exactly one video[data-peer] (${list.length})`);
          check(
            list[0]?.peer.startsWith(ids[other.name].short) && /^[0-9a-f]{32}$/.test(list[0]?.peer),
            `${p.name}: its data-peer "${list[0]?.peer}" is ${other.name}'s id (${ids[other.name].short}…)`,
          );
          ids[other.name].full = list[0]?.peer;
        }
        require_(ids.A.full && ids.B.full, `full ids from the data-peer attributes: A=${ids.A.full} B=${ids.B.full}`);
        for (const [p, other] of [[A, B], [B, A]]) {
          const line = `First frame from ${ids[other.name].short}: `;
          await waitIn(p, `logs "${line}… ms after joining"`, (l) =>
            [...document.querySelectorAll('#log li span')].some((s) => s.textContent.startsWith(l)), line);
          const found = (await logLines(p)).find((l) => l.startsWith(line));
          console.log(`     figure: ${p.name}: ${found}`);
          const pcList = await pcs(p);
          check(openPcs(pcList).length === 1 && pcList.length === 1, `${p.name}: one RTCPeerConnection (${pcList.length} made)`);
          await noProblem(p, 'after joining');
        }
        await screenshot(A, 'room-two.png');
      },
    ],
    [
      '2. forced glare: both restart ICE at the same instant',
      async () => {
        const before = {};
        for (const p of [A, B]) before[p.name] = (await pcs(p)).length;
        let collided = false;
        let attempt = 0;
        const glareLines = (lines) => lines.filter((l) => l.includes('Offer collision'));
        const seen = { A: glareLines(await logLines(A)).length, B: glareLines(await logLines(B)).length };
        while (!collided && attempt < 3) {
          attempt += 1;
          const at = Date.now() + 300;
          const fired = await Promise.all(
            [A, B].map((p) =>
              p.page.evaluate(
                (at) =>
                  new Promise((done) =>
                    setTimeout(() => {
                      const t = Date.now();
                      let n = 0;
                      for (const pc of window.__pcs) {
                        if (pc.connectionState !== 'closed') {
                          pc.restartIce();
                          n += 1;
                        }
                      }
                      done({ late: t - at, n });
                    }, Math.max(0, at - Date.now())),
                  ),
                at,
              ),
            ),
          );
          console.log(
            `     attempt ${attempt}: restartIce() on A (${fired[0].n} pc, ${fired[0].late} ms after the deadline) ` +
              `and B (${fired[1].n} pc, ${fired[1].late} ms)`,
          );
          // Wait up to 5 s for a collision line on either side.
          const end = Date.now() + 5000;
          while (Date.now() < end) {
            const a = glareLines(await logLines(A)).slice(seen.A);
            const b = glareLines(await logLines(B)).slice(seen.B);
            if (a.length + b.length > 0) {
              await sleep(1000); // the other side's line, if it comes
              const a2 = glareLines(await logLines(A)).slice(seen.A);
              const b2 = glareLines(await logLines(B)).slice(seen.B);
              for (const l of a2) console.log(`     A: ${l}`);
              for (const l of b2) console.log(`     B: ${l}`);
              collided = true;
              break;
            }
            await sleep(100);
          }
          if (!collided) {
            // No glare this time (one offer got through before the other was made): settle, and try again.
            await sleep(2000);
          }
        }
        check(collided, `an "Offer collision" line was logged (attempt ${attempt} of at most 3)`);
        for (const p of [A, B]) {
          await waitIn(
            p,
            'after the glare every open pc is stable and connected',
            () => {
              const open = window.__pcs.filter((pc) => pc.connectionState !== 'closed');
              return open.length > 0 && open.every((pc) => pc.signalingState === 'stable' && pc.connectionState === 'connected');
            },
            undefined,
            15_000,
          );
        }
        for (const p of [A, B]) {
          const list = await pcs(p);
          check(
            list.length === before[p.name] && openPcs(list).length === 1,
            `${p.name}: no new RTCPeerConnection (${before[p.name]} before, ${list.length} after, ${openPcs(list).length} open)`,
          );
          await checkPlaying(p, 'after the glare', 1);
          const failed = (await logLines(p)).filter((l) => l.includes('Negotiation step failed'));
          check(failed.length === 0, `${p.name}: no "Negotiation step failed" line${failed.length ? ': ' + failed.join(' | ') : ''}`);
        }
      },
    ],
    [
      '3. server crash (SIGKILL) and restart on the same port',
      async () => {
        const before = {};
        for (const p of [A, B]) {
          before[p.name] = {
            short: await ownShortId(p),
            pcs: (await pcs(p)).length,
            peers: (await tiles(p)).map((t) => t.peer).sort(),
            rejoined: countLines(await logLines(p), 'Rejoined room'),
          };
        }
        const port = server.port;
        await server.kill();
        console.log(`     killed the server (pid ${server.pid}) with SIGKILL`);
        const killedAt = Date.now();
        for (const p of [A, B]) {
          await waitIn(
            p,
            '#connection says "Lost the server … Reconnecting"',
            () => /Lost the server.*Reconnecting/.test(document.querySelector('#connection')?.textContent ?? ''),
            undefined,
            12_000,
          );
        }
        console.log(`     A: #connection: "${await text(A, '#connection')}"`);
        for (const p of [A, B]) await checkPlaying(p, 'while the server is down', 1, 5000);
        await screenshot(A, 'room-server-down.png');
        server = await startServer(serverBinary, dist, `127.0.0.1:${port}`);
        servers.push(server);
        console.log(`     restarted the server on port ${port} (pid ${server.pid}), ${Date.now() - killedAt} ms after the kill`);
        for (const p of [A, B]) {
          await waitIn(p, 'shows "In the room" again', () => document.querySelector('#connection')?.textContent === 'In the room', undefined, 30_000);
        }
        for (const p of [A, B]) {
          const short = await ownShortId(p);
          const lines = await logLines(p);
          const rejoined = lines.filter((l) => l.startsWith('Rejoined room'));
          check(short === before[p.name].short, `${p.name}: same id in the caption (${before[p.name].short} → ${short})`);
          check(
            rejoined.length === before[p.name].rejoined + 1 && rejoined.at(-1) === `Rejoined room ${room} as ${before[p.name].short}`,
            `${p.name}: logs "Rejoined room … as ${before[p.name].short}" (${rejoined.at(-1) ?? 'none'})`,
          );
          const peers = (await tiles(p)).map((t) => t.peer).sort();
          check(
            JSON.stringify(peers) === JSON.stringify(before[p.name].peers),
            `${p.name}: the same remote tile(s) (${peers.map((x) => x.slice(0, 6)).join(',')})`,
          );
          const list = await pcs(p);
          check(
            list.length === before[p.name].pcs && openPcs(list).length === 1,
            `${p.name}: no new RTCPeerConnection (${before[p.name].pcs} before, ${list.length} after)`,
          );
          await checkPlaying(p, 'after the restart', 1);
          await noProblem(p, 'after the restart');
        }
        // What each side said about the other coming back (informational).
        for (const p of [A, B]) {
          const lines = (await logLines(p)).filter((l) => /Still connected to|is back on the server/.test(l));
          console.log(`     ${p.name}: ${lines.at(-1) ?? '(no "still connected"/"back on the server" line)'}`);
        }
        await screenshot(A, 'room-after-restart.png');
      },
    ],
    [
      '4. a third person joins',
      async () => {
        const loadsBefore = {};
        for (const p of [A, B]) loadsBefore[p.name] = Object.fromEntries((await tiles(p)).map((t) => [t.peer, t.loads]));
        C = await enter('C', url);
        await waitIn(C, 'shows "In the room"', () => document.querySelector('#connection')?.textContent === 'In the room');
        ids.C = { short: await ownShortId(C) };
        require_(ids.C.short, `C's id from the caption: ${ids.C.short}`);
        for (const p of [A, B, C]) await checkPlaying(p, 'three in the room', 2);
        // A call already running must not restart (go black, clock back to 0) because someone else arrived.
        for (const p of [A, B]) {
          for (const t of await tiles(p)) {
            if (t.peer in loadsBefore[p.name]) {
              check(
                t.loads === loadsBefore[p.name][t.peer],
                `${p.name}: the video from ${t.peer.slice(0, 6)} was not restarted while C joined ` +
                  `(loadstart events ${loadsBefore[p.name][t.peer]} -> ${t.loads}; currentTime now ${t.time.toFixed(2)} s)`,
              );
            }
          }
        }
        // Everyone's tiles are the two others, with the same full ids everywhere.
        const all = {};
        for (const p of [A, B, C]) all[p.name] = (await tiles(p)).map((t) => t.peer);
        ids.C.full = all.A.find((peer) => peer.startsWith(ids.C.short));
        for (const p of [A, B, C]) {
          const others = ['A', 'B', 'C'].filter((n) => n !== p.name).map((n) => ids[n].full).sort();
          check(
            others.every(Boolean) && JSON.stringify([...all[p.name]].sort()) === JSON.stringify(others),
            `${p.name}: tiles are ${others.map((x) => x?.slice(0, 6)).join(' and ')} (${all[p.name].map((x) => x.slice(0, 6)).join(', ')})`,
          );
          const list = await pcs(p);
          check(openPcs(list).length === 2, `${p.name}: two open RTCPeerConnections (${list.length} made)`);
          await noProblem(p, 'three in the room');
        }
        for (const other of ['A', 'B']) {
          const line = `First frame from ${ids[other].short}: `;
          await waitIn(C, `logs "${line}… ms after joining"`, (l) =>
            [...document.querySelectorAll('#log li span')].some((s) => s.textContent.startsWith(l)), line);
          console.log(`     figure: C: ${(await logLines(C)).find((l) => l.startsWith(line))}`);
        }
        await screenshot(C, 'room-three.png');
        await screenshot(A, 'room-three-A.png');
        await screenshot(B, 'room-three-B.png');
      },
    ],
    [
      '5. one leaves, one closes the browser',
      async () => {
        const loadsBefore = {};
        for (const p of [A, C]) loadsBefore[p.name] = Object.fromEntries((await tiles(p)).map((t) => [t.peer, t.loads]));
        await B.page.click('#leaveButton', { timeout: 5000 });
        const gone = ids.B;
        for (const p of [A, C]) {
          await waitIn(
            p,
            `#notice says "${gone.short} left" and B's tile is gone`,
            ([short, full]) =>
              (document.querySelector('#notice')?.textContent ?? '').includes(`${short} left`) &&
              !document.querySelector(`video[data-peer="${full}"]`),
            [gone.short, gone.full],
            5000,
          );
        }
        await waitIn(B, '#connection says "You left the room"', () => document.querySelector('#connection')?.textContent === 'You left the room', undefined, 5000);
        check((await tiles(B)).length === 0, `B: no remote tiles after leaving (${(await tiles(B)).length})`);
        check((await B.page.$('#rejoinButton')) !== null, 'B: #rejoinButton is shown');
        check(openPcs(await pcs(B)).length === 0, `B: every RTCPeerConnection closed (${openPcs(await pcs(B)).length} open)`);
        for (const p of [A, C]) {
          await checkPlaying(p, 'after B left', 1);
          const [t] = await tiles(p);
          check(
            t && t.loads === loadsBefore[p.name][t.peer],
            `${p.name}: the video from ${t?.peer.slice(0, 6)} was not restarted when B left ` +
              `(loadstart events ${loadsBefore[p.name][t?.peer]} -> ${t?.loads})`,
          );
        }
        await screenshot(A, 'room-after-leave.png');
        await screenshot(B, 'room-leaver.png');

        await close(C);
        console.log('     closed C\'s browser');
        await waitIn(
          A,
          `#notice says "${ids.C.short} disconnected" and C's tile is gone`,
          ([short, full]) =>
            (document.querySelector('#notice')?.textContent ?? '').includes(`${short} disconnected`) &&
            !document.querySelector(`video[data-peer="${full}"]`),
          [ids.C.short, ids.C.full],
          5000,
        );
        check(openPcs(await pcs(A)).length === 0, `A: no open RTCPeerConnection left (${openPcs(await pcs(A)).length})`);
        await screenshot(A, 'room-after-close.png');
      },
    ],
  ];

  for (const [name, run] of steps) {
    console.log(`--- ${name}`);
    const started = Date.now();
    try {
      await run();
    } catch (error) {
      if (!(error instanceof StepFailed)) check(false, `${name}: ${error.stack ?? error}`);
      console.log(`--- ${name}: stopped; the remaining steps are skipped`);
      await dumpState();
      break;
    }
    console.log(`    (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  for (const p of people) {
    check(p.errors.length === 0, `${p.name}: no uncaught errors or panics${p.errors.length ? ': ' + p.errors.join(' | ') : ''}`);
  }
}

/** On a failure: what each page shows, and the end of its log. */
async function dumpState() {
  for (const p of people) {
    if (p.closed) continue;
    try {
      const connection = await text(p, '#connection');
      const notice = await text(p, '#notice');
      const problem = await text(p, '#problem');
      console.log(`     ${p.name}: #connection="${connection}" #notice="${notice}" #problem=${JSON.stringify(problem)}`);
      console.log(`     ${p.name}: tiles ${JSON.stringify(await tiles(p))}`);
      console.log(`     ${p.name}: pcs ${JSON.stringify(await pcs(p))}`);
      for (const l of (await logLines(p)).slice(-25)) console.log(`       ${p.name} log: ${l}`);
      await screenshot(p, `room-failure-${p.name}.png`);
    } catch (error) {
      console.log(`     ${p.name}: could not read the page: ${firstLine(error)}`);
    }
  }
  for (const s of servers) {
    if (s.stderr().trim()) console.log(`     server ${s.pid} stderr (end):\n${s.stderr().slice(-2000)}`);
  }
}

const servers = [];

async function cleanUp() {
  await Promise.all(people.map(close));
  await Promise.all(servers.map((s) => s.kill()));
}
if (isMain) runAsScript();

/** The exit handlers, the watchdog, and the test itself: only when this file is run, not imported. */
function runAsScript() {
  process.on('exit', () => {
    for (const s of servers) s.killNow();
    for (const p of people) {
      try {
        p.browser.process()?.kill('SIGKILL');
      } catch {}
    }
  });

  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130)); // runs the 'exit' handler

  const began = Date.now();
  const watchdog = setTimeout(async () => {
    console.log(`FAIL the whole run took longer than ${WATCHDOG_MS / 1000} s; killing everything`);
    await Promise.race([dumpState().catch(() => {}), sleep(15_000)]);
    process.exit(1); // the 'exit' handler kills the server and the browsers
  }, WATCHDOG_MS);

  main()
    .catch((error) => check(false, `unexpected error: ${error.stack ?? error}`))
    .finally(async () => {
      await cleanUp();
      clearTimeout(watchdog);
      const seconds = ((Date.now() - began) / 1000).toFixed(1);
      console.log(failures ? `room e2e: ${failures} check(s) FAILED (${seconds} s)` : `room e2e: all checks passed (${seconds} s)`);
      console.log(`screenshots: ${shots}/room-*.png`);
      process.exit(failures ? 1 : 0);
    });
}
